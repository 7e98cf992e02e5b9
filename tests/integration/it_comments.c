/*
 * it_comments: comments through the real server, on both backends (issue 6, items 2, 3,
 * 5, 6). The demo blog (blog.perfectimagevideo.localhost) holds first-time commenters
 * for moderation (the default). Every anonymous request here is sent without a cookie,
 * as from a browser that refuses them: the form works on its hidden csrf field alone.
 *
 *   - a held comment is not shown; its admins get a mail without the IP or the email;
 *   - the visibility matrix of the commenter's IP and email on /admin/comments and
 *     /admin/comments/ID: the blog's admin and staff with a moderation grant see them,
 *     each view audited (purpose moderation, one entry per field); the other site's
 *     admin, the blog's editor, a member, staff without the grant and the owner (not
 *     the blog's admin) get 403 and no IP; no one signed in is sent to sign in;
 *   - moderation: approve (the post page, served from the response cache, shows it at
 *     once; the home page counts it; /comments.xml lists it without IP or email), then
 *     the same email passes without waiting; spam, trash, back to pending, delete;
 *   - refusals keep the input and say why next to the field: no name, over-long text
 *     (5000 characters pass, 5001 do not, nothing cut), the honeypot, a form sent
 *     within LIMIT_COMMENT_MIN_SUBMIT_S of being served, no csrf field (403);
 *   - rate limits: LIMIT_COMMENTS_PER_IP from one address, then 429; a member
 *     LIMIT_COMMENTS_PER_MEMBER from several addresses, then 429;
 *   - a member's comment carries their username, and they may edit it; another may not;
 *   - the moderation pages carry the admin menu with the pending count;
 *   - the site's settings, set through /admin/settings, rule: members only refuses an
 *     anonymous comment (403, the post says sign in), closed refuses everyone and shows
 *     no form, hold all holds a known commenter, hold none publishes a first-time one;
 *   - kill -9 of the server during 200 concurrent comment posts: after a restart every
 *     comment that was answered 303 is in the database.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "privacy/privacy.h"
#include "sites/comments.h"
#include "store/store.h"
#include "testlib.h"
#include "testweb.h"
#include "web/web_int.h"

#define BLOG "blog.perfectimagevideo.localhost"
#define MAIN "perfectimagevideo.localhost"
#define PW "Marmalade Harbour Lantern 31"
#define IP1 "203.0.113.7"
#define EMAIL1 "zoe.commenter@example.org"

static int port;
static const char *dir;

static const char *
pwfile(void)
{
	static char path[600];
	int fd;

	if (path[0])
		return path;
	snprintf(path, sizeof(path), "%s/pw.txt", t_tmpdir());
	T_ASSERT((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) >= 0);
	T_ASSERT(write(fd, PW, strlen(PW)) == (ssize_t)strlen(PW));
	T_ASSERT(close(fd) == 0);
	return path;
}

static void
cli(const char *a1, ...)
{
	const char *argv[24];
	char *out = NULL;
	va_list ap;
	int n = 0, rc;

	va_start(ap, a1);
	for (argv[n] = a1; argv[n] && n < 23; argv[++n] = va_arg(ap, const char *))
		;
	va_end(ap);
	argv[n] = NULL;
	rc = t_candor(&out, argv[0], argv[1], argv[2], argv[3], argv[4], argv[5], argv[6],
	    argv[7], argv[8], argv[9], argv[10], argv[11], argv[12], argv[13], argv[14],
	    argv[15], (char *)NULL);
	if (rc != 0)
		T_FAIL("candor %s %s: %s", argv[0], argv[1], out ? out : "");
	free(out);
}

static void
user(const char *name, const char *role)
{
	char email[128];

	snprintf(email, sizeof(email), "%s@example.test", name);
	cli("user", "add", "--data", dir, "--username", name, "--email", email, "--role", role,
	    "--password-file", pwfile(), NULL);
}

/* A request to BLOG (or host) with the session token (NULL: no cookie at all) and, for a
 * POST, body; xff is the client address a trusted proxy reports (NULL: none). */
static void
req(struct t_resp *r, const char *host, const char *method, const char *path,
    const char *token, const char *xff, const char *body)
{
	char cookie[128], fwd[96];
	const char *h[] = {fwd, NULL};

	if (token)
		snprintf(cookie, sizeof(cookie), "candor_session=%s", token);
	snprintf(fwd, sizeof(fwd), "X-Forwarded-For: %s", xff ? xff : "127.0.0.1");
	if (strcmp(method, "POST") == 0)
		t_web_post(r, port, host ? host : BLOG, path, token ? cookie : NULL, h, body);
	else
		t_web_get(r, port, host ? host : BLOG, path, token ? cookie : NULL, h);
}

static char *
csrf_of(const char *page, const char *action, const char *token)
{
	struct t_resp g;
	char *csrf;

	req(&g, NULL, "GET", page, token, NULL, NULL);
	T_EQ_INT(g.status, 200);
	if ((csrf = t_web_csrf(g.body, action)) == NULL)
		T_FAIL("no csrf field in the form posting to %s on %s", action, page);
	t_resp_free(&g);
	return csrf;
}

static char *
sign_in(const char *login)
{
	char *csrf = csrf_of("/login", "/login", NULL), *body, *tok = NULL;
	const char *line;
	struct t_resp r;

	body = t_web_form("csrf", csrf, "login", login, "password", PW, NULL);
	req(&r, NULL, "POST", "/login", NULL, NULL, body);
	T_EQ_INT(r.status, 303);
	line = t_web_set_cookie(&r, "candor_session");
	T_ASSERT(line != NULL);
	line += strlen("candor_session=");
	tok = strndup(line, strcspn(line, ";"));
	t_resp_free(&r);
	free(body);
	free(csrf);
	return tok;
}

/* The anonymous comment form's token, old enough to be accepted (a form is refused
 * within LIMIT_COMMENT_MIN_SUBMIT_S of being served; tokens may be used again). */
static char *anon_csrf;

/* Posts a comment to /posts/slug/comments with csrf (NULL: the anonymous one). */
static void
comment(struct t_resp *r, const char *slug, const char *token, const char *csrf,
    const char *xff, const char *name, const char *email, const char *text, const char *extra_name,
    const char *extra_value)
{
	char path[128], *body;

	snprintf(path, sizeof(path), "/posts/%s/comments", slug);
	body = t_web_form("csrf", csrf ? csrf : anon_csrf, "name", name ? name : "", "email",
	    email ? email : "", "text", text, extra_name ? extra_name : "x",
	    extra_value ? extra_value : "", NULL);
	req(r, NULL, "POST", path, token, xff, body);
	free(body);
}

static struct store *
open_db(struct config *cfg)
{
	struct cli_db db;
	struct store *s;
	char msg[512];
	enum err e;

	if (config_load(dir, cfg, msg, sizeof(msg)) != ERR_OK)
		T_FAIL("config_load: %s", msg);
	T_ASSERT(cli_db_resolve(cfg, &db));
	if ((s = store_open(db.url, db.password[0] ? db.password : NULL, &e, msg, sizeof(msg))) ==
	    NULL)
		T_FAIL("store_open: %s", msg);
	return s;
}

static int64_t
person_id(struct store *s, const char *username)
{
	struct arena *a = arena_new();
	struct person pe;
	int64_t id;

	T_EQ_INT(people_find(s, a, username, &pe), ERR_OK);
	id = pe.id;
	arena_free(a);
	return id;
}

/* Audit entries about subject by actor "user:ID" with purpose moderation and decision. */
static size_t
audits(struct privacy *p, struct store *s, const char *subject, int64_t actor,
    const char *decision)
{
	struct audit_entry *log;
	struct arena *a = arena_new();
	char who[32];
	size_t n = 0, i, k = 0;

	snprintf(who, sizeof(who), "user:%lld", (long long)actor);
	T_EQ_INT(audit_list(p, s, a, subject, &log, &n), ERR_OK);
	for (i = 0; i < n; i++)
		if (strcmp(log[i].actor, who) == 0 && strcmp(log[i].purpose, "moderation") == 0 &&
		    strcmp(log[i].decision, decision) == 0)
			k++;
	arena_free(a);
	return k;
}

/* The newest comment's id. */
static int64_t
last_comment(struct store *s)
{
	static const struct store_stmt st = {"t_last", "SELECT MAX(id) FROM comments"};
	struct store_q *q = store_prepare(s, &st);
	int64_t id = 0;

	T_ASSERT(q != NULL);
	if (store_step(q) == STORE_ROW)
		id = store_col_int(q, 0);
	T_EQ_INT(store_done(q), ERR_OK);
	return id;
}

static int64_t
count_comments(struct store *s)
{
	static const struct store_stmt st = {"t_count", "SELECT COUNT(*) FROM comments"};
	struct store_q *q = store_prepare(s, &st);
	int64_t n = -1;

	T_ASSERT(q != NULL);
	if (store_step(q) == STORE_ROW)
		n = store_col_int(q, 0);
	T_EQ_INT(store_done(q), ERR_OK);
	return n;
}

/* Fails if needle is in the database in plaintext: the SQLite files of the data
 * directory (database and WAL), or a pg_dump of the PostgreSQL database. */
static void
assert_not_stored(const char *needle)
{
	char cmd[2600], url[1200], scan[600], *conf, *p;

	if (strcmp(t_backend(), "sqlite") == 0) {
		t_assert_absent(dir, needle);
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s/candor.conf", dir);
	conf = t_read_file(cmd, NULL);
	T_ASSERT(conf != NULL && (p = strstr(conf, "\ndatabase = ")) != NULL);
	p += strlen("\ndatabase = ");
	snprintf(url, sizeof(url), "%.*s", (int)strcspn(p, "\n"), p);
	free(conf);
	snprintf(scan, sizeof(scan), "%s", t_tmpdir());
	snprintf(cmd, sizeof(cmd), "pg_dump --no-owner '%s' > '%s/dump.sql'", url, scan);
	T_EQ_INT(system(cmd), 0);
	t_assert_absent(scan, needle);
}

/* Sets the blog's comment settings as its admin does: the /admin/settings form (with its
 * csrf field, title and tagline sent back as they are); checks sites_find reads them. */
static void
blog_settings(struct store *s, const char *token, int policy, int hold)
{
	struct arena *a = arena_new();
	struct site site;
	struct t_resp r;
	char *csrf, *body, pol[8], hol[8];

	T_EQ_INT(sites_find(s, a, BLOG, &site), ERR_OK);
	snprintf(pol, sizeof(pol), "%d", policy);
	snprintf(hol, sizeof(hol), "%d", hold);
	csrf = csrf_of("/admin/settings", "/admin/settings", token);
	body = t_web_form("csrf", csrf, "title", site.title, "tagline",
	    site.tagline ? site.tagline : "", "comment_policy", pol, "comment_hold", hol, NULL);
	req(&r, NULL, "POST", "/admin/settings", token, NULL, body);
	if (r.status != 303)
		T_FAIL("/admin/settings answered %ld: %.300s", r.status, r.body);
	t_resp_free(&r);
	free(body);
	free(csrf);
	T_EQ_INT(sites_find(s, a, BLOG, &site), ERR_OK);
	T_EQ_INT(site.comment_policy, policy);
	T_EQ_INT(site.comment_hold, hold);
	arena_free(a);
}

/* The status of comment id. */
static enum comment_status
comment_status(struct store *s, int64_t id)
{
	struct arena *a = arena_new();
	struct comment c;
	enum comment_status st;

	T_EQ_INT(comments_get(s, a, id, &c), ERR_OK);
	st = c.status;
	arena_free(a);
	return st;
}

/* ------------------------------------------------------------ crash test ---- */

#define CRASH_N 200

struct crash_job {
	int i;
	char request[2048];
	int status; /* 303, another status, or -1 (no answer) */
};

static atomic_int crash_answered;

/* Sends one raw request; any failure is an unanswered post, never a test failure. */
static void *
crash_post(void *arg)
{
	struct crash_job *j = arg;
	struct sockaddr_in sa;
	struct pollfd pfd;
	char buf[4096];
	size_t len = strlen(j->request), off = 0, got = 0;
	ssize_t n;
	int fd;

	j->status = -1;
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto out;
	while (off < len && (n = send(fd, j->request + off, len - off, MSG_NOSIGNAL)) > 0)
		off += (size_t)n;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (got < sizeof(buf) - 1 && poll(&pfd, 1, 10000) > 0 &&
	       (n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	if (got >= 12 && strncmp(buf, "HTTP/1.", 7) == 0 && strstr(buf, "\r\n\r\n") != NULL) {
		j->status = atoi(buf + 9);
		atomic_fetch_add(&crash_answered, 1);
	}
out:
	close(fd);
	return NULL;
}

static void
crash_test(struct t_server *srv)
{
	static const struct store_stmt find = {"t_find",
	    "SELECT COUNT(*) FROM comments WHERE body_md = ?"};
	static struct crash_job jobs[CRASH_N];
	pthread_t th[CRASH_N];
	struct config cfg;
	struct store *s;
	struct store_q *q;
	char *body, text[64], ip[32];
	int i, acked = 0, lost = 0, other = 0, stored_unacked = 0, status;

	for (i = 0; i < CRASH_N; i++) {
		jobs[i].i = i;
		snprintf(text, sizeof(text), "crash comment %d", i);
		snprintf(ip, sizeof(ip), "10.9.%d.%d", i / 250, i % 250 + 1);
		body = t_web_form("csrf", anon_csrf, "name", "Crash", "text", text, NULL);
		snprintf(jobs[i].request, sizeof(jobs[i].request),
		    "POST /posts/hello/comments HTTP/1.1\r\nHost: " BLOG "\r\n"
		    "X-Forwarded-For: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
		    ip, strlen(body), body);
		free(body);
	}
	for (i = 0; i < CRASH_N; i++)
		T_EQ_INT(pthread_create(&th[i], NULL, crash_post, &jobs[i]), 0);
	/* kill -9 once some have been acknowledged and others are still in flight */
	for (i = 0; i < 2000 && atomic_load(&crash_answered) < CRASH_N / 4; i++)
		usleep(1000);
	T_EQ_INT(kill(srv->pid, SIGKILL), 0);
	T_EQ_INT(waitpid(srv->pid, &status, 0), srv->pid);
	T_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	for (i = 0; i < CRASH_N; i++)
		pthread_join(th[i], NULL);
	t_server_start(srv, dir);
	port = srv->port;
	s = open_db(&cfg);
	for (i = 0; i < CRASH_N; i++) {
		int64_t found = 0;
		snprintf(text, sizeof(text), "crash comment %d", i);
		T_ASSERT((q = store_prepare(s, &find)) != NULL);
		store_bind_text(q, 1, text);
		if (store_step(q) == STORE_ROW)
			found = store_col_int(q, 0);
		T_EQ_INT(store_done(q), ERR_OK);
		T_ASSERT(found <= 1);
		if (jobs[i].status == 303) {
			acked++;
			if (found != 1)
				T_FAIL("comment %d was acknowledged (303) but is not stored", i);
		} else {
			if (jobs[i].status != -1)
				other++;
			if (found == 0)
				lost++;
			else
				stored_unacked++;
		}
	}
	fprintf(stderr, "crash test: %d of %d posts acknowledged (303) before kill -9, all "
			"present after restart; %d answered otherwise; of the unanswered, %d were "
			"stored and %d not\n", acked, CRASH_N, other, stored_unacked, lost);
	T_EQ_INT(other, 0); /* no 4xx/5xx: each post was either acknowledged or cut off */
	T_ASSERT(acked > 0);
	store_close(s);
}

int
main(void)
{
	struct t_server srv;
	struct t_resp r;
	struct config cfg;
	struct store *s;
	struct privacy *p;
	char conf[1200], *adam, *beth, *ed, *mia, *sam, *sue, *olive, *csrf, *body, *mail, *big,
	    *fresh, path[128], subject[64], xff[32];
	char msg[512];
	int64_t c1, c2, c3, cm = 0, adam_id, sam_id, before;
	FILE *f;
	int i;

	dir = t_datadir(true);
	snprintf(conf, sizeof(conf), "%s/candor.conf", dir);
	T_ASSERT((f = fopen(conf, "a")) != NULL);
	fputs("\n[server]\ntrusted_proxies = 127.0.0.1\n", f);
	fclose(f);
	user("olive", "owner");
	user("adam", "member");
	user("beth", "member");
	user("eddie", "member");
	user("mia", "member");
	user("sam", "staff");
	user("sue", "staff");
	cli("user", "role", "--data", dir, "--username", "adam", "--site", BLOG, "--grant", "admin",
	    NULL);
	cli("user", "role", "--data", dir, "--username", "beth", "--site", MAIN, "--grant", "admin",
	    NULL);
	cli("user", "role", "--data", dir, "--username", "eddie", "--site", BLOG, "--grant", "editor",
	    NULL);
	for (i = 0; i < 2; i++) {
		const char *who = i ? "sue" : "sam";
		cli("staff", "add", "--data", dir, "--username", who, "--org", "Mod Co", "--country",
		    "PT", NULL);
		cli("staff", "agreement", "--data", dir, "--username", who, "--version", "1",
		    "--signed-on", "2026-01-01", NULL);
		cli("staff", "grant", "--data", dir, "--username", who, "--purpose",
		    i ? "support" : "moderation", "--until", "2099-12-31", NULL);
	}
	t_server_start(&srv, dir);
	port = srv.port;
	s = open_db(&cfg);
	if (privacy_open(&cfg, &p, msg, sizeof(msg)) != ERR_OK)
		T_FAIL("privacy_open: %s", msg);
	adam_id = person_id(s, "adam");
	sam_id = person_id(s, "sam");

	anon_csrf = csrf_of("/posts/hello", "/posts/hello/comments", NULL);
	/* too fast: the form was served a moment ago */
	comment(&r, "hello", NULL, NULL, IP1, "Zoe", EMAIL1, "Quick, quick", NULL, NULL);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "within seconds of opening the page");
	T_CONTAINS(r.body, "Quick, quick</textarea>");
	T_EQ_INT(count_comments(s), 0);
	t_resp_free(&r);
	sleep(LIMIT_COMMENT_MIN_SUBMIT_S + 1);

	/* no csrf field: 403 */
	body = t_web_form("name", "Zoe", "text", "no token", NULL);
	req(&r, NULL, "POST", "/posts/hello/comments", NULL, IP1, body);
	T_EQ_INT(r.status, 403);
	t_resp_free(&r);
	free(body);

	/* a first-time anonymous comment: held, not shown; the admin is told, without IP */
	comment(&r, "hello", NULL, NULL, IP1, "Zoe <b>", EMAIL1, "Lovely *film*", NULL, NULL);
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/posts/hello?held=1#comments");
	T_EQ_INT(t_web_set_cookie_count(&r), 0);
	t_resp_free(&r);
	c1 = last_comment(s);
	snprintf(subject, sizeof(subject), "commenter:%lld", (long long)c1);
	req(&r, NULL, "GET", "/posts/hello?held=1", NULL, NULL, NULL);
	T_CONTAINS(r.body, "Your comment waits for the site");
	T_NOT_CONTAINS(r.body, "Lovely");
	t_resp_free(&r);
	mail = t_web_mail_wait(dir, 0, 10000, "A comment waits for moderation", "Hello from the crew",
	    NULL);
	T_CONTAINS(mail, "adam@example.test");
	T_NOT_CONTAINS(mail, IP1);
	T_NOT_CONTAINS(mail, EMAIL1);
	free(mail);

	/* the visibility matrix */
	adam = sign_in("adam");
	beth = sign_in("beth");
	ed = sign_in("eddie");
	mia = sign_in("mia");
	sam = sign_in("sam");
	sue = sign_in("sue");
	olive = sign_in("olive");
	req(&r, NULL, "GET", "/admin/comments", NULL, NULL, NULL);
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/login?next=%2Fadmin%2Fcomments");
	t_resp_free(&r);
	{
		const struct {
			const char *who;
			char *token;
			int64_t id;
			bool sees;
		} m[] = {{"adam", adam, adam_id, true}, {"sam", sam, sam_id, true},
		    {"beth", beth, person_id(s, "beth"), false}, {"eddie", ed, person_id(s, "eddie"), false},
		    {"mia", mia, person_id(s, "mia"), false}, {"sue", sue, person_id(s, "sue"), false},
		    {"olive", olive, person_id(s, "olive"), false}};
		size_t k;
		for (k = 0; k < COUNTOF(m); k++) {
			snprintf(path, sizeof(path), "/admin/comments/%lld", (long long)c1);
			for (i = 0; i < 2; i++) {
				before = (int64_t)audits(p, s, subject, m[k].id, "allow");
				req(&r, NULL, "GET", i ? path : "/admin/comments", m[k].token, NULL,
				    NULL);
				if (m[k].sees) {
					T_EQ_INT(r.status, 200);
					T_EQ_STR(t_resp_header(&r, "Cache-Control"), "no-store");
					T_CONTAINS(r.body, IP1);
					T_CONTAINS(r.body, EMAIL1);
					T_CONTAINS(r.body, "Zoe &lt;b&gt;");
					T_EQ_INT(audits(p, s, subject, m[k].id, "allow"), before + 2);
				} else {
					if (r.status != 403)
						T_FAIL("%s got %ld for %s", m[k].who, r.status,
						    i ? path : "/admin/comments");
					T_NOT_CONTAINS(r.body, IP1);
					T_NOT_CONTAINS(r.body, EMAIL1);
					T_EQ_INT(audits(p, s, subject, m[k].id, "allow"), 0);
				}
				t_resp_free(&r);
			}
		}
	}
	/* the other site's queue is not the blog admin's */
	req(&r, MAIN, "GET", "/admin/comments", adam, NULL, NULL);
	T_EQ_INT(r.status, 403);
	t_resp_free(&r);

	/* approve: the cached post page shows it at once, the home page counts it, the feed
	 * lists it without IP or email */
	req(&r, NULL, "GET", "/posts/hello", NULL, NULL, NULL);
	T_NOT_CONTAINS(r.body, "Lovely");
	t_resp_free(&r);
	req(&r, NULL, "GET", "/posts/hello", NULL, NULL, NULL); /* now from the cache */
	t_resp_free(&r);
	snprintf(path, sizeof(path), "/admin/comments/%lld", (long long)c1);
	csrf = csrf_of("/admin/comments", path, adam);
	body = t_web_form("csrf", csrf, "action", "approve", "back", "pending", NULL);
	req(&r, NULL, "POST", path, adam, NULL, body);
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/admin/comments?status=pending");
	t_resp_free(&r);
	free(body);
	/* an editor's post is refused and changes nothing */
	free(csrf);
	csrf = csrf_of("/posts/hello", "/posts/hello/comments", ed); /* a valid token of ed's */
	body = t_web_form("csrf", csrf, "action", "spam", NULL);
	req(&r, NULL, "POST", path, ed, NULL, body);
	T_EQ_INT(r.status, 403);
	t_resp_free(&r);
	free(body);
	free(csrf);
	req(&r, NULL, "GET", "/posts/hello", NULL, NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Lovely <em>film</em>");
	T_CONTAINS(r.body, "Zoe &lt;b&gt;");
	T_CONTAINS(r.body, "1 comment<");
	T_NOT_CONTAINS(r.body, IP1);
	T_NOT_CONTAINS(r.body, EMAIL1);
	t_resp_free(&r);
	req(&r, NULL, "GET", "/", NULL, NULL, NULL);
	T_CONTAINS(r.body, "1 comment</a>");
	t_resp_free(&r);
	req(&r, NULL, "GET", "/comments.xml", NULL, NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<title>Zoe &lt;b&gt; on Hello from the crew</title>");
	T_CONTAINS(r.body, "Lovely &lt;em&gt;film&lt;/em&gt;");
	T_NOT_CONTAINS(r.body, IP1);
	T_NOT_CONTAINS(r.body, EMAIL1);
	t_resp_free(&r);

	/* the same address again: no waiting; a reply to it */
	comment(&r, "hello", NULL, NULL, IP1, "Zoe", "Zoe.Commenter@example.org", "Me again",
	    "parent", NULL);
	T_EQ_INT(r.status, 303);
	c2 = last_comment(s);
	snprintf(path, sizeof(path), "/posts/hello#comment-%lld", (long long)c2);
	T_EQ_STR(t_resp_header(&r, "Location"), path);
	t_resp_free(&r);
	{
		char parent[24];
		snprintf(parent, sizeof(parent), "%lld", (long long)c1);
		comment(&r, "hello", NULL, NULL, "203.0.113.8", "Al", NULL, "A reply", "parent",
		    parent);
		T_EQ_INT(r.status, 303);
		t_resp_free(&r);
		snprintf(parent, sizeof(parent), "%lld", (long long)last_comment(s));
		comment(&r, "hello", NULL, NULL, "203.0.113.8", "Al", NULL, "Reply to a reply",
		    "parent", parent);
		T_EQ_INT(r.status, 400);
		T_CONTAINS(r.body, "not open for replies");
		t_resp_free(&r);
	}

	/* spam, trash, pending, delete */
	comment(&r, "hello", NULL, NULL, "203.0.113.9", "Spammer", NULL, "Buy things", NULL, NULL);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	c3 = last_comment(s);
	snprintf(path, sizeof(path), "/admin/comments/%lld", (long long)c3);
	{
		static const char *const steps[][2] = {{"spam", "spam"}, {"trash", "trash"},
		    {"pending", "pending"}};
		size_t k;
		for (k = 0; k < COUNTOF(steps); k++) {
			csrf = csrf_of(path, path, adam);
			body = t_web_form("csrf", csrf, "action", steps[k][0], "back", steps[k][1],
			    NULL);
			req(&r, NULL, "POST", path, adam, NULL, body);
			T_EQ_INT(r.status, 303);
			t_resp_free(&r);
			free(body);
			free(csrf);
			snprintf(msg, sizeof(msg), "/admin/comments?status=%s", steps[k][1]);
			req(&r, NULL, "GET", msg, adam, NULL, NULL);
			T_EQ_INT(r.status, 200);
			T_CONTAINS(r.body, "Buy things");
			T_CONTAINS(r.body, "203.0.113.9");
			t_resp_free(&r);
		}
		csrf = csrf_of(path, path, adam);
		body = t_web_form("csrf", csrf, "action", "delete", NULL);
		req(&r, NULL, "POST", path, adam, NULL, body);
		T_EQ_INT(r.status, 303);
		t_resp_free(&r);
		free(body);
		free(csrf);
		req(&r, NULL, "GET", path, adam, NULL, NULL);
		T_EQ_INT(r.status, 404);
		t_resp_free(&r);
	}

	/* refusals: the input kept, the error next to the field */
	comment(&r, "hello", NULL, NULL, "203.0.113.10", "", NULL, "Nameless words", NULL, NULL);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "Please give a name");
	T_CONTAINS(r.body, "Nameless words</textarea>");
	T_CONTAINS(r.body, "aria-invalid=\"true\"");
	t_resp_free(&r);
	big = malloc(LIMIT_COMMENT_CHARS + 2);
	memset(big, 'a', LIMIT_COMMENT_CHARS + 1);
	big[LIMIT_COMMENT_CHARS + 1] = '\0';
	before = count_comments(s);
	comment(&r, "hello", NULL, NULL, "203.0.113.10", "Long", NULL, big, NULL, NULL);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "too long");
	T_CONTAINS(r.body, big); /* kept whole, never cut */
	t_resp_free(&r);
	T_EQ_INT(count_comments(s), before);
	big[LIMIT_COMMENT_CHARS] = '\0';
	comment(&r, "hello", NULL, NULL, "203.0.113.10", "Long", NULL, big, NULL, NULL);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	free(big);
	before = count_comments(s);
	comment(&r, "hello", NULL, NULL, "203.0.113.10", "Bot", NULL, "spam spam", "website",
	    "http://spam.example");
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "meant to stay empty");
	t_resp_free(&r);
	T_EQ_INT(count_comments(s), before);

	/* the longest name, in four-byte characters: held, and its notice still fits a
	 * mail line */
	big = malloc(LIMIT_COMMENT_AUTHOR_CHARS * 4 + 1);
	for (i = 0; i < LIMIT_COMMENT_AUTHOR_CHARS; i++)
		memcpy(big + i * 4, "\xf0\x9d\x84\x9e", 4);
	big[LIMIT_COMMENT_AUTHOR_CHARS * 4] = '\0';
	comment(&r, "hello", NULL, NULL, "203.0.113.11", big, NULL, "Clef", NULL, NULL);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	mail = t_web_mail_wait(dir, 0, 10000, "Name given: \xf0\x9d\x84\x9e", NULL);
	free(mail);
	free(big);

	/* rate limit per address: LIMIT_COMMENTS_PER_IP, then 429 */
	for (i = 0; i < LIMIT_COMMENTS_PER_IP; i++) {
		comment(&r, "room-tone", NULL, NULL, "198.51.100.50", "Rae", NULL, "one more", NULL,
		    NULL);
		T_EQ_INT(r.status, 303);
		t_resp_free(&r);
	}
	comment(&r, "room-tone", NULL, NULL, "198.51.100.50", "Rae", NULL, "one too many", NULL,
	    NULL);
	T_EQ_INT(r.status, 429);
	T_EQ_STR(t_resp_header(&r, "Retry-After"), "600");
	T_CONTAINS(r.body, "too many comments");
	T_CONTAINS(r.body, "one too many</textarea>");
	t_resp_free(&r);
	comment(&r, "room-tone", NULL, NULL, "198.51.100.51", "Rae", NULL, "other address", NULL,
	    NULL);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);

	/* a member: username shown, may edit for a while; another may not */
	fresh = csrf_of("/posts/room-tone", "/posts/room-tone/comments", mia);
	sleep(LIMIT_COMMENT_MIN_SUBMIT_S + 1);
	for (i = 0; i < LIMIT_COMMENTS_PER_MEMBER; i++) {
		snprintf(xff, sizeof(xff), "192.0.2.%d", i + 1);
		comment(&r, "room-tone", mia, fresh, xff, NULL, NULL, "Member says hi", NULL, NULL);
		T_EQ_INT(r.status, 303);
		t_resp_free(&r);
		if (i == 0)
			cm = last_comment(s);
	}
	comment(&r, "room-tone", mia, fresh, "192.0.2.200", NULL, NULL, "Member over", NULL, NULL);
	T_EQ_INT(r.status, 429);
	t_resp_free(&r);
	free(fresh);
	snprintf(path, sizeof(path), "/admin/comments/%lld", (long long)cm);
	req(&r, NULL, "GET", path, adam, NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<span class=\"comment-author\">mia</span>");
	T_CONTAINS(r.body, "192.0.2.1<");
	t_resp_free(&r);
	snprintf(path, sizeof(path), "/comments/%lld/edit", (long long)cm);
	req(&r, NULL, "GET", path, adam, NULL, NULL);
	T_EQ_INT(r.status, 403);
	t_resp_free(&r);
	csrf = csrf_of(path, path, mia);
	body = t_web_form("csrf", csrf, "text", "Member says *hello*", NULL);
	req(&r, NULL, "POST", path, mia, NULL, body);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	free(body);
	free(csrf);
	{
		struct arena *a = arena_new();
		struct comment c;
		T_EQ_INT(comments_get(s, a, cm, &c), ERR_OK);
		T_EQ_STR(c.body_md, "Member says *hello*");
		T_EQ_STR(c.author, "mia");
		arena_free(a);
	}

	/* the moderation pages carry the admin menu, with the pending count */
	{
		struct arena *a = arena_new();
		struct site site;
		int64_t pending;
		char want[96];

		T_EQ_INT(sites_find(s, a, BLOG, &site), ERR_OK);
		T_EQ_INT(comments_count_pending(s, site.id, &pending), ERR_OK);
		T_ASSERT(pending > 0);
		snprintf(want, sizeof(want), "<span class=\"count\">(%lld waiting)</span>",
		    (long long)pending);
		snprintf(path, sizeof(path), "/admin/comments/%lld", (long long)cm);
		for (i = 0; i < 2; i++) {
			req(&r, NULL, "GET", i ? path : "/admin/comments", adam, NULL, NULL);
			T_EQ_INT(r.status, 200);
			T_CONTAINS(r.body, "<nav class=\"admin-menu\" aria-label=\"Admin\">");
			T_CONTAINS(r.body, "<a href=\"/admin/comments\" aria-current=\"page\">Comments");
			T_CONTAINS(r.body, want);
			T_CONTAINS(r.body, "<a href=\"/admin/settings\">Settings</a>");
			t_resp_free(&r);
		}
		/* staff with the moderation grant: the menu, without the site admin's sections */
		req(&r, NULL, "GET", "/admin/comments", sam, NULL, NULL);
		T_EQ_INT(r.status, 200);
		T_CONTAINS(r.body, "<nav class=\"admin-menu\" aria-label=\"Admin\">");
		T_NOT_CONTAINS(r.body, "/admin/settings");
		t_resp_free(&r);
		arena_free(a);
	}

	/* the site's comment settings rule, set as its admin sets them (/admin/settings) */
	{
		char *bethcsrf;
		int64_t n0;

		/* members only: an anonymous visitor is refused with 403 and told to sign in,
		 * and the post shows no form but says so; a member may comment */
		blog_settings(s, adam, COMMENTS_MEMBERS, HOLD_FIRST_TIME);
		req(&r, NULL, "GET", "/posts/hello", NULL, NULL, NULL);
		T_EQ_INT(r.status, 200);
		T_CONTAINS(r.body, "Only members can comment here: sign in");
		T_NOT_CONTAINS(r.body, "action=\"/posts/hello/comments\"");
		t_resp_free(&r);
		n0 = count_comments(s);
		comment(&r, "hello", NULL, NULL, "198.51.100.60", "Ann", NULL, "Members only?",
		    NULL, NULL);
		T_EQ_INT(r.status, 403);
		T_CONTAINS(r.body, "Only members can comment here: sign in");
		t_resp_free(&r);
		T_EQ_INT(count_comments(s), n0);
		bethcsrf = csrf_of("/posts/hello", "/posts/hello/comments", beth);
		sleep(LIMIT_COMMENT_MIN_SUBMIT_S + 1);
		comment(&r, "hello", beth, bethcsrf, "198.51.100.61", NULL, NULL,
		    "A member's word", NULL, NULL);
		T_EQ_INT(r.status, 303);
		T_EQ_STR(t_resp_header(&r, "Location"), "/posts/hello?held=1#comments");
		t_resp_free(&r);
		T_EQ_INT(count_comments(s), n0 + 1);
		T_EQ_INT(comment_status(s, last_comment(s)), COMMENT_PENDING);

		/* closed: no form for anyone, and everyone refused */
		blog_settings(s, adam, COMMENTS_CLOSED, HOLD_FIRST_TIME);
		for (i = 0; i < 2; i++) {
			req(&r, NULL, "GET", "/posts/hello", i ? beth : NULL, NULL, NULL);
			T_EQ_INT(r.status, 200);
			T_CONTAINS(r.body, "Comments are closed on this site.");
			T_NOT_CONTAINS(r.body, "action=\"/posts/hello/comments\"");
			T_NOT_CONTAINS(r.body, "?reply=");
			t_resp_free(&r);
		}
		comment(&r, "hello", NULL, NULL, "198.51.100.62", "Ann", NULL, "Closed?", NULL,
		    NULL);
		T_EQ_INT(r.status, 403);
		T_CONTAINS(r.body, "Comments are closed on this site.");
		t_resp_free(&r);
		comment(&r, "hello", beth, bethcsrf, "198.51.100.62", NULL, NULL, "Closed, member?",
		    NULL, NULL);
		T_EQ_INT(r.status, 403);
		T_CONTAINS(r.body, "Comments are closed on this site.");
		t_resp_free(&r);
		T_EQ_INT(count_comments(s), n0 + 1);
		free(bethcsrf);

		/* hold all: even a known commenter (Zoe's approved address passed at once
		 * above) waits */
		blog_settings(s, adam, COMMENTS_OPEN, HOLD_ALL);
		comment(&r, "hello", NULL, NULL, "198.51.100.63", "Zoe", EMAIL1, "Held this time",
		    NULL, NULL);
		T_EQ_INT(r.status, 303);
		T_EQ_STR(t_resp_header(&r, "Location"), "/posts/hello?held=1#comments");
		t_resp_free(&r);
		T_EQ_INT(comment_status(s, last_comment(s)), COMMENT_PENDING);

		/* hold none: a first-time commenter is published at once */
		blog_settings(s, adam, COMMENTS_OPEN, HOLD_NONE);
		comment(&r, "hello", NULL, NULL, "198.51.100.64", "Newcomer",
		    "newcomer@example.org", "First time, shown at once", NULL, NULL);
		T_EQ_INT(r.status, 303);
		snprintf(path, sizeof(path), "/posts/hello#comment-%lld", (long long)last_comment(s));
		T_EQ_STR(t_resp_header(&r, "Location"), path);
		t_resp_free(&r);
		T_EQ_INT(comment_status(s, last_comment(s)), COMMENT_APPROVED);
		req(&r, NULL, "GET", "/posts/hello", NULL, NULL, NULL);
		T_CONTAINS(r.body, "First time, shown at once");
		T_NOT_CONTAINS(r.body, "Held this time");
		t_resp_free(&r);

		/* back to the default: open, first-time commenters held */
		blog_settings(s, adam, COMMENTS_OPEN, HOLD_FIRST_TIME);
		comment(&r, "hello", NULL, NULL, "198.51.100.65", "Other newcomer",
		    "other.newcomer@example.org", "Held again", NULL, NULL);
		T_EQ_INT(r.status, 303);
		T_EQ_STR(t_resp_header(&r, "Location"), "/posts/hello?held=1#comments");
		t_resp_free(&r);
	}

	/* the commenter's address and email are nowhere in plaintext: not in the database
	 * (WAL included), not in the server's log */
	assert_not_stored(IP1);
	assert_not_stored(EMAIL1);
	assert_not_stored("192.0.2.1");
	{
		char *log = t_read_file(srv.log, NULL);
		T_ASSERT(log != NULL);
		T_NOT_CONTAINS(log, IP1);
		T_NOT_CONTAINS(log, EMAIL1);
		free(log);
	}

	/* kill -9 during 200 concurrent posts */
	store_close(s);
	privacy_free(p);
	crash_test(&srv);
	free(adam);
	free(beth);
	free(ed);
	free(mia);
	free(sam);
	free(sue);
	free(olive);
	free(anon_csrf);
	T_EQ_INT(t_server_stop(&srv), 0);
	return 0;
}
