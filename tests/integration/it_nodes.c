/*
 * it_nodes: several candor nodes on one database. Node A serves the data directory made
 * by init; node B serves a second data directory whose candor.conf points at the same
 * database (postgres: the same URL; sqlite: A's database file by absolute path) and
 * which holds the same master key. A post added with the CLI through either data
 * directory is served by the other node, and the other node's warm page cache is
 * invalidated: the change shows on the home page, the post's own page and the feed of
 * the other node within one second (measured by polling every 20 ms on the connection
 * whose thread cached the pages). Both nodes stop with exit 0 on SIGTERM.
 */
#include <curl/curl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define PIV "perfectimagevideo.localhost"
#define POLL_MS 20
#define VISIBLE_WITHIN_MS 1000

struct body {
	char *p;
	size_t n;
};

static size_t
collect(char *data, size_t size, size_t nmemb, void *user)
{
	struct body *b = user;
	size_t n = size * nmemb;
	char *p = realloc(b->p, b->n + n + 1);

	if (p == NULL)
		return 0;
	memcpy(p + b->n, data, n);
	b->n += n;
	p[b->n] = '\0';
	b->p = p;
	return n;
}

/*
 * A node seen through one keep-alive connection: the server pins a connection to one
 * request thread, and its page cache is per thread, so every request on it meets the
 * cache that earlier requests on it warmed.
 */
struct node {
	const char *name;
	struct t_server srv;
	CURL *c;
	struct curl_slist *hdrs;
	long connects; /* TCP connections the handle opened */
};

static void
node_open(struct node *n, const char *name, const char *dir)
{
	memset(n, 0, sizeof(*n));
	n->name = name;
	t_server_start(&n->srv, dir);
	n->c = curl_easy_init();
	T_ASSERT(n->c != NULL);
	n->hdrs = curl_slist_append(NULL, "Host: " PIV);
	curl_easy_setopt(n->c, CURLOPT_HTTPHEADER, n->hdrs);
	curl_easy_setopt(n->c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(n->c, CURLOPT_TIMEOUT, 20L);
}

/* GET path on the node's connection; returns the status, the body in *out (malloc'd). */
static long
node_get(struct node *n, const char *path, char **out)
{
	struct body b = {0};
	char url[256];
	long status = 0, k = 0;
	CURLcode rc;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", n->srv.port, path);
	curl_easy_setopt(n->c, CURLOPT_URL, url);
	curl_easy_setopt(n->c, CURLOPT_WRITEDATA, &b);
	if ((rc = curl_easy_perform(n->c)) != CURLE_OK)
		T_FAIL("node %s: GET %s failed: %s", n->name, path, curl_easy_strerror(rc));
	curl_easy_getinfo(n->c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(n->c, CURLINFO_NUM_CONNECTS, &k);
	n->connects += k;
	*out = b.p ? b.p : strdup("");
	return status;
}

static void
node_close(struct node *n)
{
	curl_slist_free_all(n->hdrs);
	curl_easy_cleanup(n->c);
	T_EQ_INT(t_server_stop(&n->srv), 0);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	T_ASSERT(f != NULL);
	fputs(text, f);
	T_EQ_INT(fclose(f), 0);
	T_EQ_INT(chmod(path, mode), 0);
}

/*
 * Makes a second data directory on the database of dir: the same master key, the same
 * configuration, with a relative SQLite path made absolute so it names dir's file.
 */
static const char *
second_datadir(const char *dir)
{
	static char out[300];
	char path[600], *conf, *key, *line, *rest;
	size_t keylen;
	FILE *f;

	snprintf(out, sizeof(out), "%s/node-b", t_tmpdir());
	T_EQ_INT(mkdir(out, 0700), 0);
	snprintf(path, sizeof(path), "%s/master.key", dir);
	key = t_read_file(path, &keylen);
	T_ASSERT(key != NULL);
	T_EQ_INT(keylen, 64); /* master key, then root key */
	snprintf(path, sizeof(path), "%s/master.key", out);
	f = fopen(path, "wb");
	T_ASSERT(f != NULL);
	T_EQ_INT(fwrite(key, 1, keylen, f), keylen);
	T_EQ_INT(fclose(f), 0);
	T_EQ_INT(chmod(path, 0600), 0);
	free(key);

	snprintf(path, sizeof(path), "%s/candor.conf", dir);
	conf = t_read_file(path, NULL);
	T_ASSERT(conf != NULL);
	line = strstr(conf, "\ndatabase = ");
	T_ASSERT(line != NULL);
	line += strlen("\ndatabase = ");
	rest = line + strcspn(line, "\n");
	if (strcmp(t_backend(), "postgres") == 0) {
		T_ASSERT(strncmp(line, "postgresql://", 13) == 0);
		snprintf(path, sizeof(path), "%s/candor.conf", out);
		write_file(path, conf, 0640);
	} else {
		/* init writes the file name relative to the data directory */
		T_ASSERT(strncmp(line, "sqlite:candor.db", 16) == 0 && line + 16 == rest);
		*line = '\0';
		snprintf(path, sizeof(path), "%s/candor.conf", out);
		f = fopen(path, "w");
		T_ASSERT(f != NULL);
		fprintf(f, "%ssqlite:%s/candor.db%s", conf, dir, rest);
		T_EQ_INT(fclose(f), 0);
		T_EQ_INT(chmod(path, 0640), 0);
	}
	free(conf);
	return out;
}

/*
 * Warms `to`'s home page, adds a post through from_dir with the CLI, then polls `to` every
 * POLL_MS on its warm connection until its home page lists the post; fails after
 * VISIBLE_WITHIN_MS.
 * Returns the measured milliseconds from the CLI's exit (the commit) to the first page
 * showing the post.
 */
static int64_t
add_and_watch(const char *from_dir, struct node *to, const char *title, const char *slug)
{
	char md[300], *out = NULL, *body;
	int64_t t0, ms;
	long status;

	snprintf(md, sizeof(md), "%s/%s.md", t_tmpdir(), slug);
	write_file(md, "Written on one node, read on another.\n", 0600);
	/* just before the write: the page is in `to`'s cache and its generation fresh */
	T_EQ_INT(node_get(to, "/", &body), 200);
	T_NOT_CONTAINS(body, title);
	free(body);
	if (t_candor(&out, "post", "add", "--data", from_dir, "--site", PIV, "--title", title,
		"--file", md, "--slug", slug, NULL) != 0)
		T_FAIL("candor post add failed: %s", out ? out : "");
	free(out);
	t0 = now_ms();
	for (;;) {
		status = node_get(to, "/", &body);
		ms = now_ms() - t0;
		T_EQ_INT(status, 200);
		if (strstr(body, title) != NULL) {
			free(body);
			break;
		}
		free(body);
		if (ms >= VISIBLE_WITHIN_MS)
			T_FAIL("node %s still does not list \"%s\" %lld ms after the write",
			    to->name, title, (long long)ms);
		usleep(POLL_MS * 1000);
	}
	printf("it_nodes (%s): \"%s\" visible on node %s %lld ms after the write\n",
	    t_backend(), title, to->name, (long long)ms);
	return ms;
}

/* The node serves the post itself and lists it in the feed, on the warm connection. */
static void
check_served(struct node *n, const char *title, const char *slug)
{
	char path[128], *body;

	snprintf(path, sizeof(path), "/posts/%s", slug);
	T_EQ_INT(node_get(n, path, &body), 200);
	T_CONTAINS(body, title);
	T_CONTAINS(body, "Written on one node, read on another.");
	free(body);
	T_EQ_INT(node_get(n, "/feed.xml", &body), 200);
	T_CONTAINS(body, title);
	snprintf(path, sizeof(path), "/posts/%s</id>", slug);
	T_CONTAINS(body, path);
	free(body);
}

int
main(void)
{
	struct node a, b;
	const char *dir_a = t_datadir(true), *dir_b = second_datadir(dir_a);
	char *body, *out = NULL;
	int64_t ms_ab, ms_ba;

	node_open(&a, "A", dir_a);
	node_open(&b, "B", dir_b);

	/* both nodes see the same content; their caches are warm for / and the feed, and
	 * the posts to come are not there yet */
	T_EQ_INT(node_get(&b, "/", &body), 200);
	T_CONTAINS(body, "Who owns the footage?");
	T_NOT_CONTAINS(body, "Shared database, first note");
	free(body);
	T_EQ_INT(node_get(&b, "/feed.xml", &body), 200);
	T_NOT_CONTAINS(body, "Shared database, first note");
	free(body);
	T_EQ_INT(node_get(&b, "/posts/node-a-note", &body), 404);
	free(body);
	T_EQ_INT(node_get(&a, "/", &body), 200);
	T_CONTAINS(body, "Who owns the footage?");
	free(body);
	T_EQ_INT(node_get(&a, "/feed.xml", &body), 200);
	free(body);
	/* served twice: the second answer on this connection may come from the cache */
	T_EQ_INT(node_get(&b, "/", &body), 200);
	T_NOT_CONTAINS(body, "Shared database, first note");
	free(body);

	/* written through A's data directory, shown by B */
	ms_ab = add_and_watch(dir_a, &b, "Shared database, first note", "node-a-note");
	check_served(&b, "Shared database, first note", "node-a-note");
	T_EQ_INT(node_get(&b, "/", &body), 200);
	T_ASSERT(strstr(body, "Shared database, first note") <
		 strstr(body, "Who owns the footage?"));
	free(body);

	/* and the other way round: B's data directory works for the CLI too, and A's warm
	 * cache is invalidated */
	ms_ba = add_and_watch(dir_b, &a, "Shared database, second note", "node-b-note");
	check_served(&a, "Shared database, second note", "node-b-note");
	check_served(&a, "Shared database, first note", "node-a-note");

	/* one database: both directories list the same posts */
	T_EQ_INT(t_candor(&out, "post", "list", "--data", dir_b, "--site", PIV, NULL), 0);
	T_CONTAINS(out, "node-a-note");
	T_CONTAINS(out, "node-b-note");
	free(out);

	/* every request above went over one connection per node, so one request thread
	 * (and its cache) per node was exercised */
	T_EQ_INT(a.connects, 1);
	T_EQ_INT(b.connects, 1);
	T_ASSERT(ms_ab < VISIBLE_WITHIN_MS && ms_ba < VISIBLE_WITHIN_MS);

	node_close(&a);
	node_close(&b);
	return 0;
}
