/*
 * testweb: a form-aware HTTP client for integration tests of candor's pages (issue 5):
 * GET a page, pull the hidden csrf field out of its HTML, POST urlencoded forms with or
 * without a cookie, read Set-Cookie, and read account mail from DIR/maildir/new.
 * Built on testlib's t_http; every function fails the test on a transport error.
 * Strings returned are malloc'd unless said otherwise.
 */
#ifndef TESTWEB_H
#define TESTWEB_H

#include <stddef.h>

#include "testlib.h"

/*
 * GET path on host (NULL: 127.0.0.1) with cookie ("name=value", or NULL to send none)
 * and extra headers (NULL-terminated "Name: value" list, or NULL).
 */
void t_web_get(struct t_resp *r, int port, const char *host, const char *path,
    const char *cookie, const char *const *headers);
/* POST body (urlencoded, as from t_web_form) to path with Content-Type
 * application/x-www-form-urlencoded; cookie and headers as for t_web_get. */
void t_web_post(struct t_resp *r, int port, const char *host, const char *path,
    const char *cookie, const char *const *headers, const char *body);

/* A request as a signed-in person: method "GET" or "POST" (body urlencoded), with the
 * cookie candor_session=token when token is not NULL (plain HTTP: no __Host- prefix). */
void t_web_req(struct t_resp *r, int port, const char *host, const char *method,
    const char *path, const char *token, const char *body);
/* GETs page (as token), takes the csrf field of the form posting to action and POSTs it
 * with fields ("a=1&b=x", "" for none) to action. Fails the test when page is not 200
 * or holds no such form. */
void t_web_post_form(struct t_resp *r, int port, const char *host, const char *page,
    const char *action, const char *token, const char *fields);
/* Signs login in with password through /login on host; returns the session token.
 * Fails the test unless the answer is 303 with a session cookie. */
char *t_web_sign_in(int port, const char *host, const char *login, const char *password);

/* An urlencoded body from NULL-terminated name, value pairs: t_web_form("a", "1", "b",
 * "x y", NULL) is "a=1&b=x%20y". */
char *t_web_form(const char *name, ...);

/* The value of the hidden csrf field of the form whose action is action (NULL: the first
 * form holding one) in html, or NULL when there is none. */
char *t_web_csrf(const char *html, const char *action);
/* The value of attribute attr of the first element whose opening tag holds marker
 * (e.g. "name=\"login\""), or NULL. HTML entities are not decoded. */
char *t_web_attr(const char *html, const char *marker, const char *attr);
/* html with every csrf field's value blanked (for comparing two answers). */
char *t_web_strip_csrf(const char *html);

/* The whole Set-Cookie line (after "Set-Cookie: ") for cookie name in r, or NULL.
 * Static buffer. */
const char *t_web_set_cookie(const struct t_resp *r, const char *name);
/* "name=value" of that Set-Cookie line, for sending back, or NULL. */
char *t_web_cookie(const struct t_resp *r, const char *name);
/* How many Set-Cookie lines r has. */
int t_web_set_cookie_count(const struct t_resp *r);

/* Files in DIR/maildir/new. */
int t_web_mail_count(const char *dir);
/* Waits up to timeout_ms for a message in DIR/maildir/new that holds every one of the
 * NULL-terminated needles and is not among the first `skip` such messages (oldest
 * first by modification time); returns its text, or fails the test. */
char *t_web_mail_wait(const char *dir, int skip, int timeout_ms, const char *needle, ...);
/* The first link in text that starts with prefix (up to whitespace), or NULL. */
char *t_web_link(const char *text, const char *prefix);
/* The path of an absolute link ("http://h:1/verify/x" -> "/verify/x"). Points into url. */
const char *t_web_path(const char *url);

#endif
