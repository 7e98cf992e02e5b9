/*
 * test_store_mail: the outbox and its delivery, on both backends. Header injection is
 * refused at enqueue; the Maildir gets one correct file per message; a process killed
 * in the middle of delivery (before the hand-over, and after it but before the sent
 * mark) leaves every message delivered exactly once to the Maildir after a restart;
 * delivery to a real SMTP peer (Debian's aiosmtpd, run with /usr/bin/python3) works,
 * retries with exponential backoff while the peer is down, and after a crash past the
 * hand-over resends once with the same Message-ID (the documented SMTP guarantee).
 * Bodies are sealed like addresses: a reset-like link queued with a random token is in
 * no database file (SQLite: the file and its WAL) nor in the row as SQL reads it, yet
 * arrives intact in the Maildir and at the SMTP peer; a row queued before bodies were
 * sealed (plain body) is still delivered; a message whose address or body no longer
 * opens (key shredded, seal moved to another row) fails without delivery; sent and
 * failed rows keep neither body.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mail/mail.h"
#include "testlib.h"
#include "testsmtp.h"

static struct config cfg;
static struct privacy *priv;
static struct store *st;
static int64_t alice;

/* What SQL sees of a row's body, and the statements that fake older or damaged rows. */
static const struct store_stmt t_body_sql = {"t_mail_body",
    "SELECT body, body_sealed, state, last_error FROM mail_outbox WHERE id = ?"};
static const struct store_stmt t_unseal_sql = {"t_mail_unseal",
    "UPDATE mail_outbox SET body = ?, body_sealed = NULL WHERE id = ?"};
static const struct store_stmt t_move_seal_sql = {"t_mail_move_seal",
    "UPDATE mail_outbox SET body_sealed = (SELECT body_sealed FROM mail_outbox WHERE id = ?)"
    " WHERE id = ?"};

/* A row's body columns as stored. */
struct t_row {
	char body[256], last_error[256];
	bool sealed_null;
	size_t sealed_len;
	bool sealed_has_token;
	int state;
};

static void
read_row(int64_t id, const char *token, struct t_row *r)
{
	struct store_q *q = store_prepare(st, &t_body_sql);
	const void *blob;
	size_t n, k = strlen(token), i;

	memset(r, 0, sizeof(*r));
	T_ASSERT(q != NULL);
	store_bind_int(q, 1, id);
	T_EQ_INT(store_step(q), STORE_ROW);
	str_copy(r->body, store_col_text(q, 0), sizeof(r->body));
	r->sealed_null = store_col_null(q, 1);
	if (!r->sealed_null) {
		blob = store_col_blob(q, 1, &n);
		r->sealed_len = n;
		for (i = 0; k && i + k <= n; i++)
			if (memcmp((const char *)blob + i, token, k) == 0)
				r->sealed_has_token = true;
	}
	r->state = (int)store_col_int(q, 2);
	str_copy(r->last_error, store_col_text(q, 3), sizeof(r->last_error));
	T_EQ_INT(store_done(q), ERR_OK);
}

/* Runs a test statement binding (text or NULL, id) or (id, id). */
static void
run_stmt(const struct store_stmt *sql, const char *text, int64_t a, int64_t b)
{
	struct store_q *q = store_prepare(st, sql);

	T_ASSERT(q != NULL);
	if (text) {
		store_bind_text(q, 1, text);
		store_bind_int(q, 2, b);
	} else {
		store_bind_int(q, 1, a);
		store_bind_int(q, 2, b);
	}
	store_step(q);
	T_EQ_INT(store_done(q), ERR_OK);
}

/* Fails if the SQLite database files (the file, its WAL) hold needle. */
static void
assert_not_in_database(const char *needle)
{
	char dir[1100], *slash;

	if (strncmp(cfg.database, "sqlite:", 7) != 0)
		return; /* PostgreSQL: the row as read by SQL is checked instead */
	str_copy(dir, cfg.database + 7, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	t_assert_absent(dir, needle);
}

/* A reset-like link whose token is 32 random hex digits, written into token. */
static void
make_link(char *token, size_t tokensize, char *body, size_t bodysize)
{
	unsigned char rnd[16];

	T_ASSERT(tokensize >= 33);
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(token, tokensize, rnd, sizeof(rnd));
	snprintf(body, bodysize, "Hello,\n\nreset your password within the hour:\n"
				 "https://example.test/reset?token=%s\n", token);
}

/* Files directly in dir (not . or ..). */
static int
count_files(const char *dir)
{
	struct dirent *d;
	DIR *dh = opendir(dir);
	int n = 0;

	if (dh == NULL)
		return 0;
	while ((d = readdir(dh)) != NULL)
		if (d->d_name[0] != '.')
			n++;
	closedir(dh);
	return n;
}

/* The contents of the only file in dir holding needle (malloc'd), or NULL. */
static char *
find_file(const char *dir, const char *needle)
{
	char path[1400], *txt;
	struct dirent *d;
	DIR *dh = opendir(dir);

	if (dh == NULL)
		return NULL;
	while ((d = readdir(dh)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if ((txt = t_read_file(path, NULL)) && strstr(txt, needle)) {
			closedir(dh);
			return txt;
		}
		free(txt);
	}
	closedir(dh);
	return NULL;
}

static size_t
count_state(enum mail_state want)
{
	struct mail_entry *v;
	struct arena *a = arena_new();
	size_t n;

	T_EQ_INT(mail_list(st, a, 1u << want, &v, &n), ERR_OK);
	arena_free(a);
	return n;
}

static void
maildir_transport(struct mail_transport *t, const char *dir)
{
	memset(t, 0, sizeof(*t));
	str_copy(t->from, "candor@example.org", sizeof(t->from));
	str_copy(t->maildir, dir, sizeof(t->maildir));
	t->lease_s = LIMIT_MAIL_LEASE_MAILDIR_S;
}

static void
test_refuses_injection(void)
{
	char longsub[LIMIT_MAIL_SUBJECT_MAX + 2], longline[LIMIT_MAIL_LINE_MAX + 2];

	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", "Hi\r\nBcc: x@evil.test",
		     "body\n", NULL), ERR_INVAL);
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", "Hi\nBcc: x@evil.test",
		     "body\n", NULL), ERR_INVAL);
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", "Hi\r", "b\n", NULL),
	    ERR_INVAL);
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", "tab\there", "b\n", NULL),
	    ERR_INVAL);
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", "", "b\n", NULL), ERR_INVAL);
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test\r\nBcc: x@evil.test", "Hi",
		     "b\n", NULL), ERR_INVAL);
	T_EQ_INT(mail_enqueue(priv, st, alice, "<alice@example.test>", "Hi", "b\n", NULL),
	    ERR_INVAL);
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", "Hi", "a\r\nb\n", NULL),
	    ERR_INVAL);
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", "\xff\xfe", "b\n", NULL),
	    ERR_INVAL);
	/* limits at N and N+1 */
	memset(longsub, 'a', sizeof(longsub));
	longsub[LIMIT_MAIL_SUBJECT_MAX + 1] = '\0';
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", longsub, "b\n", NULL),
	    ERR_INVAL);
	memset(longline, 'b', sizeof(longline));
	longline[LIMIT_MAIL_LINE_MAX + 1] = '\0';
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", "Hi", longline, NULL),
	    ERR_TOOBIG);
	T_EQ_INT(count_state(MAIL_PENDING), 0);
	longsub[LIMIT_MAIL_SUBJECT_MAX] = '\0';
	longline[LIMIT_MAIL_LINE_MAX] = '\0';
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", longsub, longline, NULL),
	    ERR_OK);
	T_EQ_INT(count_state(MAIL_PENDING), 1);
}

static void
test_maildir(const char *md)
{
	struct mail_transport t;
	struct mail_run run;
	struct audit_entry *au;
	struct arena *a = arena_new();
	char new_dir[1200], *txt;
	size_t n, i, deliveries = 0, body_reads = 0;
	int64_t id;

	maildir_transport(&t, md);
	snprintf(new_dir, sizeof(new_dir), "%s/new", md);
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", "Verify your email",
		     "Hello alice,\n.a line starting with a dot\n", &id), ERR_OK);
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", "Grüße aus Köln, Ünïcödé",
		     "x\n", NULL), ERR_OK);
	T_EQ_INT(mail_deliver_due(priv, st, &t, time_now(), &run), ERR_OK);
	T_EQ_INT(run.sent, 3); /* with the one from test_refuses_injection */
	T_EQ_INT(count_files(new_dir), 3);
	T_EQ_INT(count_state(MAIL_SENT), 3);
	txt = find_file(new_dir, "Verify your email");
	T_ASSERT(txt != NULL);
	T_CONTAINS(txt, "\nTo: alice@example.test\n");
	T_CONTAINS(txt, "From: candor@example.org\n");
	T_CONTAINS(txt, "\nSubject: Verify your email\n");
	T_CONTAINS(txt, "@example.org>\n");
	T_CONTAINS(txt, "Content-Type: text/plain; charset=utf-8\n");
	T_CONTAINS(txt, "\n\nHello alice,\n.a line starting with a dot\n");
	T_NOT_CONTAINS(txt, "\r");
	free(txt);
	txt = find_file(new_dir, "=?UTF-8?B?");
	T_ASSERT(txt != NULL);
	T_NOT_CONTAINS(txt, "Grüße");
	free(txt);
	/* nothing twice */
	T_EQ_INT(mail_deliver_due(priv, st, &t, time_now() + 100000, &run), ERR_OK);
	T_EQ_INT(run.sent + run.recovered + run.retried + run.failed, 0);
	T_EQ_INT(count_files(new_dir), 3);
	/* every delivery read of the address and of the body is in the audit log */
	T_EQ_INT(rights_accesses(priv, st, a, alice, &au, &n), ERR_OK);
	for (i = 0; i < n; i++)
		if (strcmp(au[i].purpose, "delivery") == 0 &&
		    strcmp(au[i].decision, "allow") == 0) {
			deliveries++;
			if (strcmp(au[i].field_class, "text") == 0)
				body_reads++;
			else
				T_EQ_STR(au[i].field_class, "email");
		}
	T_EQ_INT(deliveries, 6);
	T_EQ_INT(body_reads, 3);
	arena_free(a);
}

/*
 * The body of a queued message is sealed: a reset-like link is in no database file and
 * not in the row, yet arrives intact; once sent, the row keeps neither body column.
 */
static void
test_sealed_body(const char *md)
{
	struct mail_transport t;
	struct mail_run run;
	struct t_row r;
	char new_dir[1200], token[33], body[256], *txt;
	int64_t id;

	maildir_transport(&t, md);
	snprintf(new_dir, sizeof(new_dir), "%s/new", md);
	make_link(token, sizeof(token), body, sizeof(body));
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", "Reset your password", body,
		     &id), ERR_OK);
	read_row(id, token, &r);
	T_EQ_STR(r.body, "");
	T_ASSERT(!r.sealed_null);
	T_ASSERT(r.sealed_len >= strlen(body) + 40); /* nonce, ciphertext, tag */
	T_ASSERT(!r.sealed_has_token);
	assert_not_in_database(token);
	assert_not_in_database("reset your password within");

	T_EQ_INT(mail_deliver_due(priv, st, &t, time_now(), &run), ERR_OK);
	T_EQ_INT(run.sent, 1);
	txt = find_file(new_dir, token);
	T_ASSERT(txt != NULL);
	T_CONTAINS(txt, "\nSubject: Reset your password\n");
	T_CONTAINS(txt, "\n\n");
	T_CONTAINS(txt, body); /* the whole body, byte for byte */
	free(txt);
	read_row(id, token, &r);
	T_EQ_INT(r.state, MAIL_SENT);
	T_EQ_STR(r.body, "");
	T_ASSERT(r.sealed_null);
	assert_not_in_database(token);
}

/* A row queued before bodies were sealed (plain body, body_sealed NULL) is delivered,
 * and its plain body wiped once sent. */
static void
test_legacy_plain_body(const char *md)
{
	struct mail_transport t;
	struct mail_run run;
	struct t_row r;
	char new_dir[1200], *txt;
	int64_t id;

	maildir_transport(&t, md);
	snprintf(new_dir, sizeof(new_dir), "%s/new", md);
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", "From before", "x\n", &id),
	    ERR_OK);
	run_stmt(&t_unseal_sql, "queued before migration 2\n", 0, id);
	read_row(id, "", &r);
	T_ASSERT(r.sealed_null);
	T_EQ_STR(r.body, "queued before migration 2\n");
	T_EQ_INT(mail_deliver_due(priv, st, &t, time_now(), &run), ERR_OK);
	T_EQ_INT(run.sent, 1);
	txt = find_file(new_dir, "queued before migration 2");
	T_ASSERT(txt != NULL);
	T_CONTAINS(txt, "\nSubject: From before\n");
	free(txt);
	read_row(id, "", &r);
	T_EQ_INT(r.state, MAIL_SENT);
	T_EQ_STR(r.body, "");
	T_ASSERT(r.sealed_null);
}

/*
 * A message that no longer opens fails at once, without delivery, and keeps no body:
 * the recipient's key shredded (erased: neither address nor body opens), or a body seal
 * moved from another row (the address opens, the body does not).
 */
static void
test_unopenable(const char *md)
{
	struct mail_transport t;
	struct mail_run run;
	struct t_row r;
	char new_dir[1200], subj[32], token[33], body[256];
	int64_t bob, id_bob, id_a, id_b;
	int before;

	maildir_transport(&t, md);
	snprintf(new_dir, sizeof(new_dir), "%s/new", md);
	before = count_files(new_dir);
	bob = t_person(priv, st, "bob", ROLE_MEMBER);
	make_link(token, sizeof(token), body, sizeof(body));
	T_EQ_INT(mail_enqueue(priv, st, bob, "bob@example.test", "Verify your email", body,
		     &id_bob), ERR_OK);
	snprintf(subj, sizeof(subj), "user:%lld", (long long)bob);
	T_EQ_INT(vault_shred(priv, st, subj), ERR_OK);
	T_EQ_INT(mail_deliver_due(priv, st, &t, time_now(), &run), ERR_OK);
	T_EQ_INT(run.failed, 1);
	T_EQ_INT(run.sent, 0);
	T_EQ_INT(count_files(new_dir), before);
	read_row(id_bob, token, &r);
	T_EQ_INT(r.state, MAIL_FAILED);
	T_CONTAINS(r.last_error, "cannot be opened");
	T_EQ_STR(r.body, "");
	T_ASSERT(r.sealed_null);

	/* b carries a's sealed body, which is bound to a's row: it does not open there */
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", "message a", "a\n", &id_a),
	    ERR_OK);
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", "message b", "b\n", &id_b),
	    ERR_OK);
	run_stmt(&t_move_seal_sql, NULL, id_a, id_b);
	T_EQ_INT(mail_deliver_due(priv, st, &t, time_now(), &run), ERR_OK);
	T_EQ_INT(run.sent, 1);
	T_EQ_INT(run.failed, 1);
	T_EQ_INT(count_files(new_dir), before + 1);
	read_row(id_b, "", &r);
	T_EQ_INT(r.state, MAIL_FAILED);
	T_CONTAINS(r.last_error, "message cannot be opened");
	T_ASSERT(r.sealed_null);
	T_EQ_INT(count_state(MAIL_SENDING) + count_state(MAIL_PENDING), 0);
}

/* The child process: delivers on its own connections and SIGKILLs itself at the
 * hook point `where` of the message numbered `nth` (1-based) in this run. */
struct crash {
	int where, nth, seen;
};

static void
crash_hook(void *arg, int where, int64_t id)
{
	struct crash *c = arg;

	if (where == c->where && ++c->seen == c->nth)
		raise(SIGKILL);
}

static void
deliver_in_child_and_kill(const struct mail_transport *base, int where, int nth)
{
	struct mail_transport t = *base;
	struct crash c = {where, nth, 0};
	struct mail_run run;
	int status;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		char msg[256];
		enum err e;
		struct privacy *p = NULL;
		struct store *s = store_open(cfg.database, NULL, &e, msg, sizeof(msg));

		if (s == NULL || privacy_open(&cfg, &p, msg, sizeof(msg)) != ERR_OK)
			_exit(3);
		t.hook = crash_hook;
		t.hook_arg = &c;
		mail_deliver_due(p, s, &t, time_now(), &run);
		_exit(4); /* the hook should have killed us */
	}
	T_ASSERT(pid > 0);
	T_EQ_INT(waitpid(pid, &status, 0), pid);
	T_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* What a mail client does with messages it has shown: new/NAME -> cur/NAME:2,S. */
static void
move_all_to_cur(const char *md)
{
	char from[1400], to[1400], dir[1200];
	struct dirent *d;
	DIR *dh;

	snprintf(dir, sizeof(dir), "%s/new", md);
	T_ASSERT((dh = opendir(dir)) != NULL);
	while ((d = readdir(dh)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(from, sizeof(from), "%s/new/%s", md, d->d_name);
		snprintf(to, sizeof(to), "%s/cur/%s:2,S", md, d->d_name);
		T_ASSERT(rename(from, to) == 0);
	}
	closedir(dh);
}

static void
test_crash_maildir(const char *md)
{
	struct mail_transport t;
	struct mail_run run;
	char new_dir[1200], subj[32];
	int i, before;
	int64_t now;

	maildir_transport(&t, md);
	snprintf(new_dir, sizeof(new_dir), "%s/new", md);
	before = count_files(new_dir);
	for (i = 0; i < 6; i++) {
		snprintf(subj, sizeof(subj), "crash test %d", i);
		T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", subj, "x\n", NULL),
		    ERR_OK);
	}
	/* killed after the 3rd file was renamed into new/, before its sent mark */
	deliver_in_child_and_kill(&t, MAIL_HOOK_HANDED_OVER, 3);
	T_EQ_INT(count_files(new_dir), before + 3);
	T_EQ_INT(count_state(MAIL_SENDING), 1);
	T_EQ_INT(count_state(MAIL_PENDING), 3);
	/* a restart within the lease leaves the claimed row alone */
	now = time_now();
	T_EQ_INT(mail_deliver_due(priv, st, &t, now, &run), ERR_OK);
	T_EQ_INT(run.sent, 3);
	T_EQ_INT(count_state(MAIL_SENDING), 1);
	T_EQ_INT(count_files(new_dir), before + 6);
	/* after the lease: found in new/, marked sent, not written again */
	T_EQ_INT(mail_deliver_due(priv, st, &t, now + t.lease_s + 1, &run), ERR_OK);
	T_EQ_INT(run.recovered, 1);
	T_EQ_INT(run.sent, 0);
	T_EQ_INT(count_files(new_dir), before + 6);
	T_EQ_INT(count_state(MAIL_SENDING), 0);

	/* killed after the claim, before anything was written: written once after the lease */
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", "crash test 7", "x\n",
		     NULL), ERR_OK);
	deliver_in_child_and_kill(&t, MAIL_HOOK_CLAIMED, 1);
	T_EQ_INT(count_state(MAIL_SENDING), 1);
	T_EQ_INT(count_files(new_dir), before + 6);
	now = time_now();
	T_EQ_INT(mail_deliver_due(priv, st, &t, now + t.lease_s + 1, &run), ERR_OK);
	T_EQ_INT(run.sent, 1);
	T_EQ_INT(count_files(new_dir), before + 7);
	T_EQ_INT(count_state(MAIL_SENDING) + count_state(MAIL_PENDING), 0);

	/* killed after the hand-over, and the mail client has since read everything (moved
	 * to cur/ as NAME:2,S): recognised there, not written again */
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", "crash test 8", "x\n",
		     NULL), ERR_OK);
	deliver_in_child_and_kill(&t, MAIL_HOOK_HANDED_OVER, 1);
	T_EQ_INT(count_files(new_dir), before + 8);
	move_all_to_cur(md);
	T_EQ_INT(mail_deliver_due(priv, st, &t, time_now() + t.lease_s + 1, &run), ERR_OK);
	T_EQ_INT(run.recovered, 1);
	T_EQ_INT(run.sent, 0);
	T_EQ_INT(count_files(new_dir), 0);
	T_EQ_INT(count_state(MAIL_SENDING) + count_state(MAIL_PENDING), 0);
}

/* ------------------------------------------------------------------ SMTP peer ---- */

static void
test_smtp(const char *box)
{
	struct mail_transport t;
	struct mail_entry *v;
	struct mail_run run;
	struct arena *a = arena_new();
	char new_dir[1200], *txt;
	int port = t_smtp_free_port();
	int64_t now = time_now(), id;
	size_t n;
	struct t_row r;
	char token[33], body[256], line[128];

	memset(&t, 0, sizeof(t));
	snprintf(t.url, sizeof(t.url), "smtp://127.0.0.1:%d", port);
	str_copy(t.from, "candor@example.org", sizeof(t.from));
	t.lease_s = LIMIT_MAIL_LEASE_S;
	snprintf(new_dir, sizeof(new_dir), "%s/new", box);

	/* the peer is down: retried with exponential backoff */
	make_link(token, sizeof(token), body, sizeof(body));
	str_copy(body + strlen(body), "Hello over SMTP.\n.dot line\nend\n",
	    sizeof(body) - strlen(body));
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", "Über SMTP", body, &id),
	    ERR_OK);
	read_row(id, token, &r);
	T_EQ_STR(r.body, "");
	T_ASSERT(!r.sealed_null && !r.sealed_has_token);
	assert_not_in_database(token);
	T_EQ_INT(mail_deliver_due(priv, st, &t, now, &run), ERR_OK);
	T_EQ_INT(run.retried, 1);
	T_EQ_INT(mail_list(st, a, 1u << MAIL_PENDING, &v, &n), ERR_OK);
	T_EQ_INT(n, 1);
	T_EQ_INT(v[0].attempts, 1);
	T_EQ_INT(v[0].next_attempt_at, now + LIMIT_MAIL_BACKOFF_FIRST_S);
	T_ASSERT(v[0].last_error[0] != '\0');
	T_NOT_CONTAINS(v[0].last_error, "alice");
	T_EQ_INT(mail_deliver_due(priv, st, &t, now + LIMIT_MAIL_BACKOFF_FIRST_S, &run), ERR_OK);
	T_EQ_INT(run.retried, 1);
	T_EQ_INT(mail_list(st, a, 1u << MAIL_PENDING, &v, &n), ERR_OK);
	T_EQ_INT(v[0].attempts, 2);
	T_EQ_INT(v[0].next_attempt_at, now + 3 * LIMIT_MAIL_BACKOFF_FIRST_S); /* doubled */
	T_EQ_INT(mail_deliver_due(priv, st, &t, now + 3 * LIMIT_MAIL_BACKOFF_FIRST_S - 1, &run), ERR_OK);
	T_EQ_INT(run.retried + run.sent, 0); /* not due yet */

	/* the peer comes back: delivered */
	t_smtp_start_at(port, box);
	T_EQ_INT(mail_deliver_due(priv, st, &t, now + 3 * LIMIT_MAIL_BACKOFF_FIRST_S, &run), ERR_OK);
	T_EQ_INT(run.sent, 1);
	T_EQ_INT(count_files(new_dir), 1);
	txt = find_file(new_dir, "Hello over SMTP.");
	T_ASSERT(txt != NULL);
	T_CONTAINS(txt, "To: alice@example.test");
	T_CONTAINS(txt, "Subject: =?UTF-8?B?");
	T_CONTAINS(txt, "@example.org>");
	T_CONTAINS(txt, "\n.dot line\n"); /* dot-stuffed on the wire, restored by the peer */
	snprintf(line, sizeof(line), "\nhttps://example.test/reset?token=%s\n", token);
	T_CONTAINS(txt, line); /* the link arrives intact */
	free(txt);
	read_row(id, token, &r);
	T_EQ_INT(r.state, MAIL_SENT);
	T_ASSERT(r.sealed_null);
	assert_not_in_database(token);

	/* killed after the relay accepted, before the sent mark: one resend after the
	 * lease, with the same Message-ID (docs/mail.md: the SMTP guarantee) */
	T_EQ_INT(mail_enqueue(priv, st, alice, "alice@example.test", "resend once", "r\n", NULL),
	    ERR_OK);
	deliver_in_child_and_kill(&t, MAIL_HOOK_HANDED_OVER, 1);
	T_EQ_INT(count_files(new_dir), 2);
	T_EQ_INT(mail_deliver_due(priv, st, &t, time_now() + 10, &run), ERR_OK);
	T_EQ_INT(run.sent, 0); /* within the lease */
	T_EQ_INT(mail_deliver_due(priv, st, &t, time_now() + LIMIT_MAIL_LEASE_S + 1, &run), ERR_OK);
	T_EQ_INT(run.sent, 1);
	T_EQ_INT(count_files(new_dir), 3);
	T_EQ_INT(count_state(MAIL_SENDING) + count_state(MAIL_PENDING), 0);
	t_smtp_stop();
	arena_free(a);
}

int
main(void)
{
	char md[1200], md2[1200], box[1200];

	t_privacy_config(&cfg, NULL);
	st = t_privacy_store(&cfg);
	T_EQ_INT(mail_migrate(st), ERR_OK);
	priv = t_privacy_open(&cfg);
	T_EQ_INT(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	alice = t_person(priv, st, "alice", ROLE_MEMBER);
	snprintf(md, sizeof(md), "%s/maildir", cfg.data_dir);
	snprintf(md2, sizeof(md2), "%s/maildir-sealed", cfg.data_dir);
	snprintf(box, sizeof(box), "%s/smtp-box", t_tmpdir());

	test_refuses_injection();
	test_maildir(md);
	test_sealed_body(md2);
	test_legacy_plain_body(md2);
	test_unopenable(md2);
	test_crash_maildir(md);
	test_smtp(box);

	privacy_free(priv);
	store_close(st);
	curl_global_cleanup();
	printf("ok\n");
	return 0;
}
