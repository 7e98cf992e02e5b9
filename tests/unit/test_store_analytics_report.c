/*
 * test_store_analytics_report: the analytics reports over rollup rows inserted directly
 * (the recorder is not involved), on both backends. Exact totals, bot views and the
 * per-day series (days without a row are 0) for one site and for all sites; the top 10
 * of a dimension with ties in byte order and the rest in "other"; public suppression at
 * k-1, k and k+1 for totals, days, listed values and "other"; the per-day path rule (a
 * path's cells of fewer than k visitors go to "other", so two periods differing by one
 * day never reveal that day); secondary suppression (an "other" or a set of hidden days
 * holding 1..k-1 takes the smallest listed row or shown day with it); k 1 and k below 2
 * refused by report_build and report_publish; the JSON and CSV writers say "fewer than k" and never the hidden
 * number; the period parser's answers and sentences; publication on and off.
 */
#include <jansson.h>

#include "analytics/report.h"
#include "testlib.h"

static struct store *st;
static struct arena *ar;

static const struct store_stmt t_day_sql = {"t_day",
    "INSERT INTO analytics_days (site_id, day, views, visitors, bot_views)"
    " VALUES (?, ?, ?, ?, ?)"};
static const struct store_stmt t_dim_sql = {"t_dim",
    "INSERT INTO analytics_dims (site_id, day, dim, value, views, visitors)"
    " VALUES (?, ?, ?, ?, ?, ?)"};

#define D0 20000 /* 2024-10-04 */

static void
day(int64_t site, int64_t d, int64_t views, int64_t visitors, int64_t bots)
{
	struct store_q *q = store_prepare(st, &t_day_sql);

	T_ASSERT(q != NULL);
	store_bind_int(q, 1, site);
	store_bind_int(q, 2, d);
	store_bind_int(q, 3, views);
	store_bind_int(q, 4, visitors);
	store_bind_int(q, 5, bots);
	T_EQ_INT(store_step(q), STORE_DONE);
	T_EQ_INT(store_done(q), ERR_OK);
}

static void
dim(int64_t site, int64_t d, enum analytics_dim which, const char *value, int64_t views,
    int64_t visitors)
{
	struct store_q *q = store_prepare(st, &t_dim_sql);

	T_ASSERT(q != NULL);
	store_bind_int(q, 1, site);
	store_bind_int(q, 2, d);
	store_bind_int(q, 3, which);
	store_bind_text(q, 4, value);
	store_bind_int(q, 5, views);
	store_bind_int(q, 6, visitors);
	T_EQ_INT(store_step(q), STORE_DONE);
	T_EQ_INT(store_done(q), ERR_OK);
}

static struct report
build(int64_t site, int64_t from, int64_t to, int k)
{
	struct report r;

	T_EQ_INT(report_build(st, ar, site, from, to, LIMIT_REPORT_TOP, k, &r), ERR_OK);
	return r;
}

static const struct report_dim *
dim_of(const struct report *r, enum analytics_dim d)
{
	size_t i;

	for (i = 0; i < REPORT_DIMS; i++)
		if (r->dims[i].dim == d)
			return &r->dims[i];
	T_FAIL("no dimension %d", (int)d);
}

/* The listed row labelled label, or NULL. */
static const struct report_row *
row_of(const struct report *r, enum analytics_dim d, const char *label)
{
	const struct report_dim *x = dim_of(r, d);
	size_t i;

	for (i = 0; i < x->n; i++)
		if (strcmp(x->rows[i].label, label) == 0)
			return &x->rows[i];
	return NULL;
}

#define T_FIG(f, value, is_hidden)                                                         \
	do {                                                                               \
		T_EQ_INT((f).n, value);                                                    \
		T_EQ_INT((f).hidden, is_hidden);                                           \
	} while (0)

/* Totals, bots and the series of one site and of all sites. */
static void
check_totals(void)
{
	struct report r;

	day(1, D0, 10, 4, 1);
	day(1, D0 + 1, 20, 6, 2);
	day(1, D0 + 5, 7, 7, 0); /* outside the period below */
	day(2, D0, 100, 50, 9);
	r = build(1, D0, D0 + 2, 0);
	T_EQ_INT(r.site_id, 1);
	T_FIG(r.views, 30, false);
	T_FIG(r.visitors, 10, false);
	T_EQ_INT(r.bot_views, 3);
	T_EQ_INT(r.ndays, 3);
	T_EQ_INT(r.days[0].day, D0);
	T_FIG(r.days[0].views, 10, false);
	T_FIG(r.days[0].visitors, 4, false);
	T_FIG(r.days[1].views, 20, false);
	T_FIG(r.days[1].visitors, 6, false);
	T_EQ_INT(r.days[2].day, D0 + 2);
	T_FIG(r.days[2].views, 0, false);
	r = build(REPORT_ALL_SITES, D0, D0 + 2, 0);
	T_FIG(r.views, 130, false);
	T_FIG(r.visitors, 60, false);
	T_EQ_INT(r.bot_views, 12);
	T_FIG(r.days[0].views, 110, false);
	T_FIG(r.days[0].visitors, 54, false);
	r = build(1, D0 + 5, D0 + 5, 0);
	T_FIG(r.views, 7, false);
	T_EQ_INT(r.ndays, 1);
	/* public: a day and a total below k are hidden, at k they are not; no bot figure */
	r = build(1, D0, D0 + 2, 5);
	T_FIG(r.days[0].views, 10, false);
	T_FIG(r.days[0].visitors, 4, true);  /* k-1 */
	/* k+1, but hidden too: else 10 - 6 would give the hidden day's 4 (secondary) */
	T_FIG(r.days[1].visitors, 6, true);
	T_FIG(r.days[2].views, 0, true);
	T_FIG(r.visitors, 10, false);
	T_FIG(r.days[1].views, 20, false); /* views hidden add up to 0: nothing to protect */
	T_EQ_INT(r.bot_views, 0);
	day(9, D0, 10, 10, 0);
	day(9, D0 + 1, 20, 20, 0);
	day(9, D0 + 2, 3, 3, 0);
	r = build(9, D0, D0 + 2, 5);
	T_FIG(r.days[2].views, 3, true);
	T_FIG(r.days[0].views, 10, true); /* the smallest shown day joins the hidden one */
	T_FIG(r.days[1].views, 20, false);
	T_FIG(r.views, 33, false);
	r = build(1, D0 + 5, D0 + 5, 7);
	T_FIG(r.views, 7, false); /* k */
	r = build(1, D0 + 5, D0 + 5, 8);
	T_FIG(r.views, 7, true); /* k-1 */
	printf("totals and series: ok\n");
}

/* The top 10 of 12 paths, ties by bytes, the rest in other; labels for none. */
static void
check_top(void)
{
	const struct report_dim *p;
	struct report r;
	char path[32];
	int i;

	for (i = 0; i < 12; i++) {
		snprintf(path, sizeof(path), "/p%02d", i);
		dim(3, D0, ANALYTICS_DIM_PATH, path, 100 - i * 5, 10);
	}
	dim(3, D0, ANALYTICS_DIM_PATH, "/tie-b", 60, 10); /* ties with /p08 */
	dim(3, D0, ANALYTICS_DIM_PATH, "/tie-a", 60, 10);
	dim(3, D0 + 1, ANALYTICS_DIM_PATH, "/p11", 3, 1); /* /p11: 45 + 3 views */
	dim(3, D0, ANALYTICS_DIM_REFERRER, "", 8, 2);
	dim(3, D0, ANALYTICS_DIM_REFERRER, ANALYTICS_REFERRER_INTERNAL, 5, 1);
	dim(3, D0, ANALYTICS_DIM_LANGUAGE, "de", 9, 3);
	r = build(3, D0, D0 + 1, 0);
	p = dim_of(&r, ANALYTICS_DIM_PATH);
	T_EQ_INT(p->n, 10);
	T_EQ_STR(p->rows[0].label, "/p00");
	T_FIG(p->rows[0].views, 100, false);
	T_EQ_STR(p->rows[7].label, "/p07"); /* 65 */
	T_EQ_STR(p->rows[8].label, "/p08"); /* 60, visitors 10: bytes decide "/p" < "/t" */
	T_EQ_STR(p->rows[9].label, "/tie-a");
	/* other: /tie-b 60, /p09 55, /p10 50, /p11 48 */
	T_ASSERT(p->has_other);
	T_EQ_STR(p->other.label, "(other)");
	T_FIG(p->other.views, 60 + 55 + 50 + 48, false);
	T_FIG(p->other.visitors, 10 + 10 + 10 + 11, false);
	T_ASSERT(row_of(&r, ANALYTICS_DIM_REFERRER, "(none)") != NULL);
	T_FIG(row_of(&r, ANALYTICS_DIM_REFERRER, "(internal)")->views, 5, false);
	T_FIG(row_of(&r, ANALYTICS_DIM_LANGUAGE, "de")->visitors, 3, false);
	T_EQ_INT(dim_of(&r, ANALYTICS_DIM_BROWSER)->n, 0);
	T_ASSERT(!dim_of(&r, ANALYTICS_DIM_BROWSER)->has_other);
	/* a shorter top */
	T_EQ_INT(report_build(st, ar, 3, D0, D0 + 1, 2, 0, &r), ERR_OK);
	T_EQ_INT(dim_of(&r, ANALYTICS_DIM_PATH)->n, 2);
	T_EQ_INT(report_build(st, ar, 3, D0, D0 + 1, 0, 0, &r), ERR_INVAL);
	T_EQ_INT(report_build(st, ar, 3, D0, D0 + 1, LIMIT_REPORT_TOP + 1, 0, &r), ERR_INVAL);
	printf("top 10 and other: ok\n");
}

/* k-suppression of listed values at k-1, k, k+1, the other roll-up and the per-day
 * path rule. */
static void
check_public(void)
{
	const struct report_dim *b;
	struct report r, r1, r2;

	dim(4, D0, ANALYTICS_DIM_BROWSER, "Firefox", 9, 4);  /* visitors k-1 */
	dim(4, D0, ANALYTICS_DIM_BROWSER, "Chrome", 5, 5);   /* k */
	dim(4, D0, ANALYTICS_DIM_BROWSER, "Safari", 6, 6);   /* k+1 */
	dim(4, D0, ANALYTICS_DIM_BROWSER, "Edge", 4, 9);     /* views k-1 */
	r = build(4, D0, D0, 5);
	b = dim_of(&r, ANALYTICS_DIM_BROWSER);
	T_EQ_INT(b->n, 2);
	T_EQ_STR(b->rows[0].label, "Safari");
	T_FIG(b->rows[0].views, 6, false);
	T_EQ_STR(b->rows[1].label, "Chrome");
	T_FIG(b->rows[1].visitors, 5, false);
	T_ASSERT(row_of(&r, ANALYTICS_DIM_BROWSER, "Firefox") == NULL);
	T_ASSERT(row_of(&r, ANALYTICS_DIM_BROWSER, "Edge") == NULL);
	T_FIG(b->other.views, 13, false);
	T_FIG(b->other.visitors, 13, false);
	/* the same rows privately: all four */
	r = build(4, D0, D0, 0);
	T_EQ_INT(dim_of(&r, ANALYTICS_DIM_BROWSER)->n, 4);
	T_ASSERT(!dim_of(&r, ANALYTICS_DIM_BROWSER)->has_other);
	/* other itself below k is hidden */
	dim(5, D0, ANALYTICS_DIM_LANGUAGE, "en", 50, 20);
	dim(5, D0, ANALYTICS_DIM_LANGUAGE, "fi", 2, 1);
	dim(5, D0, ANALYTICS_DIM_LANGUAGE, "is", 2, 2);
	dim(5, D0, ANALYTICS_DIM_LANGUAGE, "fr", 10, 10);
	r = build(5, D0, D0, 5);
	/* other would be 4 views, 3 visitors: readable as total - listed, so the smallest
	 * listed value (fr) joins it (secondary suppression) */
	T_EQ_INT(dim_of(&r, ANALYTICS_DIM_LANGUAGE)->n, 1);
	T_EQ_STR(dim_of(&r, ANALYTICS_DIM_LANGUAGE)->rows[0].label, "en");
	T_FIG(dim_of(&r, ANALYTICS_DIM_LANGUAGE)->other.views, 14, false);
	T_FIG(dim_of(&r, ANALYTICS_DIM_LANGUAGE)->other.visitors, 13, false);
	r = build(5, D0, D0, 3);
	/* at k 3: fi (1 visitor) and is (2 views) fail; other 4 views, 3 visitors is k */
	T_EQ_INT(dim_of(&r, ANALYTICS_DIM_LANGUAGE)->n, 2);
	T_FIG(dim_of(&r, ANALYTICS_DIM_LANGUAGE)->other.views, 4, false);
	T_FIG(dim_of(&r, ANALYTICS_DIM_LANGUAGE)->other.visitors, 3, false);
	/* when nothing can be listed, other is the whole and hidden below k */
	dim(10, D0, ANALYTICS_DIM_LANGUAGE, "fi", 2, 1);
	r = build(10, D0, D0, 5);
	T_EQ_INT(dim_of(&r, ANALYTICS_DIM_LANGUAGE)->n, 0);
	T_FIG(dim_of(&r, ANALYTICS_DIM_LANGUAGE)->other.views, 2, true);
	T_FIG(dim_of(&r, ANALYTICS_DIM_LANGUAGE)->other.visitors, 1, true);

	/* the per-day path rule: /p had 10 visitors on D0, 3 on D0+1 */
	dim(6, D0, ANALYTICS_DIM_PATH, "/p", 12, 10);
	dim(6, D0 + 1, ANALYTICS_DIM_PATH, "/p", 3, 3);
	dim(6, D0 + 1, ANALYTICS_DIM_PATH, "/q", 30, 30);
	dim(6, D0 + 1, ANALYTICS_DIM_PATH, "/r", 2, 2);
	dim(6, D0 + 1, ANALYTICS_DIM_PATH, "/s", 2, 2);
	r1 = build(6, D0, D0, 5);
	r2 = build(6, D0, D0 + 1, 5);
	T_FIG(row_of(&r1, ANALYTICS_DIM_PATH, "/p")->views, 12, false);
	T_FIG(row_of(&r2, ANALYTICS_DIM_PATH, "/p")->views, 12, false); /* not 15 */
	T_FIG(row_of(&r2, ANALYTICS_DIM_PATH, "/p")->visitors, 10, false);
	T_FIG(dim_of(&r2, ANALYTICS_DIM_PATH)->other.views, 3 + 2 + 2, false);
	T_FIG(row_of(&r2, ANALYTICS_DIM_PATH, "/q")->visitors, 30, false);
	/* a path whose every day is below k is never listed, however large its sum */
	dim(6, D0 + 2, ANALYTICS_DIM_PATH, "/rare", 4, 4);
	dim(6, D0 + 3, ANALYTICS_DIM_PATH, "/rare", 4, 4);
	r = build(6, D0 + 2, D0 + 3, 5);
	T_ASSERT(row_of(&r, ANALYTICS_DIM_PATH, "/rare") == NULL);
	T_FIG(dim_of(&r, ANALYTICS_DIM_PATH)->other.views, 8, false);
	r = build(6, D0 + 2, D0 + 3, 0);
	T_FIG(row_of(&r, ANALYTICS_DIM_PATH, "/rare")->views, 8, false);
	/* all sites: the rule holds per site's cell */
	dim(6, D0 + 9, ANALYTICS_DIM_PATH, "/all", 12, 10);
	dim(7, D0 + 9, ANALYTICS_DIM_PATH, "/all", 4, 4);
	dim(7, D0 + 9, ANALYTICS_DIM_PATH, "/x", 3, 3);
	r = build(REPORT_ALL_SITES, D0 + 9, D0 + 9, 5);
	T_FIG(row_of(&r, ANALYTICS_DIM_PATH, "/all")->views, 12, false); /* site 6's cell */
	T_FIG(dim_of(&r, ANALYTICS_DIM_PATH)->other.views, 7, false);
	r = build(REPORT_ALL_SITES, D0 + 9, D0 + 9, 0);
	T_FIG(row_of(&r, ANALYTICS_DIM_PATH, "/all")->views, 16, false);
	printf("k-suppression and the per-day path rule: ok\n");
}

static void
check_refused(void)
{
	struct report r;
	int k;

	T_EQ_INT(report_build(st, ar, 1, D0, D0, 10, 1, &r), ERR_INVAL);
	T_EQ_INT(report_build(st, ar, 1, D0, D0, 10, -1, &r), ERR_INVAL);
	T_EQ_INT(report_build(st, ar, 1, D0, D0, 10, REPORT_K_MIN, &r), ERR_OK);
	T_EQ_INT(report_build(st, ar, 1, D0, D0, 10, LIMIT_REPORT_K_MAX, &r), ERR_OK);
	T_EQ_INT(report_build(st, ar, 1, D0, D0, 10, LIMIT_REPORT_K_MAX + 1, &r), ERR_INVAL);
	T_EQ_INT(report_build(st, ar, 1, D0 + 1, D0, 10, 0, &r), ERR_INVAL);
	T_EQ_INT(report_build(st, ar, 1, D0, D0 + LIMIT_REPORT_DAYS - 1, 10, 0, &r), ERR_OK);
	T_EQ_INT(report_build(st, ar, 1, D0, D0 + LIMIT_REPORT_DAYS, 10, 0, &r), ERR_INVAL);
	/* publication: k below 2 refused, set, changed, withdrawn */
	T_EQ_INT(report_published(st, 1, &k), ERR_NOTFOUND);
	T_EQ_INT(report_publish(st, 1, 1, 1000), ERR_INVAL);
	T_EQ_INT(report_publish(st, 1, 0, 1000), ERR_INVAL);
	T_EQ_INT(report_publish(st, 1, LIMIT_REPORT_K_MAX + 1, 1000), ERR_INVAL);
	T_EQ_INT(report_published(st, 1, &k), ERR_NOTFOUND);
	T_EQ_INT(report_publish(st, 1, 2, 1000), ERR_OK);
	T_EQ_INT(report_published(st, 1, &k), ERR_OK);
	T_EQ_INT(k, 2);
	T_EQ_INT(report_publish(st, 1, 9, 1001), ERR_OK);
	T_EQ_INT(report_published(st, 1, &k), ERR_OK);
	T_EQ_INT(k, 9);
	T_EQ_INT(report_publish(st, REPORT_ALL_SITES, 5, 1001), ERR_OK);
	T_EQ_INT(report_unpublish(st, 1), ERR_OK);
	T_EQ_INT(report_published(st, 1, &k), ERR_NOTFOUND);
	T_EQ_INT(report_published(st, REPORT_ALL_SITES, &k), ERR_OK);
	T_EQ_INT(report_unpublish(st, 1), ERR_OK);
	printf("k below 2 refused, publication: ok\n");
}

/* The writers give the same figures, hidden ones as "fewer than k" only. */
static void
check_writers(void)
{
	struct report r = build(4, D0, D0, 5);
	json_t *root, *list;
	json_error_t je;
	struct buf b;

	buf_init(&b);
	T_EQ_INT(report_json(&r, "four.example", &b), ERR_OK);
	T_ASSERT((root = json_loads(b.data, 0, &je)) != NULL);
	T_EQ_INT(json_integer_value(json_object_get(root, "k")), 5);
	T_EQ_STR(json_string_value(json_object_get(root, "from")), "2024-10-04");
	T_EQ_STR(json_string_value(json_object_get(root, "site")), "four.example");
	/* site 4 has no day rows: 0 views, hidden */
	T_EQ_STR(json_string_value(json_object_get(root, "views")), "fewer than 5");
	T_ASSERT(json_object_get(root, "bot_views") == NULL);
	list = json_object_get(root, "browser");
	T_EQ_INT(json_array_size(list), 3);
	T_EQ_STR(json_string_value(json_object_get(json_array_get(list, 0), "value")), "Safari");
	T_EQ_INT(json_integer_value(json_object_get(json_array_get(list, 0), "views")), 6);
	T_EQ_STR(json_string_value(json_object_get(json_array_get(list, 2), "value")), "(other)");
	T_EQ_INT(json_integer_value(json_object_get(json_array_get(list, 2), "views")), 13);
	json_decref(root);
	buf_reset(&b);
	report_csv(&r, &b);
	T_EQ_STR(b.data, "section,value,views,visitors\r\n"
			 "total,,fewer than 5,fewer than 5\r\n"
			 "day,2024-10-04,fewer than 5,fewer than 5\r\n"
			 "browser,Safari,6,6\r\n"
			 "browser,Chrome,5,5\r\n"
			 "browser,(other),13,13\r\n");
	/* a private report gives the hidden numbers and bots */
	r = build(1, D0, D0, 0);
	buf_reset(&b);
	T_EQ_INT(report_json(&r, "one.example", &b), ERR_OK);
	T_CONTAINS(b.data, "\"bot_views\": 1");
	T_CONTAINS(b.data, "\"k\": null");
	/* CSV quoting of an awkward path */
	dim(8, D0, ANALYTICS_DIM_PATH, "/a,\"b\"", 1, 1);
	dim(8, D0, ANALYTICS_DIM_REFERRER, "=cmd", 1, 1);
	r = build(8, D0, D0, 0);
	buf_reset(&b);
	report_csv(&r, &b);
	T_CONTAINS(b.data, "path,\"/a,\"\"b\"\"\",1,1\r\n");
	T_CONTAINS(b.data, "referrer,\"'=cmd\",1,1\r\n");
	/* the chart: escaped title, no script, the desc states the hidden days */
	r = build(1, D0, D0 + 2, 5);
	buf_reset(&b);
	report_svg(&r, "Views <&> \"visitors\"", &b);
	T_CONTAINS(b.data, "<title id=\"chart-title\">Views &lt;&amp;&gt; &quot;visitors&quot;</title>");
	T_CONTAINS(b.data, "3 of 3 days had fewer than 5");
	T_CONTAINS(b.data, "role=\"img\"");
	T_CONTAINS(b.data, ">2024-10-04</text>");
	T_CONTAINS(b.data, ">2024-10-06</text>");
	T_NOT_CONTAINS(b.data, "<script");
	/* styled without CSS (the site's CSP refuses inline styles): no <style> element, no
	 * style attribute; the lines drawn with their colours and the visitors dashed */
	r = build(1, D0, D0 + 2, 0);
	buf_reset(&b);
	report_svg(&r, "Views", &b);
	T_NOT_CONTAINS(b.data, "<style");
	T_NOT_CONTAINS(b.data, "style=");
	T_CONTAINS(b.data, "<path class=\"views\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\" d=\"M");
	T_CONTAINS(b.data, "<path class=\"visitors\" fill=\"none\" stroke=\"#b4451f\" stroke-width=\"2\" "
			   "stroke-dasharray=\"6 3\" d=\"M");
	T_CONTAINS(b.data, "<line class=\"grid\" stroke=\"#999\"");
	T_CONTAINS(b.data, "fill=\"currentColor\"");
	T_CONTAINS(b.data, "aria-labelledby=\"chart-title chart-desc\"");
	buf_free(&b);
	printf("json, csv and svg: ok\n");
}

static void
check_period(void)
{
	struct report_period p;
	char msg[160];

	T_EQ_INT(report_period_parse(NULL, NULL, NULL, D0, &p, msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(p.range, 30);
	T_EQ_INT(p.from, D0 - 29);
	T_EQ_INT(p.to, D0);
	T_EQ_INT(report_period_parse("7", NULL, NULL, D0, &p, msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(p.from, D0 - 6);
	T_EQ_INT(report_period_parse("90", "junk", NULL, D0, &p, msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(p.from, D0 - 89);
	T_EQ_INT(report_period_parse("31", NULL, NULL, D0, &p, msg, sizeof(msg)), ERR_INVAL);
	T_CONTAINS(msg, "7, 30 or 90 days");
	T_EQ_INT(report_period_parse("custom", "2024-10-01", "2024-10-04", D0, &p, msg,
		     sizeof(msg)), ERR_OK);
	T_EQ_INT(p.range, 0);
	T_EQ_INT(p.from, D0 - 3);
	T_EQ_INT(p.to, D0);
	T_EQ_INT(report_period_parse("custom", "", "2024-10-04", D0, &p, msg, sizeof(msg)),
	    ERR_INVAL);
	T_CONTAINS(msg, "the start date is missing");
	T_EQ_INT(report_period_parse("custom", "2024-02-30", "2024-10-04", D0, &p, msg,
		     sizeof(msg)), ERR_INVAL);
	T_CONTAINS(msg, "start date is not a real date");
	T_EQ_INT(report_period_parse("custom", "2024-10-05", "2024-10-04", D0, &p, msg,
		     sizeof(msg)), ERR_INVAL);
	T_CONTAINS(msg, "start date is after the end date");
	/* LIMIT_REPORT_DAYS at N and N+1 */
	T_EQ_INT(report_period_parse("custom", "2024-01-01", "2024-12-31", D0, &p, msg,
		     sizeof(msg)), ERR_OK);
	T_EQ_INT(p.to - p.from + 1, 366);
	T_EQ_INT(report_period_parse("custom", "2023-12-31", "2024-12-31", D0, &p, msg,
		     sizeof(msg)), ERR_INVAL);
	T_CONTAINS(msg, "at most 366 days");
	printf("periods: ok\n");
}

int
main(void)
{
	char url[1024], msg[256];
	enum err e;

	t_db_url(url, sizeof(url));
	if ((st = store_open(url, NULL, &e, msg, sizeof(msg))) == NULL)
		T_FAIL("store_open: %s", msg);
	T_EQ_INT(analytics_migrate(st), ERR_OK);
	T_EQ_INT(report_migrate(st), ERR_OK);
	T_ASSERT((ar = arena_new()) != NULL);
	check_totals();
	check_top();
	check_public();
	check_refused();
	check_writers();
	check_period();
	arena_free(ar);
	store_close(st);
	printf("test_store_analytics_report (%s): ok\n", t_backend());
	return 0;
}
