/*
 * test_store_account_requests: account_request_note (src/accounts/requests.c) on the
 * test's backend (this test runs on both). Every request writes one row, allowed or
 * not, known account or not; at most LIMIT_ACCOUNT_TOKENS_PER_HOUR per identifier in
 * LIMIT_ACCOUNT_REQUEST_WINDOW_S (N allowed, N+1 not); the identifier's case does not
 * matter, the kinds and other identifiers are counted apart; the window slides; only a
 * 32-byte blind index is stored, never the identifier; the table is listed for `candor
 * db copy` and session_purge deletes rows past their window; a rollback of the
 * caller's transaction takes the row with it.
 */
#include "accounts/accounts.h"
#include "core/core.h"
#include "privacy/privacy.h"
#include "testlib.h"

#define T0 1700000000
#define WINDOW LIMIT_ACCOUNT_REQUEST_WINDOW_S
#define N LIMIT_ACCOUNT_TOKENS_PER_HOUR

static struct store *s;
static struct privacy *p;

/* The account_requests entry of session_tables. */
static const struct store_table *
requests_table(void)
{
	size_t i;

	for (i = 0; i < session_tables_count; i++)
		if (strcmp(session_tables[i].name, "account_requests") == 0)
			return &session_tables[i];
	T_FAIL("account_requests is not in session_tables (candor db copy would skip it)");
	return NULL;
}

/* Rows of account_requests; fails if one holds text (an identifier) in its key. */
static int
rows(const char *text)
{
	const struct store_table *t = requests_table();
	struct store_q *q = store_prepare(s, t->select_all);
	const void *b;
	size_t n, k, i;
	int count = 0;

	T_EQ_STR(t->types, "ibii");
	T_ASSERT(q != NULL);
	while (store_step(q) == STORE_ROW) {
		b = store_col_blob(q, 1, &n);
		T_EQ_INT(n, 32);
		if (text) {
			k = strlen(text);
			for (i = 0; i + k <= n; i++)
				T_ASSERT(memcmp((const char *)b + i, text, k) != 0);
		}
		count++;
	}
	T_EQ_INT(store_done(q), ERR_OK);
	return count;
}

static bool
note(enum account_request_kind kind, const char *id, int64_t now)
{
	bool allowed = true;

	T_EQ_INT(account_request_note(p, s, kind, id, now, &allowed), ERR_OK);
	return allowed;
}

/* N allowed and N+1 refused, for a known and an unknown identifier alike; a refused
 * request still writes its row. */
static void
test_limit(void)
{
	int before = rows(NULL), i;

	for (i = 0; i < N; i++) {
		T_ASSERT(note(REQUEST_RESET, "alice", T0 + i));
		T_ASSERT(note(REQUEST_RESET, i % 2 ? "Nobody-Here" : "nobody-here", T0 + i));
	}
	T_ASSERT(!note(REQUEST_RESET, "ALICE", T0 + N));
	T_ASSERT(!note(REQUEST_RESET, "nobody-here", T0 + N));
	T_EQ_INT(rows("alice"), before + 2 * N + 2);
	T_EQ_INT(rows("nobody"), before + 2 * N + 2);
	/* another identifier, and another kind for the same text, are counted apart */
	T_ASSERT(note(REQUEST_RESET, "alice@example.test", T0 + N));
	T_ASSERT(note(REQUEST_SIGNUP_TAKEN, "alice", T0 + N));
	/* the window slides: at T0 + WINDOW the first request (at T0) has left it, but
	 * the refused ones are still in, so one more is still refused... */
	T_ASSERT(!note(REQUEST_RESET, "alice", T0 + WINDOW));
	/* ...and after all of them have left, requests go again */
	T_ASSERT(note(REQUEST_RESET, "alice", T0 + 2 * WINDOW + 1));
	T_EQ_INT(account_request_note(p, s, REQUEST__MAX, "alice", T0, &(bool){false}),
	    ERR_INVAL);
	T_EQ_INT(account_request_note(p, s, REQUEST_RESET, NULL, T0, &(bool){false}), ERR_INVAL);
}

/* Signup notices: by address, any case; N+1 refused. */
static void
test_signup_notices(void)
{
	int i;

	for (i = 0; i < N; i++)
		T_ASSERT(note(REQUEST_SIGNUP_TAKEN, i % 2 ? "Bob@Example.TEST" : "bob@example.test",
		    T0 + 10 + i));
	T_ASSERT(!note(REQUEST_SIGNUP_TAKEN, "BOB@example.test", T0 + 100));
	T_ASSERT(note(REQUEST_RESET, "bob@example.test", T0 + 100)); /* resets apart */
	(void)rows("bob@example.test"); /* never stored as such */
}

/* Inside a caller's transaction: a rollback takes the row, a commit keeps it. */
static void
test_transaction(void)
{
	int before = rows(NULL);

	T_EQ_INT(store_begin(s), ERR_OK);
	T_ASSERT(note(REQUEST_RESET, "carol", T0));
	store_rollback(s);
	T_EQ_INT(rows(NULL), before);
	T_EQ_INT(store_begin(s), ERR_OK);
	T_ASSERT(note(REQUEST_RESET, "carol", T0));
	T_EQ_INT(store_commit(s), ERR_OK);
	T_EQ_INT(rows(NULL), before + 1);
}

/* session_purge deletes rows whose window has passed, keeps the others. */
static void
test_purge(void)
{
	int before = rows(NULL);

	T_ASSERT(note(REQUEST_RESET, "dave", T0 + 10 * WINDOW));
	T_ASSERT(note(REQUEST_RESET, "dave", T0 + 10 * WINDOW + 1));
	T_EQ_INT(rows(NULL), before + 2);
	/* at T0 + 11 * WINDOW the first of dave's is exactly one window old: gone */
	T_EQ_INT(session_purge(s, T0 + 11 * WINDOW, 60, 60, NULL), ERR_OK);
	T_EQ_INT(rows(NULL), 1);
	T_EQ_INT(session_purge(s, T0 + 11 * WINDOW + 1, 60, 60, NULL), ERR_OK);
	T_EQ_INT(rows(NULL), 0);
}

int
main(void)
{
	struct config cfg;

	t_privacy_config(&cfg, NULL);
	s = t_privacy_store(&cfg);
	p = t_privacy_open(&cfg);
	T_EQ_INT(accounts_migrate(s), ERR_OK);
	(void)t_person(p, s, "alice", ROLE_MEMBER);

	T_EQ_INT(rows(NULL), 0);
	test_limit();
	test_signup_notices();
	test_transaction();
	test_purge();

	privacy_free(p);
	store_close(s);
	printf("test_store_account_requests (%s): ok\n", t_backend());
	return 0;
}
