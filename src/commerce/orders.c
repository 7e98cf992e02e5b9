/*
 * orders: checkout, the order's customer fields and payment. An order is created in
 * one transaction: the row (found again by its key's hash when the form was sent
 * before), a guest's subject key, the sealed fields bound to the row, and its line.
 * Totals are computed here from the product's stored price, never taken from the form.
 * Customer fields are opened only through the gate (order_field_read).
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "commerce/commerce_int.h"

enum {
	SQL_ORDER_INSERT,
	SQL_ORDER_SEAL,
	SQL_LINE_INSERT,
	SQL_ORDER_BY_KEY,
	SQL_ORDER_BY_REF,
	SQL_ORDER_BY_ID,
	SQL_ORDER_LIST_SITE,
	SQL_ORDER_LIST_ALL,
	SQL_ORDER_LIST_PERSON,
	SQL_ORDER_PAID,
	SQL_ORDER_LAST4,
	SQL_FIELD_NAME,
	SQL_FIELD_EMAIL,
	SQL_FIELD_ADDRESS,
	SQL_FIELD_DATE,
	SQL_EVENT_ONCE,
	SQL_ORDERS__MAX
};

#define ORDER_COLS                                                                         \
	"o.id, o.site_id, COALESCE(o.person_id, 0), o.subject, o.ref, o.provider, o.status,"  \
	" o.currency, o.net, o.vat_bp, o.vat, o.total, o.fields, l.title, l.kind,"            \
	" l.quantity, l.unit_price, o.pay_ref, o.paid_at, o.created_at"                       \
	" FROM orders o JOIN order_lines l ON l.order_id = o.id AND l.line = 1"

static const struct store_stmt orders_sql[SQL_ORDERS__MAX] = {
	[SQL_ORDER_INSERT] = {"order_insert",
	    "INSERT INTO orders (site_id, person_id, subject, key_hash, ref, provider, status,"
	    " currency, net, vat_bp, vat, total, fields, pay_ref, paid_at, created_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, '', 0, ?)"
	    " ON CONFLICT (key_hash) DO NOTHING RETURNING id"},
	[SQL_ORDER_SEAL] = {"order_seal",
	    "UPDATE orders SET customer_name_sealed = ?, customer_email_sealed = ?,"
	    " customer_address_sealed = ?, booking_sealed = ? WHERE id = ?"},
	[SQL_LINE_INSERT] = {"order_line_insert",
	    "INSERT INTO order_lines (order_id, line, product_id, title, kind, unit_price,"
	    " quantity, amount) VALUES (?, 1, ?, ?, ?, ?, ?, ?)"},
	[SQL_ORDER_BY_KEY] = {"order_by_key", "SELECT " ORDER_COLS " WHERE o.key_hash = ?"},
	[SQL_ORDER_BY_REF] = {"order_by_ref", "SELECT " ORDER_COLS " WHERE o.ref = ?"},
	[SQL_ORDER_BY_ID] = {"order_by_id", "SELECT " ORDER_COLS " WHERE o.id = ?"},
	[SQL_ORDER_LIST_SITE] = {"order_list_site",
	    "SELECT " ORDER_COLS " WHERE o.site_id = ? ORDER BY o.id DESC LIMIT 500"},
	[SQL_ORDER_LIST_ALL] = {"order_list_all",
	    "SELECT " ORDER_COLS " ORDER BY o.id DESC LIMIT 500"},
	[SQL_ORDER_LIST_PERSON] = {"order_list_person",
	    "SELECT " ORDER_COLS " WHERE o.person_id = ? ORDER BY o.id DESC LIMIT 500"},
	[SQL_ORDER_PAID] = {"order_paid",
	    "UPDATE orders SET status = 1, pay_ref = ?, paid_at = ? WHERE id = ? AND status = 0"
	    " RETURNING id"},
	[SQL_ORDER_LAST4] = {"order_last4", "UPDATE orders SET card_last4_sealed = ? WHERE id = ?"},
	[SQL_FIELD_NAME] = {"order_field_name",
	    "SELECT customer_name_sealed FROM orders WHERE id = ?"},
	[SQL_FIELD_EMAIL] = {"order_field_email",
	    "SELECT customer_email_sealed FROM orders WHERE id = ?"},
	[SQL_FIELD_ADDRESS] = {"order_field_address",
	    "SELECT customer_address_sealed FROM orders WHERE id = ?"},
	[SQL_FIELD_DATE] = {"order_field_date", "SELECT booking_sealed FROM orders WHERE id = ?"},
	[SQL_EVENT_ONCE] = {"payment_event_once",
	    "INSERT INTO payment_events (provider, event_id, order_id, received_at)"
	    " VALUES (?, ?, ?, ?) ON CONFLICT (provider, event_id) DO NOTHING RETURNING order_id"},
};
_Static_assert(LIMIT_ORDERS_LISTED == 500, "the order lists say LIMIT 500");

/* The sealed column of each customer field, and its class for the gate. */
static const struct {
	const char *column;
	enum field_class cls;
	int stmt;
} order_columns[CUSTOMER__MAX] = {
	[CUSTOMER_NAME] = {"customer_name_sealed", FIELD_NAME, SQL_FIELD_NAME},
	[CUSTOMER_EMAIL] = {"customer_email_sealed", FIELD_EMAIL, SQL_FIELD_EMAIL},
	[CUSTOMER_ADDRESS] = {"customer_address_sealed", FIELD_ADDRESS, SQL_FIELD_ADDRESS},
	[CUSTOMER_DATE] = {"booking_sealed", FIELD_TEXT, SQL_FIELD_DATE},
};

const char *
order_status_name(enum order_status st)
{
	static const char *const names[ORDER_STATUS__MAX] = {"awaiting payment", "paid",
	    "cancelled"};

	return (unsigned)st < ORDER_STATUS__MAX ? names[st] : "?";
}

void
commerce_key_new(char out[COMMERCE_KEY_LEN + 1])
{
	unsigned char raw[24];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, COMMERCE_KEY_LEN + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool
commerce_key_ok(const char *key)
{
	size_t i;

	if (key == NULL || strlen(key) != COMMERCE_KEY_LEN)
		return false;
	for (i = 0; i < COMMERCE_KEY_LEN; i++) {
		char c = key[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			c == '-' || c == '_'))
			return false;
	}
	return true;
}

static void
order_key_hash(const char *key, unsigned char h[32])
{
	crypto_generichash(h, 32, (const unsigned char *)key, strlen(key), NULL, 0);
}

static enum err
order_row(struct store_q *q, struct arena *a, void *element)
{
	struct order *o = element;
	int64_t kind;

	o->id = store_col_int(q, 0);
	o->site = store_col_int(q, 1);
	o->person = store_col_int(q, 2);
	o->subject = arena_strdup(a, store_col_text(q, 3));
	o->ref = arena_strdup(a, store_col_text(q, 4));
	o->provider = arena_strdup(a, store_col_text(q, 5));
	o->status = (enum order_status)store_col_int(q, 6);
	str_copy(o->currency, store_col_text(q, 7), sizeof(o->currency));
	o->net = store_col_int(q, 8);
	o->vat_bp = store_col_int(q, 9);
	o->vat = store_col_int(q, 10);
	o->total = store_col_int(q, 11);
	o->fields = (unsigned)store_col_int(q, 12);
	o->product_title = arena_strdup(a, store_col_text(q, 13));
	kind = store_col_int(q, 14);
	o->product_kind = product_kind_name((enum product_kind)kind);
	o->quantity = store_col_int(q, 15);
	o->unit_price = store_col_int(q, 16);
	o->pay_ref = arena_strdup(a, store_col_text(q, 17));
	o->paid_at = store_col_int(q, 18);
	o->created_at = store_col_int(q, 19);
	if (!o->subject || !o->ref || !o->provider || !o->product_title || !o->pay_ref)
		return ERR_NOMEM;
	return ERR_OK;
}

/* True when s holds a run of 12 or more digits, spaces and dashes not breaking it: the
 * shape of a card number (they have 12 to 19 digits), which candor never stores. */
static bool
order_cardlike(const char *s)
{
	int run = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			if (++run >= 12)
				return true;
		} else if (*s != ' ' && *s != '-')
			run = 0;
	}
	return false;
}

/* Text of at most max characters: UTF-8, no control character but \n \r \t when
 * multiline. */
static bool
order_text_ok(const char *s, size_t max, bool multiline)
{
	size_t n = strlen(s), i;

	if (n == 0 || !str_utf8_valid(s, n) || str_utf8_len(s, n) > max)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 || c == 0x7f) && !(multiline && (c == '\n' || c == '\r' || c == '\t')))
			return false;
	}
	return true;
}

/* Checks in's fields against the kind; normalised values into vals. */
static bool
order_fields_ok(const struct order_input *in, const char *vals[CUSTOMER__MAX], char *email,
    size_t emailsize, char *msg, size_t msgsize)
{
	unsigned need = product_kind_fields(in->product->kind);
	int64_t day;
	int f;

	for (f = 0; f < CUSTOMER__MAX; f++) {
		const char *v = in->fields[f];
		bool given = v && v[0];
		vals[f] = NULL;
		if (!(need & (1u << f))) {
			if (given) {
				snprintf(msg, msgsize, "This product does not need your %s; it was "
						       "not accepted.",
				    f == CUSTOMER_ADDRESS ? "postal address" : customer_field_name(f));
				return false;
			}
			continue;
		}
		if (!given) {
			snprintf(msg, msgsize, "Please give your %s.",
			    f == CUSTOMER_ADDRESS ? "postal address" : f == CUSTOMER_DATE ?
			    "preferred date" : customer_field_name(f));
			return false;
		}
		if (order_cardlike(v)) {
			snprintf(msg, msgsize, "Your %s looks like it holds a card number; this shop "
					       "never takes card numbers. Please remove it.",
			    customer_field_name(f));
			return false;
		}
		switch (f) {
		case CUSTOMER_NAME:
			if (!order_text_ok(v, LIMIT_CUSTOMER_NAME, false)) {
				str_msg(msg, msgsize, "The name must be one line of at most 200 "
						      "characters.");
				return false;
			}
			break;
		case CUSTOMER_EMAIL:
			if (!people_email_ok(v, email, emailsize)) {
				str_msg(msg, msgsize, "The email address does not look right.");
				return false;
			}
			v = email;
			break;
		case CUSTOMER_ADDRESS:
			if (!order_text_ok(v, LIMIT_CUSTOMER_ADDRESS, true)) {
				str_msg(msg, msgsize, "The postal address must be text of at most 500 "
						      "characters.");
				return false;
			}
			break;
		case CUSTOMER_DATE:
			if (strlen(v) != 10 || time_parse_date(v, &day) != ERR_OK ||
			    day < time_now() - 86400) {
				str_msg(msg, msgsize, "The date must be today or later, as YYYY-MM-DD.");
				return false;
			}
			break;
		}
		vals[f] = v;
	}
	return true;
}

static enum err
order_find_key(struct store *s, struct arena *a, const unsigned char h[32], struct order *out)
{
	struct store_q *q;

	if ((q = store_prepare(s, &orders_sql[SQL_ORDER_BY_KEY])) == NULL)
		return store_done(NULL);
	store_bind_blob(q, 1, h, 32);
	return store_one(q, a, out, order_row);
}

enum err
order_create(struct privacy *p, struct store *s, struct arena *a, const struct order_input *in,
    struct order *out, bool *created, char *msg, size_t msgsize)
{
	const char *vals[CUSTOMER__MAX];
	struct buf sealed[CUSTOMER__MAX];
	unsigned char h[32], rnd[8];
	char email[LIMIT_FORM_EMAIL_BYTES + 1], ref[24], subject[64];
	const struct product *pr = in->product;
	struct store_q *q;
	int64_t bp = 0, net, vat, id = 0;
	unsigned fields = 0;
	size_t i;
	int f;
	enum err e;

	*created = false;
	for (f = 0; f < CUSTOMER__MAX; f++)
		buf_init(&sealed[f]);
	if (!commerce_key_ok(in->key)) {
		str_msg(msg, msgsize, "The form has expired; please reload the page and try again.");
		return ERR_INVAL;
	}
	if (in->quantity < 1 || in->quantity > LIMIT_ORDER_QUANTITY) {
		str_msg(msg, msgsize, "The quantity must be 1 to 100.");
		return ERR_INVAL;
	}
	if (pr == NULL || pr->site != in->site || !pr->active) {
		str_msg(msg, msgsize, "This product is not for sale.");
		return ERR_NOTFOUND;
	}
	order_key_hash(in->key, h);
	if ((e = store_begin(s)) != ERR_OK)
		return e;
	/* a second submit of the same form: the first order */
	if ((e = order_find_key(s, a, h, out)) != ERR_NOTFOUND) {
		if (e == ERR_OK && out->site != in->site) {
			e = ERR_INVAL; /* another site's order: never handed out */
			memset(out, 0, sizeof(*out));
			str_msg(msg, msgsize, "This checkout form was already used; load the "
			    "product page again and check out once more.");
		}
		if (e != ERR_OK)
			goto fail;
		e = store_commit(s);
		goto out;
	}
	if (!order_fields_ok(in, vals, email, sizeof(email), msg, msgsize)) {
		e = ERR_INVAL;
		goto fail;
	}
	if ((e = shop_vat_get(s, in->site, &bp)) != ERR_OK)
		goto fail;
	net = pr->price * in->quantity; /* both bounded: no overflow */
	if ((e = commerce_vat(net, bp, &vat)) != ERR_OK)
		goto fail;
	for (f = 0; f < CUSTOMER__MAX; f++)
		if (vals[f])
			fields |= 1u << f;
	randombytes_buf(rnd, sizeof(rnd));
	snprintf(ref, sizeof(ref), "C-");
	for (i = 0; i < sizeof(rnd); i++)
		ref[2 + i] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"[rnd[i] & 31];
	ref[2 + sizeof(rnd)] = '\0';
	if (in->person > 0)
		privacy_subject(in->person, subject);
	else
		snprintf(subject, sizeof(subject), "order:%s", ref);
	if ((q = store_prepare(s, &orders_sql[SQL_ORDER_INSERT])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_int(q, 1, in->site);
	if (in->person > 0)
		store_bind_int(q, 2, in->person);
	else
		store_bind_null(q, 2);
	store_bind_text(q, 3, subject);
	store_bind_blob(q, 4, h, sizeof(h));
	store_bind_text(q, 5, ref);
	store_bind_text(q, 6, in->provider);
	store_bind_text(q, 7, pr->currency);
	store_bind_int(q, 8, net);
	store_bind_int(q, 9, bp);
	store_bind_int(q, 10, vat);
	store_bind_int(q, 11, net + vat);
	store_bind_int(q, 12, fields);
	store_bind_int(q, 13, time_now());
	if (store_step(q) == STORE_ROW)
		id = store_col_int(q, 0);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if (id == 0) {
		/* the same key committed meanwhile by another request */
		if ((e = order_find_key(s, a, h, out)) != ERR_OK)
			goto fail;
		e = store_commit(s);
		goto out;
	}
	if (in->person <= 0 && (e = vault_subject_new(p, s, subject)) != ERR_OK)
		goto fail;
	for (f = 0; f < CUSTOMER__MAX; f++)
		if (vals[f] && (e = vault_seal(p, s, subject, "orders", order_columns[f].column, id,
				    vals[f], strlen(vals[f]), &sealed[f])) != ERR_OK)
			goto fail;
	if ((q = store_prepare(s, &orders_sql[SQL_ORDER_SEAL])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	for (f = 0; f < CUSTOMER__MAX; f++)
		if (vals[f])
			store_bind_blob(q, f + 1, sealed[f].data, sealed[f].len);
		else
			store_bind_null(q, f + 1);
	store_bind_int(q, 5, id);
	store_step(q);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if ((q = store_prepare(s, &orders_sql[SQL_LINE_INSERT])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_int(q, 1, id);
	store_bind_int(q, 2, pr->id);
	store_bind_text(q, 3, pr->title);
	store_bind_int(q, 4, pr->kind);
	store_bind_int(q, 5, pr->price);
	store_bind_int(q, 6, in->quantity);
	store_bind_int(q, 7, net);
	store_step(q);
	if ((e = store_done(q)) != ERR_OK ||
	    (e = order_find_key(s, a, h, out)) != ERR_OK)
		goto fail;
	if ((e = store_commit(s)) == ERR_OK)
		*created = true;
	goto out;
fail:
	store_rollback(s);
out:
	sodium_memzero(email, sizeof(email));
	for (f = 0; f < CUSTOMER__MAX; f++)
		buf_free(&sealed[f]);
	return e;
}

enum err
order_by_key(struct store *s, struct arena *a, int64_t site, const char *key, struct order *out)
{
	unsigned char h[32];
	enum err e;

	if (!commerce_key_ok(key))
		return ERR_NOTFOUND;
	order_key_hash(key, h);
	if ((e = order_find_key(s, a, h, out)) == ERR_OK && out->site != site)
		e = ERR_NOTFOUND;
	return e;
}

enum err
order_by_ref(struct store *s, struct arena *a, const char *ref, struct order *out)
{
	struct store_q *q;

	if ((q = store_prepare(s, &orders_sql[SQL_ORDER_BY_REF])) == NULL)
		return store_done(NULL);
	store_bind_text(q, 1, ref);
	return store_one(q, a, out, order_row);
}

enum err
order_get(struct store *s, struct arena *a, int64_t id, struct order *out)
{
	struct store_q *q;

	if ((q = store_prepare(s, &orders_sql[SQL_ORDER_BY_ID])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, id);
	return store_one(q, a, out, order_row);
}

enum err
order_list(struct store *s, struct arena *a, int64_t site, int64_t person, struct order **out,
    size_t *n)
{
	struct store_q *q;
	int stmt = person > 0 ? SQL_ORDER_LIST_PERSON : site > 0 ? SQL_ORDER_LIST_SITE
								  : SQL_ORDER_LIST_ALL;

	if ((q = store_prepare(s, &orders_sql[stmt])) == NULL)
		return store_done(NULL);
	if (stmt != SQL_ORDER_LIST_ALL)
		store_bind_int(q, 1, person > 0 ? person : site);
	return store_collect(q, a, sizeof(**out), order_row, (void **)out, n);
}

enum err
order_mark_paid(struct privacy *p, struct store *s, int64_t id, const char *pay_ref,
    const char *last4)
{
	struct arena *a;
	struct order o;
	struct store_q *q;
	struct buf sealed;
	bool found;
	size_t i;
	enum err e;

	if (pay_ref == NULL || !order_text_ok(pay_ref, LIMIT_PAY_REF, false) ||
	    order_cardlike(pay_ref))
		return ERR_INVAL;
	if (last4 && last4[0]) {
		if (strlen(last4) != 4)
			return ERR_INVAL;
		for (i = 0; i < 4; i++)
			if (last4[i] < '0' || last4[i] > '9')
				return ERR_INVAL;
	}
	if ((a = arena_new()) == NULL)
		return ERR_NOMEM;
	buf_init(&sealed);
	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	if ((q = store_prepare(s, &orders_sql[SQL_ORDER_PAID])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_text(q, 1, pay_ref);
	store_bind_int(q, 2, time_now());
	store_bind_int(q, 3, id);
	found = store_step(q) == STORE_ROW;
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if (!found) {
		e = order_get(s, a, id, &o) == ERR_OK ? ERR_CONFLICT : ERR_NOTFOUND;
		goto fail;
	}
	if (last4 && last4[0]) {
		if ((e = order_get(s, a, id, &o)) != ERR_OK)
			goto fail;
		e = vault_seal(p, s, o.subject, "orders", "card_last4_sealed", id, last4, 4, &sealed);
		/* a shredded subject (an erased member): the order is paid, no digits kept */
		if (e != ERR_OK && e != ERR_NOTFOUND)
			goto fail;
		if (e == ERR_OK) {
			if ((q = store_prepare(s, &orders_sql[SQL_ORDER_LAST4])) == NULL) {
				e = store_done(NULL);
				goto fail;
			}
			store_bind_blob(q, 1, sealed.data, sealed.len);
			store_bind_int(q, 2, id);
			store_step(q);
			if ((e = store_done(q)) != ERR_OK)
				goto fail;
		}
	}
	e = store_commit(s);
	goto out;
fail:
	store_rollback(s);
out:
	buf_free(&sealed);
	arena_free(a);
	return e;
}

enum err
order_field_read(struct privacy *p, struct store *s, const struct gate_actor *actor,
    enum purpose pu, const struct order *o, enum customer_field f, struct buf *plain)
{
	struct gate_field gf;
	struct store_q *q;
	struct buf sealed;
	const void *b;
	size_t n = 0;
	enum err e;

	if ((unsigned)f >= CUSTOMER__MAX || !(o->fields & (1u << f)))
		return ERR_NOTFOUND;
	buf_init(&sealed);
	if ((q = store_prepare(s, &orders_sql[order_columns[f].stmt])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, o->id);
	if (store_step(q) == STORE_ROW && (b = store_col_blob(q, 0, &n)) != NULL && n > 0)
		buf_append(&sealed, b, n);
	if ((e = store_done(q)) != ERR_OK)
		goto out;
	if (sealed.len == 0) {
		e = ERR_NOTFOUND;
		goto out;
	}
	if (sealed.failed) {
		e = ERR_NOMEM;
		goto out;
	}
	memset(&gf, 0, sizeof(gf));
	gf.subject = o->subject;
	gf.subject_person = o->person;
	gf.site = o->site;
	gf.cls = order_columns[f].cls;
	gf.table = "orders";
	gf.column = order_columns[f].column;
	gf.row = o->id;
	gf.sealed = sealed.data;
	gf.sealed_len = sealed.len;
	e = gate_read(p, s, actor, pu, &gf, plain);
out:
	buf_free(&sealed);
	return e;
}

enum err
commerce_event_once(struct store *s, const char *provider, const char *event, int64_t order)
{
	struct store_q *q;
	bool fresh;
	enum err e;

	if ((q = store_prepare(s, &orders_sql[SQL_EVENT_ONCE])) == NULL)
		return store_done(NULL);
	store_bind_text(q, 1, provider);
	store_bind_text(q, 2, event);
	store_bind_int(q, 3, order);
	store_bind_int(q, 4, time_now());
	fresh = store_step(q) == STORE_ROW;
	e = store_done(q);
	return e == ERR_OK && !fresh ? ERR_CONFLICT : e;
}
