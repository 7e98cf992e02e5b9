/*
 * store: the backend-independent half of the store module. URL dispatch, the
 * per-connection statement cache, transaction bookkeeping, migrations, the change
 * generation and the per-thread connection pool. The backends (sqlite.c, postgres.c)
 * only talk to their library.
 *
 * Generation semantics (store_generation): the value is the sum of two monotonic
 * counters, so it never goes back and it changes when either does:
 *   - a process-wide atomic counter, bumped after every write this process commits
 *     through any connection (so a cache sees its own process's writes at once);
 *   - a per-connection count of changes committed by other connections, learnt without a
 *     round trip: SQLite's `PRAGMA data_version` (reads shared memory) and, for
 *     PostgreSQL, the NOTIFY candor_changes messages already received on the socket.
 * For PostgreSQL another node's write becomes visible as soon as its notification has
 * arrived (normally well under a millisecond after its COMMIT), not at the instant of
 * commit. A connection that has lost its server reports a new value on every call, so
 * nothing is cached against a database it cannot see. The value may also move without a
 * new write (a write is counted twice, first by the process counter, then by its
 * notification; a fresh PostgreSQL listener may receive notifications committed just
 * before it listened): a spurious change only costs a cache refill.
 *
 * Transactions: the first error inside a transaction is remembered; store_commit then
 * rolls back and returns it. PostgreSQL aborts such a transaction anyway; SQLite would
 * commit the statements that did succeed, which candor never wants (no partial writes).
 *
 * Pool: one connection per thread through a pthread key (its destructor closes the
 * connection when the thread exits) plus a mutex-protected list of all slots, so
 * store_pool_free can close what is left. A connection found dead is closed and reopened
 * on the next store_pool_get. Failed attempts back off per thread, from STORE_RECONNECT_MS
 * doubling up to STORE_RECONNECT_MAX_MS; in between store_pool_get fails at once with
 * ERR_UNAVAIL so the caller can answer 503. A success resets the backoff.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

#define STORE_RECONNECT_MS 200
#define STORE_RECONNECT_MAX_MS 3200

static _Atomic uint64_t store_process_writes;
/* The error of this thread's last failed store_prepare, for store_done(NULL). */
static _Thread_local enum err store_prepare_err = ERR_INVAL;

void
store__bump(void)
{
	atomic_fetch_add_explicit(&store_process_writes, 1, memory_order_release);
}

void
store__errf(struct store *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
}

/*
 * Copies url into out, replacing a password in the userinfo ("user:secret@") and the
 * value of any "password=" query parameter with "***". Used for every message that
 * names a database URL. out is always NUL-terminated.
 */
void
store__scrub_url(const char *url, char *out, size_t outsize)
{
	struct buf b;
	const char *p, *auth, *at, *colon, *end;

	buf_init(&b);
	if ((p = strstr(url, "://")) == NULL) {
		buf_puts(&b, url);
		goto query;
	}
	auth = p + 3;
	end = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', (size_t)(end - auth));
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon) {
		buf_append(&b, url, (size_t)(colon - url));
		buf_puts(&b, ":***");
		buf_puts(&b, at);
	} else {
		buf_puts(&b, url);
	}
query:
	/* Mask password= values wherever they appear after '?' or '&'. */
	if (b.data) {
		char *q = strchr(b.data, '?');

		while (q) {
			char *v = q + 1;

			if (strncmp(v, "password=", 9) == 0) {
				char *vs = v + 9;
				size_t vl = strcspn(vs, "&#");

				memset(vs, '*', vl > 3 ? 3 : vl);
				if (vl > 3)
					memmove(vs + 3, vs + vl, strlen(vs + vl) + 1);
			}
			q = strchr(v, '&');
		}
	}
	str_copy(out, b.failed || b.data == NULL ? "(database url)" : b.data, outsize);
	buf_free(&b);
}

/*
 * Opens one connection; see store.h. The scheme picks the backend: "sqlite:PATH",
 * "postgresql://..." or "postgres://...".
 */
struct store *
store_open(const char *url, const char *password, enum err *e, char *errbuf, size_t errsize)
{
	enum err dummy;

	if (e == NULL)
		e = &dummy;
	if (errbuf && errsize)
		errbuf[0] = '\0';
	if (url == NULL) {
		*e = ERR_IO;
		if (errbuf)
			snprintf(errbuf, errsize, "No database URL was given.");
		return NULL;
	}
	if (strncmp(url, "sqlite:", 7) == 0)
		return store__sqlite_open(url + 7, e, errbuf, errsize);
	if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
		return store__pg_open(url, password, e, errbuf, errsize);
	*e = ERR_IO;
	if (errbuf)
		snprintf(errbuf, errsize,
		         "The database URL must start with sqlite: or postgresql:// .");
	return NULL;
}

void
store__cache_free(struct store *s)
{
	size_t i;

	for (i = 0; i < s->cache_cap; i++)
		if (s->cache[i])
			s->ops->q_free(s->cache[i]);
	free(s->cache);
	s->cache = NULL;
	s->cache_cap = s->cache_n = 0;
}

/* Closes the connection; an open transaction is rolled back first. NULL is a no-op. */
void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->in_tx)
		store_rollback(s);
	s->ops->close(s);
}

const char *
store_backend(const struct store *s)
{
	return s ? s->ops->name : "none";
}

const char *
store_errmsg(const struct store *s)
{
	return s ? s->errmsg : "no database connection";
}

static size_t
store_hash(const struct store_stmt *st, size_t cap)
{
	uint64_t h = (uint64_t)(uintptr_t)st;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (size_t)h & (cap - 1);
}

static struct store_q *
store_cache_find(struct store *s, const struct store_stmt *st)
{
	size_t i;

	if (s->cache_cap == 0)
		return NULL;
	for (i = store_hash(st, s->cache_cap); s->cache[i]; i = (i + 1) & (s->cache_cap - 1))
		if (s->cache[i]->st == st)
			return s->cache[i];
	return NULL;
}

/* Inserts q, growing the table to keep it at most half full. */
static enum err
store_cache_add(struct store *s, struct store_q *q)
{
	size_t i, j, ncap;
	struct store_q **n;

	if ((s->cache_n + 1) * 2 > s->cache_cap) {
		ncap = s->cache_cap ? s->cache_cap * 2 : 32;
		if ((n = calloc(ncap, sizeof(*n))) == NULL)
			return ERR_NOMEM;
		for (i = 0; i < s->cache_cap; i++) {
			if (s->cache[i] == NULL)
				continue;
			for (j = store_hash(s->cache[i]->st, ncap); n[j]; j = (j + 1) & (ncap - 1))
				;
			n[j] = s->cache[i];
		}
		free(s->cache);
		s->cache = n;
		s->cache_cap = ncap;
	}
	for (i = store_hash(q->st, s->cache_cap); s->cache[i]; i = (i + 1) & (s->cache_cap - 1))
		;
	s->cache[i] = q;
	s->cache_n++;
	return ERR_OK;
}

static void
store_note_err(struct store *s, enum err e)
{
	if (s->in_tx && s->tx_err == ERR_OK)
		s->tx_err = e;
}

/*
 * Returns the cached query for st, preparing it on this connection the first time.
 * NULL when st is already in use (store_done was not called), when the SQL does not
 * prepare, or when the connection is lost; store_errmsg says which.
 */
struct store_q *
store_prepare(struct store *s, const struct store_stmt *st)
{
	struct store_q *q;

	if (s == NULL || st == NULL || st->sql == NULL) {
		store_prepare_err = ERR_INVAL;
		if (s)
			store__errf(s, "store_prepare was called without a statement.");
		return NULL;
	}
	if ((q = store_cache_find(s, st)) != NULL) {
		if (q->in_use) {
			store__errf(s, "%s: statement is still in use (store_done was not called).",
			            st->name ? st->name : "statement");
			store_prepare_err = ERR_INVAL;
			store_note_err(s, ERR_INVAL);
			return NULL;
		}
	} else {
		if (s->dead) {
			store__errf(s, "The database connection was lost.");
			store_prepare_err = ERR_UNAVAIL;
			return NULL;
		}
		if ((q = s->ops->prepare(s, st, (unsigned)s->cache_n)) == NULL) {
			store_prepare_err = s->dead ? ERR_UNAVAIL : ERR_IO;
			store_note_err(s, store_prepare_err);
			return NULL;
		}
		if (store_cache_add(s, q) != ERR_OK) {
			s->ops->q_free(q);
			store__errf(s, "Out of memory preparing a statement.");
			store_prepare_err = ERR_NOMEM;
			store_note_err(s, ERR_NOMEM);
			return NULL;
		}
	}
	q->in_use = true;
	q->started = false;
	q->finished = false;
	q->err = ERR_OK;
	return q;
}

/* A failed bind is remembered on q (first error wins) and reported by store_step. */
static void
store_bind_result(struct store_q *q, enum err e)
{
	if (e != ERR_OK && q->err == ERR_OK)
		q->err = e;
}

/* Binding is for a query that has not run yet; later it is a bug the caller hears of. */
static bool
store_bindable(struct store_q *q)
{
	if (q == NULL || !q->in_use)
		return false;
	if (q->started) {
		store__errf(q->s, "%s: a parameter was bound after store_step.", q->st->name);
		store_bind_result(q, ERR_INVAL);
		return false;
	}
	return true;
}

void
store_bind_int(struct store_q *q, int idx, int64_t v)
{
	if (store_bindable(q))
		store_bind_result(q, q->s->ops->bind_int(q, idx, v));
}

void
store_bind_text(struct store_q *q, int idx, const char *v)
{
	if (store_bindable(q))
		store_bind_result(q, v ? q->s->ops->bind_text(q, idx, v)
		                       : q->s->ops->bind_null(q, idx));
}

void
store_bind_blob(struct store_q *q, int idx, const void *p, size_t n)
{
	if (!store_bindable(q))
		return;
	if (p == NULL && n > 0) {
		store__errf(q->s, "%s: blob parameter %d is NULL with a length.", q->st->name, idx);
		store_bind_result(q, ERR_INVAL);
		return;
	}
	store_bind_result(q, q->s->ops->bind_blob(q, idx, p ? p : "", n));
}

void
store_bind_null(struct store_q *q, int idx)
{
	if (store_bindable(q))
		store_bind_result(q, q->s->ops->bind_null(q, idx));
}

/*
 * Runs the statement on the first call and moves to the next row. After STORE_DONE or
 * STORE_FAIL it keeps returning the same until store_done.
 */
enum store_rc
store_step(struct store_q *q)
{
	enum store_rc rc;

	if (q == NULL || !q->in_use)
		return STORE_FAIL;
	q->started = true;
	if (q->err != ERR_OK) {
		store_note_err(q->s, q->err);
		q->finished = true;
		return STORE_FAIL;
	}
	if (q->finished)
		return STORE_DONE;
	rc = q->s->ops->step(q);
	if (rc == STORE_FAIL) {
		if (q->err == ERR_OK)
			q->err = ERR_IO;
		store_note_err(q->s, q->err);
		q->finished = true;
	} else if (rc == STORE_DONE) {
		q->finished = true;
	}
	return rc;
}

int64_t
store_col_int(struct store_q *q, int col)
{
	return q && q->in_use ? q->s->ops->col_int(q, col) : 0;
}

const char *
store_col_text(struct store_q *q, int col)
{
	const char *t = q && q->in_use ? q->s->ops->col_text(q, col) : NULL;

	return t ? t : "";
}

const void *
store_col_blob(struct store_q *q, int col, size_t *n)
{
	size_t dummy;

	if (n == NULL)
		n = &dummy;
	*n = 0;
	return q && q->in_use ? q->s->ops->col_blob(q, col, n) : NULL;
}

bool
store_col_null(struct store_q *q, int col)
{
	return q && q->in_use ? q->s->ops->col_null(q, col) : true;
}

/*
 * Resets q for reuse and returns the first error since store_prepare. With q NULL
 * (store_prepare failed) it returns that failure's code, so prepare-bind-step-done
 * needs one check at the end.
 */
enum err
store_one(struct store_q *q, struct arena *a, void *element,
    enum err (*row)(struct store_q *q, struct arena *a, void *element))
{
	enum err e = ERR_NOTFOUND, de;

	if (store_step(q) == STORE_ROW)
		e = row(q, a, element);
	if ((de = store_done(q)) != ERR_OK)
		e = de; /* ERR_UNAVAIL stays a 503 */
	return e;
}

enum err
store_collect(struct store_q *q, struct arena *a, size_t elem,
    enum err (*row)(struct store_q *q, struct arena *a, void *element), void **out, size_t *n)
{
	char *list = NULL, *grown;
	size_t cap = 0, count = 0;
	enum err e = ERR_OK, de;

	while (e == ERR_OK && store_step(q) == STORE_ROW) {
		if ((grown = arena_grow(a, list, count, &cap, elem)) == NULL) {
			e = ERR_NOMEM;
			break;
		}
		list = grown;
		memset(list + count * elem, 0, elem);
		e = row(q, a, list + count++ * elem);
	}
	if ((de = store_done(q)) != ERR_OK && e == ERR_OK)
		e = de;
	*out = list;
	*n = count;
	return e;
}

enum err
store_done(struct store_q *q)
{
	enum err e;

	if (q == NULL)
		return store_prepare_err;
	if (!q->in_use)
		return ERR_INVAL;
	q->s->ops->reset(q);
	e = q->err;
	if (e != ERR_OK)
		store_note_err(q->s, e);
	q->in_use = false;
	q->started = false;
	q->finished = false;
	q->err = ERR_OK;
	return e;
}

enum err
store_exec(struct store *s, const struct store_stmt *st)
{
	struct store_q *q;

	if ((q = store_prepare(s, st)) == NULL)
		return store_done(NULL);
	while (store_step(q) == STORE_ROW)
		;
	return store_done(q);
}

enum err
store_begin(struct store *s)
{
	enum err e;

	if (s == NULL)
		return ERR_INVAL;
	if (s->in_tx) {
		/* nested: join the open transaction (see store.h) */
		s->tx_depth++;
		return ERR_OK;
	}
	if (s->dead) {
		store__errf(s, "The database connection was lost.");
		return ERR_UNAVAIL;
	}
	s->tx_wrote = false;
	s->tx_err = ERR_OK;
	if ((e = s->ops->begin(s)) == ERR_OK)
		s->in_tx = true;
	return e;
}

/*
 * Commits the open transaction. When a statement inside it failed, rolls back instead and
 * returns that statement's error. Either way the transaction is over afterwards.
 */
enum err
store_commit(struct store *s)
{
	enum err e;

	if (s == NULL)
		return ERR_INVAL;
	if (!s->in_tx) {
		store__errf(s, "store_commit was called without an open transaction.");
		return ERR_INVAL;
	}
	if (s->tx_depth > 0) {
		/* an inner block ends; the outermost commit decides */
		s->tx_depth--;
		return s->tx_err;
	}
	if (s->tx_err != ERR_OK) {
		e = s->tx_err;
		s->ops->rollback(s);
		store__errf(s,
		            "The transaction was rolled back because a statement in it failed "
		            "(%s).",
		            err_str(e));
	} else {
		e = s->ops->commit(s);
	}
	s->in_tx = false;
	s->tx_wrote = false;
	s->tx_err = ERR_OK;
	return e;
}

void
store_rollback(struct store *s)
{
	if (s == NULL || !s->in_tx)
		return;
	if (s->tx_depth > 0) {
		/* an inner block failed: the whole transaction is doomed */
		s->tx_depth--;
		if (s->tx_err == ERR_OK)
			s->tx_err = ERR_INVAL;
		return;
	}
	s->ops->rollback(s);
	s->in_tx = false;
	s->tx_wrote = false;
	s->tx_err = ERR_OK;
}

uint64_t
store_generation(struct store *s)
{
	uint64_t g = atomic_load_explicit(&store_process_writes, memory_order_acquire);

	if (s) {
		s->ops->poll(s);
		g += s->seen;
	}
	return g;
}

/* ---- migrations ---- */

static const struct store_stmt store_mig_applied = {
    "schema_migrations_applied",
    "SELECT 1 FROM schema_migrations WHERE module = ? AND version = ?"};
static const struct store_stmt store_mig_record = {
    "schema_migrations_record",
    "INSERT INTO schema_migrations (module, version, applied_at) VALUES (?, ?, ?)"};
static const char store_mig_table[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations (module TEXT NOT NULL, "
    "version INTEGER NOT NULL, applied_at BIGINT NOT NULL, PRIMARY KEY (module, version))";

/*
 * Replaces the dialect tokens of a migration ({{ID}}, {{BLOB}}) with this backend's
 * types into out. ERR_INVAL for an unknown {{token}}.
 */
static enum err
store_translate(struct store *s, const char *sql, struct buf *out)
{
	const char *p = sql, *t;

	while ((t = strstr(p, "{{")) != NULL) {
		buf_append(out, p, (size_t)(t - p));
		if (strncmp(t, "{{ID}}", 6) == 0) {
			buf_puts(out, s->ops->id_type);
			p = t + 6;
		} else if (strncmp(t, "{{BLOB}}", 8) == 0) {
			buf_puts(out, s->ops->blob_type);
			p = t + 8;
		} else {
			store__errf(s, "A migration uses an unknown dialect token.");
			return ERR_INVAL;
		}
	}
	buf_puts(out, p);
	return out->failed ? ERR_NOMEM : ERR_OK;
}

/* Sets *applied to whether (module, version) is recorded. */
static enum err
store_mig_is_applied(struct store *s, const char *module, int version, bool *applied)
{
	struct store_q *q;
	enum store_rc rc;

	*applied = false;
	if ((q = store_prepare(s, &store_mig_applied)) == NULL)
		return store_done(NULL);
	store_bind_text(q, 1, module);
	store_bind_int(q, 2, version);
	if ((rc = store_step(q)) == STORE_ROW)
		*applied = true;
	return store_done(q);
}

/*
 * Migrations run each in their own transaction, or all inside the caller's when one is
 * open (both backends have transactional DDL): `candor db copy` builds the whole schema
 * and its data in one transaction, so a failed copy leaves the target empty.
 */
static enum err
store_mig_begin(struct store *s, bool outer)
{
	return outer ? ERR_OK : store_begin(s);
}

static enum err
store_mig_commit(struct store *s, bool outer)
{
	return outer ? ERR_OK : store_commit(s);
}

static void
store_mig_rollback(struct store *s, bool outer)
{
	if (!outer)
		store_rollback(s);
}

/* Creates schema_migrations if needed, under the migration lock. */
static enum err
store_mig_prepare_table(struct store *s, bool outer)
{
	enum err e;

	if ((e = store_mig_begin(s, outer)) != ERR_OK)
		return e;
	if ((e = s->ops->migrate_lock(s)) != ERR_OK || (e = s->ops->script(s, store_mig_table)))
		goto fail;
	s->tx_wrote = true;
	return store_mig_commit(s, outer);
fail:
	store_mig_rollback(s, outer);
	return e;
}

/* Applies one migration in its own transaction unless a concurrent node already did. */
static enum err
store_mig_apply(struct store *s, const char *module, const struct store_migration *m,
    bool outer)
{
	struct buf sql;
	struct store_q *q;
	enum err e;
	bool applied;
	char mod[64];

	buf_init(&sql);
	str_copy(mod, module, sizeof(mod));
	if ((e = store_mig_begin(s, outer)) != ERR_OK)
		goto out;
	if ((e = s->ops->migrate_lock(s)) != ERR_OK)
		goto fail;
	if ((e = store_mig_is_applied(s, module, m->version, &applied)) != ERR_OK)
		goto fail;
	if (applied) {
		store_mig_rollback(s, outer);
		goto out;
	}
	if ((e = store_translate(s, m->sql, &sql)) != ERR_OK)
		goto fail;
	if ((e = s->ops->script(s, sql.data ? sql.data : "")) != ERR_OK) {
		char why[STORE__ERRMSG];

		str_copy(why, s->errmsg, sizeof(why));
		store__errf(s, "Migration %s %d failed: %s", mod, m->version, why);
		goto fail;
	}
	s->tx_wrote = true;
	if ((q = store_prepare(s, &store_mig_record)) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_text(q, 1, module);
	store_bind_int(q, 2, m->version);
	store_bind_int(q, 3, time_now());
	store_step(q);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	e = store_mig_commit(s, outer);
	if (e == ERR_OK)
		log_info("store: applied migration %s %d", mod, m->version);
	goto out;
fail:
	store_mig_rollback(s, outer);
out:
	buf_free(&sql);
	return e;
}

/*
 * Applies this module's pending migrations in order of m[] (versions must be ascending
 * and positive). A version already recorded is skipped, so a re-run is a no-op. Stops at
 * the first failure, leaving earlier versions applied.
 */
enum err
store_migrate(struct store *s, const char *module, const struct store_migration *m, size_t n)
{
	enum err e;
	size_t i;
	bool applied, outer;

	if (s == NULL || module == NULL || *module == '\0' || (m == NULL && n > 0))
		return ERR_INVAL;
	outer = s->in_tx;
	for (i = 0; i < n; i++) {
		if (m[i].version <= 0 || m[i].sql == NULL ||
		    (i > 0 && m[i].version <= m[i - 1].version)) {
			store__errf(s, "Migrations must have ascending positive versions and SQL.");
			return ERR_INVAL;
		}
	}
	if ((e = store_mig_prepare_table(s, outer)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		/* Cheap check without the lock; store_mig_apply checks again under it. */
		if ((e = store_mig_is_applied(s, module, m[i].version, &applied)) != ERR_OK)
			return e;
		if (!applied && (e = store_mig_apply(s, module, &m[i], outer)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* ---- copying (candor db copy) ---- */

enum err
store_copy_table(struct store *src, struct store *dst, const struct store_table *t,
    int64_t *rows)
{
	struct store_q *in, *out;
	size_t ncols = strlen(t->types), i;
	enum err e = ERR_OK, de;
	int64_t n = 0;
	const void *p;
	size_t len;

	*rows = 0;
	if ((in = store_prepare(src, t->select_all)) == NULL)
		return store_done(NULL);
	while (e == ERR_OK && store_step(in) == STORE_ROW) {
		if ((out = store_prepare(dst, t->insert)) == NULL) {
			e = store_done(NULL);
			break;
		}
		for (i = 0; i < ncols; i++) {
			int idx = (int)i + 1;
			if (store_col_null(in, (int)i))
				store_bind_null(out, idx);
			else if (t->types[i] == 'i')
				store_bind_int(out, idx, store_col_int(in, (int)i));
			else if (t->types[i] == 'b') {
				p = store_col_blob(in, (int)i, &len);
				store_bind_blob(out, idx, p ? p : "", len);
			} else
				store_bind_text(out, idx, store_col_text(in, (int)i));
		}
		store_step(out);
		if ((e = store_done(out)) == ERR_OK)
			n++;
	}
	if ((de = store_done(in)) != ERR_OK && e == ERR_OK)
		e = de;
	if (e == ERR_OK && t->identity && dst->ops->sync_identity)
		e = dst->ops->sync_identity(dst, t->name, t->identity);
	*rows = n;
	return e;
}

enum err
store_is_empty(struct store *s, bool *empty)
{
	struct store_q *q;

	*empty = false;
	if ((q = store_prepare(s, s->ops->count_tables)) == NULL)
		return store_done(NULL);
	if (store_step(q) == STORE_ROW)
		*empty = store_col_int(q, 0) == 0;
	return store_done(q);
}

/* ---- pool ---- */

struct store_slot {
	struct store_pool *pool;
	struct store *s;
	int64_t last_attempt_ms; /* of the last failed open, 0 if none */
	int64_t backoff_ms;      /* wait before the next attempt */
	bool down_logged;
	struct store_slot *prev, *next;
};

struct store_pool {
	char *url;
	char *password;
	pthread_key_t key;
	pthread_mutex_t lock;
	struct store_slot *slots; /* every live slot, for store_pool_free */
};

static void
store_slot_unlink(struct store_pool *p, struct store_slot *sl)
{
	if (sl->prev)
		sl->prev->next = sl->next;
	else
		p->slots = sl->next;
	if (sl->next)
		sl->next->prev = sl->prev;
	sl->prev = sl->next = NULL;
}

/* pthread key destructor: the thread is exiting; close its connection. */
static void
store_slot_destroy(void *arg)
{
	struct store_slot *sl = arg;
	struct store_pool *p = sl->pool;

	pthread_mutex_lock(&p->lock);
	store_slot_unlink(p, sl);
	pthread_mutex_unlock(&p->lock);
	store_close(sl->s);
	free(sl);
}

/* Makes a pool for url; nothing is opened until store_pool_get. NULL when out of memory. */
struct store_pool *
store_pool_new(const char *url, const char *password)
{
	struct store_pool *p;

	if (url == NULL || (p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if ((p->url = strdup(url)) == NULL)
		goto fail;
	if (password && (p->password = strdup(password)) == NULL)
		goto fail;
	if (pthread_mutex_init(&p->lock, NULL) != 0)
		goto fail;
	if (pthread_key_create(&p->key, store_slot_destroy) != 0) {
		pthread_mutex_destroy(&p->lock);
		goto fail;
	}
	return p;
fail:
	free(p->url);
	free(p->password);
	free(p);
	return NULL;
}

/*
 * Returns this thread's connection, opening it on first use. A connection that has lost
 * its server is closed and reopened, but at most once per STORE_RECONNECT_MS per thread;
 * in between it returns NULL with ERR_UNAVAIL at once.
 */
struct store *
store_pool_get(struct store_pool *p, enum err *e)
{
	struct store_slot *sl;
	enum err dummy, oe = ERR_OK;
	char why[STORE__ERRMSG], url[256];
	int64_t now;

	if (e == NULL)
		e = &dummy;
	*e = ERR_OK;
	if (p == NULL) {
		*e = ERR_INVAL;
		return NULL;
	}
	if ((sl = pthread_getspecific(p->key)) == NULL) {
		if ((sl = calloc(1, sizeof(*sl))) == NULL) {
			*e = ERR_NOMEM;
			return NULL;
		}
		sl->pool = p;
		if (pthread_setspecific(p->key, sl) != 0) {
			free(sl);
			*e = ERR_NOMEM;
			return NULL;
		}
		pthread_mutex_lock(&p->lock);
		sl->next = p->slots;
		if (p->slots)
			p->slots->prev = sl;
		p->slots = sl;
		pthread_mutex_unlock(&p->lock);
	}
	if (sl->s && !sl->s->in_tx) {
		sl->s->ops->poll(sl->s);
		if (sl->s->dead) {
			log_warn("store: database connection lost; reconnecting");
			store_close(sl->s);
			sl->s = NULL;
		}
	}
	if (sl->s)
		return sl->s;
	now = time_now_ms();
	if (sl->last_attempt_ms && now - sl->last_attempt_ms < sl->backoff_ms) {
		*e = ERR_UNAVAIL;
		return NULL;
	}
	sl->s = store_open(p->url, p->password, &oe, why, sizeof(why));
	if (sl->s == NULL) {
		/* Counted from the end of the attempt: a slow failure (SQLite's busy timeout,
		 * PostgreSQL's connect_timeout) must not be waited for again by the same
		 * request's next call. */
		now = time_now_ms();
		sl->last_attempt_ms = now ? now : 1;
		sl->backoff_ms = sl->backoff_ms ? sl->backoff_ms * 2 : STORE_RECONNECT_MS;
		if (sl->backoff_ms > STORE_RECONNECT_MAX_MS)
			sl->backoff_ms = STORE_RECONNECT_MAX_MS;
		if (!sl->down_logged) {
			store__scrub_url(p->url, url, sizeof(url));
			log_error("store: cannot open %s: %s", url, why);
			sl->down_logged = true;
		}
		*e = oe;
		return NULL;
	}
	if (sl->down_logged)
		log_info("store: database connection restored");
	sl->last_attempt_ms = 0;
	sl->backoff_ms = 0;
	sl->down_logged = false;
	return sl->s;
}

/* Closes every connection the pool opened and frees it. No thread may still use one. */
void
store_pool_free(struct store_pool *p)
{
	struct store_slot *sl, *next;

	if (p == NULL)
		return;
	pthread_key_delete(p->key);
	pthread_mutex_lock(&p->lock);
	for (sl = p->slots; sl; sl = next) {
		next = sl->next;
		store_close(sl->s);
		free(sl);
	}
	p->slots = NULL;
	pthread_mutex_unlock(&p->lock);
	pthread_mutex_destroy(&p->lock);
	free(p->url);
	if (p->password) {
		explicit_bzero(p->password, strlen(p->password));
		free(p->password);
	}
	free(p);
}
