/*
 * test_privacy_gate: the gate matrix on both backends. Every actor kind (owner, staff
 * with and without agreement, with an expired grant, site admins of this and of another
 * site, the person, another member, the system, an unknown id, staff with a moderation
 * grant, who reads comments' email and IP on any site and nothing else) x every purpose x the
 * classes of two fields (a member's email; a commenter's IP left on site 1). Each cell's
 * decision is checked through gate_allows and gate_read, and every gate_read leaves
 * exactly one audit entry with that decision. The system's one text field, a queued
 * message's sealed body (mail_outbox.body_sealed), opens for delivery only.
 */
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privacy/privacy.h"
#include "store/store.h"
#include "testlib.h"

enum actor {
	A_OWNER,
	A_STAFF_OK,
	A_STAFF_NO_AGREEMENT,
	A_STAFF_EXPIRED,
	A_STAFF_NO_RECORD,
	A_ADMIN_SITE1,
	A_ADMIN_SITE2,
	A_ALICE,
	A_BOB,
	A_SYSTEM,
	A_UNKNOWN,
	A_STAFF_MOD, /* agreement + moderation grant (rule 5 reaches moderation, issue 6) */
	A__MAX
};

static const char *const actor_names[A__MAX] = {"owner", "staff_ok", "staff_no_agreement",
    "staff_expired", "staff_no_record", "admin_site1", "admin_site2", "alice", "bob", "system", "unknown",
    "staff_moderation"};

/* The classes each staff/owner purpose reaches, written out again here. */
static bool
class_in(enum purpose pu, enum field_class c)
{
	switch (pu) {
	case PURPOSE_SUPPORT:
		return c == FIELD_EMAIL || c == FIELD_NAME || c == FIELD_TEXT;
	case PURPOSE_BILLING:
		return c == FIELD_EMAIL || c == FIELD_NAME || c == FIELD_ADDRESS || c == FIELD_PAYMENT;
	case PURPOSE_SECURITY:
		return c == FIELD_EMAIL || c == FIELD_IP;
	default:
		return false;
	}
}

/*
 * The expected decision, written out independently of gate.c. Fields: 0 alice's own
 * record (people, no site); 1 a commenter's record on site 1 (comments); 2 alice's record
 * again, but the caller claims site 1 and that it is bob's (the gate must not believe it).
 */
static bool
expected(enum actor a, enum purpose pu, int field, enum field_class c)
{
	if (c == FIELD_SECRET)
		return false; /* never opened, by anyone */
	switch (a) {
	case A_SYSTEM:
		return pu == PURPOSE_DELIVERY && c == FIELD_EMAIL;
	case A_ALICE:
		return pu == PURPOSE_SELF && field != 1;
	case A_ADMIN_SITE1:
		return pu == PURPOSE_MODERATION && field == 1 && (c == FIELD_IP || c == FIELD_EMAIL);
	case A_OWNER:
		return class_in(pu, c);
	case A_STAFF_OK: /* agreement + support grant only */
		return pu == PURPOSE_SUPPORT && class_in(pu, c);
	case A_STAFF_MOD: /* a comment's email and IP on any site, nothing else */
		return pu == PURPOSE_MODERATION && field == 1 && (c == FIELD_IP || c == FIELD_EMAIL);
	default:
		return false;
	}
}

int
main(void)
{
	struct config cfg;
	struct privacy *p;
	struct store *s;
	struct arena *ar;
	struct audit_entry *log;
	struct buf sealed_email, sealed_ip, plain;
	struct gate_field fields[3];
	int64_t id[A__MAX], day = 86400, now = time_now();
	char msg[256];
	size_t nlog = 0, before;
	enum err e;
	int a, pu, k, c;

	T_ASSERT(sodium_init() >= 0);
	t_privacy_config(&cfg, NULL);
	s = t_privacy_store(&cfg);
	p = t_privacy_open(&cfg);

	id[A_OWNER] = t_person(p, s, "olivia", ROLE_OWNER);
	id[A_STAFF_OK] = t_person(p, s, "sam", ROLE_STAFF);
	id[A_STAFF_NO_AGREEMENT] = t_person(p, s, "nora", ROLE_STAFF);
	id[A_STAFF_EXPIRED] = t_person(p, s, "edgar", ROLE_STAFF);
	id[A_STAFF_NO_RECORD] = t_person(p, s, "nils", ROLE_STAFF);
	id[A_ADMIN_SITE1] = t_person(p, s, "adam", ROLE_MEMBER);
	id[A_ADMIN_SITE2] = t_person(p, s, "beth", ROLE_MEMBER);
	id[A_ALICE] = t_person(p, s, "alice", ROLE_MEMBER);
	id[A_BOB] = t_person(p, s, "bob", ROLE_MEMBER);
	id[A_SYSTEM] = 0;
	id[A_UNKNOWN] = 999999;
	id[A_STAFF_MOD] = t_person(p, s, "mona", ROLE_STAFF);
	T_EQ_INT(staff_set(s, id[A_STAFF_MOD], "Mod Co", "IE"), ERR_OK);
	T_EQ_INT(staff_agreement(s, id[A_STAFF_MOD], "2026-1", now - 30 * day), ERR_OK);
	T_EQ_INT(staff_grant(s, id[A_STAFF_MOD], PURPOSE_MODERATION, now + day), ERR_OK);
	T_EQ_INT(staff_set(s, id[A_STAFF_OK], "Edit House Ltd", "PT"), ERR_OK);
	T_EQ_INT(staff_agreement(s, id[A_STAFF_OK], "2026-1", now - 30 * day), ERR_OK);
	T_EQ_INT(staff_grant(s, id[A_STAFF_OK], PURPOSE_SUPPORT, now + day), ERR_OK);
	T_EQ_INT(staff_grant(s, id[A_STAFF_NO_AGREEMENT], PURPOSE_SUPPORT, now + day), ERR_OK);
	T_EQ_INT(staff_agreement(s, id[A_STAFF_EXPIRED], "2026-1", now - 30 * day), ERR_OK);
	T_EQ_INT(staff_grant(s, id[A_STAFF_EXPIRED], PURPOSE_SUPPORT, now - 1), ERR_OK);
	T_EQ_INT(staff_set(s, id[A_STAFF_EXPIRED], "Edit House Ltd", "PT"), ERR_OK);
	T_EQ_INT(staff_set(s, id[A_STAFF_NO_AGREEMENT], "Edit House Ltd", "PT"), ERR_OK);
	/* agreement and grant, but no staff record: the audit could not say where they are */
	T_EQ_INT(staff_agreement(s, id[A_STAFF_NO_RECORD], "2026-1", now - 30 * day), ERR_OK);
	T_EQ_INT(staff_grant(s, id[A_STAFF_NO_RECORD], PURPOSE_SUPPORT, now + day), ERR_OK);
	T_EQ_INT(people_site_role(s, id[A_ADMIN_SITE1], 1, SITE_ROLE_ADMIN, true), ERR_OK);
	T_EQ_INT(people_site_role(s, id[A_ADMIN_SITE2], 2, SITE_ROLE_ADMIN, true), ERR_OK);
	T_EQ_INT(people_site_role(s, id[A_BOB], 1, SITE_ROLE_EDITOR, true), ERR_OK);

	/* field 0: alice's email as people_add sealed it; field 1: a commenter's IP on site 1 */
	buf_init(&sealed_email);
	buf_init(&sealed_ip);
	buf_init(&plain);
	t_sealed_email(s, id[A_ALICE], &sealed_email);
	T_EQ_INT(vault_subject_new(p, s, "commenter:c1"), ERR_OK);
	T_EQ_INT(vault_seal(p, s, "commenter:c1", "comments", "ip", 5, "203.0.113.9", 11,
		     &sealed_ip), ERR_OK);
	{
		char alice[32];
		snprintf(alice, sizeof(alice), "user:%lld", (long long)id[A_ALICE]);
		fields[0] = (struct gate_field){strdup(alice), id[A_ALICE], 0, FIELD_EMAIL, "people",
		    "email_sealed", id[A_ALICE], sealed_email.data, sealed_email.len};
	}
	fields[1] = (struct gate_field){"commenter:c1", 0, 1, FIELD_IP, "comments", "ip", 5,
	    sealed_ip.data, sealed_ip.len};
	fields[2] = fields[0];
	fields[2].site = 1;
	fields[2].subject_person = id[A_BOB];

	/* every actor x purpose x field x class, by decision alone */
	for (a = 0; a < A__MAX; a++) {
		struct gate_actor actor = {id[a], a == A_SYSTEM};
		for (pu = 0; pu < PURPOSE__MAX; pu++)
			for (k = 0; k < 3; k++)
				for (c = 0; c < FIELD__MAX; c++) {
					struct gate_field f = fields[k];
					bool want, got;
					f.cls = (enum field_class)c;
					want = expected((enum actor)a, (enum purpose)pu, k,
					    (enum field_class)c);
					got = gate_allows(p, s, &actor, (enum purpose)pu, &f);
					if (got != want)
						T_FAIL("gate_allows(%s, %s, field %d, %s) = %d, want %d",
						    actor_names[a], purpose_name((enum purpose)pu), k,
						    field_class_name((enum field_class)c), got, want);
				}
	}

	ar = arena_new();
	T_EQ_INT(audit_list(p, s, ar, NULL, &log, &before), ERR_OK);
	for (a = 0; a < A__MAX; a++) {
		struct gate_actor actor = {id[a], a == A_SYSTEM};
		for (pu = 0; pu < PURPOSE__MAX; pu++) {
			for (k = 0; k < 2; k++) {
				bool want = expected((enum actor)a, (enum purpose)pu, k, fields[k].cls);
				bool got = gate_allows(p, s, &actor, (enum purpose)pu, &fields[k]);
				if (got != want)
					T_FAIL("gate_allows(%s, %s, %s) = %d, want %d", actor_names[a],
					    purpose_name((enum purpose)pu), k ? "comment ip" : "alice email",
					    got, want);
				buf_reset(&plain);
				e = gate_read(p, s, &actor, (enum purpose)pu, &fields[k], &plain);
				if (want) {
					T_EQ_INT(e, ERR_OK);
					T_EQ_STR(plain.data, k ? "203.0.113.9" : "alice@example.test");
				} else {
					T_EQ_INT(e, ERR_DENIED);
					T_ASSERT(plain.len == 0);
				}
				arena_free(ar);
				ar = arena_new();
				T_EQ_INT(audit_list(p, s, ar, NULL, &log, &nlog), ERR_OK);
				T_EQ_INT(nlog, before + 1);
				T_EQ_STR(log[nlog - 1].decision, want ? "allow" : "deny");
				T_EQ_STR(log[nlog - 1].purpose, purpose_name((enum purpose)pu));
				T_EQ_STR(log[nlog - 1].subject, fields[k].subject);
				before = nlog;
			}
		}
	}
	/* the system opens text only where it is a message to deliver (the outbox body),
	 * and only for delivery; an email anywhere, as the matrix shows */
	{
		struct gate_actor sys = {0, true};
		struct gate_field body = fields[0];
		body.table = "mail_outbox";
		body.column = "body_sealed";
		body.cls = FIELD_TEXT;
		for (pu = 0; pu < PURPOSE__MAX; pu++)
			T_EQ_INT(gate_allows(p, s, &sys, (enum purpose)pu, &body),
			    pu == PURPOSE_DELIVERY);
		body.column = "subject";
		T_ASSERT(!gate_allows(p, s, &sys, PURPOSE_DELIVERY, &body));
		body.table = "people";
		body.column = "body_sealed";
		T_ASSERT(!gate_allows(p, s, &sys, PURPOSE_DELIVERY, &body));
		body.table = "mail_outbox";
		body.cls = FIELD_IP;
		T_ASSERT(!gate_allows(p, s, &sys, PURPOSE_DELIVERY, &body));
	}
	/* staff reads record organisation and country (P12) */
	{
		struct gate_actor sam = {id[A_STAFF_OK], false};
		buf_reset(&plain);
		T_EQ_INT(gate_read(p, s, &sam, PURPOSE_SUPPORT, &fields[0], &plain), ERR_OK);
		arena_free(ar);
		ar = arena_new();
		T_EQ_INT(audit_list(p, s, ar, fields[0].subject, &log, &nlog), ERR_OK);
		T_ASSERT(nlog > 0);
		T_EQ_STR(log[nlog - 1].actor_org, "Edit House Ltd");
		T_EQ_STR(log[nlog - 1].actor_country, "PT");
		T_EQ_STR(log[nlog - 1].actor_role, "staff");
	}
	/* revoking the grant ends access at once */
	{
		struct gate_actor sam = {id[A_STAFF_OK], false};
		T_EQ_INT(staff_revoke(s, id[A_STAFF_OK], PURPOSE_SUPPORT), ERR_OK);
		T_ASSERT(!gate_allows(p, s, &sam, PURPOSE_SUPPORT, &fields[0]));
	}
	/* a field moved to another row does not open even for an allowed reader */
	{
		struct gate_actor olivia = {id[A_OWNER], false};
		struct gate_field moved = fields[0];
		moved.row = id[A_BOB];
		buf_reset(&plain);
		T_ASSERT(gate_read(p, s, &olivia, PURPOSE_SUPPORT, &moved, &plain) != ERR_OK);
		T_EQ_INT(plain.len, 0);
	}
	T_EQ_INT(audit_verify(p, s, &(int64_t){0}, msg, sizeof(msg)), ERR_OK);

	free((char *)fields[0].subject);
	buf_free(&sealed_email);
	buf_free(&sealed_ip);
	buf_free(&plain);
	arena_free(ar);
	privacy_free(p);
	store_close(s);
	printf("gate matrix: %d actors x %d purposes x 3 fields x %d classes checked\n", A__MAX,
	    PURPOSE__MAX, FIELD__MAX);
	return 0;
}
