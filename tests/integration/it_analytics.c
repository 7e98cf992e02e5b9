/*
 * it_analytics: the recorder through the real server (issue 7, items 3, 4 and 9). A
 * scripted set of requests (known browsers, languages, external, internal and absent
 * referrers, DNT, GPC, a bot, two visitors of whom one returns, a cached page, a 404,
 * a HEAD, static files) gives exact analytics_days and analytics_dims figures; no IP
 * address, User-Agent, referrer URL, query string or cookie value is anywhere in the
 * database (byte search of the SQLite files, of a pg_dump on PostgreSQL); N requests
 * followed at once by SIGTERM leave exactly N more events stored; a kill -9 a flush
 * window after the last request loses none; with
 * [analytics] enabled = no nothing is recorded.
 */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analytics/analytics.h"
#include "store/store.h"
#include "testlib.h"
#include "web/web_int.h"

#define PIV "perfectimagevideo.localhost"
#define BLOG "blog.perfectimagevideo.localhost"
#define FF "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
#define CH "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like " \
	   "Gecko) Chrome/119.0.0.0 Safari/537.36"
#define BOT "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
#define V1 "Cookie: candor_visitor=visitorOneQx7aZZ"
#define V2 "Cookie: candor_visitor=visitorTwoWq3bYY"
#define V3 "Cookie: candor_visitor=visitorThreeKk9c"
#define V4 "Cookie: candor_visitor=visitorFourPp2dd"
#define V5 "Cookie: candor_visitor=visitorFiveMm1ee"
#define REF_EXT "Referer: https://news.example.org/story/42?utm_source=feedsecret"

static struct store *
open_db(const char *dir)
{
	struct config cfg;
	struct cli_db db;
	struct store *s;
	char msg[512];
	enum err e;

	if (config_load(dir, &cfg, msg, sizeof(msg)) != ERR_OK)
		T_FAIL("config_load: %s", msg);
	T_ASSERT(cli_db_resolve(&cfg, &db));
	if ((s = store_open(db.url, db.password[0] ? db.password : NULL, &e, msg,
		 sizeof(msg))) == NULL)
		T_FAIL("store_open: %s", msg);
	return s;
}

static int64_t
one_int(struct store *s, const struct store_stmt *st, const char *host, int dim,
    const char *value)
{
	struct store_q *q;
	int64_t v = -1;

	T_ASSERT((q = store_prepare(s, st)) != NULL);
	store_bind_text(q, 1, host);
	if (dim) {
		store_bind_int(q, 2, dim);
		store_bind_text(q, 3, value);
	}
	if (store_step(q) == STORE_ROW)
		v = store_col_int(q, 0);
	T_EQ_INT(store_done(q), ERR_OK);
	return v;
}

static const struct store_stmt q_day_views = {"t_day_views",
    "SELECT COALESCE(SUM(d.views), 0) FROM analytics_days d JOIN site_hosts h"
    " ON h.site_id = d.site_id WHERE h.host = ?"};
static const struct store_stmt q_day_visitors = {"t_day_visitors",
    "SELECT COALESCE(SUM(d.visitors), 0) FROM analytics_days d JOIN site_hosts h"
    " ON h.site_id = d.site_id WHERE h.host = ?"};
static const struct store_stmt q_day_bots = {"t_day_bots",
    "SELECT COALESCE(SUM(d.bot_views), 0) FROM analytics_days d JOIN site_hosts h"
    " ON h.site_id = d.site_id WHERE h.host = ?"};
static const struct store_stmt q_dim_views = {"t_dim_views",
    "SELECT COALESCE(SUM(d.views), 0) FROM analytics_dims d JOIN site_hosts h"
    " ON h.site_id = d.site_id WHERE h.host = ? AND d.dim = ? AND d.value = ?"};
static const struct store_stmt q_dim_visitors = {"t_dim_visitors",
    "SELECT COALESCE(SUM(d.visitors), 0) FROM analytics_dims d JOIN site_hosts h"
    " ON h.site_id = d.site_id WHERE h.host = ? AND d.dim = ? AND d.value = ?"};
static const struct store_stmt q_dim_rows = {"t_dim_rows",
    "SELECT COUNT(*) FROM analytics_dims d JOIN site_hosts h"
    " ON h.site_id = d.site_id WHERE h.host = ?"};
static const struct store_stmt q_events = {"t_events",
    "SELECT COUNT(*) FROM analytics_events"};
static const struct store_stmt q_event_paths = {"t_event_paths",
    "SELECT COUNT(*) FROM analytics_events WHERE path LIKE '%static%' OR path = '/healthz'"
    " OR path LIKE '%?%'"};

static int64_t
count_all(struct store *s, const struct store_stmt *st)
{
	struct store_q *q;
	int64_t v = -1;

	T_ASSERT((q = store_prepare(s, st)) != NULL);
	if (store_step(q) == STORE_ROW)
		v = store_col_int(q, 0);
	T_EQ_INT(store_done(q), ERR_OK);
	return v;
}

#define DIM(dim, value, views, visitors)                                                    \
	do {                                                                               \
		T_EQ_INT(one_int(s, &q_dim_views, PIV, dim, value), views);                \
		T_EQ_INT(one_int(s, &q_dim_visitors, PIV, dim, value), visitors);          \
	} while (0)

/* GET (or method) path on host with the given headers; checks the status. */
static void
req(int port, const char *method, const char *host, const char *path, long status,
    const char *h1, const char *h2, const char *h3, const char *h4, const char *h5)
{
	const char *hdr[6] = {h1, h2, h3, h4, h5, NULL};
	struct t_resp r;
	size_t i, n = 0;
	const char *list[6];

	for (i = 0; i < 5; i++)
		if (hdr[i])
			list[n++] = hdr[i];
	list[n] = NULL;
	t_http(&r, port, method, host, path, list, NULL);
	T_EQ_INT(r.status, status);
	t_resp_free(&r);
}

/* Copies the SQLite files (or a pg_dump) of dir into a new directory and returns it,
 * so the scan sees the database and nothing else (candor.conf holds 127.0.0.1). */
static const char *
db_bytes(const char *dir)
{
	const char *out = t_tmpdir();
	char cmd[3000];

	if (strcmp(t_backend(), "sqlite") == 0) {
		snprintf(cmd, sizeof(cmd), "cp %s/candor.db* %s/", dir, out);
		T_EQ_INT(system(cmd), 0);
	} else {
		char *conf, *p, url[1200];
		snprintf(cmd, sizeof(cmd), "%s/candor.conf", dir);
		conf = t_read_file(cmd, NULL);
		T_ASSERT(conf != NULL && (p = strstr(conf, "\ndatabase = ")) != NULL);
		p += strlen("\ndatabase = ");
		snprintf(url, sizeof(url), "%.*s", (int)strcspn(p, "\n"), p);
		free(conf);
		snprintf(cmd, sizeof(cmd), "pg_dump --no-owner --data-only '%s' > '%s/dump.sql'",
		    url, out);
		T_EQ_INT(system(cmd), 0);
		snprintf(cmd, sizeof(cmd), "%s/dump.sql", out);
		conf = t_read_file(cmd, NULL);
		T_CONTAINS(conf, "analytics_events"); /* the dump is real */
		T_CONTAINS(conf, "/posts/interview-lighting");
		free(conf);
	}
	return out;
}

static void
set_conf(const char *dir, const char *text)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/candor.conf", dir);
	T_ASSERT((f = fopen(path, "a")) != NULL);
	fputs(text, f);
	fclose(f);
}

int
main(void)
{
	const char *dir = t_datadir(true), *scan;
	struct t_server srv;
	struct store *s;
	int64_t before;
	int i, n = 300;

	set_conf(dir, "\n[analytics]\nenabled = yes\n");
	t_server_start(&srv, dir);
	/* 1-3: visitor 1 (Firefox, de) arrives from a news site, goes home (internal),
	 * comes back to the post without a referrer (a query string, dropped) */
	req(srv.port, "GET", PIV, "/posts/interview-lighting", 200, V1, "User-Agent: " FF,
	    "Accept-Language: de-CH, de;q=0.9, en;q=0.5", REF_EXT, NULL);
	req(srv.port, "GET", PIV, "/", 200, V1, "User-Agent: " FF, "Accept-Language: de",
	    "Referer: http://" PIV "/posts/interview-lighting", NULL);
	req(srv.port, "GET", PIV, "/posts/interview-lighting?utm_campaign=secretcampaign", 200,
	    V1, "User-Agent: " FF, "Accept-Language: de", NULL, NULL);
	/* 4: visitor 2 (Chrome, en) from the other candor site: internal; the post is
	 * served from the response cache now (only the visitor cookie) */
	req(srv.port, "GET", PIV, "/posts/interview-lighting", 200, V2, "User-Agent: " CH,
	    "Accept-Language: en-US,en;q=0.8", "Referer: https://" BLOG "/posts/x", NULL);
	/* 5, 6: DNT and GPC: page views without a visitor, though they carry a cookie */
	req(srv.port, "GET", PIV, "/", 200, V3, "User-Agent: " CH, "Accept-Language: fr",
	    "DNT: 1", NULL);
	req(srv.port, "GET", PIV, "/", 200, V4, "User-Agent: " CH, "Accept-Language: fr-FR",
	    "Sec-GPC: 1", NULL);
	/* 7: no cookie, no language */
	req(srv.port, "GET", PIV, "/pages/about", 200, "User-Agent: " CH, NULL, NULL, NULL,
	    NULL);
	/* 8: a bot with a cookie: a bot view, no visitor, in no dimension */
	req(srv.port, "GET", PIV, "/", 200, V5, "User-Agent: " BOT, "Accept-Language: de", NULL,
	    NULL);
	/* 9, 10: recorded, but no page view: a 404 and a HEAD */
	req(srv.port, "GET", PIV, "/posts/no-such-post", 404, V1, "User-Agent: " FF, NULL, NULL,
	    NULL);
	req(srv.port, "HEAD", PIV, "/", 200, V1, "User-Agent: " FF, NULL, NULL, NULL);
	/* not recorded at all: static files and the health check */
	req(srv.port, "GET", PIV, "/static/style.css", 200, V1, "User-Agent: " FF, NULL, NULL,
	    NULL);
	req(srv.port, "GET", PIV, "/healthz", 200, NULL, NULL, NULL, NULL, NULL);
	/* 11: visitor 1 on the second site: a visitor of that site too */
	req(srv.port, "GET", BLOG, "/", 200, V1, "User-Agent: " FF, "Accept-Language: de", NULL,
	    NULL);

	/* stored within the flush window (LIMIT_ANALYTICS_FLUSH_MS), while serving */
	s = open_db(dir);
	for (i = 0; i < 50 && count_all(s, &q_events) < 11; i++)
		usleep(100 * 1000);
	T_EQ_INT(count_all(s, &q_events), 11);
	T_EQ_INT(t_server_stop(&srv), 0);

	T_EQ_INT(count_all(s, &q_events), 11);
	T_EQ_INT(count_all(s, &q_event_paths), 0);
	T_EQ_INT(one_int(s, &q_day_views, PIV, 0, NULL), 7);
	T_EQ_INT(one_int(s, &q_day_visitors, PIV, 0, NULL), 2);
	T_EQ_INT(one_int(s, &q_day_bots, PIV, 0, NULL), 1);
	DIM(ANALYTICS_DIM_PATH, "/posts/interview-lighting", 3, 2);
	DIM(ANALYTICS_DIM_PATH, "/", 3, 1);
	DIM(ANALYTICS_DIM_PATH, "/pages/about", 1, 0);
	DIM(ANALYTICS_DIM_PATH, "/posts/no-such-post", 0, 0);
	DIM(ANALYTICS_DIM_REFERRER, "news.example.org", 1, 1);
	DIM(ANALYTICS_DIM_REFERRER, ANALYTICS_REFERRER_INTERNAL, 2, 2);
	DIM(ANALYTICS_DIM_REFERRER, "", 4, 1);
	DIM(ANALYTICS_DIM_BROWSER, "Firefox", 3, 1);
	DIM(ANALYTICS_DIM_BROWSER, "Chrome", 4, 1);
	DIM(ANALYTICS_DIM_BROWSER, "Other", 0, 0);
	DIM(ANALYTICS_DIM_LANGUAGE, "de", 3, 1);
	DIM(ANALYTICS_DIM_LANGUAGE, "en", 1, 1);
	DIM(ANALYTICS_DIM_LANGUAGE, "fr", 2, 0);
	DIM(ANALYTICS_DIM_LANGUAGE, "", 1, 0);
	/* 3 paths + 3 referrers + 2 browsers + 4 languages, nothing else */
	T_EQ_INT(one_int(s, &q_dim_rows, PIV, 0, NULL), 12);
	T_EQ_INT(one_int(s, &q_day_views, BLOG, 0, NULL), 1);
	T_EQ_INT(one_int(s, &q_day_visitors, BLOG, 0, NULL), 1);

	/* nothing personal in the database, byte for byte */
	scan = db_bytes(dir);
	t_assert_absent(scan, "127.0.0.1");
	t_assert_absent(scan, FF);
	t_assert_absent(scan, CH);
	t_assert_absent(scan, BOT);
	t_assert_absent(scan, "Gecko/20100101");
	t_assert_absent(scan, "news.example.org/story");
	t_assert_absent(scan, "feedsecret");
	t_assert_absent(scan, "secretcampaign");
	t_assert_absent(scan, "de-CH");
	t_assert_absent(scan, "visitorOneQx7aZZ");
	t_assert_absent(scan, "visitorTwoWq3bYY");

	/* N requests, then SIGTERM at once: exactly N more events */
	before = count_all(s, &q_events);
	t_server_start(&srv, dir);
	for (i = 0; i < n; i++)
		req(srv.port, "GET", PIV, "/", 200, V2, "User-Agent: " CH, NULL, NULL, NULL);
	T_EQ_INT(t_server_stop(&srv), 0);
	T_EQ_INT(count_all(s, &q_events), before + n);
	/* a restart forgets the day's salt: visitor 2 counts once more (documented) */
	T_EQ_INT(one_int(s, &q_day_views, PIV, 0, NULL), 7 + n);
	T_EQ_INT(one_int(s, &q_day_visitors, PIV, 0, NULL), 3);

	/* a crash (kill -9) loses at most the flush window: events older than
	 * LIMIT_ANALYTICS_FLUSH_MS are stored (SECURITY.md) */
	before = count_all(s, &q_events);
	t_server_start(&srv, dir);
	for (i = 0; i < 20; i++)
		req(srv.port, "GET", PIV, "/", 200, V2, "User-Agent: " CH, NULL, NULL, NULL);
	usleep((LIMIT_ANALYTICS_FLUSH_MS + 300) * 1000);
	T_EQ_INT(kill(srv.pid, SIGKILL), 0);
	{
		int status;
		T_EQ_INT(waitpid(srv.pid, &status, 0), srv.pid);
	}
	T_EQ_INT(count_all(s, &q_events), before + 20);

	/* [analytics] enabled = no: nothing is recorded */
	set_conf(dir, "enabled = no\n");
	before = count_all(s, &q_events);
	t_server_start(&srv, dir);
	for (i = 0; i < 5; i++)
		req(srv.port, "GET", PIV, "/", 200, V2, "User-Agent: " CH, NULL, NULL, NULL);
	T_EQ_INT(t_server_stop(&srv), 0);
	T_EQ_INT(count_all(s, &q_events), before);
	store_close(s);
	return 0;
}
