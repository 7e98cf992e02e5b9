/*
 * test_privacy_retention: retention removes exactly what is due, on both backends.
 * Four accounts: unverified and 8 days old (due under the default 7 days), unverified
 * and 6 days old, verified and 30 days old, unverified and new. One run erases only the
 * first (its data key shredded, an "erase" entry by the system), reports the count, and
 * leaves one summary audit entry; a second run removes nothing; a limit of 5 days then
 * takes the 6-day-old account. Member sign-in addresses: one recorded 91 days ago loses
 * its address (the time stays) under the default 90 days, one 89 days old keeps it; the
 * same for the address of a comment (the comment stays). The
 * background job, with short intervals, runs and stops cleanly.
 */
#include <sodium.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "analytics/analytics.h"
#include "commerce/commerce.h"
#include "privacy/privacy.h"
#include "sites/comments.h"
#include "sites/sites.h"
#include "store/store.h"
#include "testlib.h"

static const struct store_stmt t_age = {"t_age",
    "UPDATE people SET created_at = ? WHERE id = ?"};
static const struct store_stmt t_key = {"t_key",
    "SELECT COUNT(*) FROM vault_keys WHERE subject = ?"};
static const struct store_stmt t_ip = {"t_ip",
    "SELECT ip_sealed FROM account_logins WHERE person_id = ?"};

/* Whether person's last sign-in still has an address. */
/* raw analytics rows (analytics/recorder.c) and a rollup row, for the analytics rule */
/* a comment's age and whether it still holds an address (sites/comments.c) */
static const struct store_stmt t_comment_age = {"t_comment_age",
    "UPDATE comments SET created_at = ? WHERE id = ?"};
static const struct store_stmt t_comment_ip = {"t_comment_ip",
    "SELECT COUNT(*) FROM comments WHERE id = ? AND ip_sealed IS NOT NULL"};

/* An anonymous comment sent `days` days ago from 192.0.2.77; returns its id. */
static int64_t
add_comment(struct privacy *p, struct store *s, int64_t site, int64_t post, int days)
{
	struct comment_new c = {site, post, 0, 0, "Ann", NULL, "192.0.2.77", "hello",
	    HOLD_NONE};
	struct store_q *q;
	const char *field;
	enum comment_status st;
	char msg[128];
	int64_t id = 0;

	T_EQ_INT(comments_add(p, s, &c, &id, &st, &field, msg, sizeof(msg)), ERR_OK);
	T_ASSERT((q = store_prepare(s, &t_comment_age)) != NULL);
	store_bind_int(q, 1, time_now() - (int64_t)days * 86400);
	store_bind_int(q, 2, id);
	store_step(q);
	T_EQ_INT(store_done(q), ERR_OK);
	return id;
}

static bool
comment_has_ip(struct store *s, int64_t id)
{
	struct store_q *q = store_prepare(s, &t_comment_ip);
	int64_t n = 0;

	T_ASSERT(q != NULL);
	store_bind_int(q, 1, id);
	if (store_step(q) == STORE_ROW)
		n = store_col_int(q, 0);
	T_EQ_INT(store_done(q), ERR_OK);
	return n == 1;
}

static const struct store_stmt t_event = {"t_event",
    "INSERT INTO analytics_events (site_id, at, path, status, page, browser, major, bot,"
    " language, referrer, visitor) VALUES (1, ?, ?, 200, 1, 'Firefox', 120, 0, 'de', '',"
    " NULL)"};
static const struct store_stmt t_events = {"t_events",
    "SELECT COUNT(*) FROM analytics_events WHERE path = ?"};
static const struct store_stmt t_rollup = {"t_rollup",
    "INSERT INTO analytics_days (site_id, day, views, visitors, bot_views)"
    " VALUES (1, ?, 1, 1, 0)"};
static const struct store_stmt t_rollups = {"t_rollups",
    "SELECT COUNT(*) FROM analytics_days"};

static void
add_event(struct store *s, const char *path, int64_t at)
{
	struct store_q *q;

	T_ASSERT((q = store_prepare(s, &t_event)) != NULL);
	store_bind_int(q, 1, at);
	store_bind_text(q, 2, path);
	T_ASSERT(store_step(q) == STORE_DONE);
	T_EQ_INT(store_done(q), ERR_OK);
	T_ASSERT((q = store_prepare(s, &t_rollup)) != NULL);
	store_bind_int(q, 1, at / 86400);
	T_ASSERT(store_step(q) == STORE_DONE);
	T_EQ_INT(store_done(q), ERR_OK);
}

static int64_t
count_q(struct store *s, const struct store_stmt *st, const char *path)
{
	struct store_q *q;
	int64_t n = -1;

	T_ASSERT((q = store_prepare(s, st)) != NULL);
	if (path)
		store_bind_text(q, 1, path);
	if (store_step(q) == STORE_ROW)
		n = store_col_int(q, 0);
	T_EQ_INT(store_done(q), ERR_OK);
	return n;
}

static bool
has_ip(struct store *s, int64_t id)
{
	struct store_q *q;
	bool yes;

	T_ASSERT((q = store_prepare(s, &t_ip)) != NULL);
	store_bind_int(q, 1, id);
	T_EQ_INT(store_step(q), STORE_ROW);
	yes = !store_col_null(q, 0);
	T_EQ_INT(store_done(q), ERR_OK);
	return yes;
}

static int64_t
add(struct privacy *p, struct store *s, const char *user, bool verified, int64_t age_days)
{
	struct store_q *q;
	char email[64], msg[128];
	int64_t id = 0;

	snprintf(email, sizeof(email), "%s@example.test", user);
	if (people_add(p, s, user, email, ROLE_MEMBER, verified, &id, msg, sizeof(msg)) != ERR_OK)
		T_FAIL("people_add %s: %s", user, msg);
	T_ASSERT((q = store_prepare(s, &t_age)) != NULL);
	store_bind_int(q, 1, time_now() - age_days * 86400);
	store_bind_int(q, 2, id);
	store_step(q);
	T_EQ_INT(store_done(q), ERR_OK);
	return id;
}

static bool
exists(struct store *s, struct arena *ar, const char *user)
{
	struct person found;
	enum err e = people_find(s, ar, user, &found);

	T_ASSERT(e == ERR_OK || e == ERR_NOTFOUND);
	return e == ERR_OK;
}

static int64_t
has_key(struct store *s, int64_t id)
{
	struct store_q *q;
	char subject[32];
	int64_t n;

	snprintf(subject, sizeof(subject), "user:%lld", (long long)id);
	T_ASSERT((q = store_prepare(s, &t_key)) != NULL);
	store_bind_text(q, 1, subject);
	T_EQ_INT(store_step(q), STORE_ROW);
	n = store_col_int(q, 0);
	T_EQ_INT(store_done(q), ERR_OK);
	return n;
}

/* The removed count of rule name in rep (fails when absent). */
static int64_t
removed(const struct retention_report *rep, const char *name)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		if (strcmp(rep->rules[i].name, name) == 0) {
			T_EQ_INT(rep->rules[i].error, ERR_OK);
			return rep->rules[i].removed;
		}
	T_FAIL("no rule %s in the report", name);
}

int
main(void)
{
	struct config cfg;
	struct privacy *p;
	struct store *s;
	struct arena *ar;
	struct retention_report rep;
	struct retention_job *job;
	struct audit_entry *log;
	int64_t old, young, verified, fresh, bad = 0, deadline, c_old = 0, c_young = 0;
	char msg[256], subject[32];
	size_t n = 0, i, summaries = 0;

	t_privacy_config(&cfg, NULL);
	s = t_privacy_store(&cfg);
	p = t_privacy_open(&cfg);
	T_EQ_INT(accounts_migrate(s), ERR_OK); /* account_logins */
	T_EQ_INT(analytics_migrate(s), ERR_OK); /* analytics_events */
	T_EQ_INT(sites_migrate(s), ERR_OK);
	T_EQ_INT(comments_migrate(s), ERR_OK); /* comments.ip_sealed */
	T_EQ_INT(commerce_migrate(s), ERR_OK); /* orders */
	T_ASSERT((ar = arena_new()) != NULL);

	/* the defaults from the brief and docs/configuration.md */
	T_EQ_INT(cfg.retention_unverified_days, 7);
	T_EQ_INT(cfg.retention_ip_days, 90);
	T_EQ_INT(cfg.retention_sessions_days, 0);
	T_EQ_INT(cfg.retention_analytics_days, 90);

	old = add(p, s, "olga", false, 8);
	young = add(p, s, "yann", false, 6);
	verified = add(p, s, "vera", true, 30);
	fresh = add(p, s, "fred", false, 0);

	T_EQ_INT(account_record_login(p, s, verified, "192.0.2.91", time_now() - 91 * 86400),
	    ERR_OK);
	T_EQ_INT(account_record_login(p, s, fresh, "192.0.2.89", time_now() - 89 * 86400),
	    ERR_OK);
	T_ASSERT(has_ip(s, verified));

	{
		int64_t site, post;
		T_EQ_INT(sites_add(s, "r.test", "R", "", "http://r.test", NULL, 0, &site), ERR_OK);
		T_EQ_INT(posts_add(s, site, POST_KIND_POST, "p", "P", "x", false, 0, &post, msg,
			     sizeof(msg)), ERR_OK);
		c_old = add_comment(p, s, site, post, 91);
		c_young = add_comment(p, s, site, post, 89);
	}
	add_event(s, "/old", time_now() - 91 * 86400);
	add_event(s, "/young", time_now() - 89 * 86400);

	T_EQ_INT(retention_run(p, s, &cfg, &rep), ERR_OK);
	T_EQ_INT(removed(&rep, "unverified_accounts"), 1);
	T_EQ_INT(removed(&rep, "sign_in_addresses"), 1);
	/* raw analytics rows older than analytics_days go; the daily rollups stay */
	T_EQ_INT(removed(&rep, "analytics_events"), 1);
	/* a commenter's address older than ip_days goes; the comment stays */
	T_EQ_INT(removed(&rep, "comment_addresses"), 1);
	T_ASSERT(!comment_has_ip(s, c_old));
	T_ASSERT(comment_has_ip(s, c_young));
	{
		struct comment c;
		T_EQ_INT(comments_get(s, ar, c_old, &c), ERR_OK);
		T_EQ_STR(c.body_md, "hello");
		T_ASSERT(!c.has_ip);
		T_EQ_INT(comments_get(s, ar, c_young, &c), ERR_OK);
		T_ASSERT(c.has_ip);
	}
	T_EQ_INT(count_q(s, &t_events, "/old"), 0);
	T_EQ_INT(count_q(s, &t_events, "/young"), 1);
	T_EQ_INT(count_q(s, &t_rollups, NULL), 2);
	T_ASSERT(!has_ip(s, verified));
	T_ASSERT(has_ip(s, fresh));
	{
		int64_t at = 0;
		T_EQ_INT(account_last_login(s, verified, &at), ERR_OK);
		T_ASSERT(at > 0 && at <= time_now() - 91 * 86400); /* the time stays */
	}
	T_ASSERT(!exists(s, ar, "olga"));
	T_ASSERT(exists(s, ar, "yann"));
	T_ASSERT(exists(s, ar, "vera"));
	T_ASSERT(exists(s, ar, "fred"));
	T_EQ_INT(has_key(s, old), 0);
	T_EQ_INT(has_key(s, young), 1);
	T_EQ_INT(has_key(s, verified), 1);
	T_EQ_INT(has_key(s, fresh), 1);

	/* olga's erasure is the system's, for retention */
	snprintf(subject, sizeof(subject), "user:%lld", (long long)old);
	T_EQ_INT(audit_list(p, s, ar, subject, &log, &n), ERR_OK);
	T_EQ_INT(n, 1);
	T_EQ_STR(log[0].decision, "erase");
	T_EQ_STR(log[0].actor, "system");
	T_EQ_STR(log[0].purpose, "retention");

	/* nothing more is due */
	T_EQ_INT(retention_run(p, s, &cfg, &rep), ERR_OK);
	T_EQ_INT(removed(&rep, "unverified_accounts"), 0);
	T_EQ_INT(removed(&rep, "sign_in_addresses"), 0);
	T_ASSERT(has_ip(s, fresh));

	/* one summary entry per run, with the counts */
	T_EQ_INT(audit_list(p, s, ar, "-", &log, &n), ERR_OK);
	for (i = 0; i < n; i++)
		if (strcmp(log[i].decision, "retention") == 0) {
			T_CONTAINS(log[i].detail, summaries == 0 ? "unverified_accounts=1"
								 : "unverified_accounts=0");
			T_CONTAINS(log[i].detail, summaries == 0 ? "sign_in_addresses=1"
								 : "sign_in_addresses=0");
			summaries++;
		}
	T_EQ_INT(summaries, 2);

	/* a shorter limit takes the 6-day-old account, never the verified one */
	cfg.retention_unverified_days = 5;
	T_EQ_INT(retention_run(p, s, &cfg, &rep), ERR_OK);
	T_EQ_INT(removed(&rep, "unverified_accounts"), 1);
	T_ASSERT(!exists(s, ar, "yann"));
	T_ASSERT(exists(s, ar, "vera"));
	T_ASSERT(exists(s, ar, "fred"));
	T_EQ_INT(audit_verify(p, s, &bad, msg, sizeof(msg)), ERR_OK);

	/* the background job: first run after 50 ms, then every 100 ms; stops cleanly */
	add(p, s, "otto", false, 10);
	job = retention_job_start(&cfg, cfg.database, NULL, 50, 100, msg, sizeof(msg));
	if (job == NULL)
		T_FAIL("retention_job_start: %s", msg);
	deadline = time_now_ms() + 10000;
	while (retention_job_runs(job) < 2 && time_now_ms() < deadline)
		usleep(20 * 1000);
	T_ASSERT(retention_job_runs(job) >= 2);
	retention_job_stop(job);
	/* each run also signed an audit checkpoint outside the database */
	{
		char path[1200], *cp;
		size_t lines = 0, k;
		snprintf(path, sizeof(path), "%s/audit.checkpoints", cfg.data_dir);
		cp = t_read_file(path, NULL);
		T_ASSERT(cp != NULL);
		for (k = 0; cp[k]; k++)
			lines += cp[k] == '\n';
		T_ASSERT(lines >= 2);
		free(cp);
	}
	T_ASSERT(!exists(s, ar, "otto"));
	T_ASSERT(exists(s, ar, "vera"));
	/* a job told to wait an hour stops at once */
	deadline = time_now_ms();
	job = retention_job_start(&cfg, cfg.database, NULL, 3600 * 1000, 3600 * 1000, msg,
	    sizeof(msg));
	T_ASSERT(job != NULL);
	retention_job_stop(job);
	T_ASSERT(time_now_ms() - deadline < 2000);
	T_EQ_INT(audit_verify(p, s, &bad, msg, sizeof(msg)), ERR_OK);

	arena_free(ar);
	privacy_free(p);
	store_close(s);
	printf("test_privacy_retention (%s): ok\n", t_backend());
	return 0;
}
