/*
 * policy (web): the privacy policy's versions (P20). Public: /privacy/history (every
 * version with its date and summary) and /privacy/history/N (version N and a line diff
 * against N-1, escaped by the template). Members: the notice on every page until they
 * acknowledge the newest version (POST /privacy/acknowledge: an explicit acceptance),
 * and continued use recorded on their first signed-in request on or after a version's
 * effective date (web_policy_seen, called from web_user). Owner: /admin/policy publishes
 * a version and shows, per version, how many accepted it and how.
 *
 * Publishing (here and `candor policy publish`) is one transaction: the version and
 * its alert campaign to every account holder with a verified email (mail.h campaigns:
 * one row per person, never twice; the mail worker queues and sends them). A version
 * is never edited: a correction is a new version.
 */
#include <string.h>

#include "mail/mail.h"
#include "policy/policy.h"
#include "web/web_int.h"

#define CSRF_POLICY_ACK "policy-ack"
#define CSRF_POLICY_PUBLISH "policy-publish"

enum { PP_TITLE, PP_BODY, PP_SUMMARY, PP_EFFECTIVE };
static const struct form_field publish_fields[] = {
	[PP_TITLE] = {"title", "Title", FORM_TEXT, LIMIT_TITLE, true, 0, 0},
	[PP_BODY] = {"body", "Text", FORM_MULTILINE, LIMIT_BODY_MARKDOWN, true, 0, 0},
	[PP_SUMMARY] = {"summary", "What changed", FORM_TEXT, LIMIT_POLICY_SUMMARY, true, 0, 0},
	[PP_EFFECTIVE] = {"effective", "Effective date", FORM_TEXT, 10, false, 0, 0},
};

enum { PA_VERSION, PA_NEXT };
static const struct form_field ack_fields[] = {
	[PA_VERSION] = {"version", "Version", FORM_INTEGER, 20, true, 1, INT64_MAX},
	[PA_NEXT] = {"next", "Return address", FORM_TEXT, 2048, false, 0, 0},
};

static void
policy_fail(struct http_response *res, enum err e)
{
	res->status = e == ERR_UNAVAIL ? 503 : 500;
	buf_reset(&res->body);
}

static void
policy_dates(struct tmpl_val *o, const char *prefix, struct arena *a, int64_t t)
{
	char iso[21], human[32];

	time_rfc3339(t, iso);
	time_human_date(t, human);
	tmpl_set_str(o, arena_printf(a, "%s_iso", prefix), iso);
	tmpl_set_str(o, arena_printf(a, "%s_human", prefix), human);
}

/* ------------------------------------------------------------ publishing ---- */

enum err
web_policy_publish(struct store *s, struct arena *a, const struct site *site,
    const char *title, const char *markdown, const char *summary, int64_t effective_at,
    int64_t by, int64_t *version)
{
	struct mail_campaign c;
	struct person *people;
	struct buf text;
	int64_t *ids = NULL, v = 0;
	char date[32];
	size_t n = 0, k = 0, i;
	enum err e;

	buf_init(&text);
	if ((e = store_begin(s)) != ERR_OK)
		return e;
	if ((e = policy_publish(s, title, markdown, summary, effective_at, &v)) != ERR_OK ||
	    (e = people_list(s, a, &people, &n)) != ERR_OK)
		goto fail;
	if (n && (ids = arena_alloc(a, n * sizeof(*ids))) == NULL) {
		e = ERR_NOMEM;
		goto fail;
	}
	/* every account holder (members, staff, owner) whose address is verified */
	for (i = 0; i < n; i++)
		if (people[i].email_verified)
			ids[k++] = people[i].id;
	time_human_date(effective_at ? effective_at : time_now(), date);
	buf_printf(&text, "Hello,\n\nThe privacy policy of %s has a new version (%lld), in "
			  "effect from %s.\n\n",
	    site->title, (long long)v, date);
	if (summary[0])
		buf_printf(&text, "What changed: %s\n\n", summary);
	buf_printf(&text, "The changes, line by line:\n  %s/privacy/history/%lld\n\n"
			  "If you keep using your account on or after %s, you accept the new "
			  "version.\nYou can also tell us you have read it: the site shows a "
			  "notice until you do.\n\n-- \n%s\n%s/\n",
	    site->origin, (long long)v, date, site->title, site->origin);
	if (text.failed) {
		e = ERR_NOMEM;
		goto fail;
	}
	memset(&c, 0, sizeof(c));
	c.ref = arena_printf(a, "policy:%lld", (long long)v);
	c.subject = arena_printf(a, "Privacy policy update (version %lld)", (long long)v);
	c.text = text.data;
	c.created_by = by;
	if (c.ref == NULL || c.subject == NULL) {
		e = ERR_NOMEM;
		goto fail;
	}
	if ((e = mail_campaign_create(s, &c, ids, k, NULL)) != ERR_OK)
		goto fail;
	if ((e = store_commit(s)) != ERR_OK)
		goto out;
	if (version)
		*version = v;
	goto out;
fail:
	store_rollback(s);
out:
	buf_free(&text);
	return e;
}

/* -------------------------------------------------------------- members ---- */

int64_t
web_policy_seen(struct web_app *app, struct http_request *req, struct store *s, int64_t person)
{
	int64_t notice = 0;
	enum err e;

	(void)req;
	if ((e = policy_seen(s, person, time_now(), &notice)) != ERR_OK) {
		/* the page is still served; the acceptance is recorded at a later request */
		log_warn("policy: continued use of person %lld not recorded: %s",
		    (long long)person, err_str(e));
		return 0;
	}
	(void)app;
	return notice;
}

void
web_policy_notice(struct web_app *app, struct http_request *req, struct tmpl_val *user,
    int64_t version)
{
	struct tmpl_val *o;

	if (version <= 0 || user == NULL)
		return;
	o = tmpl_set_obj(user, "policy_notice");
	tmpl_set_int(o, "version", version);
	tmpl_set_str(o, "csrf", web_csrf_token(app, req, CSRF_POLICY_ACK));
	tmpl_set_str(o, "next", web_safe_next(req->path, "/"));
}

static void
policy_ack_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct form_values fv;
	struct store *s;
	struct site site;
	char msg[256];
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	res->cache_control = "no-store";
	if (!web_csrf_ok(app, req, res, CSRF_POLICY_ACK))
		return;
	if ((u = web_require_user(app, req, res, s)) == NULL)
		return;
	if (form_read(&req->form, ack_fields, COUNTOF(ack_fields), &fv, msg, sizeof(msg)) !=
	    ERR_OK) {
		res->status = 400;
		web_error_page(app, req, res, "Bad request", msg);
		return;
	}
	e = policy_acknowledge(s, u->id, fv.values[PA_VERSION].number, time_now());
	if (e == ERR_NOTFOUND) {
		res->status = 404;
		web_error_page(app, req, res, "Not found", "There is no such policy version.");
		return;
	}
	if (e != ERR_OK) {
		policy_fail(res, e);
		return;
	}
	http_redirect(res, 303, web_safe_next(fv.values[PA_NEXT].text, "/"));
}

/* --------------------------------------------------------------- public ---- */

static void
policy_history(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct tmpl_val *ctx, *list, *item;
	struct policy_version *v;
	struct store *s;
	struct site site;
	int64_t now = time_now();
	size_t n, i;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	if ((e = policy_list(s, req->arena, &v, &n)) != ERR_OK) {
		policy_fail(res, e);
		return;
	}
	if ((ctx = web_context(app, req, res, &site, s)) == NULL)
		return;
	tmpl_set_str(ctx, "page_title", "Privacy policy history");
	tmpl_set_bool(ctx, "has_versions", n > 0);
	list = tmpl_set_list(ctx, "versions");
	for (i = 0; i < n && list; i++) {
		item = tmpl_list_add(list);
		tmpl_set_int(item, "version", v[i].version);
		tmpl_set_str(item, "title", v[i].title);
		tmpl_set_str(item, "summary", v[i].summary);
		tmpl_set_str(item, "href", arena_printf(req->arena, "/privacy/history/%lld",
					       (long long)v[i].version));
		tmpl_set_bool(item, "upcoming", v[i].effective_at > now);
		policy_dates(item, "effective", req->arena, v[i].effective_at);
		policy_dates(item, "published", req->arena, v[i].created_at);
	}
	res->cache_control = "no-cache";
	res->cacheable = true;
	web_render(app, res, "privacy_history", ctx);
}

static void
policy_version_page(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct tmpl_val *ctx, *o, *list, *item;
	struct policy_version cur, prev;
	struct policy_diff_line *d;
	struct store *s;
	struct site site;
	long long n;
	size_t nd = 0, i, added = 0, removed = 0;
	enum err e, de = ERR_OK;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	if (strnum(http_param(req, "n"), 1, INT64_MAX, &n) != ERR_OK) {
		res->status = 404;
		web_error_page(app, req, res, "Not found", "There is no such policy version.");
		return;
	}
	e = policy_get(s, req->arena, n, &cur);
	if (e == ERR_NOTFOUND) {
		res->status = 404;
		web_error_page(app, req, res, "Not found", "There is no such policy version.");
		return;
	}
	if (e != ERR_OK || (n > 1 && (e = policy_get(s, req->arena, n - 1, &prev)) != ERR_OK &&
			       e != ERR_NOTFOUND)) {
		policy_fail(res, e);
		return;
	}
	if (n > 1 && e == ERR_OK) {
		de = policy_diff(req->arena, prev.body_md, strlen(prev.body_md), cur.body_md,
		    strlen(cur.body_md), &d, &nd);
		if (de != ERR_OK && de != ERR_TOOBIG) {
			policy_fail(res, de);
			return;
		}
	}
	if ((ctx = web_context(app, req, res, &site, s)) == NULL)
		return;
	tmpl_set_str(ctx, "page_title", arena_printf(req->arena, "Privacy policy, version %lld", n));
	o = tmpl_set_obj(ctx, "policy");
	tmpl_set_int(o, "version", cur.version);
	tmpl_set_str(o, "title", cur.title);
	tmpl_set_str(o, "summary", cur.summary);
	tmpl_set_html(o, "body", cur.body_html);
	tmpl_set_bool(o, "upcoming", cur.effective_at > time_now());
	policy_dates(o, "effective", req->arena, cur.effective_at);
	if (n > 1 && e == ERR_OK) {
		tmpl_set_int(o, "previous", n - 1);
		tmpl_set_str(o, "previous_href", arena_printf(req->arena, "/privacy/history/%lld",
						      n - 1));
		tmpl_set_bool(o, "too_different", de == ERR_TOOBIG);
		list = tmpl_set_list(o, "diff");
		for (i = 0; de == ERR_OK && i < nd && list; i++) {
			item = tmpl_list_add(list);
			tmpl_set_str(item, "text", arena_strndup(req->arena, d[i].text, d[i].len));
			tmpl_set_str(item, "class", d[i].op == POLICY_DIFF_ADD ? "add"
						    : d[i].op == POLICY_DIFF_DEL ? "del"
										 : "same");
			tmpl_set_str(item, "sign", d[i].op == POLICY_DIFF_ADD ? "+"
						   : d[i].op == POLICY_DIFF_DEL ? "-"
										: " ");
			added += d[i].op == POLICY_DIFF_ADD;
			removed += d[i].op == POLICY_DIFF_DEL;
		}
		tmpl_set_int(o, "added", (int64_t)added);
		tmpl_set_int(o, "removed", (int64_t)removed);
	}
	res->cache_control = "no-cache";
	res->cacheable = true;
	web_render(app, res, "privacy_version", ctx);
}

/* ---------------------------------------------------------------- owner ---- */

struct policy_admin_view {
	int status;
	const char *error;
	const char *notice;
	const struct form_values *fv; /* what was typed, shown again after a refusal */
};

static void
policy_admin_page(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, const struct policy_admin_view *view)
{
	struct tmpl_val *ctx, *list, *item, *f;
	struct policy_version *v;
	struct policy_count *c;
	struct mail_campaign_info *camp;
	size_t n, nc, ncamp, i, k;
	enum err e;

	if ((e = policy_list(s, req->arena, &v, &n)) != ERR_OK ||
	    (e = policy_counts(s, req->arena, &c, &nc)) != ERR_OK ||
	    (e = mail_campaign_list(s, req->arena, &camp, &ncamp)) != ERR_OK) {
		policy_fail(res, e);
		return;
	}
	if ((ctx = web_context(app, req, res, site, s)) == NULL)
		return;
	res->status = view->status ? view->status : 200;
	res->cache_control = "no-store";
	tmpl_set_str(ctx, "page_title", "Privacy policy");
	tmpl_set_str(ctx, "error", view->error);
	tmpl_set_str(ctx, "notice", view->notice);
	tmpl_set_str(ctx, "csrf", web_csrf_token(app, req, CSRF_POLICY_PUBLISH));
	f = tmpl_set_obj(ctx, "form");
	if (view->fv) {
		tmpl_set_str(f, "title", view->fv->values[PP_TITLE].text);
		tmpl_set_str(f, "body", view->fv->values[PP_BODY].text);
		tmpl_set_str(f, "summary", view->fv->values[PP_SUMMARY].text);
		tmpl_set_str(f, "effective", view->fv->values[PP_EFFECTIVE].text);
	} else
		tmpl_set_str(f, "title", n ? v[0].title : "Privacy Policy");
	tmpl_set_bool(ctx, "has_versions", n > 0);
	list = tmpl_set_list(ctx, "versions");
	for (i = 0; i < n && list; i++) {
		item = tmpl_list_add(list);
		tmpl_set_int(item, "version", v[i].version);
		tmpl_set_str(item, "summary", v[i].summary);
		policy_dates(item, "effective", req->arena, v[i].effective_at);
		tmpl_set_int(item, "explicit", 0);
		tmpl_set_int(item, "continued", 0);
		tmpl_set_int(item, "acknowledged", 0);
		for (k = 0; k < nc; k++)
			if (c[k].version == v[i].version) {
				tmpl_set_int(item, "explicit", c[k].explicit_n);
				tmpl_set_int(item, "continued", c[k].continued_n);
				tmpl_set_int(item, "acknowledged", c[k].acknowledged_n);
			}
		for (k = 0; k < ncamp; k++)
			if (strcmp(camp[k].ref, arena_printf(req->arena, "policy:%lld",
						    (long long)v[i].version)) == 0) {
				tmpl_set_int(item, "alerts_total", camp[k].total);
				tmpl_set_int(item, "alerts_queued", camp[k].queued);
			}
	}
	web_render(app, res, "policy_admin", ctx);
}

/* The owner, or false with res answered (303 to sign in, 403). */
static bool
policy_owner(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct web_user **u)
{
	if ((*u = web_require_user(app, req, res, s)) == NULL)
		return false;
	if ((*u)->role == ROLE_OWNER)
		return true;
	res->status = 403;
	web_error_page(app, req, res, "Not allowed",
	    "Only the owner publishes the privacy policy.");
	return false;
}

static void
policy_admin_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct policy_admin_view view;
	const struct web_user *u;
	struct store *s;
	struct site site;
	const char *q = http_query(req, "notice");

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site) ||
	    !policy_owner(app, req, res, s, &u))
		return;
	memset(&view, 0, sizeof(view));
	if (q && strcmp(q, "published") == 0)
		view.notice = "Published. Account holders with a verified email are being "
			      "alerted (see the count below).";
	policy_admin_page(app, req, res, s, &site, &view);
}

/* Parses YYYY-MM-DD (empty: now) and refuses a day before today (UTC): a version takes
 * effect from now on, never retroactively. Writes a sentence into msg. */
bool
web_policy_effective(const char *text, int64_t now, int64_t *out, char *msg, size_t msgsize)
{
	if (text == NULL || text[0] == '\0') {
		*out = now;
		return true;
	}
	if (time_parse_date(text, out) != ERR_OK) {
		snprintf(msg, msgsize, "The effective date must be a date as YYYY-MM-DD.");
		return false;
	}
	if (*out < now - now % 86400) {
		snprintf(msg, msgsize, "The effective date cannot be in the past: a version takes "
				       "effect from today at the earliest.");
		return false;
	}
	return true;
}

static void
policy_admin_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct policy_admin_view view;
	const struct web_user *u;
	struct form_values fv;
	struct store *s;
	struct site site;
	const char *body;
	char msg[256];
	int64_t effective = 0;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	res->cache_control = "no-store";
	if (!web_csrf_ok(app, req, res, CSRF_POLICY_PUBLISH) || !policy_owner(app, req, res, s, &u))
		return;
	memset(&view, 0, sizeof(view));
	if (form_read(&req->form, publish_fields, COUNTOF(publish_fields), &fv, msg,
		sizeof(msg)) != ERR_OK ||
	    !web_policy_effective(fv.values[PP_EFFECTIVE].text, time_now(), &effective, msg,
		sizeof(msg))) {
		view.status = 400;
		view.error = arena_strdup(req->arena, msg);
		view.fv = fv.n ? &fv : NULL;
		policy_admin_page(app, req, res, s, &site, &view);
		return;
	}
	if ((body = arena_strdup_lf(req->arena, fv.values[PP_BODY].text)) == NULL) {
		policy_fail(res, ERR_NOMEM);
		return;
	}
	e = web_policy_publish(s, req->arena, &site, fv.values[PP_TITLE].text, body,
	    fv.values[PP_SUMMARY].text, effective, u->id, NULL);
	if (e == ERR_INVAL) {
		view.status = 400;
		view.error = "The text or the summary is not valid (UTF-8 text, the summary on one "
			     "line).";
		view.fv = &fv;
		policy_admin_page(app, req, res, s, &site, &view);
		return;
	}
	if (e != ERR_OK) {
		policy_fail(res, e);
		return;
	}
	http_redirect(res, 303, "/admin/policy?notice=published");
}

enum err
web_routes_policy(struct web_app *app)
{
	static const struct web_route routes[] = {
		{"GET", "/privacy/history", policy_history, 0, HTTP_ROUTE_CACHEABLE},
		{"GET", "/privacy/history/:n", policy_version_page, 0, HTTP_ROUTE_CACHEABLE},
		{"POST", "/privacy/acknowledge", policy_ack_post, LIMIT_ACCOUNT_FORM_BODY, 0},
		{"GET", "/admin/policy", policy_admin_get, 0, 0},
		{"POST", "/admin/policy", policy_admin_post, 3 * LIMIT_BODY_MARKDOWN + 8192, 0},
	};

	return web_routes_add(app, routes, COUNTOF(routes));
}
