/*
 * search: full-text search over a site's published posts and pages (issue 6, item 4).
 * SQLite uses an FTS5 table (post_search, rowid = posts.id, porter stemming); PostgreSQL
 * a table with a stored tsvector (weights: title A, text B) under a GIN index. The two
 * dialects differ too much for one statement, so this file keeps one statement table
 * per backend and picks by store_backend; both index the same text: the title and the
 * visible text of the markdown (markdown_text), with the snippet markers replaced.
 *
 * Invariants: what a person types never reaches a query parser as syntax: search_terms
 * reduces it to plain terms, which are quoted for FTS5 and handed to plainto_tsquery on
 * PostgreSQL, so no input gives a syntax error. The index is written in the caller's
 * transaction (posts.c), and rebuilt, never copied, by `candor db copy`. Drafts and
 * posts scheduled for later keep or get entries but the query filters them in SQL, as
 * the public getters do.
 */
#include <stdlib.h>
#include <string.h>

#include "sites/sites.h"

enum {
	SQ_INDEX_DELETE,
	SQ_INDEX_INSERT,
	SQ_INDEX_CLEAR,
	SQ_INDEX_EMPTY, /* a row when posts exist and the index is empty */
	SQ_QUERY,
	SQ_COUNT,
	SQ__MAX
};

/* Statements shared by both backends (the posts table is plain SQL). */
static const struct store_stmt search_posts_ids = {"search_posts_ids",
    "SELECT id FROM posts ORDER BY id"};
static const struct store_stmt search_post_text = {"search_post_text",
    "SELECT title, body_md FROM posts WHERE id = ?"};

static const struct store_stmt search_sqlite[SQ__MAX] = {
	[SQ_INDEX_DELETE] = {"search_delete", "DELETE FROM post_search WHERE rowid = ?"},
	[SQ_INDEX_INSERT] = {"search_insert",
	    "INSERT INTO post_search (rowid, title, body) VALUES (?, ?, ?)"},
	[SQ_INDEX_CLEAR] = {"search_clear", "DELETE FROM post_search"},
	[SQ_INDEX_EMPTY] = {"search_empty",
	    "SELECT 1 WHERE EXISTS (SELECT 1 FROM posts)"
	    " AND NOT EXISTS (SELECT 1 FROM post_search)"},
	[SQ_QUERY] = {"search_query",
	    "SELECT p.id, p.kind, p.slug, p.title, p.published_at,"
	    " snippet(post_search, 1, char(1), char(2), '…', 24)"
	    " FROM post_search JOIN posts p ON p.id = post_search.rowid"
	    " WHERE post_search MATCH ? AND p.site_id = ? AND p.draft = 0"
	    " AND p.published_at <= ?"
	    " ORDER BY bm25(post_search, 5.0, 1.0), p.published_at DESC, p.id DESC"
	    " LIMIT ? OFFSET ?"},
	[SQ_COUNT] = {"search_count",
	    "SELECT COUNT(*) FROM post_search JOIN posts p ON p.id = post_search.rowid"
	    " WHERE post_search MATCH ? AND p.site_id = ? AND p.draft = 0"
	    " AND p.published_at <= ?"},
};

static const struct store_stmt search_postgres[SQ__MAX] = {
	[SQ_INDEX_DELETE] = {"search_delete", "DELETE FROM post_search WHERE post_id = ?"},
	[SQ_INDEX_INSERT] = {"search_insert",
	    "INSERT INTO post_search (post_id, title, body) VALUES (?, ?, ?)"},
	[SQ_INDEX_CLEAR] = {"search_clear", "DELETE FROM post_search"},
	[SQ_INDEX_EMPTY] = {"search_empty",
	    "SELECT 1 WHERE EXISTS (SELECT 1 FROM posts)"
	    " AND NOT EXISTS (SELECT 1 FROM post_search)"},
	[SQ_QUERY] = {"search_query",
	    "SELECT p.id, p.kind, p.slug, p.title, p.published_at,"
	    " ts_headline('english', x.body, q.q, 'StartSel=' || chr(1) || ', StopSel=' ||"
	    " chr(2) || ', MaxFragments=2, MaxWords=30, MinWords=12,"
	    " FragmentDelimiter=\" … \"')"
	    " FROM post_search x JOIN posts p ON p.id = x.post_id"
	    " CROSS JOIN plainto_tsquery('english', ?) AS q(q)"
	    " WHERE x.doc @@ q.q AND p.site_id = ? AND p.draft = 0 AND p.published_at <= ?"
	    " ORDER BY ts_rank(x.doc, q.q) DESC, p.published_at DESC, p.id DESC"
	    " LIMIT ? OFFSET ?"},
	[SQ_COUNT] = {"search_count",
	    "SELECT COUNT(*) FROM post_search x JOIN posts p ON p.id = x.post_id"
	    " CROSS JOIN plainto_tsquery('english', ?) AS q(q)"
	    " WHERE x.doc @@ q.q AND p.site_id = ? AND p.draft = 0 AND p.published_at <= ?"},
};

static const struct store_migration search_migrations_sqlite[] = {
	{1, "CREATE VIRTUAL TABLE post_search USING fts5(title, body,"
	    " tokenize = 'porter unicode61 remove_diacritics 2')"},
};

static const struct store_migration search_migrations_postgres[] = {
	{1, "CREATE TABLE post_search ("
	    " post_id BIGINT PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE,"
	    " title TEXT NOT NULL,"
	    " body TEXT NOT NULL,"
	    " doc tsvector GENERATED ALWAYS AS"
	    " (setweight(to_tsvector('english'::regconfig, title), 'A') ||"
	    " setweight(to_tsvector('english'::regconfig, body), 'B')) STORED);"
	    "CREATE INDEX post_search_doc ON post_search USING GIN (doc)"},
};

static bool
search_is_sqlite(const struct store *s)
{
	return strcmp(store_backend(s), "sqlite") == 0;
}

static const struct store_stmt *
search_stmt(const struct store *s, int which)
{
	return search_is_sqlite(s) ? &search_sqlite[which] : &search_postgres[which];
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 when it is not one. */
static size_t
search_utf8_seq(const unsigned char *p, size_t n)
{
	size_t len;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n || !str_utf8_valid((const char *)p, len))
		return 0;
	return len;
}

size_t
search_terms(const char *q, size_t qlen, char *out, size_t outsize)
{
	const unsigned char *p = (const unsigned char *)q;
	size_t i = 0, o = 0, terms = 0, termlen = 0, len;
	bool in_term = false;

	if (outsize == 0)
		return 0;
	while (i < qlen && terms < LIMIT_SEARCH_TERMS) {
		len = search_utf8_seq(p + i, qlen - i);
		bool word = len > 1 || (len == 1 && ((p[i] >= 'a' && p[i] <= 'z') ||
					 (p[i] >= 'A' && p[i] <= 'Z') ||
					 (p[i] >= '0' && p[i] <= '9')));
		if (!word) {
			if (in_term) {
				terms++;
				in_term = false;
			}
			i += len ? len : 1;
			continue;
		}
		if (!in_term) {
			if (o + 1 + len >= outsize)
				break;
			if (o > 0)
				out[o++] = ' ';
			in_term = true;
			termlen = 0;
		}
		/* a term over the limit is cut at a character boundary; the rest of it is
		 * skipped */
		if (termlen + len <= LIMIT_SEARCH_TERM_BYTES && o + len < outsize) {
			if (len == 1 && p[i] >= 'A' && p[i] <= 'Z')
				out[o] = (char)(p[i] - 'A' + 'a');
			else
				memcpy(out + o, p + i, len);
			o += len;
			termlen += len;
		}
		i += len;
	}
	if (in_term)
		terms++;
	out[o] = '\0';
	return terms;
}

/* What the backend's query parameter is for terms: FTS5 gets each term quoted (a
 * phrase, so AND, OR, NOT, NEAR and '*' mean nothing), PostgreSQL the terms as they are
 * (plainto_tsquery). Allocated in a. */
static const char *
search_match(const struct store *s, struct arena *a, const char *terms)
{
	struct buf b;
	const char *t = terms, *sp;
	char *r;

	if (!search_is_sqlite(s))
		return terms;
	buf_init(&b);
	while (*t) {
		sp = strchr(t, ' ');
		buf_printf(&b, "%s\"%.*s\"", b.len ? " " : "", (int)(sp ? (size_t)(sp - t) : strlen(t)),
		    t);
		t = sp ? sp + 1 : t + strlen(t);
	}
	r = b.failed ? NULL : arena_strdup(a, b.data ? b.data : "");
	buf_free(&b);
	return r;
}

/* Replaces the marker bytes in s (they are not text anyone wrote visibly). */
static void
search_clean(char *s)
{
	for (; *s; s++)
		if (*s == SEARCH_MARK_START || *s == SEARCH_MARK_END)
			*s = ' ';
}

enum err
search_unindex_post(struct store *s, int64_t id)
{
	struct store_q *q;

	if ((q = store_prepare(s, search_stmt(s, SQ_INDEX_DELETE))) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, id);
	store_step(q);
	return store_done(q);
}

enum err
search_index_post(struct store *s, int64_t id, const char *title, const char *markdown)
{
	struct store_q *q;
	char *text = NULL, *t = NULL;
	enum err e;

	if ((e = search_unindex_post(s, id)) != ERR_OK)
		return e;
	if ((text = markdown_text(markdown, strlen(markdown))) == NULL ||
	    (t = strdup(title)) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	search_clean(text);
	search_clean(t);
	if ((q = store_prepare(s, search_stmt(s, SQ_INDEX_INSERT))) == NULL) {
		e = store_done(NULL);
		goto out;
	}
	store_bind_int(q, 1, id);
	store_bind_text(q, 2, t);
	store_bind_text(q, 3, text);
	store_step(q);
	e = store_done(q);
out:
	free(text);
	free(t);
	return e;
}

static enum err
search_id_row(struct store_q *q, struct arena *a, void *element)
{
	(void)a;
	*(int64_t *)element = store_col_int(q, 0);
	return ERR_OK;
}

enum err
search_rebuild(struct store *s)
{
	struct arena *a;
	struct store_q *q;
	void *list = NULL;
	int64_t *ids;
	char *title = NULL, *md = NULL;
	size_t n = 0, i;
	bool found;
	enum err e;

	if ((a = arena_new()) == NULL)
		return ERR_NOMEM;
	if ((e = store_begin(s)) != ERR_OK)
		goto done;
	if ((e = store_exec(s, search_stmt(s, SQ_INDEX_CLEAR))) != ERR_OK)
		goto out;
	if ((q = store_prepare(s, &search_posts_ids)) == NULL) {
		e = store_done(NULL);
		goto out;
	}
	if ((e = store_collect(q, a, sizeof(int64_t), search_id_row, &list, &n)) != ERR_OK)
		goto out;
	ids = list;
	for (i = 0; i < n; i++) {
		if ((q = store_prepare(s, &search_post_text)) == NULL) {
			e = store_done(NULL);
			goto out;
		}
		store_bind_int(q, 1, ids[i]);
		found = store_step(q) == STORE_ROW;
		if (found) {
			title = strdup(store_col_text(q, 0));
			md = strdup(store_col_text(q, 1));
		}
		if ((e = store_done(q)) == ERR_OK && found && (title == NULL || md == NULL))
			e = ERR_NOMEM;
		if (e == ERR_OK && found)
			e = search_index_post(s, ids[i], title, md);
		free(title);
		free(md);
		title = md = NULL;
		if (e != ERR_OK)
			goto out;
	}
	e = store_commit(s);
	goto done;
out:
	store_rollback(s);
done:
	arena_free(a);
	return e;
}

enum err
search_migrate(struct store *s)
{
	struct store_q *q;
	bool empty;
	enum err e;

	if (search_is_sqlite(s))
		e = store_migrate(s, "search", search_migrations_sqlite,
		    COUNTOF(search_migrations_sqlite));
	else
		e = store_migrate(s, "search", search_migrations_postgres,
		    COUNTOF(search_migrations_postgres));
	if (e != ERR_OK)
		return e;
	/* An install that had posts before the index existed gets them indexed once. */
	if ((q = store_prepare(s, search_stmt(s, SQ_INDEX_EMPTY))) == NULL)
		return store_done(NULL);
	empty = store_step(q) == STORE_ROW;
	if ((e = store_done(q)) != ERR_OK)
		return e;
	return empty ? search_rebuild(s) : ERR_OK;
}

static enum err
search_row(struct store_q *q, struct arena *a, void *element)
{
	struct search_hit *h = element;

	h->id = store_col_int(q, 0);
	h->kind = store_col_int(q, 1) == POST_KIND_PAGE ? POST_KIND_PAGE : POST_KIND_POST;
	h->slug = arena_strdup(a, store_col_text(q, 2));
	h->title = arena_strdup(a, store_col_text(q, 3));
	h->published_at = store_col_int(q, 4);
	h->snippet = arena_strdup(a, store_col_text(q, 5));
	return h->slug && h->title && h->snippet ? ERR_OK : ERR_NOMEM;
}

enum err
search_query(struct store *s, struct arena *a, int64_t site_id, const char *query,
    int64_t offset, int64_t limit, struct search_hit **out, size_t *n, int64_t *total)
{
	char terms[SEARCH_TERMS_SIZE];
	const char *match;
	struct store_q *q;
	void *list = NULL;
	int64_t now = time_now();
	enum err e;

	*out = NULL;
	*n = 0;
	*total = 0;
	if (search_terms(query, strlen(query), terms, sizeof(terms)) == 0)
		return ERR_OK;
	if ((match = search_match(s, a, terms)) == NULL)
		return ERR_NOMEM;
	if ((q = store_prepare(s, search_stmt(s, SQ_COUNT))) == NULL)
		return store_done(NULL);
	store_bind_text(q, 1, match);
	store_bind_int(q, 2, site_id);
	store_bind_int(q, 3, now);
	*total = store_step(q) == STORE_ROW ? store_col_int(q, 0) : 0;
	if ((e = store_done(q)) != ERR_OK || *total == 0)
		return e;
	if ((q = store_prepare(s, search_stmt(s, SQ_QUERY))) == NULL)
		return store_done(NULL);
	store_bind_text(q, 1, match);
	store_bind_int(q, 2, site_id);
	store_bind_int(q, 3, now);
	store_bind_int(q, 4, limit);
	store_bind_int(q, 5, offset);
	e = store_collect(q, a, sizeof(**out), search_row, &list, n);
	*out = list;
	return e;
}
