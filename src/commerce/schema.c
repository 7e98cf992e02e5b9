/*
 * schema: the shop's tables. products and shop_settings belong to a site; orders name
 * their site and, for a member, the person (SET NULL when the account is erased: the
 * order stays for the accounting period, its sealed fields unreadable because the
 * member's key is shredded). order_lines go with their order. payment_events keep each
 * webhook event id once (a replay is refused by the primary key). Column names avoid
 * the words the inventory test reads as personal except for the sealed columns it
 * lists (privacy/inventory.c): the tax rate is "vat".
 */
#include "commerce/commerce_int.h"

static const struct store_migration commerce_migrations[] = {
	{1, "CREATE TABLE shop_settings ("
	    " site_id BIGINT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,"
	    " vat_bp BIGINT NOT NULL,"
	    " updated_at BIGINT NOT NULL);"
	    "CREATE TABLE products ("
	    " id {{ID}},"
	    " site_id BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,"
	    " slug TEXT NOT NULL,"
	    " title TEXT NOT NULL,"
	    " body_md TEXT NOT NULL,"
	    " body_html TEXT NOT NULL,"
	    " price BIGINT NOT NULL,"
	    " currency TEXT NOT NULL,"
	    " kind INTEGER NOT NULL,"
	    " active INTEGER NOT NULL,"
	    " created_at BIGINT NOT NULL,"
	    " UNIQUE (site_id, slug));"
	    "CREATE TABLE orders ("
	    " id {{ID}},"
	    " site_id BIGINT NOT NULL REFERENCES sites(id),"
	    " person_id BIGINT REFERENCES people(id) ON DELETE SET NULL,"
	    " subject TEXT NOT NULL,"
	    " key_hash {{BLOB}} NOT NULL UNIQUE,"
	    " ref TEXT NOT NULL UNIQUE,"
	    " provider TEXT NOT NULL,"
	    " status INTEGER NOT NULL,"
	    " currency TEXT NOT NULL,"
	    " net BIGINT NOT NULL,"
	    " vat_bp BIGINT NOT NULL,"
	    " vat BIGINT NOT NULL,"
	    " total BIGINT NOT NULL,"
	    " fields INTEGER NOT NULL,"
	    " customer_name_sealed {{BLOB}},"
	    " customer_email_sealed {{BLOB}},"
	    " customer_address_sealed {{BLOB}},"
	    " booking_sealed {{BLOB}},"
	    " pay_ref TEXT NOT NULL,"
	    " card_last4_sealed {{BLOB}},"
	    " paid_at BIGINT NOT NULL,"
	    " created_at BIGINT NOT NULL);"
	    "CREATE INDEX orders_site ON orders (site_id, id);"
	    "CREATE INDEX orders_person ON orders (person_id, id);"
	    "CREATE INDEX orders_created ON orders (created_at);"
	    "CREATE TABLE order_lines ("
	    " order_id BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,"
	    " line INTEGER NOT NULL,"
	    " product_id BIGINT NOT NULL REFERENCES products(id),"
	    " title TEXT NOT NULL,"
	    " kind INTEGER NOT NULL,"
	    " unit_price BIGINT NOT NULL,"
	    " quantity BIGINT NOT NULL,"
	    " amount BIGINT NOT NULL,"
	    " PRIMARY KEY (order_id, line));"
	    "CREATE TABLE payment_events ("
	    " provider TEXT NOT NULL,"
	    " event_id TEXT NOT NULL,"
	    " order_id BIGINT NOT NULL,"
	    " received_at BIGINT NOT NULL,"
	    " PRIMARY KEY (provider, event_id))"},
};

enum err
commerce_migrate(struct store *s)
{
	return store_migrate(s, "commerce", commerce_migrations, COUNTOF(commerce_migrations));
}

static const struct store_stmt commerce_copy_sql[] = {
	{"copy_shop_settings_select",
	    "SELECT site_id, vat_bp, updated_at FROM shop_settings ORDER BY site_id"},
	{"copy_shop_settings_insert",
	    "INSERT INTO shop_settings (site_id, vat_bp, updated_at) VALUES (?, ?, ?)"},
	{"copy_products_select", "SELECT id, site_id, slug, title, body_md, body_html, price,"
				 " currency, kind, active, created_at FROM products ORDER BY id"},
	{"copy_products_insert", "INSERT INTO products (id, site_id, slug, title, body_md,"
				 " body_html, price, currency, kind, active, created_at)"
				 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
	{"copy_orders_select", "SELECT id, site_id, person_id, subject, key_hash, ref, provider,"
			       " status, currency, net, vat_bp, vat, total, fields,"
			       " customer_name_sealed, customer_email_sealed,"
			       " customer_address_sealed, booking_sealed, pay_ref,"
			       " card_last4_sealed, paid_at, created_at FROM orders ORDER BY id"},
	{"copy_orders_insert", "INSERT INTO orders (id, site_id, person_id, subject, key_hash,"
			       " ref, provider, status, currency, net, vat_bp, vat, total, fields,"
			       " customer_name_sealed, customer_email_sealed,"
			       " customer_address_sealed, booking_sealed, pay_ref,"
			       " card_last4_sealed, paid_at, created_at)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
			       " ?, ?)"},
	{"copy_order_lines_select", "SELECT order_id, line, product_id, title, kind, unit_price,"
				    " quantity, amount FROM order_lines ORDER BY order_id, line"},
	{"copy_order_lines_insert", "INSERT INTO order_lines (order_id, line, product_id, title,"
				    " kind, unit_price, quantity, amount)"
				    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"},
	{"copy_payment_events_select", "SELECT provider, event_id, order_id, received_at"
				       " FROM payment_events ORDER BY provider, event_id"},
	{"copy_payment_events_insert", "INSERT INTO payment_events (provider, event_id, order_id,"
				       " received_at) VALUES (?, ?, ?, ?)"},
};

/* parents first: settings and products name sites, orders name people, lines orders */
const struct store_table commerce_tables[] = {
	{"shop_settings", "iii", &commerce_copy_sql[0], &commerce_copy_sql[1], NULL},
	{"products", "iitttttitii", &commerce_copy_sql[2], &commerce_copy_sql[3], "id"},
	{"orders", "iiitbttitiiiiibbbbtbii", &commerce_copy_sql[4], &commerce_copy_sql[5], "id"},
	{"order_lines", "iiitiiii", &commerce_copy_sql[6], &commerce_copy_sql[7], NULL},
	{"payment_events", "ttii", &commerce_copy_sql[8], &commerce_copy_sql[9], NULL},
};
const size_t commerce_tables_count = COUNTOF(commerce_tables);
