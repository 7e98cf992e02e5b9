/*
 * gate: the single decision point for reading personal data (P5, P11, P14). Default deny.
 * The rules, in order:
 *   1. the system may read an email to deliver mail the person asked for (delivery),
 *      and the sealed body of such a message (gate_delivery_fields: mail_outbox's
 *      body_sealed), nothing else of the text class;
 *   2. a person may read their own data (self);
 *   3. an admin of the site a field belongs to may read its email and IP (moderation),
 *      and no other site's (P5) -- only for tables whose rows belong to one site
 *      (gate_site_tables: comments), never an account's own data;
 *   4. the owner may read with a stated purpose (support, billing, security);
 *   4a. an admin of the site an order belongs to may read its customer's name, email,
 *      address and booked date (fulfilment; gate_order_tables), no other site's; the
 *      owner and staff reach the same fields with the billing purpose (rule 4, 5);
 *   5. staff may read a class only with a staff record (organisation and country, which
 *      the audit entry carries: P12), a signed confidentiality agreement on record and
 *      an unexpired need-to-know grant for that purpose, and only the classes that
 *      purpose needs (P11). This covers moderation too (issue 6): staff with a
 *      moderation grant may read the email and IP of comments on any site, on the same
 *      terms (record, agreement, grant), so an operator can lend a moderator to a site
 *      without making them its admin; the owner is not let through by rule 4 here (an
 *      owner who moderates makes themself the site's admin);
 * The gate does not take the caller's word for whose data it is: a "user:N" subject
 * fixes the person, whatever subject_person says.
 *   legal disclosures never pass here: they go through the disclosure register.
 * Every decision, allow or deny, is appended to the audit log in the same transaction as
 * the read; if the audit entry cannot be written, nothing is read.
 */
#include <stdint.h>
#include <string.h>

#include "privacy/privacy_int.h"

enum {
	SQL_ACTOR,
	SQL_SITE_ADMIN,
	SQL_STAFF,
	SQL_AGREEMENT,
	SQL_GRANT,
	SQL__MAX
};

static const struct store_stmt gate_sql[SQL__MAX] = {
	[SQL_ACTOR] = {"gate_actor", "SELECT role FROM people WHERE id = ?"},
	[SQL_SITE_ADMIN] = {"gate_site_admin",
	    "SELECT 1 FROM site_roles WHERE person_id = ? AND site_id = ? AND role = ?"},
	[SQL_STAFF] = {"gate_staff", "SELECT org, country FROM staff WHERE person_id = ?"},
	[SQL_AGREEMENT] = {"gate_agreement",
	    "SELECT COUNT(*) FROM staff_agreements WHERE person_id = ? AND signed_on <= ?"},
	[SQL_GRANT] = {"gate_grant",
	    "SELECT 1 FROM staff_grants WHERE person_id = ? AND purpose = ? AND until_at >= ?"},
};

const char *
field_class_name(enum field_class c)
{
	static const char *const names[FIELD__MAX] = {"email", "ip", "name", "address",
	    "payment", "text", "secret"};

	return (unsigned)c < FIELD__MAX ? names[c] : "?";
}

/* Which field classes each staff or owner purpose may reach (bit per class). */
static unsigned
gate_purpose_classes(enum purpose pu)
{
	switch (pu) {
	case PURPOSE_SUPPORT:
		return 1u << FIELD_EMAIL | 1u << FIELD_NAME | 1u << FIELD_TEXT;
	case PURPOSE_BILLING:
		return 1u << FIELD_EMAIL | 1u << FIELD_NAME | 1u << FIELD_ADDRESS |
		       1u << FIELD_PAYMENT;
	case PURPOSE_SECURITY:
	case PURPOSE_MODERATION:
		return 1u << FIELD_EMAIL | 1u << FIELD_IP;
	default:
		return 0;
	}
}

/* Tables whose rows each belong to one site: the only ones moderation may read. */
static const char *const gate_site_tables[] = {"comments", NULL};

static bool
gate_site_scoped(const char *table)
{
	size_t i;

	for (i = 0; gate_site_tables[i]; i++)
		if (strcmp(gate_site_tables[i], table) == 0)
			return true;
	return false;
}

/* Tables of orders (commerce): fulfilment reads their customer fields. */
static const char *const gate_order_tables[] = {"orders", NULL};

static bool
gate_order_table(const char *table)
{
	size_t i;

	for (i = 0; table && gate_order_tables[i]; i++)
		if (strcmp(gate_order_tables[i], table) == 0)
			return true;
	return false;
}

/* Sealed text the system opens to deliver mail: only the outbox's message bodies. */
static const char *const gate_delivery_fields[][2] = {{"mail_outbox", "body_sealed"},
    {"mail_outbox", "html_sealed"}, {NULL, NULL}};

static bool
gate_delivery_field(const struct gate_field *f)
{
	size_t i;

	if (f->cls == FIELD_EMAIL)
		return true;
	if (f->cls != FIELD_TEXT || f->table == NULL || f->column == NULL)
		return false;
	for (i = 0; gate_delivery_fields[i][0]; i++)
		if (strcmp(gate_delivery_fields[i][0], f->table) == 0 &&
		    strcmp(gate_delivery_fields[i][1], f->column) == 0)
			return true;
	return false;
}

/* The person a subject names: N for "user:N", 0 for any other subject. */
static int64_t
gate_subject_person(const char *subject)
{
	long long v;

	if (subject == NULL || strncmp(subject, "user:", 5) != 0 ||
	    strnum(subject + 5, 1, INT64_MAX, &v) != ERR_OK)
		return 0;
	return (int64_t)v;
}

/* What the gate knows about an actor. */
struct gate_facts {
	bool known;
	bool staff_record;
	enum person_role role;
	char org[104];
	char country[4];
};

/* Runs a one-row query with integer parameters; *found tells whether a row came. */
static enum err
gate_query_ints(struct store *s, int stmt, const int64_t *args, int nargs, bool *found,
    int64_t *first)
{
	struct store_q *q;
	int i;

	*found = false;
	if ((q = store_prepare(s, &gate_sql[stmt])) == NULL)
		return store_done(NULL);
	for (i = 0; i < nargs; i++)
		store_bind_int(q, i + 1, args[i]);
	if (store_step(q) == STORE_ROW) {
		*found = true;
		if (first)
			*first = store_col_int(q, 0);
	}
	return store_done(q);
}

enum err
gate_granted(struct store *s, int64_t person, enum purpose pu, bool *ok)
{
	int64_t args[3] = {person, pu, time_now()}, role = 0;
	bool known;
	enum err e;

	*ok = false;
	if (person <= 0 || (unsigned)pu >= PURPOSE__MAX)
		return ERR_OK;
	if ((e = gate_query_ints(s, SQL_ACTOR, &person, 1, &known, &role)) != ERR_OK || !known)
		return e;
	if (role == ROLE_OWNER) {
		*ok = true;
		return ERR_OK;
	}
	if (role != ROLE_STAFF)
		return ERR_OK;
	return gate_query_ints(s, SQL_GRANT, args, 3, ok, NULL);
}

static enum err
gate_facts(struct store *s, int64_t person, struct gate_facts *f)
{
	struct store_q *q;
	int64_t role = 0;
	enum err e;

	memset(f, 0, sizeof(f[0]));
	if (person <= 0)
		return ERR_OK;
	if ((e = gate_query_ints(s, SQL_ACTOR, &person, 1, &f->known, &role)) != ERR_OK)
		return e;
	f->role = (enum person_role)role;
	if ((q = store_prepare(s, &gate_sql[SQL_STAFF])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, person);
	if (store_step(q) == STORE_ROW) {
		f->staff_record = true;
		str_copy(f->org, store_col_text(q, 0), sizeof(f->org));
		str_copy(f->country, store_col_text(q, 1), sizeof(f->country));
	}
	return store_done(q);
}

/* The decision, with a reason for the audit log. */
static enum err
gate_decide(struct store *s, const struct gate_actor *actor, const struct gate_facts *facts,
    enum purpose pu, const struct gate_field *f, bool *allow, const char **why)
{
	int64_t now = time_now(), args[3], count = 0;
	bool found;
	enum err e;

	*allow = false;
	*why = "no rule allows it";
	if ((unsigned)pu >= PURPOSE__MAX || (unsigned)f->cls >= FIELD__MAX)
		return ERR_OK;
	if (f->cls == FIELD_SECRET) {
		*why = "one-way secrets are compared, never opened";
		return ERR_OK;
	}
	if (actor->system) {
		if (pu == PURPOSE_DELIVERY && gate_delivery_field(f)) {
			*allow = true;
			*why = "delivery of mail the person asked for";
		}
		return ERR_OK;
	}
	if (!facts->known) {
		*why = "unknown actor";
		return ERR_OK;
	}
	if (pu == PURPOSE_SELF) {
		int64_t owner = gate_subject_person(f->subject);
		*allow = owner != 0 && owner == actor->person;
		*why = *allow ? "own data" : "self purpose on another person's data";
		return ERR_OK;
	}
	if (pu == PURPOSE_MODERATION) {
		if (f->site <= 0 || !gate_site_scoped(f->table) ||
		    (f->cls != FIELD_IP && f->cls != FIELD_EMAIL)) {
			*why = "moderation covers the email and IP of a site's own comments";
			return ERR_OK;
		}
		args[0] = actor->person;
		args[1] = f->site;
		args[2] = SITE_ROLE_ADMIN;
		if ((e = gate_query_ints(s, SQL_SITE_ADMIN, args, 3, &found, NULL)) != ERR_OK)
			return e;
		if (found || facts->role != ROLE_STAFF) {
			*allow = found;
			*why = found ? "admin of the site where the data was left"
				     : "not an admin of that site";
			return ERR_OK;
		}
		/* staff: rule 5 below, with a moderation grant */
	}
	if (pu == PURPOSE_FULFILMENT) {
		if (f->site <= 0 || !gate_order_table(f->table) ||
		    !(f->cls == FIELD_NAME || f->cls == FIELD_EMAIL || f->cls == FIELD_ADDRESS ||
			f->cls == FIELD_TEXT)) {
			*why = "fulfilment covers the customer fields of a site's own orders";
			return ERR_OK;
		}
		args[0] = actor->person;
		args[1] = f->site;
		args[2] = SITE_ROLE_ADMIN;
		if ((e = gate_query_ints(s, SQL_SITE_ADMIN, args, 3, &found, NULL)) != ERR_OK)
			return e;
		*allow = found;
		*why = found ? "admin of the site the order was placed on"
			     : "not an admin of that site";
		return ERR_OK;
	}
	if (pu == PURPOSE_LEGAL || pu == PURPOSE_DELIVERY) {
		*why = pu == PURPOSE_LEGAL ? "legal disclosures go through the register"
					   : "delivery is the system's purpose";
		return ERR_OK;
	}
	if (!(gate_purpose_classes(pu) & (1u << f->cls))) {
		*why = "that purpose does not need this kind of data";
		return ERR_OK;
	}
	if (facts->role == ROLE_OWNER) {
		*allow = true;
		*why = "owner, stated purpose";
		return ERR_OK;
	}
	if (facts->role != ROLE_STAFF) {
		*why = "members may read only their own data";
		return ERR_OK;
	}
	if (!facts->staff_record) {
		*why = "no staff record (organisation and country) on file";
		return ERR_OK;
	}
	args[0] = actor->person;
	args[1] = now;
	if ((e = gate_query_ints(s, SQL_AGREEMENT, args, 2, &found, &count)) != ERR_OK)
		return e;
	if (count == 0) {
		*why = "no signed confidentiality agreement on record";
		return ERR_OK;
	}
	args[1] = pu;
	args[2] = now;
	if ((e = gate_query_ints(s, SQL_GRANT, args, 3, &found, NULL)) != ERR_OK)
		return e;
	*allow = found;
	*why = found ? "staff: agreement and need-to-know grant" : "no unexpired grant for it";
	return ERR_OK;
}

bool
gate_allows(struct privacy *p, struct store *s, const struct gate_actor *actor,
    enum purpose pu, const struct gate_field *f)
{
	struct gate_facts facts;
	const char *why;
	bool allow = false;

	if (gate_facts(s, actor->person, &facts) != ERR_OK ||
	    gate_decide(s, actor, &facts, pu, f, &allow, &why) != ERR_OK)
		return false;
	return allow;
}

enum err
gate_read(struct privacy *p, struct store *s, const struct gate_actor *actor, enum purpose pu,
    const struct gate_field *f, struct buf *plain)
{
	struct audit_entry ae;
	struct gate_facts facts;
	char who[32], detail[160];
	const char *why = "";
	bool allow = false;
	enum err e;

	if ((e = store_begin(s)) != ERR_OK)
		return e;
	if ((e = gate_facts(s, actor->person, &facts)) != ERR_OK ||
	    (e = gate_decide(s, actor, &facts, pu, f, &allow, &why)) != ERR_OK)
		goto fail;
	if (actor->system)
		str_copy(who, "system", sizeof(who));
	else
		privacy_subject(actor->person, who);
	snprintf(detail, sizeof(detail), "%s.%s#%lld: %s", f->table, f->column, (long long)f->row,
	    why);
	memset(&ae, 0, sizeof(ae));
	ae.actor = who;
	ae.actor_role = actor->system ? "system" : facts.known ? person_role_name(facts.role) : "-";
	ae.actor_org = facts.org;
	ae.actor_country = facts.country;
	ae.subject = f->subject;
	ae.field_class = field_class_name(f->cls);
	ae.purpose = purpose_name(pu);
	ae.decision = allow ? "allow" : "deny";
	ae.detail = detail;
	if ((e = audit_append(p, s, &ae)) != ERR_OK)
		goto fail;
	if (allow && (e = vault_open_field(p, s, f->subject, f->table, f->column, f->row,
			  f->sealed, f->sealed_len, plain)) != ERR_OK)
		goto fail;
	if ((e = store_commit(s)) != ERR_OK)
		goto wipe;
	return allow ? ERR_OK : ERR_DENIED;
fail:
	store_rollback(s);
wipe:
	if (plain->data)
		sodium_memzero(plain->data, plain->len);
	buf_reset(plain);
	return e;
}
