/*
 * it_account: a member's own pages through the real server, on both backends. Without a
 * session every page sends the browser to /login?next=...; signed in (POST /login), each
 * page says Cache-Control: no-store. /account shows the username and the email and
 * keeps the announcements choice; /account/export is a JSON download holding the
 * username, the email, the sign_in section and its own "export" audit entry; the access
 * log lists the export and refuses a bad page number; a change of email mails a link to
 * the new address and a notice to the old one; a change of password ends the other
 * sessions, keeps this browser signed in and mails a notice; a wrong password refuses
 * the erasure and the right one erases (no sign-in, no session, no people row).
 * /preferences sets exactly the candor_prefs cookie with its attributes, anonymously;
 * every POST without its csrf field gets 403; /admin is 403 for a member, 200 for the
 * owner.
 */
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <strings.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "core/core.h"
#include "privacy/privacy.h"
#include "store/store.h"
#include "testlib.h"
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

/* Percent-encodes s for a form body. */
static void
enc(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.')
			buf_putc(b, (char)c);
		else
			buf_printf(b, "%%%02X", c);
	}
}

/* A request with the session cookie token (NULL: none) and optional body. */
static void
req(struct t_resp *r, const char *method, const char *path, const char *token,
    const char *body)
{
	char cookie[128];
	const char *h[3] = {NULL, NULL, NULL};
	int n = 0;

	if (token) {
		snprintf(cookie, sizeof(cookie), "Cookie: candor_session=%s", token);
		h[n++] = cookie;
	}
	if (body)
		h[n++] = "Content-Type: application/x-www-form-urlencoded";
	t_http(r, port, method, NULL, path, h, body);
}

/* The csrf value of the form posting to action in html, copied to out. */
static void
csrf_of(const char *html, const char *action, char *out, size_t outsize)
{
	char needle[128];
	const char *p, *v, *end;

	snprintf(needle, sizeof(needle), "action=\"%s\"", action);
	if ((p = strstr(html, needle)) == NULL)
		T_FAIL("no form posting to %s", action);
	if ((v = strstr(p, "name=\"csrf\" value=\"")) == NULL)
		T_FAIL("the form posting to %s has no csrf field", action);
	v += strlen("name=\"csrf\" value=\"");
	T_ASSERT((end = strchr(v, '"')) != NULL && (size_t)(end - v) < outsize);
	snprintf(out, outsize, "%.*s", (int)(end - v), v);
}

/*
 * Fetches page with token, takes the csrf of the form posting to action, and posts
 * fields (already encoded, may be "") plus that csrf to action into r.
 */
static void
post_form(struct t_resp *r, const char *page, const char *action, const char *token,
    const char *fields)
{
	struct t_resp g;
	struct buf body;
	char csrf[CSRF_TOKEN_LEN + 8];

	req(&g, "GET", page, token, NULL);
	T_EQ_INT(g.status, 200);
	csrf_of(g.body, action, csrf, sizeof(csrf));
	t_resp_free(&g);
	buf_init(&body);
	buf_printf(&body, "csrf=%s%s%s", csrf, fields[0] ? "&" : "", fields);
	req(r, "POST", action, token, body.data);
	buf_free(&body);
}

/* Counts the Set-Cookie headers of r and copies the first one's value to out. */
static int
set_cookies(const struct t_resp *r, char *out, size_t outsize)
{
	const char *p;
	int n = 0;

	if (out)
		out[0] = '\0';
	for (p = r->headers; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncasecmp(p, "Set-Cookie: ", 12) != 0)
			continue;
		if (n++ == 0 && out)
			snprintf(out, outsize, "%.*s", (int)strcspn(p + 12, "\r\n"), p + 12);
	}
	return n;
}

/* Signs in through /login; returns the new session token (static per call slot) or
 * NULL when the sign-in is refused (then *status gets the answer's status). */
static const char *
sign_in(const char *login, const char *pw, long *status)
{
	static char tokens[4][SESSION_TOKEN_LEN + 1];
	static int next;
	struct t_resp r;
	struct buf f;
	char cookie[256], *tok = tokens[next++ % 4];
	const char *v;

	buf_init(&f);
	buf_puts(&f, "login=");
	enc(&f, login);
	buf_puts(&f, "&password=");
	enc(&f, pw);
	post_form(&r, "/login", "/login", NULL, f.data);
	buf_free(&f);
	if (status)
		*status = r.status;
	set_cookies(&r, cookie, sizeof(cookie));
	if (r.status != 303 || strncmp(cookie, "candor_session=", 15) != 0 ||
	    cookie[15] == ';') {
		t_resp_free(&r);
		return NULL;
	}
	v = cookie + 15;
	T_EQ_INT(strcspn(v, ";"), SESSION_TOKEN_LEN);
	snprintf(tok, SESSION_TOKEN_LEN + 1, "%s", v);
	t_resp_free(&r);
	return tok;
}

/* The messages in maildir/new whose text holds needle; waits up to 20 s for want of
 * them (the delivery job runs every 5 s). The first one's text is copied to first. */
static int
mails(const char *dir, const char *needle, int want, char **first)
{
	char path[1200], file[1500];
	struct dirent *de;
	DIR *d;
	int n = 0, tries;

	if (first)
		*first = NULL;
	snprintf(path, sizeof(path), "%s/maildir/new", dir);
	for (tries = 0; tries < 200; tries++) {
		n = 0;
		if ((d = opendir(path)) != NULL) {
			while ((de = readdir(d)) != NULL) {
				char *text;
				if (de->d_name[0] == '.')
					continue;
				snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
				if ((text = t_read_file(file, NULL)) == NULL)
					continue;
				if (strstr(text, needle)) {
					n++;
					if (first && *first == NULL)
						*first = text;
					else
						free(text);
				} else {
					free(text);
				}
			}
			closedir(d);
		}
		if (n >= want)
			break;
		if (first && *first) {
			free(*first);
			*first = NULL;
		}
		usleep(100000);
	}
	return n;
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
	const char *dir = t_datadir(true), *tok, *tok2, *tok3, *owner;
	char *out = NULL, *mail = NULL, cookie[256], csrf[CSRF_TOKEN_LEN + 8];
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
		t_http(&r, port, "GET", NULL, "/preferences", h, NULL);
		T_EQ_INT(r.status, 200);
		assert_no_store(&r);
		T_EQ_INT(set_cookies(&r, NULL, 0), 0);
		T_CONTAINS(r.body, "<code>candor_prefs</code>, and no other");
		T_CONTAINS(r.body, "value=\"auto\" checked");
		t_resp_free(&r);
	}
	post_form(&r, "/preferences", "/preferences", NULL, "theme=dark");
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/preferences?saved=1");
	T_EQ_INT(set_cookies(&r, cookie, sizeof(cookie)), 1);
	T_EQ_STR(cookie, "candor_prefs=theme=dark; Path=/; Max-Age=31536000; SameSite=Lax; "
			 "HttpOnly");
	t_resp_free(&r);
	{
		const char *h[] = {"Cookie: candor_prefs=theme=dark", "DNT: 1", NULL};
		t_http(&r, port, "GET", NULL, "/preferences", h, NULL);
		T_EQ_INT(r.status, 200);
		T_CONTAINS(r.body, "value=\"dark\" checked");
		T_NOT_CONTAINS(r.body, "value=\"auto\" checked");
		T_CONTAINS(r.body, "data-theme=\"dark\"");
		T_EQ_INT(set_cookies(&r, NULL, 0), 0);
		t_resp_free(&r);
	}
	post_form(&r, "/preferences", "/preferences", NULL, "theme=auto");
	T_EQ_INT(r.status, 303);
	T_EQ_INT(set_cookies(&r, cookie, sizeof(cookie)), 1);
	T_EQ_STR(cookie, "candor_prefs=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly");
	t_resp_free(&r);
	post_form(&r, "/preferences", "/preferences", NULL, "theme=purple");
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "Theme must be automatic, light or dark.");
	T_EQ_INT(set_cookies(&r, NULL, 0), 0);
	t_resp_free(&r);
	req(&r, "POST", "/preferences", NULL, "theme=dark");
	T_EQ_INT(r.status, 403);
	T_CONTAINS(r.body, FORBIDDEN);
	T_EQ_INT(set_cookies(&r, NULL, 0), 0);
	t_resp_free(&r);

	/* signed in: /account shows the username, the email, the last sign-in */
	tok = sign_in("alice", FIRST_PW, &status);
	if (tok == NULL)
		T_FAIL("signing in as alice failed (%ld)", status);
	req(&r, "GET", "/account", tok, NULL);
	T_EQ_INT(r.status, 200);
	assert_no_store(&r);
	T_CONTAINS(r.body, "alice");
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
		req(&r, "GET", "/account", tok, NULL);
		csrf_of(r.body, "/account/preferences", csrf, sizeof(csrf));
		t_resp_free(&r);
		{
			char body[256];
			snprintf(body, sizeof(body), "csrf=%s&password=x", csrf);
			req(&r, "POST", "/account/delete", tok, body);
			T_EQ_INT(r.status, 403);
			t_resp_free(&r);
		}
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
	post_form(&r, "/account", "/account/preferences", tok, "announcements=on");
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	req(&r, "GET", "/account", tok, NULL);
	T_CONTAINS(r.body, "name=\"announcements\" type=\"checkbox\" checked>");
	t_resp_free(&r);
	post_form(&r, "/account", "/account/preferences", tok, "announcements=yes");
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
	for (i = 0; i < json_array_size(audit); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(audit, i),
				   "decision")) ?: "", "export") == 0)
			exported = true;
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

	/* change of email: the password first, the input kept, never the password */
	post_form(&r, "/account", "/account/email", tok,
	    "email=alice.new%40example.test&password=not-my-password-at-all");
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "That is not your current password.");
	T_CONTAINS(r.body, "value=\"" NEW_EMAIL "\"");
	T_NOT_CONTAINS(r.body, "not-my-password-at-all");
	t_resp_free(&r);
	post_form(&r, "/account", "/account/email", tok, "email=not-an-address&password=x");
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "id=\"email-new-error\"");
	t_resp_free(&r);
	{
		struct buf f;
		buf_init(&f);
		buf_puts(&f, "email=alice.new%40example.test&password=");
		enc(&f, FIRST_PW);
		post_form(&r, "/account", "/account/email", tok, f.data);
		buf_free(&f);
	}
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/account?notice=email");
	t_resp_free(&r);
	T_EQ_INT(mails(dir, "To: " NEW_EMAIL, 1, &mail), 1);
	T_CONTAINS(mail, "/verify-email/");
	T_CONTAINS(mail, "http://perfectimagevideo.localhost:8080/verify-email/");
	free(mail);
	T_EQ_INT(mails(dir, "is being changed", 1, &mail), 1);
	T_CONTAINS(mail, "To: " EMAIL);
	T_NOT_CONTAINS(mail, "/verify-email/");
	free(mail);
	/* nothing changes until the link is followed */
	req(&r, "GET", "/account", tok, NULL);
	T_CONTAINS(r.body, EMAIL);
	t_resp_free(&r);

	/* change of password: other sessions end, this browser stays signed in */
	tok2 = sign_in("alice", FIRST_PW, NULL);
	T_ASSERT(tok2 != NULL);
	req(&r, "GET", "/account", tok2, NULL);
	T_EQ_INT(r.status, 200);
	t_resp_free(&r);
	{
		struct buf f;
		buf_init(&f);
		buf_puts(&f, "current=");
		enc(&f, FIRST_PW);
		buf_puts(&f, "&new=short");
		post_form(&r, "/account", "/account/password", tok, f.data);
		T_EQ_INT(r.status, 400);
		T_CONTAINS(r.body, "id=\"password-new-error\"");
		T_NOT_CONTAINS(r.body, FIRST_PW);
		t_resp_free(&r);
		buf_reset(&f);
		buf_puts(&f, "current=wrong-password-here&new=");
		enc(&f, SECOND_PW);
		post_form(&r, "/account", "/account/password", tok, f.data);
		T_EQ_INT(r.status, 400);
		T_CONTAINS(r.body, "That is not your current password.");
		t_resp_free(&r);
		buf_reset(&f);
		buf_puts(&f, "current=");
		enc(&f, FIRST_PW);
		buf_puts(&f, "&new=");
		enc(&f, SECOND_PW);
		post_form(&r, "/account", "/account/password", tok, f.data);
		buf_free(&f);
	}
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/account?notice=password");
	T_EQ_INT(set_cookies(&r, cookie, sizeof(cookie)), 1);
	T_ASSERT(strncmp(cookie, "candor_session=", 15) == 0);
	T_CONTAINS(cookie, "; Path=/; HttpOnly; SameSite=Lax");
	tok3 = strndup(cookie + 15, strcspn(cookie + 15, ";"));
	T_EQ_INT(strlen(tok3), SESSION_TOKEN_LEN);
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
	T_EQ_INT(mails(dir, "password on", 1, &mail), 1);
	T_CONTAINS(mail, "To: " EMAIL);
	free(mail);
	T_ASSERT(sign_in("alice", FIRST_PW, NULL) == NULL);

	/* /admin: a member has no role there; the owner runs every site */
	req(&r, "GET", "/admin", tok3, NULL);
	T_EQ_INT(r.status, 403);
	assert_no_store(&r);
	T_CONTAINS(r.body, "Your account has no admin role on this site.");
	t_resp_free(&r);
	owner = sign_in("olive", OWNER_PW, NULL);
	T_ASSERT(owner != NULL);
	req(&r, "GET", "/admin", owner, NULL);
	T_EQ_INT(r.status, 200);
	assert_no_store(&r);
	T_CONTAINS(r.body, "You run every site on this install");
	T_CONTAINS(r.body, "Perfect Image Video");
	T_CONTAINS(r.body, "PIV Blog");
	t_resp_free(&r);

	/* erasure: explained, refused with a wrong password, done with the right one */
	req(&r, "GET", "/account/delete", tok3, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "a former member");
	T_CONTAINS(r.body, "backups");
	T_CONTAINS(r.body, "audit log");
	t_resp_free(&r);
	post_form(&r, "/account/delete", "/account/delete", tok3, "password=not-the-password");
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "That is not your current password.");
	t_resp_free(&r);
	req(&r, "GET", "/account", tok3, NULL);
	T_EQ_INT(r.status, 200);
	t_resp_free(&r);
	{
		struct buf f;
		buf_init(&f);
		buf_puts(&f, "password=");
		enc(&f, SECOND_PW);
		post_form(&r, "/account/delete", "/account/delete", tok3, f.data);
		buf_free(&f);
	}
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Your account is erased");
	T_EQ_INT(set_cookies(&r, cookie, sizeof(cookie)), 1);
	T_ASSERT(strncmp(cookie, "candor_session=;", 16) == 0);
	T_CONTAINS(cookie, "Max-Age=0");
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

	free((void *)tok3);
	T_EQ_INT(t_server_stop(&srv), 0);
	T_EQ_INT(t_candor(&out, "audit", "verify", "--data", dir, NULL), 0);
	free(out);
	printf("it_account (%s): ok\n", t_backend());
	return 0;
}
