/*
 * report: the analytics reports over the daily rollups, with the public suppression of
 * PRODUCT.md B3 (report.h says what is hidden and why), their JSON and CSV writers, the
 * period parser of the forms and the command line, and the publication settings.
 *
 * Invariants: a report reads analytics_days and analytics_dims only; every figure a
 * public report gives is either at least k or marked hidden; a dimension's value sums
 * only cells of at least k views and k visitors, so what is listed rests on k people a
 * day. Sorting is done here (most views, then most visitors, then the value's bytes), so
 * both backends list ties in the same order whatever their collation.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analytics/report.h"

/* ---------------------------------------------------------------- statements ---- */

enum {
	SQL_DAYS_SITE,
	SQL_DAYS_ALL,
	SQL_DIMS_SITE,
	SQL_DIMS_ALL,
	SQL_DIMS_SITE_PRIVATE,
	SQL_DIMS_ALL_PRIVATE,
	SQL_PUB_GET,
	SQL_PUB_DELETE,
	SQL_PUB_INSERT,
	SQL_PUB_COPY_SELECT,
	SQL_PUB_COPY_INSERT,
	SQL__MAX
};

/* The dimension statements bind k four times: a cell counts for its value when it has
 * at least k views and k visitors (k 0: every cell). */
#define REPORT_CELL_OK "views >= ? AND visitors >= ?"
#define REPORT_DIMS_COLUMNS                                                                \
	"SELECT value,"                                                                    \
	" SUM(CASE WHEN " REPORT_CELL_OK " THEN views ELSE 0 END),"                        \
	" SUM(CASE WHEN " REPORT_CELL_OK " THEN visitors ELSE 0 END),"                     \
	" SUM(views), SUM(visitors) FROM analytics_dims"

static const struct store_stmt report_sql[SQL__MAX] = {
	[SQL_DAYS_SITE] = {"report_days_site",
	    "SELECT day, views, visitors, bot_views FROM analytics_days"
	    " WHERE site_id = ? AND day >= ? AND day <= ? ORDER BY day"},
	[SQL_DAYS_ALL] = {"report_days_all",
	    "SELECT day, SUM(views), SUM(visitors), SUM(bot_views) FROM analytics_days"
	    " WHERE day >= ? AND day <= ? GROUP BY day ORDER BY day"},
	[SQL_DIMS_SITE] = {"report_dims_site", REPORT_DIMS_COLUMNS
	    " WHERE site_id = ? AND day >= ? AND day <= ? AND dim = ? GROUP BY value"},
	[SQL_DIMS_ALL] = {"report_dims_all", REPORT_DIMS_COLUMNS
	    " WHERE day >= ? AND day <= ? AND dim = ? GROUP BY value"},
	/* private reports (k 0) count every cell: the same columns without the CASE,
	 * which costs about half of the query's time */
	[SQL_DIMS_SITE_PRIVATE] = {"report_dims_site_private",
	    "SELECT value, SUM(views), SUM(visitors), SUM(views), SUM(visitors)"
	    " FROM analytics_dims"
	    " WHERE site_id = ? AND day >= ? AND day <= ? AND dim = ? GROUP BY value"},
	[SQL_DIMS_ALL_PRIVATE] = {"report_dims_all_private",
	    "SELECT value, SUM(views), SUM(visitors), SUM(views), SUM(visitors)"
	    " FROM analytics_dims WHERE day >= ? AND day <= ? AND dim = ? GROUP BY value"},
	[SQL_PUB_GET] = {"report_pub_get",
	    "SELECT k FROM analytics_publications WHERE site_id = ?"},
	[SQL_PUB_DELETE] = {"report_pub_delete",
	    "DELETE FROM analytics_publications WHERE site_id = ?"},
	[SQL_PUB_INSERT] = {"report_pub_insert",
	    "INSERT INTO analytics_publications (site_id, k, published_at) VALUES (?, ?, ?)"},
	[SQL_PUB_COPY_SELECT] = {"copy_analytics_publications_select",
	    "SELECT site_id, k, published_at FROM analytics_publications ORDER BY site_id"},
	[SQL_PUB_COPY_INSERT] = {"copy_analytics_publications_insert",
	    "INSERT INTO analytics_publications (site_id, k, published_at) VALUES (?, ?, ?)"},
};

static const struct store_migration report_migrations[] = {
	{1, "CREATE TABLE analytics_publications ("
	    " site_id BIGINT PRIMARY KEY," /* 0: /stats/all */
	    " k BIGINT NOT NULL,"
	    " published_at BIGINT NOT NULL)"},
	/* the reports read one site's one dimension over a range of days: this index holds
	 * exactly those rows, together and with their figures (a covering index), so a
	 * report reads neither the other dimensions nor the table (bench/report.sh) */
	{2, "CREATE INDEX analytics_dims_report ON analytics_dims"
	    " (site_id, dim, day, value, views, visitors)"},
};

const struct store_table report_tables[] = {
	{"analytics_publications", "iii", &report_sql[SQL_PUB_COPY_SELECT],
	    &report_sql[SQL_PUB_COPY_INSERT], NULL},
};
const size_t report_tables_count = COUNTOF(report_tables);

enum err
report_migrate(struct store *s)
{
	return store_migrate(s, "analytics_report", report_migrations,
	    COUNTOF(report_migrations));
}

/* ------------------------------------------------------------------- periods ---- */

void
report_day_text(int64_t day, char out[11])
{
	char t[21];

	time_rfc3339(day * 86400, t);
	memcpy(out, t, 10);
	out[10] = '\0';
}

/* A date of the form into a day number; false with a sentence naming which one. */
static bool
report_date(const char *text, const char *which, int64_t *day, char *msg, size_t msgsize)
{
	int64_t t;

	if (text == NULL || text[0] == '\0') {
		snprintf(msg, msgsize, "A custom period needs both dates: the %s date is "
				       "missing (YYYY-MM-DD).", which);
		return false;
	}
	if (time_parse_date(text, &t) != ERR_OK) {
		snprintf(msg, msgsize, "The %s date is not a real date written as YYYY-MM-DD "
				       "(for example 2026-11-01).", which);
		return false;
	}
	*day = t / 86400;
	return true;
}

enum err
report_period_parse(const char *range, const char *from, const char *to, int64_t today,
    struct report_period *out, char *msg, size_t msgsize)
{
	memset(out, 0, sizeof(*out));
	if (range == NULL || range[0] == '\0')
		range = "30";
	if (strcmp(range, "7") == 0 || strcmp(range, "30") == 0 || strcmp(range, "90") == 0) {
		out->range = atoi(range);
		out->to = today;
		out->from = today - out->range + 1;
		return ERR_OK;
	}
	if (strcmp(range, "custom") != 0) {
		str_msg(msg, msgsize, "The period must be 7, 30 or 90 days, or custom dates.");
		return ERR_INVAL;
	}
	if (!report_date(from, "start", &out->from, msg, msgsize) ||
	    !report_date(to, "end", &out->to, msg, msgsize))
		goto fail;
	if (out->from > out->to) {
		str_msg(msg, msgsize, "The start date is after the end date.");
		goto fail;
	}
	if (out->to - out->from + 1 > LIMIT_REPORT_DAYS) {
		snprintf(msg, msgsize, "A period can be at most %d days long.", LIMIT_REPORT_DAYS);
		goto fail;
	}
	return ERR_OK;
fail:
	memset(out, 0, sizeof(*out));
	return ERR_INVAL;
}

/* -------------------------------------------------------------------- labels ---- */

const char *
report_dim_name(enum analytics_dim d)
{
	switch (d) {
	case ANALYTICS_DIM_PATH:
		return "path";
	case ANALYTICS_DIM_REFERRER:
		return "referrer";
	case ANALYTICS_DIM_BROWSER:
		return "browser";
	case ANALYTICS_DIM_LANGUAGE:
		return "language";
	}
	return "unknown";
}

const char *
report_dim_title(enum analytics_dim d)
{
	switch (d) {
	case ANALYTICS_DIM_PATH:
		return "Pages";
	case ANALYTICS_DIM_REFERRER:
		return "Referring sites";
	case ANALYTICS_DIM_BROWSER:
		return "Browsers";
	case ANALYTICS_DIM_LANGUAGE:
		return "Languages";
	}
	return "Unknown";
}

/* ------------------------------------------------------------------- reports ---- */

static struct report_figure
report_figure(int64_t n, int k)
{
	struct report_figure f = {n, k > 0 && n < k};

	return f;
}

/* One value of a dimension as read: what passed the cell rule and everything. */
struct report_value {
	const char *value;
	int64_t views, visitors;         /* cells of at least k views and visitors */
	int64_t all_views, all_visitors; /* every cell */
};

static enum err
report_value_row(struct store_q *q, struct arena *a, void *element)
{
	struct report_value *v = element;

	if ((v->value = arena_strdup(a, store_col_text(q, 0))) == NULL)
		return ERR_NOMEM;
	v->views = store_col_int(q, 1);
	v->visitors = store_col_int(q, 2);
	v->all_views = store_col_int(q, 3);
	v->all_visitors = store_col_int(q, 4);
	return ERR_OK;
}

static int
report_value_cmp(const void *pa, const void *pb)
{
	const struct report_value *a = pa, *b = pb;

	if (a->views != b->views)
		return a->views > b->views ? -1 : 1;
	if (a->visitors != b->visitors)
		return a->visitors > b->visitors ? -1 : 1;
	return strcmp(a->value, b->value);
}

/* What a stored value is shown as: "" means none (a request without a referrer or an
 * Accept-Language). */
static const char *
report_label(const char *value)
{
	return value[0] ? value : "(none)";
}

static enum err
report_dim_build(struct store *s, struct arena *a, const struct report *r, size_t top,
    enum analytics_dim dim, struct report_dim *out)
{
	struct report_value *v = NULL;
	struct store_q *q;
	int64_t other_views = 0, other_visitors = 0;
	size_t n = 0, i;
	enum err e;
	int c = 1, which;

	memset(out, 0, sizeof(*out));
	out->dim = dim;
	if (r->k > 0)
		which = r->site_id == REPORT_ALL_SITES ? SQL_DIMS_ALL : SQL_DIMS_SITE;
	else
		which = r->site_id == REPORT_ALL_SITES ? SQL_DIMS_ALL_PRIVATE
						       : SQL_DIMS_SITE_PRIVATE;
	if ((q = store_prepare(s, &report_sql[which])) == NULL)
		return ERR_IO;
	for (i = 0; r->k > 0 && i < 4; i++)
		store_bind_int(q, c++, r->k);
	if (r->site_id != REPORT_ALL_SITES)
		store_bind_int(q, c++, r->site_id);
	store_bind_int(q, c++, r->from);
	store_bind_int(q, c++, r->to);
	store_bind_int(q, c++, dim);
	if ((e = store_collect(q, a, sizeof(*v), report_value_row, (void **)&v, &n)) != ERR_OK)
		return e;
	if (n > 1)
		qsort(v, n, sizeof(*v), report_value_cmp);
	if ((out->rows = arena_alloc(a, (top < n ? top : n) * sizeof(*out->rows) + 1)) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < n; i++) {
		/* listed: among the top, and (public) what passed is at least k, which holds
		 * whenever anything passed since each passing cell has k of both */
		if (out->n < top && v[i].views > 0 && v[i].views >= r->k && v[i].visitors >= r->k) {
			out->rows[out->n].label = report_label(v[i].value);
			out->rows[out->n].views = report_figure(v[i].views, r->k);
			out->rows[out->n].visitors = report_figure(v[i].visitors, r->k);
			out->n++;
			other_views += v[i].all_views - v[i].views;
			other_visitors += v[i].all_visitors - v[i].visitors;
		} else {
			other_views += v[i].all_views;
			other_visitors += v[i].all_visitors;
		}
	}
	/* secondary suppression: an "other" of 1..k-1 would be readable by subtracting the
	 * listed rows from the published total, so the smallest listed rows join it until
	 * it is 0 or at least k */
	while (r->k > 0 && out->n > 0 && ((other_views > 0 && other_views < r->k) ||
	    (other_visitors > 0 && other_visitors < r->k))) {
		out->n--;
		other_views += out->rows[out->n].views.n;
		other_visitors += out->rows[out->n].visitors.n;
	}
	out->other.label = "(other)";
	out->other.views = report_figure(other_views, r->k);
	out->other.visitors = report_figure(other_visitors, r->k);
	out->has_other = other_views > 0 || other_visitors > 0;
	return ERR_OK;
}

/*
 * Secondary suppression of the public series, for one measure: the hidden days' sum is
 * what the published total minus the shown days gives away, so while it is 1..k-1 the
 * shown day with the smallest figure (the earliest on a tie) is hidden too. Afterwards
 * the hidden days together hold 0 or at least k.
 */
static void
report_days_secondary(struct report *r, bool visitors)
{
	struct report_figure *f, *least;
	int64_t hidden;
	size_t i;

	if (r->k == 0)
		return;
	for (;;) {
		hidden = 0;
		least = NULL;
		for (i = 0; i < r->ndays; i++) {
			f = visitors ? &r->days[i].visitors : &r->days[i].views;
			if (f->hidden)
				hidden += f->n;
			else if (least == NULL || f->n < least->n)
				least = f;
		}
		if (hidden == 0 || hidden >= r->k || least == NULL)
			return;
		least->hidden = true;
	}
}

static enum err
report_days_build(struct store *s, struct arena *a, struct report *r)
{
	struct store_q *q;
	struct report_day *d;
	int64_t day, views = 0, visitors = 0, bots = 0;
	enum store_rc rc;
	size_t i;
	int c = 1;

	r->ndays = (size_t)(r->to - r->from + 1);
	if ((r->days = arena_alloc(a, r->ndays * sizeof(*r->days))) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < r->ndays; i++) {
		memset(&r->days[i], 0, sizeof(r->days[i]));
		r->days[i].day = r->from + (int64_t)i;
	}
	q = store_prepare(s, &report_sql[r->site_id == REPORT_ALL_SITES ? SQL_DAYS_ALL
									  : SQL_DAYS_SITE]);
	if (q == NULL)
		return ERR_IO;
	if (r->site_id != REPORT_ALL_SITES)
		store_bind_int(q, c++, r->site_id);
	store_bind_int(q, c++, r->from);
	store_bind_int(q, c++, r->to);
	while ((rc = store_step(q)) == STORE_ROW) {
		day = store_col_int(q, 0);
		if (day < r->from || day > r->to)
			continue;
		d = &r->days[day - r->from];
		d->views.n = store_col_int(q, 1);
		d->visitors.n = store_col_int(q, 2);
		views += d->views.n;
		visitors += d->visitors.n;
		bots += store_col_int(q, 3);
	}
	if (rc == STORE_FAIL) {
		enum err e = store_done(q);

		return e != ERR_OK ? e : ERR_IO;
	}
	for (i = 0; i < r->ndays; i++) {
		r->days[i].views = report_figure(r->days[i].views.n, r->k);
		r->days[i].visitors = report_figure(r->days[i].visitors.n, r->k);
	}
	report_days_secondary(r, false);
	report_days_secondary(r, true);
	r->views = report_figure(views, r->k);
	r->visitors = report_figure(visitors, r->k);
	r->bot_views = r->k ? 0 : bots;
	return store_done(q);
}

enum err
report_build(struct store *s, struct arena *a, int64_t site_id, int64_t from, int64_t to,
    size_t top, int k, struct report *out)
{
	static const enum analytics_dim dims[REPORT_DIMS] = {ANALYTICS_DIM_PATH,
	    ANALYTICS_DIM_REFERRER, ANALYTICS_DIM_BROWSER, ANALYTICS_DIM_LANGUAGE};
	enum err e;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (from > to || to - from + 1 > LIMIT_REPORT_DAYS || from < 0 || top < 1 ||
	    top > LIMIT_REPORT_TOP || k < 0 || (k > 0 && k < REPORT_K_MIN) ||
	    k > LIMIT_REPORT_K_MAX || site_id < 0)
		return ERR_INVAL;
	out->site_id = site_id;
	out->from = from;
	out->to = to;
	out->k = k;
	if ((e = report_days_build(s, a, out)) != ERR_OK)
		return e;
	for (i = 0; i < REPORT_DIMS; i++)
		if ((e = report_dim_build(s, a, out, top, dims[i], &out->dims[i])) != ERR_OK)
			return e;
	return ERR_OK;
}

/* ------------------------------------------------------------------- writers ---- */

static json_t *
report_json_figure(const struct report *r, struct report_figure f)
{
	char text[48];

	if (f.hidden) {
		snprintf(text, sizeof(text), "fewer than %d", r->k);
		return json_string(text);
	}
	return json_integer(f.n);
}

/* Sets key to value in o, taking the reference; false when either is missing. */
static bool
report_json_set(json_t *o, const char *key, json_t *value)
{
	return value != NULL && json_object_set_new(o, key, value) == 0;
}

static bool
report_json_row(const struct report *r, json_t *list, const struct report_row *row)
{
	json_t *o = json_object();

	if (o == NULL || json_array_append_new(list, o) != 0)
		return false;
	return report_json_set(o, "value", json_string(row->label)) &&
	    report_json_set(o, "views", report_json_figure(r, row->views)) &&
	    report_json_set(o, "visitors", report_json_figure(r, row->visitors));
}

enum err
report_json(const struct report *r, const char *site, struct buf *out)
{
	json_t *root = json_object(), *list, *o;
	char date[11];
	char *text = NULL;
	enum err e = ERR_NOMEM;
	size_t i, j;
	bool ok;

	if (root == NULL)
		goto out;
	report_day_text(r->from, date);
	ok = report_json_set(root, "site", json_string(site)) &&
	    report_json_set(root, "from", json_string(date));
	report_day_text(r->to, date);
	ok = ok && report_json_set(root, "to", json_string(date)) &&
	    report_json_set(root, "k", r->k ? json_integer(r->k) : json_null()) &&
	    report_json_set(root, "views", report_json_figure(r, r->views)) &&
	    report_json_set(root, "visitors", report_json_figure(r, r->visitors));
	if (ok && r->k == 0)
		ok = report_json_set(root, "bot_views", json_integer(r->bot_views));
	if (!ok || !report_json_set(root, "days", list = json_array()))
		goto out;
	for (i = 0; i < r->ndays; i++) {
		if ((o = json_object()) == NULL || json_array_append_new(list, o) != 0)
			goto out;
		report_day_text(r->days[i].day, date);
		if (!report_json_set(o, "date", json_string(date)) ||
		    !report_json_set(o, "views", report_json_figure(r, r->days[i].views)) ||
		    !report_json_set(o, "visitors", report_json_figure(r, r->days[i].visitors)))
			goto out;
	}
	for (j = 0; j < REPORT_DIMS; j++) {
		const struct report_dim *d = &r->dims[j];

		if (!report_json_set(root, report_dim_name(d->dim), list = json_array()))
			goto out;
		for (i = 0; i < d->n; i++)
			if (!report_json_row(r, list, &d->rows[i]))
				goto out;
		if (d->has_other && !report_json_row(r, list, &d->other))
			goto out;
	}
	/* values are valid UTF-8 (the recorder stores decoded, checked paths); one that is
	 * not would make json_string fail above, reported as ERR_NOMEM like any failure */
	if ((text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER)) == NULL)
		goto out;
	buf_puts(out, text);
	buf_putc(out, '\n');
	e = ERR_OK;
out:
	free(text);
	json_decref(root);
	return e;
}

/* One CSV field: quoted when it holds a comma, quote or line break; a leading = + - @
 * gets a ' so a spreadsheet shows it as text. */
static void
report_csv_field(struct buf *out, const char *s)
{
	const char *p;

	bool formula = s[0] != '\0' && strchr("=+-@", s[0]) != NULL;

	if (strpbrk(s, ",\"\r\n") == NULL && !formula) {
		buf_puts(out, s);
		return;
	}
	buf_putc(out, '"');
	if (formula)
		buf_putc(out, '\'');
	for (p = s; *p; p++) {
		if (*p == '"')
			buf_putc(out, '"');
		buf_putc(out, *p);
	}
	buf_putc(out, '"');
}

static void
report_csv_figure(struct buf *out, const struct report *r, struct report_figure f)
{
	if (f.hidden)
		buf_printf(out, "fewer than %d", r->k);
	else
		buf_printf(out, "%lld", (long long)f.n);
}

static void
report_csv_line(struct buf *out, const struct report *r, const char *section,
    const char *value, struct report_figure views, struct report_figure visitors)
{
	buf_puts(out, section);
	buf_putc(out, ',');
	report_csv_field(out, value);
	buf_putc(out, ',');
	report_csv_figure(out, r, views);
	buf_putc(out, ',');
	report_csv_figure(out, r, visitors);
	buf_puts(out, "\r\n");
}

void
report_csv(const struct report *r, struct buf *out)
{
	char date[11];
	size_t i, j;

	buf_puts(out, "section,value,views,visitors\r\n");
	report_csv_line(out, r, "total", "", r->views, r->visitors);
	for (i = 0; i < r->ndays; i++) {
		report_day_text(r->days[i].day, date);
		report_csv_line(out, r, "day", date, r->days[i].views, r->days[i].visitors);
	}
	for (j = 0; j < REPORT_DIMS; j++) {
		const struct report_dim *d = &r->dims[j];

		for (i = 0; i < d->n; i++)
			report_csv_line(out, r, report_dim_name(d->dim), d->rows[i].label,
			    d->rows[i].views, d->rows[i].visitors);
		if (d->has_other)
			report_csv_line(out, r, report_dim_name(d->dim), d->other.label,
			    d->other.views, d->other.visitors);
	}
}

/* --------------------------------------------------------------- publication ---- */

enum err
report_publish(struct store *s, int64_t site_id, int k, int64_t now)
{
	struct store_q *q;
	enum err e;

	if (k < REPORT_K_MIN || k > LIMIT_REPORT_K_MAX || site_id < 0)
		return ERR_INVAL;
	if ((e = store_begin(s)) != ERR_OK)
		return e;
	if ((q = store_prepare(s, &report_sql[SQL_PUB_DELETE])) == NULL) {
		e = ERR_IO;
		goto fail;
	}
	store_bind_int(q, 1, site_id);
	store_step(q);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if ((q = store_prepare(s, &report_sql[SQL_PUB_INSERT])) == NULL) {
		e = ERR_IO;
		goto fail;
	}
	store_bind_int(q, 1, site_id);
	store_bind_int(q, 2, k);
	store_bind_int(q, 3, now);
	store_step(q);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	return store_commit(s);
fail:
	store_rollback(s);
	return e;
}

enum err
report_unpublish(struct store *s, int64_t site_id)
{
	struct store_q *q;

	if ((q = store_prepare(s, &report_sql[SQL_PUB_DELETE])) == NULL)
		return ERR_IO;
	store_bind_int(q, 1, site_id);
	store_step(q);
	return store_done(q);
}

enum err
report_published(struct store *s, int64_t site_id, int *k)
{
	struct store_q *q;
	enum store_rc rc;
	enum err e;

	*k = 0;
	if ((q = store_prepare(s, &report_sql[SQL_PUB_GET])) == NULL)
		return ERR_IO;
	store_bind_int(q, 1, site_id);
	if ((rc = store_step(q)) == STORE_ROW)
		*k = (int)store_col_int(q, 0);
	e = store_done(q);
	if (e == ERR_OK && rc == STORE_FAIL)
		e = ERR_IO;
	if (e == ERR_OK && rc == STORE_DONE)
		e = ERR_NOTFOUND;
	return e;
}
