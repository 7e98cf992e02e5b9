/*
 * session: who is signed in, for the web handlers. The session cookie is read once per
 * request and checked against the sessions table (accounts/session.c: idle and absolute
 * expiry on the server); the answer is kept on the request. Also the cookie's exact
 * attributes (SECURITY.md; ASVS 3.4.1-3.4.5) and the redirect target check used after
 * sign-in.
 */
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

	if (req->app_user_known)
		return req->app_user;
	req->app_user_known = true;
	req->app_user = NULL;
	token = http_cookie(req, session_cookie_name(req));
	if (token == NULL || strlen(token) != SESSION_TOKEN_LEN || s == NULL)
		return NULL;
	if (session_check(s, token, time_now(), (int64_t)app->cfg.session_idle_minutes * 60,
		(int64_t)app->cfg.session_absolute_hours * 3600, &person) != ERR_OK)
		return NULL;
	if (people_get(s, req->arena, person, &p) != ERR_OK)
		return NULL;
	if ((u = arena_alloc(req->arena, sizeof(*u))) == NULL)
		return NULL;
	u->id = p.id;
	u->username = p.username;
	u->role = p.role;
	u->email_verified = p.email_verified;
	u->token = token;
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
	http_add_header(res, "Set-Cookie",
	    arena_printf(req->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s",
		session_cookie_name(req), token, req->tls ? "; Secure" : ""));
}

void
web_session_cookie_clear(struct http_request *req, struct http_response *res)
{
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
