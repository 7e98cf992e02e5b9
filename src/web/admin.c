/*
 * admin: the site admin area (issue 6): the entry page and its menu, posts and pages
 * (list, write, preview, schedule, unpublish, delete), the site's settings, and for the
 * owner the sites, their names and who may run them.
 *
 * Who may do what is decided in one place, admin_enter: the owner everything; a site
 * admin (site_roles) writes and changes the settings of that site (the one the request's
 * Host names); an editor writes; anyone else signed in gets 403 with a sentence; nobody
 * signed in is sent to /login. Every admin answer is no-store. Every form carries the
 * CSRF field (checked before anything else) and is declared (form.c); bad input brings
 * the form back with what was typed and the error next to its field. Markdown is
 * rendered on the server for the preview: no JavaScript anywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sites/comments.h"
#include "web/web_int.h"

#define ADMIN_POST_BODY LIMIT_ADMIN_FORM_BODY
#define ADMIN_SHORT_BODY LIMIT_ACCOUNT_FORM_BODY

/* CSRF form names */
#define CSRF_ADMIN_POST "admin-post"
#define CSRF_ADMIN_POST_STATE "admin-post-state"
#define CSRF_ADMIN_SETTINGS "admin-settings"
#define CSRF_ADMIN_SITE_NEW "admin-site-new"
#define CSRF_ADMIN_SITE "admin-site"
#define CSRF_ADMIN_ROLES "admin-roles"

/* What a page needs of the signed-in person on the request's site. */
enum admin_need {
	ADMIN_ANY,      /* some role anywhere (the entry page) */
	ADMIN_WRITE,    /* editor, site admin or owner */
	ADMIN_SETTINGS, /* site admin or owner */
	ADMIN_OWNER,    /* the owner */
};

struct admin_ctx {
	struct store *s;
	struct site site;
	const struct web_user *u;
	struct person_site_role *roles; /* u's roles on every site */
	size_t nroles;
	bool owner, site_admin, editor; /* on this site */
};

/* ------------------------------------------------------------ helpers ---- */

static void
admin_fail(struct http_response *res, enum err e)
{
	res->status = e == ERR_UNAVAIL ? 503 : 500;
	buf_reset(&res->body);
}

/* c->u's roles, and whether they are the owner, an admin or an editor of c->site. */
static enum err
admin_roles(struct http_request *req, struct admin_ctx *c)
{
	size_t i;
	enum err e;

	if ((e = people_site_roles(c->s, req->arena, c->u->id, &c->roles, &c->nroles)) != ERR_OK)
		return e;
	c->owner = c->u->role == ROLE_OWNER;
	for (i = 0; i < c->nroles; i++) {
		if (c->roles[i].site != c->site.id)
			continue;
		if (c->roles[i].role == SITE_ROLE_ADMIN)
			c->site_admin = true;
		else
			c->editor = true;
	}
	return ERR_OK;
}

/*
 * The store, the site and the signed-in person with their roles, checked against need.
 * csrf_form (a POST) is checked right after the site, before the session is looked at.
 * false when res is already answered (503, 404, 403 with a sentence, 303 to /login).
 */
static bool
admin_enter(struct web_app *app, struct http_request *req, struct http_response *res,
    struct admin_ctx *c, enum admin_need need, const char *csrf_form)
{
	static const char *const refusals[] = {
		[ADMIN_ANY] = "Your account has no admin role on this site.",
		[ADMIN_WRITE] = "Only this site's editors and administrators can write here.",
		[ADMIN_SETTINGS] = "Only this site's administrators can change its settings.",
		[ADMIN_OWNER] = "Only the owner of this install manages sites.",
	};
	bool allowed;
	enum err e;

	memset(c, 0, sizeof(*c));
	res->cache_control = "no-store";
	if ((c->s = web_store(app, res)) == NULL || !web_site(app, req, res, c->s, &c->site))
		return false;
	res->cache_control = "no-store";
	if (csrf_form && !web_csrf_ok(app, req, res, csrf_form))
		return false;
	if ((c->u = web_require_user(app, req, res, c->s)) == NULL)
		return false;
	if ((e = admin_roles(req, c)) != ERR_OK) {
		admin_fail(res, e);
		return false;
	}
	switch (need) {
	case ADMIN_ANY:
		allowed = c->owner || c->u->role == ROLE_STAFF || c->nroles > 0;
		break;
	case ADMIN_WRITE:
		allowed = c->owner || c->site_admin || c->editor;
		break;
	case ADMIN_SETTINGS:
		allowed = c->owner || c->site_admin;
		break;
	default:
		allowed = c->owner;
		break;
	}
	if (!allowed) {
		res->status = 403;
		web_error_page(app, req, res, "Not allowed", refusals[need]);
	}
	return allowed;
}

/* ctx's admin menu: what c may open, the pending comment count, section marked current. */
static enum err
admin_menu(struct http_request *req, const struct admin_ctx *c, struct tmpl_val *ctx,
    const char *section)
{
	struct tmpl_val *m = tmpl_set_obj(ctx, "menu");
	int64_t pending = 0;
	enum err e;

	if (m == NULL)
		return ERR_NOMEM;
	tmpl_set_bool(m, "write", c->owner || c->site_admin || c->editor);
	tmpl_set_bool(m, "settings", c->owner || c->site_admin);
	tmpl_set_bool(m, "sites", c->owner);
	if (c->owner || c->site_admin) {
		if ((e = comments_count_pending(c->s, c->site.id, &pending)) != ERR_OK)
			return e;
		tmpl_set_int(m, "pending", pending);
		tmpl_set_bool(m, "has_pending", pending > 0);
	}
	tmpl_set_bool(m, arena_printf(req->arena, "on_%s", section), true);
	return ERR_OK;
}

/* The page context with the admin menu (what c may open, the pending comment count). */
static struct tmpl_val *
admin_context(struct web_app *app, struct http_request *req, struct http_response *res,
    struct admin_ctx *c, const char *title, const char *section)
{
	struct tmpl_val *ctx = web_context(app, req, res, &c->site, c->s);
	enum err e;

	if (ctx == NULL) {
		if (res->status < 500)
			admin_fail(res, ERR_NOMEM);
		return NULL;
	}
	tmpl_set_str(ctx, "page_title", title);
	if ((e = admin_menu(req, c, ctx, section)) != ERR_OK) {
		admin_fail(res, e);
		return NULL;
	}
	return ctx;
}

/* The admin menu of another module's admin page (the moderation queue), for u on site. */
bool
web_admin_menu(struct http_request *req, struct http_response *res, struct store *s,
    const struct site *site, const struct web_user *u, struct tmpl_val *ctx,
    const char *section)
{
	struct admin_ctx c;
	enum err e;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.site = *site;
	c.u = u;
	if ((e = admin_roles(req, &c)) != ERR_OK || (e = admin_menu(req, &c, ctx, section)) !=
	    ERR_OK) {
		admin_fail(res, e);
		return false;
	}
	return true;
}

static bool
admin_csrf(struct web_app *app, struct http_request *req, struct http_response *res,
    struct tmpl_val *o, const char *form)
{
	const char *t = web_csrf_token(app, req, form);

	if (t == NULL) {
		admin_fail(res, ERR_NOMEM);
		return false;
	}
	tmpl_set_str(o, "csrf", t);
	return true;
}

/* "2024-05-01 14:03" (UTC) */
static void
admin_time(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%d %H:%M", &tm) == 0)
		str_copy(out, "?", 32);
}

/* Parses "YYYY-MM-DD HH:MM[:SS]" or "YYYY-MM-DDTHH:MM[:SS]" (UTC, as a datetime-local
 * field sends it) into *t. */
static bool
admin_parse_time(const char *s, int64_t *t)
{
	char date[11], part[3];
	long long v[3] = {0, 0, 0};
	size_t len = strlen(s), i;
	int64_t day;

	if ((len != 16 && len != 19) || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' ||
	    (len == 19 && s[16] != ':'))
		return false;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (time_parse_date(date, &day) != ERR_OK)
		return false;
	for (i = 0; i * 3 + 11 < len; i++) {
		memcpy(part, s + 11 + i * 3, 2);
		part[2] = '\0';
		if (part[0] < '0' || part[0] > '9' || part[1] < '0' || part[1] > '9' ||
		    strnum(part, 0, i == 0 ? 23 : 59, &v[i]) != ERR_OK)
			return false;
	}
	*t = day + v[0] * 3600 + v[1] * 60 + v[2];
	return true;
}

/* The path segment of a kind: "posts" or "pages". */
static const char *
admin_kind_path(enum post_kind k)
{
	return k == POST_KIND_PAGE ? "pages" : "posts";
}

/* ------------------------------------------------------------- /admin ---- */

static const char *
admin_site_title(const struct site *sites, size_t n, int64_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sites[i].id == id)
			return sites[i].title;
	return "a site that no longer exists";
}

/*
 * The entry of the admin area: the menu of what the person may do on this site, the
 * sites their roles cover, and for staff the purposes their grants open today (the
 * gate's own decision, gate_allows, not a copy of its rules). Anyone else gets 403.
 */
static void
admin_home(struct http_request *req, struct http_response *res, void *arg)
{
	static const enum purpose staff_purposes[] = {PURPOSE_SUPPORT, PURPOSE_BILLING,
	    PURPOSE_SECURITY};
	struct web_app *app = arg;
	struct admin_ctx c;
	struct gate_actor actor;
	struct gate_field f;
	struct site *sites = NULL;
	struct tmpl_val *ctx, *list, *row;
	size_t nsites = 0, i, k;
	char subject[32];
	enum err e;

	if (!admin_enter(app, req, res, &c, ADMIN_ANY, NULL))
		return;
	if ((e = sites_list(c.s, req->arena, &sites, &nsites)) != ERR_OK) {
		admin_fail(res, e);
		return;
	}
	if ((ctx = admin_context(app, req, res, &c, "Admin", "home")) == NULL)
		return;
	tmpl_set_str(ctx, "username", c.u->username);
	tmpl_set_bool(ctx, "owner", c.owner);
	if (c.owner) {
		list = tmpl_set_list(ctx, "all_sites");
		for (i = 0; i < nsites && list; i++) {
			row = tmpl_list_add(list);
			tmpl_set_str(row, "title", sites[i].title);
			tmpl_set_str(row, "host", sites[i].host);
		}
	}
	list = tmpl_set_list(ctx, "site_roles");
	for (i = 0; i < c.nroles && list; i++) {
		row = tmpl_list_add(list);
		tmpl_set_str(row, "title", admin_site_title(sites, nsites, c.roles[i].site));
		tmpl_set_str(row, "role", c.roles[i].role == SITE_ROLE_ADMIN ? "administrator"
									   : "editor");
	}
	tmpl_set_bool(ctx, "has_site_roles", c.nroles > 0);
	tmpl_set_bool(ctx, "no_role_here", !c.owner && !c.site_admin && !c.editor);
	if (c.u->role == ROLE_STAFF) {
		tmpl_set_bool(ctx, "staff", true);
		/* a member's email as the thing asked about: what each purpose opens today */
		memset(&f, 0, sizeof(f));
		snprintf(subject, sizeof(subject), "user:%lld", (long long)INT64_MAX);
		f.subject = subject;
		f.cls = FIELD_EMAIL;
		f.table = "people";
		f.column = "email_sealed";
		actor.person = c.u->id;
		actor.system = false;
		list = tmpl_set_list(ctx, "grants");
		for (k = 0; k < COUNTOF(staff_purposes) && list; k++)
			if (gate_allows(app->privacy, c.s, &actor, staff_purposes[k], &f))
				tmpl_set_str(tmpl_list_add(list), "purpose",
				    purpose_name(staff_purposes[k]));
	}
	web_render(app, res, "admin", ctx);
}

/* --------------------------------------------------- /admin/posts, pages ---- */

static void
admin_list(struct http_request *req, struct http_response *res, struct web_app *app,
    enum post_kind kind)
{
	struct admin_ctx c;
	struct tmpl_val *ctx, *list, *row;
	struct post *posts;
	size_t n, i;
	int64_t now = time_now();
	char when[32];
	const char *path = admin_kind_path(kind);
	enum err e;

	if (!admin_enter(app, req, res, &c, ADMIN_WRITE, NULL))
		return;
	if ((e = posts_list_all(c.s, req->arena, c.site.id, kind, &posts, &n)) != ERR_OK) {
		admin_fail(res, e);
		return;
	}
	if ((ctx = admin_context(app, req, res, &c, kind == POST_KIND_PAGE ? "Pages" : "Posts",
		 path)) == NULL)
		return;
	tmpl_set_str(ctx, "heading", kind == POST_KIND_PAGE ? "Pages" : "Posts");
	tmpl_set_str(ctx, "new_href", arena_printf(req->arena, "/admin/%s/new", path));
	tmpl_set_str(ctx, "new_label", kind == POST_KIND_PAGE ? "New page" : "New post");
	tmpl_set_bool(ctx, "has_items", n > 0);
	if (http_query(req, "deleted"))
		tmpl_set_str(ctx, "notice", "Deleted.");
	list = tmpl_set_list(ctx, "items");
	for (i = 0; i < n && list; i++) {
		row = tmpl_list_add(list);
		tmpl_set_str(row, "title", posts[i].title);
		tmpl_set_str(row, "edit_href",
		    arena_printf(req->arena, "/admin/%s/%lld", path, (long long)posts[i].id));
		admin_time(posts[i].published_at, when);
		if (posts[i].draft)
			tmpl_set_str(row, "state", "Draft");
		else if (post_scheduled(&posts[i], now))
			tmpl_set_str(row, "state", arena_printf(req->arena,
			    "Scheduled for %s UTC", when));
		else {
			tmpl_set_str(row, "state", arena_printf(req->arena, "Published %s UTC", when));
			tmpl_set_str(row, "view_href",
			    arena_printf(req->arena, "/%s/%s", path, posts[i].slug));
		}
	}
	web_render(app, res, "admin_posts", ctx);
}

static void
admin_posts(struct http_request *req, struct http_response *res, void *arg)
{
	admin_list(req, res, arg, POST_KIND_POST);
}

static void
admin_pages(struct http_request *req, struct http_response *res, void *arg)
{
	admin_list(req, res, arg, POST_KIND_PAGE);
}

/* The post form's fields; the order is the index of post_field. */
enum { PF_TITLE, PF_SLUG, PF_BODY, PF_STATUS, PF_AT, PF_ACTION, PF__MAX };
static const struct form_field post_fields[PF__MAX] = {
	[PF_TITLE] = {"title", "Title", FORM_TEXT, LIMIT_TITLE, true, 0, 0},
	[PF_SLUG] = {"slug", "Slug", FORM_TEXT, LIMIT_SLUG, false, 0, 0},
	[PF_BODY] = {"body", "Text", FORM_MULTILINE, LIMIT_BODY_MARKDOWN, false, 0, 0},
	[PF_STATUS] = {"status", "Publication", FORM_TEXT, 16, true, 0, 0},
	[PF_AT] = {"publish_at", "Publish at", FORM_TEXT, 19, false, 0, 0},
	[PF_ACTION] = {"action", "Action", FORM_TEXT, 16, false, 0, 0},
};
static const char *const post_field_keys[PF__MAX] = {"error_title", "error_slug",
    "error_body", "error_status", "error_publish_at", "error_status"};

/* What the post form shows: the values (as typed, or as stored), an error and its
 * field, a notice, the preview. */
struct post_view {
	const char *title, *slug, *body, *status, *publish_at;
	int field;           /* PF_* of the error, or -1 for a form-level one */
	const char *error;
	const char *notice;
	const char *preview; /* rendered HTML */
	int status_code;
};

static void
admin_post_form(struct http_request *req, struct http_response *res, struct web_app *app,
    struct admin_ctx *c, enum post_kind kind, const struct post *post,
    const struct post_view *v)
{
	struct tmpl_val *ctx, *f, *o;
	const char *path = admin_kind_path(kind);
	const char *noun = kind == POST_KIND_PAGE ? "page" : "post";
	char when[32];

	if ((ctx = admin_context(app, req, res, c,
		 post ? arena_printf(req->arena, "Edit %s", noun)
		      : arena_printf(req->arena, "New %s", noun), path)) == NULL)
		return;
	f = tmpl_set_obj(ctx, "form");
	if (!admin_csrf(app, req, res, f, CSRF_ADMIN_POST))
		return;
	tmpl_set_str(f, "heading", post ? arena_printf(req->arena, "Edit %s", noun)
					: arena_printf(req->arena, "New %s", noun));
	tmpl_set_str(f, "action", post ? arena_printf(req->arena, "/admin/%s/%lld", path,
					     (long long)post->id)
				       : arena_printf(req->arena, "/admin/%s/new", path));
	tmpl_set_str(f, "list_href", arena_printf(req->arena, "/admin/%s", path));
	tmpl_set_str(f, "noun", noun);
	tmpl_set_str(f, "title", v->title);
	tmpl_set_str(f, "slug", v->slug);
	tmpl_set_str(f, "body", v->body);
	tmpl_set_str(f, "publish_at", v->publish_at);
	tmpl_set_bool(f, "is_draft", strcmp(v->status, "draft") == 0);
	tmpl_set_bool(f, "is_publish", strcmp(v->status, "publish") == 0);
	tmpl_set_bool(f, "is_schedule", strcmp(v->status, "schedule") == 0);
	if (v->error) {
		tmpl_set_str(f, "form_error", "The form has a problem; see below.");
		tmpl_set_str(f, v->field >= 0 ? post_field_keys[v->field] : "form_error", v->error);
	}
	tmpl_set_str(ctx, "notice", v->notice);
	if (v->preview)
		tmpl_set_html(tmpl_set_obj(ctx, "preview"), "html", v->preview);
	if (post) {
		o = tmpl_set_obj(ctx, "existing");
		if (!admin_csrf(app, req, res, o, CSRF_ADMIN_POST_STATE))
			return;
		tmpl_set_str(o, "unpublish_action", arena_printf(req->arena,
		    "/admin/%s/%lld/unpublish", path, (long long)post->id));
		tmpl_set_str(o, "delete_action", arena_printf(req->arena,
		    "/admin/%s/%lld/delete", path, (long long)post->id));
		tmpl_set_bool(o, "published", !post->draft);
		admin_time(post->published_at, when);
		if (post->draft)
			tmpl_set_str(o, "state", "This is a draft: only the admin area shows it.");
		else if (post_scheduled(post, time_now()))
			tmpl_set_str(o, "state", arena_printf(req->arena,
			    "Scheduled: it appears on the site at %s UTC.", when));
		else {
			tmpl_set_str(o, "state", arena_printf(req->arena, "Published %s UTC.", when));
			tmpl_set_str(o, "view_href",
			    arena_printf(req->arena, "/%s/%s", path, post->slug));
		}
		tmpl_set_str(o, "noun", noun);
	}
	if (v->status_code)
		res->status = v->status_code;
	web_render(app, res, "admin_post", ctx);
}

/* The post of the request's :id on c's site (NULL for "new"); false when res has been
 * answered (404 for an unknown or foreign id, 500). */
static bool
admin_post_find(struct web_app *app, struct http_request *req, struct http_response *res,
    struct admin_ctx *c, enum post_kind kind, struct post *out, bool *is_new)
{
	const char *id = http_param(req, "id");
	long long n;
	enum err e;

	*is_new = id && strcmp(id, "new") == 0;
	if (*is_new)
		return true;
	if (id == NULL || strnum(id, 1, INT64_MAX, &n) != ERR_OK ||
	    (e = posts_get_by_id(c->s, req->arena, c->site.id, n, out)) == ERR_NOTFOUND ||
	    (e == ERR_OK && out->kind != kind)) {
		res->status = 404;
		web_error_page(app, req, res, "Not found",
		    kind == POST_KIND_PAGE ? "There is no such page on this site."
					   : "There is no such post on this site.");
		return false;
	}
	if (e != ERR_OK) {
		admin_fail(res, e);
		return false;
	}
	return true;
}

static void
admin_post_get(struct http_request *req, struct http_response *res, struct web_app *app,
    enum post_kind kind)
{
	struct admin_ctx c;
	struct post post;
	struct post_view v;
	char when[32];
	bool is_new;

	if (!admin_enter(app, req, res, &c, ADMIN_WRITE, NULL) ||
	    !admin_post_find(app, req, res, &c, kind, &post, &is_new))
		return;
	memset(&v, 0, sizeof(v));
	v.field = -1;
	if (is_new) {
		v.title = v.slug = v.body = v.publish_at = "";
		v.status = "draft";
		admin_post_form(req, res, app, &c, kind, NULL, &v);
		return;
	}
	v.title = post.title;
	v.slug = post.slug;
	v.body = post.body_md;
	v.status = post.draft ? "draft" : post_scheduled(&post, time_now()) ? "schedule"
									     : "publish";
	if (post_scheduled(&post, time_now())) {
		time_t tt = (time_t)post.published_at;
		struct tm tm;

		if (gmtime_r(&tt, &tm) == NULL || strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S",
						      &tm) == 0)
			str_copy(when, "", sizeof(when));
		v.publish_at = arena_strdup(req->arena, when);
	} else
		v.publish_at = "";
	if (http_query(req, "saved"))
		v.notice = "Saved.";
	else if (http_query(req, "unpublished"))
		v.notice = "Unpublished: it is a draft again.";
	admin_post_form(req, res, app, &c, kind, &post, &v);
}

static void
admin_post_post(struct http_request *req, struct http_response *res, struct web_app *app,
    enum post_kind kind)
{
	struct admin_ctx c;
	struct post post;
	struct post_view v;
	struct form_values fv;
	char msg[256], slugbuf[LIMIT_SLUG + 1];
	const char *action;
	int64_t at = 0, now = time_now(), id = 0;
	size_t bad = 0;
	bool is_new, draft;
	char *html;
	enum err e;

	if (!admin_enter(app, req, res, &c, ADMIN_WRITE, CSRF_ADMIN_POST) ||
	    !admin_post_find(app, req, res, &c, kind, &post, &is_new))
		return;
	memset(&v, 0, sizeof(v));
	v.field = -1;
	/* what was typed, kept for the answer whatever happens next (valid or not: the
	 * template escapes it) */
	v.title = http_form_get(&req->form, "title");
	v.slug = http_form_get(&req->form, "slug");
	v.body = http_form_get(&req->form, "body");
	v.status = http_form_get(&req->form, "status");
	v.publish_at = http_form_get(&req->form, "publish_at");
	v.title = v.title ? v.title : "";
	v.slug = v.slug ? v.slug : "";
	v.body = v.body ? v.body : "";
	v.status = v.status ? v.status : "draft";
	v.publish_at = v.publish_at ? v.publish_at : "";
	v.status_code = 400;
	if (form_read_each(&req->form, post_fields, PF__MAX, &fv, &bad, msg, sizeof(msg)) !=
	    ERR_OK) {
		v.field = (int)bad;
		v.error = arena_strdup(req->arena, msg);
		goto answer;
	}
	action = fv.values[PF_ACTION].text;
	if (strcmp(v.status, "draft") != 0 && strcmp(v.status, "publish") != 0 &&
	    strcmp(v.status, "schedule") != 0) {
		v.field = PF_STATUS;
		v.error = "Choose draft, publish now or schedule.";
		v.status = "draft";
		goto answer;
	}
	if (fv.values[PF_SLUG].present && !str_slug_valid(v.slug)) {
		v.field = PF_SLUG;
		v.error = "A slug is 1 to 100 of a-z, 0-9 and '-', not starting or ending with '-'.";
		goto answer;
	}
	if (!fv.values[PF_SLUG].present) {
		str_slugify(v.title, slugbuf, sizeof(slugbuf));
		if (!str_slug_valid(slugbuf)) {
			v.field = PF_SLUG;
			v.error = "No slug can be made from this title: write one (a-z, 0-9 and '-').";
			goto answer;
		}
	}
	draft = strcmp(v.status, "draft") == 0;
	if (strcmp(v.status, "schedule") == 0) {
		if (!admin_parse_time(v.publish_at, &at)) {
			v.field = PF_AT;
			v.error = "Write the time as YYYY-MM-DD HH:MM (UTC), seconds optional.";
			goto answer;
		}
		if (at <= now) {
			v.field = PF_AT;
			v.error = "This time has passed: choose a later one, or publish now.";
			goto answer;
		}
	} else if (strcmp(v.status, "publish") == 0) {
		/* an edit of a published post keeps its date; publishing a draft or a
		 * scheduled post now dates it now */
		at = !is_new && !post.draft && post.published_at <= now ? post.published_at : now;
	}
	if (strcmp(action, "preview") == 0) {
		if ((html = markdown_to_html(v.body, strlen(v.body))) == NULL) {
			admin_fail(res, ERR_NOMEM);
			return;
		}
		v.preview = arena_strdup(req->arena, html);
		free(html);
		v.status_code = 0;
		v.notice = "This is a preview: nothing is saved yet.";
		admin_post_form(req, res, app, &c, kind, is_new ? NULL : &post, &v);
		return;
	}
	if (is_new)
		e = posts_add(c.s, c.site.id, kind, fv.values[PF_SLUG].present ? v.slug : NULL,
		    v.title, v.body, draft, at, &id, msg, sizeof(msg));
	else {
		id = post.id;
		e = posts_update(c.s, c.site.id, id, fv.values[PF_SLUG].present ? v.slug : NULL,
		    v.title, v.body, draft, at, msg, sizeof(msg));
	}
	if (e == ERR_CONFLICT) {
		v.field = PF_SLUG;
		v.error = "This slug is already used on this site; choose another.";
		v.status_code = 409;
		goto answer;
	}
	if (e == ERR_INVAL || e == ERR_TOOBIG) {
		v.field = strncmp(msg, "The title", 9) == 0 ? PF_TITLE
			: strncmp(msg, "The text", 8) == 0  ? PF_BODY
							    : PF_SLUG;
		v.error = arena_strdup(req->arena, msg);
		goto answer;
	}
	if (e != ERR_OK) {
		admin_fail(res, e);
		return;
	}
	http_redirect(res, 303, arena_printf(req->arena, "/admin/%s/%lld?saved=1",
				    admin_kind_path(kind), (long long)id));
	return;
answer:
	admin_post_form(req, res, app, &c, kind, is_new ? NULL : &post, &v);
}

static void
admin_post_state(struct http_request *req, struct http_response *res, struct web_app *app,
    enum post_kind kind, bool delete)
{
	struct admin_ctx c;
	struct post post;
	bool is_new;
	enum err e;

	if (!admin_enter(app, req, res, &c, ADMIN_WRITE, CSRF_ADMIN_POST_STATE) ||
	    !admin_post_find(app, req, res, &c, kind, &post, &is_new))
		return;
	if (is_new) {
		res->status = 404;
		web_error_page(app, req, res, "Not found", "There is nothing to change here.");
		return;
	}
	e = delete ? posts_delete(c.s, c.site.id, post.id) : posts_unpublish(c.s, c.site.id,
								 post.id);
	if (e != ERR_OK && e != ERR_NOTFOUND) {
		admin_fail(res, e);
		return;
	}
	if (delete)
		http_redirect(res, 303, arena_printf(req->arena, "/admin/%s?deleted=1",
					    admin_kind_path(kind)));
	else
		http_redirect(res, 303, arena_printf(req->arena, "/admin/%s/%lld?unpublished=1",
					    admin_kind_path(kind), (long long)post.id));
}

static void
admin_post_edit_get(struct http_request *req, struct http_response *res, void *arg)
{
	admin_post_get(req, res, arg, POST_KIND_POST);
}
static void
admin_page_edit_get(struct http_request *req, struct http_response *res, void *arg)
{
	admin_post_get(req, res, arg, POST_KIND_PAGE);
}
static void
admin_post_edit_post(struct http_request *req, struct http_response *res, void *arg)
{
	admin_post_post(req, res, arg, POST_KIND_POST);
}
static void
admin_page_edit_post(struct http_request *req, struct http_response *res, void *arg)
{
	admin_post_post(req, res, arg, POST_KIND_PAGE);
}
static void
admin_post_unpublish(struct http_request *req, struct http_response *res, void *arg)
{
	admin_post_state(req, res, arg, POST_KIND_POST, false);
}
static void
admin_page_unpublish(struct http_request *req, struct http_response *res, void *arg)
{
	admin_post_state(req, res, arg, POST_KIND_PAGE, false);
}
static void
admin_post_delete(struct http_request *req, struct http_response *res, void *arg)
{
	admin_post_state(req, res, arg, POST_KIND_POST, true);
}
static void
admin_page_delete(struct http_request *req, struct http_response *res, void *arg)
{
	admin_post_state(req, res, arg, POST_KIND_PAGE, true);
}

/* ---------------------------------------------------- /admin/settings ---- */

enum { SF_TITLE, SF_TAGLINE, SF_POLICY, SF_HOLD, SF__MAX };
static const struct form_field settings_fields[SF__MAX] = {
	[SF_TITLE] = {"title", "Title", FORM_TEXT, LIMIT_TITLE, true, 0, 0},
	[SF_TAGLINE] = {"tagline", "Tagline", FORM_TEXT, LIMIT_TITLE, false, 0, 0},
	[SF_POLICY] = {"comment_policy", "Who may comment", FORM_INTEGER, 2, true, 0,
	    COMMENTS__MAX - 1},
	[SF_HOLD] = {"comment_hold", "Moderation", FORM_INTEGER, 2, true, 0, HOLD__MAX - 1},
};
static const char *const settings_keys[SF__MAX] = {"error_title", "error_tagline",
    "error_policy", "error_hold"};

static void
admin_settings_form(struct http_request *req, struct http_response *res, struct web_app *app,
    struct admin_ctx *c, const char *title, const char *tagline, long long policy,
    long long hold, int field, const char *error, const char *notice, int status)
{
	static const char *const policy_labels[COMMENTS__MAX] = {"Anyone may comment",
	    "Only signed-in members may comment", "Comments are closed"};
	static const char *const hold_labels[HOLD__MAX] = {
	    "Hold a commenter's first comment for moderation",
	    "Hold every comment for moderation", "Publish comments at once"};
	struct tmpl_val *ctx, *f, *list, *row;
	int i;

	if ((ctx = admin_context(app, req, res, c, "Settings", "settings")) == NULL)
		return;
	f = tmpl_set_obj(ctx, "form");
	if (!admin_csrf(app, req, res, f, CSRF_ADMIN_SETTINGS))
		return;
	tmpl_set_str(f, "title", title);
	tmpl_set_str(f, "tagline", tagline);
	list = tmpl_set_list(f, "policies");
	for (i = 0; i < COMMENTS__MAX && list; i++) {
		row = tmpl_list_add(list);
		tmpl_set_int(row, "value", i);
		tmpl_set_str(row, "id", arena_printf(req->arena, "policy-%d", i));
		tmpl_set_str(row, "label", policy_labels[i]);
		tmpl_set_bool(row, "checked", policy == i);
	}
	list = tmpl_set_list(f, "holds");
	for (i = 0; i < HOLD__MAX && list; i++) {
		row = tmpl_list_add(list);
		tmpl_set_int(row, "value", i);
		tmpl_set_str(row, "id", arena_printf(req->arena, "hold-%d", i));
		tmpl_set_str(row, "label", hold_labels[i]);
		tmpl_set_bool(row, "checked", hold == i);
	}
	if (error) {
		tmpl_set_str(f, "form_error", "The settings were not saved; see below.");
		tmpl_set_str(f, settings_keys[field], error);
	}
	tmpl_set_str(ctx, "notice", notice);
	if (status)
		res->status = status;
	web_render(app, res, "admin_settings", ctx);
}

static void
admin_settings_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct admin_ctx c;

	if (!admin_enter(arg, req, res, &c, ADMIN_SETTINGS, NULL))
		return;
	admin_settings_form(req, res, arg, &c, c.site.title, c.site.tagline, c.site.comment_policy,
	    c.site.comment_hold, 0, NULL, http_query(req, "saved") ? "Saved." : NULL, 0);
}

static void
admin_settings_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct admin_ctx c;
	struct form_values fv;
	const char *title, *tagline;
	char msg[256];
	size_t bad = 0;
	enum err e;

	if (!admin_enter(arg, req, res, &c, ADMIN_SETTINGS, CSRF_ADMIN_SETTINGS))
		return;
	title = http_form_get(&req->form, "title");
	tagline = http_form_get(&req->form, "tagline");
	title = title ? title : "";
	tagline = tagline ? tagline : "";
	if (form_read_each(&req->form, settings_fields, SF__MAX, &fv, &bad, msg, sizeof(msg)) !=
	    ERR_OK) {
		admin_settings_form(req, res, arg, &c, title, tagline, c.site.comment_policy,
		    c.site.comment_hold, (int)bad, arena_strdup(req->arena, msg), NULL, 400);
		return;
	}
	e = sites_update(c.s, c.site.id, title, tagline,
	    (enum comment_policy)fv.values[SF_POLICY].number,
	    (enum comment_hold)fv.values[SF_HOLD].number, msg, sizeof(msg));
	if (e == ERR_INVAL) {
		admin_settings_form(req, res, arg, &c, title, tagline, fv.values[SF_POLICY].number,
		    fv.values[SF_HOLD].number, strncmp(msg, "The tagline", 11) == 0 ? SF_TAGLINE
										: SF_TITLE,
		    arena_strdup(req->arena, msg), NULL, 400);
		return;
	}
	if (e != ERR_OK) {
		admin_fail(res, e);
		return;
	}
	http_redirect(res, 303, "/admin/settings?saved=1");
}

/* ------------------------------------------------------- /admin/sites ---- */

enum { NF_HOST, NF_ALIASES, NF_ORIGIN, NF_TITLE, NF_TAGLINE, NF__MAX };
static const struct form_field site_fields[NF__MAX] = {
	[NF_HOST] = {"host", "Host", FORM_TEXT, LIMIT_HOST_BYTES, true, 0, 0},
	[NF_ALIASES] = {"aliases", "Aliases", FORM_TEXT, 4096, false, 0, 0},
	[NF_ORIGIN] = {"origin", "Origin", FORM_TEXT, 300, true, 0, 0},
	[NF_TITLE] = {"title", "Title", FORM_TEXT, LIMIT_TITLE, true, 0, 0},
	[NF_TAGLINE] = {"tagline", "Tagline", FORM_TEXT, LIMIT_TITLE, false, 0, 0},
};
static const char *const site_keys[NF__MAX] = {"error_host", "error_aliases", "error_origin",
    "error_title", "error_tagline"};

/* What a site form shows. */
struct site_view {
	const char *host, *aliases, *origin, *title, *tagline;
	int field;
	const char *error;
	int status;
};

static void
admin_site_view_from(struct http_request *req, struct site_view *v)
{
	const char **dst[NF__MAX] = {&v->host, &v->aliases, &v->origin, &v->title, &v->tagline};
	const char *x;
	int i;

	for (i = 0; i < NF__MAX; i++) {
		x = http_form_get(&req->form, site_fields[i].name);
		*dst[i] = x ? x : "";
	}
}

static void
admin_site_fill(struct tmpl_val *f, const struct site_view *v)
{
	tmpl_set_str(f, "host", v->host);
	tmpl_set_str(f, "aliases", v->aliases);
	tmpl_set_str(f, "origin", v->origin);
	tmpl_set_str(f, "title", v->title);
	tmpl_set_str(f, "tagline", v->tagline);
	if (v->error) {
		tmpl_set_str(f, "form_error", "Nothing was saved; see below.");
		tmpl_set_str(f, site_keys[v->field], v->error);
	}
}

/*
 * Checks a site form: the host and every alias a host name (normalised into hosts[],
 * primary first), the origin, title and tagline. *nhosts gets the count. false with
 * v->field and v->error set.
 */
static bool
admin_site_check(struct http_request *req, struct site_view *v,
    char hosts[LIMIT_HOSTS_PER_SITE][LIMIT_HOST_BYTES + 1], size_t *nhosts)
{
	struct form_values fv;
	char msg[256], *list, *tok, *save;
	size_t bad = 0;

	v->status = 400;
	if (form_read_each(&req->form, site_fields, NF__MAX, &fv, &bad, msg, sizeof(msg)) !=
	    ERR_OK) {
		v->field = (int)bad;
		v->error = arena_strdup(req->arena, msg);
		return false;
	}
	if (http_host_parse(v->host, hosts[0], sizeof(hosts[0])) != ERR_OK || strchr(v->host, ':')) {
		v->field = NF_HOST;
		v->error = "Write a host name such as blog.example.com (no scheme, no port).";
		return false;
	}
	*nhosts = 1;
	list = arena_strdup(req->arena, v->aliases);
	for (tok = strtok_r(list, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
		if (*nhosts >= LIMIT_HOSTS_PER_SITE) {
			v->field = NF_ALIASES;
			v->error = "A site has at most 15 aliases.";
			return false;
		}
		if (http_host_parse(tok, hosts[*nhosts], sizeof(hosts[0])) != ERR_OK ||
		    strchr(tok, ':')) {
			v->field = NF_ALIASES;
			v->error = arena_printf(req->arena, "%s is not a host name (no scheme, no "
							    "port).", tok);
			return false;
		}
		(*nhosts)++;
	}
	if (sites_check(v->title, v->tagline, v->origin, msg, sizeof(msg)) != ERR_OK) {
		v->field = strncmp(msg, "The title", 9) == 0     ? NF_TITLE
			 : strncmp(msg, "The tagline", 11) == 0 ? NF_TAGLINE
								 : NF_ORIGIN;
		v->error = arena_strdup(req->arena, msg);
		return false;
	}
	return true;
}

static void
admin_sites_page(struct http_request *req, struct http_response *res, struct web_app *app,
    struct admin_ctx *c, const struct site_view *v)
{
	struct tmpl_val *ctx, *f, *list, *row;
	struct site *sites;
	size_t n, i;
	enum err e;

	if ((e = sites_list(c->s, req->arena, &sites, &n)) != ERR_OK) {
		admin_fail(res, e);
		return;
	}
	if ((ctx = admin_context(app, req, res, c, "Sites", "sites")) == NULL)
		return;
	list = tmpl_set_list(ctx, "sites");
	for (i = 0; i < n && list; i++) {
		row = tmpl_list_add(list);
		tmpl_set_str(row, "title", sites[i].title);
		tmpl_set_str(row, "host", sites[i].host);
		tmpl_set_str(row, "aliases", sites[i].aliases);
		tmpl_set_str(row, "edit_href",
		    arena_printf(req->arena, "/admin/sites/%lld", (long long)sites[i].id));
	}
	f = tmpl_set_obj(ctx, "form");
	if (!admin_csrf(app, req, res, f, CSRF_ADMIN_SITE_NEW))
		return;
	admin_site_fill(f, v);
	if (v->status)
		res->status = v->status;
	web_render(app, res, "admin_sites", ctx);
}

static void
admin_sites_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct admin_ctx c;
	struct site_view v = {"", "", "https://", "", "", 0, NULL, 0};

	if (!admin_enter(arg, req, res, &c, ADMIN_OWNER, NULL))
		return;
	admin_sites_page(req, res, arg, &c, &v);
}

static void
admin_sites_post(struct http_request *req, struct http_response *res, void *arg)
{
	char hosts[LIMIT_HOSTS_PER_SITE][LIMIT_HOST_BYTES + 1];
	const char *aliases[LIMIT_HOSTS_PER_SITE];
	struct admin_ctx c;
	struct site_view v;
	size_t nhosts = 0, i;
	int64_t id;
	enum err e;

	if (!admin_enter(arg, req, res, &c, ADMIN_OWNER, CSRF_ADMIN_SITE_NEW))
		return;
	memset(&v, 0, sizeof(v));
	admin_site_view_from(req, &v);
	if (!admin_site_check(req, &v, hosts, &nhosts)) {
		admin_sites_page(req, res, arg, &c, &v);
		return;
	}
	for (i = 1; i < nhosts; i++)
		aliases[i - 1] = hosts[i];
	e = sites_add(c.s, hosts[0], v.title, v.tagline, v.origin, aliases, nhosts - 1, &id);
	if (e == ERR_CONFLICT || e == ERR_INVAL) {
		v.field = NF_HOST;
		v.error = e == ERR_CONFLICT ? "This host, or one of the aliases, is already a name "
					      "of a site."
					    : "The host or an alias is not accepted.";
		v.status = e == ERR_CONFLICT ? 409 : 400;
		admin_sites_page(req, res, arg, &c, &v);
		return;
	}
	if (e != ERR_OK) {
		admin_fail(res, e);
		return;
	}
	http_redirect(res, 303, arena_printf(req->arena, "/admin/sites/%lld?saved=1",
				    (long long)id));
}

/* The site of the request's :id, or false (404) when there is none. */
static bool
admin_site_find(struct web_app *app, struct http_request *req, struct http_response *res,
    struct admin_ctx *c, struct site *out)
{
	const char *id = http_param(req, "id");
	long long n;
	enum err e = ERR_NOTFOUND;

	if (id && strnum(id, 1, INT64_MAX, &n) == ERR_OK)
		e = sites_get(c->s, req->arena, n, out);
	if (e == ERR_NOTFOUND) {
		res->status = 404;
		web_error_page(app, req, res, "Not found", "There is no such site.");
		return false;
	}
	if (e != ERR_OK) {
		admin_fail(res, e);
		return false;
	}
	return true;
}

enum { RF_USERNAME, RF_ROLE, RF_OP, RF__MAX };
static const struct form_field role_fields[RF__MAX] = {
	[RF_USERNAME] = {"username", "Username", FORM_USERNAME, LIMIT_USERNAME_MAX, true, 0, 0},
	[RF_ROLE] = {"role", "Role", FORM_TEXT, 16, true, 0, 0},
	[RF_OP] = {"op", "Action", FORM_TEXT, 16, true, 0, 0},
};

static void
admin_site_page(struct http_request *req, struct http_response *res, struct web_app *app,
    struct admin_ctx *c, const struct site *site, const struct site_view *v,
    const char *role_user, const char *role_error, const char *notice, int status)
{
	struct tmpl_val *ctx, *f, *list, *row;
	struct site_member *members;
	size_t n, i;
	enum err e;

	if ((e = people_site_members(c->s, req->arena, site->id, &members, &n)) != ERR_OK) {
		admin_fail(res, e);
		return;
	}
	if ((ctx = admin_context(app, req, res, c, arena_printf(req->arena, "Site %s",
							     site->title), "sites")) == NULL)
		return;
	tmpl_set_str(ctx, "site_title", site->title);
	tmpl_set_str(ctx, "notice", notice);
	f = tmpl_set_obj(ctx, "form");
	if (!admin_csrf(app, req, res, f, CSRF_ADMIN_SITE))
		return;
	tmpl_set_str(f, "action", arena_printf(req->arena, "/admin/sites/%lld",
					(long long)site->id));
	admin_site_fill(f, v);
	f = tmpl_set_obj(ctx, "roles");
	if (!admin_csrf(app, req, res, f, CSRF_ADMIN_ROLES))
		return;
	tmpl_set_str(f, "action", arena_printf(req->arena, "/admin/sites/%lld/roles",
					(long long)site->id));
	tmpl_set_str(f, "username", role_user);
	tmpl_set_str(f, "error_username", role_error);
	tmpl_set_bool(f, "has_members", n > 0);
	list = tmpl_set_list(f, "members");
	for (i = 0; i < n && list; i++) {
		row = tmpl_list_add(list);
		tmpl_set_str(row, "username", members[i].username);
		tmpl_set_str(row, "role", site_role_name(members[i].role));
		tmpl_set_str(row, "role_label",
		    members[i].role == SITE_ROLE_ADMIN ? "administrator" : "editor");
	}
	if (status)
		res->status = status;
	web_render(app, res, "admin_site", ctx);
}

static void
admin_site_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct admin_ctx c;
	struct site site;
	struct site_view v;

	if (!admin_enter(arg, req, res, &c, ADMIN_OWNER, NULL) ||
	    !admin_site_find(arg, req, res, &c, &site))
		return;
	memset(&v, 0, sizeof(v));
	v.host = site.host;
	v.aliases = site.aliases;
	v.origin = site.origin;
	v.title = site.title;
	v.tagline = site.tagline;
	admin_site_page(req, res, arg, &c, &site, &v, "", NULL,
	    http_query(req, "saved") ? "Saved." : NULL, 0);
}

/* The owner's form of a site: its names (host, aliases, origin), title and tagline. */
static void
admin_site_post(struct http_request *req, struct http_response *res, void *arg)
{
	char hosts[LIMIT_HOSTS_PER_SITE][LIMIT_HOST_BYTES + 1];
	const char *aliases[LIMIT_HOSTS_PER_SITE];
	struct admin_ctx c;
	struct site site;
	struct site_view v;
	char msg[256];
	size_t nhosts = 0, i;
	enum err e;

	if (!admin_enter(arg, req, res, &c, ADMIN_OWNER, CSRF_ADMIN_SITE) ||
	    !admin_site_find(arg, req, res, &c, &site))
		return;
	memset(&v, 0, sizeof(v));
	admin_site_view_from(req, &v);
	if (!admin_site_check(req, &v, hosts, &nhosts))
		goto answer;
	for (i = 1; i < nhosts; i++)
		aliases[i - 1] = hosts[i];
	if ((e = store_begin(c.s)) != ERR_OK) {
		admin_fail(res, e);
		return;
	}
	e = sites_set_hosts(c.s, site.id, hosts[0], v.origin, aliases, nhosts - 1, msg,
	    sizeof(msg));
	if (e == ERR_OK)
		e = sites_update(c.s, site.id, v.title, v.tagline, site.comment_policy,
		    site.comment_hold, msg, sizeof(msg));
	if (e == ERR_OK)
		e = store_commit(c.s);
	else
		store_rollback(c.s);
	if (e == ERR_CONFLICT || e == ERR_INVAL) {
		v.field = e == ERR_CONFLICT ? NF_HOST : NF_ORIGIN;
		v.error = arena_strdup(req->arena, msg);
		v.status = e == ERR_CONFLICT ? 409 : 400;
		goto answer;
	}
	if (e != ERR_OK) {
		admin_fail(res, e);
		return;
	}
	http_redirect(res, 303, arena_printf(req->arena, "/admin/sites/%lld?saved=1",
				    (long long)site.id));
	return;
answer:
	admin_site_page(req, res, arg, &c, &site, &v, "", NULL, NULL, v.status);
}

/* Appoints or removes a site admin or editor (op "appoint" or "remove"). */
static void
admin_site_roles_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct admin_ctx c;
	struct site site;
	struct site_view v;
	struct form_values fv;
	struct person who;
	const char *user, *error = NULL, *role, *op;
	char msg[256], name[LIMIT_USERNAME_MAX + 1];
	enum site_role r;
	size_t bad = 0, i;
	int status = 400;
	enum err e;

	if (!admin_enter(arg, req, res, &c, ADMIN_OWNER, CSRF_ADMIN_ROLES) ||
	    !admin_site_find(arg, req, res, &c, &site))
		return;
	user = http_form_get(&req->form, "username");
	user = user ? user : "";
	if (form_read_each(&req->form, role_fields, RF__MAX, &fv, &bad, msg, sizeof(msg)) !=
	    ERR_OK) {
		error = arena_strdup(req->arena, msg);
		goto answer;
	}
	role = fv.values[RF_ROLE].text;
	op = fv.values[RF_OP].text;
	if (strcmp(role, "admin") == 0)
		r = SITE_ROLE_ADMIN;
	else if (strcmp(role, "editor") == 0)
		r = SITE_ROLE_EDITOR;
	else {
		error = "Choose administrator or editor.";
		goto answer;
	}
	if (strcmp(op, "appoint") != 0 && strcmp(op, "remove") != 0) {
		error = "Choose to appoint or to remove.";
		goto answer;
	}
	for (i = 0; user[i] && i < LIMIT_USERNAME_MAX; i++)
		name[i] = user[i] >= 'A' && user[i] <= 'Z' ? (char)(user[i] - 'A' + 'a') : user[i];
	name[i] = '\0';
	if ((e = people_find(c.s, req->arena, name, &who)) == ERR_NOTFOUND) {
		error = "No account has this username.";
		status = 404;
		goto answer;
	}
	if (e == ERR_OK)
		e = people_site_role(c.s, who.id, site.id, r, strcmp(op, "appoint") == 0);
	if (e == ERR_CONFLICT) {
		error = arena_printf(req->arena, "%s is already %s of this site.", name,
		    r == SITE_ROLE_ADMIN ? "an administrator" : "an editor");
		status = 409;
		goto answer;
	}
	if (e != ERR_OK) {
		admin_fail(res, e);
		return;
	}
	http_redirect(res, 303, arena_printf(req->arena, "/admin/sites/%lld?saved=1",
				    (long long)site.id));
	return;
answer:
	memset(&v, 0, sizeof(v));
	v.host = site.host;
	v.aliases = site.aliases;
	v.origin = site.origin;
	v.title = site.title;
	v.tagline = site.tagline;
	admin_site_page(req, res, arg, &c, &site, &v, user, error, NULL, status);
}

enum err
web_routes_admin(struct web_app *app)
{
	static const struct web_route routes[] = {
		{"GET", "/admin", admin_home, 0, 0},
		{"GET", "/admin/posts", admin_posts, 0, 0},
		{"GET", "/admin/posts/:id", admin_post_edit_get, 0, 0},
		{"POST", "/admin/posts/:id", admin_post_edit_post, ADMIN_POST_BODY, 0},
		{"POST", "/admin/posts/:id/unpublish", admin_post_unpublish, ADMIN_SHORT_BODY, 0},
		{"POST", "/admin/posts/:id/delete", admin_post_delete, ADMIN_SHORT_BODY, 0},
		{"GET", "/admin/pages", admin_pages, 0, 0},
		{"GET", "/admin/pages/:id", admin_page_edit_get, 0, 0},
		{"POST", "/admin/pages/:id", admin_page_edit_post, ADMIN_POST_BODY, 0},
		{"POST", "/admin/pages/:id/unpublish", admin_page_unpublish, ADMIN_SHORT_BODY, 0},
		{"POST", "/admin/pages/:id/delete", admin_page_delete, ADMIN_SHORT_BODY, 0},
		{"GET", "/admin/settings", admin_settings_get, 0, 0},
		{"POST", "/admin/settings", admin_settings_post, ADMIN_SHORT_BODY, 0},
		{"GET", "/admin/sites", admin_sites_get, 0, 0},
		{"POST", "/admin/sites", admin_sites_post, ADMIN_POST_BODY, 0},
		{"GET", "/admin/sites/:id", admin_site_get, 0, 0},
		{"POST", "/admin/sites/:id", admin_site_post, ADMIN_POST_BODY, 0},
		{"POST", "/admin/sites/:id/roles", admin_site_roles_post, ADMIN_SHORT_BODY, 0},
	};

	return web_routes_add(app, routes, COUNTOF(routes));
}
