/*
 * it_stats_e2e: issue 7's "done when", end to end on both backends. A scripted workload
 * goes through the real server with the recorder on (known browsers, languages,
 * referrers, visitor cookies, DNT, a bot); once the writer has stored it, `candor
 * report` (JSON, and CSV --public), the dashboard's JSON export and the published
 * /stats page and /stats.json give exactly the figures the workload implies, with the
 * public ones suppressed at k 5 as report.h says; the dashboard shows the recorder's
 * counters (no event dropped).
 *
 * The workload, all on perfectimagevideo.localhost today:
 *   12 visitors (Firefox, de) come to /posts/interview-lighting from news.example.org;
 *   5 visitors (Chrome, en) open /pages/about without a referrer;
 *   2 requests (Chrome, fr) for / with DNT: 1 and a cookie: views without a visitor;
 *   1 request from Googlebot: a bot request, in no figure but the bot count.
 * So: 19 page views, 17 visitors, 1 bot request.
 */
#include <fcntl.h>
#include <jansson.h>
#include <time.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "analytics/report.h"
#include "store/store.h"
#include "testlib.h"
#include "testweb.h"
#include "web/web_int.h"

#define PW "Marmalade Harbour Lantern 31"
#define PIV "perfectimagevideo.localhost"
#define FF "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
#define CH "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 " \
	   "(KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36"
#define BOT "User-Agent: Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

static int port;

static const struct store_stmt q_views = {"t_e2e_views",
    "SELECT COALESCE(SUM(views), 0) FROM analytics_days"};

static void
get(const char *path, const char *h1, const char *h2, const char *h3, const char *h4)
{
	const char *list[5] = {h1, h2, h3, h4, NULL};
	struct t_resp r;

	t_http(&r, port, "GET", PIV, path, list, NULL);
	T_EQ_INT(r.status, 200);
	t_resp_free(&r);
}

static void
workload(void)
{
	char cookie[64];
	int i;

	for (i = 0; i < 12; i++) {
		snprintf(cookie, sizeof(cookie), "Cookie: candor_visitor=readerFf%02dZq8xW", i);
		get("/posts/interview-lighting", cookie, FF, "Accept-Language: de-DE,de;q=0.9",
		    "Referer: https://news.example.org/a/story?id=7");
	}
	for (i = 0; i < 5; i++) {
		snprintf(cookie, sizeof(cookie), "Cookie: candor_visitor=readerCh%02dPp3yV", i);
		get("/pages/about", cookie, CH, "Accept-Language: en-GB,en;q=0.7", NULL);
	}
	for (i = 0; i < 2; i++)
		get("/", "Cookie: candor_visitor=privateDnt9Rr4", CH, "Accept-Language: fr", "DNT: 1");
	get("/", BOT, NULL, NULL, NULL);
}

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
stored_views(struct store *s)
{
	struct store_q *q = store_prepare(s, &q_views);
	int64_t v;

	T_ASSERT(q != NULL);
	T_EQ_INT(store_step(q), STORE_ROW);
	v = store_col_int(q, 0);
	T_EQ_INT(store_done(q), ERR_OK);
	return v;
}

static const char *
pwfile(void)
{
	static char path[600];
	int fd;

	snprintf(path, sizeof(path), "%s/pw.txt", t_tmpdir());
	T_ASSERT((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) >= 0);
	T_ASSERT(write(fd, PW, strlen(PW)) == (ssize_t)strlen(PW));
	T_ASSERT(close(fd) == 0);
	return path;
}


/* json's figure key: a number. */
static int64_t
num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		T_FAIL("%s is not a number", key);
	return json_integer_value(v);
}

/* The row labelled value of list: its views and visitors ("" when the figure is hidden
 * text). */
static json_t *
row(json_t *root, const char *dim, size_t i, const char *value)
{
	json_t *o = json_array_get(json_object_get(root, dim), i);

	T_ASSERT(o != NULL);
	T_EQ_STR(json_string_value(json_object_get(o, "value")), value);
	return o;
}

/* The private figures, as the CLI and the dashboard give them. */
static void
check_private(json_t *root, bool bots)
{
	T_EQ_INT(num(root, "views"), 19);
	T_EQ_INT(num(root, "visitors"), 17);
	if (bots)
		T_EQ_INT(num(root, "bot_views"), 1);
	T_EQ_INT(num(row(root, "path", 0, "/posts/interview-lighting"), "visitors"), 12);
	T_EQ_INT(num(row(root, "path", 1, "/pages/about"), "views"), 5);
	T_EQ_INT(num(row(root, "path", 2, "/"), "views"), 2);
	T_EQ_INT(num(row(root, "path", 2, "/"), "visitors"), 0);
	T_EQ_INT(json_array_size(json_object_get(root, "path")), 3);
	T_EQ_INT(num(row(root, "referrer", 0, "news.example.org"), "views"), 12);
	T_EQ_INT(num(row(root, "referrer", 1, "(none)"), "views"), 7);
	T_EQ_INT(num(row(root, "referrer", 1, "(none)"), "visitors"), 5);
	T_EQ_INT(num(row(root, "browser", 0, "Firefox"), "views"), 12);
	T_EQ_INT(num(row(root, "browser", 1, "Chrome"), "visitors"), 5);
	T_EQ_INT(num(row(root, "language", 0, "de"), "visitors"), 12);
	T_EQ_INT(num(row(root, "language", 1, "en"), "visitors"), 5);
	T_EQ_INT(num(row(root, "language", 2, "fr"), "views"), 2);
}

int
main(void)
{
	const char *dir = t_datadir(true);
	char from[11], to[11], *out, *owner, *csrf, *body, path[160];
	int64_t today = (int64_t)time(NULL) / 86400;
	struct t_server srv;
	struct t_resp r;
	struct store *s;
	json_error_t je;
	json_t *root;
	int i;

	report_day_text(today - 6, from);
	report_day_text(today, to);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "olive", "--email",
		     "olive@example.test", "--role", "owner", "--password-file", pwfile(), NULL), 0);
	free(out);
	t_server_start(&srv, dir);
	port = srv.port;
	workload();
	s = open_db(dir);
	for (i = 0; i < 100 && stored_views(s) < 19; i++)
		usleep(100 * 1000);
	T_EQ_INT(stored_views(s), 19);
	store_close(s);

	/* the CLI, before anything else was requested: bots exactly 1 */
	T_EQ_INT(t_candor(&out, "report", "--data", dir, "--site", PIV, "--from", from, "--to",
		     to, "--format", "json", NULL), 0);
	T_ASSERT((root = json_loads(out, 0, &je)) != NULL);
	check_private(root, true);
	json_decref(root);
	free(out);

	/* the dashboard's JSON export and page (the owner) */
	owner = t_web_sign_in(port, PIV, "olive", PW);
	snprintf(path, sizeof(path), "candor_session=%s", owner);
	t_web_get(&r, port, PIV, "/admin/stats.json?site=" PIV "&range=7", path, NULL);
	T_EQ_INT(r.status, 200);
	T_ASSERT((root = json_loads(r.body, 0, &je)) != NULL);
	check_private(root, false); /* our own requests since are bot requests (no UA) */
	json_decref(root);
	t_resp_free(&r);
	t_web_get(&r, port, PIV, "/admin/stats?range=7", path, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<dd id=\"total-views\">19</dd>");
	T_CONTAINS(r.body, "<dd id=\"total-visitors\">17</dd>");
	T_CONTAINS(r.body, " 0 events dropped");
	T_ASSERT((csrf = t_web_csrf(r.body, "/admin/stats/publish")) != NULL);
	t_resp_free(&r);

	/* published with k 5: the public page and its JSON */
	body = t_web_form("csrf", csrf, "site", PIV, "action", "publish", "k", "5", NULL);
	t_web_post(&r, port, PIV, "/admin/stats/publish", path, NULL, body);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	free(body);
	free(csrf);
	t_web_get(&r, port, PIV, "/stats?range=7", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "every figure below 5 is shown as “fewer than 5”");
	T_CONTAINS(r.body, "<dd id=\"total-views\">19</dd>");
	T_CONTAINS(r.body, "<dd id=\"total-visitors\">17</dd>");
	T_CONTAINS(r.body, "<th scope=\"row\">/posts/interview-lighting</th><td>12</td><td>12</td>");
	/* / (2 views, no visitor) fails k; other would hold 2, so /pages/about joins it */
	T_CONTAINS(r.body, "<th scope=\"row\">(other)</th><td>7</td><td>5</td>");
	T_NOT_CONTAINS(r.body, "<th scope=\"row\">/pages/about</th>"); /* (the menu links it) */
	T_CONTAINS(r.body, "<th scope=\"row\">(none)</th><td>7</td><td>5</td>");
	T_NOT_CONTAINS(r.body, "<th scope=\"row\">fr</th>");
	t_resp_free(&r);
	t_web_get(&r, port, PIV, "/stats.json?range=7", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_ASSERT((root = json_loads(r.body, 0, &je)) != NULL);
	T_EQ_INT(num(root, "k"), 5);
	T_EQ_INT(num(root, "views"), 19);
	T_EQ_INT(num(root, "visitors"), 17);
	T_ASSERT(json_object_get(root, "bot_views") == NULL);
	T_EQ_INT(json_array_size(json_object_get(root, "path")), 2);
	T_EQ_INT(num(row(root, "path", 1, "(other)"), "views"), 7);
	T_EQ_INT(num(row(root, "language", 0, "de"), "views"), 12);
	T_EQ_INT(num(row(root, "language", 1, "(other)"), "views"), 7);
	T_EQ_INT(num(row(root, "language", 1, "(other)"), "visitors"), 5);
	json_decref(root);
	t_resp_free(&r);

	/* the CLI --public: the published k, the same figures */
	T_EQ_INT(t_candor(&out, "report", "--data", dir, "--site", PIV, "--from", from, "--to",
		     to, "--format", "csv", "--public", NULL), 0);
	T_CONTAINS(out, "total,,19,17\r\n");
	T_CONTAINS(out, "path,/posts/interview-lighting,12,12\r\npath,(other),7,5\r\n");
	T_CONTAINS(out, "referrer,news.example.org,12,12\r\nreferrer,(none),7,5\r\n");
	T_CONTAINS(out, "language,de,12,12\r\nlanguage,(other),7,5\r\n");
	T_NOT_CONTAINS(out, "fr,");
	free(out);
	T_EQ_INT(t_server_stop(&srv), 0);
	free(owner);
	printf("it_stats_e2e (%s): ok\n", t_backend());
	return 0;
}
