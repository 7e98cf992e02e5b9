/*
 * it_outage: the database goes away and comes back while `candor serve` runs.
 *
 * postgres: the test starts a private cluster of its own with tests/pg.sh (never the
 * shared one: other tests use it in parallel), inits and serves the demo on it, then
 * stops the cluster. Pages that need the database answer 503 with Retry-After, the full
 * security header set and a sentence in the error layout; /healthz still answers; the
 * server does not crash. The cluster is started again on the same directory and port
 * and the server recovers by itself within seconds, on every request thread. Then a
 * connection that looks alive but is gone (a TCP proxy in a child process cuts it; the
 * server learns of it only from its next statement) gives 503, never 500, and heals.
 *
 * sqlite: the outage is the database file locked by another process. In WAL mode a
 * BEGIN EXCLUSIVE does not block readers, so the test takes SQLite's exclusive locking
 * mode with sqlite3 directly (the store API always opens in normal locking mode),
 * before the server's request threads have opened their connections. A page then
 * answers 503 after the 5 s busy timeout, neither hanging nor crashing; a CLI write
 * fails with exit 1 and writes nothing; once the lock is released pages come back.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define PIV "perfectimagevideo.localhost"
#define RECOVER_WITHIN_MS 10000

static const char *const security_headers[] = {
    "Content-Security-Policy",
    "Referrer-Policy",
    "X-Content-Type-Options",
    "Cross-Origin-Resource-Policy",
    "Cross-Origin-Opener-Policy",
};
#define NSEC (sizeof(security_headers) / sizeof(security_headers[0]))

/* The security headers of a normal page, to compare the 503 pages against. */
static char expected_sec[NSEC][1024];

static size_t
discard(char *p, size_t size, size_t n, void *u)
{
	return size * n;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
remember_security_headers(const struct t_resp *r)
{
	const char *v;
	size_t i;

	for (i = 0; i < NSEC; i++) {
		if ((v = t_resp_header(r, security_headers[i])) == NULL)
			T_FAIL("a normal page lacks %s", security_headers[i]);
		snprintf(expected_sec[i], sizeof(expected_sec[i]), "%s", v);
	}
	T_CONTAINS(expected_sec[0], "default-src 'none'");
}

static void
assert_alive(const struct t_server *srv)
{
	int status;

	if (waitpid(srv->pid, &status, WNOHANG) == srv->pid) {
		char *log = t_read_file(srv->log, NULL);
		T_FAIL("candor serve died (status %d): %s", status, log ? log : "");
	}
}

/* GET path must answer 503 as a proper page: Retry-After, the security headers of a
 * normal page, no caching, a sentence in the layout. Returns the milliseconds taken. */
static int64_t
expect_503(const struct t_server *srv, const char *path)
{
	struct t_resp r;
	const char *v;
	int64_t t0 = now_ms(), ms;
	size_t i;

	t_http(&r, srv->port, "GET", PIV, path, NULL, NULL);
	ms = now_ms() - t0;
	if (r.status != 503)
		T_FAIL("GET %s during the outage: status %ld, not 503: %s", path, r.status, r.body);
	v = t_resp_header(&r, "Retry-After");
	T_ASSERT(v != NULL && atoi(v) > 0);
	for (i = 0; i < NSEC; i++) {
		v = t_resp_header(&r, security_headers[i]);
		if (v == NULL || strcmp(v, expected_sec[i]) != 0)
			T_FAIL("GET %s: 503 has %s: %s", path, security_headers[i],
			    v ? v : "(none)");
	}
	T_EQ_STR(t_resp_header(&r, "Cache-Control"), "no-store");
	T_CONTAINS(t_resp_header(&r, "Content-Type"), "text/html");
	T_CONTAINS(r.body, "<!doctype html>");
	T_CONTAINS(r.body, "Temporarily unavailable");
	T_CONTAINS(r.body, "try again");
	T_NOT_CONTAINS(r.body, "What we do"); /* no stale content in a 503 */
	t_resp_free(&r);
	assert_alive(srv);
	return ms;
}

/*
 * Polls GET /pages/about on fresh connections (any request thread) until it answers 200;
 * then, once every thread's reconnect pause is over, a run of fresh connections must all
 * get their pages. Returns the milliseconds to the first 200.
 */
static int64_t
expect_recovery(const struct t_server *srv)
{
	struct t_resp r;
	int64_t t0 = now_ms(), ms;
	int i;

	for (;;) {
		t_http(&r, srv->port, "GET", PIV, "/pages/about", NULL, NULL);
		ms = now_ms() - t0;
		if (r.status == 200)
			break;
		if (r.status != 503)
			T_FAIL("GET /pages/about while recovering: status %ld: %s", r.status,
			    r.body);
		t_resp_free(&r);
		assert_alive(srv);
		if (ms >= RECOVER_WITHIN_MS)
			T_FAIL("the server did not recover within %d ms", RECOVER_WITHIN_MS);
		usleep(50000);
	}
	T_CONTAINS(r.body, "What we do");
	t_resp_free(&r);
	usleep(300000); /* > the 200 ms a thread waits between reconnect attempts */
	for (i = 0; i < 12; i++) {
		const char *path = i % 3 == 0 ? "/feed.xml" : i % 3 == 1 ? "/" : "/posts/welcome";
		t_http(&r, srv->port, "GET", PIV, path, NULL, NULL);
		if (r.status != 200)
			T_FAIL("GET %s after recovery: status %ld", path, r.status);
		if (i % 3 == 2)
			T_CONTAINS(r.body, "Welcome to Perfect Image Video");
		t_resp_free(&r);
	}
	return ms;
}

/* ---- postgres: a private cluster stopped and started again ---- */

static char pg_dir[300];
static bool pg_running;

/* Runs tests/pg.sh CMD on pg_dir; returns its exit status and the stdout line in url. */
static int
pg_sh(const char *cmd, char *url, size_t urlsize)
{
	const char *src = getenv("CANDOR_SRC");
	char sh[1200], line[512] = "";
	const char *p, *q;
	FILE *f;
	int st;

	if (src == NULL || *src == '\0')
		T_FAIL("CANDOR_SRC is not set; run the tests through ctest (make test)");
	snprintf(sh, sizeof(sh), "'%s/tests/pg.sh' %s '%s' 2>>'%s.log'", src, cmd, pg_dir,
	    pg_dir);
	if ((f = popen(sh, "r")) == NULL)
		T_FAIL("popen %s", sh);
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	st = pclose(f);
	if (url) {
		/* export CANDOR_TEST_PG_URL='postgresql://...' */
		p = strchr(line, '\'');
		q = p ? strchr(p + 1, '\'') : NULL;
		if (q == NULL || (size_t)(q - p - 1) >= urlsize)
			url[0] = '\0';
		else
			snprintf(url, urlsize, "%.*s", (int)(q - p - 1), p + 1);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void
pg_stop_at_exit(void)
{
	if (pg_running)
		pg_sh("stop", NULL, 0);
}

static void
pg_fail(const char *what)
{
	char path[340], *log;

	snprintf(path, sizeof(path), "%s.log", pg_dir);
	log = t_read_file(path, NULL);
	T_FAIL("tests/pg.sh %s %s failed: %s", what, pg_dir, log ? log : "");
}

/*
 * A TCP proxy in a child process, between candor and the cluster. SIGUSR1 cuts: the next
 * bytes a client sends close its connection (so candor learns of the loss only when it
 * sends a statement, as after a network failure or a failover), and new connections are
 * closed at once. SIGUSR2 heals it.
 */
static volatile sig_atomic_t proxy_cut;

static void
proxy_signal(int sig)
{
	proxy_cut = sig == SIGUSR1;
}

static int
proxy_connect(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static bool
proxy_copy(int from, int to)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof(buf)), off = 0, w;

	if (n <= 0)
		return false;
	while (off < n) {
		if ((w = write(to, buf + off, (size_t)(n - off))) <= 0)
			return false;
		off += w;
	}
	return true;
}

static void
proxy_run(int lfd, int upstream)
{
	enum { MAXC = 64 };
	struct pollfd pfd[1 + 2 * MAXC];
	int cli[MAXC], srv[MAXC], nc = 0, i, fd;

	signal(SIGUSR1, proxy_signal);
	signal(SIGUSR2, proxy_signal);
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		for (i = 0; i < nc; i++) {
			pfd[1 + 2 * i].fd = cli[i];
			pfd[1 + 2 * i].events = POLLIN;
			pfd[2 + 2 * i].fd = srv[i];
			pfd[2 + 2 * i].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)(1 + 2 * nc), 50) < 0)
			continue; /* a signal */
		for (i = nc - 1; i >= 0; i--) {
			bool ok = true;
			if (pfd[1 + 2 * i].revents)
				ok = !proxy_cut && proxy_copy(cli[i], srv[i]);
			if (ok && pfd[2 + 2 * i].revents)
				ok = proxy_copy(srv[i], cli[i]);
			if (!ok) {
				close(cli[i]);
				close(srv[i]);
				cli[i] = cli[nc - 1];
				srv[i] = srv[nc - 1];
				nc--;
			}
		}
		if (pfd[0].revents && (fd = accept(lfd, NULL, NULL)) >= 0) {
			if (proxy_cut || nc == MAXC || (srv[nc] = proxy_connect(upstream)) < 0) {
				close(fd);
			} else {
				cli[nc++] = fd;
			}
		}
	}
}

/* Starts the proxy to 127.0.0.1:upstream; returns its pid and its port in *port. */
static int
proxy_start(int upstream, int *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), pid;

	T_ASSERT(lfd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	T_EQ_INT(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	T_EQ_INT(listen(lfd, 64), 0);
	T_EQ_INT(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	if ((pid = fork()) < 0)
		T_FAIL("fork");
	if (pid == 0) {
		proxy_run(lfd, upstream);
		_exit(0);
	}
	close(lfd);
	return pid;
}

/* A second data directory on dir's database, reached through 127.0.0.1:port. */
static const char *
datadir_via(const char *dir, const char *url, int port)
{
	static char out[300];
	char path[600], *conf, *key, *line, *rest, *hostport;
	size_t keylen;
	FILE *f;

	snprintf(out, sizeof(out), "%s/via-proxy", t_tmpdir());
	T_EQ_INT(mkdir(out, 0700), 0);
	snprintf(path, sizeof(path), "%s/master.key", dir);
	T_ASSERT((key = t_read_file(path, &keylen)) != NULL);
	snprintf(path, sizeof(path), "%s/master.key", out);
	T_ASSERT((f = fopen(path, "wb")) != NULL);
	T_EQ_INT(fwrite(key, 1, keylen, f), keylen);
	T_EQ_INT(fclose(f), 0);
	T_EQ_INT(chmod(path, 0600), 0);
	free(key);
	snprintf(path, sizeof(path), "%s/candor.conf", dir);
	T_ASSERT((conf = t_read_file(path, NULL)) != NULL);
	T_ASSERT((line = strstr(conf, "\ndatabase = ")) != NULL);
	line += strlen("\ndatabase = ");
	rest = line + strcspn(line, "\n");
	*line = '\0';
	/* postgresql://postgres@127.0.0.1:PORT/postgres */
	T_ASSERT((hostport = strstr(url, "@127.0.0.1:")) != NULL);
	snprintf(path, sizeof(path), "%s/candor.conf", out);
	T_ASSERT((f = fopen(path, "w")) != NULL);
	fprintf(f, "%s%.*s@127.0.0.1:%d%s%s", conf, (int)(hostport - url), url, port,
	    hostport + strlen("@127.0.0.1:") + strspn(hostport + strlen("@127.0.0.1:"),
						       "0123456789"),
	    rest);
	T_EQ_INT(fclose(f), 0);
	free(conf);
	return out;
}

/*
 * The connection is lost while it looks alive: the first statement of a request finds
 * out. That request answers 503 too (never 500), and the server recovers once the
 * network is back.
 */
static void
outage_cut_connection(const char *dir, const char *url)
{
	struct t_server srv;
	struct curl_slist *h;
	char target[128], *out;
	const char *via;
	long status = 0, connects = 0, k;
	int proxy, port, upstream, i;
	CURL *c;

	upstream = atoi(strstr(url, "@127.0.0.1:") + strlen("@127.0.0.1:"));
	proxy = proxy_start(upstream, &port);
	via = datadir_via(dir, url, port);
	t_server_start(&srv, via);

	/* one keep-alive connection, so one request thread: its database connection is
	 * opened by /healthz (the cache asks for the generation) and looks alive */
	T_ASSERT((c = curl_easy_init()) != NULL);
	h = curl_slist_append(NULL, "Host: " PIV);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	snprintf(target, sizeof(target), "http://127.0.0.1:%d/healthz", srv.port);
	curl_easy_setopt(c, CURLOPT_URL, target);
	T_EQ_INT(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	T_EQ_INT(status, 200);

	kill(proxy, SIGUSR1);
	usleep(200000);
	for (i = 0; i < 3; i++) {
		snprintf(target, sizeof(target), "http://127.0.0.1:%d%s", srv.port,
		    i == 0 ? "/pages/about" : i == 1 ? "/posts/welcome" : "/");
		curl_easy_setopt(c, CURLOPT_URL, target);
		T_EQ_INT(curl_easy_perform(c), CURLE_OK);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &k);
		connects += k;
		if (status != 503)
			T_FAIL("GET %s with the database connection cut: %ld, not 503", target,
			    status);
	}
	T_EQ_INT(connects, 0); /* all on the warm connection, so on the warm thread */
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	expect_503(&srv, "/feed.xml");

	kill(proxy, SIGUSR2);
	printf("it_outage (postgres): pages back %lld ms after the cut connection healed\n",
	    (long long)expect_recovery(&srv));
	T_EQ_INT(t_server_stop(&srv), 0);
	out = t_read_file(srv.log, NULL);
	T_NOT_CONTAINS(out, "status=500");
	free(out);
	kill(proxy, SIGKILL);
	waitpid(proxy, NULL, 0);
}

static void
outage_postgres(void)
{
	struct t_server srv;
	struct t_resp r;
	char url[512], url2[512], dir[300], *out = NULL;
	const char *base;
	int64_t ms;

	/* the cluster lives in a test temporary directory, so it is removed at exit, after
	 * pg_stop_at_exit (registered later, so run earlier) stopped it; as root, pg.sh
	 * runs the server as the postgres user, which must be able to reach its dir */
	base = t_tmpdir();
	T_EQ_INT(chmod(base, 0711), 0);
	snprintf(pg_dir, sizeof(pg_dir), "%s/pg", base);
	atexit(pg_stop_at_exit);
	pg_running = true;
	if (pg_sh("start", url, sizeof(url)) != 0 || url[0] == '\0')
		pg_fail("start");
	T_ASSERT(strncmp(url, "postgresql://", 13) == 0);
	T_ASSERT(strcmp(url, getenv("CANDOR_TEST_PG_URL") ? getenv("CANDOR_TEST_PG_URL") : "") !=
		 0);

	snprintf(dir, sizeof(dir), "%s/data", t_tmpdir());
	if (t_candor(&out, "init", "--data", dir, "--demo", "--database", url, NULL) != 0)
		T_FAIL("candor init on the private cluster failed: %s", out ? out : "");
	free(out);
	t_server_start(&srv, dir);

	t_http(&r, srv.port, "GET", PIV, "/posts/welcome", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Welcome to Perfect Image Video");
	remember_security_headers(&r);
	t_resp_free(&r);

	/* the database goes away */
	if (pg_sh("stop", NULL, 0) != 0)
		pg_fail("stop");
	pg_running = false;

	/* never fetched before, so no cache can answer: 503, on several connections (so
	 * several request threads find their connection dead) */
	expect_503(&srv, "/pages/about");
	expect_503(&srv, "/feed.xml");
	expect_503(&srv, "/");
	expect_503(&srv, "/privacy");
	ms = expect_503(&srv, "/pages/about");
	T_ASSERT(ms < 3000); /* a refused connection answers at once, it does not hang */
	/* a page fetched earlier may come from the cache, but never as an error or stale
	 * garbage */
	t_http(&r, srv.port, "GET", PIV, "/posts/welcome", NULL, NULL);
	T_ASSERT(r.status == 200 || r.status == 503);
	if (r.status == 200)
		T_CONTAINS(r.body, "Welcome to Perfect Image Video");
	t_resp_free(&r);
	/* the load balancer's probe needs no database */
	t_http(&r, srv.port, "GET", PIV, "/healthz", NULL, NULL);
	T_EQ_INT(r.status, 200);
	t_resp_free(&r);
	/* an unknown path is still a 404 or a 503, never a 500 */
	t_http(&r, srv.port, "GET", PIV, "/posts/no-such-post", NULL, NULL);
	T_ASSERT(r.status == 404 || r.status == 503);
	t_resp_free(&r);
	assert_alive(&srv);

	/* the database comes back on the same port with the same data; the server was
	 * not restarted */
	pg_running = true;
	if (pg_sh("start", url2, sizeof(url2)) != 0)
		pg_fail("start (again)");
	T_EQ_STR(url2, url);
	ms = expect_recovery(&srv);
	printf("it_outage (postgres): pages back %lld ms after the cluster restarted\n",
	    (long long)ms);
	assert_alive(&srv);
	T_EQ_INT(t_server_stop(&srv), 0);
	out = t_read_file(srv.log, NULL);
	T_CONTAINS(out, "status=503");
	T_NOT_CONTAINS(out, "status=500");
	free(out);

	outage_cut_connection(dir, url);

	if (pg_sh("stop", NULL, 0) != 0)
		pg_fail("stop (again)");
	pg_running = false;
}

/* ---- sqlite: the database file locked by another process ---- */

static void
outage_sqlite(void)
{
	struct t_server srv;
	struct t_resp r;
	const char *dir = t_datadir(true);
	char path[400], md[400], *out = NULL, *err = NULL;
	sqlite3 *db = NULL;
	int64_t t0, ms;
	int rc;

	snprintf(path, sizeof(path), "%s/candor.db", dir);
	snprintf(md, sizeof(md), "%s/locked.md", t_tmpdir());
	{
		FILE *f = fopen(md, "w");
		T_ASSERT(f != NULL);
		fputs("Written while the database was locked.\n", f);
		fclose(f);
	}

	/* what a normal page carries, from a separate server that is stopped again, so the
	 * server under test has opened no database connection when the lock is taken */
	t_server_start(&srv, dir);
	t_http(&r, srv.port, "GET", PIV, "/static/style.css", NULL, NULL);
	T_EQ_INT(r.status, 200);
	remember_security_headers(&r);
	t_resp_free(&r);
	T_EQ_INT(t_server_stop(&srv), 0);

	t_server_start(&srv, dir);
	T_EQ_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	rc = sqlite3_exec(db, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE", NULL, NULL, &err);
	if (rc != SQLITE_OK)
		T_FAIL("cannot lock the database: %s", err ? err : sqlite3_errstr(rc));

	/* a page answers 503 once the 5 s busy timeout has run out: it neither fails at
	 * once nor hangs */
	ms = expect_503(&srv, "/pages/about");
	printf("it_outage (sqlite): 503 after %lld ms of a locked database\n", (long long)ms);
	T_ASSERT(ms >= 4000 && ms < 8000); /* one busy timeout, not two */

	/* a writer gives up the same way: exit 1, nothing written */
	t0 = now_ms();
	rc = t_candor(&out, "post", "add", "--data", dir, "--site", PIV, "--title", "Locked out",
	    "--file", md, "--slug", "locked-out", NULL);
	ms = now_ms() - t0;
	T_EQ_INT(rc, 1);
	T_ASSERT(ms < 15000);
	T_ASSERT(out != NULL && strlen(out) > 0);
	free(out);
	assert_alive(&srv);

	/* the lock goes away; pages come back without a restart */
	T_EQ_INT(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	T_EQ_INT(sqlite3_close(db), SQLITE_OK);
	ms = expect_recovery(&srv);
	printf("it_outage (sqlite): pages back %lld ms after the lock was released\n",
	    (long long)ms);
	t_http(&r, srv.port, "GET", PIV, "/posts/locked-out", NULL, NULL);
	T_EQ_INT(r.status, 404);
	t_resp_free(&r);
	T_EQ_INT(t_server_stop(&srv), 0);
	out = t_read_file(srv.log, NULL);
	T_CONTAINS(out, "status=503");
	T_NOT_CONTAINS(out, "status=500");
	free(out);
}

int
main(void)
{
	if (strcmp(t_backend(), "postgres") == 0)
		outage_postgres();
	else
		outage_sqlite();
	return 0;
}
