/*
 * it_pages: the demo renders through the real server: home, posts, pages, privacy,
 * Atom feed, sitemap, robots.txt, the second site by Host, pagination, drafts never
 * served, static files with ETag and 304, and the 500 page with its reference id.
 */
#include "store/store.h"
#include "testlib.h"

#include <unistd.h>

#define PIV "perfectimagevideo.localhost"
#define BLOG "blog.perfectimagevideo.localhost"

static void
get(struct t_resp *r, int port, const char *host, const char *path)
{
	t_http(r, port, "GET", host, path, NULL, NULL);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	T_ASSERT(f != NULL);
	fputs(text, f);
	fclose(f);
}

int
main(void)
{
	struct t_server srv;
	struct t_resp r;
	const char *dir = t_datadir(true);
	char md[300], *out = NULL, etag[64], path[64];
	int i;

	t_server_start(&srv, dir);

	/* home of the default site, newest post first */
	get(&r, srv.port, NULL, "/");
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<title>Perfect Image Video</title>");
	T_CONTAINS(r.body, "Who owns the footage?");
	T_ASSERT(strstr(r.body, "Who owns the footage?") < strstr(r.body, "Welcome to Perfect"));
	T_CONTAINS(r.body, "href=\"/pages/about\"");
	T_NOT_CONTAINS(r.body, "<script");
	T_NOT_CONTAINS(r.body, "http://"); /* no third-party origin */
	t_resp_free(&r);

	/* a post, a page, the privacy policy */
	get(&r, srv.port, PIV, "/posts/interview-lighting");
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<h1>Three lessons in interview lighting</h1>");
	T_CONTAINS(r.body, "<strong>Turn the subject towards the window.</strong>");
	T_CONTAINS(r.body, "<blockquote>");
	t_resp_free(&r);
	get(&r, srv.port, PIV, "/pages/about");
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<h2>What we do</h2>");
	t_resp_free(&r);
	get(&r, srv.port, PIV, "/privacy");
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<h1>Privacy Policy</h1>");
	T_CONTAINS(r.body, "Version 1");
	T_CONTAINS(r.body, "commenter IP addresses are visible and disclosed to the administrators");
	T_CONTAINS(r.body, "<h2>Cookies</h2>");
	t_resp_free(&r);

	/* the second site by Host; it never shows the first site's posts */
	get(&r, srv.port, BLOG, "/");
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "PIV Blog");
	T_CONTAINS(r.body, "Why we record room tone");
	T_NOT_CONTAINS(r.body, "Who owns the footage?");
	t_resp_free(&r);
	get(&r, srv.port, "BLOG.PerfectImageVideo.localhost:8080", "/posts/room-tone");
	T_EQ_INT(r.status, 200);
	t_resp_free(&r);
	get(&r, srv.port, BLOG, "/posts/welcome");
	T_EQ_INT(r.status, 404);
	T_CONTAINS(r.body, "PIV Blog"); /* the error page wears the site's layout */
	t_resp_free(&r);

	/* Atom feed */
	get(&r, srv.port, PIV, "/feed.xml");
	T_EQ_INT(r.status, 200);
	T_EQ_STR(t_resp_header(&r, "Content-Type"), "application/atom+xml; charset=utf-8");
	T_CONTAINS(r.body, "<feed xmlns=\"http://www.w3.org/2005/Atom\">");
	T_CONTAINS(r.body, "<id>http://perfectimagevideo.localhost:8080/posts/welcome</id>");
	T_CONTAINS(r.body, "<updated>");
	T_CONTAINS(r.body, "&lt;strong&gt;");
	t_resp_free(&r);
	get(&r, srv.port, PIV, "/sitemap.xml");
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<loc>http://perfectimagevideo.localhost:8080/pages/about</loc>");
	t_resp_free(&r);
	get(&r, srv.port, PIV, "/robots.txt");
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Sitemap: http://perfectimagevideo.localhost:8080/sitemap.xml");
	t_resp_free(&r);
	get(&r, srv.port, PIV, "/healthz");
	T_EQ_INT(r.status, 200);
	T_EQ_STR(r.body, "ok\n");
	t_resp_free(&r);

	/* drafts are never served; pagination at 10 per page */
	snprintf(md, sizeof(md), "%s/draft.md", t_tmpdir());
	write_file(md, "Secret *draft* text.\n");
	T_EQ_INT(t_candor(&out, "post", "add", "--data", dir, "--site", BLOG, "--title",
		     "Unfinished", "--file", md, "--slug", "unfinished", "--draft", NULL), 0);
	free(out);
	get(&r, srv.port, BLOG, "/posts/unfinished");
	T_EQ_INT(r.status, 404);
	t_resp_free(&r);
	get(&r, srv.port, BLOG, "/feed.xml");
	T_NOT_CONTAINS(r.body, "Unfinished");
	t_resp_free(&r);
	for (i = 0; i < 10; i++) {
		char title[32];
		snprintf(title, sizeof(title), "Filler %02d", i);
		T_EQ_INT(t_candor(&out, "post", "add", "--data", dir, "--site", BLOG, "--title",
			     title, "--file", md, NULL), 0);
		free(out);
	}
	/* another process's writes reach the page cache within 100 ms (web/app.c) */
	usleep(150000);
	get(&r, srv.port, BLOG, "/");
	T_CONTAINS(r.body, "Page 1 of 2");
	T_CONTAINS(r.body, "href=\"/?page=2\" rel=\"next\"");
	T_CONTAINS(r.body, "Filler 09");
	T_NOT_CONTAINS(r.body, "Hello from the crew");
	t_resp_free(&r);
	get(&r, srv.port, BLOG, "/?page=2");
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Hello from the crew");
	T_CONTAINS(r.body, "rel=\"prev\"");
	t_resp_free(&r);
	get(&r, srv.port, BLOG, "/?page=3");
	T_EQ_INT(r.status, 404);
	t_resp_free(&r);
	get(&r, srv.port, BLOG, "/?page=abc");
	T_EQ_INT(r.status, 400);
	t_resp_free(&r);

	/* static files: long cache, ETag, 304 */
	get(&r, srv.port, PIV, "/static/style.css");
	T_EQ_INT(r.status, 200);
	T_EQ_STR(t_resp_header(&r, "Content-Type"), "text/css; charset=utf-8");
	T_EQ_STR(t_resp_header(&r, "Cache-Control"), "public, max-age=31536000, immutable");
	T_ASSERT(t_resp_header(&r, "ETag") != NULL);
	snprintf(etag, sizeof(etag), "If-None-Match: %s", t_resp_header(&r, "ETag"));
	t_resp_free(&r);
	{
		const char *h[] = {etag, NULL};
		t_http(&r, srv.port, "GET", PIV, "/static/style.css", h, NULL);
		T_EQ_INT(r.status, 304);
		T_EQ_INT(r.body_len, 0);
		t_resp_free(&r);
	}
	get(&r, srv.port, PIV, "/static/nope.css");
	T_EQ_INT(r.status, 404);
	t_resp_free(&r);

	/* a storage failure is a 500 page with a reference id that is also in the log */
	{
		/* policy_acceptances refers to it: PostgreSQL needs CASCADE, SQLite has none */
		static const struct store_stmt drop = {"drop", "DROP TABLE policy_versions"};
		static const struct store_stmt drop_pg = {"drop_pg",
		    "DROP TABLE policy_versions CASCADE"};
		char url[1200], msg[256], *conf, *log, *ref;
		struct store *s;
		enum err e;

		snprintf(path, sizeof(path), "%s", "/privacy");
		conf = t_read_file(strcat(strcpy(url, dir), "/candor.conf"), NULL);
		T_ASSERT(conf != NULL);
		if (strcmp(t_backend(), "postgres") == 0) {
			char *p = strstr(conf, "database = ");
			T_ASSERT(p != NULL);
			p += strlen("database = ");
			snprintf(url, sizeof(url), "%.*s", (int)strcspn(p, "\n"), p);
		} else {
			snprintf(url, sizeof(url), "sqlite:%s/candor.db", dir);
		}
		free(conf);
		s = store_open(url, NULL, &e, msg, sizeof(msg));
		T_ASSERT(s != NULL);
		T_EQ_INT(store_exec(s, strcmp(t_backend(), "postgres") == 0 ? &drop_pg : &drop),
		    ERR_OK);
		store_close(s);
		get(&r, srv.port, PIV, path);
		T_EQ_INT(r.status, 500);
		T_CONTAINS(r.body, "Perfect Image Video");
		ref = strstr(r.body, "class=\"error-ref\">");
		T_ASSERT(ref != NULL);
		ref += strlen("class=\"error-ref\">");
		ref[16] = '\0';
		log = t_read_file(srv.log, NULL);
		T_CONTAINS(log, ref);
		free(log);
		t_resp_free(&r);
	}

	T_EQ_INT(t_server_stop(&srv), 0);
	return 0;
}
