/*
 * it_policy: privacy-policy versions through the real server and the real SMTP peer
 * (aiosmtpd), on both backends (issue 8, P20). The demo's version 1 is in force; a
 * member's first signed-in request records continued use and shows the notice until
 * "I have read it". The owner publishes version 2 at /admin/policy (a member gets 403, a
 * past date 400); `candor policy publish` publishes version 3 effective tomorrow. Each
 * account holder with a verified email gets exactly one alert per version at the SMTP
 * peer (an unverified one none), also after a restart. Version 3 is accepted
 * explicitly before it takes effect; /privacy/history lists the versions and
 * /privacy/history/3 shows the escaped line diff; `candor policy list` counts each
 * kind; the member's export holds the acceptance history.
 */
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "core/core.h"
#include "privacy/privacy.h"
#include "testlib.h"
#include "testsmtp.h"
#include "testweb.h"
#include "web/web_int.h"

#define PW "Tangerine Lighthouse Orbit 77"

static int port;

static const char *
pwfile(void)
{
	static char path[600];
	int fd;

	snprintf(path, sizeof(path), "%s/pw.txt", t_tmpdir());
	if (access(path, F_OK) == 0)
		return path;
	T_ASSERT((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) >= 0);
	T_ASSERT(write(fd, PW, strlen(PW)) == (ssize_t)strlen(PW));
	T_ASSERT(close(fd) == 0);
	return path;
}


/* Posts fields plus the csrf of the form posting to action on page (fetched with
 * token). */


static void
add_user(const char *dir, const char *name, const char *role)
{
	char email[64], *out = NULL;

	snprintf(email, sizeof(email), "%s@example.test", name);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", name, "--email",
		     email, "--role", role, "--password-file", pwfile(), NULL), 0);
	free(out);
}

/* Waits until the peer holds n messages with subject; fails after 40 s. */
static void
wait_alerts(const char *box, const char *subject, int n)
{
	int i;

	for (i = 0; i < 400 && t_smtp_count(box, subject, NULL) < n; i++)
		usleep(100000);
	T_EQ_INT(t_smtp_count(box, subject, NULL), n);
}

static void
assert_one_alert_each(const char *box, const char *subject)
{
	T_EQ_INT(t_smtp_count(box, subject, "To: alice@example.test", NULL), 1);
	T_EQ_INT(t_smtp_count(box, subject, "To: bob@example.test", NULL), 1);
	T_EQ_INT(t_smtp_count(box, subject, "To: olive@example.test", NULL), 1);
	T_EQ_INT(t_smtp_count(box, subject, "To: carol@example.test", NULL), 0);
}

int
main(void)
{
	const char *dir = t_datadir(true);
	struct t_server srv;
	struct t_resp r;
	struct config cfg;
	struct cli_db db;
	struct store *s;
	struct privacy *p;
	char box[1200], md[1200], *out = NULL, *alice, *bob, *olive, *f, *mail, tomorrow[16];
	char msg[256];
	int64_t carol = 0;
	enum err e;
	FILE *fp;
	time_t tt = (time_t)(time_now() + 86400);
	struct tm tm;

	/* account holders: three verified, one not (added directly, unverified) */
	add_user(dir, "alice", "member");
	add_user(dir, "bob", "member");
	add_user(dir, "olive", "owner");
	T_ASSERT(config_load(dir, &cfg, msg, sizeof(msg)) == ERR_OK);
	T_ASSERT(cli_db_resolve(&cfg, &db));
	T_ASSERT((s = store_open(db.url, db.password[0] ? db.password : NULL, &e, msg,
		      sizeof(msg))) != NULL);
	T_ASSERT(privacy_open(&cfg, &p, msg, sizeof(msg)) == ERR_OK);
	T_EQ_INT(people_add(p, s, "carol", "carol@example.test", ROLE_MEMBER, false, &carol, msg,
		     sizeof(msg)), ERR_OK);
	privacy_free(p);
	store_close(s);

	snprintf(box, sizeof(box), "%s/smtp-box", t_tmpdir());
	t_smtp_configure(dir, t_smtp_start(box));
	t_server_start(&srv, dir);
	port = srv.port;

	/* version 1 is in force: the first signed-in page records continued use and shows
	 * the notice until it is acknowledged */
	alice = t_web_sign_in(port, NULL, "alice", PW);
	t_web_req(&r, port, NULL, "GET", "/", alice, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "action=\"/privacy/acknowledge\"");
	T_CONTAINS(r.body, "new version (1)");
	t_resp_free(&r);
	f = t_web_form("version", "1", "next", "/privacy", NULL);
	t_web_post_form(&r, port, NULL, "/", "/privacy/acknowledge", alice, f);
	free(f);
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/privacy");
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/", alice, NULL);
	T_NOT_CONTAINS(r.body, "/privacy/acknowledge");
	t_resp_free(&r);
	/* without its csrf field: refused */
	t_web_req(&r, port, NULL, "POST", "/privacy/acknowledge", alice, "version=1");
	T_EQ_INT(r.status, 403);
	t_resp_free(&r);

	/* a member may not publish; a past date is refused with a sentence */
	bob = t_web_sign_in(port, NULL, "bob", PW);
	f = t_web_form("title", "Privacy Policy", "body", "x", "summary", "y", NULL);
	t_web_req(&r, port, NULL, "GET", "/admin/policy", bob, NULL);
	T_EQ_INT(r.status, 403);
	t_resp_free(&r);
	olive = t_web_sign_in(port, NULL, "olive", PW);
	free(f);
	f = t_web_form("title", "Privacy Policy", "body", "text", "summary", "s", "effective",
	    "2001-01-01", NULL);
	t_web_post_form(&r, port, NULL, "/admin/policy", "/admin/policy", olive, f);
	free(f);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "cannot be in the past");
	t_resp_free(&r);

	/* the owner publishes version 2, in force now */
	f = t_web_form("title", "Privacy Policy", "body",
	    "# Privacy\r\n\r\nWe keep little.\r\n\r\nCookies: three at most.\r\n", "summary",
	    "Shorter, with the cookies", NULL);
	t_web_post_form(&r, port, NULL, "/admin/policy", "/admin/policy", olive, f);
	free(f);
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/admin/policy?notice=published");
	t_resp_free(&r);
	wait_alerts(box, "Subject: Privacy policy update (version 2)", 3);
	assert_one_alert_each(box, "Subject: Privacy policy update (version 2)");
	mail = t_smtp_find(box, "version 2)", "To: bob@example.test", NULL);
	T_ASSERT(mail != NULL);
	T_CONTAINS(mail, "What changed: Shorter, with the cookies");
	T_CONTAINS(mail, "/privacy/history/2");
	T_NOT_CONTAINS(mail, "List-Unsubscribe"); /* a service message, not a list */
	free(mail);

	/* bob's next page: continued use of version 2, and its notice */
	t_web_req(&r, port, NULL, "GET", "/", bob, NULL);
	T_CONTAINS(r.body, "new version (2)");
	t_resp_free(&r);

	/* version 3 from the command line, in effect tomorrow */
	gmtime_r(&tt, &tm);
	strftime(tomorrow, sizeof(tomorrow), "%Y-%m-%d", &tm);
	snprintf(md, sizeof(md), "%s/v3.md", t_tmpdir());
	T_ASSERT((fp = fopen(md, "w")) != NULL);
	fputs("# Privacy\n\nWe keep little.\n\nCookies: two at most <script>x</script>.\n", fp);
	fclose(fp);
	T_EQ_INT(t_candor(&out, "policy", "publish", "--data", dir, "--file", md, "--effective",
		     "2001-01-01", "--summary", "x", NULL), 2);
	free(out);
	T_EQ_INT(t_candor(&out, "policy", "publish", "--data", dir, "--file", md, "--effective",
		     tomorrow, "--summary", "Two cookies", NULL), 0);
	T_CONTAINS(out, "Published version 3");
	free(out);
	wait_alerts(box, "Subject: Privacy policy update (version 3)", 3);
	assert_one_alert_each(box, "Subject: Privacy policy update (version 3)");

	/* alice accepts version 3 explicitly before it takes effect */
	t_web_req(&r, port, NULL, "GET", "/", alice, NULL);
	T_CONTAINS(r.body, "new version (3)");
	t_resp_free(&r);
	f = t_web_form("version", "3", NULL);
	t_web_post_form(&r, port, NULL, "/", "/privacy/acknowledge", alice, f);
	free(f);
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/"); /* no next: home */
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/", alice, NULL);
	T_NOT_CONTAINS(r.body, "/privacy/acknowledge");
	t_resp_free(&r);

	/* history and the diff, escaped */
	t_web_req(&r, port, NULL, "GET", "/privacy/history", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "href=\"/privacy/history/3\"");
	T_CONTAINS(r.body, "Two cookies");
	T_CONTAINS(r.body, "in effect from");
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/privacy/history/3", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<span class=\"diff-del\">- Cookies: three at most.</span>");
	T_CONTAINS(r.body,
	    "<span class=\"diff-add\">+ Cookies: two at most &lt;script&gt;x&lt;/script&gt;.</span>");
	T_CONTAINS(r.body, "<span class=\"diff-same\">  We keep little.</span>");
	T_CONTAINS(r.body, "1 lines removed");
	T_NOT_CONTAINS(r.body, "<script>");
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/privacy/history/99", NULL, NULL);
	T_EQ_INT(r.status, 404);
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/privacy/history/abc", NULL, NULL);
	T_EQ_INT(r.status, 404);
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/privacy", NULL, NULL);
	T_CONTAINS(r.body, "Version 2, in effect since");
	t_resp_free(&r);

	/* the owner's counts, on the page and from the command line */
	t_web_req(&r, port, NULL, "GET", "/admin/policy", olive, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "3 of 3");
	t_resp_free(&r);
	T_EQ_INT(t_candor(&out, "policy", "list", "--data", dir, NULL), 0);
	/* v3: alice explicit; v2: alice, bob and olive by continued use; v1: alice and bob
	 * by continued use (alice acknowledged it) and olive */
	T_CONTAINS(out, "3        ");
	fprintf(stderr, "%s", out);
	T_ASSERT(strstr(out, "\n3 ") && strstr(strstr(out, "\n3 "), " 1         0              1 "));
	T_ASSERT(strstr(out, "\n2 ") && strstr(strstr(out, "\n2 "), " 0         3              0 "));
	free(out);

	/* the export holds the history, both kinds */
	T_EQ_INT(t_candor(&out, "user", "export", "--data", dir, "--username", "alice", NULL), 0);
	T_CONTAINS(out, "\"continued-use\"");
	T_CONTAINS(out, "\"explicit\"");
	T_CONTAINS(out, "\"acknowledged_at\"");
	free(out);

	/* a restart sends nothing again */
	T_EQ_INT(t_server_stop(&srv), 0);
	t_server_start(&srv, dir);
	sleep(7);
	T_EQ_INT(t_server_stop(&srv), 0);
	assert_one_alert_each(box, "Subject: Privacy policy update (version 2)");
	assert_one_alert_each(box, "Subject: Privacy policy update (version 3)");
	free(alice);
	free(bob);
	free(olive);
	printf("ok\n");
	return 0;
}
