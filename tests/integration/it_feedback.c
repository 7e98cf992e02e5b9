/*
 * it_feedback: the feedback form and its publication through the real server, on both
 * backends (issue 8, P16). Anonymous feedback is sent without any cookie (the CSRF token
 * is in the form); without the token it is refused (403), an over-long message 400.
 * Names and emails are sealed (not in the SQLite files). Staff without a support grant
 * get 403 at /admin/feedback; with agreement and grant they read every item (each
 * reading audited). Everything is published; /feedback/published shows each text, the
 * name only of authors who ticked the box (a member's username, an anonymous author's
 * name) and no email at all.
 */
#include <fcntl.h>
#include <unistd.h>

#include "core/core.h"
#include "testlib.h"
#include "testweb.h"
#include "web/web_int.h"

#define PW "Marmalade Harbour Lantern 31"

static int port;




static void
cli(const char *dir, const char *a1, const char *a2, const char *name, const char *k1,
    const char *v1, const char *k2, const char *v2)
{
	char *out = NULL;

	if (t_candor(&out, a1, a2, "--data", dir, "--username", name, k1, v1, k2, v2, NULL) != 0)
		T_FAIL("candor %s %s: %s", a1, a2, out);
	free(out);
}

static void
user(const char *dir, const char *name, const char *role)
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

/* Publishes every item listed on /admin/feedback, as token. */
static int
publish_all(const char *token)
{
	struct t_resp g, r;
	const char *at;
	char action[64], *c, *csrf;
	int n = 0;
	long long id;

	t_web_req(&g, port, NULL, "GET", "/admin/feedback", token, NULL);
	T_EQ_INT(g.status, 200);
	for (at = g.body; (at = strstr(at, "action=\"/admin/feedback/")) != NULL; at++) {
		T_ASSERT(sscanf(at, "action=\"/admin/feedback/%lld/publish\"", &id) == 1);
		snprintf(action, sizeof(action), "/admin/feedback/%lld/publish", id);
		T_ASSERT((csrf = t_web_csrf(g.body, action)) != NULL);
		c = t_web_form("csrf", csrf, NULL);
		t_web_req(&r, port, NULL, "POST", action, token, c);
		T_EQ_INT(r.status, 303);
		t_resp_free(&r);
		free(c);
		free(csrf);
		n++;
	}
	t_resp_free(&g);
	return n;
}

int
main(void)
{
	const char *dir = t_datadir(true);
	struct t_server srv;
	struct t_resp r;
	char *f, *bob, *carol, *sam, *olive, *out = NULL, url[1200];
	char longtext[5100];

	user(dir, "olive", "owner");
	user(dir, "bob", "member");
	user(dir, "carol", "member");
	user(dir, "sam", "staff");
	t_server_start(&srv, dir);
	port = srv.port;

	/* anonymous, no cookie at all: refused without the token, accepted with it */
	t_web_req(&r, port, NULL, "POST", "/feedback", NULL, "text=hello");
	T_EQ_INT(r.status, 403);
	t_resp_free(&r);
	memset(longtext, 'x', 5001);
	longtext[5001] = '\0';
	f = t_web_form("text", longtext, NULL);
	t_web_post_form(&r, port, NULL, "/feedback", "/feedback", NULL, f);
	free(f);
	T_EQ_INT(r.status, 400);
	t_resp_free(&r);
	f = t_web_form("text", "The search is slow.", "name", "Ann Author", "email",
	    "ann.secret@example.test", NULL);
	t_web_post_form(&r, port, NULL, "/feedback", "/feedback", NULL, f);
	free(f);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Thank you");
	T_EQ_INT(t_web_set_cookie_count(&r), 0);
	t_resp_free(&r);
	f = t_web_form("text", "Lovely new theme.", "name", "Zed Writer", "email",
	    "zed.secret@example.test", "consent", "on", NULL);
	t_web_post_form(&r, port, NULL, "/feedback", "/feedback", NULL, f);
	free(f);
	T_EQ_INT(r.status, 200);
	t_resp_free(&r);

	/* members: bob allows his name, carol does not */
	bob = t_web_sign_in(port, NULL, "bob", PW);
	f = t_web_form("text", "Please add dark mode.", "consent", "on", NULL);
	t_web_post_form(&r, port, NULL, "/feedback", "/feedback", bob, f);
	free(f);
	T_EQ_INT(r.status, 200);
	t_resp_free(&r);
	carol = t_web_sign_in(port, NULL, "carol", PW);
	f = t_web_form("text", "The footer is too small.", "email", "carol.reply@example.test",
	    NULL);
	t_web_post_form(&r, port, NULL, "/feedback", "/feedback", carol, f);
	free(f);
	T_EQ_INT(r.status, 200);
	t_resp_free(&r);

	/* sealed: neither names nor emails are in the SQLite files */
	t_db_url(url, sizeof(url));
	if (strncmp(url, "sqlite:", 7) == 0) { /* the database is in the data directory */
		t_assert_absent(dir, "Ann Author");
		t_assert_absent(dir, "ann.secret@");
		t_assert_absent(dir, "zed.secret@");
	}

	/* staff without a grant: refused; with agreement and a support grant: allowed */
	sam = t_web_sign_in(port, NULL, "sam", PW);
	t_web_req(&r, port, NULL, "GET", "/admin/feedback", sam, NULL);
	T_EQ_INT(r.status, 403);
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/admin/feedback", bob, NULL);
	T_EQ_INT(r.status, 403);
	t_resp_free(&r);
	cli(dir, "staff", "add", "sam", "--org", "PIV Support", "--country", "CA");
	cli(dir, "staff", "agreement", "sam", "--version", "2024-1", "--signed-on", "2024-01-02");
	cli(dir, "staff", "grant", "sam", "--purpose", "support", "--until", "2099-12-31");
	t_web_req(&r, port, NULL, "GET", "/admin/feedback", sam, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "ann.secret@example.test");
	T_CONTAINS(r.body, "Zed Writer");
	T_CONTAINS(r.body, "carol.reply@example.test");
	t_resp_free(&r);
	T_EQ_INT(t_candor(&out, "audit", "show", "--data", dir, NULL), 0);
	T_CONTAINS(out, "support");
	T_CONTAINS(out, "feedback.email_sealed");
	free(out);

	/* the owner publishes everything */
	olive = t_web_sign_in(port, NULL, "olive", PW);
	T_EQ_INT(publish_all(olive), 4);
	t_web_req(&r, port, NULL, "GET", "/feedback/published", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "The search is slow.");
	T_CONTAINS(r.body, "Lovely new theme.");
	T_CONTAINS(r.body, "Please add dark mode.");
	T_CONTAINS(r.body, "The footer is too small.");
	T_CONTAINS(r.body, "Zed Writer"); /* consented */
	T_CONTAINS(r.body, "bob");        /* consented, a member's username */
	T_NOT_CONTAINS(r.body, "Ann Author");
	T_NOT_CONTAINS(r.body, "carol");
	T_NOT_CONTAINS(r.body, "@example.test");
	T_NOT_CONTAINS(r.body, "secret");
	t_resp_free(&r);
	T_EQ_INT(t_server_stop(&srv), 0);

	/* carol's export holds her feedback, with her reply address */
	T_EQ_INT(t_candor(&out, "user", "export", "--data", dir, "--username", "carol", NULL), 0);
	T_CONTAINS(out, "\"feedback\"");
	T_CONTAINS(out, "The footer is too small.");
	T_CONTAINS(out, "carol.reply@example.test");
	T_CONTAINS(out, "\"publish_with_name\": false");
	free(out);
	free(bob);
	free(carol);
	free(sam);
	free(olive);
	printf("ok\n");
	return 0;
}
