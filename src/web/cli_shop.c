/*
 * cli_shop: `candor product add|list` and `candor shop vat` (issue 9). Prices are whole
 * minor units (cents) on the command line, never a decimal fraction.
 */
#include <stdio.h>
#include <stdlib.h>

#include "commerce/commerce.h"
#include "web/web_int.h"

/* The site named host, or a sentence and false. */
static bool
cli_shop_site(struct store *s, struct arena *a, const char *arg, struct site *out)
{
	char host[LIMIT_HOST_BYTES + 1];
	enum err e;

	if (!cli_host(arg, host, sizeof(host)))
		return false;
	if ((e = sites_find(s, a, host, out)) == ERR_OK)
		return true;
	if (e == ERR_NOTFOUND)
		CLI_ERR("there is no site %s (see: candor site list)\n", host);
	else
		CLI_ERR("cannot read the sites: %s\n", store_errmsg(s));
	return false;
}

static int
run_product_add(const struct cli_args *a)
{
	struct config cfg;
	struct cli_db db;
	struct store *s;
	struct arena *ar = NULL;
	struct site site;
	enum product_kind kind;
	long long price;
	char *md = NULL, msg[256];
	int64_t id = 0;
	enum err e;
	int rc = 1;

	if (strnum(cli_arg(a, "price"), 0, LIMIT_PRICE_MAX, &price) != ERR_OK) {
		CLI_ERR("--price: a whole number of minor units (cents), 0 to %lld\n",
		    (long long)LIMIT_PRICE_MAX);
		return 2;
	}
	if (!commerce_currency_ok(cli_arg(a, "currency"))) {
		CLI_ERR("--currency: three capital letters (ISO 4217), such as EUR\n");
		return 2;
	}
	if (!product_kind_parse(cli_arg(a, "kind"), &kind)) {
		CLI_ERR("--kind: digital, service or physical\n");
		return 2;
	}
	if (cli_arg(a, "file") && (md = cli_read_markdown(cli_arg(a, "file"))) == NULL)
		return 1;
	if ((s = cli_open(cli_arg(a, "data"), &cfg, &db)) == NULL)
		goto out;
	if ((ar = arena_new()) == NULL || !cli_shop_site(s, ar, cli_arg(a, "site"), &site))
		goto close;
	e = product_add(s, site.id, cli_arg(a, "title"), md ? md : "", price, cli_arg(a, "currency"),
	    kind, &id, msg, sizeof(msg));
	if (e == ERR_INVAL || e == ERR_CONFLICT) {
		CLI_ERR("not added: %s\n", msg);
		rc = 2;
		goto close;
	}
	if (e != ERR_OK) {
		CLI_ERR("not added: %s\n", store_errmsg(s));
		goto close;
	}
	printf("Added product %lld to %s; it asks: name, email%s.\n", (long long)id, site.host,
	    kind == PRODUCT_PHYSICAL ? ", postal address" : kind == PRODUCT_SERVICE ? ", date" : "");
	rc = 0;
close:
	arena_free(ar);
	store_close(s);
out:
	free(md);
	return rc;
}

static int
run_product_list(const struct cli_args *a)
{
	struct config cfg;
	struct cli_db db;
	struct store *s;
	struct arena *ar;
	struct site site;
	struct product *p = NULL;
	char price[48];
	size_t n = 0, i;
	int rc = 1;

	if ((s = cli_open(cli_arg(a, "data"), &cfg, &db)) == NULL)
		return 1;
	if ((ar = arena_new()) != NULL && cli_shop_site(s, ar, cli_arg(a, "site"), &site)) {
		if (product_list(s, ar, site.id, true, &p, &n) == ERR_OK) {
			printf("%-6s %-9s %-20s %-7s %s\n", "ID", "KIND", "PRICE", "ACTIVE", "SLUG");
			for (i = 0; i < n; i++) {
				commerce_money_format(p[i].price, p[i].currency, price, sizeof(price));
				printf("%-6lld %-9s %-20s %-7s %s\n", (long long)p[i].id,
				    product_kind_name(p[i].kind), price, p[i].active ? "yes" : "no",
				    p[i].slug);
			}
			rc = 0;
		} else
			CLI_ERR("cannot list the products: %s\n", store_errmsg(s));
	}
	arena_free(ar);
	store_close(s);
	return rc;
}

static int
run_shop_vat(const struct cli_args *a)
{
	struct config cfg;
	struct cli_db db;
	struct store *s;
	struct arena *ar;
	struct site site;
	long long bp;
	int rc = 1;

	if (strnum(cli_arg(a, "bp"), 0, LIMIT_VAT_BP, &bp) != ERR_OK) {
		CLI_ERR("--bp: the tax rate in basis points, 0 to %d (2000 = 20 %%)\n", LIMIT_VAT_BP);
		return 2;
	}
	if ((s = cli_open(cli_arg(a, "data"), &cfg, &db)) == NULL)
		return 1;
	if ((ar = arena_new()) != NULL && cli_shop_site(s, ar, cli_arg(a, "site"), &site)) {
		if (shop_vat_set(s, site.id, bp) == ERR_OK) {
			printf("The tax rate of %s is %lld basis points for new orders.\n", site.host,
			    bp);
			rc = 0;
		} else
			CLI_ERR("not saved: %s\n", store_errmsg(s));
	}
	arena_free(ar);
	store_close(s);
	return rc;
}

const struct cli_command cli_shop_commands[] = {
	{"product add", "data! site! title! price! currency! kind! file", run_product_add,
	    "usage: candor product add --data DIR --site HOST --title TITLE --price MINOR_UNITS\n"
	    "           --currency CODE --kind digital|service|physical [--file DESCRIPTION.md]\n"
	    "Adds a product to the site's shop (/shop). The price is a whole number of minor\n"
	    "units (cents: 1250 is 12.50 EUR). The kind decides what the checkout asks: name\n"
	    "and email always, a postal address for physical goods, a date for a service.\n"},
	{"product list", "data! site!", run_product_list,
	    "usage: candor product list --data DIR --site HOST\n"
	    "Lists the site's products with their kind, price and slug.\n"},
	{"shop vat", "data! site! bp!", run_shop_vat,
	    "usage: candor shop vat --data DIR --site HOST --bp BASIS_POINTS\n"
	    "Sets the site's tax rate for new orders (2000 = 20 %; rounded half-up per order).\n"},
	{NULL, NULL, NULL, NULL},
};
