/*
 * search: /search?q= over a site's published (and due) posts and pages (issue 6, item
 * 4). The query is echoed escaped like any template value; a snippet comes from the
 * index as plain text with SEARCH_MARK_* bytes around matches, is escaped here piece by
 * piece, and only then are the markers turned into <mark> and </mark>, so nothing a
 * post or a query holds can become markup. Search answers are not cached (the query
 * string is not among web_cache_query_params) and never carry anything personal.
 */
#include <string.h>

#include "web/web_int.h"

/* The snippet s as HTML: text escaped, markers as <mark> elements (balanced). */
static const char *
search_snippet_html(struct arena *a, const char *s)
{
	struct buf b, seg;
	const char *p;
	bool open = false;
	char *r;

	buf_init(&b);
	buf_init(&seg);
	for (p = s;; p++) {
		if (*p && *p != SEARCH_MARK_START && *p != SEARCH_MARK_END) {
			buf_putc(&seg, *p);
			continue;
		}
		if (seg.len) {
			buf_putc(&seg, '\0');
			tmpl_escape_text(&b, seg.data);
			buf_reset(&seg);
		}
		if (*p == '\0')
			break;
		if (*p == SEARCH_MARK_START && !open) {
			buf_puts(&b, "<mark>");
			open = true;
		} else if (*p == SEARCH_MARK_END && open) {
			buf_puts(&b, "</mark>");
			open = false;
		}
	}
	if (open)
		buf_puts(&b, "</mark>");
	r = b.failed || seg.failed ? NULL : arena_strdup(a, b.data ? b.data : "");
	buf_free(&b);
	buf_free(&seg);
	return r;
}

/* "/search?q=QUERY&page=N" (page 1 without the parameter). */
static const char *
search_href(struct arena *a, const char *q, long long page)
{
	struct buf b;
	char *r;

	buf_init(&b);
	buf_puts(&b, "/search?q=");
	http_url_encode(&b, q);
	if (page > 1)
		buf_printf(&b, "&page=%lld", page);
	r = b.failed ? NULL : arena_strdup(a, b.data);
	buf_free(&b);
	return r;
}

static void
search_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct tmpl_val *ctx, *list, *item, *pg;
	struct search_hit *hits = NULL;
	struct store *s;
	struct site site;
	const char *q = http_query(req, "q"), *pq = http_query(req, "page"), *error = NULL;
	char terms[SEARCH_TERMS_SIZE], iso[21], human[32];
	long long page = 1;
	int64_t total = 0, pages;
	size_t n = 0, i, qlen;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	res->cache_control = "no-cache";
	if (q == NULL)
		q = "";
	qlen = strlen(q);
	if (str_utf8_len(q, qlen) > LIMIT_SEARCH_QUERY) {
		res->status = 400;
		error = "A search is at most 200 characters long.";
	} else if (pq && strnum(pq, 1, LIMIT_SEARCH_PAGES, &page) != ERR_OK) {
		res->status = 400;
		error = "The page number is not valid.";
		page = 1;
	} else if (qlen > 0 && search_terms(q, qlen, terms, sizeof(terms)) == 0) {
		error = "Type a word to search for: letters or digits.";
	} else if (qlen > 0) {
		if ((e = search_query(s, req->arena, site.id, q, (page - 1) * LIMIT_SEARCH_PER_PAGE,
			 LIMIT_SEARCH_PER_PAGE, &hits, &n, &total)) != ERR_OK) {
			res->status = e == ERR_UNAVAIL ? 503 : 500;
			return;
		}
		if (n == 0 && page > 1) {
			res->status = 404;
			error = "There is no such page of results.";
		}
	}
	if ((ctx = web_context(app, req, res, &site, s)) == NULL)
		return;
	tmpl_set_str(ctx, "page_title", qlen ? arena_printf(req->arena, "Search: %s", q) : "Search");
	tmpl_set_str(ctx, "search_query", q);
	tmpl_set_str(ctx, "query", q);
	tmpl_set_bool(ctx, "searched", qlen > 0 && error == NULL);
	tmpl_set_str(ctx, "search_error", error);
	tmpl_set_int(ctx, "total", total);
	tmpl_set_bool(ctx, "one", total == 1);
	list = tmpl_set_list(ctx, "results");
	for (i = 0; i < n && list; i++) {
		item = tmpl_list_add(list);
		tmpl_set_str(item, "title", hits[i].title);
		tmpl_set_str(item, "href", arena_printf(req->arena, "/%s/%s",
		    hits[i].kind == POST_KIND_PAGE ? "pages" : "posts", hits[i].slug));
		tmpl_set_html(item, "snippet", search_snippet_html(req->arena, hits[i].snippet));
		if (hits[i].kind == POST_KIND_POST) {
			time_rfc3339(hits[i].published_at, iso);
			time_human_date(hits[i].published_at, human);
			tmpl_set_str(item, "date_iso", iso);
			tmpl_set_str(item, "date_human", human);
		}
	}
	pages = total ? (total + LIMIT_SEARCH_PER_PAGE - 1) / LIMIT_SEARCH_PER_PAGE : 1;
	if (pages > LIMIT_SEARCH_PAGES)
		pages = LIMIT_SEARCH_PAGES;
	if (pages > 1 && error == NULL) {
		pg = tmpl_set_obj(ctx, "pagination");
		tmpl_set_int(pg, "page", page);
		tmpl_set_int(pg, "pages", pages);
		if (page > 1)
			tmpl_set_str(pg, "prev_href", search_href(req->arena, q, page - 1));
		if (page < pages)
			tmpl_set_str(pg, "next_href", search_href(req->arena, q, page + 1));
	}
	web_render(app, res, "search", ctx);
}

enum err
web_routes_search(struct web_app *app)
{
	static const struct web_route routes[] = {
		{"GET", "/search", search_get, 0, 0},
	};

	return web_routes_add(app, routes, COUNTOF(routes));
}
