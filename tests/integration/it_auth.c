/*
 * it_auth: signup, sign-in, sign-out, email verification and password reset through
 * the real server, on both backends (issue 5; SECURITY.md "Accounts and sessions").
 * The client keeps no cookie jar: every form works with cookies refused, and the
 * session cookie is sent back only where a step says so. Account mail is read from
 * DIR/maildir/new, where the server's mail worker delivers it when no relay is set.
 * A reset asked for a known and an unknown name take a similar time (both write and
 * commit a request row); one identifier gets at most LIMIT_ACCOUNT_TOKENS_PER_HOUR
 * reset links and signup notices an hour, with the same answer beyond.
 */
#include <dirent.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "policy/policy.h"
#include "privacy/privacy.h"
#include "testweb.h"
#include "web/web_int.h"

#define HOST "auth.example.test"
#define ALIAS "www.auth.example.test"
#define ORIGIN "https://auth.example.test"
#define PIV "perfectimagevideo.localhost"
#define PW "violet-tugboat-orchard-41"
#define PW2 "lantern-meadow-quartz-set"
#define MAIL_MS 20000
#define FORBIDDEN "This form has expired or did not come from this site"
#define CHECK_EMAIL "We have sent a message to the address you gave."
#define WRONG "The username, email address or password is not right."
#define RESET_SENT "If an account matches, we have sent a link to its email address"
#define NEEDS_COOKIE "Signing in needs a cookie"
#define FIXED "candor_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define LINK_BAD "This link has expired or has already been used."

static int port;

/* A copy of s with every occurrence of from replaced by to. */
static char *
replace_all(const char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0;
	const char *p;
	char *out, *o;

	for (p = s; (p = strstr(p, from)) != NULL; p += fl)
		n++;
	out = o = malloc(strlen(s) + n * tl + 1);
	T_ASSERT(out != NULL);
	while ((p = strstr(s, from)) != NULL) {
		memcpy(o, s, (size_t)(p - s));
		o += p - s;
		memcpy(o, to, tl);
		o += tl;
		s = p + fl;
	}
	strcpy(o, s);
	return out;
}

/* GET path (no cookie) and return the csrf of the form posting to action. */
static char *
csrf_of(const char *host, const char *path, const char *action, const char *cookie)
{
	struct t_resp r;
	char *tok;

	t_web_get(&r, port, host, path, cookie, NULL);
	T_EQ_INT(r.status, 200);
	tok = t_web_csrf(r.body, action);
	if (tok == NULL || strlen(tok) != 75)
		T_FAIL("no csrf token for %s in %s: %s", action, path, r.body);
	t_resp_free(&r);
	return tok;
}

/*
 * Follows a link from a mail as a person does: the GET shows a button (and uses
 * nothing: mail scanners fetch links), the button POSTs with the page's csrf field.
 * r gets the POST's answer, or the GET's when it is not 200.
 */
static void
follow_link(struct t_resp *r, const char *path, const char *cookie)
{
	char *csrf, *body;

	t_web_get(r, port, HOST, path, cookie, NULL);
	if (r->status != 200)
		return;
	T_CONTAINS(r->body, "Confirm my address");
	t_resp_free(r);
	/* a second GET (a scanner, then the person) still finds the link unused */
	csrf = csrf_of(HOST, path, path, cookie);
	/* the POST needs the page's csrf field */
	t_web_post(r, port, HOST, path, cookie, NULL, "csrf=");
	T_EQ_INT(r->status, 403);
	t_resp_free(r);
	body = t_web_form("csrf", csrf, NULL);
	t_web_post(r, port, HOST, path, cookie, NULL, body);
	free(body);
	free(csrf);
}

static void
signup(struct t_resp *r, const char *host, const char *user, const char *email,
    const char *pw, bool accept)
{
	char *csrf = csrf_of(host, "/signup", "/signup", NULL);
	char *body = accept ? t_web_form("csrf", csrf, "username", user, "email", email,
				  "password", pw, "accept_policy", "on", NULL)
			    : t_web_form("csrf", csrf, "username", user, "email", email,
				  "password", pw, NULL);

	t_web_post(r, port, host, "/signup", NULL, NULL, body);
	free(csrf);
	free(body);
}

static void
login(struct t_resp *r, const char *login_id, const char *pw, const char *cookie,
    const char *const *headers)
{
	char *csrf = csrf_of(HOST, "/login", "/login", cookie);
	char *body = t_web_form("csrf", csrf, "login", login_id, "password", pw, NULL);

	t_web_post(r, port, HOST, "/login", cookie, headers, body);
	free(csrf);
	free(body);
}

/* Signs in and returns "candor_session=TOKEN" (malloc'd). */
static char *
login_cookie(const char *login_id, const char *pw)
{
	struct t_resp r;
	char *c;

	login(&r, login_id, pw, NULL, NULL);
	T_EQ_INT(r.status, 303);
	c = t_web_cookie(&r, "candor_session");
	T_ASSERT(c != NULL);
	t_resp_free(&r);
	return c;
}

/* True when cookie signs in (GET /login/done sends a signed-in browser on). */
static bool
signed_in(const char *cookie)
{
	struct t_resp r;
	bool yes;

	t_web_get(&r, port, HOST, "/login/done", cookie, NULL);
	yes = r.status == 303;
	if (!yes) {
		T_EQ_INT(r.status, 200);
		T_CONTAINS(r.body, NEEDS_COOKIE);
	}
	t_resp_free(&r);
	return yes;
}

static void
check_no_store(const struct t_resp *r)
{
	T_EQ_STR(t_resp_header(r, "Cache-Control"), "no-store");
}

/* Anonymous GETs: never a session cookie; with DNT no cookie at all; never cached. */
static void
test_anonymous_pages(void)
{
	static const char *const paths[] = {"/signup", "/login", "/reset", "/login/done",
	    "/login?next=%2Fprivacy"};
	const char *dnt[] = {"DNT: 1", NULL};
	struct t_resp r;
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		t_web_get(&r, port, HOST, paths[i], NULL, NULL);
		T_EQ_INT(r.status, 200);
		check_no_store(&r);
		T_ASSERT(t_web_set_cookie(&r, "candor_session") == NULL);
		T_ASSERT(t_web_set_cookie(&r, "__Host-candor_session") == NULL);
		t_resp_free(&r);
		t_web_get(&r, port, HOST, paths[i], NULL, dnt);
		T_EQ_INT(r.status, 200);
		T_EQ_INT(t_web_set_cookie_count(&r), 0);
		t_resp_free(&r);
	}
	t_web_get(&r, port, HOST, "/signup", NULL, NULL);
	T_CONTAINS(r.body, "name=\"accept_policy\"");
	T_CONTAINS(r.body, "href=\"/privacy\"");
	t_resp_free(&r);
	/* the next page survives into the form, an unsafe one does not */
	t_web_get(&r, port, HOST, "/login?next=%2Fprivacy", NULL, NULL);
	T_CONTAINS(r.body, "name=\"next\" value=\"/privacy\"");
	t_resp_free(&r);
	t_web_get(&r, port, HOST, "/login?next=%2F%2Fevil.example", NULL, NULL);
	T_NOT_CONTAINS(r.body, "evil.example");
	t_resp_free(&r);
	/* the needs-a-cookie page says so plainly, and that the rest works without */
	t_web_get(&r, port, HOST, "/login/done", NULL, NULL);
	T_CONTAINS(r.body, NEEDS_COOKIE);
	T_CONTAINS(r.body, "did not send back the sign-in cookie");
	T_CONTAINS(r.body, "allow cookies for this site");
	T_CONTAINS(r.body, "You do not need cookies to read this site, to comment or to sign up.");
	t_resp_free(&r);
}

/* Messages in DIR/maildir/new holding both needles. */
static int
mail_count(const char *dir, const char *needle, const char *needle2)
{
	char path[1200], file[1600], *text;
	struct dirent *d;
	DIR *dh;
	FILE *f;
	long len;
	int n = 0;

	snprintf(path, sizeof(path), "%s/maildir/new", dir);
	if ((dh = opendir(path)) == NULL)
		return 0;
	while ((d = readdir(dh)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, d->d_name);
		T_ASSERT((f = fopen(file, "rb")) != NULL);
		T_ASSERT(fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0);
		rewind(f);
		T_ASSERT((text = malloc((size_t)len + 1)) != NULL);
		T_ASSERT(fread(text, 1, (size_t)len, f) == (size_t)len);
		text[len] = '\0';
		fclose(f);
		if (strstr(text, needle) && strstr(text, needle2))
			n++;
		free(text);
	}
	closedir(dh);
	return n;
}

/* Every form refuses a POST without its own valid token, with a sentence. */
static void
test_csrf(void)
{
	static const char *const actions[] = {"/signup", "/login", "/reset"};
	char *login_tok = csrf_of(HOST, "/login", "/login", NULL);
	char *piv_tok = csrf_of(PIV, "/signup", "/signup", NULL);
	char *signup_tok = csrf_of(HOST, "/signup", "/signup", NULL), *bad, *body;
	struct t_resp r;
	size_t i;

	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		body = t_web_form("username", "mallory", "email", "m@example.test", "password",
		    PW, "accept_policy", "on", "login", "mallory", NULL);
		t_web_post(&r, port, HOST, actions[i], NULL, NULL, body);
		T_EQ_INT(r.status, 403);
		T_CONTAINS(r.body, FORBIDDEN);
		t_resp_free(&r);
		free(body);
	}
	/* one byte changed */
	bad = strdup(signup_tok);
	bad[40] = bad[40] == 'A' ? 'B' : 'A';
	body = t_web_form("csrf", bad, "username", "mallory", "email", "m@example.test",
	    "password", PW, "accept_policy", "on", NULL);
	t_web_post(&r, port, HOST, "/signup", NULL, NULL, body);
	T_EQ_INT(r.status, 403);
	T_CONTAINS(r.body, FORBIDDEN);
	t_resp_free(&r);
	free(body);
	free(bad);
	/* a token for another form, and one for another site */
	body = t_web_form("csrf", login_tok, "username", "mallory", "email", "m@example.test",
	    "password", PW, "accept_policy", "on", NULL);
	t_web_post(&r, port, HOST, "/signup", NULL, NULL, body);
	T_EQ_INT(r.status, 403);
	T_CONTAINS(r.body, FORBIDDEN);
	t_resp_free(&r);
	free(body);
	body = t_web_form("csrf", piv_tok, "username", "mallory", "email", "m@example.test",
	    "password", PW, "accept_policy", "on", NULL);
	t_web_post(&r, port, HOST, "/signup", NULL, NULL, body);
	T_EQ_INT(r.status, 403);
	t_resp_free(&r);
	free(body);
	/* and nothing was created: the name is still free */
	body = t_web_form("csrf", signup_tok, "username", "mallory", "email", "not-an-email",
	    "password", PW, "accept_policy", "on", NULL);
	t_web_post(&r, port, HOST, "/signup", NULL, NULL, body);
	T_EQ_INT(r.status, 400);
	T_NOT_CONTAINS(r.body, "taken");
	t_resp_free(&r);
	free(body);
	free(login_tok);
	free(piv_tok);
	free(signup_tok);
}

/* Bad input: the form again, 400, the message next to its field, the input kept but
 * never the password. */
static void
test_signup_refusals(void)
{
	struct t_resp r;
	char *v;

	signup(&r, HOST, "dora", "dora@example.test", PW, false);
	T_EQ_INT(r.status, 400);
	check_no_store(&r);
	T_CONTAINS(r.body, "must be ticked.</p>");
	T_CONTAINS(r.body, "value=\"dora\"");
	T_CONTAINS(r.body, "value=\"dora@example.test\"");
	T_NOT_CONTAINS(r.body, PW);
	v = t_web_csrf(r.body, "/signup");
	T_ASSERT(v != NULL);
	free(v);
	t_resp_free(&r);

	signup(&r, HOST, "dora", "dora@example.test", "password1234", true);
	T_EQ_INT(r.status, 400);
	T_NOT_CONTAINS(r.body, "password1234");
	/* the sentence sits right after the password field's hint */
	v = strstr(r.body, "id=\"password-hint\"");
	T_ASSERT(v != NULL);
	T_ASSERT(strstr(v, "class=\"field-error\"") != NULL);
	T_ASSERT(strstr(v, "class=\"field-error\"") < strstr(v, "accept_policy"));
	t_resp_free(&r);

	signup(&r, HOST, "d", "dora@example.test", PW, true);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "Username must be 3 to 32 characters");
	t_resp_free(&r);
}

/*
 * Signup on an alias of the site: the verification link is built from the configured
 * origin, not the Host the request came with. A second signup with the same address
 * answers exactly as the first and mails the holder a notice instead.
 */
static void
test_signup_verify(const char *dir)
{
	struct t_resp r, r2;
	char *mail, *link, *a, *b;
	const char *path;

	signup(&r, ALIAS, "alice", "alice@example.test", PW, true);
	T_EQ_INT(r.status, 200);
	check_no_store(&r);
	T_CONTAINS(r.body, CHECK_EMAIL);
	T_ASSERT(t_web_set_cookie(&r, "candor_session") == NULL);

	mail = t_web_mail_wait(dir, 0, MAIL_MS, "To: alice@example.test", "/verify/", NULL);
	T_CONTAINS(mail, "Subject: Confirm your email address for Auth Test");
	T_CONTAINS(mail, "If you did not sign up");
	T_NOT_CONTAINS(mail, ALIAS);
	T_NOT_CONTAINS(mail, "127.0.0.1");
	link = t_web_link(mail, ORIGIN "/verify/");
	T_ASSERT(link != NULL);
	T_EQ_INT(strlen(link), strlen(ORIGIN "/verify/") + 43);
	free(mail);

	/* the same address again (other case, other name): the same answer */
	signup(&r2, HOST, "alice-two", "Alice@Example.test", PW2, true);
	T_EQ_INT(r2.status, r.status);
	a = t_web_strip_csrf(r.body);
	b = t_web_strip_csrf(r2.body);
	T_EQ_STR(a, b);
	free(a);
	free(b);
	t_resp_free(&r2);
	t_resp_free(&r);
	mail = t_web_mail_wait(dir, 0, MAIL_MS, "Subject: Someone tried to sign up on Auth Test with your address", NULL);
	T_CONTAINS(mail, "you\nalready have an account there");
	T_NOT_CONTAINS(mail, "/verify/");
	free(mail);
	/* ...and nothing was created under the second name */
	signup(&r, HOST, "alice-two", "alice2@example.test", PW2, true);
	T_EQ_INT(r.status, 200);
	t_resp_free(&r);

	/* a taken username is said next to its field (names are public), any case */
	signup(&r, HOST, "ALICE", "someone@example.test", PW, true);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "taken");
	T_CONTAINS(r.body, "value=\"someone@example.test\"");
	t_resp_free(&r);

	/* the link confirms once */
	path = t_web_path(link);
	follow_link(&r, path, NULL);
	T_EQ_INT(r.status, 200);
	check_no_store(&r);
	T_CONTAINS(r.body, "Your email address is confirmed.");
	T_CONTAINS(r.body, "href=\"/login\"");
	t_resp_free(&r);
	t_web_get(&r, port, HOST, path, NULL, NULL);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, LINK_BAD);
	t_resp_free(&r);
	t_web_get(&r, port, HOST, "/verify/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, NULL);
	T_EQ_INT(r.status, 400);
	t_resp_free(&r);
	t_web_get(&r, port, HOST, "/verify-email/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL,
	    NULL);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, LINK_BAD);
	t_resp_free(&r);
	free(link);
}

/* Sign-in, the cookie's exact attributes, /login/done, a new token every time,
 * sign-out ending the session on the server. */
static void
test_login_logout(void)
{
	struct t_resp r, r2;
	char *c1, *c2, *c3, *csrf, *body, *a, *b;
	const char *line;

	/* an unknown name and a wrong password: one answer */
	login(&r, "alice", "not-the-password-at-all", NULL, NULL);
	login(&r2, "nobody1", "not-the-password-at-all", NULL, NULL);
	T_EQ_INT(r.status, 400);
	T_EQ_INT(r2.status, 400);
	check_no_store(&r);
	T_CONTAINS(r.body, WRONG);
	T_NOT_CONTAINS(r.body, "not-the-password-at-all");
	a = t_web_strip_csrf(r.body);
	b = t_web_strip_csrf(r2.body);
	{
		char *a2 = replace_all(a, "value=\"alice\"", "value=\"X\"");
		char *b2 = replace_all(b, "value=\"nobody1\"", "value=\"X\"");
		T_EQ_STR(a2, b2);
		free(a2);
		free(b2);
	}
	free(a);
	free(b);
	T_ASSERT(t_web_set_cookie(&r, "candor_session") == NULL);
	t_resp_free(&r);
	t_resp_free(&r2);

	/* right: 303 to /login/done with next, and exactly this cookie (plain HTTP) */
	csrf = csrf_of(HOST, "/login?next=%2Fprivacy", "/login", NULL);
	body = t_web_form("csrf", csrf, "login", "alice", "password", PW, "next", "/privacy",
	    NULL);
	t_web_post(&r, port, HOST, "/login", NULL, NULL, body);
	free(body);
	free(csrf);
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/login/done?next=%2Fprivacy");
	line = t_web_set_cookie(&r, "candor_session");
	T_ASSERT(line != NULL);
	T_EQ_INT(strlen(line), strlen("candor_session=") + 43 +
				    strlen("; Path=/; HttpOnly; SameSite=Lax"));
	T_EQ_STR(line + strlen("candor_session=") + 43, "; Path=/; HttpOnly; SameSite=Lax");
	T_EQ_INT(t_web_set_cookie_count(&r), 1);
	c1 = t_web_cookie(&r, "candor_session");
	t_resp_free(&r);

	/* the cookie refused: the page says so; sent back: on to next */
	t_web_get(&r, port, HOST, "/login/done?next=%2Fprivacy", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, NEEDS_COOKIE);
	t_resp_free(&r);
	t_web_get(&r, port, HOST, "/login/done?next=%2Fprivacy", c1, NULL);
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/privacy");
	t_resp_free(&r);
	t_web_get(&r, port, HOST, "/login/done?next=%2F%2Fevil.example", c1, NULL);
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/account");
	t_resp_free(&r);

	/* signed in: /login says so and offers sign-out */
	t_web_get(&r, port, HOST, "/login", c1, NULL);
	T_EQ_INT(r.status, 200);
	check_no_store(&r);
	T_CONTAINS(r.body, "You are signed in as <strong>alice</strong>");
	a = t_web_csrf(r.body, "/logout");
	T_ASSERT(a != NULL);
	free(a);
	t_resp_free(&r);

	/* by email too; a new token each time, never one the browser sent (fixation) */
	c2 = login_cookie("alice@example.test", PW);
	T_ASSERT(strcmp(c1, c2) != 0);
	login(&r, "alice", PW, FIXED, NULL);
	T_EQ_INT(r.status, 303);
	c3 = t_web_cookie(&r, "candor_session");
	T_ASSERT(c3 != NULL && strcmp(c3, FIXED) != 0 && strcmp(c3, c2) != 0 &&
	    strcmp(c3, c1) != 0);
	t_resp_free(&r);
	T_ASSERT(!signed_in(FIXED));
	T_ASSERT(signed_in(c1));
	T_ASSERT(signed_in(c2));
	T_ASSERT(signed_in(c3));

	/* sign-out needs its token (bound to this browser's cookie) */
	csrf = csrf_of(HOST, "/login", "/logout", c1);
	body = t_web_form("csrf", "", NULL);
	t_web_post(&r, port, HOST, "/logout", c1, NULL, body);
	T_EQ_INT(r.status, 403);
	T_CONTAINS(r.body, FORBIDDEN);
	t_resp_free(&r);
	free(body);
	body = t_web_form("csrf", csrf, NULL);
	t_web_post(&r, port, HOST, "/logout", c3, NULL, body); /* another browser's token */
	T_EQ_INT(r.status, 403);
	t_resp_free(&r);
	T_ASSERT(signed_in(c1));
	t_web_post(&r, port, HOST, "/logout", c1, NULL, body);
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/");
	line = t_web_set_cookie(&r, "candor_session");
	T_ASSERT(line != NULL);
	T_CONTAINS(line, "candor_session=;");
	T_CONTAINS(line, "Max-Age=0");
	t_resp_free(&r);
	free(body);
	free(csrf);
	/* the old cookie no longer signs in; the other browser's session is untouched */
	T_ASSERT(!signed_in(c1));
	T_ASSERT(signed_in(c3));
	/* sign-out without a session: just home */
	body = t_web_form("csrf", "x", NULL);
	t_web_post(&r, port, HOST, "/logout", NULL, NULL, body);
	T_EQ_INT(r.status, 303);
	T_EQ_STR(t_resp_header(&r, "Location"), "/");
	T_EQ_INT(t_web_set_cookie_count(&r), 0);
	t_resp_free(&r);
	free(body);
	free(c1);
	free(c2);
	free(c3);
}

/* A new verification link for a signed-in, unverified member (the form on /account). */
static void
test_verify_resend(const char *dir)
{
	struct t_resp r;
	char *c, *csrf, *body, *mail, *link1, *link2;

	signup(&r, HOST, "bob", "bob@example.test", PW, true);
	T_EQ_INT(r.status, 200);
	t_resp_free(&r);
	mail = t_web_mail_wait(dir, 0, MAIL_MS, "To: bob@example.test", "/verify/", NULL);
	link1 = t_web_link(mail, ORIGIN "/verify/");
	free(mail);
	c = login_cookie("bob", PW); /* unverified members can sign in */
	T_ASSERT(signed_in(c));
	csrf = csrf_of(HOST, "/account", "/verify/resend", c);
	body = t_web_form("csrf", csrf, NULL);
	t_web_post(&r, port, HOST, "/verify/resend", NULL, NULL, body); /* no session */
	T_EQ_INT(r.status, 303); /* to sign in first, then to the account page */
	T_EQ_STR(t_resp_header(&r, "Location"), "/login?next=%2Faccount");
	t_resp_free(&r);
	t_web_post(&r, port, HOST, "/verify/resend", c, NULL, body);
	T_EQ_INT(r.status, 200);
	check_no_store(&r);
	T_CONTAINS(r.body, "We have sent a new link to your email address");
	t_resp_free(&r);
	mail = t_web_mail_wait(dir, 1, MAIL_MS, "To: bob@example.test", "/verify/", NULL);
	link2 = t_web_link(mail, ORIGIN "/verify/");
	T_ASSERT(link1 && link2 && strcmp(link1, link2) != 0);
	free(mail);
	/* the earlier link was revoked; the new one works */
	t_web_get(&r, port, HOST, t_web_path(link1), NULL, NULL);
	T_EQ_INT(r.status, 400);
	t_resp_free(&r);
	follow_link(&r, t_web_path(link2), c);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Your email address is confirmed.");
	t_resp_free(&r);
	free(body);
	free(csrf);
	free(link1);
	free(link2);
	free(c);
}

/* Reset: the same answer for anyone; the link works once, ends every session, and a
 * notice follows. */
static void
test_reset(const char *dir)
{
	struct t_resp r, r2;
	char *csrf, *body, *a, *b, *mail, *link, *c, *tok;
	const char *path;

	c = login_cookie("alice", PW);
	csrf = csrf_of(HOST, "/reset", "/reset", NULL);
	body = t_web_form("csrf", csrf, "login", "ALICE", NULL);
	t_web_post(&r, port, HOST, "/reset", NULL, NULL, body);
	free(body);
	body = t_web_form("csrf", csrf, "login", "nobody", NULL);
	t_web_post(&r2, port, HOST, "/reset", NULL, NULL, body);
	free(body);
	T_EQ_INT(r.status, 200);
	T_EQ_INT(r2.status, 200);
	T_CONTAINS(r.body, RESET_SENT);
	a = t_web_strip_csrf(r.body);
	b = t_web_strip_csrf(r2.body);
	T_EQ_STR(a, b);
	free(a);
	free(b);
	t_resp_free(&r);
	t_resp_free(&r2);
	body = t_web_form("csrf", csrf, "login", "nobody@example.test", NULL);
	t_web_post(&r, port, HOST, "/reset", NULL, NULL, body);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, RESET_SENT);
	t_resp_free(&r);
	free(body);
	free(csrf);

	mail = t_web_mail_wait(dir, 0, MAIL_MS, "To: alice@example.test", "/reset/", NULL);
	T_CONTAINS(mail, "Subject: Reset your password on Auth Test");
	link = t_web_link(mail, ORIGIN "/reset/");
	T_ASSERT(link != NULL);
	free(mail);
	path = t_web_path(link);

	/* the form, a refused password (the link stays usable), then a good one */
	t_web_get(&r, port, HOST, path, NULL, NULL);
	T_EQ_INT(r.status, 200);
	check_no_store(&r);
	tok = t_web_csrf(r.body, path);
	T_ASSERT(tok != NULL);
	t_resp_free(&r);
	body = t_web_form("csrf", tok, "password", "short", NULL);
	t_web_post(&r, port, HOST, path, NULL, NULL, body);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "class=\"field-error\"");
	T_NOT_CONTAINS(r.body, "value=\"short\"");
	t_resp_free(&r);
	free(body);
	T_ASSERT(signed_in(c));
	body = t_web_form("csrf", tok, "password", PW2, NULL);
	t_web_post(&r, port, HOST, path, NULL, NULL, body);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Your password is changed; sign in with it.");
	t_resp_free(&r);
	/* once only */
	t_web_post(&r, port, HOST, path, NULL, NULL, body);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, LINK_BAD);
	t_resp_free(&r);
	t_web_get(&r, port, HOST, path, NULL, NULL);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, LINK_BAD);
	t_resp_free(&r);
	free(body);
	free(tok);
	/* every session ended; the old password is gone, the new one works */
	T_ASSERT(!signed_in(c));
	login(&r, "alice", PW, NULL, NULL);
	T_EQ_INT(r.status, 400);
	t_resp_free(&r);
	free(c);
	c = login_cookie("alice", PW2);
	T_ASSERT(signed_in(c));
	free(c);
	mail = t_web_mail_wait(dir, 0, MAIL_MS, "To: alice@example.test",
	    "Subject: Your password on Auth Test was changed", NULL);
	T_CONTAINS(mail, "If it was not you");
	free(mail);
	free(link);
}

/* Milliseconds of one POST /reset for login (the answer checked). */
static double
reset_ms(const char *csrf, const char *login_id)
{
	char *body = t_web_form("csrf", csrf, "login", login_id, NULL);
	struct t_resp r;
	int64_t t = time_now_ms();
	double ms;

	t_web_post(&r, port, HOST, "/reset", NULL, NULL, body);
	ms = (double)(time_now_ms() - t);
	T_EQ_INT(r.status, 200);
	if (ms < LIMIT_RESET_ANSWER_MS)
		T_FAIL("reset for %s answered after %.0f ms, before the %d ms floor", login_id,
		    ms, LIMIT_RESET_ANSWER_MS);
	T_CONTAINS(r.body, RESET_SENT);
	t_resp_free(&r);
	free(body);
	return ms;
}

/*
 * A reset for a known account and one for nobody take a similar time: both write a
 * request row and commit; the known one adds its link and mail to that transaction,
 * and neither answers before LIMIT_RESET_ANSWER_MS.
 * Five of each, interleaved so both see the same load, compared by their medians (a
 * mean lets one request stalled by a loaded machine decide); distinct identifiers, so
 * that no per-identifier or per-person limit changes the work.
 */
static int
ms_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
test_reset_timing(void)
{
	static const char *const known[] = {"alice", "alice@example.test", "bob",
	    "bob@example.test", "alice-two"};
	static const char *const unknown[] = {"ghost-one", "ghost-two@example.test",
	    "ghost-three", "ghost-four@example.test", "ghost-five"};
	char *csrf = csrf_of(HOST, "/reset", "/reset", NULL);
	double k[COUNTOF(known)], u[COUNTOF(unknown)];
	size_t i;

	(void)reset_ms(csrf, "alice-two@example.test"); /* warm both paths up */
	(void)reset_ms(csrf, "ghost-warm-up");
	for (i = 0; i < COUNTOF(known); i++) {
		k[i] = reset_ms(csrf, known[i]);
		u[i] = reset_ms(csrf, unknown[i]);
	}
	qsort(k, COUNTOF(k), sizeof(k[0]), ms_cmp);
	qsort(u, COUNTOF(u), sizeof(u[0]), ms_cmp);
	printf("reset: known account %.1f ms, unknown %.1f ms (median of %zu)\n",
	    k[COUNTOF(k) / 2], u[COUNTOF(u) / 2], COUNTOF(k));
	T_ASSERT(k[0] >= LIMIT_RESET_ANSWER_MS && u[0] >= LIMIT_RESET_ANSWER_MS);
	T_ASSERT(u[COUNTOF(u) / 2] / k[COUNTOF(k) / 2] > 0.5 &&
	    u[COUNTOF(u) / 2] / k[COUNTOF(k) / 2] < 2.0);
	free(csrf);
}

/*
 * At most LIMIT_ACCOUNT_TOKENS_PER_HOUR reset links an hour for one identifier and
 * signup notices for one address: beyond, the same answer and no mail. A reset asked
 * for someone else afterwards, once delivered, shows that nothing more was queued.
 */
static void
test_request_limits(const char *dir)
{
	char *csrf = csrf_of(HOST, "/reset", "/reset", NULL), *body, *a = NULL, *b, *mail;
	struct t_resp r;
	int i;

	/* carol: a fresh account, so every link of the hour is counted here */
	signup(&r, HOST, "carol", "carol@example.test", PW, true);
	T_EQ_INT(r.status, 200);
	t_resp_free(&r);
	for (i = 0; i <= LIMIT_ACCOUNT_TOKENS_PER_HOUR; i++) {
		body = t_web_form("csrf", csrf, "login", i % 2 ? "CAROL" : "carol", NULL);
		t_web_post(&r, port, HOST, "/reset", NULL, NULL, body);
		T_EQ_INT(r.status, 200);
		b = t_web_strip_csrf(r.body);
		if (a == NULL)
			a = b;
		else {
			T_EQ_STR(a, b);
			free(b);
		}
		t_resp_free(&r);
		free(body);
	}
	free(a);
	/* alice's address, taken: test_signup_verify sent one notice already */
	for (i = 0; i < LIMIT_ACCOUNT_TOKENS_PER_HOUR; i++) {
		char name[32];
		snprintf(name, sizeof(name), "alice-copy-%d", i);
		signup(&r, HOST, name, i % 2 ? "ALICE@example.test" : "alice@example.test", PW,
		    true);
		T_EQ_INT(r.status, 200);
		T_CONTAINS(r.body, CHECK_EMAIL);
		t_resp_free(&r);
	}
	mail = t_web_mail_wait(dir, LIMIT_ACCOUNT_TOKENS_PER_HOUR - 1, MAIL_MS,
	    "To: carol@example.test", "/reset/", NULL);
	free(mail);
	/* (the first went to the address as typed then, "Alice@Example.test") */
	mail = t_web_mail_wait(dir, LIMIT_ACCOUNT_TOKENS_PER_HOUR - 1, MAIL_MS,
	    "Someone tried to sign up", NULL);
	free(mail);
	/* queued after the rest: once it is delivered, so would they have been */
	body = t_web_form("csrf", csrf, "login", "bob", NULL);
	t_web_post(&r, port, HOST, "/reset", NULL, NULL, body);
	T_EQ_INT(r.status, 200);
	t_resp_free(&r);
	free(body);
	mail = t_web_mail_wait(dir, 2, MAIL_MS, "To: bob@example.test", "/reset/", NULL);
	free(mail);
	usleep(300 * 1000);
	T_EQ_INT(mail_count(dir, "To: carol@example.test", "/reset/"),
	    LIMIT_ACCOUNT_TOKENS_PER_HOUR);
	T_EQ_INT(mail_count(dir, "Someone tried to sign up", "To: "),
	    LIMIT_ACCOUNT_TOKENS_PER_HOUR);
	free(csrf);
}

/* The 101st failed sign-in within the hour is refused before the password is looked
 * at, with the time to come back; an unknown name is throttled alike. */
static void
test_throttle(void)
{
	char *csrf = csrf_of(HOST, "/login", "/login", NULL), *body;
	struct t_resp r;
	int i;

	body = t_web_form("csrf", csrf, "login", "bob", "password", "wrong-wrong-wrong", NULL);
	for (i = 0; i < 100; i++) {
		t_web_post(&r, port, HOST, "/login", NULL, NULL, body);
		if (r.status != 400)
			T_FAIL("attempt %d: status %ld", i + 1, r.status);
		t_resp_free(&r);
	}
	t_web_post(&r, port, HOST, "/login", NULL, NULL, body);
	T_EQ_INT(r.status, 429);
	T_CONTAINS(r.body, "Too many failed sign-ins for this account. Try again after ");
	T_CONTAINS(r.body, " UTC.");
	t_resp_free(&r);
	free(body);
	/* even the right password waits */
	body = t_web_form("csrf", csrf, "login", "bob", "password", PW, NULL);
	t_web_post(&r, port, HOST, "/login", NULL, NULL, body);
	T_EQ_INT(r.status, 429);
	T_ASSERT(t_web_set_cookie(&r, "candor_session") == NULL);
	t_resp_free(&r);
	free(body);
	free(csrf);
}

/* Body limits: a form body over the limit is refused before it is read. */
static void
test_body_limit(void)
{
	struct t_resp r;
	size_t n = 16 * 1024;
	char *body = malloc(n + 2);

	T_ASSERT(body != NULL);
	memcpy(body, "x=", 2);
	memset(body + 2, 'a', n - 1);
	body[n + 1] = '\0'; /* n + 1 bytes */
	t_web_post(&r, port, HOST, "/login", NULL, NULL, body);
	T_EQ_INT(r.status, 413);
	t_resp_free(&r);
	body[n] = '\0'; /* n bytes */
	t_web_post(&r, port, HOST, "/login", NULL, NULL, body);
	T_EQ_INT(r.status, 403);
	t_resp_free(&r);
	free(body);
}

/* Behind a trusted TLS proxy: __Host- and Secure. */
static void
test_tls_cookie(const char *dir, struct t_server *srv)
{
	const char *https[] = {"X-Forwarded-Proto: https", NULL};
	const char *xff[] = {"X-Forwarded-Proto: https", "X-Forwarded-For: 203.0.113.66",
	    "X-Forwarded-For: 198.51.100.7", NULL};
	char conf[1200], *csrf, *body, *cookie;
	const char *line;
	struct t_resp r;
	FILE *f;

	T_EQ_INT(t_server_stop(srv), 0);
	snprintf(conf, sizeof(conf), "%s/candor.conf", dir);
	f = fopen(conf, "a");
	T_ASSERT(f != NULL);
	fputs("\n[server]\ntrusted_proxies = 127.0.0.1\n", f);
	fclose(f);
	t_server_start(srv, dir);
	port = srv->port;

	t_web_get(&r, port, HOST, "/login", NULL, https);
	csrf = t_web_csrf(r.body, "/login");
	T_ASSERT(csrf != NULL);
	t_resp_free(&r);
	body = t_web_form("csrf", csrf, "login", "alice", "password", PW2, NULL);
	/* the sign-in address: the last X-Forwarded-For line, the one the proxy added (a
	 * client's own line comes first and is not believed) */
	t_web_post(&r, port, HOST, "/login", NULL, xff, body);
	T_EQ_INT(r.status, 303);
	T_ASSERT(t_web_set_cookie(&r, "candor_session") == NULL);
	line = t_web_set_cookie(&r, "__Host-candor_session");
	T_ASSERT(line != NULL);
	T_EQ_STR(line + strlen("__Host-candor_session=") + 43,
	    "; Path=/; HttpOnly; SameSite=Lax; Secure");
	cookie = t_web_cookie(&r, "__Host-candor_session");
	t_resp_free(&r);
	/* over TLS the __Host- cookie signs in; the plain name is not looked at */
	t_web_get(&r, port, HOST, "/login/done", cookie, https);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	t_web_get(&r, port, HOST, "/account/export", cookie, https);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "\"198.51.100.7\"");
	T_NOT_CONTAINS(r.body, "203.0.113.66");
	t_resp_free(&r);
	free(body);
	free(csrf);
	free(cookie);
}

/* What the pages wrote: the policy version alice accepted at signup (explicitly), and
 * the time of her last sign-in; nothing for the refused second signup; a request row for
 * each reset and each signup with a taken address. */
static void
test_records(const char *dir)
{
	struct policy_acceptance *acc;
	struct policy_version pv;
	struct config cfg;
	struct cli_db db;
	struct person who;
	struct arena *a;
	struct store *s;
	char msg[512];
	int64_t at = 0;
	size_t n = 0;
	enum err e;

	if (config_load(dir, &cfg, msg, sizeof(msg)) != ERR_OK)
		T_FAIL("config_load: %s", msg);
	T_ASSERT(cli_db_resolve(&cfg, &db));
	if ((s = store_open(db.url, db.password[0] ? db.password : NULL, &e, msg,
		 sizeof(msg))) == NULL)
		T_FAIL("store_open: %s", msg);
	T_ASSERT((a = arena_new()) != NULL);
	T_EQ_INT(policy_current(s, a, &pv), ERR_OK);
	T_EQ_INT(people_find(s, a, "alice", &who), ERR_OK);
	T_EQ_INT(policy_acceptances(s, a, who.id, &acc, &n), ERR_OK);
	T_EQ_INT(n, 1);
	T_EQ_INT(acc[0].version, pv.version);
	T_EQ_INT(acc[0].kind, POLICY_ACCEPT_EXPLICIT);
	T_ASSERT(acc[0].accepted_at > 0);
	T_ASSERT(who.email_verified);
	T_EQ_INT(account_last_login(s, who.id, &at), ERR_OK);
	T_ASSERT(at > 0);
	T_EQ_INT(people_find(s, a, "alice-two", &who), ERR_OK); /* made by the third signup */
	T_EQ_INT(people_find(s, a, "mallory", &who), ERR_NOTFOUND);
	/* every reset request wrote its row, known account or not, and so did every signup
	 * with a taken address: 3 + 12 + 7 resets, 1 + 5 signups */
	{
		const struct store_table *t = NULL;
		struct store_q *q;
		int resets = 0, signups = 0;
		size_t i;
		for (i = 0; i < session_tables_count; i++)
			if (strcmp(session_tables[i].name, "account_requests") == 0)
				t = &session_tables[i];
		T_ASSERT(t != NULL);
		T_ASSERT((q = store_prepare(s, t->select_all)) != NULL);
		while (store_step(q) == STORE_ROW) {
			if (store_col_int(q, 2) == REQUEST_RESET)
				resets++;
			else if (store_col_int(q, 2) == REQUEST_SIGNUP_TAKEN)
				signups++;
		}
		T_EQ_INT(store_done(q), ERR_OK);
		T_EQ_INT(resets, 22);
		T_EQ_INT(signups, 6);
	}
	arena_free(a);
	store_close(s);
}

/* A site whose title is as long as a title may be still sends its mail: the subject's
 * copy of the title is cut (with an ellipsis), the body keeps it whole. */
#define LONG_HOST "long.example.test"
static void
test_long_title(const char *dir, const char *title)
{
	struct t_resp r;
	char *mail;

	signup(&r, LONG_HOST, "longtitle", "longtitle@example.test", PW, true);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, CHECK_EMAIL);
	t_resp_free(&r);
	mail = t_web_mail_wait(dir, 0, MAIL_MS, "To: longtitle@example.test", "/verify/", NULL);
	T_CONTAINS(mail, "Subject: =?UTF-8?B?"); /* the ellipsis is not ASCII */
	T_CONTAINS(mail, title);
	free(mail);
}

int
main(void)
{
	const char *dir = t_datadir(true);
	char long_title[LIMIT_TITLE + 1];
	struct t_server srv;
	char *out = NULL;

	if (t_candor(&out, "site", "add", "--data", dir, "--host", HOST, "--title", "Auth Test",
		"--origin", ORIGIN, "--alias", ALIAS, NULL) != 0)
		T_FAIL("site add: %s", out ? out : "");
	free(out);
	memset(long_title, 'L', LIMIT_TITLE);
	long_title[LIMIT_TITLE] = '\0';
	if (t_candor(&out, "site", "add", "--data", dir, "--host", LONG_HOST, "--title",
		long_title, "--origin", "https://" LONG_HOST, NULL) != 0)
		T_FAIL("site add: %s", out ? out : "");
	free(out);
	t_server_start(&srv, dir);
	port = srv.port;

	test_anonymous_pages();
	test_csrf();
	test_signup_refusals();
	test_signup_verify(dir);
	test_login_logout();
	test_verify_resend(dir);
	test_reset(dir);
	test_reset_timing();
	test_request_limits(dir);
	test_throttle();
	test_body_limit();
	test_tls_cookie(dir, &srv);
	test_records(dir);
	test_long_title(dir, long_title);

	T_EQ_INT(t_server_stop(&srv), 0);
	return 0;
}
