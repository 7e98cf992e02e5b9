/*
 * router: method + path pattern -> handler. Patterns are split into segments once at
 * registration; matching compares decoded request segments, so "/posts/:slug" matches
 * "/posts/hello%20world" with slug "hello world". A path that matches a route of another
 * method only yields 405 with an Allow header. GET routes also answer HEAD.
 */
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

struct http_route {
	char method[8];
	char *segs[LIMIT_PATH_SEGMENTS];
	size_t nsegs;
	bool tail; /* last pattern segment is "*" */
	http_handler fn;
	size_t body_limit;
	unsigned flags;
};

struct http_router {
	struct http_route *routes;
	size_t n;
};

struct http_router *
http_router_new(void)
{
	return calloc(1, sizeof(struct http_router));
}

void
http_router_free(struct http_router *r)
{
	size_t i, k;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		for (k = 0; k < r->routes[i].nsegs; k++)
			free(r->routes[i].segs[k]);
	free(r->routes);
	free(r);
}

enum err
http_route_add(struct http_router *r, const char *method, const char *pattern, http_handler fn,
    size_t body_limit, unsigned flags)
{
	struct http_route rt, *grown;
	const char *p = pattern, *end;

	memset(&rt, 0, sizeof(rt));
	if (strcmp(method, "GET") && strcmp(method, "POST"))
		return ERR_INVAL;
	str_copy(rt.method, method, sizeof(rt.method));
	rt.fn = fn;
	rt.body_limit = body_limit;
	rt.flags = flags;
	if (*p != '/')
		return ERR_INVAL;
	while (*p == '/' && p[1] != '\0') {
		p++;
		end = strchr(p, '/');
		if (end == NULL)
			end = p + strlen(p);
		if (rt.nsegs == LIMIT_PATH_SEGMENTS || rt.tail)
			goto fail;
		if ((rt.segs[rt.nsegs++] = strndup(p, (size_t)(end - p))) == NULL)
			goto fail;
		if (strcmp(rt.segs[rt.nsegs - 1], "*") == 0)
			rt.tail = true;
		p = end;
	}
	if ((grown = realloc(r->routes, (r->n + 1) * sizeof(*grown))) == NULL)
		goto fail;
	r->routes = grown;
	r->routes[r->n++] = rt;
	return ERR_OK;
fail:
	while (rt.nsegs)
		free(rt.segs[--rt.nsegs]);
	return ERR_NOMEM;
}

/* Does route rt match the request's segments? Fills the request's params if so. */
static bool
router_match_one(const struct http_route *rt, struct http_request *req, bool fill)
{
	size_t i, n = rt->tail ? rt->nsegs - 1 : rt->nsegs;

	if (rt->tail ? req->nsegs < rt->nsegs : req->nsegs != rt->nsegs)
		return false;
	for (i = 0; i < n; i++)
		if (rt->segs[i][0] != ':' && strcmp(rt->segs[i], req->segs[i]) != 0)
			return false;
	if (!fill)
		return true;
	req->nparams = 0;
	for (i = 0; i < n; i++)
		if (rt->segs[i][0] == ':') {
			req->param_names[req->nparams] = rt->segs[i] + 1;
			req->param_values[req->nparams++] = req->segs[i];
		}
	if (rt->tail) {
		/* the remainder, re-joined with '/' (segments never contain '/') */
		struct buf b;
		buf_init(&b);
		for (i = n; i < req->nsegs; i++) {
			if (i > n)
				buf_putc(&b, '/');
			buf_puts(&b, req->segs[i]);
		}
		req->param_names[req->nparams] = "*";
		req->param_values[req->nparams++] =
		    b.data && !b.failed ? arena_strdup(req->arena, b.data) : "";
		buf_free(&b);
	}
	return true;
}

const struct http_route *
http_router_find(const struct http_router *r, struct http_request *req, char *allow,
    size_t allowsize, bool *path_known)
{
	const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
	size_t i;

	*path_known = false;
	allow[0] = '\0';
	for (i = 0; i < r->n; i++) {
		const struct http_route *rt = &r->routes[i];
		if (!router_match_one(rt, req, false))
			continue;
		*path_known = true;
		if (strcmp(rt->method, method) == 0) {
			router_match_one(rt, req, true);
			return rt;
		}
		if (strstr(allow, rt->method) == NULL) {
			if (allow[0])
				strncat(allow, ", ", allowsize - strlen(allow) - 1);
			strncat(allow, rt->method, allowsize - strlen(allow) - 1);
			if (strcmp(rt->method, "GET") == 0)
				strncat(allow, ", HEAD", allowsize - strlen(allow) - 1);
		}
	}
	return NULL;
}

http_handler
http_route_handler(const struct http_route *rt)
{
	return rt->fn;
}

unsigned
http_route_flags(const struct http_route *rt)
{
	return rt->flags;
}

size_t
http_route_body_limit(const struct http_route *rt)
{
	return rt->body_limit;
}

const char *
http_param(const struct http_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nparams; i++)
		if (strcmp(req->param_names[i], name) == 0)
			return req->param_values[i];
	return NULL;
}
