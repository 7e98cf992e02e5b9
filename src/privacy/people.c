/*
 * people: everyone with an account, their per-site roles, and the staff records the gate
 * needs (organisation, country, confidentiality agreements, need-to-know grants).
 *
 * Invariants: an email is stored only sealed (people.email_sealed, bound to its row) and
 * as a keyed blind index (people.email_blind) for uniqueness and lookup; the plaintext
 * never reaches the database. A person's subject is "user:<id>"; their data key is
 * created in the same transaction as their row.
 */
#include <ctype.h>
#include <string.h>

#include "privacy/privacy_int.h"

static const struct store_migration people_migrations[] = {
	{1, "CREATE TABLE people ("
	    " id {{ID}},"
	    " username TEXT NOT NULL UNIQUE,"
	    " role INTEGER NOT NULL,"
	    " email_sealed {{BLOB}} NOT NULL,"
	    " email_blind {{BLOB}} NOT NULL UNIQUE,"
	    " email_verified INTEGER NOT NULL,"
	    " created_at BIGINT NOT NULL);"
	    "CREATE TABLE site_roles ("
	    " person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	    " site_id BIGINT NOT NULL,"
	    " role INTEGER NOT NULL,"
	    " PRIMARY KEY (person_id, site_id, role));"
	    "CREATE TABLE staff ("
	    " person_id BIGINT PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,"
	    " org TEXT NOT NULL,"
	    " country TEXT NOT NULL);"
	    "CREATE TABLE staff_agreements ("
	    " person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	    " version TEXT NOT NULL,"
	    " signed_on BIGINT NOT NULL,"
	    " PRIMARY KEY (person_id, version));"
	    "CREATE TABLE staff_grants ("
	    " person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
	    " purpose INTEGER NOT NULL,"
	    " until_at BIGINT NOT NULL,"
	    " PRIMARY KEY (person_id, purpose))"},
};

enum {
	SQL_INSERT,
	SQL_SET_EMAIL,
	SQL_REPLACE_EMAIL,
	SQL_SET_VERIFIED,
	SQL_EMAIL_SEALED,
	SQL_SITE_ROLES,
	SQL_BY_USERNAME,
	SQL_BY_ID,
	SQL_BY_BLIND,
	SQL_LIST,
	SQL_ROLE_GRANT,
	SQL_ROLE_REVOKE,
	SQL_STAFF_UPSERT_DEL,
	SQL_STAFF_INSERT,
	SQL_AGREEMENT_INSERT,
	SQL_GRANT_DEL,
	SQL_GRANT_INSERT,
	SQL_COPY_PEOPLE_SEL,
	SQL_COPY_PEOPLE_INS,
	SQL_COPY_ROLES_SEL,
	SQL_COPY_ROLES_INS,
	SQL_COPY_STAFF_SEL,
	SQL_COPY_STAFF_INS,
	SQL_COPY_AGR_SEL,
	SQL_COPY_AGR_INS,
	SQL_COPY_GRANT_SEL,
	SQL_COPY_GRANT_INS,
	SQL__MAX
};

#define PERSON_COLUMNS "id, username, role, email_verified, created_at"

static const struct store_stmt people_sql[SQL__MAX] = {
	[SQL_INSERT] = {"people_insert",
	    "INSERT INTO people (username, role, email_sealed, email_blind, email_verified,"
	    " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id"},
	[SQL_SET_EMAIL] = {"people_set_email", "UPDATE people SET email_sealed = ? WHERE id = ?"},
	[SQL_REPLACE_EMAIL] = {"people_replace_email",
	    "UPDATE people SET email_sealed = ?, email_blind = ?, email_verified = ? WHERE id = ?"
	    " RETURNING id"},
	[SQL_SET_VERIFIED] = {"people_set_verified",
	    "UPDATE people SET email_verified = ? WHERE id = ? RETURNING id"},
	[SQL_EMAIL_SEALED] = {"people_email_sealed",
	    "SELECT email_sealed FROM people WHERE id = ?"},
	[SQL_SITE_ROLES] = {"people_site_roles",
	    "SELECT site_id, role FROM site_roles WHERE person_id = ? ORDER BY site_id, role"},
	[SQL_BY_USERNAME] = {"people_by_username",
	    "SELECT " PERSON_COLUMNS " FROM people WHERE username = ?"},
	[SQL_BY_ID] = {"people_by_id", "SELECT " PERSON_COLUMNS " FROM people WHERE id = ?"},
	[SQL_BY_BLIND] = {"people_by_blind",
	    "SELECT " PERSON_COLUMNS " FROM people WHERE email_blind = ?"},
	[SQL_LIST] = {"people_list", "SELECT " PERSON_COLUMNS " FROM people ORDER BY id"},
	[SQL_ROLE_GRANT] = {"site_role_grant",
	    "INSERT INTO site_roles (person_id, site_id, role) VALUES (?, ?, ?)"},
	[SQL_ROLE_REVOKE] = {"site_role_revoke",
	    "DELETE FROM site_roles WHERE person_id = ? AND site_id = ? AND role = ?"},
	[SQL_STAFF_UPSERT_DEL] = {"staff_delete", "DELETE FROM staff WHERE person_id = ?"},
	[SQL_STAFF_INSERT] = {"staff_insert",
	    "INSERT INTO staff (person_id, org, country) VALUES (?, ?, ?)"},
	[SQL_AGREEMENT_INSERT] = {"staff_agreement_insert",
	    "INSERT INTO staff_agreements (person_id, version, signed_on) VALUES (?, ?, ?)"},
	[SQL_GRANT_DEL] = {"staff_grant_delete",
	    "DELETE FROM staff_grants WHERE person_id = ? AND purpose = ?"},
	[SQL_GRANT_INSERT] = {"staff_grant_insert",
	    "INSERT INTO staff_grants (person_id, purpose, until_at) VALUES (?, ?, ?)"},
	[SQL_COPY_PEOPLE_SEL] = {"copy_people_select",
	    "SELECT id, username, role, email_sealed, email_blind, email_verified, created_at"
	    " FROM people ORDER BY id"},
	[SQL_COPY_PEOPLE_INS] = {"copy_people_insert",
	    "INSERT INTO people (id, username, role, email_sealed, email_blind, email_verified,"
	    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"},
	[SQL_COPY_ROLES_SEL] = {"copy_site_roles_select",
	    "SELECT person_id, site_id, role FROM site_roles ORDER BY person_id, site_id, role"},
	[SQL_COPY_ROLES_INS] = {"copy_site_roles_insert",
	    "INSERT INTO site_roles (person_id, site_id, role) VALUES (?, ?, ?)"},
	[SQL_COPY_STAFF_SEL] = {"copy_staff_select",
	    "SELECT person_id, org, country FROM staff ORDER BY person_id"},
	[SQL_COPY_STAFF_INS] = {"copy_staff_insert",
	    "INSERT INTO staff (person_id, org, country) VALUES (?, ?, ?)"},
	[SQL_COPY_AGR_SEL] = {"copy_agreements_select",
	    "SELECT person_id, version, signed_on FROM staff_agreements ORDER BY person_id, version"},
	[SQL_COPY_AGR_INS] = {"copy_agreements_insert",
	    "INSERT INTO staff_agreements (person_id, version, signed_on) VALUES (?, ?, ?)"},
	[SQL_COPY_GRANT_SEL] = {"copy_grants_select",
	    "SELECT person_id, purpose, until_at FROM staff_grants ORDER BY person_id, purpose"},
	[SQL_COPY_GRANT_INS] = {"copy_grants_insert",
	    "INSERT INTO staff_grants (person_id, purpose, until_at) VALUES (?, ?, ?)"},
};

const struct store_table people_tables[] = {
	{"people", "itibbii", &people_sql[SQL_COPY_PEOPLE_SEL], &people_sql[SQL_COPY_PEOPLE_INS],
	    "id"},
	{"site_roles", "iii", &people_sql[SQL_COPY_ROLES_SEL], &people_sql[SQL_COPY_ROLES_INS],
	    NULL},
	{"staff", "itt", &people_sql[SQL_COPY_STAFF_SEL], &people_sql[SQL_COPY_STAFF_INS], NULL},
	{"staff_agreements", "iti", &people_sql[SQL_COPY_AGR_SEL], &people_sql[SQL_COPY_AGR_INS],
	    NULL},
	{"staff_grants", "iii", &people_sql[SQL_COPY_GRANT_SEL], &people_sql[SQL_COPY_GRANT_INS],
	    NULL},
};
const size_t people_tables_count = COUNTOF(people_tables);

enum err
people_migrate(struct store *s)
{
	return store_migrate(s, "people", people_migrations, COUNTOF(people_migrations));
}

const char *
person_role_name(enum person_role r)
{
	static const char *const names[ROLE__MAX] = {"member", "staff", "owner"};

	return (unsigned)r < ROLE__MAX ? names[r] : "?";
}

const char *
site_role_name(enum site_role r)
{
	static const char *const names[SITE_ROLE__MAX] = {"editor", "admin"};

	return (unsigned)r < SITE_ROLE__MAX ? names[r] : "?";
}

_Static_assert(LIMIT_USERNAME_MIN == 3 && LIMIT_USERNAME_MAX == 32,
    "the username sentence in people_add names 3 and 32");

/* LIMIT_USERNAME_MIN to LIMIT_USERNAME_MAX of [a-z0-9_-], in any position (issue 5: no
 * '.', so a username never looks like a domain or a file name). */
static bool
people_username_ok(const char *u)
{
	size_t n = strlen(u), i;

	if (n < LIMIT_USERNAME_MIN || n > LIMIT_USERNAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((u[i] >= 'a' && u[i] <= 'z') || (u[i] >= '0' && u[i] <= '9') ||
			u[i] == '_' || u[i] == '-'))
			return false;
	return true;
}

/*
 * A deliberately plain check: one '@', a non-empty local part, a domain with a dot and
 * no empty label, at most 254 bytes, printable ASCII or UTF-8 without spaces or
 * control characters. Copies the address, lowercased, into out.
 */
static bool
people_email_normalise(const char *in, char *out, size_t outsize)
{
	const char *at = strchr(in, '@');
	size_t n = strlen(in), i;

	if (n < 3 || n > 254 || n >= outsize || at == NULL || at == in || strchr(at + 1, '@'))
		return false;
	if (!str_utf8_valid(in, n) || strpbrk(in, " \t\r\n<>(),;:\\\"[]"))
		return false;
	if (strchr(at + 1, '.') == NULL || at[1] == '.' || in[n - 1] == '.' || strstr(at, ".."))
		return false;
	for (i = 0; i <= n; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	return true;
}

/* Reads a person row (PERSON_COLUMNS order). */
static enum err
people_row(struct store_q *q, struct arena *a, void *element)
{
	struct person *out = element;

	out->id = store_col_int(q, 0);
	out->username = arena_strdup(a, store_col_text(q, 1));
	out->role = (enum person_role)store_col_int(q, 2);
	out->email_verified = store_col_int(q, 3) != 0;
	out->created_at = store_col_int(q, 4);
	return out->username ? ERR_OK : ERR_NOMEM;
}

enum err
people_add(struct privacy *p, struct store *s, const char *username, const char *email,
    enum person_role role, bool verified, int64_t *id, char *msg, size_t msgsize)
{
	unsigned char blind[VAULT_BLIND_BYTES];
	char norm[256], subject[48];
	struct buf sealed;
	struct store_q *q;
	struct person existing;
	struct arena *a = NULL;
	enum err e;

	buf_init(&sealed);
	if (!people_username_ok(username)) {
		str_msg(msg, msgsize, "A username is 3 to 32 of a-z, 0-9, '_' and '-'.");
		return ERR_INVAL;
	}
	if (!people_email_normalise(email, norm, sizeof(norm))) {
		str_msg(msg, msgsize, "That is not an email address we can use.");
		return ERR_INVAL;
	}
	if ((unsigned)role >= ROLE__MAX)
		return ERR_INVAL;
	if ((a = arena_new()) == NULL)
		return ERR_NOMEM;
	vault_blind(p, "email", norm, blind);
	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	if ((e = people_find(s, a, username, &existing)) != ERR_NOTFOUND) {
		if (e == ERR_OK) {
			str_msg(msg, msgsize, "That username is taken.");
			e = ERR_CONFLICT;
		}
		goto fail;
	}
	if ((q = store_prepare(s, &people_sql[SQL_INSERT])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_text(q, 1, username);
	store_bind_int(q, 2, role);
	store_bind_blob(q, 3, "", 0); /* sealed below, once the row id is known */
	store_bind_blob(q, 4, blind, sizeof(blind));
	store_bind_int(q, 5, verified);
	store_bind_int(q, 6, time_now());
	if (store_step(q) == STORE_ROW)
		*id = store_col_int(q, 0);
	if ((e = store_done(q)) != ERR_OK) {
		if (e == ERR_CONFLICT)
			str_msg(msg, msgsize, "An account with that email address exists.");
		goto fail;
	}
	privacy_subject(*id, subject);
	if ((e = vault_subject_new(p, s, subject)) != ERR_OK ||
	    (e = vault_seal(p, s, subject, "people", "email_sealed", *id, norm, strlen(norm),
		 &sealed)) != ERR_OK) {
		if (e == ERR_UNAVAIL)
			str_msg(msg, msgsize, "A key rotation is finishing; try again in a moment.");
		goto fail;
	}
	if ((q = store_prepare(s, &people_sql[SQL_SET_EMAIL])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_blob(q, 1, sealed.data, sealed.len);
	store_bind_int(q, 2, *id);
	store_step(q);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	e = store_commit(s);
	goto out;
fail:
	store_rollback(s);
out:
	sodium_memzero(norm, sizeof(norm));
	if (sealed.data)
		sodium_memzero(sealed.data, sealed.len);
	buf_free(&sealed);
	arena_free(a);
	return e;
}

enum err
people_find(struct store *s, struct arena *a, const char *username, struct person *out)
{
	struct store_q *q;

	if ((q = store_prepare(s, &people_sql[SQL_BY_USERNAME])) == NULL)
		return store_done(NULL);
	store_bind_text(q, 1, username);
	return store_one(q, a, out, people_row);
}

enum err
people_get(struct store *s, struct arena *a, int64_t id, struct person *out)
{
	struct store_q *q;

	if ((q = store_prepare(s, &people_sql[SQL_BY_ID])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, id);
	return store_one(q, a, out, people_row);
}

enum err
people_find_by_email(struct privacy *p, struct store *s, struct arena *a, const char *email,
    struct person *out)
{
	unsigned char blind[VAULT_BLIND_BYTES];
	char norm[256];
	struct store_q *q;

	if (!people_email_normalise(email, norm, sizeof(norm)))
		return ERR_NOTFOUND;
	vault_blind(p, "email", norm, blind);
	sodium_memzero(norm, sizeof(norm));
	if ((q = store_prepare(s, &people_sql[SQL_BY_BLIND])) == NULL)
		return store_done(NULL);
	store_bind_blob(q, 1, blind, sizeof(blind));
	return store_one(q, a, out, people_row);
}

bool
people_email_ok(const char *email, char *out, size_t outsize)
{
	if (email == NULL || out == NULL || outsize == 0)
		return false;
	if (!people_email_normalise(email, out, outsize)) {
		out[0] = '\0';
		return false;
	}
	return true;
}

enum err
people_set_verified(struct store *s, int64_t person, bool verified)
{
	struct store_q *q;
	enum err e = ERR_NOTFOUND, de;

	if ((q = store_prepare(s, &people_sql[SQL_SET_VERIFIED])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, verified);
	store_bind_int(q, 2, person);
	if (store_step(q) == STORE_ROW)
		e = ERR_OK;
	if ((de = store_done(q)) != ERR_OK)
		e = de;
	return e;
}

enum err
people_set_email(struct privacy *p, struct store *s, int64_t person, const char *email,
    bool verified, char *msg, size_t msgsize)
{
	unsigned char blind[VAULT_BLIND_BYTES];
	char norm[256], subject[48];
	struct buf sealed;
	struct store_q *q;
	struct person holder;
	struct arena *a = NULL;
	bool found = false;
	enum err e;

	buf_init(&sealed);
	if (msg && msgsize)
		msg[0] = '\0';
	if (!people_email_normalise(email, norm, sizeof(norm))) {
		str_msg(msg, msgsize, "That is not an email address we can use.");
		return ERR_INVAL;
	}
	if ((a = arena_new()) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	vault_blind(p, "email", norm, blind);
	privacy_subject(person, subject);
	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	/* another account holding it is a sentence, not a constraint error */
	if ((e = people_find_by_email(p, s, a, norm, &holder)) == ERR_OK) {
		if (holder.id != person) {
			str_msg(msg, msgsize, "An account with that email address exists.");
			e = ERR_CONFLICT;
			goto fail;
		}
	} else if (e != ERR_NOTFOUND) {
		goto fail;
	}
	if ((e = vault_seal(p, s, subject, "people", "email_sealed", person, norm, strlen(norm),
		 &sealed)) != ERR_OK) {
		if (e == ERR_UNAVAIL)
			str_msg(msg, msgsize, "A key rotation is finishing; try again in a moment.");
		goto fail;
	}
	if ((q = store_prepare(s, &people_sql[SQL_REPLACE_EMAIL])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_blob(q, 1, sealed.data, sealed.len);
	store_bind_blob(q, 2, blind, sizeof(blind));
	store_bind_int(q, 3, verified);
	store_bind_int(q, 4, person);
	if (store_step(q) == STORE_ROW)
		found = true;
	if ((e = store_done(q)) != ERR_OK) {
		if (e == ERR_CONFLICT) /* taken meanwhile by a concurrent change */
			str_msg(msg, msgsize, "An account with that email address exists.");
		goto fail;
	}
	if (!found) {
		e = ERR_NOTFOUND;
		goto fail;
	}
	e = store_commit(s);
	goto out;
fail:
	store_rollback(s);
out:
	sodium_memzero(norm, sizeof(norm));
	if (sealed.data)
		sodium_memzero(sealed.data, sealed.len);
	buf_free(&sealed);
	arena_free(a);
	return e;
}

enum err
people_email(struct privacy *p, struct store *s, const struct gate_actor *actor,
    enum purpose pu, int64_t person, struct buf *out)
{
	struct gate_field f;
	struct store_q *q;
	struct buf sealed;
	char subject[48];
	const void *b;
	size_t n = 0;
	enum err e = ERR_NOTFOUND, de;

	buf_init(&sealed);
	if ((q = store_prepare(s, &people_sql[SQL_EMAIL_SEALED])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	if (store_step(q) == STORE_ROW) {
		b = store_col_blob(q, 0, &n);
		buf_append(&sealed, b, b ? n : 0);
		e = sealed.failed ? ERR_NOMEM : ERR_OK;
	}
	if ((de = store_done(q)) != ERR_OK)
		e = de;
	if (e != ERR_OK)
		goto out;
	privacy_subject(person, subject);
	memset(&f, 0, sizeof(f));
	f.subject = subject;
	f.subject_person = person;
	f.cls = FIELD_EMAIL;
	f.table = "people";
	f.column = "email_sealed";
	f.row = person;
	f.sealed = sealed.data;
	f.sealed_len = sealed.len;
	e = gate_read(p, s, actor, pu, &f, out);
out:
	buf_free(&sealed);
	return e;
}

enum err
people_site_roles(struct store *s, struct arena *a, int64_t person,
    struct person_site_role **out, size_t *n)
{
	struct person_site_role *list = NULL, *grown;
	struct store_q *q;
	size_t cap = 0, count = 0;
	int64_t role;
	enum err e = ERR_OK, de;

	*out = NULL;
	*n = 0;
	if ((q = store_prepare(s, &people_sql[SQL_SITE_ROLES])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	while (store_step(q) == STORE_ROW) {
		role = store_col_int(q, 1);
		if (role < 0 || role >= SITE_ROLE__MAX)
			continue; /* a role this build does not know grants nothing */
		if ((grown = arena_grow(a, list, count, &cap, sizeof(*list))) == NULL) {
			e = ERR_NOMEM;
			break;
		}
		list = grown;
		list[count].site = store_col_int(q, 0);
		list[count++].role = (enum site_role)role;
	}
	if ((de = store_done(q)) != ERR_OK && e == ERR_OK)
		e = de;
	if (e == ERR_OK) {
		*out = list;
		*n = count;
	}
	return e;
}

enum err
people_list(struct store *s, struct arena *a, struct person **out, size_t *n)
{
	struct store_q *q;
	void *list;
	enum err e;

	if ((q = store_prepare(s, &people_sql[SQL_LIST])) == NULL)
		return store_done(NULL);
	e = store_collect(q, a, sizeof(**out), people_row, &list, n);
	*out = list;
	return e;
}

/* Runs one write statement with its first nparams parameters: integers, or text where
 * t2/t3 are not NULL. */
static enum err
people_exec(struct store *s, int stmt, int nparams, int64_t a1, int64_t a2, const char *t2,
    int64_t a3, const char *t3)
{
	struct store_q *q;

	if ((q = store_prepare(s, &people_sql[stmt])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, a1);
	if (nparams >= 2) {
		if (t2)
			store_bind_text(q, 2, t2);
		else
			store_bind_int(q, 2, a2);
	}
	if (nparams >= 3) {
		if (t3)
			store_bind_text(q, 3, t3);
		else
			store_bind_int(q, 3, a3);
	}
	store_step(q);
	return store_done(q);
}

enum err
people_site_role(struct store *s, int64_t person, int64_t site, enum site_role r, bool grant)
{
	if ((unsigned)r >= SITE_ROLE__MAX)
		return ERR_INVAL;
	return people_exec(s, grant ? SQL_ROLE_GRANT : SQL_ROLE_REVOKE, 3, person, site, NULL, r,
	    NULL);
}

enum err
staff_set(struct store *s, int64_t person, const char *org, const char *country)
{
	enum err e;

	if (org[0] == '\0' || strlen(org) > 100 || !str_utf8_valid(org, strlen(org)) ||
	    strlen(country) != 2 || !isupper((unsigned char)country[0]) ||
	    !isupper((unsigned char)country[1]))
		return ERR_INVAL;
	if ((e = store_begin(s)) != ERR_OK)
		return e;
	if ((e = people_exec(s, SQL_STAFF_UPSERT_DEL, 1, person, 0, NULL, 0, NULL)) != ERR_OK)
		goto fail;
	if ((e = people_exec(s, SQL_STAFF_INSERT, 3, person, 0, org, 0, country)) != ERR_OK)
		goto fail;
	return store_commit(s);
fail:
	store_rollback(s);
	return e;
}

enum err
staff_agreement(struct store *s, int64_t person, const char *version, int64_t signed_on)
{
	if (version[0] == '\0' || strlen(version) > 40 || signed_on <= 0)
		return ERR_INVAL;
	return people_exec(s, SQL_AGREEMENT_INSERT, 3, person, 0, version, signed_on, NULL);
}

enum err
staff_grant(struct store *s, int64_t person, enum purpose pu, int64_t until)
{
	enum err e;

	if ((unsigned)pu >= PURPOSE__MAX || until <= 0)
		return ERR_INVAL;
	if ((e = store_begin(s)) != ERR_OK)
		return e;
	if ((e = people_exec(s, SQL_GRANT_DEL, 2, person, pu, NULL, 0, NULL)) != ERR_OK ||
	    (e = people_exec(s, SQL_GRANT_INSERT, 3, person, pu, NULL, until, NULL)) != ERR_OK) {
		store_rollback(s);
		return e;
	}
	return store_commit(s);
}

enum err
staff_revoke(struct store *s, int64_t person, enum purpose pu)
{
	if ((unsigned)pu >= PURPOSE__MAX)
		return ERR_INVAL;
	return people_exec(s, SQL_GRANT_DEL, 2, person, pu, NULL, 0, NULL);
}

const char *
purpose_name(enum purpose pu)
{
	static const char *const names[PURPOSE__MAX] = {"self", "moderation", "support",
	    "billing", "security", "legal", "delivery", "announcements", "fulfilment"};

	return (unsigned)pu < PURPOSE__MAX ? names[pu] : "?";
}

bool
purpose_parse(const char *s, enum purpose *out)
{
	int i;

	for (i = 0; i < PURPOSE__MAX; i++)
		if (strcmp(purpose_name((enum purpose)i), s) == 0) {
			*out = (enum purpose)i;
			return true;
		}
	return false;
}

/* The people holding a role on a site (the owner's page of a site, issue 6). */
static const struct store_stmt people_site_members_sql = {"people_site_members",
    "SELECT p.id, p.username, r.role FROM site_roles r JOIN people p ON p.id = r.person_id"
    " WHERE r.site_id = ? ORDER BY p.username, r.role"};

static enum err
people_member_row(struct store_q *q, struct arena *a, void *element)
{
	struct site_member *m = element;
	int64_t role = store_col_int(q, 2);

	m->person = store_col_int(q, 0);
	m->username = arena_strdup(a, store_col_text(q, 1));
	m->role = role == SITE_ROLE_ADMIN ? SITE_ROLE_ADMIN : SITE_ROLE_EDITOR;
	return m->username ? ERR_OK : ERR_NOMEM;
}

enum err
people_site_members(struct store *s, struct arena *a, int64_t site, struct site_member **out,
    size_t *n)
{
	struct store_q *q;
	void *list = NULL;
	enum err e;

	if ((q = store_prepare(s, &people_site_members_sql)) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, site);
	e = store_collect(q, a, sizeof(**out), people_member_row, &list, n);
	*out = list;
	return e;
}
