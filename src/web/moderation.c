/*
 * moderation: the comment queue of a site (/admin/comments, ?status=pending|approved|
 * spam|trash), one comment's admin view (/admin/comments/ID) and the moderation actions
 * (POST /admin/comments/ID: approve, spam, trash, back to pending, delete).
 *
 * Who: the moderators of the request's site, decided by the gate itself (gate_allows,
 * purpose moderation, on the site's comments): that site's admins and staff with a
 * moderation grant. Everyone else signed in gets 403 (an admin of another site, an
 * editor, a member, staff without a grant, an owner who is not the site's admin); no one
 * signed in is sent to sign in.
 *
 * Invariants: the commenter's IP and email are opened only through comments_private
 * (gate_read, purpose moderation), one audited read per field per view, and the pages
 * that show them are sent Cache-Control: no-store and wiped from memory once sent; every
 * action is a POST with the CSRF field, and answers 303 back to the queue.
 */
#include <sodium.h>
#include <string.h>

#include "sites/comments.h"
#include "web/web_int.h"

#define CSRF_MODERATE "moderate"

static const struct form_field moderate_fields[] = {
	{"action", "Action", FORM_TEXT, 16, true, 0, 0},
	{"back", "Back", FORM_TEXT, 16, false, 0, 0},
};

/* The moderation actions and the status each sets ("delete" removes the comment). */
static const struct {
	const char *action;
	const char *label;
	enum comment_status status;
} moderate_actions[] = {
	{"approve", "Approve", COMMENT_APPROVED},
	{"pending", "Back to pending", COMMENT_PENDING},
	{"spam", "Spam", COMMENT_SPAM},
	{"trash", "Trash", COMMENT_TRASH},
};

static void
moderation_fail(struct http_response *res, enum err e)
{
	res->status = e == ERR_UNAVAIL ? 503 : 500;
	buf_reset(&res->body);
}

/* The store, site and moderator of the request, or false with res answered. */
static bool
moderation_enter(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store **s, struct site *site, const struct web_user **u, const char *csrf_form)
{
	struct gate_field probe;
	struct gate_actor actor;

	if ((*s = web_store(app, res)) == NULL || !web_site(app, req, res, *s, site))
		return false;
	res->cache_control = "no-store";
	if (csrf_form && !web_csrf_ok(app, req, res, csrf_form))
		return false;
	if ((*u = web_require_user(app, req, res, *s)) == NULL)
		return false;
	memset(&probe, 0, sizeof(probe));
	probe.subject = "commenter:0";
	probe.site = site->id;
	probe.cls = FIELD_IP;
	probe.table = "comments";
	probe.column = "ip_sealed";
	actor.person = (*u)->id;
	actor.system = false;
	if (!gate_allows(app->privacy, *s, &actor, PURPOSE_MODERATION, &probe)) {
		res->status = 403;
		web_error_page(app, req, res, "Not a moderator of this site",
		    "Only this site's administrators (and staff with a moderation grant) "
		    "moderate its comments.");
		return false;
	}
	return true;
}

/*
 * Fills o with comment c for the admin pages, its IP and email opened through the gate
 * for u (each read audited); res->wipe_body is set since the page will hold them.
 */
static enum err
moderation_item(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct web_user *u, const struct comment *c, const char *back,
    struct tmpl_val *o)
{
	struct gate_actor actor = {u->id, false};
	struct tmpl_val *list, *a;
	struct buf ip, email;
	char iso[21], human[32];
	bool ip_ok, email_ok;
	size_t i;
	enum err e;

	buf_init(&ip);
	buf_init(&email);
	tmpl_set_int(o, "id", c->id);
	tmpl_set_str(o, "author", c->author);
	tmpl_set_bool(o, "member", c->person_id != 0);
	tmpl_set_html(o, "body", c->body_html);
	tmpl_set_str(o, "status", comment_status_name(c->status));
	tmpl_set_str(o, "post_title", c->post_title);
	tmpl_set_str(o, "post_href", arena_printf(req->arena, "/posts/%s", c->post_slug));
	tmpl_set_str(o, "view_href", arena_printf(req->arena, "/admin/comments/%lld",
					 (long long)c->id));
	tmpl_set_str(o, "action", arena_printf(req->arena, "/admin/comments/%lld",
				      (long long)c->id));
	tmpl_set_str(o, "back", back);
	tmpl_set_bool(o, "reply", c->parent_id != 0);
	time_rfc3339(c->created_at, iso);
	time_human_date(c->created_at, human);
	tmpl_set_str(o, "date_iso", iso);
	tmpl_set_str(o, "date_human", human);
	list = tmpl_set_list(o, "actions");
	for (i = 0; i < COUNTOF(moderate_actions) && list; i++) {
		if (moderate_actions[i].status == c->status)
			continue;
		a = tmpl_list_add(list);
		tmpl_set_str(a, "value", moderate_actions[i].action);
		tmpl_set_str(a, "label", moderate_actions[i].label);
	}
	res->wipe_body = true;
	if ((e = comments_private(app->privacy, s, &actor, c, &ip, &ip_ok, &email,
		 &email_ok)) != ERR_OK)
		goto out;
	if (ip_ok)
		tmpl_set_str(o, "ip", arena_strdup(req->arena, ip.data ? ip.data : ""));
	if (email_ok)
		tmpl_set_str(o, "email", arena_strdup(req->arena, email.data ? email.data : ""));
	tmpl_set_bool(o, "email_given", c->has_email);
	tmpl_set_bool(o, "ip_removed", !c->has_ip);
out:
	if (ip.data)
		sodium_memzero(ip.data, ip.len);
	if (email.data)
		sodium_memzero(email.data, email.len);
	buf_free(&ip);
	buf_free(&email);
	return e;
}

static void
moderation_queue(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct tmpl_val *ctx, *tabs, *t, *list;
	struct comment *cs;
	struct store *s;
	struct site site;
	const char *q = http_query(req, "status"), *pq = http_query(req, "page");
	const char *csrf;
	enum comment_status st = COMMENT_PENDING;
	int64_t counts[COMMENT_STATUS__MAX];
	long long page = 1;
	size_t n, i;
	enum err e;

	if (!moderation_enter(app, req, res, &s, &site, &u, NULL))
		return;
	if ((q && !comment_status_parse(q, &st)) ||
	    (pq && strnum(pq, 1, LIMIT_PAGE_NUMBER, &page) != ERR_OK)) {
		res->status = 400;
		web_error_page(app, req, res, "Bad request",
		    "The status is one of pending, approved, spam and trash, and the page a "
		    "number.");
		return;
	}
	if ((e = comments_counts(s, site.id, counts)) != ERR_OK ||
	    (e = comments_list_site(s, req->arena, site.id, st,
		 (page - 1) * LIMIT_MODERATION_PER_PAGE, LIMIT_MODERATION_PER_PAGE, &cs, &n)) !=
		ERR_OK) {
		moderation_fail(res, e);
		return;
	}
	if ((ctx = web_context(app, req, res, &site, s)) == NULL ||
	    !web_admin_menu(req, res, s, &site, u, ctx, "comments"))
		return;
	tmpl_set_str(ctx, "page_title", "Comments");
	tmpl_set_str(ctx, "status", comment_status_name(st));
	tmpl_set_int(ctx, "pending", counts[COMMENT_PENDING]);
	tabs = tmpl_set_list(ctx, "tabs");
	for (i = 0; i < COMMENT_STATUS__MAX && tabs; i++) {
		t = tmpl_list_add(tabs);
		tmpl_set_str(t, "name", comment_status_name((enum comment_status)i));
		tmpl_set_str(t, "href", arena_printf(req->arena, "/admin/comments?status=%s",
					    comment_status_name((enum comment_status)i)));
		tmpl_set_int(t, "count", counts[i]);
		tmpl_set_bool(t, "current", (enum comment_status)i == st);
	}
	csrf = web_csrf_token(app, req, CSRF_MODERATE);
	tmpl_set_bool(ctx, "has_comments", n > 0);
	list = tmpl_set_list(ctx, "comments");
	for (i = 0; i < n && list; i++) {
		t = tmpl_list_add(list);
		tmpl_set_str(t, "csrf", csrf);
		if ((e = moderation_item(app, req, res, s, u, &cs[i], comment_status_name(st), t)) !=
		    ERR_OK) {
			moderation_fail(res, e);
			return;
		}
	}
	if (page > 1)
		tmpl_set_str(ctx, "newer_href", arena_printf(req->arena,
						    "/admin/comments?status=%s&page=%lld",
						    comment_status_name(st), page - 1));
	if ((int64_t)page * LIMIT_MODERATION_PER_PAGE < counts[st])
		tmpl_set_str(ctx, "older_href", arena_printf(req->arena,
						    "/admin/comments?status=%s&page=%lld",
						    comment_status_name(st), page + 1));
	web_render(app, res, "admin_comments", ctx);
}

/* The comment of :id on the request's site, or false with res answered (404). */
static bool
moderation_comment(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, struct comment *c)
{
	long long id;
	enum err e = ERR_NOTFOUND;

	if (strnum(http_param(req, "id"), 1, INT64_MAX, &id) == ERR_OK &&
	    (e = comments_get(s, req->arena, id, c)) == ERR_OK && c->site_id == site->id)
		return true;
	if (e != ERR_OK && e != ERR_NOTFOUND) {
		moderation_fail(res, e);
		return false;
	}
	res->status = 404;
	web_error_page(app, req, res, "Not found", "There is no such comment on this site.");
	return false;
}

static void
moderation_view(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct tmpl_val *ctx, *o;
	struct comment c;
	struct store *s;
	struct site site;
	enum err e;

	if (!moderation_enter(app, req, res, &s, &site, &u, NULL) ||
	    !moderation_comment(app, req, res, s, &site, &c))
		return;
	if ((ctx = web_context(app, req, res, &site, s)) == NULL ||
	    !web_admin_menu(req, res, s, &site, u, ctx, "comments"))
		return;
	tmpl_set_str(ctx, "page_title", "Comment");
	o = tmpl_set_obj(ctx, "comment");
	tmpl_set_str(o, "csrf", web_csrf_token(app, req, CSRF_MODERATE));
	if ((e = moderation_item(app, req, res, s, u, &c, comment_status_name(c.status), o)) !=
	    ERR_OK) {
		moderation_fail(res, e);
		return;
	}
	tmpl_set_str(ctx, "queue_href", arena_printf(req->arena, "/admin/comments?status=%s",
					    comment_status_name(c.status)));
	web_render(app, res, "admin_comment", ctx);
}

static void
moderation_act(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct form_values v;
	struct comment c;
	struct store *s;
	struct site site;
	enum comment_status st, back = COMMENT_PENDING;
	char msg[256];
	size_t i;
	enum err e;

	if (!moderation_enter(app, req, res, &s, &site, &u, CSRF_MODERATE) ||
	    !moderation_comment(app, req, res, s, &site, &c))
		return;
	if (form_read(&req->form, moderate_fields, COUNTOF(moderate_fields), &v, msg,
		sizeof(msg)) != ERR_OK) {
		res->status = 400;
		web_error_page(app, req, res, "Bad request", msg);
		return;
	}
	if (v.values[1].present && !comment_status_parse(v.values[1].text, &back))
		back = COMMENT_PENDING;
	if (strcmp(v.values[0].text, "delete") == 0)
		e = comments_delete(app->privacy, s, site.id, c.id);
	else {
		for (i = 0; i < COUNTOF(moderate_actions); i++)
			if (strcmp(v.values[0].text, moderate_actions[i].action) == 0)
				break;
		if (i == COUNTOF(moderate_actions)) {
			res->status = 400;
			web_error_page(app, req, res, "Bad request",
			    "The action is one of approve, pending, spam, trash and delete.");
			return;
		}
		st = moderate_actions[i].status;
		e = comments_set_status(s, site.id, c.id, st);
	}
	if (e != ERR_OK) {
		moderation_fail(res, e);
		return;
	}
	http_redirect(res, 303, arena_printf(req->arena, "/admin/comments?status=%s",
				    comment_status_name(back)));
}

enum err
web_routes_moderation(struct web_app *app)
{
	static const struct web_route routes[] = {
		{"GET", "/admin/comments", moderation_queue, 0, 0},
		{"GET", "/admin/comments/:id", moderation_view, 0, 0},
		{"POST", "/admin/comments/:id", moderation_act, LIMIT_FORM_BODY_DEFAULT, 0},
	};

	return web_routes_add(app, routes, COUNTOF(routes));
}
