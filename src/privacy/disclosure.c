/*
 * disclosure: the register of legal requests for a person's data (P14) and the
 * transparency report counted from it (B7).
 *
 * Table disclosures, one row per request:
 *   basis           enum disclosure_basis
 *   requester       who asked (an agency, a court, a case reference), one line of text
 *   subject_person  people.id of the person whose data is asked for. Deliberately no
 *                   foreign key: the register must outlive an erased account.
 *   scope           what was asked for, one line of text
 *   received_at     when the request was recorded
 *   approved_by/at  the owner who approved it, and when (NULL while undecided)
 *   answered_at     the first export (NULL until then)
 *   refused         1 when an owner refused it
 *
 * Invariants: only an owner decides a request; only an approved, unrefused request is
 * exported; the export opens sealed fields with vault_open_field (the one path besides
 * the gate, which refuses PURPOSE_LEGAL to everyone) and writes an audit entry per field
 * it discloses, in the same transaction that marks the request answered. If an entry
 * cannot be written, nothing is disclosed. Decisions (approve, refuse, a refused attempt
 * to decide) are audited too, so the tamper-evident log backs the register.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "privacy/privacy_int.h"

static const struct store_migration disclosure_migrations[] = {
	{1, "CREATE TABLE disclosures ("
	    " id {{ID}},"
	    " basis INTEGER NOT NULL,"
	    " requester TEXT NOT NULL,"
	    " subject_person BIGINT NOT NULL,"
	    " scope TEXT NOT NULL,"
	    " received_at BIGINT NOT NULL,"
	    " approved_by BIGINT,"
	    " approved_at BIGINT,"
	    " answered_at BIGINT,"
	    " refused INTEGER NOT NULL DEFAULT 0);"
	    "CREATE INDEX disclosures_received ON disclosures (received_at)"},
};

enum {
	SQL_INSERT,
	SQL_PERSON_EXISTS,
	SQL_ACTOR,
	SQL_GET,
	SQL_LIST,
	SQL_APPROVE,
	SQL_REFUSE,
	SQL_ANSWER,
	SQL_SUBJECT,
	SQL_COUNTS,
	SQL_COPY_SEL,
	SQL_COPY_INS,
	SQL__MAX
};

#define DISCLOSURE_COLUMNS                                                                 \
	"d.id, d.basis, d.requester, d.subject_person, COALESCE(p.username, ''), d.scope,"  \
	" d.received_at, COALESCE(d.approved_by, 0), COALESCE(d.approved_at, 0),"          \
	" COALESCE(d.answered_at, 0), d.refused"

static const struct store_stmt disclosure_sql[SQL__MAX] = {
	[SQL_INSERT] = {"disclosure_insert",
	    "INSERT INTO disclosures (basis, requester, subject_person, scope, received_at,"
	    " refused) VALUES (?, ?, ?, ?, ?, 0) RETURNING id"},
	[SQL_PERSON_EXISTS] = {"disclosure_person_exists", "SELECT 1 FROM people WHERE id = ?"},
	[SQL_ACTOR] = {"disclosure_actor",
	    "SELECT p.role, COALESCE(s.org, ''), COALESCE(s.country, '') FROM people p"
	    " LEFT JOIN staff s ON s.person_id = p.id WHERE p.id = ?"},
	[SQL_GET] = {"disclosure_get",
	    "SELECT " DISCLOSURE_COLUMNS " FROM disclosures d"
	    " LEFT JOIN people p ON p.id = d.subject_person WHERE d.id = ?"},
	[SQL_LIST] = {"disclosure_list",
	    "SELECT " DISCLOSURE_COLUMNS " FROM disclosures d"
	    " LEFT JOIN people p ON p.id = d.subject_person ORDER BY d.id DESC"},
	/* the state guards in WHERE make a concurrent decision lose cleanly (no row back) */
	[SQL_APPROVE] = {"disclosure_approve",
	    "UPDATE disclosures SET approved_by = ?, approved_at = ?"
	    " WHERE id = ? AND approved_by IS NULL AND refused = 0 RETURNING id"},
	[SQL_REFUSE] = {"disclosure_refuse",
	    "UPDATE disclosures SET refused = 1"
	    " WHERE id = ? AND refused = 0 AND answered_at IS NULL RETURNING id"},
	[SQL_ANSWER] = {"disclosure_answer",
	    "UPDATE disclosures SET answered_at = COALESCE(answered_at, ?)"
	    " WHERE id = ? AND approved_by IS NOT NULL AND refused = 0 RETURNING approved_by"},
	[SQL_SUBJECT] = {"disclosure_subject",
	    "SELECT username, role, email_verified, created_at, email_sealed FROM people"
	    " WHERE id = ?"},
	[SQL_COUNTS] = {"disclosure_counts",
	    "SELECT basis, received_at, answered_at FROM disclosures ORDER BY received_at"},
	[SQL_COPY_SEL] = {"copy_disclosures_select",
	    "SELECT id, basis, requester, subject_person, scope, received_at, approved_by,"
	    " approved_at, answered_at, refused FROM disclosures ORDER BY id"},
	[SQL_COPY_INS] = {"copy_disclosures_insert",
	    "INSERT INTO disclosures (id, basis, requester, subject_person, scope, received_at,"
	    " approved_by, approved_at, answered_at, refused)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
};

const struct store_table disclosure_tables[] = {
	{"disclosures", "iititiiiii", &disclosure_sql[SQL_COPY_SEL], &disclosure_sql[SQL_COPY_INS],
	    "id"},
};
const size_t disclosure_tables_count = COUNTOF(disclosure_tables);

enum err
disclosure_migrate(struct store *s)
{
	return store_migrate(s, "disclosures", disclosure_migrations,
	    COUNTOF(disclosure_migrations));
}

static const char *const disclosure_basis_names[BASIS__MAX] = {"subpoena", "court-order",
    "government", "protect-rights"};

const char *
disclosure_basis_name(enum disclosure_basis b)
{
	return (unsigned)b < BASIS__MAX ? disclosure_basis_names[b] : "?";
}

bool
disclosure_basis_parse(const char *s, enum disclosure_basis *out)
{
	int i;

	for (i = 0; i < BASIS__MAX; i++)
		if (strcmp(disclosure_basis_names[i], s) == 0) {
			*out = (enum disclosure_basis)i;
			return true;
		}
	return false;
}

/* One line of UTF-8, 1..max bytes, not blank, no control characters. */
static bool
disclosure_text_ok(const char *t, size_t max)
{
	size_t n = strlen(t), i;
	bool blank = true;

	if (n == 0 || n > max || !str_utf8_valid(t, n))
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c < 0x20 || c == 0x7f)
			return false;
		if (c != ' ')
			blank = false;
	}
	return !blank;
}

enum err
disclosure_add(struct store *s, enum disclosure_basis basis, const char *requester,
    int64_t subject_person, const char *scope, int64_t *id, char *msg, size_t msgsize)
{
	struct store_q *q;
	bool exists = false;
	enum err e;

	if ((unsigned)basis >= BASIS__MAX) {
		str_msg(msg, msgsize, "The basis is subpoena, court-order, government or "
					     "protect-rights.");
		return ERR_INVAL;
	}
	if (!disclosure_text_ok(requester, LIMIT_DISCLOSURE_REQUESTER)) {
		str_msg(msg, msgsize, "The requester is one line of 1 to 200 bytes of text.");
		return ERR_INVAL;
	}
	if (!disclosure_text_ok(scope, LIMIT_DISCLOSURE_SCOPE)) {
		str_msg(msg, msgsize, "The scope is one line of 1 to 1000 bytes of text.");
		return ERR_INVAL;
	}
	if ((e = store_begin(s)) != ERR_OK)
		return e;
	if ((q = store_prepare(s, &disclosure_sql[SQL_PERSON_EXISTS])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_int(q, 1, subject_person);
	exists = store_step(q) == STORE_ROW;
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if (!exists) {
		str_msg(msg, msgsize, "There is no such person.");
		e = ERR_NOTFOUND;
		goto fail;
	}
	if ((q = store_prepare(s, &disclosure_sql[SQL_INSERT])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_int(q, 1, basis);
	store_bind_text(q, 2, requester);
	store_bind_int(q, 3, subject_person);
	store_bind_text(q, 4, scope);
	store_bind_int(q, 5, time_now());
	if (store_step(q) == STORE_ROW)
		*id = store_col_int(q, 0);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	return store_commit(s);
fail:
	store_rollback(s);
	return e;
}

/* Reads a row in DISCLOSURE_COLUMNS order. */
static enum err
disclosure_row(struct store_q *q, struct arena *a, void *element)
{
	struct disclosure *d = element;

	d->id = store_col_int(q, 0);
	d->basis = (enum disclosure_basis)store_col_int(q, 1);
	d->requester = arena_strdup(a, store_col_text(q, 2));
	d->subject_person = store_col_int(q, 3);
	d->subject_username = arena_strdup(a, store_col_text(q, 4));
	d->scope = arena_strdup(a, store_col_text(q, 5));
	d->received_at = store_col_int(q, 6);
	d->approved_by = store_col_int(q, 7);
	d->approved_at = store_col_int(q, 8);
	d->answered_at = store_col_int(q, 9);
	d->refused = store_col_int(q, 10) != 0;
	return d->requester && d->subject_username && d->scope ? ERR_OK : ERR_NOMEM;
}

enum err
disclosure_get(struct store *s, struct arena *a, int64_t id, struct disclosure *out)
{
	struct store_q *q;

	if ((q = store_prepare(s, &disclosure_sql[SQL_GET])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, id);
	return store_one(q, a, out, disclosure_row);
}

enum err
disclosure_list(struct store *s, struct arena *a, struct disclosure **out, size_t *n)
{
	struct store_q *q;
	void *list;
	enum err e;

	if ((q = store_prepare(s, &disclosure_sql[SQL_LIST])) == NULL)
		return store_done(NULL);
	e = store_collect(q, a, sizeof(**out), disclosure_row, &list, n);
	*out = list;
	return e;
}

/* Who acts, for the audit log. known is false when person is not an account. */
struct disclosure_actor {
	bool known;
	enum person_role role;
	char who[32];
	char org[104];
	char country[4];
};

static enum err
disclosure_actor(struct store *s, int64_t person, struct disclosure_actor *act)
{
	struct store_q *q;

	memset(act, 0, sizeof(*act));
	privacy_subject(person, act->who);
	if ((q = store_prepare(s, &disclosure_sql[SQL_ACTOR])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	if (store_step(q) == STORE_ROW) {
		act->known = true;
		act->role = (enum person_role)store_col_int(q, 0);
		str_copy(act->org, store_col_text(q, 1), sizeof(act->org));
		str_copy(act->country, store_col_text(q, 2), sizeof(act->country));
	}
	return store_done(q);
}

/* Appends one audit entry about request d, purpose legal. */
static enum err
disclosure_audit(struct privacy *p, struct store *s, const struct disclosure_actor *act,
    const struct disclosure *d, const char *field_class, const char *decision,
    const char *what)
{
	struct audit_entry ae;
	char subject[32], detail[200];

	privacy_subject(d->subject_person, subject);
	snprintf(detail, sizeof(detail), "disclosure #%lld (%s): %s", (long long)d->id,
	    disclosure_basis_name(d->basis), what);
	memset(&ae, 0, sizeof(ae));
	ae.actor = act->who;
	ae.actor_role = act->known ? person_role_name(act->role) : "-";
	ae.actor_org = act->org;
	ae.actor_country = act->country;
	ae.subject = subject;
	ae.field_class = field_class;
	ae.purpose = purpose_name(PURPOSE_LEGAL);
	ae.decision = decision;
	ae.detail = detail;
	return audit_append(p, s, &ae);
}

/* Approves (approve true) or refuses request id on behalf of by. */
static enum err
disclosure_decide(struct privacy *p, struct store *s, int64_t id, int64_t by, bool approve)
{
	struct disclosure_actor act;
	struct disclosure d;
	struct store_q *q;
	struct arena *a;
	bool changed = false;
	enum err e;

	if ((a = arena_new()) == NULL)
		return ERR_NOMEM;
	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	if ((e = disclosure_get(s, a, id, &d)) != ERR_OK ||
	    (e = disclosure_actor(s, by, &act)) != ERR_OK)
		goto fail;
	if (!act.known || act.role != ROLE_OWNER) {
		/* the refused attempt is kept: whoever tried is on record */
		if ((e = disclosure_audit(p, s, &act, &d, "-", "deny",
			 approve ? "only an owner may approve" : "only an owner may refuse")) !=
		    ERR_OK)
			goto fail;
		if ((e = store_commit(s)) == ERR_OK)
			e = ERR_DENIED;
		goto out;
	}
	if ((q = store_prepare(s, &disclosure_sql[approve ? SQL_APPROVE : SQL_REFUSE])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	if (approve) {
		store_bind_int(q, 1, by);
		store_bind_int(q, 2, time_now());
		store_bind_int(q, 3, id);
	} else {
		store_bind_int(q, 1, id);
	}
	changed = store_step(q) == STORE_ROW;
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if (!changed) {
		e = ERR_CONFLICT;
		goto fail;
	}
	if ((e = disclosure_audit(p, s, &act, &d, "-", approve ? "approve" : "refuse",
		 approve ? "request approved" : "request refused")) != ERR_OK)
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
disclosure_approve(struct privacy *p, struct store *s, int64_t id, int64_t by)
{
	return disclosure_decide(p, s, id, by, true);
}

enum err
disclosure_refuse(struct privacy *p, struct store *s, int64_t id, int64_t by)
{
	return disclosure_decide(p, s, id, by, false);
}

/* ---- export ---- */

/* json_object_set_new that remembers a failure (a NULL value included) in *ok. */
static void
disclosure_json_set(json_t *o, const char *key, json_t *v, bool *ok)
{
	if (v == NULL || o == NULL || json_object_set_new(o, key, v) != 0)
		*ok = false;
}

static json_t *
disclosure_json_time(int64_t t)
{
	char iso[21];

	if (t <= 0)
		return json_null();
	time_rfc3339(t, iso);
	return json_string(iso);
}

static int
disclosure_json_dump(const char *data, size_t n, void *arg)
{
	struct buf *b = arg;

	buf_append(b, data, n);
	return b->failed ? -1 : 0;
}

/* The request's own record, as the bundle states it. */
static json_t *
disclosure_json_request(const struct disclosure *d, int64_t now)
{
	json_t *o = json_object();
	bool ok = true;

	disclosure_json_set(o, "id", json_integer(d->id), &ok);
	disclosure_json_set(o, "basis", json_string(disclosure_basis_name(d->basis)), &ok);
	disclosure_json_set(o, "requester", json_string(d->requester), &ok);
	disclosure_json_set(o, "scope", json_string(d->scope), &ok);
	disclosure_json_set(o, "received_at", disclosure_json_time(d->received_at), &ok);
	disclosure_json_set(o, "approved_by", json_integer(d->approved_by), &ok);
	disclosure_json_set(o, "approved_at", disclosure_json_time(d->approved_at), &ok);
	disclosure_json_set(o, "exported_at", disclosure_json_time(now), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/*
 * Audits, then opens the subject's data into fields: each account field, then the email.
 * A missing account (erased) discloses nothing and says so in *held.
 */
static enum err
disclosure_subject(struct privacy *p, struct store *s, const struct disclosure_actor *act,
    const struct disclosure *d, json_t *fields, bool *held)
{
	static const struct {
		const char *column;
		const char *cls;
	} audited[] = {{"username", "-"}, {"role", "-"}, {"email_verified", "-"},
	    {"created_at", "-"}, {"email_sealed", "email"}};
	char subject[32], what[96];
	struct store_q *q;
	struct buf sealed, email;
	const void *blob;
	size_t blob_len = 0, i;
	bool ok = true;
	enum err e;

	*held = false;
	buf_init(&sealed);
	buf_init(&email);
	privacy_subject(d->subject_person, subject);
	if ((q = store_prepare(s, &disclosure_sql[SQL_SUBJECT])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, d->subject_person);
	if (store_step(q) == STORE_ROW) {
		*held = true;
		disclosure_json_set(fields, "username", json_string(store_col_text(q, 0)), &ok);
		disclosure_json_set(fields, "role",
		    json_string(person_role_name((enum person_role)store_col_int(q, 1))), &ok);
		disclosure_json_set(fields, "email_verified",
		    json_boolean(store_col_int(q, 2) != 0), &ok);
		disclosure_json_set(fields, "created_at",
		    disclosure_json_time(store_col_int(q, 3)), &ok);
		blob = store_col_blob(q, 4, &blob_len);
		buf_append(&sealed, blob, blob_len);
	}
	if ((e = store_done(q)) != ERR_OK || !*held)
		goto out;
	if (!ok || sealed.failed) {
		e = ERR_NOMEM;
		goto out;
	}
	/* one entry per disclosed field, in the bundle's order, before anything is opened */
	for (i = 0; i < COUNTOF(audited) && e == ERR_OK; i++) {
		snprintf(what, sizeof(what), "people.%s#%lld", audited[i].column,
		    (long long)d->subject_person);
		e = disclosure_audit(p, s, act, d, audited[i].cls, "disclose", what);
	}
	if (e != ERR_OK)
		goto out;
	if ((e = vault_open_field(p, s, subject, "people", "email_sealed", d->subject_person,
		 sealed.data, sealed.len, &email)) != ERR_OK)
		goto out;
	disclosure_json_set(fields, "email", json_string(email.data ? email.data : ""), &ok);
	if (!ok)
		e = ERR_NOMEM;
out:
	if (email.data)
		sodium_memzero(email.data, email.len);
	buf_free(&email);
	buf_free(&sealed);
	return e;
}

enum err
disclosure_export(struct privacy *p, struct store *s, int64_t id, struct buf *out)
{
	struct disclosure_actor act;
	struct disclosure d;
	struct store_q *q;
	struct arena *a;
	json_t *root = NULL, *subj = NULL, *fields = NULL;
	int64_t now = time_now(), approver = 0;
	size_t start = out->len;
	bool answered = false, held = false, ok = true;
	enum err e;

	if ((a = arena_new()) == NULL)
		return ERR_NOMEM;
	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	/* mark it answered first: on PostgreSQL this locks the row, so a refusal cannot
	 * slip in between the check and the disclosure */
	if ((q = store_prepare(s, &disclosure_sql[SQL_ANSWER])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_int(q, 1, now);
	store_bind_int(q, 2, id);
	if (store_step(q) == STORE_ROW) {
		answered = true;
		approver = store_col_int(q, 0);
	}
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if ((e = disclosure_get(s, a, id, &d)) != ERR_OK)
		goto fail;
	if (!answered) {
		e = ERR_DENIED;
		goto fail;
	}
	/* the owner who approved the request is the one on record as disclosing */
	if ((e = disclosure_actor(s, approver, &act)) != ERR_OK)
		goto fail;
	root = json_object();
	subj = json_object();
	fields = json_object();
	if (root == NULL || subj == NULL || fields == NULL) {
		e = ERR_NOMEM;
		goto fail;
	}
	if ((e = disclosure_subject(p, s, &act, &d, fields, &held)) != ERR_OK)
		goto fail;
	disclosure_json_set(root, "format", json_string("candor-disclosure-1"), &ok);
	disclosure_json_set(root, "request", disclosure_json_request(&d, now), &ok);
	disclosure_json_set(subj, "person_id", json_integer(d.subject_person), &ok);
	disclosure_json_set(subj, "held", json_boolean(held), &ok);
	disclosure_json_set(subj, "fields", fields, &ok);
	fields = NULL; /* owned by subj now, even when setting it failed */
	if (!held)
		disclosure_json_set(subj, "note",
		    json_string("The account no longer exists; candor holds no data about this "
				"person."),
		    &ok);
	disclosure_json_set(root, "subject", subj, &ok);
	subj = NULL;
	if (!ok || json_dump_callback(root, disclosure_json_dump, out, JSON_INDENT(2)) != 0) {
		e = ERR_NOMEM;
		goto fail;
	}
	buf_putc(out, '\n');
	if (out->failed) {
		e = ERR_NOMEM;
		goto fail;
	}
	if ((e = store_commit(s)) != ERR_OK)
		goto wipe;
	goto out;
fail:
	store_rollback(s);
wipe:
	/* nothing disclosed unless everything was recorded */
	if (out->data && out->len > start) {
		sodium_memzero(out->data + start, out->len - start);
		out->len = start;
		out->data[start] = '\0';
	}
out:
	json_decref(fields);
	json_decref(subj);
	json_decref(root);
	arena_free(a);
	return e;
}

/* ---- transparency report ---- */

static int
disclosure_count_cmp(const void *x, const void *y)
{
	const struct disclosure_count *a = x, *b = y;

	if (a->year != b->year)
		return a->year > b->year ? -1 : 1;
	if (a->half != b->half)
		return a->half > b->half ? -1 : 1;
	return (int)a->basis - (int)b->basis;
}

enum err
disclosure_counts(struct store *s, struct arena *a, struct disclosure_count **out, size_t *n)
{
	struct disclosure_count *list = NULL, *grown, *c;
	struct store_q *q;
	struct tm tm;
	time_t t;
	size_t cap = 0, count = 0, i;
	enum err e = ERR_OK, de;
	int basis;

	*out = NULL;
	*n = 0;
	if ((q = store_prepare(s, &disclosure_sql[SQL_COUNTS])) == NULL)
		return store_done(NULL);
	while (e == ERR_OK && store_step(q) == STORE_ROW) {
		basis = (int)store_col_int(q, 0);
		t = (time_t)store_col_int(q, 1);
		if (basis < 0 || basis >= BASIS__MAX || gmtime_r(&t, &tm) == NULL)
			continue; /* not a row this version wrote; leave it out of the report */
		for (i = 0, c = NULL; i < count; i++)
			if (list[i].year == tm.tm_year + 1900 && list[i].half == 1 + (tm.tm_mon >= 6) &&
			    (int)list[i].basis == basis) {
				c = &list[i];
				break;
			}
		if (c == NULL) {
			if ((grown = arena_grow(a, list, count, &cap, sizeof(*list))) == NULL) {
				e = ERR_NOMEM;
				break;
			}
			list = grown;
			c = &list[count++];
			c->year = tm.tm_year + 1900;
			c->half = 1 + (tm.tm_mon >= 6);
			c->basis = (enum disclosure_basis)basis;
			c->received = 0;
			c->answered = 0;
		}
		c->received++;
		if (!store_col_null(q, 2))
			c->answered++;
	}
	if ((de = store_done(q)) != ERR_OK && e == ERR_OK)
		e = de;
	if (e != ERR_OK)
		return e;
	if (count > 1)
		qsort(list, count, sizeof(*list), disclosure_count_cmp);
	*out = list;
	*n = count;
	return ERR_OK;
}
