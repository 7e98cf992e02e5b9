/*
 * commerce: a small shop per site (issue 9; PRODUCT.md P7, P8, P11). Products, orders
 * with their lines, payments and the providers that take them.
 *
 * Money is an int64 count of minor units with an ISO 4217 code ("EUR": cents); never a
 * floating-point number. The tax of an order is its net amount times the site's rate in
 * basis points (1/100 of a percent), rounded half-up once per order:
 * vat = (net * bp + 5000) / 10000. total = net + vat.
 *
 * An order asks only the customer fields its product's kind needs (name and email
 * always, a postal address for physical goods, a date for a booked service); a field
 * the kind does not need is refused, never stored. The fields are sealed by the vault,
 * bound to the order row, in the transaction that creates the order: under the
 * member's subject ("user:N") when a member buys, so erasing the member shreds them
 * while the order stays for the accounting period, or under the order's own subject
 * ("order:N") for a guest. Card numbers never reach candor: a provider reports at
 * most its payment reference and the card's last four digits (sealed).
 *
 * Each order carries the keyed-free BLAKE2b hash of the idempotency key the checkout
 * form held; the hash is unique, so a second submit of the same form returns the first
 * order. The key is also the customer's link to the order (/shop/order/KEY): only its
 * hash is stored.
 */
#ifndef COMMERCE_COMMERCE_H
#define COMMERCE_COMMERCE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "privacy/privacy.h"
#include "store/store.h"

enum err commerce_migrate(struct store *s);
extern const struct store_table commerce_tables[];
extern const size_t commerce_tables_count;

/* ---------------------------------------------------------------- money ---- */

#define COMMERCE_CURRENCY_BYTES 4 /* "EUR" and its NUL */

/* True for three upper-case ASCII letters. */
bool commerce_currency_ok(const char *code);
/* Minor-unit digits of a currency (ISO 4217): 0 for JPY, KRW, ISK..., 3 for BHD, KWD,
 * JOD, OMR, TND, 2 otherwise. */
int commerce_currency_exponent(const char *code);
/*
 * Parses a decimal amount typed by a person ("12", "12.5", "12.50") in currency into
 * minor units: at most the currency's exponent of decimals, no sign, no exponent, no
 * spaces, at most LIMIT_PRICE_MAX minor units. ERR_INVAL otherwise.
 */
enum err commerce_money_parse(const char *text, const char *currency, int64_t *minor);
/* Writes minor units as "12.50 EUR" (the currency's decimals) into out. */
void commerce_money_format(int64_t minor, const char *currency, char *out, size_t outsize);
/* Tax of net at bp basis points, half-up. ERR_INVAL for a negative input or overflow. */
enum err commerce_vat(int64_t net, int64_t bp, int64_t *vat);

/* ------------------------------------------------------------- products ---- */

enum product_kind { PRODUCT_DIGITAL, PRODUCT_SERVICE, PRODUCT_PHYSICAL, PRODUCT_KIND__MAX };
const char *product_kind_name(enum product_kind k);
bool product_kind_parse(const char *s, enum product_kind *out);

/* The customer fields an order may hold. */
enum customer_field {
	CUSTOMER_NAME,
	CUSTOMER_EMAIL,
	CUSTOMER_ADDRESS, /* postal address: physical goods only */
	CUSTOMER_DATE,    /* the day of a booked service: YYYY-MM-DD */
	CUSTOMER__MAX
};
/* The field's form name ("name", "email", "address", "date"). */
const char *customer_field_name(enum customer_field f);
/* The fields kind needs, one bit per enum customer_field. */
unsigned product_kind_fields(enum product_kind k);

struct product {
	int64_t id;
	int64_t site;
	const char *slug;
	const char *title;
	const char *body_md;
	const char *body_html;
	int64_t price; /* minor units */
	char currency[COMMERCE_CURRENCY_BYTES];
	enum product_kind kind;
	bool active;
	int64_t created_at;
};

/*
 * Adds a product to site: title (one line, at most LIMIT_TITLE characters), description
 * markdown (may be ""), price in minor units (0..LIMIT_PRICE_MAX), currency, kind. The
 * slug is made from the title (a number appended when taken). ERR_INVAL with a
 * sentence in msg for bad input. *id gets its id.
 */
enum err product_add(struct store *s, int64_t site, const char *title, const char *body_md,
    int64_t price, const char *currency, enum product_kind kind, int64_t *id, char *msg,
    size_t msgsize);
/* Shows or hides a product in the shop (orders keep naming it). */
enum err product_set_active(struct store *s, int64_t site, int64_t id, bool active);
/* Products of site, newest first (only active ones unless all); strings in a. */
enum err product_list(struct store *s, struct arena *a, int64_t site, bool all,
    struct product **out, size_t *n);
/* One product of site by slug; ERR_NOTFOUND when there is none. */
enum err product_find(struct store *s, struct arena *a, int64_t site, const char *slug,
    struct product *out);

/* The administrators of site (person ids, in a): who gets the new-order notice. */
enum err shop_site_admins(struct store *s, struct arena *a, int64_t site, int64_t **out,
    size_t *n);

/* The site's tax rate in basis points (0 when never set). */
enum err shop_vat_get(struct store *s, int64_t site, int64_t *bp);
/* Sets it: 0..LIMIT_VAT_BP. */
enum err shop_vat_set(struct store *s, int64_t site, int64_t bp);

/* --------------------------------------------------------------- orders ---- */

enum order_status {
	ORDER_AWAITING_PAYMENT, /* invoice sent, or the customer is at the hosted page */
	ORDER_PAID,
	ORDER_CANCELLED,
	ORDER_STATUS__MAX
};
const char *order_status_name(enum order_status st);

/* The idempotency key of a checkout form: 32 base64url characters (24 random bytes). */
#define COMMERCE_KEY_LEN 32
/* Makes a fresh key into out. */
void commerce_key_new(char out[COMMERCE_KEY_LEN + 1]);
/* True when key has the shape commerce_key_new makes. */
bool commerce_key_ok(const char *key);

struct order_input {
	int64_t site;
	const struct product *product;
	int64_t quantity;           /* 1..LIMIT_ORDER_QUANTITY */
	int64_t person;             /* 0: a guest */
	const char *key;            /* idempotency key */
	const char *provider;       /* "invoice", "hosted" */
	const char *fields[CUSTOMER__MAX]; /* NULL or "" when not given */
};

struct order {
	int64_t id;
	int64_t site;
	int64_t person; /* 0: a guest or an erased member */
	const char *subject;
	const char *ref;      /* public order number "C-..." shown to customer and staff */
	const char *provider;
	enum order_status status;
	char currency[COMMERCE_CURRENCY_BYTES];
	int64_t net, vat_bp, vat, total;
	unsigned fields;      /* bits of the customer fields it holds */
	const char *product_title;
	const char *product_kind;
	int64_t quantity, unit_price;
	const char *pay_ref;  /* the provider's payment reference, or "" */
	int64_t paid_at;
	int64_t created_at;
};

/*
 * Creates the order in: checks the fields against the product's kind (a missing needed
 * field, or any field it does not need, is ERR_INVAL with a sentence in msg; so is a
 * malformed email, address, date or a value with a card-number-like run of digits),
 * computes lines and totals with the site's tax rate, seals the fields and stores it
 * all in one transaction. When the key was used before, *created is false and out is
 * the first order (its fields are not compared). Strings in a.
 */
enum err order_create(struct privacy *p, struct store *s, struct arena *a,
    const struct order_input *in, struct order *out, bool *created, char *msg, size_t msgsize);
/* The order whose key is key (site must match); ERR_NOTFOUND otherwise. */
enum err order_by_key(struct store *s, struct arena *a, int64_t site, const char *key,
    struct order *out);
enum err order_by_ref(struct store *s, struct arena *a, const char *ref, struct order *out);
enum err order_get(struct store *s, struct arena *a, int64_t id, struct order *out);
/* Orders of a site (site 0: every site), or of a person (person > 0), newest first. */
enum err order_list(struct store *s, struct arena *a, int64_t site, int64_t person,
    struct order **out, size_t *n);
/*
 * Marks order id paid with the provider's reference (one line, at most
 * LIMIT_PAY_REF characters) and, if given, the card's last four digits (sealed).
 * ERR_CONFLICT when it is not awaiting payment. Joins the caller's transaction.
 */
enum err order_mark_paid(struct privacy *p, struct store *s, int64_t id, const char *pay_ref,
    const char *last4);
/*
 * Opens customer field f of order o through the gate (actor, purpose; audited) into
 * plain. ERR_NOTFOUND when the order does not hold it (or it was shredded),
 * ERR_DENIED when the gate refuses.
 */
enum err order_field_read(struct privacy *p, struct store *s, const struct gate_actor *actor,
    enum purpose pu, const struct order *o, enum customer_field f, struct buf *plain);

/* ------------------------------------------------------------ providers ---- */

/*
 * A payment provider: start hands the customer on after the order is stored (invoice:
 * to the order page with payment instructions; hosted: to the external page). At most
 * LIMIT_URL_BYTES in the written URL.
 */
struct commerce_provider {
	const char *name;  /* "invoice", "hosted" */
	const char *label; /* what the customer sees */
	/* The URL the customer goes to next: order_page is our page for the order;
	 * ERR_INVAL when the provider is not configured. */
	enum err (*start)(const struct config *cfg, const struct order *o, const char *order_page,
	    struct buf *url);
};
/* The provider named name that cfg enables, or NULL. */
const struct commerce_provider *commerce_provider(const struct config *cfg, const char *name);
/* Every provider cfg enables, in order; *n gets how many (at most 2). */
size_t commerce_providers(const struct config *cfg, const struct commerce_provider **out,
    size_t max);

/*
 * The hosted provider's webhook signature header: "t=SECONDS,v1=HEX64" (the order of
 * the pairs free, unknown pairs ignored, each at most once). ERR_INVAL otherwise.
 */
enum err commerce_sig_parse(const char *header, int64_t *t, unsigned char mac[32]);
/* HMAC-SHA256(secret, "T." || body) of a webhook, as the provider computes it. */
void commerce_sig_compute(const char *secret, int64_t t, const char *body, size_t len,
    unsigned char mac[32]);
/*
 * Checks a webhook: a parseable header, |now - t| <= LIMIT_WEBHOOK_WINDOW_S and a MAC
 * equal (constant time) to commerce_sig_compute. ERR_DENIED with a reason in msg.
 */
enum err commerce_sig_check(const char *secret, const char *header, const char *body,
    size_t len, int64_t now, char *msg, size_t msgsize);
/*
 * Records a webhook event id of provider for order id once: ERR_CONFLICT when it was
 * seen before (a replay). Joins the caller's transaction.
 */
enum err commerce_event_once(struct store *s, const char *provider, const char *event,
    int64_t order);

#endif
