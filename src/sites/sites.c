/*
 * sites: sites and their hosts. A host belongs to exactly one site (primary key on
 * site_hosts.host), which is what guarantees an unknown or foreign Host never reaches
 * another site's content.
 */
#include <stdio.h>
#include <string.h>

#include "sites/sites.h"

static const struct store_migration sites_migrations[] = {
	{1, "CREATE TABLE sites ("
	    " id {{ID}},"
	    " title TEXT NOT NULL,"
	    " tagline TEXT NOT NULL DEFAULT '',"
	    " origin TEXT NOT NULL,"
	    " created_at BIGINT NOT NULL);"
	    "CREATE TABLE site_hosts ("
	    " host TEXT PRIMARY KEY,"
	    " site_id BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,"
	    " is_primary INTEGER NOT NULL);"
	    "CREATE INDEX site_hosts_site ON site_hosts(site_id);"
	    "CREATE TABLE posts ("
	    " id {{ID}},"
	    " site_id BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,"
	    " kind INTEGER NOT NULL,"
	    " slug TEXT NOT NULL,"
	    " title TEXT NOT NULL,"
	    " body_md TEXT NOT NULL,"
	    " body_html TEXT NOT NULL,"
	    " excerpt TEXT NOT NULL,"
	    " draft INTEGER NOT NULL,"
	    " published_at BIGINT NOT NULL,"
	    " created_at BIGINT NOT NULL,"
	    " updated_at BIGINT NOT NULL,"
	    " UNIQUE (site_id, kind, slug));"
	    "CREATE INDEX posts_published ON posts(site_id, kind, draft, published_at);"},
	{2, "ALTER TABLE sites ADD COLUMN comment_policy INTEGER NOT NULL DEFAULT 0;"
	    "ALTER TABLE sites ADD COLUMN comment_hold INTEGER NOT NULL DEFAULT 0"},
	/* posts_next_due (asked after every write by each server thread) across sites */
	{3, "CREATE INDEX posts_due ON posts(draft, published_at)"},
};

enum {
	SQL_SITE_INSERT,
	SQL_HOST_INSERT,
	SQL_SITE_FIND,
	SQL_SITE_LIST,
	SQL_SITE_GET,
	SQL_SITE_UPDATE,
	SQL_HOSTS_DELETE,
	SQL_SITE_ORIGIN,
	SQL__MAX
};

static const struct store_stmt sites_sql[SQL__MAX] = {
	[SQL_SITE_INSERT] = {"site_insert",
	    "INSERT INTO sites (title, tagline, origin, created_at) VALUES (?, ?, ?, ?)"
	    " RETURNING id"},
	[SQL_HOST_INSERT] = {"site_host_insert",
	    "INSERT INTO site_hosts (host, site_id, is_primary) VALUES (?, ?, ?)"},
	[SQL_SITE_FIND] = {"site_find",
	    "SELECT s.id, s.title, s.tagline, p.host, s.origin, s.comment_policy,"
	    " s.comment_hold FROM site_hosts h"
	    " JOIN sites s ON s.id = h.site_id"
	    " JOIN site_hosts p ON p.site_id = s.id AND p.is_primary = 1"
	    " WHERE h.host = ?"},
	[SQL_SITE_LIST] = {"site_list",
	    "SELECT s.id, s.title, s.tagline, h.host, h.is_primary, s.origin, s.comment_policy,"
	    " s.comment_hold FROM sites s"
	    " JOIN site_hosts h ON h.site_id = s.id ORDER BY s.id, h.is_primary DESC, h.host"},
	[SQL_SITE_GET] = {"site_get",
	    "SELECT s.id, s.title, s.tagline, h.host, h.is_primary, s.origin, s.comment_policy,"
	    " s.comment_hold FROM sites s"
	    " JOIN site_hosts h ON h.site_id = s.id WHERE s.id = ?"
	    " ORDER BY h.is_primary DESC, h.host"},
	[SQL_SITE_UPDATE] = {"site_update",
	    "UPDATE sites SET title = ?, tagline = ?, comment_policy = ?, comment_hold = ?"
	    " WHERE id = ? RETURNING id"},
	[SQL_HOSTS_DELETE] = {"site_hosts_delete", "DELETE FROM site_hosts WHERE site_id = ?"},
	[SQL_SITE_ORIGIN] = {"site_origin_set",
	    "UPDATE sites SET origin = ? WHERE id = ? RETURNING id"},
};

/* Row copies for `candor db copy`, parents before children. */
static const struct store_stmt sites_copy_sql[] = {
	{"copy_sites_select", "SELECT id, title, tagline, origin, created_at, comment_policy,"
	    " comment_hold FROM sites ORDER BY id"},
	{"copy_sites_insert",
	    "INSERT INTO sites (id, title, tagline, origin, created_at, comment_policy,"
	    " comment_hold) VALUES (?, ?, ?, ?, ?, ?, ?)"},
	{"copy_hosts_select", "SELECT host, site_id, is_primary FROM site_hosts ORDER BY host"},
	{"copy_hosts_insert", "INSERT INTO site_hosts (host, site_id, is_primary) VALUES (?, ?, ?)"},
	{"copy_posts_select",
	    "SELECT id, site_id, kind, slug, title, body_md, body_html, excerpt, draft,"
	    " published_at, created_at, updated_at FROM posts ORDER BY id"},
	{"copy_posts_insert",
	    "INSERT INTO posts (id, site_id, kind, slug, title, body_md, body_html, excerpt, draft,"
	    " published_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
};

const struct store_table sites_tables[] = {
	{"sites", "itttiii", &sites_copy_sql[0], &sites_copy_sql[1], "id"},
	{"site_hosts", "tii", &sites_copy_sql[2], &sites_copy_sql[3], NULL},
	{"posts", "iiitttttiiii", &sites_copy_sql[4], &sites_copy_sql[5], "id"},
};
const size_t sites_tables_count = COUNTOF(sites_tables);

enum err
sites_migrate(struct store *s)
{
	enum err e;

	/* the search index is part of this module and names posts */
	if ((e = store_migrate(s, "sites", sites_migrations, COUNTOF(sites_migrations))) != ERR_OK)
		return e;
	return search_migrate(s);
}

/* Inserts one host row; ERR_CONFLICT if the host is already taken. */
static enum err
sites_add_host(struct store *s, const char *host, int64_t site_id, bool primary)
{
	struct store_q *q;

	if ((q = store_prepare(s, &sites_sql[SQL_HOST_INSERT])) == NULL)
		return ERR_IO;
	store_bind_text(q, 1, host);
	store_bind_int(q, 2, site_id);
	store_bind_int(q, 3, primary);
	store_step(q);
	return store_done(q);
}

/* The comment settings as stored, clamped to the enums (an unknown number reads as the
 * default rather than indexing past a table). */
static void
sites_settings(struct store_q *q, int col, struct site *out)
{
	int64_t p = store_col_int(q, col), h = store_col_int(q, col + 1);

	out->comment_policy = p >= 0 && p < COMMENTS__MAX ? (enum comment_policy)p : COMMENTS_OPEN;
	out->comment_hold = h >= 0 && h < HOLD__MAX ? (enum comment_hold)h : HOLD_FIRST_TIME;
}

enum err
sites_check(const char *title, const char *tagline, const char *origin, char *msg,
    size_t msgsize)
{
	size_t tl = strlen(title), gl = strlen(tagline), ol = strlen(origin);

	if (tl == 0 || !str_utf8_valid(title, tl) || strpbrk(title, "\r\n\t")) {
		str_msg(msg, msgsize, "The title must be one line of text.");
		return ERR_INVAL;
	}
	if (str_utf8_len(title, tl) > LIMIT_TITLE) {
		str_msg(msg, msgsize, "The title is longer than 200 characters.");
		return ERR_INVAL;
	}
	if (!str_utf8_valid(tagline, gl) || strpbrk(tagline, "\r\n\t") ||
	    str_utf8_len(tagline, gl) > LIMIT_TITLE) {
		str_msg(msg, msgsize, "The tagline must be one line of at most 200 characters.");
		return ERR_INVAL;
	}
	if ((strncmp(origin, "http://", 7) != 0 && strncmp(origin, "https://", 8) != 0) ||
	    ol > 300 || ol <= 8 || strpbrk(origin, " \t\r\n\"'<>") || origin[ol - 1] == '/') {
		str_msg(msg, msgsize, "The origin is http:// or https:// and a host name (and "
				      "port), without a slash at the end.");
		return ERR_INVAL;
	}
	return ERR_OK;
}

enum err
sites_add(struct store *s, const char *host, const char *title, const char *tagline,
    const char *origin, const char *const *aliases, size_t naliases, int64_t *id)
{
	struct store_q *q;
	enum err e;
	size_t i;

	if (tagline == NULL)
		tagline = "";
	if (sites_check(title, tagline, origin, NULL, 0) != ERR_OK)
		return ERR_INVAL;
	if (naliases + 1 > LIMIT_HOSTS_PER_SITE || host[0] == '\0')
		return ERR_INVAL;
	if ((e = store_begin(s)) != ERR_OK)
		return e;
	if ((q = store_prepare(s, &sites_sql[SQL_SITE_INSERT])) == NULL) {
		e = ERR_IO;
		goto out;
	}
	store_bind_text(q, 1, title);
	store_bind_text(q, 2, tagline);
	store_bind_text(q, 3, origin);
	store_bind_int(q, 4, time_now());
	if (store_step(q) == STORE_ROW)
		*id = store_col_int(q, 0);
	if ((e = store_done(q)) != ERR_OK)
		goto out;
	if ((e = sites_add_host(s, host, *id, true)) != ERR_OK)
		goto out;
	for (i = 0; i < naliases; i++)
		if (aliases[i][0] == '\0' ||
		    (e = sites_add_host(s, aliases[i], *id, false)) != ERR_OK)
			goto out;
	e = store_commit(s);
out:
	if (e != ERR_OK)
		store_rollback(s);
	return e;
}

enum err
sites_find(struct store *s, struct arena *a, const char *host, struct site *out)
{
	struct store_q *q;
	enum err e = ERR_NOTFOUND, de;

	if ((q = store_prepare(s, &sites_sql[SQL_SITE_FIND])) == NULL)
		return store_done(NULL); /* why the prepare failed */
	store_bind_text(q, 1, host);
	if (store_step(q) == STORE_ROW) {
		out->id = store_col_int(q, 0);
		out->title = arena_strdup(a, store_col_text(q, 1));
		out->tagline = arena_strdup(a, store_col_text(q, 2));
		out->host = arena_strdup(a, store_col_text(q, 3));
		out->origin = arena_strdup(a, store_col_text(q, 4));
		out->aliases = "";
		sites_settings(q, 5, out);
		e = out->title && out->tagline && out->host && out->origin ? ERR_OK : ERR_NOMEM;
	}
	if ((de = store_done(q)) != ERR_OK)
		e = de; /* ERR_UNAVAIL stays a 503 */
	return e;
}

enum err
sites_list(struct store *s, struct arena *a, struct site **out, size_t *n)
{
	struct store_q *q;
	struct site *list = NULL, *grown;
	size_t cap = 0, count = 0;
	enum err e = ERR_OK;

	if ((q = store_prepare(s, &sites_sql[SQL_SITE_LIST])) == NULL)
		return ERR_IO;
	while (store_step(q) == STORE_ROW) {
		int64_t id = store_col_int(q, 0);
		const char *host = store_col_text(q, 3);
		if (count == 0 || list[count - 1].id != id) {
			if ((grown = arena_grow(a, list, count, &cap, sizeof(*list))) == NULL) {
				e = ERR_NOMEM;
				break;
			}
			list = grown;
			list[count].id = id;
			list[count].title = arena_strdup(a, store_col_text(q, 1));
			list[count].tagline = arena_strdup(a, store_col_text(q, 2));
			list[count].host = arena_strdup(a, host);
			list[count].origin = arena_strdup(a, store_col_text(q, 5));
			list[count].aliases = "";
			sites_settings(q, 6, &list[count]);
			count++;
		} else {
			const char *prev = list[count - 1].aliases;
			list[count - 1].aliases =
			    arena_printf(a, "%s%s%s", prev, prev[0] ? " " : "", host);
		}
	}
	if (store_done(q) != ERR_OK && e == ERR_OK)
		e = ERR_IO;
	*out = list;
	*n = count;
	return e;
}

enum err
sites_get(struct store *s, struct arena *a, int64_t id, struct site *out)
{
	struct store_q *q;
	enum err e = ERR_NOTFOUND, de;
	const char *prev;

	if ((q = store_prepare(s, &sites_sql[SQL_SITE_GET])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, id);
	while (store_step(q) == STORE_ROW) {
		if (e == ERR_NOTFOUND) {
			out->id = store_col_int(q, 0);
			out->title = arena_strdup(a, store_col_text(q, 1));
			out->tagline = arena_strdup(a, store_col_text(q, 2));
			out->host = arena_strdup(a, store_col_text(q, 3));
			out->origin = arena_strdup(a, store_col_text(q, 5));
			out->aliases = "";
			sites_settings(q, 6, out);
			e = out->title && out->tagline && out->host && out->origin ? ERR_OK
										   : ERR_NOMEM;
			continue;
		}
		prev = out->aliases;
		out->aliases = arena_printf(a, "%s%s%s", prev, prev[0] ? " " : "",
		    store_col_text(q, 3));
		if (out->aliases == NULL)
			e = ERR_NOMEM;
	}
	if ((de = store_done(q)) != ERR_OK)
		e = de;
	return e;
}

enum err
sites_update(struct store *s, int64_t id, const char *title, const char *tagline,
    enum comment_policy policy, enum comment_hold hold, char *msg, size_t msgsize)
{
	struct store_q *q;
	bool found;
	enum err e;

	if ((e = sites_check(title, tagline, "http://placeholder", msg, msgsize)) != ERR_OK)
		return e;
	if ((unsigned)policy >= COMMENTS__MAX || (unsigned)hold >= HOLD__MAX) {
		str_msg(msg, msgsize, "Choose one of the comment settings offered.");
		return ERR_INVAL;
	}
	if ((q = store_prepare(s, &sites_sql[SQL_SITE_UPDATE])) == NULL)
		return store_done(NULL);
	store_bind_text(q, 1, title);
	store_bind_text(q, 2, tagline);
	store_bind_int(q, 3, policy);
	store_bind_int(q, 4, hold);
	store_bind_int(q, 5, id);
	found = store_step(q) == STORE_ROW;
	if ((e = store_done(q)) == ERR_OK && !found)
		e = ERR_NOTFOUND;
	return e;
}

enum err
sites_set_hosts(struct store *s, int64_t id, const char *host, const char *origin,
    const char *const *aliases, size_t naliases, char *msg, size_t msgsize)
{
	struct store_q *q;
	const char *bad = host;
	bool found;
	size_t i;
	enum err e;

	if ((e = sites_check("x", "", origin, msg, msgsize)) != ERR_OK)
		return e;
	if (host[0] == '\0' || naliases + 1 > LIMIT_HOSTS_PER_SITE) {
		str_msg(msg, msgsize, "A site has a primary host and at most 15 aliases.");
		return ERR_INVAL;
	}
	if ((e = store_begin(s)) != ERR_OK)
		return e;
	if ((q = store_prepare(s, &sites_sql[SQL_SITE_ORIGIN])) == NULL) {
		e = store_done(NULL);
		goto out;
	}
	store_bind_text(q, 1, origin);
	store_bind_int(q, 2, id);
	found = store_step(q) == STORE_ROW;
	if ((e = store_done(q)) != ERR_OK)
		goto out;
	if (!found) {
		e = ERR_NOTFOUND;
		goto out;
	}
	if ((q = store_prepare(s, &sites_sql[SQL_HOSTS_DELETE])) == NULL) {
		e = store_done(NULL);
		goto out;
	}
	store_bind_int(q, 1, id);
	store_step(q);
	if ((e = store_done(q)) != ERR_OK)
		goto out;
	if ((e = sites_add_host(s, host, id, true)) != ERR_OK)
		goto out;
	for (i = 0; i < naliases; i++) {
		bad = aliases[i];
		if (strcmp(aliases[i], host) == 0)
			continue; /* the primary host named again as an alias */
		if (aliases[i][0] == '\0' || (e = sites_add_host(s, aliases[i], id, false)) != ERR_OK)
			goto out;
	}
	e = store_commit(s);
out:
	if (e != ERR_OK) {
		store_rollback(s);
		if (e == ERR_CONFLICT && msg && msgsize)
			snprintf(msg, msgsize, "The host %s is already a name of a site.", bad);
	}
	return e;
}
