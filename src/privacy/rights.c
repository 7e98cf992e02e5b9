/*
 * rights: what a person may ask of candor about their own data (B1, B2): everything held
 * about them as JSON, every audit entry about them, and erasure.
 *
 * Invariants:
 *   - The export opens the person's email only through gate_read, as the person
 *     (purpose self), so it is audited like any other read; the export itself adds one
 *     "export" entry. Everything happens in one transaction: the JSON shows the audit
 *     log including the export's own entries, or nothing is handed out.
 *   - Erasure is one transaction: the "erase" audit entry, the subject's data key
 *     destroyed (vault_shred), then the person's rows deleted through rights_erase_sql,
 *     children first (the foreign keys cascade too; naming them keeps erasure
 *     independent of a backend's foreign key setting). Afterwards no read can return the
 *     data, and the sealed bytes in any copy (a backup) no longer open: their key is gone.
 *   - Audit entries about the person are kept: they name the subject ("user:42"), never
 *     personal data, and the chain must stay intact for `candor audit verify`.
 * The JSON shape is documented in docs/privacy.md ("Subject rights").
 */
#include <jansson.h>
#include <string.h>

#include "privacy/privacy_int.h"

enum {
	SQL_RIGHTS_PERSON,
	SQL_RIGHTS_SITE_ROLES,
	SQL_RIGHTS_STAFF,
	SQL_RIGHTS_AGREEMENTS,
	SQL_RIGHTS_GRANTS,
	SQL_RIGHTS__MAX
};

static const struct store_stmt rights_sql[SQL_RIGHTS__MAX] = {
	[SQL_RIGHTS_PERSON] = {"rights_person",
	    "SELECT username, role, email_verified, created_at, email_sealed FROM people"
	    " WHERE id = ?"},
	[SQL_RIGHTS_SITE_ROLES] = {"rights_site_roles",
	    "SELECT site_id, role FROM site_roles WHERE person_id = ? ORDER BY site_id, role"},
	[SQL_RIGHTS_STAFF] = {"rights_staff", "SELECT org, country FROM staff WHERE person_id = ?"},
	[SQL_RIGHTS_AGREEMENTS] = {"rights_agreements",
	    "SELECT version, signed_on FROM staff_agreements WHERE person_id = ?"
	    " ORDER BY signed_on, version"},
	[SQL_RIGHTS_GRANTS] = {"rights_grants",
	    "SELECT purpose, until_at FROM staff_grants WHERE person_id = ? ORDER BY purpose"},
};

/*
 * Every row that belongs to a person, children first; each statement takes the person's
 * id. The last one removes the people row and returns it, so a person that does not
 * exist is ERR_NOTFOUND. A later module whose rows belong to an account (sessions,
 * comments kept as "deleted user") refers to people(id) with ON DELETE CASCADE or
 * SET NULL; its rows go with this list's last statement.
 */
static const struct store_stmt rights_erase_sql[] = {
	{"rights_erase_grants", "DELETE FROM staff_grants WHERE person_id = ?"},
	{"rights_erase_agreements", "DELETE FROM staff_agreements WHERE person_id = ?"},
	{"rights_erase_staff", "DELETE FROM staff WHERE person_id = ?"},
	{"rights_erase_site_roles", "DELETE FROM site_roles WHERE person_id = ?"},
	{"rights_erase_person", "DELETE FROM people WHERE id = ? RETURNING id"},
};

/* What one person row holds; sealed is the email as stored (copied, caller frees). */
struct rights_person {
	char username[40];
	enum person_role role;
	bool verified;
	int64_t created_at;
	struct buf sealed;
	char org[104];
	char country[4];
};

/* Reads person's row and staff record into r (r->sealed must be initialised).
 * ERR_NOTFOUND when there is no such person. */
static enum err
rights_person_read(struct store *s, int64_t person, struct rights_person *r)
{
	struct store_q *q;
	const void *b;
	size_t n = 0;
	enum err e = ERR_NOTFOUND, de;

	if ((q = store_prepare(s, &rights_sql[SQL_RIGHTS_PERSON])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	if (store_step(q) == STORE_ROW) {
		str_copy(r->username, store_col_text(q, 0), sizeof(r->username));
		r->role = (enum person_role)store_col_int(q, 1);
		r->verified = store_col_int(q, 2) != 0;
		r->created_at = store_col_int(q, 3);
		b = store_col_blob(q, 4, &n);
		buf_append(&r->sealed, b, b ? n : 0);
		e = r->sealed.failed ? ERR_NOMEM : ERR_OK;
	}
	if ((de = store_done(q)) != ERR_OK)
		e = de;
	if (e != ERR_OK)
		return e;
	if ((q = store_prepare(s, &rights_sql[SQL_RIGHTS_STAFF])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	if (store_step(q) == STORE_ROW) {
		str_copy(r->org, store_col_text(q, 0), sizeof(r->org));
		str_copy(r->country, store_col_text(q, 1), sizeof(r->country));
	}
	return store_done(q);
}

static void
rights_person_clear(struct rights_person *r)
{
	buf_free(&r->sealed);
}

/* ---- JSON helpers: they take v's reference; a failed allocation makes *ok false ---- */

static void
rights_set(json_t *obj, const char *key, json_t *v, bool *ok)
{
	if (obj == NULL) {
		json_decref(v);
		*ok = false;
	} else if (v == NULL || json_object_set_new(obj, key, v) != 0) {
		*ok = false; /* json_object_set_new released v */
	}
}

static void
rights_push(json_t *arr, json_t *v, bool *ok)
{
	if (arr == NULL) {
		json_decref(v);
		*ok = false;
	} else if (v == NULL || json_array_append_new(arr, v) != 0) {
		*ok = false; /* json_array_append_new released v */
	}
}

static json_t *
rights_time(int64_t t)
{
	char when[21];

	time_rfc3339(t, when);
	return json_string(when);
}

/* Appends the rows of stmt (person's id bound) to arr, one object per row, through fill. */
static enum err
rights_rows(struct store *s, int stmt, int64_t person, json_t *arr,
    void (*fill)(struct store_q *q, json_t *o, bool *ok))
{
	struct store_q *q;
	json_t *o;
	bool ok = true;
	enum err e;

	if ((q = store_prepare(s, &rights_sql[stmt])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	while (ok && store_step(q) == STORE_ROW) {
		o = json_object();
		fill(q, o, &ok);
		rights_push(arr, o, &ok);
	}
	e = store_done(q);
	return e != ERR_OK ? e : ok ? ERR_OK : ERR_NOMEM;
}

static void
rights_fill_role(struct store_q *q, json_t *o, bool *ok)
{
	rights_set(o, "site_id", json_integer(store_col_int(q, 0)), ok);
	rights_set(o, "role", json_string(site_role_name((enum site_role)store_col_int(q, 1))), ok);
}

static void
rights_fill_agreement(struct store_q *q, json_t *o, bool *ok)
{
	rights_set(o, "version", json_string(store_col_text(q, 0)), ok);
	rights_set(o, "signed_on", rights_time(store_col_int(q, 1)), ok);
}

static void
rights_fill_grant(struct store_q *q, json_t *o, bool *ok)
{
	rights_set(o, "purpose", json_string(purpose_name((enum purpose)store_col_int(q, 0))), ok);
	rights_set(o, "until", rights_time(store_col_int(q, 1)), ok);
}

/* One audit entry as a JSON object (the subject is the export's own: left out). */
static json_t *
rights_entry_json(const struct audit_entry *ae, bool *ok)
{
	json_t *o = json_object();

	rights_set(o, "seq", json_integer(ae->seq), ok);
	rights_set(o, "at", rights_time(ae->at), ok);
	rights_set(o, "actor", json_string(ae->actor), ok);
	rights_set(o, "actor_role", json_string(ae->actor_role), ok);
	rights_set(o, "actor_org", json_string(ae->actor_org), ok);
	rights_set(o, "actor_country", json_string(ae->actor_country), ok);
	rights_set(o, "field_class", json_string(ae->field_class), ok);
	rights_set(o, "purpose", json_string(ae->purpose), ok);
	rights_set(o, "decision", json_string(ae->decision), ok);
	rights_set(o, "detail", json_string(ae->detail), ok);
	return o;
}

/* The person's staff record with agreements and grants, or JSON null for a non-staff
 * account, into *out (a new reference). */
static enum err
rights_staff_json(struct store *s, int64_t person, const struct rights_person *r, json_t **out)
{
	json_t *staff, *agreements, *grants;
	bool ok = true;
	enum err e;

	*out = NULL;
	if (r->org[0] == '\0')
		return (*out = json_null()) ? ERR_OK : ERR_NOMEM;
	staff = json_object();
	agreements = json_array();
	grants = json_array();
	rights_set(staff, "org", json_string(r->org), &ok);
	rights_set(staff, "country", json_string(r->country), &ok);
	rights_set(staff, "agreements", json_incref(agreements), &ok);
	rights_set(staff, "grants", json_incref(grants), &ok);
	e = ok ? ERR_OK : ERR_NOMEM;
	if (e == ERR_OK)
		e = rights_rows(s, SQL_RIGHTS_AGREEMENTS, person, agreements,
		    rights_fill_agreement);
	if (e == ERR_OK)
		e = rights_rows(s, SQL_RIGHTS_GRANTS, person, grants, rights_fill_grant);
	json_decref(agreements);
	json_decref(grants);
	if (e != ERR_OK)
		json_decref(staff);
	else
		*out = staff;
	return e;
}

/* The audit entry for an export or erasure by the person themself or by candor. */
static void
rights_entry(struct audit_entry *ae, const struct gate_actor *actor, const char *who,
    const struct rights_person *actor_facts, const char *subject, const char *purpose,
    const char *decision, const char *detail)
{
	memset(ae, 0, sizeof(*ae));
	ae->actor = actor->system ? "system" : who;
	ae->actor_role = actor->system ? "system"
			 : actor_facts ? person_role_name(actor_facts->role)
				       : "-";
	ae->actor_org = actor_facts ? actor_facts->org : "";
	ae->actor_country = actor_facts ? actor_facts->country : "";
	ae->subject = subject;
	ae->field_class = "-";
	ae->purpose = purpose;
	ae->decision = decision;
	ae->detail = detail;
}

enum err
rights_accesses(struct privacy *p, struct store *s, struct arena *a, int64_t person,
    struct audit_entry **out, size_t *n)
{
	char subject[48];

	privacy_subject(person, subject);
	return audit_list(p, s, a, subject, out, n);
}

enum err
rights_export(struct privacy *p, struct store *s, int64_t person,
    const struct rights_section *sections, size_t nsections, struct buf *json)
{
	struct rights_person r;
	struct gate_actor self = {person, false};
	struct gate_field f;
	struct audit_entry ae, *log = NULL;
	struct buf email;
	struct arena *a = NULL;
	json_t *root = NULL, *account, *roles, *staff = NULL, *list;
	char subject[48], *text = NULL;
	size_t nlog = 0, i, len;
	bool ok = true;
	enum err e;

	memset(&r, 0, sizeof(r));
	buf_init(&r.sealed);
	buf_init(&email);
	privacy_subject(person, subject);
	if ((a = arena_new()) == NULL)
		return ERR_NOMEM;
	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	if ((e = rights_person_read(s, person, &r)) != ERR_OK)
		goto fail;
	memset(&f, 0, sizeof(f));
	f.subject = subject;
	f.subject_person = person;
	f.cls = FIELD_EMAIL;
	f.table = "people";
	f.column = "email_sealed";
	f.row = person;
	f.sealed = r.sealed.data;
	f.sealed_len = r.sealed.len;
	if ((e = gate_read(p, s, &self, PURPOSE_SELF, &f, &email)) != ERR_OK) {
		/* a refusal is kept in the audit log: commit it, do not roll it back */
		if (e == ERR_DENIED && store_commit(s) == ERR_OK)
			goto out;
		goto fail;
	}

	root = json_object();
	rights_set(root, "format", json_string("candor-export-1"), &ok);
	rights_set(root, "generated_at", rights_time(time_now()), &ok);
	rights_set(root, "subject", json_string(subject), &ok);
	account = json_object();
	rights_set(account, "id", json_integer(person), &ok);
	rights_set(account, "username", json_string(r.username), &ok);
	rights_set(account, "role", json_string(person_role_name(r.role)), &ok);
	rights_set(account, "email", json_stringn(email.data ? email.data : "", email.len), &ok);
	rights_set(account, "email_verified", json_boolean(r.verified), &ok);
	rights_set(account, "created_at", rights_time(r.created_at), &ok);
	rights_set(root, "account", account, &ok);
	roles = json_array();
	rights_set(root, "site_roles", roles, &ok);
	if (!ok) {
		e = ERR_NOMEM;
		goto fail;
	}
	if ((e = rights_rows(s, SQL_RIGHTS_SITE_ROLES, person, roles, rights_fill_role)) != ERR_OK)
		goto fail;
	if ((e = rights_staff_json(s, person, &r, &staff)) != ERR_OK)
		goto fail;
	rights_set(root, "staff", staff, &ok);
	for (i = 0; ok && i < nsections; i++) {
		json_t *sec = json_object();
		rights_set(root, sections[i].name, sec, &ok);
		if (ok && (e = sections[i].fill(p, s, person, sec)) != ERR_OK)
			goto fail;
	}
	if (!ok) {
		e = ERR_NOMEM;
		goto fail;
	}
	/* The export itself is recorded before the log is read, so the person sees it. */
	rights_entry(&ae, &self, subject, &r, subject, purpose_name(PURPOSE_SELF), "export",
	    "everything held about the person, at their request");
	if ((e = audit_append(p, s, &ae)) != ERR_OK ||
	    (e = audit_list(p, s, a, subject, &log, &nlog)) != ERR_OK)
		goto fail;
	list = json_array();
	rights_set(root, "audit", list, &ok);
	for (i = 0; ok && i < nlog; i++)
		rights_push(list, rights_entry_json(&log[i], &ok), &ok);
	if (!ok || (text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) == NULL) {
		e = ERR_NOMEM;
		goto fail;
	}
	if ((e = store_commit(s)) != ERR_OK)
		goto out;
	len = strlen(text);
	buf_append(json, text, len);
	buf_putc(json, '\n');
	e = json->failed ? ERR_NOMEM : ERR_OK;
	goto out;
fail:
	store_rollback(s);
out:
	if (text) {
		sodium_memzero(text, strlen(text));
		free(text);
	}
	json_decref(root);
	if (email.data)
		sodium_memzero(email.data, email.len);
	buf_free(&email);
	rights_person_clear(&r);
	arena_free(a);
	return e;
}

/* Runs one erase statement for person; *rows gets how many rows it returned. */
static enum err
rights_erase_one(struct store *s, const struct store_stmt *st, int64_t person, int64_t *rows)
{
	struct store_q *q;

	*rows = 0;
	if ((q = store_prepare(s, st)) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	while (store_step(q) == STORE_ROW)
		(*rows)++;
	return store_done(q);
}

enum err
rights_erase_as(struct privacy *p, struct store *s, int64_t person,
    const struct gate_actor *actor, const char *purpose, const char *why)
{
	struct rights_person r, by;
	struct audit_entry ae;
	char subject[48], who[48];
	int64_t rows = 0;
	size_t i;
	enum err e;

	memset(&r, 0, sizeof(r));
	memset(&by, 0, sizeof(by));
	buf_init(&r.sealed);
	buf_init(&by.sealed);
	privacy_subject(person, subject);
	privacy_subject(actor->person, who);
	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	if ((e = rights_person_read(s, person, &r)) != ERR_OK)
		goto fail;
	/* the actor's role, organisation and country, read before any row goes */
	if (!actor->system && actor->person != person &&
	    (e = rights_person_read(s, actor->person, &by)) != ERR_OK) {
		if (e == ERR_NOTFOUND)
			e = ERR_DENIED; /* an unknown actor erases nobody */
		goto fail;
	}
	/* default deny: the person themself, the system (retention) or the owner */
	if (!actor->system && actor->person != person && by.role != ROLE_OWNER) {
		e = ERR_DENIED;
		goto fail;
	}
	rights_entry(&ae, actor, who, actor->system ? NULL : actor->person == person ? &r : &by,
	    subject, purpose, "erase", why);
	if ((e = audit_append(p, s, &ae)) != ERR_OK)
		goto fail;
	/* a person whose key is already gone is still erased */
	if ((e = vault_shred(p, s, subject)) != ERR_OK && e != ERR_NOTFOUND)
		goto fail;
	for (i = 0; i < COUNTOF(rights_erase_sql); i++)
		if ((e = rights_erase_one(s, &rights_erase_sql[i], person, &rows)) != ERR_OK)
			goto fail;
	if (rows != 1) {
		e = ERR_NOTFOUND;
		goto fail;
	}
	e = store_commit(s);
	goto out;
fail:
	store_rollback(s);
out:
	rights_person_clear(&r);
	rights_person_clear(&by);
	return e;
}

enum err
rights_erase(struct privacy *p, struct store *s, int64_t person)
{
	struct gate_actor self = {person, false};

	return rights_erase_as(p, s, person, &self, purpose_name(PURPOSE_SELF),
	    "account removed and data key destroyed at the person's request");
}
