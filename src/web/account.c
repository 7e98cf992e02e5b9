/*
 * account: a member's own pages (PRODUCT.md B1, B2, P12, P15, P18): /account (username,
 * email, last sign-in, email preferences, change email, change password),
 * /account/export (everything held, as a JSON download), /account/delete (erasure after
 * re-entering the password), /account/access-log (every audit entry about them), the
 * anonymous /preferences (the look, in the one preferences cookie). The admin area,
 * /admin, is web/admin.c.
 *
 * Invariants:
 *   - Every page here but /preferences is behind web_require_user, which sends
 *     Cache-Control: no-store; /preferences sends it too. No route is cacheable.
 *   - Every POST checks its form's CSRF token first, then reads its fields only through
 *     a declared table (form_read). A refused field is answered with the page again
 *     (400), the error next to the field, the input kept except passwords.
 *   - A password typed here is checked with login_attempt under the username, so the
 *     sign-in throttle counts every wrong guess, and every copy of it in the request
 *     is wiped (sodium_memzero) before the handler returns.
 *   - The email is opened only through privacy/ (people_email): as the person (purpose
 *     self) to show it, as the system (purpose delivery) to send it a notice; the
 *     buffers are wiped, and so is the export once copied into the response. A read is
 *     never rolled back: it happens before the transaction that needs it, or the
 *     transaction it happened in is committed whatever follows.
 *   - No argon2id work runs inside a transaction (on SQLite it would hold the write
 *     lock): a new password is hashed first and stored with password_set_hash.
 *   - The access log names a reader by role and organisation, never by name.
 */
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "accounts/accounts.h"
#include "mail/mail.h"
#include "privacy/privacy.h"
#include "sites/sites.h"
#include "web/web_int.h"

/* Bytes of a form body here: two passwords of LIMIT_PASSWORD_MAX_CHARS four-byte
 * characters, percent-encoded (3 * 512 each), the csrf token and the names fit. */
#define ACCOUNT_BODY_LIMIT LIMIT_ACCOUNT_FORM_BODY
/* Rows of the access log per page. */
#define ACCOUNT_ACCESS_PER_PAGE LIMIT_ACCESS_LOG_PER_PAGE
/* The preferences cookie lives a year (the inventory says so). */
#define ACCOUNT_PREFS_MAX_AGE LIMIT_PREFS_COOKIE_AGE_S

/* Form names bound into the CSRF tokens. */
#define CSRF_PREFS "account-prefs"
#define CSRF_EMAIL "account-email"
#define CSRF_PASSWORD "account-password"
#define CSRF_DELETE "account-delete"
#define CSRF_VERIFY_RESEND "verify-resend"
#define CSRF_LOOK "preferences"

/* The fields that carry a password; wiped in every request that reaches a handler. */
static const char *const account_secret_fields[] = {"password", "current", "new", NULL};

static const struct form_field prefs_fields[] = {
	{"announcements", "Announcements", FORM_CHECKBOX, 0, false, 0, 0},
};
enum { PF_ANNOUNCEMENTS };

static const struct form_field email_fields[] = {
	{"email", "New email address", FORM_EMAIL, LIMIT_FORM_EMAIL_BYTES, true, 0, 0},
	{"password", "Your current password", FORM_PASSWORD, LIMIT_PASSWORD_MAX_CHARS, true, 0,
	    0},
};
enum { EF_EMAIL, EF_PASSWORD };

static const struct form_field password_fields[] = {
	{"current", "Your current password", FORM_PASSWORD, LIMIT_PASSWORD_MAX_CHARS, true, 0,
	    0},
	{"new", "The new password", FORM_PASSWORD, LIMIT_PASSWORD_MAX_CHARS, true, 0, 0},
};
enum { WF_CURRENT, WF_NEW };

static const struct form_field delete_fields[] = {
	{"password", "Your password", FORM_PASSWORD, LIMIT_PASSWORD_MAX_CHARS, true, 0, 0},
};

static const struct form_field look_fields[] = {
	{"theme", "Theme", FORM_TEXT, 8, true, 0, 0},
};

/* The notices a redirect back to /account may ask for (?notice=NAME): fixed sentences,
 * so nothing from the address is ever shown. */
static const struct {
	const char *name;
	const char *text;
} account_notices[] = {
	{"prefs", "Your email preferences are saved."},
	{"email", "If no other account uses that address, a link to confirm it is on its way "
		  "to it; it works for one hour. Until you follow it, your email stays as it "
		  "is. We told your current address about the request too."},
	{"password", "Your password is changed. You stay signed in on this browser; every "
		     "other sign-in has ended. We sent a notice to your email address."},
};

/* What /account shows besides its data: a notice, or a refused form with its error next
 * to the field and the input kept. */
struct account_view {
	int status;          /* 0 for 200 */
	const char *notice;
	const char *form;    /* "prefs", "email", "password" */
	const char *field;   /* the field the error belongs to */
	const char *error;
	const char *email;   /* the change-email form's new address, as typed */
};

/* ------------------------------------------------------------ helpers ---- */

static void
account_fail(struct http_response *res, enum err e)
{
	res->status = e == ERR_UNAVAIL ? 503 : 500;
	buf_reset(&res->body);
}

/* Wipes every password the request carried: they live in the decoded form, in the
 * request's arena, which is freed but not cleared. */
static void
account_wipe_secrets(struct http_request *req)
{
	size_t i, k;

	for (i = 0; i < req->form.n; i++)
		for (k = 0; account_secret_fields[k]; k++)
			if (strcmp(req->form.fields[i].name, account_secret_fields[k]) == 0 &&
			    req->form.fields[i].value_len > 0)
				sodium_memzero((char *)req->form.fields[i].value,
				    req->form.fields[i].value_len);
}

/* "2024-05-01 14:03 UTC" */
static void
account_time(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		str_copy(out, "?", 32);
}

/* The store, the site and the signed-in person, or false when res is already answered
 * (503, 404, or the 303 to /login). */
static bool
account_enter(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store **s, struct site *site, const struct web_user **u)
{
	if ((*s = web_store(app, res)) == NULL || !web_site(app, req, res, *s, site))
		return false;
	return (*u = web_require_user(app, req, res, *s)) != NULL;
}

/* The same for a form post: the CSRF token of form is checked right after the site. */
static bool
account_enter_post(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store **s, struct site *site, const struct web_user **u, const char *form)
{
	if ((*s = web_store(app, res)) == NULL || !web_site(app, req, res, *s, site))
		return false;
	res->cache_control = "no-store";
	if (!web_csrf_ok(app, req, res, form))
		return false;
	return (*u = web_require_user(app, req, res, *s)) != NULL;
}

/*
 * Checks that pw is u's password through login_attempt under u's username, so a wrong
 * guess counts towards the sign-in throttle as at /login. *error gets a sentence and
 * *status the answer when it is not the password (400) or the throttle holds (429).
 */
static enum err
account_check_password(struct web_app *app, struct http_request *req, struct store *s,
    const struct web_user *u, const struct form_value *pw, int *status, const char **error)
{
	enum login_outcome outcome = LOGIN_WRONG;
	int64_t person = 0, retry_at = 0;
	char when[32];
	enum err e;

	*status = 0;
	*error = NULL;
	if ((e = login_attempt(app->privacy, s, u->username, pw->text, pw->len, time_now(),
		 &outcome, &person, &retry_at)) != ERR_OK)
		return e;
	if (outcome == LOGIN_THROTTLED) {
		account_time(retry_at, when);
		*status = 429;
		*error = arena_printf(req->arena, "Too many wrong passwords for this account; "
		    "try again after %s.", when);
	} else if (outcome != LOGIN_OK || person != u->id) {
		*status = 400;
		*error = "That is not your current password.";
	}
	return ERR_OK;
}

/* web_context, with a 500 when it fails without saying why (out of memory). */
static struct tmpl_val *
account_context(struct web_app *app, struct http_request *req, struct http_response *res,
    const struct site *site, struct store *s)
{
	struct tmpl_val *ctx = web_context(app, req, res, site, s);

	if (ctx == NULL && res->status < 500)
		account_fail(res, ERR_NOMEM);
	return ctx;
}

/* Sets the hidden CSRF token of form as key on o; false (500) when it cannot be made. */
static bool
account_csrf(struct web_app *app, struct http_request *req, struct http_response *res,
    struct tmpl_val *o, const char *key, const char *form)
{
	const char *t = web_csrf_token(app, req, form);

	if (t == NULL) {
		account_fail(res, ERR_NOMEM);
		return false;
	}
	tmpl_set_str(o, key, t);
	return true;
}

/* --------------------------------------------------------- /account ---- */

/* Renders /account for u with v's notice or error. */
static void
account_page(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, const struct web_user *u,
    const struct account_view *v)
{
	struct gate_actor self = {u->id, false};
	struct tmpl_val *ctx, *o;
	struct account_prefs prefs;
	struct buf email;
	int64_t last = 0;
	char iso[21], human[32];
	bool is_email, is_password, is_prefs;
	enum err e;

	buf_init(&email);
	if ((e = people_email(app->privacy, s, &self, PURPOSE_SELF, u->id, &email)) != ERR_OK ||
	    (e = account_last_login(s, u->id, &last)) != ERR_OK ||
	    (e = account_prefs_get(s, u->id, &prefs)) != ERR_OK) {
		account_fail(res, e);
		goto out;
	}
	if ((ctx = account_context(app, req, res, site, s)) == NULL)
		goto out;
	tmpl_set_str(ctx, "page_title", "Your account");
	tmpl_set_str(ctx, "username", u->username);
	tmpl_set_str(ctx, "email", email.data ? email.data : "");
	tmpl_set_bool(ctx, "verified", u->email_verified);
	if (!u->email_verified && !account_csrf(app, req, res, ctx, "csrf_verify",
				       CSRF_VERIFY_RESEND))
		goto out;
	if (last > 0) {
		o = tmpl_set_obj(ctx, "last_login");
		time_rfc3339(last, iso);
		account_time(last, human);
		tmpl_set_str(o, "iso", iso);
		tmpl_set_str(o, "human", human);
	}
	if (v->notice)
		tmpl_set_str(ctx, "notice", v->notice);
	is_prefs = v->form && strcmp(v->form, "prefs") == 0;
	is_email = v->form && strcmp(v->form, "email") == 0;
	is_password = v->form && strcmp(v->form, "password") == 0;

	o = tmpl_set_obj(ctx, "prefs_form");
	if (!account_csrf(app, req, res, o, "csrf", CSRF_PREFS))
		goto out;
	tmpl_set_bool(o, "announcements", prefs.announcements);
	if (is_prefs)
		tmpl_set_str(o, "error", v->error);

	o = tmpl_set_obj(ctx, "email_form");
	if (!account_csrf(app, req, res, o, "csrf", CSRF_EMAIL))
		goto out;
	if (is_email) {
		tmpl_set_str(o, "email", v->email);
		tmpl_set_str(o, strcmp(v->field, "email") == 0 ? "email_error" : "password_error",
		    v->error);
	}

	o = tmpl_set_obj(ctx, "password_form");
	if (!account_csrf(app, req, res, o, "csrf", CSRF_PASSWORD))
		goto out;
	if (is_password)
		tmpl_set_str(o, strcmp(v->field, "current") == 0 ? "current_error" : "new_error",
		    v->error);

	if (v->status)
		res->status = v->status;
	web_render(app, res, "account", ctx);
out:
	if (email.data)
		sodium_memzero(email.data, email.len);
	buf_free(&email);
}

static void
account_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct account_view v;
	const struct web_user *u;
	const char *n = http_query(req, "notice");
	struct store *s;
	struct site site;
	size_t i;

	if (!account_enter(app, req, res, &s, &site, &u))
		return;
	memset(&v, 0, sizeof(v));
	for (i = 0; n && i < COUNTOF(account_notices); i++)
		if (strcmp(n, account_notices[i].name) == 0)
			v.notice = account_notices[i].text;
	account_page(app, req, res, s, &site, u, &v);
}

static void
account_prefs_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct account_view v;
	const struct web_user *u;
	struct account_prefs prefs;
	struct form_values fv;
	struct store *s;
	struct site site;
	char msg[256];
	size_t bad = 0;
	enum err e;

	if (!account_enter_post(app, req, res, &s, &site, &u, CSRF_PREFS))
		return;
	if (form_read_each(&req->form, prefs_fields, COUNTOF(prefs_fields), &fv, &bad, msg,
		sizeof(msg)) != ERR_OK) {
		memset(&v, 0, sizeof(v));
		v.status = 400;
		v.form = "prefs";
		v.field = prefs_fields[bad].name;
		v.error = arena_strdup(req->arena, msg);
		account_page(app, req, res, s, &site, u, &v);
		return;
	}
	memset(&prefs, 0, sizeof(prefs));
	prefs.announcements = fv.values[PF_ANNOUNCEMENTS].present;
	if ((e = account_prefs_set(s, u->id, &prefs)) != ERR_OK ||
	    (!prefs.announcements && (e = mail_campaign_forget(s, u->id)) != ERR_OK)) {
		account_fail(res, e); /* turned off: what was not queued yet is not sent */
		return;
	}
	http_redirect(res, 303, "/account?notice=prefs");
}

/*
 * Change of email: the current password (throttled), then in one transaction a
 * TOKEN_CHANGE_EMAIL token holding the new address, the link to the new address and a
 * notice to the current one. The answer does not tell whether another account holds
 * the new address (no enumeration): nothing is sent then, and the notice says so.
 */
static void
account_email_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct gate_actor system = {0, true};
	struct account_view v;
	const struct web_user *u;
	struct form_values fv;
	struct store *s;
	struct site site;
	struct buf old;
	char msg[256] = "", token[ACCOUNT_TOKEN_LEN + 1] = "", to[LIMIT_FORM_EMAIL_BYTES + 1];
	const char *typed;
	size_t bad = 0;
	int status = 0;
	struct person holder;
	bool taken = false;
	enum err e, committed;

	buf_init(&old);
	if (!account_enter_post(app, req, res, &s, &site, &u, CSRF_EMAIL))
		goto out;
	memset(&v, 0, sizeof(v));
	v.form = "email";
	typed = http_form_get(&req->form, "email");
	if (typed && strlen(typed) <= LIMIT_FORM_EMAIL_BYTES)
		v.email = typed;
	if (form_read_each(&req->form, email_fields, COUNTOF(email_fields), &fv, &bad, msg,
		sizeof(msg)) != ERR_OK) {
		v.status = 400;
		v.field = email_fields[bad].name;
		v.error = arena_strdup(req->arena, msg);
		account_page(app, req, res, s, &site, u, &v);
		goto out;
	}
	if (!people_email_ok(fv.values[EF_EMAIL].text, to, sizeof(to))) {
		v.status = 400;
		v.field = "email";
		v.error = "The new email address does not look like an email address "
			  "(name@example.org).";
		account_page(app, req, res, s, &site, u, &v);
		goto out;
	}
	if ((e = account_check_password(app, req, s, u, &fv.values[EF_PASSWORD], &status,
		 &v.error)) != ERR_OK) {
		account_fail(res, e);
		goto out;
	}
	if (status) {
		v.status = status;
		v.field = "password";
		account_page(app, req, res, s, &site, u, &v);
		goto out;
	}
	if ((e = store_begin(s)) != ERR_OK) {
		account_fail(res, e);
		goto out;
	}
	e = account_token_issue(app->privacy, s, u->id, TOKEN_CHANGE_EMAIL, to, time_now(),
	    token, msg, sizeof(msg));
	if (e == ERR_INVAL || e == ERR_LIMIT) {
		store_rollback(s);
		v.status = e == ERR_LIMIT ? 429 : 400;
		v.field = "email";
		v.error = arena_strdup(req->arena, msg);
		account_page(app, req, res, s, &site, u, &v);
		goto out;
	}
	if (e != ERR_OK && e != ERR_CONFLICT)
		goto fail;
	/* A taken address (another account holds it) is answered like a free one: the
	 * same page, a notice to the current address, one message to the address asked
	 * for (a notice to its holder instead of a link), and the same count towards the
	 * limit; only its holder learns of the attempt. */
	taken = e == ERR_CONFLICT;
	if (taken && (e = people_find_by_email(app->privacy, s, req->arena, to, &holder)) !=
	    ERR_OK)
		goto fail;
	/*
	 * The current address, for the notice. From here on the transaction is committed
	 * whatever happens, so the read (or the gate's refusal) stays in the audit log;
	 * the notice is queued before the link, so a failure in between leaves at most a
	 * notice of a request, never a link the current address was not told about.
	 */
	if ((e = people_email(app->privacy, s, &system, PURPOSE_DELIVERY, u->id, &old)) ==
		ERR_OK &&
	    (e = web_mail_account(app, s, &site, u->id, old.data, WEB_MAIL_CHANGE_EMAIL_OLD,
		 NULL)) == ERR_OK)
		e = taken ? web_mail_account(app, s, &site, holder.id, to,
				WEB_MAIL_CHANGE_EMAIL_TAKEN, NULL)
			  : web_mail_account(app, s, &site, u->id, to, WEB_MAIL_CHANGE_EMAIL_NEW,
				token);
	committed = store_commit(s);
	if (e == ERR_OK)
		e = committed;
	if (e != ERR_OK) {
		account_fail(res, e);
		goto out;
	}
	http_redirect(res, 303, "/account?notice=email");
	goto out;
fail:
	store_rollback(s);
	account_fail(res, e);
out:
	sodium_memzero(token, sizeof(token));
	sodium_memzero(to, sizeof(to));
	if (old.data)
		sodium_memzero(old.data, old.len);
	buf_free(&old);
	account_wipe_secrets(req);
}

/*
 * Change of password: the new one must pass the rules before the current one is
 * checked (so a refused choice costs no attempt). Then, before any transaction, the new
 * hash is made (the write lock is not held for the argon2id work) and the address for
 * the notice opened (audited in the gate's own transaction, so no later failure can
 * roll the entry back; a refused read changes nothing). Then in one transaction the new
 * hash (password_set_hash ends every session and spends unused reset and change-email
 * links), a fresh session for this browser and the notice.
 */
static void
account_password_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct gate_actor system = {0, true};
	struct account_view v;
	const struct web_user *u;
	struct form_values fv;
	struct store *s;
	struct site site;
	struct buf to;
	char msg[256] = "", token[SESSION_TOKEN_LEN + 1] = "", hash[PASSWORD_HASH_BYTES] = "";
	size_t bad = 0;
	int status = 0;
	enum err e;

	buf_init(&to);
	if (!account_enter_post(app, req, res, &s, &site, &u, CSRF_PASSWORD))
		goto out;
	memset(&v, 0, sizeof(v));
	v.form = "password";
	if (form_read_each(&req->form, password_fields, COUNTOF(password_fields), &fv, &bad,
		msg, sizeof(msg)) != ERR_OK) {
		v.status = 400;
		v.field = password_fields[bad].name;
		v.error = arena_strdup(req->arena, msg);
		account_page(app, req, res, s, &site, u, &v);
		goto out;
	}
	if ((e = password_check(fv.values[WF_NEW].text, fv.values[WF_NEW].len, msg,
		 sizeof(msg))) != ERR_OK) {
		if (e == ERR_NOMEM) {
			account_fail(res, e);
			goto out;
		}
		v.status = 400;
		v.field = "new";
		v.error = arena_strdup(req->arena, msg);
		account_page(app, req, res, s, &site, u, &v);
		goto out;
	}
	if ((e = account_check_password(app, req, s, u, &fv.values[WF_CURRENT], &status,
		 &v.error)) != ERR_OK) {
		account_fail(res, e);
		goto out;
	}
	if (status) {
		v.status = status;
		v.field = "current";
		account_page(app, req, res, s, &site, u, &v);
		goto out;
	}
	if ((e = password_hash(fv.values[WF_NEW].text, fv.values[WF_NEW].len, hash)) !=
		ERR_OK ||
	    (e = people_email(app->privacy, s, &system, PURPOSE_DELIVERY, u->id, &to)) !=
		ERR_OK) {
		account_fail(res, e);
		goto out;
	}
	if ((e = store_begin(s)) != ERR_OK) {
		account_fail(res, e);
		goto out;
	}
	if ((e = password_set_hash(s, u->id, hash, msg, sizeof(msg))) != ERR_OK ||
	    (e = session_create(s, u->id, time_now(), token)) != ERR_OK ||
	    (e = web_mail_account(app, s, &site, u->id, to.data, WEB_MAIL_PASSWORD_CHANGED,
		 NULL)) != ERR_OK)
		goto fail;
	if ((e = store_commit(s)) != ERR_OK) {
		account_fail(res, e);
		goto out;
	}
	web_session_cookie_set(req, res, token);
	http_redirect(res, 303, "/account?notice=password");
	goto out;
fail:
	store_rollback(s);
	account_fail(res, e);
out:
	sodium_memzero(token, sizeof(token));
	sodium_memzero(hash, sizeof(hash));
	if (to.data)
		sodium_memzero(to.data, to.len);
	buf_free(&to);
	account_wipe_secrets(req);
}

/* ---------------------------------------------------- /account/export ---- */

static void
account_export(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct store *s;
	struct site site;
	struct buf json;
	enum err e;

	if (!account_enter(app, req, res, &s, &site, &u))
		return;
	buf_init(&json);
	if ((e = rights_export(app->privacy, s, u->id, web_export_sections,
		 web_export_sections_count, &json)) != ERR_OK) {
		account_fail(res, e);
		goto out;
	}
	buf_append(&res->body, json.data, json.len);
	if (res->body.failed) {
		account_fail(res, ERR_NOMEM);
		goto out;
	}
	res->content_type = "application/json; charset=utf-8";
	res->wipe_body = true; /* the copy MHD sends holds the email too */
	/* usernames are a-z 0-9 '_' '-': nothing to quote */
	http_add_header(res, "Content-Disposition",
	    arena_printf(req->arena, "attachment; filename=\"candor-export-%s.json\"",
		u->username));
out:
	if (json.data)
		sodium_memzero(json.data, json.len);
	buf_free(&json);
}

/* ---------------------------------------------------- /account/delete ---- */

static void
account_delete_page(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, const struct web_user *u, int status,
    const char *error)
{
	struct tmpl_val *ctx;

	if ((ctx = account_context(app, req, res, site, s)) == NULL)
		return;
	tmpl_set_str(ctx, "page_title", "Delete your account");
	tmpl_set_str(ctx, "username", u->username);
	if (!account_csrf(app, req, res, ctx, "csrf", CSRF_DELETE))
		return;
	tmpl_set_str(ctx, "error", error);
	if (status)
		res->status = status;
	web_render(app, res, "account_delete", ctx);
}

static void
account_delete_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct store *s;
	struct site site;

	if (!account_enter(app, req, res, &s, &site, &u))
		return;
	account_delete_page(app, req, res, s, &site, u, 0, NULL);
}

static void
account_delete_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct form_values fv;
	struct tmpl_val *ctx;
	struct store *s;
	struct site site;
	const char *error = NULL;
	char msg[256];
	size_t bad = 0;
	int status = 0;
	enum err e;

	if (!account_enter_post(app, req, res, &s, &site, &u, CSRF_DELETE))
		goto out;
	if (form_read_each(&req->form, delete_fields, COUNTOF(delete_fields), &fv, &bad, msg,
		sizeof(msg)) != ERR_OK) {
		account_delete_page(app, req, res, s, &site, u, 400,
		    arena_strdup(req->arena, msg));
		goto out;
	}
	if ((e = account_check_password(app, req, s, u, &fv.values[0], &status, &error)) !=
	    ERR_OK) {
		account_fail(res, e);
		goto out;
	}
	if (status) {
		account_delete_page(app, req, res, s, &site, u, status, error);
		goto out;
	}
	if ((e = rights_erase(app->privacy, s, u->id)) != ERR_OK) {
		account_fail(res, e);
		goto out;
	}
	web_session_cookie_clear(req, res);
	/* nobody is signed in any more: the layout must not show the erased name */
	req->app_user = NULL;
	req->app_user_known = true;
	if ((ctx = account_context(app, req, res, &site, s)) == NULL)
		goto out;
	tmpl_set_str(ctx, "page_title", "Your account is erased");
	tmpl_set_str(ctx, "username", u->username);
	web_render(app, res, "account_erased", ctx);
out:
	account_wipe_secrets(req);
}

/* ------------------------------------------------ /account/access-log ---- */

/* Who read: "you", "candor itself", or a role with its organisation; never a name. */
static const char *
account_reader(struct arena *a, const struct audit_entry *ae, const char *self)
{
	if (ae->actor && strcmp(ae->actor, self) == 0)
		return "You";
	if (ae->actor && strcmp(ae->actor, "system") == 0)
		return "candor itself (the system)";
	if (ae->actor && strcmp(ae->actor, "cli") == 0)
		return "The operator, on the server's command line";
	if (ae->actor_org && ae->actor_org[0])
		return arena_printf(a, "%s of %s", ae->actor_role ? ae->actor_role : "someone",
		    ae->actor_org);
	return arena_printf(a, "%s", ae->actor_role && ae->actor_role[0] &&
				     strcmp(ae->actor_role, "-") != 0 ? ae->actor_role
								     : "an unknown reader");
}

static void
account_access_log(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct tmpl_val *ctx, *list, *row, *pg;
	struct audit_entry *log;
	struct store *s;
	struct site site;
	const char *pq = http_query(req, "page"), *self;
	long long page = 1;
	size_t n = 0, pages, first, k;
	char iso[21], human[32];
	enum err e;

	if (!account_enter(app, req, res, &s, &site, &u))
		return;
	if (pq && strnum(pq, 1, LIMIT_PAGE_NUMBER, &page) != ERR_OK) {
		res->status = 400;
		web_error_page(app, req, res, "Bad request", "The page number is not valid.");
		return;
	}
	if ((e = rights_accesses(app->privacy, s, req->arena, u->id, &log, &n)) != ERR_OK) {
		account_fail(res, e);
		return;
	}
	pages = n ? (n + ACCOUNT_ACCESS_PER_PAGE - 1) / ACCOUNT_ACCESS_PER_PAGE : 1;
	if ((size_t)page > pages) {
		res->status = 404;
		web_error_page(app, req, res, "Not found", "There is no such page of the log.");
		return;
	}
	if ((ctx = account_context(app, req, res, &site, s)) == NULL)
		return;
	self = arena_printf(req->arena, "user:%lld", (long long)u->id);
	tmpl_set_str(ctx, "page_title", "Who read your data");
	tmpl_set_bool(ctx, "has_entries", n > 0);
	tmpl_set_int(ctx, "total", (int64_t)n);
	list = tmpl_set_list(ctx, "entries");
	/* newest first: the log comes oldest first */
	first = ((size_t)page - 1) * ACCOUNT_ACCESS_PER_PAGE;
	for (k = first; k < n && k < first + ACCOUNT_ACCESS_PER_PAGE && list; k++) {
		const struct audit_entry *ae = &log[n - 1 - k];
		row = tmpl_list_add(list);
		time_rfc3339(ae->at, iso);
		account_time(ae->at, human);
		tmpl_set_str(row, "iso", iso);
		tmpl_set_str(row, "when", human);
		tmpl_set_str(row, "who", account_reader(req->arena, ae, self));
		tmpl_set_str(row, "what", ae->field_class && strcmp(ae->field_class, "-") != 0
					      ? ae->field_class
					      : "your account as a whole");
		tmpl_set_str(row, "purpose", ae->purpose);
		tmpl_set_str(row, "decision", ae->decision);
		tmpl_set_str(row, "country",
		    ae->actor_country && ae->actor_country[0] ? ae->actor_country : "-");
	}
	if (pages > 1) {
		pg = tmpl_set_obj(ctx, "pagination");
		tmpl_set_int(pg, "page", page);
		tmpl_set_int(pg, "pages", (int64_t)pages);
		if (page > 1)
			tmpl_set_str(pg, "newer_href",
			    arena_printf(req->arena, "/account/access-log?page=%lld", page - 1));
		if ((size_t)page < pages)
			tmpl_set_str(pg, "older_href",
			    arena_printf(req->arena, "/account/access-log?page=%lld", page + 1));
	}
	web_render(app, res, "account_access", ctx);
}

/* ------------------------------------------------------- /preferences ---- */

enum look { LOOK_AUTO, LOOK_LIGHT, LOOK_DARK, LOOK__MAX };
static const char *const look_names[LOOK__MAX] = {"auto", "light", "dark"};

/* The look the preferences cookie asks for ("theme=light" or "theme=dark"). */
static enum look
look_from_cookie(const struct http_request *req)
{
	const char *c = http_cookie(req, WEB_COOKIE_PREFS);

	if (c && strcmp(c, "theme=light") == 0)
		return LOOK_LIGHT;
	if (c && strcmp(c, "theme=dark") == 0)
		return LOOK_DARK;
	return LOOK_AUTO;
}

static void
look_page(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, enum look look, bool saved, int status,
    const char *error)
{
	struct tmpl_val *ctx;

	if ((ctx = account_context(app, req, res, site, s)) == NULL)
		return;
	tmpl_set_str(ctx, "page_title", "Preferences");
	if (!account_csrf(app, req, res, ctx, "csrf", CSRF_LOOK))
		return;
	tmpl_set_bool(ctx, "theme_auto", look == LOOK_AUTO);
	tmpl_set_bool(ctx, "theme_light", look == LOOK_LIGHT);
	tmpl_set_bool(ctx, "theme_dark", look == LOOK_DARK);
	tmpl_set_bool(ctx, "saved", saved);
	tmpl_set_str(ctx, "error", error);
	tmpl_set_str(ctx, "cookie", WEB_COOKIE_PREFS);
	if (status)
		res->status = status;
	web_render(app, res, "preferences", ctx);
}

static void
look_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const char *saved = http_query(req, "saved");
	struct store *s;
	struct site site;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	res->cache_control = "no-store";
	look_page(app, req, res, s, &site, look_from_cookie(req),
	    saved && strcmp(saved, "1") == 0, 0, NULL);
}

static void
look_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct form_values fv;
	struct store *s;
	struct site site;
	char msg[256];
	enum look look;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	res->cache_control = "no-store";
	if (!web_csrf_ok(app, req, res, CSRF_LOOK))
		return;
	if (form_read(&req->form, look_fields, COUNTOF(look_fields), &fv, msg, sizeof(msg)) !=
	    ERR_OK) {
		look_page(app, req, res, s, &site, look_from_cookie(req), false, 400,
		    arena_strdup(req->arena, msg));
		return;
	}
	for (look = LOOK_AUTO; look < LOOK__MAX; look++)
		if (strcmp(fv.values[0].text, look_names[look]) == 0)
			break;
	if (look == LOOK__MAX) {
		look_page(app, req, res, s, &site, look_from_cookie(req), false, 400,
		    "Theme must be automatic, light or dark.");
		return;
	}
	if (look == LOOK_AUTO)
		http_add_header(res, "Set-Cookie",
		    arena_printf(req->arena, "%s=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly%s",
			WEB_COOKIE_PREFS, req->tls ? "; Secure" : ""));
	else
		http_add_header(res, "Set-Cookie",
		    arena_printf(req->arena,
			"%s=theme=%s; Path=/; Max-Age=%d; SameSite=Lax; HttpOnly%s",
			WEB_COOKIE_PREFS, look_names[look], ACCOUNT_PREFS_MAX_AGE,
			req->tls ? "; Secure" : ""));
	http_redirect(res, 303, "/preferences?saved=1");
}

enum err
web_routes_account(struct web_app *app)
{
	static const struct web_route routes[] = {
		{"GET", "/account", account_get, 0, 0},
		{"POST", "/account/preferences", account_prefs_post, ACCOUNT_BODY_LIMIT, 0},
		{"POST", "/account/email", account_email_post, ACCOUNT_BODY_LIMIT, 0},
		{"POST", "/account/password", account_password_post, ACCOUNT_BODY_LIMIT, 0},
		{"GET", "/account/export", account_export, 0, 0},
		{"GET", "/account/delete", account_delete_get, 0, 0},
		{"POST", "/account/delete", account_delete_post, ACCOUNT_BODY_LIMIT, 0},
		{"GET", "/account/access-log", account_access_log, 0, 0},
		{"GET", "/preferences", look_get, 0, 0},
		{"POST", "/preferences", look_post, ACCOUNT_BODY_LIMIT, 0},
	};

	return web_routes_add(app, routes, COUNTOF(routes));
}
