/* web_int: state and helpers shared by the web module's files. */
#ifndef WEB_INT_H
#define WEB_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/embed.h"
#include "sites/sites.h"
#include "tmpl/tmpl.h"
#include "web/web.h"
#include "privacy/privacy.h"

struct web_static {
	const char *name; /* "style.css" */
	const struct embed_file *file;
	const char *type;
	char etag[24];    /* "\"0123456789abcdef\"" */
};

#define CSRF_KEY_BYTES 32

struct privacy;
struct analytics_recorder;

struct web_app {
	struct config cfg;
	struct privacy *privacy;              /* the keys (privacy_open), for the handlers */
	unsigned char csrf_key[CSRF_KEY_BYTES]; /* privacy_derive_key(WEB_CSRF_KDF_*) */
	struct store_pool *pool;
	struct tmpl_set *tmpl;
	struct http_router *router;
	struct web_static *statics;
	size_t nstatics;
	char css_href[64];
	char icon_href[64];
	struct analytics_recorder *recorder; /* analytics/recorder.h; NULL when not serving
						(tests of handlers, CLI) */
};

enum err web_routes(struct web_app *app);

/* One row of a module's route table: method "GET" or "POST", pattern, handler, largest
 * body (0 for GET), flags (HTTP_ROUTE_CACHEABLE). */
struct web_route {
	const char *method;
	const char *pattern;
	http_handler fn;
	size_t body_limit;
	unsigned flags;
};
/* Adds every route of a table to the app's router. */
enum err web_routes_add(struct web_app *app, const struct web_route *routes, size_t n);
const struct web_static *web_static_find(const struct web_app *app, const char *name);

/* This thread's database connection; on failure sets res->status 503 and returns NULL. */
struct store *web_store(struct web_app *app, struct http_response *res);
/* Resolves the request's site (Host, then default_site). On failure fills res (404
 * "unknown site", 503, 500) and returns false. */
bool web_site(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, struct site *site);
/* The base template context: site, navigation, asset URLs. NULL when the navigation
 * cannot be read; then res (if not NULL) has its status set (503 or 500). */
struct tmpl_val *web_context(struct web_app *app, struct http_request *req,
    struct http_response *res, const struct site *site, struct store *s);
/* Renders page template name inside the layout into res->body (500 on failure). */
void web_render(struct web_app *app, struct http_response *res, const char *name,
    struct tmpl_val *ctx);
/* Renders the error page for res->status with title and message. */
void web_error_page(struct web_app *app, struct http_request *req, struct http_response *res,
    const char *title, const char *msg);

/* ---- forms without cookies: web/csrf.c (ASVS 4.2.2, PRODUCT.md P19) ---- */

/*
 * A CSRF token: base64url (no padding) of issued_at (8 bytes, big-endian seconds) ||
 * nonce (16 random bytes) || HMAC-SHA256(key, "candor-csrf-v1", site, form, issued_at,
 * nonce) with site and form length-prefixed. It sits in a hidden "csrf" field of every
 * form, so a form works with cookies refused; the server keeps no state. A token can be
 * replayed, for the same site and form, until it expires: by design (no state), and
 * harmless for the anonymous forms it guards because an attacker's page cannot read it.
 * Where a second use matters (a one-off action) the caller adds its own single-use check.
 */
#define CSRF_RAW_BYTES (8 + 16 + 32)
#define CSRF_TOKEN_LEN 75 /* base64url of CSRF_RAW_BYTES without padding */
#define CSRF_FIELD "csrf"
/* privacy_derive_key(id, context) of the CSRF key */
#define WEB_CSRF_KDF_ID 1
#define WEB_CSRF_KDF_CTX "cdcsrf__"

/* Makes a token for form (a short name, e.g. "signup") on site (its primary host), issued
 * at now. Returns ERR_INVAL for an empty or over-long site or form name (more than
 * LIMIT_HOST_BYTES or LIMIT_FORM_NAME bytes), ERR_CRYPTO if HMAC fails. */
enum err csrf_token(const unsigned char key[CSRF_KEY_BYTES], const char *site,
    const char *form, int64_t now, char out[CSRF_TOKEN_LEN + 1]);
/*
 * ERR_OK when token was made by csrf_token with key for this site and form, at most
 * LIMIT_CSRF_TTL_S seconds before now and at most LIMIT_CSRF_SKEW_S after it. ERR_DENIED
 * for anything else: NULL, wrong length or alphabet, another site or form, a changed
 * byte, expired, dated in the future. The MAC is compared in constant time.
 */
enum err csrf_check(const unsigned char key[CSRF_KEY_BYTES], const char *site,
    const char *form, const char *token, int64_t now);
/* The token for form on the request's site (see web_csrf_ok), for a page to put in its
 * hidden "csrf" field; when the request carries a session cookie the token is also bound
 * to it (a token from one signed-in browser fails in another, and after sign-out); NULL when the request has no site or out of memory. Allocated
 * from req->arena. */
const char *web_csrf_token(struct web_app *app, struct http_request *req, const char *form);
/*
 * For a state-changing handler, first thing after web_site: true when the request's
 * "csrf" field is a valid token for form on the request's site. Otherwise sets 403 with
 * a human sentence in the site's layout and returns false; the handler then returns.
 */
bool web_csrf_ok(struct web_app *app, struct http_request *req, struct http_response *res,
    const char *form);
/* The issue time written into a token (0 when it does not decode). Only meaningful for
 * a token csrf_check accepted: the MAC is what makes the time the server's own (the
 * comment form's minimum time-to-submit uses it). */
int64_t csrf_issued_at(const char *token);

/* ---- declared form tables: web/form.c (house rule 5, kcgi's kvalid_*) ---- */

enum form_kind {
	FORM_TEXT,      /* one line: UTF-8, no control character */
	FORM_MULTILINE, /* text that may hold line breaks and tabs (\n, \r, \t) */
	FORM_USERNAME,  /* LIMIT_USERNAME_MIN..MAX of [a-zA-Z0-9_-] (folded to lower case later) */
	FORM_EMAIL,     /* one '@', a dotted domain, no spaces (the shape people.c takes) */
	FORM_PASSWORD,  /* one line, kept exactly as typed (accounts/ applies its rules) */
	FORM_CHECKBOX,  /* "on" or absent */
	FORM_INTEGER,   /* decimal in [min, max], through strnum */
	FORM_KIND__MAX
};

/* One accepted field. max_len counts characters (Unicode code points); input over it is
 * refused, never cut. Checkboxes ignore it. */
struct form_field {
	const char *name;  /* the form field's name */
	const char *label; /* what the person sees ("Username"); used in error sentences */
	enum form_kind kind;
	size_t max_len;
	bool required;     /* a required checkbox must be ticked */
	long long min, max; /* FORM_INTEGER only */
};

struct form_value {
	bool present;     /* sent and not empty (a checkbox: ticked) */
	const char *text; /* the value as sent ("" when absent); points into the request */
	size_t len;       /* bytes */
	long long number; /* FORM_INTEGER */
};

/* form_read's result: values[i] belongs to fields[i]. */
struct form_values {
	struct form_value values[LIMIT_FORM_DECLARED];
	size_t n;
};

/*
 * Reads the declared fields (n at most LIMIT_FORM_DECLARED) from in into out. Fields not
 * declared are ignored (the csrf field is checked by web_csrf_ok); an empty value counts
 * as absent. Returns ERR_OK, or ERR_INVAL with a sentence naming the first offending
 * field's label in msg: missing, sent twice, invalid UTF-8, a control character, too long,
 * or not the right shape for its kind. ERR_TOOBIG when n is over LIMIT_FORM_DECLARED
 * (a programming error). out->values[i].text is "" for an absent field; on error out
 * is left empty (n 0).
 */
enum err form_read(const struct http_form *in, const struct form_field *fields, size_t n,
    struct form_values *out, char *msg, size_t msgsize);
/* form_read one declared field at a time, so that a refusal can be shown next to its
 * field: *bad gets the index of the first refused one. Same answers as form_read. */
enum err form_read_each(const struct http_form *in, const struct form_field *fields, size_t n,
    struct form_values *out, size_t *bad, char *msg, size_t msgsize);

/* ---- signed-in people: web/session.c (lead) ---- */

/* Cookie names (the inventory lists them: privacy/inventory.c). The session cookie is
 * "__Host-candor_session" over TLS (Secure; browsers refuse a __Host- cookie without
 * it) and "candor_session" over plain HTTP (a development setup). */
#define WEB_COOKIE_SESSION_TLS "__Host-candor_session"
#define WEB_COOKIE_SESSION "candor_session"
#define WEB_COOKIE_VISITOR "candor_visitor"
#define WEB_COOKIE_PREFS "candor_prefs"

struct web_user {
	int64_t id;
	const char *username;
	enum person_role role;
	bool email_verified;
	const char *token; /* the session token the request carried (for logout) */
	int64_t policy_notice; /* the newest policy version not acknowledged (0: none) */
};

/*
 * The signed-in person of req, or NULL: the session cookie is checked once per request
 * (session_check with the configured idle and absolute limits) and the answer kept on
 * req. A request whose session cookie is unknown or expired gets NULL, and its response
 * tells the browser to forget the cookie (web_per_request_headers) unless the handler
 * set a new one.
 */
const struct web_user *web_user(struct web_app *app, struct http_request *req, struct store *s);
/*
 * For pages behind sign-in: sets Cache-Control: no-store on res, then returns the
 * signed-in person; when there is none, fills res with a 303 to /login?next=PATH and
 * returns NULL (the handler returns).
 */
const struct web_user *web_require_user(struct web_app *app, struct http_request *req,
    struct http_response *res, struct store *s);
/* Sets the session cookie to token on res (HttpOnly, SameSite=Lax, Path=/, Secure and
 * __Host- over TLS; no Max-Age: the server ends it). */
void web_session_cookie_set(struct http_request *req, struct http_response *res,
    const char *token);
/* Tells the browser to forget the session cookie. */
void web_session_cookie_clear(struct http_request *req, struct http_response *res);
/* True when the request asks not to be tracked: DNT: 1 or Sec-GPC: 1 (B5). */
bool web_tracking_refused(const struct http_request *req);
/* http_server_config.per_request_headers: the visitor cookie on page views (session.c). */
size_t web_per_request_headers(struct http_request *req, int status, const char *content_type,
    struct http_header_line *out, size_t max, void *app);
/* http_server_config.on_response: queues the response's analytics event (analytics.c). */
void web_analytics_response(struct http_request *req, int status, const char *content_type,
    void *app);
/* Starts app->recorder unless [analytics] enabled = no (then it stays NULL). */
enum err web_analytics_start(struct web_app *app, const char *db_url, const char *password,
    char *errbuf, size_t errsize);
/* Stores every queued event and stops the recorder; call after the HTTP server stopped. */
void web_analytics_stop(struct web_app *app);
/* A path given as ?next= or a next field that is safe to redirect to: starts with one
 * '/', no "//", no backslash, no control character. Otherwise fallback. */
const char *web_safe_next(const char *next, const char *fallback);

/* ---- account pages: web/auth.c, web/account.c, web/admin.c ---- */

enum err web_routes_auth(struct web_app *app);    /* /signup /login /logout /verify /reset */
enum err web_routes_account(struct web_app *app); /* /account... /preferences /admin */

/* The head of site's Atom feed up to its entries (pages.c: /feed.xml, /comments.xml). */
void web_atom_head(struct buf *b, const struct site *site, const char *prefix,
    const char *subtitle, const char *id_path, const char *self_path, const char *updated);

/* ---- one route table per area (each defined in the file named) ---- */

enum err web_routes_admin(struct web_app *app);    /* web/admin.c: /admin/posts, pages, settings, sites */
enum err web_routes_comments(struct web_app *app); /* web/comments.c: comment forms, feed, moderation */
enum err web_routes_search(struct web_app *app);   /* web/search.c: /search */
enum err web_routes_stats(struct web_app *app);    /* web/stats.c: /admin/stats, /stats, /stats/all */
enum err web_routes_moderation(struct web_app *app); /* web/moderation.c: /admin/comments */

/* ---- comments under a post: web/comments.c, rendered by web/pages.c ---- */

/* A refused comment form shown again: the input as typed, the error next to its field
 * ("text", "name", "email"), or a notice; all NULL for a fresh form. */
struct web_comment_form {
	const char *name;
	const char *email;
	const char *text;
	int64_t parent;
	const char *field;
	const char *error;
};
/* Renders post (on site) with its comments and the comment form into res (pages.c). */
void web_post_page(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, const struct post *post,
    const struct web_comment_form *form);
/* Adds the approved comments of post, the comment form (or why there is none) and the
 * notices asked for by the query (?held=1, ?reply=ID) to the post page's ctx. */
enum err web_comments_fill(struct web_app *app, struct http_request *req, struct store *s,
    const struct site *site, const struct post *post, const struct web_comment_form *form,
    struct tmpl_val *ctx);

/* ---- issue 8: policy versions, announcements, feedback ---- */

enum err web_routes_policy(struct web_app *app);   /* web/policy.c: /privacy/history..., /admin/policy */
enum err web_routes_announce(struct web_app *app); /* web/announce.c: /admin/announce, /unsubscribe */
enum err web_routes_feedback(struct web_app *app); /* web/feedback.c: /feedback... */
/*
 * Publishes a policy version and creates its alert campaign (every account holder
 * with a verified email, once) in one transaction; links are built from site's origin.
 * Errors of policy_publish (ERR_INVAL) and the store. Used by /admin/policy and
 * `candor policy publish`.
 */
enum err web_policy_publish(struct store *s, struct arena *a, const struct site *site,
    const char *title, const char *markdown, const char *summary, int64_t effective_at,
    int64_t by, int64_t *version);
/* YYYY-MM-DD (empty: now) into *out; a day before today is refused with a sentence. */
bool web_policy_effective(const char *text, int64_t now, int64_t *out, char *msg,
    size_t msgsize);
/* For web_user: records continued use when due and returns the version whose notice the
 * person should see (0: none). Never fails the request. */
int64_t web_policy_seen(struct web_app *app, struct http_request *req, struct store *s,
    int64_t person);
/* Puts the notice (version, CSRF token, return path) on the layout's user object. */
void web_policy_notice(struct web_app *app, struct http_request *req, struct tmpl_val *user,
    int64_t version);

/* ---- issue 9: the shop (web/shop.c, web/shop_admin.c) ---- */

enum err web_routes_shop(struct web_app *app); /* /shop..., /account/orders, /admin/shop... */
/* /admin/shop... (web/shop_admin.c), added by web_routes_shop. */
enum err web_routes_shop_admin(struct web_app *app);
/* An order's public figures (no personal data) as template values into v (shop.c). */
struct order;
void web_shop_order_vals(struct arena *a, struct tmpl_val *v, const struct order *o);
/* Queues the receipt of paid order id to its member (their address opened by the
 * system for delivery), in the caller's transaction; nothing for a guest or a shredded
 * address (shop.c). */
enum err web_shop_receipt(struct web_app *app, struct store *s, struct arena *a, int64_t order);
/* The member's orders for their export (app.c web_export_sections). */
enum err web_shop_export(struct privacy *p, struct store *s, int64_t person, void *obj);

/* The messages candor sends about an account (web/account_mail.c). */
enum web_mail_kind {
	WEB_MAIL_VERIFY,           /* signup: link /verify/TOKEN */
	WEB_MAIL_SIGNUP_EXISTS,    /* signup with an address that has an account: a notice */
	WEB_MAIL_RESET,            /* link /reset/TOKEN */
	WEB_MAIL_CHANGE_EMAIL_NEW, /* to the new address: link /verify-email/TOKEN */
	WEB_MAIL_CHANGE_EMAIL_OLD, /* to the old address: a notice, no link */
	WEB_MAIL_PASSWORD_CHANGED, /* a notice */
	WEB_MAIL_CHANGE_EMAIL_TAKEN, /* to an address another account asked for, that has
					an account already: a notice, no link */
	WEB_MAIL__MAX
};
/*
 * Queues message kind to person at address to (plain text, from the form or opened
 * through the gate), for site: links are built from the site's configured origin,
 * never from the request's Host header. token is the link's token (NULL for notices).
 * Joins the caller's transaction (mail_enqueue).
 */
enum err web_mail_account(struct web_app *app, struct store *s, const struct site *site,
    int64_t person, const char *to, enum web_mail_kind kind, const char *token);

/* The sections of a person's export beyond privacy's own (app.c), for /account/export
 * and `candor user export`. */
extern const struct rights_section web_export_sections[];
extern const size_t web_export_sections_count;

/* ---- shared by the cli*.c files ---- */

#define CLI_ERR(...) fprintf(stderr, "candor: " __VA_ARGS__)

struct cli_db {
	char url[1200];
	char password[256];
};

/* Works out the store URL and password from the configuration; prints why not. */
bool cli_db_resolve(const struct config *cfg, struct cli_db *db);
/* Loads DIR's configuration and opens (and migrates) its database; prints why not. */
struct store *cli_open(const char *dir, struct config *cfg, struct cli_db *db);
/* Writes n bytes to a new file with mode, fsynced. */
enum err cli_write_file(const char *path, const void *p, size_t n, mode_t mode);
struct privacy;
/* cli_open, then the privacy keys (privacy_open); prints why not. On failure nothing is
 * left open. */
bool cli_open_private(const char *dir, struct config *cfg, struct store **s,
    struct privacy **p);
/* Reads a password: the first line of path (cli_people.c); prints why not. The caller
 * wipes pw. */
bool cli_password_file(const char *path, char pw[LIMIT_PASSWORD_MAX_BYTES + 1], size_t *len);
/* Reads a markdown file of at most LIMIT_BODY_MARKDOWN bytes (no NUL) into a malloc'd
 * string; prints why not (cli_content.c). */
char *cli_read_markdown(const char *file);
/* Normalises a host name from the command line; prints why not. */
bool cli_host(const char *in, char *out, size_t outsize);

/* Fills ctx's admin menu (templates/admin_menu.html) for u on site, section marked
 * current; false with res answered (500/503) when it cannot (admin.c). */
bool web_admin_menu(struct http_request *req, struct http_response *res, struct store *s,
    const struct site *site, const struct web_user *u, struct tmpl_val *ctx,
    const char *section);

#endif
