/*
 * outbox: the mail_outbox table and the delivery state machine.
 *
 *   pending --claim--> sending --handed over--> sent
 *      ^                  |  \--error, attempts left--> pending (next_attempt_at later)
 *      |                  \----error, none left, or recipient erased--> failed
 *      +-- a claim is committed before anything leaves; its lease (next_attempt_at while
 *          sending) tells when a crashed delivery may be taken over.
 *
 * Invariants: the recipient address and the body exist only sealed (to_sealed and
 * body_sealed, under the person's subject key, each bound to its column and this row,
 * written in the transaction that inserts the row) and are opened only through gate_read
 * as the system for delivery, so every read is audited. The body is sealed because it
 * may hold a single-use link (a password reset is as good as the password for an hour):
 * the database file, its WAL and its backups never hold it in plaintext. The plain body
 * column stays empty; it is read only for rows queued before migration 2 (body_sealed
 * NULL), which are still delivered. Subjects and bodies are checked at enqueue so no
 * header line can be injected. Both body columns are cleared once the message is sent or
 * failed: the database should keep a link no longer than needed. Rows go with their
 * person (ON DELETE CASCADE) when the account is erased; shredding the key alone makes
 * a queued message fail, since neither field opens.
 */
#include <sodium.h>
#include <string.h>

#include "mail/mail_int.h"

/* Every body mail_enqueue accepts can be sealed. */
_Static_assert(LIMIT_MAIL_BODY_MAX <= LIMIT_SEALED_PLAIN, "a mail body must fit a sealed field");

static const struct store_migration mail_migrations[] = {
	{1, "CREATE TABLE mail_outbox ("
	    " id {{ID}},"
	    " message_id TEXT NOT NULL UNIQUE,"
	    " person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	    " to_sealed {{BLOB}} NOT NULL,"
	    " subject TEXT NOT NULL,"
	    " body TEXT NOT NULL,"
	    " state INTEGER NOT NULL,"
	    " attempts INTEGER NOT NULL,"
	    " next_attempt_at BIGINT NOT NULL,"
	    " last_error TEXT NOT NULL,"
	    " created_at BIGINT NOT NULL,"
	    " sent_at BIGINT NOT NULL);"
	    "CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt_at)"},
	/* the body sealed like the address; body stays '' for new rows */
	{2, "ALTER TABLE mail_outbox ADD COLUMN body_sealed {{BLOB}}"},
	/* list messages (announcements): an HTML alternative sealed like the body, and
	 * the List-Unsubscribe value (a link with the person's token: no personal data,
	 * cleared with the body once sent) */
	{3, "ALTER TABLE mail_outbox ADD COLUMN html_sealed {{BLOB}};"
	    "ALTER TABLE mail_outbox ADD COLUMN list_unsubscribe TEXT NOT NULL DEFAULT ''"},
	/* campaigns (campaign.c): the text, and one row per recipient (never twice) */
	{4, "CREATE TABLE mail_campaigns ("
	    " id {{ID}},"
	    " ref TEXT NOT NULL UNIQUE,"
	    " subject TEXT NOT NULL,"
	    " body_text TEXT NOT NULL,"
	    " body_html TEXT NOT NULL,"
	    " unsub_base TEXT NOT NULL,"
	    " unsub_inbox TEXT NOT NULL,"
	    " created_by BIGINT NOT NULL,"
	    " created_at BIGINT NOT NULL,"
	    " total BIGINT NOT NULL);"
	    "CREATE TABLE mail_campaign_recipients ("
	    " campaign_id BIGINT NOT NULL REFERENCES mail_campaigns(id),"
	    " person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	    " queued_at BIGINT NOT NULL,"
	    " PRIMARY KEY (campaign_id, person_id));"
	    "CREATE INDEX mail_campaign_waiting ON mail_campaign_recipients (queued_at)"},
};

enum {
	SQL_INSERT,
	SQL_SET_SEALED,
	SQL_DUE,
	SQL_ROW,
	SQL_CLAIM,
	SQL_SENT,
	SQL_RETRY,
	SQL_FAILED,
	SQL_LIST,
	SQL_COPY_SEL,
	SQL_COPY_INS,
	SQL__MAX
};

#define MAIL_COLUMNS                                                                       \
	"id, message_id, person_id, to_sealed, subject, body, state, attempts,"            \
	" next_attempt_at, last_error, created_at, sent_at, body_sealed, html_sealed,"  \
	" list_unsubscribe"

static const struct store_stmt mail_sql[SQL__MAX] = {
	[SQL_INSERT] = {"mail_insert",
	    "INSERT INTO mail_outbox (message_id, person_id, to_sealed, subject, body, state,"
	    " attempts, next_attempt_at, last_error, created_at, sent_at, list_unsubscribe)"
	    " VALUES (?, ?, ?, ?, '', 0, 0, ?, '', ?, 0, ?) RETURNING id"},
	[SQL_SET_SEALED] = {"mail_set_sealed",
	    "UPDATE mail_outbox SET to_sealed = ?, body_sealed = ?, html_sealed = ? WHERE id = ?"},
	[SQL_DUE] = {"mail_due",
	    "SELECT id FROM mail_outbox WHERE state IN (0, 1) AND next_attempt_at <= ?"
	    " ORDER BY next_attempt_at, id LIMIT 1"},
	[SQL_ROW] = {"mail_row", "SELECT " MAIL_COLUMNS " FROM mail_outbox WHERE id = ?"},
	/* the WHERE repeats what was read, so of two nodes only one claims the row */
	[SQL_CLAIM] = {"mail_claim",
	    "UPDATE mail_outbox SET state = 1, attempts = attempts + 1, next_attempt_at = ?"
	    " WHERE id = ? AND state = ? AND attempts = ? AND next_attempt_at <= ?"
	    " RETURNING id"},
	[SQL_SENT] = {"mail_sent",
	    "UPDATE mail_outbox SET state = 2, sent_at = ?, body = '', body_sealed = NULL,"
	    " html_sealed = NULL, list_unsubscribe = '', last_error = ? WHERE id = ?"},
	[SQL_RETRY] = {"mail_retry",
	    "UPDATE mail_outbox SET state = 0, next_attempt_at = ?, last_error = ? WHERE id = ?"},
	[SQL_FAILED] = {"mail_failed",
	    "UPDATE mail_outbox SET state = 3, body = '', body_sealed = NULL, html_sealed = NULL,"
	    " list_unsubscribe = '', last_error = ? WHERE id = ?"},
	[SQL_LIST] = {"mail_list",
	    "SELECT id, message_id, person_id, subject, state, attempts, next_attempt_at,"
	    " last_error, created_at, sent_at FROM mail_outbox ORDER BY id"},
	[SQL_COPY_SEL] = {"copy_mail_outbox_select",
	    "SELECT " MAIL_COLUMNS " FROM mail_outbox ORDER BY id"},
	[SQL_COPY_INS] = {"copy_mail_outbox_insert",
	    "INSERT INTO mail_outbox (" MAIL_COLUMNS ")"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
};

const struct store_table mail_tables[] = {
	{"mail_outbox", "itibttiiitiibbt", &mail_sql[SQL_COPY_SEL], &mail_sql[SQL_COPY_INS], "id"},
	{"mail_campaigns", "ittttttiii", &mail__campaign_copy[0], &mail__campaign_copy[1], "id"},
	{"mail_campaign_recipients", "iii", &mail__campaign_copy[2], &mail__campaign_copy[3],
	    NULL},
};
const size_t mail_tables_count = COUNTOF(mail_tables);

enum err
mail_migrate(struct store *s)
{
	return store_migrate(s, "mail", mail_migrations, COUNTOF(mail_migrations));
}

const char *
mail_state_name(enum mail_state st)
{
	static const char *const names[MAIL_STATE__MAX] = {"pending", "sending", "sent",
	    "failed"};

	return (unsigned)st < MAIL_STATE__MAX ? names[st] : "?";
}

/* A deliverable address: one '@' with text on both sides, a dot in the domain, no
 * space, control character or character with a meaning in a header or an SMTP command. */
static bool
mail_address_ok(const char *a)
{
	const char *at = strchr(a, '@');
	size_t n = strlen(a), i;

	if (n < 3 || n > 254 || at == NULL || at == a || strchr(at + 1, '@') ||
	    strchr(at + 1, '.') == NULL || a[n - 1] == '.' || !str_utf8_valid(a, n))
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)a[i] <= 0x20 || a[i] == 0x7f || strchr("<>(),;:\\\"[]", a[i]))
			return false;
	return true;
}

/* SECURITY.md 5.2.3: a header value never carries CR or LF, nor any other control. */
bool
mail__subject_ok(const char *sub)
{
	size_t n = strlen(sub), i;

	if (n == 0 || n > LIMIT_MAIL_SUBJECT_MAX || !str_utf8_valid(sub, n))
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)sub[i] < 0x20 || sub[i] == 0x7f)
			return false;
	return true;
}

enum err
mail__body_check(const char *body)
{
	size_t n = strlen(body), i, line = 0;

	if (n > LIMIT_MAIL_BODY_MAX)
		return ERR_TOOBIG;
	if (!str_utf8_valid(body, n))
		return ERR_INVAL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)body[i];
		if (c == '\n') {
			line = 0;
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return ERR_INVAL;
		if (++line > LIMIT_MAIL_LINE_MAX)
			return ERR_TOOBIG;
	}
	return ERR_OK;
}

/* An HTML part: UTF-8 without NUL (it travels as base64, so line length is free). */
static enum err
mail_html_check(const char *html)
{
	size_t n = strlen(html);

	if (n > LIMIT_MAIL_BODY_MAX)
		return ERR_TOOBIG;
	return str_utf8_valid(html, n) ? ERR_OK : ERR_INVAL;
}

/* A List-Unsubscribe value is ours, but checked like a subject: a header line. */
static bool
mail_unsubscribe_ok(const char *v)
{
	size_t n = strlen(v), i;

	if (n > 1000)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] >= 0x7f)
			return false;
	return true;
}

enum err
mail_enqueue(struct privacy *p, struct store *s, int64_t person, const char *to,
    const char *subject, const char *body, int64_t *id)
{
	return mail_enqueue_extra(p, s, person, to, subject, body, NULL, id);
}

enum err
mail_enqueue_extra(struct privacy *p, struct store *s, int64_t person, const char *to,
    const char *subject, const char *body, const struct mail_extra *x, int64_t *id)
{
	unsigned char rnd[16];
	char token[33], subj[48];
	struct buf sealed, sealed_body, sealed_html;
	struct store_q *q;
	const char *html = x ? x->html : NULL, *unsub = x && x->unsubscribe ? x->unsubscribe : "";
	int64_t row = 0, now = time_now();
	enum err e;

	if (person <= 0 || !mail_address_ok(to) || !mail__subject_ok(subject) ||
	    !mail_unsubscribe_ok(unsub))
		return ERR_INVAL;
	if ((e = mail__body_check(body)) != ERR_OK)
		return e;
	if (html && (e = mail_html_check(html)) != ERR_OK)
		return e;
	buf_init(&sealed);
	buf_init(&sealed_body);
	buf_init(&sealed_html);
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(token, sizeof(token), rnd, sizeof(rnd));
	privacy_subject(person, subj);
	if ((e = store_begin(s)) != ERR_OK)
		return e;
	/* the row first, for its id; both fields are sealed bound to it before the commit,
	 * so the body is never written in plaintext, not even for an instant */
	if ((q = store_prepare(s, &mail_sql[SQL_INSERT])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_text(q, 1, token);
	store_bind_int(q, 2, person);
	store_bind_blob(q, 3, "", 0); /* sealed below, bound to the row id */
	store_bind_text(q, 4, subject);
	store_bind_int(q, 5, now);
	store_bind_int(q, 6, now);
	store_bind_text(q, 7, unsub);
	if (store_step(q) == STORE_ROW)
		row = store_col_int(q, 0);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if ((e = vault_seal(p, s, subj, "mail_outbox", "to_sealed", row, to, strlen(to),
		 &sealed)) != ERR_OK ||
	    (e = vault_seal(p, s, subj, "mail_outbox", "body_sealed", row, body, strlen(body),
		 &sealed_body)) != ERR_OK ||
	    (html && (e = vault_seal(p, s, subj, "mail_outbox", "html_sealed", row, html,
			  strlen(html), &sealed_html)) != ERR_OK))
		goto fail;
	if ((q = store_prepare(s, &mail_sql[SQL_SET_SEALED])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_blob(q, 1, sealed.data, sealed.len);
	store_bind_blob(q, 2, sealed_body.data, sealed_body.len);
	if (html)
		store_bind_blob(q, 3, sealed_html.data, sealed_html.len);
	else
		store_bind_null(q, 3);
	store_bind_int(q, 4, row);
	store_step(q);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if ((e = store_commit(s)) != ERR_OK)
		goto out;
	if (id)
		*id = row;
	goto out;
fail:
	store_rollback(s);
out:
	buf_free(&sealed);
	buf_free(&sealed_body);
	buf_free(&sealed_html);
	return e;
}

/* Runs one UPDATE of the state machine with (int, text, id) style bindings. */
static enum err
mail_update(struct store *s, int which, int64_t a, const char *text, int64_t id)
{
	struct store_q *q;
	int i = 1;

	if ((q = store_prepare(s, &mail_sql[which])) == NULL)
		return store_done(NULL);
	if (which != SQL_FAILED)
		store_bind_int(q, i++, a);
	store_bind_text(q, i++, text);
	store_bind_int(q, i, id);
	store_step(q);
	return store_done(q);
}

static int64_t
mail_backoff(int attempts)
{
	int64_t d = LIMIT_MAIL_BACKOFF_FIRST_S;

	while (--attempts > 0 && d < LIMIT_MAIL_BACKOFF_MAX_S)
		d *= 2;
	return d < LIMIT_MAIL_BACKOFF_MAX_S ? d : LIMIT_MAIL_BACKOFF_MAX_S;
}

/* The row being delivered, copied out of the query. body is set only for a row queued
 * before the body was sealed (body_sealed NULL); otherwise sealed_body holds it. */
struct mail_claim {
	int64_t id, person, created_at;
	char token[40];
	char *subject, *body, *unsubscribe;
	struct buf sealed, sealed_body, sealed_html;
	bool body_is_sealed, has_html;
	int state, attempts;
};

static void
mail_claim_free(struct mail_claim *c)
{
	free(c->subject);
	free(c->unsubscribe);
	buf_free(&c->sealed_html);
	if (c->body)
		sodium_memzero(c->body, strlen(c->body));
	free(c->body);
	buf_free(&c->sealed);
	buf_free(&c->sealed_body);
}

/*
 * Claims row id if it is still due: one transaction reads it and moves it to sending
 * with the attempt counted and a lease. *claimed false when another worker got it.
 */
static enum err
mail_claim(struct store *s, const struct mail_transport *t, int64_t id, int64_t now,
    struct mail_claim *c, bool *claimed)
{
	struct store_q *q;
	const void *blob;
	size_t n;
	enum err e;

	*claimed = false;
	if ((e = store_begin(s)) != ERR_OK)
		return e;
	if ((q = store_prepare(s, &mail_sql[SQL_ROW])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_int(q, 1, id);
	if (store_step(q) == STORE_ROW) {
		c->id = id;
		str_copy(c->token, store_col_text(q, 1), sizeof(c->token));
		c->person = store_col_int(q, 2);
		blob = store_col_blob(q, 3, &n);
		buf_append(&c->sealed, blob, n);
		c->subject = strdup(store_col_text(q, 4));
		c->state = (int)store_col_int(q, 6);
		c->attempts = (int)store_col_int(q, 7);
		c->created_at = store_col_int(q, 10);
		if ((c->body_is_sealed = !store_col_null(q, 12))) {
			blob = store_col_blob(q, 12, &n);
			buf_append(&c->sealed_body, blob, n);
		} else
			c->body = strdup(store_col_text(q, 5)); /* queued before migration 2 */
		if ((c->has_html = !store_col_null(q, 13))) {
			blob = store_col_blob(q, 13, &n);
			buf_append(&c->sealed_html, blob, n);
		}
		c->unsubscribe = strdup(store_col_text(q, 14));
		if (c->subject == NULL || c->unsubscribe == NULL || c->sealed_html.failed || (!c->body_is_sealed && c->body == NULL) ||
		    c->sealed.failed || c->sealed_body.failed) {
			store_done(q);
			e = ERR_NOMEM;
			goto fail;
		}
	}
	if ((e = store_done(q)) != ERR_OK || c->id == 0)
		goto fail;
	if ((q = store_prepare(s, &mail_sql[SQL_CLAIM])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_int(q, 1, now + t->lease_s);
	store_bind_int(q, 2, id);
	store_bind_int(q, 3, c->state);
	store_bind_int(q, 4, c->attempts);
	store_bind_int(q, 5, now);
	if (store_step(q) == STORE_ROW)
		*claimed = true;
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	c->attempts++;
	return store_commit(s);
fail:
	store_rollback(s);
	return e;
}

/* Wipes and frees an opened field. */
static void
mail_wipe(struct buf *b)
{
	if (b->data)
		sodium_memzero(b->data, b->len);
	buf_free(b);
}

/* Delivers the claimed message c. The address and the body (when sealed) are opened
 * through the gate, each read audited; neither is kept open past the hand-over.
 * Database errors are returned; delivery errors are recorded on the row and counted. */
static enum err
mail_deliver_one(struct privacy *p, struct store *s, const struct mail_transport *t,
    struct mail_claim *c, int64_t now, struct mail_run *out)
{
	struct gate_actor sys = {0, true};
	struct gate_field f;
	struct mail__msg m;
	struct buf to, body, html;
	char subj[48], why[256];
	const char *unopened = NULL;
	enum err e, de;

	buf_init(&to);
	buf_init(&body);
	buf_init(&html);
	/* A Maildir delivery interrupted after its rename: the file is there, only the
	 * sent mark is missing. Never write it twice. */
	if (c->state == MAIL_SENDING && t->url[0] == '\0' && mail__maildir_has(t, c->token)) {
		if ((e = mail_update(s, SQL_SENT, now, "", c->id)) == ERR_OK)
			out->recovered++;
		return e;
	}
	if (t->hook)
		t->hook(t->hook_arg, MAIL_HOOK_CLAIMED, c->id);
	privacy_subject(c->person, subj);
	memset(&f, 0, sizeof(f));
	f.subject = subj;
	f.subject_person = c->person;
	f.cls = FIELD_EMAIL;
	f.table = "mail_outbox";
	f.column = "to_sealed";
	f.row = c->id;
	f.sealed = c->sealed.data;
	f.sealed_len = c->sealed.len;
	if ((e = gate_read(p, s, &sys, PURPOSE_DELIVERY, &f, &to)) != ERR_OK)
		unopened = "the recipient's address cannot be opened (account erased?)";
	else if (c->body_is_sealed) {
		f.cls = FIELD_TEXT;
		f.column = "body_sealed";
		f.sealed = c->sealed_body.data;
		f.sealed_len = c->sealed_body.len;
		if ((e = gate_read(p, s, &sys, PURPOSE_DELIVERY, &f, &body)) != ERR_OK)
			unopened = "the message cannot be opened (account erased?)";
	}
	if (e == ERR_OK && c->has_html) {
		f.cls = FIELD_TEXT;
		f.column = "html_sealed";
		f.sealed = c->sealed_html.data;
		f.sealed_len = c->sealed_html.len;
		if ((e = gate_read(p, s, &sys, PURPOSE_DELIVERY, &f, &html)) != ERR_OK)
			unopened = "the message cannot be opened (account erased?)";
	}
	if (e != ERR_OK) {
		/* the person's key is gone (erased) or a seal does not open: no retry helps;
		 * a lost database connection leaves the row to be taken over after its lease */
		if (e != ERR_UNAVAIL && (e = mail_update(s, SQL_FAILED, 0, unopened, c->id)) ==
		    ERR_OK)
			out->failed++;
		goto out;
	}
	m.token = c->token;
	m.to = to.data;
	m.subject = c->subject;
	m.body = !c->body_is_sealed ? c->body : body.data ? body.data : "";
	m.html = c->has_html ? (html.data ? html.data : "") : NULL;
	m.unsubscribe = c->unsubscribe;
	m.created_at = c->created_at;
	why[0] = '\0';
	de = mail__send(t, &m, why, sizeof(why));
	mail_wipe(&to);
	mail_wipe(&body);
	mail_wipe(&html);
	if (de == ERR_OK) {
		if (t->hook)
			t->hook(t->hook_arg, MAIL_HOOK_HANDED_OVER, c->id);
		if ((e = mail_update(s, SQL_SENT, now, "", c->id)) == ERR_OK)
			out->sent++;
		goto out;
	}
	if (c->attempts >= LIMIT_MAIL_MAX_ATTEMPTS) {
		if ((e = mail_update(s, SQL_FAILED, 0, why, c->id)) == ERR_OK)
			out->failed++;
	} else if ((e = mail_update(s, SQL_RETRY, now + mail_backoff(c->attempts), why,
			c->id)) == ERR_OK)
		out->retried++;
	log_warn("mail: message %lld not delivered (attempt %d): %s", (long long)c->id,
	    c->attempts, why);
out:
	mail_wipe(&to);
	mail_wipe(&body);
	mail_wipe(&html);
	return e;
}

enum err
mail_deliver_due(struct privacy *p, struct store *s, const struct mail_transport *t,
    int64_t now, struct mail_run *out)
{
	struct mail_claim c;
	struct store_q *q;
	int64_t id;
	bool claimed;
	enum err e = ERR_OK;
	int guard;

	memset(out, 0, sizeof(*out));
	/* Each pass changes the row it picked (sent, failed or due later), so the loop
	 * ends; the guard bounds one run all the same. */
	for (guard = 0; guard < 10000; guard++) {
		id = 0;
		if ((q = store_prepare(s, &mail_sql[SQL_DUE])) == NULL)
			return store_done(NULL);
		store_bind_int(q, 1, now);
		if (store_step(q) == STORE_ROW)
			id = store_col_int(q, 0);
		if ((e = store_done(q)) != ERR_OK || id == 0)
			break;
		memset(&c, 0, sizeof(c));
		buf_init(&c.sealed);
		buf_init(&c.sealed_body);
		buf_init(&c.sealed_html);
		e = mail_claim(s, t, id, now, &c, &claimed);
		if (e == ERR_OK && claimed)
			e = mail_deliver_one(p, s, t, &c, now, out);
		mail_claim_free(&c);
		if (e != ERR_OK)
			break;
	}
	return e;
}

enum err
mail_list(struct store *s, struct arena *a, unsigned states, struct mail_entry **out,
    size_t *n)
{
	struct mail_entry *v = NULL, *nv;
	struct store_q *q;
	size_t cap = 0;
	enum err e = ERR_OK;

	*out = NULL;
	*n = 0;
	if ((q = store_prepare(s, &mail_sql[SQL_LIST])) == NULL)
		return store_done(NULL);
	while (store_step(q) == STORE_ROW) {
		int st = (int)store_col_int(q, 4);
		if (st < 0 || st >= MAIL_STATE__MAX || !(states & (1u << st)))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = arena_alloc(a, cap * sizeof(*nv))) == NULL) {
				e = ERR_NOMEM;
				break;
			}
			if (*n)
				memcpy(nv, v, *n * sizeof(*nv));
			v = nv;
		}
		v[*n].id = store_col_int(q, 0);
		v[*n].message_id = arena_strdup(a, store_col_text(q, 1));
		v[*n].person = store_col_int(q, 2);
		v[*n].subject = arena_strdup(a, store_col_text(q, 3));
		v[*n].state = (enum mail_state)st;
		v[*n].attempts = (int)store_col_int(q, 5);
		v[*n].next_attempt_at = store_col_int(q, 6);
		v[*n].last_error = arena_strdup(a, store_col_text(q, 7));
		v[*n].created_at = store_col_int(q, 8);
		v[*n].sent_at = store_col_int(q, 9);
		if (!v[*n].message_id || !v[*n].subject || !v[*n].last_error) {
			e = ERR_NOMEM;
			break;
		}
		(*n)++;
	}
	if (store_done(q) != ERR_OK && e == ERR_OK)
		e = ERR_IO;
	*out = v;
	return e;
}
