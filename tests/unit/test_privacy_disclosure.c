/*
 * test_privacy_disclosure: the disclosure register (P14, B7) on both backends. Requests
 * are validated (requester and scope at their limits N and N+1); only an owner decides
 * (a member's or staff member's attempt is refused and audited); an unapproved or
 * refused request exports nothing; an approved one exports the subject's email and
 * writes exactly one audit entry per disclosed field (purpose legal, decision
 * "disclose", the request's id and basis in the detail); the gate still refuses
 * PURPOSE_LEGAL to everyone, even staff holding a legal grant; and the transparency
 * counts fall into the right half-year on both sides of a year boundary.
 */
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <unistd.h>

#include "privacy/privacy.h"
#include "store/store.h"
#include "testlib.h"

static int64_t
add_request(struct store *s, enum disclosure_basis basis, int64_t subject)
{
	char msg[128] = "";
	int64_t id = 0;

	if (disclosure_add(s, basis, "District Court, case 12/2026", subject, "account and email",
		&id, msg, sizeof(msg)) != ERR_OK)
		T_FAIL("disclosure_add: %s", msg);
	T_ASSERT(id > 0);
	return id;
}

/* The number of audit entries. */
static size_t
audit_count(struct privacy *p, struct store *s)
{
	struct arena *a = arena_new();
	struct audit_entry *v;
	size_t n = 0;

	T_EQ_INT(audit_list(p, s, a, NULL, &v, &n), ERR_OK);
	arena_free(a);
	return n;
}

static struct disclosure
get(struct store *s, struct arena *a, int64_t id)
{
	struct disclosure d;

	T_EQ_INT(disclosure_get(s, a, id, &d), ERR_OK);
	return d;
}

static void
set_received(struct store *s, int64_t id, int64_t at)
{
	static const struct store_stmt set = {"t_set_received",
	    "UPDATE disclosures SET received_at = ? WHERE id = ?"};
	struct store_q *q = store_prepare(s, &set);

	T_ASSERT(q != NULL);
	store_bind_int(q, 1, at);
	store_bind_int(q, 2, id);
	store_step(q);
	T_EQ_INT(store_done(q), ERR_OK);
}

/* Exports id and checks the bundle and the audit entries it left. */
static void
export_ok(struct privacy *p, struct store *s, int64_t id, int64_t subject, const char *email)
{
	struct arena *a = arena_new();
	struct audit_entry *v;
	struct buf out;
	json_error_t jerr;
	json_t *root, *fields;
	char detail[64], subj[32];
	size_t before = audit_count(p, s), n, i, emails = 0;

	buf_init(&out);
	T_EQ_INT(disclosure_export(p, s, id, &out), ERR_OK);
	root = json_loadb(out.data, out.len, 0, &jerr);
	if (root == NULL)
		T_FAIL("the bundle is not JSON: %s", jerr.text);
	T_EQ_STR(json_string_value(json_object_get(root, "format")), "candor-disclosure-1");
	T_EQ_INT(json_integer_value(json_object_get(json_object_get(root, "request"), "id")), id);
	fields = json_object_get(json_object_get(root, "subject"), "fields");
	T_EQ_STR(json_string_value(json_object_get(fields, "email")), email);
	T_EQ_INT(json_object_size(fields), 5);
	json_decref(root);

	T_EQ_INT(audit_list(p, s, a, NULL, &v, &n), ERR_OK);
	T_EQ_INT(n, before + 5); /* username, role, email_verified, created_at, email */
	snprintf(detail, sizeof(detail), "disclosure #%lld (subpoena): ", (long long)id);
	snprintf(subj, sizeof(subj), "user:%lld", (long long)subject);
	for (i = before; i < n; i++) {
		T_EQ_STR(v[i].purpose, "legal");
		T_EQ_STR(v[i].decision, "disclose");
		T_EQ_STR(v[i].subject, subj);
		T_EQ_STR(v[i].actor_role, "owner");
		T_ASSERT(strncmp(v[i].detail, detail, strlen(detail)) == 0);
		T_NOT_CONTAINS(v[i].detail, email);
		if (strcmp(v[i].field_class, "email") == 0) {
			emails++;
			T_CONTAINS(v[i].detail, "people.email_sealed#");
		}
	}
	T_EQ_INT(emails, 1);
	sodium_memzero(out.data, out.len);
	buf_free(&out);
	arena_free(a);
}

int
main(void)
{
	static const struct store_stmt drop_person = {"t_drop_person",
	    "DELETE FROM people WHERE id = ?"};
	char msg[256], text[1100];
	struct config cfg;
	struct privacy *p;
	struct store *s;
	struct store_q *q;
	struct arena *a;
	struct disclosure d;
	struct disclosure_count *c;
	struct buf out, plain, sealed;
	int64_t olivia, sam, alice, bob, carl, r1, r2, r3, r4, r5, r6, r7, id, answered;
	size_t n, before;

	T_ASSERT(sodium_init() >= 0);
	t_privacy_config(&cfg, NULL);
	s = t_privacy_store(&cfg);
	p = t_privacy_open(&cfg);
	T_EQ_INT(disclosure_migrate(s), ERR_OK);
	T_EQ_INT(disclosure_migrate(s), ERR_OK); /* idempotent */
	a = arena_new();
	buf_init(&out);
	buf_init(&plain);
	buf_init(&sealed);

	olivia = t_person(p, s, "olivia", ROLE_OWNER);
	sam = t_person(p, s, "sam", ROLE_STAFF);
	alice = t_person(p, s, "alice", ROLE_MEMBER);
	bob = t_person(p, s, "bob", ROLE_MEMBER);
	carl = t_person(p, s, "carl", ROLE_MEMBER);

	/* an empty register counts nothing */
	T_EQ_INT(disclosure_counts(s, a, &c, &n), ERR_OK);
	T_EQ_INT(n, 0);

	/* names of the bases round-trip */
	{
		enum disclosure_basis b;
		T_ASSERT(disclosure_basis_parse("court-order", &b) && b == BASIS_COURT_ORDER);
		T_ASSERT(disclosure_basis_parse("protect-rights", &b) && b == BASIS_PROTECT_RIGHTS);
		T_ASSERT(!disclosure_basis_parse("curiosity", &b));
		T_EQ_STR(disclosure_basis_name(BASIS_GOVERNMENT), "government");
	}

	/* validation: limits at N and N+1, control characters, blank text, unknown person */
	memset(text, 'x', sizeof(text));
	text[LIMIT_DISCLOSURE_REQUESTER] = '\0';
	T_EQ_INT(disclosure_add(s, BASIS_SUBPOENA, text, alice, "scope", &id, msg, sizeof(msg)),
	    ERR_OK);
	text[LIMIT_DISCLOSURE_REQUESTER] = 'x';
	text[LIMIT_DISCLOSURE_REQUESTER + 1] = '\0';
	T_EQ_INT(disclosure_add(s, BASIS_SUBPOENA, text, alice, "scope", &id, msg, sizeof(msg)),
	    ERR_INVAL);
	memset(text, 'y', sizeof(text));
	text[LIMIT_DISCLOSURE_SCOPE] = '\0';
	T_EQ_INT(disclosure_add(s, BASIS_SUBPOENA, "Court", alice, text, &id, msg, sizeof(msg)),
	    ERR_OK);
	text[LIMIT_DISCLOSURE_SCOPE] = 'y';
	text[LIMIT_DISCLOSURE_SCOPE + 1] = '\0';
	T_EQ_INT(disclosure_add(s, BASIS_SUBPOENA, "Court", alice, text, &id, msg, sizeof(msg)),
	    ERR_INVAL);
	T_EQ_INT(disclosure_add(s, BASIS_SUBPOENA, "", alice, "s", &id, msg, sizeof(msg)), ERR_INVAL);
	T_EQ_INT(disclosure_add(s, BASIS_SUBPOENA, "   ", alice, "s", &id, msg, sizeof(msg)),
	    ERR_INVAL);
	T_EQ_INT(disclosure_add(s, BASIS_SUBPOENA, "Court\nX", alice, "s", &id, msg, sizeof(msg)),
	    ERR_INVAL);
	T_EQ_INT(disclosure_add(s, BASIS_SUBPOENA, "Court", alice, "s\x1b[2J", &id, msg,
		     sizeof(msg)),
	    ERR_INVAL);
	T_EQ_INT(disclosure_add(s, BASIS_SUBPOENA, "Court \xff", alice, "s", &id, msg, sizeof(msg)),
	    ERR_INVAL);
	T_EQ_INT(disclosure_add(s, BASIS__MAX, "Court", alice, "s", &id, msg, sizeof(msg)),
	    ERR_INVAL);
	T_EQ_INT(disclosure_add(s, BASIS_SUBPOENA, "Court", 999999, "s", &id, msg, sizeof(msg)),
	    ERR_NOTFOUND);
	T_EQ_INT(disclosure_add(s, BASIS_SUBPOENA, "Gericht München", alice, "Konto", &id, msg,
		     sizeof(msg)),
	    ERR_OK); /* UTF-8 is fine */
	/* the three accepted above stay pending; they count as received below */

	/* r1: refused to export while undecided */
	r1 = add_request(s, BASIS_SUBPOENA, alice);
	before = audit_count(p, s);
	T_EQ_INT(disclosure_export(p, s, r1, &out), ERR_DENIED);
	T_EQ_INT(out.len, 0);
	T_EQ_INT(audit_count(p, s), before);
	T_EQ_INT(get(s, a, r1).answered_at, 0);
	T_EQ_INT(disclosure_export(p, s, 999999, &out), ERR_NOTFOUND);

	/* only an owner decides; the refused attempts are audited */
	T_EQ_INT(disclosure_approve(p, s, r1, bob), ERR_DENIED);
	T_EQ_INT(disclosure_approve(p, s, r1, sam), ERR_DENIED);
	T_EQ_INT(disclosure_refuse(p, s, r1, alice), ERR_DENIED);
	T_EQ_INT(disclosure_approve(p, s, r1, 999999), ERR_DENIED);
	T_EQ_INT(audit_count(p, s), before + 4);
	{
		struct audit_entry *v;
		T_EQ_INT(audit_list(p, s, a, NULL, &v, &n), ERR_OK);
		T_EQ_STR(v[before].decision, "deny");
		T_EQ_STR(v[before].purpose, "legal");
		T_EQ_STR(v[before].actor_role, "member");
		T_EQ_STR(v[before + 1].actor_role, "staff");
	}
	d = get(s, a, r1);
	T_EQ_INT(d.approved_by, 0);
	T_ASSERT(!d.refused);
	T_EQ_INT(disclosure_export(p, s, r1, &out), ERR_DENIED);
	T_EQ_INT(disclosure_approve(p, s, 999999, olivia), ERR_NOTFOUND);
	T_EQ_INT(disclosure_approve(p, s, r1, olivia), ERR_OK);
	T_EQ_INT(disclosure_approve(p, s, r1, olivia), ERR_CONFLICT);
	d = get(s, a, r1);
	T_EQ_INT(d.approved_by, olivia);
	T_ASSERT(d.approved_at > 0);
	T_EQ_STR(d.subject_username, "alice");

	/* the export: the email, one audit entry per field, the request answered */
	export_ok(p, s, r1, alice, "alice@example.test");
	answered = get(s, a, r1).answered_at;
	T_ASSERT(answered > 0);
	export_ok(p, s, r1, alice, "alice@example.test"); /* again: audited again */
	T_EQ_INT(get(s, a, r1).answered_at, answered);     /* the first answer's time stays */
	T_EQ_INT(disclosure_refuse(p, s, r1, olivia), ERR_CONFLICT); /* answered: too late */

	/* r2 refused before approval; r3 refused after approval, before the export */
	r2 = add_request(s, BASIS_SUBPOENA, bob);
	T_EQ_INT(disclosure_refuse(p, s, r2, olivia), ERR_OK);
	T_EQ_INT(disclosure_approve(p, s, r2, olivia), ERR_CONFLICT);
	T_EQ_INT(disclosure_export(p, s, r2, &out), ERR_DENIED);
	r3 = add_request(s, BASIS_SUBPOENA, bob);
	T_EQ_INT(disclosure_approve(p, s, r3, olivia), ERR_OK);
	T_EQ_INT(disclosure_refuse(p, s, r3, olivia), ERR_OK);
	T_EQ_INT(disclosure_refuse(p, s, r3, olivia), ERR_CONFLICT);
	before = audit_count(p, s);
	T_EQ_INT(disclosure_export(p, s, r3, &out), ERR_DENIED);
	T_EQ_INT(out.len, 0);
	T_EQ_INT(audit_count(p, s), before);
	T_ASSERT(get(s, a, r3).refused);

	/* r4 answered (court order), r5 pending (government), r6 answered (subpoena) */
	r4 = add_request(s, BASIS_COURT_ORDER, bob);
	T_EQ_INT(disclosure_approve(p, s, r4, olivia), ERR_OK);
	T_EQ_INT(disclosure_export(p, s, r4, &out), ERR_OK);
	T_CONTAINS(out.data, "bob@example.test");
	buf_reset(&out);
	r5 = add_request(s, BASIS_GOVERNMENT, alice);
	r6 = add_request(s, BASIS_SUBPOENA, bob);
	T_EQ_INT(disclosure_approve(p, s, r6, olivia), ERR_OK);
	T_EQ_INT(disclosure_export(p, s, r6, &out), ERR_OK);
	buf_reset(&out);

	/* r7: the account is gone before the export: nothing is held, nothing opened */
	r7 = add_request(s, BASIS_PROTECT_RIGHTS, carl);
	T_EQ_INT(disclosure_approve(p, s, r7, olivia), ERR_OK);
	q = store_prepare(s, &drop_person);
	T_ASSERT(q != NULL);
	store_bind_int(q, 1, carl);
	store_step(q);
	T_EQ_INT(store_done(q), ERR_OK);
	before = audit_count(p, s);
	T_EQ_INT(disclosure_export(p, s, r7, &out), ERR_OK);
	T_CONTAINS(out.data, "\"held\": false");
	T_NOT_CONTAINS(out.data, "carl@");
	T_EQ_INT(audit_count(p, s), before);
	T_EQ_STR(get(s, a, r7).subject_username, "");
	buf_reset(&out);

	/* the gate refuses the legal purpose to everyone, even staff with a legal grant: legal
	 * reads go through the register */
	T_EQ_INT(staff_set(s, sam, "Edit House Ltd", "PT"), ERR_OK);
	T_EQ_INT(staff_agreement(s, sam, "2026-1", time_now() - 86400), ERR_OK);
	T_EQ_INT(staff_grant(s, sam, PURPOSE_LEGAL, time_now() + 86400), ERR_OK);
	{
		static const struct store_stmt get_email = {"t_email",
		    "SELECT email_sealed FROM people WHERE id = ?"};
		const int64_t actors[] = {olivia, sam, alice, bob, 0};
		struct gate_field f;
		const void *b;
		size_t k, blen;
		q = store_prepare(s, &get_email);
		T_ASSERT(q != NULL);
		store_bind_int(q, 1, alice);
		T_EQ_INT(store_step(q), STORE_ROW);
		b = store_col_blob(q, 0, &blen);
		buf_append(&sealed, b, blen);
		T_EQ_INT(store_done(q), ERR_OK);
		f = (struct gate_field){arena_printf(a, "user:%lld", (long long)alice), alice, 0,
		    FIELD_EMAIL, "people", "email_sealed", alice, sealed.data, sealed.len};
		for (k = 0; k < COUNTOF(actors); k++) {
			struct gate_actor act = {actors[k], actors[k] == 0};
			T_ASSERT(!gate_allows(p, s, &act, PURPOSE_LEGAL, &f));
			buf_reset(&plain);
			T_EQ_INT(gate_read(p, s, &act, PURPOSE_LEGAL, &f, &plain), ERR_DENIED);
			T_EQ_INT(plain.len, 0);
		}
	}

	/* the transparency counts across a year boundary (UTC) */
	set_received(s, r1, 1767225599); /* 2025-12-31 23:59:59: 2025 H2, answered */
	set_received(s, r6, 1751328000); /* 2025-07-01 00:00:00: 2025 H2, answered */
	set_received(s, r2, 1767225600); /* 2026-01-01 00:00:00: 2026 H1, refused */
	set_received(s, r3, 1782863999); /* 2026-06-30 23:59:59: 2026 H1, refused */
	set_received(s, r4, 1782864000); /* 2026-07-01 00:00:00: 2026 H2, answered */
	set_received(s, r5, 1782864000); /* 2026 H2, pending */
	set_received(s, r7, 1782864001); /* 2026 H2, answered (nothing held) */
	/* the three from the validation block: 2024 H1 */
	{
		struct disclosure *list;
		size_t k, moved = 0;
		T_EQ_INT(disclosure_list(s, a, &list, &n), ERR_OK);
		T_EQ_INT(n, 10);
		T_EQ_INT(list[0].id, r7); /* newest first */
		for (k = 0; k < n; k++)
			if (list[k].id < r1) {
				set_received(s, list[k].id, 1704067200 + (int64_t)k); /* 2024-01-01 */
				moved++;
			}
		T_EQ_INT(moved, 3);
	}
	T_EQ_INT(disclosure_counts(s, a, &c, &n), ERR_OK);
	{
		static const struct disclosure_count want[] = {
		    {2026, 2, BASIS_COURT_ORDER, 1, 1},
		    {2026, 2, BASIS_GOVERNMENT, 1, 0},
		    {2026, 2, BASIS_PROTECT_RIGHTS, 1, 1},
		    {2026, 1, BASIS_SUBPOENA, 2, 0},
		    {2025, 2, BASIS_SUBPOENA, 2, 2},
		    {2024, 1, BASIS_SUBPOENA, 3, 0},
		};
		size_t k;
		T_EQ_INT(n, COUNTOF(want));
		for (k = 0; k < n; k++) {
			if (c[k].year != want[k].year || c[k].half != want[k].half ||
			    c[k].basis != want[k].basis || c[k].received != want[k].received ||
			    c[k].answered != want[k].answered)
				T_FAIL("count %zu: %d H%d %s %lld/%lld, want %d H%d %s %lld/%lld", k,
				    c[k].year, c[k].half, disclosure_basis_name(c[k].basis),
				    (long long)c[k].received, (long long)c[k].answered, want[k].year,
				    want[k].half, disclosure_basis_name(want[k].basis),
				    (long long)want[k].received, (long long)want[k].answered);
		}
	}
	T_EQ_INT(audit_verify(p, s, &(int64_t){0}, msg, sizeof(msg)), ERR_OK);

	buf_free(&out);
	buf_free(&plain);
	buf_free(&sealed);
	arena_free(a);
	privacy_free(p);
	store_close(s);
	printf("disclosure register: decisions, exports, gate and counts checked\n");
	return 0;
}
