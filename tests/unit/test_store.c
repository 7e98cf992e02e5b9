/*
 * test_store: the store interface on the backend named by CANDOR_TEST_BACKEND (CMake runs
 * this program once per backend). Open, migrations, value round trips, placeholders,
 * RETURNING, conflicts, transactions, durability across reopen, misuse, and the
 * connection settings each backend promises. Concurrency, generation and the pool are in
 * test_store_concurrency.c.
 */
#include <stdint.h>
#include <sys/stat.h>

#include "store/store.h"
#include "testlib.h"

static const struct store_migration mig_a[] = {
    {1, "CREATE TABLE items (id {{ID}}, name TEXT NOT NULL UNIQUE, n BIGINT, "
        "data {{BLOB}});\n"
        "CREATE TABLE tags (id {{ID}}, item_id BIGINT NOT NULL REFERENCES items (id), "
        "tag TEXT)"},
    {2, "ALTER TABLE items ADD COLUMN note TEXT"},
};
static const struct store_migration mig_a3[] = {
    {1, "CREATE TABLE items (id {{ID}}, name TEXT NOT NULL UNIQUE, n BIGINT, "
        "data {{BLOB}});\n"
        "CREATE TABLE tags (id {{ID}}, item_id BIGINT NOT NULL REFERENCES items (id), "
        "tag TEXT)"},
    {2, "ALTER TABLE items ADD COLUMN note TEXT"},
    {3, "CREATE TABLE a3 (x INTEGER)"},
};
static const struct store_migration mig_b[] = {
    {1, "CREATE TABLE b_things (id {{ID}}, v TEXT)"},
};
/* The second statement fails: the first must not survive. */
static const struct store_migration mig_bad[] = {
    {1, "CREATE TABLE bad_half (x INTEGER); CREATE TABLE bad_half (x INTEGER)"},
};

static const struct store_stmt st_mig_count = {
    "mig_count", "SELECT count(*) FROM schema_migrations WHERE module = ?"};
static const struct store_stmt st_mig_at = {
    "mig_at", "SELECT applied_at FROM schema_migrations WHERE module = ? AND version = ?"};
static const struct store_stmt st_insert = {
    "insert", "INSERT INTO items (name, n, data, note) VALUES (?, ?, ?, ?) RETURNING id"};
static const struct store_stmt st_insert_lit = {
    "insert_lit", "INSERT INTO items (name, n) VALUES ('lit?''s \"q\"', ?) RETURNING id"};
static const struct store_stmt st_get = {
    "get", "SELECT id, name, n, data, note FROM items WHERE name = ?"};
static const struct store_stmt st_count = {"count", "SELECT count(*) FROM items"};
static const struct store_stmt st_delete_name = {"delete_name", "DELETE FROM items WHERE name = ?"};
static const struct store_stmt st_tag = {"tag", "INSERT INTO tags (item_id, tag) VALUES (?, ?)"};
static const struct store_stmt st_a3 = {"a3", "SELECT count(*) FROM a3"};
static const struct store_stmt st_bad_half = {"bad_half", "SELECT count(*) FROM bad_half"};
static const struct store_stmt st_nonsense = {"nonsense", "SELEKT nothing"};
static const struct store_stmt st_two = {"two", "SELECT 1; SELECT 2"};
static const struct store_stmt st_sq_mode = {"sq_mode", "PRAGMA journal_mode"};
static const struct store_stmt st_sq_fk = {"sq_fk", "PRAGMA foreign_keys"};
static const struct store_stmt st_sq_sync = {"sq_sync", "PRAGMA synchronous"};
static const struct store_stmt st_pg_sync = {"pg_sync", "SHOW synchronous_commit"};

static char url[512];

static struct store *
t_open(void)
{
	char err[256];
	enum err e = ERR_IO;
	struct store *s = store_open(url, NULL, &e, err, sizeof(err));

	if (s == NULL)
		T_FAIL("store_open(%s): %s", url, err);
	T_EQ_INT(e, ERR_OK);
	return s;
}

static int64_t
t_count(struct store *s, const struct store_stmt *st, const char *arg)
{
	struct store_q *q = store_prepare(s, st);
	int64_t n;

	T_ASSERT(q != NULL);
	if (arg)
		store_bind_text(q, 1, arg);
	T_EQ_INT(store_step(q), STORE_ROW);
	n = store_col_int(q, 0);
	T_EQ_INT(store_step(q), STORE_DONE);
	T_EQ_INT(store_done(q), ERR_OK);
	return n;
}

/* Inserts one item; returns its id, or -1 with *e set when the insert failed. */
static int64_t
t_insert(struct store *s, const char *name, int64_t n, const void *blob, size_t blen,
         const char *note, enum err *e)
{
	struct store_q *q = store_prepare(s, &st_insert);
	int64_t id = -1;

	T_ASSERT(q != NULL);
	store_bind_text(q, 1, name);
	store_bind_int(q, 2, n);
	if (blob)
		store_bind_blob(q, 3, blob, blen);
	else
		store_bind_null(q, 3);
	store_bind_text(q, 4, note);
	if (store_step(q) == STORE_ROW) {
		id = store_col_int(q, 0);
		T_EQ_INT(store_step(q), STORE_DONE);
	}
	*e = store_done(q);
	return *e == ERR_OK ? id : -1;
}

static void
test_backend_and_settings(void)
{
	struct store *s = t_open();
	struct store_q *q;

	if (strcmp(t_backend(), "sqlite") == 0) {
		struct stat st;

		T_EQ_STR(store_backend(s), "sqlite");
		T_ASSERT(stat(url + 7, &st) == 0);
		T_EQ_INT(st.st_mode & 0777, 0600);
		T_ASSERT((q = store_prepare(s, &st_sq_mode)) != NULL);
		T_EQ_INT(store_step(q), STORE_ROW);
		T_EQ_STR(store_col_text(q, 0), "wal");
		T_EQ_INT(store_done(q), ERR_OK);
		T_ASSERT((q = store_prepare(s, &st_sq_fk)) != NULL);
		T_EQ_INT(store_step(q), STORE_ROW);
		T_EQ_INT(store_col_int(q, 0), 1);
		T_EQ_INT(store_done(q), ERR_OK);
		T_ASSERT((q = store_prepare(s, &st_sq_sync)) != NULL);
		T_EQ_INT(store_step(q), STORE_ROW);
		T_EQ_INT(store_col_int(q, 0), 2); /* FULL */
		T_EQ_INT(store_done(q), ERR_OK);
	} else {
		T_EQ_STR(store_backend(s), "postgresql");
		T_ASSERT((q = store_prepare(s, &st_pg_sync)) != NULL);
		T_EQ_INT(store_step(q), STORE_ROW);
		T_EQ_STR(store_col_text(q, 0), "on");
		T_EQ_INT(store_done(q), ERR_OK);
	}
	store_close(s);
}

static void
test_open_errors(void)
{
	char err[256];
	enum err e = ERR_OK;

	T_ASSERT(store_open("mysql://x", NULL, &e, err, sizeof(err)) == NULL);
	T_EQ_INT(e, ERR_IO);
	T_CONTAINS(err, "sqlite:");
	T_ASSERT(store_open("sqlite:/nonexistent-dir/x/y.db", NULL, &e, err, sizeof(err)) == NULL);
	T_EQ_INT(e, ERR_IO);
	T_CONTAINS(err, "/nonexistent-dir/x/y.db");
	/* Nothing listens on port 1: unreachable, and no credential in the sentence. */
	e = ERR_OK;
	T_ASSERT(store_open("postgresql://alice:s3cretA@127.0.0.1:1/db?password=s3cretB", "s3cretC",
	                    &e, err, sizeof(err)) == NULL);
	T_EQ_INT(e, ERR_UNAVAIL);
	T_CONTAINS(err, "127.0.0.1");
	T_NOT_CONTAINS(err, "s3cret");
	T_ASSERT(store_open("postgresql://a:s3cretD@127.0.0.1:notaport/db", NULL, &e, err,
	                    sizeof(err)) == NULL);
	T_NOT_CONTAINS(err, "s3cret");
}

static void
test_migrations(void)
{
	struct store *s = t_open();
	struct store_q *q;
	int64_t at;

	T_EQ_INT(store_migrate(s, "a", mig_a, COUNTOF(mig_a)), ERR_OK);
	T_EQ_INT(t_count(s, &st_mig_count, "a"), 2);
	T_ASSERT((q = store_prepare(s, &st_mig_at)) != NULL);
	store_bind_text(q, 1, "a");
	store_bind_int(q, 2, 2);
	T_EQ_INT(store_step(q), STORE_ROW);
	at = store_col_int(q, 0);
	T_ASSERT(at > 1700000000);
	T_EQ_INT(store_done(q), ERR_OK);

	/* A re-run is a no-op: same rows, same applied_at, no "already exists" error. */
	T_EQ_INT(store_migrate(s, "a", mig_a, COUNTOF(mig_a)), ERR_OK);
	T_EQ_INT(t_count(s, &st_mig_count, "a"), 2);
	T_ASSERT((q = store_prepare(s, &st_mig_at)) != NULL);
	store_bind_text(q, 1, "a");
	store_bind_int(q, 2, 2);
	T_EQ_INT(store_step(q), STORE_ROW);
	T_EQ_INT(store_col_int(q, 0), at);
	T_EQ_INT(store_done(q), ERR_OK);

	/* Another module is independent; a new version of "a" applies alone. */
	T_EQ_INT(store_migrate(s, "b", mig_b, COUNTOF(mig_b)), ERR_OK);
	T_EQ_INT(t_count(s, &st_mig_count, "b"), 1);
	T_EQ_INT(t_count(s, &st_mig_count, "a"), 2);
	T_EQ_INT(store_migrate(s, "a", mig_a3, COUNTOF(mig_a3)), ERR_OK);
	T_EQ_INT(t_count(s, &st_mig_count, "a"), 3);
	T_EQ_INT(t_count(s, &st_a3, NULL), 0);

	/* A failing migration leaves neither its row nor half its schema. */
	T_ASSERT(store_migrate(s, "bad", mig_bad, COUNTOF(mig_bad)) != ERR_OK);
	T_CONTAINS(store_errmsg(s), "bad 1");
	T_EQ_INT(t_count(s, &st_mig_count, "bad"), 0);
	T_ASSERT((q = store_prepare(s, &st_bad_half)) == NULL);
	T_EQ_INT(store_done(q), ERR_IO);

	/* Versions must ascend. */
	{
		static const struct store_migration desc[] = {{2, "SELECT 1"}, {1, "SELECT 1"}};
		T_EQ_INT(store_migrate(s, "desc", desc, 2), ERR_INVAL);
	}
	store_close(s);

	/* Another connection sees everything as applied. */
	s = t_open();
	T_EQ_INT(store_migrate(s, "a", mig_a3, COUNTOF(mig_a3)), ERR_OK);
	T_EQ_INT(t_count(s, &st_mig_count, "a"), 3);
	store_close(s);
}

static void
test_round_trips(void)
{
	static const unsigned char blob[] = {0, 1, 2, 0xff, 0, '\\', 'x', '\'', 0x80};
	const char *tricky = "it's \"quoted\" ? and '' and \\x00 and \xc3\xa9";
	struct store *s = t_open();
	struct store_q *q;
	const unsigned char *p;
	enum err e;
	int64_t id1, id2, id3, id4;
	size_t n;

	id1 = t_insert(s, "one", INT64_MAX, blob, sizeof(blob), tricky, &e);
	T_EQ_INT(e, ERR_OK);
	id2 = t_insert(s, "two", INT64_MIN, NULL, 0, NULL, &e);
	T_EQ_INT(e, ERR_OK);
	id3 = t_insert(s, "three", -1, "", 0, "", &e);
	T_EQ_INT(e, ERR_OK);
	T_ASSERT(id1 > 0);
	T_ASSERT(id2 > id1);
	T_ASSERT(id3 > id2);

	T_ASSERT((q = store_prepare(s, &st_get)) != NULL);
	store_bind_text(q, 1, "one");
	T_EQ_INT(store_step(q), STORE_ROW);
	T_EQ_INT(store_col_int(q, 0), id1);
	T_EQ_STR(store_col_text(q, 1), "one");
	T_EQ_INT(store_col_int(q, 2), INT64_MAX);
	p = store_col_blob(q, 3, &n);
	T_EQ_INT(n, sizeof(blob));
	T_ASSERT(p != NULL && memcmp(p, blob, sizeof(blob)) == 0);
	/* The same column again gives the same bytes (decoded once per row). */
	T_ASSERT(store_col_blob(q, 3, &n) == (const void *)p);
	T_EQ_STR(store_col_text(q, 4), tricky);
	T_ASSERT(!store_col_null(q, 4));
	T_ASSERT(store_col_null(q, 99));
	T_EQ_STR(store_col_text(q, 99), "");
	T_EQ_INT(store_step(q), STORE_DONE);
	T_EQ_INT(store_step(q), STORE_DONE); /* stays done, does not re-run */
	T_EQ_INT(store_done(q), ERR_OK);

	T_ASSERT((q = store_prepare(s, &st_get)) != NULL);
	store_bind_text(q, 1, "two");
	T_EQ_INT(store_step(q), STORE_ROW);
	T_EQ_INT(store_col_int(q, 2), INT64_MIN);
	T_ASSERT(store_col_null(q, 3));
	T_ASSERT(store_col_blob(q, 3, &n) == NULL);
	T_EQ_INT(n, 0);
	T_ASSERT(store_col_null(q, 4));
	T_EQ_STR(store_col_text(q, 4), "");
	T_EQ_INT(store_done(q), ERR_OK); /* done before the end is fine */

	T_ASSERT((q = store_prepare(s, &st_get)) != NULL);
	store_bind_text(q, 1, "three");
	T_EQ_INT(store_step(q), STORE_ROW);
	T_ASSERT(!store_col_null(q, 3)); /* an empty blob is not NULL */
	store_col_blob(q, 3, &n);
	T_EQ_INT(n, 0);
	T_ASSERT(!store_col_null(q, 4));
	T_EQ_STR(store_col_text(q, 4), "");
	T_EQ_INT(store_done(q), ERR_OK);

	/* A '?' inside a string literal is not a placeholder. */
	T_ASSERT((q = store_prepare(s, &st_insert_lit)) != NULL);
	store_bind_int(q, 1, 42);
	T_EQ_INT(store_step(q), STORE_ROW);
	id4 = store_col_int(q, 0);
	T_ASSERT(id4 > id3);
	T_EQ_INT(store_done(q), ERR_OK);
	T_ASSERT((q = store_prepare(s, &st_get)) != NULL);
	store_bind_text(q, 1, "lit?'s \"q\"");
	T_EQ_INT(store_step(q), STORE_ROW);
	T_EQ_INT(store_col_int(q, 0), id4);
	T_EQ_INT(store_col_int(q, 2), 42);
	T_EQ_INT(store_done(q), ERR_OK);
	T_EQ_INT(t_count(s, &st_count, NULL), 4);
	store_close(s);
}

static void
test_conflicts(void)
{
	struct store *s = t_open();
	struct store_q *q;
	enum err e;
	int64_t id;

	id = t_insert(s, "uniq", 1, NULL, 0, NULL, &e);
	T_EQ_INT(e, ERR_OK);
	T_EQ_INT(t_insert(s, "uniq", 2, NULL, 0, NULL, &e), -1);
	T_EQ_INT(e, ERR_CONFLICT);
	T_ASSERT(strlen(store_errmsg(s)) > 0);

	/* Foreign key to a missing row. */
	T_ASSERT((q = store_prepare(s, &st_tag)) != NULL);
	store_bind_int(q, 1, id + 1000);
	store_bind_text(q, 2, "t");
	T_EQ_INT(store_step(q), STORE_FAIL);
	T_EQ_INT(store_done(q), ERR_CONFLICT);
	/* And to an existing one. */
	T_ASSERT((q = store_prepare(s, &st_tag)) != NULL);
	store_bind_int(q, 1, id);
	store_bind_text(q, 2, "t");
	T_EQ_INT(store_step(q), STORE_DONE);
	T_EQ_INT(store_done(q), ERR_OK);
	store_close(s);
}

/*
 * Ids are never reused, even for the newest row after it is deleted: a person erased and
 * a new one added must not share "user:<id>" (their audit history, legal requests). */
static void
test_ids_not_reused(void)
{
	struct store *s = t_open();
	struct store_q *q;
	int64_t last = 0, next = 0;
	enum err e;

	t_insert(s, "newest", 1, NULL, 0, NULL, &e);
	T_EQ_INT(e, ERR_OK);
	q = store_prepare(s, &st_get);
	T_ASSERT(q != NULL);
	store_bind_text(q, 1, "newest");
	T_EQ_INT(store_step(q), STORE_ROW);
	last = store_col_int(q, 0);
	T_EQ_INT(store_done(q), ERR_OK);
	q = store_prepare(s, &st_delete_name);
	T_ASSERT(q != NULL);
	store_bind_text(q, 1, "newest");
	store_step(q);
	T_EQ_INT(store_done(q), ERR_OK);
	next = t_insert(s, "after", 1, NULL, 0, NULL, &e);
	T_EQ_INT(e, ERR_OK);
	if (next <= last)
		T_FAIL("id %lld was handed out again after %lld was deleted", (long long)next,
		    (long long)last);
	store_close(s);
}

static void
test_transactions(void)
{
	struct store *s = t_open();
	enum err e;
	int64_t before;

	before = t_count(s, &st_count, NULL);
	T_EQ_INT(store_begin(s), ERR_OK);
	t_insert(s, "rolled", 1, NULL, 0, NULL, &e);
	T_EQ_INT(e, ERR_OK);
	T_EQ_INT(t_count(s, &st_count, NULL), before + 1);
	store_rollback(s);
	T_EQ_INT(t_count(s, &st_count, NULL), before);

	/* Nesting: an inner block joins the outer transaction; the outermost commit
	 * decides, and an inner rollback dooms it. */
	T_EQ_INT(store_begin(s), ERR_OK);
	t_insert(s, "outer", 1, NULL, 0, NULL, &e);
	T_EQ_INT(store_begin(s), ERR_OK);
	t_insert(s, "inner", 1, NULL, 0, NULL, &e);
	T_EQ_INT(store_commit(s), ERR_OK); /* ends the inner block only */
	store_rollback(s);                /* the outer one: both rows go */
	T_EQ_INT(t_count(s, &st_count, NULL), before);
	T_EQ_INT(store_begin(s), ERR_OK);
	t_insert(s, "outer", 1, NULL, 0, NULL, &e);
	T_EQ_INT(store_begin(s), ERR_OK);
	store_rollback(s); /* inner failure */
	T_ASSERT(store_commit(s) != ERR_OK);
	T_EQ_INT(t_count(s, &st_count, NULL), before);
	T_EQ_INT(store_begin(s), ERR_OK);
	T_EQ_INT(store_begin(s), ERR_OK);
	t_insert(s, "both", 1, NULL, 0, NULL, &e);
	T_EQ_INT(store_commit(s), ERR_OK);
	T_EQ_INT(store_commit(s), ERR_OK);
	T_EQ_INT(t_count(s, &st_count, NULL), before + 1);
	before++;
	store_rollback(s); /* no transaction: no-op */
	T_EQ_INT(store_commit(s), ERR_INVAL);

	/* A failed statement spoils the whole transaction on both backends. */
	T_EQ_INT(store_begin(s), ERR_OK);
	t_insert(s, "half", 1, NULL, 0, NULL, &e);
	T_EQ_INT(e, ERR_OK);
	t_insert(s, "uniq", 1, NULL, 0, NULL, &e);
	T_EQ_INT(e, ERR_CONFLICT);
	T_EQ_INT(store_commit(s), ERR_CONFLICT);
	T_CONTAINS(store_errmsg(s), "rolled back");
	T_EQ_INT(t_count(s, &st_count, NULL), before);

	/* Committed rows survive closing and reopening. */
	T_EQ_INT(store_begin(s), ERR_OK);
	t_insert(s, "kept1", 1, NULL, 0, NULL, &e);
	T_EQ_INT(e, ERR_OK);
	t_insert(s, "kept2", 2, NULL, 0, NULL, &e);
	T_EQ_INT(e, ERR_OK);
	T_EQ_INT(store_commit(s), ERR_OK);
	store_close(s);
	s = t_open();
	T_EQ_INT(t_count(s, &st_count, NULL), before + 2);
	/* A transaction left open at close is rolled back. */
	T_EQ_INT(store_begin(s), ERR_OK);
	t_insert(s, "lost", 1, NULL, 0, NULL, &e);
	T_EQ_INT(e, ERR_OK);
	store_close(s);
	s = t_open();
	T_EQ_INT(t_count(s, &st_count, NULL), before + 2);
	store_close(s);
}

static void
test_misuse(void)
{
	struct store *s = t_open();
	struct store_q *q, *q2;

	/* Preparing a statement still in use fails; store_done(NULL) reports why. */
	T_ASSERT((q = store_prepare(s, &st_count)) != NULL);
	T_ASSERT((q2 = store_prepare(s, &st_count)) == NULL);
	T_EQ_INT(store_done(q2), ERR_INVAL);
	T_CONTAINS(store_errmsg(s), "count");
	T_EQ_INT(store_done(q), ERR_OK);
	T_EQ_INT(store_done(q), ERR_INVAL); /* twice */

	/* A bind out of range is remembered and reported by step and done. */
	T_ASSERT((q = store_prepare(s, &st_get)) != NULL);
	store_bind_text(q, 2, "x");
	T_EQ_INT(store_step(q), STORE_FAIL);
	T_EQ_INT(store_done(q), ERR_INVAL);
	/* The query is reusable after that. */
	T_ASSERT((q = store_prepare(s, &st_get)) != NULL);
	store_bind_text(q, 1, "nobody");
	T_EQ_INT(store_step(q), STORE_DONE);
	T_EQ_INT(store_done(q), ERR_OK);

	/* Binding after the first step is refused and reported. */
	T_ASSERT((q = store_prepare(s, &st_count)) != NULL);
	T_EQ_INT(store_step(q), STORE_ROW);
	store_bind_int(q, 1, 5);
	T_CONTAINS(store_errmsg(s), "after store_step");
	T_EQ_INT(store_done(q), ERR_INVAL);

	/* Bad SQL and several statements in one. */
	T_ASSERT(store_prepare(s, &st_nonsense) == NULL);
	T_EQ_INT(store_done(NULL), ERR_IO);
	T_CONTAINS(store_errmsg(s), "nonsense");
	T_ASSERT(store_prepare(s, &st_two) == NULL);
	T_EQ_INT(store_exec(s, &st_two), ERR_IO);

	/* NULL handles do not crash. */
	T_EQ_INT(store_step(NULL), STORE_FAIL);
	store_bind_int(NULL, 1, 1);
	T_EQ_STR(store_col_text(NULL, 0), "");
	store_close(NULL);
	T_EQ_STR(store_errmsg(NULL), "no database connection");
	store_close(s);
}

int
main(void)
{
	struct store *s;

	t_db_url(url, sizeof(url));
	test_backend_and_settings();
	test_open_errors();
	test_migrations();
	test_round_trips();
	test_conflicts();
	test_transactions();
	test_ids_not_reused();
	test_misuse();

	/* A second database is independent of the first. */
	t_db_url(url, sizeof(url));
	s = t_open();
	T_EQ_INT(store_migrate(s, "b", mig_b, COUNTOF(mig_b)), ERR_OK);
	T_EQ_INT(t_count(s, &st_mig_count, "a"), 0);
	store_close(s);
	printf("test_store (%s): ok\n", t_backend());
	return 0;
}
