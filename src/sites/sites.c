/*
 * sites: sites and their hosts. A host belongs to exactly one site (primary key on
 * site_hosts.host), which is what guarantees an unknown or foreign Host never reaches
 * another site's content.
 */
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
};

enum {
	SQL_SITE_INSERT,
	SQL_HOST_INSERT,
	SQL_SITE_FIND,
	SQL_SITE_LIST,
	SQL__MAX
};

static const struct store_stmt sites_sql[SQL__MAX] = {
	[SQL_SITE_INSERT] = {"site_insert",
	    "INSERT INTO sites (title, tagline, origin, created_at) VALUES (?, ?, ?, ?)"
	    " RETURNING id"},
	[SQL_HOST_INSERT] = {"site_host_insert",
	    "INSERT INTO site_hosts (host, site_id, is_primary) VALUES (?, ?, ?)"},
	[SQL_SITE_FIND] = {"site_find",
	    "SELECT s.id, s.title, s.tagline, p.host, s.origin FROM site_hosts h"
	    " JOIN sites s ON s.id = h.site_id"
	    " JOIN site_hosts p ON p.site_id = s.id AND p.is_primary = 1"
	    " WHERE h.host = ?"},
	[SQL_SITE_LIST] = {"site_list",
	    "SELECT s.id, s.title, s.tagline, h.host, h.is_primary, s.origin FROM sites s"
	    " JOIN site_hosts h ON h.site_id = s.id ORDER BY s.id, h.is_primary DESC, h.host"},
};

/* Row copies for `candor db copy`, parents before children. */
static const struct store_stmt sites_copy_sql[] = {
	{"copy_sites_select", "SELECT id, title, tagline, origin, created_at FROM sites ORDER BY id"},
	{"copy_sites_insert",
	    "INSERT INTO sites (id, title, tagline, origin, created_at) VALUES (?, ?, ?, ?, ?)"},
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
	{"sites", "ittti", &sites_copy_sql[0], &sites_copy_sql[1], "id"},
	{"site_hosts", "tii", &sites_copy_sql[2], &sites_copy_sql[3], NULL},
	{"posts", "iiitttttiiii", &sites_copy_sql[4], &sites_copy_sql[5], "id"},
};
const size_t sites_tables_count = COUNTOF(sites_tables);

enum err
sites_migrate(struct store *s)
{
	return store_migrate(s, "sites", sites_migrations, COUNTOF(sites_migrations));
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

enum err
sites_add(struct store *s, const char *host, const char *title, const char *tagline,
    const char *origin, const char *const *aliases, size_t naliases, int64_t *id)
{
	struct store_q *q;
	enum err e;
	size_t i, tl = strlen(title);

	if (tl == 0 || !str_utf8_valid(title, tl) || str_utf8_len(title, tl) > LIMIT_TITLE ||
	    strpbrk(title, "\r\n\t"))
		return ERR_INVAL;
	if (tagline == NULL)
		tagline = "";
	if (!str_utf8_valid(tagline, strlen(tagline)) ||
	    str_utf8_len(tagline, strlen(tagline)) > LIMIT_TITLE)
		return ERR_INVAL;
	if (naliases + 1 > LIMIT_HOSTS_PER_SITE || host[0] == '\0')
		return ERR_INVAL;
	if (strncmp(origin, "http://", 7) != 0 && strncmp(origin, "https://", 8) != 0)
		return ERR_INVAL;
	if (strlen(origin) > 300 || strpbrk(origin, " \t\r\n\"'<>") || origin[strlen(origin) - 1] == '/')
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
