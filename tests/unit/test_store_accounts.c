/*
 * test_store_accounts: the account_passwords table on the test's backend (this test runs
 * on both). Set and match round trip, a change replaces the hash, a refused password
 * writes nothing (alone, and inside the caller's transaction with the new person, which
 * then disappears too), an unknown person is ERR_NOTFOUND, an outdated hash is replaced
 * at the next match, and erasing the person removes their hash (ON DELETE CASCADE).
 */
#include <sodium.h>

#include "accounts/accounts.h"
#include "core/core.h"
#include "privacy/privacy.h"
#include "testlib.h"

#define GOOD "a long and unusual passphrase"
#define OTHER "another rather long passphrase"

/* Rows of account_passwords; the hash of person into hash (if found). */
static int
rows(struct store *s, int64_t person, char hash[PASSWORD_HASH_BYTES])
{
	struct store_q *q = store_prepare(s, accounts_tables[0].select_all);
	int n = 0;

	T_ASSERT(q != NULL);
	if (hash)
		hash[0] = '\0';
	while (store_step(q) == STORE_ROW) {
		n++;
		if (hash && store_col_int(q, 0) == person)
			str_copy(hash, store_col_text(q, 1), PASSWORD_HASH_BYTES);
	}
	T_EQ_INT(store_done(q), ERR_OK);
	return n;
}

static bool
matches(struct store *s, int64_t person, const char *pw)
{
	bool ok = true;

	T_EQ_INT(password_matches(s, person, pw, strlen(pw), &ok), ERR_OK);
	return ok;
}

int
main(void)
{
	struct config cfg;
	struct store *s;
	struct privacy *p;
	struct arena *a;
	struct person who;
	char msg[256], hash[PASSWORD_HASH_BYTES], before[PASSWORD_HASH_BYTES];
	int64_t alice, bob, carol, ghost;
	bool ok;

	t_privacy_config(&cfg, NULL);
	s = t_privacy_store(&cfg);
	p = t_privacy_open(&cfg);
	T_EQ_INT(accounts_migrate(s), ERR_OK);
	T_EQ_INT(accounts_migrate(s), ERR_OK); /* idempotent */
	T_ASSERT((a = arena_new()) != NULL);
	T_EQ_INT(people_add(p, s, "alice", "alice@example.test", ROLE_MEMBER, true, &alice, msg,
		     sizeof(msg)),
	    ERR_OK);
	T_EQ_INT(people_add(p, s, "bob", "bob@example.test", ROLE_MEMBER, true, &bob, msg,
		     sizeof(msg)),
	    ERR_OK);

	/* round trip */
	T_EQ_INT(password_set(s, alice, GOOD, strlen(GOOD), msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(rows(s, alice, hash), 1);
	T_ASSERT(strncmp(hash, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
	T_ASSERT(strstr(hash, GOOD) == NULL);
	T_ASSERT(matches(s, alice, GOOD));
	T_ASSERT(!matches(s, alice, OTHER));
	T_ASSERT(!matches(s, alice, "A long and unusual passphrase"));

	/* no password yet: not found, and not a match */
	ok = true;
	T_EQ_INT(password_matches(s, bob, GOOD, strlen(GOOD), &ok), ERR_NOTFOUND);
	T_ASSERT(!ok);

	/* a change replaces the hash (one row per person) */
	T_EQ_INT(password_set(s, alice, OTHER, strlen(OTHER), msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(rows(s, alice, before), 1);
	T_ASSERT(strcmp(before, hash) != 0);
	T_ASSERT(matches(s, alice, OTHER));
	T_ASSERT(!matches(s, alice, GOOD));

	/* a refused password writes nothing and keeps the old one */
	T_EQ_INT(password_set(s, alice, "password1234", 12, msg, sizeof(msg)), ERR_INVAL);
	T_CONTAINS(msg, "common password");
	T_EQ_INT(password_set(s, bob, "short", 5, msg, sizeof(msg)), ERR_INVAL);
	T_CONTAINS(msg, "at least 12");
	T_EQ_INT(rows(s, alice, hash), 1);
	T_EQ_STR(hash, before);
	T_ASSERT(matches(s, alice, OTHER));

	/* an unknown person */
	T_EQ_INT(password_set(s, 999999, GOOD, strlen(GOOD), msg, sizeof(msg)), ERR_NOTFOUND);
	T_EQ_INT(rows(s, 0, NULL), 1);

	/* inside the caller's transaction: a refused password undoes the new person too
	 * (what `candor user add --password-file` relies on) */
	T_EQ_INT(store_begin(s), ERR_OK);
	T_EQ_INT(people_add(p, s, "ghost", "ghost@example.test", ROLE_MEMBER, true, &ghost, msg,
		     sizeof(msg)),
	    ERR_OK);
	T_EQ_INT(password_set(s, ghost, "Dragon2024!!", 12, msg, sizeof(msg)), ERR_INVAL);
	store_rollback(s);
	T_EQ_INT(people_find(s, a, "ghost", &who), ERR_NOTFOUND);
	T_EQ_INT(rows(s, 0, NULL), 1);
	/* and an accepted one commits with the person */
	T_EQ_INT(store_begin(s), ERR_OK);
	T_EQ_INT(people_add(p, s, "carol", "carol@example.test", ROLE_OWNER, true, &carol, msg,
		     sizeof(msg)),
	    ERR_OK);
	T_EQ_INT(password_set(s, carol, GOOD, strlen(GOOD), msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(store_commit(s), ERR_OK);
	T_EQ_INT(people_find(s, a, "carol", &who), ERR_OK);
	T_ASSERT(matches(s, carol, GOOD));

	/* an outdated hash (weaker parameters) is replaced by the next successful match */
	{
		char old[crypto_pwhash_STRBYTES];
		struct store_q *q;
		T_EQ_INT(crypto_pwhash_str_alg(old, GOOD, strlen(GOOD), 1, 8 * 1024 * 1024,
			     crypto_pwhash_ALG_ARGON2ID13),
		    0);
		q = store_prepare(s, accounts_tables[0].insert);
		T_ASSERT(q != NULL);
		store_bind_int(q, 1, bob);
		store_bind_text(q, 2, old);
		store_bind_int(q, 3, 1);
		T_EQ_INT(store_step(q), STORE_DONE);
		T_EQ_INT(store_done(q), ERR_OK);
		T_ASSERT(!matches(s, bob, OTHER));
		T_EQ_INT(rows(s, bob, hash), 3);
		T_EQ_STR(hash, old); /* a failed match changes nothing */
		T_ASSERT(matches(s, bob, GOOD));
		T_EQ_INT(rows(s, bob, hash), 3);
		T_ASSERT(strncmp(hash, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
		T_ASSERT(!password_needs_rehash(hash));
		T_ASSERT(matches(s, bob, GOOD));
	}

	/* erasing the person removes the hash with the row */
	T_EQ_INT(rights_erase(p, s, alice), ERR_OK);
	T_EQ_INT(rows(s, alice, hash), 2);
	T_EQ_STR(hash, "");
	ok = true;
	T_EQ_INT(password_matches(s, alice, OTHER, strlen(OTHER), &ok), ERR_NOTFOUND);
	T_ASSERT(!ok);
	T_ASSERT(matches(s, carol, GOOD));

	arena_free(a);
	privacy_free(p);
	store_close(s);
	return 0;
}
