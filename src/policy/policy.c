/*
 * policy: privacy-policy versions. Versions are append-only: a published text is never
 * edited, a change is a new version, so every member's acceptance can point at the
 * exact text they saw. Acceptances (P20): one row per person and version, the first
 * acceptance kept (a later one of the same version changes nothing), removed with the
 * person (ON DELETE CASCADE). The acceptances table names people(id): web/app.c runs
 * policy_migrate after privacy_migrate. An acceptance's kind says how it was first
 * given; acknowledged_at (0 or a time) says whether the person also said "I have read
 * it", which is what ends the notice on every page.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

static const struct store_migration policy_migrations[] = {
	{1, "CREATE TABLE policy_versions ("
	    " version BIGINT PRIMARY KEY,"
	    " title TEXT NOT NULL,"
	    " body_md TEXT NOT NULL,"
	    " body_html TEXT NOT NULL,"
	    " effective_at BIGINT NOT NULL,"
	    " created_at BIGINT NOT NULL)"},
	{2, "CREATE TABLE policy_acceptances ("
	    " person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	    " version BIGINT NOT NULL REFERENCES policy_versions(version),"
	    " accepted_at BIGINT NOT NULL,"
	    " kind INTEGER NOT NULL,"
	    " PRIMARY KEY (person_id, version))"},
	{3, "ALTER TABLE policy_versions ADD COLUMN summary TEXT NOT NULL DEFAULT ''"},
	{4, "ALTER TABLE policy_acceptances ADD COLUMN acknowledged_at BIGINT NOT NULL DEFAULT 0;"
	    "UPDATE policy_acceptances SET acknowledged_at = accepted_at WHERE kind = 0"},
};

enum {
	SQL_POLICY_LAST,
	SQL_POLICY_INSERT,
	SQL_POLICY_CURRENT,
	SQL_POLICY_ACCEPT,
	SQL_POLICY_ACCEPTANCES,
	SQL_POLICY_GET,
	SQL_POLICY_LIST,
	SQL_POLICY_ACK,
	SQL_POLICY_SEEN,
	SQL_POLICY_COUNTS,
	SQL__MAX
};

static const struct store_stmt policy_sql[SQL__MAX] = {
	[SQL_POLICY_LAST] = {"policy_last", "SELECT COALESCE(MAX(version), 0) FROM policy_versions"},
	[SQL_POLICY_INSERT] = {"policy_insert",
	    "INSERT INTO policy_versions (version, title, body_md, body_html, effective_at,"
	    " created_at, summary) VALUES (?, ?, ?, ?, ?, ?, ?)"},
	[SQL_POLICY_CURRENT] = {"policy_current",
	    "SELECT version, title, body_html, effective_at, summary, created_at"
	    " FROM policy_versions WHERE effective_at <= ? ORDER BY version DESC LIMIT 1"},
	/* a second acceptance of the same version keeps the first */
	[SQL_POLICY_ACCEPT] = {"policy_accept",
	    "INSERT INTO policy_acceptances (person_id, version, accepted_at, kind,"
	    " acknowledged_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (person_id, version)"
	    " DO NOTHING"},
	[SQL_POLICY_ACCEPTANCES] = {"policy_acceptances",
	    "SELECT version, accepted_at, kind, acknowledged_at FROM policy_acceptances"
	    " WHERE person_id = ? ORDER BY accepted_at, version"},
	[SQL_POLICY_GET] = {"policy_get",
	    "SELECT version, title, body_html, effective_at, summary, created_at, body_md"
	    " FROM policy_versions WHERE version = ?"},
	[SQL_POLICY_LIST] = {"policy_list",
	    "SELECT version, title, '', effective_at, summary, created_at FROM policy_versions"
	    " ORDER BY version DESC"},
	[SQL_POLICY_ACK] = {"policy_ack",
	    "UPDATE policy_acceptances SET acknowledged_at = ?"
	    " WHERE person_id = ? AND version = ? AND acknowledged_at = 0"},
	/* the version in force and any later one, each with this person's acceptance;
	 * -1 for none (the primary key makes each lookup one index probe) */
	[SQL_POLICY_SEEN] = {"policy_seen",
	    "SELECT v.version, v.effective_at, COALESCE(a.kind, -1),"
	    " COALESCE(a.acknowledged_at, 0) FROM policy_versions v"
	    " LEFT JOIN policy_acceptances a ON a.version = v.version AND a.person_id = ?"
	    " WHERE v.version >= (SELECT COALESCE(MAX(version), 0) FROM policy_versions"
	    " WHERE effective_at <= ?) ORDER BY v.version DESC"},
	[SQL_POLICY_COUNTS] = {"policy_counts",
	    "SELECT version, SUM(CASE WHEN kind = 0 THEN 1 ELSE 0 END),"
	    " SUM(CASE WHEN kind = 1 THEN 1 ELSE 0 END),"
	    " SUM(CASE WHEN acknowledged_at > 0 THEN 1 ELSE 0 END)"
	    " FROM policy_acceptances GROUP BY version ORDER BY version DESC"},
};

static const struct store_stmt policy_copy_sql[] = {
	{"copy_policy_select", "SELECT version, title, body_md, body_html, effective_at,"
			       " created_at, summary FROM policy_versions ORDER BY version"},
	{"copy_policy_insert", "INSERT INTO policy_versions (version, title, body_md, body_html,"
			       " effective_at, created_at, summary) VALUES (?, ?, ?, ?, ?, ?, ?)"},
	{"copy_policy_acceptances_select", "SELECT person_id, version, accepted_at, kind,"
					   " acknowledged_at FROM policy_acceptances"
					   " ORDER BY person_id, version"},
	{"copy_policy_acceptances_insert", "INSERT INTO policy_acceptances (person_id, version,"
					   " accepted_at, kind, acknowledged_at)"
					   " VALUES (?, ?, ?, ?, ?)"},
};

/* versions before acceptances, which name them (and people, copied before policy) */
const struct store_table policy_tables[] = {
	{"policy_versions", "itttiit", &policy_copy_sql[0], &policy_copy_sql[1], NULL},
	{"policy_acceptances", "iiiii", &policy_copy_sql[2], &policy_copy_sql[3], NULL},
};
const size_t policy_tables_count = COUNTOF(policy_tables);

enum err
policy_migrate(struct store *s)
{
	return store_migrate(s, "policy", policy_migrations, COUNTOF(policy_migrations));
}

/* A summary goes into alert subjects' neighbourhood and the history list: one line of
 * at most LIMIT_POLICY_SUMMARY characters, UTF-8, no control character. */
static bool
policy_summary_ok(const char *sum)
{
	size_t n = strlen(sum), i, chars = 0;

	if (!str_utf8_valid(sum, n))
		return false;
	for (i = 0; i < n; i++) {
		if ((unsigned char)sum[i] < 0x20 || sum[i] == 0x7f)
			return false;
		if (((unsigned char)sum[i] & 0xc0) != 0x80)
			chars++;
	}
	return chars <= LIMIT_POLICY_SUMMARY;
}

enum err
policy_publish(struct store *s, const char *title, const char *markdown, const char *summary,
    int64_t effective_at, int64_t *version)
{
	struct store_q *q;
	char *html = NULL;
	size_t ml = strlen(markdown);
	int64_t next = 0, now = time_now();
	enum err e;

	if (ml > LIMIT_BODY_MARKDOWN || !str_utf8_valid(markdown, ml) || title[0] == '\0' ||
	    !str_utf8_valid(title, strlen(title)) || summary == NULL || !policy_summary_ok(summary))
		return ERR_INVAL;
	if ((html = markdown_to_html(markdown, ml)) == NULL)
		return ERR_NOMEM;
	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	if ((q = store_prepare(s, &policy_sql[SQL_POLICY_LAST])) == NULL) {
		e = ERR_IO;
		goto fail;
	}
	if (store_step(q) == STORE_ROW)
		next = store_col_int(q, 0) + 1;
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if ((q = store_prepare(s, &policy_sql[SQL_POLICY_INSERT])) == NULL) {
		e = ERR_IO;
		goto fail;
	}
	store_bind_int(q, 1, next);
	store_bind_text(q, 2, title);
	store_bind_text(q, 3, markdown);
	store_bind_text(q, 4, html);
	store_bind_int(q, 5, effective_at ? effective_at : now);
	store_bind_int(q, 6, now);
	store_bind_text(q, 7, summary);
	store_step(q);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if ((e = store_commit(s)) != ERR_OK)
		goto fail;
	if (version)
		*version = next;
	goto out;
fail:
	store_rollback(s);
out:
	free(html);
	return e;
}

/* A row of version, title, body_html, effective_at, summary, created_at[, body_md]. */
static enum err
policy_version_row(struct store_q *q, struct arena *a, void *element)
{
	struct policy_version *v = element;

	v->version = store_col_int(q, 0);
	v->title = arena_strdup(a, store_col_text(q, 1));
	v->body_html = arena_strdup(a, store_col_text(q, 2));
	v->effective_at = store_col_int(q, 3);
	v->summary = arena_strdup(a, store_col_text(q, 4));
	v->created_at = store_col_int(q, 5);
	v->body_md = NULL;
	return v->title && v->body_html && v->summary ? ERR_OK : ERR_NOMEM;
}

static enum err
policy_version_row_md(struct store_q *q, struct arena *a, void *element)
{
	struct policy_version *v = element;
	enum err e = policy_version_row(q, a, element);

	if (e == ERR_OK && (v->body_md = arena_strdup(a, store_col_text(q, 6))) == NULL)
		e = ERR_NOMEM;
	return e;
}

enum err
policy_current(struct store *s, struct arena *a, struct policy_version *out)
{
	struct store_q *q;

	if ((q = store_prepare(s, &policy_sql[SQL_POLICY_CURRENT])) == NULL)
		return store_done(NULL); /* why the prepare failed; ERR_UNAVAIL stays a 503 */
	store_bind_int(q, 1, time_now());
	return store_one(q, a, out, policy_version_row);
}

enum err
policy_get(struct store *s, struct arena *a, int64_t n, struct policy_version *out)
{
	struct store_q *q;

	if ((q = store_prepare(s, &policy_sql[SQL_POLICY_GET])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, n);
	return store_one(q, a, out, policy_version_row_md);
}

enum err
policy_list(struct store *s, struct arena *a, struct policy_version **out, size_t *n)
{
	struct store_q *q;
	void *list;
	enum err e;

	*out = NULL;
	*n = 0;
	if ((q = store_prepare(s, &policy_sql[SQL_POLICY_LIST])) == NULL)
		return store_done(NULL);
	e = store_collect(q, a, sizeof(**out), policy_version_row, &list, n);
	*out = list;
	return e;
}

const char *
policy_accept_kind_name(enum policy_accept_kind k)
{
	switch (k) {
	case POLICY_ACCEPT_EXPLICIT:
		return "explicit";
	case POLICY_ACCEPT_CONTINUED_USE:
		return "continued-use";
	}
	return "?";
}

enum err
policy_accept(struct store *s, int64_t person, int64_t version, enum policy_accept_kind kind,
    int64_t now)
{
	struct store_q *q;
	enum err e;

	if (kind != POLICY_ACCEPT_EXPLICIT && kind != POLICY_ACCEPT_CONTINUED_USE)
		return ERR_INVAL;
	if ((q = store_prepare(s, &policy_sql[SQL_POLICY_ACCEPT])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	store_bind_int(q, 2, version);
	store_bind_int(q, 3, now);
	store_bind_int(q, 4, kind);
	store_bind_int(q, 5, kind == POLICY_ACCEPT_EXPLICIT ? now : 0);
	store_step(q);
	/* the key conflict is absorbed by DO NOTHING: what remains is a foreign key, an
	 * unknown version or person */
	if ((e = store_done(q)) == ERR_CONFLICT)
		e = ERR_NOTFOUND;
	return e;
}

enum err
policy_acknowledge(struct store *s, int64_t person, int64_t version, int64_t now)
{
	struct store_q *q;
	enum err e;

	if ((e = store_begin(s)) != ERR_OK)
		return e;
	if ((e = policy_accept(s, person, version, POLICY_ACCEPT_EXPLICIT, now)) != ERR_OK)
		goto fail;
	/* already accepted by continued use: the row stays, now acknowledged */
	if ((q = store_prepare(s, &policy_sql[SQL_POLICY_ACK])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_int(q, 1, now);
	store_bind_int(q, 2, person);
	store_bind_int(q, 3, version);
	store_step(q);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	return store_commit(s);
fail:
	store_rollback(s);
	return e;
}

enum err
policy_seen(struct store *s, int64_t person, int64_t now, int64_t *notice)
{
	struct store_q *q;
	int64_t in_force = 0;
	bool accepted = true, first;
	enum err e;

	*notice = 0;
	if ((q = store_prepare(s, &policy_sql[SQL_POLICY_SEEN])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	store_bind_int(q, 2, now);
	/* newest first: the newest version is the notice unless acknowledged (having read
	 * it, older ones no longer matter); the last row is the version in force when its
	 * effective time has come */
	for (first = true; store_step(q) == STORE_ROW; first = false) {
		if (first && store_col_int(q, 3) == 0)
			*notice = store_col_int(q, 0);
		if (store_col_int(q, 1) <= now) {
			in_force = store_col_int(q, 0);
			accepted = store_col_int(q, 2) >= 0;
		}
	}
	if ((e = store_done(q)) != ERR_OK || in_force == 0 || accepted)
		return e;
	return policy_accept(s, person, in_force, POLICY_ACCEPT_CONTINUED_USE, now);
}

static enum err
policy_count_row(struct store_q *q, struct arena *a, void *element)
{
	struct policy_count *c = element;

	(void)a;
	c->version = store_col_int(q, 0);
	c->explicit_n = store_col_int(q, 1);
	c->continued_n = store_col_int(q, 2);
	c->acknowledged_n = store_col_int(q, 3);
	return ERR_OK;
}

enum err
policy_counts(struct store *s, struct arena *a, struct policy_count **out, size_t *n)
{
	struct store_q *q;
	void *list;
	enum err e;

	*out = NULL;
	*n = 0;
	if ((q = store_prepare(s, &policy_sql[SQL_POLICY_COUNTS])) == NULL)
		return store_done(NULL);
	e = store_collect(q, a, sizeof(**out), policy_count_row, &list, n);
	*out = list;
	return e;
}

static enum err
policy_acceptance_row(struct store_q *q, struct arena *a, void *element)
{
	struct policy_acceptance *pa = element;

	(void)a;
	pa->version = store_col_int(q, 0);
	pa->accepted_at = store_col_int(q, 1);
	pa->kind = store_col_int(q, 2) == POLICY_ACCEPT_CONTINUED_USE
	    ? POLICY_ACCEPT_CONTINUED_USE
	    : POLICY_ACCEPT_EXPLICIT;
	pa->acknowledged_at = store_col_int(q, 3);
	return ERR_OK;
}

enum err
policy_acceptances(struct store *s, struct arena *a, int64_t person,
    struct policy_acceptance **out, size_t *n)
{
	struct store_q *q;
	void *list;
	enum err e;

	*out = NULL;
	*n = 0;
	if ((q = store_prepare(s, &policy_sql[SQL_POLICY_ACCEPTANCES])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	e = store_collect(q, a, sizeof(**out), policy_acceptance_row, &list, n);
	*out = list;
	return e;
}

/* obj[key] = v, taking v's reference; false when either is missing or it fails. */
static bool
policy_json_set(json_t *obj, const char *key, json_t *v)
{
	if (obj == NULL || v == NULL) {
		json_decref(v);
		return false;
	}
	return json_object_set_new(obj, key, v) == 0;
}

enum err
policy_export(struct privacy *p, struct store *s, int64_t person, void *obj)
{
	struct policy_acceptance *list = NULL;
	struct arena *a;
	json_t *arr, *item;
	char when[21], ack[21];
	size_t n = 0, i;
	enum err e;

	(void)p; /* acceptances hold no sealed field */
	if (obj == NULL || !json_is_object((json_t *)obj))
		return ERR_INVAL;
	if ((a = arena_new()) == NULL)
		return ERR_NOMEM;
	if ((e = policy_acceptances(s, a, person, &list, &n)) != ERR_OK)
		goto out;
	arr = json_array();
	if (!policy_json_set(obj, "acceptances", arr)) {
		e = ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		time_rfc3339(list[i].accepted_at, when);
		time_rfc3339(list[i].acknowledged_at, ack);
		item = json_object();
		if (!policy_json_set(item, "version", json_integer(list[i].version)) ||
		    !policy_json_set(item, "accepted_at", json_string(when)) ||
		    !policy_json_set(item, "kind",
			json_string(policy_accept_kind_name(list[i].kind))) ||
		    !policy_json_set(item, "acknowledged_at",
			list[i].acknowledged_at ? json_string(ack) : json_null())) {
			json_decref(item);
			e = ERR_NOMEM;
			goto out;
		}
		if (json_array_append_new(arr, item) != 0) {
			e = ERR_NOMEM;
			goto out;
		}
	}
out:
	arena_free(a);
	return e;
}
