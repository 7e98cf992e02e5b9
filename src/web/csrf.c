/*
 * csrf: tokens that let a form work with cookies refused (PRODUCT.md P19; SECURITY.md
 * "CSRF", ASVS 4.2.2). A token is bound to a site and a form by HMAC-SHA256 under a
 * server key derived from the root key (privacy_derive_key), and carries its issue time;
 * the server stores nothing. Layout and replay rules are in web_int.h.
 *
 * Invariants: csrf_check never says yes to anything csrf_token did not make with the same
 * key, site and form within the time window; the MAC is compared with sodium_memcmp;
 * every intermediate MAC and raw token is wiped.
 */
#include <sodium.h>
#include <string.h>

#include "web/web_int.h"

static const char csrf_domain[] = "candor-csrf-v1";

static void
csrf_put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

static uint64_t
csrf_get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static bool
csrf_name_ok(const char *s, size_t max)
{
	return s != NULL && s[0] != '\0' && strnlen(s, max + 1) <= max;
}

/* MAC over the domain, the length-prefixed site and form, then issued_at || nonce (the
 * first 24 bytes of raw). Length prefixes keep ("ab", "c") apart from ("a", "bc"). */
static enum err
csrf_mac(const unsigned char key[CSRF_KEY_BYTES], const char *site, const char *form,
    const unsigned char *raw, unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;
	unsigned char len[8];
	int rc = 0;

	rc |= crypto_auth_hmacsha256_init(&st, key, CSRF_KEY_BYTES);
	rc |= crypto_auth_hmacsha256_update(&st, (const unsigned char *)csrf_domain,
	    sizeof(csrf_domain));
	csrf_put64(len, strlen(site));
	rc |= crypto_auth_hmacsha256_update(&st, len, sizeof(len));
	rc |= crypto_auth_hmacsha256_update(&st, (const unsigned char *)site, strlen(site));
	csrf_put64(len, strlen(form));
	rc |= crypto_auth_hmacsha256_update(&st, len, sizeof(len));
	rc |= crypto_auth_hmacsha256_update(&st, (const unsigned char *)form, strlen(form));
	rc |= crypto_auth_hmacsha256_update(&st, raw, 8 + 16);
	rc |= crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
	return rc == 0 ? ERR_OK : ERR_CRYPTO;
}

enum err
csrf_token(const unsigned char key[CSRF_KEY_BYTES], const char *site, const char *form,
    int64_t now, char out[CSRF_TOKEN_LEN + 1])
{
	unsigned char raw[CSRF_RAW_BYTES];
	enum err e;

	out[0] = '\0';
	if (!csrf_name_ok(site, LIMIT_HOST_BYTES) || !csrf_name_ok(form, LIMIT_FORM_NAME))
		return ERR_INVAL;
	csrf_put64(raw, (uint64_t)now);
	randombytes_buf(raw + 8, 16);
	if ((e = csrf_mac(key, site, form, raw, raw + 24)) == ERR_OK)
		sodium_bin2base64(out, CSRF_TOKEN_LEN + 1, raw, sizeof(raw),
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	return e;
}

enum err
csrf_check(const unsigned char key[CSRF_KEY_BYTES], const char *site, const char *form,
    const char *token, int64_t now)
{
	unsigned char raw[CSRF_RAW_BYTES], mac[crypto_auth_hmacsha256_BYTES];
	size_t rawlen = 0;
	enum err e = ERR_DENIED;
	int64_t issued;

	if (token == NULL || strnlen(token, CSRF_TOKEN_LEN + 1) != CSRF_TOKEN_LEN)
		return ERR_DENIED;
	if (!csrf_name_ok(site, LIMIT_HOST_BYTES) || !csrf_name_ok(form, LIMIT_FORM_NAME))
		return ERR_DENIED;
	if (sodium_base642bin(raw, sizeof(raw), token, CSRF_TOKEN_LEN, NULL, &rawlen, NULL,
		sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || rawlen != sizeof(raw))
		goto out;
	if (csrf_mac(key, site, form, raw, mac) != ERR_OK ||
	    sodium_memcmp(mac, raw + 24, sizeof(mac)) != 0)
		goto out;
	/* Authentic from here on: issued is a time this server wrote. */
	issued = (int64_t)csrf_get64(raw);
	/* differences taken unsigned: no overflow whatever the clock says */
	if (issued > now ? (uint64_t)issued - (uint64_t)now > LIMIT_CSRF_SKEW_S
			 : (uint64_t)now - (uint64_t)issued > LIMIT_CSRF_TTL_S)
		goto out;
	e = ERR_OK;
out:
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(mac, sizeof(mac));
	return e;
}

/* What a token is bound to: the resolved site's primary host, so a form served on an
 * alias and posted back to it (or to the primary host) checks out. */
static const char *
web_csrf_site(const struct http_request *req)
{
	const struct site *site = req->app_site;

	if (site != NULL && site->host != NULL && site->host[0] != '\0')
		return site->host;
	return NULL;
}

/*
 * The form name a token is bound to: form itself for a request without a session
 * cookie; with one, form + "@" + a short hash of the cookie's value, so a token served
 * to one signed-in browser is worthless in another (and after sign-out). The hash is
 * of the raw cookie: no database read, and a stale cookie binds both ways alike.
 */
static const char *
web_csrf_form(struct http_request *req, const char *form)
{
	unsigned char h[8];
	char hex[sizeof(h) * 2 + 1];
	const char *cookie = http_cookie(req, req->tls ? WEB_COOKIE_SESSION_TLS
							: WEB_COOKIE_SESSION);

	if (cookie == NULL || cookie[0] == '\0')
		return form;
	crypto_generichash(h, sizeof(h), (const unsigned char *)cookie, strlen(cookie),
	    (const unsigned char *)"candor-csrf-session", 19);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	return arena_printf(req->arena, "%s@%s", form, hex);
}

const char *
web_csrf_token(struct web_app *app, struct http_request *req, const char *form)
{
	char tok[CSRF_TOKEN_LEN + 1];
	const char *site = web_csrf_site(req), *bound = web_csrf_form(req, form);

	if (site == NULL || bound == NULL ||
	    csrf_token(app->csrf_key, site, bound, time_now(), tok) != ERR_OK)
		return NULL;
	return arena_strdup(req->arena, tok);
}

/*
 * Whether the browser says the form was sent from another site: Sec-Fetch-Site other
 * than same-origin (or none: typed by the person), or an Origin whose host is not the
 * request's. A token alone cannot stop this for the sign-in form: anyone can fetch a
 * valid anonymous token and have a victim's browser post it (login CSRF, which signs
 * the victim in as the attacker). Clients that send neither header (curl, old
 * browsers) are judged by the token alone.
 */
/* True when host (normalised) is the request's Host, or a name of the request's site: its
 * primary host, an alias, or the host of its configured origin (a proxy that rewrites
 * Host still sends the browser's Origin). */
static bool
web_site_host(const struct http_request *req, const char *host)
{
	const struct site *site = req->app_site;
	char other[LIMIT_HOST_BYTES + 1];
	const char *p, *h;
	size_t n, hl = strlen(host);

	if (strcmp(host, req->host) == 0)
		return true;
	if (site == NULL)
		return false;
	if (site->host && strcmp(host, site->host) == 0)
		return true;
	if (site->origin && (h = strstr(site->origin, "://")) != NULL &&
	    http_host_parse(h + 3, other, sizeof(other)) == ERR_OK && strcmp(host, other) == 0)
		return true;
	for (p = site->aliases; p && *p; p += n) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n == hl && n > 0 && strncmp(p, host, n) == 0)
			return true;
	}
	return false;
}

static bool
web_cross_site(const struct http_request *req)
{
	const char *fetch = http_header(req, "Sec-Fetch-Site");
	const char *origin = http_header(req, "Origin"), *h;
	char host[LIMIT_HOST_BYTES + 1];

	if (fetch && strcmp(fetch, "same-origin") != 0 && strcmp(fetch, "none") != 0)
		return true;
	if (origin == NULL)
		return false;
	if ((h = strstr(origin, "://")) == NULL ||
	    http_host_parse(h + 3, host, sizeof(host)) != ERR_OK)
		return true; /* "null" (an opaque origin) or garbage */
	return !web_site_host(req, host);
}

bool
web_csrf_ok(struct web_app *app, struct http_request *req, struct http_response *res,
    const char *form)
{
	const char *site = web_csrf_site(req), *bound = web_csrf_form(req, form);

	if (web_cross_site(req)) {
		res->status = 403;
		web_error_page(app, req, res, "Form from another site",
		    "This form was sent from another site, so it was not accepted. Open the "
		    "page on this site and send the form from there.");
		return false;
	}
	if (site != NULL && bound != NULL && csrf_check(app->csrf_key, site, bound,
				http_form_get(&req->form, CSRF_FIELD), time_now()) == ERR_OK)
		return true;
	res->status = 403;
	web_error_page(app, req, res, "Form expired",
	    "This form has expired or did not come from this site; go back, reload the page "
	    "and try again.");
	return false;
}

int64_t
csrf_issued_at(const char *token)
{
	unsigned char raw[CSRF_RAW_BYTES];
	size_t rawlen = 0;
	int64_t issued = 0;

	if (token != NULL && strnlen(token, CSRF_TOKEN_LEN + 1) == CSRF_TOKEN_LEN &&
	    sodium_base642bin(raw, sizeof(raw), token, CSRF_TOKEN_LEN, NULL, &rawlen, NULL,
		sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 && rawlen == sizeof(raw))
		issued = (int64_t)csrf_get64(raw);
	sodium_memzero(raw, sizeof(raw));
	return issued;
}
