/*
 * shop_admin (web): /admin/shop for the request's site (issue 9, item 5). Who may do
 * what, default deny:
 *   an admin of the site   products, the tax rate, the orders list (amounts, status,
 *                          product) and, one order at a time, its customer's fields
 *                          through the gate with purpose fulfilment (audited);
 *   the owner, and staff   the orders list and the customer fields with purpose
 *   with a billing grant   billing (audited), and marking an invoice paid with the
 *                          transfer's reference; the owner also manages products;
 *   anyone else            403 with a sentence.
 * The list never shows a customer's name, email or address: opening them is a POST
 * ("Show customer details") that leaves one audit entry per field.
 */
#include <sodium.h>
#include <string.h>

#include "commerce/commerce.h"
#include "web/web_int.h"

#define CSRF_SHOP_PRODUCT "shop-product"
#define CSRF_SHOP_VAT "shop-vat"
#define CSRF_SHOP_REVEAL "shop-reveal"
#define CSRF_SHOP_PAID "shop-paid"

enum { SP_TITLE, SP_BODY, SP_PRICE, SP_CURRENCY, SP_KIND };
static const struct form_field product_fields[] = {
	[SP_TITLE] = {"title", "Title", FORM_TEXT, LIMIT_TITLE, true, 0, 0},
	[SP_BODY] = {"body", "Description", FORM_MULTILINE, LIMIT_BODY_MARKDOWN, false, 0, 0},
	[SP_PRICE] = {"price", "Price", FORM_TEXT, 16, true, 0, 0},
	[SP_CURRENCY] = {"currency", "Currency", FORM_TEXT, 3, true, 0, 0},
	[SP_KIND] = {"kind", "Kind", FORM_TEXT, 10, true, 0, 0},
};
enum { SV_RATE };
static const struct form_field vat_fields[] = {
	[SV_RATE] = {"vat_bp", "Tax rate", FORM_INTEGER, 5, true, 0, LIMIT_VAT_BP},
};
enum { SPD_REFERENCE };
static const struct form_field paid_fields[] = {
	[SPD_REFERENCE] = {"reference", "Payment reference", FORM_TEXT, LIMIT_PAY_REF, true, 0, 0},
};

struct shop_rights {
	bool manage;  /* products and tax rate: site admin or owner */
	bool admin;   /* admin of this site: fulfilment */
	bool billing; /* owner or staff with a billing grant */
};

static void
shop_admin_fail(struct http_response *res, enum err e)
{
	res->status = e == ERR_UNAVAIL ? 503 : 500;
	buf_reset(&res->body);
}

/* The signed-in person's rights on site, or false with res answered (303, 403). */
static bool
shop_admin_rights(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, const struct web_user **u, struct shop_rights *r)
{
	struct person_site_role *roles = NULL;
	size_t n = 0, i;
	enum err e;

	memset(r, 0, sizeof(*r));
	if ((*u = web_require_user(app, req, res, s)) == NULL)
		return false;
	if ((e = people_site_roles(s, req->arena, (*u)->id, &roles, &n)) != ERR_OK ||
	    (e = gate_granted(s, (*u)->id, PURPOSE_BILLING, &r->billing)) != ERR_OK) {
		shop_admin_fail(res, e);
		return false;
	}
	for (i = 0; i < n; i++)
		if (roles[i].site == site->id && roles[i].role == SITE_ROLE_ADMIN)
			r->admin = true;
	r->manage = r->admin || (*u)->role == ROLE_OWNER;
	if (r->admin || r->billing)
		return true;
	res->status = 403;
	web_error_page(app, req, res, "No access to the shop",
	    "The shop's orders are for the site's administrators, the owner and staff with a "
	    "billing grant; your account is none of these.");
	return false;
}

struct shop_admin_view {
	int status;
	const char *error;
	const char *notice;
};

static void
shop_admin_page(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, const struct shop_rights *r,
    const struct web_user *u, const struct shop_admin_view *view)
{
	struct tmpl_val *ctx, *list, *item;
	struct product *pr;
	struct order *o;
	int64_t bp = 0;
	size_t np = 0, no = 0, i;
	enum err e;

	if ((r->manage && (e = product_list(s, req->arena, site->id, true, &pr, &np)) != ERR_OK) ||
	    (e = order_list(s, req->arena, site->id, 0, &o, &no)) != ERR_OK ||
	    (e = shop_vat_get(s, site->id, &bp)) != ERR_OK) {
		shop_admin_fail(res, e);
		return;
	}
	if ((ctx = web_context(app, req, res, site, s)) == NULL ||
	    !web_admin_menu(req, res, s, site, u, ctx, "shop"))
		return;
	res->status = view->status ? view->status : 200;
	res->cache_control = "no-store";
	tmpl_set_str(ctx, "page_title", "Shop");
	tmpl_set_str(ctx, "error", view->error);
	tmpl_set_str(ctx, "notice", view->notice);
	tmpl_set_bool(ctx, "manage", r->manage);
	tmpl_set_int(ctx, "vat_bp", bp);
	tmpl_set_str(ctx, "csrf_product", web_csrf_token(app, req, CSRF_SHOP_PRODUCT));
	tmpl_set_str(ctx, "csrf_vat", web_csrf_token(app, req, CSRF_SHOP_VAT));
	tmpl_set_bool(ctx, "has_products", np > 0);
	list = tmpl_set_list(ctx, "products");
	for (i = 0; r->manage && i < np && list; i++) {
		char price[48];
		item = tmpl_list_add(list);
		tmpl_set_str(item, "title", pr[i].title);
		tmpl_set_str(item, "href", arena_printf(req->arena, "/shop/%s", pr[i].slug));
		commerce_money_format(pr[i].price, pr[i].currency, price, sizeof(price));
		tmpl_set_str(item, "price", arena_strdup(req->arena, price));
		tmpl_set_str(item, "kind", product_kind_name(pr[i].kind));
	}
	tmpl_set_bool(ctx, "has_orders", no > 0);
	list = tmpl_set_list(ctx, "orders");
	for (i = 0; i < no && list; i++) {
		item = tmpl_list_add(list);
		web_shop_order_vals(req->arena, item, &o[i]);
		tmpl_set_str(item, "href", arena_printf(req->arena, "/admin/shop/orders/%s", o[i].ref));
	}
	web_render(app, res, "shop_admin", ctx);
}

static void
shop_admin_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct shop_admin_view view;
	struct shop_rights r;
	const struct web_user *u;
	struct store *s;
	struct site site;
	const char *q = http_query(req, "notice");

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site) ||
	    !shop_admin_rights(app, req, res, s, &site, &u, &r))
		return;
	memset(&view, 0, sizeof(view));
	if (q && strcmp(q, "added") == 0)
		view.notice = "The product was added.";
	else if (q && strcmp(q, "vat") == 0)
		view.notice = "The tax rate was saved; it applies to new orders.";
	shop_admin_page(app, req, res, s, &site, &r, u, &view);
}

static void
shop_admin_product(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct shop_admin_view view;
	struct shop_rights r;
	const struct web_user *u;
	struct form_values fv;
	enum product_kind kind;
	struct store *s;
	struct site site;
	char msg[256];
	int64_t price;
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	res->cache_control = "no-store";
	if (!web_csrf_ok(app, req, res, CSRF_SHOP_PRODUCT) ||
	    !shop_admin_rights(app, req, res, s, &site, &u, &r))
		return;
	memset(&view, 0, sizeof(view));
	view.status = 400;
	if (!r.manage) {
		res->status = 403;
		web_error_page(app, req, res, "Not allowed",
		    "Only the site's administrators and the owner manage its products.");
		return;
	}
	if (form_read(&req->form, product_fields, COUNTOF(product_fields), &fv, msg,
		sizeof(msg)) != ERR_OK) {
		view.error = arena_strdup(req->arena, msg);
	} else if (!product_kind_parse(fv.values[SP_KIND].text, &kind)) {
		view.error = "The kind must be digital, service or physical.";
	} else if (!commerce_currency_ok(fv.values[SP_CURRENCY].text)) {
		view.error = "The currency must be a three-letter ISO 4217 code such as EUR.";
	} else if (commerce_money_parse(fv.values[SP_PRICE].text, fv.values[SP_CURRENCY].text,
		       &price) != ERR_OK) {
		view.error = "The price must be an amount such as 12 or 12.50 (no sign, at most "
			     "the currency's decimals).";
	} else if ((e = product_add(s, site.id, fv.values[SP_TITLE].text, fv.values[SP_BODY].text,
			price, fv.values[SP_CURRENCY].text, kind, NULL, msg, sizeof(msg))) != ERR_OK) {
		if (e != ERR_INVAL && e != ERR_CONFLICT) {
			shop_admin_fail(res, e);
			return;
		}
		view.error = arena_strdup(req->arena, msg);
	} else {
		http_redirect(res, 303, "/admin/shop?notice=added");
		return;
	}
	shop_admin_page(app, req, res, s, &site, &r, u, &view);
}

static void
shop_admin_vat(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	struct shop_admin_view view;
	struct shop_rights r;
	const struct web_user *u;
	struct form_values fv;
	struct store *s;
	struct site site;
	char msg[256];
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	res->cache_control = "no-store";
	if (!web_csrf_ok(app, req, res, CSRF_SHOP_VAT) ||
	    !shop_admin_rights(app, req, res, s, &site, &u, &r))
		return;
	if (!r.manage) {
		res->status = 403;
		web_error_page(app, req, res, "Not allowed",
		    "Only the site's administrators and the owner set its tax rate.");
		return;
	}
	if (form_read(&req->form, vat_fields, COUNTOF(vat_fields), &fv, msg, sizeof(msg)) !=
	    ERR_OK) {
		memset(&view, 0, sizeof(view));
		view.status = 400;
		view.error = arena_strdup(req->arena, msg);
		shop_admin_page(app, req, res, s, &site, &r, u, &view);
		return;
	}
	if ((e = shop_vat_set(s, site.id, fv.values[SV_RATE].number)) != ERR_OK) {
		shop_admin_fail(res, e);
		return;
	}
	http_redirect(res, 303, "/admin/shop?notice=vat");
}

/* The order named in the path, of this site; false with res answered (404). */
static bool
shop_admin_order_find(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, struct order *o)
{
	enum err e = order_by_ref(s, req->arena, http_param(req, "ref"), o);

	if (e == ERR_OK && o->site == site->id)
		return true;
	if (e == ERR_OK || e == ERR_NOTFOUND) {
		res->status = 404;
		web_error_page(app, req, res, "Not found", "There is no such order on this site.");
	} else
		shop_admin_fail(res, e);
	return false;
}

/* The order page; with reveal, the customer's fields opened through the gate as u. */
static void
shop_admin_order_page(struct web_app *app, struct http_request *req, struct http_response *res,
    struct store *s, const struct site *site, const struct shop_rights *r,
    const struct web_user *u, const struct order *o, bool reveal, const char *error)
{
	static const char *const labels[CUSTOMER__MAX] = {"Name", "Email", "Postal address",
	    "Date booked"};
	struct gate_actor actor = {u->id, false};
	struct tmpl_val *ctx, *v, *list, *item;
	struct buf plain;
	int f;
	enum err e;

	buf_init(&plain);
	if ((ctx = web_context(app, req, res, site, s)) == NULL ||
	    !web_admin_menu(req, res, s, site, u, ctx, "shop"))
		return;
	res->status = error ? 400 : 200;
	res->cache_control = "no-store";
	tmpl_set_str(ctx, "page_title", arena_printf(req->arena, "Order %s", o->ref));
	tmpl_set_str(ctx, "error", error);
	v = tmpl_set_obj(ctx, "order");
	web_shop_order_vals(req->arena, v, o);
	tmpl_set_str(ctx, "csrf_reveal", web_csrf_token(app, req, CSRF_SHOP_REVEAL));
	tmpl_set_str(ctx, "csrf_paid", web_csrf_token(app, req, CSRF_SHOP_PAID));
	tmpl_set_bool(ctx, "can_mark_paid", r->billing && o->status == ORDER_AWAITING_PAYMENT);
	tmpl_set_bool(ctx, "revealed", reveal);
	tmpl_set_str(ctx, "purpose", r->admin ? "fulfilment" : "billing");
	list = tmpl_set_list(ctx, "customer");
	for (f = 0; reveal && f < CUSTOMER__MAX && list; f++) {
		if (!(o->fields & (1u << f)))
			continue;
		buf_reset(&plain);
		e = order_field_read(app->privacy, s, &actor,
		    r->admin ? PURPOSE_FULFILMENT : PURPOSE_BILLING, o, (enum customer_field)f,
		    &plain);
		item = tmpl_list_add(list);
		tmpl_set_str(item, "label", labels[f]);
		if (e == ERR_OK) {
			tmpl_set_str(item, "value", arena_strndup(req->arena, plain.data, plain.len));
			sodium_memzero(plain.data, plain.len);
		} else if (e == ERR_NOTFOUND || e == ERR_CRYPTO)
			tmpl_set_str(item, "note", "shredded (the customer's account was deleted)");
		else if (e == ERR_DENIED)
			tmpl_set_str(item, "note", "not shown: your role does not allow it (the "
						   "refusal is logged)");
		else {
			buf_free(&plain);
			shop_admin_fail(res, e);
			return;
		}
	}
	buf_free(&plain);
	res->wipe_body = reveal;
	web_render(app, res, "shop_admin_order", ctx);
}

static void
shop_admin_order_get(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct shop_rights r;
	struct order o;
	struct store *s;
	struct site site;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site) ||
	    !shop_admin_rights(app, req, res, s, &site, &u, &r) ||
	    !shop_admin_order_find(app, req, res, s, &site, &o))
		return;
	shop_admin_order_page(app, req, res, s, &site, &r, u, &o, false, NULL);
}

static void
shop_admin_reveal(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct shop_rights r;
	struct order o;
	struct store *s;
	struct site site;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	res->cache_control = "no-store";
	if (!web_csrf_ok(app, req, res, CSRF_SHOP_REVEAL) ||
	    !shop_admin_rights(app, req, res, s, &site, &u, &r) ||
	    !shop_admin_order_find(app, req, res, s, &site, &o))
		return;
	shop_admin_order_page(app, req, res, s, &site, &r, u, &o, true, NULL);
}

static void
shop_admin_paid(struct http_request *req, struct http_response *res, void *arg)
{
	struct web_app *app = arg;
	const struct web_user *u;
	struct form_values fv;
	struct shop_rights r;
	struct order o;
	struct store *s;
	struct site site;
	char msg[256];
	enum err e;

	if ((s = web_store(app, res)) == NULL || !web_site(app, req, res, s, &site))
		return;
	res->cache_control = "no-store";
	if (!web_csrf_ok(app, req, res, CSRF_SHOP_PAID) ||
	    !shop_admin_rights(app, req, res, s, &site, &u, &r) ||
	    !shop_admin_order_find(app, req, res, s, &site, &o))
		return;
	if (!r.billing) {
		res->status = 403;
		web_error_page(app, req, res, "Not allowed",
		    "Only the owner and staff with a billing grant mark orders paid.");
		return;
	}
	if (form_read(&req->form, paid_fields, COUNTOF(paid_fields), &fv, msg, sizeof(msg)) !=
	    ERR_OK) {
		shop_admin_order_page(app, req, res, s, &site, &r, u, &o, false,
		    arena_strdup(req->arena, msg));
		return;
	}
	if ((e = store_begin(s)) != ERR_OK) {
		shop_admin_fail(res, e);
		return;
	}
	if ((e = order_mark_paid(app->privacy, s, o.id, fv.values[SPD_REFERENCE].text, NULL)) ==
	    ERR_OK)
		e = web_shop_receipt(app, s, req->arena, o.id);
	if (e != ERR_OK || (e = store_commit(s)) != ERR_OK)
		store_rollback(s);
	if (e == ERR_INVAL || e == ERR_CONFLICT) {
		shop_admin_order_page(app, req, res, s, &site, &r, u, &o, false,
		    e == ERR_INVAL ? "The reference must be one line of at most 100 characters, "
				     "without a card number."
				   : "This order is not awaiting payment.");
		return;
	}
	if (e != ERR_OK) {
		shop_admin_fail(res, e);
		return;
	}
	http_redirect(res, 303, arena_printf(req->arena, "/admin/shop/orders/%s", o.ref));
}

enum err
web_routes_shop_admin(struct web_app *app)
{
	static const struct web_route routes[] = {
		{"GET", "/admin/shop", shop_admin_get, 0, 0},
		{"POST", "/admin/shop/products", shop_admin_product, LIMIT_BODY_MARKDOWN * 3 + 8192,
		    0},
		{"POST", "/admin/shop/vat", shop_admin_vat, LIMIT_ACCOUNT_FORM_BODY, 0},
		{"GET", "/admin/shop/orders/:ref", shop_admin_order_get, 0, 0},
		{"POST", "/admin/shop/orders/:ref/reveal", shop_admin_reveal,
		    LIMIT_ACCOUNT_FORM_BODY, 0},
		{"POST", "/admin/shop/orders/:ref/paid", shop_admin_paid, LIMIT_ACCOUNT_FORM_BODY, 0},
	};

	return web_routes_add(app, routes, COUNTOF(routes));
}
