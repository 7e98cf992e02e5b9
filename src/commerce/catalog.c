/*
 * catalog: money arithmetic, the products of a site and its tax rate. Amounts are
 * int64 minor units everywhere; parsing and formatting go through the currency's
 * ISO 4217 exponent, never through a floating-point number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commerce/commerce_int.h"

bool
commerce_currency_ok(const char *code)
{
	return code && strlen(code) == 3 && code[0] >= 'A' && code[0] <= 'Z' &&
	       code[1] >= 'A' && code[1] <= 'Z' && code[2] >= 'A' && code[2] <= 'Z';
}

int
commerce_currency_exponent(const char *code)
{
	static const char *const zero[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW",
	    "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF", NULL};
	static const char *const three[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND", NULL};
	size_t i;

	for (i = 0; zero[i]; i++)
		if (strcmp(code, zero[i]) == 0)
			return 0;
	for (i = 0; three[i]; i++)
		if (strcmp(code, three[i]) == 0)
			return 3;
	return 2;
}

enum err
commerce_money_parse(const char *text, const char *currency, int64_t *minor)
{
	int64_t v = 0;
	int exp, decimals = 0;
	bool point = false, digits = false;
	const char *c;

	if (text == NULL || !commerce_currency_ok(currency))
		return ERR_INVAL;
	exp = commerce_currency_exponent(currency);
	for (c = text; *c; c++) {
		if (*c == '.' && !point && digits && exp > 0) {
			point = true;
			continue;
		}
		if (*c < '0' || *c > '9')
			return ERR_INVAL;
		if (point && ++decimals > exp)
			return ERR_INVAL;
		digits = true;
		if (v > (LIMIT_PRICE_MAX - (*c - '0')) / 10)
			return ERR_INVAL;
		v = v * 10 + (*c - '0');
	}
	if (!digits || (point && decimals == 0))
		return ERR_INVAL;
	for (; decimals < exp; decimals++) {
		if (v > LIMIT_PRICE_MAX / 10)
			return ERR_INVAL;
		v *= 10;
	}
	if (v > LIMIT_PRICE_MAX)
		return ERR_INVAL;
	*minor = v;
	return ERR_OK;
}

void
commerce_money_format(int64_t minor, const char *currency, char *out, size_t outsize)
{
	int exp = commerce_currency_exponent(currency);
	int64_t div = exp == 0 ? 1 : exp == 3 ? 1000 : 100;
	const char *sign = minor < 0 ? "-" : "";
	uint64_t m = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;

	if (exp == 0)
		snprintf(out, outsize, "%s%llu %s", sign, (unsigned long long)m, currency);
	else
		snprintf(out, outsize, "%s%llu.%0*llu %s", sign, (unsigned long long)(m / div), exp,
		    (unsigned long long)(m % div), currency);
}

enum err
commerce_vat(int64_t net, int64_t bp, int64_t *vat)
{
	if (net < 0 || bp < 0 || bp > LIMIT_VAT_BP || net > INT64_MAX / (LIMIT_VAT_BP + 1))
		return ERR_INVAL;
	*vat = (net * bp + 5000) / 10000; /* half-up, once per order */
	return ERR_OK;
}

/* ------------------------------------------------------------- products ---- */

const char *
product_kind_name(enum product_kind k)
{
	static const char *const names[PRODUCT_KIND__MAX] = {"digital", "service", "physical"};

	return (unsigned)k < PRODUCT_KIND__MAX ? names[k] : "?";
}

bool
product_kind_parse(const char *s, enum product_kind *out)
{
	int i;

	for (i = 0; s && i < PRODUCT_KIND__MAX; i++)
		if (strcmp(s, product_kind_name((enum product_kind)i)) == 0) {
			*out = (enum product_kind)i;
			return true;
		}
	return false;
}

const char *
customer_field_name(enum customer_field f)
{
	static const char *const names[CUSTOMER__MAX] = {"name", "email", "address", "date"};

	return (unsigned)f < CUSTOMER__MAX ? names[f] : "?";
}

unsigned
product_kind_fields(enum product_kind k)
{
	unsigned always = 1u << CUSTOMER_NAME | 1u << CUSTOMER_EMAIL;

	switch (k) {
	case PRODUCT_PHYSICAL:
		return always | 1u << CUSTOMER_ADDRESS;
	case PRODUCT_SERVICE:
		return always | 1u << CUSTOMER_DATE;
	default:
		return always;
	}
}

enum {
	SQL_PRODUCT_SLUG_TAKEN,
	SQL_PRODUCT_INSERT,
	SQL_PRODUCT_ACTIVE,
	SQL_PRODUCT_LIST,
	SQL_PRODUCT_LIST_ALL,
	SQL_PRODUCT_FIND,
	SQL_VAT_GET,
	SQL_VAT_SET,
	SQL_SITE_ADMINS,
	SQL_CATALOG__MAX
};

#define PRODUCT_COLS \
	"id, site_id, slug, title, body_md, body_html, price, currency, kind, active, created_at"

static const struct store_stmt catalog_sql[SQL_CATALOG__MAX] = {
	[SQL_PRODUCT_SLUG_TAKEN] = {"product_slug_taken",
	    "SELECT 1 FROM products WHERE site_id = ? AND slug = ?"},
	[SQL_PRODUCT_INSERT] = {"product_insert",
	    "INSERT INTO products (site_id, slug, title, body_md, body_html, price, currency,"
	    " kind, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING id"},
	[SQL_PRODUCT_ACTIVE] = {"product_active",
	    "UPDATE products SET active = ? WHERE site_id = ? AND id = ? RETURNING id"},
	[SQL_PRODUCT_LIST] = {"product_list", "SELECT " PRODUCT_COLS " FROM products"
	    " WHERE site_id = ? AND active = 1 ORDER BY id DESC LIMIT 1000"},
	[SQL_PRODUCT_LIST_ALL] = {"product_list_all", "SELECT " PRODUCT_COLS " FROM products"
	    " WHERE site_id = ? ORDER BY id DESC LIMIT 1000"},
	[SQL_PRODUCT_FIND] = {"product_find", "SELECT " PRODUCT_COLS " FROM products"
	    " WHERE site_id = ? AND slug = ?"},
	[SQL_VAT_GET] = {"shop_vat_get", "SELECT vat_bp FROM shop_settings WHERE site_id = ?"},
	[SQL_VAT_SET] = {"shop_vat_set",
	    "INSERT INTO shop_settings (site_id, vat_bp, updated_at) VALUES (?, ?, ?)"
	    " ON CONFLICT (site_id) DO UPDATE SET vat_bp = excluded.vat_bp,"
	    " updated_at = excluded.updated_at"},
	[SQL_SITE_ADMINS] = {"shop_site_admins",
	    "SELECT person_id FROM site_roles WHERE site_id = ? AND role = ? ORDER BY person_id"},
};
_Static_assert(LIMIT_PRODUCTS_PER_SITE == 1000, "the product lists say LIMIT 1000");

static enum err
product_row(struct store_q *q, struct arena *a, void *element)
{
	struct product *p = element;

	p->id = store_col_int(q, 0);
	p->site = store_col_int(q, 1);
	p->slug = arena_strdup(a, store_col_text(q, 2));
	p->title = arena_strdup(a, store_col_text(q, 3));
	p->body_md = arena_strdup(a, store_col_text(q, 4));
	p->body_html = arena_strdup(a, store_col_text(q, 5));
	p->price = store_col_int(q, 6);
	str_copy(p->currency, store_col_text(q, 7), sizeof(p->currency));
	p->kind = (enum product_kind)store_col_int(q, 8);
	p->active = store_col_int(q, 9) != 0;
	p->created_at = store_col_int(q, 10);
	if (!p->slug || !p->title || !p->body_md || !p->body_html)
		return ERR_NOMEM;
	return ERR_OK;
}

/* A title: one line of UTF-8, 1..LIMIT_TITLE characters, no control character. */
static bool
catalog_line_ok(const char *s, size_t max_chars)
{
	size_t n = strlen(s), i;

	if (n == 0 || !str_utf8_valid(s, n) || str_utf8_len(s, n) > max_chars)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

enum err
product_add(struct store *s, int64_t site, const char *title, const char *body_md,
    int64_t price, const char *currency, enum product_kind kind, int64_t *id, char *msg,
    size_t msgsize)
{
	char base[96], slug[112];
	struct store_q *q;
	char *html = NULL;
	bool taken = true;
	int i;
	enum err e;

	if (!catalog_line_ok(title, LIMIT_TITLE)) {
		str_msg(msg, msgsize, "The title must be one line of 1 to 200 characters.");
		return ERR_INVAL;
	}
	if (strlen(body_md) > LIMIT_BODY_MARKDOWN || !str_utf8_valid(body_md, strlen(body_md))) {
		str_msg(msg, msgsize, "The description must be UTF-8 text of at most the body limit.");
		return ERR_INVAL;
	}
	if (price < 0 || price > LIMIT_PRICE_MAX) {
		str_msg(msg, msgsize, "The price must be a whole number of minor units (cents), "
				      "0 to 100000000000.");
		return ERR_INVAL;
	}
	if (!commerce_currency_ok(currency)) {
		str_msg(msg, msgsize, "The currency must be an ISO 4217 code such as EUR.");
		return ERR_INVAL;
	}
	if ((unsigned)kind >= PRODUCT_KIND__MAX) {
		str_msg(msg, msgsize, "The kind must be digital, service or physical.");
		return ERR_INVAL;
	}
	str_slugify(title, base, sizeof(base));
	if (base[0] == '\0')
		str_copy(base, "product", sizeof(base));
	if ((html = markdown_to_html(body_md, strlen(body_md))) == NULL)
		return ERR_NOMEM;
	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	for (i = 1; i < 100 && taken; i++) {
		if (i == 1)
			str_copy(slug, base, sizeof(slug));
		else
			snprintf(slug, sizeof(slug), "%s-%d", base, i);
		if ((q = store_prepare(s, &catalog_sql[SQL_PRODUCT_SLUG_TAKEN])) == NULL) {
			e = store_done(NULL);
			goto fail;
		}
		store_bind_int(q, 1, site);
		store_bind_text(q, 2, slug);
		taken = store_step(q) == STORE_ROW;
		if ((e = store_done(q)) != ERR_OK)
			goto fail;
	}
	if (taken) {
		str_msg(msg, msgsize, "Too many products share this title.");
		e = ERR_CONFLICT;
		goto fail;
	}
	if ((q = store_prepare(s, &catalog_sql[SQL_PRODUCT_INSERT])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_int(q, 1, site);
	store_bind_text(q, 2, slug);
	store_bind_text(q, 3, title);
	store_bind_text(q, 4, body_md);
	store_bind_text(q, 5, html);
	store_bind_int(q, 6, price);
	store_bind_text(q, 7, currency);
	store_bind_int(q, 8, kind);
	store_bind_int(q, 9, time_now());
	if (store_step(q) == STORE_ROW && id)
		*id = store_col_int(q, 0);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	e = store_commit(s);
	goto out;
fail:
	store_rollback(s);
out:
	free(html);
	return e;
}

enum err
product_set_active(struct store *s, int64_t site, int64_t id, bool active)
{
	struct store_q *q;
	bool found;
	enum err e;

	if ((q = store_prepare(s, &catalog_sql[SQL_PRODUCT_ACTIVE])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, active);
	store_bind_int(q, 2, site);
	store_bind_int(q, 3, id);
	found = store_step(q) == STORE_ROW;
	e = store_done(q);
	return e == ERR_OK && !found ? ERR_NOTFOUND : e;
}

enum err
product_list(struct store *s, struct arena *a, int64_t site, bool all, struct product **out,
    size_t *n)
{
	struct store_q *q;

	if ((q = store_prepare(s, &catalog_sql[all ? SQL_PRODUCT_LIST_ALL : SQL_PRODUCT_LIST])) ==
	    NULL)
		return store_done(NULL);
	store_bind_int(q, 1, site);
	return store_collect(q, a, sizeof(**out), product_row, (void **)out, n);
}

enum err
product_find(struct store *s, struct arena *a, int64_t site, const char *slug,
    struct product *out)
{
	struct store_q *q;

	if ((q = store_prepare(s, &catalog_sql[SQL_PRODUCT_FIND])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, site);
	store_bind_text(q, 2, slug);
	return store_one(q, a, out, product_row);
}

enum err
shop_vat_get(struct store *s, int64_t site, int64_t *bp)
{
	struct store_q *q;

	*bp = 0;
	if ((q = store_prepare(s, &catalog_sql[SQL_VAT_GET])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, site);
	if (store_step(q) == STORE_ROW)
		*bp = store_col_int(q, 0);
	return store_done(q);
}

enum err
shop_vat_set(struct store *s, int64_t site, int64_t bp)
{
	struct store_q *q;

	if (bp < 0 || bp > LIMIT_VAT_BP)
		return ERR_INVAL;
	if ((q = store_prepare(s, &catalog_sql[SQL_VAT_SET])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, site);
	store_bind_int(q, 2, bp);
	store_bind_int(q, 3, time_now());
	store_step(q);
	return store_done(q);
}

static enum err
shop_admin_row(struct store_q *q, struct arena *a, void *element)
{
	(void)a;
	*(int64_t *)element = store_col_int(q, 0);
	return ERR_OK;
}

enum err
shop_site_admins(struct store *s, struct arena *a, int64_t site, int64_t **out, size_t *n)
{
	struct store_q *q;

	if ((q = store_prepare(s, &catalog_sql[SQL_SITE_ADMINS])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, site);
	store_bind_int(q, 2, SITE_ROLE_ADMIN);
	return store_collect(q, a, sizeof(**out), shop_admin_row, (void **)out, n);
}
