/*
 * password: the password rules of SECURITY.md and the account_passwords table; also
 * the module's migrations and its table list for `candor db copy` (every table of
 * accounts/, whichever file uses it).
 *
 * Invariants: a plaintext password never reaches the database, a log line or a message;
 * the only thing stored is libsodium's encoded argon2id string (its own random salt and
 * parameters inside). Every copy made here (the case-folded one password_check compares,
 * the hashes on the stack) is wiped before returning. The common-password list is the
 * embedded src/accounts/common-passwords.txt, parsed once (pthread_once) into a sorted
 * array of distinct lowercase entries that lives as long as the process.
 *
 * Why the variants: the list is of short passwords (one entry of the 3,500 has twelve
 * characters or more), so after the length rule an exact match alone would refuse
 * almost nothing. People lengthen a common password by adding digits or symbols
 * ("password1234") or by typing it twice; attackers' rules do the same, so those are
 * refused too, and so are runs like "aaaaaaaaaaaa" or "123456789012". None of this is a
 * composition rule: no kind of character is ever required.
 */
#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts_int.h"
#include "core/embed.h"

_Static_assert(PASSWORD_HASH_BYTES == crypto_pwhash_STRBYTES,
    "PASSWORD_HASH_BYTES must match libsodium's crypto_pwhash_STRBYTES");
_Static_assert(LIMIT_ARGON2_MEMLIMIT >= 19 * 1024 * 1024, "SECURITY.md: m >= 19 MiB");

#define PASSWORD_LIST_FILE "src/accounts/common-passwords.txt"

static const struct store_migration accounts_migrations[] = {
	{1, "CREATE TABLE account_passwords ("
	    " person_id BIGINT PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,"
	    " hash TEXT NOT NULL,"
	    " updated_at BIGINT NOT NULL)"},
	/* session.c: sessions keyed by a hash of the token; failed sign-ins per window */
	{2, "CREATE TABLE sessions ("
	    " token_hash {{BLOB}} PRIMARY KEY,"
	    " person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	    " created_at BIGINT NOT NULL,"
	    " last_seen_at BIGINT NOT NULL);"
	    "CREATE INDEX sessions_person ON sessions (person_id);"
	    "CREATE TABLE login_failures ("
	    " person_id BIGINT PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,"
	    " window_start BIGINT NOT NULL,"
	    " count INTEGER NOT NULL)"},
	/*
	 * Issue 5. login.c: failures counted per key (a blind index of the account, or of
	 * the identifier typed when there is no such account), so an unknown name is
	 * throttled like a real one; person_id is set for an account, so its counts go
	 * with it. Throttle state is ephemeral: the old table is dropped, not converted.
	 * tokens.c: single-use links, by hash. login.c: the last sign-in (address sealed)
	 * and email preferences.
	 */
	{3, "DROP TABLE login_failures;"
	    "CREATE TABLE login_failures ("
	    " key_hash {{BLOB}} PRIMARY KEY,"
	    " person_id BIGINT REFERENCES people(id) ON DELETE CASCADE,"
	    " window_start BIGINT NOT NULL,"
	    " count INTEGER NOT NULL);"
	    "CREATE INDEX login_failures_person ON login_failures (person_id);"
	    "CREATE TABLE account_tokens ("
	    " id {{ID}},"
	    " token_hash {{BLOB}} NOT NULL UNIQUE,"
	    " person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	    " kind INTEGER NOT NULL,"
	    " created_at BIGINT NOT NULL,"
	    " expires_at BIGINT NOT NULL,"
	    " used_at BIGINT,"
	    " new_email_sealed {{BLOB}});"
	    "CREATE INDEX account_tokens_person ON account_tokens (person_id, kind);"
	    "CREATE TABLE account_logins ("
	    " person_id BIGINT PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,"
	    " at BIGINT NOT NULL,"
	    " ip_sealed {{BLOB}});"
	    "CREATE TABLE account_prefs ("
	    " person_id BIGINT PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,"
	    " announcements INTEGER NOT NULL)"},
	/*
	 * requests.c: every password-reset request and signup notice, keyed by a blind
	 * index of the identifier typed (known or not), so both paths write and commit the
	 * same, and one identifier can cause at most LIMIT_ACCOUNT_TOKENS_PER_HOUR mails an
	 * hour. Ephemeral, like login_failures: session_purge deletes rows past the hour.
	 */
	{4, "CREATE TABLE account_requests ("
	    " id {{ID}},"
	    " key_hash {{BLOB}} NOT NULL,"
	    " kind INTEGER NOT NULL,"
	    " at BIGINT NOT NULL);"
	    "CREATE INDEX account_requests_key ON account_requests (key_hash, kind, at)"},
};

enum {
	SQL_SET,
	SQL_GET,
	SQL_REHASH,
	SQL_COPY_SEL,
	SQL_COPY_INS,
	SQL_COPY_TOKENS_SEL,
	SQL_COPY_TOKENS_INS,
	SQL_COPY_LOGINS_SEL,
	SQL_COPY_LOGINS_INS,
	SQL_COPY_PREFS_SEL,
	SQL_COPY_PREFS_INS,
	SQL__MAX
};

static const struct store_stmt accounts_sql[SQL__MAX] = {
	[SQL_SET] = {"account_password_set",
	    "INSERT INTO account_passwords (person_id, hash, updated_at) VALUES (?, ?, ?)"
	    " ON CONFLICT (person_id) DO UPDATE SET hash = excluded.hash,"
	    " updated_at = excluded.updated_at"},
	[SQL_GET] = {"account_password_get",
	    "SELECT hash FROM account_passwords WHERE person_id = ?"},
	/* only replaces the hash that was just verified, so a concurrent change wins */
	[SQL_REHASH] = {"account_password_rehash",
	    "UPDATE account_passwords SET hash = ?, updated_at = ? WHERE person_id = ?"
	    " AND hash = ?"},
	[SQL_COPY_SEL] = {"copy_account_passwords_select",
	    "SELECT person_id, hash, updated_at FROM account_passwords ORDER BY person_id"},
	[SQL_COPY_INS] = {"copy_account_passwords_insert",
	    "INSERT INTO account_passwords (person_id, hash, updated_at) VALUES (?, ?, ?)"},
	[SQL_COPY_TOKENS_SEL] = {"copy_account_tokens_select",
	    "SELECT id, token_hash, person_id, kind, created_at, expires_at, used_at,"
	    " new_email_sealed FROM account_tokens ORDER BY id"},
	[SQL_COPY_TOKENS_INS] = {"copy_account_tokens_insert",
	    "INSERT INTO account_tokens (id, token_hash, person_id, kind, created_at, expires_at,"
	    " used_at, new_email_sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"},
	[SQL_COPY_LOGINS_SEL] = {"copy_account_logins_select",
	    "SELECT person_id, at, ip_sealed FROM account_logins ORDER BY person_id"},
	[SQL_COPY_LOGINS_INS] = {"copy_account_logins_insert",
	    "INSERT INTO account_logins (person_id, at, ip_sealed) VALUES (?, ?, ?)"},
	[SQL_COPY_PREFS_SEL] = {"copy_account_prefs_select",
	    "SELECT person_id, announcements FROM account_prefs ORDER BY person_id"},
	[SQL_COPY_PREFS_INS] = {"copy_account_prefs_insert",
	    "INSERT INTO account_prefs (person_id, announcements) VALUES (?, ?)"},
};

const struct store_table accounts_tables[] = {
	{"account_passwords", "iti", &accounts_sql[SQL_COPY_SEL], &accounts_sql[SQL_COPY_INS],
	    NULL},
	{"account_tokens", "ibiiiiib", &accounts_sql[SQL_COPY_TOKENS_SEL],
	    &accounts_sql[SQL_COPY_TOKENS_INS], "id"},
	{"account_logins", "iib", &accounts_sql[SQL_COPY_LOGINS_SEL],
	    &accounts_sql[SQL_COPY_LOGINS_INS], NULL},
	{"account_prefs", "ii", &accounts_sql[SQL_COPY_PREFS_SEL],
	    &accounts_sql[SQL_COPY_PREFS_INS], NULL},
};
const size_t accounts_tables_count = COUNTOF(accounts_tables);

enum err
accounts_migrate(struct store *s)
{
	return store_migrate(s, "accounts", accounts_migrations, COUNTOF(accounts_migrations));
}

/* ---------------------------------------------------- the common list ---- */

static pthread_once_t common_once = PTHREAD_ONCE_INIT;
static char *common_text;           /* the file, lowercased; entries NUL-terminated */
static const char **common_entries; /* sorted, distinct */
static size_t common_n;

static int
common_sort_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Runs once: parses the embedded list. On failure common_n stays 0. */
static void
common_load(void)
{
	const struct embed_file *f = embed_find(PASSWORD_LIST_FILE);
	size_t i, lines = 1, n = 0, k;
	char *line, *end;

	if (f == NULL || (common_text = malloc(f->len + 1)) == NULL)
		return;
	for (i = 0; i < f->len; i++) {
		unsigned char c = f->data[i];
		common_text[i] = (char)(c < 0x80 ? tolower(c) : c);
		if (c == '\n')
			lines++;
	}
	common_text[f->len] = '\0';
	if ((common_entries = calloc(lines, sizeof(*common_entries))) == NULL)
		return;
	for (line = common_text; line < common_text + f->len; line = end + 1) {
		if ((end = strchr(line, '\n')) == NULL)
			end = line + strlen(line);
		*end = '\0';
		if (end > line && end[-1] == '\r')
			end[-1] = '\0';
		if (line[0] != '\0' && line[0] != '#')
			common_entries[n++] = line;
	}
	qsort(common_entries, n, sizeof(*common_entries), common_sort_cmp);
	for (i = 0, k = 0; i < n; i++)
		if (k == 0 || strcmp(common_entries[k - 1], common_entries[i]) != 0)
			common_entries[k++] = common_entries[i];
	common_n = k;
}

size_t
password_common_count(void)
{
	pthread_once(&common_once, common_load);
	return common_n;
}

/* strcmp order between key (n bytes, not NUL-terminated) and a NUL-terminated entry. */
static int
common_cmp(const char *key, size_t n, const char *entry)
{
	size_t i;

	for (i = 0; i < n && entry[i]; i++)
		if (key[i] != entry[i])
			return (unsigned char)key[i] < (unsigned char)entry[i] ? -1 : 1;
	if (i < n)
		return 1;
	return entry[i] ? -1 : 0;
}

/* True when the n lowercase bytes at key are an entry of the list. */
static bool
common_listed(const char *key, size_t n)
{
	size_t lo = 0, hi = common_n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = common_cmp(key, n, common_entries[mid])) == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

/* True when the n bytes at s are a listed entry, once or repeated ("dragondragon"). */
static bool
common_listed_repeated(const char *s, size_t n)
{
	size_t period, i;

	for (period = 1; period <= n; period++) {
		if (n % period != 0)
			continue;
		for (i = period; i < n && s[i] == s[i - period]; i++)
			;
		if (i == n && common_listed(s, period))
			return true;
	}
	return false;
}

/* Digits, punctuation and spaces: what people put around a word to lengthen it. */
static bool
password_filler(unsigned char c)
{
	return c < 0x80 && (isdigit(c) || ispunct(c) || c == ' ');
}

/* One step from a to b within a run: digits wrap (9 -> 0 is +1). */
static int
password_step(unsigned char a, unsigned char b)
{
	if (isdigit(a) && isdigit(b))
		return ((b - a) + 10) % 10 == 9 ? -1 : ((b - a) + 10) % 10;
	return (int)b - (int)a;
}

/* True for one character repeated, or consecutive ones up or down ("abcdefghijkl"). */
static bool
password_run(const char *s, size_t n)
{
	int step;
	size_t i;

	if (n < 2 || (unsigned char)s[0] >= 0x80)
		return false;
	step = password_step((unsigned char)s[0], (unsigned char)s[1]);
	if (step < -1 || step > 1)
		return false;
	for (i = 2; i < n; i++)
		if (password_step((unsigned char)s[i - 1], (unsigned char)s[i]) != step)
			return false;
	return true;
}

/* ----------------------------------------------------------- the rules ---- */

static void
password_too_long(char *msg, size_t msgsize)
{
	if (msg && msgsize)
		snprintf(msg, msgsize, "A password may have at most %d characters.",
		    LIMIT_PASSWORD_MAX_CHARS);
}

enum err
password_check(const char *pw, size_t len, char *msg, size_t msgsize)
{
	char low[LIMIT_PASSWORD_MAX_BYTES];
	size_t chars, i, a, b;
	enum err e = ERR_INVAL;

	if (msg && msgsize)
		msg[0] = '\0';
	if (len > LIMIT_PASSWORD_MAX_BYTES) {
		password_too_long(msg, msgsize);
		return ERR_TOOBIG;
	}
	/* the core UTF-8 check: no NUL, no control character but tab, no overlong forms */
	if (!str_utf8_valid(pw, len) || memchr(pw, '\r', len) || memchr(pw, '\n', len)) {
		str_msg(msg, msgsize, "A password must be text (UTF-8) without NUL bytes or "
					   "control characters.");
		return ERR_INVAL;
	}
	chars = str_utf8_len(pw, len);
	if (chars < LIMIT_PASSWORD_MIN_CHARS) {
		if (msg && msgsize)
			snprintf(msg, msgsize, "A password needs at least %d characters.",
			    LIMIT_PASSWORD_MIN_CHARS);
		return ERR_INVAL;
	}
	if (chars > LIMIT_PASSWORD_MAX_CHARS) {
		password_too_long(msg, msgsize);
		return ERR_TOOBIG;
	}
	if (password_common_count() == 0)
		return ERR_NOMEM;
	for (i = 0; i < len; i++)
		low[i] = (char)((unsigned char)pw[i] < 0x80 ? tolower((unsigned char)pw[i]) : pw[i]);
	for (a = 0; a < len && password_filler((unsigned char)low[a]); a++)
		;
	for (b = len; b > a && password_filler((unsigned char)low[b - 1]); b--)
		;
	if (common_listed_repeated(low, len))
		str_msg(msg, msgsize, "That password is on a list of common passwords, which "
					   "attackers try first. Please choose another.");
	else if (b > a && common_listed_repeated(low + a, b - a))
		str_msg(msg, msgsize, "That password is a common password with digits or "
					   "symbols added, which attackers try early. Please "
					   "choose another.");
	else if (password_run(low, len))
		str_msg(msg, msgsize, "That password is one character repeated or a run of "
					   "consecutive characters, which attackers try first. "
					   "Please choose another.");
	else
		e = ERR_OK;
	sodium_memzero(low, sizeof(low));
	return e;
}

/* ------------------------------------------------------------- hashing ---- */

enum err
password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_BYTES])
{
	if (sodium_init() < 0)
		return ERR_CRYPTO;
	if (len > crypto_pwhash_passwd_max())
		return ERR_TOOBIG;
	if (crypto_pwhash_str_alg(out, pw, len, LIMIT_ARGON2_OPSLIMIT, LIMIT_ARGON2_MEMLIMIT,
		crypto_pwhash_ALG_ARGON2ID13) != 0)
		return ERR_CRYPTO;
	return ERR_OK;
}

/* True when hash is a NUL-terminated string that fits an encoded hash. */
static bool
password_hash_shape(const char *hash)
{
	return hash && memchr(hash, '\0', PASSWORD_HASH_BYTES) != NULL;
}

bool
password_verify(const char *hash, const char *pw, size_t len)
{
	if (sodium_init() < 0 || !password_hash_shape(hash))
		return false;
	return crypto_pwhash_str_verify(hash, pw, len) == 0;
}

bool
password_needs_rehash(const char *hash)
{
	static const char prefix[] = crypto_pwhash_argon2id_STRPREFIX;

	if (sodium_init() < 0 || !password_hash_shape(hash))
		return true;
	/* libsodium would accept an argon2i string with the same numbers */
	if (strncmp(hash, prefix, sizeof(prefix) - 1) != 0)
		return true;
	return crypto_pwhash_str_needs_rehash(hash, LIMIT_ARGON2_OPSLIMIT,
		   LIMIT_ARGON2_MEMLIMIT) != 0;
}

/* A hash of nothing anyone knows, checked against when a person has no password so
 * that the answer takes as long as a real check. */
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[PASSWORD_HASH_BYTES];

static void
dummy_make(void)
{
	unsigned char random[32];

	randombytes_buf(random, sizeof(random));
	if (password_hash((const char *)random, sizeof(random), dummy_hash) != ERR_OK)
		dummy_hash[0] = '\0';
	sodium_memzero(random, sizeof(random));
}

/* ---------------------------------------------------------- the table ---- */

enum err
password_set_hash(struct store *s, int64_t person, const char *hash, char *msg,
    size_t msgsize)
{
	static const char prefix[] = crypto_pwhash_argon2id_STRPREFIX;
	struct store_q *q;
	enum err e;

	/* only what password_hash makes: never a plaintext password by mistake */
	if (!password_hash_shape(hash) || strncmp(hash, prefix, sizeof(prefix) - 1) != 0)
		return ERR_INVAL;
	if ((e = store_begin(s)) != ERR_OK)
		return e;
	if ((q = store_prepare(s, &accounts_sql[SQL_SET])) == NULL) {
		e = store_done(NULL); /* why the prepare failed */
		goto fail;
	}
	store_bind_int(q, 1, person);
	store_bind_text(q, 2, hash);
	store_bind_int(q, 3, time_now());
	store_step(q);
	if ((e = store_done(q)) != ERR_OK) {
		/* the primary key cannot clash (upsert): a conflict is the missing person */
		if (e == ERR_CONFLICT) {
			str_msg(msg, msgsize, "There is no such account.");
			e = ERR_NOTFOUND;
		}
		goto fail;
	}
	/* a new password signs out every session, whoever holds it (ASVS 3.3.3), and no
	 * link mailed before it (a reset, a change of email) works after it */
	if ((e = session_end_all(s, person)) != ERR_OK ||
	    (e = accounts__tokens_spend(s, person, false, time_now())) != ERR_OK)
		goto fail;
	return store_commit(s);
fail:
	store_rollback(s);
	return e;
}

enum err
password_set(struct store *s, int64_t person, const char *pw, size_t len, char *msg,
    size_t msgsize)
{
	char hash[PASSWORD_HASH_BYTES];
	enum err e;

	if ((e = password_check(pw, len, msg, msgsize)) != ERR_OK)
		return e;
	/* hashed before this function's transaction, so that it does not hold the write
	 * lock for the argon2id work (a caller's open transaction still does: see
	 * accounts.h) */
	if ((e = password_hash(pw, len, hash)) == ERR_OK)
		e = password_set_hash(s, person, hash, msg, msgsize);
	sodium_memzero(hash, sizeof(hash));
	return e;
}

/* Stores a hash with today's parameters in place of old (which pw just matched). */
static void
password_rehash(struct store *s, int64_t person, const char *old, const char *pw, size_t len)
{
	char hash[PASSWORD_HASH_BYTES];
	struct store_q *q;
	enum err e;

	if ((e = password_hash(pw, len, hash)) == ERR_OK) {
		if ((q = store_prepare(s, &accounts_sql[SQL_REHASH])) == NULL) {
			e = store_done(NULL);
		} else {
			store_bind_text(q, 1, hash);
			store_bind_int(q, 2, time_now());
			store_bind_int(q, 3, person);
			store_bind_text(q, 4, old);
			store_step(q);
			e = store_done(q);
		}
	}
	if (e != ERR_OK)
		log_warn("accounts: could not store a new hash for person %lld: %s",
		    (long long)person, err_str(e));
	sodium_memzero(hash, sizeof(hash));
}

enum err
password_matches(struct store *s, int64_t person, const char *pw, size_t len, bool *ok)
{
	char hash[PASSWORD_HASH_BYTES];
	struct store_q *q;
	bool found = false, fits = false;
	enum err e;

	*ok = false;
	if ((q = store_prepare(s, &accounts_sql[SQL_GET])) == NULL)
		return store_done(NULL); /* why the prepare failed */
	store_bind_int(q, 1, person);
	if (store_step(q) == STORE_ROW) {
		found = true;
		fits = str_copy(hash, store_col_text(q, 0), sizeof(hash)) < sizeof(hash);
	}
	if ((e = store_done(q)) != ERR_OK)
		goto out;
	if (!found) {
		pthread_once(&dummy_once, dummy_make);
		(void)password_verify(dummy_hash, pw, len);
		e = ERR_NOTFOUND;
		goto out;
	}
	if (!fits) {
		log_warn("accounts: the stored hash of person %lld is malformed", (long long)person);
		goto out;
	}
	*ok = password_verify(hash, pw, len);
	if (*ok && password_needs_rehash(hash))
		password_rehash(s, person, hash, pw, len);
out:
	sodium_memzero(hash, sizeof(hash));
	return e;
}
