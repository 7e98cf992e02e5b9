/*
 * policy: privacy-policy versions. Versions are append-only: a published text is never
 * edited, a change is a new version, so every member's acceptance can point at the
 * exact text they saw. Acceptances (P20): one row per person and version, the first
 * acceptance kept (a later one of the same version changes nothing), removed with the
 * person (ON DELETE CASCADE). The acceptances table names people(id): web/app.c runs
 * policy_migrate after privacy_migrate.
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
};

enum {
	SQL_POLICY_LAST,
	SQL_POLICY_INSERT,
	SQL_POLICY_CURRENT,
	SQL_POLICY_ACCEPT,
	SQL_POLICY_ACCEPTANCES,
	SQL__MAX
};

static const struct store_stmt policy_sql[SQL__MAX] = {
	[SQL_POLICY_LAST] = {"policy_last", "SELECT COALESCE(MAX(version), 0) FROM policy_versions"},
	[SQL_POLICY_INSERT] = {"policy_insert",
	    "INSERT INTO policy_versions (version, title, body_md, body_html, effective_at,"
	    " created_at) VALUES (?, ?, ?, ?, ?, ?)"},
	[SQL_POLICY_CURRENT] = {"policy_current",
	    "SELECT version, title, body_html, effective_at FROM policy_versions"
	    " WHERE effective_at <= ? ORDER BY version DESC LIMIT 1"},
	/* a second acceptance of the same version keeps the first */
	[SQL_POLICY_ACCEPT] = {"policy_accept",
	    "INSERT INTO policy_acceptances (person_id, version, accepted_at, kind)"
	    " VALUES (?, ?, ?, ?) ON CONFLICT (person_id, version) DO NOTHING"},
	[SQL_POLICY_ACCEPTANCES] = {"policy_acceptances",
	    "SELECT version, accepted_at, kind FROM policy_acceptances WHERE person_id = ?"
	    " ORDER BY accepted_at, version"},
};

static const struct store_stmt policy_copy_sql[] = {
	{"copy_policy_select", "SELECT version, title, body_md, body_html, effective_at, created_at"
			       " FROM policy_versions ORDER BY version"},
	{"copy_policy_insert", "INSERT INTO policy_versions (version, title, body_md, body_html,"
			       " effective_at, created_at) VALUES (?, ?, ?, ?, ?, ?)"},
	{"copy_policy_acceptances_select", "SELECT person_id, version, accepted_at, kind"
					   " FROM policy_acceptances ORDER BY person_id, version"},
	{"copy_policy_acceptances_insert", "INSERT INTO policy_acceptances (person_id, version,"
					   " accepted_at, kind) VALUES (?, ?, ?, ?)"},
};

/* versions before acceptances, which name them (and people, copied before policy) */
const struct store_table policy_tables[] = {
	{"policy_versions", "itttii", &policy_copy_sql[0], &policy_copy_sql[1], NULL},
	{"policy_acceptances", "iiii", &policy_copy_sql[2], &policy_copy_sql[3], NULL},
};
const size_t policy_tables_count = COUNTOF(policy_tables);

enum err
policy_migrate(struct store *s)
{
	return store_migrate(s, "policy", policy_migrations, COUNTOF(policy_migrations));
}

enum err
policy_publish(struct store *s, const char *title, const char *markdown, int64_t effective_at,
    int64_t *version)
{
	struct store_q *q;
	char *html = NULL;
	size_t ml = strlen(markdown);
	int64_t next = 0, now = time_now();
	enum err e;

	if (ml > LIMIT_BODY_MARKDOWN || !str_utf8_valid(markdown, ml) || title[0] == '\0')
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

enum err
policy_current(struct store *s, struct arena *a, struct policy_version *out)
{
	struct store_q *q;
	enum err e = ERR_NOTFOUND, de;

	if ((q = store_prepare(s, &policy_sql[SQL_POLICY_CURRENT])) == NULL)
		return store_done(NULL); /* why the prepare failed */
	store_bind_int(q, 1, time_now());
	if (store_step(q) == STORE_ROW) {
		out->version = store_col_int(q, 0);
		out->title = arena_strdup(a, store_col_text(q, 1));
		out->body_html = arena_strdup(a, store_col_text(q, 2));
		out->effective_at = store_col_int(q, 3);
		e = out->title && out->body_html ? ERR_OK : ERR_NOMEM;
	}
	if ((de = store_done(q)) != ERR_OK)
		e = de; /* ERR_UNAVAIL stays a 503 */
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
	store_step(q);
	/* the key conflict is absorbed by DO NOTHING: what remains is a foreign key, an
	 * unknown version or person */
	if ((e = store_done(q)) == ERR_CONFLICT)
		e = ERR_NOTFOUND;
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
	char when[21];
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
		item = json_object();
		if (!policy_json_set(item, "version", json_integer(list[i].version)) ||
		    !policy_json_set(item, "accepted_at", json_string(when)) ||
		    !policy_json_set(item, "kind",
			json_string(policy_accept_kind_name(list[i].kind)))) {
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
