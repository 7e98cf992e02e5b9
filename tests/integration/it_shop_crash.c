/*
 * it_shop_crash: acknowledged means durable for orders, on both backends (issue 9,
 * item 2; SECURITY.md "Durability and faults"). 20 client processes send 200 checkouts
 * at once (10 each, every one with its own idempotency key); once 40 have been answered
 * 303, `candor serve` is killed with SIGKILL. After a restart, every order whose
 * checkout got its 303 exists exactly once (its key's hash is in one row, its page
 * answers 200 with the right total), and sending one of them again returns that same
 * order rather than a second one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commerce/commerce.h"
#include "core/core.h"
#include "testlib.h"
#include "testweb.h"
#include "web/web_int.h"

#define HOST "perfectimagevideo.localhost"
#define CLIENTS 20
#define PER_CLIENT 10
#define KILL_AFTER 40

static int
lines(const char *path)
{
	size_t len = 0, i;
	char *d = t_read_file(path, &len);
	int n = 0;

	for (i = 0; d && i < len; i++)
		n += d[i] == '\n';
	free(d);
	return n;
}

/* One POST over a fresh connection; the status (0 when the server is gone) and the
 * Location into loc. Never fails the test: the server dies under it on purpose. */
static int
raw_post(int port, const char *path, const char *body, char *loc, size_t locsize)
{
	struct sockaddr_in sa;
	char req[2048], resp[4096];
	size_t got = 0;
	ssize_t k;
	int fd, status = 0;
	const char *l;

	loc[0] = '\0';
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: " HOST "\r\nContent-Type: "
	    "application/x-www-form-urlencoded\r\nContent-Length: %zu\r\nConnection: close"
	    "\r\n\r\n%s", path, strlen(body), body);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return 0;
	}
	while (got < sizeof(resp) - 1 && (k = read(fd, resp + got, sizeof(resp) - 1 - got)) > 0)
		got += (size_t)k;
	close(fd);
	resp[got] = '\0';
	if (sscanf(resp, "HTTP/1.1 %d", &status) != 1)
		return 0;
	if ((l = strstr(resp, "\r\nLocation: ")) != NULL)
		snprintf(loc, locsize, "%.*s", (int)strcspn(l + 12, "\r\n"), l + 12);
	return status;
}

static char *
checkout_body(const char *csrf, const char *key)
{
	return t_web_form("csrf", csrf, "key", key, "name", "Crash Tester", "email",
	    "crash@example.test", "quantity", "2", "provider", "invoice", NULL);
}

int
main(void)
{
	const char *dir = t_datadir(true);
	struct t_server srv;
	struct t_resp r;
	char acked[1200], *out = NULL, *csrf, *data, *line, *save = NULL, page[128], *body;
	int pids[CLIENTS], c, i, fd, status, n, checked = 0;
	static const struct store_stmt by_hash = {"t_crash_by_hash",
	    "SELECT COUNT(*) FROM orders WHERE key_hash = ?"};
	struct config cfg;
	struct cli_db db;
	struct store *s;
	char msg[256];
	enum err e;

	T_EQ_INT(t_candor(&out, "product", "add", "--data", dir, "--site", HOST, "--title",
		     "Licence", "--price", "1000", "--currency", "EUR", "--kind", "digital", NULL),
	    0);
	free(out);
	t_server_start(&srv, dir);
	t_web_get(&r, srv.port, NULL, "/shop/licence", NULL, NULL);
	T_EQ_INT(r.status, 200);
	T_ASSERT((csrf = t_web_csrf(r.body, "/shop/licence")) != NULL);
	t_resp_free(&r);
	snprintf(acked, sizeof(acked), "%s/acked.txt", t_tmpdir());
	T_ASSERT((fd = open(acked, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600)) >= 0);

	for (c = 0; c < CLIENTS; c++) {
		if ((pids[c] = fork()) == 0) {
			for (i = 0; i < PER_CLIENT; i++) {
				char key[COMMERCE_KEY_LEN + 1], rec[COMMERCE_KEY_LEN + 2], loc[256];
				int st;
				commerce_key_new(key);
				body = checkout_body(csrf, key);
				st = raw_post(srv.port, "/shop/licence", body, loc, sizeof(loc));
				free(body);
				/* a 303 to the order's page is the acknowledgement */
				if (st == 303 && strstr(loc, key)) {
					snprintf(rec, sizeof(rec), "%s\n", key);
					if (write(fd, rec, strlen(rec)) != (ssize_t)strlen(rec))
						_exit(3);
				} else if (st != 0)
					_exit(4); /* anything but an answer lost to the kill */
			}
			_exit(0);
		}
		T_ASSERT(pids[c] > 0);
	}
	for (i = 0; i < 3000 && lines(acked) < KILL_AFTER; i++)
		usleep(10000);
	T_ASSERT(lines(acked) >= KILL_AFTER);
	kill(srv.pid, SIGKILL);
	T_EQ_INT(t_server_stop(&srv), 128 + SIGKILL);
	for (c = 0; c < CLIENTS; c++) {
		T_EQ_INT(waitpid(pids[c], &status, 0), pids[c]);
		T_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	close(fd);
	n = lines(acked);
	fprintf(stderr, "it_shop_crash: %d of %d checkouts acknowledged before SIGKILL\n", n,
	    CLIENTS * PER_CLIENT);
	T_ASSERT(n >= KILL_AFTER && n < CLIENTS * PER_CLIENT);

	/* every acknowledged order exists exactly once */
	T_ASSERT(config_load(dir, &cfg, msg, sizeof(msg)) == ERR_OK);
	T_ASSERT(cli_db_resolve(&cfg, &db));
	T_ASSERT((s = store_open(db.url, db.password[0] ? db.password : NULL, &e, msg,
		      sizeof(msg))) != NULL);
	T_ASSERT((data = t_read_file(acked, NULL)) != NULL);
	t_server_start(&srv, dir);
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned char h[32];
		struct store_q *q;
		crypto_generichash(h, sizeof(h), (const unsigned char *)line, strlen(line), NULL, 0);
		T_ASSERT((q = store_prepare(s, &by_hash)) != NULL);
		store_bind_blob(q, 1, h, sizeof(h));
		T_EQ_INT(store_step(q), STORE_ROW);
		if (store_col_int(q, 0) != 1)
			T_FAIL("acknowledged order %s is stored %lld times", line,
			    (long long)store_col_int(q, 0));
		T_EQ_INT(store_done(q), ERR_OK);
		snprintf(page, sizeof(page), "/shop/order/%s", line);
		t_web_get(&r, srv.port, NULL, page, NULL, NULL);
		T_EQ_INT(r.status, 200);
		T_CONTAINS(r.body, "<dd class=\"total\">20.00 EUR</dd>");
		t_resp_free(&r);
		if (checked++ == 0) {
			/* sent again after the restart: the same order, not a second one */
			body = checkout_body(csrf, line);
			t_web_post(&r, srv.port, NULL, "/shop/licence", NULL, NULL, body);
			free(body);
			T_EQ_INT(r.status, 303);
			T_EQ_STR(t_resp_header(&r, "Location"), page);
			t_resp_free(&r);
			T_ASSERT((q = store_prepare(s, &by_hash)) != NULL);
			store_bind_blob(q, 1, h, sizeof(h));
			T_EQ_INT(store_step(q), STORE_ROW);
			T_EQ_INT(store_col_int(q, 0), 1);
			T_EQ_INT(store_done(q), ERR_OK);
		}
	}
	T_EQ_INT(checked, n);
	T_EQ_INT(t_server_stop(&srv), 0);
	free(data);
	free(csrf);
	store_close(s);
	return 0;
}
