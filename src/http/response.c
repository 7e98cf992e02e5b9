/*
 * response: response helpers and the security header set every response carries
 * (SECURITY.md; scored A+ on Mozilla's Observatory). HSTS is added by the server only
 * when the request came over TLS.
 */
#include <string.h>

#include "http/http.h"

const struct http_header_line http_security_headers[] = {
	{"Content-Security-Policy",
	    "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; "
	    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
	{"Referrer-Policy", "strict-origin-when-cross-origin"},
	{"X-Content-Type-Options", "nosniff"},
	{"Cross-Origin-Resource-Policy", "same-origin"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
};
const size_t http_security_headers_count = COUNTOF(http_security_headers);

void
http_response_init(struct http_response *res)
{
	memset(res, 0, sizeof(*res));
	buf_init(&res->body);
}

void
http_response_free(struct http_response *res)
{
	buf_free(&res->body);
}

void
http_redirect(struct http_response *res, int status, const char *location)
{
	res->status = status;
	res->location = location;
	res->content_type = "text/plain; charset=utf-8";
	buf_reset(&res->body);
	buf_puts(&res->body, "Redirecting.\n");
}

void
http_add_header(struct http_response *res, const char *name, const char *value)
{
	if (res->nextra < HTTP_MAX_EXTRA_HEADERS) {
		res->extra[res->nextra].name = name;
		res->extra[res->nextra++].value = value;
	}
}
