/*
 * login: signing up, signing in, the record of the last sign-in, email preferences and
 * the "sign_in" section of a person's export. Tables: login_failures, account_logins,
 * account_prefs (migration 3 of "accounts", in password.c).
 *
 * No enumeration (SECURITY.md; ASVS 2.2.1, 6.3.8):
 *   - signup does one argon2id hash of the given password whether the email is new or
 *     taken, before any row is read and before any transaction opens (so the write
 *     lock is not held for it: account_signup_prepare, then account_signup_hashed in
 *     the caller's transaction), and a taken email is not an error to the caller;
 *   - login_attempt looks the identifier up, counts the attempt, then checks the
 *     password: against the account's hash, or (password_matches with no such person)
 *     against a dummy hash, so both take one argon2id verification;
 *   - failures are counted under a key: vault_blind("login", "person:<id>") for an
 *     account (its username and its email share one counter), vault_blind("login",
 *     "name:" + the identifier in lower case) when there is no account, so an unknown
 *     name is throttled exactly like a real one. The prefixes keep the two spaces
 *     apart ("person:5" typed as a name is not account 5's key).
 * The attempt is counted before the password is checked (one upsert that returns the
 * count), so concurrent guesses cannot exceed the limit; a success then forgets the
 * count. Throttle state is ephemeral: closed windows are purged by session_purge.
 *
 * The address of the last sign-in is stored only sealed under the person's key, bound
 * to (account_logins, ip_sealed, person id), read back only through the gate, and
 * removed after [retention] ip_days by privacy/retention.c; the time stays.
 */
#include <ctype.h>
#include <jansson.h>
#include <sodium.h>
#include <string.h>

#include "accounts/accounts_int.h"
#include "privacy/privacy.h"

enum {
	SQL_FAIL_COUNT,
	SQL_FAIL_CLEAR,
	SQL_FAIL_PURGE,
	SQL_LOGIN_RECORD,
	SQL_LOGIN_GET,
	SQL_PREFS_GET,
	SQL_PREFS_SET,
	SQL_EXPORT_SESSIONS,
	SQL_LOGIN__MAX
};

static const struct store_stmt login_sql[SQL_LOGIN__MAX] = {
	/* one statement, so concurrent attempts cannot lose a count: an attempt past the
	 * window opens a new one (? = key, person or NULL, now, window, window) */
	[SQL_FAIL_COUNT] = {"login_failure_count",
	    "INSERT INTO login_failures (key_hash, person_id, window_start, count)"
	    " VALUES (?, ?, ?, 1)"
	    " ON CONFLICT (key_hash) DO UPDATE SET"
	    " count = CASE WHEN excluded.window_start - login_failures.window_start >= ?"
	    " THEN 1 ELSE login_failures.count + 1 END,"
	    " window_start = CASE WHEN excluded.window_start - login_failures.window_start >= ?"
	    " THEN excluded.window_start ELSE login_failures.window_start END"
	    " RETURNING window_start, count"},
	[SQL_FAIL_CLEAR] = {"login_failure_clear", "DELETE FROM login_failures WHERE key_hash = ?"},
	/* ? = now - window: windows that opened that long ago are closed */
	[SQL_FAIL_PURGE] = {"login_failure_purge",
	    "DELETE FROM login_failures WHERE window_start <= ?"},
	[SQL_LOGIN_RECORD] = {"account_login_record",
	    "INSERT INTO account_logins (person_id, at, ip_sealed) VALUES (?, ?, ?)"
	    " ON CONFLICT (person_id) DO UPDATE SET at = excluded.at,"
	    " ip_sealed = excluded.ip_sealed"},
	[SQL_LOGIN_GET] = {"account_login_get",
	    "SELECT at, ip_sealed FROM account_logins WHERE person_id = ?"},
	[SQL_PREFS_GET] = {"account_prefs_get",
	    "SELECT announcements FROM account_prefs WHERE person_id = ?"},
	[SQL_PREFS_SET] = {"account_prefs_set",
	    "INSERT INTO account_prefs (person_id, announcements) VALUES (?, ?)"
	    " ON CONFLICT (person_id) DO UPDATE SET announcements = excluded.announcements"},
	[SQL_EXPORT_SESSIONS] = {"account_export_sessions",
	    "SELECT created_at, last_seen_at FROM sessions WHERE person_id = ?"
	    " ORDER BY created_at, last_seen_at"},
};

/* ------------------------------------------------------------- throttle ---- */

/* Counts an attempt under key at now; *count and *window_start get the state after it.
 * person is the account's id, or 0 when the identifier names none. */
static enum err
login_count(struct store *s, const unsigned char key[VAULT_BLIND_BYTES], int64_t person,
    int64_t now, int64_t *count, int64_t *window_start)
{
	struct store_q *q;
	enum err e;

	*count = 0;
	*window_start = now;
	if ((q = store_prepare(s, &login_sql[SQL_FAIL_COUNT])) == NULL)
		return store_done(NULL);
	store_bind_blob(q, 1, key, VAULT_BLIND_BYTES);
	if (person > 0)
		store_bind_int(q, 2, person);
	else
		store_bind_null(q, 2);
	store_bind_int(q, 3, now);
	store_bind_int(q, 4, LIMIT_LOGIN_WINDOW_S);
	store_bind_int(q, 5, LIMIT_LOGIN_WINDOW_S);
	if (store_step(q) == STORE_ROW) {
		*window_start = store_col_int(q, 0);
		*count = store_col_int(q, 1);
	}
	if ((e = store_done(q)) == ERR_OK && *count == 0)
		e = ERR_IO; /* the upsert returns its row; no row is a broken store */
	return e;
}

static enum err
login_clear(struct store *s, const unsigned char key[VAULT_BLIND_BYTES])
{
	struct store_q *q;

	if ((q = store_prepare(s, &login_sql[SQL_FAIL_CLEAR])) == NULL)
		return store_done(NULL);
	store_bind_blob(q, 1, key, VAULT_BLIND_BYTES);
	store_step(q);
	return store_done(q);
}

enum err
accounts__failures_purge(struct store *s, int64_t now)
{
	struct store_q *q;

	if ((q = store_prepare(s, &login_sql[SQL_FAIL_PURGE])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, now - LIMIT_LOGIN_WINDOW_S);
	store_step(q);
	return store_done(q);
}

/* ---------------------------------------------------------------- login ---- */

enum err
login_attempt(struct privacy *p, struct store *s, const char *identifier,
    const char *password, size_t password_len, int64_t now, enum login_outcome *outcome,
    int64_t *person, int64_t *retry_at)
{
	unsigned char key[VAULT_BLIND_BYTES];
	char low[LIMIT_LOGIN_IDENTIFIER_BYTES + 8], label[48];
	struct person who;
	struct arena *a;
	int64_t count = 0, window = 0, id = 0;
	size_t n, i;
	bool ok = false;
	enum err e;

	*outcome = LOGIN_WRONG;
	*person = 0;
	if (retry_at)
		*retry_at = 0;
	if (identifier == NULL || password == NULL)
		return ERR_INVAL;
	if ((a = arena_new()) == NULL)
		return ERR_NOMEM;
	/* "name:" + the identifier in lower case; an over-long one is cut for its key (it
	 * names no account: every username and email is shorter) */
	memcpy(low, "name:", 5);
	n = strnlen(identifier, LIMIT_LOGIN_IDENTIFIER_BYTES + 1);
	if (n > LIMIT_LOGIN_IDENTIFIER_BYTES)
		n = LIMIT_LOGIN_IDENTIFIER_BYTES + 1;
	for (i = 0; i < n; i++)
		low[5 + i] = (char)tolower((unsigned char)identifier[i]);
	low[5 + n] = '\0';
	e = ERR_NOTFOUND;
	if (n >= 1 && n <= LIMIT_LOGIN_IDENTIFIER_BYTES) {
		if (strchr(low + 5, '@'))
			e = people_find_by_email(p, s, a, low + 5, &who);
		else
			e = people_find(s, a, low + 5, &who);
	}
	if (e == ERR_OK)
		id = who.id;
	else if (e != ERR_NOTFOUND)
		goto out;
	if (id > 0) {
		snprintf(label, sizeof(label), "person:%lld", (long long)id);
		vault_blind(p, "login", label, key);
	} else {
		vault_blind(p, "login", low, key);
	}
	if ((e = login_count(s, key, id, now, &count, &window)) != ERR_OK)
		goto out;
	if (count > LIMIT_LOGIN_FAILURES_PER_HOUR) {
		/* refused without looking at the password, right or wrong */
		*outcome = LOGIN_THROTTLED;
		if (retry_at)
			*retry_at = window + LIMIT_LOGIN_WINDOW_S;
		goto out;
	}
	/* person 0 has no password: the same argon2id work against a dummy hash */
	e = password_matches(s, id, password, password_len, &ok);
	if (e == ERR_NOTFOUND) {
		ok = false;
		e = ERR_OK;
	}
	if (e != ERR_OK)
		goto out;
	if (ok && id > 0) {
		*outcome = LOGIN_OK;
		*person = id;
		if ((e = login_clear(s, key)) != ERR_OK) {
			*outcome = LOGIN_WRONG;
			*person = 0;
		}
	}
out:
	sodium_memzero(low, sizeof(low));
	sodium_memzero(key, sizeof(key));
	arena_free(a);
	return e;
}

/* --------------------------------------------------------------- signup ---- */

/* username folded to lower case into out; false unless it then has the shape people_add
 * accepts (LIMIT_USERNAME_MIN to LIMIT_USERNAME_MAX of a-z 0-9 '_' '-'). */
static bool
signup_username(const char *username, char out[LIMIT_USERNAME_MAX + 1])
{
	size_t n = strnlen(username, LIMIT_USERNAME_MAX + 1), i;

	out[0] = '\0';
	if (n < LIMIT_USERNAME_MIN || n > LIMIT_USERNAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = (char)tolower((unsigned char)username[i]);
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
		out[i] = c;
	}
	out[n] = '\0';
	return true;
}

enum err
account_signup_prepare(const char *username, const char *email, const char *password,
    size_t password_len, char hash[PASSWORD_HASH_BYTES], enum account_field *field,
    char *msg, size_t msgsize)
{
	char user[LIMIT_USERNAME_MAX + 1], norm[256];
	enum err e;

	*field = AF_NONE;
	hash[0] = '\0';
	norm[0] = '\0';
	if (msg && msgsize)
		msg[0] = '\0';
	if (username == NULL || !signup_username(username, user)) {
		*field = AF_USERNAME;
		str_msg(msg, msgsize, "A username is 3 to 32 of a-z, 0-9, '_' and '-'.");
		return ERR_INVAL;
	}
	if (email == NULL || !people_email_ok(email, norm, sizeof(norm))) {
		*field = AF_EMAIL;
		str_msg(msg, msgsize, "That is not an email address we can use.");
		return ERR_INVAL;
	}
	sodium_memzero(norm, sizeof(norm));
	if ((e = password_check(password, password_len, msg, msgsize)) != ERR_OK) {
		*field = AF_PASSWORD;
		return e;
	}
	/* the argon2id work, the same whatever follows (new or taken email); no row has
	 * been read and no transaction is open, so no write lock is held for it */
	if ((e = password_hash(password, password_len, hash)) != ERR_OK)
		sodium_memzero(hash, PASSWORD_HASH_BYTES);
	return e;
}

enum err
account_signup_hashed(struct privacy *p, struct store *s, const char *username,
    const char *email, const char *hash, int64_t now, struct account_signup_result *out,
    enum account_field *field, char *msg, size_t msgsize)
{
	char user[LIMIT_USERNAME_MAX + 1], norm[256];
	struct person found;
	struct arena *a = NULL;
	int64_t id = 0;
	enum err e;

	memset(out, 0, sizeof(*out));
	*field = AF_NONE;
	norm[0] = '\0';
	if (msg && msgsize)
		msg[0] = '\0';
	if (username == NULL || !signup_username(username, user)) {
		*field = AF_USERNAME;
		str_msg(msg, msgsize, "A username is 3 to 32 of a-z, 0-9, '_' and '-'.");
		return ERR_INVAL;
	}
	if (email == NULL || !people_email_ok(email, norm, sizeof(norm))) {
		*field = AF_EMAIL;
		str_msg(msg, msgsize, "That is not an email address we can use.");
		return ERR_INVAL;
	}
	if ((a = arena_new()) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	/* usernames are public (they sign comments): saying one is taken reveals nothing */
	if ((e = people_find(s, a, user, &found)) != ERR_NOTFOUND) {
		if (e == ERR_OK) {
			*field = AF_USERNAME;
			str_msg(msg, msgsize, "That username is taken; please choose another.");
			e = ERR_CONFLICT;
		}
		goto fail;
	}
	if ((e = people_find_by_email(p, s, a, norm, &found)) != ERR_NOTFOUND) {
		if (e != ERR_OK)
			goto fail;
		/* nothing is created, and the caller answers as for a new account */
		out->email_taken = true;
		out->existing = found.id;
		e = store_commit(s);
		goto out;
	}
	if ((e = people_add(p, s, user, norm, ROLE_MEMBER, false, &id, msg, msgsize)) != ERR_OK) {
		/* both were free a moment ago: a concurrent signup took one */
		if (e == ERR_CONFLICT)
			*field = strstr(msg ? msg : "", "email") ? AF_EMAIL : AF_USERNAME;
		goto fail;
	}
	if ((e = password_set_hash(s, id, hash, msg, msgsize)) != ERR_OK)
		goto fail;
	if ((e = account_token_issue(p, s, id, TOKEN_VERIFY_EMAIL, NULL, now, out->verify_token,
		 msg, msgsize)) != ERR_OK)
		goto fail;
	if ((e = store_commit(s)) != ERR_OK)
		goto out;
	out->person = id;
	goto out;
fail:
	store_rollback(s);
out:
	if (e != ERR_OK)
		sodium_memzero(out->verify_token, sizeof(out->verify_token));
	sodium_memzero(norm, sizeof(norm));
	arena_free(a);
	return e;
}

enum err
account_signup(struct privacy *p, struct store *s, const char *username, const char *email,
    const char *password, size_t password_len, int64_t now,
    struct account_signup_result *out, enum account_field *field, char *msg, size_t msgsize)
{
	char hash[PASSWORD_HASH_BYTES];
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = account_signup_prepare(username, email, password, password_len, hash, field,
		 msg, msgsize)) == ERR_OK)
		e = account_signup_hashed(p, s, username, email, hash, now, out, field, msg,
		    msgsize);
	sodium_memzero(hash, sizeof(hash));
	return e;
}

/* ---------------------------------------------------------- last sign-in ---- */

/* Whether ip is text an address can be: printable ASCII without spaces. */
static bool
login_ip_ok(const char *ip, size_t n)
{
	size_t i;

	if (n > LIMIT_IP_TEXT_BYTES)
		return false;
	for (i = 0; i < n; i++)
		if (ip[i] <= ' ' || ip[i] > '~')
			return false;
	return true;
}

enum err
account_record_login(struct privacy *p, struct store *s, int64_t person, const char *ip,
    int64_t now)
{
	struct buf sealed;
	struct store_q *q;
	char subject[48];
	size_t n = ip ? strlen(ip) : 0;
	enum err e;

	if (n > 0 && !login_ip_ok(ip, n))
		return ERR_INVAL;
	buf_init(&sealed);
	privacy_subject(person, subject);
	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	if (n > 0 && (e = vault_seal(p, s, subject, "account_logins", "ip_sealed", person, ip, n,
			  &sealed)) != ERR_OK)
		goto fail; /* ERR_NOTFOUND: no such person (no key) */
	if ((q = store_prepare(s, &login_sql[SQL_LOGIN_RECORD])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_int(q, 1, person);
	store_bind_int(q, 2, now);
	if (n > 0)
		store_bind_blob(q, 3, sealed.data, sealed.len);
	else
		store_bind_null(q, 3);
	store_step(q);
	if ((e = store_done(q)) != ERR_OK) {
		if (e == ERR_CONFLICT)
			e = ERR_NOTFOUND; /* the foreign key: no such person */
		goto fail;
	}
	e = store_commit(s);
	goto out;
fail:
	store_rollback(s);
out:
	buf_free(&sealed);
	return e;
}

enum err
account_last_login(struct store *s, int64_t person, int64_t *at)
{
	struct store_q *q;

	*at = 0;
	if ((q = store_prepare(s, &login_sql[SQL_LOGIN_GET])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	if (store_step(q) == STORE_ROW)
		*at = store_col_int(q, 0);
	return store_done(q);
}

/* ---------------------------------------------------------------- prefs ---- */

enum err
account_prefs_get(struct store *s, int64_t person, struct account_prefs *out)
{
	struct store_q *q;

	out->announcements = true; /* the default when nothing was chosen */
	if ((q = store_prepare(s, &login_sql[SQL_PREFS_GET])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	if (store_step(q) == STORE_ROW)
		out->announcements = store_col_int(q, 0) != 0;
	return store_done(q);
}

enum err
account_prefs_set(struct store *s, int64_t person, const struct account_prefs *in)
{
	struct store_q *q;
	enum err e;

	if ((q = store_prepare(s, &login_sql[SQL_PREFS_SET])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	store_bind_int(q, 2, in->announcements ? 1 : 0);
	store_step(q);
	if ((e = store_done(q)) == ERR_CONFLICT)
		e = ERR_NOTFOUND; /* the foreign key: no such person */
	return e;
}

/* --------------------------------------------------------------- export ---- */

/* obj[key] = v, taking v's reference; false when either is missing or it fails. */
static bool
export_set(json_t *obj, const char *key, json_t *v)
{
	if (obj == NULL || v == NULL) {
		json_decref(v);
		return false;
	}
	return json_object_set_new(obj, key, v) == 0;
}

static json_t *
export_time(int64_t t)
{
	char when[21];

	time_rfc3339(t, when);
	return json_string(when);
}

/* The last sign-in as an object (null when none), its address opened through the gate
 * as the person. */
static enum err
export_last(struct privacy *p, struct store *s, int64_t person, json_t *obj)
{
	struct gate_actor self = {person, false};
	struct gate_field f;
	struct store_q *q;
	struct buf sealed, ip;
	json_t *last;
	char subject[48];
	const void *b;
	size_t n = 0;
	int64_t at = 0;
	bool found = false, has_ip = false;
	enum err e;

	buf_init(&sealed);
	buf_init(&ip);
	if ((q = store_prepare(s, &login_sql[SQL_LOGIN_GET])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	if (store_step(q) == STORE_ROW) {
		found = true;
		at = store_col_int(q, 0);
		if (!store_col_null(q, 1)) {
			has_ip = true;
			b = store_col_blob(q, 1, &n);
			buf_append(&sealed, b, b ? n : 0);
		}
	}
	if ((e = store_done(q)) != ERR_OK)
		goto out;
	if (sealed.failed) {
		e = ERR_NOMEM;
		goto out;
	}
	if (!found) {
		e = export_set(obj, "last_sign_in", json_null()) ? ERR_OK : ERR_NOMEM;
		goto out;
	}
	if (has_ip) {
		privacy_subject(person, subject);
		memset(&f, 0, sizeof(f));
		f.subject = subject;
		f.subject_person = person;
		f.cls = FIELD_IP;
		f.table = "account_logins";
		f.column = "ip_sealed";
		f.row = person;
		f.sealed = sealed.data;
		f.sealed_len = sealed.len;
		if ((e = gate_read(p, s, &self, PURPOSE_SELF, &f, &ip)) != ERR_OK)
			goto out;
	}
	last = json_object();
	if (!export_set(last, "at", export_time(at)) ||
	    !export_set(last, "ip",
		has_ip ? json_stringn(ip.data ? ip.data : "", ip.len) : json_null())) {
		json_decref(last);
		e = ERR_NOMEM;
		goto out;
	}
	/* obj takes last, whether or not the set succeeds */
	if (!export_set(obj, "last_sign_in", last))
		e = ERR_NOMEM;
out:
	if (ip.data)
		sodium_memzero(ip.data, ip.len);
	buf_free(&ip);
	buf_free(&sealed);
	return e;
}

enum err
accounts_export(struct privacy *p, struct store *s, int64_t person, void *obj)
{
	json_t *o = obj, *list, *item, *prefs;
	struct account_prefs ap;
	struct store_q *q;
	bool ok = true;
	enum err e;

	if (o == NULL || !json_is_object(o))
		return ERR_INVAL;
	if ((e = export_last(p, s, person, o)) != ERR_OK)
		return e;
	list = json_array();
	if (!export_set(o, "sessions", list))
		return ERR_NOMEM;
	if ((q = store_prepare(s, &login_sql[SQL_EXPORT_SESSIONS])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	while (ok && store_step(q) == STORE_ROW) {
		item = json_object();
		ok = export_set(item, "created_at", export_time(store_col_int(q, 0))) &&
		     export_set(item, "last_used_at", export_time(store_col_int(q, 1)));
		if (!ok)
			json_decref(item);
		else if (json_array_append_new(list, item) != 0)
			ok = false; /* the array released item */
	}
	if ((e = store_done(q)) != ERR_OK)
		return e;
	if (!ok)
		return ERR_NOMEM;
	if ((e = account_prefs_get(s, person, &ap)) != ERR_OK)
		return e;
	prefs = json_object();
	if (!export_set(prefs, "announcements", json_boolean(ap.announcements)) ||
	    !export_set(o, "preferences", prefs))
		return ERR_NOMEM;
	return ERR_OK;
}
