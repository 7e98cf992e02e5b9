/*
 * it_http: the exact header set on every kind of response candor sends (page, feed,
 * static file, 304, redirect, 400, 404, 405, 413, 414, 431, unknown site), HSTS only
 * behind a trusted TLS proxy, and every request limit of SECURITY.md at N and N+1.
 */
#include <stdio.h>

#include "core/limits.h"
#include "testlib.h"

#define PIV "perfectimagevideo.localhost"

static const char *const security_headers[][2] = {
	{"Content-Security-Policy",
	    "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; "
	    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
	{"Referrer-Policy", "strict-origin-when-cross-origin"},
	{"X-Content-Type-Options", "nosniff"},
	{"Cross-Origin-Resource-Policy", "same-origin"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
};

/* Checks a raw response's header block: every security header exact, a charset, no
 * banner, and HSTS exactly when expected. */
static void
check_headers(const char *resp, bool hsts, const char *what)
{
	char line[1024];
	size_t i;
	const char *ct;

	for (i = 0; i < sizeof(security_headers) / sizeof(security_headers[0]); i++) {
		snprintf(line, sizeof(line), "\r\n%s: %s\r\n", security_headers[i][0],
		    security_headers[i][1]);
		if (strstr(resp, line) == NULL)
			T_FAIL("%s: missing or wrong %s in:\n%s", what, security_headers[i][0], resp);
	}
	ct = strstr(resp, "\r\nContent-Type: ");
	if (ct == NULL || strstr(ct, "charset=utf-8") == NULL ||
	    strstr(ct, "charset=utf-8") > strstr(ct + 2, "\r\n"))
		T_FAIL("%s: Content-Type without charset:\n%s", what, resp);
	if (strstr(resp, "\r\nServer:") || strstr(resp, "X-Powered-By"))
		T_FAIL("%s: version banner present", what);
	if (hsts != (strstr(resp, "\r\nStrict-Transport-Security: max-age=63072000; "
				  "includeSubDomains\r\n") != NULL))
		T_FAIL("%s: HSTS %s", what, hsts ? "missing" : "present without TLS");
}

static char *
raw(int port, const char *req)
{
	return t_raw(port, req, strlen(req), 5000);
}

/* A request whose header block (name + value + 4 per header, as candor counts it) is
 * exactly n bytes. */
static char *
headers_of_size(int port, size_t n)
{
	const char *fixed = "Host: " PIV "\r\n"; /* 4 + 27 + 4 = 35 */
	size_t base = 4 + strlen(PIV) + 4, pad;
	char *req = malloc(n + 256), *p;

	T_ASSERT(n > base + 9);
	pad = n - base - (5 + 4); /* "X-Pad" + ": " + "\r\n" */
	p = req + sprintf(req, "GET / HTTP/1.1\r\n%sX-Pad: ", fixed);
	memset(p, 'a', pad);
	p += pad;
	strcpy(p, "\r\nConnection: close\r\n\r\n");
	/* Connection: close adds 10 + 5 + 4 = 19 bytes; take them off the pad */
	memmove(req + (p - req) - 19, p, strlen(p) + 1);
	{
		char *resp = raw(port, req);
		free(req);
		return resp;
	}
}

static char *
url_of_size(int port, size_t n)
{
	char *req = malloc(n + 256), *p;
	char *resp;

	/* "/?x=aaa...": a long query keeps every path segment within its own limit */
	p = req + sprintf(req, "GET /?x=");
	memset(p, 'a', n - 4);
	p += n - 4;
	sprintf(p, " HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", PIV);
	resp = raw(port, req);
	free(req);
	return resp;
}

int
main(void)
{
	struct t_server srv;
	const char *dir = t_datadir(true);
	char *resp, conf[512], etag[64];
	const char *e;
	FILE *f;

	t_server_start(&srv, dir);

	/* every kind of response carries the header set */
	resp = raw(srv.port, "GET / HTTP/1.1\r\nHost: " PIV "\r\nConnection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 200);
	check_headers(resp, false, "page");
	free(resp);
	resp = raw(srv.port, "GET /feed.xml HTTP/1.1\r\nHost: " PIV "\r\nConnection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 200);
	check_headers(resp, false, "feed");
	free(resp);
	resp = raw(srv.port, "GET /static/style.css HTTP/1.1\r\nHost: " PIV
			     "\r\nConnection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 200);
	check_headers(resp, false, "static");
	e = strstr(resp, "\r\nETag: ");
	T_ASSERT(e != NULL);
	snprintf(etag, sizeof(etag), "%.*s", (int)strcspn(e + 8, "\r"), e + 8);
	free(resp);
	snprintf(conf, sizeof(conf),
	    "GET /static/style.css HTTP/1.1\r\nHost: " PIV "\r\nIf-None-Match: %s\r\n"
	    "Connection: close\r\n\r\n", etag);
	resp = raw(srv.port, conf);
	T_EQ_INT(t_raw_status(resp), 304);
	check_headers(resp, false, "304");
	free(resp);
	resp = raw(srv.port, "GET /posts/welcome/ HTTP/1.1\r\nHost: " PIV
			     "\r\nConnection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 301);
	T_CONTAINS(resp, "\r\nLocation: /posts/welcome\r\n");
	check_headers(resp, false, "redirect");
	free(resp);
	resp = raw(srv.port, "GET /nothing-here HTTP/1.1\r\nHost: " PIV "\r\nConnection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 404);
	check_headers(resp, false, "404");
	T_CONTAINS(resp, "Perfect Image Video"); /* in the site's layout */
	free(resp);
	resp = raw(srv.port, "GET /a//b HTTP/1.1\r\nHost: " PIV "\r\nConnection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 400);
	check_headers(resp, false, "400 bad path");
	free(resp);
	resp = raw(srv.port, "GET /%2e%2e/candor.conf HTTP/1.1\r\nHost: " PIV
			     "\r\nConnection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 400);
	free(resp);
	/* no redirect can leave the origin: "/\\host/" would become "//host" */
	resp = raw(srv.port, "GET /\\evil.example/ HTTP/1.1\r\nHost: " PIV
			     "\r\nConnection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 400);
	T_NOT_CONTAINS(resp, "Location:");
	free(resp);
	resp = raw(srv.port, "GET /%5Cevil.example/ HTTP/1.1\r\nHost: " PIV
			     "\r\nConnection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 400);
	free(resp);
	/* two Host headers: which site is meant is ambiguous, so neither is served */
	resp = raw(srv.port, "GET / HTTP/1.1\r\nHost: blog." PIV "\r\nHost: " PIV
			     "\r\nConnection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 400);
	check_headers(resp, false, "400 two hosts");
	free(resp);
	/* a refusal before routing still wears the site's layout */
	resp = url_of_size(srv.port, LIMIT_URL_BYTES + 1);
	T_CONTAINS(resp, "<title>Address too long · Perfect Image Video</title>");
	free(resp);

	/* methods: TRACE and others are 405 with Allow; HEAD is served */
	resp = raw(srv.port, "TRACE / HTTP/1.1\r\nHost: " PIV "\r\nConnection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 405);
	T_CONTAINS(resp, "\r\nAllow: ");
	check_headers(resp, false, "405 TRACE");
	free(resp);
	resp = raw(srv.port, "DELETE /posts/welcome HTTP/1.1\r\nHost: " PIV
			     "\r\nConnection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 405);
	free(resp);
	resp = raw(srv.port, "POST / HTTP/1.1\r\nHost: " PIV "\r\nContent-Type: "
			     "application/x-www-form-urlencoded\r\nContent-Length: 0\r\n"
			     "Connection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 405);
	T_CONTAINS(resp, "\r\nAllow: GET, HEAD\r\n");
	free(resp);
	resp = raw(srv.port, "HEAD / HTTP/1.1\r\nHost: " PIV "\r\nConnection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 200);
	T_NOT_CONTAINS(resp, "<html");
	free(resp);

	/* message framing */
	resp = raw(srv.port, "GET / HTTP/1.1\r\nHost: " PIV "\r\nContent-Length: 0\r\n"
			     "Content-Length: 5\r\nConnection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 400);
	check_headers(resp, false, "400 two lengths");
	free(resp);
	resp = raw(srv.port, "GET / HTTP/1.1\r\nHost: " PIV "\r\nContent-Length: 0\r\n"
			     "Content-Length: 0\r\nConnection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 200); /* the same value twice is not a conflict */
	free(resp);
	resp = raw(srv.port, "GET / HTTP/1.1\r\nHost: " PIV "\r\nContent-Length: 3\r\n"
			     "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n");
	T_ASSERT(t_raw_status(resp) == 400);
	free(resp);
	resp = raw(srv.port, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 400);
	free(resp);
	resp = raw(srv.port, "GET / HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 400);
	free(resp);
	/* a body on a route that takes none: 413 without reading it */
	resp = raw(srv.port, "GET / HTTP/1.1\r\nHost: " PIV "\r\nContent-Length: 1\r\n"
			     "Connection: close\r\n\r\nx");
	T_EQ_INT(t_raw_status(resp), 413);
	check_headers(resp, false, "413");
	free(resp);

	/* header block and URL limits at N and N+1 */
	resp = headers_of_size(srv.port, LIMIT_HEADER_BYTES);
	T_EQ_INT(t_raw_status(resp), 200);
	free(resp);
	resp = headers_of_size(srv.port, LIMIT_HEADER_BYTES + 1);
	T_EQ_INT(t_raw_status(resp), 431);
	check_headers(resp, false, "431");
	free(resp);
	resp = url_of_size(srv.port, LIMIT_URL_BYTES);
	T_EQ_INT(t_raw_status(resp), 200);
	free(resp);
	resp = url_of_size(srv.port, LIMIT_URL_BYTES + 1);
	T_EQ_INT(t_raw_status(resp), 414);
	check_headers(resp, false, "414");
	free(resp);

	/* X-Forwarded-Proto from an untrusted peer is ignored */
	resp = raw(srv.port, "GET / HTTP/1.1\r\nHost: " PIV "\r\nX-Forwarded-Proto: https\r\n"
			     "Connection: close\r\n\r\n");
	check_headers(resp, false, "untrusted proxy");
	free(resp);
	T_EQ_INT(t_server_stop(&srv), 0);

	/* behind a trusted TLS proxy: HSTS on every response */
	snprintf(conf, sizeof(conf), "%s/candor.conf", dir);
	f = fopen(conf, "a");
	T_ASSERT(f != NULL);
	fputs("\n[server]\ntrusted_proxies = 127.0.0.1\n", f);
	fclose(f);
	t_server_start(&srv, dir);
	resp = raw(srv.port, "GET / HTTP/1.1\r\nHost: " PIV "\r\nX-Forwarded-Proto: https\r\n"
			     "Connection: close\r\n\r\n");
	T_EQ_INT(t_raw_status(resp), 200);
	check_headers(resp, true, "trusted proxy page");
	free(resp);
	resp = raw(srv.port, "GET /missing HTTP/1.1\r\nHost: " PIV "\r\nX-Forwarded-Proto: https\r\n"
			     "Connection: close\r\n\r\n");
	check_headers(resp, true, "trusted proxy 404");
	free(resp);
	resp = raw(srv.port, "GET / HTTP/1.1\r\nHost: " PIV "\r\nConnection: close\r\n\r\n");
	check_headers(resp, false, "trusted proxy, plain http");
	free(resp);
	T_EQ_INT(t_server_stop(&srv), 0);
	return 0;
}
