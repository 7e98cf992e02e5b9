/*
 * session: who is signed in, for the web handlers. The session cookie is read once per
 * request and checked against the sessions table (accounts/session.c: idle and absolute
 * expiry on the server); the answer is kept on the request. Also the cookie's exact
 * attributes (SECURITY.md; ASVS 3.4.1-3.4.5) and the redirect target check used after
 * sign-in.
 */
#include <sodium.h>
#include <string.h>

#include "accounts/accounts.h"
#include "web/web_int.h"

static const char *
session_cookie_name(const struct http_request *req)
{
	return req->tls ? WEB_COOKIE_SESSION_TLS : WEB_COOKIE_SESSION;
}

const struct web_user *
web_user(struct web_app *app, struct http_request *req, struct store *s)
{
	struct web_user *u;
	struct person p;
	const char *token;
	int64_t person = 0;
	enum err e;

	if (req->app_user_known)
		return req->app_user;
	req->app_user_known = true;
	req->app_user = NULL;
	token = http_cookie(req, session_cookie_name(req));
	if (token == NULL || s == NULL)
		return NULL;
	if (strlen(token) != SESSION_TOKEN_LEN) {
		req->app_session_stale = true;
		return NULL;
	}
	if ((e = session_check(s, token, time_now(), (int64_t)app->cfg.session_idle_minutes * 60,
		 (int64_t)app->cfg.session_absolute_hours * 3600, &person)) != ERR_OK) {
		req->app_session_stale = e == ERR_NOTFOUND;
		return NULL;
	}
	if (people_get(s, req->arena, person, &p) != ERR_OK)
		return NULL;
	if ((u = arena_alloc(req->arena, sizeof(*u))) == NULL)
		return NULL;
	u->id = p.id;
	u->username = p.username;
	u->role = p.role;
	u->email_verified = p.email_verified;
	u->token = token;
	u->policy_notice = web_policy_seen(app, req, s, u->id); /* P20: continued use */
	req->app_user = u;
	req->no_cache = true;
	return u;
}

const struct web_user *
web_require_user(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s)
{
	const struct web_user *u;
	struct buf b;

	res->cache_control = "no-store";
	if ((u = web_user(app, req, s)) != NULL)
		return u;
	buf_init(&b);
	buf_puts(&b, "/login?next=");
	http_url_encode(&b, req->path);
	http_redirect(res, 303, b.failed ? "/login" : arena_strndup(req->arena, b.data, b.len));
	buf_free(&b);
	return NULL;
}

void
web_session_cookie_set(struct http_request *req, struct http_response *res, const char *token)
{
	req->app_session_set = true;
	http_add_header(res, "Set-Cookie",
	    arena_printf(req->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s",
		session_cookie_name(req), token, req->tls ? "; Secure" : ""));
}

void
web_session_cookie_clear(struct http_request *req, struct http_response *res)
{
	req->app_session_set = true;
	http_add_header(res, "Set-Cookie",
	    arena_printf(req->arena, "%s=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0%s",
		session_cookie_name(req), req->tls ? "; Secure" : ""));
}

const char *
web_safe_next(const char *next, const char *fallback)
{
	const unsigned char *c;

	if (next == NULL || next[0] != '/' || next[1] == '/' || strstr(next, "//") ||
	    strchr(next, '\\') || strlen(next) > LIMIT_URL_BYTES)
		return fallback;
	for (c = (const unsigned char *)next; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return fallback;
	return next;
}

/*
 * The visitor cookie (P18, B5; the analytics issue counts unique visitors with it): a
 * random id, set on a page view (a 200 HTML page, from the cache or not) that does not
 * already carry one, unless the request says Do Not Track (DNT: 1) or Global Privacy Control
 * (Sec-GPC: 1). It lives until the end of the UTC day: visitors are counted per day,
 * and a longer life would only let a day be linked to the next.
 */
size_t
web_per_request_headers(struct http_request *req, int status, const char *content_type,
    struct http_header_line *out, size_t max, void *app)
{
	unsigned char id[16];
	char b64[sizeof(id) * 2];
	const char *v;
	int64_t now, left;

	(void)app;
	/* a dead session cookie is forgotten, unless the handler set a new one */
	if (req->app_session_stale && !req->app_session_set && max > 0) {
		out[0].name = "Set-Cookie";
		out[0].value = arena_printf(req->arena, "%s=; Path=/; HttpOnly; SameSite=Lax; "
		    "Max-Age=0%s", req->tls ? WEB_COOKIE_SESSION_TLS : WEB_COOKIE_SESSION,
		    req->tls ? "; Secure" : "");
		req->app_session_set = true;
		return out[0].value ? 1 : 0;
	}
	if (max == 0 || status != 200 || strncmp(content_type, "text/html", 9) != 0 ||
	    (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0))
		return 0;
	if (http_cookie(req, WEB_COOKIE_VISITOR) != NULL || web_tracking_refused(req))
		return 0;
	randombytes_buf(id, sizeof(id));
	sodium_bin2base64(b64, sizeof(b64), id, sizeof(id),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	now = time_now();
	left = 86400 - now % 86400;
	v = arena_printf(req->arena, "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Lax%s",
	    WEB_COOKIE_VISITOR, b64, (long long)left, req->tls ? "; Secure" : "");
	if (v == NULL)
		return 0;
	out[0].name = "Set-Cookie";
	out[0].value = v;
	return 1;
}

bool
web_tracking_refused(const struct http_request *req)
{
	const char *dnt = http_header(req, "DNT"), *gpc = http_header(req, "Sec-GPC");

	return (dnt && strcmp(dnt, "1") == 0) || (gpc && strcmp(gpc, "1") == 0);
}
