/*
 * schema: the analytics tables. The daily rollups below are the contract between the
 * recorder (analytics/recorder.c, which folds events into them) and the reports
 * (analytics/report.c, which reads only them): a report never scans raw events.
 *
 *   analytics_days  one row per (site, UTC day): human page views, visitors (distinct
 *                   visitor hashes that day; 0 for requests without one), bot requests.
 *   analytics_dims  one row per (site, day, dimension, value): views and visitors of one
 *                   path, referring host, browser family or language that day.
 *
 * A day is the number of whole days since 1970-01-01 UTC (unix seconds / 86400). A page
 * view is a human (not bot) GET of a page (not /static/, not /healthz) answered with a
 * 2xx status. Visitors over a period are the sum of the days' visitors: by design
 * (PRODUCT.md B5) a visitor cannot be recognised from one day to the next.
 *
 * Values by dimension (ANALYTICS_DIM_*):
 *   path      the normalised path ("/posts/hello"), query string dropped
 *   referrer  a referring host ("example.org"); ANALYTICS_REFERRER_INTERNAL for one of
 *             the site's own hosts or another candor site; "" when the request had none
 *   browser   analytics_family_name() ("Chrome Mobile", "Other")
 *   language  the primary subtag ("de"), "" when none
 *
 * Version 2 (the recorder): analytics_events, the raw rows, one per recorded request
 * (docs/analytics.md: which requests are recorded), removed after [retention]
 * analytics_days by the retention job. Nothing personal: path as recorded (query
 * dropped, tokens redacted, at most LIMIT_ANALYTICS_PATH_BYTES), browser family name
 * and major version, bot flag, primary language, referring host (or "(internal)", or
 * ""), page = a GET answered with an HTML page, and visitor = the day's keyed hash of
 * the visitor cookie (NULL without one), which nobody can compute again once the day's
 * in-memory salt is gone.
 */
#include "analytics/analytics.h"
#include "store/store.h"

static const struct store_migration analytics_migrations[] = {
	{1, "CREATE TABLE analytics_days ("
	    " site_id BIGINT NOT NULL,"
	    " day BIGINT NOT NULL,"
	    " views BIGINT NOT NULL DEFAULT 0,"
	    " visitors BIGINT NOT NULL DEFAULT 0,"
	    " bot_views BIGINT NOT NULL DEFAULT 0,"
	    " PRIMARY KEY (site_id, day));"
	    "CREATE TABLE analytics_dims ("
	    " site_id BIGINT NOT NULL,"
	    " day BIGINT NOT NULL,"
	    " dim BIGINT NOT NULL,"
	    " value TEXT NOT NULL,"
	    " views BIGINT NOT NULL DEFAULT 0,"
	    " visitors BIGINT NOT NULL DEFAULT 0,"
	    " PRIMARY KEY (site_id, day, dim, value))"},
	{2, "CREATE TABLE analytics_events ("
	    " site_id BIGINT NOT NULL,"
	    " at BIGINT NOT NULL,"
	    " path TEXT NOT NULL,"
	    " status INTEGER NOT NULL,"
	    " page INTEGER NOT NULL,"
	    " browser TEXT NOT NULL,"
	    " major INTEGER NOT NULL,"
	    " bot INTEGER NOT NULL,"
	    " language TEXT NOT NULL,"
	    " referrer TEXT NOT NULL,"
	    " visitor {{BLOB}});"
	    "CREATE INDEX analytics_events_at ON analytics_events (at)"},
};

static const struct store_stmt analytics_copy_sql[] = {
	{"copy_analytics_days_select", "SELECT site_id, day, views, visitors, bot_views"
				       " FROM analytics_days ORDER BY site_id, day"},
	{"copy_analytics_days_insert", "INSERT INTO analytics_days (site_id, day, views,"
				       " visitors, bot_views) VALUES (?, ?, ?, ?, ?)"},
	{"copy_analytics_dims_select", "SELECT site_id, day, dim, value, views, visitors"
				       " FROM analytics_dims ORDER BY site_id, day, dim, value"},
	{"copy_analytics_dims_insert", "INSERT INTO analytics_dims (site_id, day, dim, value,"
				       " views, visitors) VALUES (?, ?, ?, ?, ?, ?)"},
	{"copy_analytics_events_select", "SELECT site_id, at, path, status, page, browser, major,"
					 " bot, language, referrer, visitor FROM analytics_events"
					 " ORDER BY at, site_id, path"},
	{"copy_analytics_events_insert", "INSERT INTO analytics_events (site_id, at, path,"
					 " status, page, browser, major, bot, language, referrer,"
					 " visitor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
};

const struct store_table analytics_tables[] = {
	{"analytics_days", "iiiii", &analytics_copy_sql[0], &analytics_copy_sql[1], NULL},
	{"analytics_dims", "iiitii", &analytics_copy_sql[2], &analytics_copy_sql[3], NULL},
	{"analytics_events", "iitiititttb", &analytics_copy_sql[4], &analytics_copy_sql[5], NULL},
};
const size_t analytics_tables_count = COUNTOF(analytics_tables);

enum err
analytics_migrate(struct store *s)
{
	return store_migrate(s, "analytics", analytics_migrations,
	    COUNTOF(analytics_migrations));
}
