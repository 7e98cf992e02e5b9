/*
 * server: candor's HTTP/1.1 server on libmicrohttpd (epoll, internal thread pool).
 *
 * Per request: MHD calls uri_log first with the raw request target; we allocate the
 * request's arena and state there. The first access-handler call checks every limit of
 * SECURITY.md ourselves, because MHD does not (conflicting Content-Length, header block
 * size, URL length, missing Host) and because MHD's own error responses carry none of
 * our headers. We answer in the *second* call (the two-call pattern): queueing a
 * response in the first call makes MHD drop keep-alive. Errors found in the first call
 * are answered at once, without reading a body, and the connection then closes.
 *
 * Invariants: every response goes through server_queue, which adds Content-Type and the
 * security header set; the access log carries no IP address and no User-Agent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "http/http_int.h"

#define HTTP_MAX_PROXIES 16

struct http_server {
	struct MHD_Daemon *daemon;
	struct http_server_config cfg;
	char proxies[HTTP_MAX_PROXIES][INET6_ADDRSTRLEN];
	size_t nproxies;
	int log_fd; /* -1: access log off */
	atomic_int inflight;
	int port;
};

struct http_state {
	struct http_request req;
	struct http_server *srv;
	const struct http_route *route;
	struct buf body;
	size_t body_limit;
	bool body_too_big;
	bool started;
	int status;
	size_t bytes;
};

/* ------------------------------------------------------------ header checks ---- */

struct header_scan {
	size_t bytes;
	int content_length_count;
	const char *content_length;
	bool content_length_conflict;
	bool transfer_encoding;
	bool bad_value;
	int host_count;
};

static enum MHD_Result
header_scan_one(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
    const char *value, size_t value_size)
{
	struct header_scan *hs = cls;

	hs->bytes += key_size + value_size + 4; /* "name: value\r\n" */
	if (value && (memchr(value, '\r', value_size) || memchr(value, '\n', value_size) ||
			 memchr(value, '\0', value_size)))
		hs->bad_value = true;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		if (hs->content_length_count++ > 0 && strcmp(hs->content_length, value) != 0)
			hs->content_length_conflict = true;
		hs->content_length = value;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		hs->transfer_encoding = true;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0) {
		hs->host_count++;
	}
	return MHD_YES;
}

/* The peer's address as text into ip ("" when unknown). */
static void
server_peer_ip(struct MHD_Connection *c, char ip[INET6_ADDRSTRLEN])
{
	const union MHD_ConnectionInfo *ci;

	ip[0] = '\0';
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, ip,
		    INET6_ADDRSTRLEN);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr,
		    ip, INET6_ADDRSTRLEN);
}

static bool
server_peer_trusted(struct http_server *srv, struct MHD_Connection *c)
{
	char ip[INET6_ADDRSTRLEN];
	size_t i;

	if (srv->nproxies == 0)
		return false;
	server_peer_ip(c, ip);
	for (i = 0; i < srv->nproxies; i++)
		if (strcmp(srv->proxies[i], ip) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------- responses ---- */

static void
server_error_ref(char out[17])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[8];
	int i;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		memset(r, 0, sizeof(r));
	for (i = 0; i < 8; i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 15];
	}
	out[16] = '\0';
}

/* A cached body, reference-counted: the cached response holds one reference and each
 * per-request copy (one with a Set-Cookie of its own) another, so an entry replaced
 * while a copy is still being sent frees nothing under it. */
struct cache_blob {
	atomic_int refs;
	size_t len;
	char data[];
};

static void
cache_blob_unref(void *cls)
{
	struct cache_blob *b = cls;

	if (b && atomic_fetch_sub(&b->refs, 1) == 1)
		free(b);
}

static size_t server_per_request(struct http_state *st, int status, const char *content_type,
    struct http_header_line *out, size_t max);

/* Tells the app a response was queued (http_server_config.on_response). */
static void
server_record(struct http_state *st, int status, const char *content_type)
{
	if (st->srv->cfg.on_response)
		st->srv->cfg.on_response(&st->req, status,
		    content_type ? content_type : "text/html; charset=utf-8", st->srv->cfg.app);
}

/* A body that holds personal data (an export): wiped when MHD is done with it. */
struct wiped_body {
	char *data;
	size_t len;
};

static void
server_wipe_body(void *cls)
{
	struct wiped_body *w = cls;

	if (w->data)
		explicit_bzero(w->data, w->len);
	free(w->data);
	free(w);
}

/* A response that sends data (len bytes, malloc'd; taken) and wipes it afterwards. */
static struct MHD_Response *
server_response_wiped(char *data, size_t len)
{
	struct MHD_Response *r;
	struct wiped_body *w;

	if ((w = malloc(sizeof(*w))) == NULL) {
		if (data)
			explicit_bzero(data, len);
		free(data);
		return NULL;
	}
	w->data = data;
	w->len = len;
	if ((r = MHD_create_response_from_buffer_with_free_callback_cls(len, data,
		 server_wipe_body, w)) == NULL)
		server_wipe_body(w);
	return r;
}

/* Builds the MHD response for res with our full header set. Takes the body, or, when
 * blob is set, sends blob's bytes instead (taking its reference). */
static struct MHD_Response *
server_build_from(struct http_state *st, struct http_response *res, struct cache_blob *blob,
    size_t *lenp)
{
	struct MHD_Response *r;
	const char *cc;
	size_t i, len;
	char *data;

	if (res->status == 0)
		res->status = 200;
	if (blob) {
		len = res->body.len;
		r = MHD_create_response_from_buffer_with_free_callback_cls(len, blob->data,
		    cache_blob_unref, blob);
		if (r == NULL)
			cache_blob_unref(blob);
	} else if (res->static_body) {
		len = res->static_len;
		r = MHD_create_response_from_buffer(len, (void *)res->static_body,
		    MHD_RESPMEM_PERSISTENT);
	} else {
		if (res->body.failed) {
			buf_reset(&res->body);
			res->status = 500;
		}
		data = buf_take(&res->body, &len);
		if (res->wipe_body)
			r = server_response_wiped(data, len);
		else if ((r = MHD_create_response_from_buffer(len, data,
			      MHD_RESPMEM_MUST_FREE)) == NULL)
			free(data);
	}
	if (r == NULL)
		return NULL;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    res->content_type ? res->content_type : "text/html; charset=utf-8");
	for (i = 0; i < http_security_headers_count; i++)
		MHD_add_response_header(r, http_security_headers[i].name,
		    http_security_headers[i].value);
	if (st->req.tls)
		MHD_add_response_header(r, "Strict-Transport-Security", HTTP_HSTS);
	/* a page made for a signed-in person is stored by no cache at all */
	cc = res->cache_control ? res->cache_control : "no-cache";
	if (st->req.app_user && strcmp(cc, "no-store") != 0)
		cc = "private, no-store";
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cc);
	if (res->location)
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, res->location);
	if (res->etag)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, res->etag);
	for (i = 0; i < res->nextra; i++)
		MHD_add_response_header(r, res->extra[i].name, res->extra[i].value);
	*lenp = len;
	return r;
}

static struct MHD_Response *
server_build(struct http_state *st, struct http_response *res, size_t *lenp)
{
	return server_build_from(st, res, NULL, lenp);
}

/* Queues res on the connection with our full header set and the app's per-request
 * headers. Takes the body. */
static enum MHD_Result
server_queue(struct http_state *st, struct http_response *res)
{
	struct MHD_Response *r;
	enum MHD_Result ok;
	size_t len = 0;

	res->nextra += server_per_request(st, res->status ? res->status : 200,
	    res->content_type, res->extra + res->nextra, HTTP_MAX_EXTRA_HEADERS - res->nextra);
	if ((r = server_build(st, res, &len)) == NULL)
		return MHD_NO;
	st->status = res->status;
	st->bytes = len;
	ok = MHD_queue_response(st->req.conn, (unsigned int)res->status, r);
	MHD_destroy_response(r);
	if (ok == MHD_YES)
		server_record(st, res->status, res->content_type);
	return ok;
}

/* The app's per-request headers for a response (http_server_config). */
static size_t
server_per_request(struct http_state *st, int status, const char *content_type,
    struct http_header_line *out, size_t max)
{
	if (st->srv->cfg.per_request_headers == NULL)
		return 0;
	return st->srv->cfg.per_request_headers(&st->req, status,
	    content_type ? content_type : "text/html; charset=utf-8", out, max, st->srv->cfg.app);
}

/* ------------------------------------------------------------ response cache ---- */
/*
 * Per-thread, direct-mapped: no locks on the request path. An entry holds a built MHD
 * response (MHD reference-counts it, so it may be queued on many connections and
 * replaced while one is still sending it), the generation it was built under, and
 * its birth time. See http_server_config.cache_generation.
 */

struct cache_table {
	struct cache_entry *slots; /* LIMIT_CACHE_SLOTS */
	size_t bytes;              /* body bytes held, at most LIMIT_CACHE_BYTES */
};

struct cache_entry {
	uint64_t hash;
	char *key;
	uint64_t generation;
	int64_t born_ms;
	struct MHD_Response *resp;
	struct cache_blob *blob; /* resp's body, shared with per-request copies */
	size_t bytes;
	char site[64];
	int64_t site_id;
};


struct cache_copy {
	struct MHD_Response *to;
	bool failed;
};

static enum MHD_Result
cache_copy_header(void *cls, enum MHD_ValueKind kind, const char *name, const char *value)
{
	struct cache_copy *c = cls;

	if (kind == MHD_HEADER_KIND && MHD_add_response_header(c->to, name, value) != MHD_YES)
		c->failed = true;
	return MHD_YES;
}

/* A response with blob's body, every header of like, and n more lines; NULL on failure. */
static struct MHD_Response *
cache_response_with(struct cache_blob *blob, struct MHD_Response *like,
    const struct http_header_line *more, size_t n)
{
	struct MHD_Response *r;
	struct cache_copy c;
	size_t i;

	atomic_fetch_add(&blob->refs, 1);
	r = MHD_create_response_from_buffer_with_free_callback_cls(blob->len, blob->data,
	    cache_blob_unref, blob);
	if (r == NULL) {
		cache_blob_unref(blob);
		return NULL;
	}
	c.to = r;
	c.failed = false;
	MHD_get_response_headers(like, cache_copy_header, &c);
	for (i = 0; i < n && !c.failed; i++)
		if (MHD_add_response_header(r, more[i].name, more[i].value) != MHD_YES)
			c.failed = true;
	if (c.failed) {
		MHD_destroy_response(r);
		return NULL;
	}
	return r;
}

/* Queues a cached response, with a per-request copy when the app adds headers. */
static enum MHD_Result
server_queue_cached(struct http_state *st, struct MHD_Response *resp, struct cache_blob *blob,
    int status)
{
	struct http_header_line more[HTTP_MAX_EXTRA_HEADERS];
	struct MHD_Response *copy;
	const char *type = MHD_get_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE);
	enum MHD_Result ok;
	size_t n;

	if ((n = server_per_request(st, status, type, more, COUNTOF(more))) == 0) {
		ok = MHD_queue_response(st->req.conn, (unsigned int)status, resp);
	} else {
		if ((copy = cache_response_with(blob, resp, more, n)) == NULL)
			return MHD_NO;
		ok = MHD_queue_response(st->req.conn, (unsigned int)status, copy);
		MHD_destroy_response(copy);
	}
	if (ok == MHD_YES)
		server_record(st, status, type);
	return ok;
}

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void
cache_free(void *p)
{
	struct cache_table *t = p;
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < LIMIT_CACHE_SLOTS; i++) {
		free(t->slots[i].key);
		if (t->slots[i].resp)
			MHD_destroy_response(t->slots[i].resp); /* drops its blob reference */
	}
	free(t->slots);
	free(t);
}

static void
cache_init(void)
{
	pthread_key_create(&cache_key, cache_free);
}

static struct cache_table *
cache_table(void)
{
	struct cache_table *t;

	pthread_once(&cache_once, cache_init);
	if ((t = pthread_getspecific(cache_key)) == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL)
			return NULL;
		if ((t->slots = calloc(LIMIT_CACHE_SLOTS, sizeof(*t->slots))) == NULL ||
		    pthread_setspecific(cache_key, t) != 0) {
			free(t->slots);
			free(t);
			return NULL;
		}
	}
	return t;
}

/* FNV-1a over the key. */
static uint64_t
cache_hash(const char *k)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *k; k++) {
		h ^= (unsigned char)*k;
		h *= 1099511628211ULL;
	}
	return h;
}

/* True when every cookie of the request is one of cache_neutral_cookies (a Cookie header
 * that did not parse counts as personal). */
static bool
cache_cookies_neutral(struct http_state *st)
{
	const struct http_form *c = &st->req.cookies;
	const char *const *p;
	size_t i;

	if (c->n == 0 || st->srv->cfg.cache_neutral_cookies == NULL)
		return false;
	for (i = 0; i < c->n; i++) {
		for (p = st->srv->cfg.cache_neutral_cookies; *p; p++)
			if (strcmp(*p, c->fields[i].name) == 0)
				break;
		if (*p == NULL)
			return false;
	}
	return true;
}

/* The cache key of a request, or NULL when the request may not use the cache. */
static char *
cache_request_key(struct http_state *st)
{
	struct http_request *req = &st->req;
	size_t i;

	if (st->srv->cfg.cache_generation == NULL ||
	    !(http_route_flags(st->route) & HTTP_ROUTE_CACHEABLE))
		return NULL;
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD"))
		return NULL;
	if (MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE) &&
	    !cache_cookies_neutral(st))
		return NULL;
	for (i = 0; i < req->query.n; i++) {
		const char *const *p = st->srv->cfg.cache_query_params;
		while (p && *p && strcmp(*p, req->query.fields[i].name) != 0)
			p++;
		if (p == NULL || *p == NULL)
			return NULL;
	}
	return arena_printf(req->arena, "%d %s %s", req->tls, req->host, req->target);
}

/* Serves a fresh cached response if there is one. */
static bool
cache_serve(struct http_state *st, const char *key, uint64_t gen, enum MHD_Result *ok)
{
	struct cache_table *t = cache_table();
	struct cache_entry *e;
	uint64_t h = cache_hash(key);

	if (t == NULL)
		return false;
	e = &t->slots[h % LIMIT_CACHE_SLOTS];
	if (e->resp == NULL || e->hash != h || strcmp(e->key, key) != 0)
		return false;
	if (e->generation != gen || time_now_ms() - e->born_ms > LIMIT_CACHE_TTL_S * 1000)
		return false;
	st->status = 200;
	st->bytes = e->bytes;
	st->req.site_name = e->site[0] ? arena_strdup(st->req.arena, e->site) : NULL;
	st->req.site_id = e->site_id;
	*ok = server_queue_cached(st, e->resp, e->blob, 200);
	return true;
}

/* Queues res and keeps it in the cache under key. */
static enum MHD_Result
cache_store_and_queue(struct http_state *st, struct http_response *res, const char *key,
    uint64_t gen)
{
	struct cache_table *t = cache_table();
	struct cache_entry *e;
	struct MHD_Response *r;
	struct cache_blob *blob;
	uint64_t h = cache_hash(key);
	enum MHD_Result ok;
	size_t len = 0;
	char *k;

	if (t == NULL)
		return server_queue(st, res);
	e = &t->slots[h % LIMIT_CACHE_SLOTS];
	/* the byte budget bounds memory whatever the traffic */
	if (t->bytes - e->bytes + res->body.len > LIMIT_CACHE_BYTES || (k = strdup(key)) == NULL)
		return server_queue(st, res);
	if ((blob = malloc(sizeof(*blob) + (res->body.len ? res->body.len : 1))) == NULL) {
		free(k);
		return server_queue(st, res);
	}
	atomic_init(&blob->refs, 1); /* the cached response's */
	blob->len = res->body.len;
	if (res->body.len)
		memcpy(blob->data, res->body.data, res->body.len);
	if ((r = server_build_from(st, res, blob, &len)) == NULL) {
		free(k);
		return MHD_NO;
	}
	free(e->key);
	if (e->resp)
		MHD_destroy_response(e->resp);
	t->bytes = t->bytes - e->bytes + len;
	e->hash = h;
	e->key = k;
	e->generation = gen;
	e->born_ms = time_now_ms();
	e->resp = r; /* the cache holds the creation reference */
	e->blob = blob;
	e->bytes = len;
	str_copy(e->site, st->req.site_name ? st->req.site_name : "", sizeof(e->site));
	e->site_id = st->req.site_id;
	st->status = res->status;
	st->bytes = len;
	ok = server_queue_cached(st, r, blob, res->status);
	return ok;
}

/* Renders an error page through the app (site layout) or as plain text. */
static void
server_render_error(struct http_state *st, struct http_response *res, const char *msg)
{
	struct http_server *srv = st->srv;

	buf_reset(&res->body);
	res->static_body = NULL;
	res->content_type = NULL;
	res->cache_control = "no-store";
	if (res->status >= 500 && res->error_ref == NULL) {
		char *ref = arena_alloc(st->req.arena, 17);
		if (ref) {
			server_error_ref(ref);
			res->error_ref = ref;
		}
	}
	if (res->error_ref)
		log_error("error ref=%s status=%d path-len=%zu", res->error_ref, res->status,
		    strlen(st->req.path ? st->req.path : ""));
	if (srv->cfg.render_error)
		srv->cfg.render_error(&st->req, res, msg, srv->cfg.app);
	if (res->body.len == 0 || res->body.failed) {
		buf_reset(&res->body);
		res->body.failed = false;
		res->content_type = "text/plain; charset=utf-8";
		buf_printf(&res->body, "%d %s\n", res->status, msg);
		if (res->error_ref)
			buf_printf(&res->body, "Reference: %s\n", res->error_ref);
	}
}

static enum MHD_Result
server_fail(struct http_state *st, int status, const char *msg, const char *allow)
{
	struct http_response res;
	enum MHD_Result ok;

	http_response_init(&res);
	res.status = status;
	server_render_error(st, &res, msg);
	if (allow)
		http_add_header(&res, "Allow", allow);
	ok = server_queue(st, &res);
	http_response_free(&res);
	return ok;
}

/* ---------------------------------------------------------------- requests ---- */

/* One address per page: "/posts/x/" answers 301 to "/posts/x" (query kept). */
static enum MHD_Result
server_redirect_canonical(struct http_state *st, size_t pathlen, const char *query)
{
	struct http_response res;
	enum MHD_Result ok;
	char *loc;

	while (pathlen > 1 && st->req.path[pathlen - 1] == '/')
		pathlen--;
	loc = arena_printf(st->req.arena, "%.*s%s", (int)pathlen, st->req.path,
	    query ? query : "");
	if (loc == NULL)
		return MHD_NO;
	http_response_init(&res);
	http_redirect(&res, 301, loc);
	res.cache_control = "public, max-age=3600";
	ok = server_queue(st, &res);
	http_response_free(&res);
	return ok;
}

/* First call: every check that needs only the request line and headers.
 * Returns MHD_YES to go on (st->route set), or the result of queueing an error. */
static enum MHD_Result
server_first_call(struct http_state *st, struct MHD_Connection *c, const char *method)
{
	struct http_request *req = &st->req;
	struct header_scan hs;
	const char *q, *v, *allow_known = "GET, HEAD, POST";
	char host[LIMIT_HOST_BYTES + 8], allow[64];
	bool path_known;
	long long cl = -1;
	size_t pathlen;

	memset(&hs, 0, sizeof(hs));
	req->conn = c;
	req->method = arena_strdup(req->arena, method);
	req->path = "";
	req->host = "";
	if (req->method == NULL)
		return MHD_NO;
	MHD_get_connection_values_n(c, MHD_HEADER_KIND, header_scan_one, &hs);
	/* The Host first (it is small), so even a refusal below wears the site's layout. */
	if (hs.host_count == 1 &&
	    http_host_parse(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
		host, sizeof(host)) == ERR_OK &&
	    (req->host = arena_strdup(req->arena, host)) == NULL)
		return MHD_NO;
	if (hs.content_length_conflict || (hs.content_length_count && hs.transfer_encoding))
		return server_fail(st, 400, "The request has conflicting length headers.", NULL);
	if (hs.bad_value)
		return server_fail(st, 400, "A request header holds a forbidden character.", NULL);
	if (hs.bytes > LIMIT_HEADER_BYTES)
		return server_fail(st, 431, "The request headers are too large.", NULL);
	if (strlen(req->target) > LIMIT_URL_BYTES)
		return server_fail(st, 414, "The address is too long.", NULL);
	if (hs.host_count == 0)
		return server_fail(st, 400, "The request has no Host header.", NULL);
	if (hs.host_count > 1)
		return server_fail(st, 400, "The request has more than one Host header.", NULL);
	if (req->host[0] == '\0')
		return server_fail(st, 400, "The Host header is not a valid host name.", NULL);

	q = strchr(req->target, '?');
	pathlen = q ? (size_t)(q - req->target) : strlen(req->target);
	if ((req->path = arena_strndup(req->arena, req->target, pathlen)) == NULL)
		return MHD_NO;
	if (http_path_split(req->arena, req->path, pathlen, &req->segs, &req->nsegs) != ERR_OK)
		return server_fail(st, 400, "The address is not a valid path.", NULL);
	if (q && http_form_parse(req->arena, q + 1, strlen(q + 1), LIMIT_QUERY_PARAMS,
		     &req->query) != ERR_OK)
		return server_fail(st, 400, "The query string is malformed.", NULL);
	if ((v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE)) &&
	    http_cookie_parse(req->arena, v, &req->cookies) != ERR_OK)
		memset(&req->cookies, 0, sizeof(req->cookies)); /* unusable cookies: none */
	if ((v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto")) &&
	    strcasecmp(v, "https") == 0 && server_peer_trusted(st->srv, c))
		req->tls = true;

	if (strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "POST"))
		return server_fail(st, 405, "This method is not allowed here.", allow_known);
	if (pathlen > 1 && req->path[pathlen - 1] == '/' && strcmp(method, "POST") != 0)
		return server_redirect_canonical(st, pathlen, q);
	st->route = http_router_find(st->srv->cfg.router, req, allow, sizeof(allow), &path_known);
	if (st->route == NULL) {
		if (path_known)
			return server_fail(st, 405, "This method is not allowed here.", allow);
		return server_fail(st, 404, "There is nothing at this address.", NULL);
	}
	st->body_limit = http_route_body_limit(st->route);
	if (hs.content_length && strnum(hs.content_length, 0, LLONG_MAX, &cl) != ERR_OK)
		return server_fail(st, 400, "The Content-Length header is not a number.", NULL);
	if ((cl > 0 && (size_t)cl > st->body_limit) || (hs.transfer_encoding && st->body_limit == 0))
		return server_fail(st, 413, "The request body is too large.", NULL);
	if (strcmp(method, "POST") == 0 && !(http_route_flags(st->route) & HTTP_ROUTE_ANY_BODY)) {
		v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
		if (v == NULL || strncasecmp(v, "application/x-www-form-urlencoded", 33) != 0)
			return server_fail(st, 415, "Forms must be sent as "
						    "application/x-www-form-urlencoded.", NULL);
	}
	return MHD_YES;
}

/* Last call: the body (if any) is complete; run the handler and queue its answer. */
static enum MHD_Result
server_dispatch(struct http_state *st)
{
	struct http_request *req = &st->req;
	struct http_response res;
	enum MHD_Result ok;
	uint64_t gen = 0;
	char *key;

	if (st->body_too_big)
		return server_fail(st, 413, "The request body is too large.", NULL);
	if (strcmp(req->method, "POST") == 0 &&
	    !(http_route_flags(st->route) & HTTP_ROUTE_ANY_BODY) &&
	    http_form_parse(req->arena, st->body.data ? st->body.data : "", st->body.len,
		LIMIT_FORM_FIELDS, &req->form) != ERR_OK)
		return server_fail(st, 400, "The form could not be read.", NULL);
	req->body = "";
	if (st->body.len && (req->body = arena_strndup(req->arena, st->body.data,
				 st->body.len)) == NULL)
		return server_fail(st, 500, "Something went wrong on our side.", NULL);
	req->body_len = st->body.len;
	if ((key = cache_request_key(st)) != NULL) {
		gen = st->srv->cfg.cache_generation(st->srv->cfg.app);
		if (gen == HTTP_NO_GENERATION)
			key = NULL;
		else if (cache_serve(st, key, gen, &ok))
			return ok;
	}
	http_response_init(&res);
	http_route_handler(st->route)(req, &res, st->srv->cfg.app);
	if (key && res.cacheable && !req->no_cache && res.status == 0 && res.static_body == NULL &&
	    !res.body.failed && res.body.len <= LIMIT_CACHE_BODY) {
		ok = cache_store_and_queue(st, &res, key, gen);
		http_response_free(&res);
		return ok;
	}
	if (res.status >= 400 && res.body.len == 0 && res.static_body == NULL)
		server_render_error(st, &res,
		    res.status == 404   ? "There is nothing at this address."
		    : res.status == 503 ? "The site is briefly unavailable; try again soon."
		    : res.status >= 500 ? "Something went wrong on our side."
					: "The request could not be handled.");
	ok = server_queue(st, &res);
	http_response_free(&res);
	return ok;
}

static enum MHD_Result
server_handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct http_state *st = *con_cls;

	if (st == NULL)
		return MHD_NO;
	if (!st->started) {
		st->started = true;
		return server_first_call(st, c, method);
	}
	if (*upload_data_size) {
		if (!st->body_too_big) {
			if (st->body.len + *upload_data_size > st->body_limit) {
				st->body_too_big = true;
				buf_free(&st->body);
			} else {
				buf_append(&st->body, upload_data, *upload_data_size);
			}
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	return server_dispatch(st);
}

/* Called by MHD with the raw request target before anything else: set up the state. */
static void *
server_uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct http_server *srv = cls;
	struct http_state *st;
	struct arena *a;

	if ((a = arena_new()) == NULL)
		return NULL;
	if ((st = arena_alloc(a, sizeof(*st))) == NULL ||
	    (st->req.target = arena_strdup(a, uri ? uri : "")) == NULL) {
		arena_free(a);
		return NULL;
	}
	st->req.arena = a;
	st->req.start_ms = time_now_ms();
	st->srv = srv;
	buf_init(&st->body);
	atomic_fetch_add(&srv->inflight, 1);
	return st;
}

/*
 * The request's path for the access log. A link from a mail holds a token that is as
 * good as a password for an hour: the value of a route segment named :token, and any
 * segment that looks like one (also on a 404, 405 or redirect, where no route
 * matched), is written as ":token".
 */
static void
server_log_path(struct buf *b, const struct http_request *req)
{
	const char *token = http_param(req, "token");
	bool secret = token != NULL;
	size_t i;

	if (req->path == NULL) {
		buf_puts(b, "-");
		return;
	}
	for (i = 0; i < req->nsegs && !secret; i++)
		secret = http_seg_secret(req->segs[i]);
	if (!secret) {
		log_escape(b, req->path);
		return;
	}
	for (i = 0; i < req->nsegs; i++) {
		buf_putc(b, '/');
		if (req->segs[i] == token || http_seg_secret(req->segs[i]))
			buf_puts(b, ":token");
		else
			log_escape(b, req->segs[i]);
	}
}

static void
server_access_log(struct http_state *st)
{
	struct http_server *srv = st->srv;
	struct buf b;
	char ts[21];
	ssize_t w;

	buf_init(&b);
	time_rfc3339(time_now(), ts);
	buf_printf(&b, "%s access site=", ts);
	log_escape(&b, st->req.site_name ? st->req.site_name : "-");
	buf_puts(&b, " method=");
	log_escape(&b, st->req.method ? st->req.method : "-");
	buf_puts(&b, " path=\"");
	server_log_path(&b, &st->req);
	buf_printf(&b, "\" status=%d bytes=%zu ms=%lld\n", st->status, st->bytes,
	    (long long)(time_now_ms() - st->req.start_ms));
	if (!b.failed)
		w = write(srv->log_fd, b.data, b.len);
	(void)w;
	buf_free(&b);
}

static void
server_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct http_state *st = *con_cls;

	if (st == NULL)
		return;
	if (srv->log_fd >= 0 && st->status)
		server_access_log(st);
	/* a form body may hold a password: wipe it before the memory goes back */
	if (st->body.data)
		explicit_bzero(st->body.data, st->body.cap);
	buf_free(&st->body);
	arena_free(st->req.arena);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->inflight, 1);
}

/* ------------------------------------------------------------------ daemon ---- */

static enum err
server_parse_listen(const char *listen, struct sockaddr_storage *ss, char *errbuf,
    size_t errsize)
{
	char host[128];
	const char *colon, *h;
	long long port;
	struct addrinfo hints, *res = NULL;
	size_t hl;

	colon = strrchr(listen, ':');
	if (colon == NULL || strnum(colon + 1, 0, 65535, &port) != ERR_OK) {
		snprintf(errbuf, errsize, "listen address '%s' is not ADDRESS:PORT", listen);
		return ERR_INVAL;
	}
	h = listen;
	hl = (size_t)(colon - listen);
	if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']')
		h++, hl -= 2;
	if (hl >= sizeof(host)) {
		snprintf(errbuf, errsize, "listen address '%s' is too long", listen);
		return ERR_INVAL;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(hl ? host : NULL, NULL, &hints, &res) != 0 || res == NULL) {
		snprintf(errbuf, errsize, "listen address '%s' is not a numeric IP address", listen);
		return ERR_INVAL;
	}
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	return ERR_OK;
}

struct http_server *
http_server_start(const struct http_server_config *cfg, char *errbuf, size_t errsize)
{
	struct http_server *srv;
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *di;
	unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC;
	const char *p;
	long threads = cfg->threads;

	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		snprintf(errbuf, errsize, "out of memory");
		return NULL;
	}
	srv->cfg = *cfg;
	srv->log_fd = -1;
	if (server_parse_listen(cfg->listen, &ss, errbuf, errsize) != ERR_OK)
		goto fail;
	for (p = cfg->trusted_proxies ? cfg->trusted_proxies : ""; *p;) {
		size_t n = strcspn(p, " \t,");
		if (n > 0) {
			if (srv->nproxies == HTTP_MAX_PROXIES || n >= INET6_ADDRSTRLEN) {
				snprintf(errbuf, errsize, "too many or too long trusted_proxies");
				goto fail;
			}
			memcpy(srv->proxies[srv->nproxies], p, n);
			srv->proxies[srv->nproxies++][n] = '\0';
		}
		p += n;
		p += strspn(p, " \t,");
	}
	if (cfg->access_log == NULL || strcmp(cfg->access_log, "stderr") == 0 ||
	    strcmp(cfg->access_log, "-") == 0)
		srv->log_fd = 2;
	else if (strcmp(cfg->access_log, "off") != 0 &&
		 (srv->log_fd = open(cfg->access_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		      0640)) < 0) {
		snprintf(errbuf, errsize, "cannot open access log %s: %s", cfg->access_log,
		    strerror(errno));
		goto fail;
	}
	if (threads <= 0)
		threads = sysconf(_SC_NPROCESSORS_ONLN);
	if (threads <= 0)
		threads = 1;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, server_handle, srv,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->connection_limit,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)cfg->per_ip_connection_limit,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->connection_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)LIMIT_CONNECTION_MEMORY,
	    MHD_OPTION_URI_LOG_CALLBACK, server_uri_log, srv,
	    MHD_OPTION_NOTIFY_COMPLETED, server_completed, srv,
	    MHD_OPTION_END);
	if (srv->daemon == NULL) {
		snprintf(errbuf, errsize, "cannot listen on %s (address in use or not local?)",
		    cfg->listen);
		goto fail;
	}
	di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = di ? di->port : 0;
	return srv;
fail:
	if (srv->log_fd > 2)
		close(srv->log_fd);
	free(srv);
	return NULL;
}

int
http_server_port(const struct http_server *s)
{
	return s->port;
}

void
http_server_stop(struct http_server *s, int timeout_s)
{
	MHD_socket fd;
	int64_t deadline;

	if (s == NULL)
		return;
	fd = MHD_quiesce_daemon(s->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	deadline = time_now_ms() + (int64_t)timeout_s * 1000;
	while (atomic_load(&s->inflight) > 0 && time_now_ms() < deadline)
		usleep(10000);
	MHD_stop_daemon(s->daemon);
	if (s->log_fd > 2)
		close(s->log_fd);
	free(s);
}

/* ------------------------------------------------------------ accessors ---- */

const char *
http_header(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
http_cookie(const struct http_request *req, const char *name)
{
	return http_form_get(&req->cookies, name);
}

/* Keeps the value of the last X-Forwarded-For line: a proxy that adds a line of its
 * own (rather than appending to the client's) puts it last, after any the client sent. */
static enum MHD_Result
server_last_xff(void *cls, enum MHD_ValueKind kind, const char *name, const char *value)
{
	(void)kind;
	if (strcasecmp(name, "X-Forwarded-For") == 0)
		*(const char **)cls = value;
	return MHD_YES;
}

const char *
http_client_ip(struct http_request *req)
{
	struct http_state *st = (struct http_state *)req; /* req is its first member */
	char ip[INET6_ADDRSTRLEN], hop[INET6_ADDRSTRLEN];
	const char *xff;

	server_peer_ip(req->conn, ip);
	xff = NULL;
	if (ip[0] && server_peer_trusted(st->srv, req->conn))
		MHD_get_connection_values(req->conn, MHD_HEADER_KIND, server_last_xff, &xff);
	if (xff && http_forwarded_last(xff, hop, sizeof(hop)) == ERR_OK)
		return arena_strdup(req->arena, hop);
	return arena_strdup(req->arena, ip);
}

const char *
http_query(const struct http_request *req, const char *name)
{
	return http_form_get(&req->query, name);
}
