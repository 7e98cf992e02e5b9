/*
 * auth: signup, sign-in, sign-out, email verification and password reset (issue 5;
 * SECURITY.md "Accounts and sessions"; PRODUCT.md P6, P18, P19).
 *
 * Invariants:
 *   - every form carries the hidden csrf field for its own form name and is read only
 *     through a declared field table; a refusal answers the form again (400) with the
 *     sentence next to its field and the input kept, never the password;
 *   - signup, sign-in and reset answer the same whether or not an account exists: one
 *     page for a new and a taken email, one sentence for an unknown name and a wrong
 *     password, one page for a reset asked for anyone;
 *   - a sign-in always starts a new session with a new token (never one the browser
 *     sent), and only a POST changes who is signed in;
 *   - every page here is answered with Cache-Control: no-store and never cached (its
 *     routes have no HTTP_ROUTE_CACHEABLE); no anonymous GET sets a cookie;
 *   - plaintext passwords, link tokens and opened addresses are wiped after use;
 *   - no argon2id work runs inside a transaction (on SQLite that would hold the write
 *     lock for it): passwords are hashed first, then stored with password_set_hash;
 *   - a read through the gate is never rolled back: an address is opened before the
 *     transaction that needs it, or the transaction it was opened in is committed
 *     whatever follows (and the error answered after).
 */
#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "accounts/accounts.h"
#include "policy/policy.h"
#include "privacy/privacy.h"
#include "web/web_int.h"

/* Bodies of these forms: the longest is signup (a 128-character password, up to 512
 * bytes of UTF-8, is three times that once percent-encoded); the default is ample. */
#define AUTH_BODY_LIMIT LIMIT_FORM_BODY_DEFAULT
#define AUTH_NO_STORE "no-store"
#define AUTH_NEXT_DEFAULT "/account"

#define AUTH_LINK_BAD                                                                      \
	"This link has expired or has already been used. Links work once, for one hour."

/* The system itself, reading an address to send the mail the person asked for. */
static const struct gate_actor auth_system = {0, true};

/* 503 when the database is away, 500 otherwise (the server renders the page). */
static void
auth_fail(struct http_response *res, enum err e)
{
	res->status = e == ERR_UNAVAIL ? 503 : 500;
	buf_reset(&res->body);
}

/* The store and site of req, or false with res filled. */
static bool
auth_begin(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store **s, struct site *site)
{
	res->cache_control = AUTH_NO_STORE;
	if ((*s = web_store(app, res)) == NULL || !web_site(app, req, res, *s, site))
		return false;
	return true;
}

/* The base context with the page title, or NULL (res has its status). */
static struct tmpl_val *
auth_context(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, const char *title)
{
	struct tmpl_val *ctx = web_context(app, req, res, site, s);

	if (ctx != NULL)
		tmpl_set_str(ctx, "page_title", title);
	return ctx;
}

static void
auth_render(struct web_app *app, struct http_response *res, const char *name,
    struct tmpl_val *ctx)
{
	web_render(app, res, name, ctx);
	res->cache_control = AUTH_NO_STORE;
}

/* A short answer page: title, sentence, an optional second one and an optional link. */
static void
auth_message(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, int status, const char *title,
    const char *text, const char *more, const char *link_href, const char *link_text)
{
	struct tmpl_val *ctx, *m;

	if ((ctx = auth_context(app, req, res, s, site, title)) == NULL)
		return;
	m = tmpl_set_obj(ctx, "message");
	tmpl_set_str(m, "title", title);
	tmpl_set_str(m, "text", text);
	tmpl_set_str(m, "more", more);
	tmpl_set_str(m, "link_href", link_href);
	tmpl_set_str(m, "link_text", link_text);
	res->status = status;
	auth_render(app, res, "message", ctx);
}

/*
 * Reads each declared field on its own, so that every refusal is said next to its own
 * field: vals[i] is the accepted value, or, when refused, what was sent (for the form
 * again) with errs[i] the sentence. True when every field is accepted.
 */
static bool
auth_form(struct http_request *req, const struct form_field *fields, size_t n,
    struct form_value *vals, const char **errs)
{
	struct form_values one;
	const char *raw;
	char msg[256];
	bool ok = true;
	size_t i;

	for (i = 0; i < n; i++) {
		errs[i] = NULL;
		if (form_read(&req->form, &fields[i], 1, &one, msg, sizeof(msg)) == ERR_OK) {
			vals[i] = one.values[0];
			continue;
		}
		ok = false;
		errs[i] = arena_strdup(req->arena, msg);
		raw = http_form_get(&req->form, fields[i].name);
		memset(&vals[i], 0, sizeof(vals[i]));
		vals[i].text = raw ? raw : "";
		vals[i].len = strlen(vals[i].text);
	}
	return ok;
}

/* Sets "error_NAME" for each refused field of the form. */
static void
auth_form_errors(struct tmpl_val *ctx, struct http_request *req,
    const struct form_field *fields, size_t n, const char **errs)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (errs[i] != NULL)
			tmpl_set_str(ctx, arena_printf(req->arena, "error_%s", fields[i].name),
			    errs[i]);
}

/* Wipes a password the request carried (its decoded copy in the request's arena). */
static void
auth_wipe_field(struct http_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->form.n; i++)
		if (strcmp(req->form.fields[i].name, name) == 0 && req->form.fields[i].value)
			sodium_memzero((char *)req->form.fields[i].value,
			    req->form.fields[i].value_len);
}

/* ---------------------------------------------------------------- signup ---- */

enum { SU_USERNAME, SU_EMAIL, SU_PASSWORD, SU_ACCEPT, SU__MAX };

static const struct form_field signup_fields[SU__MAX] = {
	[SU_USERNAME] = {"username", "Username", FORM_USERNAME, LIMIT_USERNAME_MAX, true, 0, 0},
	[SU_EMAIL] = {"email", "Email address", FORM_EMAIL, LIMIT_FORM_EMAIL_BYTES, true, 0, 0},
	[SU_PASSWORD] = {"password", "Password", FORM_PASSWORD, LIMIT_PASSWORD_MAX_CHARS, true,
	    0, 0},
	[SU_ACCEPT] = {"accept_policy", "The box accepting the privacy policy", FORM_CHECKBOX,
	    0, true, 0, 0},
};

/* The signup form, empty (vals NULL) or again with what was typed and the errors. */
static void
signup_form(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, const struct form_value *vals,
    const char **errs, const char *form_error, int status)
{
	struct tmpl_val *ctx;

	if ((ctx = auth_context(app, req, res, s, site, "Sign up")) == NULL)
		return;
	tmpl_set_str(ctx, "csrf", web_csrf_token(app, req, "signup"));
	if (vals != NULL) {
		tmpl_set_str(ctx, "username", vals[SU_USERNAME].text);
		tmpl_set_str(ctx, "email", vals[SU_EMAIL].text);
		tmpl_set_bool(ctx, "accept_policy", vals[SU_ACCEPT].present);
	}
	if (errs != NULL)
		auth_form_errors(ctx, req, signup_fields, SU__MAX, errs);
	tmpl_set_str(ctx, "form_error", form_error);
	res->status = status;
	auth_render(app, res, "signup", ctx);
}

static void
auth_signup_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct store *s;
	struct site site;

	if (!auth_begin(app, req, res, &s, &site))
		return;
	signup_form(app, req, res, s, &site, NULL, NULL, NULL, 0);
}

/* The signup form again with a refusal of account_signup_*: msg next to its field. */
static void
signup_refused(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, const struct form_value *vals,
    const char **errs, enum err e, enum account_field field, char *msg, size_t msgsize)
{
	if (e == ERR_CONFLICT && field == AF_USERNAME && msg[0] == '\0')
		snprintf(msg, msgsize, "This username is taken; choose another.");
	switch (field) {
	case AF_USERNAME: errs[SU_USERNAME] = arena_strdup(req->arena, msg); break;
	case AF_EMAIL: errs[SU_EMAIL] = arena_strdup(req->arena, msg); break;
	case AF_PASSWORD: errs[SU_PASSWORD] = arena_strdup(req->arena, msg); break;
	case AF_NONE: break;
	}
	signup_form(app, req, res, s, site, vals, errs,
	    field == AF_NONE ? arena_strdup(req->arena, msg) : NULL, 400);
}

/*
 * The account, the policy acceptance and the mail in one transaction: a signup either
 * happened with all three or not at all. The password is hashed before that
 * transaction opens, so the SQLite write lock is not held for the argon2id work. The
 * answer is the same page for a new and a taken email (the holder of a taken one gets
 * a notice instead, at most LIMIT_ACCOUNT_TOKENS_PER_HOUR an hour: beyond, nothing is
 * sent and the page is the same), so the page never tells whether an address has an
 * account.
 */
static void
auth_signup_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct form_value vals[SU__MAX];
	const char *errs[SU__MAX] = {NULL};
	struct account_signup_result out;
	enum account_field field = AF_NONE;
	struct policy_version pv;
	struct store *s;
	struct site site;
	char msg[256], hash[PASSWORD_HASH_BYTES] = "";
	int64_t now = time_now();
	bool allowed = false;
	enum err e;

	memset(&out, 0, sizeof(out));
	if (!auth_begin(app, req, res, &s, &site) || !web_csrf_ok(app, req, res, "signup"))
		goto out;
	if (!auth_form(req, signup_fields, SU__MAX, vals, errs)) {
		signup_form(app, req, res, s, &site, vals, errs, NULL, 400);
		goto out;
	}
	msg[0] = '\0';
	e = account_signup_prepare(vals[SU_USERNAME].text, vals[SU_EMAIL].text,
	    vals[SU_PASSWORD].text, vals[SU_PASSWORD].len, hash, &field, msg, sizeof(msg));
	if (e == ERR_INVAL || e == ERR_TOOBIG) {
		signup_refused(app, req, res, s, &site, vals, errs, e, field, msg, sizeof(msg));
		goto out;
	}
	if (e != ERR_OK) {
		auth_fail(res, e);
		goto out;
	}
	if ((e = store_begin(s)) != ERR_OK) {
		auth_fail(res, e);
		goto out;
	}
	e = account_signup_hashed(app->privacy, s, vals[SU_USERNAME].text, vals[SU_EMAIL].text,
	    hash, now, &out, &field, msg, sizeof(msg));
	if (e == ERR_INVAL || e == ERR_CONFLICT || e == ERR_TOOBIG) {
		store_rollback(s);
		signup_refused(app, req, res, s, &site, vals, errs, e, field, msg, sizeof(msg));
		goto out;
	}
	if (e != ERR_OK)
		goto fail;
	if (!out.email_taken) {
		e = policy_current(s, req->arena, &pv);
		if (e == ERR_OK)
			e = policy_accept(s, out.person, pv.version, POLICY_ACCEPT_EXPLICIT, now);
		else if (e == ERR_NOTFOUND)
			e = ERR_OK; /* no policy published yet: nothing to record */
		if (e == ERR_OK)
			e = web_mail_account(app, s, &site, out.person, vals[SU_EMAIL].text,
			    WEB_MAIL_VERIFY, out.verify_token);
	} else {
		/* counted per address whether or not it is sent, so a form cannot be used to
		 * flood the holder's mailbox */
		e = account_request_note(app->privacy, s, REQUEST_SIGNUP_TAKEN,
		    vals[SU_EMAIL].text, now, &allowed);
		if (e == ERR_OK && allowed)
			e = web_mail_account(app, s, &site, out.existing, vals[SU_EMAIL].text,
			    WEB_MAIL_SIGNUP_EXISTS, NULL);
	}
	if (e != ERR_OK)
		goto fail;
	if ((e = store_commit(s)) != ERR_OK) {
		auth_fail(res, e);
		goto out;
	}
	auth_message(app, req, res, s, &site, 0, "Check your email",
	    "We have sent a message to the address you gave. Follow the link in it within "
	    "one hour to confirm your address.",
	    "If nothing arrives within a few minutes, look in your spam folder.", "/login",
	    "Sign in");
	goto out;
fail:
	store_rollback(s);
	auth_fail(res, e);
out:
	sodium_memzero(out.verify_token, sizeof(out.verify_token));
	sodium_memzero(hash, sizeof(hash));
	auth_wipe_field(req, "password");
}

/* ----------------------------------------------------------------- login ---- */

enum { LI_LOGIN, LI_PASSWORD, LI_NEXT, LI__MAX };

static const struct form_field login_fields[LI__MAX] = {
	[LI_LOGIN] = {"login", "Username or email address", FORM_TEXT, LIMIT_FORM_EMAIL_BYTES,
	    true, 0, 0},
	[LI_PASSWORD] = {"password", "Password", FORM_PASSWORD, LIMIT_PASSWORD_MAX_CHARS, true,
	    0, 0},
	[LI_NEXT] = {"next", "The page to go to next", FORM_TEXT, LIMIT_URL_BYTES, false, 0, 0},
};

static void
login_form(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, const char *login, const char *next,
    const char **errs, const char *form_error, int status)
{
	struct tmpl_val *ctx;

	if ((ctx = auth_context(app, req, res, s, site, "Sign in")) == NULL)
		return;
	tmpl_set_str(ctx, "csrf", web_csrf_token(app, req, "login"));
	tmpl_set_str(ctx, "login", login);
	tmpl_set_str(ctx, "next", web_safe_next(next, NULL));
	if (errs != NULL)
		auth_form_errors(ctx, req, login_fields, LI__MAX, errs);
	tmpl_set_str(ctx, "form_error", form_error);
	res->status = status;
	auth_render(app, res, "login", ctx);
}

static void
auth_login_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct tmpl_val *ctx;
	struct store *s;
	struct site site;

	if (!auth_begin(app, req, res, &s, &site))
		return;
	if ((u = web_user(app, req, s)) == NULL) {
		login_form(app, req, res, s, &site, NULL, http_query(req, "next"), NULL, NULL, 0);
		return;
	}
	if ((ctx = auth_context(app, req, res, s, &site, "Signed in")) == NULL)
		return;
	tmpl_set_str(ctx, "signed_in", u->username);
	tmpl_set_str(ctx, "logout_csrf", web_csrf_token(app, req, "logout"));
	auth_render(app, res, "login", ctx);
}

/* "HH:MM" in UTC of t. */
static void
auth_hhmm(int64_t t, char out[8])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		snprintf(out, 8, "--:--");
	else
		snprintf(out, 8, "%02d:%02d", tm.tm_hour % 24, tm.tm_min % 60);
}

/*
 * A right password starts a new session (a new token, whatever cookie came in: the old
 * session, if any, is ended) and records the sign-in, then sends the browser to
 * /login/done, which tells whether the cookie came back.
 */
static void
auth_login_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct form_value vals[LI__MAX];
	const char *errs[LI__MAX] = {NULL};
	const struct web_user *old;
	enum login_outcome outcome = LOGIN_WRONG;
	char token[SESSION_TOKEN_LEN + 1] = "", hhmm[8];
	int64_t person = 0, retry_at = 0, now = time_now();
	const char *next;
	struct store *s;
	struct site site;
	struct buf loc;
	enum err e;

	buf_init(&loc);
	if (!auth_begin(app, req, res, &s, &site) || !web_csrf_ok(app, req, res, "login"))
		goto out;
	if (!auth_form(req, login_fields, LI__MAX, vals, errs)) {
		login_form(app, req, res, s, &site, vals[LI_LOGIN].text, vals[LI_NEXT].text, errs,
		    NULL, 400);
		goto out;
	}
	next = web_safe_next(vals[LI_NEXT].present ? vals[LI_NEXT].text : NULL,
	    AUTH_NEXT_DEFAULT);
	if ((e = login_attempt(app->privacy, s, vals[LI_LOGIN].text, vals[LI_PASSWORD].text,
		 vals[LI_PASSWORD].len, now, &outcome, &person, &retry_at)) != ERR_OK) {
		auth_fail(res, e);
		goto out;
	}
	if (outcome == LOGIN_WRONG) {
		login_form(app, req, res, s, &site, vals[LI_LOGIN].text, next, NULL,
		    "The username, email address or password is not right.", 400);
		goto out;
	}
	if (outcome == LOGIN_THROTTLED) {
		auth_hhmm(retry_at, hhmm);
		login_form(app, req, res, s, &site, vals[LI_LOGIN].text, next, NULL,
		    arena_printf(req->arena, "Too many failed sign-ins for this account. Try "
			"again after %s UTC.", hhmm), 429);
		goto out;
	}
	old = web_user(app, req, s);
	if ((e = store_begin(s)) != ERR_OK) {
		auth_fail(res, e);
		goto out;
	}
	if ((old == NULL || (e = session_end(s, old->token)) == ERR_OK) &&
	    (e = session_create(s, person, now, token)) == ERR_OK &&
	    (e = account_record_login(app->privacy, s, person, http_client_ip(req), now)) ==
		ERR_OK)
		e = store_commit(s);
	else
		store_rollback(s);
	if (e != ERR_OK) {
		auth_fail(res, e);
		goto out;
	}
	web_session_cookie_set(req, res, token);
	buf_puts(&loc, "/login/done?next=");
	http_url_encode(&loc, next);
	if (loc.failed) {
		auth_fail(res, ERR_NOMEM);
		goto out;
	}
	http_redirect(res, 303, arena_strdup(req->arena, loc.data));
out:
	sodium_memzero(token, sizeof(token));
	buf_free(&loc);
	auth_wipe_field(req, "password");
}

/* After a sign-in: the cookie came back (go on) or it did not (say why, plainly). */
static void
auth_login_done(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const char *next = web_safe_next(http_query(req, "next"), AUTH_NEXT_DEFAULT);
	struct tmpl_val *ctx;
	struct store *s;
	struct site site;
	struct buf b;

	if (!auth_begin(app, req, res, &s, &site))
		return;
	if (web_user(app, req, s) != NULL) {
		http_redirect(res, 303, next);
		return;
	}
	if ((ctx = auth_context(app, req, res, s, &site, "Signing in needs a cookie")) == NULL)
		return;
	buf_init(&b);
	buf_puts(&b, "/login");
	if (strcmp(next, AUTH_NEXT_DEFAULT) != 0) {
		buf_puts(&b, "?next=");
		http_url_encode(&b, next);
	}
	tmpl_set_str(ctx, "login_href", b.failed ? "/login" : b.data);
	buf_free(&b);
	auth_render(app, res, "login_cookie", ctx);
}

/* ---------------------------------------------------------------- logout ---- */

static void
auth_logout(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct store *s;
	struct site site;
	enum err e;

	if (!auth_begin(app, req, res, &s, &site))
		return;
	/* Nobody signed in: nothing to end, nothing to forge. */
	if ((u = web_user(app, req, s)) == NULL) {
		if (http_cookie(req, req->tls ? WEB_COOKIE_SESSION_TLS : WEB_COOKIE_SESSION))
			web_session_cookie_clear(req, res);
		http_redirect(res, 303, "/");
		return;
	}
	if (!web_csrf_ok(app, req, res, "logout"))
		return;
	if ((e = session_end(s, u->token)) != ERR_OK) {
		auth_fail(res, e);
		return;
	}
	web_session_cookie_clear(req, res);
	http_redirect(res, 303, "/");
}

/* ---------------------------------------------------------------- verify ---- */

/*
 * A link from a mail only shows a button; the POST it makes uses the token. Mail
 * scanners that fetch every link in a message (GET) thus cannot use it up before the
 * person clicks, which would greet them with "link not valid".
 */
static void
auth_verify_show(struct http_request *req, struct http_response *res, struct web_app *app,
    enum account_token_kind kind)
{
	const char *token = http_param(req, "token");
	const char *form = kind == TOKEN_VERIFY_EMAIL ? "verify" : "verify-email";
	struct tmpl_val *ctx, *m;
	int64_t person = 0;
	struct store *s;
	struct site site;
	enum err e;

	if (!auth_begin(app, req, res, &s, &site))
		return;
	if ((e = account_token_peek(s, kind, token, time_now(), &person)) == ERR_NOTFOUND) {
		bool signed_in = web_user(app, req, s) != NULL;
		auth_message(app, req, res, s, &site, 400, "Link not valid", AUTH_LINK_BAD,
		    kind == TOKEN_VERIFY_EMAIL
			? "Sign in and ask for a new link on your account page."
			: "Sign in and change your email address again from your account page.",
		    signed_in ? "/account" : "/login", signed_in ? "Your account" : "Sign in");
		return;
	}
	if (e != ERR_OK) {
		auth_fail(res, e);
		return;
	}
	if ((ctx = auth_context(app, req, res, s, &site, "Confirm your address")) == NULL)
		return;
	m = tmpl_set_obj(ctx, "message");
	tmpl_set_str(m, "title", "Confirm your address");
	tmpl_set_str(m, "text", kind == TOKEN_VERIFY_EMAIL
		? "Press the button to confirm that this email address is yours."
		: "Press the button to make this your account's new email address.");
	tmpl_set_str(m, "form_action", arena_printf(req->arena, "%s", req->path));
	tmpl_set_str(m, "csrf", web_csrf_token(app, req, form));
	tmpl_set_str(m, "button", "Confirm my address");
	auth_render(app, res, "message", ctx);
}

static void
auth_verify_kind(struct http_request *req, struct http_response *res, struct web_app *app,
    enum account_token_kind kind)
{
	const char *token = http_param(req, "token");
	int64_t person = 0;
	struct store *s;
	struct site site;
	bool signed_in;
	enum err e;

	if (!auth_begin(app, req, res, &s, &site))
		return;
	if (!web_csrf_ok(app, req, res, kind == TOKEN_VERIFY_EMAIL ? "verify" : "verify-email"))
		return;
	signed_in = web_user(app, req, s) != NULL;
	if ((e = store_begin(s)) != ERR_OK) {
		auth_fail(res, e);
		return;
	}
	e = account_token_use(app->privacy, s, kind, token, time_now(), &person);
	/* a taken address or a refused read: the token is spent and the read of the new
	 * address is in the audit log; a rollback would lose that entry */
	if (e == ERR_OK || e == ERR_CONFLICT || e == ERR_DENIED) {
		enum err ce = store_commit(s);
		if (ce != ERR_OK)
			e = ce;
	} else {
		store_rollback(s);
	}
	if (e == ERR_NOTFOUND) {
		auth_message(app, req, res, s, &site, 400, "Link not valid", AUTH_LINK_BAD,
		    kind == TOKEN_VERIFY_EMAIL
			? "Sign in and ask for a new link on your account page."
			: "Sign in and change your email address again from your account page.",
		    signed_in ? "/account" : "/login", signed_in ? "Your account" : "Sign in");
		return;
	}
	if (e == ERR_CONFLICT) {
		auth_message(app, req, res, s, &site, 409, "Address already in use",
		    "Another account now uses this email address, so it could not be given to "
		    "yours. Your account keeps its previous address.", NULL,
		    signed_in ? "/account" : "/login", signed_in ? "Your account" : "Sign in");
		return;
	}
	if (e != ERR_OK) {
		auth_fail(res, e);
		return;
	}
	if (kind == TOKEN_VERIFY_EMAIL)
		auth_message(app, req, res, s, &site, 0, "Email confirmed",
		    "Your email address is confirmed. Thank you.", NULL,
		    signed_in ? "/account" : "/login", signed_in ? "Your account" : "Sign in");
	else
		auth_message(app, req, res, s, &site, 0, "New address confirmed",
		    "Your new address is confirmed: mail from this site now goes there.", NULL,
		    signed_in ? "/account" : "/login", signed_in ? "Your account" : "Sign in");
}

static void
auth_verify_get(struct http_request *req, struct http_response *res, void *arg)
{
	auth_verify_show(req, res, arg, TOKEN_VERIFY_EMAIL);
}

static void
auth_verify(struct http_request *req, struct http_response *res, void *arg)
{
	auth_verify_kind(req, res, arg, TOKEN_VERIFY_EMAIL);
}

static void
auth_verify_email_get(struct http_request *req, struct http_response *res, void *arg)
{
	auth_verify_show(req, res, arg, TOKEN_CHANGE_EMAIL);
}

static void
auth_verify_email(struct http_request *req, struct http_response *res, void *arg)
{
	auth_verify_kind(req, res, arg, TOKEN_CHANGE_EMAIL);
}

/*
 * Issues a token of kind for person, opens their address as the system (purpose
 * delivery, audited) and queues mail kind with it, inside the caller's transaction.
 * *opened is set once the gate was asked: from then on the caller must commit whatever
 * is returned (the read, or its refusal, stays in the audit log; what else was written
 * is a link nobody received, which is harmless), and answer the error after that.
 */
static enum err
auth_mail_link(struct web_app *app, struct store *s, const struct site *site, int64_t person,
    enum account_token_kind tkind, enum web_mail_kind mkind, bool *opened)
{
	char token[ACCOUNT_TOKEN_LEN + 1] = "", msg[256];
	struct buf addr;
	enum err e;

	*opened = false;
	buf_init(&addr);
	if ((e = account_token_issue(app->privacy, s, person, tkind, NULL, time_now(), token,
		 msg, sizeof(msg))) != ERR_OK)
		goto out;
	*opened = true;
	if ((e = people_email(app->privacy, s, &auth_system, PURPOSE_DELIVERY, person,
		 &addr)) != ERR_OK)
		goto out;
	e = web_mail_account(app, s, site, person, addr.data, mkind, token);
out:
	sodium_memzero(token, sizeof(token));
	if (addr.data)
		sodium_memzero(addr.data, addr.len);
	buf_free(&addr);
	return e;
}

/* A new verification link, for a signed-in member whose address is not confirmed. */
static void
auth_verify_resend(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct store *s;
	struct site site;
	bool opened = false;
	enum err e;

	if (!auth_begin(app, req, res, &s, &site))
		return;
	/* not web_require_user: its way back would be a GET of this POST-only address */
	if ((u = web_user(app, req, s)) == NULL) {
		http_redirect(res, 303, "/login?next=%2Faccount");
		return;
	}
	if (!web_csrf_ok(app, req, res, "verify-resend"))
		return;
	if (u->email_verified) {
		auth_message(app, req, res, s, &site, 0, "Already confirmed",
		    "Your email address is already confirmed.", NULL, "/account", "Your account");
		return;
	}
	if ((e = store_begin(s)) != ERR_OK) {
		auth_fail(res, e);
		return;
	}
	if ((e = auth_mail_link(app, s, &site, u->id, TOKEN_VERIFY_EMAIL, WEB_MAIL_VERIFY,
		 &opened)) != ERR_OK) {
		if (opened)
			(void)store_commit(s); /* keep the audit entry; the error is answered */
		else
			store_rollback(s);
		if (e == ERR_LIMIT)
			auth_message(app, req, res, s, &site, 429, "Not sent",
			    "Several links were sent to your address in the last hour; look for the "
			    "newest in your mail (and its spam folder), or ask again in an hour.",
			    NULL, "/account", "Your account");
		else
			auth_fail(res, e);
		return;
	}
	if ((e = store_commit(s)) != ERR_OK) {
		auth_fail(res, e);
		return;
	}
	auth_message(app, req, res, s, &site, 0, "Check your email",
	    "We have sent a new link to your email address; it works for one hour. Earlier "
	    "links no longer work.", NULL, "/account", "Your account");
}

/* ----------------------------------------------------------------- reset ---- */

enum { RS_LOGIN, RS__MAX };

static const struct form_field reset_fields[RS__MAX] = {
	[RS_LOGIN] = {"login", "Username or email address", FORM_TEXT, LIMIT_FORM_EMAIL_BYTES,
	    true, 0, 0},
};

enum { RP_PASSWORD, RP__MAX };

static const struct form_field reset_password_fields[RP__MAX] = {
	[RP_PASSWORD] = {"password", "New password", FORM_PASSWORD, LIMIT_PASSWORD_MAX_CHARS,
	    true, 0, 0},
};

static void
reset_form(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, const char *login, const char **errs,
    int status)
{
	struct tmpl_val *ctx;

	if ((ctx = auth_context(app, req, res, s, site, "Forgot your password?")) == NULL)
		return;
	tmpl_set_str(ctx, "csrf", web_csrf_token(app, req, "reset"));
	tmpl_set_str(ctx, "login", login);
	if (errs != NULL)
		auth_form_errors(ctx, req, reset_fields, RS__MAX, errs);
	res->status = status;
	auth_render(app, res, "reset", ctx);
}

static void
auth_reset_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct store *s;
	struct site site;

	if (!auth_begin(app, req, res, &s, &site))
		return;
	reset_form(app, req, res, s, &site, NULL, NULL, 0);
}

/* The account a reset names: a username (any case) or, with '@', an email address. */
static enum err
auth_find(struct web_app *app, struct store *s, struct arena *a, const char *login,
    int64_t *person)
{
	struct person p;
	char *folded, *c;
	enum err e;

	*person = 0;
	if (strchr(login, '@') != NULL) {
		e = people_find_by_email(app->privacy, s, a, login, &p);
	} else {
		if ((folded = arena_strdup(a, login)) == NULL)
			return ERR_NOMEM;
		for (c = folded; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		e = people_find(s, a, folded, &p);
	}
	if (e == ERR_OK)
		*person = p.id;
	return e;
}

/* Sleeps until floor_ms milliseconds have passed since started_ms (time_now_ms). */
static void
auth_answer_floor(int64_t started_ms, int64_t floor_ms)
{
	int64_t left = started_ms + floor_ms - time_now_ms();
	struct timespec ts;

	if (left <= 0)
		return;
	ts.tv_sec = (time_t)(left / 1000);
	ts.tv_nsec = (long)(left % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * Always the same answer, whether or not an account matched, and the same durable work:
 * every request is noted (account_request_note) and committed, the known one with its
 * link and mail in the same transaction, so an unknown name does not answer faster by
 * skipping the commit. More than LIMIT_ACCOUNT_TOKENS_PER_HOUR requests for one
 * identifier in the hour, or links for one person: the same answer, nothing sent. The
 * known path still does more (a link, an audited read, a mail: about a millisecond
 * where fsync is cheap), so the answer waits until LIMIT_RESET_ANSWER_MS have passed
 * since the request began, whichever path ran.
 */
static void
auth_reset_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct form_value vals[RS__MAX];
	const char *errs[RS__MAX] = {NULL};
	int64_t person = 0;
	struct store *s;
	struct site site;
	int64_t started = time_now_ms();
	bool allowed = false, opened = false;
	enum err e, found, committed;

	if (!auth_begin(app, req, res, &s, &site) || !web_csrf_ok(app, req, res, "reset"))
		return;
	if (!auth_form(req, reset_fields, RS__MAX, vals, errs)) {
		reset_form(app, req, res, s, &site, vals[RS_LOGIN].text, errs, 400);
		return;
	}
	found = auth_find(app, s, req->arena, vals[RS_LOGIN].text, &person);
	if (found != ERR_OK && found != ERR_NOTFOUND) {
		auth_fail(res, found);
		return;
	}
	if ((e = store_begin(s)) != ERR_OK) {
		auth_fail(res, e);
		return;
	}
	if ((e = account_request_note(app->privacy, s, REQUEST_RESET, vals[RS_LOGIN].text,
		 time_now(), &allowed)) != ERR_OK) {
		store_rollback(s); /* before anything that depends on the account */
		auth_fail(res, e);
		return;
	}
	if (found == ERR_OK && allowed) {
		e = auth_mail_link(app, s, &site, person, TOKEN_RESET_PASSWORD, WEB_MAIL_RESET,
		    &opened);
		if (e == ERR_LIMIT)
			e = ERR_OK; /* enough links for this person this hour: no mail */
		else if (e != ERR_OK)
			/* said to the operator, not to the visitor: an error page here would
			 * tell that the account exists (no personal data in the line) */
			log_warn("reset: the link for a matching account was not queued: %s",
			    err_str(e));
	}
	/* committed even when a step after the address was opened failed: the audit entry
	 * of that read stays (the link nobody received is harmless) */
	committed = store_commit(s);
	if (committed != ERR_OK && e == ERR_OK) {
		auth_fail(res, committed); /* the database failed, whoever was asked for */
		return;
	}
	auth_answer_floor(started, LIMIT_RESET_ANSWER_MS);
	auth_message(app, req, res, s, &site, 0, "Check your email",
	    "If an account matches, we have sent a link to its email address; it works for "
	    "one hour.", "If nothing arrives within a few minutes, look in your spam folder, "
	    "or try with your username or your other addresses.", "/login", "Back to sign in");
}

static void
reset_password_form(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, const char *token, const char **errs,
    int status)
{
	struct tmpl_val *ctx;

	if ((ctx = auth_context(app, req, res, s, site, "Choose a new password")) == NULL)
		return;
	tmpl_set_str(ctx, "csrf", web_csrf_token(app, req, "reset-password"));
	tmpl_set_str(ctx, "token", token);
	if (errs != NULL)
		auth_form_errors(ctx, req, reset_password_fields, RP__MAX, errs);
	res->status = status;
	auth_render(app, res, "reset_password", ctx);
}

static void
reset_link_bad(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site)
{
	auth_message(app, req, res, s, site, 400, "Link not valid", AUTH_LINK_BAD,
	    "Ask for a new link: it is sent to the email address of the account.", "/reset",
	    "Ask for a new link");
}

static void
auth_reset_token_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const char *token = http_param(req, "token");
	int64_t person = 0;
	struct store *s;
	struct site site;
	enum err e;

	if (!auth_begin(app, req, res, &s, &site))
		return;
	e = account_token_peek(s, TOKEN_RESET_PASSWORD, token, time_now(), &person);
	if (e == ERR_NOTFOUND) {
		reset_link_bad(app, req, res, s, &site);
		return;
	}
	if (e != ERR_OK) {
		auth_fail(res, e);
		return;
	}
	reset_password_form(app, req, res, s, &site, token, NULL, 0);
}

/*
 * The link is used, the password set (which ends every session of the account and
 * spends its other links) and the notice queued in one transaction: a refused password
 * leaves the link usable. The argon2id hash is made and the address opened (audited, in
 * the gate's own transaction) before that transaction opens: the write lock is not held
 * for the hashing, and a failure of the change cannot roll back the audit entry of a
 * read that happened. A refused read changes nothing (no notice, no new password).
 */
static void
auth_reset_token_post(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const char *token = http_param(req, "token");
	struct form_value vals[RP__MAX];
	const char *errs[RP__MAX] = {NULL};
	int64_t person = 0, used_by = 0, now = time_now();
	struct buf addr;
	struct store *s;
	struct site site;
	char msg[256], hash[PASSWORD_HASH_BYTES] = "";
	enum err e;

	buf_init(&addr);
	if (!auth_begin(app, req, res, &s, &site) ||
	    !web_csrf_ok(app, req, res, "reset-password"))
		goto out;
	if ((e = account_token_peek(s, TOKEN_RESET_PASSWORD, token, now, &person)) != ERR_OK) {
		if (e == ERR_NOTFOUND)
			reset_link_bad(app, req, res, s, &site);
		else
			auth_fail(res, e);
		goto out;
	}
	if (auth_form(req, reset_password_fields, RP__MAX, vals, errs) &&
	    password_check(vals[RP_PASSWORD].text, vals[RP_PASSWORD].len, msg, sizeof(msg)) !=
		ERR_OK)
		errs[RP_PASSWORD] = arena_strdup(req->arena, msg);
	if (errs[RP_PASSWORD] != NULL) {
		reset_password_form(app, req, res, s, &site, token, errs, 400);
		goto out;
	}
	if ((e = password_hash(vals[RP_PASSWORD].text, vals[RP_PASSWORD].len, hash)) !=
		ERR_OK ||
	    (e = people_email(app->privacy, s, &auth_system, PURPOSE_DELIVERY, person,
		 &addr)) != ERR_OK) {
		auth_fail(res, e);
		goto out;
	}
	if ((e = store_begin(s)) != ERR_OK) {
		auth_fail(res, e);
		goto out;
	}
	e = account_token_use(app->privacy, s, TOKEN_RESET_PASSWORD, token, now, &used_by);
	if (e == ERR_OK && used_by != person)
		e = ERR_NOTFOUND; /* cannot happen: a token has one holder */
	if (e == ERR_OK)
		e = password_set_hash(s, person, hash, msg, sizeof(msg));
	if (e == ERR_OK)
		e = web_mail_account(app, s, &site, person, addr.data, WEB_MAIL_PASSWORD_CHANGED,
		    NULL);
	if (e == ERR_OK) {
		e = store_commit(s);
	} else {
		store_rollback(s);
		if (e == ERR_NOTFOUND) { /* used or expired meanwhile */
			reset_link_bad(app, req, res, s, &site);
			goto out;
		}
	}
	if (e != ERR_OK) {
		auth_fail(res, e);
		goto out;
	}
	/* the session this browser may hold was ended with the others */
	if (http_cookie(req, req->tls ? WEB_COOKIE_SESSION_TLS : WEB_COOKIE_SESSION))
		web_session_cookie_clear(req, res);
	auth_message(app, req, res, s, &site, 0, "Password changed",
	    "Your password is changed; sign in with it.",
	    "Every session signed in with the old password has been ended.", "/login",
	    "Sign in");
out:
	sodium_memzero(hash, sizeof(hash));
	if (addr.data)
		sodium_memzero(addr.data, addr.len);
	buf_free(&addr);
	auth_wipe_field(req, "password");
}

enum err
web_routes_auth(struct web_app *app)
{
	static const struct web_route routes[] = {
		{"GET", "/signup", auth_signup_get, 0, 0},
		{"POST", "/signup", auth_signup_post, AUTH_BODY_LIMIT, 0},
		{"GET", "/login", auth_login_get, 0, 0},
		{"POST", "/login", auth_login_post, AUTH_BODY_LIMIT, 0},
		{"GET", "/login/done", auth_login_done, 0, 0},
		{"POST", "/logout", auth_logout, AUTH_BODY_LIMIT, 0},
		{"GET", "/verify/:token", auth_verify_get, 0, 0},
		{"POST", "/verify/resend", auth_verify_resend, AUTH_BODY_LIMIT, 0},
		{"POST", "/verify/:token", auth_verify, AUTH_BODY_LIMIT, 0},
		{"GET", "/verify-email/:token", auth_verify_email_get, 0, 0},
		{"POST", "/verify-email/:token", auth_verify_email, AUTH_BODY_LIMIT, 0},
		{"GET", "/reset", auth_reset_get, 0, 0},
		{"POST", "/reset", auth_reset_post, AUTH_BODY_LIMIT, 0},
		{"GET", "/reset/:token", auth_reset_token_get, 0, 0},
		{"POST", "/reset/:token", auth_reset_token_post, AUTH_BODY_LIMIT, 0},
	};

	return web_routes_add(app, routes, COUNTOF(routes));
}
