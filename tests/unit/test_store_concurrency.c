/*
 * test_store_concurrency: what several connections see of each other, on the backend
 * named by CANDOR_TEST_BACKEND. store_generation after writes by a second connection and
 * by another process, the per-thread pool, and (PostgreSQL) a connection the server
 * dropped being reported as ERR_UNAVAIL and replaced by the pool.
 */
#include <pthread.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "testlib.h"

#define NTHREADS 4

static const struct store_migration mig[] = {
    {1, "CREATE TABLE events (id {{ID}}, who TEXT NOT NULL, n BIGINT NOT NULL)"},
};
static const struct store_stmt st_add = {"add",
                                         "INSERT INTO events (who, n) VALUES (?, ?) RETURNING id"};
static const struct store_stmt st_count = {"count", "SELECT count(*) FROM events"};
static const struct store_stmt st_count_who = {"count_who",
                                               "SELECT count(*) FROM events WHERE who = ?"};
static const struct store_stmt st_pg_pid = {"pid", "SELECT pg_backend_pid()"};
static const struct store_stmt st_pg_conns = {
    "conns", "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"};
static const struct store_stmt st_pg_kill = {"kill", "SELECT pg_terminate_backend(?::integer)"};

static char url[512];

static bool
t_pg(void)
{
	return strcmp(t_backend(), "postgres") == 0;
}

static struct store *
t_open(void)
{
	char err[256];
	enum err e;
	struct store *s = store_open(url, NULL, &e, err, sizeof(err));

	if (s == NULL)
		T_FAIL("store_open(%s): %s", url, err);
	return s;
}

static void
t_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static int64_t
t_scalar(struct store *s, const struct store_stmt *st, const char *arg)
{
	struct store_q *q = store_prepare(s, st);
	int64_t n;

	T_ASSERT(q != NULL);
	if (arg)
		store_bind_text(q, 1, arg);
	T_EQ_INT(store_step(q), STORE_ROW);
	n = store_col_int(q, 0);
	T_EQ_INT(store_done(q), ERR_OK);
	return n;
}

static enum err
t_add(struct store *s, const char *who, int64_t n)
{
	struct store_q *q = store_prepare(s, &st_add);

	if (q == NULL)
		return store_done(q);
	store_bind_text(q, 1, who);
	store_bind_int(q, 2, n);
	while (store_step(q) == STORE_ROW)
		;
	return store_done(q);
}

/* Waits up to ms for store_generation(s) to differ from g. */
static bool
t_gen_changes(struct store *s, uint64_t g, int ms)
{
	int waited = 0;

	for (;;) {
		if (store_generation(s) != g)
			return true;
		if (waited >= ms)
			return false;
		t_sleep_ms(5);
		waited += 5;
	}
}

/*
 * Returns the generation once it has held still for 50 ms. A write can be seen twice
 * (the in-process counter at once, then PostgreSQL's notification a moment later), and a
 * new PostgreSQL listener may be handed notifications committed just before it started
 * listening; both are allowed, so tests compare against a settled value.
 */
static uint64_t
t_gen_settled(struct store *s)
{
	uint64_t g = store_generation(s), h;
	int i;

	for (i = 0; i < 40; i++) {
		t_sleep_ms(50);
		if ((h = store_generation(s)) == g)
			return g;
		g = h;
	}
	T_FAIL("the generation never settled");
}

static void
test_generation_second_connection(void)
{
	struct store *a = t_open(), *b = t_open();
	uint64_t g;

	/* Stable while nothing is written, reads included. */
	g = t_gen_settled(a);
	T_EQ_INT(t_scalar(a, &st_count, NULL), 0);
	T_EQ_INT(t_scalar(b, &st_count, NULL), 0);
	t_sleep_ms(50);
	T_ASSERT(store_generation(a) == g);

	/* An autocommit write on b. */
	T_EQ_INT(t_add(b, "b", 1), ERR_OK);
	T_ASSERT(t_gen_changes(a, g, 1000));
	g = t_gen_settled(a);

	/* A transaction on b: nothing until it commits. */
	T_EQ_INT(store_begin(b), ERR_OK);
	T_EQ_INT(t_add(b, "b", 2), ERR_OK);
	t_sleep_ms(50);
	T_ASSERT(store_generation(a) == g);
	T_EQ_INT(store_commit(b), ERR_OK);
	T_ASSERT(t_gen_changes(a, g, 1000));
	g = t_gen_settled(a);

	/* A rolled-back transaction is not a change. */
	T_EQ_INT(store_begin(b), ERR_OK);
	T_EQ_INT(t_add(b, "b", 3), ERR_OK);
	store_rollback(b);
	t_sleep_ms(100);
	T_ASSERT(store_generation(a) == g);

	/* Own writes change it too. */
	T_EQ_INT(t_add(a, "a", 1), ERR_OK);
	T_ASSERT(store_generation(a) != g);
	store_close(a);
	store_close(b);
}

/*
 * A write from another process (its own connection, its own process counter) must reach
 * this connection's generation: data_version for SQLite, NOTIFY for PostgreSQL, within
 * one second. For SQLite also a regression test: opening a second connection here must
 * not drop this process's POSIX locks on the file (close(2) of any descriptor on it
 * would), or the child, closing last as far as it can tell, deletes the WAL under us.
 */
static void
test_generation_other_process(void)
{
	struct store *a = t_open(), *b;
	char wal[600];
	uint64_t g;
	pid_t pid;
	int status;

	T_EQ_INT(t_scalar(a, &st_count_who, "child"), 0);
	b = t_open();
	T_EQ_INT(t_scalar(b, &st_count_who, "child"), 0);
	g = t_gen_settled(a);
	fflush(NULL);
	if ((pid = fork()) < 0)
		T_FAIL("fork failed");
	if (pid == 0) {
		/* exec, not just fork: SQLite's per-process lock table must start empty. */
		execl("/proc/self/exe", "test_store_concurrency", "--child-write", url,
		      (char *)NULL);
		_exit(127);
	}
	T_ASSERT(waitpid(pid, &status, 0) == pid);
	T_ASSERT(WIFEXITED(status));
	T_EQ_INT(WEXITSTATUS(status), 0);
	T_ASSERT(t_gen_changes(a, g, 1000));
	T_EQ_INT(t_scalar(a, &st_count_who, "child"), 1);
	T_EQ_INT(t_scalar(b, &st_count_who, "child"), 1);
	if (!t_pg()) {
		snprintf(wal, sizeof(wal), "%s-wal", url + strlen("sqlite:"));
		T_ASSERT(access(wal, F_OK) == 0); /* still ours: the child was not last */
	}
	store_close(b);
	store_close(a);
}

static const struct store_migration race_mig[] = {
    {1, "CREATE TABLE race1 (id {{ID}}, v TEXT)"},
    {2, "CREATE TABLE race2 (id {{ID}}, data {{BLOB}})"},
    {3, "ALTER TABLE race1 ADD COLUMN w BIGINT"},
};
static const struct store_stmt st_race_rows = {
    "race_rows", "SELECT count(*) FROM schema_migrations WHERE module = ?"};

struct racer {
	pthread_barrier_t *go;
	char module[16];
	enum err e;
	char why[256];
};

static void *
racer_run(void *arg)
{
	struct racer *r = arg;
	struct store *s;
	char err[256];

	if ((s = store_open(url, NULL, &r->e, err, sizeof(err))) == NULL) {
		snprintf(r->why, sizeof(r->why), "%s", err);
		return NULL;
	}
	pthread_barrier_wait(r->go);
	if ((r->e = store_migrate(s, r->module, race_mig, COUNTOF(race_mig))) != ERR_OK)
		snprintf(r->why, sizeof(r->why), "%s", store_errmsg(s));
	store_close(s);
	return NULL;
}

/*
 * Several nodes starting at once run the same migrations: each applies exactly once and
 * nobody sees an error (PostgreSQL: the advisory lock; SQLite: BEGIN IMMEDIATE). The
 * schema_migrations table itself is created by the race too (fresh database).
 */
static void
test_migration_race(void)
{
	struct racer r[NTHREADS];
	pthread_t th[NTHREADS];
	pthread_barrier_t go;
	struct store *s;
	int i;

	T_EQ_INT(pthread_barrier_init(&go, NULL, NTHREADS), 0);
	for (i = 0; i < NTHREADS; i++) {
		r[i] = (struct racer){.go = &go};
		snprintf(r[i].module, sizeof(r[i].module), "race");
		T_EQ_INT(pthread_create(&th[i], NULL, racer_run, &r[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		T_EQ_INT(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&go);
	for (i = 0; i < NTHREADS; i++)
		if (r[i].e != ERR_OK)
			T_FAIL("racer %d: %s: %s", i, err_str(r[i].e), r[i].why);
	s = t_open();
	T_EQ_INT(t_scalar(s, &st_race_rows, "race"), 3);
	store_close(s);
}

struct worker {
	struct store_pool *pool;
	int index;
	struct store *first, *second;
	enum err e;
};

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	char who[16];
	int i;

	snprintf(who, sizeof(who), "t%d", w->index);
	if ((w->first = store_pool_get(w->pool, &w->e)) == NULL)
		return NULL;
	for (i = 0; i < 10 && w->e == ERR_OK; i++) {
		if ((w->e = store_begin(w->first)) != ERR_OK)
			break;
		if ((w->e = t_add(w->first, who, i)) != ERR_OK) {
			store_rollback(w->first);
			break;
		}
		w->e = store_commit(w->first);
	}
	w->second = store_pool_get(w->pool, NULL);
	return NULL;
}

static void
test_pool_threads(void)
{
	struct worker w[NTHREADS];
	pthread_t th[NTHREADS];
	struct store_pool *p = store_pool_new(url, NULL);
	struct store *mine;
	enum err e;
	char who[16];
	int i, j, conns = -1;

	T_ASSERT(p != NULL);
	mine = store_pool_get(p, &e);
	T_ASSERT(mine != NULL);
	T_EQ_INT(e, ERR_OK);
	T_ASSERT(store_pool_get(p, NULL) == mine);
	for (i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){.pool = p, .index = i};
		T_EQ_INT(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		T_EQ_INT(pthread_join(th[i], NULL), 0);
	for (i = 0; i < NTHREADS; i++) {
		T_EQ_INT(w[i].e, ERR_OK);
		T_ASSERT(w[i].first != NULL);
		T_ASSERT(w[i].first == w[i].second); /* same connection within a thread */
		T_ASSERT(w[i].first != mine);
		for (j = 0; j < i; j++)
			T_ASSERT(w[i].first != w[j].first);
		snprintf(who, sizeof(who), "t%d", i);
		T_EQ_INT(t_scalar(mine, &st_count_who, who), 10);
	}
	if (t_pg()) {
		/* Thread exit closed each worker's connection: only ours is left. */
		for (i = 0; i < 100 && conns != 1; i++) {
			conns = (int)t_scalar(mine, &st_pg_conns, NULL);
			if (conns != 1)
				t_sleep_ms(10);
		}
		T_EQ_INT(conns, 1);
	}
	store_pool_free(p);
	store_pool_free(NULL);
}

/* A pool whose server is down fails fast and does not retry more than every 200 ms. */
static void
test_pool_down(void)
{
	struct store_pool *p = store_pool_new("postgresql://nobody:pw@127.0.0.1:1/x", "pw");
	struct timespec t0, t1;
	enum err e = ERR_OK;
	long ms;
	int i;

	T_ASSERT(p != NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	T_ASSERT(store_pool_get(p, &e) == NULL);
	T_EQ_INT(e, ERR_UNAVAIL);
	for (i = 0; i < 1000; i++) {
		e = ERR_OK;
		T_ASSERT(store_pool_get(p, &e) == NULL);
		T_EQ_INT(e, ERR_UNAVAIL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	T_ASSERT(ms < 150);
	store_pool_free(p);
}

/* PostgreSQL: the server drops our connection; the query fails as ERR_UNAVAIL and the
 * pool hands out a fresh, working connection. */
static void
test_pg_connection_loss(void)
{
	struct store_pool *p = store_pool_new(url, NULL);
	struct store *s, *admin = t_open(), *again;
	struct store_q *q;
	int64_t pid;
	enum err e;
	int i;

	T_ASSERT((s = store_pool_get(p, &e)) != NULL);
	pid = t_scalar(s, &st_pg_pid, NULL);

	/* Killed while idle: the next statement reports the loss. */
	T_ASSERT((q = store_prepare(admin, &st_pg_kill)) != NULL);
	store_bind_int(q, 1, pid);
	T_EQ_INT(store_step(q), STORE_ROW);
	T_EQ_INT(store_col_int(q, 0), 1);
	T_EQ_INT(store_done(q), ERR_OK);
	t_sleep_ms(100);
	T_EQ_INT(t_add(s, "x", 1), ERR_UNAVAIL);
	T_EQ_INT(store_begin(s), ERR_UNAVAIL);

	/* The pool replaces it. */
	again = NULL;
	for (i = 0; i < 50 && again == NULL; i++) {
		again = store_pool_get(p, &e);
		if (again == NULL) {
			T_EQ_INT(e, ERR_UNAVAIL);
			t_sleep_ms(20);
		}
	}
	T_ASSERT(again != NULL);
	T_EQ_INT(t_add(again, "x", 2), ERR_OK);
	T_ASSERT(t_scalar(again, &st_pg_pid, NULL) != pid);

	/* Killed while idle, noticed by store_pool_get itself. */
	pid = t_scalar(again, &st_pg_pid, NULL);
	T_ASSERT((q = store_prepare(admin, &st_pg_kill)) != NULL);
	store_bind_int(q, 1, pid);
	T_EQ_INT(store_step(q), STORE_ROW);
	T_EQ_INT(store_done(q), ERR_OK);
	t_sleep_ms(100);
	T_ASSERT((s = store_pool_get(p, &e)) != NULL);
	T_ASSERT(t_scalar(s, &st_pg_pid, NULL) != pid);
	T_EQ_INT(t_add(s, "x", 3), ERR_OK);

	store_pool_free(p);
	store_close(admin);
}

/* The other process of test_generation_other_process: one autocommit write. */
static int
child_write(const char *child_url)
{
	struct store *c;
	char err[256];
	enum err e;
	int rc = 1;

	if ((c = store_open(child_url, NULL, &e, err, sizeof(err))) != NULL) {
		rc = t_add(c, "child", 7) == ERR_OK ? 0 : 2;
		store_close(c);
	}
	return rc;
}

int
main(int argc, char **argv)
{
	struct store *s;

	if (argc == 3 && strcmp(argv[1], "--child-write") == 0)
		return child_write(argv[2]);

	t_db_url(url, sizeof(url));
	test_migration_race();
	s = t_open();
	T_EQ_INT(store_migrate(s, "conc", mig, COUNTOF(mig)), ERR_OK);
	store_close(s);

	test_generation_second_connection();
	test_generation_other_process();
	test_pool_threads();
	test_pool_down();
	if (t_pg())
		test_pg_connection_loss();
	printf("test_store_concurrency (%s): ok\n", t_backend());
	return 0;
}
