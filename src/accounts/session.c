/*
 * session: sign-in sessions (SECURITY.md "Accounts and sessions"), the sessions table
 * (migration 2 of "accounts", in password.c with the module's other migrations), and
 * the purge of what expires in the module (sessions, link tokens, closed windows of
 * sign-in failures, reset requests and signup notices past their hour; those tables
 * belong to tokens.c, login.c and requests.c).
 *
 * Invariants: a session token is LIMIT_SESSION_TOKEN_BYTES from libsodium's CSPRNG,
 * handed out once and never stored: the table keys a session by BLAKE2b-256 of the
 * token, so reading the database gives nobody a way in. Since the lookup is by that
 * hash, no comparison of secrets happens here and nothing needs to be constant-time.
 * Expiry is decided here on the server at every check, never by the cookie; an expired
 * session is deleted when it is seen, and session_purge deletes the rest. Every row
 * goes with its person (ON DELETE CASCADE), so erasing an account signs it out.
 */
#include <sodium.h>
#include <string.h>

#include "accounts/accounts_int.h"

_Static_assert(LIMIT_SESSION_TOKEN_BYTES >= 16, "SECURITY.md: a token has >= 128 bits");
_Static_assert(SESSION_TOKEN_LEN + 1 ==
	sodium_base64_ENCODED_LEN(LIMIT_SESSION_TOKEN_BYTES,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING),
    "SESSION_TOKEN_LEN is the unpadded base64url length of the token bytes");

#define SESSION_HASH_BYTES ACCOUNTS_TOKEN_HASH_BYTES /* BLAKE2b-256 */
_Static_assert(SESSION_TOKEN_LEN == ACCOUNT_TOKEN_LEN &&
	LIMIT_SESSION_TOKEN_BYTES == LIMIT_ACCOUNT_TOKEN_BYTES,
    "sessions and link tokens share one shape (accounts__token_new)");

enum {
	SQL_SESSION_INSERT,
	SQL_SESSION_GET,
	SQL_SESSION_TOUCH,
	SQL_SESSION_END,
	SQL_SESSION_END_ALL,
	SQL_SESSION_PURGE,
	SQL_COPY_SESSIONS_SEL,
	SQL_COPY_SESSIONS_INS,
	SQL_COPY_FAILURES_SEL,
	SQL_COPY_FAILURES_INS,
	SQL_COPY_REQUESTS_SEL,
	SQL_COPY_REQUESTS_INS,
	SQL_SESSION__MAX
};

static const struct store_stmt session_sql[SQL_SESSION__MAX] = {
	[SQL_SESSION_INSERT] = {"session_insert",
	    "INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at)"
	    " VALUES (?, ?, ?, ?)"},
	[SQL_SESSION_GET] = {"session_get",
	    "SELECT person_id, created_at, last_seen_at FROM sessions WHERE token_hash = ?"},
	/* the condition keeps a late request from moving the last use backwards */
	[SQL_SESSION_TOUCH] = {"session_touch",
	    "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?"},
	[SQL_SESSION_END] = {"session_end", "DELETE FROM sessions WHERE token_hash = ?"},
	[SQL_SESSION_END_ALL] = {"session_end_all", "DELETE FROM sessions WHERE person_id = ?"},
	/* ? = now - idle, now - absolute */
	[SQL_SESSION_PURGE] = {"session_purge",
	    "DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ? RETURNING person_id"},
	[SQL_COPY_SESSIONS_SEL] = {"copy_sessions_select",
	    "SELECT token_hash, person_id, created_at, last_seen_at FROM sessions"
	    " ORDER BY token_hash"},
	[SQL_COPY_SESSIONS_INS] = {"copy_sessions_insert",
	    "INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at)"
	    " VALUES (?, ?, ?, ?)"},
	[SQL_COPY_FAILURES_SEL] = {"copy_login_failures_select",
	    "SELECT key_hash, person_id, window_start, count FROM login_failures"
	    " ORDER BY key_hash"},
	[SQL_COPY_FAILURES_INS] = {"copy_login_failures_insert",
	    "INSERT INTO login_failures (key_hash, person_id, window_start, count)"
	    " VALUES (?, ?, ?, ?)"},
	[SQL_COPY_REQUESTS_SEL] = {"copy_account_requests_select",
	    "SELECT id, key_hash, kind, at FROM account_requests ORDER BY id"},
	[SQL_COPY_REQUESTS_INS] = {"copy_account_requests_insert",
	    "INSERT INTO account_requests (id, key_hash, kind, at) VALUES (?, ?, ?, ?)"},
};

const struct store_table session_tables[] = {
	{"sessions", "biii", &session_sql[SQL_COPY_SESSIONS_SEL],
	    &session_sql[SQL_COPY_SESSIONS_INS], NULL},
	{"login_failures", "biii", &session_sql[SQL_COPY_FAILURES_SEL],
	    &session_sql[SQL_COPY_FAILURES_INS], NULL},
	{"account_requests", "ibii", &session_sql[SQL_COPY_REQUESTS_SEL],
	    &session_sql[SQL_COPY_REQUESTS_INS], "id"},
};
const size_t session_tables_count = COUNTOF(session_tables);

bool
accounts__token_hash(const char *token, unsigned char out[ACCOUNTS_TOKEN_HASH_BYTES])
{
	size_t i;

	if (token == NULL)
		return false;
	for (i = 0; i < SESSION_TOKEN_LEN; i++) {
		unsigned char c = (unsigned char)token[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			c == '-' || c == '_'))
			return false;
	}
	if (token[SESSION_TOKEN_LEN] != '\0')
		return false;
	crypto_generichash(out, ACCOUNTS_TOKEN_HASH_BYTES, (const unsigned char *)token,
	    SESSION_TOKEN_LEN, NULL, 0);
	return true;
}

enum err
accounts__token_new(char out[ACCOUNT_TOKEN_LEN + 1],
    unsigned char hash[ACCOUNTS_TOKEN_HASH_BYTES])
{
	unsigned char raw[LIMIT_SESSION_TOKEN_BYTES];

	out[0] = '\0';
	if (sodium_init() < 0)
		return ERR_CRYPTO;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, ACCOUNT_TOKEN_LEN + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	if (!accounts__token_hash(out, hash)) {
		sodium_memzero(out, ACCOUNT_TOKEN_LEN + 1);
		return ERR_CRYPTO; /* cannot happen: the encoder writes only base64url */
	}
	return ERR_OK;
}

static bool
session_hash(const char *token, unsigned char out[SESSION_HASH_BYTES])
{
	return accounts__token_hash(token, out);
}

/* Deletes the session stored under hash (logout, or found expired). */
static enum err
session_delete(struct store *s, const unsigned char hash[SESSION_HASH_BYTES])
{
	struct store_q *q;

	if ((q = store_prepare(s, &session_sql[SQL_SESSION_END])) == NULL)
		return store_done(NULL); /* why the prepare failed */
	store_bind_blob(q, 1, hash, SESSION_HASH_BYTES);
	store_step(q);
	return store_done(q);
}

enum err
session_create(struct store *s, int64_t person, int64_t now,
    char token_out[SESSION_TOKEN_LEN + 1])
{
	unsigned char hash[SESSION_HASH_BYTES];
	struct store_q *q;
	enum err e;

	if ((e = accounts__token_new(token_out, hash)) != ERR_OK)
		goto out;
	if ((q = store_prepare(s, &session_sql[SQL_SESSION_INSERT])) == NULL) {
		e = store_done(NULL);
		goto out;
	}
	store_bind_blob(q, 1, hash, sizeof(hash));
	store_bind_int(q, 2, person);
	store_bind_int(q, 3, now);
	store_bind_int(q, 4, now);
	store_step(q);
	/* 256 random bits do not collide: a conflict is the missing person */
	if ((e = store_done(q)) == ERR_CONFLICT)
		e = ERR_NOTFOUND;
out:
	if (e != ERR_OK)
		sodium_memzero(token_out, SESSION_TOKEN_LEN + 1);
	return e;
}

enum err
session_check(struct store *s, const char *token, int64_t now, int64_t idle_s,
    int64_t absolute_s, int64_t *person)
{
	unsigned char hash[SESSION_HASH_BYTES];
	int64_t who = 0, created = 0, seen = 0;
	struct store_q *q;
	bool found = false;
	enum err e;

	*person = 0;
	if (!session_hash(token, hash))
		return ERR_NOTFOUND;
	if ((q = store_prepare(s, &session_sql[SQL_SESSION_GET])) == NULL)
		return store_done(NULL);
	store_bind_blob(q, 1, hash, sizeof(hash));
	if (store_step(q) == STORE_ROW) {
		found = true;
		who = store_col_int(q, 0);
		created = store_col_int(q, 1);
		seen = store_col_int(q, 2);
	}
	if ((e = store_done(q)) != ERR_OK)
		return e;
	if (!found)
		return ERR_NOTFOUND;
	if (now - seen > idle_s || now - created > absolute_s) {
		if ((e = session_delete(s, hash)) != ERR_OK)
			return e;
		return ERR_NOTFOUND;
	}
	if (now - seen >= LIMIT_SESSION_TOUCH_S) {
		if ((q = store_prepare(s, &session_sql[SQL_SESSION_TOUCH])) == NULL)
			return store_done(NULL);
		store_bind_int(q, 1, now);
		store_bind_blob(q, 2, hash, sizeof(hash));
		store_bind_int(q, 3, now);
		store_step(q);
		if ((e = store_done(q)) != ERR_OK)
			return e;
	}
	*person = who;
	return ERR_OK;
}

enum err
session_end(struct store *s, const char *token)
{
	unsigned char hash[SESSION_HASH_BYTES];

	if (!session_hash(token, hash))
		return ERR_OK; /* never one of ours: nothing to end */
	return session_delete(s, hash);
}

enum err
session_end_all(struct store *s, int64_t person)
{
	struct store_q *q;

	if ((q = store_prepare(s, &session_sql[SQL_SESSION_END_ALL])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	store_step(q);
	return store_done(q);
}

enum err
session_purge(struct store *s, int64_t now, int64_t idle_s, int64_t absolute_s,
    int64_t *removed)
{
	struct store_q *q;
	int64_t n = 0;
	enum err e;

	if (removed)
		*removed = 0;
	if ((q = store_prepare(s, &session_sql[SQL_SESSION_PURGE])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, now - idle_s);
	store_bind_int(q, 2, now - absolute_s);
	while (store_step(q) == STORE_ROW)
		n++;
	if ((e = store_done(q)) != ERR_OK)
		return e;
	if (removed)
		*removed = n;
	/* the same beat clears the module's other expiring rows (not counted in removed) */
	if ((e = accounts__tokens_purge(s, now)) != ERR_OK ||
	    (e = accounts__failures_purge(s, now)) != ERR_OK)
		return e;
	return accounts__requests_purge(s, now);
}
