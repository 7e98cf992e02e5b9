/*
 * posts: posts and pages of a site. Markdown is validated (size, UTF-8) and rendered at
 * write time; the rendered HTML and a plain-text excerpt are stored beside it. Public
 * getters filter drafts in SQL, so a draft can never be served by mistake.
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
	    " WHERE site_id = ? AND kind = ? AND slug = ? AND draft = 0"},
	[SQL_POST_LIST_PUBLISHED] = {"post_list_published",
	    "SELECT " POST_COLUMNS " FROM posts WHERE site_id = ? AND kind = ? AND draft = 0"
	    " ORDER BY published_at DESC, id DESC LIMIT ? OFFSET ?"},
	[SQL_POST_COUNT_PUBLISHED] = {"post_count_published",
	    "SELECT COUNT(*) FROM posts WHERE site_id = ? AND kind = ? AND draft = 0"},
	[SQL_POST_LIST_ALL] = {"post_list_all",
	    "SELECT " POST_COLUMNS " FROM posts WHERE site_id = ? AND kind = ?"
	    " ORDER BY draft DESC, published_at DESC, id DESC"},
	[SQL_SITE_EXISTS] = {"post_site_exists", "SELECT id FROM sites WHERE id = ?"},
};

const char *
post_kind_name(enum post_kind k)
{
	return k == POST_KIND_PAGE ? "page" : "post";
}

enum err
posts_add(struct store *s, int64_t site_id, enum post_kind kind, const char *slug,
    const char *title, const char *markdown, bool draft, int64_t published_at, int64_t *id,
    char *msg, size_t msgsize)
{
	char slugbuf[LIMIT_SLUG + 1];
	char *html = NULL, *excerpt = NULL;
	struct store_q *q;
	size_t tl = strlen(title), ml = strlen(markdown);
	int64_t now = time_now();
	bool found;
	enum err e = ERR_INVAL;

	if (tl == 0 || !str_utf8_valid(title, tl) || strpbrk(title, "\r\n\t")) {
		str_msg(msg, msgsize, "The title must be one line of text.");
		goto out;
	}
	if (str_utf8_len(title, tl) > LIMIT_TITLE) {
		str_msg(msg, msgsize, "The title is longer than 200 characters.");
		e = ERR_TOOBIG;
		goto out;
	}
	if (ml > LIMIT_BODY_MARKDOWN) {
		str_msg(msg, msgsize, "The text is larger than 512 KiB.");
		e = ERR_TOOBIG;
		goto out;
	}
	if (!str_utf8_valid(markdown, ml)) {
		str_msg(msg, msgsize, "The text is not valid UTF-8.");
		goto out;
	}
	if (slug == NULL) {
		str_slugify(title, slugbuf, sizeof(slugbuf));
		slug = slugbuf;
	} else if (!str_slug_valid(slug)) {
		str_msg(msg, msgsize, "A slug is 1 to 100 of a-z, 0-9 and '-', not starting or "
					"ending with '-'.");
		goto out;
	}
	e = ERR_NOMEM;
	if ((html = markdown_to_html(markdown, ml)) == NULL ||
	    (excerpt = markdown_excerpt(markdown, ml, 240)) == NULL)
		goto out;

	if ((q = store_prepare(s, &posts_sql[SQL_SITE_EXISTS])) == NULL) {
		e = ERR_IO;
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
		e = ERR_IO;
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
	if (store_step(q) == STORE_ROW && id)
		*id = store_col_int(q, 0);
	e = store_done(q);
	if (e == ERR_CONFLICT)
		str_msg(msg, msgsize, "That slug is already used on this site; choose another "
					"with --slug.");
out:
	free(html);
	free(excerpt);
	return e;
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
	return store_one(q, a, out, posts_row);
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
	store_bind_int(q, 3, limit);
	store_bind_int(q, 4, offset);
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
	*count = store_step(q) == STORE_ROW ? store_col_int(q, 0) : 0;
	return store_done(q);
}

enum err
posts_list_all(struct store *s, struct arena *a, int64_t site_id, enum post_kind kind,
    struct post **out, size_t *n)
{
	struct store_q *q;

	if ((q = store_prepare(s, &posts_sql[SQL_POST_LIST_ALL])) == NULL)
		return ERR_IO;
	store_bind_int(q, 1, site_id);
	store_bind_int(q, 2, kind);
	return posts_collect(q, a, out, n);
}
