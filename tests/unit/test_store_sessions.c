/*
 * test_store_sessions: sign-in sessions (src/accounts/session.c) on the test's backend
 * (this test runs on both). Each SECURITY.md session rule as an assertion: token
 * length, alphabet and uniqueness; no token plaintext in the database; idle expiry at N
 * and N+1; absolute expiry of an active session; the last use written at most once a
 * minute; logout; a password change ends every session of that person only; purge
 * counts; erasing the person removes their sessions. Sign-in throttling is in
 * test_store_account_login (login_attempt is its only door).
 */
#include <sodium.h>

#include "accounts/accounts.h"
#include "core/core.h"
#include "privacy/privacy.h"
#include "testlib.h"

#define PASSWORD "a long and unusual passphrase"
#define T0 1700000000 /* a fixed "now" for the tests */
#define IDLE (30 * 60)
#define ABSOLUTE (12 * 60 * 60)

static struct store *s;

/* Whether the n bytes at hay hold needle. */
static bool
holds(const void *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp((const char *)hay + i, needle, k) == 0)
			return true;
	return false;
}

/* Rows of sessions (person 0: all, else person's); the last use of the row whose hash
 * is the token's into *seen (if not NULL and found). Fails if a row holds the token. */
static int
sessions(int64_t person, const char *token, int64_t *seen)
{
	struct store_q *q = store_prepare(s, session_tables[0].select_all);
	unsigned char want[32];
	const void *blob;
	size_t n;
	int rows = 0;

	T_ASSERT(q != NULL);
	if (token)
		crypto_generichash(want, sizeof(want), (const unsigned char *)token,
		    strlen(token), NULL, 0);
	while (store_step(q) == STORE_ROW) {
		blob = store_col_blob(q, 0, &n);
		T_EQ_INT(n, 32);
		if (token) {
			T_ASSERT(!holds(blob, n, token));
			if (seen && memcmp(blob, want, sizeof(want)) == 0)
				*seen = store_col_int(q, 3);
		}
		if (person == 0 || store_col_int(q, 1) == person)
			rows++;
	}
	T_EQ_INT(store_done(q), ERR_OK);
	return rows;
}

/* session_check's answer; *who gets the person. */
static enum err
check(const char *token, int64_t now, int64_t idle, int64_t absolute, int64_t *who)
{
	int64_t dummy;

	return session_check(s, token, now, idle, absolute, who ? who : &dummy);
}

static int
token_cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void
test_tokens(int64_t alice)
{
	static char tokens[1000][SESSION_TOKEN_LEN + 1];
	size_t i, k;

	for (i = 0; i < 1000; i++) {
		T_EQ_INT(session_create(s, alice, T0, tokens[i]), ERR_OK);
		T_EQ_INT(strlen(tokens[i]), SESSION_TOKEN_LEN);
		T_ASSERT(SESSION_TOKEN_LEN * 6 >= 256);
		for (k = 0; k < SESSION_TOKEN_LEN; k++)
			T_ASSERT(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					"0123456789-_",
				     tokens[i][k]) != NULL);
	}
	T_EQ_INT(sessions(alice, tokens[0], NULL), 1000);
	qsort(tokens, 1000, sizeof(tokens[0]), token_cmp);
	for (i = 1; i < 1000; i++)
		T_ASSERT(strcmp(tokens[i - 1], tokens[i]) != 0);
	T_EQ_INT(session_end_all(s, alice), ERR_OK);
	T_EQ_INT(sessions(0, NULL, NULL), 0);
}

/* The token is nowhere in the database: not in the row, and (SQLite) not in the
 * database's files either. */
static void
test_no_plaintext(const struct config *cfg, int64_t alice)
{
	char token[SESSION_TOKEN_LEN + 1], dir[1024], *slash;
	int64_t seen = -1, who = 0;

	T_EQ_INT(session_create(s, alice, T0, token), ERR_OK);
	T_EQ_INT(sessions(alice, token, &seen), 1); /* asserts no row holds the token */
	T_EQ_INT(seen, T0);                         /* and that the hash is the key */
	T_EQ_INT(check(token, T0, IDLE, ABSOLUTE, &who), ERR_OK);
	T_EQ_INT(who, alice);
	if (strncmp(cfg->database, "sqlite:", 7) == 0) {
		str_copy(dir, cfg->database + 7, sizeof(dir));
		if ((slash = strrchr(dir, '/')) != NULL)
			*slash = '\0';
		t_assert_absent(dir, token);
	}
	T_EQ_INT(session_end_all(s, alice), ERR_OK);
}

static void
test_check(int64_t alice)
{
	char token[SESSION_TOKEN_LEN + 1], bad[SESSION_TOKEN_LEN + 2];
	int64_t who = -1, seen = 0;

	/* unknown and malformed tokens */
	T_EQ_INT(session_create(s, alice, T0, token), ERR_OK);
	T_EQ_INT(check(token, T0, IDLE, ABSOLUTE, &who), ERR_OK);
	T_EQ_INT(who, alice);
	str_copy(bad, token, sizeof(bad));
	bad[0] = bad[0] == 'A' ? 'B' : 'A';
	T_EQ_INT(check(bad, T0, IDLE, ABSOLUTE, &who), ERR_NOTFOUND);
	T_EQ_INT(who, 0);
	str_copy(bad, token, sizeof(bad));
	bad[5] = '+'; /* standard base64, not ours */
	T_EQ_INT(check(bad, T0, IDLE, ABSOLUTE, NULL), ERR_NOTFOUND);
	snprintf(bad, sizeof(bad), "%sA", token); /* one too long */
	T_EQ_INT(check(bad, T0, IDLE, ABSOLUTE, NULL), ERR_NOTFOUND);
	bad[SESSION_TOKEN_LEN - 1] = '\0'; /* one too short */
	T_EQ_INT(check(bad, T0, IDLE, ABSOLUTE, NULL), ERR_NOTFOUND);
	T_EQ_INT(check("", T0, IDLE, ABSOLUTE, NULL), ERR_NOTFOUND);
	T_EQ_INT(check(NULL, T0, IDLE, ABSOLUTE, NULL), ERR_NOTFOUND);
	T_EQ_INT(session_create(s, 999999, T0, bad), ERR_NOTFOUND);
	T_EQ_STR(bad, "");

	/* the last use is written at most once a minute */
	T_EQ_INT(check(token, T0 + 59, IDLE, ABSOLUTE, NULL), ERR_OK);
	T_EQ_INT(sessions(alice, token, &seen), 1);
	T_EQ_INT(seen, T0);
	T_EQ_INT(check(token, T0 + 60, IDLE, ABSOLUTE, NULL), ERR_OK);
	T_EQ_INT(sessions(alice, token, &seen), 1);
	T_EQ_INT(seen, T0 + 60);
	/* a late request with an older clock reading does not move it back */
	T_EQ_INT(check(token, T0 - 100, IDLE, ABSOLUTE, NULL), ERR_OK);
	T_EQ_INT(sessions(alice, token, &seen), 1);
	T_EQ_INT(seen, T0 + 60);

	/* logout ends it; ending it again, or a token never issued, is not an error */
	T_EQ_INT(session_end(s, token), ERR_OK);
	T_EQ_INT(check(token, T0 + 61, IDLE, ABSOLUTE, NULL), ERR_NOTFOUND);
	T_EQ_INT(session_end(s, token), ERR_OK);
	T_EQ_INT(session_end(s, "not a token"), ERR_OK);
	T_EQ_INT(sessions(0, NULL, NULL), 0);
}

static void
test_expiry(int64_t alice)
{
	char a[SESSION_TOKEN_LEN + 1], b[SESSION_TOKEN_LEN + 1];
	int64_t t;

	/* idle: alive at exactly IDLE seconds without use, gone at IDLE + 1 */
	T_EQ_INT(session_create(s, alice, T0, a), ERR_OK);
	T_EQ_INT(session_create(s, alice, T0, b), ERR_OK);
	T_EQ_INT(check(a, T0 + IDLE, IDLE, ABSOLUTE, NULL), ERR_OK);
	T_EQ_INT(check(b, T0 + IDLE + 1, IDLE, ABSOLUTE, NULL), ERR_NOTFOUND);
	T_EQ_INT(sessions(alice, NULL, NULL), 1); /* the expired one was deleted */
	T_EQ_INT(check(b, T0 + IDLE, IDLE, ABSOLUTE, NULL), ERR_NOTFOUND);
	/* a used one lives on from its last use */
	T_EQ_INT(check(a, T0 + 2 * IDLE, IDLE, ABSOLUTE, NULL), ERR_OK);
	T_EQ_INT(check(a, T0 + 3 * IDLE + 1, IDLE, ABSOLUTE, NULL), ERR_NOTFOUND);
	T_EQ_INT(sessions(0, NULL, NULL), 0);

	/* absolute: used every ten minutes, it still ends at ABSOLUTE + 1 */
	T_EQ_INT(session_create(s, alice, T0, a), ERR_OK);
	for (t = T0 + 600; t <= T0 + ABSOLUTE; t += 600)
		T_EQ_INT(check(a, t, IDLE, ABSOLUTE, NULL), ERR_OK);
	T_EQ_INT(check(a, T0 + ABSOLUTE, IDLE, ABSOLUTE, NULL), ERR_OK);
	T_EQ_INT(check(a, T0 + ABSOLUTE + 1, IDLE, ABSOLUTE, NULL), ERR_NOTFOUND);
	T_EQ_INT(sessions(0, NULL, NULL), 0);
}

static void
test_password_change(int64_t alice, int64_t bob)
{
	char a1[SESSION_TOKEN_LEN + 1], a2[SESSION_TOKEN_LEN + 1], b1[SESSION_TOKEN_LEN + 1];
	char msg[256];
	int64_t now = time_now(), who = 0;

	T_EQ_INT(session_create(s, alice, now, a1), ERR_OK);
	T_EQ_INT(session_create(s, alice, now, a2), ERR_OK);
	T_EQ_INT(session_create(s, bob, now, b1), ERR_OK);
	/* a refused password changes nothing, sessions included */
	T_EQ_INT(password_set(s, alice, "password1234", 12, msg, sizeof(msg)), ERR_INVAL);
	T_EQ_INT(sessions(alice, NULL, NULL), 2);
	T_EQ_INT(password_set(s, alice, PASSWORD, strlen(PASSWORD), msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(check(a1, now, IDLE, ABSOLUTE, NULL), ERR_NOTFOUND);
	T_EQ_INT(check(a2, now, IDLE, ABSOLUTE, NULL), ERR_NOTFOUND);
	T_EQ_INT(check(b1, now, IDLE, ABSOLUTE, &who), ERR_OK);
	T_EQ_INT(who, bob);
	T_EQ_INT(sessions(alice, NULL, NULL), 0);
	/* a session started after the change works */
	T_EQ_INT(session_create(s, alice, now, a1), ERR_OK);
	T_EQ_INT(check(a1, now, IDLE, ABSOLUTE, &who), ERR_OK);
	T_EQ_INT(who, alice);
	T_EQ_INT(session_end_all(s, alice), ERR_OK);
	T_EQ_INT(session_end_all(s, bob), ERR_OK);
}

static void
test_purge(int64_t alice)
{
	char alive[SESSION_TOKEN_LEN + 1], edge[SESSION_TOKEN_LEN + 1];
	char idle[SESSION_TOKEN_LEN + 1], old[SESSION_TOKEN_LEN + 1];
	int64_t removed = -1;

	T_EQ_INT(session_purge(s, T0, 100, 1000, &removed), ERR_OK);
	T_EQ_INT(removed, 0);
	T_EQ_INT(session_create(s, alice, T0 - 50, alive), ERR_OK);
	T_EQ_INT(session_create(s, alice, T0 - 100, edge), ERR_OK); /* idle exactly 100 */
	T_EQ_INT(session_create(s, alice, T0 - 101, idle), ERR_OK); /* idle 101 */
	T_EQ_INT(session_create(s, alice, T0 - 1001, old), ERR_OK); /* too old... */
	T_EQ_INT(check(old, T0 - 10, 5000, 5000, NULL), ERR_OK); /* ...though active */
	T_EQ_INT(session_purge(s, T0, 100, 1000, &removed), ERR_OK);
	T_EQ_INT(removed, 2);
	T_EQ_INT(sessions(alice, NULL, NULL), 2);
	T_EQ_INT(check(alive, T0, 100, 1000, NULL), ERR_OK);
	T_EQ_INT(check(edge, T0, 100, 1000, NULL), ERR_OK);
	T_EQ_INT(check(idle, T0, 5000, 5000, NULL), ERR_NOTFOUND);
	T_EQ_INT(check(old, T0, 5000, 5000, NULL), ERR_NOTFOUND);
	T_EQ_INT(session_purge(s, T0, 100, 1000, NULL), ERR_OK);
	T_EQ_INT(session_end_all(s, alice), ERR_OK);
}

static void
test_erase(struct privacy *p, int64_t alice, int64_t bob)
{
	char a[SESSION_TOKEN_LEN + 1], b[SESSION_TOKEN_LEN + 1];
	int64_t now = time_now();

	T_EQ_INT(session_create(s, alice, now, a), ERR_OK);
	T_EQ_INT(session_create(s, bob, now, b), ERR_OK);
	T_EQ_INT(rights_erase(p, s, alice), ERR_OK);
	T_EQ_INT(sessions(alice, NULL, NULL), 0);
	T_EQ_INT(check(a, now, IDLE, ABSOLUTE, NULL), ERR_NOTFOUND);
	T_EQ_INT(check(b, now, IDLE, ABSOLUTE, NULL), ERR_OK);
	T_EQ_INT(sessions(bob, NULL, NULL), 1);
}

int
main(void)
{
	struct config cfg;
	struct privacy *p;
	int64_t alice, bob;

	t_privacy_config(&cfg, NULL);
	T_EQ_INT(cfg.session_idle_minutes * 60, IDLE); /* the defaults of SECURITY.md */
	T_EQ_INT(cfg.session_absolute_hours * 3600, ABSOLUTE);
	s = t_privacy_store(&cfg);
	p = t_privacy_open(&cfg);
	T_EQ_INT(accounts_migrate(s), ERR_OK);
	T_EQ_INT(accounts_migrate(s), ERR_OK); /* idempotent */
	alice = t_person(p, s, "alice", ROLE_MEMBER);
	bob = t_person(p, s, "bob", ROLE_MEMBER);

	test_tokens(alice);
	test_no_plaintext(&cfg, alice);
	test_check(alice);
	test_expiry(alice);
	test_password_change(alice, bob);
	test_purge(alice);
	test_erase(p, alice, bob);

	privacy_free(p);
	store_close(s);
	return 0;
}
