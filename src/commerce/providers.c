/*
 * providers: how an order gets paid, behind one small interface (commerce.h).
 *   invoice  the order waits for payment by bank transfer; staff with a billing grant
 *            (or the owner) mark it paid with the transfer's reference.
 *   hosted   the customer pays on the provider's own page ([shop] hosted_url); the
 *            provider then posts a webhook, signed with HMAC-SHA256 under the shared
 *            secret ([shop] hosted_secret_file) over "TIMESTAMP." and the raw body, in
 *            the header Candor-Signature: t=TIMESTAMP,v1=HEX. A timestamp more than
 *            LIMIT_WEBHOOK_WINDOW_S away from now is refused, and each event id is
 *            accepted once (payment_events), so a captured webhook cannot be replayed.
 * Card numbers never reach candor: the hosted page takes them.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "commerce/commerce_int.h"

static enum err
invoice_start(const struct config *cfg, const struct order *o, const char *order_page,
    struct buf *url)
{
	(void)cfg;
	(void)o;
	buf_puts(url, order_page);
	return url->failed ? ERR_NOMEM : ERR_OK;
}

/* Appends s to url with every byte but unreserved ones percent-encoded. */
static void
hosted_encode(struct buf *url, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~')
			buf_append(url, s, 1);
		else
			buf_printf(url, "%%%02X", c);
	}
}

static enum err
hosted_start(const struct config *cfg, const struct order *o, const char *order_page,
    struct buf *url)
{
	if (cfg->shop_hosted_url[0] == '\0')
		return ERR_INVAL;
	buf_printf(url, "%s%corder=", cfg->shop_hosted_url,
	    strchr(cfg->shop_hosted_url, '?') ? '&' : '?');
	hosted_encode(url, o->ref);
	buf_printf(url, "&amount=%lld&currency=", (long long)o->total);
	hosted_encode(url, o->currency);
	buf_puts(url, "&return=");
	hosted_encode(url, order_page);
	if (url->failed)
		return ERR_NOMEM;
	return url->len > LIMIT_URL_BYTES ? ERR_TOOBIG : ERR_OK;
}

static const struct commerce_provider commerce_all[] = {
	{"invoice", "Invoice (pay by bank transfer)", invoice_start},
	{"hosted", "Pay online (card, on our payment provider's page)", hosted_start},
};

/* True when the space-separated list holds word. */
static bool
commerce_listed(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
		p += n;
	}
	return false;
}

const struct commerce_provider *
commerce_provider(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; name && i < COUNTOF(commerce_all); i++)
		if (strcmp(commerce_all[i].name, name) == 0 &&
		    commerce_listed(cfg->shop_providers, name))
			return &commerce_all[i];
	return NULL;
}

size_t
commerce_providers(const struct config *cfg, const struct commerce_provider **out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < COUNTOF(commerce_all) && n < max; i++)
		if (commerce_listed(cfg->shop_providers, commerce_all[i].name))
			out[n++] = &commerce_all[i];
	return n;
}

/* ------------------------------------------------------------ signatures ---- */

enum err
commerce_sig_parse(const char *header, int64_t *t, unsigned char mac[32])
{
	const char *p = header, *end, *eq;
	bool have_t = false, have_v = false;
	long long v;
	char num[24];
	size_t klen, vlen, bin = 0;

	if (header == NULL || strlen(header) > LIMIT_WEBHOOK_SIG)
		return ERR_INVAL;
	while (*p) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		if ((eq = memchr(p, '=', (size_t)(end - p))) == NULL)
			return ERR_INVAL;
		klen = (size_t)(eq - p);
		vlen = (size_t)(end - eq - 1);
		if (klen == 1 && p[0] == 't') {
			if (have_t || vlen == 0 || vlen >= sizeof(num))
				return ERR_INVAL;
			memcpy(num, eq + 1, vlen);
			num[vlen] = '\0';
			if (strnum(num, 0, INT64_MAX / 2, &v) != ERR_OK)
				return ERR_INVAL;
			*t = (int64_t)v;
			have_t = true;
		} else if (klen == 2 && p[0] == 'v' && p[1] == '1') {
			if (have_v || vlen != 64 ||
			    sodium_hex2bin(mac, 32, eq + 1, vlen, NULL, &bin, NULL) != 0 || bin != 32)
				return ERR_INVAL;
			have_v = true;
		}
		p = *end ? end + 1 : end;
	}
	return have_t && have_v ? ERR_OK : ERR_INVAL;
}

void
commerce_sig_compute(const char *secret, int64_t t, const char *body, size_t len,
    unsigned char mac[32])
{
	crypto_auth_hmacsha256_state st;
	char ts[24];

	snprintf(ts, sizeof(ts), "%lld.", (long long)t);
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

enum err
commerce_sig_check(const char *secret, const char *header, const char *body, size_t len,
    int64_t now, char *msg, size_t msgsize)
{
	unsigned char got[32], want[32];
	int64_t t = 0;

	if (secret == NULL || secret[0] == '\0') {
		str_msg(msg, msgsize, "The hosted provider has no secret configured.");
		return ERR_DENIED;
	}
	if (commerce_sig_parse(header, &t, got) != ERR_OK) {
		str_msg(msg, msgsize, "The signature header is missing or malformed.");
		return ERR_DENIED;
	}
	if (t < now - LIMIT_WEBHOOK_WINDOW_S || t > now + LIMIT_WEBHOOK_WINDOW_S) {
		str_msg(msg, msgsize, "The signature's timestamp is outside the allowed window.");
		return ERR_DENIED;
	}
	commerce_sig_compute(secret, t, body, len, want);
	if (sodium_memcmp(got, want, 32) != 0) {
		str_msg(msg, msgsize, "The signature does not match.");
		return ERR_DENIED;
	}
	return ERR_OK;
}
