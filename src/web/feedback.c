/*
 * feedback (web): /feedback for anyone (P16; anonymous or signed in, no cookie needed:
 * the CSRF token sits in the form), /feedback/published for the public, and
 * /admin/feedback for the owner and staff with a support grant: every item's text,
 * name and email are opened through the gate (purpose support, audited), and an item
 * can be published. The published page shows the author's name only when the author
 * ticked "you may publish this with my name", and never an email (feedback.h).
 */
#include <string.h>

#include "feedback/feedback.h"
#include "web/web_int.h"

#define CSRF_FEEDBACK "feedback"
#define CSRF_FEEDBACK_PUBLISH "feedback-publish"

enum { FB_TEXT, FB_NAME, FB_EMAIL, FB_CONSENT };
static const struct form_field feedback_fields[] = {
	[FB_TEXT] = {"text", "Your message", FORM_MULTILINE, LIMIT_FEEDBACK_TEXT, true, 0, 0},
	[FB_NAME] = {"name", "Your name", FORM_TEXT, LIMIT_FEEDBACK_NAME, false, 0, 0},
	[FB_EMAIL] = {"email", "Your email", FORM_EMAIL, LIMIT_FORM_EMAIL_BYTES, false, 0, 0},
	[FB_CONSENT] = {"consent", "Publish with my name", FORM_CHECKBOX, 0, false, 0, 0},
};

static void
feedback_fail(struct http_response *res, enum err e)
{
	res->status = e == ERR_UNAVAIL ? 503 : 500;
	buf_reset(&res->body);
}

static void
feedback_form(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, int status, const char *error,
    const struct form_values *fv)
{
	struct tmpl_val *ctx;
	const struct web_user *u = web_user(app, req, s);

	if ((ctx = web_context(app, req, res, site, s)) == NULL)
		return;
	res->status = status;
	res->cache_control = "no-store";
	tmpl_set_str(ctx, "page_title", "Feedback");
	tmpl_set_str(ctx, "csrf", web_csrf_token(app, req, CSRF_FEEDBACK));
	tmpl_set_str(ctx, "error", error);
	if (u)
		tmpl_set_str(ctx, "member", u->username);
	if (fv) {
		tmpl_set_str(ctx, "text", fv->values[FB_TEXT].text);
		tmpl_set_str(ctx, "name", fv->values[FB_NAME].text);
		tmpl_set_str(ctx, "email", fv->values[FB_EMAIL].text);
		tmpl_set_bool(ctx, "consent", fv->values[FB_CONSENT].present);
	}
	web_render(app, res, "feedback", ctx);
}

static void
feedback_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct store *s;
	struct site site;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	feedback_form(app, req, res, s, &site, 200, NULL, NULL);
}

static void
feedback_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct feedback_new in;
	struct form_values fv;
	const struct web_user *u;
	struct tmpl_val *ctx, *m;
	struct store *s;
	struct site site;
	char msg[256];
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	res->cache_control = "no-store";
	if (!web_csrf_ok(app, req, res, CSRF_FEEDBACK))
		return;
	if (form_read(&req->form, feedback_fields, COUNTOF(feedback_fields), &fv, msg,
		sizeof(msg)) != ERR_OK) {
		feedback_form(app, req, res, s, &site, 400, arena_strdup(req->arena, msg), NULL);
		return;
	}
	u = web_user(app, req, s);
	memset(&in, 0, sizeof(in));
	in.site = site.id;
	in.person = u ? u->id : 0;
	in.text = fv.values[FB_TEXT].text;
	in.name = u ? NULL : fv.values[FB_NAME].text;
	in.email = fv.values[FB_EMAIL].text;
	in.consent_name = fv.values[FB_CONSENT].present;
	if ((e = feedback_add(app->privacy, s, &in, NULL)) == ERR_INVAL) {
		feedback_form(app, req, res, s, &site, 400,
		    "The message or the email address is not valid.", &fv);
		return;
	}
	if (e != ERR_OK) {
		feedback_fail(res, e);
		return;
	}
	if ((ctx = web_context(app, req, res, &site, s)) == NULL)
		return;
	tmpl_set_str(ctx, "page_title", "Thank you");
	m = tmpl_set_obj(ctx, "message");
	tmpl_set_str(m, "title", "Thank you");
	tmpl_set_str(m, "text", "Your message reached the team. Only staff who handle support "
				"read it, and every reading is recorded.");
	tmpl_set_str(m, "more", in.consent_name
	    ? "If it is published, your name is shown with it, as you allowed. Your email "
	      "address never is."
	    : "If it is published, it is shown without your name. Your email address never is.");
	web_render(app, res, "message", ctx);
}

static void
feedback_public(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct tmpl_val *ctx, *list, *item;
	struct feedback_item *v;
	struct store *s;
	struct site site;
	char when[32];
	size_t n, i;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	if ((e = feedback_published(s, req->arena, site.id, &v, &n)) != ERR_OK) {
		feedback_fail(res, e);
		return;
	}
	if ((ctx = web_context(app, req, res, &site, s)) == NULL)
		return;
	tmpl_set_str(ctx, "page_title", "Published feedback");
	tmpl_set_bool(ctx, "has_items", n > 0);
	list = tmpl_set_list(ctx, "items");
	for (i = 0; i < n && list; i++) {
		item = tmpl_list_add(list);
		tmpl_set_str(item, "text", v[i].published_text);
		tmpl_set_str(item, "name", v[i].published_name[0] ? v[i].published_name : NULL);
		time_human_date(v[i].published_at, when);
		tmpl_set_str(item, "date", when);
	}
	res->cache_control = "no-cache";
	res->cacheable = true;
	web_render(app, res, "feedback_published", ctx);
}

/* Signed in as the owner or staff with a support grant; otherwise res is answered. */
static bool
feedback_staff(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct web_user **u)
{
	bool ok = false;
	enum err e;

	if ((*u = web_require_user(app, req, res, s)) == NULL)
		return false;
	if ((e = gate_granted(s, (*u)->id, PURPOSE_SUPPORT, &ok)) != ERR_OK) {
		feedback_fail(res, e);
		return false;
	}
	if (!ok) {
		res->status = 403;
		web_error_page(app, req, res, "Not allowed",
		    "Feedback is read by the owner and by staff with a support grant.");
	}
	return ok;
}

static void
feedback_admin(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct tmpl_val *ctx, *list, *item;
	struct feedback_item *v;
	const struct web_user *u;
	struct gate_actor actor;
	struct store *s;
	struct site site;
	char when[32];
	size_t n, i;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site) ||
	    !feedback_staff(app, req, res, s, &u))
		return;
	actor.person = u->id;
	actor.system = false;
	e = feedback_list(app->privacy, s, req->arena, &actor, site.id, &v, &n);
	if (e == ERR_DENIED) {
		res->status = 403;
		web_error_page(app, req, res, "Not allowed",
		    "The gate refused: staff need a signed confidentiality agreement and a "
		    "support grant. The refusal was recorded.");
		return;
	}
	if (e != ERR_OK) {
		feedback_fail(res, e);
		return;
	}
	if ((ctx = web_context(app, req, res, &site, s)) == NULL)
		return;
	res->cache_control = "no-store";
	tmpl_set_str(ctx, "page_title", "Feedback");
	tmpl_set_str(ctx, "csrf", web_csrf_token(app, req, CSRF_FEEDBACK_PUBLISH));
	tmpl_set_bool(ctx, "has_items", n > 0);
	list = tmpl_set_list(ctx, "items");
	for (i = 0; i < n && list; i++) {
		item = tmpl_list_add(list);
		tmpl_set_int(item, "id", v[i].id);
		tmpl_set_str(item, "text", v[i].text);
		tmpl_set_str(item, "name", v[i].name);
		tmpl_set_str(item, "email", v[i].email);
		tmpl_set_bool(item, "member", v[i].person > 0);
		tmpl_set_bool(item, "consent", v[i].consent_name);
		tmpl_set_bool(item, "published", v[i].published_at > 0);
		time_human_date(v[i].created_at, when);
		tmpl_set_str(item, "date", when);
	}
	web_render(app, res, "feedback_admin", ctx);
}

static void
feedback_publish_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct gate_actor actor;
	struct store *s;
	struct site site;
	long long id;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	res->cache_control = "no-store";
	if (!web_csrf_ok(app, req, res, CSRF_FEEDBACK_PUBLISH) ||
	    !feedback_staff(app, req, res, s, &u))
		return;
	if (strnum(http_param(req, "id"), 1, INT64_MAX, &id) != ERR_OK) {
		res->status = 404;
		web_error_page(app, req, res, "Not found", "There is no such feedback item.");
		return;
	}
	actor.person = u->id;
	actor.system = false;
	e = feedback_publish(app->privacy, s, &actor, site.id, id, time_now());
	if (e == ERR_NOTFOUND) {
		res->status = 404;
		web_error_page(app, req, res, "Not found", "There is no such feedback item.");
		return;
	}
	if (e == ERR_DENIED) {
		res->status = 403;
		web_error_page(app, req, res, "Not allowed", "The gate refused; it was recorded.");
		return;
	}
	if (e != ERR_OK) {
		feedback_fail(res, e);
		return;
	}
	http_redirect(res, 303, "/admin/feedback");
}

enum err
web_routes_feedback(struct web_app *app)
{
	static const struct web_route routes[] = {
		{"GET", "/feedback", feedback_get, 0, 0},
		{"POST", "/feedback", feedback_post, 4 * LIMIT_FEEDBACK_TEXT + 4096, 0},
		{"GET", "/feedback/published", feedback_public, 0, HTTP_ROUTE_CACHEABLE},
		{"GET", "/admin/feedback", feedback_admin, 0, 0},
		{"POST", "/admin/feedback/:id/publish", feedback_publish_post,
		    LIMIT_ACCOUNT_FORM_BODY, 0},
	};

	return web_routes_add(app, routes, COUNTOF(routes));
}
