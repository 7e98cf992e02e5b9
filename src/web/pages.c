/*
 * pages: the public pages of a site: home (paginated post list), a post, a page, the
 * privacy policy, the transparency report, and the machine-readable ones (Atom feed,
 * sitemap, robots.txt), plus /healthz and the embedded static files. A post shows its
 * approved comments and the comment form (web/comments.c fills them in); the home page
 * shows each post's count of approved comments. Drafts never reach
 * these handlers: the sites module filters them in SQL.
 */
#include <string.h>

#include "policy/policy.h"
#include "privacy/privacy.h"
#include "sites/comments.h"
#include "web/web_int.h"

#define PAGE_CACHE "no-cache"

static void
page_dates(struct tmpl_val *o, struct arena *a, int64_t t)
{
	char iso[21], human[32];

	time_rfc3339(t, iso);
	time_human_date(t, human);
	tmpl_set_str(o, "date_iso", iso);
	tmpl_set_str(o, "date_human", human);
}

static void
page_home(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct tmpl_val *ctx, *list, *item, *pg;
	struct store *s;
	struct site site;
	struct post *posts;
	const char *pq = http_query(req, "page");
	long long page = 1;
	int64_t total, pages, *counts, *ids;
	size_t n, i;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	if (pq && strnum(pq, 1, LIMIT_PAGE_NUMBER, &page) != ERR_OK) {
		res->status = 400;
		web_error_page(app, req, res, "Bad request", "The page number is not valid.");
		return;
	}
	if ((e = posts_count_published(s, site.id, POST_KIND_POST, &total)) != ERR_OK ||
	    (e = posts_list_published(s, req->arena, site.id, POST_KIND_POST,
		 (page - 1) * LIMIT_POSTS_PER_PAGE, LIMIT_POSTS_PER_PAGE, &posts, &n)) != ERR_OK) {
		res->status = e == ERR_UNAVAIL ? 503 : 500;
		return;
	}
	pages = total ? (total + LIMIT_POSTS_PER_PAGE - 1) / LIMIT_POSTS_PER_PAGE : 1;
	if (page > pages) {
		res->status = 404;
		web_error_page(app, req, res, "Not found", "There is no such page of posts.");
		return;
	}
	if ((counts = arena_alloc(req->arena, (n ? n : 1) * sizeof(*counts))) == NULL ||
	    (ids = arena_alloc(req->arena, (n ? n : 1) * sizeof(*ids))) == NULL) {
		res->status = 500;
		return;
	}
	for (i = 0; i < n; i++)
		ids[i] = posts[i].id;
	if ((e = comments_count_approved(s, ids, n, counts)) != ERR_OK) {
		res->status = e == ERR_UNAVAIL ? 503 : 500;
		return;
	}
	ctx = web_context(app, req, res, &site, s);
	if (page > 1)
		tmpl_set_str(ctx, "page_title", arena_printf(req->arena, "Page %lld", page));
	tmpl_set_bool(ctx, "has_posts", n > 0);
	list = tmpl_set_list(ctx, "posts");
	for (i = 0; i < n && list; i++) {
		item = tmpl_list_add(list);
		tmpl_set_str(item, "title", posts[i].title);
		tmpl_set_str(item, "href", arena_printf(req->arena, "/posts/%s", posts[i].slug));
		tmpl_set_str(item, "excerpt", posts[i].excerpt);
		tmpl_set_int(item, "comments", counts[i]);
		tmpl_set_bool(item, "one_comment", counts[i] == 1);
		tmpl_set_str(item, "comments_href",
		    arena_printf(req->arena, "/posts/%s#comments", posts[i].slug));
		page_dates(item, req->arena, posts[i].published_at);
	}
	if (pages > 1) {
		pg = tmpl_set_obj(ctx, "pagination");
		tmpl_set_int(pg, "page", page);
		tmpl_set_int(pg, "pages", pages);
		if (page > 1)
			tmpl_set_str(pg, "newer_href",
			    page == 2 ? "/" : arena_printf(req->arena, "/?page=%lld", page - 1));
		if (page < pages)
			tmpl_set_str(pg, "older_href", arena_printf(req->arena, "/?page=%lld", page + 1));
	}
	res->cache_control = PAGE_CACHE;
	res->cacheable = true;
	web_render(app, res, "home", ctx);
}

static void
page_content(struct http_request *req, struct http_response *res, struct web_app *app,
    enum post_kind kind)
{
	struct tmpl_val *ctx, *o;
	struct store *s;
	struct site site;
	struct post post;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	e = posts_get(s, req->arena, site.id, kind, http_param(req, "slug"), &post);
	if (e == ERR_NOTFOUND) {
		res->status = 404;
		web_error_page(app, req, res, "Not found",
		    kind == POST_KIND_POST ? "There is no post at this address."
					   : "There is no page at this address.");
		return;
	}
	if (e != ERR_OK) {
		res->status = e == ERR_UNAVAIL ? 503 : 500;
		return;
	}
	res->cache_control = PAGE_CACHE;
	res->cacheable = true;
	if (kind == POST_KIND_POST) {
		web_post_page(app, req, res, s, &site, &post, NULL);
		return;
	}
	ctx = web_context(app, req, res, &site, s);
	tmpl_set_str(ctx, "page_title", post.title);
	o = tmpl_set_obj(ctx, "post");
	tmpl_set_str(o, "title", post.title);
	tmpl_set_html(o, "body", post.body_html);
	web_render(app, res, "post", ctx);
}

/*
 * A post with its comments. The page is cached by the response cache keyed by the store
 * generation: every comment written or moderated is a committed write, which moves the
 * generation, so a newly approved comment shows on the next view.
 */
void
web_post_page(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, const struct post *post,
    const struct web_comment_form *form)
{
	struct tmpl_val *ctx, *o;
	enum err e;

	if ((ctx = web_context(app, req, res, site, s)) == NULL)
		return;
	tmpl_set_str(ctx, "page_title", post->title);
	o = tmpl_set_obj(ctx, "post");
	tmpl_set_str(o, "title", post->title);
	tmpl_set_html(o, "body", post->body_html);
	page_dates(o, req->arena, post->published_at);
	if ((e = web_comments_fill(app, req, s, site, post, form, ctx)) != ERR_OK) {
		res->status = e == ERR_UNAVAIL ? 503 : 500;
		res->cacheable = false;
		buf_reset(&res->body);
		return;
	}
	web_render(app, res, "post", ctx);
}

static void
page_post(struct http_request *req, struct http_response *res, void *arg)
{
	page_content(req, res, arg, POST_KIND_POST);
}

static void
page_page(struct http_request *req, struct http_response *res, void *arg)
{
	page_content(req, res, arg, POST_KIND_PAGE);
}

/* The "what we collect" and cookie tables, from the inventory the code enforces (B6). */
static void
page_inventory(struct tmpl_val *ctx)
{
	struct tmpl_val *list, *row;
	size_t i;

	list = tmpl_set_list(ctx, "collect");
	for (i = 0; i < inventory_count && list; i++) {
		row = tmpl_list_add(list);
		tmpl_set_str(row, "what", inventory[i].what);
		tmpl_set_str(row, "purpose", inventory[i].purpose);
		tmpl_set_str(row, "readers", inventory[i].readers);
		tmpl_set_str(row, "retention", inventory[i].retention);
	}
	list = tmpl_set_list(ctx, "cookies");
	for (i = 0; i < inventory_cookies_count && list; i++) {
		row = tmpl_list_add(list);
		tmpl_set_str(row, "name", inventory_cookies[i].name);
		tmpl_set_str(row, "purpose", inventory_cookies[i].purpose);
		tmpl_set_str(row, "when", inventory_cookies[i].when);
		tmpl_set_str(row, "lifetime", inventory_cookies[i].lifetime);
	}
}

static void
page_privacy(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct tmpl_val *ctx, *o;
	struct policy_version pv;
	struct store *s;
	struct site site;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	/* Without a published policy the page still shows what the software collects. */
	if ((e = policy_current(s, req->arena, &pv)) != ERR_OK && e != ERR_NOTFOUND) {
		res->status = e == ERR_UNAVAIL ? 503 : 500;
		return;
	}
	if ((ctx = web_context(app, req, res, &site, s)) == NULL) {
		web_render(app, res, "privacy", NULL);
		return;
	}
	tmpl_set_str(ctx, "page_title", e == ERR_OK ? pv.title : "Privacy");
	if (e == ERR_OK) {
		o = tmpl_set_obj(ctx, "policy");
		tmpl_set_str(o, "title", pv.title);
		tmpl_set_html(o, "body", pv.body_html);
		tmpl_set_int(o, "version", pv.version);
		page_dates(o, req->arena, pv.effective_at);
	}
	page_inventory(ctx);
	res->cache_control = PAGE_CACHE;
	res->cacheable = true;
	web_render(app, res, "privacy", ctx);
}

/* The transparency report (B7): requests received and answered per half-year and basis,
 * counted from the disclosure register. Aggregates only: no requester, no subject. */
static void
page_transparency(struct http_request *req, struct http_response *res, void *arg)
{
	static const char *const basis_labels[BASIS__MAX] = {"Subpoena", "Court order",
	    "Government request", "Protection of rights"};
	struct web_app *app = arg;
	struct tmpl_val *ctx, *list, *row;
	struct disclosure_count *counts;
	struct store *s;
	struct site site;
	size_t n, i;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	if ((e = disclosure_counts(s, req->arena, &counts, &n)) != ERR_OK) {
		res->status = e == ERR_UNAVAIL ? 503 : 500;
		return;
	}
	if ((ctx = web_context(app, req, res, &site, s)) == NULL)
		return;
	tmpl_set_str(ctx, "page_title", "Transparency report");
	tmpl_set_bool(ctx, "has_requests", n > 0);
	list = tmpl_set_list(ctx, "requests");
	for (i = 0; i < n && list; i++) {
		row = tmpl_list_add(list);
		tmpl_set_str(row, "period",
		    arena_printf(req->arena, "%d H%d (%s)", counts[i].year, counts[i].half,
			counts[i].half == 1 ? "January to June" : "July to December"));
		tmpl_set_str(row, "basis", basis_labels[counts[i].basis]);
		tmpl_set_int(row, "received", counts[i].received);
		tmpl_set_int(row, "answered", counts[i].answered);
	}
	res->cache_control = PAGE_CACHE;
	res->cacheable = true;
	web_render(app, res, "transparency", ctx);
}

/*
 * The head of an Atom feed of site: XML declaration, <feed>, title (prefix and the
 * site's title), subtitle when not empty, id (origin + id_path), the alternate link (the
 * site) and the self link (origin + self_path), updated, author (the site). Every text
 * escaped. The caller writes the entries and "</feed>".
 */
void
web_atom_head(struct buf *b, const struct site *site, const char *prefix,
    const char *subtitle, const char *id_path, const char *self_path, const char *updated)
{
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>");
	tmpl_escape_text(b, prefix);
	tmpl_escape_text(b, site->title);
	buf_puts(b, "</title>\n");
	if (subtitle && subtitle[0]) {
		buf_puts(b, "<subtitle>");
		tmpl_escape_text(b, subtitle);
		buf_puts(b, "</subtitle>\n");
	}
	buf_puts(b, "<id>");
	tmpl_escape_text(b, site->origin);
	tmpl_escape_text(b, id_path);
	buf_puts(b, "</id>\n<link rel=\"alternate\" href=\"");
	tmpl_escape_text(b, site->origin);
	buf_puts(b, "/\"/>\n<link rel=\"self\" href=\"");
	tmpl_escape_text(b, site->origin);
	tmpl_escape_text(b, self_path);
	buf_printf(b, "\"/>\n<updated>%s</updated>\n<author><name>", updated);
	tmpl_escape_text(b, site->title);
	buf_puts(b, "</name></author>\n");
}

static void
page_feed(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct store *s;
	struct site site;
	struct post *posts;
	struct buf *b = &res->body;
	char iso[21];
	size_t n, i;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	if ((e = posts_list_published(s, req->arena, site.id, POST_KIND_POST, 0,
		 LIMIT_FEED_ENTRIES, &posts, &n)) != ERR_OK) {
		res->status = e == ERR_UNAVAIL ? 503 : 500;
		return;
	}
	time_rfc3339(n ? posts[0].updated_at : time_now(), iso);
	web_atom_head(b, &site, "", site.tagline, "/", "/feed.xml", iso);
	for (i = 0; i < n; i++) {
		buf_puts(b, "<entry>\n<title>");
		tmpl_escape_text(b, posts[i].title);
		buf_puts(b, "</title>\n<id>");
		tmpl_escape_text(b, site.origin);
		buf_puts(b, "/posts/");
		tmpl_escape_text(b, posts[i].slug);
		buf_puts(b, "</id>\n<link rel=\"alternate\" href=\"");
		tmpl_escape_text(b, site.origin);
		buf_puts(b, "/posts/");
		tmpl_escape_text(b, posts[i].slug);
		time_rfc3339(posts[i].published_at, iso);
		buf_printf(b, "\"/>\n<published>%s</published>\n", iso);
		time_rfc3339(posts[i].updated_at, iso);
		buf_printf(b, "<updated>%s</updated>\n<summary>", iso);
		tmpl_escape_text(b, posts[i].excerpt);
		buf_puts(b, "</summary>\n<content type=\"html\">");
		tmpl_escape_text(b, posts[i].body_html);
		buf_puts(b, "</content>\n</entry>\n");
	}
	buf_puts(b, "</feed>\n");
	res->content_type = "application/atom+xml; charset=utf-8";
	res->cache_control = PAGE_CACHE;
	res->cacheable = true;
}

static void
page_sitemap(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct store *s;
	struct site site;
	struct post *list;
	struct buf *b = &res->body;
	char iso[21];
	size_t n, i;
	enum err e;
	int k;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n<url><loc>");
	tmpl_escape_text(b, site.origin);
	buf_puts(b, "/</loc></url>\n<url><loc>");
	tmpl_escape_text(b, site.origin);
	buf_puts(b, "/privacy</loc></url>\n<url><loc>");
	tmpl_escape_text(b, site.origin);
	buf_puts(b, "/transparency</loc></url>\n");
	for (k = 0; k < POST_KIND__MAX; k++) {
		if ((e = posts_list_published(s, req->arena, site.id, (enum post_kind)k, 0, 50000,
			 &list, &n)) != ERR_OK) {
			res->status = e == ERR_UNAVAIL ? 503 : 500;
			buf_reset(b);
			return;
		}
		for (i = 0; i < n; i++) {
			buf_puts(b, "<url><loc>");
			tmpl_escape_text(b, site.origin);
			buf_puts(b, k == POST_KIND_POST ? "/posts/" : "/pages/");
			tmpl_escape_text(b, list[i].slug);
			time_rfc3339(list[i].updated_at, iso);
			buf_printf(b, "</loc><lastmod>%s</lastmod></url>\n", iso);
		}
	}
	buf_puts(b, "</urlset>\n");
	res->content_type = "application/xml; charset=utf-8";
	res->cache_control = PAGE_CACHE;
	res->cacheable = true;
}

static void
page_robots(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct store *s;
	struct site site;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	buf_printf(&res->body, "User-agent: *\nAllow: /\n\nSitemap: %s/sitemap.xml\n", site.origin);
	res->content_type = "text/plain; charset=utf-8";
	res->cache_control = PAGE_CACHE;
	res->cacheable = true;
}

static void
page_healthz(struct http_request *req, struct http_response *res, void *arg)
{
	buf_puts(&res->body, "ok\n");
	res->content_type = "text/plain; charset=utf-8";
	res->cache_control = "no-store";
}

static void
page_static(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_static *ws = web_static_find(app, http_param(req, "*"));
	const char *inm;

	if (ws == NULL) {
		res->status = 404;
		return;
	}
	res->content_type = ws->type;
	res->etag = ws->etag;
	res->cache_control = "public, max-age=31536000, immutable";
	inm = http_header(req, "If-None-Match");
	if (inm && strcmp(inm, ws->etag) == 0) {
		res->status = 304;
		return;
	}
	res->static_body = ws->file->data;
	res->static_len = ws->file->len;
}

enum err
web_routes(struct web_app *app)
{
	static const struct web_route routes[] = {
		{"GET", "/", page_home, 0, HTTP_ROUTE_CACHEABLE},
		{"GET", "/posts/:slug", page_post, 0, HTTP_ROUTE_CACHEABLE},
		{"GET", "/pages/:slug", page_page, 0, HTTP_ROUTE_CACHEABLE},
		{"GET", "/privacy", page_privacy, 0, HTTP_ROUTE_CACHEABLE},
		{"GET", "/transparency", page_transparency, 0, HTTP_ROUTE_CACHEABLE},
		{"GET", "/feed.xml", page_feed, 0, HTTP_ROUTE_CACHEABLE},
		{"GET", "/sitemap.xml", page_sitemap, 0, HTTP_ROUTE_CACHEABLE},
		{"GET", "/robots.txt", page_robots, 0, HTTP_ROUTE_CACHEABLE},
		{"GET", "/healthz", page_healthz, 0, 0},
		{"GET", "/static/*", page_static, 0, 0},
	};
	enum err e;

	if ((e = web_routes_add(app, routes, COUNTOF(routes))) != ERR_OK)
		return e;
	if ((e = web_routes_auth(app)) != ERR_OK)
		return e;
	if ((e = web_routes_admin(app)) != ERR_OK)
		return e;
	if ((e = web_routes_comments(app)) != ERR_OK)
		return e;
	if ((e = web_routes_search(app)) != ERR_OK)
		return e;
	if ((e = web_routes_stats(app)) != ERR_OK)
		return e;
	if ((e = web_routes_policy(app)) != ERR_OK)
		return e;
	if ((e = web_routes_announce(app)) != ERR_OK)
		return e;
	if ((e = web_routes_feedback(app)) != ERR_OK)
		return e;
	if ((e = web_routes_shop(app)) != ERR_OK)
		return e;
	return web_routes_account(app);
}
