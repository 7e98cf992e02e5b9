/*
 * testserver: integration-test helpers that drive the real candor binary: run CLI
 * commands, make data directories, start and stop `candor serve` on an ephemeral
 * loopback port, and speak HTTP to it with libcurl (or raw bytes over a socket, for
 * the malformed requests libcurl refuses to send).
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

static const char *
t_bin(void)
{
	const char *b = getenv("CANDOR_BIN");

	if (b == NULL || *b == '\0')
		T_FAIL("CANDOR_BIN is not set; run the tests through ctest (make test)");
	return b;
}

int
t_candor(char **out, const char *arg, ...)
{
	const char *argv[64];
	char outpath[300];
	va_list ap;
	int n = 0, status, fd;
	pid_t pid;

	argv[n++] = t_bin();
	va_start(ap, arg);
	for (const char *a = arg; a && n < 62; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	static const char *outdir;

	if (outdir == NULL)
		outdir = t_tmpdir();
	snprintf(outpath, sizeof(outpath), "%s/out", outdir);
	if ((pid = fork()) < 0)
		T_FAIL("fork");
	if (pid == 0) {
		fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		T_FAIL("waitpid");
	if (out)
		*out = t_read_file(outpath, NULL);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

const char *
t_datadir(bool demo)
{
	static char dirs[8][300];
	static int ndirs;
	char url[512], *out = NULL;
	char *dir = dirs[ndirs++ % 8];
	int rc;

	snprintf(dir, 300, "%s/data", t_tmpdir());
	if (strcmp(t_backend(), "postgres") == 0) {
		t_db_url(url, sizeof(url));
		rc = demo ? t_candor(&out, "init", "--data", dir, "--demo", "--database", url, NULL)
			  : t_candor(&out, "init", "--data", dir, "--database", url, NULL);
	} else {
		rc = demo ? t_candor(&out, "init", "--data", dir, "--demo", NULL)
			  : t_candor(&out, "init", "--data", dir, NULL);
	}
	if (rc != 0)
		T_FAIL("candor init failed (%d): %s", rc, out ? out : "");
	free(out);
	return dir;
}

/* Servers still running when a test fails are killed at exit, so a failing test never
 * leaves a process holding ctest's output pipe open. */
static int t_live_pids[8];

static void
t_kill_live(void)
{
	size_t i;

	for (i = 0; i < 8; i++)
		if (t_live_pids[i] > 0)
			kill(t_live_pids[i], SIGKILL);
}

static void
t_track(int pid, bool add)
{
	static bool registered;
	size_t i;

	if (!registered) {
		atexit(t_kill_live);
		registered = true;
	}
	for (i = 0; i < 8; i++)
		if (add ? t_live_pids[i] == 0 : t_live_pids[i] == pid) {
			t_live_pids[i] = add ? pid : 0;
			return;
		}
}

void
t_server_start(struct t_server *s, const char *dir)
{
	char *log;
	const char *p;
	int i, status, fd;

	memset(s, 0, sizeof(*s));
	snprintf(s->log, sizeof(s->log), "%s/serve.log", t_tmpdir());
	if ((s->pid = fork()) < 0)
		T_FAIL("fork");
	if (s->pid == 0) {
		fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(t_bin(), t_bin(), "serve", "--data", dir, "--listen", "127.0.0.1:0",
		    (char *)NULL);
		_exit(127);
	}
	t_track(s->pid, true);
	for (i = 0; i < 3000; i++) {
		if ((log = t_read_file(s->log, NULL)) != NULL) {
			p = strstr(log, "listening on http://127.0.0.1:");
			if (p)
				s->port = atoi(p + strlen("listening on http://127.0.0.1:"));
			free(log);
			if (s->port > 0)
				return;
		}
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			log = t_read_file(s->log, NULL);
			T_FAIL("candor serve exited early: %s", log ? log : "");
		}
		usleep(10000);
	}
	T_FAIL("candor serve did not start listening within 30 s");
}

int
t_server_stop(struct t_server *s)
{
	int i, status;

	kill(s->pid, SIGTERM);
	for (i = 0; i < 1000; i++) {
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			t_track(s->pid, false);
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		usleep(10000);
	}
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &status, 0);
	T_FAIL("candor serve did not stop within 10 s of SIGTERM");
}

struct t_growbuf {
	char *p;
	size_t n;
};

static size_t
t_collect(char *data, size_t size, size_t nmemb, void *user)
{
	struct t_growbuf *g = user;
	size_t n = size * nmemb;
	char *p = realloc(g->p, g->n + n + 1);

	if (p == NULL)
		return 0;
	memcpy(p + g->n, data, n);
	g->n += n;
	p[g->n] = '\0';
	g->p = p;
	return n;
}

void
t_http(struct t_resp *r, int port, const char *method, const char *host, const char *path,
    const char *const *extra_headers, const char *body)
{
	struct t_growbuf hb = {0}, bb = {0};
	struct curl_slist *hl = NULL;
	char url[9000], hosthdr[300];
	CURL *c;
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	if ((c = curl_easy_init()) == NULL)
		T_FAIL("curl_easy_init");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	if (host) {
		snprintf(hosthdr, sizeof(hosthdr), "Host: %s", host);
		hl = curl_slist_append(hl, hosthdr);
	}
	for (; extra_headers && *extra_headers; extra_headers++)
		hl = curl_slist_append(hl, *extra_headers);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, t_collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hb);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, t_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &bb);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		T_FAIL("HTTP %s %s failed: %s", method, path, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	r->headers = hb.p ? hb.p : strdup("");
	r->body = bb.p ? bb.p : strdup("");
	r->body_len = bb.n;
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
}

void
t_resp_free(struct t_resp *r)
{
	free(r->headers);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

const char *
t_resp_header(const struct t_resp *r, const char *name)
{
	static char value[4096];
	const char *p = r->headers;
	size_t nl = strlen(name), vl;

	while (p && *p) {
		const char *eol = strstr(p, "\r\n");
		if (eol == NULL)
			eol = p + strlen(p);
		if ((size_t)(eol - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ')
				v++;
			vl = (size_t)(eol - v);
			if (vl >= sizeof(value))
				vl = sizeof(value) - 1;
			memcpy(value, v, vl);
			value[vl] = '\0';
			return value;
		}
		p = *eol ? eol + 2 : eol;
	}
	return NULL;
}

char *
t_raw(int port, const char *bytes, size_t len, int timeout_ms)
{
	struct sockaddr_in sa;
	struct pollfd pfd;
	struct t_growbuf g = {0};
	char chunk[8192];
	size_t off = 0;
	ssize_t n;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		T_FAIL("socket");
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		T_FAIL("connect: %s", strerror(errno));
	while (off < len) {
		n = send(fd, bytes + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break; /* the server may answer and close before reading everything */
		off += (size_t)n;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, timeout_ms) > 0) {
		n = recv(fd, chunk, sizeof(chunk), 0);
		if (n <= 0)
			break;
		t_collect(chunk, 1, (size_t)n, &g);
	}
	close(fd);
	return g.p ? g.p : strdup("");
}

int
t_raw_status(const char *resp)
{
	if (strncmp(resp, "HTTP/1.", 7) != 0 || strlen(resp) < 12)
		return -1;
	return atoi(resp + 9);
}
