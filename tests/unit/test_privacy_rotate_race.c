/*
 * test_privacy_rotate_race: key rotation racing with account creation. A thread adds
 * people in a loop on its own connection and privacy handle (a running server) while the
 * main thread rotates the master key three times on its own (candor keys rotate). A data
 * key must never be wrapped under a retired master nor be missed by a rotation: afterwards
 * a fresh handle opens every person's email through gate_read, and every vault key
 * belongs to a person. An add refused with ERR_UNAVAIL (a rotation finishing) is retried.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "core/core.h"
#include "privacy/privacy.h"
#include "store/store.h"
#include "testlib.h"

#define T_RACE_MAX 2000     /* people the adder may make at most */
#define T_RACE_STEP 25      /* people added between two rotations */
#define T_RACE_RETRIES 5000 /* ERR_UNAVAIL retries of one add, 1 ms apart */

struct race {
	const struct config *cfg;
	int64_t ids[T_RACE_MAX];
	_Atomic int added;
	_Atomic int unavail;
	_Atomic bool stop;
};

static void *
adder(void *arg)
{
	struct race *r = arg;
	struct store *s = t_privacy_store(r->cfg);
	struct privacy *p = t_privacy_open(r->cfg);
	char user[32], email[64], msg[160];
	int i, tries;
	enum err e;

	for (i = 0; i < T_RACE_MAX && !atomic_load(&r->stop); i++) {
		snprintf(user, sizeof(user), "racer%04d", i);
		snprintf(email, sizeof(email), "racer%04d@example.test", i);
		for (tries = 0;; tries++) {
			msg[0] = '\0';
			e = people_add(p, s, user, email, ROLE_MEMBER, true, &r->ids[i], msg,
			    sizeof(msg));
			if (e != ERR_UNAVAIL)
				break;
			T_CONTAINS(msg, "key rotation");
			atomic_fetch_add(&r->unavail, 1);
			if (tries == T_RACE_RETRIES)
				T_FAIL("people_add %s: still refused after %d tries", user, tries);
			usleep(1000);
		}
		if (e != ERR_OK)
			T_FAIL("people_add %s: %s (%s)", user, err_str(e), msg);
		atomic_store(&r->added, i + 1);
	}
	privacy_free(p);
	store_close(s);
	return NULL;
}

/* Waits until the adder has made at least n people. */
static void
wait_added(struct race *r, int n)
{
	int waited;

	for (waited = 0; atomic_load(&r->added) < n; waited++) {
		if (waited > 60000)
			T_FAIL("the adder stalled at %d people", atomic_load(&r->added));
		usleep(1000);
	}
}

/* gate_read of person id's email as the person; want is what people_add was given. */
static void
open_email(struct privacy *p, struct store *s, int64_t id, const char *want)
{
	char subject[32];
	struct gate_actor self = {id, false};
	struct gate_field f = {subject, id, 0, FIELD_EMAIL, "people", "email_sealed", id, NULL, 0};
	struct buf sealed, plain;
	enum err e;

	snprintf(subject, sizeof(subject), "user:%lld", (long long)id);
	buf_init(&sealed);
	buf_init(&plain);
	t_sealed_email(s, id, &sealed);
	f.sealed = sealed.data;
	f.sealed_len = sealed.len;
	if ((e = gate_read(p, s, &self, PURPOSE_SELF, &f, &plain)) != ERR_OK)
		T_FAIL("%s is unreadable after the rotations: %s", subject, err_str(e));
	T_EQ_STR(plain.data, want);
	buf_free(&sealed);
	buf_free(&plain);
}

int
main(void)
{
	static const struct store_stmt st_count = {"t_count", "SELECT count(*) FROM vault_keys"};
	static struct race r;
	struct config cfg;
	struct store *s, *check;
	struct privacy *p, *fresh;
	struct store_q *q;
	char kept[1200], msg[512], email[64];
	pthread_t t;
	int i, round, n;

	t_privacy_config(&cfg, NULL);
	s = t_privacy_store(&cfg);
	p = t_privacy_open(&cfg);
	r.cfg = &cfg;
	T_ASSERT(pthread_create(&t, NULL, adder, &r) == 0);
	for (round = 1; round <= 3; round++) {
		wait_added(&r, round * T_RACE_STEP);
		if (privacy_rotate_master(p, s, &cfg, kept, sizeof(kept), msg, sizeof(msg)) != ERR_OK)
			T_FAIL("rotation %d: %s", round, msg);
	}
	wait_added(&r, 4 * T_RACE_STEP);
	atomic_store(&r.stop, true);
	T_ASSERT(pthread_join(t, NULL) == 0);
	n = atomic_load(&r.added);

	/* a fresh handle (a restarted server) on a fresh connection reads everyone */
	check = t_privacy_store(&cfg);
	fresh = t_privacy_open(&cfg);
	for (i = 0; i < n; i++) {
		snprintf(email, sizeof(email), "racer%04d@example.test", i);
		open_email(fresh, check, r.ids[i], email);
	}
	/* and no key was left behind by a refused add */
	T_ASSERT((q = store_prepare(check, &st_count)) != NULL);
	T_EQ_INT(store_step(q), STORE_ROW);
	T_EQ_INT(store_col_int(q, 0), n);
	T_EQ_INT(store_done(q), ERR_OK);
	printf("test_privacy_rotate_race (%s): ok, %d people, 3 rotations, %d adds retried\n",
	    t_backend(), n, atomic_load(&r.unavail));
	privacy_free(fresh);
	privacy_free(p);
	store_close(check);
	store_close(s);
	return 0;
}
