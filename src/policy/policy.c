/*
 * policy: privacy-policy versions. Versions are append-only: a published text is never
 * edited, a change is a new version, so every member's acceptance can point at the
 * exact text they saw.
 */
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
};

enum { SQL_POLICY_LAST, SQL_POLICY_INSERT, SQL_POLICY_CURRENT, SQL__MAX };

static const struct store_stmt policy_sql[SQL__MAX] = {
	[SQL_POLICY_LAST] = {"policy_last", "SELECT COALESCE(MAX(version), 0) FROM policy_versions"},
	[SQL_POLICY_INSERT] = {"policy_insert",
	    "INSERT INTO policy_versions (version, title, body_md, body_html, effective_at,"
	    " created_at) VALUES (?, ?, ?, ?, ?, ?)"},
	[SQL_POLICY_CURRENT] = {"policy_current",
	    "SELECT version, title, body_html, effective_at FROM policy_versions"
	    " WHERE effective_at <= ? ORDER BY version DESC LIMIT 1"},
};

static const struct store_stmt policy_copy_sql[] = {
	{"copy_policy_select", "SELECT version, title, body_md, body_html, effective_at, created_at"
			       " FROM policy_versions ORDER BY version"},
	{"copy_policy_insert", "INSERT INTO policy_versions (version, title, body_md, body_html,"
			       " effective_at, created_at) VALUES (?, ?, ?, ?, ?, ?)"},
};

const struct store_table policy_tables[] = {
	{"policy_versions", "itttii", &policy_copy_sql[0], &policy_copy_sql[1], NULL},
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
