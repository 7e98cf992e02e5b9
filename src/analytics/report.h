/*
 * report: the analytics reports (issue 7, items 5-7). A report reads only the daily
 * rollups (analytics/schema.c: analytics_days, analytics_dims), never raw events, for
 * one site or all sites and a period of whole UTC days [from, to]: totals, the per-day
 * series, and the top values of each dimension (paths, referring sites, browsers,
 * languages) with the rest rolled into "other".
 *
 * Public reports (PRODUCT.md B3) are the same report built with a threshold k >= 2; the
 * one mechanism is report_build's, so the public page, the public JSON and
 * `candor report --public` cannot differ:
 *   - a figure below k (views or visitors of the total, a day, "other") is not given:
 *     it is marked hidden and published as "fewer than k";
 *   - a dimension's value counts only its (site, day) cells that had at least k views
 *     and k visitors; the other cells are rolled into "other". So no figure of a single
 *     path (or referrer, browser, language) on a single day that rests on fewer than k
 *     visitors is published, and no difference between two published periods reveals
 *     one either (the per-day path rule);
 *   - a value is listed only when what it counts is at least k (hence never "fewer than
 *     k" on a listed row);
 *   - secondary suppression: what is not shown must not be readable by subtraction from
 *     the published total, so while "other" holds 1..k-1 views or visitors the smallest
 *     listed value joins it, and while the hidden days hold 1..k-1 the smallest shown
 *     day is hidden too. "Other" is then 0 or at least k (or the whole total, hidden).
 * Private reports (k 0, the dashboards) give every figure.
 *
 * The publication settings (who published /stats and with which k) live in this file's
 * own table, analytics_publications (report_migrate).
 */
#ifndef ANALYTICS_REPORT_H
#define ANALYTICS_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "analytics/analytics.h"
#include "core/core.h"
#include "store/store.h"

#define REPORT_K_DEFAULT 5 /* B3 */
#define REPORT_K_MIN 2     /* a public k below this would publish single people */
#define REPORT_DIMS 4      /* path, referrer, browser, language */
#define REPORT_ALL_SITES 0 /* site_id of a report (and publication) over every site */

/* One published number. hidden: below the report's k, published as "fewer than k"
 * (n still holds the true figure; writers never print it). */
struct report_figure {
	int64_t n;
	bool hidden;
};

struct report_row {
	const char *label; /* the value as shown: "/posts/hello", "(none)", "(other)" */
	struct report_figure views, visitors;
};

struct report_day {
	int64_t day; /* days since 1970-01-01 UTC */
	struct report_figure views, visitors;
};

struct report_dim {
	enum analytics_dim dim;
	struct report_row *rows; /* the top values, most views first */
	size_t n;
	struct report_row other; /* everything not listed; label "(other)" */
	bool has_other;          /* some views or visitors went to other */
};

struct report {
	int64_t site_id; /* REPORT_ALL_SITES for every site */
	int64_t from, to; /* days, inclusive */
	int k;           /* 0: a private report (every figure given) */
	struct report_figure views, visitors;
	int64_t bot_views; /* private reports only (0 in public ones) */
	struct report_day *days; /* every day of [from, to], oldest first */
	size_t ndays;
	struct report_dim dims[REPORT_DIMS]; /* path, referrer, browser, language */
};

/* A period of whole UTC days picked on a form or the command line. */
struct report_period {
	int64_t from, to; /* days, inclusive */
	int range;        /* 7, 30 or 90 for "the last N days up to today", 0 for custom */
};

/*
 * Parses a period: range "7", "30" or "90" (NULL or "": 30) is the last range days up to
 * and including today (a day number); "custom" takes from and to as YYYY-MM-DD. ERR_INVAL
 * with a sentence in msg for an unknown range, a missing or malformed date, from after
 * to, or a period over LIMIT_REPORT_DAYS days. Pure; fuzz/fuzz_period.c.
 */
enum err report_period_parse(const char *range, const char *from, const char *to,
    int64_t today, struct report_period *out, char *msg, size_t msgsize);

/* "YYYY-MM-DD" of day; out must hold 11 bytes. */
void report_day_text(int64_t day, char out[11]);

/* The dimension's name in exports ("path", "referrer", "browser", "language") and its
 * heading on pages ("Top pages", ...). */
const char *report_dim_name(enum analytics_dim d);
const char *report_dim_title(enum analytics_dim d);

/*
 * Builds the report of site_id (or REPORT_ALL_SITES) over [from, to] (at most
 * LIMIT_REPORT_DAYS days) with top values per dimension (1..LIMIT_REPORT_TOP) and
 * threshold k: 0 for a private report, REPORT_K_MIN..LIMIT_REPORT_K_MAX for a public one.
 * ERR_INVAL for a bad period, top or k (k 1 or below REPORT_K_MIN is refused). Everything
 * is allocated from a. Reads in one snapshot per statement; writes nothing.
 */
enum err report_build(struct store *s, struct arena *a, int64_t site_id, int64_t from,
    int64_t to, size_t top, int k, struct report *out);

/*
 * Writers: the report as JSON or CSV, the same figures in the same order, hidden ones as
 * the text "fewer than k". site names the report's scope ("example.org" or "all sites").
 * JSON: {"site", "from", "to", "k" (null when private), "views", "visitors",
 * "days": [{"date","views","visitors"}], "path": [{"value","views","visitors"}], ...}.
 * CSV: a header line "section,value,views,visitors", then the rows "total", "day",
 * "path", "referrer", "browser", "language" (RFC 4180 quoting; a leading = + - @ is
 * prefixed with ' so a spreadsheet never runs a value).
 */
enum err report_json(const struct report *r, const char *site, struct buf *out);
void report_csv(const struct report *r, struct buf *out);

/*
 * The chart: page views and visitors per day as an SVG document (svg.c) drawn on the
 * server, with no script: a <title> and <desc> (the period and the totals), axes with
 * dates and counts, two polylines; hidden days are drawn at 0 with a gap marker and
 * said so in the desc. Text is escaped. Appends to out.
 */
void report_svg(const struct report *r, const char *title, struct buf *out);

/* ---- publication: /stats and /stats/all (the table analytics_publications) ---- */

extern const struct store_table report_tables[];
extern const size_t report_tables_count;
/* Creates or upgrades the publication table. */
enum err report_migrate(struct store *s);

/* Publishes site_id's report (REPORT_ALL_SITES: /stats/all) with threshold k
 * (REPORT_K_MIN..LIMIT_REPORT_K_MAX, else ERR_INVAL), or changes its k. */
enum err report_publish(struct store *s, int64_t site_id, int k, int64_t now);
/* Withdraws it (ERR_OK also when it was not published). */
enum err report_unpublish(struct store *s, int64_t site_id);
/* *k gets the published threshold; ERR_NOTFOUND when not published. */
enum err report_published(struct store *s, int64_t site_id, int *k);

#endif
