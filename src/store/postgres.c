/*
 * postgres: the scale-out backend over libpq. One PGconn per struct store.
 *
 * Statements: the portable '?' placeholders are rewritten to $1..$n (not inside '...'
 * or "..." quotes, nor -- or C-style comments; E'...' strings with backslash escapes are
 * not supported). Each statement is PQprepare'd once per connection as "s<cache index>"
 * and run with PQexecPrepared: integers and text as text parameters, blobs as binary
 * parameters; results come back as text and bytea columns are decoded with
 * PQunescapeBytea into a buffer the query owns until the next step or store_done.
 *
 * Errors: only the primary message and SQLSTATE reach store_errmsg (the DETAIL line of a
 * unique violation repeats the conflicting value). 23505/23503 are ERR_CONFLICT; a lost
 * connection (CONNECTION_BAD, class 08, 57P01..57P03) is ERR_UNAVAIL and marks the store
 * dead so the pool reconnects; 40001/40P01 are ERR_UNAVAIL (retry later). The password
 * is passed as its own conninfo keyword and never printed; URLs in messages are scrubbed.
 *
 * Generation: every connection LISTENs on candor_changes. A transaction that wrote
 * (command tag INSERT/UPDATE/DELETE/MERGE with a non-zero count, or a migration) sends
 * NOTIFY candor_changes in the same round trip as its COMMIT; an autocommit write sends
 * it right after, and a failure to notify then is logged, not returned, because the write
 * itself is already durable. The poll hook reads whatever notifications already arrived
 * without waiting (PQconsumeInput never blocks on libpq's non-blocking socket).
 */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

#define PG_BYTEA_OID 17
#define PG_BOOL_OID 16
#define PG_CONNECT_TIMEOUT "2"
/* Arbitrary constant naming candor's migration lock ("candor" in ASCII). */
#define PG_MIGRATION_LOCK "SELECT pg_advisory_xact_lock(109304931660914)"

struct pg_store {
	struct store base;
	PGconn *conn;
};

struct pg_q {
	struct store_q base;
	char name[16];
	int nparams;
	char **values;
	int *lengths;
	int *formats;
	PGresult *res;
	int row;
	int nrows;
	int ncols;
	unsigned char **blobs; /* decoded bytea of the current row, per column */
	size_t *blob_lens;
};

static const struct store_ops pg_ops;

static struct pg_store *
pg_store(struct store *s)
{
	return (struct pg_store *)s;
}

static struct pg_q *
pg_q(struct store_q *q)
{
	return (struct pg_q *)q;
}

/* Copies libpq's multi-line message as one line into out. */
static void
pg_one_line(const char *msg, char *out, size_t outsize)
{
	size_t i, j = 0;

	for (i = 0; msg && msg[i] && j + 1 < outsize; i++) {
		char c = msg[i];

		if (c == '\n' || c == '\t' || c == '\r')
			c = ' ';
		if (c == ' ' && (j == 0 || out[j - 1] == ' '))
			continue;
		out[j++] = c;
	}
	while (j > 0 && out[j - 1] == ' ')
		j--;
	if (outsize)
		out[j < outsize ? j : outsize - 1] = '\0';
}

/*
 * Notices ("relation already exists, skipping") are expected and dropped to keep stderr
 * clean. But libpq also hands over as a notice the FATAL error a server sends to an idle
 * connection before closing it (57P01 on shutdown or pg_terminate_backend): that marks
 * the store dead at once, before the socket's end is even read.
 */
static void
pg_notice(void *arg, const PGresult *res)
{
	struct pg_store *ps = arg;
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);

	if (sev && (strcmp(sev, "FATAL") == 0 || strcmp(sev, "PANIC") == 0)) {
		char msg[300];

		pg_one_line(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY), msg, sizeof(msg));
		store__errf(&ps->base, "The server closed the connection: %s", msg);
		ps->base.dead = true;
	}
}

/* Counts notifications that have already arrived; frees them. */
static void
pg_drain(struct pg_store *ps)
{
	PGnotify *n;

	while ((n = PQnotifies(ps->conn)) != NULL) {
		ps->base.seen++;
		PQfreemem(n);
	}
}

/*
 * Records a failed libpq call on ps: classifies it (see the file comment), writes
 * "what: message (SQLSTATE x)" into errmsg and returns the error.
 */
static enum err
pg_fail(struct pg_store *ps, const char *what, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char msg[300];
	enum err e = ERR_IO;

	pg_one_line(primary ? primary : PQerrorMessage(ps->conn), msg, sizeof(msg));
	if (state == NULL)
		state = "";
	if (PQstatus(ps->conn) == CONNECTION_BAD || strncmp(state, "08", 2) == 0 ||
	    strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 ||
	    strcmp(state, "57P03") == 0) {
		e = ERR_UNAVAIL;
		ps->base.dead = true;
	} else if (strcmp(state, "23505") == 0 || strcmp(state, "23503") == 0) {
		e = ERR_CONFLICT;
	} else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
		e = ERR_UNAVAIL;
	}
	store__errf(&ps->base, "%s: %s%s%s%s", what, msg[0] ? msg : "PostgreSQL error",
	            *state ? " (SQLSTATE " : "", state, *state ? ")" : "");
	return e;
}

/* Runs trusted SQL with PQexec; ok when the result is COMMAND_OK or TUPLES_OK. The
 * result is returned in *out when out is not NULL (caller PQclears). */
static enum err
pg_exec(struct pg_store *ps, const char *what, const char *sql, PGresult **out)
{
	PGresult *res = PQexec(ps->conn, sql);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	enum err e = ERR_OK;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		e = pg_fail(ps, what, res);
	pg_drain(ps);
	if (out && e == ERR_OK)
		*out = res;
	else
		PQclear(res);
	return e;
}

/* Rejects what PQconninfoParse rejects before trying to connect. */
static bool
pg_url_valid(const char *url)
{
	PQconninfoOption *opts;
	char *err = NULL;

	opts = PQconninfoParse(url, &err);
	PQfreemem(err);
	if (opts == NULL)
		return false;
	PQconninfoFree(opts);
	return true;
}

/*
 * Connects to url (a libpq URI), with password as a separate keyword when not NULL, then
 * sets synchronous_commit=on and LISTENs for changes. On failure returns NULL, *e is
 * ERR_UNAVAIL when the server could not be reached or refused for now, ERR_IO for a bad
 * URL or a failed login, and errbuf holds a sentence with the URL scrubbed.
 */
struct store *
store__pg_open(const char *url, const char *password, enum err *e, char *errbuf, size_t errsize)
{
	const char *keys[8], *vals[8];
	struct pg_store *ps;
	char shown[256], msg[300];
	int k = 0;

	store__scrub_url(url, shown, sizeof(shown));
	*e = ERR_IO;
	if (!pg_url_valid(url)) {
		snprintf(errbuf, errsize, "The PostgreSQL URL %s could not be parsed.", shown);
		return NULL;
	}
	if ((ps = calloc(1, sizeof(*ps))) == NULL) {
		*e = ERR_NOMEM;
		snprintf(errbuf, errsize, "Out of memory opening the database.");
		return NULL;
	}
	ps->base.ops = &pg_ops;
	/* Earlier keywords are defaults the URL may override; the password wins. */
	keys[k] = "connect_timeout", vals[k++] = PG_CONNECT_TIMEOUT;
	keys[k] = "fallback_application_name", vals[k++] = "candor";
	keys[k] = "client_encoding", vals[k++] = "UTF8";
	keys[k] = "dbname", vals[k++] = url;
	if (password)
		keys[k] = "password", vals[k++] = password;
	keys[k] = NULL, vals[k] = NULL;
	ps->conn = PQconnectdbParams(keys, vals, 1);
	if (ps->conn == NULL) {
		*e = ERR_NOMEM;
		snprintf(errbuf, errsize, "Out of memory connecting to %s.", shown);
		goto fail;
	}
	if (PQstatus(ps->conn) != CONNECTION_OK) {
		pg_one_line(PQerrorMessage(ps->conn), msg, sizeof(msg));
		*e = strstr(msg, "authentication failed") || strstr(msg, "does not exist")
		         ? ERR_IO
		         : ERR_UNAVAIL;
		snprintf(errbuf, errsize, "Cannot connect to %s: %s", shown, msg);
		goto fail;
	}
	PQsetNoticeReceiver(ps->conn, pg_notice, ps);
	if ((*e = pg_exec(ps, "connection setup",
	                  "SET synchronous_commit = on; LISTEN candor_changes", NULL)) != ERR_OK) {
		snprintf(errbuf, errsize, "Cannot set up the connection to %s: %s", shown,
		         ps->base.errmsg);
		goto fail;
	}
	ps->base.seen = 0;
	return &ps->base;
fail:
	PQfinish(ps->conn);
	free(ps);
	return NULL;
}

static void
pg_close(struct store *s)
{
	struct pg_store *ps = pg_store(s);

	store__cache_free(s);
	PQfinish(ps->conn);
	free(ps);
}

/*
 * Rewrites '?' placeholders outside quotes and comments to $1..$n into out; sets
 * *nparams.
 */
static void
pg_rewrite(const char *sql, struct buf *out, int *nparams)
{
	const char *p = sql, *end;
	int n = 0;

	while (*p) {
		if (*p == '\'' || *p == '"') {
			/* A doubled quote closes and reopens: the loop handles it. */
			end = strchr(p + 1, *p);
			end = end ? end + 1 : p + strlen(p);
			buf_append(out, p, (size_t)(end - p));
			p = end;
		} else if (p[0] == '-' && p[1] == '-') {
			end = p + strcspn(p, "\n");
			buf_append(out, p, (size_t)(end - p));
			p = end;
		} else if (p[0] == '/' && p[1] == '*') {
			end = strstr(p + 2, "*/");
			end = end ? end + 2 : p + strlen(p);
			buf_append(out, p, (size_t)(end - p));
			p = end;
		} else if (*p == '?') {
			buf_printf(out, "$%d", ++n);
			p++;
		} else {
			buf_putc(out, *p++);
		}
	}
	*nparams = n;
}

static void
pg_q_free(struct store_q *base)
{
	struct pg_q *q = pg_q(base);
	int i;

	if (q == NULL)
		return;
	PQclear(q->res);
	for (i = 0; i < q->nparams; i++)
		free(q->values[i]);
	for (i = 0; q->blobs && i < q->ncols; i++)
		PQfreemem(q->blobs[i]);
	free(q->blobs);
	free(q->blob_lens);
	free(q->values);
	free(q->lengths);
	free(q->formats);
	free(q);
}

/* Prepares st on the server as "s<index>". */
static struct store_q *
pg_prepare(struct store *s, const struct store_stmt *st, unsigned index)
{
	struct pg_store *ps = pg_store(s);
	struct pg_q *q;
	struct buf sql;
	PGresult *res = NULL;
	size_t n;

	buf_init(&sql);
	if ((q = calloc(1, sizeof(*q))) == NULL)
		goto nomem;
	q->base.s = s;
	q->base.st = st;
	q->base.index = index;
	q->row = -1;
	snprintf(q->name, sizeof(q->name), "s%u", index);
	pg_rewrite(st->sql, &sql, &q->nparams);
	if (sql.failed || sql.data == NULL)
		goto nomem;
	n = q->nparams > 0 ? (size_t)q->nparams : 1;
	q->values = calloc(n, sizeof(*q->values));
	q->lengths = calloc(n, sizeof(*q->lengths));
	q->formats = calloc(n, sizeof(*q->formats));
	if (q->values == NULL || q->lengths == NULL || q->formats == NULL)
		goto nomem;
	res = PQprepare(ps->conn, q->name, sql.data, 0, NULL);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_fail(ps, st->name ? st->name : "prepare", res);
		goto fail;
	}
	PQclear(res);
	buf_free(&sql);
	return &q->base;
nomem:
	store__errf(s, "Out of memory preparing a statement.");
fail:
	PQclear(res);
	pg_q_free(q ? &q->base : NULL);
	buf_free(&sql);
	return NULL;
}

/* Checks idx and frees what was bound there before. */
static enum err
pg_bind_slot(struct pg_q *q, int idx)
{
	if (idx < 1 || idx > q->nparams) {
		store__errf(q->base.s, "%s: parameter %d is out of range (1..%d).",
		            q->base.st->name, idx, q->nparams);
		return ERR_INVAL;
	}
	free(q->values[idx - 1]);
	q->values[idx - 1] = NULL;
	q->lengths[idx - 1] = 0;
	q->formats[idx - 1] = 0;
	return ERR_OK;
}

static enum err
pg_bind_int(struct store_q *base, int idx, int64_t v)
{
	struct pg_q *q = pg_q(base);
	enum err e;
	char num[24];

	if ((e = pg_bind_slot(q, idx)) != ERR_OK)
		return e;
	snprintf(num, sizeof(num), "%lld", (long long)v);
	if ((q->values[idx - 1] = strdup(num)) == NULL)
		return ERR_NOMEM;
	return ERR_OK;
}

static enum err
pg_bind_text(struct store_q *base, int idx, const char *v)
{
	struct pg_q *q = pg_q(base);
	enum err e;

	if ((e = pg_bind_slot(q, idx)) != ERR_OK)
		return e;
	if ((q->values[idx - 1] = strdup(v)) == NULL)
		return ERR_NOMEM;
	return ERR_OK;
}

static enum err
pg_bind_blob(struct store_q *base, int idx, const void *p, size_t n)
{
	struct pg_q *q = pg_q(base);
	enum err e;

	if ((e = pg_bind_slot(q, idx)) != ERR_OK)
		return e;
	if (n > (size_t)INT32_MAX) {
		store__errf(base->s, "%s: blob parameter %d is too large.", base->st->name, idx);
		return ERR_TOOBIG;
	}
	if ((q->values[idx - 1] = malloc(n ? n : 1)) == NULL)
		return ERR_NOMEM;
	memcpy(q->values[idx - 1], p, n);
	q->lengths[idx - 1] = (int)n;
	q->formats[idx - 1] = 1;
	return ERR_OK;
}

static enum err
pg_bind_null(struct store_q *base, int idx)
{
	return pg_bind_slot(pg_q(base), idx);
}

static void
pg_free_blobs(struct pg_q *q)
{
	int i;

	for (i = 0; q->blobs && i < q->ncols; i++) {
		PQfreemem(q->blobs[i]);
		q->blobs[i] = NULL;
		q->blob_lens[i] = 0;
	}
}

/* Tells PostgreSQL's other listeners about an autocommit write that has committed. */
static void
pg_notify_autocommit(struct pg_store *ps)
{
	if (pg_exec(ps, "NOTIFY", "NOTIFY candor_changes", NULL) != ERR_OK)
		log_warn("store: a write committed but other nodes were not notified: %s",
		         ps->base.errmsg);
	store__bump();
}

/* Sees from the command tag whether res changed rows. */
static bool
pg_result_wrote(const PGresult *res)
{
	const char *tag = PQcmdStatus((PGresult *)res);
	const char *count = PQcmdTuples((PGresult *)res);

	if (strncmp(tag, "INSERT ", 7) != 0 && strncmp(tag, "UPDATE ", 7) != 0 &&
	    strncmp(tag, "DELETE ", 7) != 0 && strncmp(tag, "MERGE ", 6) != 0)
		return false;
	return count[0] != '\0' && strcmp(count, "0") != 0;
}

/* Runs the prepared statement on the first step, then walks its rows. */
static enum store_rc
pg_step(struct store_q *base)
{
	struct pg_q *q = pg_q(base);
	struct pg_store *ps = pg_store(base->s);
	ExecStatusType st;
	int n;

	if (q->res == NULL) {
		q->res = PQexecPrepared(ps->conn, q->name, q->nparams,
		                        (const char *const *)q->values, q->lengths, q->formats, 0);
		st = q->res ? PQresultStatus(q->res) : PGRES_FATAL_ERROR;
		if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
			base->err = pg_fail(ps, base->st->name, q->res);
			PQclear(q->res);
			q->res = NULL;
			pg_drain(ps);
			return STORE_FAIL;
		}
		pg_drain(ps);
		q->nrows = st == PGRES_TUPLES_OK ? PQntuples(q->res) : 0;
		n = PQnfields(q->res);
		q->row = -1;
		if (n > 0) {
			q->blobs = calloc((size_t)n, sizeof(*q->blobs));
			q->blob_lens = calloc((size_t)n, sizeof(*q->blob_lens));
			if (q->blobs == NULL || q->blob_lens == NULL) {
				store__errf(base->s, "Out of memory reading a result.");
				base->err = ERR_NOMEM;
				return STORE_FAIL;
			}
			q->ncols = n;
		}
		if (pg_result_wrote(q->res)) {
			if (base->s->in_tx)
				base->s->tx_wrote = true;
			else
				pg_notify_autocommit(ps);
		}
	}
	pg_free_blobs(q);
	if (q->row + 1 < q->nrows) {
		q->row++;
		return STORE_ROW;
	}
	q->row = q->nrows;
	return STORE_DONE;
}

static bool
pg_col_ok(struct pg_q *q, int col)
{
	return q->res && col >= 0 && col < q->ncols && q->row >= 0 && q->row < q->nrows;
}

static int64_t
pg_col_int(struct store_q *base, int col)
{
	struct pg_q *q = pg_q(base);
	const char *v;

	if (!pg_col_ok(q, col) || PQgetisnull(q->res, q->row, col))
		return 0;
	v = PQgetvalue(q->res, q->row, col);
	if (PQftype(q->res, col) == PG_BOOL_OID)
		return v[0] == 't';
	return strtoll(v, NULL, 10);
}

static const char *
pg_col_text(struct store_q *base, int col)
{
	struct pg_q *q = pg_q(base);

	return pg_col_ok(q, col) ? PQgetvalue(q->res, q->row, col) : NULL;
}

/* bytea columns arrive escaped (text results): decode once per row and column. */
static const void *
pg_col_blob(struct store_q *base, int col, size_t *n)
{
	struct pg_q *q = pg_q(base);
	const char *v;

	if (!pg_col_ok(q, col) || PQgetisnull(q->res, q->row, col))
		return NULL;
	v = PQgetvalue(q->res, q->row, col);
	if (PQftype(q->res, col) != PG_BYTEA_OID) {
		*n = (size_t)PQgetlength(q->res, q->row, col);
		return v;
	}
	if (q->blobs[col] == NULL) {
		q->blobs[col] = PQunescapeBytea((const unsigned char *)v, &q->blob_lens[col]);
		if (q->blobs[col] == NULL) {
			store__errf(base->s, "Out of memory decoding a blob.");
			if (base->err == ERR_OK)
				base->err = ERR_NOMEM;
			return NULL;
		}
	}
	*n = q->blob_lens[col];
	return q->blobs[col];
}

static bool
pg_col_null(struct store_q *base, int col)
{
	struct pg_q *q = pg_q(base);

	return !pg_col_ok(q, col) || PQgetisnull(q->res, q->row, col);
}

static void
pg_reset(struct store_q *base)
{
	struct pg_q *q = pg_q(base);
	int i;

	pg_free_blobs(q);
	free(q->blobs);
	free(q->blob_lens);
	q->blobs = NULL;
	q->blob_lens = NULL;
	q->ncols = 0;
	PQclear(q->res);
	q->res = NULL;
	q->row = -1;
	q->nrows = 0;
	for (i = 0; i < q->nparams; i++) {
		free(q->values[i]);
		q->values[i] = NULL;
		q->lengths[i] = 0;
		q->formats[i] = 0;
	}
}

static enum err
pg_script(struct store *s, const char *sql)
{
	enum err e = pg_exec(pg_store(s), "script", sql, NULL);

	if (e == ERR_OK && !s->in_tx)
		pg_notify_autocommit(pg_store(s));
	return e;
}

static enum err
pg_begin(struct store *s)
{
	return pg_exec(pg_store(s), "BEGIN", "BEGIN", NULL);
}

/*
 * Commits, sending the change notification in the same round trip when the transaction
 * wrote. PostgreSQL answers COMMIT of an aborted transaction with the tag ROLLBACK: that
 * is a failure here. A transaction left open by a failure is rolled back.
 */
static enum err
pg_commit(struct store *s)
{
	struct pg_store *ps = pg_store(s);
	PGresult *res = NULL;
	enum err e;
	bool wrote = s->tx_wrote;

	e = pg_exec(ps, "COMMIT", wrote ? "NOTIFY candor_changes; COMMIT" : "COMMIT", &res);
	if (e == ERR_OK && strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		store__errf(s, "COMMIT: the server rolled the transaction back.");
		e = ERR_IO;
	}
	PQclear(res);
	if (e != ERR_OK) {
		PGTransactionStatusType ts = PQtransactionStatus(ps->conn);

		if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
			char why[STORE__ERRMSG];

			str_copy(why, s->errmsg, sizeof(why));
			pg_exec(ps, "ROLLBACK", "ROLLBACK", NULL);
			str_copy(s->errmsg, why, sizeof(s->errmsg));
		}
		return e;
	}
	if (wrote)
		store__bump();
	return ERR_OK;
}

static void
pg_rollback(struct store *s)
{
	struct pg_store *ps = pg_store(s);
	PGTransactionStatusType ts = PQtransactionStatus(ps->conn);

	if (ts != PQTRANS_INTRANS && ts != PQTRANS_INERROR)
		return;
	if (pg_exec(ps, "ROLLBACK", "ROLLBACK", NULL) != ERR_OK)
		log_error("store: %s", s->errmsg);
}

static enum err
pg_migrate_lock(struct store *s)
{
	return pg_exec(pg_store(s), "migration lock", PG_MIGRATION_LOCK, NULL);
}

/*
 * Reads what the server already sent (notifications, or the end of a dropped
 * connection) without waiting. A lost connection marks the store dead and counts as a
 * change on every call.
 */
static void
pg_poll(struct store *s)
{
	struct pg_store *ps = pg_store(s);

	if (!s->dead && (PQconsumeInput(ps->conn) == 0 || PQstatus(ps->conn) != CONNECTION_OK)) {
		pg_one_line(PQerrorMessage(ps->conn), s->errmsg, sizeof(s->errmsg));
		s->dead = true;
	}
	if (s->dead) {
		s->seen++;
		return;
	}
	pg_drain(ps);
}

static const struct store_stmt pg_count_tables = {
    "count_tables", "SELECT COUNT(*) FROM information_schema.tables"
                    " WHERE table_schema = current_schema()"};

/*
 * Identity columns keep their own sequence: after `candor db copy` inserted rows with
 * explicit ids, the sequence must continue after the largest. table and column come from
 * the modules' static store_table descriptors, never from input, and are checked to be
 * plain identifiers before they are put into the statement.
 */
static enum err
pg_sync_identity(struct store *s, const char *table, const char *column)
{
	char sql[512];
	const char *p;

	for (p = table; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return ERR_INVAL;
	for (p = column; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return ERR_INVAL;
	snprintf(sql, sizeof(sql),
	    "SELECT setval(pg_get_serial_sequence('%s', '%s'), COALESCE(MAX(%s), 0) + 1, false)"
	    " FROM %s",
	    table, column, column, table);
	return pg_ops.script(s, sql);
}

static const struct store_ops pg_ops = {
    .count_tables = &pg_count_tables,
    .sync_identity = pg_sync_identity,
    .name = "postgresql",
    .id_type = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    .blob_type = "BYTEA",
    .close = pg_close,
    .prepare = pg_prepare,
    .q_free = pg_q_free,
    .bind_int = pg_bind_int,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_int = pg_col_int,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .col_null = pg_col_null,
    .reset = pg_reset,
    .script = pg_script,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .migrate_lock = pg_migrate_lock,
    .poll = pg_poll,
};
