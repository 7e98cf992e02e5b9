/*
 * posts: posts and pages of a site. Markdown is validated (size, UTF-8) and rendered at
 * write time; the rendered HTML and a plain-text excerpt are stored beside it. Public
 * getters filter drafts and posts scheduled for later in SQL (draft = 0 AND published_at
 * <= now), so neither can be served by mistake. Every write updates the search index
 * (sites/search.c) in the same transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "sites/sites.h"

enum {
	SQL_POST_INSERT,
	SQL_POST_GET,
	SQL_POST_LIST_PUBLISHED,
	SQL_POST_COUNT_PUBLISHED,
	SQL_POST_LIST_ALL,
	SQL_SITE_EXISTS,
	SQL_POST_GET_ID,
	SQL_POST_UPDATE,
	SQL_POST_UNPUBLISH,
	SQL_POST_DELETE,
	SQL_POST_NEXT_DUE,
	SQL__MAX
};

#define POST_COLUMNS "id, site_id, kind, slug, title, body_html, excerpt, draft, published_at, updated_at"

static const struct store_stmt posts_sql[SQL__MAX] = {
	[SQL_POST_INSERT] = {"post_insert",
	    "INSERT INTO posts (site_id, kind, slug, title, body_md, body_html, excerpt, draft,"
	    " published_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	    " RETURNING id"},
	[SQL_POST_GET] = {"post_get",
	    "SELECT " POST_COLUMNS " FROM posts"
	    " WHERE site_id = ? AND kind = ? AND slug = ? AND draft = 0 AND published_at <= ?"},
	[SQL_POST_LIST_PUBLISHED] = {"post_list_published",
	    "SELECT " POST_COLUMNS " FROM posts WHERE site_id = ? AND kind = ? AND draft = 0"
	    " AND published_at <= ? ORDER BY published_at DESC, id DESC LIMIT ? OFFSET ?"},
	[SQL_POST_COUNT_PUBLISHED] = {"post_count_published",
	    "SELECT COUNT(*) FROM posts WHERE site_id = ? AND kind = ? AND draft = 0"
	    " AND published_at <= ?"},
	[SQL_POST_LIST_ALL] = {"post_list_all",
	    "SELECT " POST_COLUMNS " FROM posts WHERE site_id = ? AND kind = ?"
	    " ORDER BY draft DESC, published_at DESC, id DESC LIMIT ?"},
	[SQL_SITE_EXISTS] = {"post_site_exists", "SELECT id FROM sites WHERE id = ?"},
	[SQL_POST_GET_ID] = {"post_get_id",
	    "SELECT " POST_COLUMNS ", body_md FROM posts WHERE site_id = ? AND id = ?"},
	[SQL_POST_UPDATE] = {"post_update",
	    "UPDATE posts SET slug = ?, title = ?, body_md = ?, body_html = ?, excerpt = ?,"
	    " draft = ?, published_at = ?, updated_at = ? WHERE site_id = ? AND id = ?"
	    " RETURNING id"},
	[SQL_POST_UNPUBLISH] = {"post_unpublish",
	    "UPDATE posts SET draft = 1, published_at = 0, updated_at = ?"
	    " WHERE site_id = ? AND id = ? RETURNING id"},
	[SQL_POST_DELETE] = {"post_delete",
	    "DELETE FROM posts WHERE site_id = ? AND id = ? RETURNING id"},
	[SQL_POST_NEXT_DUE] = {"post_next_due",
	    "SELECT MIN(published_at) FROM posts WHERE draft = 0 AND published_at > ?"},
};

const char *
post_kind_name(enum post_kind k)
{
	return k == POST_KIND_PAGE ? "page" : "post";
}

bool
post_scheduled(const struct post *p, int64_t now)
{
	return !p->draft && p->published_at > now;
}

/*
 * Checks title, markdown and slug as posts_add documents, and renders: *html and
 * *excerpt get malloc'd strings (the caller frees them, also on error), slugbuf the
 * slug derived from the title when slug is NULL or "". *slug_out is the slug to store.
 */
static enum err
posts_prepare(const char *slug, const char *title, const char *markdown,
    char slugbuf[LIMIT_SLUG + 1], const char **slug_out, char **html, char **excerpt,
    char *msg, size_t msgsize)
{
	size_t tl = strlen(title), ml = strlen(markdown);

	*html = *excerpt = NULL;
	if (tl == 0 || !str_utf8_valid(title, tl) || strpbrk(title, "\r\n\t")) {
		str_msg(msg, msgsize, "The title must be one line of text.");
		return ERR_INVAL;
	}
	if (str_utf8_len(title, tl) > LIMIT_TITLE) {
		str_msg(msg, msgsize, "The title is longer than 200 characters.");
		return ERR_TOOBIG;
	}
	if (ml > LIMIT_BODY_MARKDOWN) {
		str_msg(msg, msgsize, "The text is larger than 512 KiB.");
		return ERR_TOOBIG;
	}
	if (!str_utf8_valid(markdown, ml)) {
		str_msg(msg, msgsize, "The text is not valid UTF-8.");
		return ERR_INVAL;
	}
	if (slug == NULL || slug[0] == '\0') {
		str_slugify(title, slugbuf, LIMIT_SLUG + 1);
		slug = slugbuf;
		if (!str_slug_valid(slug)) {
			str_msg(msg, msgsize, "No slug can be made from this title; write one "
					      "(a-z, 0-9 and '-').");
			return ERR_INVAL;
		}
	} else if (!str_slug_valid(slug)) {
		str_msg(msg, msgsize, "A slug is 1 to 100 of a-z, 0-9 and '-', not starting or "
				      "ending with '-'.");
		return ERR_INVAL;
	}
	*slug_out = slug;
	if ((*html = markdown_to_html(markdown, ml)) == NULL ||
	    (*excerpt = markdown_excerpt(markdown, ml, 240)) == NULL)
		return ERR_NOMEM;
	return ERR_OK;
}

enum err
posts_add(struct store *s, int64_t site_id, enum post_kind kind, const char *slug,
    const char *title, const char *markdown, bool draft, int64_t published_at, int64_t *id,
    char *msg, size_t msgsize)
{
	char slugbuf[LIMIT_SLUG + 1];
	char *html = NULL, *excerpt = NULL;
	struct store_q *q;
	int64_t now = time_now(), newid = 0;
	bool found, began = false;
	enum err e;

	if ((e = posts_prepare(slug, title, markdown, slugbuf, &slug, &html, &excerpt, msg,
		 msgsize)) != ERR_OK)
		goto out;
	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	began = true;
	if ((q = store_prepare(s, &posts_sql[SQL_SITE_EXISTS])) == NULL) {
		e = store_done(NULL);
		goto out;
	}
	store_bind_int(q, 1, site_id);
	found = store_step(q) == STORE_ROW;
	if ((e = store_done(q)) != ERR_OK)
		goto out;
	if (!found) {
		str_msg(msg, msgsize, "No such site.");
		e = ERR_NOTFOUND;
		goto out;
	}
	if ((q = store_prepare(s, &posts_sql[SQL_POST_INSERT])) == NULL) {
		e = store_done(NULL);
		goto out;
	}
	store_bind_int(q, 1, site_id);
	store_bind_int(q, 2, kind);
	store_bind_text(q, 3, slug);
	store_bind_text(q, 4, title);
	store_bind_text(q, 5, markdown);
	store_bind_text(q, 6, html);
	store_bind_text(q, 7, excerpt);
	store_bind_int(q, 8, draft);
	store_bind_int(q, 9, draft ? 0 : (published_at ? published_at : now));
	store_bind_int(q, 10, now);
	store_bind_int(q, 11, now);
	if (store_step(q) == STORE_ROW)
		newid = store_col_int(q, 0);
	if ((e = store_done(q)) != ERR_OK) {
		if (e == ERR_CONFLICT)
			str_msg(msg, msgsize, "That slug is already used on this site; choose "
					      "another.");
		goto out;
	}
	if ((e = search_index_post(s, newid, title, markdown)) != ERR_OK)
		goto out;
	e = store_commit(s);
	began = false;
	if (e == ERR_OK && id)
		*id = newid;
out:
	if (began)
		store_rollback(s);
	free(html);
	free(excerpt);
	return e;
}

enum err
posts_update(struct store *s, int64_t site_id, int64_t id, const char *slug,
    const char *title, const char *markdown, bool draft, int64_t published_at, char *msg,
    size_t msgsize)
{
	char slugbuf[LIMIT_SLUG + 1];
	char *html = NULL, *excerpt = NULL;
	struct store_q *q;
	struct arena *a = NULL;
	struct post old;
	int64_t now = time_now(), at;
	bool found, began = false;
	enum err e;

	if ((e = posts_prepare(slug, title, markdown, slugbuf, &slug, &html, &excerpt, msg,
		 msgsize)) != ERR_OK)
		goto out;
	if ((a = arena_new()) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	began = true;
	if ((e = posts_get_by_id(s, a, site_id, id, &old)) != ERR_OK)
		goto out;
	at = published_at ? published_at : (old.published_at ? old.published_at : now);
	if ((q = store_prepare(s, &posts_sql[SQL_POST_UPDATE])) == NULL) {
		e = store_done(NULL);
		goto out;
	}
	store_bind_text(q, 1, slug);
	store_bind_text(q, 2, title);
	store_bind_text(q, 3, markdown);
	store_bind_text(q, 4, html);
	store_bind_text(q, 5, excerpt);
	store_bind_int(q, 6, draft);
	store_bind_int(q, 7, draft ? 0 : at);
	store_bind_int(q, 8, now);
	store_bind_int(q, 9, site_id);
	store_bind_int(q, 10, id);
	found = store_step(q) == STORE_ROW;
	if ((e = store_done(q)) != ERR_OK) {
		if (e == ERR_CONFLICT)
			str_msg(msg, msgsize, "That slug is already used on this site; choose "
					      "another.");
		goto out;
	}
	if (!found) {
		e = ERR_NOTFOUND;
		goto out;
	}
	if ((e = search_index_post(s, id, title, markdown)) != ERR_OK)
		goto out;
	e = store_commit(s);
	began = false;
out:
	if (began)
		store_rollback(s);
	arena_free(a);
	free(html);
	free(excerpt);
	return e;
}

/* Runs a statement whose binds are (first, site_id, id) or (site_id, id) and which
 * returns the id of the row it touched: ERR_NOTFOUND when none. */
static enum err
posts_touch(struct store *s, int stmt, int64_t site_id, int64_t id)
{
	struct store_q *q;
	bool found;
	int k = 1;
	enum err e;

	if ((e = store_begin(s)) != ERR_OK)
		return e;
	if ((q = store_prepare(s, &posts_sql[stmt])) == NULL) {
		e = store_done(NULL);
		goto out;
	}
	if (stmt == SQL_POST_UNPUBLISH)
		store_bind_int(q, k++, time_now());
	store_bind_int(q, k++, site_id);
	store_bind_int(q, k, id);
	found = store_step(q) == STORE_ROW;
	if ((e = store_done(q)) != ERR_OK)
		goto out;
	if (!found) {
		e = ERR_NOTFOUND;
		goto out;
	}
	/* an unpublished post keeps its index entry (the search filters drafts, and the
	 * entry is ready when it is published again); a deleted one loses it */
	if (stmt == SQL_POST_DELETE && (e = search_unindex_post(s, id)) != ERR_OK)
		goto out;
	return store_commit(s);
out:
	store_rollback(s);
	return e;
}

enum err
posts_unpublish(struct store *s, int64_t site_id, int64_t id)
{
	return posts_touch(s, SQL_POST_UNPUBLISH, site_id, id);
}

enum err
posts_delete(struct store *s, int64_t site_id, int64_t id)
{
	return posts_touch(s, SQL_POST_DELETE, site_id, id);
}

enum err
posts_next_due(struct store *s, int64_t now, int64_t *at)
{
	struct store_q *q;

	*at = 0;
	if ((q = store_prepare(s, &posts_sql[SQL_POST_NEXT_DUE])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, now);
	if (store_step(q) == STORE_ROW && !store_col_null(q, 0))
		*at = store_col_int(q, 0);
	return store_done(q);
}

/* Copies the current row (POST_COLUMNS order) into p, strings in arena a. */
static enum err
posts_row(struct store_q *q, struct arena *a, void *element)
{
	struct post *p = element;

	p->id = store_col_int(q, 0);
	p->site_id = store_col_int(q, 1);
	p->kind = store_col_int(q, 2) == POST_KIND_PAGE ? POST_KIND_PAGE : POST_KIND_POST;
	p->slug = arena_strdup(a, store_col_text(q, 3));
	p->title = arena_strdup(a, store_col_text(q, 4));
	p->body_html = arena_strdup(a, store_col_text(q, 5));
	p->excerpt = arena_strdup(a, store_col_text(q, 6));
	p->draft = store_col_int(q, 7) != 0;
	p->published_at = store_col_int(q, 8);
	p->updated_at = store_col_int(q, 9);
	p->body_md = NULL;
	return p->slug && p->title && p->body_html && p->excerpt ? ERR_OK : ERR_NOMEM;
}

enum err
posts_get(struct store *s, struct arena *a, int64_t site_id, enum post_kind kind,
    const char *slug, struct post *out)
{
	struct store_q *q;

	if ((q = store_prepare(s, &posts_sql[SQL_POST_GET])) == NULL)
		return store_done(NULL); /* why the prepare failed */
	store_bind_int(q, 1, site_id);
	store_bind_int(q, 2, kind);
	store_bind_text(q, 3, slug);
	store_bind_int(q, 4, time_now());
	return store_one(q, a, out, posts_row);
}

/* posts_row and the markdown (column 10). */
static enum err
posts_row_md(struct store_q *q, struct arena *a, void *element)
{
	struct post *p = element;
	enum err e;

	if ((e = posts_row(q, a, element)) != ERR_OK)
		return e;
	p->body_md = arena_strdup(a, store_col_text(q, 10));
	return p->body_md ? ERR_OK : ERR_NOMEM;
}

enum err
posts_get_by_id(struct store *s, struct arena *a, int64_t site_id, int64_t id,
    struct post *out)
{
	struct store_q *q;

	if ((q = store_prepare(s, &posts_sql[SQL_POST_GET_ID])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, site_id);
	store_bind_int(q, 2, id);
	return store_one(q, a, out, posts_row_md);
}

/* Runs a listing query already bound, collecting rows into an arena array. */
static enum err
posts_collect(struct store_q *q, struct arena *a, struct post **out, size_t *n)
{
	void *list;
	enum err e = store_collect(q, a, sizeof(**out), posts_row, &list, n);

	*out = list;
	return e;
}

enum err
posts_list_published(struct store *s, struct arena *a, int64_t site_id, enum post_kind kind,
    int64_t offset, int64_t limit, struct post **out, size_t *n)
{
	struct store_q *q;

	if ((q = store_prepare(s, &posts_sql[SQL_POST_LIST_PUBLISHED])) == NULL)
		return store_done(NULL); /* why the prepare failed */
	store_bind_int(q, 1, site_id);
	store_bind_int(q, 2, kind);
	store_bind_int(q, 3, time_now());
	store_bind_int(q, 4, limit);
	store_bind_int(q, 5, offset);
	return posts_collect(q, a, out, n);
}

enum err
posts_count_published(struct store *s, int64_t site_id, enum post_kind kind, int64_t *count)
{
	struct store_q *q;

	if ((q = store_prepare(s, &posts_sql[SQL_POST_COUNT_PUBLISHED])) == NULL)
		return store_done(NULL); /* why the prepare failed */
	store_bind_int(q, 1, site_id);
	store_bind_int(q, 2, kind);
	store_bind_int(q, 3, time_now());
	*count = store_step(q) == STORE_ROW ? store_col_int(q, 0) : 0;
	return store_done(q);
}

enum err
posts_list_all(struct store *s, struct arena *a, int64_t site_id, enum post_kind kind,
    struct post **out, size_t *n)
{
	struct store_q *q;

	if ((q = store_prepare(s, &posts_sql[SQL_POST_LIST_ALL])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, site_id);
	store_bind_int(q, 2, kind);
	store_bind_int(q, 3, LIMIT_ADMIN_LIST);
	return posts_collect(q, a, out, n);
}
