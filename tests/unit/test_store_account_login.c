/*
 * test_store_account_login: login_attempt, the last sign-in, email preferences and the
 * "sign_in" export section (src/accounts/login.c) on the test's backend (this test runs
 * on both). Sign-in by username (any case) and by email; a wrong password, an account
 * without a password and an unknown identifier all give LOGIN_WRONG; 100 failures in
 * the window, then THROTTLED even with the right password, by username or email (one
 * counter per account), until the window ends; an unknown identifier is throttled the
 * same way; other accounts are unaffected; the counters hold no identifier in
 * plaintext and closed windows are purged; an unknown identifier costs the same time
 * as a wrong password; the sign-in address is stored sealed, shown to the person in
 * their export (through the gate, audited); preferences default to announcements on;
 * erasing the person removes their sign-in record, preferences and counters.
 */
#include <jansson.h>
#include <sodium.h>

#include "accounts/accounts.h"
#include "core/core.h"
#include "policy/policy.h"
#include "privacy/privacy.h"
#include "testlib.h"

#define GOOD "a long and unusual passphrase"
#define WRONG "not the passphrase at all"
#define T0 1700000000
#define WINDOW LIMIT_LOGIN_WINDOW_S
#define LIMIT LIMIT_LOGIN_FAILURES_PER_HOUR

static struct store *s;
static struct privacy *p;

static enum login_outcome
attempt(const char *id, const char *pw, int64_t now, int64_t *who, int64_t *retry)
{
	enum login_outcome o = LOGIN_OK;
	int64_t dummy_who, dummy_retry;

	T_EQ_INT(login_attempt(p, s, id, pw, strlen(pw), now, &o, who ? who : &dummy_who,
		     retry ? retry : &dummy_retry),
	    ERR_OK);
	return o;
}

/* Rows of login_failures; *for_person gets those naming person. Fails when a key
 * holds text. */
static int
failures(int64_t person, int *for_person, const char *text)
{
	struct store_q *q = store_prepare(s, session_tables[1].select_all);
	const void *b;
	size_t n, k = text ? strlen(text) : 0, i;
	int rows = 0;

	T_EQ_STR(session_tables[1].name, "login_failures");
	T_ASSERT(q != NULL);
	*for_person = 0;
	while (store_step(q) == STORE_ROW) {
		rows++;
		b = store_col_blob(q, 0, &n);
		T_EQ_INT(n, VAULT_BLIND_BYTES);
		for (i = 0; text && i + k <= n; i++)
			T_ASSERT(memcmp((const char *)b + i, text, k) != 0);
		if (!store_col_null(q, 1) && store_col_int(q, 1) == person)
			(*for_person)++;
	}
	T_EQ_INT(store_done(q), ERR_OK);
	return rows;
}

static void
test_login(int64_t alice, int64_t nopw)
{
	int64_t who = -1;

	T_EQ_INT(attempt("alice", GOOD, T0, &who, NULL), LOGIN_OK);
	T_EQ_INT(who, alice);
	T_EQ_INT(attempt("ALICE", GOOD, T0, &who, NULL), LOGIN_OK);
	T_EQ_INT(who, alice);
	T_EQ_INT(attempt("alice@example.test", GOOD, T0, &who, NULL), LOGIN_OK);
	T_EQ_INT(who, alice);
	T_EQ_INT(attempt("Alice@Example.TEST", GOOD, T0, &who, NULL), LOGIN_OK);
	T_EQ_INT(who, alice);
	/* one answer for every failure */
	T_EQ_INT(attempt("alice", WRONG, T0, &who, NULL), LOGIN_WRONG);
	T_EQ_INT(who, 0);
	T_EQ_INT(attempt("alice", "", T0, &who, NULL), LOGIN_WRONG);
	T_EQ_INT(attempt("nobody", GOOD, T0, &who, NULL), LOGIN_WRONG);
	T_EQ_INT(who, 0);
	T_EQ_INT(attempt("nobody@example.test", GOOD, T0, &who, NULL), LOGIN_WRONG);
	T_EQ_INT(attempt("", GOOD, T0, &who, NULL), LOGIN_WRONG);
	T_EQ_INT(attempt("nopw", GOOD, T0, &who, NULL), LOGIN_WRONG); /* no password set */
	T_EQ_INT(who, 0);
	(void)nopw;
	/* a success forgets the account's failures */
	T_EQ_INT(attempt("alice", GOOD, T0, &who, NULL), LOGIN_OK);
}

static void
test_throttle_account(int64_t alice, int64_t carol)
{
	int64_t who = -1, retry = 0;
	int i, mine = 0;

	/* LIMIT failures, half by username and half by email: one counter */
	for (i = 0; i < LIMIT; i++)
		T_EQ_INT(attempt(i % 2 ? "alice" : "ALICE@example.test", WRONG, T0 + i, &who,
			     &retry),
		    LOGIN_WRONG);
	(void)failures(alice, &mine, "alice");
	T_EQ_INT(mine, 1); /* one row for the account, whichever name was typed */
	/* then refused, right password or not, by either name, until the window ends */
	T_EQ_INT(attempt("alice", GOOD, T0 + LIMIT, &who, &retry), LOGIN_THROTTLED);
	T_EQ_INT(who, 0);
	T_EQ_INT(retry, T0 + WINDOW);
	T_EQ_INT(attempt("alice@example.test", GOOD, T0 + WINDOW - 1, &who, &retry),
	    LOGIN_THROTTLED);
	T_EQ_INT(retry, T0 + WINDOW);
	/* another account is not affected */
	T_EQ_INT(attempt("carol", GOOD, T0 + LIMIT, &who, NULL), LOGIN_OK);
	T_EQ_INT(who, carol);
	/* no permanent lock-out: the window's end lets the right password in */
	T_EQ_INT(attempt("alice", GOOD, T0 + WINDOW, &who, &retry), LOGIN_OK);
	T_EQ_INT(who, alice);
	(void)failures(alice, &mine, NULL);
	T_EQ_INT(mine, 0); /* forgotten after the success */
}

static void
test_throttle_unknown(void)
{
	int64_t who = -1, retry = 0, t1 = T0 + 10 * WINDOW;
	int i, none = 0;

	/* earlier windows are closed by now: purged, so only this test's counters remain */
	T_EQ_INT(session_purge(s, t1, 60, 60, NULL), ERR_OK);
	T_EQ_INT(failures(0, &none, NULL), 0);
	for (i = 0; i < LIMIT; i++)
		T_EQ_INT(attempt(i % 2 ? "ghost" : "GHOST", WRONG, t1, &who, &retry), LOGIN_WRONG);
	T_EQ_INT(attempt("Ghost", GOOD, t1 + 1, &who, &retry), LOGIN_THROTTLED);
	T_EQ_INT(retry, t1 + WINDOW);
	T_EQ_INT(attempt("ghost2", WRONG, t1 + 1, &who, &retry), LOGIN_WRONG);
	/* the counters name no one in plaintext; the unknown one names no person */
	T_EQ_INT(failures(0, &none, "ghost"), 2);
	T_EQ_INT(attempt("ghost", WRONG, t1 + WINDOW, &who, &retry), LOGIN_WRONG);
	/* a closed window is purged with the sessions */
	T_EQ_INT(session_purge(s, t1 + 2 * WINDOW + 1, 60, 60, NULL), ERR_OK);
	T_EQ_INT(failures(0, &none, NULL), 0);
}

/* Milliseconds of one failed attempt with id. */
static double
one_ms(const char *id)
{
	int64_t t = time_now_ms();

	T_EQ_INT(attempt(id, WRONG, T0 + 20 * WINDOW, NULL, NULL), LOGIN_WRONG);
	return (double)(time_now_ms() - t);
}

/* Five attempts of each kind, interleaved so that both see the same load on a busy
 * machine; the means are compared (argon2id dominates both). */
static void
test_timing(void)
{
	double unknown = 0, wrong = 0;
	int i;

	(void)one_ms("warmup-unknown"); /* the dummy hash is made on first use */
	(void)one_ms("alice");
	for (i = 0; i < 5; i++) {
		unknown += one_ms("nobody-here");
		wrong += one_ms("alice");
	}
	unknown /= 5;
	wrong /= 5;
	printf("login: unknown identifier %.1f ms, wrong password %.1f ms (mean of 5)\n",
	    unknown, wrong);
	T_ASSERT(unknown / wrong > 0.5 && unknown / wrong < 2.0);
	T_EQ_INT(attempt("alice", GOOD, T0 + 20 * WINDOW, NULL, NULL), LOGIN_OK);
}

static void
test_record(const struct config *cfg, int64_t alice)
{
	char dir[1024], *slash;
	int64_t at = -1;

	T_EQ_INT(account_last_login(s, alice, &at), ERR_OK);
	T_EQ_INT(at, 0);
	T_EQ_INT(account_record_login(p, s, alice, "198.51.100.23", T0), ERR_OK);
	T_EQ_INT(account_last_login(s, alice, &at), ERR_OK);
	T_EQ_INT(at, T0);
	T_EQ_INT(account_record_login(p, s, alice, "2001:db8::7ab", T0 + 5), ERR_OK);
	T_EQ_INT(account_last_login(s, alice, &at), ERR_OK);
	T_EQ_INT(at, T0 + 5);
	T_EQ_INT(account_record_login(p, s, alice, "1.2.3.4\r\nX: y", T0 + 6), ERR_INVAL);
	T_EQ_INT(account_record_login(p, s, 999999, "192.0.2.1", T0), ERR_NOTFOUND);
	T_EQ_INT(account_record_login(p, s, 999999, "", T0), ERR_NOTFOUND);
	if (strncmp(cfg->database, "sqlite:", 7) == 0) {
		str_copy(dir, cfg->database + 7, sizeof(dir));
		if ((slash = strrchr(dir, '/')) != NULL)
			*slash = '\0';
		t_assert_absent(dir, "198.51.100.23");
		t_assert_absent(dir, "2001:db8::7ab");
	}
}

static void
test_prefs(int64_t alice, int64_t carol)
{
	struct account_prefs ap = {false};

	T_EQ_INT(account_prefs_get(s, alice, &ap), ERR_OK);
	T_ASSERT(ap.announcements); /* the default */
	ap.announcements = false;
	T_EQ_INT(account_prefs_set(s, alice, &ap), ERR_OK);
	ap.announcements = true;
	T_EQ_INT(account_prefs_get(s, alice, &ap), ERR_OK);
	T_ASSERT(!ap.announcements);
	T_EQ_INT(account_prefs_get(s, carol, &ap), ERR_OK);
	T_ASSERT(ap.announcements);
	T_EQ_INT(account_prefs_set(s, 999999, &ap), ERR_NOTFOUND);
}

static void
test_export(int64_t alice, int64_t carol)
{
	static const struct rights_section sections[] = {
	    {"sign_in", accounts_export},
	    {"policy", policy_export},
	};
	char token[SESSION_TOKEN_LEN + 1], when[21];
	struct buf json;
	json_error_t jerr;
	json_t *root, *sec, *last, *list;
	struct arena *a = arena_new();
	struct audit_entry *log;
	size_t n = 0, i, ipreads = 0;
	char subject[32];

	T_ASSERT(a != NULL);
	T_EQ_INT(session_create(s, alice, T0 + 100, token), ERR_OK);
	buf_init(&json);
	T_EQ_INT(rights_export(p, s, alice, sections, COUNTOF(sections), &json), ERR_OK);
	T_ASSERT((root = json_loads(json.data, 0, &jerr)) != NULL);
	T_ASSERT((sec = json_object_get(root, "sign_in")) != NULL);
	T_ASSERT((last = json_object_get(sec, "last_sign_in")) != NULL);
	time_rfc3339(T0 + 5, when);
	T_EQ_STR(json_string_value(json_object_get(last, "at")), when);
	T_EQ_STR(json_string_value(json_object_get(last, "ip")), "2001:db8::7ab");
	T_ASSERT((list = json_object_get(sec, "sessions")) != NULL);
	T_EQ_INT(json_array_size(list), 1);
	time_rfc3339(T0 + 100, when);
	T_EQ_STR(json_string_value(json_object_get(json_array_get(list, 0), "created_at")), when);
	T_EQ_STR(json_string_value(json_object_get(json_array_get(list, 0), "last_used_at")),
	    when);
	T_ASSERT(json_is_false(json_object_get(json_object_get(sec, "preferences"),
	    "announcements")));
	T_NOT_CONTAINS(json.data, token); /* never the session token */
	T_ASSERT(json_is_array(json_object_get(json_object_get(root, "policy"), "acceptances")));
	json_decref(root);
	sodium_memzero(json.data, json.len);
	buf_reset(&json);

	/* the address was opened through the gate, as the person, and audited */
	snprintf(subject, sizeof(subject), "user:%lld", (long long)alice);
	T_EQ_INT(audit_list(p, s, a, subject, &log, &n), ERR_OK);
	for (i = 0; i < n; i++)
		if (strcmp(log[i].field_class, "ip") == 0) {
			T_EQ_STR(log[i].purpose, "self");
			T_EQ_STR(log[i].decision, "allow");
			ipreads++;
		}
	T_EQ_INT(ipreads, 1);

	/* no sign-in yet: null, not an empty object; and an address-less one */
	T_EQ_INT(rights_export(p, s, carol, sections, COUNTOF(sections), &json), ERR_OK);
	T_ASSERT((root = json_loads(json.data, 0, &jerr)) != NULL);
	T_ASSERT(json_is_null(json_object_get(json_object_get(root, "sign_in"), "last_sign_in")));
	json_decref(root);
	buf_reset(&json);
	T_EQ_INT(account_record_login(p, s, carol, "", T0), ERR_OK);
	T_EQ_INT(rights_export(p, s, carol, sections, COUNTOF(sections), &json), ERR_OK);
	T_ASSERT((root = json_loads(json.data, 0, &jerr)) != NULL);
	last = json_object_get(json_object_get(root, "sign_in"), "last_sign_in");
	T_ASSERT(json_is_object(last));
	T_ASSERT(json_is_null(json_object_get(last, "ip")));
	json_decref(root);
	buf_free(&json);
	T_EQ_INT(session_end_all(s, alice), ERR_OK);
	arena_free(a);
}

static int64_t
rows_of(const struct store_table *t, int64_t person)
{
	struct store_q *q = store_prepare(s, t->select_all);
	int64_t n = 0;

	T_ASSERT(q != NULL);
	while (store_step(q) == STORE_ROW)
		if (store_col_int(q, 0) == person)
			n++;
	T_EQ_INT(store_done(q), ERR_OK);
	return n;
}

static void
test_erase(int64_t alice, int64_t carol)
{
	struct account_prefs ap = {false};
	int mine = 0;
	int i;

	T_EQ_INT(account_prefs_set(s, carol, &ap), ERR_OK);
	T_EQ_INT(session_purge(s, T0 + 30 * WINDOW, 60, 60, NULL), ERR_OK);
	for (i = 0; i < 3; i++) {
		T_EQ_INT(attempt("alice", WRONG, T0 + 30 * WINDOW, NULL, NULL), LOGIN_WRONG);
		T_EQ_INT(attempt("carol", WRONG, T0 + 30 * WINDOW, NULL, NULL), LOGIN_WRONG);
	}
	T_EQ_STR(accounts_tables[2].name, "account_logins");
	T_EQ_STR(accounts_tables[3].name, "account_prefs");
	T_EQ_INT(rows_of(&accounts_tables[2], alice), 1);
	T_EQ_INT(rows_of(&accounts_tables[3], alice), 1);
	T_EQ_INT(failures(alice, &mine, NULL), 2);
	T_EQ_INT(mine, 1);
	T_EQ_INT(rights_erase(p, s, alice), ERR_OK);
	T_EQ_INT(rows_of(&accounts_tables[2], alice), 0);
	T_EQ_INT(rows_of(&accounts_tables[3], alice), 0);
	T_EQ_INT(failures(alice, &mine, NULL), 1);
	T_EQ_INT(mine, 0);
	/* carol keeps hers */
	T_EQ_INT(rows_of(&accounts_tables[2], carol), 1);
	T_EQ_INT(rows_of(&accounts_tables[3], carol), 1);
	T_EQ_INT(failures(carol, &mine, NULL), 1);
	T_EQ_INT(mine, 1);
	/* and the name is now unknown: the same answer as before */
	T_EQ_INT(attempt("alice", GOOD, T0 + 30 * WINDOW, NULL, NULL), LOGIN_WRONG);
}

int
main(void)
{
	struct config cfg;
	char msg[256];
	int64_t alice, carol, nopw;

	t_privacy_config(&cfg, NULL);
	s = t_privacy_store(&cfg);
	p = t_privacy_open(&cfg);
	T_EQ_INT(accounts_migrate(s), ERR_OK);
	T_EQ_INT(policy_migrate(s), ERR_OK);
	alice = t_person(p, s, "alice", ROLE_MEMBER);
	carol = t_person(p, s, "carol", ROLE_MEMBER);
	nopw = t_person(p, s, "nopw", ROLE_MEMBER);
	T_EQ_INT(password_set(s, alice, GOOD, strlen(GOOD), msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(password_set(s, carol, GOOD, strlen(GOOD), msg, sizeof(msg)), ERR_OK);

	test_login(alice, nopw);
	test_throttle_account(alice, carol);
	test_throttle_unknown();
	test_timing();
	test_record(&cfg, alice);
	test_prefs(alice, carol);
	test_export(alice, carol);
	test_erase(alice, carol);

	privacy_free(p);
	store_close(s);
	printf("test_store_account_login (%s): ok\n", t_backend());
	return 0;
}
