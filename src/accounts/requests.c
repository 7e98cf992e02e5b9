/*
 * requests: the account_requests table (migration 4 of "accounts", in password.c): one
 * row per password-reset request and per signup notice to a taken address, keyed by a
 * blind index of the identifier typed, whether or not an account has it.
 *
 * Why a row for every request (SECURITY.md "no enumeration", ASVS 6.3.8): a reset for
 * an unknown name used to do one SELECT while a known one issued a token, queued a mail
 * and committed (an fsync). Now both write this row and commit, so both pay for the
 * durable write; the known path only adds its token and mail to the same transaction.
 * The rows also bound what one identifier can cause: more than
 * LIMIT_ACCOUNT_TOKENS_PER_HOUR requests in LIMIT_ACCOUNT_REQUEST_WINDOW_S and nothing
 * more is sent, for a known and an unknown identifier alike (the answer stays the same).
 *
 * Invariants: the identifier itself is never stored, only vault_blind("request",
 * PREFIX + identifier in lower case), PREFIX naming the kind ("reset:", "signup:"), so
 * the kinds never share a count and nobody reading the table learns a name. Rows are
 * ephemeral: session_purge deletes those older than the window.
 */
#include <ctype.h>
#include <sodium.h>
#include <string.h>

#include "accounts/accounts_int.h"
#include "privacy/privacy.h"

enum { SQL_REQUEST_INSERT, SQL_REQUEST_COUNT, SQL_REQUEST_PURGE, SQL_REQUEST__MAX };

static const struct store_stmt request_sql[SQL_REQUEST__MAX] = {
	[SQL_REQUEST_INSERT] = {"account_request_insert",
	    "INSERT INTO account_requests (key_hash, kind, at) VALUES (?, ?, ?)"},
	/* ? = key, kind, now - window: the requests of the window, this one included */
	[SQL_REQUEST_COUNT] = {"account_request_count",
	    "SELECT COUNT(*) FROM account_requests WHERE key_hash = ? AND kind = ? AND at > ?"},
	/* ? = now - window */
	[SQL_REQUEST_PURGE] = {"account_request_purge",
	    "DELETE FROM account_requests WHERE at <= ?"},
};

/* What goes before the identifier in its blind index, by kind. */
static const char *const request_prefix[REQUEST__MAX] = {
	[REQUEST_RESET] = "reset:",
	[REQUEST_SIGNUP_TAKEN] = "signup:",
};

enum err
account_request_note(struct privacy *p, struct store *s, enum account_request_kind kind,
    const char *identifier, int64_t now, bool *allowed)
{
	unsigned char key[VAULT_BLIND_BYTES];
	char label[16 + LIMIT_LOGIN_IDENTIFIER_BYTES + 2];
	struct store_q *q;
	size_t plen, n, i;
	int64_t count = 0;
	enum err e;

	*allowed = false;
	if ((unsigned)kind >= REQUEST__MAX || identifier == NULL)
		return ERR_INVAL;
	plen = strlen(request_prefix[kind]);
	memcpy(label, request_prefix[kind], plen);
	/* an over-long identifier is cut for its key: it names no account (every username
	 * and email is shorter), and its requests are still counted together */
	n = strnlen(identifier, LIMIT_LOGIN_IDENTIFIER_BYTES + 1);
	for (i = 0; i < n; i++)
		label[plen + i] = (char)tolower((unsigned char)identifier[i]);
	label[plen + n] = '\0';
	vault_blind(p, "request", label, key);
	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	if ((q = store_prepare(s, &request_sql[SQL_REQUEST_INSERT])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_blob(q, 1, key, sizeof(key));
	store_bind_int(q, 2, kind);
	store_bind_int(q, 3, now);
	store_step(q);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if ((q = store_prepare(s, &request_sql[SQL_REQUEST_COUNT])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_blob(q, 1, key, sizeof(key));
	store_bind_int(q, 2, kind);
	store_bind_int(q, 3, now - LIMIT_ACCOUNT_REQUEST_WINDOW_S);
	if (store_step(q) == STORE_ROW)
		count = store_col_int(q, 0);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if (count < 1) {
		e = ERR_IO; /* the row just written is not counted: a broken store */
		goto fail;
	}
	if ((e = store_commit(s)) != ERR_OK)
		goto out;
	*allowed = count <= LIMIT_ACCOUNT_TOKENS_PER_HOUR;
	goto out;
fail:
	store_rollback(s);
out:
	sodium_memzero(label, sizeof(label));
	sodium_memzero(key, sizeof(key));
	return e;
}

enum err
accounts__requests_purge(struct store *s, int64_t now)
{
	struct store_q *q;

	if ((q = store_prepare(s, &request_sql[SQL_REQUEST_PURGE])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, now - LIMIT_ACCOUNT_REQUEST_WINDOW_S);
	store_step(q);
	return store_done(q);
}
