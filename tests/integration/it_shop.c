/*
 * it_shop: the shop through the real server, on both backends (issue 9). Products come
 * from `candor product add`, the tax rate from `candor shop vat`. The checkout of each
 * kind shows only the fields it needs; a guest's physical order by invoice has exact
 * totals and tax on its page, and the same form sent twice gives one order; a field
 * the form does not declare, or one the kind does not need, and card numbers in every
 * field are refused with a sentence and leave no byte behind. A member buys a digital
 * product through the hosted provider: the payment-page simulator (tests/
 * shop_paysim.py, on loopback) takes the card and posts the signed webhook; the order
 * is paid, the confirmation and the admin notice (without the customer) are in the
 * Maildir. The webhook refuses a bad signature, an old timestamp and a replay. Access:
 * /admin/shop for the site's admin (customer fields through the gate, fulfilment),
 * staff with a billing grant (billing; marks an invoice paid), the owner; not for a
 * member or staff without a grant. The member sees the order at /account/orders and in
 * the export; after erasure the order stays with its fields shredded.
 */
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commerce/commerce.h"
#include "core/core.h"
#include "privacy/privacy.h"
#include "testlib.h"
#include "testweb.h"
#include "web/web_int.h"

#define PW "Tangerine Lighthouse Orbit 77"
#define HOST "perfectimagevideo.localhost"
#define SECRET "paysim-shared-secret-0123456789"

static int port;
static int sim_pid;

/* The simulator never outlives the test, even a failing one (it would hold ctest's
 * output pipe open). */
static void
sim_stop(void)
{
	if (sim_pid > 0) {
		kill(sim_pid, SIGTERM);
		waitpid(sim_pid, NULL, 0);
		sim_pid = 0;
	}
}
static const char *dir;
static char tomorrow[16];

static const char *
pwfile(void)
{
	static char path[600];
	int fd;

	snprintf(path, sizeof(path), "%s/pw.txt", t_tmpdir());
	if (access(path, F_OK) == 0)
		return path;
	T_ASSERT((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) >= 0);
	T_ASSERT(write(fd, PW, strlen(PW)) == (ssize_t)strlen(PW));
	T_ASSERT(close(fd) == 0);
	return path;
}


/* Posts fields plus the csrf (and the key, when keep_key is NULL: the page's) of the
 * form posting to action on page. The page's key is copied into key_out if given. */
static void
post_form(struct t_resp *r, const char *page, const char *action, const char *token,
    const char *fields, char *key_out)
{
	struct t_resp g;
	struct buf body;
	char *csrf, *c, *key;

	t_web_req(&g, port, NULL, "GET", page, token, NULL);
	T_EQ_INT(g.status, 200);
	if ((csrf = t_web_csrf(g.body, action)) == NULL)
		T_FAIL("no csrf field in the form posting to %s on %s", action, page);
	key = t_web_attr(g.body, "name=\"key\"", "value");
	t_resp_free(&g);
	c = t_web_form("csrf", csrf, NULL);
	buf_init(&body);
	buf_printf(&body, "%s%s%s", c, fields[0] ? "&" : "", fields);
	if (key && !strstr(fields, "key=")) {
		free(c);
		c = t_web_form("key", key, NULL);
		buf_printf(&body, "&%s", c);
	}
	if (key_out && key)
		snprintf(key_out, COMMERCE_KEY_LEN + 1, "%s", key);
	t_web_req(r, port, NULL, "POST", action, token, body.data);
	buf_free(&body);
	free(c);
	free(csrf);
	free(key);
}


static void
candor(const char *a1, const char *a2, ...)
{
	const char *argv[24];
	char *out = NULL;
	va_list ap;
	int n = 0, rc;

	va_start(ap, a2);
	while (n < 22 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	switch (n) {
	case 2: rc = t_candor(&out, a1, a2, argv[0], argv[1], NULL); break;
	case 4: rc = t_candor(&out, a1, a2, argv[0], argv[1], argv[2], argv[3], NULL); break;
	case 6:
		rc = t_candor(&out, a1, a2, argv[0], argv[1], argv[2], argv[3], argv[4], argv[5],
		    NULL);
		break;
	case 8:
		rc = t_candor(&out, a1, a2, argv[0], argv[1], argv[2], argv[3], argv[4], argv[5],
		    argv[6], argv[7], NULL);
		break;
	case 10:
		rc = t_candor(&out, a1, a2, argv[0], argv[1], argv[2], argv[3], argv[4], argv[5],
		    argv[6], argv[7], argv[8], argv[9], NULL);
		break;
	case 12:
		rc = t_candor(&out, a1, a2, argv[0], argv[1], argv[2], argv[3], argv[4], argv[5],
		    argv[6], argv[7], argv[8], argv[9], argv[10], argv[11], NULL);
		break;
	default: T_FAIL("candor(): %d arguments", n);
	}
	if (rc != 0)
		T_FAIL("candor %s %s failed (%d): %s", a1, a2, rc, out ? out : "");
	free(out);
}

static void
add_user(const char *name, const char *role)
{
	char email[64];

	snprintf(email, sizeof(email), "%s@example.test", name);
	candor("user", "add", "--data", dir, "--username", name, "--email", email, "--role", role,
	    "--password-file", pwfile(), NULL);
}

/* Posts a signed webhook body with timestamp t (secret as given); returns the status. */
static int
webhook(const char *secret, int64_t t, const char *body)
{
	unsigned char mac[32];
	char hex[65], header[160];
	const char *headers[2] = {header, NULL};
	struct t_resp r;
	int st;

	commerce_sig_compute(secret, t, body, strlen(body), mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	snprintf(header, sizeof(header), "Candor-Signature: t=%lld,v1=%s", (long long)t, hex);
	t_web_post(&r, port, NULL, "/shop/webhook/hosted", NULL, headers, body);
	st = r.status;
	t_resp_free(&r);
	return st;
}

/* No file of the data directory (SQLite) or row of the shop's tables (PostgreSQL)
 * holds needle. */
static void
assert_absent(const char *needle)
{
	char url[1200], msg[256];
	struct config cfg;
	struct cli_db db;
	struct store *s;
	struct store_q *q;
	enum err e;
	static const struct store_stmt rows[] = {
	    {"t_orders_text", "SELECT CAST(t AS TEXT) FROM orders t"},
	    {"t_mail_text", "SELECT CAST(t AS TEXT) FROM mail_outbox t"},
	    {"t_audit_text", "SELECT CAST(t AS TEXT) FROM audit_log t"},
	    {"t_events_text", "SELECT CAST(t AS TEXT) FROM payment_events t"},
	};
	size_t i;

	if (strcmp(t_backend(), "sqlite") == 0) {
		t_assert_absent(dir, needle);
		return;
	}
	T_ASSERT(config_load(dir, &cfg, msg, sizeof(msg)) == ERR_OK);
	T_ASSERT(cli_db_resolve(&cfg, &db));
	snprintf(url, sizeof(url), "%s", db.url);
	T_ASSERT((s = store_open(url, db.password[0] ? db.password : NULL, &e, msg,
		      sizeof(msg))) != NULL);
	for (i = 0; i < COUNTOF(rows); i++) {
		T_ASSERT((q = store_prepare(s, &rows[i])) != NULL);
		while (store_step(q) == STORE_ROW)
			T_NOT_CONTAINS(store_col_text(q, 0), needle);
		T_EQ_INT(store_done(q), ERR_OK);
	}
	store_close(s);
}

static int
count_refs(const char *html)
{
	int n = 0;
	const char *p = html;

	while ((p = strstr(p, "href=\"/admin/shop/orders/C-")) != NULL) {
		n++;
		p++;
	}
	return n;
}

int
main(void)
{
	struct t_server srv;
	struct t_resp r;
	char path[1200], simport_file[1200], url_file[1200], conf[1200], key[COMMERCE_KEY_LEN + 1],
	    key2[COMMERCE_KEY_LEN + 1], loc[600], orderpage[200], ref[32], body[400], *f, *mail;
	char *alice, *adam, *sam, *nog, *olive, *bob, *sim_html, *p;
	int simport = 0, i;
	time_t tt = time(NULL) + 3 * 86400;
	struct tm tm;
	FILE *fp;

	gmtime_r(&tt, &tm);
	strftime(tomorrow, sizeof(tomorrow), "%Y-%m-%d", &tm);
	dir = t_datadir(true);
	add_user("alice", "member");
	add_user("bob", "member");
	add_user("adam", "member");
	add_user("sam", "staff");
	add_user("nog", "staff");
	add_user("olive", "owner");
	candor("user", "role", "--data", dir, "--username", "adam", "--site", HOST, "--grant",
	    "admin", NULL);
	candor("staff", "add", "--data", dir, "--username", "sam", "--org", "Books Ltd",
	    "--country", "GB", NULL);
	candor("staff", "agreement", "--data", dir, "--username", "sam", "--version", "v1",
	    "--signed-on", "2020-01-01", NULL);
	candor("staff", "grant", "--data", dir, "--username", "sam", "--purpose", "billing",
	    "--until", "2099-12-31", NULL);
	candor("staff", "add", "--data", dir, "--username", "nog", "--org", "Books Ltd",
	    "--country", "GB", NULL);
	candor("staff", "agreement", "--data", dir, "--username", "nog", "--version", "v1",
	    "--signed-on", "2020-01-01", NULL);
	candor("product", "add", "--data", dir, "--site", HOST, "--title", "Film licence",
	    "--price", "125000", "--currency", "EUR", "--kind", "digital", NULL);
	candor("product", "add", "--data", dir, "--site", HOST, "--title", "Poster", "--price",
	    "1999", "--currency", "EUR", "--kind", "physical", NULL);
	candor("product", "add", "--data", dir, "--site", HOST, "--title", "Shoot", "--price",
	    "50000", "--currency", "EUR", "--kind", "service", NULL);
	candor("shop", "vat", "--data", dir, "--site", HOST, "--bp", "2000", NULL);

	/* the payment page simulator, then the server configured to use it */
	snprintf(path, sizeof(path), "%s/hosted.secret", dir);
	T_ASSERT((fp = fopen(path, "w")) != NULL);
	fprintf(fp, "%s\n", SECRET);
	T_ASSERT(fclose(fp) == 0);
	snprintf(simport_file, sizeof(simport_file), "%s/paysim.port", t_tmpdir());
	snprintf(url_file, sizeof(url_file), "%s/candor.url", t_tmpdir());
	snprintf(conf, sizeof(conf), "%s/tests/shop_paysim.py", getenv("CANDOR_SRC"));
	if ((sim_pid = fork()) == 0) {
		execl("/usr/bin/python3", "python3", conf, simport_file, path, url_file, HOST,
		    (char *)NULL);
		_exit(127);
	}
	T_ASSERT(sim_pid > 0);
	atexit(sim_stop);
	for (i = 0; i < 100 && access(simport_file, F_OK) != 0; i++)
		usleep(50000);
	T_ASSERT((p = t_read_file(simport_file, NULL)) != NULL);
	simport = atoi(p);
	free(p);
	T_ASSERT(simport > 0);
	snprintf(conf, sizeof(conf), "%s/candor.conf", dir);
	T_ASSERT((fp = fopen(conf, "a")) != NULL);
	fprintf(fp, "\n[shop]\nproviders = invoice hosted\nhosted_url = http://127.0.0.1:%d/pay\n"
		    "hosted_secret_file = hosted.secret\n", simport);
	T_ASSERT(fclose(fp) == 0);
	t_server_start(&srv, dir);
	port = srv.port;
	T_ASSERT((fp = fopen(url_file, "w")) != NULL);
	fprintf(fp, "http://127.0.0.1:%d\n", port);
	T_ASSERT(fclose(fp) == 0);

	/* ---- the shop and each kind's fields ---- */
	t_web_req(&r, port, NULL, "GET", "/shop", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "href=\"/shop/poster\"");
	T_CONTAINS(r.body, "1250.00 EUR");
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/shop/film-licence", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "name=\"name\"");
	T_CONTAINS(r.body, "name=\"email\"");
	T_NOT_CONTAINS(r.body, "name=\"address\"");
	T_NOT_CONTAINS(r.body, "name=\"date\"");
	T_CONTAINS(r.body, "plus 20 % tax");
	T_EQ_STR(t_resp_header(&r, "Cache-Control"), "no-store");
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/shop/poster", NULL, NULL);
	T_CONTAINS(r.body, "name=\"address\"");
	T_NOT_CONTAINS(r.body, "name=\"date\"");
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/shop/shoot", NULL, NULL);
	T_CONTAINS(r.body, "name=\"date\"");
	T_NOT_CONTAINS(r.body, "name=\"address\"");
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/shop/nothing-here", NULL, NULL);
	T_EQ_INT(r.status, 404);
	t_resp_free(&r);

	/* ---- refusals: nothing stored ---- */
	f = t_web_form("name", "Gus Guest", "email", "gus@example.test", "address",
	    "9 Hidden Way", "provider", "invoice", NULL);
	post_form(&r, "/shop/film-licence", "/shop/film-licence", NULL, f, NULL);
	free(f);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "does not need your postal address");
	t_resp_free(&r);
	f = t_web_form("name", "Gus Guest", "email", "gus@example.test", "provider", "invoice",
	    "card", "4111111111111111", NULL);
	post_form(&r, "/shop/film-licence", "/shop/film-licence", NULL, f, NULL);
	free(f);
	T_EQ_INT(r.status, 400);
	T_CONTAINS(r.body, "does not take a field named &quot;card&quot;");
	t_resp_free(&r);
	{
		static const char *const cards[] = {"4111111111111111", "4111 1111 1111 1111",
		    "5500-0000-0000-0004", NULL};
		const char *fields[] = {"name", "email", "address", "date"};
		int k;
		for (i = 0; cards[i]; i++)
			for (k = 0; k < 4; k++) {
				char email[80];
				snprintf(email, sizeof(email), "c%s@example.test", cards[i]);
				f = t_web_form("name", k == 0 ? cards[i] : "Gus",
				    "email", k == 1 ? email : "gus@example.test",
				    k == 3 ? "date" : "address", k == 2 || k == 3 ? cards[i] : "1 Road",
				    "provider", "invoice", NULL);
				post_form(&r, k == 3 ? "/shop/shoot" : "/shop/poster",
				    k == 3 ? "/shop/shoot" : "/shop/poster", NULL, f, NULL);
				free(f);
				if (r.status != 400)
					T_FAIL("a card number in %s was accepted", fields[k]);
				t_resp_free(&r);
			}
	}

	/* ---- a guest's physical order by invoice: exact, idempotent ---- */
	f = t_web_form("name", "Ann Guest", "email", "ann.guest@example.test", "address",
	    "1 Secret Lane\nHiddentown", "quantity", "3", "provider", "invoice", NULL);
	post_form(&r, "/shop/poster", "/shop/poster", NULL, f, key);
	T_EQ_INT(r.status, 303);
	snprintf(orderpage, sizeof(orderpage), "/shop/order/%s", key);
	T_EQ_STR(t_resp_header(&r, "Location"), orderpage);
	t_resp_free(&r);
	{	/* the same form again (same key): the same order */
		char *c2;
		struct t_resp g;
		t_web_req(&g, port, NULL, "GET", "/shop/poster", NULL, NULL);
		c2 = t_web_csrf(g.body, "/shop/poster");
		t_resp_free(&g);
		snprintf(body, sizeof(body), "%s", f);
		free(f);
		f = t_web_form("csrf", c2, "key", key, NULL);
		snprintf(body + strlen(body), sizeof(body) - strlen(body), "&%s", f);
		t_web_req(&r, port, NULL, "POST", "/shop/poster", NULL, body);
		T_EQ_INT(r.status, 303);
		T_EQ_STR(t_resp_header(&r, "Location"), orderpage);
		t_resp_free(&r);
		free(c2);
		free(f);
	}
	t_web_req(&r, port, NULL, "GET", orderpage, NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "<dd class=\"net\">59.97 EUR</dd>");
	T_CONTAINS(r.body, "Tax at 20 %");
	T_CONTAINS(r.body, "<dd class=\"vat\">11.99 EUR</dd>");
	T_CONTAINS(r.body, "<dd class=\"total\">71.96 EUR</dd>");
	T_CONTAINS(r.body, "awaiting payment");
	T_NOT_CONTAINS(r.body, "Ann Guest");
	T_ASSERT((p = strstr(r.body, "<h1>Order C-")) != NULL);
	snprintf(ref, sizeof(ref), "%.10s", p + 10);
	t_resp_free(&r);

	/* ---- access to /admin/shop ---- */
	adam = t_web_sign_in(port, NULL, "adam", PW);
	sam = t_web_sign_in(port, NULL, "sam", PW);
	nog = t_web_sign_in(port, NULL, "nog", PW);
	olive = t_web_sign_in(port, NULL, "olive", PW);
	bob = t_web_sign_in(port, NULL, "bob", PW);
	t_web_req(&r, port, NULL, "GET", "/admin/shop", bob, NULL);
	T_EQ_INT(r.status, 403);
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/admin/shop", nog, NULL);
	T_EQ_INT(r.status, 403);
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/admin/shop", NULL, NULL);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/admin/shop", adam, NULL);
	T_EQ_INT(r.status, 200);
	T_EQ_INT(count_refs(r.body), 1);
	T_CONTAINS(r.body, "71.96 EUR");
	/* the admin menu, with the shop marked as the current section */
	T_CONTAINS(r.body, "<a href=\"/admin/shop\" aria-current=\"page\">Shop</a>");
	T_NOT_CONTAINS(r.body, "Ann Guest");
	T_NOT_CONTAINS(r.body, "ann.guest");
	T_NOT_CONTAINS(r.body, "Secret Lane");
	t_resp_free(&r);
	snprintf(path, sizeof(path), "/admin/shop/orders/%s", ref);
	snprintf(conf, sizeof(conf), "/admin/shop/orders/%s/reveal", ref);
	post_form(&r, path, conf, adam, "", NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "Ann Guest");
	T_CONTAINS(r.body, "ann.guest@example.test");
	T_CONTAINS(r.body, "1 Secret Lane");
	t_resp_free(&r);
	post_form(&r, path, conf, sam, "", NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "1 Secret Lane");
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "POST", conf, bob, "csrf=x");
	T_EQ_INT(r.status, 403);
	t_resp_free(&r);
	/* marking paid: billing only */
	snprintf(conf, sizeof(conf), "/admin/shop/orders/%s/paid", ref);
	t_web_req(&r, port, NULL, "GET", path, adam, NULL);
	T_NOT_CONTAINS(r.body, "/paid\"");
	t_resp_free(&r);
	f = t_web_form("reference", "BANK-2026-0042", NULL);
	post_form(&r, path, conf, sam, f, NULL);
	T_EQ_INT(r.status, 303);
	t_resp_free(&r);
	free(f);
	t_web_req(&r, port, NULL, "GET", orderpage, NULL, NULL);
	T_CONTAINS(r.body, "Paid, thank you. Payment reference: BANK-2026-0042.");
	t_resp_free(&r);

	/* ---- a member pays online: the hosted page and its webhook ---- */
	alice = t_web_sign_in(port, NULL, "alice", PW);
	f = t_web_form("name", "Alice Member", "email", "alice.receipt@example.test", "provider",
	    "hosted", NULL);
	post_form(&r, "/shop/film-licence", "/shop/film-licence", alice, f, key2);
	free(f);
	T_EQ_INT(r.status, 303);
	snprintf(loc, sizeof(loc), "%s", t_resp_header(&r, "Location"));
	t_resp_free(&r);
	snprintf(conf, sizeof(conf), "http://127.0.0.1:%d/pay?order=C-", simport);
	T_EQ_INT(strncmp(loc, conf, strlen(conf)), 0);
	T_CONTAINS(loc, "&amount=150000&currency=EUR&return=");
	{
		struct t_resp g;
		t_http(&g, simport, "GET", "127.0.0.1", loc + strlen("http://127.0.0.1:") +
		    strcspn(loc + strlen("http://127.0.0.1:"), "/"), NULL, NULL);
		T_EQ_INT(g.status, 200);
		T_ASSERT((sim_html = t_web_attr(g.body, "name=order", "value")) != NULL ||
		    (sim_html = strdup("")) != NULL);
		t_resp_free(&g);
		p = strstr(loc, "order=") + 6;
		snprintf(ref, sizeof(ref), "%.10s", p);
		snprintf(body, sizeof(body), "order=%s&amount=150000&currency=EUR&return=%%2F"
		    "&card=4242424242424242", ref);
		t_http(&g, simport, "POST", "127.0.0.1", "/pay",
		    (const char *[]){"Content-Type: application/x-www-form-urlencoded", NULL}, body);
		T_EQ_INT(g.status, 303);
		t_resp_free(&g);
		free(sim_html);
	}
	snprintf(orderpage, sizeof(orderpage), "/shop/order/%s", key2);
	t_web_req(&r, port, NULL, "GET", orderpage, NULL, NULL);
	T_CONTAINS(r.body, "<strong>paid</strong>");
	T_CONTAINS(r.body, "<dd class=\"total\">1500.00 EUR</dd>");
	t_resp_free(&r);
	mail = t_web_mail_wait(dir, 0, 20000, "To: alice.receipt@example.test", ref, NULL);
	T_CONTAINS(mail, "Total: 1500.00 EUR");
	free(mail);
	mail = t_web_mail_wait(dir, 0, 20000, "To: alice.receipt@example.test",
	    "Receipt for order", ref, NULL);
	T_CONTAINS(mail, "Total paid: 1500.00 EUR");
	T_CONTAINS(mail, "Payment reference: sim_");
	free(mail);
	mail = t_web_mail_wait(dir, 0, 20000, "To: adam@example.test", "New order", ref, NULL);
	T_NOT_CONTAINS(mail, "alice");
	T_NOT_CONTAINS(mail, "Alice");
	free(mail);

	/* ---- the webhook refuses forgeries, stale notices and replays ---- */
	/* a notice of another sum (the customer rewrote the redirect's amount) settles nothing */
	snprintf(body, sizeof(body), "event=evt_t0&order=%s&status=paid&reference=r0"
	    "&amount=1&currency=EUR&last4=1111", ref);
	T_EQ_INT(webhook(SECRET, time(NULL), body), 422);
	snprintf(body, sizeof(body), "event=evt_t0&order=%s&status=paid&reference=r0"
	    "&amount=150000&currency=USD&last4=1111", ref);
	T_EQ_INT(webhook(SECRET, time(NULL), body), 422);
	snprintf(body, sizeof(body), "event=evt_t1&order=%s&status=paid&reference=r1"
	    "&amount=150000&currency=EUR&last4=1111", ref);
	T_EQ_INT(webhook("not-the-secret-at-all-000000", time(NULL), body), 401);
	T_EQ_INT(webhook(SECRET, time(NULL) - LIMIT_WEBHOOK_WINDOW_S - 5, body), 401);
	T_EQ_INT(webhook(SECRET, time(NULL) + LIMIT_WEBHOOK_WINDOW_S + 5, body), 401);
	T_EQ_INT(webhook(SECRET, time(NULL), body), 200);
	T_EQ_INT(webhook(SECRET, time(NULL), body), 409);
	{
		struct t_resp w;
		t_web_post(&w, port, NULL, "/shop/webhook/hosted", NULL, NULL, body);
		T_EQ_INT(w.status, 401);
		t_resp_free(&w);
	}

	/* ---- the member's own orders and export ---- */
	t_web_req(&r, port, NULL, "GET", "/account/orders", alice, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, ref);
	T_CONTAINS(r.body, "Film licence");
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/account/orders", bob, NULL);
	T_NOT_CONTAINS(r.body, ref);
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/account/export", alice, NULL);
	T_EQ_INT(r.status, 200);
	T_CONTAINS(r.body, "\"shop_orders\"");
	T_CONTAINS(r.body, "alice.receipt@example.test");
	T_CONTAINS(r.body, "\"total_minor\": 150000");
	t_resp_free(&r);
	t_web_req(&r, port, NULL, "GET", "/account/delete", alice, NULL);
	T_CONTAINS(r.body, "Orders you placed in a shop are kept");
	t_resp_free(&r);

	/* ---- no card number, no customer field in plaintext ---- */
	T_EQ_INT(t_server_stop(&srv), 0);
	assert_absent("4111111111111111");
	assert_absent("4111 1111");
	assert_absent("4242424242424242");
	assert_absent("Secret Lane");
	assert_absent("Alice Member");
	assert_absent("ann.guest@example");
	sim_stop();
	free(alice);
	free(adam);
	free(sam);
	free(nog);
	free(olive);
	free(bob);
	return 0;
}
