/*
 * test_store_shop: the shop's domain (src/commerce) on the test's backend (both run).
 * Money: parsing at the currency's exponent, LIMIT_PRICE_MAX at N and N+1, formatting,
 * tax half-up once per order. Orders: only the fields the kind needs (a missing one and
 * an extra one refused, nothing stored), totals exact from the stored price, the same
 * key gives the same order, card-number-like input refused in every field and absent
 * from the database bytes, customer fields sealed (a plaintext scan finds none). The
 * gate's access matrix for customer fields (fulfilment for the site's admins only,
 * billing for the owner and granted staff, self for the member, nobody else), each
 * read audited. Erasing a member keeps the order with its fields shredded; retention
 * removes orders after the accounting period with a guest's key. Webhook signatures:
 * good, bad MAC, old and future timestamps, malformed headers; event ids once.
 */
#include <sodium.h>
#include <time.h>

#include "commerce/commerce.h"
#include "core/core.h"
#include "privacy/privacy.h"
#include "sites/sites.h"
#include "testlib.h"
#include "web/web.h"

static struct privacy *p;
static struct store *s;
static struct arena *a;

/* The bytes of every order row (PostgreSQL: its text form; SQLite: the files). */
static void
assert_db_absent(const char *needle)
{
	static const struct store_stmt pg_rows[] = {
	    {"t_orders_text", "SELECT CAST(t AS TEXT) FROM orders t"},
	    {"t_lines_text", "SELECT CAST(t AS TEXT) FROM order_lines t"},
	    {"t_events_text", "SELECT CAST(t AS TEXT) FROM payment_events t"},
	    {"t_audit_text", "SELECT CAST(t AS TEXT) FROM audit_log t"},
	};
	struct store_q *q;
	size_t i;

	if (strcmp(t_backend(), "sqlite") == 0) {
		T_EQ_INT(store_exec(s, &(struct store_stmt){"t_ckpt",
					  "PRAGMA wal_checkpoint(FULL)"}), ERR_OK);
		t_assert_absent(t_tmpdir(), needle);
		return;
	}
	for (i = 0; i < COUNTOF(pg_rows); i++) {
		T_ASSERT((q = store_prepare(s, &pg_rows[i])) != NULL);
		while (store_step(q) == STORE_ROW)
			T_NOT_CONTAINS(store_col_text(q, 0), needle);
		T_EQ_INT(store_done(q), ERR_OK);
	}
}

static enum err
order(const struct product *pr, int64_t person, const char *key, const char *name,
    const char *email, const char *address, const char *date, int64_t qty, struct order *o,
    bool *created, char *msg)
{
	struct order_input in;

	memset(&in, 0, sizeof(in));
	in.site = pr->site;
	in.product = pr;
	in.quantity = qty;
	in.person = person;
	in.key = key;
	in.provider = "invoice";
	in.fields[CUSTOMER_NAME] = name;
	in.fields[CUSTOMER_EMAIL] = email;
	in.fields[CUSTOMER_ADDRESS] = address;
	in.fields[CUSTOMER_DATE] = date;
	return order_create(p, s, a, &in, o, created, msg, 256);
}

static int64_t
count(const char *sql)
{
	/* each call its own statement: the store caches prepared statements by address */
	static char names[64][16];
	static struct store_stmt sts[64];
	static int used;
	struct store_stmt *st = &sts[used];
	struct store_q *q;
	int64_t n = -1;

	T_ASSERT(used < 64);
	snprintf(names[used], sizeof(names[0]), "t_count_%d", used);
	st->name = names[used];
	st->sql = sql;
	used++;

	T_ASSERT((q = store_prepare(s, st)) != NULL);
	if (store_step(q) == STORE_ROW)
		n = store_col_int(q, 0);
	T_EQ_INT(store_done(q), ERR_OK);
	return n;
}

static enum err
read_field(int64_t actor, enum purpose pu, const struct order *o, enum customer_field f,
    char *out, size_t outsize)
{
	struct gate_actor ga = {actor, false};
	struct buf b;
	enum err e;

	buf_init(&b);
	e = order_field_read(p, s, &ga, pu, o, f, &b);
	out[0] = '\0';
	if (e == ERR_OK)
		snprintf(out, outsize, "%.*s", (int)b.len, b.data);
	buf_free(&b);
	return e;
}

int
main(void)
{
	struct config cfg;
	struct product *list, digital, physical, service;
	struct order o1, o2, og, *ol;
	struct retention_report rep;
	char msg[256], key1[COMMERCE_KEY_LEN + 1], key2[COMMERCE_KEY_LEN + 1], out[64],
	    tomorrow[16], hex[65];
	unsigned char mac[32];
	int64_t v, site_a = 0, site_b = 0, id, admin_a, admin_b, member, buyer, staff, staff_nogrant,
	    owner, t, now = time_now();
	bool created;
	size_t n, i;
	time_t tt = (time_t)(now + 2 * 86400);
	struct tm tm;

	t_privacy_config(&cfg, NULL);
	s = t_privacy_store(&cfg);
	p = t_privacy_open(&cfg);
	T_EQ_INT(web_migrate(s), ERR_OK); /* every module: retention reaches them all */
	T_EQ_INT(commerce_migrate(s), ERR_OK);
	T_ASSERT((a = arena_new()) != NULL);
	gmtime_r(&tt, &tm);
	strftime(tomorrow, sizeof(tomorrow), "%Y-%m-%d", &tm);

	/* ---- money ---- */
	T_EQ_INT(commerce_money_parse("12.50", "EUR", &v), ERR_OK);
	T_EQ_INT(v, 1250);
	T_EQ_INT(commerce_money_parse("12.5", "EUR", &v), ERR_OK);
	T_EQ_INT(v, 1250);
	T_EQ_INT(commerce_money_parse("12", "EUR", &v), ERR_OK);
	T_EQ_INT(v, 1200);
	T_EQ_INT(commerce_money_parse("1500", "JPY", &v), ERR_OK);
	T_EQ_INT(v, 1500);
	T_EQ_INT(commerce_money_parse("1.5", "JPY", &v), ERR_INVAL);
	T_EQ_INT(commerce_money_parse("1.234", "KWD", &v), ERR_OK);
	T_EQ_INT(v, 1234);
	T_EQ_INT(commerce_money_parse("1.234", "EUR", &v), ERR_INVAL);
	T_EQ_INT(commerce_money_parse("-1", "EUR", &v), ERR_INVAL);
	T_EQ_INT(commerce_money_parse("1e3", "EUR", &v), ERR_INVAL);
	T_EQ_INT(commerce_money_parse("1.", "EUR", &v), ERR_INVAL);
	T_EQ_INT(commerce_money_parse(".5", "EUR", &v), ERR_INVAL);
	T_EQ_INT(commerce_money_parse(" 1", "EUR", &v), ERR_INVAL);
	T_EQ_INT(commerce_money_parse("", "EUR", &v), ERR_INVAL);
	T_EQ_INT(commerce_money_parse("1", "eur", &v), ERR_INVAL);
	/* LIMIT_PRICE_MAX minor units at N and N+1 */
	T_EQ_INT(commerce_money_parse("1000000000.00", "EUR", &v), ERR_OK);
	T_EQ_INT(v, LIMIT_PRICE_MAX);
	T_EQ_INT(commerce_money_parse("1000000000.01", "EUR", &v), ERR_INVAL);
	T_EQ_INT(commerce_money_parse("99999999999999999999999", "EUR", &v), ERR_INVAL);
	commerce_money_format(1250, "EUR", out, sizeof(out));
	T_EQ_STR(out, "12.50 EUR");
	commerce_money_format(5, "EUR", out, sizeof(out));
	T_EQ_STR(out, "0.05 EUR");
	commerce_money_format(1500, "JPY", out, sizeof(out));
	T_EQ_STR(out, "1500 JPY");
	commerce_money_format(1234, "KWD", out, sizeof(out));
	T_EQ_STR(out, "1.234 KWD");
	/* half-up: 5997 * 20 % = 1199.4 -> 1199; 2 * 1.9 % ... 50 * 10 % = 5; 25 * 10 % = 2.5 -> 3 */
	T_EQ_INT(commerce_vat(5997, 2000, &v), ERR_OK);
	T_EQ_INT(v, 1199);
	T_EQ_INT(commerce_vat(25, 1000, &v), ERR_OK);
	T_EQ_INT(v, 3);
	T_EQ_INT(commerce_vat(15, 1000, &v), ERR_OK);
	T_EQ_INT(v, 2);
	T_EQ_INT(commerce_vat(14, 1000, &v), ERR_OK);
	T_EQ_INT(v, 1);
	T_EQ_INT(commerce_vat(100, LIMIT_VAT_BP, &v), ERR_OK);
	T_EQ_INT(v, 100);
	T_EQ_INT(commerce_vat(100, LIMIT_VAT_BP + 1, &v), ERR_INVAL);
	T_EQ_INT(commerce_vat(-1, 100, &v), ERR_INVAL);

	/* ---- products ---- */
	T_EQ_INT(sites_add(s, "a.test", "Site A", "", "https://a.test", NULL, 0, &site_a), ERR_OK);
	T_EQ_INT(sites_add(s, "b.test", "Site B", "", "https://b.test", NULL, 0, &site_b), ERR_OK);
	T_EQ_INT(product_add(s, site_a, "Film licence", "A *licence*.", 125000, "EUR",
		     PRODUCT_DIGITAL, &id, msg, sizeof(msg)), ERR_OK);
	T_EQ_INT(product_add(s, site_a, "Poster", "", 1999, "EUR", PRODUCT_PHYSICAL, &id, msg,
		     sizeof(msg)), ERR_OK);
	T_EQ_INT(product_add(s, site_a, "Shoot", "", 50000, "EUR", PRODUCT_SERVICE, &id, msg,
		     sizeof(msg)), ERR_OK);
	T_EQ_INT(product_add(s, site_a, "Poster", "", 1, "EUR", PRODUCT_PHYSICAL, &id, msg,
		     sizeof(msg)), ERR_OK);
	T_EQ_INT(product_add(s, site_a, "Bad", "", LIMIT_PRICE_MAX + 1, "EUR", PRODUCT_DIGITAL,
		     &id, msg, sizeof(msg)), ERR_INVAL);
	T_EQ_INT(product_add(s, site_a, "Bad", "", 1, "EURO", PRODUCT_DIGITAL, &id, msg,
		     sizeof(msg)), ERR_INVAL);
	T_EQ_INT(product_add(s, site_a, "", "", 1, "EUR", PRODUCT_DIGITAL, &id, msg, sizeof(msg)),
	    ERR_INVAL);
	T_EQ_INT(product_list(s, a, site_a, false, &list, &n), ERR_OK);
	T_EQ_INT(n, 4);
	T_EQ_STR(list[0].slug, "poster-2");
	T_EQ_INT(product_find(s, a, site_a, "film-licence", &digital), ERR_OK);
	T_CONTAINS(digital.body_html, "<em>licence</em>");
	T_EQ_INT(product_find(s, a, site_a, "poster", &physical), ERR_OK);
	T_EQ_INT(product_find(s, a, site_a, "shoot", &service), ERR_OK);
	T_EQ_INT(product_find(s, a, site_b, "poster", &physical) == ERR_NOTFOUND, 1);
	T_EQ_INT(product_find(s, a, site_a, "poster", &physical), ERR_OK);
	T_EQ_INT(product_kind_fields(PRODUCT_DIGITAL), 1u << CUSTOMER_NAME | 1u << CUSTOMER_EMAIL);
	T_EQ_INT(product_kind_fields(PRODUCT_PHYSICAL),
	    1u << CUSTOMER_NAME | 1u << CUSTOMER_EMAIL | 1u << CUSTOMER_ADDRESS);
	T_EQ_INT(product_kind_fields(PRODUCT_SERVICE),
	    1u << CUSTOMER_NAME | 1u << CUSTOMER_EMAIL | 1u << CUSTOMER_DATE);
	T_EQ_INT(shop_vat_set(s, site_a, 2000), ERR_OK);
	T_EQ_INT(shop_vat_set(s, site_a, LIMIT_VAT_BP + 1), ERR_INVAL);
	T_EQ_INT(shop_vat_get(s, site_a, &v), ERR_OK);
	T_EQ_INT(v, 2000);

	/* ---- people ---- */
	admin_a = t_person(p, s, "admina", ROLE_MEMBER);
	admin_b = t_person(p, s, "adminb", ROLE_MEMBER);
	member = t_person(p, s, "member", ROLE_MEMBER);
	buyer = t_person(p, s, "buyer", ROLE_MEMBER);
	staff = t_person(p, s, "staffer", ROLE_STAFF);
	staff_nogrant = t_person(p, s, "staffnog", ROLE_STAFF);
	owner = t_person(p, s, "owner", ROLE_OWNER);
	T_EQ_INT(people_site_role(s, admin_a, site_a, SITE_ROLE_ADMIN, true), ERR_OK);
	T_EQ_INT(people_site_role(s, admin_b, site_b, SITE_ROLE_ADMIN, true), ERR_OK);
	T_EQ_INT(staff_set(s, staff, "Books Ltd", "GB"), ERR_OK);
	T_EQ_INT(staff_agreement(s, staff, "v1", now - 10), ERR_OK);
	T_EQ_INT(staff_grant(s, staff, PURPOSE_BILLING, now + 86400), ERR_OK);
	T_EQ_INT(staff_set(s, staff_nogrant, "Books Ltd", "GB"), ERR_OK);
	T_EQ_INT(staff_agreement(s, staff_nogrant, "v1", now - 10), ERR_OK);

	/* ---- only the fields the kind needs ---- */
	commerce_key_new(key1);
	T_ASSERT(commerce_key_ok(key1));
	T_ASSERT(!commerce_key_ok("short"));
	T_EQ_INT(order(&digital, 0, key1, "Ann Guest", "ann.guest@example.test",
		     "1 Secret Lane, Hiddentown", NULL, 1, &o1, &created, msg), ERR_INVAL);
	T_CONTAINS(msg, "postal address");
	T_EQ_INT(order(&digital, 0, key1, "Ann Guest", "ann.guest@example.test", NULL, tomorrow,
		     1, &o1, &created, msg), ERR_INVAL);
	T_EQ_INT(order(&physical, 0, key1, "Ann Guest", "ann.guest@example.test", NULL, NULL, 1,
		     &o1, &created, msg), ERR_INVAL);
	T_CONTAINS(msg, "postal address");
	T_EQ_INT(order(&service, 0, key1, "Ann Guest", "ann.guest@example.test", NULL, NULL, 1,
		     &o1, &created, msg), ERR_INVAL);
	T_EQ_INT(order(&service, 0, key1, "Ann Guest", "ann.guest@example.test", NULL,
		     "2001-01-01", 1, &o1, &created, msg), ERR_INVAL);
	T_EQ_INT(order(&digital, 0, key1, "", "ann.guest@example.test", NULL, NULL, 1, &o1,
		     &created, msg), ERR_INVAL);
	T_EQ_INT(order(&digital, 0, key1, "Ann Guest", "not-an-email", NULL, NULL, 1, &o1,
		     &created, msg), ERR_INVAL);
	T_EQ_INT(order(&digital, 0, key1, "Ann Guest", "ann.guest@example.test", NULL, NULL,
		     LIMIT_ORDER_QUANTITY + 1, &o1, &created, msg), ERR_INVAL);
	T_EQ_INT(count("SELECT COUNT(*) FROM orders"), 0);
	assert_db_absent("Secret Lane");

	/* card numbers in every field: refused, never stored */
	{
		static const char *const cards[] = {"4111111111111111", "4111 1111 1111 1111",
		    "5500-0000-0000-0004", "378282246310005", NULL};
		for (i = 0; cards[i]; i++) {
			char email[80], name[80];
			snprintf(name, sizeof(name), "Ann %s", cards[i]);
			snprintf(email, sizeof(email), "x%.19s@example.test", cards[i]);
			T_EQ_INT(order(&physical, 0, key1, name, "ann@example.test", "1 Main St",
				     NULL, 1, &o1, &created, msg), ERR_INVAL);
			T_CONTAINS(msg, "card number");
			T_EQ_INT(order(&physical, 0, key1, "Ann", "ann@example.test", cards[i], NULL,
				     1, &o1, &created, msg), ERR_INVAL);
			T_EQ_INT(order(&physical, 0, key1, "Ann", email, "1 Main St", NULL, 1, &o1,
				     &created, msg), ERR_INVAL);
			T_EQ_INT(order(&service, 0, key1, "Ann", "ann@example.test", NULL, cards[i],
				     1, &o1, &created, msg), ERR_INVAL);
		}
		T_EQ_INT(count("SELECT COUNT(*) FROM orders"), 0);
	}

	/* ---- a guest's physical order: totals exact, idempotent ---- */
	T_EQ_INT(order(&physical, 0, key1, "Ann Guest", "Ann.Guest@Example.test",
		     "1 Secret Lane\nHiddentown", NULL, 3, &o1, &created, msg), ERR_OK);
	T_ASSERT(created);
	T_EQ_INT(o1.net, 5997);
	T_EQ_INT(o1.vat_bp, 2000);
	T_EQ_INT(o1.vat, 1199);
	T_EQ_INT(o1.total, 7196);
	T_EQ_INT(o1.quantity, 3);
	T_EQ_INT(o1.unit_price, 1999);
	T_EQ_INT(o1.status, ORDER_AWAITING_PAYMENT);
	T_EQ_STR(o1.currency, "EUR");
	T_EQ_INT(o1.person, 0);
	T_EQ_INT(strncmp(o1.subject, "order:C-", 8), 0);
	T_EQ_INT(order(&physical, 0, key1, "Someone Else", "other@example.test", "Elsewhere",
		     NULL, 1, &o2, &created, msg), ERR_OK);
	T_ASSERT(!created);
	T_EQ_INT(o2.id, o1.id);
	T_EQ_INT(o2.total, 7196);
	T_EQ_INT(count("SELECT COUNT(*) FROM orders"), 1);
	T_EQ_INT(count("SELECT COUNT(*) FROM order_lines"), 1);
	T_EQ_INT(order_by_key(s, a, site_a, key1, &o2), ERR_OK);
	T_EQ_INT(o2.id, o1.id);
	T_EQ_INT(order_by_key(s, a, site_b, key1, &o2), ERR_NOTFOUND);
	{
		/* the same key sent to another site's checkout never hands out this order */
		struct product other = physical;
		other.site = site_b;
		memset(&o2, 0, sizeof(o2));
		T_EQ_INT(order(&other, 0, key1, "Eve", "eve@example.test", "Elsewhere", NULL, 1,
			     &o2, &created, msg), ERR_INVAL);
		T_ASSERT(o2.id != o1.id);
		T_EQ_INT(count("SELECT COUNT(*) FROM orders"), 1);
	}
	assert_db_absent("Secret Lane");
	assert_db_absent("Ann Guest");
	assert_db_absent("ann.guest@example");
	assert_db_absent(key1);

	/* ---- the access matrix for the guest's fields ---- */
	T_EQ_INT(read_field(admin_a, PURPOSE_FULFILMENT, &o1, CUSTOMER_ADDRESS, out, sizeof(out)),
	    ERR_OK);
	T_EQ_STR(out, "1 Secret Lane\nHiddentown");
	T_EQ_INT(read_field(admin_a, PURPOSE_FULFILMENT, &o1, CUSTOMER_EMAIL, out, sizeof(out)),
	    ERR_OK);
	T_EQ_STR(out, "ann.guest@example.test");
	T_EQ_INT(read_field(admin_a, PURPOSE_FULFILMENT, &o1, CUSTOMER_NAME, out, sizeof(out)),
	    ERR_OK);
	T_EQ_STR(out, "Ann Guest");
	T_EQ_INT(read_field(admin_b, PURPOSE_FULFILMENT, &o1, CUSTOMER_EMAIL, out, sizeof(out)),
	    ERR_DENIED);
	T_EQ_INT(read_field(member, PURPOSE_FULFILMENT, &o1, CUSTOMER_EMAIL, out, sizeof(out)),
	    ERR_DENIED);
	T_EQ_INT(read_field(member, PURPOSE_BILLING, &o1, CUSTOMER_EMAIL, out, sizeof(out)),
	    ERR_DENIED);
	T_EQ_INT(read_field(member, PURPOSE_SELF, &o1, CUSTOMER_EMAIL, out, sizeof(out)),
	    ERR_DENIED);
	T_EQ_INT(read_field(admin_a, PURPOSE_MODERATION, &o1, CUSTOMER_EMAIL, out, sizeof(out)),
	    ERR_DENIED);
	T_EQ_INT(read_field(admin_a, PURPOSE_BILLING, &o1, CUSTOMER_EMAIL, out, sizeof(out)),
	    ERR_DENIED);
	T_EQ_INT(read_field(staff, PURPOSE_BILLING, &o1, CUSTOMER_ADDRESS, out, sizeof(out)),
	    ERR_OK);
	T_EQ_STR(out, "1 Secret Lane\nHiddentown");
	T_EQ_INT(read_field(staff, PURPOSE_SUPPORT, &o1, CUSTOMER_ADDRESS, out, sizeof(out)),
	    ERR_DENIED);
	T_EQ_INT(read_field(staff_nogrant, PURPOSE_BILLING, &o1, CUSTOMER_EMAIL, out, sizeof(out)),
	    ERR_DENIED);
	T_EQ_INT(read_field(owner, PURPOSE_BILLING, &o1, CUSTOMER_NAME, out, sizeof(out)), ERR_OK);
	T_EQ_INT(read_field(owner, PURPOSE_BILLING, &o1, CUSTOMER_DATE, out, sizeof(out)),
	    ERR_NOTFOUND); /* a physical order holds no date */
	{
		struct audit_entry *ae;
		size_t na, allow = 0, deny = 0;
		T_EQ_INT(audit_list(p, s, a, o1.subject, &ae, &na), ERR_OK);
		for (i = 0; i < na; i++) {
			allow += strcmp(ae[i].decision, "allow") == 0;
			deny += strcmp(ae[i].decision, "deny") == 0;
		}
		T_EQ_INT(allow, 5);
		T_EQ_INT(deny, 8);
	}

	/* ---- a member's service order: self, export view, erasure ---- */
	commerce_key_new(key2);
	T_EQ_INT(order(&service, buyer, key2, "Bea Buyer", "bea.buyer@example.test", NULL,
		     tomorrow, 2, &o2, &created, msg), ERR_OK);
	T_ASSERT(created);
	T_EQ_INT(o2.net, 100000);
	T_EQ_INT(o2.vat, 20000);
	T_EQ_INT(o2.total, 120000);
	snprintf(msg, sizeof(msg), "user:%lld", (long long)buyer);
	T_EQ_STR(o2.subject, msg);
	T_EQ_INT(read_field(buyer, PURPOSE_SELF, &o2, CUSTOMER_DATE, out, sizeof(out)), ERR_OK);
	T_EQ_STR(out, tomorrow);
	T_EQ_INT(read_field(member, PURPOSE_SELF, &o2, CUSTOMER_DATE, out, sizeof(out)),
	    ERR_DENIED);
	T_EQ_INT(read_field(admin_a, PURPOSE_FULFILMENT, &o2, CUSTOMER_DATE, out, sizeof(out)),
	    ERR_OK);
	T_EQ_INT(order_list(s, a, 0, buyer, &ol, &n), ERR_OK);
	T_EQ_INT(n, 1);
	T_EQ_INT(order_list(s, a, site_a, 0, &ol, &n), ERR_OK);
	T_EQ_INT(n, 2);
	T_EQ_INT(order_list(s, a, site_b, 0, &ol, &n), ERR_OK);
	T_EQ_INT(n, 0);

	/* ---- paying: invoice reference, last four digits sealed, once ---- */
	T_EQ_INT(order_mark_paid(p, s, o2.id, "4111111111111111", NULL), ERR_INVAL);
	T_EQ_INT(order_mark_paid(p, s, o2.id, "BANK-2026-77", "12345"), ERR_INVAL);
	T_EQ_INT(order_mark_paid(p, s, o2.id, "BANK-2026-77", "4242"), ERR_OK);
	T_EQ_INT(order_mark_paid(p, s, o2.id, "BANK-2026-78", NULL), ERR_CONFLICT);
	T_EQ_INT(order_mark_paid(p, s, 999999, "X", NULL), ERR_NOTFOUND);
	T_EQ_INT(order_get(s, a, o2.id, &o2), ERR_OK);
	T_EQ_INT(o2.status, ORDER_PAID);
	T_EQ_STR(o2.pay_ref, "BANK-2026-77");
	T_ASSERT(o2.paid_at >= now);
	T_EQ_INT(count("SELECT COUNT(*) FROM orders WHERE card_last4_sealed IS NOT NULL"), 1);
	T_EQ_INT(count("SELECT id FROM orders WHERE card_last4_sealed IS NOT NULL"), o2.id);
	assert_db_absent("4111111111111111");
	assert_db_absent("4111 1111");
	assert_db_absent("bea.buyer@example");

	/* ---- erasing the member keeps the order, shreds its fields ---- */
	T_EQ_INT(rights_erase(p, s, buyer), ERR_OK);
	T_EQ_INT(order_get(s, a, o2.id, &o2), ERR_OK);
	T_EQ_INT(o2.person, 0);
	T_EQ_INT(o2.total, 120000);
	T_EQ_INT(o2.status, ORDER_PAID);
	T_ASSERT(read_field(owner, PURPOSE_BILLING, &o2, CUSTOMER_NAME, out, sizeof(out)) != ERR_OK);
	T_ASSERT(read_field(admin_a, PURPOSE_FULFILMENT, &o2, CUSTOMER_EMAIL, out, sizeof(out)) !=
	    ERR_OK);
	T_EQ_STR(out, "");

	/* ---- webhook signatures ---- */
	t = now;
	commerce_sig_compute("s3cret-s3cret-s3cret", t, "event=e1&order=C-1", 18, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, 32);
	snprintf(msg, sizeof(msg), "t=%lld,v1=%s", (long long)t, hex);
	T_EQ_INT(commerce_sig_check("s3cret-s3cret-s3cret", msg, "event=e1&order=C-1", 18, now,
		     out, sizeof(out)), ERR_OK);
	T_EQ_INT(commerce_sig_parse(msg, &v, mac), ERR_OK);
	T_EQ_INT(v, t);
	/* the body changed, another secret, an old or future timestamp: refused */
	T_EQ_INT(commerce_sig_check("s3cret-s3cret-s3cret", msg, "event=e1&order=C-2", 18, now,
		     out, sizeof(out)), ERR_DENIED);
	T_CONTAINS(out, "does not match");
	T_EQ_INT(commerce_sig_check("another-secret-here", msg, "event=e1&order=C-1", 18, now, out,
		     sizeof(out)), ERR_DENIED);
	T_EQ_INT(commerce_sig_check("s3cret-s3cret-s3cret", msg, "event=e1&order=C-1", 18,
		     now + LIMIT_WEBHOOK_WINDOW_S, out, sizeof(out)), ERR_OK);
	T_EQ_INT(commerce_sig_check("s3cret-s3cret-s3cret", msg, "event=e1&order=C-1", 18,
		     now + LIMIT_WEBHOOK_WINDOW_S + 1, out, sizeof(out)), ERR_DENIED);
	T_CONTAINS(out, "window");
	T_EQ_INT(commerce_sig_check("s3cret-s3cret-s3cret", msg, "event=e1&order=C-1", 18,
		     now - LIMIT_WEBHOOK_WINDOW_S - 1, out, sizeof(out)), ERR_DENIED);
	T_EQ_INT(commerce_sig_check("", msg, "event=e1&order=C-1", 18, now, out, sizeof(out)),
	    ERR_DENIED);
	{
		static const char *const bad[] = {"", "t=1", "v1=00", "t=,v1=", "t=1,t=2,v1=00",
		    "t=x,v1=0000000000000000000000000000000000000000000000000000000000000000",
		    "t=1,v1=000000000000000000000000000000000000000000000000000000000000000",
		    "t=1,v1=zz00000000000000000000000000000000000000000000000000000000000000",
		    "garbage", NULL};
		for (i = 0; bad[i]; i++)
			T_EQ_INT(commerce_sig_parse(bad[i], &v, mac), ERR_INVAL);
		T_EQ_INT(commerce_sig_parse(NULL, &v, mac), ERR_INVAL);
		T_EQ_INT(commerce_sig_parse("v1=0000000000000000000000000000000000000000000000000000"
					    "000000000000,x=y,t=5", &v, mac), ERR_OK);
		T_EQ_INT(v, 5);
	}
	T_EQ_INT(commerce_event_once(s, "hosted", "evt_1", o1.id), ERR_OK);
	T_EQ_INT(commerce_event_once(s, "hosted", "evt_1", o1.id), ERR_CONFLICT);
	T_EQ_INT(commerce_event_once(s, "hosted", "evt_2", o1.id), ERR_OK);

	/* ---- retention: orders past the accounting period go, with a guest's key ---- */
	T_EQ_INT(cfg.retention_order_days, 2557);
	T_EQ_INT(retention_run(p, s, &cfg, &rep), ERR_OK);
	T_EQ_INT(count("SELECT COUNT(*) FROM orders"), 2);
	T_EQ_INT(store_exec(s, &(struct store_stmt){"t_age",
				  "UPDATE orders SET created_at = created_at - 2558 * 86400"}),
	    ERR_OK);
	T_EQ_INT(store_exec(s, &(struct store_stmt){"t_age_keys",
				  "UPDATE vault_keys SET created_at = created_at - 2558 * 86400"
				  " WHERE subject LIKE 'order:%'"}),
	    ERR_OK);
	og = o1;
	T_EQ_INT(count("SELECT COUNT(*) FROM vault_keys WHERE subject LIKE 'order:%'"), 1);
	T_EQ_INT(retention_run(p, s, &cfg, &rep), ERR_OK);
	T_EQ_INT(count("SELECT COUNT(*) FROM orders"), 0);
	T_EQ_INT(count("SELECT COUNT(*) FROM order_lines"), 0);
	T_EQ_INT(count("SELECT COUNT(*) FROM vault_keys WHERE subject LIKE 'order:%'"), 0);
	T_EQ_INT(order_get(s, a, og.id, &og), ERR_NOTFOUND);

	/* the tables are listed for `candor db copy`, parents first */
	T_EQ_STR(commerce_tables[0].name, "shop_settings");
	T_EQ_INT(commerce_tables_count, 5);
	arena_free(a);
	privacy_free(p);
	store_close(s);
	return 0;
}
