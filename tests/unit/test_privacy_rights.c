/*
 * test_privacy_rights: a person's export and erasure, on both backends.
 *   export   the JSON parses, holds the person's email (opened as the person, audited),
 *            their site roles, and their audit history including a staff member's read
 *            with organisation and country; a staff account's export holds its record;
 *   erase    afterwards people_find is ERR_NOTFOUND, the old sealed email no longer opens
 *            through the gate (not even for the owner) nor through the vault on a kept
 *            copy, the site roles are gone, another person's data is untouched, the
 *            "erase" entry is in the log and audit verify still passes.
 */
#include <jansson.h>
#include <sodium.h>

#include "privacy/privacy_int.h"
#include "store/store.h"
#include "testlib.h"

static const struct store_stmt t_count_roles = {"t_count_roles",
    "SELECT COUNT(*) FROM site_roles WHERE person_id = ?"};
static const struct store_stmt t_count_key = {"t_count_key",
    "SELECT COUNT(*) FROM vault_keys WHERE subject = ?"};

static int64_t
count(struct store *s, const struct store_stmt *st, int64_t id, const char *text)
{
	struct store_q *q = store_prepare(s, st);
	int64_t n;

	T_ASSERT(q != NULL);
	if (text)
		store_bind_text(q, 1, text);
	else
		store_bind_int(q, 1, id);
	T_EQ_INT(store_step(q), STORE_ROW);
	n = store_col_int(q, 0);
	T_EQ_INT(store_done(q), ERR_OK);
	return n;
}

static struct gate_field
email_field(const char *subject, int64_t id, const struct buf *sealed)
{
	struct gate_field f;

	memset(&f, 0, sizeof(f));
	f.subject = subject;
	f.subject_person = id;
	f.cls = FIELD_EMAIL;
	f.table = "people";
	f.column = "email_sealed";
	f.row = id;
	f.sealed = sealed->data;
	f.sealed_len = sealed->len;
	return f;
}

/* The export of id, parsed. */
static json_t *
export(struct privacy *p, struct store *s, int64_t id)
{
	struct buf out;
	json_error_t jerr;
	json_t *root;

	buf_init(&out);
	T_EQ_INT(rights_export(p, s, id, NULL, 0, &out), ERR_OK);
	T_ASSERT(out.len > 0);
	if ((root = json_loadb(out.data, out.len, 0, &jerr)) == NULL)
		T_FAIL("export is not JSON: %s (line %d)", jerr.text, jerr.line);
	buf_free(&out);
	return root;
}

static const char *
jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int
main(void)
{
	struct config cfg;
	struct privacy *p;
	struct store *s;
	struct arena *ar;
	struct person found;
	struct audit_entry *log;
	struct buf alice_sealed, bob_sealed, plain;
	struct gate_field f;
	struct gate_actor owner_a, staff_a, alice_a;
	json_t *root, *account, *audit, *e, *roles, *staff;
	int64_t olivia, sam, alice, bob, now = time_now(), bad = 0, day = 86400;
	char alice_subject[32], bob_subject[32], msg[256];
	bool staff_read = false, self_read = false, exported = false, erased = false;
	size_t n = 0, i;

	t_privacy_config(&cfg, NULL);
	s = t_privacy_store(&cfg);
	p = t_privacy_open(&cfg);
	T_ASSERT((ar = arena_new()) != NULL);

	olivia = t_person(p, s, "olivia", ROLE_OWNER);
	sam = t_person(p, s, "sam", ROLE_STAFF);
	alice = t_person(p, s, "alice", ROLE_MEMBER);
	bob = t_person(p, s, "bob", ROLE_MEMBER);
	T_EQ_INT(staff_set(s, sam, "Edit House Ltd", "PT"), ERR_OK);
	T_EQ_INT(staff_agreement(s, sam, "2026-1", now - 30 * day), ERR_OK);
	T_EQ_INT(staff_grant(s, sam, PURPOSE_SUPPORT, now + day), ERR_OK);
	T_EQ_INT(people_site_role(s, alice, 3, SITE_ROLE_ADMIN, true), ERR_OK);
	snprintf(alice_subject, sizeof(alice_subject), "user:%lld", (long long)alice);
	snprintf(bob_subject, sizeof(bob_subject), "user:%lld", (long long)bob);

	buf_init(&alice_sealed);
	buf_init(&bob_sealed);
	buf_init(&plain);
	t_sealed_email(s, alice, &alice_sealed);
	t_sealed_email(s, bob, &bob_sealed);

	/* sam reads alice's email for support: that read must show in her export */
	staff_a = (struct gate_actor){sam, false};
	f = email_field(alice_subject, alice, &alice_sealed);
	T_EQ_INT(gate_read(p, s, &staff_a, PURPOSE_SUPPORT, &f, &plain), ERR_OK);
	T_EQ_STR(plain.data, "alice@example.test");
	buf_reset(&plain);

	/* ---- export ---- */
	root = export(p, s, alice);
	T_EQ_STR(jstr(root, "format"), "candor-export-1");
	T_EQ_STR(jstr(root, "subject"), alice_subject);
	account = json_object_get(root, "account");
	T_EQ_INT(json_integer_value(json_object_get(account, "id")), alice);
	T_EQ_STR(jstr(account, "username"), "alice");
	T_EQ_STR(jstr(account, "role"), "member");
	T_EQ_STR(jstr(account, "email"), "alice@example.test");
	T_ASSERT(json_is_true(json_object_get(account, "email_verified")));
	T_ASSERT(jstr(account, "created_at") != NULL);
	roles = json_object_get(root, "site_roles");
	T_EQ_INT(json_array_size(roles), 1);
	T_EQ_INT(json_integer_value(json_object_get(json_array_get(roles, 0), "site_id")), 3);
	T_EQ_STR(jstr(json_array_get(roles, 0), "role"), "admin");
	T_ASSERT(json_is_null(json_object_get(root, "staff")));
	audit = json_object_get(root, "audit");
	T_ASSERT(json_is_array(audit));
	json_array_foreach(audit, i, e) {
		T_ASSERT(json_object_get(e, "subject") == NULL); /* it is the export's own */
		if (strcmp(jstr(e, "decision"), "allow") == 0 &&
		    strcmp(jstr(e, "purpose"), "support") == 0) {
			char who[32];
			snprintf(who, sizeof(who), "user:%lld", (long long)sam);
			T_EQ_STR(jstr(e, "actor"), who);
			T_EQ_STR(jstr(e, "actor_role"), "staff");
			T_EQ_STR(jstr(e, "actor_org"), "Edit House Ltd");
			T_EQ_STR(jstr(e, "actor_country"), "PT");
			T_EQ_STR(jstr(e, "field_class"), "email");
			T_ASSERT(jstr(e, "at") != NULL && jstr(e, "detail") != NULL);
			staff_read = true;
		}
		if (strcmp(jstr(e, "decision"), "allow") == 0 &&
		    strcmp(jstr(e, "purpose"), "self") == 0 &&
		    strcmp(jstr(e, "actor"), alice_subject) == 0)
			self_read = true; /* the export's own read of the email */
		if (strcmp(jstr(e, "decision"), "export") == 0)
			exported = true;
	}
	T_ASSERT(staff_read);
	T_ASSERT(self_read);
	T_ASSERT(exported);
	json_decref(root);

	/* the same history through rights_accesses: staff read, self read, export */
	T_EQ_INT(rights_accesses(p, s, ar, alice, &log, &n), ERR_OK);
	T_EQ_INT(n, 3);
	T_EQ_STR(log[0].actor_org, "Edit House Ltd");
	T_EQ_STR(log[2].decision, "export");

	/* a staff account's export holds its record, agreements and grants */
	root = export(p, s, sam);
	staff = json_object_get(root, "staff");
	T_EQ_STR(jstr(staff, "org"), "Edit House Ltd");
	T_EQ_STR(jstr(staff, "country"), "PT");
	T_EQ_INT(json_array_size(json_object_get(staff, "agreements")), 1);
	T_EQ_STR(jstr(json_array_get(json_object_get(staff, "agreements"), 0), "version"),
	    "2026-1");
	T_EQ_STR(jstr(json_array_get(json_object_get(staff, "grants"), 0), "purpose"), "support");
	T_EQ_STR(jstr(json_object_get(root, "account"), "email"), "sam@example.test");
	json_decref(root);

	/* nobody is nobody's export */
	{
		struct buf out;
		buf_init(&out);
		T_EQ_INT(rights_export(p, s, 999999, NULL, 0, &out), ERR_NOTFOUND);
		T_EQ_INT(out.len, 0);
		buf_free(&out);
	}

	/* ---- erase ---- */
	T_EQ_INT(rights_erase(p, s, alice), ERR_OK);
	T_EQ_INT(people_find(s, ar, "alice", &found), ERR_NOTFOUND);
	T_EQ_INT(people_find_by_email(p, s, ar, "alice@example.test", &found), ERR_NOTFOUND);
	T_EQ_INT(count(s, &t_count_roles, alice, NULL), 0);
	T_EQ_INT(count(s, &t_count_key, 0, alice_subject), 0);
	{
		struct buf out;
		buf_init(&out);
		T_EQ_INT(rights_export(p, s, alice, NULL, 0, &out), ERR_NOTFOUND);
		buf_free(&out);
	}
	/* the owner, whom the gate allows a support read, gets nothing from the old bytes */
	owner_a = (struct gate_actor){olivia, false};
	f = email_field(alice_subject, alice, &alice_sealed);
	{
		enum err r = gate_read(p, s, &owner_a, PURPOSE_SUPPORT, &f, &plain);
		T_ASSERT(r == ERR_NOTFOUND || r == ERR_CRYPTO);
		T_EQ_INT(plain.len, 0);
	}
	/* nor does alice's old id, nor sam */
	alice_a = (struct gate_actor){alice, false};
	T_ASSERT(gate_read(p, s, &alice_a, PURPOSE_SELF, &f, &plain) != ERR_OK);
	T_ASSERT(gate_read(p, s, &staff_a, PURPOSE_SUPPORT, &f, &plain) != ERR_OK);
	T_EQ_INT(plain.len, 0);
	/* a kept copy of the sealed bytes (a backup) does not open: the key is gone */
	{
		enum err r = vault_open_field(p, s, alice_subject, "people", "email_sealed", alice,
		    alice_sealed.data, alice_sealed.len, &plain);
		T_ASSERT(r == ERR_NOTFOUND || r == ERR_CRYPTO);
		T_EQ_INT(plain.len, 0);
	}
	/* a second erasure finds nobody */
	T_EQ_INT(rights_erase(p, s, alice), ERR_NOTFOUND);

	/* bob is untouched */
	T_EQ_INT(people_find(s, ar, "bob", &found), ERR_OK);
	f = email_field(bob_subject, bob, &bob_sealed);
	T_EQ_INT(gate_read(p, s, &owner_a, PURPOSE_SUPPORT, &f, &plain), ERR_OK);
	T_EQ_STR(plain.data, "bob@example.test");
	buf_reset(&plain);

	/* the log still tells alice's story, ending with her erasure, and is intact */
	T_EQ_INT(rights_accesses(p, s, ar, alice, &log, &n), ERR_OK);
	T_ASSERT(n >= 4);
	for (i = 0; i < n; i++)
		if (strcmp(log[i].decision, "erase") == 0) {
			T_EQ_STR(log[i].actor, alice_subject);
			T_EQ_STR(log[i].purpose, "self");
			T_NOT_CONTAINS(log[i].detail, "alice");
			erased = true;
		}
	T_ASSERT(erased);
	if (audit_verify(p, s, &bad, msg, sizeof(msg)) != ERR_OK)
		T_FAIL("audit verify after erase: %s (entry %lld)", msg, (long long)bad);

	/* erasure by another actor names them; an unknown actor erases nobody */
	{
		struct gate_actor nobody = {424242, false};
		struct gate_actor staffer = {sam, false};
		T_EQ_INT(rights_erase_as(p, s, bob, &nobody, "support", "test"), ERR_DENIED);
		T_EQ_INT(people_find(s, ar, "bob", &found), ERR_OK);
		/* a member or staff member erases nobody but themself */
		T_EQ_INT(rights_erase_as(p, s, olivia, &staffer, "support", "test"), ERR_DENIED);
		T_EQ_INT(rights_erase_as(p, s, bob, &staffer, "support", "test"), ERR_DENIED);
		T_EQ_INT(people_find(s, ar, "bob", &found), ERR_OK);
		T_EQ_INT(people_find(s, ar, "olivia", &found), ERR_OK);
		T_EQ_INT(rights_erase_as(p, s, bob, &owner_a, "support", "asked by phone"), ERR_OK);
		T_EQ_INT(rights_accesses(p, s, ar, bob, &log, &n), ERR_OK);
		T_ASSERT(n >= 1);
		T_EQ_STR(log[n - 1].decision, "erase");
		T_EQ_STR(log[n - 1].actor_role, "owner");
	}
	T_EQ_INT(audit_verify(p, s, &bad, msg, sizeof(msg)), ERR_OK);

	buf_free(&alice_sealed);
	buf_free(&bob_sealed);
	buf_free(&plain);
	arena_free(ar);
	privacy_free(p);
	store_close(s);
	printf("test_privacy_rights (%s): ok\n", t_backend());
	return 0;
}
