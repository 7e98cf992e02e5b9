/*
 * testdb: a fresh, empty database per call of t_db_url, on the backend named by
 * CANDOR_TEST_BACKEND. PostgreSQL databases are created in the private test cluster whose
 * admin URL tests/run.sh exports as CANDOR_TEST_PG_URL (tests/pg.sh starts it), named
 * candor_t_<pid>_<n>, and dropped at exit (WITH (FORCE), so a connection the test left
 * open does not keep one alive). Never skips: a missing backend fails the test.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"

#define T_MAX_DBS 32

static char t_dbs[T_MAX_DBS][64];
static int t_ndbs;

static const char *
t_pg_admin_url(void)
{
	const char *u = getenv("CANDOR_TEST_PG_URL");

	if (u == NULL || *u == '\0')
		T_FAIL("CANDOR_TEST_PG_URL is not set: run the postgres tests through `make test` "
		       "or tests/run.sh BUILD_DIR, which start a private PostgreSQL cluster "
		       "(tests/pg.sh)");
	return u;
}

/* Runs one admin command on the cluster; returns false (and prints why) on failure. */
static bool
t_pg_admin(const char *sql, bool must)
{
	PGconn *c = PQconnectdb(t_pg_admin_url());
	PGresult *r;
	bool ok;

	if (PQstatus(c) != CONNECTION_OK) {
		if (must)
			T_FAIL("cannot connect to the test cluster: %s", PQerrorMessage(c));
		fprintf(stderr, "testdb: cannot connect to drop databases: %s", PQerrorMessage(c));
		PQfinish(c);
		return false;
	}
	r = PQexec(c, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok) {
		if (must)
			T_FAIL("%s: %s", sql, PQresultErrorMessage(r));
		fprintf(stderr, "testdb: %s: %s", sql, PQresultErrorMessage(r));
	}
	PQclear(r);
	PQfinish(c);
	return ok;
}

static void
t_pg_drop_all(void)
{
	char sql[128];
	int i;

	if (getenv("CANDOR_TEST_KEEP"))
		return;
	for (i = 0; i < t_ndbs; i++) {
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", t_dbs[i]);
		t_pg_admin(sql, false);
	}
}

/* Writes admin with its database name (the path) replaced by db into out. */
static void
t_pg_url_for(const char *admin, const char *db, char *out, size_t outsize)
{
	const char *auth = strstr(admin, "://"), *path, *query;
	int n;

	if (auth == NULL)
		T_FAIL("CANDOR_TEST_PG_URL is not a postgresql:// URL");
	auth += 3;
	path = auth + strcspn(auth, "/?");
	query = path + strcspn(path, "?");
	n = snprintf(out, outsize, "%.*s/%s%s", (int)(path - admin), admin, db, query);
	if (n < 0 || (size_t)n >= outsize)
		T_FAIL("database URL does not fit in %zu bytes", outsize);
}

void
t_db_url(char *out, size_t outsize)
{
	const char *b = t_backend();
	char sql[128];
	int n;

	if (strcmp(b, "sqlite") == 0) {
		n = snprintf(out, outsize, "sqlite:%s/test.db", t_tmpdir());
		if (n < 0 || (size_t)n >= outsize)
			T_FAIL("database URL does not fit in %zu bytes", outsize);
		return;
	}
	if (strcmp(b, "postgres") != 0)
		T_FAIL("CANDOR_TEST_BACKEND must be sqlite or postgres, not \"%s\"", b);
	if (t_ndbs == T_MAX_DBS)
		T_FAIL("too many test databases");
	snprintf(t_dbs[t_ndbs], sizeof(t_dbs[0]), "candor_t_%ld_%d", (long)getpid(), t_ndbs);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", t_dbs[t_ndbs]);
	t_pg_admin(sql, true);
	if (t_ndbs++ == 0)
		atexit(t_pg_drop_all);
	t_pg_url_for(t_pg_admin_url(), t_dbs[t_ndbs - 1], out, outsize);
}
