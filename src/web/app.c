/*
 * app: the web application object: configuration, the per-thread database pool, the
 * compiled templates, the embedded static files with their ETags, the router, and the
 * keys (privacy_open; the CSRF key derived from them).
 * Also the shared request helpers (store, site, base template context, error pages).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "analytics/analytics.h"
#include "analytics/report.h"
#include "commerce/commerce.h"
#include "core/embed.h"
#include "feedback/feedback.h"
#include "mail/mail.h"
#include "policy/policy.h"
#include "privacy/privacy.h"
#include "sites/comments.h"
#include "sites/sites.h"
#include "web/web_int.h"

/* Every module that stores something, in dependency order: its migrations and the
 * tables `candor db copy` moves. A new module adds one line here. */
static const struct {
	enum err (*migrate)(struct store *s);
	const struct store_table *tables;
	const size_t *ntables;
} web_modules[] = {
	{sites_migrate, sites_tables, &sites_tables_count},
	/* privacy_migrate creates vault, audit and people tables; the other rows only list
	 * tables to copy */
	{privacy_migrate, vault_tables, &vault_tables_count},
	{NULL, audit_tables, &audit_tables_count},
	{NULL, people_tables, &people_tables_count},
	{policy_migrate, policy_tables, &policy_tables_count}, /* acceptances name people */
	{disclosure_migrate, disclosure_tables, &disclosure_tables_count},
	{accounts_migrate, accounts_tables, &accounts_tables_count},
	{NULL, session_tables, &session_tables_count}, /* made by accounts_migrate */
	{mail_migrate, mail_tables, &mail_tables_count},
	{comments_migrate, comments_tables, &comments_tables_count}, /* name sites, people */
	{analytics_migrate, analytics_tables, &analytics_tables_count},
	{report_migrate, report_tables, &report_tables_count}, /* analytics publications */
	{feedback_migrate, feedback_tables, &feedback_tables_count}, /* names sites, people */
	{commerce_migrate, commerce_tables, &commerce_tables_count}, /* name sites, people */
};

/* The sections of a person's export that domain modules add (privacy.h, rights_section):
 * a module that keeps something about a person adds one line here. */
const struct rights_section web_export_sections[] = {
	{"sign_in", accounts_export},
	{"policy", policy_export},
	{"feedback", feedback_export},
	{"comments", comments_export},
	{"shop_orders", web_shop_export},
};
const size_t web_export_sections_count = COUNTOF(web_export_sections);

enum err
web_migrate(struct store *s)
{
	enum err e;
	size_t i;

	for (i = 0; i < COUNTOF(web_modules); i++)
		if (web_modules[i].migrate && (e = web_modules[i].migrate(s)) != ERR_OK)
			return e;
	return ERR_OK;
}

enum err
web_copy(struct store *src, struct store *dst, FILE *report)
{
	const struct store_table *t;
	int64_t rows;
	size_t i, k;
	bool empty;
	enum err e;

	if ((e = store_is_empty(dst, &empty)) != ERR_OK)
		return e;
	if (!empty)
		return ERR_CONFLICT;
	if ((e = store_begin(dst)) != ERR_OK)
		return e;
	if ((e = web_migrate(dst)) != ERR_OK)
		goto fail;
	for (i = 0; i < COUNTOF(web_modules); i++) {
		for (k = 0; k < *web_modules[i].ntables; k++) {
			t = &web_modules[i].tables[k];
			if ((e = store_copy_table(src, dst, t, &rows)) != ERR_OK)
				goto fail;
			if (report)
				fprintf(report, "  %-20s %8lld rows\n", t->name, (long long)rows);
		}
	}
	/* the search index is derived data: rebuilt from the copied posts, not copied */
	if ((e = search_rebuild(dst)) != ERR_OK)
		goto fail;
	return store_commit(dst);
fail:
	store_rollback(dst);
	return e;
}

/* FNV-1a, 64 bits: a content hash for ETags and cache-busting asset URLs. */
static uint64_t
web_hash(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	while (n--) {
		h ^= *p++;
		h *= 1099511628211ULL;
	}
	return h;
}

static enum err
web_static_init(struct web_app *app)
{
	const struct embed_file *f;
	size_t n = 0;

	for (f = embed_files; f->name; f++)
		if (strncmp(f->name, "static/", 7) == 0)
			n++;
	if ((app->statics = calloc(n ? n : 1, sizeof(*app->statics))) == NULL)
		return ERR_NOMEM;
	for (f = embed_files; f->name; f++) {
		struct web_static *ws;
		const char *ext;
		if (strncmp(f->name, "static/", 7) != 0)
			continue;
		ws = &app->statics[app->nstatics++];
		ws->name = f->name + 7;
		ws->file = f;
		snprintf(ws->etag, sizeof(ws->etag), "\"%016llx\"",
		    (unsigned long long)web_hash(f->data, f->len));
		ext = strrchr(f->name, '.');
		ws->type = "application/octet-stream";
		if (ext && strcmp(ext, ".css") == 0)
			ws->type = "text/css; charset=utf-8";
		else if (ext && strcmp(ext, ".svg") == 0)
			ws->type = "image/svg+xml; charset=utf-8";
		else if (ext && strcmp(ext, ".png") == 0)
			ws->type = "image/png";
		else if (ext && strcmp(ext, ".txt") == 0)
			ws->type = "text/plain; charset=utf-8";
	}
	return ERR_OK;
}

enum err
web_routes_add(struct web_app *app, const struct web_route *routes, size_t n)
{
	enum err e;
	size_t i;

	for (i = 0; i < n; i++)
		if ((e = http_route_add(app->router, routes[i].method, routes[i].pattern,
			 routes[i].fn, routes[i].body_limit, routes[i].flags)) != ERR_OK)
			return e;
	return ERR_OK;
}

const struct web_static *
web_static_find(const struct web_app *app, const char *name)
{
	size_t i;

	for (i = 0; i < app->nstatics; i++)
		if (strcmp(app->statics[i].name, name) == 0)
			return &app->statics[i];
	return NULL;
}

struct web_app *
web_app_new(const struct config *cfg, const char *db_url, const char *db_password,
    char *errbuf, size_t errsize)
{
	struct web_app *app;
	const struct web_static *ws;

	if ((app = calloc(1, sizeof(*app))) == NULL) {
		snprintf(errbuf, errsize, "out of memory");
		return NULL;
	}
	app->cfg = *cfg;
	/* The keys: handlers will open sealed fields through privacy/, and forms carry
	 * CSRF tokens under a key derived from the root (it survives keys rotate, so forms
	 * already served stay valid across a rotation). */
	if (privacy_open(cfg, &app->privacy, errbuf, errsize) != ERR_OK)
		goto fail;
	if (privacy_derive_key(app->privacy, WEB_CSRF_KDF_ID, WEB_CSRF_KDF_CTX,
		app->csrf_key) != ERR_OK) {
		snprintf(errbuf, errsize, "cannot derive the form token key");
		goto fail;
	}
	if ((app->tmpl = tmpl_set_load(errbuf, errsize)) == NULL)
		goto fail;
	if (web_static_init(app) != ERR_OK) {
		snprintf(errbuf, errsize, "out of memory");
		goto fail;
	}
	ws = web_static_find(app, "style.css");
	snprintf(app->css_href, sizeof(app->css_href), "/static/style.css?v=%.8s",
	    ws ? ws->etag + 1 : "0");
	ws = web_static_find(app, "favicon.svg");
	snprintf(app->icon_href, sizeof(app->icon_href), "/static/favicon.svg?v=%.8s",
	    ws ? ws->etag + 1 : "0");
	if ((app->pool = store_pool_new(db_url, db_password)) == NULL) {
		snprintf(errbuf, errsize, "out of memory");
		goto fail;
	}
	if ((app->router = http_router_new()) == NULL || web_routes(app) != ERR_OK) {
		snprintf(errbuf, errsize, "out of memory");
		goto fail;
	}
	return app;
fail:
	web_app_free(app);
	return NULL;
}

void
web_app_free(struct web_app *app)
{
	if (app == NULL)
		return;
	web_analytics_stop(app); /* stores what is still queued */
	http_router_free(app->router);
	store_pool_free(app->pool);
	tmpl_set_free(app->tmpl);
	free(app->statics);
	privacy_free(app->privacy);
	sodium_memzero(app->csrf_key, sizeof(app->csrf_key));
	free(app);
}

/*
 * Asking the database whether another process or node wrote costs a read transaction
 * (file locks on SQLite), so each thread asks at most every WEB_GENERATION_POLL_MS;
 * this process's own writes (store_generation(NULL)) count at once. Both parts only
 * grow, so their sum changes whenever either does.
 *
 * A third part counts scheduled posts coming due: a page cached before a post's time
 * must not outlive it, yet no write happens at that moment. After every change of the
 * database generation the thread reads the next due time (posts_next_due), and when
 * the clock passes it the count grows by one, so every cached page is stale at once.
 * This is the one place that knows about scheduling; handlers just filter by time.
 */
#define WEB_GENERATION_POLL_MS 100

uint64_t
web_cache_generation(void *arg)
{
	static _Thread_local int64_t polled_ms;
	static _Thread_local uint64_t polled, base, own, dues;
	static _Thread_local int64_t next_due;
	static _Thread_local bool due_known;
	struct web_app *app = arg;
	struct store *s = NULL;
	int64_t now = time_now_ms(), clock = time_now();
	uint64_t g, mine = store_generation(NULL);
	enum err e;

	if (polled_ms == 0 || now - polled_ms >= WEB_GENERATION_POLL_MS) {
		if ((s = store_pool_get(app->pool, &e)) == NULL)
			return HTTP_NO_GENERATION;
		g = store_generation(s);
		/* A reopened connection counts from zero again: move the base past every
		 * value handed out so far, so an old generation never comes back. */
		if (g < polled)
			base += polled + 1;
		if (g != polled)
			due_known = false;
		polled = g;
		polled_ms = now;
	}
	if (mine != own) {
		own = mine;
		due_known = false;
	}
	if (due_known && next_due && clock >= next_due) {
		dues++;
		due_known = false;
	}
	if (!due_known) {
		if (s == NULL && (s = store_pool_get(app->pool, &e)) == NULL)
			return HTTP_NO_GENERATION;
		if (posts_next_due(s, clock, &next_due) != ERR_OK)
			return HTTP_NO_GENERATION;
		due_known = true;
	}
	return base + polled + dues + mine;
}

const char *const web_cache_query_params[] = {"page", NULL};
/* The visitor cookie changes no page: a returning visitor still gets cached pages. */
const char *const web_cache_neutral_cookies[] = {WEB_COOKIE_VISITOR, NULL};

struct http_router *
web_app_router(struct web_app *app)
{
	return app->router;
}

struct store *
web_store(struct web_app *app, struct http_response *res)
{
	struct store *s;
	enum err e;

	if ((s = store_pool_get(app->pool, &e)) == NULL)
		res->status = 503;
	return s;
}

/* Host first, then the configured default_site; remembers the site on the request. */
static enum err
web_site_lookup(struct web_app *app, struct http_request *req, struct store *s,
    struct site *site)
{
	struct site *copy;
	enum err e;

	e = sites_find(s, req->arena, req->host, site);
	if (e == ERR_NOTFOUND && app->cfg.default_site[0]) {
		/* served for any Host: caching per Host would let junk names fill the cache */
		req->no_cache = true;
		e = sites_find(s, req->arena, app->cfg.default_site, site);
	}
	if (e == ERR_OK && (copy = arena_alloc(req->arena, sizeof(*copy))) != NULL) {
		*copy = *site;
		req->app_site = copy;
		req->site_name = copy->host;
		req->site_id = copy->id;
	}
	return e;
}

bool
web_site(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, struct site *site)
{
	enum err e = web_site_lookup(app, req, s, site);

	if (e == ERR_OK)
		return true;
	if (e == ERR_NOTFOUND) {
		res->status = 404;
		web_error_page(app, req, res, "Unknown site",
		    "No site is served at this address (unknown site).");
	} else {
		res->status = e == ERR_UNAVAIL ? 503 : 500;
	}
	return false;
}

/* The theme the preferences cookie asks for ("light", "dark"), or NULL for the
 * browser's own choice. The cookie holds "theme=light" or "theme=dark"; anything else
 * is ignored. */
static const char *
web_theme(const struct http_request *req)
{
	const char *v = http_cookie(req, WEB_COOKIE_PREFS);

	if (v && strcmp(v, "theme=light") == 0)
		return "light";
	if (v && strcmp(v, "theme=dark") == 0)
		return "dark";
	return NULL;
}

/*
 * What the layout shows about this visitor: the chosen theme, and when someone is
 * signed in their name, a sign-out form and a reminder to verify the email address.
 * Only requests with a cookie get here with anything to show; those are never cached.
 */
static void
web_context_visitor(struct web_app *app, struct http_request *req, struct tmpl_val *ctx,
    struct store *s)
{
	const struct web_user *u;
	struct person_site_role *roles;
	struct tmpl_val *o;
	const char *theme = web_theme(req);
	size_t nroles = 0;
	bool admin = false;

	if (theme)
		tmpl_set_str(ctx, "theme", theme);
	if (s == NULL || (u = web_user(app, req, s)) == NULL)
		return;
	o = tmpl_set_obj(ctx, "user");
	tmpl_set_str(o, "username", u->username);
	tmpl_set_bool(o, "unverified", !u->email_verified);
	if (u->role != ROLE_MEMBER)
		admin = true;
	else if (people_site_roles(s, req->arena, u->id, &roles, &nroles) == ERR_OK)
		admin = nroles > 0;
	tmpl_set_bool(o, "admin", admin);
	tmpl_set_str(o, "logout_csrf", web_csrf_token(app, req, "logout"));
	web_policy_notice(app, req, o, u->policy_notice);
}

struct tmpl_val *
web_context(struct web_app *app, struct http_request *req, struct http_response *res,
    const struct site *site, struct store *s)
{
	struct tmpl_val *ctx, *o, *nav, *item;
	struct post *pages;
	size_t n, i;

	if ((ctx = tmpl_obj(req->arena)) == NULL)
		return NULL;
	tmpl_set_str(ctx, "css_href", app->css_href);
	tmpl_set_str(ctx, "icon_href", app->icon_href);
	if (site) {
		tmpl_set_str(ctx, "feed_href", "/feed.xml");
		o = tmpl_set_obj(ctx, "site");
		tmpl_set_str(o, "title", site->title);
		tmpl_set_str(o, "tagline", site->tagline);
	} else {
		o = tmpl_set_obj(ctx, "site");
		tmpl_set_str(o, "title", "candor");
	}
	/* navigation: the site's published pages; a page without its menu is not served */
	if (site && s) {
		enum err e = posts_list_published(s, req->arena, site->id, POST_KIND_PAGE, 0, 10,
		    &pages, &n);
		if (e != ERR_OK) {
			if (res)
				res->status = e == ERR_UNAVAIL ? 503 : 500;
			return NULL;
		}
		nav = tmpl_set_list(ctx, "nav");
		for (i = 0; i < n && nav; i++) {
			item = tmpl_list_add(nav);
			tmpl_set_str(item, "title", pages[i].title);
			tmpl_set_str(item, "href", arena_printf(req->arena, "/pages/%s", pages[i].slug));
		}
	}
	web_context_visitor(app, req, ctx, site ? s : NULL);
	return ctx;
}

void
web_render(struct web_app *app, struct http_response *res, const char *name,
    struct tmpl_val *ctx)
{
	if (ctx == NULL || tmpl_render_layout(app->tmpl, "layout", name, ctx, &res->body) != ERR_OK) {
		buf_reset(&res->body);
		if (res->status < 500)
			res->status = 500; /* web_context may have chosen 503 */
	}
}

void
web_error_page(struct web_app *app, struct http_request *req, struct http_response *res,
    const char *title, const char *msg)
{
	const struct site *site = req->app_site;
	struct tmpl_val *ctx, *e;

	buf_reset(&res->body);
	res->static_body = NULL;
	res->content_type = NULL;
	res->cache_control = "no-store";
	ctx = web_context(app, req, NULL, site, NULL);
	if (ctx == NULL)
		return;
	tmpl_set_str(ctx, "page_title", title);
	e = tmpl_set_obj(ctx, "error");
	tmpl_set_str(e, "title", title);
	tmpl_set_str(e, "message", msg);
	tmpl_set_str(e, "ref", res->error_ref);
	if (tmpl_render_layout(app->tmpl, "layout", "error", ctx, &res->body) != ERR_OK)
		buf_reset(&res->body);
}

/* http's error hook: the page for a status the server or a handler decided on. */
void
web_render_error(struct http_request *req, struct http_response *res, const char *msg,
    void *arg)
{
	struct web_app *app = arg;
	const char *title;

	/* Find the site for the layout when the request got that far; never hit the
	 * database for a request that failed before routing. */
	if (req->app_site == NULL && req->host && req->host[0] && res->status != 503 &&
	    res->status != 500) {
		enum err e;
		struct store *s = store_pool_get(app->pool, &e);
		struct site site;
		if (s)
			web_site_lookup(app, req, s, &site);
	}
	switch (res->status) {
	case 400: title = "Bad request"; break;
	case 404: title = "Not found"; break;
	case 405: title = "Method not allowed"; break;
	case 413: title = "Request too large"; break;
	case 414: title = "Address too long"; break;
	case 415: title = "Unsupported form encoding"; break;
	case 431: title = "Request headers too large"; break;
	case 503: title = "Temporarily unavailable"; break;
	case 500: title = "Server error"; break;
	default: title = "Error"; break;
	}
	if (res->status == 503)
		http_add_header(res, "Retry-After", "5");
	web_error_page(app, req, res, title, msg);
}
