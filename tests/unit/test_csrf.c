/*
 * test_csrf: form tokens that work with cookies refused (web/csrf.c; SECURITY.md CSRF,
 * ASVS 4.2.2). A token passes for its own site and form within LIMIT_CSRF_TTL_S (tested
 * at N and N+1) and LIMIT_CSRF_SKEW_S into the future, and is refused for another site
 * or form, after any changed byte, truncated, padded or garbage; two tokens differ. The
 * web helpers are run on a real web_app (keys from privacy_open) with requests that carry
 * no cookie at all: the valid one passes, the others get 403 with the human sentence in
 * the site's layout. Also privacy_derive_key: stable, separated by id and context, and
 * refusing the privacy module's own contexts.
 */
#include <sodium.h>

#include "core/core.h"
#include "privacy/privacy.h"
#include "testlib.h"
#include "web/web_int.h"

#define NOW ((int64_t)1790000000)

static unsigned char key[CSRF_KEY_BYTES];

static void
test_roundtrip(void)
{
	char a[CSRF_TOKEN_LEN + 1], b[CSRF_TOKEN_LEN + 1];
	size_t i;

	T_EQ_INT(csrf_token(key, "example.org", "signup", NOW, a), ERR_OK);
	T_EQ_INT(strlen(a), CSRF_TOKEN_LEN);
	for (i = 0; i < CSRF_TOKEN_LEN; i++)
		T_ASSERT((a[i] >= 'a' && a[i] <= 'z') || (a[i] >= 'A' && a[i] <= 'Z') ||
		    (a[i] >= '0' && a[i] <= '9') || a[i] == '-' || a[i] == '_');
	T_EQ_INT(csrf_check(key, "example.org", "signup", a, NOW), ERR_OK);
	/* the nonce: the same site, form and second never give the same token */
	T_EQ_INT(csrf_token(key, "example.org", "signup", NOW, b), ERR_OK);
	T_ASSERT(strcmp(a, b) != 0);
	T_EQ_INT(csrf_check(key, "example.org", "signup", b, NOW), ERR_OK);
}

static void
test_binding(void)
{
	char t[CSRF_TOKEN_LEN + 1];
	unsigned char other[CSRF_KEY_BYTES];

	T_EQ_INT(csrf_token(key, "example.org", "signup", NOW, t), ERR_OK);
	T_EQ_INT(csrf_check(key, "example.com", "signup", t, NOW), ERR_DENIED);
	T_EQ_INT(csrf_check(key, "example.org", "login", t, NOW), ERR_DENIED);
	T_EQ_INT(csrf_check(key, "example.or", "signup", t, NOW), ERR_DENIED);
	/* length prefixes: ("example.orgs", "ignup") is not ("example.org", "signup") */
	T_EQ_INT(csrf_check(key, "example.orgs", "ignup", t, NOW), ERR_DENIED);
	memcpy(other, key, sizeof(other));
	other[0] ^= 1;
	T_EQ_INT(csrf_check(other, "example.org", "signup", t, NOW), ERR_DENIED);
	T_EQ_INT(csrf_check(key, "", "signup", t, NOW), ERR_DENIED);
	T_EQ_INT(csrf_check(key, "example.org", "", t, NOW), ERR_DENIED);
	T_EQ_INT(csrf_check(key, NULL, "signup", t, NOW), ERR_DENIED);
	/* making tokens: empty or over-long names are refused */
	T_EQ_INT(csrf_token(key, "", "signup", NOW, t), ERR_INVAL);
	T_EQ_INT(t[0], '\0');
	T_EQ_INT(csrf_token(key, "example.org", "", NOW, t), ERR_INVAL);
}

static void
test_tampered(void)
{
	char t[CSRF_TOKEN_LEN + 1], m[CSRF_TOKEN_LEN + 2];
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i, j;

	T_EQ_INT(csrf_token(key, "example.org", "signup", NOW, t), ERR_OK);
	/* every position, every other character of the alphabet */
	for (i = 0; i < CSRF_TOKEN_LEN; i++) {
		for (j = 0; j < sizeof(alphabet) - 1; j++) {
			if (alphabet[j] == t[i])
				continue;
			memcpy(m, t, sizeof(t));
			m[i] = alphabet[j];
			T_EQ_INT(csrf_check(key, "example.org", "signup", m, NOW), ERR_DENIED);
		}
	}
	/* truncated at every length, and one character more */
	for (i = 0; i < CSRF_TOKEN_LEN; i++) {
		memcpy(m, t, i);
		m[i] = '\0';
		T_EQ_INT(csrf_check(key, "example.org", "signup", m, NOW), ERR_DENIED);
	}
	memcpy(m, t, CSRF_TOKEN_LEN);
	m[CSRF_TOKEN_LEN] = 'A';
	m[CSRF_TOKEN_LEN + 1] = '\0';
	T_EQ_INT(csrf_check(key, "example.org", "signup", m, NOW), ERR_DENIED);
	/* garbage */
	T_EQ_INT(csrf_check(key, "example.org", "signup", NULL, NOW), ERR_DENIED);
	T_EQ_INT(csrf_check(key, "example.org", "signup", "", NOW), ERR_DENIED);
	memset(m, 'A', CSRF_TOKEN_LEN);
	m[CSRF_TOKEN_LEN] = '\0';
	T_EQ_INT(csrf_check(key, "example.org", "signup", m, NOW), ERR_DENIED);
	memset(m, '=', CSRF_TOKEN_LEN);
	T_EQ_INT(csrf_check(key, "example.org", "signup", m, NOW), ERR_DENIED);
	memcpy(m, t, sizeof(t));
	m[10] = '+'; /* standard base64, not base64url */
	T_EQ_INT(csrf_check(key, "example.org", "signup", m, NOW), ERR_DENIED);
	m[10] = ' ';
	T_EQ_INT(csrf_check(key, "example.org", "signup", m, NOW), ERR_DENIED);
}

static void
test_time(void)
{
	char t[CSRF_TOKEN_LEN + 1];

	T_EQ_INT(csrf_token(key, "example.org", "signup", NOW, t), ERR_OK);
	T_EQ_INT(csrf_check(key, "example.org", "signup", t, NOW + LIMIT_CSRF_TTL_S - 1), ERR_OK);
	T_EQ_INT(csrf_check(key, "example.org", "signup", t, NOW + LIMIT_CSRF_TTL_S), ERR_OK);
	T_EQ_INT(csrf_check(key, "example.org", "signup", t, NOW + LIMIT_CSRF_TTL_S + 1),
	    ERR_DENIED);
	T_EQ_INT(csrf_check(key, "example.org", "signup", t, INT64_MAX), ERR_DENIED);
	/* issued in the future: a little clock skew is forgiven, more is not */
	T_EQ_INT(csrf_check(key, "example.org", "signup", t, NOW - LIMIT_CSRF_SKEW_S), ERR_OK);
	T_EQ_INT(csrf_check(key, "example.org", "signup", t, NOW - LIMIT_CSRF_SKEW_S - 1),
	    ERR_DENIED);
	T_EQ_INT(csrf_check(key, "example.org", "signup", t, INT64_MIN), ERR_DENIED);
	T_EQ_INT(csrf_token(key, "example.org", "signup", NOW + 3600, t), ERR_OK);
	T_EQ_INT(csrf_check(key, "example.org", "signup", t, NOW), ERR_DENIED);
	T_EQ_INT(LIMIT_CSRF_TTL_S, 7200);
}

static void
test_derive(void)
{
	struct config cfg;
	struct privacy *p, *q;
	unsigned char k1[32], k2[32], k3[32], k4[32];

	t_privacy_config(&cfg, NULL);
	p = t_privacy_open(&cfg);
	q = t_privacy_open(&cfg);
	T_EQ_INT(privacy_derive_key(p, WEB_CSRF_KDF_ID, WEB_CSRF_KDF_CTX, k1), ERR_OK);
	T_EQ_INT(privacy_derive_key(q, WEB_CSRF_KDF_ID, WEB_CSRF_KDF_CTX, k2), ERR_OK);
	T_ASSERT(memcmp(k1, k2, 32) == 0); /* stable across opens: forms survive a restart */
	T_EQ_INT(privacy_derive_key(p, WEB_CSRF_KDF_ID + 1, WEB_CSRF_KDF_CTX, k3), ERR_OK);
	T_ASSERT(memcmp(k1, k3, 32) != 0);
	T_EQ_INT(privacy_derive_key(p, WEB_CSRF_KDF_ID, "cdother_", k4), ERR_OK);
	T_ASSERT(memcmp(k1, k4, 32) != 0);
	T_EQ_INT(privacy_derive_key(p, 1, "cdblind_", k4), ERR_INVAL);
	T_EQ_INT(privacy_derive_key(p, 2, "cdaudit_", k4), ERR_INVAL);
	privacy_free(p);
	privacy_free(q);
}

/* A POST request as http/ would hand it to a handler: a form body, no Cookie header. */
static void
request(struct http_request *req, struct arena *a, struct site *site, const char *body)
{
	memset(req, 0, sizeof(*req));
	req->arena = a;
	req->method = "POST";
	req->target = req->path = "/signup";
	req->host = site->host;
	req->app_site = site;
	T_EQ_INT(http_form_parse(a, body, strlen(body), LIMIT_FORM_FIELDS, &req->form), ERR_OK);
	T_EQ_INT(req->cookies.n, 0);
}

static void
test_web_helpers(void)
{
	struct config cfg;
	struct web_app *app;
	struct http_request req;
	struct http_response res;
	struct site site = {.id = 1, .host = "example.org", .title = "Example Title",
	    .tagline = "", .aliases = "www.example.org", .origin = "https://example.org"};
	struct site other = site;
	struct arena *a;
	const char *tok;
	char errbuf[512], body[256];
	const char *bad[] = {"name=x", "csrf=", "csrf=garbage", "csrf=A&csrf=B"};
	size_t i;

	t_privacy_config(&cfg, NULL);
	app = web_app_new(&cfg, cfg.database, NULL, errbuf, sizeof(errbuf));
	if (app == NULL)
		T_FAIL("web_app_new: %s", errbuf);
	T_ASSERT((a = arena_new()) != NULL);

	/* a valid token from the page passes, with no cookie anywhere */
	request(&req, a, &site, "");
	T_ASSERT((tok = web_csrf_token(app, &req, "signup")) != NULL);
	snprintf(body, sizeof(body), "username=alice&csrf=%s", tok);
	request(&req, a, &site, body);
	http_response_init(&res);
	T_ASSERT(web_csrf_ok(app, &req, &res, "signup"));
	T_EQ_INT(res.status, 0);
	http_response_free(&res);
	/* an alias of the same site: bound to the site, not the Host */
	req.host = "www.example.org";
	http_response_init(&res);
	T_ASSERT(web_csrf_ok(app, &req, &res, "signup"));
	http_response_free(&res);

	/* another form, another site, no site: 403 with the sentence, in the layout */
	http_response_init(&res);
	T_ASSERT(!web_csrf_ok(app, &req, &res, "login"));
	T_EQ_INT(res.status, 403);
	T_ASSERT(res.body.data != NULL);
	T_CONTAINS(res.body.data, "This form has expired or did not come from this site; "
				  "go back, reload the page and try again.");
	T_CONTAINS(res.body.data, "Example Title");
	T_EQ_STR(res.cache_control, "no-store");
	http_response_free(&res);
	other.host = "example.com";
	request(&req, a, &other, body);
	http_response_init(&res);
	T_ASSERT(!web_csrf_ok(app, &req, &res, "signup"));
	T_EQ_INT(res.status, 403);
	http_response_free(&res);
	request(&req, a, &site, body);
	req.app_site = NULL;
	T_ASSERT(web_csrf_token(app, &req, "signup") == NULL);
	http_response_init(&res);
	T_ASSERT(!web_csrf_ok(app, &req, &res, "signup"));
	T_EQ_INT(res.status, 403);
	http_response_free(&res);
	for (i = 0; i < COUNTOF(bad); i++) {
		request(&req, a, &site, bad[i]);
		http_response_init(&res);
		T_ASSERT(!web_csrf_ok(app, &req, &res, "signup"));
		T_EQ_INT(res.status, 403);
		http_response_free(&res);
	}
	arena_free(a);
	web_app_free(app);
}

int
main(void)
{
	T_ASSERT(sodium_init() >= 0);
	randombytes_buf(key, sizeof(key));
	test_roundtrip();
	test_binding();
	test_tampered();
	test_time();
	test_derive();
	test_web_helpers();
	printf("test_csrf: ok\n");
	return 0;
}
