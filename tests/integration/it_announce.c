/*
 * it_announce: announcements through the real server and a real SMTP peer (aiosmtpd),
 * on both backends (issue 8, P15). 500 verified members, three unverified and three who
 * turned announcements off, and the owner. A member may not open /admin/announce; the
 * owner previews (markdown rendered safely), sends a test to herself, and sends. A
 * subject with CR or LF is refused (400) and creates nothing. `candor serve` is killed
 * with SIGKILL in the middle of the announcement (part queued and delivered, the rest
 * waiting), then restarted: every opted-in verified account holder has exactly one
 * copy at the peer (501 messages), nobody else has any. Each message is
 * multipart/alternative with List-Unsubscribe (https-style link and mailto) and
 * List-Unsubscribe-Post: List-Unsubscribe=One-Click; a bare POST to the link, with no
 * cookie and no form token (multipart/form-data, as RFC 8058 asks of providers),
 * unsubscribes (a GET does not, a forged token is 404), and
 * the next announcement leaves that member out. Sending the same text twice is 409.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "core/core.h"
#include "mail/mail.h"
#include "privacy/privacy.h"
#include "testlib.h"
#include "testsmtp.h"
#include "testweb.h"
#include "web/web_int.h"

#define PW "Marmalade Harbour Lantern 31"
#define MEMBERS 500

static int port;




static void
cli_user(const char *dir, const char *name, const char *role)
{
	static char path[600];
	char email[64], *out = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/pw.txt", t_tmpdir());
	if (access(path, F_OK) != 0) {
		T_ASSERT((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) >= 0);
		T_ASSERT(write(fd, PW, strlen(PW)) == (ssize_t)strlen(PW));
		T_ASSERT(close(fd) == 0);
	}
	snprintf(email, sizeof(email), "%s@example.test", name);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", name, "--email",
		     email, "--role", role, "--password-file", path, NULL), 0);
	free(out);
}

static struct store *
open_db(const char *dir, struct config *cfg)
{
	struct cli_db db;
	struct store *s;
	char msg[512];
	enum err e;

	if (config_load(dir, cfg, msg, sizeof(msg)) != ERR_OK)
		T_FAIL("config_load: %s", msg);
	T_ASSERT(cli_db_resolve(cfg, &db));
	if ((s = store_open(db.url, db.password[0] ? db.password : NULL, &e, msg,
		 sizeof(msg))) == NULL)
		T_FAIL("store_open: %s", msg);
	return s;
}

/* queued and total of the campaign whose subject is subj */
static void
campaign_progress(const char *dir, const char *subj, int64_t *queued, int64_t *total)
{
	struct mail_campaign_info *c;
	struct config cfg;
	struct store *s = open_db(dir, &cfg);
	struct arena *a = arena_new();
	size_t n, i;

	*queued = *total = -1;
	T_EQ_INT(mail_campaign_list(s, a, &c, &n), ERR_OK);
	for (i = 0; i < n; i++)
		if (strcmp(c[i].subject, subj) == 0) {
			*queued = c[i].queued;
			*total = c[i].total;
		}
	arena_free(a);
	store_close(s);
}

static bool
outbox_empty(const char *dir)
{
	char *out = NULL;
	bool empty;

	T_EQ_INT(t_candor(&out, "mail", "outbox", "--data", dir, NULL), 0);
	empty = strstr(out, "no message waiting") != NULL;
	free(out);
	return empty;
}

/* Counts per recipient of messages whose subject line is subj: counts[i] for mNNN,
 * counts[MEMBERS] for olive, counts[MEMBERS + 1] for anyone else. */
static int
count_per_recipient(const char *box, const char *subj, int counts[MEMBERS + 2])
{
	char dir[1200], path[1500], line[256], *txt, *to;
	struct dirent *d;
	DIR *dh;
	int total = 0, k;

	memset(counts, 0, sizeof(int) * (MEMBERS + 2));
	snprintf(line, sizeof(line), "\nSubject: %s\n", subj);
	snprintf(dir, sizeof(dir), "%s/new", box);
	T_ASSERT((dh = opendir(dir)) != NULL);
	while ((d = readdir(dh)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if ((txt = t_read_file(path, NULL)) == NULL || !strstr(txt, line)) {
			free(txt);
			continue;
		}
		total++;
		T_ASSERT((to = strstr(txt, "\nTo: ")) != NULL);
		to += 5;
		if (to[0] == 'm' && sscanf(to + 1, "%3d@", &k) == 1 && k >= 0 && k < MEMBERS)
			counts[k]++;
		else if (strncmp(to, "olive@", 6) == 0)
			counts[MEMBERS]++;
		else
			counts[MEMBERS + 1]++;
		free(txt);
	}
	closedir(dh);
	return total;
}

int
main(void)
{
	const char *dir = t_datadir(true);
	struct t_server srv;
	struct t_resp r;
	struct config cfg;
	struct store *s;
	struct privacy *p;
	struct account_prefs off = {false};
	char box[1200], name[32], email[64], msg[256], *olive, *bob, *f, *mail, *link, *path;
	char *out = NULL;
	int counts[MEMBERS + 2], i, total;
	int64_t id, queued, all;
	FILE *fp;

	/* the owner (with a password, to sign in), a member, and the audience */
	cli_user(dir, "olive", "owner");
	cli_user(dir, "bob", "member");
	s = open_db(dir, &cfg);
	T_ASSERT(privacy_open(&cfg, &p, msg, sizeof(msg)) == ERR_OK);
	T_EQ_INT(store_begin(s), ERR_OK);
	for (i = 0; i < MEMBERS; i++) {
		snprintf(name, sizeof(name), "m%03d", i);
		snprintf(email, sizeof(email), "m%03d@example.test", i);
		T_EQ_INT(people_add(p, s, name, email, ROLE_MEMBER, true, &id, msg, sizeof(msg)),
		    ERR_OK);
	}
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "unverified%d", i);
		snprintf(email, sizeof(email), "unverified%d@example.test", i);
		T_EQ_INT(people_add(p, s, name, email, ROLE_MEMBER, false, &id, msg, sizeof(msg)),
		    ERR_OK);
		snprintf(name, sizeof(name), "optout%d", i);
		snprintf(email, sizeof(email), "optout%d@example.test", i);
		T_EQ_INT(people_add(p, s, name, email, ROLE_MEMBER, true, &id, msg, sizeof(msg)),
		    ERR_OK);
		T_EQ_INT(account_prefs_set(s, id, &off), ERR_OK);
	}
	T_EQ_INT(store_commit(s), ERR_OK);
	privacy_free(p);
	store_close(s);
	/* bob turns announcements off too (the sender must leave him out) */
	s = open_db(dir, &cfg);
	{
		struct person pb;
		struct arena *a = arena_new();
		T_EQ_INT(people_find(s, a, "bob", &pb), ERR_OK);
		T_EQ_INT(account_prefs_set(s, pb.id, &off), ERR_OK);
		arena_free(a);
	}
	store_close(s);

	snprintf(box, sizeof(box), "%s/smtp-box", t_tmpdir());
	t_smtp_configure(dir, t_smtp_start(box));
	{
		char conf[1200];
		snprintf(conf, sizeof(conf), "%s/candor.conf", dir);
		T_ASSERT((fp = fopen(conf, "a")) != NULL);
		fprintf(fp, "\n[mail]\nannounce_per_minute = 100000\n");
		fclose(fp);
	}
	t_server_start(&srv, dir);
	port = srv.port;

	/* only the owner or staff with the grant */
	bob = t_web_sign_in(port, NULL, "bob", PW);
	t_web_req(&r, port, NULL, "GET", "/admin/announce", bob, NULL);
	T_EQ_INT(r.status, 403);
	t_resp_free(&r);
	olive = t_web_sign_in(port, NULL, "olive", PW);

	/* preview: rendered in safe mode, nothing sent */
	f = t_web_form("subject", "News", "body", "Hello **all**.\n\n<script>x()</script>\n",
	    "action", "preview", NULL);
	t_web_post_form(&r, port, NULL, "/admin/announce", "/admin/announce", olive, f);
	free(f);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<strong>all</strong>");
	T_NOT_CONTAINS(r.body, "<script>x()");
	t_resp_free(&r);

	/* header injection: CR/LF in the subject is refused, nothing is created */
	f = t_web_form("subject", "Hello\r\nBcc: victim@example.test", "body", "x", "action",
	    "send", NULL);
	t_web_post_form(&r, port, NULL, "/admin/announce", "/admin/announce", olive, f);
	free(f);
	T_EQ_INT(r.status, 400);
	t_resp_free(&r);
	f = t_web_form("subject", "Hello\nBcc: victim@example.test", "body", "x", "action", "test",
	    NULL);
	t_web_post_form(&r, port, NULL, "/admin/announce", "/admin/announce", olive, f);
	free(f);
	T_EQ_INT(r.status, 400);
	t_resp_free(&r);
	campaign_progress(dir, "Hello", &queued, &all);
	T_EQ_INT(all, -1);

	/* a test to herself */
	f = t_web_form("subject", "Spring news", "body",
	    "We have **new** features.\n\nSee https://example.test/new\n", "action", "test", NULL);
	t_web_post_form(&r, port, NULL, "/admin/announce", "/admin/announce", olive, f);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "A test was sent to your own address");
	t_resp_free(&r);
	for (i = 0; i < 300 && t_smtp_count(box, "Subject: [test] Spring news", NULL) < 1; i++)
		usleep(100000);
	T_EQ_INT(t_smtp_count(box, "Subject: [test] Spring news", "To: olive@example.test", NULL),
	    1);

	/* send; killed in the middle: after the first batch was queued and delivered, with
	 * no SMTP hand-over in flight (see docs/policy-and-mail.md on that window) */
	free(f);
	f = t_web_form("subject", "Spring news", "body",
	    "We have **new** features.\n\nSee https://example.test/new\n", "action", "send", NULL);
	t_web_post_form(&r, port, NULL, "/admin/announce", "/admin/announce", olive, f);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	campaign_progress(dir, "Spring news", &queued, &all);
	T_EQ_INT(all, MEMBERS + 1); /* 500 members and the owner; not bob, unverified, opted out */
	for (i = 0; i < 600; i++) {
		campaign_progress(dir, "Spring news", &queued, &all);
		if (queued > 0 && queued < all && outbox_empty(dir))
			break;
		usleep(20000);
	}
	T_ASSERT(queued > 0 && queued < all);
	kill(srv.pid, SIGKILL);
	T_EQ_INT(t_server_stop(&srv), 128 + SIGKILL);
	total = count_per_recipient(box, "Spring news", counts);
	fprintf(stderr, "killed with %lld of %lld queued, %d at the peer\n", (long long)queued,
	    (long long)all, total);
	T_ASSERT(total > 0 && total < MEMBERS + 1);

	/* restarted: the rest, and nobody twice */
	t_server_start(&srv, dir);
	port = srv.port;
	for (i = 0; i < 900; i++) {
		if (count_per_recipient(box, "Spring news", counts) >= MEMBERS + 1 &&
		    outbox_empty(dir))
			break;
		usleep(100000);
	}
	sleep(6); /* one more worker pass: nothing else may arrive */
	T_EQ_INT(count_per_recipient(box, "Spring news", counts), MEMBERS + 1);
	for (i = 0; i < MEMBERS + 1; i++)
		if (counts[i] != 1)
			T_FAIL("recipient %d got %d copies", i, counts[i]);
	T_EQ_INT(counts[MEMBERS + 1], 0);
	T_EQ_INT(t_smtp_count(box, "Subject: Spring news", "To: bob@", NULL), 0);
	T_EQ_INT(t_smtp_count(box, "Subject: Spring news", "To: unverified", NULL), 0);
	T_EQ_INT(t_smtp_count(box, "Subject: Spring news", "To: optout", NULL), 0);

	/* one message: the list headers, both parts, no tracking */
	mail = t_smtp_find(box, "Subject: Spring news", "To: m007@example.test", NULL);
	T_ASSERT(mail != NULL);
	T_CONTAINS(mail, "\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n");
	T_CONTAINS(mail, "\nList-Unsubscribe: <http");
	T_CONTAINS(mail, ">, <mailto:");
	T_CONTAINS(mail, "multipart/alternative");
	T_CONTAINS(mail, "Content-Type: text/html; charset=utf-8");
	T_CONTAINS(mail, "See https://example.test/new"); /* the link as written */
	T_NOT_CONTAINS(mail, "<img");
	/* the link in the text part, under the sentence that announces it */
	T_ASSERT((link = strstr(mail, "(one click, no sign-in):\n")) != NULL);
	link = t_web_link(link, "http");
	T_ASSERT(link != NULL && strstr(link, "/unsubscribe/") != NULL);
	path = strdup(t_web_path(link));

	/* sending the same announcement again is refused */
	t_web_post_form(&r, port, NULL, "/admin/announce", "/admin/announce", olive, f);
	T_EQ_INT(r.status, 409);
	t_resp_free(&r);
	free(f);

	/* the unsubscribe link: a GET changes nothing, a forged token is 404, a bare POST
	 * (no cookie, no form token) unsubscribes */
	t_web_req(&r, port, NULL, "GET", path, NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Unsubscribe");
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "POST", "/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL,
	    "List-Unsubscribe=One-Click");
	T_EQ_INT(r.status, 404);
	t_resp_free(&r);
	{
		/* as RFC 8058 says a mail provider should send it: multipart/form-data */
		static const char *const mp[] = {
		    "Content-Type: multipart/form-data; boundary=b0undary", NULL};
		t_http(&r, port, "POST", NULL, path, mp,
		    "--b0undary\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n"
		    "\r\nOne-Click\r\n--b0undary--\r\n");
	}
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "no more announcements");
	T_EQ_INT(t_web_set_cookie_count(&r), 0);
	t_resp_free(&r);

	/* the next announcement leaves m007 out */
	f = t_web_form("subject", "Summer news", "body", "More.\n", "action", "send", NULL);
	t_web_post_form(&r, port, NULL, "/admin/announce", "/admin/announce", olive, f);
	free(f);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	campaign_progress(dir, "Summer news", &queued, &all);
	T_EQ_INT(all, MEMBERS);
	T_EQ_INT(t_server_stop(&srv), 0);

	T_EQ_INT(t_candor(&out, "mail", "outbox", "--data", dir, "--all", NULL), 0);
	T_NOT_CONTAINS(out, "@example.test");
	free(out);
	free(mail);
	free(link);
	free(path);
	free(olive);
	free(bob);
	printf("ok\n");
	return 0;
}
