/*
 * store_int: what store.c shares with its two backends (sqlite.c, postgres.c) and nothing
 * else may include. A backend embeds `struct store` as the first member of its own
 * connection struct and `struct store_q` as the first member of its query struct, and
 * fills a `struct store_ops` table; store.c does the checks common to both (query in use,
 * transaction state, the per-connection statement cache, migrations, the pool) and then
 * calls the table.
 *
 * Invariants:
 *   - errmsg always holds a NUL-terminated sentence without credentials or bound values.
 *   - A query in the cache belongs to exactly one connection and one store_stmt; in_use
 *     is true between store_prepare and store_done.
 *   - tx_err is the first error seen inside the open transaction; store_commit then rolls
 *     back and returns it, so both backends refuse a partial transaction alike.
 */
#ifndef STORE_STORE_INT_H
#define STORE_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define STORE__ERRMSG 512

struct store_ops;

struct store {
	const struct store_ops *ops;
	struct store_q **cache; /* open addressing, keyed by store_stmt pointer */
	size_t cache_cap;       /* power of two, or 0 */
	size_t cache_n;
	bool in_tx;
	int tx_depth;  /* begins inside the open transaction (they join it) */
	bool tx_wrote; /* the open transaction wrote (backend sets it) */
	enum err tx_err;
	bool dead;     /* connection lost: the pool discards it */
	uint64_t seen; /* changes by other connections this connection has noticed */
	char errmsg[STORE__ERRMSG];
};

struct store_q {
	struct store *s;
	const struct store_stmt *st;
	unsigned index; /* position in this connection's cache, for prepared names */
	enum err err;   /* first error since store_prepare */
	bool in_use;
	bool started;  /* store_step was called */
	bool finished; /* stepped to STORE_DONE or STORE_FAIL */
};

struct store_ops {
	const char *name;      /* store_backend() */
	const char *id_type;   /* {{ID}} */
	const char *blob_type; /* {{BLOB}} */
	void (*close)(struct store *s);
	/* Makes a new query for st (a cache miss). NULL with errmsg set on failure. */
	struct store_q *(*prepare)(struct store *s, const struct store_stmt *st, unsigned index);
	void (*q_free)(struct store_q *q);
	/* Bindings: return ERR_OK or an error (with errmsg set). */
	enum err (*bind_int)(struct store_q *q, int idx, int64_t v);
	enum err (*bind_text)(struct store_q *q, int idx, const char *v);
	enum err (*bind_blob)(struct store_q *q, int idx, const void *p, size_t n);
	enum err (*bind_null)(struct store_q *q, int idx);
	/* On STORE_FAIL sets q->err and errmsg. */
	enum store_rc (*step)(struct store_q *q);
	int64_t (*col_int)(struct store_q *q, int col);
	const char *(*col_text)(struct store_q *q, int col);
	const void *(*col_blob)(struct store_q *q, int col, size_t *n);
	bool (*col_null)(struct store_q *q, int col);
	/* Makes the query reusable, clears bindings; may set q->err (a deferred commit). */
	void (*reset)(struct store_q *q);
	/* Runs trusted static SQL, possibly several statements, without parameters. */
	enum err (*script)(struct store *s, const char *sql);
	enum err (*begin)(struct store *s);
	/* Commits; on failure the transaction is over (rolled back) and errmsg says why. */
	enum err (*commit)(struct store *s);
	void (*rollback)(struct store *s);
	/* Inside a transaction: serialises migrations across nodes (no-op for SQLite). */
	enum err (*migrate_lock)(struct store *s);
	/* Updates s->seen from what the server told this connection, without blocking. */
	void (*poll)(struct store *s);
	/* A query returning one row: the number of tables in the database (store_is_empty). */
	const struct store_stmt *count_tables;
	/* After rows with explicit ids were copied in: moves the table's id generator past
	 * them (NULL when the backend needs nothing, as SQLite). */
	enum err (*sync_identity)(struct store *s, const char *table, const char *column);
};

struct store *store__sqlite_open(const char *path, enum err *e, char *errbuf, size_t errsize);
struct store *store__pg_open(const char *url, const char *password, enum err *e, char *errbuf,
                             size_t errsize);

/* Writes a sentence into s->errmsg. */
void store__errf(struct store *s, const char *fmt, ...) CORE_PRINTF(2, 3);

/* Called after a write has been committed through this process. */
void store__bump(void);

/* Copies url into out with any password (userinfo or query parameter) replaced. */
void store__scrub_url(const char *url, char *out, size_t outsize);

/* Releases the statement cache of s (every cached query through ops->q_free). */
void store__cache_free(struct store *s);

#endif
