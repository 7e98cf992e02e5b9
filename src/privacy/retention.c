/*
 * retention: personal data is kept only as long as its class's limit in [retention]
 * (B4), then removed: now by `candor retention run`, hourly by `candor serve`.
 *
 * Every class is one row of retention_rules: the config field holding its limit in
 * days, and one static statement with the cutoff (seconds since the epoch) as its only
 * parameter. Two kinds of rows:
 *   RETENTION_ERASE_PEOPLE  the statement selects people ids; each person is erased
 *                           through rights_erase_as (audited, data key shredded).
 *   RETENTION_DELETE        the statement removes (DELETE, or UPDATE ... SET col = NULL)
 *                           the due rows itself and returns one row per row removed.
 * A later module that stores a class (sessions, commenter IPs, raw analytics) adds its
 * row here; retention_run has no case per class. Each rule runs in its own
 * transaction(s), so a failing class does not hold back the others, and every run leaves
 * one audit entry with the counts.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "privacy/privacy_int.h"

#define RETENTION_DAY 86400

enum retention_action { RETENTION_ERASE_PEOPLE, RETENTION_DELETE };

struct retention_rule {
	const char *name;     /* in reports and the audit log */
	const char *what;     /* for people */
	size_t days;          /* offsetof(struct config, the class's limit in days) */
	enum retention_action action;
	struct store_stmt stmt; /* ? = cutoff: rows older than it are due */
	/* erase rules: ? = id, ? = cutoff; a row when that id is still due, checked again
	 * inside the erasing transaction (someone may have verified since the selection) */
	struct store_stmt still_due;
};

static const struct retention_rule retention_rules[] = {
	{"unverified_accounts", "unverified accounts",
	    offsetof(struct config, retention_unverified_days), RETENTION_ERASE_PEOPLE,
	    {"retention_unverified_accounts",
		"SELECT id FROM people WHERE email_verified = 0 AND created_at < ? ORDER BY id"},
	    {"retention_unverified_still_due",
		"SELECT 1 FROM people WHERE id = ? AND email_verified = 0 AND created_at < ?"}},
	/* accounts/login.c: the address of a member's last sign-in; its time stays */
	{"sign_in_addresses", "member sign-in addresses",
	    offsetof(struct config, retention_ip_days), RETENTION_DELETE,
	    {"retention_sign_in_addresses",
		"UPDATE account_logins SET ip_sealed = NULL"
		" WHERE ip_sealed IS NOT NULL AND at < ? RETURNING person_id"},
	    {NULL, NULL}},
	/* sites/comments.c: the address a comment was sent from; the comment stays */
	{"comment_addresses", "commenter addresses",
	    offsetof(struct config, retention_ip_days), RETENTION_DELETE,
	    {"retention_comment_addresses",
		"UPDATE comments SET ip_sealed = NULL"
		" WHERE ip_sealed IS NOT NULL AND created_at < ? RETURNING id"},
	    {NULL, NULL}},
	/* analytics/recorder.c: raw analytics rows; the daily rollups stay */
	{"analytics_events", "raw analytics rows",
	    offsetof(struct config, retention_analytics_days), RETENTION_DELETE,
	    {"retention_analytics_events",
		"DELETE FROM analytics_events WHERE at < ? RETURNING site_id"},
	    {NULL, NULL}},
	/* commerce/orders.c: orders after the accounting period, lines first; a guest's
	 * order key ("order:REF") goes with its order */
	{"order_lines", "order lines past the accounting period",
	    offsetof(struct config, retention_order_days), RETENTION_DELETE,
	    {"retention_order_lines",
		"DELETE FROM order_lines WHERE order_id IN"
		" (SELECT id FROM orders WHERE created_at < ?) RETURNING order_id"},
	    {NULL, NULL}},
	{"orders", "orders past the accounting period",
	    offsetof(struct config, retention_order_days), RETENTION_DELETE,
	    {"retention_orders", "DELETE FROM orders WHERE created_at < ? RETURNING site_id"},
	    {NULL, NULL}},
	{"order_keys", "keys of guest orders past the accounting period",
	    offsetof(struct config, retention_order_days), RETENTION_DELETE,
	    {"retention_order_keys",
		"DELETE FROM vault_keys WHERE subject LIKE 'order:%' AND created_at < ?"
		" AND NOT EXISTS (SELECT 1 FROM orders WHERE orders.subject = vault_keys.subject)"
		" RETURNING 0"},
	    {NULL, NULL}},
};

_Static_assert(COUNTOF(retention_rules) <= RETENTION_RULES_MAX,
    "struct retention_report holds RETENTION_RULES_MAX rules");

/* The ids the rule's statement returns, into an array in a. */
static enum err
retention_ids(struct store *s, const struct retention_rule *r, int64_t cutoff,
    struct arena *a, int64_t **out, size_t *n)
{
	struct store_q *q;
	int64_t *v = NULL, *grown;
	size_t cap = 0;
	enum err e = ERR_OK, de;

	*n = 0;
	if ((q = store_prepare(s, &r->stmt)) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, cutoff);
	while (store_step(q) == STORE_ROW) {
		if ((grown = arena_grow(a, v, *n, &cap, sizeof(*v))) == NULL) {
			e = ERR_NOMEM;
			break;
		}
		v = grown;
		v[(*n)++] = store_col_int(q, 0);
	}
	if ((de = store_done(q)) != ERR_OK && e == ERR_OK)
		e = de;
	*out = v;
	return e;
}

/* Applies one rule; *removed counts what went (also when it fails part-way). */
static enum err
retention_apply(struct privacy *p, struct store *s, const struct retention_rule *r, int days,
    int64_t *removed)
{
	struct gate_actor system = {0, true};
	struct store_q *q;
	struct arena *a;
	int64_t cutoff = time_now() - (int64_t)days * RETENTION_DAY, *ids = NULL;
	char why[120];
	size_t n = 0, i;
	enum err e, de;

	*removed = 0;
	if (r->action == RETENTION_DELETE) {
		if ((e = store_begin(s)) != ERR_OK)
			return e;
		if ((q = store_prepare(s, &r->stmt)) == NULL) {
			e = store_done(NULL);
			store_rollback(s);
			return e;
		}
		store_bind_int(q, 1, cutoff);
		while (store_step(q) == STORE_ROW)
			(*removed)++;
		if ((e = store_done(q)) != ERR_OK) {
			store_rollback(s);
			*removed = 0;
			return e;
		}
		if ((e = store_commit(s)) != ERR_OK)
			*removed = 0;
		return e;
	}
	if ((a = arena_new()) == NULL)
		return ERR_NOMEM;
	e = retention_ids(s, r, cutoff, a, &ids, &n);
	snprintf(why, sizeof(why), "retention: %s older than %d days", r->what, days);
	for (i = 0; e == ERR_OK && i < n; i++) {
		bool due = false;
		if ((de = store_begin(s)) != ERR_OK) {
			e = de;
			break;
		}
		if ((q = store_prepare(s, &r->still_due)) == NULL) {
			de = store_done(NULL);
		} else {
			store_bind_int(q, 1, ids[i]);
			store_bind_int(q, 2, cutoff);
			due = store_step(q) == STORE_ROW;
			de = store_done(q);
		}
		if (de == ERR_OK && due)
			de = rights_erase_as(p, s, ids[i], &system, "retention", why);
		if (de == ERR_OK && (de = store_commit(s)) == ERR_OK && due)
			(*removed)++;
		if (de != ERR_OK) {
			store_rollback(s);
			if (de != ERR_NOTFOUND) /* gone meanwhile: nothing left to remove */
				e = de;
		}
	}
	arena_free(a);
	return e;
}

enum err
retention_run(struct privacy *p, struct store *s, const struct config *cfg,
    struct retention_report *out)
{
	const struct retention_rule *r;
	struct audit_entry ae;
	struct buf detail;
	enum err e = ERR_OK, re;
	size_t i;

	memset(out, 0, sizeof(*out));
	buf_init(&detail);
	buf_puts(&detail, "retention run:");
	for (i = 0; i < COUNTOF(retention_rules); i++) {
		r = &retention_rules[i];
		out->rules[i].name = r->name;
		out->rules[i].what = r->what;
		out->rules[i].days = *(const int *)((const char *)cfg + r->days);
		re = retention_apply(p, s, r, out->rules[i].days, &out->rules[i].removed);
		out->rules[i].error = re;
		out->n++;
		buf_printf(&detail, " %s=%lld%s", r->name, (long long)out->rules[i].removed,
		    re != ERR_OK ? " (failed)" : "");
		if (re != ERR_OK && e == ERR_OK)
			e = re;
	}
	memset(&ae, 0, sizeof(ae));
	ae.actor = "system";
	ae.actor_role = "system";
	ae.subject = "-";
	ae.field_class = "-";
	ae.purpose = "retention";
	ae.decision = "retention";
	ae.detail = detail.data;
	if (detail.failed)
		re = ERR_NOMEM;
	else
		re = audit_append(p, s, &ae);
	if (re != ERR_OK && e == ERR_OK)
		e = re;
	buf_free(&detail);
	return e;
}

/* ---- the background job of candor serve ---- */

struct retention_job {
	struct config cfg;
	char url[1200];
	char password[256];
	bool has_password;
	int64_t every_ms;
	struct privacy *p;
	struct job *job;
};

/* One run on a connection of its own, then an audit checkpoint; failures are logged and
 * retried next time. */
static void
retention_job_once(void *arg)
{
	struct retention_job *j = arg;
	struct retention_report rep;
	struct store *s;
	char msg[512];
	enum err e;
	size_t i;

	s = store_open(j->url, j->has_password ? j->password : NULL, &e, msg, sizeof(msg));
	if (s == NULL) {
		log_warn("retention: cannot open the database (%s); next try in %lld s", msg,
		    (long long)(j->every_ms / 1000));
		return;
	}
	e = retention_run(j->p, s, &j->cfg, &rep);
	for (i = 0; i < rep.n; i++) {
		if (rep.rules[i].error != ERR_OK)
			log_warn("retention: %s failed: %s", rep.rules[i].what,
			    err_str(rep.rules[i].error));
		else if (rep.rules[i].removed > 0)
			log_info("retention: removed %lld %s (older than %d days)",
			    (long long)rep.rules[i].removed, rep.rules[i].what, rep.rules[i].days);
	}
	if (e != ERR_OK)
		log_warn("retention: run incomplete: %s", err_str(e));
	/* The same hourly beat signs an audit checkpoint (B9): a later truncation or
	 * rebuild of the log is then detectable by `candor audit verify`. */
	if ((e = audit_checkpoint(j->p, s)) != ERR_OK)
		log_warn("audit: cannot write a checkpoint: %s", err_str(e));
	store_close(s);
}

static void
retention_job_free(struct retention_job *j)
{
	privacy_free(j->p);
	sodium_memzero(j->password, sizeof(j->password));
	free(j);
}

struct retention_job *
retention_job_start(const struct config *cfg, const char *db_url, const char *db_password,
    int64_t first_ms, int64_t every_ms, char *errbuf, size_t errsize)
{
	struct retention_job *j;

	if (strlen(db_url) >= sizeof(j->url) ||
	    (db_password && strlen(db_password) >= sizeof(j->password))) {
		snprintf(errbuf, errsize, "retention: bad job settings");
		return NULL;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		snprintf(errbuf, errsize, "retention: out of memory");
		return NULL;
	}
	j->cfg = *cfg;
	str_copy(j->url, db_url, sizeof(j->url));
	if (db_password) {
		str_copy(j->password, db_password, sizeof(j->password));
		j->has_password = true;
	}
	j->every_ms = every_ms;
	if (privacy_open(cfg, &j->p, errbuf, errsize) != ERR_OK ||
	    (j->job = job_start("retention", first_ms, every_ms, retention_job_once, j, errbuf,
		 errsize)) == NULL) {
		retention_job_free(j);
		return NULL;
	}
	return j;
}

void
retention_job_stop(struct retention_job *j)
{
	if (j == NULL)
		return;
	job_stop(j->job);
	retention_job_free(j);
}

uint64_t
retention_job_runs(struct retention_job *j)
{
	return job_runs(j->job);
}
