/*
 * test_store_policy_accept: acceptances of the privacy policy (src/policy/policy.c) on
 * the test's backend (this test runs on both). A first acceptance is recorded with its
 * time and kind; a second of the same version keeps the first; versions are listed
 * oldest first; an unknown version or person is ERR_NOTFOUND; the acceptance joins the
 * caller's transaction; the "policy" export section lists them; erasing the person
 * removes theirs and only theirs; the table is in policy_tables for `candor db copy`.
 */
#include <jansson.h>

#include "core/core.h"
#include "policy/policy.h"
#include "privacy/privacy.h"
#include "testlib.h"

#define T0 1700000000

int
main(void)
{
	static const struct rights_section sections[] = {{"policy", policy_export}};
	struct config cfg;
	struct store *s;
	struct privacy *p;
	struct arena *a;
	struct policy_acceptance *list;
	struct buf json;
	json_error_t jerr;
	json_t *root, *acc, *item;
	char when[21];
	int64_t alice, bob, v1 = 0, v2 = 0;
	size_t n = 0, i;
	bool found = false;

	t_privacy_config(&cfg, NULL);
	s = t_privacy_store(&cfg);
	p = t_privacy_open(&cfg);
	T_EQ_INT(policy_migrate(s), ERR_OK); /* after people: acceptances name them */
	T_EQ_INT(policy_migrate(s), ERR_OK);
	T_ASSERT((a = arena_new()) != NULL);
	alice = t_person(p, s, "alice", ROLE_MEMBER);
	bob = t_person(p, s, "bob", ROLE_MEMBER);
	T_EQ_INT(policy_publish(s, "Privacy", "First text.", "", 0, &v1), ERR_OK);
	T_EQ_INT(policy_publish(s, "Privacy", "Second text.", "", 0, &v2), ERR_OK);

	T_EQ_STR(policy_accept_kind_name(POLICY_ACCEPT_EXPLICIT), "explicit");
	T_EQ_STR(policy_accept_kind_name(POLICY_ACCEPT_CONTINUED_USE), "continued-use");
	for (i = 0; i < policy_tables_count; i++)
		found = found || strcmp(policy_tables[i].name, "policy_acceptances") == 0;
	T_ASSERT(found);
	T_EQ_STR(policy_tables[0].name, "policy_versions"); /* parents first */

	/* none yet */
	T_EQ_INT(policy_acceptances(s, a, alice, &list, &n), ERR_OK);
	T_EQ_INT(n, 0);

	/* the first acceptance is kept */
	T_EQ_INT(policy_accept(s, alice, v1, POLICY_ACCEPT_EXPLICIT, T0), ERR_OK);
	T_EQ_INT(policy_accept(s, alice, v1, POLICY_ACCEPT_CONTINUED_USE, T0 + 10), ERR_OK);
	T_EQ_INT(policy_acceptances(s, a, alice, &list, &n), ERR_OK);
	T_EQ_INT(n, 1);
	T_EQ_INT(list[0].version, v1);
	T_EQ_INT(list[0].accepted_at, T0);
	T_EQ_INT(list[0].kind, POLICY_ACCEPT_EXPLICIT);

	/* a later version, oldest first */
	T_EQ_INT(policy_accept(s, alice, v2, POLICY_ACCEPT_CONTINUED_USE, T0 + 20), ERR_OK);
	T_EQ_INT(policy_acceptances(s, a, alice, &list, &n), ERR_OK);
	T_EQ_INT(n, 2);
	T_EQ_INT(list[1].version, v2);
	T_EQ_INT(list[1].accepted_at, T0 + 20);
	T_EQ_INT(list[1].kind, POLICY_ACCEPT_CONTINUED_USE);

	/* unknown version or person */
	T_EQ_INT(policy_accept(s, alice, v2 + 1, POLICY_ACCEPT_EXPLICIT, T0), ERR_NOTFOUND);
	T_EQ_INT(policy_accept(s, 999999, v1, POLICY_ACCEPT_EXPLICIT, T0), ERR_NOTFOUND);

	/* joins the caller's transaction */
	T_EQ_INT(store_begin(s), ERR_OK);
	T_EQ_INT(policy_accept(s, bob, v1, POLICY_ACCEPT_EXPLICIT, T0), ERR_OK);
	store_rollback(s);
	T_EQ_INT(policy_acceptances(s, a, bob, &list, &n), ERR_OK);
	T_EQ_INT(n, 0);
	T_EQ_INT(policy_accept(s, bob, v2, POLICY_ACCEPT_EXPLICIT, T0 + 30), ERR_OK);

	/* the export section */
	buf_init(&json);
	T_EQ_INT(rights_export(p, s, alice, sections, COUNTOF(sections), &json), ERR_OK);
	T_ASSERT((root = json_loads(json.data, 0, &jerr)) != NULL);
	acc = json_object_get(json_object_get(root, "policy"), "acceptances");
	T_ASSERT(json_is_array(acc));
	T_EQ_INT(json_array_size(acc), 2);
	item = json_array_get(acc, 0);
	T_EQ_INT(json_integer_value(json_object_get(item, "version")), v1);
	time_rfc3339(T0, when);
	T_EQ_STR(json_string_value(json_object_get(item, "accepted_at")), when);
	T_EQ_STR(json_string_value(json_object_get(item, "kind")), "explicit");
	item = json_array_get(acc, 1);
	T_EQ_STR(json_string_value(json_object_get(item, "kind")), "continued-use");
	json_decref(root);
	buf_free(&json);

	/* erasure takes alice's acceptances, not bob's */
	T_EQ_INT(rights_erase(p, s, alice), ERR_OK);
	T_EQ_INT(policy_acceptances(s, a, alice, &list, &n), ERR_OK);
	T_EQ_INT(n, 0);
	T_EQ_INT(policy_acceptances(s, a, bob, &list, &n), ERR_OK);
	T_EQ_INT(n, 1);

	/* policy_seen: continued use of the version in force, once; a future version is
	 * only a notice; acknowledging ends the notice and keeps the first kind */
	{
		int64_t carol = t_person(p, s, "carol", ROLE_MEMBER), v3 = 0, notice = -1;
		int64_t now = time_now();
		struct policy_count *c;
		size_t nc;
		T_EQ_INT(policy_seen(s, carol, now, &notice), ERR_OK);
		T_EQ_INT(notice, v2); /* v2 in force, not acknowledged */
		T_EQ_INT(policy_acceptances(s, a, carol, &list, &n), ERR_OK);
		T_EQ_INT(n, 1);
		T_EQ_INT(list[0].version, v2);
		T_EQ_INT(list[0].kind, POLICY_ACCEPT_CONTINUED_USE);
		T_EQ_INT(list[0].acknowledged_at, 0);
		T_EQ_INT(policy_seen(s, carol, now + 5, &notice), ERR_OK);
		T_EQ_INT(policy_acceptances(s, a, carol, &list, &n), ERR_OK);
		T_EQ_INT(n, 1); /* not twice */
		T_EQ_INT(list[0].accepted_at, now);
		T_EQ_INT(policy_publish(s, "Privacy", "Third text.", "three", now + 86400, &v3),
		    ERR_OK);
		T_EQ_INT(policy_seen(s, carol, now + 10, &notice), ERR_OK);
		T_EQ_INT(notice, v3); /* upcoming: a notice, no acceptance */
		T_EQ_INT(policy_acceptances(s, a, carol, &list, &n), ERR_OK);
		T_EQ_INT(n, 1);
		T_EQ_INT(policy_acknowledge(s, carol, v2, now + 20), ERR_OK);
		T_EQ_INT(policy_acceptances(s, a, carol, &list, &n), ERR_OK);
		T_EQ_INT(list[0].kind, POLICY_ACCEPT_CONTINUED_USE); /* the first kind stays */
		T_EQ_INT(list[0].acknowledged_at, now + 20);
		T_EQ_INT(policy_seen(s, carol, now + 30, &notice), ERR_OK);
		T_EQ_INT(notice, v3); /* the newest is still not acknowledged */
		T_EQ_INT(policy_acknowledge(s, carol, v3, now + 40), ERR_OK);
		T_EQ_INT(policy_seen(s, carol, now + 50, &notice), ERR_OK);
		T_EQ_INT(notice, 0);
		T_EQ_INT(policy_acknowledge(s, carol, v3 + 1, now), ERR_NOTFOUND);
		/* after v3's day: carol accepted it explicitly already, nothing changes */
		T_EQ_INT(policy_seen(s, carol, now + 2 * 86400, &notice), ERR_OK);
		T_EQ_INT(policy_acceptances(s, a, carol, &list, &n), ERR_OK);
		T_EQ_INT(n, 2);
		T_EQ_INT(list[1].kind, POLICY_ACCEPT_EXPLICIT);
		T_EQ_INT(policy_counts(s, a, &c, &nc), ERR_OK);
		T_EQ_INT(c[0].version, v3);
		T_EQ_INT(c[0].explicit_n, 1);
		T_EQ_INT(c[0].continued_n, 0);
		/* a summary with a line break is refused: it goes into mail */
		T_EQ_INT(policy_publish(s, "Privacy", "x", "a\nb", 0, NULL), ERR_INVAL);
		/* LIMIT_POLICY_SUMMARY characters (two bytes each here), and one more */
		{
			char sum[2 * LIMIT_POLICY_SUMMARY + 3];
			size_t k;
			for (k = 0; k < LIMIT_POLICY_SUMMARY; k++)
				memcpy(sum + 2 * k, "\xc3\xa9", 2);
			sum[2 * LIMIT_POLICY_SUMMARY] = '\0';
			T_EQ_INT(policy_publish(s, "Privacy", "x", sum, 0, NULL), ERR_OK);
			memcpy(sum + 2 * LIMIT_POLICY_SUMMARY, "e", 2);
			T_EQ_INT(policy_publish(s, "Privacy", "x", sum, 0, NULL), ERR_INVAL);
		}
	}

	arena_free(a);
	privacy_free(p);
	store_close(s);
	printf("test_store_policy_accept (%s): ok\n", t_backend());
	return 0;
}
