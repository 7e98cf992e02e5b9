/*
 * bare_mhd: the baseline for bench/serve.sh. The least a libmicrohttpd server can do to
 * answer like candor's cached page path: the same daemon settings as
 * src/http/server.c (epoll internal thread pool, one thread per core, the same
 * connection limits and timeout, 32 KiB connection memory as in src/core/limits.h),
 * the same two-call handler pattern (the first call only accepts the request, the second
 * queues the answer) and the same six response headers (src/http/response.c and
 * server_build), with one response built once at startup from a file read into memory.
 * Any method and any path get that response.
 *
 * Usage: bare_mhd FILE [PORT [PER_IP_LIMIT]]
 *   Listens on 127.0.0.1 only. PORT 0 (the default) picks a free port. Prints
 *   "listening on http://127.0.0.1:PORT/" on stderr once ready; stops on SIGINT/SIGTERM.
 * Build: cc -O2 bare_mhd.c $(pkg-config --cflags --libs libmicrohttpd) -o bare_mhd
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#define CONNECTION_MEMORY (32 * 1024) /* LIMIT_CONNECTION_MEMORY */
#define CONNECTION_LIMIT 1024u	      /* candor.conf default connection_limit */
#define PER_IP_LIMIT 64u	      /* candor.conf default per_ip_connection_limit */
#define CONNECTION_TIMEOUT 30u	      /* candor.conf default connection_timeout */

static struct MHD_Response *page;
static int started_marker;

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **state)
{
	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload_data;
	if (*state == NULL) {
		/* First call: headers are in; keep the connection, answer on the next call. */
		*state = &started_marker;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	return MHD_queue_response(c, MHD_HTTP_OK, page);
}

static void
completed(void *cls, struct MHD_Connection *c, void **state,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	*state = NULL;
}

static char *
read_file(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL, *p;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((p = realloc(data, cap)) == NULL) {
				free(data);
				fclose(f);
				return NULL;
			}
			data = p;
		}
		n = fread(data + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		free(data);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*lenp = len;
	return data;
}

int
main(int argc, char **argv)
{
	static const char *const headers[][2] = {
		{MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8"},
		{"Content-Security-Policy",
		    "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; "
		    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
		{"Referrer-Policy", "strict-origin-when-cross-origin"},
		{"X-Content-Type-Options", "nosniff"},
		{"Cross-Origin-Resource-Policy", "same-origin"},
		{"Cross-Origin-Opener-Policy", "same-origin"},
		{MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache"},
	};
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *di;
	sigset_t set;
	long threads;
	unsigned int port = 0, per_ip = PER_IP_LIMIT;
	size_t len, i;
	char *body;
	int sig;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: bare_mhd FILE [PORT [PER_IP_LIMIT]]\n");
		return 2;
	}
	if (argc > 2)
		port = (unsigned int)strtoul(argv[2], NULL, 10);
	if (argc > 3)
		per_ip = (unsigned int)strtoul(argv[3], NULL, 10);
	if (port > 65535) {
		fprintf(stderr, "bare_mhd: bad port %s\n", argv[2]);
		return 2;
	}
	if ((body = read_file(argv[1], &len)) == NULL) {
		fprintf(stderr, "bare_mhd: cannot read %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	page = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_PERSISTENT);
	if (page == NULL) {
		fprintf(stderr, "bare_mhd: cannot create the response\n");
		return 1;
	}
	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
		if (MHD_add_response_header(page, headers[i][0], headers[i][1]) != MHD_YES) {
			fprintf(stderr, "bare_mhd: cannot add header %s\n", headers[i][0]);
			return 1;
		}

	/* Signals are taken by sigwait below; the pool threads inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((threads = sysconf(_SC_NPROCESSORS_ONLN)) <= 0)
		threads = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC, 0, NULL, NULL, handle,
	    NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads,
	    MHD_OPTION_CONNECTION_LIMIT, CONNECTION_LIMIT,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
	    MHD_OPTION_CONNECTION_TIMEOUT, CONNECTION_TIMEOUT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "bare_mhd: cannot listen on 127.0.0.1:%u\n", port);
		return 1;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "bare_mhd: %ld threads, %zu-byte body, listening on http://127.0.0.1:%u/\n",
	    threads, len, di ? (unsigned int)di->port : port);
	fflush(stderr);

	while (sigwait(&set, &sig) != 0)
		;
	MHD_stop_daemon(d);
	MHD_destroy_response(page);
	free(body);
	return 0;
}
