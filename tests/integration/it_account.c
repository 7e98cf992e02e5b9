/*
 * it_account: a member's own pages through the real server, on both backends. Without a
 * session every page sends the browser to /login?next=...; signed in (POST /login), each
 * page says Cache-Control: no-store. /account shows the username and the email and
 * keeps the announcements choice; /account/export is a JSON download holding the
 * username, the email, the sign_in section and its own "export" audit entry; the access
 * log lists the export and refuses a bad page number; a change of email mails a link to
 * the new address and a notice to the old one, and when another account takes the new
 * address first the link answers 409 once and is spent; a change of password ends the
 * other sessions, keeps this browser signed in, mails a notice and spends a reset link
 * mailed before it; a wrong password refuses
 * the erasure and the right one erases (no sign-in, no session, no people row).
 * /preferences sets exactly the candor_prefs cookie with its attributes, anonymously;
 * every POST without its csrf field gets 403; /admin is 403 for a member, 200 for the
 * owner.
 */
#include <fcntl.h>
#include <jansson.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "core/core.h"
#include "privacy/privacy.h"
#include "store/store.h"
#include "testlib.h"
#include "testweb.h"
#include "web/web_int.h"

#define EMAIL "alice@example.test"
#define NEW_EMAIL "alice.new@example.test"
#define FIRST_PW "Tangerine Lighthouse Orbit 77"
#define SECOND_PW "quiet otter under the old bridge"
#define OWNER_PW "Marmalade Harbour Lantern 31"
#define FORBIDDEN "did not come from this site"

static int port;

/* Writes text to a new file (mode 0600) in its own directory; returns its path. */
static const char *
pwfile(const char *text)
{
	static char paths[4][600];
	static int next;
	char *path = paths[next++ % 4];
	int fd;

	snprintf(path, sizeof(paths[0]), "%s/pw.txt", t_tmpdir());
	T_ASSERT((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) >= 0);
	T_ASSERT(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	T_ASSERT(close(fd) == 0);
	return path;
}

/* A request with the session cookie token (NULL: none) and, for a POST, a body. */
static void
req(struct t_resp *r, const char *method, const char *path, const char *token,
    const char *body)
{
	char cookie[128];

	if (token)
		snprintf(cookie, sizeof(cookie), "candor_session=%s", token);
	if (strcmp(method, "POST") == 0)
		t_web_post(r, port, NULL, path, token ? cookie : NULL, NULL, body);
	else
		t_web_get(r, port, NULL, path, token ? cookie : NULL, NULL);
}

/* The csrf value of the form posting to action on page, fetched with token. */
static char *
csrf_of(const char *page, const char *action, const char *token)
{
	struct t_resp g;
	char *csrf;

	req(&g, "GET", page, token, NULL);
	T_EQ_INT(g.status, 200);
	if ((csrf = t_web_csrf(g.body, action)) == NULL)
		T_FAIL("no csrf field in the form posting to %s on %s", action, page);
	t_resp_free(&g);
	return csrf;
}

/* Posts fields (from t_web_form, may be "") and the csrf of the form posting to action,
 * taken from page as fetched with token, to action. */
static void
post_form(struct t_resp *r, const char *page, const char *action, const char *token,
    const char *fields)
{
	char *csrf = csrf_of(page, action, token), *c = t_web_form("csrf", csrf, NULL);
	struct buf body;

	buf_init(&body);
	buf_printf(&body, "%s%s%s", c, fields[0] ? "&" : "", fields);
	req(r, "POST", action, token, body.data);
	buf_free(&body);
	free(c);
	free(csrf);
}

/* post_form with one or two name, value pairs (n2 may be NULL). */
static void
post(struct t_resp *r, const char *page, const char *action, const char *token,
    const char *n1, const char *v1, const char *n2, const char *v2)
{
	char *f = t_web_form(n1, v1, n2, v2, NULL);

	post_form(r, page, action, token, f);
	free(f);
}

/* Signs in through /login; returns the new session token (malloc'd), or NULL when the
 * sign-in is refused (then *status gets the answer's status). */
static char *
sign_in(const char *login, const char *pw, long *status)
{
	struct t_resp r;
	const char *line;
	char *tok = NULL;

	post(&r, "/login", "/login", NULL, "login", login, "password", pw);
	if (status)
		*status = r.status;
	line = t_web_set_cookie(&r, "candor_session");
	if (r.status == 303 && line != NULL && line[strlen("candor_session=")] != ';') {
		line += strlen("candor_session=");
		T_EQ_INT(strcspn(line, ";"), SESSION_TOKEN_LEN);
		tok = strndup(line, SESSION_TOKEN_LEN);
	}
	t_resp_free(&r);
	return tok;
}

/* Opens the data directory's own database. */
static struct store *
open_db(const char *dir)
{
	struct config cfg;
	struct cli_db db;
	struct store *s;
	char msg[512];
	enum err e;

	if (config_load(dir, &cfg, msg, sizeof(msg)) != ERR_OK)
		T_FAIL("config_load: %s", msg);
	T_ASSERT(cli_db_resolve(&cfg, &db));
	if ((s = store_open(db.url, db.password[0] ? db.password : NULL, &e, msg,
		 sizeof(msg))) == NULL)
		T_FAIL("store_open: %s", msg);
	return s;
}

/* Occurrences of needle in hay. */
static int
count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static void
assert_no_store(const struct t_resp *r)
{
	T_EQ_STR(t_resp_header(r, "Cache-Control"), "no-store");
}

/* Every page of the member's area sends a browser without a session to sign in, and
 * comes back to the page afterwards. */
static void
check_signed_out(void)
{
	static const char *const pages[][2] = {
		{"/account", "/login?next=%2Faccount"},
		{"/account/export", "/login?next=%2Faccount%2Fexport"},
		{"/account/delete", "/login?next=%2Faccount%2Fdelete"},
		{"/account/access-log", "/login?next=%2Faccount%2Faccess-log"},
		{"/admin", "/login?next=%2Fadmin"},
	};
	struct t_resp r;
	size_t i;

	for (i = 0; i < COUNTOF(pages); i++) {
		req(&r, "GET", pages[i][0], NULL, NULL);
		T_EQ_INT(r.status, 303);
		assert_no_store(&r);
		T_EQ_STR(t_resp_header(&r, "Location"), pages[i][1]);
		t_resp_free(&r);
	}
}

int
main(void)
{
	const char *dir = t_datadir(true), *line;
	char *out = NULL, *mail, *link, *tok, *tok2, *tok3, *owner, *csrf, *body;
	struct t_server srv;
	struct t_resp r;
	struct person person;
	struct arena *a;
	struct store *s;
	json_error_t jerr;
	json_t *root, *audit;
	size_t i;
	bool exported;
	long status = 0;

	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "alice", "--email",
		     EMAIL, "--role", "member", "--password-file", pwfile(FIRST_PW), NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "olive", "--email",
		     "olive@example.test", "--role", "owner", "--password-file",
		     pwfile(OWNER_PW), NULL), 0);
	free(out);
	t_server_start(&srv, dir);
	port = srv.port;

	check_signed_out();

	/* /preferences: anonymous, no-store, exactly the one cookie with its attributes (the
	 * page view itself sets none when the browser asks not to be tracked) */
	{
		const char *h[] = {"DNT: 1", NULL};
		t_web_get(&r, port, NULL, "/preferences", NULL, h);
		T_EQ_INT(r.status, 200);
		assert_no_store(&r);
		T_EQ_INT(t_web_set_cookie_count(&r), 0);
		T_CONTAINS(r.body, "<code>candor_prefs</code>, and no other");
		T_CONTAINS(r.body, "value=\"auto\" checked");
		t_resp_free(&r);
	}
	post(&r, "/preferences", "/preferences", NULL, "theme", "dark", NULL, NULL);
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/preferences?saved=1");
	T_EQ_INT(t_web_set_cookie_count(&r), 1);
	T_EQ_STR(t_web_set_cookie(&r, "candor_prefs"),
	    "candor_prefs=theme=dark; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");
	t_resp_free(&r);
	{
		const char *h[] = {"DNT: 1", NULL};
		t_web_get(&r, port, NULL, "/preferences?saved=1", "candor_prefs=theme=dark", h);
		T_EQ_INT(r.status, 200);
		T_CONTAINS(r.body, "Your choice is saved in this browser.");
		T_CONTAINS(r.body, "value=\"dark\" checked");
		T_NOT_CONTAINS(r.body, "value=\"auto\" checked");
		T_CONTAINS(r.body, "data-theme=\"dark\"");
		T_EQ_INT(t_web_set_cookie_count(&r), 0);
		t_resp_free(&r);
	}
	post(&r, "/preferences", "/preferences", NULL, "theme", "auto", NULL, NULL);
	T_EQ_INT(r.status, 303);
	T_EQ_INT(t_web_set_cookie_count(&r), 1);
	T_EQ_STR(t_web_set_cookie(&r, "candor_prefs"),
	    "candor_prefs=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly");
	t_resp_free(&r);
	post(&r, "/preferences", "/preferences", NULL, "theme", "purple", NULL, NULL);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "Theme must be automatic, light or dark.");
	T_EQ_INT(t_web_set_cookie_count(&r), 0);
	t_resp_free(&r);
	req(&r, "POST", "/preferences", NULL, "theme=dark");
	T_EQ_INT(r.status, 403);
	T_CONTAINS(r.body, FORBIDDEN);
	T_EQ_INT(t_web_set_cookie_count(&r), 0);
	t_resp_free(&r);

	/* signed in: /account shows the username, the email, the last sign-in */
	if ((tok = sign_in("alice", FIRST_PW, &status)) == NULL)
		T_FAIL("signing in as alice failed (%ld)", status);
	req(&r, "GET", "/account", tok, NULL);
	T_EQ_INT(r.status, 200);
	assert_no_store(&r);
	T_CONTAINS(r.body, "<dd>alice</dd>");
	T_CONTAINS(r.body, EMAIL);
	T_CONTAINS(r.body, "(verified)");
	T_NOT_CONTAINS(r.body, "No sign-in recorded yet.");
	T_CONTAINS(r.body, "name=\"announcements\" type=\"checkbox\" checked>");
	t_resp_free(&r);
	for (i = 0; i < 3; i++) {
		static const char *const pages[] = {"/account/delete", "/account/access-log",
		    "/account/export"};
		req(&r, "GET", pages[i], tok, NULL);
		T_EQ_INT(r.status, 200);
		assert_no_store(&r);
		t_resp_free(&r);
	}

	/* every form refuses a post without its csrf field, with a sentence */
	{
		static const char *const posts[] = {"/account/preferences", "/account/email",
		    "/account/password", "/account/delete"};
		for (i = 0; i < COUNTOF(posts); i++) {
			req(&r, "POST", posts[i], tok, "password=x&email=a%40b.example");
			T_EQ_INT(r.status, 403);
			assert_no_store(&r);
			T_CONTAINS(r.body, FORBIDDEN);
			t_resp_free(&r);
		}
		/* and a token for another form is no token for this one */
		csrf = csrf_of("/account", "/account/preferences", tok);
		body = t_web_form("csrf", csrf, "password", FIRST_PW, NULL);
		req(&r, "POST", "/account/delete", tok, body);
		T_EQ_INT(r.status, 403);
		t_resp_free(&r);
		free(body);
		free(csrf);
	}

	/* email preferences: the choice persists */
	post_form(&r, "/account", "/account/preferences", tok, "");
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/account?notice=prefs");
	t_resp_free(&r);
	req(&r, "GET", "/account?notice=prefs", tok, NULL);
	T_CONTAINS(r.body, "name=\"announcements\" type=\"checkbox\">");
	T_CONTAINS(r.body, "Your email preferences are saved.");
	t_resp_free(&r);
	post(&r, "/account", "/account/preferences", tok, "announcements", "on", NULL, NULL);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	req(&r, "GET", "/account", tok, NULL);
	T_CONTAINS(r.body, "name=\"announcements\" type=\"checkbox\" checked>");
	t_resp_free(&r);
	post(&r, "/account", "/account/preferences", tok, "announcements", "yes", NULL, NULL);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "Announcements can only be ticked or left empty.");
	t_resp_free(&r);

	/* the export: a JSON download of everything, its own audit entry included */
	req(&r, "GET", "/account/export", tok, NULL);
	T_EQ_INT(r.status, 200);
	assert_no_store(&r);
	T_EQ_STR(t_resp_header(&r, "Content-Type"), "application/json; charset=utf-8");
	T_EQ_STR(t_resp_header(&r, "Content-Disposition"),
	    "attachment; filename=\"candor-export-alice.json\"");
	if ((root = json_loadb(r.body, r.body_len, 0, &jerr)) == NULL)
		T_FAIL("the export is not JSON: %s", jerr.text);
	T_EQ_STR(json_string_value(json_object_get(json_object_get(root, "account"), "username")),
	    "alice");
	T_EQ_STR(json_string_value(json_object_get(json_object_get(root, "account"), "email")),
	    EMAIL);
	T_ASSERT(json_is_object(json_object_get(root, "sign_in")));
	audit = json_object_get(root, "audit");
	exported = false;
	for (i = 0; i < json_array_size(audit); i++) {
		const char *d = json_string_value(json_object_get(json_array_get(audit, i),
		    "decision"));
		if (d && strcmp(d, "export") == 0)
			exported = true;
	}
	T_ASSERT(exported);
	json_decref(root);
	t_resp_free(&r);

	/* the access log lists the export, newest first, names no one, pages properly */
	req(&r, "GET", "/account/access-log", tok, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<td>export</td>");
	T_CONTAINS(r.body, "<td>You</td>");
	T_CONTAINS(r.body, "<td>self</td>");
	T_ASSERT(strstr(r.body, "<td>export</td>") < strstr(r.body, "<td>allow</td>"));
	T_NOT_CONTAINS(r.body, EMAIL);
	t_resp_free(&r);
	req(&r, "GET", "/account/access-log?page=abc", tok, NULL);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "The page number is not valid.");
	t_resp_free(&r);
	req(&r, "GET", "/account/access-log?page=0", tok, NULL);
	T_EQ_INT(r.status, 400);
	t_resp_free(&r);
	req(&r, "GET", "/account/access-log?page=2", tok, NULL);
	T_EQ_INT(r.status, 404);
	t_resp_free(&r);
	/* each view of /account opens the email, and says so in the log: 50 more entries
	 * make a second page, which holds the oldest (the export is on the first) */
	for (i = 0; i < 50; i++) {
		req(&r, "GET", "/account", tok, NULL);
		T_EQ_INT(r.status, 200);
		t_resp_free(&r);
	}
	req(&r, "GET", "/account/access-log", tok, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Page 1 of 2");
	T_CONTAINS(r.body, "href=\"/account/access-log?page=2\"");
	T_EQ_INT(count(r.body, "<tr><td>"), 50);
	T_NOT_CONTAINS(r.body, "<td>export</td>");
	t_resp_free(&r);
	req(&r, "GET", "/account/access-log?page=2", tok, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Page 2 of 2");
	T_CONTAINS(r.body, "<td>export</td>");
	T_ASSERT(count(r.body, "<tr><td>") >= 1 && count(r.body, "<tr><td>") <= 50);
	t_resp_free(&r);

	/* a body over the limit of these forms is refused before it is read */
	body = calloc(1, 6001);
	T_ASSERT(body != NULL);
	memcpy(body, "email=", 6);
	memset(body + 6, 'a', 5994);
	req(&r, "POST", "/account/email", tok, body);
	T_EQ_INT(r.status, 413);
	t_resp_free(&r);
	free(body);

	/* change of email: the password first, the input kept, never the password */
	post(&r, "/account", "/account/email", tok, "email", NEW_EMAIL, "password",
	    "not-my-password-at-all");
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "That is not your current password.");
	T_CONTAINS(r.body, "value=\"" NEW_EMAIL "\"");
	T_NOT_CONTAINS(r.body, "not-my-password-at-all");
	t_resp_free(&r);
	post(&r, "/account", "/account/email", tok, "email", "not-an-address", "password", "x");
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "id=\"email-new-error\"");
	t_resp_free(&r);
	/* an address another account holds gets the same answer; its holder a notice,
	 * never a link, and the current address the usual notice */
	post(&r, "/account", "/account/email", tok, "email", "olive@example.test", "password",
	    FIRST_PW);
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/account?notice=email");
	t_resp_free(&r);
	mail = t_web_mail_wait(dir, 0, 20000, "To: olive@example.test", "Someone tried to use",
	    NULL);
	T_NOT_CONTAINS(mail, "/verify-email/");
	T_NOT_CONTAINS(mail, EMAIL);
	free(mail);
	mail = t_web_mail_wait(dir, 0, 20000, "To: " EMAIL, "is being changed", NULL);
	free(mail);
	post(&r, "/account", "/account/email", tok, "email", NEW_EMAIL, "password", FIRST_PW);
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/account?notice=email");
	t_resp_free(&r);
	mail = t_web_mail_wait(dir, 0, 20000, "To: " NEW_EMAIL, NULL);
	T_CONTAINS(mail, "http://perfectimagevideo.localhost:8080/verify-email/");
	link = t_web_link(mail, "http://perfectimagevideo.localhost:8080/verify-email/");
	T_ASSERT(link != NULL);
	free(mail);
	mail = t_web_mail_wait(dir, 0, 20000, "To: " EMAIL, "is being changed", NULL);
	T_NOT_CONTAINS(mail, "/verify-email/");
	free(mail);
	/* nothing changes until the link is followed */
	req(&r, "GET", "/account", tok, NULL);
	T_CONTAINS(r.body, EMAIL);
	T_NOT_CONTAINS(r.body, NEW_EMAIL);
	t_resp_free(&r);
	/* the address taken meanwhile: 409, and the link is spent (the read of the new
	 * address it holds is audited and committed, not rolled back) */
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "quick", "--email",
		     NEW_EMAIL, "--role", "member", "--password-file", pwfile(OWNER_PW), NULL),
	    0);
	free(out);
	post_form(&r, t_web_path(link), t_web_path(link), tok, "");
	T_EQ_INT(r.status, 409);
	T_CONTAINS(r.body, "Another account now uses this email address");
	t_resp_free(&r);
	req(&r, "GET", t_web_path(link), tok, NULL);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "has already been used");
	t_resp_free(&r);
	free(link);
	req(&r, "GET", "/account", tok, NULL);
	T_CONTAINS(r.body, EMAIL);
	t_resp_free(&r);
	/* a reset link asked for now will not outlive the change of password below */
	post(&r, "/reset", "/reset", NULL, "login", "alice", NULL, NULL);
	T_EQ_INT(r.status, 200);
	t_resp_free(&r);
	mail = t_web_mail_wait(dir, 0, 20000, "To: " EMAIL, "/reset/", NULL);
	link = t_web_link(mail, "http://perfectimagevideo.localhost:8080/reset/");
	T_ASSERT(link != NULL);
	free(mail);
	req(&r, "GET", t_web_path(link), NULL, NULL);
	T_EQ_INT(r.status, 200);
	t_resp_free(&r);

	/* change of password: other sessions end, this browser stays signed in */
	T_ASSERT((tok2 = sign_in("alice", FIRST_PW, NULL)) != NULL);
	req(&r, "GET", "/account", tok2, NULL);
	T_EQ_INT(r.status, 200);
	t_resp_free(&r);
	post(&r, "/account", "/account/password", tok, "current", FIRST_PW, "new", "short");
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "id=\"password-new-error\"");
	T_NOT_CONTAINS(r.body, FIRST_PW);
	t_resp_free(&r);
	post(&r, "/account", "/account/password", tok, "current", "wrong-password-here", "new",
	    SECOND_PW);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "That is not your current password.");
	T_CONTAINS(r.body, "id=\"password-current-error\"");
	t_resp_free(&r);
	post(&r, "/account", "/account/password", tok, "current", FIRST_PW, "new", SECOND_PW);
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/account?notice=password");
	T_EQ_INT(t_web_set_cookie_count(&r), 1);
	T_ASSERT((line = t_web_set_cookie(&r, "candor_session")) != NULL);
	T_CONTAINS(line, "; Path=/; HttpOnly; SameSite=Lax");
	line += strlen("candor_session=");
	T_EQ_INT(strcspn(line, ";"), SESSION_TOKEN_LEN);
	tok3 = strndup(line, SESSION_TOKEN_LEN);
	T_ASSERT(strcmp(tok3, tok) != 0);
	t_resp_free(&r);
	req(&r, "GET", "/account", tok2, NULL); /* the other browser */
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	req(&r, "GET", "/account", tok, NULL); /* the old token of this one */
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	req(&r, "GET", "/account?notice=password", tok3, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Your password is changed.");
	t_resp_free(&r);
	mail = t_web_mail_wait(dir, 0, 20000, "To: " EMAIL, "password on", NULL);
	free(mail);
	req(&r, "GET", t_web_path(link), NULL, NULL); /* the reset link is spent */
	T_EQ_INT(r.status, 400);
	t_resp_free(&r);
	free(link);
	T_ASSERT(sign_in("alice", FIRST_PW, &status) == NULL);
	T_EQ_INT(status, 400);

	/* /admin: a member has no role there; the owner runs every site */
	req(&r, "GET", "/admin", tok3, NULL);
	T_EQ_INT(r.status, 403);
	assert_no_store(&r);
	T_CONTAINS(r.body, "Your account has no admin role on this site.");
	t_resp_free(&r);
	req(&r, "GET", "/account", tok3, NULL); /* the layout offers no Admin link */
	T_EQ_INT(r.status, 200);
	T_NOT_CONTAINS(r.body, "href=\"/admin\"");
	t_resp_free(&r);
	/* a public page made for a signed-in member is stored by no cache */
	req(&r, "GET", "/", tok3, NULL);
	T_EQ_INT(r.status, 200);
	T_EQ_STR(t_resp_header(&r, "Cache-Control"), "private, no-store");
	T_CONTAINS(r.body, "Sign out");
	t_resp_free(&r);
	T_ASSERT((owner = sign_in("olive", OWNER_PW, NULL)) != NULL);
	req(&r, "GET", "/admin", owner, NULL);
	T_EQ_INT(r.status, 200);
	assert_no_store(&r);
	T_CONTAINS(r.body, "You run every site on this install");
	T_CONTAINS(r.body, "Perfect Image Video");
	T_CONTAINS(r.body, "PIV Blog");
	t_resp_free(&r);
	/* an editor of one site sees that site and role; staff see what their grants open */
	free(tok2);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "eddie", "--email",
		     "eddie@example.test", "--role", "member", "--password-file", pwfile(OWNER_PW),
		     NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "user", "role", "--data", dir, "--username", "eddie", "--site",
		     "blog.perfectimagevideo.localhost", "--grant", "editor", NULL), 0);
	free(out);
	T_ASSERT((tok2 = sign_in("eddie", OWNER_PW, NULL)) != NULL);
	req(&r, "GET", "/admin", tok2, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<li>PIV Blog: editor</li>");
	T_NOT_CONTAINS(r.body, "You run every site");
	t_resp_free(&r);
	req(&r, "GET", "/account", tok2, NULL); /* a site role is enough for the Admin link */
	T_CONTAINS(r.body, "href=\"/admin\"");
	t_resp_free(&r);
	free(tok2);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "sam", "--email",
		     "sam@example.test", "--role", "staff", "--password-file", pwfile(OWNER_PW),
		     NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "staff", "add", "--data", dir, "--username", "sam", "--org",
		     "Helpdesk Ltd", "--country", "IE", NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "staff", "agreement", "--data", dir, "--username", "sam",
		     "--version", "1", "--signed-on", "2020-01-01", NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "staff", "grant", "--data", dir, "--username", "sam",
		     "--purpose", "support", "--until", "2099-12-31", NULL), 0);
	free(out);
	T_ASSERT((tok2 = sign_in("sam", OWNER_PW, NULL)) != NULL);
	req(&r, "GET", "/admin", tok2, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<li>support</li>");
	T_NOT_CONTAINS(r.body, "<li>billing</li>");
	t_resp_free(&r);
	free(tok2);
	tok2 = NULL;

	/* erasure: explained, refused with a wrong password, done with the right one */
	req(&r, "GET", "/account/delete", tok3, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "a former member");
	T_CONTAINS(r.body, "backups");
	T_CONTAINS(r.body, "audit log");
	t_resp_free(&r);
	post(&r, "/account/delete", "/account/delete", tok3, "password", "not-the-password",
	    NULL, NULL);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "That is not your current password.");
	T_NOT_CONTAINS(r.body, "not-the-password");
	t_resp_free(&r);
	req(&r, "GET", "/account", tok3, NULL);
	T_EQ_INT(r.status, 200);
	t_resp_free(&r);
	post(&r, "/account/delete", "/account/delete", tok3, "password", SECOND_PW, NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Your account is erased");
	T_NOT_CONTAINS(r.body, "<a href=\"/account\">alice</a>"); /* the layout: signed out */
	T_CONTAINS(r.body, "href=\"/login\"");
	T_EQ_INT(t_web_set_cookie_count(&r), 1);
	T_ASSERT((line = t_web_set_cookie(&r, "candor_session")) != NULL);
	T_ASSERT(strncmp(line, "candor_session=;", 16) == 0);
	T_CONTAINS(line, "Max-Age=0");
	t_resp_free(&r);
	req(&r, "GET", "/account", tok3, NULL);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	T_ASSERT(sign_in("alice", SECOND_PW, &status) == NULL);
	T_EQ_INT(status, 400);
	s = open_db(dir);
	T_ASSERT((a = arena_new()) != NULL);
	T_EQ_INT(people_find(s, a, "alice", &person), ERR_NOTFOUND);
	T_EQ_INT(people_find(s, a, "olive", &person), ERR_OK);
	arena_free(a);
	store_close(s);

	free(tok);
	free(tok2);
	free(tok3);
	free(owner);
	T_EQ_INT(t_server_stop(&srv), 0);
	T_EQ_INT(t_candor(&out, "audit", "verify", "--data", dir, NULL), 0);
	free(out);
	printf("it_account (%s): ok\n", t_backend());
	return 0;
}
