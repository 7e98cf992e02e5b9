/*
 * it_server: the server's life and the command line around it. Keep-alive (one
 * connection serves many requests), unknown hosts, an access log without IP or
 * User-Agent, SIGTERM finishing in-flight requests and exiting 0, serve refusing a
 * readable master key, init refusing to overwrite, config errors naming key and line,
 * and usage errors exiting 2.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

static size_t
discard(char *p, size_t s, size_t n, void *u)
{
	return s * n;
}

static void
write_text(const char *path, const char *mode, const char *text)
{
	FILE *f = fopen(path, mode);

	T_ASSERT(f != NULL);
	fputs(text, f);
	fclose(f);
}

int
main(void)
{
	struct t_server srv;
	struct t_resp r;
	const char *dir = t_datadir(false);
	char path[512], md[512], url[128], *out = NULL, *log;
	long connects, total = 0, status;
	CURL *c;
	int i, rc;

	/* a plain install: one site, no default_site */
	T_EQ_INT(t_candor(&out, "site", "add", "--data", dir, "--host", "Example.ORG", "--title",
		     "Example", "--alias", "www.example.org", NULL), 0);
	free(out);
	snprintf(md, sizeof(md), "%s/p.md", t_tmpdir());
	write_text(md, "w", "Hello *there*.\n");
	T_EQ_INT(t_candor(&out, "post", "add", "--data", dir, "--site", "example.org", "--title",
		     "First", "--file", md, NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "site", "list", "--data", dir, NULL), 0);
	T_CONTAINS(out, "example.org");
	T_CONTAINS(out, "www.example.org");
	free(out);

	t_server_start(&srv, dir);

	/* unknown host: 404 "unknown site", never another site's content */
	t_http(&r, srv.port, "GET", "other.test", "/", NULL, NULL);
	T_EQ_INT(r.status, 404);
	T_CONTAINS(r.body, "unknown site");
	T_NOT_CONTAINS(r.body, "First");
	t_resp_free(&r);
	t_http(&r, srv.port, "GET", "www.example.org:8080", "/posts/first", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<em>there</em>");
	t_resp_free(&r);

	/* without a published policy, /privacy still shows what is collected (B6) */
	t_http(&r, srv.port, "GET", "example.org", "/privacy", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "has not published a privacy policy yet");
	T_CONTAINS(r.body, "What we collect and why");
	t_resp_free(&r);

	/* keep-alive: 50 requests on one connection */
	c = curl_easy_init();
	T_ASSERT(c != NULL);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", srv.port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	{
		struct curl_slist *h = curl_slist_append(NULL, "Host: example.org");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		for (i = 0; i < 50; i++) {
			T_EQ_INT(curl_easy_perform(c), CURLE_OK);
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
			T_EQ_INT(status, 200);
			curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
			total += connects;
		}
		curl_slist_free_all(h);
	}
	curl_easy_cleanup(c);
	T_EQ_INT(total, 1);

	/* the access log: site, method, path, status; no IP, no User-Agent */
	{
		const char *ua[] = {"User-Agent: Mozilla/5.0 (X11; Linux) SecretAgent/42", NULL};
		t_http(&r, srv.port, "GET", "example.org", "/posts/first?q=private", ua, NULL);
		t_resp_free(&r);
	}
	/* control characters from the request line never reach the log raw */
	{
		char *resp = t_raw(srv.port, "G\x1b[31mET / HTTP/1.1\r\nHost: example.org\r\n"
					     "Connection: close\r\n\r\n", 61, 3000);
		free(resp);
	}
	/* a second server cannot take over the same port */
	{
		char listen[64];
		snprintf(listen, sizeof(listen), "127.0.0.1:%d", srv.port);
		T_EQ_INT(t_candor(&out, "serve", "--data", dir, "--listen", listen, NULL), 1);
		T_CONTAINS(out, "cannot listen");
		free(out);
	}
	log = t_read_file(srv.log, NULL);
	T_NOT_CONTAINS(log, "\x1b");
	T_CONTAINS(log, "method=G\\x1b[31mET path=\"/\" status=405");
	T_CONTAINS(log, "access site=example.org method=GET path=\"/posts/first\" status=200");
	T_NOT_CONTAINS(log, "127.0.0.1 ");
	T_NOT_CONTAINS(log, "SecretAgent");
	T_NOT_CONTAINS(log, "private");
	free(log);

	/* SIGTERM while a request is in flight: it completes, exit 0 within 5 s */
	{
		pid_t child = fork();
		struct timespec t0, t1;
		if (child == 0) {
			/* a slow client: the request line now (the server counts the request
			 * as in flight), the headers after the server got SIGTERM */
			struct sockaddr_in sa = {.sin_family = AF_INET};
			char buf[4096];
			ssize_t n, got = 0;
			int fd = socket(AF_INET, SOCK_STREAM, 0);
			sa.sin_port = htons((uint16_t)srv.port);
			sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
				_exit(2);
			if (write(fd, "GET / HTTP/1.1\r\n", 16) != 16)
				_exit(3);
			usleep(400000);
			if (write(fd, "Host: example.org\r\nConnection: close\r\n\r\n", 40) != 40)
				_exit(3);
			while ((n = read(fd, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
				got += n;
			buf[got] = '\0';
			_exit(t_raw_status(buf) == 200 ? 0 : 1);
		}
		usleep(150000);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = t_server_stop(&srv);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		T_EQ_INT(rc, 0);
		T_ASSERT(t1.tv_sec - t0.tv_sec <= 5);
		waitpid(child, &rc, 0);
		T_ASSERT(WIFEXITED(rc));
		T_EQ_INT(WEXITSTATUS(rc), 0); /* the in-flight request got its page */
	}
	log = t_read_file(srv.log, NULL);
	T_CONTAINS(log, "stopped");
	free(log);

	/* serve refuses a master key readable by others */
	snprintf(path, sizeof(path), "%s/master.key", dir);
	T_EQ_INT(chmod(path, 0640), 0);
	T_EQ_INT(t_candor(&out, "serve", "--data", dir, "--listen", "127.0.0.1:0", NULL), 1);
	T_CONTAINS(out, "readable by group or others");
	free(out);
	T_EQ_INT(chmod(path, 0600), 0);

	/* init never overwrites */
	T_EQ_INT(t_candor(&out, "init", "--data", dir, NULL), 1);
	T_CONTAINS(out, "not empty");
	free(out);

	/* nor does it fill a database that already holds tables (and leaves no directory) */
	{
		char dburl[1200], newdir[400], *conf, *p;
		snprintf(path, sizeof(path), "%s/candor.conf", dir);
		conf = t_read_file(path, NULL);
		T_ASSERT(conf != NULL && (p = strstr(conf, "\ndatabase = ")) != NULL);
		p += strlen("\ndatabase = ");
		if (strncmp(p, "sqlite:candor.db", 16) == 0)
			snprintf(dburl, sizeof(dburl), "sqlite:%s/candor.db", dir);
		else
			snprintf(dburl, sizeof(dburl), "%.*s", (int)strcspn(p, "\n"), p);
		free(conf);
		snprintf(newdir, sizeof(newdir), "%s/second", t_tmpdir());
		T_EQ_INT(t_candor(&out, "init", "--data", newdir, "--demo", "--database", dburl, NULL), 1);
		T_CONTAINS(out, "already holds tables");
		free(out);
		T_ASSERT(access(newdir, F_OK) != 0);
	}

	/* usage errors exit 2 with one line; failures exit 1 */
	T_EQ_INT(t_candor(&out, "serve", NULL), 2);
	T_CONTAINS(out, "missing required option --data");
	free(out);
	T_EQ_INT(t_candor(&out, "post", "add", "--data", dir, "--bogus", NULL), 2);
	T_CONTAINS(out, "unknown option '--bogus'");
	free(out);
	T_EQ_INT(t_candor(&out, "frobnicate", NULL), 2);
	free(out);
	T_EQ_INT(t_candor(&out, "site", "add", "--data", dir, "--host", "http://x.org/",
		     "--title", "X", NULL), 2);
	free(out);
	T_EQ_INT(t_candor(&out, "post", "add", "--data", dir, "--site", "nosuch.org", "--title",
		     "T", "--file", md, NULL), 1);
	T_CONTAINS(out, "no site is served at nosuch.org");
	free(out);
	T_EQ_INT(t_candor(&out, "post", "add", "--data", dir, "--site", "example.org", "--title",
		     "Again", "--file", md, "--slug", "first", NULL), 1);
	T_CONTAINS(out, "slug is already used");
	free(out);
	T_EQ_INT(t_candor(&out, "post", "add", "--data", dir, "--site", "example.org", "--title",
		     "Bad", "--file", md, "--slug", "Not A Slug", NULL), 1);
	free(out);
	T_EQ_INT(t_candor(&out, "--help", NULL), 0);
	T_CONTAINS(out, "usage: candor COMMAND");
	free(out);
	T_EQ_INT(t_candor(&out, "post", "add", "--help", NULL), 0);
	T_CONTAINS(out, "--draft");
	free(out);
	T_EQ_INT(t_candor(&out, "--version", NULL), 0);
	T_CONTAINS(out, "candor ");
	free(out);

	/* configuration errors name the key and the line */
	snprintf(path, sizeof(path), "%s/candor.conf", dir);
	write_text(path, "a", "\n[server]\nlisten_adress = 127.0.0.1:1\n");
	T_EQ_INT(t_candor(&out, "site", "list", "--data", dir, NULL), 1);
	T_CONTAINS(out, "unknown key 'listen_adress' in section [server]");
	T_CONTAINS(out, "line ");
	free(out);
	return 0;
}
