/*
 * it_admin: the admin area and search through the real server, on both backends (issue
 * 6, items 1 and 4).
 *
 * The role matrix on the demo's first site (A): the owner, A's admin, A's editor, the
 * admin of the other site (B), a member and nobody signed in, each against the posts
 * list, the post form, the settings and the sites pages: 303 to /login without a
 * session, 403 with a sentence for the wrong role, 200 otherwise, every answer no-store.
 * Forms without their csrf field are refused (403) and change nothing. Bad input comes
 * back as the form with what was typed and the error next to its field (a taken slug,
 * an invalid slug, a time in the past, an over-long title). An editor writes, previews
 * (server-rendered, nothing saved), schedules a post a few seconds ahead: it is on no
 * public page, feed, sitemap or search before its time, and is on all of them after it
 * although the home page was cached before (the cache generation counts due posts);
 * unpublish takes it away, delete removes it. A site admin changes the settings (and
 * sites_find reads them back); an editor may not. The owner creates a site from the web
 * and appoints its admin, who can then open that site's settings; removing the role
 * takes the access away. Search: ranked hits with <mark>ed snippets, the echoed query
 * and hostile FTS syntax inert (no 500, no markup), an over-long query a 400 with a
 * sentence, pagination.
 */
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "store/store.h"
#include "testlib.h"
#include "testweb.h"
#include "web/web_int.h"

#define PW "Tangerine Lighthouse Orbit 77"
#define SITE_A "perfectimagevideo.localhost" /* by its name: 127.0.0.1 reaches it
							 through default_site, never cached */
#define SITE_B "blog.perfectimagevideo.localhost"

static int port;

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




static void
add_user(const char *dir, const char *name, const char *role)
{
	char *out = NULL, email[64];

	snprintf(email, sizeof(email), "%s@example.test", name);
	if (t_candor(&out, "user", "add", "--data", dir, "--username", name, "--email", email,
		"--role", role, "--password-file", pwfile(), NULL) != 0)
		T_FAIL("user add %s: %s", name, out ? out : "");
	free(out);
}

static void
grant(const char *dir, const char *name, const char *host, const char *role)
{
	char *out = NULL;

	if (t_candor(&out, "user", "role", "--data", dir, "--username", name, "--site", host,
		"--grant", role, NULL) != 0)
		T_FAIL("user role %s: %s", name, out ? out : "");
	free(out);
}

/* GET path as token on host: the status, and no-store on every admin answer. */
static long
status_of(const char *host, const char *path, const char *token)
{
	struct t_resp r;
	long st;

	t_web_req(&r, port, host, "GET", path, token, NULL);
	st = r.status;
	if (strncmp(path, "/admin", 6) == 0)
		T_EQ_STR(t_resp_header(&r, "Cache-Control"), "no-store");
	if (st == 403 && strcmp(path, "/admin") == 0)
		T_CONTAINS(r.body, "Your account has no admin role on this site.");
	else if (st == 403)
		T_CONTAINS(r.body, "Only ");
	if (st == 303)
		T_CONTAINS(t_resp_header(&r, "Location"), "/login?next=");
	t_resp_free(&r);
	return st;
}

/* "YYYY-MM-DDTHH:MM:SS" (UTC) of t. */
static void
fmt_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
}

/* The id in a Location "/admin/posts/ID?saved=1". */
static long long
location_id(const struct t_resp *r, const char *prefix)
{
	const char *loc = t_resp_header(r, "Location");

	T_ASSERT(loc != NULL);
	T_ASSERT(strncmp(loc, prefix, strlen(prefix)) == 0);
	return atoll(loc + strlen(prefix));
}

static void
test_matrix(const char *owner, const char *adm, const char *ed, const char *other,
    const char *member)
{
	static const char *const write_pages[] = {"/admin/posts", "/admin/pages",
	    "/admin/posts/new", "/admin/pages/new"};
	size_t i;

	for (i = 0; i < COUNTOF(write_pages); i++) {
		T_EQ_INT(status_of(NULL, write_pages[i], NULL), 303);
		T_EQ_INT(status_of(NULL, write_pages[i], member), 403);
		T_EQ_INT(status_of(NULL, write_pages[i], other), 403);
		T_EQ_INT(status_of(NULL, write_pages[i], ed), 200);
		T_EQ_INT(status_of(NULL, write_pages[i], adm), 200);
		T_EQ_INT(status_of(NULL, write_pages[i], owner), 200);
	}
	/* the other site's admin writes on their own site */
	T_EQ_INT(status_of(SITE_B, "/admin/posts", other), 200);
	T_EQ_INT(status_of(SITE_B, "/admin/posts", adm), 403);
	/* settings: admins and the owner */
	T_EQ_INT(status_of(NULL, "/admin/settings", NULL), 303);
	T_EQ_INT(status_of(NULL, "/admin/settings", member), 403);
	T_EQ_INT(status_of(NULL, "/admin/settings", other), 403);
	T_EQ_INT(status_of(NULL, "/admin/settings", ed), 403);
	T_EQ_INT(status_of(NULL, "/admin/settings", adm), 200);
	T_EQ_INT(status_of(NULL, "/admin/settings", owner), 200);
	/* sites: the owner only */
	T_EQ_INT(status_of(NULL, "/admin/sites", NULL), 303);
	T_EQ_INT(status_of(NULL, "/admin/sites", member), 403);
	T_EQ_INT(status_of(NULL, "/admin/sites", ed), 403);
	T_EQ_INT(status_of(NULL, "/admin/sites", adm), 403);
	T_EQ_INT(status_of(NULL, "/admin/sites", other), 403);
	T_EQ_INT(status_of(NULL, "/admin/sites", owner), 200);
	T_EQ_INT(status_of(NULL, "/admin/sites/1", adm), 403);
	T_EQ_INT(status_of(NULL, "/admin/sites/1", owner), 200);
	T_EQ_INT(status_of(NULL, "/admin/sites/999999", owner), 404);
	/* the entry page: any role, with the menu it allows */
	T_EQ_INT(status_of(NULL, "/admin", member), 403);
	T_EQ_INT(status_of(NULL, "/admin", ed), 200);
	{
		struct t_resp r;

		t_web_req(&r, port, NULL, "GET", "/admin", ed, NULL);
		T_CONTAINS(r.body, "href=\"/admin/posts\"");
		T_NOT_CONTAINS(r.body, "href=\"/admin/settings\"");
		t_resp_free(&r);
		t_web_req(&r, port, NULL, "GET", "/admin", adm, NULL);
		T_CONTAINS(r.body, "href=\"/admin/settings\"");
		T_CONTAINS(r.body, "href=\"/admin/comments\"");
		T_NOT_CONTAINS(r.body, "href=\"/admin/sites\"");
		t_resp_free(&r);
		t_web_req(&r, port, NULL, "GET", "/admin", owner, NULL);
		T_CONTAINS(r.body, "href=\"/admin/sites\"");
		t_resp_free(&r);
	}
	/* another site's post is not reachable through this site's admin */
	T_EQ_INT(status_of(NULL, "/admin/posts/5", ed), 404); /* demo post 5 is on B */
	T_EQ_INT(status_of(NULL, "/admin/posts/nope", ed), 404);
	T_EQ_INT(status_of(NULL, "/admin/pages/1", ed), 404); /* post 1 is a post, not a page */
}

static void
test_csrf(const char *ed, const char *adm)
{
	struct t_resp r;
	char *f;

	f = t_web_form("title", "No token", "body", "x", "status", "publish", NULL);
	t_web_req(&r, port, NULL, "POST", "/admin/posts/new", ed, f);
	T_EQ_INT(r.status, 403);
	T_EQ_STR(t_resp_header(&r, "Cache-Control"), "no-store");
	t_resp_free(&r);
	T_EQ_INT(status_of(NULL, "/posts/no-token", NULL), 404);
	free(f);
	f = t_web_form("csrf", "AAAA", "title", "Hijack", "comment_policy", "2", "comment_hold",
	    "1", NULL);
	t_web_req(&r, port, NULL, "POST", "/admin/settings", adm, f);
	T_EQ_INT(r.status, 403);
	t_resp_free(&r);
	free(f);
	t_web_req(&r, port, NULL, "GET", "/", NULL, NULL);
	T_NOT_CONTAINS(r.body, "Hijack");
	t_resp_free(&r);
	f = t_web_form("op", "appoint", "username", "mia", "role", "admin", NULL);
	t_web_req(&r, port, NULL, "POST", "/admin/sites/1/roles", ed, f);
	T_EQ_INT(r.status, 403);
	t_resp_free(&r);
	free(f);
}

static void
test_bad_input(const char *ed)
{
	struct t_resp r;
	char *f, when[32], longtitle[LIMIT_TITLE + 2];

	/* a taken slug: the form again, input kept, the error at the slug */
	f = t_web_form("title", "My <b>kept</b> title", "slug", "welcome", "body",
	    "Body that stays", "status", "publish", "action", "save", NULL);
	t_web_post_form(&r, port, NULL, "/admin/posts/new", "/admin/posts/new", ed, f);
	free(f);
	T_EQ_INT(r.status, 409);
	T_CONTAINS(r.body, "value=\"My &lt;b&gt;kept&lt;/b&gt; title\"");
	T_CONTAINS(r.body, ">Body that stays</textarea>");
	T_CONTAINS(r.body, "<p class=\"field-error\" role=\"alert\">This slug is already used");
	T_CONTAINS(r.body, "id=\"slug\" name=\"slug\" value=\"welcome\"");
	T_EQ_STR(t_resp_header(&r, "Cache-Control"), "no-store");
	t_resp_free(&r);
	/* an invalid slug */
	f = t_web_form("title", "T", "slug", "Not A Slug!", "body", "b", "status", "draft",
	    NULL);
	t_web_post_form(&r, port, NULL, "/admin/posts/new", "/admin/posts/new", ed, f);
	free(f);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "A slug is 1 to 100 of a-z");
	T_CONTAINS(r.body, "value=\"Not A Slug!\"");
	t_resp_free(&r);
	/* a time in the past, and one that is not a time */
	fmt_time(time_now() - 3600, when);
	f = t_web_form("title", "Past", "body", "b", "status", "schedule", "publish_at", when,
	    NULL);
	t_web_post_form(&r, port, NULL, "/admin/posts/new", "/admin/posts/new", ed, f);
	free(f);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "This time has passed");
	T_CONTAINS(r.body, when);
	t_resp_free(&r);
	f = t_web_form("title", "Past", "body", "b", "status", "schedule", "publish_at",
	    "tomorrow", NULL);
	t_web_post_form(&r, port, NULL, "/admin/posts/new", "/admin/posts/new", ed, f);
	free(f);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "Write the time as YYYY-MM-DD HH:MM (UTC)");
	t_resp_free(&r);
	/* a title of LIMIT_TITLE + 1 characters is refused, never cut */
	memset(longtitle, 'x', LIMIT_TITLE + 1);
	longtitle[LIMIT_TITLE + 1] = '\0';
	f = t_web_form("title", longtitle, "body", "b", "status", "draft", NULL);
	t_web_post_form(&r, port, NULL, "/admin/posts/new", "/admin/posts/new", ed, f);
	free(f);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "Title is too long: at most 200 characters");
	T_CONTAINS(r.body, "id=\"title-error\"");
	t_resp_free(&r);
	/* an unknown status */
	f = t_web_form("title", "T", "body", "b", "status", "everywhere", NULL);
	t_web_post_form(&r, port, NULL, "/admin/posts/new", "/admin/posts/new", ed, f);
	free(f);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "Choose draft, publish now or schedule.");
	t_resp_free(&r);
}

/* Whether the public pages of site A, by its own name (so the response cache is used), show title (home, feed, sitemap by
 * slug, the post page, search by word). */
static void
assert_public(const char *slug, const char *title, const char *word, bool visible)
{
	struct t_resp r;
	char path[256];

	t_web_req(&r, port, SITE_A, "GET", "/", NULL, NULL);
	T_EQ_INT(r.status, 200);
	if (visible)
		T_CONTAINS(r.body, title);
	else
		T_NOT_CONTAINS(r.body, title);
	t_resp_free(&r);
	t_web_req(&r, port, SITE_A, "GET", "/feed.xml", NULL, NULL);
	if (visible)
		T_CONTAINS(r.body, title);
	else
		T_NOT_CONTAINS(r.body, title);
	t_resp_free(&r);
	t_web_req(&r, port, SITE_A, "GET", "/sitemap.xml", NULL, NULL);
	if (visible)
		T_CONTAINS(r.body, slug);
	else
		T_NOT_CONTAINS(r.body, slug);
	t_resp_free(&r);
	snprintf(path, sizeof(path), "/posts/%s", slug);
	t_web_req(&r, port, SITE_A, "GET", path, NULL, NULL);
	T_EQ_INT(r.status, visible ? 200 : 404);
	t_resp_free(&r);
	snprintf(path, sizeof(path), "/search?q=%s", word);
	t_web_req(&r, port, SITE_A, "GET", path, NULL, NULL);
	T_EQ_INT(r.status, 200);
	if (visible)
		T_CONTAINS(r.body, title);
	else
		T_NOT_CONTAINS(r.body, title);
	t_resp_free(&r);
}

static void
test_write(const char *ed)
{
	struct t_resp r;
	char *f, when[32], path[128], action[128];
	long long id;
	int64_t due;
	int i;

	/* preview: rendered on the server, escaped raw HTML, nothing saved */
	f = t_web_form("title", "Preview only", "body",
	    "Some *emphasis* and <script>alert(1)</script>", "status", "publish", "action",
	    "preview", NULL);
	t_web_post_form(&r, port, NULL, "/admin/posts/new", "/admin/posts/new", ed, f);
	free(f);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<em>emphasis</em>");
	T_NOT_CONTAINS(r.body, "<script>alert(1)</script>");
	T_CONTAINS(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;</textarea>");
	T_CONTAINS(r.body, "nothing is saved yet");
	t_resp_free(&r);
	T_EQ_INT(status_of(NULL, "/posts/preview-only", NULL), 404);

	/* the home page is cached now, before the scheduled post exists */
	assert_public("axolotl-news", "Axolotl news", "axolotl", false);
	/* schedule a post 4 seconds ahead */
	due = time_now() + 4;
	fmt_time(due, when);
	f = t_web_form("title", "Axolotl news", "body", "The axolotl regrows its limbs.",
	    "status", "schedule", "publish_at", when, "action", "save", NULL);
	t_web_post_form(&r, port, NULL, "/admin/posts/new", "/admin/posts/new", ed, f);
	free(f);
	T_EQ_INT(r.status, 303);
	id = location_id(&r, "/admin/posts/");
	t_resp_free(&r);
	snprintf(path, sizeof(path), "/admin/posts/%lld?saved=1", id);
	t_web_req(&r, port, NULL, "GET", path, ed, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Saved.");
	T_CONTAINS(r.body, "Scheduled: it appears on the site at");
	when[10] = ' ';
	when[16] = '\0';
	T_CONTAINS(r.body, when); /* shown to the minute */
	t_resp_free(&r);
	snprintf(path, sizeof(path), "/admin/posts/%lld", id);
	t_web_req(&r, port, NULL, "GET", "/admin/posts", ed, NULL);
	T_CONTAINS(r.body, "Scheduled for");
	t_resp_free(&r);
	/* before its time: nowhere. The public pages are fetched (and cached) again in the
	 * last second before it, so their cache entries are younger than LIMIT_CACHE_TTL_S
	 * when the post comes due: only the generation can make them stale. */
	while (time_now() < due - 1)
		usleep(100 * 1000);
	assert_public("axolotl-news", "Axolotl news", "axolotl", false);
	for (i = 0; i < 16; i++) { /* every server thread has its own cache */
		t_web_req(&r, port, SITE_A, "GET", "/", NULL, NULL);
		T_NOT_CONTAINS(r.body, "Axolotl news");
		t_resp_free(&r);
	}
	while (time_now() < due)
		usleep(50 * 1000);
	usleep(200 * 1000);
	/* after: everywhere, although nothing was written at that moment */
	assert_public("axolotl-news", "Axolotl news", "axolotl", true);

	/* edit: the slug and the text change, the old address is gone */
	f = t_web_form("title", "Axolotl news", "slug", "axolotl-update", "body",
	    "Regrowth explained.", "status", "publish", "action", "save", NULL);
	t_web_post_form(&r, port, NULL, path, path, ed, f);
	free(f);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	T_EQ_INT(status_of(NULL, "/posts/axolotl-news", NULL), 404);
	T_EQ_INT(status_of(NULL, "/posts/axolotl-update", NULL), 200);
	t_web_req(&r, port, NULL, "GET", "/search?q=regrowth", NULL, NULL);
	T_CONTAINS(r.body, "<mark>Regrowth</mark>");
	t_resp_free(&r);

	/* unpublish: a draft again, off every public page */
	snprintf(action, sizeof(action), "/admin/posts/%lld/unpublish", id);
	t_web_post_form(&r, port, NULL, path, action, ed, "");
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	assert_public("axolotl-update", "Axolotl news", "regrowth", false);
	t_web_req(&r, port, NULL, "GET", path, ed, NULL);
	T_CONTAINS(r.body, "This is a draft");
	t_resp_free(&r);

	/* delete: gone from the admin too */
	snprintf(action, sizeof(action), "/admin/posts/%lld/delete", id);
	t_web_post_form(&r, port, NULL, path, action, ed, "");
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/admin/posts?deleted=1");
	t_resp_free(&r);
	T_EQ_INT(status_of(NULL, path, ed), 404);

	/* a page, published at once */
	f = t_web_form("title", "Colophon", "body", "Set in **plain** type.", "status",
	    "publish", "action", "save", NULL);
	t_web_post_form(&r, port, NULL, "/admin/pages/new", "/admin/pages/new", ed, f);
	free(f);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/pages/colophon", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<strong>plain</strong>");
	t_resp_free(&r);
}

static void
test_settings(const char *dir, const char *adm)
{
	struct t_resp r;
	struct config cfg;
	struct cli_db db;
	struct store *s;
	struct arena *a;
	struct site site;
	char *f, msg[512];
	enum err e;

	f = t_web_form("title", "", "tagline", "kept tagline", "comment_policy", "1",
	    "comment_hold", "1", NULL);
	t_web_post_form(&r, port, NULL, "/admin/settings", "/admin/settings", adm, f);
	free(f);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "Title is required.");
	T_CONTAINS(r.body, "value=\"kept tagline\"");
	t_resp_free(&r);
	f = t_web_form("title", "T", "comment_policy", "7", "comment_hold", "1", NULL);
	t_web_post_form(&r, port, NULL, "/admin/settings", "/admin/settings", adm, f);
	free(f);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "Who may comment");
	t_resp_free(&r);
	f = t_web_form("title", "PIV <Renamed>", "tagline", "New tagline", "comment_policy", "1",
	    "comment_hold", "1", NULL);
	t_web_post_form(&r, port, NULL, "/admin/settings", "/admin/settings", adm, f);
	free(f);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/", NULL, NULL);
	T_CONTAINS(r.body, "PIV &lt;Renamed&gt;");
	T_CONTAINS(r.body, "New tagline");
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/admin/settings?saved=1", adm, NULL);
	T_CONTAINS(r.body, "id=\"policy-1\" name=\"comment_policy\" value=\"1\" checked");
	T_CONTAINS(r.body, "id=\"hold-1\" name=\"comment_hold\" value=\"1\" checked");
	t_resp_free(&r);
	/* sites_find reads them (what the comments code is given) */
	if (config_load(dir, &cfg, msg, sizeof(msg)) != ERR_OK)
		T_FAIL("config_load: %s", msg);
	T_ASSERT(cli_db_resolve(&cfg, &db));
	if ((s = store_open(db.url, db.password[0] ? db.password : NULL, &e, msg,
		 sizeof(msg))) == NULL)
		T_FAIL("store_open: %s", msg);
	a = arena_new();
	T_EQ_INT(sites_find(s, a, "perfectimagevideo.localhost", &site), ERR_OK);
	T_EQ_INT(site.comment_policy, COMMENTS_MEMBERS);
	T_EQ_INT(site.comment_hold, HOLD_ALL);
	T_EQ_STR(site.title, "PIV <Renamed>");
	arena_free(a);
	store_close(s);
}

static void
test_sites(const char *owner, const char *member)
{
	struct t_resp r;
	char *f, *tok, path[64], roles[64];
	long long id;

	/* bad input: the form again with the error at the host */
	f = t_web_form("host", "http://bad host", "origin", "https://new.test", "title",
	    "New site", NULL);
	t_web_post_form(&r, port, NULL, "/admin/sites", "/admin/sites", owner, f);
	free(f);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "Write a host name");
	T_CONTAINS(r.body, "value=\"New site\"");
	t_resp_free(&r);
	f = t_web_form("host", SITE_B, "origin", "https://new.test", "title", "New site", NULL);
	t_web_post_form(&r, port, NULL, "/admin/sites", "/admin/sites", owner, f);
	free(f);
	T_EQ_INT(r.status, 409);
	T_CONTAINS(r.body, "already a name of a site");
	t_resp_free(&r);
	f = t_web_form("host", "new.test", "origin", "https://new.test/", "title", "New site",
	    NULL);
	t_web_post_form(&r, port, NULL, "/admin/sites", "/admin/sites", owner, f);
	free(f);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "without a slash at the end");
	t_resp_free(&r);
	/* created */
	f = t_web_form("host", "New.Test", "aliases", "www.new.test", "origin",
	    "https://new.test", "title", "New site", NULL);
	t_web_post_form(&r, port, NULL, "/admin/sites", "/admin/sites", owner, f);
	free(f);
	T_EQ_INT(r.status, 303);
	id = location_id(&r, "/admin/sites/");
	t_resp_free(&r);
	t_web_req(&r, port, "www.new.test", "GET", "/", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "New site");
	t_resp_free(&r);
	/* appoint mia admin of it: she can open its settings, not another site's */
	snprintf(path, sizeof(path), "/admin/sites/%lld", id);
	snprintf(roles, sizeof(roles), "/admin/sites/%lld/roles", id);
	f = t_web_form("op", "appoint", "username", "nobody-here", "role", "admin", NULL);
	t_web_post_form(&r, port, NULL, path, roles, owner, f);
	free(f);
	T_EQ_INT(r.status, 404);
	T_CONTAINS(r.body, "No account has this username.");
	T_CONTAINS(r.body, "value=\"nobody-here\"");
	t_resp_free(&r);
	f = t_web_form("op", "appoint", "username", member, "role", "admin", NULL);
	t_web_post_form(&r, port, NULL, path, roles, owner, f);
	free(f);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	f = t_web_form("op", "appoint", "username", member, "role", "admin", NULL);
	t_web_post_form(&r, port, NULL, path, roles, owner, f);
	free(f);
	T_EQ_INT(r.status, 409);
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", path, owner, NULL);
	T_CONTAINS(r.body, "mia: administrator");
	t_resp_free(&r);
	tok = t_web_sign_in(port, "new.test", member, PW);
	T_EQ_INT(status_of("new.test", "/admin/settings", tok), 200);
	T_EQ_INT(status_of(NULL, "/admin/settings", tok), 403);
	/* edit the names: the alias goes, another comes */
	f = t_web_form("host", "new.test", "aliases", "alt.new.test", "origin",
	    "https://new.test", "title", "New site", NULL);
	t_web_post_form(&r, port, NULL, path, path, owner, f);
	free(f);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	t_web_req(&r, port, "alt.new.test", "GET", "/", NULL, NULL);
	T_CONTAINS(r.body, "New site");
	t_resp_free(&r);
	t_web_req(&r, port, "www.new.test", "GET", "/", NULL, NULL);
	T_NOT_CONTAINS(r.body, "New site");
	t_resp_free(&r);
	/* removing the role takes the access away */
	f = t_web_form("op", "remove", "username", member, "role", "admin", NULL);
	t_web_post_form(&r, port, NULL, path, roles, owner, f);
	free(f);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	T_EQ_INT(status_of("new.test", "/admin/settings", tok), 403);
	free(tok);
}

static void
test_search(void)
{
	static const char *const hostile[] = {"%22", "%22%22", "a%22b", "AND", "OR+OR", "NOT+x",
	    "x+NEAR%2F2+y", "*", "x*", "%5Ex", "col%3Ax", "(x", "x)", "%7Bx+y%7D", "-x",
	    "%27x%27+OR+1%3D1+--", "%5C", "%25", "<->", "x%3A*", "NEAR(a+b)"};
	struct t_resp r;
	char path[256];
	size_t i;

	t_web_req(&r, port, NULL, "GET", "/search?q=lighting", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Three lessons in interview lighting");
	T_CONTAINS(r.body, "<mark>");
	T_CONTAINS(r.body, "result");
	T_CONTAINS(r.body, "action=\"/search\"");
	t_resp_free(&r);
	/* the echoed query is inert */
	t_web_req(&r, port, NULL, "GET", "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%3E%3Cimg", NULL,
	    NULL);
	T_EQ_INT(r.status, 200);
	T_NOT_CONTAINS(r.body, "<script>alert");
	T_NOT_CONTAINS(r.body, "\"><img");
	T_CONTAINS(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img");
	t_resp_free(&r);
	for (i = 0; i < COUNTOF(hostile); i++) {
		snprintf(path, sizeof(path), "/search?q=%s", hostile[i]);
		t_web_req(&r, port, NULL, "GET", path, NULL, NULL);
		if (r.status != 200)
			T_FAIL("%s: %ld", path, r.status);
		t_resp_free(&r);
	}
	/* too long: 400 with a sentence; 200 characters are fine */
	{
		char q[260];

		memset(q, 'a', LIMIT_SEARCH_QUERY);
		q[LIMIT_SEARCH_QUERY] = '\0';
		snprintf(path, sizeof(path), "/search?q=%s", q);
		t_web_req(&r, port, NULL, "GET", path, NULL, NULL);
		T_EQ_INT(r.status, 200);
		t_resp_free(&r);
		snprintf(path, sizeof(path), "/search?q=%sa", q);
		t_web_req(&r, port, NULL, "GET", path, NULL, NULL);
		T_EQ_INT(r.status, 400);
		T_CONTAINS(r.body, "A search is at most 200 characters long.");
		t_resp_free(&r);
	}
	t_web_req(&r, port, NULL, "GET", "/search?q=lighting&page=0", NULL, NULL);
	T_EQ_INT(r.status, 400);
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/search?q=lighting&page=9", NULL, NULL);
	T_EQ_INT(r.status, 404);
	t_resp_free(&r);
	/* a site's search shows only its own posts */
	t_web_req(&r, port, SITE_B, "GET", "/search?q=lighting", NULL, NULL);
	T_NOT_CONTAINS(r.body, "Three lessons in interview lighting");
	t_resp_free(&r);
}

static void
test_search_pages(const char *ed)
{
	struct t_resp r;
	char *f, title[64];
	int i;

	for (i = 0; i < 12; i++) {
		snprintf(title, sizeof(title), "Pangolin %d", i);
		f = t_web_form("title", title, "body", "pangolin facts", "status", "publish",
		    "action", "save", NULL);
		t_web_post_form(&r, port, SITE_B, "/admin/posts/new", "/admin/posts/new", ed, f);
		free(f);
		T_EQ_INT(r.status, 303);
		t_resp_free(&r);
	}
	t_web_req(&r, port, SITE_B, "GET", "/search?q=pangolin", NULL, NULL);
	T_CONTAINS(r.body, "12 results");
	T_CONTAINS(r.body, "Page 1 of 2");
	T_CONTAINS(r.body, "href=\"/search?q=pangolin&amp;page=2\"");
	t_resp_free(&r);
	t_web_req(&r, port, SITE_B, "GET", "/search?q=pangolin&page=2", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Page 2 of 2");
	t_resp_free(&r);
}

int
main(void)
{
	const char *dir = t_datadir(true);
	struct t_server srv;
	char *owner, *adm, *ed, *other, *member, *other_b;

	add_user(dir, "olive", "owner");
	add_user(dir, "adam", "member");
	add_user(dir, "edna", "member");
	add_user(dir, "otto", "member");
	add_user(dir, "mia", "member");
	grant(dir, "adam", "perfectimagevideo.localhost", "admin");
	grant(dir, "edna", "perfectimagevideo.localhost", "editor");
	grant(dir, "otto", SITE_B, "admin");
	t_server_start(&srv, dir);
	port = srv.port;
	owner = t_web_sign_in(port, NULL, "olive", PW);
	adm = t_web_sign_in(port, NULL, "adam", PW);
	ed = t_web_sign_in(port, NULL, "edna", PW);
	other = t_web_sign_in(port, NULL, "otto", PW);
	member = t_web_sign_in(port, NULL, "mia", PW);
	other_b = t_web_sign_in(port, SITE_B, "otto", PW);

	test_matrix(owner, adm, ed, other, member);
	test_csrf(ed, adm);
	test_bad_input(ed);
	test_search();
	test_write(ed);
	test_settings(dir, adm);
	test_sites(owner, "mia");
	test_search_pages(other_b);

	T_EQ_INT(t_server_stop(&srv), 0);
	free(owner);
	free(adm);
	free(ed);
	free(other);
	free(member);
	free(other_b);
	printf("it_admin (%s): ok\n", t_backend());
	return 0;
}
