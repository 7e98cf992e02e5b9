/*
 * comments: the comment store (see comments.h). Every write that carries personal data
 * (the IP address, an email) seals it in the same transaction as the row, so a comment
 * is never stored, even for a moment, with its personal data in plaintext; the rows hold
 * only sealed blobs and, for the first-time check, a keyed blind index of the email.
 *
 * Invariants: the markdown is validated (UTF-8, LIMIT_COMMENT_CHARS, never cut) and
 * rendered by markdown_to_html_ugc when written; a reply's parent is an approved
 * top-level comment of the same post (one level of replies); every statement below is
 * static text with bound parameters.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "sites/comments.h"

#define COMMENT_EMAIL_BLIND "comment-email"

static const struct store_migration comments_migrations[] = {
	{1, "CREATE TABLE comments ("
	    " id {{ID}},"
	    " site_id BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,"
	    " post_id BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,"
	    " parent_id BIGINT REFERENCES comments(id) ON DELETE CASCADE,"
	    " person_id BIGINT REFERENCES people(id) ON DELETE CASCADE,"
	    " author TEXT NOT NULL,"
	    " subject TEXT NOT NULL,"
	    " body_md TEXT NOT NULL,"
	    " body_html TEXT NOT NULL,"
	    " status INTEGER NOT NULL,"
	    " ip_sealed {{BLOB}},"
	    " email_sealed {{BLOB}},"
	    " email_blind {{BLOB}},"
	    " created_at BIGINT NOT NULL,"
	    " updated_at BIGINT NOT NULL);"
	    "CREATE INDEX comments_post ON comments(post_id, status, id);"
	    "CREATE INDEX comments_site ON comments(site_id, status, id);"
	    "CREATE INDEX comments_person ON comments(person_id);"
	    "CREATE INDEX comments_blind ON comments(site_id, email_blind)"},
};

enum {
	SQL_INSERT,
	SQL_SEAL,
	SQL_PARENT,
	SQL_KNOWN_PERSON,
	SQL_KNOWN_EMAIL,
	SQL_KNOWN_OTHER,
	SQL_GET,
	SQL_LIST_POST,
	SQL_LIST_SITE,
	SQL_COUNTS,
	SQL_COUNT_APPROVED,
	SQL_SET_STATUS,
	SQL_DELETE,
	SQL_SUBJECTS,
	SQL_EDIT,
	SQL_SEALED,
	SQL_ADMINS,
	SQL_EXPORT,
	SQL_COPY_SELECT,
	SQL_COPY_INSERT,
	SQL__MAX
};

#define COMMENT_COLUMNS                                                                    \
	"c.id, c.site_id, c.post_id, COALESCE(c.parent_id, 0), COALESCE(c.person_id, 0),"  \
	" c.author, c.subject, c.body_md, c.body_html, c.status,"                           \
	" CASE WHEN c.email_sealed IS NULL THEN 0 ELSE 1 END, c.created_at, c.updated_at,"  \
	" p.slug, p.title, CASE WHEN c.ip_sealed IS NULL THEN 0 ELSE 1 END"

static const struct store_stmt comments_sql[SQL__MAX] = {
	[SQL_INSERT] = {"comment_insert",
	    "INSERT INTO comments (site_id, post_id, parent_id, person_id, author, subject,"
	    " body_md, body_html, status, email_blind, created_at, updated_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"},
	[SQL_SEAL] = {"comment_seal",
	    "UPDATE comments SET subject = ?, ip_sealed = ?, email_sealed = ? WHERE id = ?"},
	[SQL_PARENT] = {"comment_parent",
	    "SELECT 1 FROM comments WHERE id = ? AND post_id = ? AND parent_id IS NULL"
	    " AND status = 1"},
	[SQL_KNOWN_PERSON] = {"comment_known_person",
	    "SELECT 1 FROM comments WHERE site_id = ? AND person_id = ? AND status = 1 LIMIT 1"},
	[SQL_KNOWN_EMAIL] = {"comment_known_email",
	    "SELECT 1 FROM comments WHERE site_id = ? AND email_blind = ? AND status = 1 LIMIT 1"},
	[SQL_KNOWN_OTHER] = {"comment_known_other",
	    "SELECT 1 FROM comments WHERE site_id = ? AND person_id = ? AND status = 1"
	    " AND id <> ? LIMIT 1"},
	[SQL_GET] = {"comment_get",
	    "SELECT " COMMENT_COLUMNS " FROM comments c JOIN posts p ON p.id = c.post_id"
	    " WHERE c.id = ?"},
	[SQL_LIST_POST] = {"comment_list_post",
	    "SELECT " COMMENT_COLUMNS " FROM comments c JOIN posts p ON p.id = c.post_id"
	    " WHERE c.post_id = ? AND c.status = 1"
	    " AND (c.parent_id IS NULL OR c.parent_id IN"
	    "  (SELECT id FROM comments WHERE post_id = ? AND status = 1))"
	    " ORDER BY COALESCE(c.parent_id, c.id), c.id LIMIT ?"},
	[SQL_LIST_SITE] = {"comment_list_site",
	    "SELECT " COMMENT_COLUMNS " FROM comments c JOIN posts p ON p.id = c.post_id"
	    " WHERE c.site_id = ? AND c.status = ? ORDER BY c.id DESC LIMIT ? OFFSET ?"},
	[SQL_COUNTS] = {"comment_counts",
	    "SELECT status, COUNT(*) FROM comments WHERE site_id = ? GROUP BY status"},
	[SQL_COUNT_APPROVED] = {"comment_count_approved",
	    "SELECT COUNT(*) FROM comments WHERE post_id = ? AND status = 1"},
	[SQL_SET_STATUS] = {"comment_set_status",
	    "UPDATE comments SET status = ? WHERE id = ? AND site_id = ? RETURNING id"},
	[SQL_DELETE] = {"comment_delete",
	    "DELETE FROM comments WHERE id = ? AND site_id = ? RETURNING id"},
	[SQL_SUBJECTS] = {"comment_subjects",
	    "SELECT subject FROM comments WHERE (id = ? OR parent_id = ?) AND site_id = ?"
	    " AND person_id IS NULL"},
	[SQL_EDIT] = {"comment_edit",
	    "UPDATE comments SET body_md = ?, body_html = ?, updated_at = ?, status = ?"
	    " WHERE id = ?"},
	[SQL_SEALED] = {"comment_sealed",
	    "SELECT ip_sealed, email_sealed FROM comments WHERE id = ?"},
	[SQL_ADMINS] = {"comment_site_admins",
	    "SELECT person_id FROM site_roles WHERE site_id = ? AND role = ? ORDER BY person_id"},
	[SQL_EXPORT] = {"comment_export",
	    "SELECT c.id, c.subject, c.ip_sealed, c.body_md, c.status, c.created_at,"
	    " c.updated_at, p.slug, (SELECT host FROM site_hosts h WHERE h.site_id = c.site_id"
	    " AND h.is_primary = 1) FROM comments c JOIN posts p ON p.id = c.post_id"
	    " WHERE c.person_id = ? ORDER BY c.id"},
	[SQL_COPY_SELECT] = {"copy_comments_select",
	    "SELECT id, site_id, post_id, parent_id, person_id, author, subject, body_md,"
	    " body_html, status, ip_sealed, email_sealed, email_blind, created_at, updated_at"
	    " FROM comments ORDER BY id"},
	[SQL_COPY_INSERT] = {"copy_comments_insert",
	    "INSERT INTO comments (id, site_id, post_id, parent_id, person_id, author, subject,"
	    " body_md, body_html, status, ip_sealed, email_sealed, email_blind, created_at,"
	    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
};

const struct store_table comments_tables[] = {
	{"comments", "iiiiitttti" "bbbii", &comments_sql[SQL_COPY_SELECT],
	    &comments_sql[SQL_COPY_INSERT], "id"},
};
const size_t comments_tables_count = COUNTOF(comments_tables);

static const char *const comment_status_names[COMMENT_STATUS__MAX] = {"pending", "approved",
    "spam", "trash"};

const char *
comment_status_name(enum comment_status st)
{
	return (unsigned)st < COMMENT_STATUS__MAX ? comment_status_names[st] : "?";
}

bool
comment_status_parse(const char *name, enum comment_status *out)
{
	int i;

	for (i = 0; name && i < COMMENT_STATUS__MAX; i++)
		if (strcmp(name, comment_status_names[i]) == 0) {
			*out = (enum comment_status)i;
			return true;
		}
	return false;
}

enum err
comments_migrate(struct store *s)
{
	return store_migrate(s, "comments", comments_migrations, COUNTOF(comments_migrations));
}

/* Checks a comment's markdown: UTF-8, 1..LIMIT_COMMENT_CHARS characters. */
static enum err
comments_text_ok(const char *md, char *msg, size_t msgsize)
{
	size_t n = md ? strlen(md) : 0;

	if (n == 0 || md[strspn(md, " \t\r\n")] == '\0') {
		str_msg(msg, msgsize, "Please write a comment.");
		return ERR_INVAL;
	}
	if (!str_utf8_valid(md, n)) {
		str_msg(msg, msgsize, "The comment is not valid UTF-8 text.");
		return ERR_INVAL;
	}
	if (str_utf8_len(md, n) > LIMIT_COMMENT_CHARS) {
		snprintf(msg, msgsize, "The comment is longer than %d characters; please shorten "
				       "it (nothing was cut).", LIMIT_COMMENT_CHARS);
		return ERR_TOOBIG;
	}
	return ERR_OK;
}

/* Runs a one-row query of integer (and one optional blob) parameters: *found. */
static enum err
comments_exists(struct store *s, int stmt, int64_t a, int64_t b, const void *blob,
    size_t bloblen, bool *found)
{
	struct store_q *q;

	*found = false;
	if ((q = store_prepare(s, &comments_sql[stmt])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, a);
	if (blob)
		store_bind_blob(q, 2, blob, bloblen);
	else
		store_bind_int(q, 2, b);
	*found = store_step(q) == STORE_ROW;
	return store_done(q);
}

enum err
comments_add(struct privacy *p, struct store *s, const struct comment_new *c, int64_t *id,
    enum comment_status *status, const char **field, char *msg, size_t msgsize)
{
	char email[LIMIT_FORM_EMAIL_BYTES + 1], subject[PRIVACY_SUBJECT_BYTES];
	unsigned char blind[VAULT_BLIND_BYTES];
	struct buf ip_sealed, email_sealed;
	char *html = NULL;
	struct store_q *q;
	bool has_email = c->email && c->email[0], known = false, found;
	size_t an = c->author ? strlen(c->author) : 0;
	int64_t now = time_now(), row = 0;
	enum comment_status st;
	enum err e;

	buf_init(&ip_sealed);
	buf_init(&email_sealed);
	*field = "text";
	if ((e = comments_text_ok(c->markdown, msg, msgsize)) != ERR_OK)
		return e;
	*field = "name";
	if (an == 0 || !str_utf8_valid(c->author, an) || strpbrk(c->author, "\r\n\t")) {
		str_msg(msg, msgsize, "Please give a name to show with your comment.");
		return ERR_INVAL;
	}
	if (str_utf8_len(c->author, an) > LIMIT_COMMENT_AUTHOR_CHARS) {
		snprintf(msg, msgsize, "The name is longer than %d characters.",
		    LIMIT_COMMENT_AUTHOR_CHARS);
		return ERR_TOOBIG;
	}
	*field = "email";
	if (has_email && (c->person_id != 0 || !people_email_ok(c->email, email, sizeof(email)))) {
		str_msg(msg, msgsize, "The email address does not look right.");
		return ERR_INVAL;
	}
	*field = NULL;
	if (c->ip == NULL || strlen(c->ip) > LIMIT_IP_TEXT_BYTES)
		return ERR_INVAL;
	if ((html = markdown_to_html_ugc(c->markdown, strlen(c->markdown))) == NULL)
		return ERR_NOMEM;
	if (has_email)
		vault_blind(p, COMMENT_EMAIL_BLIND, email, blind);

	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	if (c->parent_id) {
		if ((e = comments_exists(s, SQL_PARENT, c->parent_id, c->post_id, NULL, 0,
			 &found)) != ERR_OK)
			goto fail;
		if (!found) {
			*field = "parent";
			str_msg(msg, msgsize, "The comment you replied to is not open for replies.");
			e = ERR_INVAL;
			goto fail;
		}
	}
	if (c->hold == HOLD_FIRST_TIME) {
		if (c->person_id)
			e = comments_exists(s, SQL_KNOWN_PERSON, c->site_id, c->person_id, NULL, 0,
			    &known);
		else if (has_email)
			e = comments_exists(s, SQL_KNOWN_EMAIL, c->site_id, 0, blind, sizeof(blind),
			    &known);
		if (e != ERR_OK)
			goto fail;
	}
	st = c->hold == HOLD_NONE || (c->hold == HOLD_FIRST_TIME && known) ? COMMENT_APPROVED
									   : COMMENT_PENDING;
	if ((q = store_prepare(s, &comments_sql[SQL_INSERT])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_int(q, 1, c->site_id);
	store_bind_int(q, 2, c->post_id);
	if (c->parent_id)
		store_bind_int(q, 3, c->parent_id);
	else
		store_bind_null(q, 3);
	if (c->person_id)
		store_bind_int(q, 4, c->person_id);
	else
		store_bind_null(q, 4);
	store_bind_text(q, 5, c->author);
	store_bind_text(q, 6, "");
	store_bind_text(q, 7, c->markdown);
	store_bind_text(q, 8, html);
	store_bind_int(q, 9, st);
	if (has_email)
		store_bind_blob(q, 10, blind, sizeof(blind));
	else
		store_bind_null(q, 10);
	store_bind_int(q, 11, now);
	store_bind_int(q, 12, now);
	if (store_step(q) == STORE_ROW)
		row = store_col_int(q, 0);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if (row <= 0) {
		e = ERR_IO;
		goto fail;
	}
	if (c->person_id)
		privacy_subject(c->person_id, subject);
	else {
		snprintf(subject, sizeof(subject), "commenter:%lld", (long long)row);
		if ((e = vault_subject_new(p, s, subject)) != ERR_OK)
			goto fail;
	}
	if ((e = vault_seal(p, s, subject, "comments", "ip_sealed", row, c->ip, strlen(c->ip),
		 &ip_sealed)) != ERR_OK)
		goto fail;
	if (has_email && (e = vault_seal(p, s, subject, "comments", "email_sealed", row, email,
			      strlen(email), &email_sealed)) != ERR_OK)
		goto fail;
	if (ip_sealed.failed || email_sealed.failed) {
		e = ERR_NOMEM;
		goto fail;
	}
	if ((q = store_prepare(s, &comments_sql[SQL_SEAL])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_text(q, 1, subject);
	store_bind_blob(q, 2, ip_sealed.data, ip_sealed.len);
	if (has_email)
		store_bind_blob(q, 3, email_sealed.data, email_sealed.len);
	else
		store_bind_null(q, 3);
	store_bind_int(q, 4, row);
	store_step(q);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if ((e = store_commit(s)) != ERR_OK)
		goto out;
	if (id)
		*id = row;
	if (status)
		*status = st;
	goto out;
fail:
	store_rollback(s);
out:
	sodium_memzero(email, sizeof(email));
	buf_free(&ip_sealed);
	buf_free(&email_sealed);
	free(html);
	return e;
}

/* Copies the current row (COMMENT_COLUMNS order) into element, strings in arena a. */
static enum err
comments_row(struct store_q *q, struct arena *a, void *element)
{
	struct comment *c = element;
	int64_t st = store_col_int(q, 9);

	c->id = store_col_int(q, 0);
	c->site_id = store_col_int(q, 1);
	c->post_id = store_col_int(q, 2);
	c->parent_id = store_col_int(q, 3);
	c->person_id = store_col_int(q, 4);
	c->author = arena_strdup(a, store_col_text(q, 5));
	c->subject = arena_strdup(a, store_col_text(q, 6));
	c->body_md = arena_strdup(a, store_col_text(q, 7));
	c->body_html = arena_strdup(a, store_col_text(q, 8));
	c->status = st >= 0 && st < COMMENT_STATUS__MAX ? (enum comment_status)st : COMMENT_PENDING;
	c->has_email = store_col_int(q, 10) != 0;
	c->created_at = store_col_int(q, 11);
	c->updated_at = store_col_int(q, 12);
	c->post_slug = arena_strdup(a, store_col_text(q, 13));
	c->post_title = arena_strdup(a, store_col_text(q, 14));
	c->has_ip = store_col_int(q, 15) != 0;
	return c->author && c->subject && c->body_md && c->body_html && c->post_slug &&
		       c->post_title
		   ? ERR_OK
		   : ERR_NOMEM;
}

enum err
comments_get(struct store *s, struct arena *a, int64_t id, struct comment *out)
{
	struct store_q *q;

	if ((q = store_prepare(s, &comments_sql[SQL_GET])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, id);
	return store_one(q, a, out, comments_row);
}

enum err
comments_list_post(struct store *s, struct arena *a, int64_t post_id, struct comment **out,
    size_t *n)
{
	struct store_q *q;
	void *list;
	enum err e;

	if ((q = store_prepare(s, &comments_sql[SQL_LIST_POST])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, post_id);
	store_bind_int(q, 2, post_id);
	store_bind_int(q, 3, LIMIT_COMMENTS_PER_POST);
	e = store_collect(q, a, sizeof(**out), comments_row, &list, n);
	*out = list;
	return e;
}

enum err
comments_list_site(struct store *s, struct arena *a, int64_t site_id, enum comment_status st,
    int64_t offset, int64_t limit, struct comment **out, size_t *n)
{
	struct store_q *q;
	void *list;
	enum err e;

	if ((q = store_prepare(s, &comments_sql[SQL_LIST_SITE])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, site_id);
	store_bind_int(q, 2, st);
	store_bind_int(q, 3, limit);
	store_bind_int(q, 4, offset);
	e = store_collect(q, a, sizeof(**out), comments_row, &list, n);
	*out = list;
	return e;
}

enum err
comments_counts(struct store *s, int64_t site_id, int64_t *counts)
{
	struct store_q *q;
	int64_t st;

	memset(counts, 0, COMMENT_STATUS__MAX * sizeof(*counts));
	if ((q = store_prepare(s, &comments_sql[SQL_COUNTS])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, site_id);
	while (store_step(q) == STORE_ROW)
		if ((st = store_col_int(q, 0)) >= 0 && st < COMMENT_STATUS__MAX)
			counts[st] = store_col_int(q, 1);
	return store_done(q);
}

enum err
comments_count_pending(struct store *s, int64_t site_id, int64_t *n)
{
	int64_t counts[COMMENT_STATUS__MAX];
	enum err e = comments_counts(s, site_id, counts);

	*n = e == ERR_OK ? counts[COMMENT_PENDING] : 0;
	return e;
}

enum err
comments_count_approved(struct store *s, const int64_t *ids, size_t n, int64_t *counts)
{
	struct store_q *q;
	size_t i;
	enum err e = ERR_OK;

	for (i = 0; i < n && e == ERR_OK; i++) {
		counts[i] = 0;
		if ((q = store_prepare(s, &comments_sql[SQL_COUNT_APPROVED])) == NULL)
			return store_done(NULL);
		store_bind_int(q, 1, ids[i]);
		if (store_step(q) == STORE_ROW)
			counts[i] = store_col_int(q, 0);
		e = store_done(q);
	}
	return e;
}

/* Runs a statement bound to (a, b) whose RETURNING row tells that it matched. */
static enum err
comments_returning(struct store *s, struct store_q *q, bool *matched)
{
	(void)s;
	*matched = store_step(q) == STORE_ROW;
	while (*matched && store_step(q) == STORE_ROW)
		;
	return store_done(q);
}

enum err
comments_set_status(struct store *s, int64_t site_id, int64_t id, enum comment_status st)
{
	struct store_q *q;
	bool matched;
	enum err e;

	if ((unsigned)st >= COMMENT_STATUS__MAX)
		return ERR_INVAL;
	if ((q = store_prepare(s, &comments_sql[SQL_SET_STATUS])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, st);
	store_bind_int(q, 2, id);
	store_bind_int(q, 3, site_id);
	if ((e = comments_returning(s, q, &matched)) != ERR_OK)
		return e;
	return matched ? ERR_OK : ERR_NOTFOUND;
}

enum err
comments_delete(struct privacy *p, struct store *s, int64_t site_id, int64_t id)
{
	struct arena *a;
	struct store_q *q;
	char **subjects = NULL;
	size_t n = 0, cap = 0, i;
	bool matched;
	enum err e;

	if ((a = arena_new()) == NULL)
		return ERR_NOMEM;
	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	/* the anonymous keys of the comment and its replies, shredded with the rows */
	if ((q = store_prepare(s, &comments_sql[SQL_SUBJECTS])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_int(q, 1, id);
	store_bind_int(q, 2, id);
	store_bind_int(q, 3, site_id);
	while (store_step(q) == STORE_ROW) {
		if (n == cap) {
			char **grown = arena_alloc(a, (cap = cap ? cap * 2 : 8) * sizeof(*grown));
			if (grown == NULL)
				break;
			if (n)
				memcpy(grown, subjects, n * sizeof(*grown));
			subjects = grown;
		}
		if ((subjects[n] = arena_strdup(a, store_col_text(q, 0))) != NULL)
			n++;
	}
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if ((q = store_prepare(s, &comments_sql[SQL_DELETE])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_int(q, 1, id);
	store_bind_int(q, 2, site_id);
	if ((e = comments_returning(s, q, &matched)) != ERR_OK)
		goto fail;
	if (!matched) {
		e = ERR_NOTFOUND;
		goto fail;
	}
	for (i = 0; i < n; i++)
		if (strncmp(subjects[i], "commenter:", 10) == 0 &&
		    (e = vault_shred(p, s, subjects[i])) != ERR_OK && e != ERR_NOTFOUND)
			goto fail;
	e = store_commit(s);
	goto out;
fail:
	store_rollback(s);
out:
	arena_free(a);
	return e;
}

enum err
comments_edit(struct store *s, int64_t id, int64_t person, const char *markdown,
    enum comment_hold hold, enum comment_status *status, char *msg, size_t msgsize)
{
	struct comment c;
	struct arena *a;
	struct store_q *q;
	char *html = NULL;
	int64_t now = time_now();
	bool known = false;
	enum err e;

	if ((e = comments_text_ok(markdown, msg, msgsize)) != ERR_OK)
		return e;
	if ((a = arena_new()) == NULL)
		return ERR_NOMEM;
	if ((e = comments_get(s, a, id, &c)) != ERR_OK)
		goto out;
	if (c.person_id == 0 || c.person_id != person) {
		e = ERR_DENIED;
		goto out;
	}
	if (now - c.created_at > LIMIT_COMMENT_EDIT_S) {
		str_msg(msg, msgsize, "A comment can be edited for 10 minutes after it was written.");
		e = ERR_CONFLICT;
		goto out;
	}
	if ((html = markdown_to_html_ugc(markdown, strlen(markdown))) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	/* an approved comment edited is held again whenever a new one would be: under hold
	 * all, and under first-time when it was the author's only approved comment (else an
	 * approval could be turned into anything within the edit window) */
	*status = c.status;
	if (c.status == COMMENT_APPROVED && hold == HOLD_FIRST_TIME) {
		if ((q = store_prepare(s, &comments_sql[SQL_KNOWN_OTHER])) == NULL) {
			e = store_done(NULL);
			goto out;
		}
		store_bind_int(q, 1, c.site_id);
		store_bind_int(q, 2, person);
		store_bind_int(q, 3, id);
		known = store_step(q) == STORE_ROW;
		if ((e = store_done(q)) != ERR_OK)
			goto out;
	}
	if (c.status == COMMENT_APPROVED &&
	    (hold == HOLD_ALL || (hold == HOLD_FIRST_TIME && !known)))
		*status = COMMENT_PENDING;
	if ((q = store_prepare(s, &comments_sql[SQL_EDIT])) == NULL) {
		e = store_done(NULL);
		goto out;
	}
	store_bind_text(q, 1, markdown);
	store_bind_text(q, 2, html);
	store_bind_int(q, 3, now);
	store_bind_int(q, 4, *status);
	store_bind_int(q, 5, id);
	store_step(q);
	e = store_done(q);
out:
	free(html);
	arena_free(a);
	return e;
}

/* Reads the sealed IP and email of comment id into ip and email (email may stay empty). */
static enum err
comments_sealed(struct store *s, int64_t id, struct buf *ip, struct buf *email)
{
	struct store_q *q;
	const void *v;
	size_t n;

	if ((q = store_prepare(s, &comments_sql[SQL_SEALED])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, id);
	if (store_step(q) == STORE_ROW) {
		if ((v = store_col_blob(q, 0, &n)) != NULL && n)
			buf_append(ip, v, n);
		if ((v = store_col_blob(q, 1, &n)) != NULL && n)
			buf_append(email, v, n);
	}
	return store_done(q);
}

/* One gate_read of comment c's column col (class cls) into plain: *ok on allow. */
static enum err
comments_open(struct privacy *p, struct store *s, const struct gate_actor *actor,
    enum purpose pu, const struct comment *c, enum field_class cls, const char *col,
    const struct buf *sealed, struct buf *plain, bool *ok)
{
	struct gate_field f;
	enum err e;

	*ok = false;
	memset(&f, 0, sizeof(f));
	f.subject = c->subject;
	f.subject_person = c->person_id;
	f.site = c->site_id;
	f.cls = cls;
	f.table = "comments";
	f.column = col;
	f.row = c->id;
	f.sealed = sealed->data;
	f.sealed_len = sealed->len;
	e = gate_read(p, s, actor, pu, &f, plain);
	if (e == ERR_DENIED)
		return ERR_OK;
	if (e == ERR_OK)
		*ok = true;
	return e;
}

enum err
comments_private(struct privacy *p, struct store *s, const struct gate_actor *actor,
    const struct comment *c, struct buf *ip, bool *ip_ok, struct buf *email, bool *email_ok)
{
	struct buf sip, semail;
	enum err e;

	*ip_ok = *email_ok = false;
	buf_init(&sip);
	buf_init(&semail);
	if ((e = comments_sealed(s, c->id, &sip, &semail)) != ERR_OK)
		goto out;
	if (sip.failed || semail.failed) {
		e = ERR_NOMEM;
		goto out;
	}
	if (sip.len && (e = comments_open(p, s, actor, PURPOSE_MODERATION, c, FIELD_IP,
			    "ip_sealed", &sip, ip, ip_ok)) != ERR_OK)
		goto out;
	if (semail.len && (e = comments_open(p, s, actor, PURPOSE_MODERATION, c, FIELD_EMAIL,
			       "email_sealed", &semail, email, email_ok)) != ERR_OK)
		goto out;
out:
	buf_free(&sip);
	buf_free(&semail);
	return e;
}

static enum err
comments_id_row(struct store_q *q, struct arena *a, void *element)
{
	(void)a;
	*(int64_t *)element = store_col_int(q, 0);
	return ERR_OK;
}

enum err
comments_site_admins(struct store *s, struct arena *a, int64_t site_id, int64_t **out,
    size_t *n)
{
	struct store_q *q;
	void *list;
	enum err e;

	if ((q = store_prepare(s, &comments_sql[SQL_ADMINS])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, site_id);
	store_bind_int(q, 2, SITE_ROLE_ADMIN);
	e = store_collect(q, a, sizeof(**out), comments_id_row, &list, n);
	*out = list;
	return e;
}

/* Sets obj[key] = v (stealing v); false when out of memory. */
static bool
comments_json_set(json_t *obj, const char *key, json_t *v)
{
	if (v == NULL)
		return false;
	return json_object_set_new(obj, key, v) == 0;
}

enum err
comments_export(struct privacy *p, struct store *s, int64_t person, void *obj)
{
	struct gate_actor self = {person, false};
	struct gate_field f;
	struct store_q *q;
	struct buf plain;
	json_t *list, *item;
	const void *sealed;
	char iso[21];
	size_t n;
	bool ok = true;
	enum err e = ERR_OK, ge;

	if (obj == NULL || !json_is_object((json_t *)obj))
		return ERR_INVAL;
	if ((list = json_array()) == NULL || !comments_json_set(obj, "comments", list))
		return ERR_NOMEM;
	/* collected first, then opened: a gate_read cannot run while this query is open */
	struct export_row {
		int64_t id;
		const char *subject, *body, *slug, *host;
		int64_t status, created, updated;
		void *sealed;
		size_t sealed_len;
	} *rows = NULL;
	size_t nrows = 0, cap = 0, i;

	if ((q = store_prepare(s, &comments_sql[SQL_EXPORT])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	while (ok && store_step(q) == STORE_ROW) {
		if (nrows == cap) {
			struct export_row *grown = realloc(rows, (cap = cap ? cap * 2 : 8) *
								     sizeof(*rows));
			if (grown == NULL) {
				ok = false;
				break;
			}
			rows = grown;
		}
		struct export_row *r = &rows[nrows];
		memset(r, 0, sizeof(*r));
		r->id = store_col_int(q, 0);
		r->subject = strdup(store_col_text(q, 1));
		sealed = store_col_blob(q, 2, &n);
		if (sealed && n && (r->sealed = malloc(n)) != NULL) {
			memcpy(r->sealed, sealed, n);
			r->sealed_len = n;
		}
		r->body = strdup(store_col_text(q, 3));
		r->status = store_col_int(q, 4);
		r->created = store_col_int(q, 5);
		r->updated = store_col_int(q, 6);
		r->slug = strdup(store_col_text(q, 7));
		r->host = strdup(store_col_text(q, 8));
		nrows++;
		ok = r->subject && r->body && r->slug && r->host;
	}
	if ((e = store_done(q)) != ERR_OK)
		goto out;
	if (!ok) {
		e = ERR_NOMEM;
		goto out;
	}
	buf_init(&plain);
	for (i = 0; i < nrows && e == ERR_OK; i++) {
		struct export_row *r = &rows[i];
		if ((item = json_object()) == NULL || json_array_append_new(list, item) != 0) {
			e = ERR_NOMEM;
			break;
		}
		ok = comments_json_set(item, "id", json_integer(r->id)) &&
		     comments_json_set(item, "site", json_string(r->host)) &&
		     comments_json_set(item, "post", json_string(r->slug)) &&
		     comments_json_set(item, "text", json_string(r->body)) &&
		     comments_json_set(item, "status",
			 json_string(comment_status_name((enum comment_status)r->status)));
		time_rfc3339(r->created, iso);
		ok = ok && comments_json_set(item, "created_at", json_string(iso));
		time_rfc3339(r->updated, iso);
		ok = ok && comments_json_set(item, "updated_at", json_string(iso));
		if (ok && r->sealed) {
			memset(&f, 0, sizeof(f));
			f.subject = r->subject;
			f.subject_person = person;
			f.cls = FIELD_IP;
			f.table = "comments";
			f.column = "ip_sealed";
			f.row = r->id;
			f.sealed = r->sealed;
			f.sealed_len = r->sealed_len;
			ge = gate_read(p, s, &self, PURPOSE_SELF, &f, &plain);
			if (ge == ERR_OK)
				ok = comments_json_set(item, "ip_address", json_string(plain.data));
			else if (ge != ERR_DENIED)
				e = ge;
			if (plain.data)
				sodium_memzero(plain.data, plain.len);
			buf_reset(&plain);
		}
		if (!ok && e == ERR_OK)
			e = ERR_NOMEM;
	}
	buf_free(&plain);
out:
	for (i = 0; i < nrows; i++) {
		free((void *)rows[i].subject);
		free((void *)rows[i].body);
		free((void *)rows[i].slug);
		free((void *)rows[i].host);
		free(rows[i].sealed);
	}
	free(rows);
	return e;
}
