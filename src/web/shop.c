/*
 * shop (web): the storefront and checkout (issue 9). /shop lists a site's products,
 * /shop/SLUG shows one with the checkout form holding only the fields its kind needs
 * (name and email always, a postal address for physical goods, a date for a booked
 * service), a CSRF token and a fresh idempotency key. POST /shop/SLUG creates the
 * order (commerce/orders.c: one transaction, the fields sealed, the confirmation mail
 * of a member queued in it) and sends the customer on: to /shop/order/KEY for an
 * invoice, to the hosted payment page otherwise. Submitting the same form again gives
 * the same order. A field the form does not declare, or one the kind does not need,
 * is refused with a sentence: nothing is stored. POST /shop/webhook/hosted takes the
 * hosted provider's signed notice (commerce/providers.c). Members see their orders at
 * /account/orders and in their export.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "commerce/commerce.h"
#include "mail/mail.h"
#include "web/web_int.h"

#define CSRF_SHOP_CHECKOUT "shop-checkout"

enum { SC_KEY, SC_QUANTITY, SC_PROVIDER, SC_NAME, SC_EMAIL, SC_ADDRESS, SC_DATE };
static const struct form_field checkout_fields[] = {
	[SC_KEY] = {"key", "Order key", FORM_TEXT, COMMERCE_KEY_LEN, true, 0, 0},
	[SC_QUANTITY] = {"quantity", "Quantity", FORM_INTEGER, 3, false, 1, LIMIT_ORDER_QUANTITY},
	[SC_PROVIDER] = {"provider", "Payment", FORM_TEXT, 16, false, 0, 0},
	[SC_NAME] = {"name", "Name", FORM_TEXT, LIMIT_CUSTOMER_NAME, false, 0, 0},
	[SC_EMAIL] = {"email", "Email", FORM_TEXT, LIMIT_FORM_EMAIL_BYTES, false, 0, 0},
	[SC_ADDRESS] = {"address", "Postal address", FORM_MULTILINE, LIMIT_CUSTOMER_ADDRESS,
	    false, 0, 0},
	[SC_DATE] = {"date", "Date", FORM_TEXT, 10, false, 0, 0},
};
/* the customer field each form field carries */
static const int checkout_customer[CUSTOMER__MAX] = {
	[CUSTOMER_NAME] = SC_NAME,
	[CUSTOMER_EMAIL] = SC_EMAIL,
	[CUSTOMER_ADDRESS] = SC_ADDRESS,
	[CUSTOMER_DATE] = SC_DATE,
};

static void
shop_fail(struct http_response *res, enum err e)
{
	res->status = e == ERR_UNAVAIL ? 503 : 500;
	buf_reset(&res->body);
}

static const char *
shop_money(struct arena *a, int64_t minor, const char *currency)
{
	char out[48];

	commerce_money_format(minor, currency, out, sizeof(out));
	return arena_strdup(a, out);
}

/* "20 %" or "7.5 %" from basis points. */
static const char *
shop_rate(struct arena *a, int64_t bp)
{
	if (bp % 100 == 0)
		return arena_printf(a, "%lld %%", (long long)(bp / 100));
	if (bp % 10 == 0)
		return arena_printf(a, "%lld.%lld %%", (long long)(bp / 100), (long long)(bp % 100 / 10));
	return arena_printf(a, "%lld.%02lld %%", (long long)(bp / 100), (long long)(bp % 100));
}

void
web_shop_order_vals(struct arena *a, struct tmpl_val *v, const struct order *o)
{
	char date[32];

	tmpl_set_str(v, "ref", o->ref);
	tmpl_set_str(v, "product", o->product_title);
	tmpl_set_str(v, "kind", o->product_kind);
	tmpl_set_int(v, "quantity", o->quantity);
	tmpl_set_str(v, "unit_price", shop_money(a, o->unit_price, o->currency));
	tmpl_set_str(v, "net", shop_money(a, o->net, o->currency));
	tmpl_set_str(v, "vat_rate", shop_rate(a, o->vat_bp));
	tmpl_set_str(v, "vat", shop_money(a, o->vat, o->currency));
	tmpl_set_str(v, "total", shop_money(a, o->total, o->currency));
	tmpl_set_str(v, "status", order_status_name(o->status));
	tmpl_set_bool(v, "paid", o->status == ORDER_PAID);
	tmpl_set_bool(v, "awaiting", o->status == ORDER_AWAITING_PAYMENT);
	tmpl_set_str(v, "provider", o->provider);
	tmpl_set_bool(v, "invoice", strcmp(o->provider, "invoice") == 0);
	tmpl_set_str(v, "pay_ref", o->pay_ref);
	time_human_date(o->created_at, date);
	tmpl_set_str(v, "created", date);
}

/* ------------------------------------------------------------ storefront ---- */

static void
shop_index(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct tmpl_val *ctx, *list, *item;
	struct product *pr;
	struct store *s;
	struct site site;
	size_t n, i;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	if ((e = product_list(s, req->arena, site.id, false, &pr, &n)) != ERR_OK) {
		shop_fail(res, e);
		return;
	}
	if ((ctx = web_context(app, req, res, &site, s)) == NULL)
		return;
	tmpl_set_str(ctx, "page_title", "Shop");
	tmpl_set_bool(ctx, "has_products", n > 0);
	list = tmpl_set_list(ctx, "products");
	for (i = 0; i < n && list; i++) {
		item = tmpl_list_add(list);
		tmpl_set_str(item, "title", pr[i].title);
		tmpl_set_str(item, "href", arena_printf(req->arena, "/shop/%s", pr[i].slug));
		tmpl_set_str(item, "price", shop_money(req->arena, pr[i].price, pr[i].currency));
		tmpl_set_str(item, "kind", product_kind_name(pr[i].kind));
	}
	res->cache_control = "no-cache";
	res->cacheable = true;
	web_render(app, res, "shop", ctx);
}

struct shop_view {
	int status;
	const char *error;
	const struct form_values *fv;
};

static void
shop_product_page(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, const struct product *pr,
    const struct shop_view *view)
{
	const struct commerce_provider *pv[4];
	struct tmpl_val *ctx, *o, *f, *list, *item;
	char key[COMMERCE_KEY_LEN + 1];
	unsigned need = product_kind_fields(pr->kind);
	int64_t bp = 0;
	size_t np, i;
	enum err e;

	if ((e = shop_vat_get(s, site->id, &bp)) != ERR_OK) {
		shop_fail(res, e);
		return;
	}
	if ((ctx = web_context(app, req, res, site, s)) == NULL)
		return;
	res->status = view->status ? view->status : 200;
	/* the form holds a fresh idempotency key: never cached, never shared */
	res->cache_control = "no-store";
	tmpl_set_str(ctx, "page_title", pr->title);
	tmpl_set_str(ctx, "error", view->error);
	o = tmpl_set_obj(ctx, "product");
	tmpl_set_str(o, "title", pr->title);
	tmpl_set_str(o, "slug", pr->slug);
	tmpl_set_html(o, "body", pr->body_html);
	tmpl_set_str(o, "price", shop_money(req->arena, pr->price, pr->currency));
	tmpl_set_str(o, "kind", product_kind_name(pr->kind));
	tmpl_set_str(o, "vat_rate", shop_rate(req->arena, bp));
	tmpl_set_bool(o, "has_vat", bp > 0);
	f = tmpl_set_obj(ctx, "form");
	tmpl_set_str(f, "action", arena_printf(req->arena, "/shop/%s", pr->slug));
	tmpl_set_str(f, "csrf", web_csrf_token(app, req, CSRF_SHOP_CHECKOUT));
	if (view->fv && commerce_key_ok(view->fv->values[SC_KEY].text))
		tmpl_set_str(f, "key", view->fv->values[SC_KEY].text);
	else {
		commerce_key_new(key);
		tmpl_set_str(f, "key", arena_strdup(req->arena, key));
	}
	tmpl_set_bool(f, "need_address", need & (1u << CUSTOMER_ADDRESS));
	tmpl_set_bool(f, "need_date", need & (1u << CUSTOMER_DATE));
	if (view->fv) {
		tmpl_set_str(f, "name", view->fv->values[SC_NAME].text);
		tmpl_set_str(f, "email", view->fv->values[SC_EMAIL].text);
		tmpl_set_str(f, "address", view->fv->values[SC_ADDRESS].text);
		tmpl_set_str(f, "date", view->fv->values[SC_DATE].text);
		tmpl_set_int(f, "quantity", view->fv->values[SC_QUANTITY].present ?
						view->fv->values[SC_QUANTITY].number : 1);
	} else
		tmpl_set_int(f, "quantity", 1);
	np = commerce_providers(&app->cfg, pv, COUNTOF(pv));
	tmpl_set_bool(f, "one_provider", np == 1);
	tmpl_set_bool(f, "has_provider", np > 0);
	if (np == 1)
		tmpl_set_str(f, "provider", pv[0]->name);
	list = tmpl_set_list(f, "providers");
	for (i = 0; i < np && list; i++) {
		item = tmpl_list_add(list);
		tmpl_set_str(item, "name", pv[i]->name);
		tmpl_set_str(item, "label", pv[i]->label);
		tmpl_set_bool(item, "checked", i == 0);
	}
	web_render(app, res, "shop_product", ctx);
}

static bool
shop_find(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, struct product *pr)
{
	enum err e = product_find(s, req->arena, site->id, http_param(req, "slug"), pr);

	if (e == ERR_OK && pr->active)
		return true;
	if (e == ERR_OK || e == ERR_NOTFOUND) {
		res->status = 404;
		web_error_page(app, req, res, "Not found", "There is no such product in this shop.");
	} else
		shop_fail(res, e);
	return false;
}

static void
shop_product_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct shop_view view;
	struct product pr;
	struct store *s;
	struct site site;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site) ||
	    !shop_find(app, req, res, s, &site, &pr))
		return;
	memset(&view, 0, sizeof(view));
	shop_product_page(app, req, res, s, &site, &pr, &view);
}

/* The form's field names that are neither declared nor the csrf field: refused. */
static const char *
shop_undeclared(const struct http_request *req)
{
	size_t i, j;
	bool ok;

	for (i = 0; i < req->form.n; i++) {
		ok = strcmp(req->form.fields[i].name, CSRF_FIELD) == 0;
		for (j = 0; !ok && j < COUNTOF(checkout_fields); j++)
			ok = strcmp(req->form.fields[i].name, checkout_fields[j].name) == 0;
		if (!ok)
			return req->form.fields[i].name;
	}
	return NULL;
}

/* Queues the confirmation (a member: to the address given, under their key) in the
 * caller's transaction. Guests see the same text on the order page. */
static enum err
shop_confirmation(struct web_app *app, struct store *s, struct arena *a,
    const struct site *site, const struct order *o, const char *to, const char *page)
{
	struct buf text;
	enum err e;

	buf_init(&text);
	buf_printf(&text, "Hello,\n\nThank you for your order %s at %s.\n\n"
			  "  %s x %lld at %s\n  Net: %s\n  Tax (%s): %s\n  Total: %s\n\n",
	    o->ref, site->title, o->product_title, (long long)o->quantity,
	    shop_money(a, o->unit_price, o->currency), shop_money(a, o->net, o->currency),
	    shop_rate(a, o->vat_bp), shop_money(a, o->vat, o->currency),
	    shop_money(a, o->total, o->currency));
	if (strcmp(o->provider, "invoice") == 0)
		buf_printf(&text, "Please pay %s by bank transfer with the reference %s.\n",
		    shop_money(a, o->total, o->currency), o->ref);
	buf_printf(&text, "Your order: %s%s\n\n-- \n%s\n%s/\n", site->origin, page, site->title,
	    site->origin);
	if (text.failed)
		e = ERR_NOMEM;
	else
		e = mail_enqueue(app->privacy, s, o->person, to,
		    arena_printf(a, "Your order %s", o->ref), text.data, NULL);
	buf_free(&text);
	return e;
}

enum err
web_shop_receipt(struct web_app *app, struct store *s, struct arena *a, int64_t order)
{
	struct gate_actor sys = {0, true};
	struct site *sites = NULL;
	const struct site *site = NULL;
	struct order o;
	struct buf text, to;
	size_t n = 0, i;
	enum err e;

	if ((e = order_get(s, a, order, &o)) != ERR_OK)
		return e;
	if (o.person <= 0 || o.status != ORDER_PAID)
		return ERR_OK; /* a guest (the outbox delivers to account holders), or erased */
	if ((e = sites_list(s, a, &sites, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++)
		if (sites[i].id == o.site)
			site = &sites[i];
	if (site == NULL)
		return ERR_NOTFOUND;
	buf_init(&text);
	buf_init(&to);
	e = order_field_read(app->privacy, s, &sys, PURPOSE_DELIVERY, &o, CUSTOMER_EMAIL, &to);
	if (e == ERR_NOTFOUND || e == ERR_CRYPTO || e == ERR_DENIED) {
		e = ERR_OK; /* no readable address (shredded): no receipt */
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	buf_printf(&text, "Hello,\n\nWe received your payment for order %s at %s. This is your "
			  "receipt.\n\n  %s x %lld at %s\n  Net: %s\n  Tax (%s): %s\n  Total paid: %s\n"
			  "  Payment reference: %s\n\n-- \n%s\n%s/\n",
	    o.ref, site->title, o.product_title, (long long)o.quantity,
	    shop_money(a, o.unit_price, o.currency), shop_money(a, o.net, o.currency),
	    shop_rate(a, o.vat_bp), shop_money(a, o.vat, o.currency),
	    shop_money(a, o.total, o.currency), o.pay_ref, site->title, site->origin);
	e = text.failed || to.failed ? ERR_NOMEM
				     : mail_enqueue(app->privacy, s, o.person, to.data,
					   arena_printf(a, "Receipt for order %s", o.ref), text.data,
					   NULL);
out:
	if (to.data)
		sodium_memzero(to.data, to.len);
	buf_free(&to);
	buf_free(&text);
	return e;
}

/* Queues the new-order notice to each admin of the site (their address opened by the
 * system for delivery, audited), in the caller's transaction. It names the order,
 * product and amounts, never the customer. */
static enum err
shop_admin_notice(struct web_app *app, struct store *s, struct arena *a,
    const struct site *site, const struct order *o)
{
	struct gate_actor sys = {0, true};
	struct buf text, to;
	int64_t *ids = NULL;
	size_t n = 0, i;
	enum err e;

	if ((e = shop_site_admins(s, a, site->id, &ids, &n)) != ERR_OK)
		return e;
	buf_init(&text);
	buf_init(&to);
	buf_printf(&text, "Hello,\n\nA new order on %s: %s, %s x %lld, total %s (%s).\n\n"
			  "The order, and its customer's details when you need them to fulfil it:\n"
			  "  %s/admin/shop/orders/%s\n\n-- \n%s\n",
	    site->title, o->ref, o->product_title, (long long)o->quantity,
	    shop_money(a, o->total, o->currency), o->provider, site->origin, o->ref, site->title);
	for (i = 0; i < n && e == ERR_OK && !text.failed; i++) {
		buf_reset(&to);
		e = people_email(app->privacy, s, &sys, PURPOSE_DELIVERY, ids[i], &to);
		if (e == ERR_DENIED || e == ERR_NOTFOUND) {
			e = ERR_OK; /* an admin without a readable address gets no notice */
			continue;
		}
		if (e == ERR_OK)
			e = mail_enqueue(app->privacy, s, ids[i], to.data,
			    arena_printf(a, "New order %s", o->ref), text.data, NULL);
		if (to.data)
			sodium_memzero(to.data, to.len);
	}
	if (e == ERR_OK && text.failed)
		e = ERR_NOMEM;
	buf_free(&text);
	buf_free(&to);
	return e;
}

static void
shop_checkout(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct commerce_provider *pv;
	const struct web_user *u;
	struct order_input in;
	struct form_values fv;
	struct shop_view view;
	struct product pr;
	struct order o;
	struct store *s;
	struct site site;
	struct buf url;
	const char *bad, *page;
	char msg[256];
	bool created = false;
	int f;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	res->cache_control = "no-store";
	if (!web_csrf_ok(app, req, res, CSRF_SHOP_CHECKOUT) ||
	    !shop_find(app, req, res, s, &site, &pr))
		return;
	memset(&view, 0, sizeof(view));
	view.status = 400;
	if ((bad = shop_undeclared(req)) != NULL) {
		view.error = arena_printf(req->arena, "This shop does not take a field named "
						      "\"%.40s\"; nothing was stored.", bad);
		shop_product_page(app, req, res, s, &site, &pr, &view);
		return;
	}
	if (form_read(&req->form, checkout_fields, COUNTOF(checkout_fields), &fv, msg,
		sizeof(msg)) != ERR_OK) {
		view.error = arena_strdup(req->arena, msg);
		shop_product_page(app, req, res, s, &site, &pr, &view);
		return;
	}
	view.fv = &fv;
	pv = commerce_provider(&app->cfg, fv.values[SC_PROVIDER].present ?
					      fv.values[SC_PROVIDER].text : "invoice");
	if (pv == NULL) {
		view.error = "Please choose one of the payment methods offered.";
		shop_product_page(app, req, res, s, &site, &pr, &view);
		return;
	}
	u = web_user(app, req, s);
	memset(&in, 0, sizeof(in));
	in.site = site.id;
	in.product = &pr;
	in.quantity = fv.values[SC_QUANTITY].present ? fv.values[SC_QUANTITY].number : 1;
	in.person = u ? u->id : 0;
	in.key = fv.values[SC_KEY].text;
	in.provider = pv->name;
	for (f = 0; f < CUSTOMER__MAX; f++)
		in.fields[f] = fv.values[checkout_customer[f]].text;
	if ((e = store_begin(s)) != ERR_OK) {
		shop_fail(res, e);
		return;
	}
	e = order_create(app->privacy, s, req->arena, &in, &o, &created, msg, sizeof(msg));
	if (e == ERR_INVAL || e == ERR_NOTFOUND) {
		store_rollback(s);
		view.error = arena_strdup(req->arena, msg);
		shop_product_page(app, req, res, s, &site, &pr, &view);
		return;
	}
	page = arena_printf(req->arena, "/shop/order/%s", in.key);
	if (e == ERR_OK && created && o.person > 0)
		e = shop_confirmation(app, s, req->arena, &site, &o, in.fields[CUSTOMER_EMAIL], page);
	if (e == ERR_OK && created)
		e = shop_admin_notice(app, s, req->arena, &site, &o);
	if (e != ERR_OK || (e = store_commit(s)) != ERR_OK) {
		store_rollback(s);
		shop_fail(res, e);
		return;
	}
	/* acknowledged means durable: the order is committed before the answer */
	buf_init(&url);
	if (o.status != ORDER_AWAITING_PAYMENT || strcmp(o.provider, pv->name) != 0 ||
	    (pv = commerce_provider(&app->cfg, o.provider)) == NULL ||
	    pv->start(&app->cfg, &o, arena_printf(req->arena, "%s%s", site.origin, page), &url) !=
		ERR_OK ||
	    strcmp(pv->name, "invoice") == 0)
		http_redirect(res, 303, page);
	else
		http_redirect(res, 303, arena_strdup(req->arena, url.data));
	buf_free(&url);
}

static void
shop_order_page(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct tmpl_val *ctx, *o;
	struct order ord;
	struct store *s;
	struct site site;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	res->cache_control = "no-store";
	e = order_by_key(s, req->arena, site.id, http_param(req, "key"), &ord);
	if (e == ERR_NOTFOUND) {
		res->status = 404;
		web_error_page(app, req, res, "Not found", "There is no such order.");
		return;
	}
	if (e != ERR_OK) {
		shop_fail(res, e);
		return;
	}
	if ((ctx = web_context(app, req, res, &site, s)) == NULL)
		return;
	tmpl_set_str(ctx, "page_title", arena_printf(req->arena, "Order %s", ord.ref));
	o = tmpl_set_obj(ctx, "order");
	web_shop_order_vals(req->arena, o, &ord);
	web_render(app, res, "shop_order", ctx);
}

/* ---------------------------------------------------------------- webhook ---- */

/* The hosted provider's secret: the first line of [shop] hosted_secret_file. */
static bool
shop_hosted_secret(const struct web_app *app, char *out, size_t outsize)
{
	char path[1200];
	FILE *fp;
	size_t n;

	out[0] = '\0';
	if (app->cfg.shop_hosted_secret_file[0] == '\0')
		return false;
	config_path(&app->cfg, app->cfg.shop_hosted_secret_file, path, sizeof(path));
	if ((fp = fopen(path, "r")) == NULL)
		return false;
	if (fgets(out, (int)outsize, fp) == NULL)
		out[0] = '\0';
	fclose(fp);
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	return n >= 16;
}

static void
shop_webhook(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const char *event, *ref, *status, *payref, *last4, *amount_s, *currency;
	long long amount;
	char secret[256], msg[160];
	struct order o;
	struct store *s;
	enum err e;

	res->cache_control = "no-store";
	res->content_type = "text/plain; charset=utf-8";
	if (commerce_provider(&app->cfg, "hosted") == NULL) {
		res->status = 404;
		buf_puts(&res->body, "The hosted payment provider is not enabled.\n");
		return;
	}
	if (!shop_hosted_secret(app, secret, sizeof(secret))) {
		res->status = 503;
		buf_puts(&res->body, "The webhook secret is not configured.\n");
		return;
	}
	e = commerce_sig_check(secret, http_header(req, "Candor-Signature"), req->body,
	    req->body_len, time_now(), msg, sizeof(msg));
	sodium_memzero(secret, sizeof(secret));
	if (e != ERR_OK) {
		res->status = 401;
		buf_printf(&res->body, "%s\n", msg);
		return;
	}
	event = http_form_get(&req->form, "event");
	ref = http_form_get(&req->form, "order");
	status = http_form_get(&req->form, "status");
	payref = http_form_get(&req->form, "reference");
	last4 = http_form_get(&req->form, "last4");
	amount_s = http_form_get(&req->form, "amount");
	currency = http_form_get(&req->form, "currency");
	if (event == NULL || ref == NULL || status == NULL || payref == NULL || !event[0] ||
	    strlen(event) > 100 || strlen(ref) > 40 || amount_s == NULL || currency == NULL ||
	    strnum(amount_s, 0, INT64_MAX, &amount) != ERR_OK) {
		res->status = 400;
		buf_puts(&res->body, "The notice needs event, order, status, reference, amount "
				     "(minor units) and currency.\n");
		return;
	}
	if ((s = web_store(app, res)) == NULL)
		return;
	if ((e = store_begin(s)) != ERR_OK) {
		shop_fail(res, e);
		return;
	}
	if ((e = order_by_ref(s, req->arena, ref, &o)) != ERR_OK ||
	    strcmp(o.provider, "hosted") != 0) {
		store_rollback(s);
		if (e != ERR_OK && e != ERR_NOTFOUND) {
			shop_fail(res, e);
			return;
		}
		res->status = 404;
		buf_puts(&res->body, "There is no such order for this provider.\n");
		return;
	}
	/* the provider signs what it took; the customer's browser carried the amount to it,
	 * so a payment of another sum (a rewritten redirect) never settles this order */
	if (strcmp(status, "paid") == 0 && (amount != o.total || strcmp(currency, o.currency) != 0)) {
		store_rollback(s);
		res->status = 422;
		buf_puts(&res->body, "The amount paid does not match the order's total; the order "
				     "is not marked paid.\n");
		return;
	}
	if ((e = commerce_event_once(s, "hosted", event, o.id)) == ERR_CONFLICT) {
		store_rollback(s);
		res->status = 409;
		buf_puts(&res->body, "This event was received before; it is not applied twice.\n");
		return;
	}
	/* an order already paid: the event is recorded, nothing changes */
	if (e == ERR_OK && strcmp(status, "paid") == 0 && o.status == ORDER_AWAITING_PAYMENT &&
	    (e = order_mark_paid(app->privacy, s, o.id, payref, last4)) == ERR_OK)
		e = web_shop_receipt(app, s, req->arena, o.id);
	if (e == ERR_INVAL) {
		store_rollback(s);
		res->status = 400;
		buf_puts(&res->body, "The payment reference or last four digits are malformed.\n");
		return;
	}
	if (e != ERR_OK || (e = store_commit(s)) != ERR_OK) {
		store_rollback(s);
		shop_fail(res, e);
		return;
	}
	buf_puts(&res->body, "ok\n");
}

/* ---------------------------------------------------------------- members ---- */

static void
shop_account_orders(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct tmpl_val *ctx, *list;
	struct order *o;
	struct store *s;
	struct site site;
	size_t n, i;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site) ||
	    (u = web_require_user(app, req, res, s)) == NULL)
		return;
	if ((e = order_list(s, req->arena, 0, u->id, &o, &n)) != ERR_OK) {
		shop_fail(res, e);
		return;
	}
	if ((ctx = web_context(app, req, res, &site, s)) == NULL)
		return;
	tmpl_set_str(ctx, "page_title", "Your orders");
	tmpl_set_bool(ctx, "has_orders", n > 0);
	list = tmpl_set_list(ctx, "orders");
	for (i = 0; i < n && list; i++)
		web_shop_order_vals(req->arena, tmpl_list_add(list), &o[i]);
	web_render(app, res, "shop_account", ctx);
}

enum err
web_shop_export(struct privacy *p, struct store *s, int64_t person, void *obj)
{
	struct gate_actor self = {person, false};
	struct arena *a;
	struct order *o;
	struct buf plain;
	json_t *list, *item;
	size_t n, i;
	int f;
	enum err e;

	if ((a = arena_new()) == NULL)
		return ERR_NOMEM;
	buf_init(&plain);
	if ((e = order_list(s, a, 0, person, &o, &n)) != ERR_OK)
		goto out;
	if ((list = json_array()) == NULL || json_object_set_new(obj, "orders", list) != 0) {
		e = ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		item = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:I}", "ref",
		    o[i].ref, "product", o[i].product_title, "currency", o[i].currency, "quantity",
		    (json_int_t)o[i].quantity, "net_minor", (json_int_t)o[i].net, "vat_bp",
		    (json_int_t)o[i].vat_bp, "vat_minor", (json_int_t)o[i].vat, "total_minor",
		    (json_int_t)o[i].total, "status", order_status_name(o[i].status), "provider",
		    o[i].provider, "created_at", (json_int_t)o[i].created_at);
		if (item == NULL || json_array_append_new(list, item) != 0) {
			e = ERR_NOMEM;
			goto out;
		}
		for (f = 0; f < CUSTOMER__MAX; f++) {
			buf_reset(&plain);
			e = order_field_read(p, s, &self, PURPOSE_SELF, &o[i], (enum customer_field)f,
			    &plain);
			if (e == ERR_NOTFOUND)
				continue;
			if (e != ERR_OK)
				goto out;
			json_object_set_new(item, customer_field_name((enum customer_field)f),
			    json_stringn(plain.data, plain.len));
			sodium_memzero(plain.data, plain.len);
		}
		e = ERR_OK;
	}
out:
	if (plain.data)
		sodium_memzero(plain.data, plain.len);
	buf_free(&plain);
	arena_free(a);
	return e;
}

enum err
web_routes_shop(struct web_app *app)
{
	static const struct web_route routes[] = {
		{"GET", "/shop", shop_index, 0, HTTP_ROUTE_CACHEABLE},
		{"GET", "/shop/:slug", shop_product_get, 0, 0},
		{"POST", "/shop/:slug", shop_checkout, LIMIT_CHECKOUT_BODY, 0},
		{"GET", "/shop/order/:key", shop_order_page, 0, 0},
		{"POST", "/shop/webhook/hosted", shop_webhook, LIMIT_WEBHOOK_BODY, 0},
		{"GET", "/account/orders", shop_account_orders, 0, 0},
	};
	enum err e;

	if ((e = web_routes_add(app, routes, COUNTOF(routes))) != ERR_OK)
		return e;
	return web_routes_shop_admin(app);
}
