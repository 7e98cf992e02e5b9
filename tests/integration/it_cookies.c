/*
 * it_cookies: the cookies an anonymous visitor meets (P18, P19, B5), through the real
 * server. A page view sets only the visitor cookie, with its exact attributes and a life
 * that ends with the UTC day; a fresh random id each time, also when the page comes
 * from the response cache; none with DNT: 1 or Sec-GPC: 1, none when the visitor
 * already has one, none on feeds, static files or errors; never a session cookie.
 * Over a trusted TLS proxy it is Secure. The preferences cookie picks the theme. Also
 * two things every form shares: a form sent from another site (Origin, Sec-Fetch-Site)
 * is refused even with a valid token (login CSRF), and a link token in a path never
 * reaches the access log.
 */
#include <time.h>

#include "testlib.h"

#define PIV "perfectimagevideo.localhost"

/* The value of the candor_visitor cookie set by r (static), or NULL when none. */
static const char *
visitor_id(const struct t_resp *r)
{
	static char id[128];
	const char *p = strstr(r->headers, "candor_visitor="), *end;

	if (p == NULL)
		return NULL;
	p += strlen("candor_visitor=");
	end = strchr(p, ';');
	T_ASSERT(end != NULL && (size_t)(end - p) < sizeof(id));
	memcpy(id, p, (size_t)(end - p));
	id[end - p] = '\0';
	return id;
}

/* Number of Set-Cookie lines in r. */
static int
set_cookies(const struct t_resp *r)
{
	const char *p = r->headers;
	int n = 0;

	while ((p = strstr(p, "\nSet-Cookie:")) != NULL) {
		n++;
		p++;
	}
	return n;
}

static void
get(struct t_resp *r, int port, const char *path, const char *header)
{
	const char *h[] = {header, NULL};

	t_http(r, port, "GET", PIV, path, header ? h : NULL, NULL);
}

int
main(void)
{
	struct t_server srv;
	struct t_resp r;
	const char *dir = t_datadir(true);
	static const char tls_req[] = "GET / HTTP/1.1\r\nHost: " PIV
				      "\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n";
	char first[128], conf[1200], *resp;
	const char *v, *age;
	long long max_age;
	int64_t now;
	FILE *f;

	t_server_start(&srv, dir);

	/* a page view: exactly one cookie, the visitor's, with its attributes */
	get(&r, srv.port, "/", NULL);
	T_EQ_INT(r.status, 200);
	T_EQ_INT(set_cookies(&r), 1);
	v = t_resp_header(&r, "Set-Cookie");
	T_ASSERT(v != NULL);
	T_CONTAINS(v, "candor_visitor=");
	T_CONTAINS(v, "; Path=/");
	T_CONTAINS(v, "; HttpOnly");
	T_CONTAINS(v, "; SameSite=Lax");
	T_NOT_CONTAINS(v, "Secure");
	T_NOT_CONTAINS(r.headers, "candor_session");
	age = strstr(v, "Max-Age=");
	T_ASSERT(age != NULL);
	max_age = atoll(age + 8);
	now = (int64_t)time(NULL);
	/* until the end of the UTC day, give or take a second of clock between the reads */
	T_ASSERT(max_age >= 1 && max_age <= 86400);
	T_ASSERT((now + max_age) % 86400 <= 2 || (now + max_age) % 86400 >= 86398);
	T_EQ_INT(strlen(visitor_id(&r)), 22); /* 128 random bits, base64url */
	snprintf(first, sizeof(first), "%s", visitor_id(&r));
	t_resp_free(&r);

	/* the same page again comes from the cache, yet with a new id of its own */
	get(&r, srv.port, "/", NULL);
	T_EQ_INT(r.status, 200);
	T_ASSERT(visitor_id(&r) != NULL);
	T_ASSERT(strcmp(visitor_id(&r), first) != 0);
	T_CONTAINS(r.body, "Who owns the footage?");
	t_resp_free(&r);
	get(&r, srv.port, "/posts/interview-lighting", NULL);
	T_ASSERT(visitor_id(&r) != NULL);
	t_resp_free(&r);

	/* Do Not Track and Global Privacy Control: counted, never marked (B5) */
	get(&r, srv.port, "/", "DNT: 1");
	T_EQ_INT(r.status, 200);
	T_EQ_INT(set_cookies(&r), 0);
	t_resp_free(&r);
	get(&r, srv.port, "/posts/interview-lighting", "Sec-GPC: 1");
	T_EQ_INT(r.status, 200);
	T_EQ_INT(set_cookies(&r), 0);
	t_resp_free(&r);
	get(&r, srv.port, "/", "DNT: 0");
	T_EQ_INT(set_cookies(&r), 1);
	t_resp_free(&r);

	/* a visitor who has one keeps it */
	get(&r, srv.port, "/", "Cookie: candor_visitor=abc");
	T_EQ_INT(r.status, 200);
	T_EQ_INT(set_cookies(&r), 0);
	t_resp_free(&r);

	/* a dead session cookie (unknown, or malformed) is forgotten */
	get(&r, srv.port, "/", "Cookie: candor_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	T_EQ_INT(r.status, 200);
	T_EQ_INT(set_cookies(&r), 1);
	T_CONTAINS(r.headers, "Set-Cookie: candor_session=; Path=/; HttpOnly; SameSite=Lax; "
			      "Max-Age=0");
	T_CONTAINS(r.body, "href=\"/login\"");
	t_resp_free(&r);
	get(&r, srv.port, "/", "Cookie: candor_session=short");
	T_CONTAINS(r.headers, "Set-Cookie: candor_session=; Path=/; HttpOnly; SameSite=Lax; "
			      "Max-Age=0");
	t_resp_free(&r);

	/* not on feeds, static files, errors */
	get(&r, srv.port, "/feed.xml", NULL);
	T_EQ_INT(r.status, 200);
	T_EQ_INT(set_cookies(&r), 0);
	t_resp_free(&r);
	get(&r, srv.port, "/robots.txt", NULL);
	T_EQ_INT(set_cookies(&r), 0);
	t_resp_free(&r);
	get(&r, srv.port, "/no-such-page", NULL);
	T_EQ_INT(r.status, 404);
	T_EQ_INT(set_cookies(&r), 0);
	t_resp_free(&r);

	/* the privacy page lists the three cookies from the inventory */
	get(&r, srv.port, "/privacy", "Cookie: candor_visitor=abc");
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "candor_visitor");
	T_CONTAINS(r.body, "__Host-candor_session");
	T_CONTAINS(r.body, "candor_prefs");
	t_resp_free(&r);

	/* the preferences cookie picks the theme; anything else is ignored */
	get(&r, srv.port, "/", "Cookie: candor_visitor=abc; candor_prefs=theme=dark");
	T_CONTAINS(r.body, "<html lang=\"en\" data-theme=\"dark\">");
	t_resp_free(&r);
	get(&r, srv.port, "/", "Cookie: candor_visitor=abc; candor_prefs=theme=light");
	T_CONTAINS(r.body, "<html lang=\"en\" data-theme=\"light\">");
	t_resp_free(&r);
	get(&r, srv.port, "/", "Cookie: candor_visitor=abc; candor_prefs=theme=\"><script>");
	T_CONTAINS(r.body, "<html lang=\"en\">");
	T_NOT_CONTAINS(r.body, "<script");
	t_resp_free(&r);
	/* a form from another site is refused, whatever its token */
	{
		struct t_resp page;
		const char *tok, *end;
		char csrf[128], body[256];
		const char *evil[] = {"Content-Type: application/x-www-form-urlencoded",
		    "Origin: http://evil.example", NULL};
		const char *cross[] = {"Content-Type: application/x-www-form-urlencoded",
		    "Sec-Fetch-Site: cross-site", NULL};
		const char *same[] = {"Content-Type: application/x-www-form-urlencoded",
		    "Origin: http://" PIV ":8080", "Sec-Fetch-Site: same-origin", NULL};

		get(&page, srv.port, "/login", NULL);
		T_EQ_INT(page.status, 200);
		tok = strstr(page.body, "name=\"csrf\" value=\"");
		T_ASSERT(tok != NULL);
		tok += strlen("name=\"csrf\" value=\"");
		end = strchr(tok, '"');
		T_ASSERT(end != NULL && (size_t)(end - tok) < sizeof(csrf));
		snprintf(csrf, sizeof(csrf), "%.*s", (int)(end - tok), tok);
		t_resp_free(&page);
		snprintf(body, sizeof(body), "csrf=%s&login=nobody&password=x", csrf);
		t_http(&r, srv.port, "POST", PIV, "/login", evil, body);
		T_EQ_INT(r.status, 403);
		T_CONTAINS(r.body, "This form was sent from another site");
		t_resp_free(&r);
		t_http(&r, srv.port, "POST", PIV, "/login", cross, body);
		T_EQ_INT(r.status, 403);
		T_CONTAINS(r.body, "This form was sent from another site");
		t_resp_free(&r);
		/* the same form from its own page goes through (and the name is unknown) */
		t_http(&r, srv.port, "POST", PIV, "/login", same, body);
		T_EQ_INT(r.status, 400);
		T_NOT_CONTAINS(r.body, "another site");
		t_resp_free(&r);
		/* a proxy that rewrites Host (the site reached through default_site) still
		 * passes the browser's Origin, the site's own name: accepted */
		t_http(&r, srv.port, "POST", "127.0.0.1", "/login", same, body);
		T_EQ_INT(r.status, 400);
		T_NOT_CONTAINS(r.body, "another site");
		t_resp_free(&r);
	}

	/* a link token never reaches the access log */
	get(&r, srv.port, "/reset/Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9", NULL);
	T_EQ_INT(r.status, 400);
	t_resp_free(&r);
	/* ...nor does it when no route matched (a trailing slash, a segment too many) */
	get(&r, srv.port, "/reset/Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9/", NULL);
	T_EQ_INT(r.status, 301);
	t_resp_free(&r);
	get(&r, srv.port, "/verify/Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9/x", NULL);
	T_EQ_INT(r.status, 404);
	t_resp_free(&r);
	T_EQ_INT(t_server_stop(&srv), 0);
	{
		char *log = t_read_file(srv.log, NULL);

		T_ASSERT(log != NULL);
		T_CONTAINS(log, "path=\"/reset/:token\" status=400");
		T_CONTAINS(log, "path=\"/verify/:token/x\" status=404");
		T_NOT_CONTAINS(log, "Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9");
		free(log);
	}

	/* behind a trusted TLS proxy the visitor cookie is Secure */
	snprintf(conf, sizeof(conf), "%s/candor.conf", dir);
	f = fopen(conf, "a");
	T_ASSERT(f != NULL);
	fputs("\n[server]\ntrusted_proxies = 127.0.0.1\n", f);
	fclose(f);
	t_server_start(&srv, dir);
	resp = t_raw(srv.port, tls_req, strlen(tls_req), 3000);
	T_ASSERT(resp != NULL);
	T_CONTAINS(resp, "candor_visitor=");
	T_CONTAINS(resp, "; Secure");
	free(resp);
	T_EQ_INT(t_server_stop(&srv), 0);
	return 0;
}
