/*
 * test_privacy_audit: the audit log on both backends. An intact log verifies; each kind
 * of tampering, done on a fresh log with raw SQL as an intruder with database access
 * would, is caught and the first bad entry named: an edited field, a deleted entry, two
 * entries swapped, the tail cut off with the head rewritten to match, the log rebuilt
 * from scratch with fewer entries, a forged or damaged checkpoint line. Also: appends
 * join the caller's transaction (a rollback leaves no entry and no gap), four threads
 * appending at once keep the chain valid, listing by subject, limits at N and N+1.
 */
#include <pthread.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privacy/privacy.h"
#include "store/store.h"
#include "testlib.h"

#define N_ENTRIES 20
#define N_THREADS 4
#define N_PER_THREAD 40

static const struct store_stmt st_edit_purpose = {"t_edit_purpose",
    "UPDATE audit_log SET purpose = 'billing' WHERE seq = ?"};
static const struct store_stmt st_edit_at = {"t_edit_at",
    "UPDATE audit_log SET at = at + 1 WHERE seq = ?"};
static const struct store_stmt st_delete = {"t_delete", "DELETE FROM audit_log WHERE seq = ?"};
static const struct store_stmt st_delete_after = {"t_delete_after",
    "DELETE FROM audit_log WHERE seq > ?"};
static const struct store_stmt st_row = {"t_row",
    "SELECT at, actor, actor_role, actor_org, actor_country, subject, field_class, purpose,"
    " decision, detail, prev_hash, hash FROM audit_log WHERE seq = ?"};
static const struct store_stmt st_put = {"t_put",
    "UPDATE audit_log SET at = ?, actor = ?, actor_role = ?, actor_org = ?, actor_country = ?,"
    " subject = ?, field_class = ?, purpose = ?, decision = ?, detail = ?, prev_hash = ?,"
    " hash = ? WHERE seq = ?"};
static const struct store_stmt st_insert = {"t_insert",
    "INSERT INTO audit_log (seq, at, actor, actor_role, actor_org, actor_country, subject,"
    " field_class, purpose, decision, detail, prev_hash, hash)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"};
static const struct store_stmt st_head_set = {"t_head_set",
    "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1"};
static const struct store_stmt st_head_del = {"t_head_del", "DELETE FROM audit_head"};

/* One entry as raw column values, for copying and swapping. */
struct raw {
	int64_t at;
	char text[10][LIMIT_AUDIT_FIELD + 1];
	unsigned char prev[32], hash[32];
};

struct log {
	struct config cfg;
	struct store *s;
	struct privacy *p;
};

static void
log_append(struct log *l, int i, const char *subject)
{
	char actor[32], detail[64];
	struct audit_entry e;
	enum err err;

	snprintf(actor, sizeof(actor), "user:%d", 100 + i % 3);
	snprintf(detail, sizeof(detail), "test entry %d", i);
	memset(&e, 0, sizeof(e));
	e.actor = actor;
	e.actor_role = i % 2 ? "staff" : "owner";
	e.actor_org = i % 2 ? "Edit House Ltd" : "";
	e.actor_country = i % 2 ? "PT" : "";
	e.subject = subject;
	e.field_class = "email";
	e.purpose = "support";
	e.decision = i % 4 == 3 ? "deny" : "allow";
	e.detail = detail;
	if ((err = audit_append(l->p, l->s, &e)) != ERR_OK)
		T_FAIL("audit_append %d: %s (%s)", i, err_str(err), store_errmsg(l->s));
}

/* A fresh data directory and database holding n entries. */
static void
log_new(struct log *l, int n)
{
	int i;

	t_privacy_config(&l->cfg, NULL);
	l->s = t_privacy_store(&l->cfg);
	l->p = t_privacy_open(&l->cfg);
	for (i = 1; i <= n; i++)
		log_append(l, i, i % 5 == 0 ? "user:7" : "user:8");
}

static void
log_free(struct log *l)
{
	privacy_free(l->p);
	store_close(l->s);
}

static void
run1(struct store *s, const struct store_stmt *st, int64_t v)
{
	struct store_q *q = store_prepare(s, st);

	T_ASSERT(q != NULL);
	store_bind_int(q, 1, v);
	store_step(q);
	T_EQ_INT(store_done(q), ERR_OK);
}

static void
raw_get(struct store *s, int64_t seq, struct raw *r)
{
	struct store_q *q = store_prepare(s, &st_row);
	const void *b;
	size_t n = 0;
	int i;

	T_ASSERT(q != NULL);
	store_bind_int(q, 1, seq);
	T_EQ_INT(store_step(q), STORE_ROW);
	r->at = store_col_int(q, 0);
	for (i = 0; i < 9; i++)
		str_copy(r->text[i], store_col_text(q, 1 + i), sizeof(r->text[i]));
	b = store_col_blob(q, 10, &n);
	T_ASSERT(b != NULL && n == 32);
	memcpy(r->prev, b, 32);
	b = store_col_blob(q, 11, &n);
	T_ASSERT(b != NULL && n == 32);
	memcpy(r->hash, b, 32);
	T_EQ_INT(store_done(q), ERR_OK);
}

/* Writes r's contents into entry seq (UPDATE) or as a new entry seq (INSERT). */
static void
raw_put(struct store *s, int64_t seq, const struct raw *r, bool insert)
{
	struct store_q *q = store_prepare(s, insert ? &st_insert : &st_put);
	int i, base = insert ? 2 : 1;

	T_ASSERT(q != NULL);
	if (insert)
		store_bind_int(q, 1, seq);
	store_bind_int(q, base, r->at);
	for (i = 0; i < 9; i++)
		store_bind_text(q, base + 1 + i, r->text[i]);
	store_bind_blob(q, base + 10, r->prev, 32);
	store_bind_blob(q, base + 11, r->hash, 32);
	if (!insert)
		store_bind_int(q, 13, seq);
	store_step(q);
	T_EQ_INT(store_done(q), ERR_OK);
}

static void
head_set(struct store *s, int64_t seq, const unsigned char *hash)
{
	struct store_q *q = store_prepare(s, &st_head_set);

	T_ASSERT(q != NULL);
	store_bind_int(q, 1, seq);
	if (hash)
		store_bind_blob(q, 2, hash, 32);
	else
		store_bind_null(q, 2);
	store_step(q);
	T_EQ_INT(store_done(q), ERR_OK);
}

/* Verification must fail naming entry want, with a message containing words. */
static void
expect_bad(struct log *l, int64_t want, const char *words)
{
	char msg[512];
	int64_t bad = -1;
	enum err e = audit_verify(l->p, l->s, &bad, msg, sizeof(msg));

	if (e != ERR_CONFLICT)
		T_FAIL("audit_verify: %s (expected a conflict at entry %lld): %s", err_str(e),
		    (long long)want, msg);
	if (bad != want)
		T_FAIL("audit_verify named entry %lld, not %lld: %s", (long long)bad,
		    (long long)want, msg);
	T_CONTAINS(msg, words);
}

static void
expect_ok(struct log *l, const char *words)
{
	char msg[512];
	int64_t bad = -1;
	enum err e = audit_verify(l->p, l->s, &bad, msg, sizeof(msg));

	if (e != ERR_OK)
		T_FAIL("audit_verify: %s: %s", err_str(e), msg);
	T_CONTAINS(msg, words);
}

static char *
read_checkpoints(const struct log *l, size_t *n)
{
	char path[1200];

	snprintf(path, sizeof(path), "%s/audit.checkpoints", l->cfg.data_dir);
	return t_read_file(path, n);
}

static void
write_checkpoints(const struct log *l, const char *text)
{
	char path[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/audit.checkpoints", l->cfg.data_dir);
	T_ASSERT((f = fopen(path, "w")) != NULL);
	T_ASSERT(fputs(text, f) >= 0);
	T_ASSERT(fclose(f) == 0);
}

static void
test_intact(void)
{
	struct log l;
	struct audit_entry *v;
	struct arena *a = arena_new();
	size_t n, i;

	log_new(&l, 0);
	expect_ok(&l, "0 entries, 0 checkpoints");
	T_EQ_INT(audit_checkpoint(l.p, l.s), ERR_OK); /* a checkpoint of the empty log */
	expect_ok(&l, "0 entries, 1 checkpoint");
	for (i = 1; i <= N_ENTRIES; i++)
		log_append(&l, (int)i, i % 5 == 0 ? "user:7" : "user:8");
	expect_ok(&l, "20 entries, 1 checkpoint");
	T_EQ_INT(audit_checkpoint(l.p, l.s), ERR_OK);
	log_append(&l, 21, "user:8");
	expect_ok(&l, "21 entries, 2 checkpoints");

	T_ASSERT(a != NULL);
	T_EQ_INT(audit_list(l.p, l.s, a, NULL, &v, &n), ERR_OK);
	T_EQ_INT(n, 21);
	for (i = 0; i < n; i++)
		T_EQ_INT(v[i].seq, i + 1);
	T_EQ_STR(v[0].actor_org, "Edit House Ltd");
	T_EQ_STR(v[1].actor_org, "");
	T_EQ_STR(v[0].actor_country, "PT");
	T_EQ_STR(v[2].decision, "deny");
	T_EQ_STR(v[0].detail, "test entry 1");
	T_ASSERT(v[0].at > 0);
	T_EQ_INT(audit_list(l.p, l.s, a, "user:7", &v, &n), ERR_OK);
	T_EQ_INT(n, 4);
	for (i = 0; i < n; i++) {
		T_EQ_STR(v[i].subject, "user:7");
		T_EQ_INT(v[i].seq, 5 * (i + 1));
	}
	T_EQ_INT(audit_list(l.p, l.s, a, "user:999", &v, &n), ERR_OK);
	T_EQ_INT(n, 0);
	arena_free(a);
	log_free(&l);
}

static void
test_edit(void)
{
	struct log l;

	log_new(&l, N_ENTRIES);
	run1(l.s, &st_edit_purpose, 7);
	expect_bad(&l, 7, "entry 7 was altered");
	log_free(&l);

	log_new(&l, N_ENTRIES);
	run1(l.s, &st_edit_at, 1);
	expect_bad(&l, 1, "entry 1 was altered");
	/* a checkpoint never blesses a tampered log */
	T_EQ_INT(audit_checkpoint(l.p, l.s), ERR_CONFLICT);
	{
		size_t n;

		T_ASSERT(read_checkpoints(&l, &n) == NULL);
	}
	log_free(&l);

	log_new(&l, N_ENTRIES);
	run1(l.s, &st_edit_purpose, N_ENTRIES); /* the last entry */
	expect_bad(&l, N_ENTRIES, "entry 20 was altered");
	log_free(&l);
}

static void
test_delete(void)
{
	struct log l;

	log_new(&l, N_ENTRIES);
	run1(l.s, &st_delete, 12);
	expect_bad(&l, 12, "entry 12 is missing");
	log_free(&l);

	log_new(&l, N_ENTRIES);
	run1(l.s, &st_delete, 1);
	expect_bad(&l, 1, "entry 1 is missing");
	log_free(&l);
}

static void
test_swap(void)
{
	struct raw *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct log l;

	T_ASSERT(a && b);
	log_new(&l, N_ENTRIES);
	raw_get(l.s, 5, a);
	raw_get(l.s, 9, b);
	raw_put(l.s, 5, b, false);
	raw_put(l.s, 9, a, false);
	expect_bad(&l, 5, "entry 5 was altered");
	log_free(&l);

	/* neighbours swapped, whole rows moved including their hashes */
	log_new(&l, N_ENTRIES);
	raw_get(l.s, 14, a);
	raw_get(l.s, 15, b);
	raw_put(l.s, 14, b, false);
	raw_put(l.s, 15, a, false);
	expect_bad(&l, 14, "entry 14");
	log_free(&l);
	free(a);
	free(b);
}

static void
test_truncate(void)
{
	struct raw *r = calloc(1, sizeof(*r));
	struct log l;

	T_ASSERT(r != NULL);
	/* tail cut, head left alone: the head row catches it */
	log_new(&l, N_ENTRIES);
	run1(l.s, &st_delete_after, 15);
	expect_bad(&l, 16, "entry 16 is missing");
	log_free(&l);

	/* tail cut and the head rewritten to match: only a checkpoint can tell */
	log_new(&l, N_ENTRIES);
	T_EQ_INT(audit_checkpoint(l.p, l.s), ERR_OK);
	run1(l.s, &st_delete_after, 15);
	raw_get(l.s, 15, r);
	head_set(l.s, 15, r->hash);
	expect_bad(&l, 16, "the log ends at 15 but a signed checkpoint");
	expect_bad(&l, 16, "covers 20 entries");
	log_free(&l);

	/* the same cut without any checkpoint is invisible: why checkpoints exist */
	log_new(&l, N_ENTRIES);
	run1(l.s, &st_delete_after, 15);
	raw_get(l.s, 15, r);
	head_set(l.s, 15, r->hash);
	expect_ok(&l, "15 entries");
	log_free(&l);

	/* everything deleted and the head reset */
	log_new(&l, N_ENTRIES);
	T_EQ_INT(audit_checkpoint(l.p, l.s), ERR_OK);
	run1(l.s, &st_delete_after, 0);
	head_set(l.s, 0, NULL);
	expect_bad(&l, 1, "the log ends at 0 but a signed checkpoint");
	log_free(&l);

	/* the head row itself deleted */
	log_new(&l, 3);
	T_ASSERT(store_exec(l.s, &st_head_del) == ERR_OK);
	expect_bad(&l, 0, "head row is missing");
	log_free(&l);
	free(r);
}

/*
 * Rebuilt from scratch: the intruder deletes everything and re-inserts the first 12
 * genuine entries (a valid chain, head to match), or entries chained under a key of
 * their own. The checkpoint of 20 entries, or the key, catches each.
 */
static void
test_rechain(void)
{
	struct raw *r = calloc(N_ENTRIES + 1, sizeof(*r));
	struct log l, other;
	int i;

	T_ASSERT(r != NULL);
	log_new(&l, N_ENTRIES);
	T_EQ_INT(audit_checkpoint(l.p, l.s), ERR_OK);
	for (i = 1; i <= N_ENTRIES; i++)
		raw_get(l.s, i, &r[i]);
	run1(l.s, &st_delete_after, 0);
	for (i = 1; i <= 12; i++)
		raw_put(l.s, i, &r[i], true);
	head_set(l.s, 12, r[12].hash);
	expect_bad(&l, 13, "the log ends at 12 but a signed checkpoint");

	/* a longer log built with another installation's keys: entry 1 does not verify */
	log_new(&other, N_ENTRIES + 5);
	for (i = 1; i <= N_ENTRIES; i++)
		raw_get(other.s, i, &r[i]);
	run1(l.s, &st_delete_after, 0);
	for (i = 1; i <= N_ENTRIES; i++)
		raw_put(l.s, i, &r[i], true);
	head_set(l.s, N_ENTRIES, r[N_ENTRIES].hash);
	expect_bad(&l, 1, "entry 1 was altered");
	log_free(&other);
	log_free(&l);
	free(r);
}

static void
test_checkpoint_file(void)
{
	struct log l;
	struct stat st;
	char path[1200], *text;
	size_t n;

	log_new(&l, N_ENTRIES);
	T_EQ_INT(audit_checkpoint(l.p, l.s), ERR_OK);
	snprintf(path, sizeof(path), "%s/audit.checkpoints", l.cfg.data_dir);
	T_ASSERT(stat(path, &st) == 0 && (st.st_mode & 077) == 0);
	T_ASSERT((text = read_checkpoints(&l, &n)) != NULL);
	T_ASSERT(strncmp(text, "20 ", 3) == 0 && text[n - 1] == '\n');

	/* the count lowered to match a shorter log: the signature no longer verifies */
	text[0] = '1';
	text[1] = '5';
	write_checkpoints(&l, text);
	expect_bad(&l, 0, "invalid signature");
	/* a damaged line */
	write_checkpoints(&l, "20 zz\n");
	expect_bad(&l, 0, "line 1");
	/* a line cut short (no newline) */
	text[0] = '2';
	text[1] = '0';
	text[n - 1] = '\0';
	write_checkpoints(&l, text);
	expect_bad(&l, 0, "damaged");
	/* restored: intact again */
	text[n - 1] = '\n';
	write_checkpoints(&l, text);
	expect_ok(&l, "20 entries, 1 checkpoint");
	free(text);

	/* a checkpoint signed by another installation's audit key is refused */
	{
		struct log other;
		char *otext;

		log_new(&other, N_ENTRIES);
		T_EQ_INT(audit_checkpoint(other.p, other.s), ERR_OK);
		T_ASSERT((otext = read_checkpoints(&other, &n)) != NULL);
		write_checkpoints(&l, otext);
		expect_bad(&l, 0, "invalid signature");
		free(otext);
		log_free(&other);
	}
	log_free(&l);
}

/* An append inside the caller's transaction goes or stays with it. */
static void
test_transaction(void)
{
	struct log l;

	log_new(&l, 3);
	T_EQ_INT(store_begin(l.s), ERR_OK);
	log_append(&l, 4, "user:8");
	store_rollback(l.s);
	expect_ok(&l, "3 entries");
	log_append(&l, 4, "user:8");
	expect_ok(&l, "4 entries");
	T_EQ_INT(store_begin(l.s), ERR_OK);
	log_append(&l, 5, "user:8");
	log_append(&l, 6, "user:8");
	T_EQ_INT(store_commit(l.s), ERR_OK);
	expect_ok(&l, "6 entries");
	log_free(&l);
}

static void
test_limits(void)
{
	char field[LIMIT_AUDIT_FIELD + 2];
	struct audit_entry e;
	struct log l;

	log_new(&l, 0);
	memset(field, 'd', sizeof(field));
	field[LIMIT_AUDIT_FIELD + 1] = '\0';
	memset(&e, 0, sizeof(e));
	e.actor = "system";
	e.decision = "allow";
	e.detail = field;
	T_EQ_INT(audit_append(l.p, l.s, &e), ERR_INVAL);
	field[LIMIT_AUDIT_FIELD] = '\0';
	T_EQ_INT(audit_append(l.p, l.s, &e), ERR_OK);
	e.detail = NULL; /* NULL is "" */
	T_EQ_INT(audit_append(l.p, l.s, &e), ERR_OK);
	e.actor = "";
	T_EQ_INT(audit_append(l.p, l.s, &e), ERR_INVAL);
	e.actor = "system";
	e.decision = NULL;
	T_EQ_INT(audit_append(l.p, l.s, &e), ERR_INVAL);
	expect_ok(&l, "2 entries");
	log_free(&l);
}

struct worker {
	const struct log *l;
	int id;
	enum err e;
};

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	struct audit_entry e;
	char subject[32], detail[32], msg[256];
	struct store *s;
	enum err err;
	int i;

	s = store_open(w->l->cfg.database, NULL, &err, msg, sizeof(msg));
	if (s == NULL) {
		w->e = err;
		return NULL;
	}
	snprintf(subject, sizeof(subject), "user:%d", 500 + w->id);
	memset(&e, 0, sizeof(e));
	e.actor = "system";
	e.actor_role = "system";
	e.subject = subject;
	e.field_class = "email";
	e.purpose = "delivery";
	e.decision = "allow";
	e.detail = detail;
	for (i = 0; i < N_PER_THREAD && w->e == ERR_OK; i++) {
		snprintf(detail, sizeof(detail), "thread %d entry %d", w->id, i);
		w->e = audit_append(w->l->p, s, &e);
	}
	store_close(s);
	return NULL;
}

static void
test_concurrent(void)
{
	struct worker w[N_THREADS];
	pthread_t th[N_THREADS];
	struct audit_entry *v;
	struct arena *a = arena_new();
	char want[64], subject[32];
	struct log l;
	size_t n;
	int i;

	T_ASSERT(a != NULL);
	log_new(&l, 5);
	for (i = 0; i < N_THREADS; i++) {
		w[i].l = &l;
		w[i].id = i;
		w[i].e = ERR_OK;
		T_ASSERT(pthread_create(&th[i], NULL, worker_run, &w[i]) == 0);
	}
	for (i = 0; i < N_THREADS; i++) {
		T_ASSERT(pthread_join(th[i], NULL) == 0);
		if (w[i].e != ERR_OK)
			T_FAIL("thread %d: %s", i, err_str(w[i].e));
	}
	snprintf(want, sizeof(want), "%d entries", 5 + N_THREADS * N_PER_THREAD);
	expect_ok(&l, want);
	for (i = 0; i < N_THREADS; i++) {
		snprintf(subject, sizeof(subject), "user:%d", 500 + i);
		T_EQ_INT(audit_list(l.p, l.s, a, subject, &v, &n), ERR_OK);
		T_EQ_INT(n, N_PER_THREAD);
	}
	arena_free(a);
	log_free(&l);
}

int
main(void)
{
	test_intact();
	test_edit();
	test_delete();
	test_swap();
	test_truncate();
	test_rechain();
	test_checkpoint_file();
	test_transaction();
	test_limits();
	test_concurrent();
	printf("test_privacy_audit (%s): ok\n", t_backend());
	return 0;
}
