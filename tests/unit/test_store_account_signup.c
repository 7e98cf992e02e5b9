/*
 * test_store_account_signup: account_signup (src/accounts/login.c) on the test's backend
 * (this test runs on both). The username is folded to lower case and must be 3 to 32 of
 * a-z 0-9 '_' '-' (N and N+1 at both ends; '.' refused); a taken username is
 * ERR_CONFLICT about the username; a taken email is not an error but email_taken with
 * the existing account and nothing created, after the same argon2id work (timed); the
 * password rules apply and a refusal creates nothing; the new member is unverified, can
 * prove their password and holds a verification token; the signup joins the caller's
 * transaction; and the database files hold neither the email, the password nor the
 * token in plaintext.
 */
#include <sodium.h>

#include "accounts/accounts.h"
#include "core/core.h"
#include "privacy/privacy.h"
#include "testlib.h"

#define GOOD "a long and unusual passphrase"
#define T0 1700000000

static struct store *s;
static struct privacy *p;

static size_t
people_count(void)
{
	struct arena *a = arena_new();
	struct person *list;
	size_t n = 0;

	T_ASSERT(a != NULL);
	T_EQ_INT(people_list(s, a, &list, &n), ERR_OK);
	arena_free(a);
	return n;
}

static enum err
signup(const char *user, const char *email, const char *pw, struct account_signup_result *r,
    enum account_field *field, char *msg, size_t msgsize)
{
	return account_signup(p, s, user, email, pw, strlen(pw), T0, r, field, msg, msgsize);
}

/* Expects a refusal e about field, with a sentence, and nothing created. */
static void
refused(const char *user, const char *email, const char *pw, enum err e,
    enum account_field field)
{
	struct account_signup_result r;
	enum account_field f = AF_NONE;
	char msg[256];
	size_t before = people_count();

	T_EQ_INT(signup(user, email, pw, &r, &f, msg, sizeof(msg)), e);
	T_EQ_INT(f, field);
	T_ASSERT(msg[0] != '\0');
	T_EQ_INT(r.person, 0);
	T_EQ_STR(r.verify_token, "");
	T_EQ_INT(people_count(), before);
}

static double
seconds(int64_t ms0)
{
	return (double)(time_now_ms() - ms0) / 1000.0;
}

int
main(void)
{
	struct config cfg;
	struct account_signup_result r, r2;
	struct arena *a;
	struct person who;
	enum account_field f;
	char msg[256], user[40], email[80], dir[1024], *slash;
	int64_t holder = 0, t;
	double taken = 0, fresh = 0;
	bool ok = false;
	size_t before;
	int i;

	t_privacy_config(&cfg, NULL);
	s = t_privacy_store(&cfg);
	p = t_privacy_open(&cfg);
	T_EQ_INT(accounts_migrate(s), ERR_OK);
	T_ASSERT((a = arena_new()) != NULL);

	/* a new member: folded username, unverified, password set, verification token */
	T_EQ_INT(signup("Alice_Smith-1", "Alice.Smith@Example.TEST", GOOD, &r, &f, msg,
		     sizeof(msg)),
	    ERR_OK);
	T_EQ_INT(f, AF_NONE);
	T_ASSERT(r.person > 0);
	T_ASSERT(!r.email_taken);
	T_EQ_INT(strlen(r.verify_token), ACCOUNT_TOKEN_LEN);
	T_EQ_INT(people_get(s, a, r.person, &who), ERR_OK);
	T_EQ_STR(who.username, "alice_smith-1");
	T_EQ_INT(who.role, ROLE_MEMBER);
	T_ASSERT(!who.email_verified);
	T_EQ_INT(password_matches(s, r.person, GOOD, strlen(GOOD), &ok), ERR_OK);
	T_ASSERT(ok);
	T_EQ_INT(account_token_peek(s, TOKEN_VERIFY_EMAIL, r.verify_token, T0 + 60, &holder),
	    ERR_OK);
	T_EQ_INT(holder, r.person);
	T_EQ_INT(people_find_by_email(p, s, a, "alice.smith@example.test", &who), ERR_OK);
	T_EQ_INT(who.id, r.person);

	/* nothing in plaintext in the database files (SQLite: the file and its WAL) */
	if (strncmp(cfg.database, "sqlite:", 7) == 0) {
		str_copy(dir, cfg.database + 7, sizeof(dir));
		if ((slash = strrchr(dir, '/')) != NULL)
			*slash = '\0';
		t_assert_absent(dir, "alice.smith@example");
		t_assert_absent(dir, "alice.smith");
		t_assert_absent(dir, GOOD);
		t_assert_absent(dir, r.verify_token);
	}

	/* usernames: N and N+1 at both ends, the alphabet, '.' refused anywhere */
	refused("ab", "ab@example.test", GOOD, ERR_INVAL, AF_USERNAME);
	T_EQ_INT(signup("abc", "abc@example.test", GOOD, &r2, &f, msg, sizeof(msg)), ERR_OK);
	memset(user, 'x', 32);
	user[32] = '\0';
	T_EQ_INT(signup(user, "x32@example.test", GOOD, &r2, &f, msg, sizeof(msg)), ERR_OK);
	user[32] = 'x';
	user[33] = '\0';
	refused(user, "x33@example.test", GOOD, ERR_INVAL, AF_USERNAME);
	refused("al.ice", "al@example.test", GOOD, ERR_INVAL, AF_USERNAME);
	refused(".alice", "al@example.test", GOOD, ERR_INVAL, AF_USERNAME);
	refused("alice.", "al@example.test", GOOD, ERR_INVAL, AF_USERNAME);
	refused("al ice", "al@example.test", GOOD, ERR_INVAL, AF_USERNAME);
	refused("ali\xc3\xa7" "e", "al@example.test", GOOD, ERR_INVAL, AF_USERNAME);
	T_EQ_INT(signup("_-_", "dashes@example.test", GOOD, &r2, &f, msg, sizeof(msg)), ERR_OK);

	/* a taken username, in any case: a conflict about the username */
	refused("ALICE_SMITH-1", "someone@example.test", GOOD, ERR_CONFLICT, AF_USERNAME);

	/* emails and passwords */
	refused("bobby", "not-an-address", GOOD, ERR_INVAL, AF_EMAIL);
	refused("bobby", "bob@localhost", GOOD, ERR_INVAL, AF_EMAIL);
	refused("bobby", "bob@example.test", "too short", ERR_INVAL, AF_PASSWORD);
	refused("bobby", "bob@example.test", "password1234", ERR_INVAL, AF_PASSWORD);
	{
		char longpw[LIMIT_PASSWORD_MAX_CHARS + 2];
		for (i = 0; i < LIMIT_PASSWORD_MAX_CHARS + 1; i++)
			longpw[i] = (char)('a' + (i * 7) % 26);
		longpw[LIMIT_PASSWORD_MAX_CHARS + 1] = '\0';
		refused("bobby", "bob@example.test", longpw, ERR_TOOBIG, AF_PASSWORD);
	}
	T_EQ_INT(people_find(s, a, "bobby", &who), ERR_NOTFOUND);

	/* a taken email: not an error, nothing created, the holder named */
	before = people_count();
	T_EQ_INT(signup("someone", "ALICE.smith@example.test", GOOD, &r2, &f, msg, sizeof(msg)),
	    ERR_OK);
	T_ASSERT(r2.email_taken);
	T_EQ_INT(r2.existing, r.person);
	T_EQ_INT(r2.person, 0);
	T_EQ_STR(r2.verify_token, "");
	T_EQ_INT(people_count(), before);
	T_EQ_INT(people_find(s, a, "someone", &who), ERR_NOTFOUND);

	/* ...after the same work: a taken email takes as long as a new account */
	for (i = 0; i < 3; i++) {
		t = time_now_ms();
		T_EQ_INT(signup("someone", "alice.smith@example.test", GOOD, &r2, &f, msg,
			     sizeof(msg)),
		    ERR_OK);
		taken += seconds(t);
		T_ASSERT(r2.email_taken);
		snprintf(user, sizeof(user), "fresh%d", i);
		snprintf(email, sizeof(email), "fresh%d@example.test", i);
		t = time_now_ms();
		T_EQ_INT(signup(user, email, GOOD, &r2, &f, msg, sizeof(msg)), ERR_OK);
		fresh += seconds(t);
		T_ASSERT(!r2.email_taken && r2.person > 0);
	}
	printf("signup: taken email %.1f ms, new account %.1f ms (mean of 3)\n",
	    taken * 1000 / 3, fresh * 1000 / 3);
	T_ASSERT(taken / fresh > 0.5 && taken / fresh < 2.0);

	/* it joins the caller's transaction: rolled back with it */
	T_EQ_INT(store_begin(s), ERR_OK);
	T_EQ_INT(signup("rolled", "rolled@example.test", GOOD, &r2, &f, msg, sizeof(msg)),
	    ERR_OK);
	store_rollback(s);
	T_EQ_INT(people_find(s, a, "rolled", &who), ERR_NOTFOUND);
	T_EQ_INT(account_token_peek(s, TOKEN_VERIFY_EMAIL, r2.verify_token, T0, &holder),
	    ERR_NOTFOUND);

	arena_free(a);
	privacy_free(p);
	store_close(s);
	printf("test_store_account_signup (%s): ok\n", t_backend());
	return 0;
}
