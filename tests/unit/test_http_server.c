/*
 * test_http_server: the http module on its own, serving a test router on loopback.
 * Per-route body limits at N and N+1 (413 before the body is read), form decoding,
 * 415 for other encodings, the error renderer hook, named parameters and the
 * canonical-slash redirect.
 */
#include <stdio.h>
#include <unistd.h>

#include "http/http.h"
#include "testlib.h"

#define ECHO_LIMIT 100

static void
echo(struct http_request *req, struct http_response *res, void *app)
{
	const char *v = http_form_get(&req->form, "v");

	res->content_type = "text/plain; charset=utf-8";
	buf_printf(&res->body, "v=%s n=%zu", v ? v : "(none)", req->form.n);
}

static void
hello(struct http_request *req, struct http_response *res, void *app)
{
	res->content_type = "text/plain; charset=utf-8";
	buf_printf(&res->body, "hello %s", http_param(req, "name"));
}

static void
render_error(struct http_request *req, struct http_response *res, const char *msg, void *app)
{
	buf_printf(&res->body, "<p>custom %d: %s</p>", res->status, msg);
}

static char *
post(int port, size_t body_len, const char *ctype)
{
	char head[512], *req, *resp;
	size_t hl;

	hl = (size_t)snprintf(head, sizeof(head),
	    "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\nv=",
	    ctype, body_len);
	req = malloc(hl + body_len);
	memcpy(req, head, hl);
	memset(req + hl, 'a', body_len - 2);
	resp = t_raw(port, req, hl + body_len - 2, 3000);
	free(req);
	return resp;
}

int
main(void)
{
	struct http_server_config cfg;
	struct http_server *srv;
	struct http_router *r = http_router_new();
	char err[256], *resp;
	int port;

	T_ASSERT(r != NULL);
	T_EQ_INT(http_route_add(r, "POST", "/echo", echo, ECHO_LIMIT, 0), ERR_OK);
	T_EQ_INT(http_route_add(r, "GET", "/hello/:name", hello, 0, 0), ERR_OK);
	T_EQ_INT(http_route_add(r, "PUT", "/x", hello, 0, 0), ERR_INVAL);
	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = "127.0.0.1:0";
	cfg.threads = 2;
	cfg.connection_limit = 64;
	cfg.per_ip_connection_limit = 64;
	cfg.connection_timeout = 10;
	cfg.access_log = "off";
	cfg.router = r;
	cfg.render_error = render_error;
	srv = http_server_start(&cfg, err, sizeof(err));
	if (srv == NULL)
		T_FAIL("server: %s", err);
	port = http_server_port(srv);
	T_ASSERT(port > 0);

	/* body at the limit is read and decoded; one byte more is 413 */
	resp = post(port, ECHO_LIMIT, "application/x-www-form-urlencoded");
	T_EQ_INT(t_raw_status(resp), 200);
	T_CONTAINS(resp, "n=1");
	free(resp);
	resp = post(port, ECHO_LIMIT + 1, "application/x-www-form-urlencoded");
	T_EQ_INT(t_raw_status(resp), 413);
	T_CONTAINS(resp, "custom 413");
	T_CONTAINS(resp, "Content-Security-Policy: default-src 'none'");
	free(resp);
	/* a chunked body with no length is cut off at the limit too */
	{
		static const char chunked[] =
		    "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\n"
		    "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
		    "50\r\nv=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
		    "50\r\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
		    "0\r\n\r\n";
		resp = t_raw(port, chunked, sizeof(chunked) - 1, 3000);
		T_EQ_INT(t_raw_status(resp), 413);
		free(resp);
	}
	/* other encodings are refused */
	resp = post(port, 10, "multipart/form-data; boundary=x");
	T_EQ_INT(t_raw_status(resp), 415);
	free(resp);
	/* a malformed form body is 400, not a crash */
	{
		static const char bad[] = "POST /echo HTTP/1.1\r\nHost: t\r\n"
					  "Content-Type: application/x-www-form-urlencoded\r\n"
					  "Content-Length: 4\r\nConnection: close\r\n\r\nv=%G";
		resp = t_raw(port, bad, sizeof(bad) - 1, 3000);
		T_EQ_INT(t_raw_status(resp), 400);
		free(resp);
	}
	/* named parameters are decoded */
	{
		static const char get[] = "GET /hello/w%C3%B6rld HTTP/1.1\r\nHost: t\r\n"
					  "Connection: close\r\n\r\n";
		resp = t_raw(port, get, sizeof(get) - 1, 3000);
		T_EQ_INT(t_raw_status(resp), 200);
		T_CONTAINS(resp, "hello w\xc3\xb6rld");
		free(resp);
	}
	/* trailing slash: one canonical address */
	{
		static const char get[] = "GET /hello/x/?a=1 HTTP/1.1\r\nHost: t\r\n"
					  "Connection: close\r\n\r\n";
		resp = t_raw(port, get, sizeof(get) - 1, 3000);
		T_EQ_INT(t_raw_status(resp), 301);
		T_CONTAINS(resp, "Location: /hello/x?a=1\r\n");
		free(resp);
	}
	/* GET on a POST route: 405 naming the allowed method */
	{
		static const char get[] = "GET /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
		resp = t_raw(port, get, sizeof(get) - 1, 3000);
		T_EQ_INT(t_raw_status(resp), 405);
		T_CONTAINS(resp, "Allow: POST\r\n");
		free(resp);
	}

	http_server_stop(srv, 5);
	http_router_free(r);
	return 0;
}
