/*
 * sqlite: the embedded backend. One sqlite3 handle per struct store, opened in WAL mode
 * with foreign_keys=ON, synchronous=FULL, secure_delete=ON (deleted rows are overwritten
 * with zeros, so a spent token or an erased row does not linger in free pages) and a
 * 5 s busy timeout; the database file is
 * created with mode 0600 (SQLite gives its -wal and -shm files the same mode).
 *
 * Invariants:
 *   - Every cached query owns one sqlite3_stmt prepared with SQLITE_PREPARE_PERSISTENT;
 *     it is finalized only when the connection closes.
 *   - `wrote` is true while a write made through this connection is not yet known to be
 *     committed; when SQLite is back in autocommit mode after a successful statement or
 *     COMMIT, the process-wide generation is bumped and `wrote` cleared. The bump happens
 *     after the commit, so a reader that sees the new generation also sees the data.
 *   - Other connections' commits are noticed through PRAGMA data_version (a cached
 *     statement that reads shared memory, no I/O), counted into store.seen.
 *   - Every SQLite result code is checked: an fsync failure at COMMIT surfaces as
 *     SQLITE_IOERR_FSYNC and becomes ERR_IO.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_int.h"

#define SQ_BUSY_TIMEOUT_MS 5000

struct sq_store {
	struct store base;
	sqlite3 *db;
	sqlite3_stmt *data_version;
	int64_t last_data_version;
	bool wrote;
};

struct sq_q {
	struct store_q base;
	sqlite3_stmt *stmt;
};

static const struct store_ops sq_ops;

static struct sq_store *
sq_store(struct store *s)
{
	return (struct sq_store *)s;
}

static sqlite3_stmt *
sq_stmt(struct store_q *q)
{
	return ((struct sq_q *)q)->stmt;
}

/* Maps an (extended) SQLite result code to the project's errors. */
static enum err
sq_err(int rc)
{
	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return ERR_CONFLICT;
	default:
		break;
	}
	switch (rc & 0xff) {
	case SQLITE_OK:
		return ERR_OK;
	case SQLITE_NOMEM:
		return ERR_NOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ERR_UNAVAIL;
	case SQLITE_TOOBIG:
		return ERR_TOOBIG;
	case SQLITE_RANGE:
	case SQLITE_MISUSE:
		return ERR_INVAL;
	default:
		return ERR_IO;
	}
}

/* Records a failure of SQLite call `what` on s; returns the mapped error. */
static enum err
sq_fail(struct sq_store *ss, const char *what, int rc)
{
	store__errf(&ss->base, "%s: %s (SQLite %d)", what, sqlite3_errmsg(ss->db), rc);
	return sq_err(rc);
}

/* Once SQLite is back in autocommit mode, a pending write has been committed. */
static void
sq_settle(struct sq_store *ss)
{
	if (ss->wrote && sqlite3_get_autocommit(ss->db)) {
		ss->wrote = false;
		store__bump();
	}
}

static int
sq_capture_first(void *arg, int ncol, char **vals, char **names)
{
	char *out = arg;

	if (ncol > 0 && vals[0])
		str_copy(out, vals[0], 16);
	return 0;
}

/* Applies the per-connection settings; checks that WAL mode was really taken. */
static enum err
sq_configure(struct sq_store *ss)
{
	char mode[16] = "";
	int rc;

	sqlite3_extended_result_codes(ss->db, 1);
	if ((rc = sqlite3_busy_timeout(ss->db, SQ_BUSY_TIMEOUT_MS)) != SQLITE_OK)
		return sq_fail(ss, "busy timeout", rc);
	rc = sqlite3_exec(ss->db, "PRAGMA journal_mode=WAL", sq_capture_first, mode, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(ss, "journal_mode", rc);
	if (strcmp(mode, "wal") != 0) {
		store__errf(&ss->base, "The database refused WAL mode (journal_mode is %s).", mode);
		return ERR_IO;
	}
	rc = sqlite3_exec(ss->db, "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON", NULL, NULL,
	                  NULL);
	if (rc != SQLITE_OK)
		return sq_fail(ss, "pragmas", rc);
	rc = sqlite3_prepare_v3(ss->db, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT,
	                        &ss->data_version, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(ss, "data_version", rc);
	return ERR_OK;
}

static void
sq_close(struct store *s)
{
	struct sq_store *ss = sq_store(s);
	int rc;

	store__cache_free(s);
	sqlite3_finalize(ss->data_version);
	if ((rc = sqlite3_close(ss->db)) != SQLITE_OK)
		log_error("store: closing the SQLite database failed: %s", sqlite3_errstr(rc));
	free(ss);
}

/*
 * Opens (creating with mode 0600 if absent) the SQLite database at path. On failure
 * returns NULL with *e and a sentence in errbuf.
 */
struct store *
store__sqlite_open(const char *path, enum err *e, char *errbuf, size_t errsize)
{
	struct sq_store *ss = NULL;
	int fd, rc;

	*e = ERR_IO;
	if (*path == '\0') {
		snprintf(errbuf, errsize, "The SQLite database URL names no file.");
		return NULL;
	}
	/* Create a missing file with mode 0600 ourselves (SQLite would use 0644). Never
	 * open/close an existing database file outside SQLite: close(2) drops every POSIX
	 * lock this process holds on it, including other connections' WAL locks, and a
	 * second process would then delete the WAL under them. */
	if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) >= 0) {
		close(fd);
	} else if (errno != EEXIST) {
		snprintf(errbuf, errsize, "Cannot open the database file %s: %s.", path,
		         strerror(errno));
		return NULL;
	}
	if ((ss = calloc(1, sizeof(*ss))) == NULL) {
		*e = ERR_NOMEM;
		snprintf(errbuf, errsize, "Out of memory opening the database.");
		return NULL;
	}
	ss->base.ops = &sq_ops;
	rc = sqlite3_open_v2(path, &ss->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(errbuf, errsize, "Cannot open the database file %s: %s.", path,
		         ss->db ? sqlite3_errmsg(ss->db) : sqlite3_errstr(rc));
		*e = sq_err(rc);
		goto fail;
	}
	if ((*e = sq_configure(ss)) != ERR_OK) {
		snprintf(errbuf, errsize, "Cannot set up the database file %s: %s", path,
		         ss->base.errmsg);
		goto fail;
	}
	ss->last_data_version = -1;
	ss->base.ops->poll(&ss->base);
	ss->base.seen = 0;
	*e = ERR_OK;
	return &ss->base;
fail:
	if (*e == ERR_OK)
		*e = ERR_IO;
	sqlite3_finalize(ss->data_version);
	sqlite3_close(ss->db);
	free(ss);
	return NULL;
}

/* Prepares st; refuses SQL holding more than one statement (PostgreSQL would too). */
static struct store_q *
sq_prepare(struct store *s, const struct store_stmt *st, unsigned index)
{
	struct sq_store *ss = sq_store(s);
	struct sq_q *q;
	sqlite3_stmt *stmt = NULL;
	const char *tail = NULL;
	int rc;

	rc = sqlite3_prepare_v3(ss->db, st->sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
	if (rc != SQLITE_OK) {
		sq_fail(ss, st->name ? st->name : "prepare", rc);
		return NULL;
	}
	while (tail &&
	       (*tail == ' ' || *tail == '\t' || *tail == '\n' || *tail == '\r' || *tail == ';'))
		tail++;
	if (stmt == NULL || (tail && *tail)) {
		sqlite3_finalize(stmt);
		store__errf(s, "%s: the SQL must hold exactly one statement.", st->name);
		return NULL;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		sqlite3_finalize(stmt);
		store__errf(s, "Out of memory preparing a statement.");
		return NULL;
	}
	q->base.s = s;
	q->base.st = st;
	q->base.index = index;
	q->stmt = stmt;
	return &q->base;
}

static void
sq_q_free(struct store_q *q)
{
	sqlite3_finalize(sq_stmt(q));
	free(q);
}

static enum err
sq_bound(struct store_q *q, int idx, int rc)
{
	if (rc == SQLITE_OK)
		return ERR_OK;
	store__errf(q->s, "%s: cannot bind parameter %d: %s", q->st->name, idx, sqlite3_errstr(rc));
	return sq_err(rc);
}

static enum err
sq_bind_int(struct store_q *q, int idx, int64_t v)
{
	return sq_bound(q, idx, sqlite3_bind_int64(sq_stmt(q), idx, v));
}

static enum err
sq_bind_text(struct store_q *q, int idx, const char *v)
{
	return sq_bound(q, idx, sqlite3_bind_text(sq_stmt(q), idx, v, -1, SQLITE_TRANSIENT));
}

static enum err
sq_bind_blob(struct store_q *q, int idx, const void *p, size_t n)
{
	return sq_bound(q, idx, sqlite3_bind_blob64(sq_stmt(q), idx, p, n, SQLITE_TRANSIENT));
}

static enum err
sq_bind_null(struct store_q *q, int idx)
{
	return sq_bound(q, idx, sqlite3_bind_null(sq_stmt(q), idx));
}

static enum store_rc
sq_step(struct store_q *q)
{
	struct sq_store *ss = sq_store(q->s);
	sqlite3_stmt *stmt = sq_stmt(q);
	int rc;

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		if (!sqlite3_stmt_readonly(stmt))
			ss->wrote = true;
		if (rc == SQLITE_ROW)
			return STORE_ROW;
		sq_settle(ss);
		return STORE_DONE;
	}
	q->err = sq_fail(ss, q->st->name, rc);
	sq_settle(ss);
	return STORE_FAIL;
}

static bool
sq_col_ok(struct store_q *q, int col)
{
	return col >= 0 && col < sqlite3_column_count(sq_stmt(q));
}

static int64_t
sq_col_int(struct store_q *q, int col)
{
	return sq_col_ok(q, col) ? sqlite3_column_int64(sq_stmt(q), col) : 0;
}

static const char *
sq_col_text(struct store_q *q, int col)
{
	return sq_col_ok(q, col) ? (const char *)sqlite3_column_text(sq_stmt(q), col) : NULL;
}

static const void *
sq_col_blob(struct store_q *q, int col, size_t *n)
{
	const void *p;

	if (!sq_col_ok(q, col))
		return NULL;
	p = sqlite3_column_blob(sq_stmt(q), col);
	*n = (size_t)sqlite3_column_bytes(sq_stmt(q), col);
	return p;
}

static bool
sq_col_null(struct store_q *q, int col)
{
	return !sq_col_ok(q, col) || sqlite3_column_type(sq_stmt(q), col) == SQLITE_NULL;
}

/*
 * Resets the statement. A write statement left before SQLITE_DONE in autocommit mode
 * commits here, so an error from sqlite3_reset is recorded when no earlier one was.
 */
static void
sq_reset(struct store_q *q)
{
	struct sq_store *ss = sq_store(q->s);
	int rc;

	rc = sqlite3_reset(sq_stmt(q));
	if (rc != SQLITE_OK && q->err == ERR_OK)
		q->err = sq_fail(ss, q->st->name, rc);
	sqlite3_clear_bindings(sq_stmt(q));
	sq_settle(ss);
}

static enum err
sq_script(struct store *s, const char *sql)
{
	struct sq_store *ss = sq_store(s);
	int rc;

	if ((rc = sqlite3_exec(ss->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		return sq_fail(ss, "script", rc);
	ss->wrote = true;
	sq_settle(ss);
	return ERR_OK;
}

static enum err
sq_begin(struct store *s)
{
	struct sq_store *ss = sq_store(s);
	int rc;

	ss->wrote = false;
	if ((rc = sqlite3_exec(ss->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK)
		return sq_fail(ss, "BEGIN", rc);
	return ERR_OK;
}

/* Commits; when COMMIT fails and the transaction is still open, rolls it back. */
static enum err
sq_commit(struct store *s)
{
	struct sq_store *ss = sq_store(s);
	enum err e;
	int rc;

	if ((rc = sqlite3_exec(ss->db, "COMMIT", NULL, NULL, NULL)) == SQLITE_OK) {
		sq_settle(ss);
		return ERR_OK;
	}
	e = sq_fail(ss, "COMMIT", rc);
	if (!sqlite3_get_autocommit(ss->db) &&
	    (rc = sqlite3_exec(ss->db, "ROLLBACK", NULL, NULL, NULL)) != SQLITE_OK)
		log_error("store: ROLLBACK after a failed COMMIT failed: %s", sqlite3_errstr(rc));
	ss->wrote = false;
	return e;
}

static void
sq_rollback(struct store *s)
{
	struct sq_store *ss = sq_store(s);
	int rc;

	ss->wrote = false;
	if (sqlite3_get_autocommit(ss->db))
		return; /* SQLite already rolled back (after a failed statement) */
	if ((rc = sqlite3_exec(ss->db, "ROLLBACK", NULL, NULL, NULL)) != SQLITE_OK) {
		sq_fail(ss, "ROLLBACK", rc);
		log_error("store: %s", s->errmsg);
	}
}

static enum err
sq_migrate_lock(struct store *s)
{
	return ERR_OK; /* BEGIN IMMEDIATE already holds the only write lock */
}

/*
 * Notices commits by other connections: PRAGMA data_version changes when one happened.
 * When it cannot be read, counts a change so nothing is trusted against it.
 */
static void
sq_poll(struct store *s)
{
	struct sq_store *ss = sq_store(s);
	int64_t v = -1;
	int rc;

	if ((rc = sqlite3_step(ss->data_version)) == SQLITE_ROW)
		v = sqlite3_column_int64(ss->data_version, 0);
	sqlite3_reset(ss->data_version);
	if (rc != SQLITE_ROW || v != ss->last_data_version)
		s->seen++;
	ss->last_data_version = v;
}

static const struct store_stmt sq_count_tables = {
    "count_tables", "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"};

static const struct store_ops sq_ops = {
    .count_tables = &sq_count_tables,
    .name = "sqlite",
    .id_type = "INTEGER PRIMARY KEY AUTOINCREMENT",
    .blob_type = "BLOB",
    .close = sq_close,
    .prepare = sq_prepare,
    .q_free = sq_q_free,
    .bind_int = sq_bind_int,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_int = sq_col_int,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .col_null = sq_col_null,
    .reset = sq_reset,
    .script = sq_script,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .migrate_lock = sq_migrate_lock,
    .poll = sq_poll,
};
