/*
 * feedback: items and their publication (see feedback.h). The sealed fields are bound
 * to their table, column and row by the vault, so a sealed value cannot be moved to
 * another item. The published copy (published_text, published_name) is what the author
 * let the public see: the name only with consent, never the email.
 */
#include <jansson.h>
#include <sodium.h>
#include <string.h>

#include "feedback/feedback.h"

static const struct store_migration feedback_migrations[] = {
	{1, "CREATE TABLE feedback ("
	    " id {{ID}},"
	    " site_id BIGINT NOT NULL REFERENCES sites(id),"
	    " person_id BIGINT REFERENCES people(id) ON DELETE CASCADE,"
	    " subject TEXT NOT NULL,"
	    " text_sealed {{BLOB}} NOT NULL,"
	    " name_sealed {{BLOB}},"
	    " email_sealed {{BLOB}},"
	    " publish_consent INTEGER NOT NULL,"
	    " created_at BIGINT NOT NULL,"
	    " published_at BIGINT NOT NULL,"
	    " published_text TEXT NOT NULL,"
	    " published_name TEXT NOT NULL);"
	    "CREATE INDEX feedback_site ON feedback (site_id, id)"},
};

enum {
	SQL_INSERT,
	SQL_SEAL,
	SQL_LIST,
	SQL_GET,
	SQL_PUBLISH,
	SQL_PUBLISHED,
	SQL_USERNAME,
	SQL_BY_PERSON,
	SQL_COPY_SEL,
	SQL_COPY_INS,
	SQL__MAX
};

#define FEEDBACK_COLUMNS                                                                   \
	"id, site_id, person_id, subject, text_sealed, name_sealed, email_sealed,"         \
	" publish_consent, created_at, published_at, published_text, published_name"

static const struct store_stmt feedback_sql[SQL__MAX] = {
	[SQL_INSERT] = {"feedback_insert",
	    "INSERT INTO feedback (site_id, person_id, subject, text_sealed, publish_consent,"
	    " created_at, published_at, published_text, published_name)"
	    " VALUES (?, ?, '', ?, ?, ?, 0, '', '') RETURNING id"},
	[SQL_SEAL] = {"feedback_seal",
	    "UPDATE feedback SET subject = ?, text_sealed = ?, name_sealed = ?, email_sealed = ?"
	    " WHERE id = ?"},
	[SQL_LIST] = {"feedback_list", "SELECT " FEEDBACK_COLUMNS " FROM feedback"
				       " WHERE site_id = ? ORDER BY id DESC LIMIT ?"},
	[SQL_GET] = {"feedback_get", "SELECT " FEEDBACK_COLUMNS " FROM feedback"
				     " WHERE site_id = ? AND id = ?"},
	[SQL_PUBLISH] = {"feedback_publish",
	    "UPDATE feedback SET published_at = ?, published_text = ?, published_name = ?"
	    " WHERE id = ?"},
	[SQL_PUBLISHED] = {"feedback_published",
	    "SELECT id, published_at, published_text, published_name FROM feedback"
	    " WHERE site_id = ? AND published_at > 0 ORDER BY published_at DESC, id DESC"},
	[SQL_USERNAME] = {"feedback_username", "SELECT username FROM people WHERE id = ?"},
	[SQL_BY_PERSON] = {"feedback_by_person", "SELECT " FEEDBACK_COLUMNS " FROM feedback"
						 " WHERE person_id = ? ORDER BY id LIMIT ?"},
	[SQL_COPY_SEL] = {"copy_feedback_select",
	    "SELECT " FEEDBACK_COLUMNS " FROM feedback ORDER BY id"},
	[SQL_COPY_INS] = {"copy_feedback_insert",
	    "INSERT INTO feedback (" FEEDBACK_COLUMNS ")"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
};

const struct store_table feedback_tables[] = {
	{"feedback", "iiitbbbiiitt", &feedback_sql[SQL_COPY_SEL], &feedback_sql[SQL_COPY_INS],
	    "id"},
};
const size_t feedback_tables_count = COUNTOF(feedback_tables);

enum err
feedback_migrate(struct store *s)
{
	return store_migrate(s, "feedback", feedback_migrations, COUNTOF(feedback_migrations));
}

/* Characters (code points) of UTF-8 text. */
static size_t
feedback_chars(const char *t)
{
	size_t n = 0;

	for (; *t; t++)
		if (((unsigned char)*t & 0xc0) != 0x80)
			n++;
	return n;
}

static bool
feedback_email_ok(const char *a)
{
	const char *at = strchr(a, '@');
	size_t i, n = strlen(a);

	if (n < 3 || n > LIMIT_FORM_EMAIL_BYTES || at == NULL || at == a ||
	    strchr(at + 1, '@') || strchr(at + 1, '.') == NULL)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)a[i] <= 0x20 || a[i] == 0x7f)
			return false;
	return true;
}

enum err
feedback_add(struct privacy *p, struct store *s, const struct feedback_new *in, int64_t *id)
{
	struct buf text, name, email;
	struct store_q *q;
	char subject[LIMIT_SUBJECT_BYTES];
	const char *nm = in->person == 0 && in->name ? in->name : "";
	const char *em = in->email ? in->email : "";
	int64_t row = 0;
	size_t tl = in->text ? strlen(in->text) : 0;
	enum err e;

	if (tl == 0 || !str_utf8_valid(in->text, tl) ||
	    feedback_chars(in->text) > LIMIT_FEEDBACK_TEXT ||
	    !str_utf8_valid(nm, strlen(nm)) || feedback_chars(nm) > LIMIT_FEEDBACK_NAME ||
	    (em[0] && !feedback_email_ok(em)) || in->site <= 0)
		return ERR_INVAL;
	buf_init(&text);
	buf_init(&name);
	buf_init(&email);
	if ((e = store_begin(s)) != ERR_OK)
		return e;
	if ((q = store_prepare(s, &feedback_sql[SQL_INSERT])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_int(q, 1, in->site);
	if (in->person > 0)
		store_bind_int(q, 2, in->person);
	else
		store_bind_null(q, 2);
	store_bind_blob(q, 3, "", 0); /* sealed below, bound to the row */
	store_bind_int(q, 4, in->consent_name ? 1 : 0);
	store_bind_int(q, 5, time_now());
	if (store_step(q) == STORE_ROW)
		row = store_col_int(q, 0);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if (in->person > 0)
		privacy_subject(in->person, subject);
	else {
		snprintf(subject, sizeof(subject), "feedback:%lld", (long long)row);
		if ((e = vault_subject_new(p, s, subject)) != ERR_OK)
			goto fail;
	}
	if ((e = vault_seal(p, s, subject, "feedback", "text_sealed", row, in->text, tl, &text)) !=
		ERR_OK ||
	    (nm[0] && (e = vault_seal(p, s, subject, "feedback", "name_sealed", row, nm,
			   strlen(nm), &name)) != ERR_OK) ||
	    (em[0] && (e = vault_seal(p, s, subject, "feedback", "email_sealed", row, em,
			   strlen(em), &email)) != ERR_OK))
		goto fail;
	if ((q = store_prepare(s, &feedback_sql[SQL_SEAL])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_text(q, 1, subject);
	store_bind_blob(q, 2, text.data, text.len);
	if (nm[0])
		store_bind_blob(q, 3, name.data, name.len);
	else
		store_bind_null(q, 3);
	if (em[0])
		store_bind_blob(q, 4, email.data, email.len);
	else
		store_bind_null(q, 4);
	store_bind_int(q, 5, row);
	store_step(q);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if ((e = store_commit(s)) != ERR_OK)
		goto out;
	if (id)
		*id = row;
	goto out;
fail:
	store_rollback(s);
out:
	buf_free(&text);
	buf_free(&name);
	buf_free(&email);
	return e;
}

/* A row as read, sealed fields copied (the query's values die at the next step). */
struct feedback_row {
	struct feedback_item it;
	char subject[LIMIT_SUBJECT_BYTES];
	struct buf sealed[3]; /* text, name, email */
	bool has[3];
};

static enum err
feedback_row_read(struct store_q *q, struct arena *a, struct feedback_row *r)
{
	const void *blob;
	size_t n;
	int k;

	memset(r, 0, sizeof(*r));
	r->it.id = store_col_int(q, 0);
	r->it.site = store_col_int(q, 1);
	r->it.person = store_col_null(q, 2) ? 0 : store_col_int(q, 2);
	str_copy(r->subject, store_col_text(q, 3), sizeof(r->subject));
	for (k = 0; k < 3; k++) {
		buf_init(&r->sealed[k]);
		if ((r->has[k] = !store_col_null(q, 4 + k))) {
			blob = store_col_blob(q, 4 + k, &n);
			buf_append(&r->sealed[k], blob, n);
		}
	}
	r->it.consent_name = store_col_int(q, 7) != 0;
	r->it.created_at = store_col_int(q, 8);
	r->it.published_at = store_col_int(q, 9);
	r->it.published_text = arena_strdup(a, store_col_text(q, 10));
	r->it.published_name = arena_strdup(a, store_col_text(q, 11));
	return r->it.published_text && r->it.published_name ? ERR_OK : ERR_NOMEM;
}

static void
feedback_row_free(struct feedback_row *r)
{
	int k;

	for (k = 0; k < 3; k++)
		buf_free(&r->sealed[k]);
}

/* Opens the present fields of r through the gate for actor with purpose pu into arena
 * a. */
static enum err
feedback_open(struct privacy *p, struct store *s, struct arena *a,
    const struct gate_actor *actor, enum purpose pu, struct feedback_row *r)
{
	static const char *const columns[3] = {"text_sealed", "name_sealed", "email_sealed"};
	static const enum field_class classes[3] = {FIELD_TEXT, FIELD_NAME, FIELD_EMAIL};
	const char **dst[3] = {&r->it.text, &r->it.name, &r->it.email};
	struct gate_field f;
	struct buf plain;
	enum err e = ERR_OK;
	int k;

	for (k = 0; k < 3 && e == ERR_OK; k++) {
		if (!r->has[k])
			continue;
		memset(&f, 0, sizeof(f));
		f.subject = r->subject;
		f.subject_person = r->it.person;
		f.site = r->it.site;
		f.cls = classes[k];
		f.table = "feedback";
		f.column = columns[k];
		f.row = r->it.id;
		f.sealed = r->sealed[k].data;
		f.sealed_len = r->sealed[k].len;
		buf_init(&plain);
		if ((e = gate_read(p, s, actor, pu, &f, &plain)) == ERR_OK &&
		    (*dst[k] = arena_strdup(a, plain.data ? plain.data : "")) == NULL)
			e = ERR_NOMEM;
		if (plain.data)
			sodium_memzero(plain.data, plain.len);
		buf_free(&plain);
	}
	return e;
}

enum err
feedback_list(struct privacy *p, struct store *s, struct arena *a,
    const struct gate_actor *actor, int64_t site, struct feedback_item **out, size_t *n)
{
	struct feedback_row *rows;
	struct store_q *q;
	size_t k = 0, i;
	enum err e = ERR_OK;

	*out = NULL;
	*n = 0;
	if ((rows = arena_alloc(a, LIMIT_FEEDBACK_PER_PAGE * sizeof(*rows))) == NULL)
		return ERR_NOMEM;
	if ((q = store_prepare(s, &feedback_sql[SQL_LIST])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, site);
	store_bind_int(q, 2, LIMIT_FEEDBACK_PER_PAGE);
	while (e == ERR_OK && k < LIMIT_FEEDBACK_PER_PAGE && store_step(q) == STORE_ROW)
		e = feedback_row_read(q, a, &rows[k++]);
	if (store_done(q) != ERR_OK && e == ERR_OK)
		e = ERR_IO;
	/* opened after the query is done: each gate read is its own audited transaction */
	for (i = 0; i < k; i++) {
		if (e == ERR_OK)
			e = feedback_open(p, s, a, actor, PURPOSE_SUPPORT, &rows[i]);
		feedback_row_free(&rows[i]);
	}
	if (e != ERR_OK)
		return e;
	if (k && (*out = arena_alloc(a, k * sizeof(**out))) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < k; i++)
		(*out)[i] = rows[i].it;
	*n = k;
	return ERR_OK;
}

enum err
feedback_publish(struct privacy *p, struct store *s, const struct gate_actor *actor,
    int64_t site, int64_t id, int64_t now)
{
	struct feedback_row r;
	struct store_q *q;
	struct arena *a;
	const char *name = "";
	enum err e = ERR_NOTFOUND;
	bool found = false;

	if ((a = arena_new()) == NULL)
		return ERR_NOMEM;
	memset(&r, 0, sizeof(r));
	if ((q = store_prepare(s, &feedback_sql[SQL_GET])) == NULL) {
		e = store_done(NULL);
		goto out;
	}
	store_bind_int(q, 1, site);
	store_bind_int(q, 2, id);
	if (store_step(q) == STORE_ROW) {
		found = true;
		e = feedback_row_read(q, a, &r);
	}
	if (store_done(q) != ERR_OK && e == ERR_OK)
		e = ERR_IO;
	if (!found || e != ERR_OK)
		goto out;
	if (!r.it.consent_name)
		r.has[1] = false; /* the name is not even opened */
	r.has[2] = false;         /* nor the email: it is never published */
	if ((e = feedback_open(p, s, a, actor, PURPOSE_SUPPORT, &r)) != ERR_OK)
		goto out;
	if (r.it.consent_name) {
		if (r.it.person > 0) {
			/* a member's name is their (public) username */
			if ((q = store_prepare(s, &feedback_sql[SQL_USERNAME])) == NULL) {
				e = store_done(NULL);
				goto out;
			}
			store_bind_int(q, 1, r.it.person);
			if (store_step(q) == STORE_ROW)
				name = arena_strdup(a, store_col_text(q, 0));
			if ((e = store_done(q)) != ERR_OK)
				goto out;
		} else if (r.it.name)
			name = r.it.name;
	}
	if (name == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	if ((q = store_prepare(s, &feedback_sql[SQL_PUBLISH])) == NULL) {
		e = store_done(NULL);
		goto out;
	}
	store_bind_int(q, 1, now);
	store_bind_text(q, 2, r.it.text);
	store_bind_text(q, 3, name);
	store_bind_int(q, 4, id);
	store_step(q);
	e = store_done(q);
out:
	feedback_row_free(&r);
	arena_free(a);
	return e;
}

static enum err
feedback_published_row(struct store_q *q, struct arena *a, void *element)
{
	struct feedback_item *it = element;

	memset(it, 0, sizeof(*it));
	it->id = store_col_int(q, 0);
	it->published_at = store_col_int(q, 1);
	it->published_text = arena_strdup(a, store_col_text(q, 2));
	it->published_name = arena_strdup(a, store_col_text(q, 3));
	return it->published_text && it->published_name ? ERR_OK : ERR_NOMEM;
}

enum err
feedback_published(struct store *s, struct arena *a, int64_t site, struct feedback_item **out,
    size_t *n)
{
	struct store_q *q;
	void *list;
	enum err e;

	*out = NULL;
	*n = 0;
	if ((q = store_prepare(s, &feedback_sql[SQL_PUBLISHED])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, site);
	e = store_collect(q, a, sizeof(**out), feedback_published_row, &list, n);
	*out = list;
	return e;
}

/* obj[key] = v, taking v's reference; false when either is missing or it fails. */
static bool
feedback_json_set(json_t *obj, const char *key, json_t *v)
{
	if (obj == NULL || v == NULL) {
		json_decref(v);
		return false;
	}
	return json_object_set_new(obj, key, v) == 0;
}

enum err
feedback_export(struct privacy *p, struct store *s, int64_t person, void *obj)
{
	struct gate_actor self = {person, false};
	struct feedback_row *rows;
	struct store_q *q;
	struct arena *a;
	json_t *arr, *item;
	char when[21], pub[21];
	size_t k = 0, i;
	enum err e = ERR_OK;

	if (obj == NULL || !json_is_object((json_t *)obj))
		return ERR_INVAL;
	if ((a = arena_new()) == NULL)
		return ERR_NOMEM;
	if ((rows = arena_alloc(a, LIMIT_FEEDBACK_EXPORT * sizeof(*rows))) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	if ((q = store_prepare(s, &feedback_sql[SQL_BY_PERSON])) == NULL) {
		e = store_done(NULL);
		goto out;
	}
	store_bind_int(q, 1, person);
	store_bind_int(q, 2, LIMIT_FEEDBACK_EXPORT);
	while (e == ERR_OK && k < LIMIT_FEEDBACK_EXPORT && store_step(q) == STORE_ROW)
		e = feedback_row_read(q, a, &rows[k++]);
	if (store_done(q) != ERR_OK && e == ERR_OK)
		e = ERR_IO;
	/* the person's own data: opened as themselves (purpose self, audited) */
	for (i = 0; i < k; i++) {
		if (e == ERR_OK)
			e = feedback_open(p, s, a, &self, PURPOSE_SELF, &rows[i]);
		feedback_row_free(&rows[i]);
	}
	if (e != ERR_OK)
		goto out;
	arr = json_array();
	if (!feedback_json_set(obj, "items", arr)) {
		e = ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < k; i++) {
		time_rfc3339(rows[i].it.created_at, when);
		time_rfc3339(rows[i].it.published_at, pub);
		item = json_object();
		if (!feedback_json_set(item, "sent_at", json_string(when)) ||
		    !feedback_json_set(item, "text", json_string(rows[i].it.text ? rows[i].it.text : "")) ||
		    !feedback_json_set(item, "email", rows[i].it.email ? json_string(rows[i].it.email)
									: json_null()) ||
		    !feedback_json_set(item, "publish_with_name",
			json_boolean(rows[i].it.consent_name)) ||
		    !feedback_json_set(item, "published_at",
			rows[i].it.published_at ? json_string(pub) : json_null()) ||
		    json_array_append_new(arr, item) != 0) {
			e = ERR_NOMEM;
			goto out;
		}
	}
out:
	arena_free(a);
	return e;
}
