/*
 * announce (web): announcements to members (P15) and the one-click unsubscribe
 * (RFC 8058).
 *
 * /admin/announce is for the owner and for staff with an `announcements` grant
 * (gate_granted). One form, three buttons: preview (the HTML as members will see it,
 * from markdown in safe mode: no raw HTML, no script), test (the same message, with its
 * List-Unsubscribe headers, to the writer's own address, opened through the gate as
 * their own data) and send: a mail campaign (mail.h) to every account holder with a
 * verified email whose preference allows announcements, frozen when sent, queued by the
 * mail worker at most [mail] announce_per_minute a minute, never twice to one person.
 * The campaign's ref is a hash of subject and text, so sending the same announcement
 * twice (a double click, a resent form) is refused. Links are left as written: no
 * tracking pixel, no rewritten link, nothing to count opens or clicks.
 *
 * /unsubscribe/TOKEN: GET shows a button; a POST (the button, or the mail client's
 * one-click POST with List-Unsubscribe=One-Click) turns announcements off and drops the
 * person's waiting campaign rows. No sign-in, no cookie, no CSRF field: the token (a
 * MAC of the person's id, mail_unsub_token) is the authority, and it only ever turns
 * announcements off. A GET never changes anything (link scanners follow links).
 */
#include <sodium.h>
#include <string.h>

#include "accounts/accounts.h"
#include "mail/mail.h"
#include "web/web_int.h"

#define CSRF_ANNOUNCE "announce"

enum { AN_SUBJECT, AN_BODY, AN_ACTION };
static const struct form_field announce_fields[] = {
	[AN_SUBJECT] = {"subject", "Subject", FORM_TEXT, 100, true, 0, 0},
	[AN_BODY] = {"body", "Text", FORM_MULTILINE, LIMIT_MAIL_BODY_MAX / 2, true, 0, 0},
	[AN_ACTION] = {"action", "Action", FORM_TEXT, 10, true, 0, 0},
};

struct announce_view {
	int status;
	const char *error;
	const char *notice;
	const char *subject, *body; /* typed, shown again */
	const char *preview_html;
};

static void
announce_fail(struct http_response *res, enum err e)
{
	res->status = e == ERR_UNAVAIL ? 503 : 500;
	buf_reset(&res->body);
}

static void
announce_page(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, const struct announce_view *v)
{
	struct tmpl_val *ctx, *list, *item;
	struct mail_campaign_info *c;
	char when[32];
	size_t n, i;
	enum err e;

	if ((e = mail_campaign_list(s, req->arena, &c, &n)) != ERR_OK) {
		announce_fail(res, e);
		return;
	}
	if ((ctx = web_context(app, req, res, site, s)) == NULL)
		return;
	res->status = v->status ? v->status : 200;
	res->cache_control = "no-store";
	tmpl_set_str(ctx, "page_title", "Announcements");
	tmpl_set_str(ctx, "csrf", web_csrf_token(app, req, CSRF_ANNOUNCE));
	tmpl_set_str(ctx, "error", v->error);
	tmpl_set_str(ctx, "notice", v->notice);
	tmpl_set_str(ctx, "subject", v->subject);
	tmpl_set_str(ctx, "body", v->body);
	if (v->preview_html)
		tmpl_set_html(tmpl_set_obj(ctx, "preview"), "html", v->preview_html);
	list = tmpl_set_list(ctx, "sent");
	for (i = 0; i < n && list; i++) {
		if (strncmp(c[i].ref, "announcement:", 13) != 0)
			continue;
		item = tmpl_list_add(list);
		tmpl_set_str(item, "subject", c[i].subject);
		time_human_date(c[i].created_at, when);
		tmpl_set_str(item, "date", when);
		tmpl_set_int(item, "total", c[i].total);
		tmpl_set_int(item, "queued", c[i].queued);
	}
	web_render(app, res, "announce", ctx);
}

/* The owner or staff with an announcements grant; otherwise res is answered. */
static bool
announce_allowed(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct web_user **u)
{
	bool ok = false;
	enum err e;

	if ((*u = web_require_user(app, req, res, s)) == NULL)
		return false;
	if ((e = gate_granted(s, (*u)->id, PURPOSE_ANNOUNCEMENTS, &ok)) != ERR_OK) {
		announce_fail(res, e);
		return false;
	}
	if (!ok) {
		res->status = 403;
		web_error_page(app, req, res, "Not allowed",
		    "Announcements are written by the owner and by staff with an announcements "
		    "grant.");
	}
	return ok;
}

static void
announce_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct announce_view v;
	const struct web_user *u;
	struct store *s;
	struct site site;
	const char *q = http_query(req, "notice");

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site) ||
	    !announce_allowed(app, req, res, s, &u))
		return;
	memset(&v, 0, sizeof(v));
	if (q && strcmp(q, "sent") == 0)
		v.notice = "Sent. Members are being mailed at the configured pace; the count "
			   "below grows as messages are queued.";
	announce_page(app, req, res, s, &site, &v);
}

/* "announcement:" and 32 hex digits of BLAKE2b over subject, NUL, text. */
static const char *
announce_ref(struct arena *a, const char *subject, const char *text)
{
	unsigned char h[16];
	char hex[33];
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)subject, strlen(subject) + 1);
	crypto_generichash_update(&st, (const unsigned char *)text, strlen(text));
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	return arena_printf(a, "announcement:%s", hex);
}

/* The recipients: every account holder with a verified email whose preference allows
 * announcements. */
static enum err
announce_audience(struct store *s, struct arena *a, int64_t **out, size_t *n)
{
	struct account_prefs prefs;
	struct person *people;
	size_t np, i;
	enum err e;

	*out = NULL;
	*n = 0;
	if ((e = people_list(s, a, &people, &np)) != ERR_OK)
		return e;
	if (np && (*out = arena_alloc(a, np * sizeof(**out))) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < np; i++) {
		if (!people[i].email_verified)
			continue;
		if ((e = account_prefs_get(s, people[i].id, &prefs)) != ERR_OK)
			return e;
		if (prefs.announcements)
			(*out)[(*n)++] = people[i].id;
	}
	return ERR_OK;
}

/* The test message to the writer: the same text, footer and headers a member gets. */
static enum err
announce_test(struct web_app *app, struct store *s, struct arena *a, const struct site *site,
    const struct web_user *u, const char *subject, const char *text, const char *html)
{
	struct gate_actor self = {u->id, false};
	struct mail_extra x;
	struct buf to;
	char token[MAIL_UNSUB_TOKEN_LEN + 1];
	const char *body, *h;
	enum err e;

	buf_init(&to);
	if ((e = mail_unsub_token(app->privacy, u->id, token)) != ERR_OK)
		return e;
	if ((e = people_email(app->privacy, s, &self, PURPOSE_SELF, u->id, &to)) != ERR_OK)
		goto out;
	body = arena_printf(a, "%s\n\n-- \nYou receive announcements because your account allows "
			       "them.\nTo stop them, open this link (one click, no sign-in):\n"
			       "%s/unsubscribe/%s\n",
	    text, site->origin, token);
	h = arena_printf(a, "%s\n<hr>\n<p>You receive announcements because your account allows "
			    "them. <a href=\"%s/unsubscribe/%s\">Unsubscribe</a> (one click, no "
			    "sign-in).</p>\n",
	    html, site->origin, token);
	x.html = h;
	x.unsubscribe = arena_printf(a, "<%s/unsubscribe/%s>, <mailto:%s?subject=unsubscribe%%20%s>",
	    site->origin, token, app->cfg.smtp_from, token);
	if (body == NULL || h == NULL || x.unsubscribe == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	e = mail_enqueue_extra(app->privacy, s, u->id, to.data,
	    arena_printf(a, "[test] %s", subject), body, &x, NULL);
out:
	if (to.data)
		sodium_memzero(to.data, to.len);
	buf_free(&to);
	return e;
}

static void
announce_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct announce_view v;
	struct mail_campaign c;
	const struct web_user *u;
	struct form_values fv;
	struct store *s;
	struct site site;
	const char *action, *text;
	char msg[256], *html = NULL;
	int64_t *ids;
	size_t n;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	res->cache_control = "no-store";
	if (!web_csrf_ok(app, req, res, CSRF_ANNOUNCE) || !announce_allowed(app, req, res, s, &u))
		return;
	memset(&v, 0, sizeof(v));
	if (form_read(&req->form, announce_fields, COUNTOF(announce_fields), &fv, msg,
		sizeof(msg)) != ERR_OK) {
		/* a CR or LF in the subject ends here: a header line cannot be injected */
		v.status = 400;
		v.error = arena_strdup(req->arena, msg);
		v.subject = http_form_get(&req->form, "subject");
		v.body = http_form_get(&req->form, "body");
		announce_page(app, req, res, s, &site, &v);
		return;
	}
	action = fv.values[AN_ACTION].text;
	v.subject = fv.values[AN_SUBJECT].text;
	if ((text = arena_strdup_lf(req->arena, fv.values[AN_BODY].text)) == NULL ||
	    (html = markdown_to_html(text, strlen(text))) == NULL) {
		announce_fail(res, ERR_NOMEM);
		return;
	}
	v.body = text;
	if (strcmp(action, "preview") == 0) {
		v.preview_html = arena_strdup(req->arena, html);
		v.notice = "This is a preview: nothing was sent.";
		announce_page(app, req, res, s, &site, &v);
		goto out;
	}
	if (strcmp(action, "test") == 0) {
		e = announce_test(app, s, req->arena, &site, u, v.subject, text, html);
		if (e == ERR_INVAL || e == ERR_TOOBIG) {
			v.status = 400;
			v.error = "This text cannot be sent by mail: a line is longer than 998 "
				  "bytes, or the text is too long.";
		} else if (e != ERR_OK) {
			announce_fail(res, e);
			goto out;
		} else
			v.notice = "A test was sent to your own address.";
		announce_page(app, req, res, s, &site, &v);
		goto out;
	}
	if (strcmp(action, "send") != 0) {
		v.status = 400;
		v.error = "Choose preview, test or send.";
		announce_page(app, req, res, s, &site, &v);
		goto out;
	}
	memset(&c, 0, sizeof(c));
	c.ref = announce_ref(req->arena, v.subject, text);
	c.subject = v.subject;
	c.text = text;
	c.html = html;
	c.unsub_base = arena_printf(req->arena, "%s/unsubscribe/", site.origin);
	c.unsub_inbox = app->cfg.smtp_from;
	c.created_by = u->id;
	if ((e = store_begin(s)) != ERR_OK) {
		announce_fail(res, e);
		goto out;
	}
	if ((e = announce_audience(s, req->arena, &ids, &n)) == ERR_OK)
		e = mail_campaign_create(s, &c, ids, n, NULL);
	if (e != ERR_OK) {
		store_rollback(s);
		if (e == ERR_CONFLICT || e == ERR_INVAL || e == ERR_TOOBIG) {
			v.status = e == ERR_CONFLICT ? 409 : 400;
			v.error = e == ERR_CONFLICT
			    ? "This announcement was sent already: nobody gets it twice."
			    : "This cannot be sent by mail: the subject is over 200 bytes, a line "
			      "of the text is over 998 bytes, or the text is too long.";
			announce_page(app, req, res, s, &site, &v);
		} else
			announce_fail(res, e);
		goto out;
	}
	if ((e = store_commit(s)) != ERR_OK) {
		announce_fail(res, e);
		goto out;
	}
	log_info("announce: \"%s\" to %zu members, by person %lld", c.ref, n, (long long)u->id);
	http_redirect(res, 303, "/admin/announce?notice=sent");
out:
	free(html);
}

/* ---------------------------------------------------------- unsubscribe ---- */

static void
unsub_page(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, bool done)
{
	struct tmpl_val *ctx, *m;

	if ((ctx = web_context(app, req, res, site, s)) == NULL)
		return;
	res->cache_control = "no-store";
	tmpl_set_str(ctx, "page_title", "Announcements");
	m = tmpl_set_obj(ctx, "message");
	if (done) {
		tmpl_set_str(m, "title", "Unsubscribed");
		tmpl_set_str(m, "text", "You will receive no more announcements from this site. "
					"Messages about your account (password resets, policy "
					"changes) still reach you.");
		tmpl_set_str(m, "more", "Changed your mind? Turn announcements back on from your "
					"account page.");
	} else {
		tmpl_set_str(m, "title", "Stop announcements?");
		tmpl_set_str(m, "text", "One click and this site sends you no more announcements. "
					"You do not need to sign in.");
		tmpl_set_str(m, "form_action", req->path);
		tmpl_set_str(m, "csrf", "-"); /* the token in the address is the authority */
		tmpl_set_str(m, "button", "Unsubscribe");
	}
	web_render(app, res, "message", ctx);
}

static bool
unsub_person(struct web_app *app, struct http_request *req, struct http_response *res,
    int64_t *person)
{
	if (mail_unsub_check(app->privacy, http_param(req, "token"), person) == ERR_OK)
		return true;
	res->status = 404;
	web_error_page(app, req, res, "Not found",
	    "This unsubscribe link is not valid. Copy the whole link from the message, or "
	    "turn announcements off on your account page.");
	return false;
}

static void
unsub_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct store *s;
	struct site site;
	int64_t person;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	res->cache_control = "no-store";
	if (!unsub_person(app, req, res, &person))
		return;
	unsub_page(app, req, res, s, &site, false);
}

static void
unsub_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct account_prefs prefs;
	struct store *s;
	struct site site;
	int64_t person;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	res->cache_control = "no-store";
	if (!unsub_person(app, req, res, &person))
		return;
	memset(&prefs, 0, sizeof(prefs));
	prefs.announcements = false;
	if ((e = store_begin(s)) != ERR_OK)
		goto fail;
	if ((e = account_prefs_set(s, person, &prefs)) != ERR_OK ||
	    (e = mail_campaign_forget(s, person)) != ERR_OK) {
		store_rollback(s);
		/* an erased account: nothing left to unsubscribe */
		if (e == ERR_NOTFOUND || e == ERR_CONFLICT) {
			unsub_page(app, req, res, s, &site, true);
			return;
		}
		goto fail;
	}
	if ((e = store_commit(s)) != ERR_OK)
		goto fail;
	unsub_page(app, req, res, s, &site, true);
	return;
fail:
	announce_fail(res, e);
}

enum err
web_routes_announce(struct web_app *app)
{
	static const struct web_route routes[] = {
		{"GET", "/admin/announce", announce_get, 0, 0},
		{"POST", "/admin/announce", announce_post, 2 * LIMIT_MAIL_BODY_MAX + 4096, 0},
		{"GET", "/unsubscribe/:token", unsub_get, 0, 0},
		/* RFC 8058: the POST may come as multipart/form-data; its body says nothing
		 * the address does not */
		{"POST", "/unsubscribe/:token", unsub_post, 4096, HTTP_ROUTE_ANY_BODY},
	};

	return web_routes_add(app, routes, COUNTOF(routes));
}
