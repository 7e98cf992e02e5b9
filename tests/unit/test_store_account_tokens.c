/*
 * test_store_account_tokens: single-use links (src/accounts/tokens.c) on the test's
 * backend (this test runs on both). A token is 43 base64url characters and only its
 * hash is stored; peek does not use it; it works at issue + LIMIT_ACCOUNT_TOKEN_TTL_S
 * and not one second later; it works once; a newer token of the same kind revokes the
 * older one, other kinds are untouched; a verification marks the email verified; a
 * change of email applies the sealed address (never stored in plaintext), refuses a
 * taken or malformed one at issue, and uses the token up without change when the
 * address was taken meanwhile; malformed tokens are not found; session_purge deletes
 * expired tokens; erasing the person removes theirs. No link outlives what it was mailed
 * for: a new password (password_set_hash, password_set) spends the person's unused reset
 * and change-email links, a new address those and the verification links, and links
 * issued afterwards work. A conflict met inside a caller's transaction leaves the store
 * ready to commit: the token spent and the audited read kept. Also people_site_roles,
 * which the account pages use next to these.
 */
#include <sodium.h>

#include "accounts/accounts.h"
#include "core/core.h"
#include "privacy/privacy.h"
#include "testlib.h"

#define T0 1700000000
#define TTL LIMIT_ACCOUNT_TOKEN_TTL_S

static struct store *s;
static struct privacy *p;

/* Rows of account_tokens for person (0: all). Fails if a row holds text in plaintext. */
static int
tokens(int64_t person, const char *text)
{
	struct store_q *q = store_prepare(s, accounts_tables[1].select_all);
	const void *b;
	size_t n, k, i;
	int rows = 0;

	T_EQ_STR(accounts_tables[1].name, "account_tokens");
	T_ASSERT(q != NULL);
	while (store_step(q) == STORE_ROW) {
		b = store_col_blob(q, 1, &n);
		T_EQ_INT(n, 32); /* the hash, not the token */
		if (text) {
			k = strlen(text);
			for (i = 0; i + k <= n; i++)
				T_ASSERT(memcmp((const char *)b + i, text, k) != 0);
			if (!store_col_null(q, 7)) {
				b = store_col_blob(q, 7, &n);
				for (i = 0; i + k <= n; i++)
					T_ASSERT(memcmp((const char *)b + i, text, k) != 0);
			}
		}
		if (person == 0 || store_col_int(q, 2) == person)
			rows++;
	}
	T_EQ_INT(store_done(q), ERR_OK);
	return rows;
}

/* Rows of account_tokens of person that hold a sealed address. */
static int
sealed_rows(int64_t person)
{
	struct store_q *q = store_prepare(s, accounts_tables[1].select_all);
	int rows = 0;

	T_ASSERT(q != NULL);
	while (store_step(q) == STORE_ROW)
		if (store_col_int(q, 2) == person && !store_col_null(q, 7))
			rows++;
	T_EQ_INT(store_done(q), ERR_OK);
	return rows;
}

/* The directory of an SQLite database, or "" for PostgreSQL. */
static void
db_dir(const struct config *cfg, char *out, size_t size)
{
	char *slash;

	out[0] = '\0';
	if (strncmp(cfg->database, "sqlite:", 7) != 0)
		return;
	str_copy(out, cfg->database + 7, size);
	if ((slash = strrchr(out, '/')) != NULL)
		*slash = '\0';
}

static void
issue(int64_t person, enum account_token_kind kind, const char *email, int64_t now,
    char out[ACCOUNT_TOKEN_LEN + 1])
{
	char msg[256];
	enum err e = account_token_issue(p, s, person, kind, email, now, out, msg, sizeof(msg));

	if (e != ERR_OK)
		T_FAIL("account_token_issue: %s (%s)", err_str(e), msg);
	T_EQ_INT(strlen(out), ACCOUNT_TOKEN_LEN);
}

static enum err
peek(enum account_token_kind kind, const char *token, int64_t now, int64_t *who)
{
	int64_t dummy;

	return account_token_peek(s, kind, token, now, who ? who : &dummy);
}

static enum err
use(enum account_token_kind kind, const char *token, int64_t now, int64_t *who)
{
	int64_t dummy;

	return account_token_use(p, s, kind, token, now, who ? who : &dummy);
}

static bool
verified(int64_t id)
{
	struct arena *a = arena_new();
	struct person who;
	bool v;

	T_ASSERT(a != NULL);
	T_EQ_INT(people_get(s, a, id, &who), ERR_OK);
	v = who.email_verified;
	arena_free(a);
	return v;
}

/* person's email, opened through the gate as themself */
static void
email_of(int64_t id, char *out, size_t size)
{
	struct gate_actor self = {id, false};
	struct buf b;

	buf_init(&b);
	T_EQ_INT(people_email(p, s, &self, PURPOSE_SELF, id, &b), ERR_OK);
	str_copy(out, b.data ? b.data : "", size);
	buf_free(&b);
}

/* At most LIMIT_ACCOUNT_TOKENS_PER_HOUR links of a kind an hour, used or not; other
 * kinds and other people are counted apart; an hour later the count starts again. */
static void
test_hourly_limit(int64_t person, int64_t other)
{
	char t[ACCOUNT_TOKEN_LEN + 1], msg[256];
	const int64_t t0 = T0 + 10 * TTL;
	int i;

	for (i = 0; i < LIMIT_ACCOUNT_TOKENS_PER_HOUR; i++)
		issue(person, TOKEN_RESET_PASSWORD, NULL, t0 + i, t);
	T_EQ_INT(use(TOKEN_RESET_PASSWORD, t, t0 + i, NULL), ERR_OK); /* used ones count too */
	T_EQ_INT(account_token_issue(p, s, person, TOKEN_RESET_PASSWORD, NULL, t0 + 60, t, msg,
		     sizeof(msg)), ERR_LIMIT);
	T_CONTAINS(msg, "in the last hour");
	T_EQ_STR(t, "");
	issue(person, TOKEN_VERIFY_EMAIL, NULL, t0 + 60, t);
	issue(other, TOKEN_RESET_PASSWORD, NULL, t0 + 60, t);
	/* an hour after the first two, two more may go (three of the hour remain) */
	issue(person, TOKEN_RESET_PASSWORD, NULL, t0 + 3601, t);
	issue(person, TOKEN_RESET_PASSWORD, NULL, t0 + 3601, t);
	T_EQ_INT(account_token_issue(p, s, person, TOKEN_RESET_PASSWORD, NULL, t0 + 3601, t,
		     msg, sizeof(msg)), ERR_LIMIT);
}

static void
test_single_use(int64_t una)
{
	char t1[ACCOUNT_TOKEN_LEN + 1], t2[ACCOUNT_TOKEN_LEN + 1], t3[ACCOUNT_TOKEN_LEN + 1];
	int64_t who = -1;
	size_t i;

	issue(una, TOKEN_VERIFY_EMAIL, NULL, T0, t1);
	for (i = 0; i < ACCOUNT_TOKEN_LEN; i++)
		T_ASSERT(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
			     t1[i]) != NULL);
	T_EQ_INT(tokens(una, t1), 1);
	/* peek tells the holder without using it, any number of times */
	T_EQ_INT(peek(TOKEN_VERIFY_EMAIL, t1, T0, &who), ERR_OK);
	T_EQ_INT(who, una);
	T_EQ_INT(peek(TOKEN_VERIFY_EMAIL, t1, T0 + 1, &who), ERR_OK);
	T_EQ_INT(who, una);
	/* the kind is part of the lookup */
	T_EQ_INT(peek(TOKEN_RESET_PASSWORD, t1, T0, &who), ERR_NOTFOUND);
	T_EQ_INT(who, 0);
	T_EQ_INT(use(TOKEN_RESET_PASSWORD, t1, T0, NULL), ERR_NOTFOUND);

	/* a newer token of the kind revokes the older one */
	issue(una, TOKEN_VERIFY_EMAIL, NULL, T0, t2);
	T_ASSERT(strcmp(t1, t2) != 0);
	T_EQ_INT(peek(TOKEN_VERIFY_EMAIL, t1, T0, NULL), ERR_NOTFOUND);
	T_EQ_INT(use(TOKEN_VERIFY_EMAIL, t1, T0, NULL), ERR_NOTFOUND);
	T_EQ_INT(tokens(una, NULL), 2); /* the spent one stays, for the hourly count */

	/* alive at exactly issue + TTL, expired one second later */
	T_EQ_INT(peek(TOKEN_VERIFY_EMAIL, t2, T0 + TTL, NULL), ERR_OK);
	T_EQ_INT(peek(TOKEN_VERIFY_EMAIL, t2, T0 + TTL + 1, NULL), ERR_NOTFOUND);
	T_EQ_INT(use(TOKEN_VERIFY_EMAIL, t2, T0 + TTL + 1, NULL), ERR_NOTFOUND);
	T_ASSERT(!verified(una)); /* the refused use changed nothing */

	/* used at the last second: verified; then never again */
	T_EQ_INT(use(TOKEN_VERIFY_EMAIL, t2, T0 + TTL, &who), ERR_OK);
	T_EQ_INT(who, una);
	T_ASSERT(verified(una));
	T_EQ_INT(use(TOKEN_VERIFY_EMAIL, t2, T0 + TTL, &who), ERR_NOTFOUND);
	T_EQ_INT(who, 0);
	T_EQ_INT(peek(TOKEN_VERIFY_EMAIL, t2, T0, NULL), ERR_NOTFOUND);

	/* kinds do not revoke each other; a reset applies nothing itself */
	T_EQ_INT(people_set_verified(s, una, false), ERR_OK);
	issue(una, TOKEN_VERIFY_EMAIL, NULL, T0, t1);
	issue(una, TOKEN_RESET_PASSWORD, NULL, T0, t3);
	T_EQ_INT(use(TOKEN_RESET_PASSWORD, t3, T0, &who), ERR_OK);
	T_EQ_INT(who, una);
	T_ASSERT(!verified(una));
	T_EQ_INT(use(TOKEN_VERIFY_EMAIL, t1, T0, &who), ERR_OK);
	T_ASSERT(verified(una));
	T_EQ_INT(people_set_verified(s, 999999, true), ERR_NOTFOUND);
}

static void
test_malformed(int64_t una)
{
	char t[ACCOUNT_TOKEN_LEN + 1], bad[ACCOUNT_TOKEN_LEN + 2];
	char msg[128];

	issue(una, TOKEN_RESET_PASSWORD, NULL, T0, t);
	str_copy(bad, t, sizeof(bad));
	bad[0] = bad[0] == 'A' ? 'B' : 'A';
	T_EQ_INT(peek(TOKEN_RESET_PASSWORD, bad, T0, NULL), ERR_NOTFOUND);
	T_EQ_INT(use(TOKEN_RESET_PASSWORD, bad, T0, NULL), ERR_NOTFOUND);
	str_copy(bad, t, sizeof(bad));
	bad[3] = '/'; /* standard base64, not ours */
	T_EQ_INT(use(TOKEN_RESET_PASSWORD, bad, T0, NULL), ERR_NOTFOUND);
	snprintf(bad, sizeof(bad), "%sA", t);
	T_EQ_INT(use(TOKEN_RESET_PASSWORD, bad, T0, NULL), ERR_NOTFOUND);
	bad[ACCOUNT_TOKEN_LEN - 1] = '\0';
	T_EQ_INT(use(TOKEN_RESET_PASSWORD, bad, T0, NULL), ERR_NOTFOUND);
	T_EQ_INT(use(TOKEN_RESET_PASSWORD, "", T0, NULL), ERR_NOTFOUND);
	T_EQ_INT(use(TOKEN_RESET_PASSWORD, NULL, T0, NULL), ERR_NOTFOUND);
	T_EQ_INT(peek(TOKEN__MAX, t, T0, NULL), ERR_NOTFOUND);
	/* none of that used the real one */
	T_EQ_INT(use(TOKEN_RESET_PASSWORD, t, T0, NULL), ERR_OK);
	/* nobody to issue for */
	T_EQ_INT(account_token_issue(p, s, 999999, TOKEN_RESET_PASSWORD, NULL, T0, t, msg,
		     sizeof(msg)),
	    ERR_NOTFOUND);
	T_EQ_STR(t, "");
}

static void
test_change_email(const struct config *cfg, int64_t alice, int64_t bob)
{
	char t[ACCOUNT_TOKEN_LEN + 1], t2[ACCOUNT_TOKEN_LEN + 1], msg[256], mail[128], dir[1024];
	struct arena *a = arena_new();
	struct person who;
	int64_t id = 0, carol = 0;

	T_ASSERT(a != NULL);
	/* refused at issue: malformed, taken, missing */
	T_EQ_INT(account_token_issue(p, s, alice, TOKEN_CHANGE_EMAIL, "not an address", T0, t,
		     msg, sizeof(msg)),
	    ERR_INVAL);
	T_ASSERT(msg[0] != '\0');
	T_EQ_INT(account_token_issue(p, s, alice, TOKEN_CHANGE_EMAIL, "BOB@example.test", T0, t,
		     msg, sizeof(msg)),
	    ERR_CONFLICT);
	T_CONTAINS(msg, "exists");
	T_EQ_STR(t, "");
	T_EQ_INT(account_token_issue(p, s, alice, TOKEN_CHANGE_EMAIL, NULL, T0, t, msg,
		     sizeof(msg)),
	    ERR_INVAL);
	T_EQ_INT(account_token_issue(NULL, s, alice, TOKEN_CHANGE_EMAIL, "x@example.test", T0,
		     t, msg, sizeof(msg)),
	    ERR_INVAL);
	/* the taken address was counted (a spent row, no address in it), like a free one */
	T_EQ_INT(tokens(alice, NULL), 1);
	T_EQ_INT(sealed_rows(alice), 0);

	/* the new address is sealed in the row, never in plaintext */
	issue(alice, TOKEN_CHANGE_EMAIL, "Fresh.Address@Example.TEST", T0, t);
	T_EQ_INT(tokens(alice, "fresh.address"), 2);
	T_EQ_INT(sealed_rows(alice), 1);
	db_dir(cfg, dir, sizeof(dir));
	if (dir[0])
		t_assert_absent(dir, "fresh.address");
	T_EQ_INT(peek(TOKEN_CHANGE_EMAIL, t, T0, &id), ERR_OK);
	T_EQ_INT(id, alice);
	email_of(alice, mail, sizeof(mail));
	T_EQ_STR(mail, "alice@example.test"); /* nothing changes before the link is used */

	/* using it replaces the address, normalised, verified, with a new blind index */
	T_EQ_INT(people_set_verified(s, alice, false), ERR_OK);
	T_EQ_INT(use(TOKEN_CHANGE_EMAIL, t, T0 + 10, &id), ERR_OK);
	T_EQ_INT(id, alice);
	email_of(alice, mail, sizeof(mail));
	T_EQ_STR(mail, "fresh.address@example.test");
	T_ASSERT(verified(alice));
	T_EQ_INT(people_find_by_email(p, s, a, "FRESH.address@example.test", &who), ERR_OK);
	T_EQ_INT(who.id, alice);
	T_EQ_INT(people_find_by_email(p, s, a, "alice@example.test", &who), ERR_NOTFOUND);
	T_EQ_INT(use(TOKEN_CHANGE_EMAIL, t, T0 + 10, NULL), ERR_NOTFOUND);
	T_EQ_INT(tokens(alice, "fresh.address"), 2); /* the spent rows stay, counted */
	T_EQ_INT(sealed_rows(alice), 0); /* the used row keeps no address */

	/* taken meanwhile: refused, the token used up, nothing changed */
	issue(alice, TOKEN_CHANGE_EMAIL, "carol@example.test", T0, t2);
	T_EQ_INT(people_add(p, s, "carol", "carol@example.test", ROLE_MEMBER, true, &carol, msg,
		     sizeof(msg)),
	    ERR_OK);
	T_EQ_INT(use(TOKEN_CHANGE_EMAIL, t2, T0 + 10, &id), ERR_CONFLICT);
	email_of(alice, mail, sizeof(mail));
	T_EQ_STR(mail, "fresh.address@example.test");
	T_EQ_INT(use(TOKEN_CHANGE_EMAIL, t2, T0 + 10, NULL), ERR_NOTFOUND);

	/* people_set_email directly: taken and bad addresses, the own one is fine */
	T_EQ_INT(people_set_email(p, s, bob, "CAROL@example.test", true, msg, sizeof(msg)),
	    ERR_CONFLICT);
	T_EQ_INT(people_set_email(p, s, bob, "bad@", true, msg, sizeof(msg)), ERR_INVAL);
	T_EQ_INT(people_set_email(p, s, bob, "bob@example.test", false, msg, sizeof(msg)),
	    ERR_OK);
	T_ASSERT(!verified(bob));
	T_EQ_INT(people_set_email(p, s, 999999, "nobody@example.test", true, msg, sizeof(msg)),
	    ERR_NOTFOUND);
	T_ASSERT(people_email_ok("Mixed@Case.Example", mail, sizeof(mail)));
	T_EQ_STR(mail, "mixed@case.example");
	T_ASSERT(!people_email_ok("two@@example.test", mail, sizeof(mail)));
	arena_free(a);
}

/* Audit entries about person that opened (or were refused) their email. */
static size_t
email_reads(int64_t person)
{
	struct arena *a = arena_new();
	struct audit_entry *log;
	size_t n = 0, i, reads = 0;

	T_ASSERT(a != NULL);
	T_EQ_INT(rights_accesses(p, s, a, person, &log, &n), ERR_OK);
	for (i = 0; i < n; i++)
		if (log[i].field_class && strcmp(log[i].field_class, "email") == 0)
			reads++;
	arena_free(a);
	return reads;
}

/* A new password spends unused reset and change-email links (not verification ones),
 * whichever way it is set; another person's links stay; a link issued after works. */
static void
test_password_spends_links(int64_t x, int64_t other)
{
	char r[ACCOUNT_TOKEN_LEN + 1], c[ACCOUNT_TOKEN_LEN + 1], v[ACCOUNT_TOKEN_LEN + 1];
	char o[ACCOUNT_TOKEN_LEN + 1], hash[PASSWORD_HASH_BYTES], msg[256];
	const char *pw = "a brand new and long passphrase";

	issue(x, TOKEN_RESET_PASSWORD, NULL, T0, r);
	issue(x, TOKEN_CHANGE_EMAIL, "x.new@example.test", T0, c);
	issue(x, TOKEN_VERIFY_EMAIL, NULL, T0, v);
	issue(other, TOKEN_RESET_PASSWORD, NULL, T0, o);
	T_EQ_INT(sealed_rows(x), 1);
	T_EQ_INT(password_hash(pw, strlen(pw), hash), ERR_OK);
	/* only a hash is stored: a plaintext password is refused, nothing spent */
	T_EQ_INT(password_set_hash(s, x, pw, msg, sizeof(msg)), ERR_INVAL);
	T_EQ_INT(peek(TOKEN_RESET_PASSWORD, r, T0, NULL), ERR_OK);
	T_EQ_INT(password_set_hash(s, x, hash, msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(peek(TOKEN_RESET_PASSWORD, r, T0, NULL), ERR_NOTFOUND);
	T_EQ_INT(use(TOKEN_CHANGE_EMAIL, c, T0, NULL), ERR_NOTFOUND);
	T_EQ_INT(sealed_rows(x), 0); /* the spent row keeps no address */
	T_EQ_INT(peek(TOKEN_VERIFY_EMAIL, v, T0, NULL), ERR_OK);
	T_EQ_INT(peek(TOKEN_RESET_PASSWORD, o, T0, NULL), ERR_OK);
	/* a link issued after the change works, until the next change (the CLI's way) */
	issue(x, TOKEN_RESET_PASSWORD, NULL, T0 + 1, r);
	T_EQ_INT(peek(TOKEN_RESET_PASSWORD, r, T0 + 1, NULL), ERR_OK);
	T_EQ_INT(password_set(s, x, pw, strlen(pw), msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(peek(TOKEN_RESET_PASSWORD, r, T0 + 1, NULL), ERR_NOTFOUND);
	/* inside a caller's transaction, as /reset/TOKEN does: the used reset link, the
	 * password and the spending commit together; a rollback undoes all */
	issue(x, TOKEN_RESET_PASSWORD, NULL, T0 + 2, r);
	issue(x, TOKEN_CHANGE_EMAIL, "x.newer@example.test", T0 + 2, c);
	T_EQ_INT(store_begin(s), ERR_OK);
	T_EQ_INT(use(TOKEN_RESET_PASSWORD, r, T0 + 2, NULL), ERR_OK);
	T_EQ_INT(password_set_hash(s, x, hash, msg, sizeof(msg)), ERR_OK);
	store_rollback(s);
	T_EQ_INT(peek(TOKEN_RESET_PASSWORD, r, T0 + 2, NULL), ERR_OK);
	T_EQ_INT(peek(TOKEN_CHANGE_EMAIL, c, T0 + 2, NULL), ERR_OK);
	T_EQ_INT(store_begin(s), ERR_OK);
	T_EQ_INT(use(TOKEN_RESET_PASSWORD, r, T0 + 2, NULL), ERR_OK);
	T_EQ_INT(password_set_hash(s, x, hash, msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(store_commit(s), ERR_OK);
	T_EQ_INT(peek(TOKEN_RESET_PASSWORD, r, T0 + 2, NULL), ERR_NOTFOUND);
	T_EQ_INT(peek(TOKEN_CHANGE_EMAIL, c, T0 + 2, NULL), ERR_NOTFOUND);
	T_EQ_INT(password_set_hash(s, 999999, hash, msg, sizeof(msg)), ERR_NOTFOUND);
}

/* A new address spends every other unused link of the person, verification included;
 * another person's stay. */
static void
test_email_spends_links(int64_t y, int64_t other)
{
	char r[ACCOUNT_TOKEN_LEN + 1], c[ACCOUNT_TOKEN_LEN + 1], v[ACCOUNT_TOKEN_LEN + 1];
	char o[ACCOUNT_TOKEN_LEN + 1], mail[128];

	issue(y, TOKEN_RESET_PASSWORD, NULL, T0, r);
	issue(y, TOKEN_VERIFY_EMAIL, NULL, T0, v);
	issue(y, TOKEN_CHANGE_EMAIL, "y.new@example.test", T0, c);
	issue(other, TOKEN_VERIFY_EMAIL, NULL, T0, o);
	T_EQ_INT(use(TOKEN_CHANGE_EMAIL, c, T0 + 5, NULL), ERR_OK);
	email_of(y, mail, sizeof(mail));
	T_EQ_STR(mail, "y.new@example.test");
	T_EQ_INT(peek(TOKEN_RESET_PASSWORD, r, T0 + 5, NULL), ERR_NOTFOUND);
	T_EQ_INT(use(TOKEN_VERIFY_EMAIL, v, T0 + 5, NULL), ERR_NOTFOUND);
	T_EQ_INT(peek(TOKEN_VERIFY_EMAIL, o, T0 + 5, NULL), ERR_OK);
	issue(y, TOKEN_RESET_PASSWORD, NULL, T0 + 6, r);
	T_EQ_INT(peek(TOKEN_RESET_PASSWORD, r, T0 + 6, NULL), ERR_OK);
}

/* The address taken meanwhile, met inside a caller's transaction (as POST
 * /verify-email/TOKEN): the caller commits, the read stays audited, the token is spent
 * and nothing else changed. */
static void
test_conflict_commits(int64_t z)
{
	char t[ACCOUNT_TOKEN_LEN + 1], msg[256], mail[128];
	int64_t taker = 0, who = 0;
	size_t before;

	issue(z, TOKEN_CHANGE_EMAIL, "taken.later@example.test", T0, t);
	T_EQ_INT(people_add(p, s, "taker", "taken.later@example.test", ROLE_MEMBER, true,
		     &taker, msg, sizeof(msg)),
	    ERR_OK);
	before = email_reads(z);
	T_EQ_INT(store_begin(s), ERR_OK);
	T_EQ_INT(use(TOKEN_CHANGE_EMAIL, t, T0 + 1, &who), ERR_CONFLICT);
	T_EQ_INT(who, z);
	T_EQ_INT(store_commit(s), ERR_OK);
	T_EQ_INT(email_reads(z), before + 1);
	T_EQ_INT(use(TOKEN_CHANGE_EMAIL, t, T0 + 1, NULL), ERR_NOTFOUND);
	T_EQ_INT(sealed_rows(z), 0);
	email_of(z, mail, sizeof(mail));
	T_EQ_STR(mail, "zoe@example.test");
}

static void
test_purge_and_erase(int64_t alice, int64_t bob)
{
	char t[ACCOUNT_TOKEN_LEN + 1], u[ACCOUNT_TOKEN_LEN + 1];
	int64_t before;

	issue(bob, TOKEN_RESET_PASSWORD, NULL, T0, t);
	issue(bob, TOKEN_CHANGE_EMAIL, "bob.two@example.test", T0 + 100, u);
	before = tokens(0, NULL);
	T_ASSERT(before >= 3);
	/* session_purge deletes tokens past their expiry, alive ones stay */
	T_EQ_INT(session_purge(s, T0 + TTL + 1, 60, 60, NULL), ERR_OK);
	T_EQ_INT(tokens(bob, NULL), 1);
	T_EQ_INT(peek(TOKEN_CHANGE_EMAIL, u, T0 + 100, NULL), ERR_OK);
	T_EQ_INT(tokens(alice, NULL), 0);
	T_EQ_INT(rights_erase(p, s, bob), ERR_OK);
	T_EQ_INT(tokens(bob, NULL), 0);
	T_EQ_INT(peek(TOKEN_CHANGE_EMAIL, u, T0 + 100, NULL), ERR_NOTFOUND);
}

int
main(void)
{
	struct config cfg;
	char msg[256];
	int64_t una = 0, alice, bob;

	t_privacy_config(&cfg, NULL);
	s = t_privacy_store(&cfg);
	p = t_privacy_open(&cfg);
	T_EQ_INT(accounts_migrate(s), ERR_OK);
	T_EQ_INT(accounts_migrate(s), ERR_OK); /* idempotent */
	T_EQ_INT(people_add(p, s, "una", "una@example.test", ROLE_MEMBER, false, &una, msg,
		     sizeof(msg)),
	    ERR_OK);
	alice = t_person(p, s, "alice", ROLE_MEMBER);
	bob = t_person(p, s, "bob", ROLE_MEMBER);

	test_single_use(una);
	test_malformed(una);
	test_change_email(&cfg, alice, bob);
	test_purge_and_erase(alice, bob);
	test_hourly_limit(t_person(p, s, "hourly-a", ROLE_MEMBER), t_person(p, s, "hourly-b", ROLE_MEMBER));
	{
		int64_t x = t_person(p, s, "xena", ROLE_MEMBER);
		int64_t y = t_person(p, s, "yuri", ROLE_MEMBER);
		test_password_spends_links(x, y);
		test_email_spends_links(y, x);
		test_conflict_commits(t_person(p, s, "zoe", ROLE_MEMBER));
	}

	/* a person's site roles, ordered by site then role */
	{
		struct arena *a = arena_new();
		struct person_site_role *roles;
		size_t n = 9;
		T_ASSERT(a != NULL);
		T_EQ_INT(people_site_roles(s, a, alice, &roles, &n), ERR_OK);
		T_EQ_INT(n, 0);
		T_EQ_INT(people_site_role(s, alice, 7, SITE_ROLE_ADMIN, true), ERR_OK);
		T_EQ_INT(people_site_role(s, alice, 3, SITE_ROLE_EDITOR, true), ERR_OK);
		T_EQ_INT(people_site_role(s, alice, 7, SITE_ROLE_EDITOR, true), ERR_OK);
		T_EQ_INT(people_site_role(s, una, 3, SITE_ROLE_ADMIN, true), ERR_OK);
		T_EQ_INT(people_site_roles(s, a, alice, &roles, &n), ERR_OK);
		T_EQ_INT(n, 3);
		T_EQ_INT(roles[0].site, 3);
		T_EQ_INT(roles[0].role, SITE_ROLE_EDITOR);
		T_EQ_INT(roles[1].site, 7);
		T_EQ_INT(roles[1].role, SITE_ROLE_EDITOR);
		T_EQ_INT(roles[2].site, 7);
		T_EQ_INT(roles[2].role, SITE_ROLE_ADMIN);
		arena_free(a);
	}

	privacy_free(p);
	store_close(s);
	printf("test_store_account_tokens (%s): ok\n", t_backend());
	return 0;
}
