/*
 * it_stats: the analytics dashboards, the public trend pages and `candor report` through
 * the real server and binary, on both backends, over rollup rows written straight into
 * the data directory's database (the recorder is not involved).
 *
 * Access: signed out -> sign in; a member and an editor -> 403 with a sentence; the
 * admin of another site sees that site only (403 for this one and for all); this site's
 * admin, staff and the owner see it (staff and owner also "all"). The period picker:
 * 7/30/90 days and custom dates, 400 with a sentence for a bad date, from after to and an
 * unknown period. CSV and JSON exports give exactly the page's figures. /stats and
 * /stats/all are 404 with a sentence until published; publishing needs the csrf field,
 * is refused with k below 2 (400) and for the wrong person (403); published pages state k
 * and show "fewer than k" and (other) as report.h says; withdrawing makes them 404 again.
 * The CLI prints the same figures (json, csv, --public) and refuses bad input clearly.
 */
#include <fcntl.h>
#include <jansson.h>
#include <time.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "analytics/report.h"
#include "core/core.h"
#include "store/store.h"
#include "testlib.h"
#include "testweb.h"
#include "web/web_int.h"

#define PW "Marmalade Harbour Lantern 31"
#define MAIN_HOST "perfectimagevideo.localhost"
#define BLOG_HOST "blog.perfectimagevideo.localhost"

static int port;
static const char *dir;
static int64_t today;

static const struct store_stmt t_day_sql = {"t_day",
    "INSERT INTO analytics_days (site_id, day, views, visitors, bot_views)"
    " VALUES (?, ?, ?, ?, ?)"};
static const struct store_stmt t_dim_sql = {"t_dim",
    "INSERT INTO analytics_dims (site_id, day, dim, value, views, visitors)"
    " VALUES (?, ?, ?, ?, ?, ?)"};

static const char *
pwfile(void)
{
	static char path[600];
	int fd;

	if (path[0])
		return path;
	snprintf(path, sizeof(path), "%s/pw.txt", t_tmpdir());
	T_ASSERT((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) >= 0);
	T_ASSERT(write(fd, PW, strlen(PW)) == (ssize_t)strlen(PW));
	T_ASSERT(close(fd) == 0);
	return path;
}

static struct store *
open_db(void)
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

static void
put_day(struct store *s, int64_t site, int64_t d, int64_t views, int64_t visitors,
    int64_t bots)
{
	struct store_q *q = store_prepare(s, &t_day_sql);

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
put_dim(struct store *s, int64_t site, int64_t d, int dim, const char *value, int64_t views,
    int64_t visitors)
{
	struct store_q *q = store_prepare(s, &t_dim_sql);

	T_ASSERT(q != NULL);
	store_bind_int(q, 1, site);
	store_bind_int(q, 2, d);
	store_bind_int(q, 3, dim);
	store_bind_text(q, 4, value);
	store_bind_int(q, 5, views);
	store_bind_int(q, 6, visitors);
	T_EQ_INT(store_step(q), STORE_DONE);
	T_EQ_INT(store_done(q), ERR_OK);
}

/*
 * The workload's rollups. Site 1 (perfectimagevideo.localhost), today: 45 views, 13
 * visitors, 3 bot requests; paths / 30/10, /posts/a 10/2, /posts/b 5/1; referrers none
 * 25/7, example.org 20/6; Firefox 45/13; de 45/13. Yesterday: 3 views, 2 visitors.
 * Site 2 (the blog), today: 100 views, 50 visitors, 9 bots; /posts/blog 100/50.
 */
static void
seed(void)
{
	struct store *s = open_db();

	put_day(s, 1, today, 45, 13, 3);
	put_day(s, 1, today - 1, 3, 2, 0);
	put_dim(s, 1, today, ANALYTICS_DIM_PATH, "/", 30, 10);
	put_dim(s, 1, today, ANALYTICS_DIM_PATH, "/posts/a", 10, 2);
	put_dim(s, 1, today, ANALYTICS_DIM_PATH, "/posts/b", 5, 1);
	put_dim(s, 1, today - 1, ANALYTICS_DIM_PATH, "/", 3, 2);
	put_dim(s, 1, today, ANALYTICS_DIM_REFERRER, "", 25, 7);
	put_dim(s, 1, today, ANALYTICS_DIM_REFERRER, "example.org", 20, 6);
	put_dim(s, 1, today, ANALYTICS_DIM_BROWSER, "Firefox", 45, 13);
	put_dim(s, 1, today, ANALYTICS_DIM_LANGUAGE, "de", 45, 13);
	put_day(s, 2, today, 100, 50, 9);
	put_dim(s, 2, today, ANALYTICS_DIM_PATH, "/posts/blog", 100, 50);
	store_close(s);
}



static void
user(const char *name, const char *role, const char *site, const char *site_role)
{
	char email[64], *out;

	snprintf(email, sizeof(email), "%s@example.test", name);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", name, "--email",
		     email, "--role", role, "--password-file", pwfile(), NULL), 0);
	free(out);
	if (site) {
		T_EQ_INT(t_candor(&out, "user", "role", "--data", dir, "--username", name,
			     "--site", site, "--grant", site_role, NULL), 0);
		free(out);
	}
}

/* GET path as token; asserts the status and, when not NULL, a needle in the body. */
static void
expect(const char *host, const char *path, const char *token, long status,
    const char *needle)
{
	struct t_resp r;

	t_web_req(&r, port, host, "GET", path, token, NULL);
	if (r.status != status)
		T_FAIL("GET %s: status %ld, expected %ld", path, r.status, status);
	if (needle)
		T_CONTAINS(r.body, needle);
	t_resp_free(&r);
}

/* Posts the publication form of /admin/stats?site=scope (as token) with action and k. */
static long
publish(const char *token, const char *page_scope, const char *site, const char *action,
    const char *k, bool with_csrf)
{
	struct t_resp r;
	char page[128], *csrf = NULL, *body;
	long status;

	if (with_csrf) {
		snprintf(page, sizeof(page), "/admin/stats?site=%s", page_scope);
		t_web_req(&r, port, NULL, "GET", page, token, NULL);
		T_EQ_INT(r.status, 200);
		T_ASSERT((csrf = t_web_csrf(r.body, "/admin/stats/publish")) != NULL);
		t_resp_free(&r);
	}
	body = with_csrf ? t_web_form("csrf", csrf, "site", site, "action", action, "k", k, NULL)
			 : t_web_form("site", site, "action", action, "k", k, NULL);
	t_web_req(&r, port, NULL, "POST", "/admin/stats/publish", token, body);
	status = r.status;
	if (status >= 400)
		fprintf(stderr, "publish answered %ld\n", status);
	t_resp_free(&r);
	free(body);
	free(csrf);
	return status;
}

static void
check_access(const char *member, const char *editor, const char *blog_admin,
    const char *admin, const char *staff, const char *owner)
{
	struct t_resp r;

	t_web_req(&r, port, NULL, "GET", "/admin/stats", NULL, NULL);
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/login?next=%2Fadmin%2Fstats");
	t_resp_free(&r);
	expect(NULL, "/admin/stats.csv", NULL, 303, NULL);
	expect(NULL, "/admin/stats", member, 403, "for a site&#39;s administrators");
	expect(NULL, "/admin/stats.json", member, 403, NULL);
	expect(NULL, "/admin/stats", editor, 403, "your account is none of these");
	/* another site's admin: that site by default, never this one, never all */
	expect(NULL, "/admin/stats", blog_admin, 200, "Visitor statistics: PIV Blog");
	expect(NULL, "/admin/stats?site=" MAIN_HOST, blog_admin, 403,
	    "You are not an administrator of " MAIN_HOST);
	expect(NULL, "/admin/stats.csv?site=" MAIN_HOST, blog_admin, 403, NULL);
	expect(NULL, "/admin/stats?site=all", blog_admin, 403, "Only the owner and staff");
	expect(NULL, "/admin/stats?site=nowhere.example", owner, 404,
	    "No site is served at nowhere.example.");
	/* this site's admin */
	t_web_req(&r, port, NULL, "GET", "/admin/stats?range=7", admin, NULL);
	T_EQ_INT(r.status, 200);
	T_EQ_STR(t_resp_header(&r, "Cache-Control"), "no-store");
	T_CONTAINS(r.body, "Visitor statistics: Perfect Image Video");
	T_CONTAINS(r.body, "<dd id=\"total-views\">48</dd>");
	T_CONTAINS(r.body, "<dd id=\"total-visitors\">15</dd>");
	T_CONTAINS(r.body, "<dd id=\"total-bots\">3</dd>");
	T_CONTAINS(r.body, "<th scope=\"row\">/posts/b</th><td>5</td><td>1</td>");
	T_CONTAINS(r.body, "<th scope=\"row\">(none)</th><td>25</td><td>7</td>");
	T_CONTAINS(r.body, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
	T_NOT_CONTAINS(r.body, "option value=\"all\""); /* not offered to a site admin */
	T_NOT_CONTAINS(r.body, BLOG_HOST);
	t_resp_free(&r);
	expect(NULL, "/admin/stats?site=PerfectImageVideo.localhost", admin, 200,
	    "Visitor statistics: Perfect Image Video"); /* a host is a host in any case */
	expect(NULL, "/admin/stats?site=not%20a%20host", admin, 404,
	    "No site is served at not a host.");
	/* staff and the owner: all sites */
	expect(NULL, "/admin/stats?site=all&range=7", staff, 200,
	    "<dd id=\"total-views\">148</dd>");
	expect(NULL, "/admin/stats?site=" BLOG_HOST "&range=7", staff, 200,
	    "<dd id=\"total-views\">100</dd>");
	t_web_req(&r, port, NULL, "GET", "/admin/stats?site=all&range=7", owner, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<dd id=\"total-visitors\">65</dd>");
	T_CONTAINS(r.body, "<dd id=\"total-bots\">12</dd>");
	T_CONTAINS(r.body, "<th scope=\"row\">/posts/blog</th><td>100</td><td>50</td>");
	T_CONTAINS(r.body, "<option value=\"all\" selected>");
	t_resp_free(&r);
	printf("access matrix: ok\n");
}

static void
check_periods(const char *admin)
{
	char path[200], from[11], to[11];
	struct t_resp r;

	report_day_text(today - 6, from);
	report_day_text(today, to);
	expect(NULL, "/admin/stats?range=7", admin, 200, "7 days.");
	expect(NULL, "/admin/stats", admin, 200, "30 days.");
	expect(NULL, "/admin/stats?range=90", admin, 200, "90 days.");
	/* custom: only yesterday */
	report_day_text(today - 1, from);
	snprintf(path, sizeof(path), "/admin/stats?range=custom&from=%s&to=%s", from, from);
	t_web_req(&r, port, NULL, "GET", path, admin, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "(UTC), 1 day.");
	/* the export buttons carry the same query */
	snprintf(path, sizeof(path), "<input type=\"hidden\" name=\"from\" value=\"%s\">", from);
	T_CONTAINS(r.body, path);
	T_CONTAINS(r.body, "<input type=\"hidden\" name=\"range\" value=\"custom\">");
	T_CONTAINS(r.body, "<dd id=\"total-views\">3</dd>");
	T_CONTAINS(r.body, "<dd id=\"total-visitors\">2</dd>");
	t_resp_free(&r);
	expect(NULL, "/admin/stats?range=custom&from=2026-02-30&to=2026-03-01", admin, 400,
	    "The start date is not a real date");
	expect(NULL, "/admin/stats?range=custom&from=2026-03-02&to=2026-03-01", admin, 400,
	    "The start date is after the end date.");
	expect(NULL, "/admin/stats?range=custom&from=2026-03-02", admin, 400,
	    "the end date is missing");
	expect(NULL, "/admin/stats?range=31", admin, 400, "7, 30 or 90 days");
	expect(NULL, "/admin/stats.csv?range=custom&from=2024-01-01&to=2025-12-31", admin, 400,
	    "at most 366 days");
	printf("period picker: ok\n");
}

static void
check_exports(const char *admin)
{
	char query[100], path[200], y[11], t[11], expected[2048];
	json_error_t je;
	json_t *root;
	struct t_resp r;

	report_day_text(today - 1, y);
	report_day_text(today, t);
	snprintf(query, sizeof(query), "?range=custom&from=%s&to=%s", y, t);
	snprintf(path, sizeof(path), "/admin/stats.csv%s", query);
	t_web_req(&r, port, NULL, "GET", path, admin, NULL);
	T_EQ_INT(r.status, 200);
	T_EQ_STR(t_resp_header(&r, "Content-Type"), "text/csv; charset=utf-8");
	T_CONTAINS(t_resp_header(&r, "Content-Disposition"),
	    "attachment; filename=\"candor-stats-" MAIN_HOST "-");
	snprintf(expected, sizeof(expected),
	    "section,value,views,visitors\r\n"
	    "total,,48,15\r\n"
	    "day,%s,3,2\r\n"
	    "day,%s,45,13\r\n"
	    "path,/,33,12\r\n"
	    "path,/posts/a,10,2\r\n"
	    "path,/posts/b,5,1\r\n"
	    "referrer,(none),25,7\r\n"
	    "referrer,example.org,20,6\r\n"
	    "browser,Firefox,45,13\r\n"
	    "language,de,45,13\r\n", y, t);
	T_EQ_STR(r.body, expected);
	t_resp_free(&r);
	snprintf(path, sizeof(path), "/admin/stats.json%s", query);
	t_web_req(&r, port, NULL, "GET", path, admin, NULL);
	T_EQ_INT(r.status, 200);
	T_EQ_STR(t_resp_header(&r, "Content-Type"), "application/json; charset=utf-8");
	T_ASSERT((root = json_loads(r.body, 0, &je)) != NULL);
	T_EQ_STR(json_string_value(json_object_get(root, "site")), MAIN_HOST);
	T_EQ_INT(json_integer_value(json_object_get(root, "views")), 48);
	T_EQ_INT(json_integer_value(json_object_get(root, "visitors")), 15);
	T_EQ_INT(json_integer_value(json_object_get(root, "bot_views")), 3);
	T_ASSERT(json_is_null(json_object_get(root, "k")));
	T_EQ_INT(json_array_size(json_object_get(root, "path")), 3);
	T_EQ_INT(json_integer_value(json_object_get(json_array_get(json_object_get(root, "path"),
	    0), "views")), 33);
	json_decref(root);
	t_resp_free(&r);
	printf("csv and json exports: ok\n");
}

static void
check_public(const char *blog_admin, const char *admin, const char *owner)
{
	json_error_t je;
	json_t *root, *path;
	struct t_resp r;
	char y[11], line[128];

	report_day_text(today - 1, y);
	expect(NULL, "/stats", NULL, 404, "This site does not publish its visitor statistics.");
	expect(NULL, "/stats.json", NULL, 404, NULL);
	expect(NULL, "/stats/all", NULL, 404, "The statistics of all sites are not published.");
	/* refused: no csrf, another site's admin, k below 2, all by a site admin */
	T_EQ_INT(publish(admin, MAIN_HOST, MAIN_HOST, "publish", "3", false), 403);
	T_EQ_INT(publish(blog_admin, BLOG_HOST, MAIN_HOST, "publish", "3", true), 403);
	T_EQ_INT(publish(admin, MAIN_HOST, MAIN_HOST, "publish", "1", true), 400);
	T_EQ_INT(publish(admin, MAIN_HOST, "all", "publish", "5", true), 403);
	expect(NULL, "/stats", NULL, 404, NULL);
	/* this site's admin publishes with k 3 */
	T_EQ_INT(publish(admin, MAIN_HOST, MAIN_HOST, "publish", "3", true), 303);
	expect(NULL, "/admin/stats", admin, 200, "figures below 3 are shown as");
	expect(BLOG_HOST, "/stats", NULL, 404, NULL); /* the blog did not publish */
	t_web_req(&r, port, NULL, "GET", "/stats?range=7", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "every figure below 3 is shown as “fewer than 3”");
	T_CONTAINS(r.body, "<dd id=\"total-views\">48</dd>");
	T_CONTAINS(r.body, "<dd id=\"total-visitors\">15</dd>");
	T_NOT_CONTAINS(r.body, "total-bots");
	/* yesterday's 2 visitors are hidden, and so is today's 13 (secondary) */
	snprintf(line, sizeof(line), "<th scope=\"row\">%s</th><td>3</td><td>fewer than 3</td>", y);
	T_CONTAINS(r.body, line);
	/* / counts only today's cell (10 visitors); /posts/a, /posts/b and yesterday's
	 * cell of / (2 visitors) are in other */
	T_CONTAINS(r.body, "<th scope=\"row\">/</th><td>30</td><td>10</td>");
	T_CONTAINS(r.body, "<th scope=\"row\">(other)</th><td>18</td><td>5</td>");
	T_NOT_CONTAINS(r.body, "/posts/a");
	T_NOT_CONTAINS(r.body, "/posts/b");
	t_resp_free(&r);
	expect(NULL, "/stats?range=custom", NULL, 400, "last 7, 30 or 90 days");
	t_web_req(&r, port, NULL, "GET", "/stats.json?range=7", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_ASSERT((root = json_loads(r.body, 0, &je)) != NULL);
	T_EQ_INT(json_integer_value(json_object_get(root, "k")), 3);
	T_EQ_INT(json_integer_value(json_object_get(root, "views")), 48);
	path = json_object_get(root, "path");
	T_EQ_INT(json_array_size(path), 2);
	T_EQ_STR(json_string_value(json_object_get(json_array_get(path, 0), "value")), "/");
	T_EQ_INT(json_integer_value(json_object_get(json_array_get(path, 1), "views")), 18);
	json_decref(root);
	t_resp_free(&r);
	/* the owner publishes all sites with k 5 */
	T_EQ_INT(publish(owner, "all", "all", "publish", "5", true), 303);
	t_web_req(&r, port, BLOG_HOST, "GET", "/stats/all?range=7", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "every figure below 5 is shown as “fewer than 5”");
	T_CONTAINS(r.body, "<dd id=\"total-views\">148</dd>");
	T_CONTAINS(r.body, "<th scope=\"row\">/posts/blog</th><td>100</td><td>50</td>");
	T_CONTAINS(r.body, "<th scope=\"row\">/</th><td>30</td><td>10</td>");
	T_CONTAINS(r.body, "<th scope=\"row\">(other)</th><td>18</td><td>5</td>");
	t_resp_free(&r);
	/* withdrawn: 404 again */
	T_EQ_INT(publish(admin, MAIN_HOST, MAIN_HOST, "withdraw", "", true), 303);
	expect(NULL, "/stats", NULL, 404, "does not publish");
	T_EQ_INT(publish(admin, MAIN_HOST, MAIN_HOST, "publish", "3", true), 303);
	printf("public pages: ok\n");
}

static void
check_cli(void)
{
	char from[11], to[11], y[11], line[128], *out;

	report_day_text(today - 6, from);
	report_day_text(today, to);
	report_day_text(today - 1, y);
	T_EQ_INT(t_candor(&out, "report", "--data", dir, "--site", MAIN_HOST, "--from", from,
		     "--to", to, "--format", "csv", NULL), 0);
	T_CONTAINS(out, "total,,48,15\r\n");
	T_CONTAINS(out, "path,/posts/a,10,2\r\n");
	free(out);
	/* --public takes the published k (3) */
	T_EQ_INT(t_candor(&out, "report", "--data", dir, "--site", MAIN_HOST, "--from", from,
		     "--to", to, "--format", "csv", "--public", NULL), 0);
	T_CONTAINS(out, "total,,48,15\r\n");
	snprintf(line, sizeof(line), "day,%s,3,fewer than 3\r\n", y);
	T_CONTAINS(out, line);
	T_CONTAINS(out, "path,/,30,10\r\npath,(other),18,5\r\n");
	T_NOT_CONTAINS(out, "/posts/a");
	free(out);
	T_EQ_INT(t_candor(&out, "report", "--data", dir, "--site", "all", "--from", from, "--to",
		     to, "--format", "json", "--public", "--k", "5", NULL), 0);
	T_CONTAINS(out, "\"k\": 5");
	T_CONTAINS(out, "\"views\": 148");
	T_CONTAINS(out, "\"site\": \"all sites\"");
	free(out);
	T_EQ_INT(t_candor(&out, "report", "--data", dir, "--site", BLOG_HOST, "--from", from,
		     "--to", to, "--format", "json", NULL), 0);
	T_CONTAINS(out, "\"bot_views\": 9");
	free(out);
	/* refusals */
	T_EQ_INT(t_candor(&out, "report", "--data", dir, "--site", MAIN_HOST, "--from",
		     "2026-13-01", "--to", to, "--format", "csv", NULL), 2);
	T_CONTAINS(out, "The start date is not a real date");
	free(out);
	T_EQ_INT(t_candor(&out, "report", "--data", dir, "--site", MAIN_HOST, "--from", to,
		     "--to", from, "--format", "csv", NULL), 2);
	T_CONTAINS(out, "The start date is after the end date.");
	free(out);
	T_EQ_INT(t_candor(&out, "report", "--data", dir, "--site", "nowhere.example", "--from",
		     from, "--to", to, "--format", "csv", NULL), 1);
	T_CONTAINS(out, "no site is served at nowhere.example");
	free(out);
	T_EQ_INT(t_candor(&out, "report", "--data", dir, "--site", MAIN_HOST, "--from", from,
		     "--to", to, "--format", "xml", NULL), 2);
	T_CONTAINS(out, "--format is json or csv");
	free(out);
	T_EQ_INT(t_candor(&out, "report", "--data", dir, "--site", MAIN_HOST, "--from", from,
		     "--to", to, "--format", "csv", "--public", "--k", "1", NULL), 2);
	T_CONTAINS(out, "--k is a whole number from 2 to 1000");
	free(out);
	printf("candor report: ok\n");
}

int
main(void)
{
	struct t_server srv;
	char *member, *editor, *blog_admin, *admin, *staff, *owner;

	dir = t_datadir(true);
	today = (int64_t)time(NULL) / 86400;
	{
		/* the figures are the seeded rows only: this test's own requests are not
		 * recorded (the recorder has it_analytics) */
		char conf[600];
		FILE *f;
		snprintf(conf, sizeof(conf), "%s/candor.conf", dir);
		T_ASSERT((f = fopen(conf, "a")) != NULL);
		fputs("\n[analytics]\nenabled = no\n", f);
		fclose(f);
	}
	user("mia", "member", NULL, NULL);
	user("eddie", "member", MAIN_HOST, "editor");
	user("bella", "member", BLOG_HOST, "admin");
	user("adam", "member", MAIN_HOST, "admin");
	user("sam", "staff", NULL, NULL);
	user("olive", "owner", NULL, NULL);
	seed();
	t_server_start(&srv, dir);
	port = srv.port;
	member = t_web_sign_in(port, NULL, "mia", PW);
	editor = t_web_sign_in(port, NULL, "eddie", PW);
	blog_admin = t_web_sign_in(port, NULL, "bella", PW);
	admin = t_web_sign_in(port, NULL, "adam", PW);
	staff = t_web_sign_in(port, NULL, "sam", PW);
	owner = t_web_sign_in(port, NULL, "olive", PW);
	check_access(member, editor, blog_admin, admin, staff, owner);
	check_periods(admin);
	check_exports(admin);
	check_public(blog_admin, admin, owner);
	check_cli();
	T_EQ_INT(t_server_stop(&srv), 0);
	free(member);
	free(editor);
	free(blog_admin);
	free(admin);
	free(staff);
	free(owner);
	printf("it_stats (%s): ok\n", t_backend());
	return 0;
}
