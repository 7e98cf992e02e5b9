/*
 * testweb: the form-aware client of testweb.h. Cookies are sent only when a test passes
 * one: the client keeps no cookie jar, so a flow that works here works with cookies
 * refused.
 */
#include <dirent.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "testweb.h"

#define T_WEB_HEADERS 16

/* headers + an optional Cookie line + an optional Content-Type line. */
static void
t_web_request(struct t_resp *r, int port, const char *method, const char *host,
    const char *path, const char *cookie, const char *const *headers, const char *body)
{
	const char *list[T_WEB_HEADERS + 3];
	char cookie_line[4096];
	size_t n = 0;

	for (; headers && *headers && n < T_WEB_HEADERS; headers++)
		list[n++] = *headers;
	if (cookie != NULL) {
		snprintf(cookie_line, sizeof(cookie_line), "Cookie: %s", cookie);
		list[n++] = cookie_line;
	}
	if (body != NULL)
		list[n++] = "Content-Type: application/x-www-form-urlencoded";
	list[n] = NULL;
	t_http(r, port, method, host, path, list, body);
}

void
t_web_get(struct t_resp *r, int port, const char *host, const char *path, const char *cookie,
    const char *const *headers)
{
	t_web_request(r, port, "GET", host, path, cookie, headers, NULL);
}

void
t_web_post(struct t_resp *r, int port, const char *host, const char *path,
    const char *cookie, const char *const *headers, const char *body)
{
	t_web_request(r, port, "POST", host, path, cookie, headers, body ? body : "");
}

static void
t_web_putc(char **out, size_t *len, size_t *cap, char c)
{
	if (*len + 2 >= *cap) {
		*cap = *cap * 2 + 64;
		if ((*out = realloc(*out, *cap)) == NULL)
			T_FAIL("out of memory");
	}
	(*out)[(*len)++] = c;
	(*out)[*len] = '\0';
}

/* Percent-encodes s as a form value (unreserved characters kept). */
static void
t_web_encode(char **out, size_t *len, size_t *cap, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			t_web_putc(out, len, cap, (char)c);
		} else {
			t_web_putc(out, len, cap, '%');
			t_web_putc(out, len, cap, hex[c >> 4]);
			t_web_putc(out, len, cap, hex[c & 15]);
		}
	}
}

char *
t_web_form(const char *name, ...)
{
	size_t len = 0, cap = 64;
	char *out = malloc(cap);
	const char *n, *v;
	va_list ap;

	if (out == NULL)
		T_FAIL("out of memory");
	out[0] = '\0';
	va_start(ap, name);
	for (n = name; n != NULL; n = va_arg(ap, const char *)) {
		v = va_arg(ap, const char *);
		if (len > 0)
			t_web_putc(&out, &len, &cap, '&');
		t_web_encode(&out, &len, &cap, n);
		t_web_putc(&out, &len, &cap, '=');
		t_web_encode(&out, &len, &cap, v ? v : "");
	}
	va_end(ap);
	return out;
}

/* The opening tag holding p: from the '<' before it to the '>' after it. */
static char *
t_web_tag(const char *html, const char *p)
{
	const char *start = p, *end = strchr(p, '>');
	char *tag;

	while (start > html && *start != '<')
		start--;
	if (end == NULL)
		return NULL;
	if ((tag = strndup(start, (size_t)(end - start + 1))) == NULL)
		T_FAIL("out of memory");
	return tag;
}

static char *
t_web_tag_attr(const char *tag, const char *attr)
{
	char pat[128];
	const char *v, *e;

	snprintf(pat, sizeof(pat), " %s=\"", attr);
	if ((v = strstr(tag, pat)) == NULL)
		return NULL;
	v += strlen(pat);
	if ((e = strchr(v, '"')) == NULL)
		return NULL;
	return strndup(v, (size_t)(e - v));
}

char *
t_web_attr(const char *html, const char *marker, const char *attr)
{
	const char *p;
	char *tag, *v;

	if (html == NULL || (p = strstr(html, marker)) == NULL)
		return NULL;
	if ((tag = t_web_tag(html, p)) == NULL)
		return NULL;
	v = t_web_tag_attr(tag, attr);
	free(tag);
	return v;
}

char *
t_web_csrf(const char *html, const char *action)
{
	char pat[512];
	const char *form = html;

	if (html == NULL)
		return NULL;
	if (action != NULL) {
		snprintf(pat, sizeof(pat), "action=\"%s\"", action);
		if ((form = strstr(html, pat)) == NULL)
			return NULL;
	}
	return t_web_attr(form, "name=\"csrf\"", "value");
}

char *
t_web_strip_csrf(const char *html)
{
	char *out = strdup(html ? html : ""), *p = out, *v, *e;

	if (out == NULL)
		T_FAIL("out of memory");
	while ((p = strstr(p, "name=\"csrf\" value=\"")) != NULL) {
		v = p + strlen("name=\"csrf\" value=\"");
		if ((e = strchr(v, '"')) == NULL)
			break;
		memmove(v, e, strlen(e) + 1);
		p = v;
	}
	return out;
}

/* The n-th Set-Cookie line of r (0-based), into out; false when there is none. */
static bool
t_web_set_cookie_nth(const struct t_resp *r, int n, char *out, size_t outsize)
{
	const char *p = r->headers, *eol;
	int seen = 0;

	while (p && *p) {
		if ((eol = strstr(p, "\r\n")) == NULL)
			eol = p + strlen(p);
		if (strncasecmp(p, "Set-Cookie:", 11) == 0 && seen++ == n) {
			p += 11;
			while (*p == ' ')
				p++;
			snprintf(out, outsize, "%.*s", (int)(eol - p), p);
			return true;
		}
		p = *eol ? eol + 2 : eol;
	}
	return false;
}

int
t_web_set_cookie_count(const struct t_resp *r)
{
	char line[4096];
	int n = 0;

	while (t_web_set_cookie_nth(r, n, line, sizeof(line)))
		n++;
	return n;
}

const char *
t_web_set_cookie(const struct t_resp *r, const char *name)
{
	static char line[4096];
	size_t nl = strlen(name);
	int i;

	for (i = 0; t_web_set_cookie_nth(r, i, line, sizeof(line)); i++)
		if (strncmp(line, name, nl) == 0 && line[nl] == '=')
			return line;
	return NULL;
}

char *
t_web_cookie(const struct t_resp *r, const char *name)
{
	const char *line = t_web_set_cookie(r, name);

	if (line == NULL)
		return NULL;
	return strndup(line, strcspn(line, ";"));
}

int
t_web_mail_count(const char *dir)
{
	char path[1200];
	struct dirent *d;
	DIR *dh;
	int n = 0;

	snprintf(path, sizeof(path), "%s/maildir/new", dir);
	if ((dh = opendir(path)) == NULL)
		return 0;
	while ((d = readdir(dh)) != NULL)
		if (d->d_name[0] != '.')
			n++;
	closedir(dh);
	return n;
}

struct t_web_mail {
	struct timespec mtime;
	char *text;
};

static int
t_web_mail_cmp(const void *a, const void *b)
{
	const struct t_web_mail *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return 0;
}

/* The messages holding every needle, oldest first; returns the (skip)-th, or NULL. */
static char *
t_web_mail_scan(const char *dir, int skip, const char **needles, size_t nneedles)
{
	struct t_web_mail mails[512];
	char base[1200], path[1500];
	struct dirent *d;
	struct stat st;
	size_t n = 0, i, k;
	char *found = NULL;
	DIR *dh;

	snprintf(base, sizeof(base), "%s/maildir/new", dir);
	if ((dh = opendir(base)) == NULL)
		return NULL;
	while ((d = readdir(dh)) != NULL && n < 512) {
		char *text;
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", base, d->d_name);
		if (stat(path, &st) != 0 || (text = t_read_file(path, NULL)) == NULL)
			continue;
		for (k = 0; k < nneedles; k++)
			if (strstr(text, needles[k]) == NULL)
				break;
		if (k < nneedles) {
			free(text);
			continue;
		}
		mails[n].mtime = st.st_mtim;
		mails[n++].text = text;
	}
	closedir(dh);
	qsort(mails, n, sizeof(mails[0]), t_web_mail_cmp);
	for (i = 0; i < n; i++) {
		if ((int)i == skip)
			found = mails[i].text;
		else
			free(mails[i].text);
	}
	return found;
}

char *
t_web_mail_wait(const char *dir, int skip, int timeout_ms, const char *needle, ...)
{
	const char *needles[16];
	size_t n = 0;
	va_list ap;
	char *text;
	int waited;

	va_start(ap, needle);
	for (const char *s = needle; s != NULL && n < 16; s = va_arg(ap, const char *))
		needles[n++] = s;
	va_end(ap);
	for (waited = 0; waited <= timeout_ms; waited += 50) {
		if ((text = t_web_mail_scan(dir, skip, needles, n)) != NULL)
			return text;
		usleep(50000);
	}
	T_FAIL("no mail #%d holding \"%s\" in %s/maildir/new within %d ms", skip + 1,
	    needle ? needle : "", dir, timeout_ms);
}

char *
t_web_link(const char *text, const char *prefix)
{
	const char *p;

	if (text == NULL || (p = strstr(text, prefix)) == NULL)
		return NULL;
	return strndup(p, strcspn(p, " \t\r\n"));
}

const char *
t_web_path(const char *url)
{
	const char *p = strstr(url, "://");

	if (p == NULL)
		return url;
	p = strchr(p + 3, '/');
	return p ? p : "/";
}

void
t_web_req(struct t_resp *r, int port, const char *host, const char *method,
    const char *path, const char *token, const char *body)
{
	char cookie[128];

	if (token)
		snprintf(cookie, sizeof(cookie), "candor_session=%s", token);
	if (strcmp(method, "POST") == 0)
		t_web_post(r, port, host, path, token ? cookie : NULL, NULL, body);
	else
		t_web_get(r, port, host, path, token ? cookie : NULL, NULL);
}

void
t_web_post_form(struct t_resp *r, int port, const char *host, const char *page,
    const char *action, const char *token, const char *fields)
{
	struct t_resp g;
	struct buf body;
	char *csrf, *c;

	t_web_req(&g, port, host, "GET", page, token, NULL);
	T_EQ_INT(g.status, 200);
	if ((csrf = t_web_csrf(g.body, action)) == NULL)
		T_FAIL("no csrf field in the form posting to %s on %s", action, page);
	t_resp_free(&g);
	c = t_web_form("csrf", csrf, NULL);
	buf_init(&body);
	buf_printf(&body, "%s%s%s", c, fields[0] ? "&" : "", fields);
	t_web_req(r, port, host, "POST", action, token, body.data);
	buf_free(&body);
	free(c);
	free(csrf);
}

char *
t_web_sign_in(int port, const char *host, const char *login, const char *password)
{
	struct t_resp r;
	const char *line;
	char *f = t_web_form("login", login, "password", password, NULL), *tok;

	t_web_post_form(&r, port, host, "/login", "/login", NULL, f);
	free(f);
	T_EQ_INT(r.status, 303);
	if ((line = t_web_set_cookie(&r, "candor_session")) == NULL)
		T_FAIL("no session cookie after signing in %s", login);
	line += strlen("candor_session=");
	tok = strndup(line, strcspn(line, ";"));
	t_resp_free(&r);
	return tok;
}
