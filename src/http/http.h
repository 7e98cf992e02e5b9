/*
 * http: candor's HTTP layer on libmicrohttpd. Bounded parsers (forms, query strings,
 * cookies, paths, Host), a router (method + path pattern with named segments), the
 * request object, response helpers, the security header set and every request limit of
 * SECURITY.md. Knows nothing of sites, posts or people: the web module plugs handlers
 * and an error renderer in.
 *
 * Memory: everything a request allocates comes from req->arena, freed once when the
 * response has been sent.
 */
#ifndef HTTP_HTTP_H
#define HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/* ---------------------------------------------------------------- parsers ---- */
/* Each parser is pure, bounded by core/limits.h, allocates only from the given arena,
 * and has a libFuzzer target in fuzz/. */

struct http_kv {
	const char *name;  /* decoded, NUL-terminated */
	const char *value; /* decoded, NUL-terminated */
	size_t value_len;
};

struct http_form {
	struct http_kv *fields;
	size_t n;
};

/*
 * Parses an application/x-www-form-urlencoded string (a POST body or a query string):
 * '&'-separated name=value pairs, '+' is space, %XX decoded. Empty pairs ("a=1&&b=2")
 * are skipped. Returns ERR_INVAL for a bad %-escape, a decoded NUL, invalid UTF-8 or an
 * empty name; ERR_TOOBIG for more than max_fields pairs or a name longer than
 * LIMIT_FORM_NAME bytes. On error *out is left empty.
 */
enum err http_form_parse(struct arena *a, const char *s, size_t len, size_t max_fields,
    struct http_form *out);
/* First value of name, or NULL. */
const char *http_form_get(const struct http_form *f, const char *name);

/*
 * Parses a Cookie header (RFC 6265 cookie-string: "a=1; b=2"). Cookies with invalid
 * names are skipped, as browsers do; a value may be double-quoted (quotes removed).
 * Returns ERR_TOOBIG for more than LIMIT_COOKIES cookies or a name/value over
 * LIMIT_COOKIE_NAME/LIMIT_COOKIE_VALUE; ERR_INVAL for control characters.
 */
enum err http_cookie_parse(struct arena *a, const char *header, struct http_form *out);

/*
 * Splits an absolute request path ("/posts/hello%20world/") into decoded segments
 * ("posts", "hello world"); a trailing '/' yields no empty segment, "/" yields none.
 * Returns ERR_INVAL if the path does not start with '/', has an empty segment ("//"),
 * a "." or ".." segment, a bad %-escape, a decoded '/', '\\', NUL or control character,
 * or invalid UTF-8; ERR_TOOBIG beyond LIMIT_PATH_SEGMENTS segments or LIMIT_PATH_SEGMENT
 * decoded bytes in one segment.
 */
enum err http_path_split(struct arena *a, const char *path, size_t len, char ***segs,
    size_t *nsegs);

/*
 * Normalises a Host header value into out: lowercase, port removed, one trailing dot
 * removed. Accepts DNS names (letters, digits, '-', '.'), IPv4 literals and bracketed
 * IPv6 literals ("[::1]"). A port, if present, must be 1-65535 digits-only.
 * Returns ERR_INVAL for anything else (empty, bad characters, empty label, bad port),
 * ERR_TOOBIG when the name exceeds LIMIT_HOST_BYTES or outsize.
 */
enum err http_host_parse(const char *value, char *out, size_t outsize);

/*
 * The client address a proxy appended to X-Forwarded-For: the last comma-separated
 * element of value, spaces and tabs around it removed, which must be an IPv4 or IPv6
 * address in text form (inet_pton). Copies it into out. ERR_INVAL for anything else
 * (empty, a host name, garbage), ERR_TOOBIG when it does not fit; out is then "".
 */
enum err http_forwarded_last(const char *value, char *out, size_t outsize);

/* Percent-encodes s for use inside a URL path segment or query value. */
void http_url_encode(struct buf *b, const char *s);

/* True when a decoded path segment looks like a secret token: 32 or more characters of
 * the base64url alphabet with a capital letter among them (slugs are lower case). */
bool http_seg_secret(const char *seg);

/*
 * The path as analytics records it, into out (outsize >= 2): "/" then each decoded
 * segment percent-encoded (http_url_encode's alphabet), joined by '/'; a segment that
 * is token (a route's :token value, may be NULL) or looks secret (http_seg_secret) is
 * written ":token". Only whole segments and whole escapes are written: a path that does
 * not fit is cut before the first segment that does not ("/a/b" -> "/a"). So every
 * spelling of a path ("/posts/a%62c", "/posts/abc") gives one text, never a secret,
 * always printable ASCII, NUL-terminated. Returns its length.
 */
size_t http_path_record(char *const *segs, size_t nsegs, const char *token, char *out,
    size_t outsize);

/* ------------------------------------------------------------- the server ---- */

struct http_server;
struct http_router;

struct http_request {
	struct arena *arena;
	const char *method;    /* "GET", "POST", ... */
	const char *target;    /* raw request target as received ("/a%20b?x=1") */
	const char *path;      /* raw path, without query */
	char **segs;           /* decoded path segments */
	size_t nsegs;
	struct http_form query; /* decoded query parameters */
	struct http_form form;  /* decoded urlencoded body (POST) */
	struct http_form cookies;
	const char *host;      /* normalised Host (see http_host_parse), "" if invalid */
	bool tls;              /* came over TLS (X-Forwarded-Proto from a trusted proxy) */
	int64_t start_ms;
	const char *site_name; /* set by the app, for the access log */
	void *app_site;        /* set by the app: the resolved site, if any */
	void *app_user;        /* set by the app: the signed-in person, if any */
	bool app_user_known;   /* set by the app: app_user has been worked out */
	bool app_session_stale; /* set by the app: the request's session cookie is dead */
	bool app_session_set;  /* set by the app: the response sets or clears that cookie */
	bool no_cache;         /* set by the app: never cache this response (e.g. a site
				  reached through default_site rather than its own host) */
	int64_t site_id;       /* set by the app: the resolved site's id (0: none); kept
				  with a cached response, so on_response knows it on a hit */
	/* named route segments */
	const char *param_names[LIMIT_PATH_SEGMENTS];
	const char *param_values[LIMIT_PATH_SEGMENTS];
	size_t nparams;
	void *conn; /* libmicrohttpd connection; only http/ looks inside */
	const char *body; /* the raw POST body as received (NUL-terminated; "" without one),
			     for handlers that check a signature over it (shop webhooks) */
	size_t body_len;
};

struct http_header_line {
	const char *name;
	const char *value;
};

#define HTTP_MAX_EXTRA_HEADERS 8

struct http_response {
	int status;
	const char *content_type;  /* default "text/html; charset=utf-8" */
	struct buf body;           /* owned body, or: */
	const void *static_body;   /* bytes that outlive the response (embedded files) */
	size_t static_len;
	const char *cache_control; /* default "no-cache" for pages */
	const char *location;      /* for redirects */
	const char *etag;
	struct http_header_line extra[HTTP_MAX_EXTRA_HEADERS];
	size_t nextra;
	const char *error_ref;     /* set on 500s: the reference id shown and logged */
	bool cacheable;            /* a public page: the same for every visitor (see below) */
	bool wipe_body;            /* the body holds personal data: wiped once it is sent */
};

/* A handler fills res. It may leave res->status 0 for 200. */
typedef void (*http_handler)(struct http_request *req, struct http_response *res, void *app);

/* Renders an error page (status already set in res) into res->body, in the site's
 * layout if the app can find one. msg is a human sentence. */
typedef void (*http_error_renderer)(struct http_request *req, struct http_response *res,
    const char *msg, void *app);

struct http_router *http_router_new(void);
void http_router_free(struct http_router *r);
/*
 * Adds a route. method is "GET" (also answers HEAD) or "POST"; pattern is a path with
 * literal segments and named ones (":slug"); a last segment "*" (as in "/static/ *", without the space) matches the remainder as the
 * param "*". body_limit is the largest request body accepted (0 for routes without a
 * body); larger -> 413 before reading it.
 */
enum err http_route_add(struct http_router *r, const char *method, const char *pattern,
    http_handler fn, size_t body_limit, unsigned flags);
/* flags: the route's responses may be cached (see cache_generation); only routes with
 * this flag consult the cache, so /healthz and static files never touch the database. */
#define HTTP_ROUTE_CACHEABLE 1u
/* flags: a POST of any Content-Type is accepted and its body is not parsed (req->form
 * stays empty): for a route that acts on its address alone, like the RFC 8058 one-click
 * unsubscribe, which mail providers may send as multipart/form-data. */
#define HTTP_ROUTE_ANY_BODY 2u

/* Value of a named route segment (":slug" -> "slug"), or NULL. A segment named ":token"
 * is never written to the access log (it holds a secret: a link from a mail). */
const char *http_param(const struct http_request *req, const char *name);
/* A request header (case-insensitive name), or NULL. */
const char *http_header(const struct http_request *req, const char *name);
const char *http_cookie(const struct http_request *req, const char *name);
/* The client's address as text ("192.0.2.1", "2001:db8::1"): the peer's, or, when the
 * peer is a trusted proxy, the last address of X-Forwarded-For; "" when unknown. From
 * req->arena. Only for what the policy lets candor keep (P4: a member's last sign-in, a
 * commenter), through the vault; never logged. */
const char *http_client_ip(struct http_request *req);
const char *http_query(const struct http_request *req, const char *name);

struct http_server_config {
	const char *listen; /* "127.0.0.1:8080"; port 0 picks a free port */
	int threads;        /* 0: one per core */
	int connection_limit;
	int per_ip_connection_limit;
	int connection_timeout; /* seconds */
	const char *trusted_proxies; /* space-separated IPs */
	const char *access_log;      /* "stderr", "off" or a path */
	struct http_router *router;
	http_error_renderer render_error;
	/*
	 * Response cache. When set, GET/HEAD responses that a handler marked cacheable
	 * (status 200, same bytes for every visitor) are kept per thread, keyed by Host,
	 * target and TLS, and served again without running the handler while this
	 * function returns the same number (e.g. the store's generation) and for at most
	 * LIMIT_CACHE_TTL_S seconds. Requests carrying a Cookie header bypass the cache,
	 * unless every cookie they carry is named in cache_neutral_cookies.
	 * Return HTTP_NO_GENERATION when unknown: the cache is then bypassed.
	 */
	uint64_t (*cache_generation)(void *app);
	/* Query parameters a cacheable page may vary by (NULL-terminated); a request with
	 * any other parameter bypasses the cache, so junk parameters cannot fill it. */
	const char *const *cache_query_params;
	/* Cookies that never change a page (NULL-terminated; the visitor cookie): a request
	 * carrying only these may still be served from the cache. Any other cookie (a
	 * session, a theme) bypasses it. */
	const char *const *cache_neutral_cookies;
	/*
	 * Headers that differ per request even when the body comes from the cache (the
	 * visitor cookie): called for every response a route handler made or the cache
	 * served, with its status and Content-Type; adds at most max lines to out (strings
	 * from req->arena) and returns how many. A cached body is then sent with the same
	 * headers plus these, never stored with them. NULL: none.
	 */
	size_t (*per_request_headers)(struct http_request *req, int status,
	    const char *content_type, struct http_header_line *out, size_t max, void *app);
	/*
	 * Called once for every response queued (a handler's, one from the cache, or an
	 * error the server answered itself), after per_request_headers, with its status
	 * and Content-Type (analytics). It runs on the request's thread and must neither
	 * block nor touch the database. NULL: none.
	 */
	void (*on_response)(struct http_request *req, int status, const char *content_type,
	    void *app);
	void *app;
};

#define HTTP_NO_GENERATION UINT64_MAX

/* Starts serving. On error writes a sentence into errbuf and returns NULL. */
struct http_server *http_server_start(const struct http_server_config *cfg, char *errbuf,
    size_t errsize);
/* The port actually bound (useful with port 0). */
int http_server_port(const struct http_server *s);
/* Stops accepting, waits up to timeout_s for requests in flight, then stops. */
void http_server_stop(struct http_server *s, int timeout_s);

/* Response helpers */
void http_response_init(struct http_response *res);
void http_response_free(struct http_response *res);
void http_redirect(struct http_response *res, int status, const char *location);
void http_add_header(struct http_response *res, const char *name, const char *value);

/* The security headers every response carries (SECURITY.md), excluding HSTS. */
extern const struct http_header_line http_security_headers[];
extern const size_t http_security_headers_count;
#define HTTP_HSTS "max-age=63072000; includeSubDomains"

#endif
