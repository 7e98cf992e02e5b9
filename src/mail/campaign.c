/*
 * campaign: one message to many people (P15 announcements, P20 policy alerts).
 *
 * A campaign row holds the text; mail_campaign_recipients holds one row per (campaign,
 * person), frozen when the campaign is created: the primary key makes "never twice"
 * a property of the table. A row is waiting (queued_at 0) or queued (queued_at set, and
 * its message is in mail_outbox): the mark and the message are written in one
 * transaction, so a crash at any point leaves each row either waiting (queued again
 * later) or queued with exactly one message. The claim's WHERE repeats queued_at = 0, so
 * two workers (two nodes) never queue the same row. From the outbox on, the outbox's own
 * guarantee holds (mail.h).
 *
 * Throttle: a run queues at most per_minute minus the rows queued in the last 60
 * seconds, so no minute sees more than per_minute however often the worker runs.
 *
 * The address is opened through the gate (system, delivery; audited) only when its row
 * is queued, and goes sealed into the outbox; the campaign tables hold no personal data
 * (person ids only). List messages carry the person's unsubscribe token, a MAC of their
 * id under a key derived from the root key: no table of tokens to leak or to keep.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mail_int.h"

enum {
	SQL_C_INSERT,
	SQL_C_RECIPIENT,
	SQL_C_RECENT,
	SQL_C_WAITING,
	SQL_C_CLAIM,
	SQL_C_GET,
	SQL_C_FORGET,
	SQL_C_LIST,
	SQL_C__MAX
};

static const struct store_stmt campaign_sql[SQL_C__MAX] = {
	[SQL_C_INSERT] = {"campaign_insert",
	    "INSERT INTO mail_campaigns (ref, subject, body_text, body_html, unsub_base,"
	    " unsub_inbox, created_by, created_at, total) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
	    " RETURNING id"},
	[SQL_C_RECIPIENT] = {"campaign_recipient",
	    "INSERT INTO mail_campaign_recipients (campaign_id, person_id, queued_at)"
	    " VALUES (?, ?, 0) ON CONFLICT (campaign_id, person_id) DO NOTHING"},
	[SQL_C_RECENT] = {"campaign_recent",
	    "SELECT COUNT(*) FROM mail_campaign_recipients WHERE queued_at > ?"},
	[SQL_C_WAITING] = {"campaign_waiting",
	    "SELECT campaign_id, person_id FROM mail_campaign_recipients WHERE queued_at = 0"
	    " ORDER BY campaign_id, person_id LIMIT ?"},
	[SQL_C_CLAIM] = {"campaign_claim",
	    "UPDATE mail_campaign_recipients SET queued_at = ?"
	    " WHERE campaign_id = ? AND person_id = ? AND queued_at = 0 RETURNING person_id"},
	[SQL_C_GET] = {"campaign_get",
	    "SELECT subject, body_text, body_html, unsub_base, unsub_inbox FROM mail_campaigns"
	    " WHERE id = ?"},
	[SQL_C_FORGET] = {"campaign_forget",
	    "DELETE FROM mail_campaign_recipients WHERE person_id = ? AND queued_at = 0"
	    " AND campaign_id IN (SELECT id FROM mail_campaigns WHERE unsub_base <> '')"},
	[SQL_C_LIST] = {"campaign_list",
	    "SELECT c.id, c.ref, c.subject, c.created_at, c.total,"
	    " (SELECT COUNT(*) FROM mail_campaign_recipients r"
	    "  WHERE r.campaign_id = c.id AND r.queued_at > 0)"
	    " FROM mail_campaigns c ORDER BY c.id DESC"},
};

const struct store_stmt mail__campaign_copy[4] = {
	{"copy_mail_campaigns_select",
	    "SELECT id, ref, subject, body_text, body_html, unsub_base, unsub_inbox, created_by,"
	    " created_at, total FROM mail_campaigns ORDER BY id"},
	{"copy_mail_campaigns_insert",
	    "INSERT INTO mail_campaigns (id, ref, subject, body_text, body_html, unsub_base,"
	    " unsub_inbox, created_by, created_at, total)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
	{"copy_mail_campaign_recipients_select",
	    "SELECT campaign_id, person_id, queued_at FROM mail_campaign_recipients"
	    " ORDER BY campaign_id, person_id"},
	{"copy_mail_campaign_recipients_insert",
	    "INSERT INTO mail_campaign_recipients (campaign_id, person_id, queued_at)"
	    " VALUES (?, ?, ?)"},
};

enum err
mail_campaign_create(struct store *s, const struct mail_campaign *c, const int64_t *persons,
    size_t n, int64_t *id)
{
	struct store_q *q;
	int64_t row = 0;
	size_t i;
	enum err e;

	if (c->ref == NULL || c->ref[0] == '\0' || c->subject == NULL || c->text == NULL ||
	    !mail__subject_ok(c->subject) || mail__body_check(c->text) != ERR_OK ||
	    (c->unsub_base && (c->unsub_inbox == NULL || strchr(c->unsub_inbox, '@') == NULL)))
		return ERR_INVAL;
	if ((e = store_begin(s)) != ERR_OK)
		return e;
	if ((q = store_prepare(s, &campaign_sql[SQL_C_INSERT])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_text(q, 1, c->ref);
	store_bind_text(q, 2, c->subject);
	store_bind_text(q, 3, c->text);
	store_bind_text(q, 4, c->html ? c->html : "");
	store_bind_text(q, 5, c->unsub_base ? c->unsub_base : "");
	store_bind_text(q, 6, c->unsub_base ? c->unsub_inbox : "");
	store_bind_int(q, 7, c->created_by);
	store_bind_int(q, 8, time_now());
	store_bind_int(q, 9, (int64_t)n);
	if (store_step(q) == STORE_ROW)
		row = store_col_int(q, 0);
	if ((e = store_done(q)) != ERR_OK) /* ERR_CONFLICT: the ref exists */
		goto fail;
	for (i = 0; i < n; i++) {
		if ((q = store_prepare(s, &campaign_sql[SQL_C_RECIPIENT])) == NULL) {
			e = store_done(NULL);
			goto fail;
		}
		store_bind_int(q, 1, row);
		store_bind_int(q, 2, persons[i]);
		store_step(q);
		if ((e = store_done(q)) != ERR_OK)
			goto fail;
	}
	if ((e = store_commit(s)) != ERR_OK)
		return e;
	if (id)
		*id = row;
	return ERR_OK;
fail:
	store_rollback(s);
	return e;
}

/* One campaign's text, read once per run for the rows of that campaign. */
struct campaign_text {
	int64_t id;
	char *subject, *text, *html, *unsub_base, *unsub_inbox;
};

static void
campaign_text_free(struct campaign_text *t)
{
	free(t->subject);
	free(t->text);
	free(t->html);
	free(t->unsub_base);
	free(t->unsub_inbox);
	memset(t, 0, sizeof(*t));
}

static enum err
campaign_text_get(struct store *s, int64_t id, struct campaign_text *t)
{
	struct store_q *q;
	enum err e = ERR_NOTFOUND, de;

	campaign_text_free(t);
	if ((q = store_prepare(s, &campaign_sql[SQL_C_GET])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, id);
	if (store_step(q) == STORE_ROW) {
		t->id = id;
		t->subject = strdup(store_col_text(q, 0));
		t->text = strdup(store_col_text(q, 1));
		t->html = strdup(store_col_text(q, 2));
		t->unsub_base = strdup(store_col_text(q, 3));
		t->unsub_inbox = strdup(store_col_text(q, 4));
		e = t->subject && t->text && t->html && t->unsub_base && t->unsub_inbox
		    ? ERR_OK
		    : ERR_NOMEM;
	}
	if ((de = store_done(q)) != ERR_OK)
		e = de;
	if (e != ERR_OK)
		campaign_text_free(t);
	return e;
}

/* Appends s with &, <, >, " escaped (our own link, but HTML all the same). */
static void
campaign_html_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		default: buf_putc(b, *s); break;
		}
	}
}

/*
 * Queues the message of campaign t to person at address to (opened by the caller) in
 * the caller's transaction, with the footer and List-Unsubscribe of the person's token.
 */
static enum err
campaign_queue_one(struct privacy *p, struct store *s, const struct campaign_text *t,
    int64_t person, const char *to)
{
	struct mail_extra x = {NULL, NULL};
	struct buf text, html, unsub;
	char token[MAIL_UNSUB_TOKEN_LEN + 1];
	enum err e = ERR_OK;

	buf_init(&text);
	buf_init(&html);
	buf_init(&unsub);
	buf_puts(&text, t->text);
	if (t->html[0]) {
		buf_puts(&html, t->html);
		x.html = "";
	}
	if (t->unsub_base[0]) {
		if ((e = mail_unsub_token(p, person, token)) != ERR_OK)
			goto out;
		buf_printf(&text, "\n\n-- \nYou receive announcements because your account allows "
				  "them.\nTo stop them, open this link (one click, no sign-in):\n"
				  "%s%s\n",
		    t->unsub_base, token);
		if (x.html) {
			buf_puts(&html, "\n<hr>\n<p>You receive announcements because your account "
					"allows them. <a href=\"");
			campaign_html_escape(&html, t->unsub_base);
			campaign_html_escape(&html, token);
			buf_puts(&html, "\">Unsubscribe</a> (one click, no sign-in).</p>\n");
		}
		buf_printf(&unsub, "<%s%s>, <mailto:%s?subject=unsubscribe%%20%s>", t->unsub_base,
		    token, t->unsub_inbox, token);
		x.unsubscribe = unsub.data;
	}
	if (text.failed || html.failed || unsub.failed) {
		e = ERR_NOMEM;
		goto out;
	}
	if (x.html)
		x.html = html.data;
	e = mail_enqueue_extra(p, s, person, to, t->subject, text.data, &x, NULL);
out:
	buf_free(&text);
	buf_free(&html);
	buf_free(&unsub);
	return e;
}

enum err
mail_campaign_run(struct privacy *p, struct store *s, int per_minute, int64_t now,
    int64_t *queued)
{
	struct gate_actor sys = {0, true};
	struct campaign_text t;
	struct store_q *q;
	struct buf to;
	int64_t recent = 0, budget, (*rows)[2] = NULL, person;
	size_t n = 0, i;
	enum err e, open;
	bool claimed;

	*queued = 0;
	memset(&t, 0, sizeof(t));
	if ((q = store_prepare(s, &campaign_sql[SQL_C_RECENT])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, now - 60);
	if (store_step(q) == STORE_ROW)
		recent = store_col_int(q, 0);
	if ((e = store_done(q)) != ERR_OK)
		return e;
	budget = (int64_t)per_minute - recent;
	if (budget > LIMIT_CAMPAIGN_BATCH)
		budget = LIMIT_CAMPAIGN_BATCH;
	if (budget <= 0)
		return ERR_OK;
	if ((rows = calloc((size_t)budget, sizeof(*rows))) == NULL)
		return ERR_NOMEM;
	if ((q = store_prepare(s, &campaign_sql[SQL_C_WAITING])) == NULL) {
		e = store_done(NULL);
		goto out;
	}
	store_bind_int(q, 1, budget);
	while (n < (size_t)budget && store_step(q) == STORE_ROW) {
		rows[n][0] = store_col_int(q, 0);
		rows[n][1] = store_col_int(q, 1);
		n++;
	}
	if ((e = store_done(q)) != ERR_OK)
		goto out;
	buf_init(&to);
	for (i = 0; i < n; i++) {
		if (t.id != rows[i][0] && (e = campaign_text_get(s, rows[i][0], &t)) != ERR_OK)
			goto out;
		/* the address first, in the gate's own audited transaction: a refusal inside
		 * ours would doom it */
		person = rows[i][1];
		if (to.data)
			sodium_memzero(to.data, to.len);
		buf_reset(&to);
		if ((open = people_email(p, s, &sys, PURPOSE_DELIVERY, person, &to)) ==
		    ERR_UNAVAIL) {
			e = open;
			goto out;
		}
		if ((e = store_begin(s)) != ERR_OK)
			goto out;
		claimed = false;
		if ((q = store_prepare(s, &campaign_sql[SQL_C_CLAIM])) == NULL) {
			e = store_done(NULL);
			store_rollback(s);
			goto out;
		}
		store_bind_int(q, 1, now);
		store_bind_int(q, 2, rows[i][0]);
		store_bind_int(q, 3, rows[i][1]);
		if (store_step(q) == STORE_ROW)
			claimed = true;
		if ((e = store_done(q)) != ERR_OK) {
			store_rollback(s);
			goto out;
		}
		if (claimed) {
			e = open != ERR_OK ? open : campaign_queue_one(p, s, &t, person, to.data);
			if (e == ERR_DENIED || e == ERR_NOTFOUND || e == ERR_INVAL ||
			    e == ERR_CRYPTO) {
				/* no address to open, or one the outbox refuses: the row is
				 * marked and nothing is sent (never retried forever) */
				log_warn("mail: campaign %lld: nothing queued for person %lld: %s",
				    (long long)t.id, (long long)person, err_str(e));
				e = ERR_OK;
			} else if (e == ERR_OK)
				(*queued)++;
		}
		if (e != ERR_OK) {
			store_rollback(s);
			goto out;
		}
		if ((e = store_commit(s)) != ERR_OK)
			goto out;
	}
out:
	if (to.data)
		sodium_memzero(to.data, to.len);
	buf_free(&to);
	campaign_text_free(&t);
	free(rows);
	return e;
}

enum err
mail_campaign_forget(struct store *s, int64_t person)
{
	struct store_q *q;

	if ((q = store_prepare(s, &campaign_sql[SQL_C_FORGET])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	store_step(q);
	return store_done(q);
}

static enum err
campaign_info_row(struct store_q *q, struct arena *a, void *element)
{
	struct mail_campaign_info *c = element;

	c->id = store_col_int(q, 0);
	c->ref = arena_strdup(a, store_col_text(q, 1));
	c->subject = arena_strdup(a, store_col_text(q, 2));
	c->created_at = store_col_int(q, 3);
	c->total = store_col_int(q, 4);
	c->queued = store_col_int(q, 5);
	return c->ref && c->subject ? ERR_OK : ERR_NOMEM;
}

enum err
mail_campaign_list(struct store *s, struct arena *a, struct mail_campaign_info **out,
    size_t *n)
{
	struct store_q *q;
	void *list;
	enum err e;

	*out = NULL;
	*n = 0;
	if ((q = store_prepare(s, &campaign_sql[SQL_C_LIST])) == NULL)
		return store_done(NULL);
	e = store_collect(q, a, sizeof(**out), campaign_info_row, &list, n);
	*out = list;
	return e;
}

/* ---------------------------------------------------------- unsubscribe ---- */

#define UNSUB_KDF_ID 2
#define UNSUB_KDF_CTX "cdunsub_"
#define UNSUB_MAC_BYTES 16

static enum err
unsub_mac(const struct privacy *p, int64_t person, unsigned char mac[UNSUB_MAC_BYTES])
{
	unsigned char key[32], full[crypto_auth_hmacsha256_BYTES], idb[8];
	crypto_auth_hmacsha256_state st;
	int i;

	if (privacy_derive_key(p, UNSUB_KDF_ID, UNSUB_KDF_CTX, key) != ERR_OK)
		return ERR_CRYPTO;
	for (i = 0; i < 8; i++)
		idb[i] = (unsigned char)((uint64_t)person >> (56 - 8 * i));
	crypto_auth_hmacsha256_init(&st, key, sizeof(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"candor-unsub-v1", 15);
	crypto_auth_hmacsha256_update(&st, idb, sizeof(idb));
	crypto_auth_hmacsha256_final(&st, full);
	memcpy(mac, full, UNSUB_MAC_BYTES);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(&st, sizeof(st));
	return ERR_OK;
}

_Static_assert(sodium_base64_ENCODED_LEN(8 + UNSUB_MAC_BYTES,
		   sodium_base64_VARIANT_URLSAFE_NO_PADDING) == MAIL_UNSUB_TOKEN_LEN + 1,
    "the token length follows from its bytes");

enum err
mail_unsub_token(const struct privacy *p, int64_t person, char out[MAIL_UNSUB_TOKEN_LEN + 1])
{
	unsigned char raw[8 + UNSUB_MAC_BYTES];
	enum err e;
	int i;

	if (person <= 0)
		return ERR_INVAL;
	for (i = 0; i < 8; i++)
		raw[i] = (unsigned char)((uint64_t)person >> (56 - 8 * i));
	if ((e = unsub_mac(p, person, raw + 8)) != ERR_OK)
		return e;
	sodium_bin2base64(out, MAIL_UNSUB_TOKEN_LEN + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return ERR_OK;
}

enum err
mail_unsub_check(const struct privacy *p, const char *token, int64_t *person)
{
	unsigned char raw[8 + UNSUB_MAC_BYTES], mac[UNSUB_MAC_BYTES];
	size_t len = 0;
	uint64_t id = 0;
	int i;

	*person = 0;
	if (token == NULL || strlen(token) != MAIL_UNSUB_TOKEN_LEN ||
	    sodium_base642bin(raw, sizeof(raw), token, MAIL_UNSUB_TOKEN_LEN, NULL, &len, NULL,
		sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof(raw))
		return ERR_DENIED;
	for (i = 0; i < 8; i++)
		id = id << 8 | raw[i];
	if (id == 0 || id > INT64_MAX || unsub_mac(p, (int64_t)id, mac) != ERR_OK ||
	    sodium_memcmp(mac, raw + 8, sizeof(mac)) != 0)
		return ERR_DENIED;
	*person = (int64_t)id;
	return ERR_OK;
}
