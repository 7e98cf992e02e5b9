/*
 * recorder: the queue, the visitor salt and the writer thread of recorder.h.
 *
 * The queue is a bounded ring of slots, each with a sequence number (the design of
 * Dmitry Vyukov's bounded MPMC queue): a producer claims a position with one
 * compare-and-swap on the tail, copies its event into the slot and publishes it by
 * advancing the slot's sequence; the consumer reads a slot only once it is published.
 * No producer ever waits for another or for the consumer: a full ring is seen at once
 * and the event dropped.
 *
 * The writer folds a batch in memory first (one counter per (site, day) and per
 * (site, day, dimension, value)), then writes each counter with one upsert, in the same
 * transaction as the batch's raw rows. Distinct visitors: the writer remembers which
 * (site, day, dimension, value, visitor) keys it has counted (a keyed SipHash of them,
 * per day), so a visitor adds one to a day's and a value's visitors once. The keys of a
 * batch join that memory only after its transaction committed, so a retried batch
 * counts exactly once.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analytics/recorder.h"

#define DAY_S 86400

int64_t
analytics_day(int64_t t)
{
	return t >= 0 ? t / DAY_S : (t - DAY_S + 1) / DAY_S;
}

bool
analytics_event_is_view(const struct analytics_event *ev)
{
	return ev->page && !ev->bot && ev->status >= 200 && ev->status < 300;
}

/* ------------------------------------------------------------------- queue ---- */

struct queue_slot {
	atomic_size_t seq;
	struct analytics_event ev;
};

struct analytics_queue {
	_Alignas(64) atomic_size_t tail; /* next position a producer claims */
	_Alignas(64) atomic_size_t head; /* next position the consumer reads */
	_Alignas(64) atomic_uint_fast64_t pushed;
	atomic_uint_fast64_t dropped;
	size_t mask;
	struct queue_slot *slots;
};

struct analytics_queue *
analytics_queue_new(size_t capacity)
{
	struct analytics_queue *q;
	size_t n = 2, i;

	while (n < capacity && n < ((size_t)1 << 30))
		n <<= 1;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	if ((q->slots = calloc(n, sizeof(*q->slots))) == NULL) {
		free(q);
		return NULL;
	}
	q->mask = n - 1;
	for (i = 0; i < n; i++)
		atomic_init(&q->slots[i].seq, i);
	atomic_init(&q->tail, 0);
	atomic_init(&q->head, 0);
	atomic_init(&q->pushed, 0);
	atomic_init(&q->dropped, 0);
	return q;
}

void
analytics_queue_free(struct analytics_queue *q)
{
	if (q == NULL)
		return;
	free(q->slots);
	free(q);
}

bool
analytics_queue_push(struct analytics_queue *q, const struct analytics_event *ev)
{
	struct queue_slot *slot;
	size_t pos, seq;
	intptr_t diff;

	pos = atomic_load_explicit(&q->tail, memory_order_relaxed);
	for (;;) {
		slot = &q->slots[pos & q->mask];
		seq = atomic_load_explicit(&slot->seq, memory_order_acquire);
		diff = (intptr_t)seq - (intptr_t)pos;
		if (diff == 0) {
			/* the slot is free for pos: claim pos (pos is reloaded on failure) */
			if (atomic_compare_exchange_weak_explicit(&q->tail, &pos, pos + 1,
				memory_order_relaxed, memory_order_relaxed))
				break;
		} else if (diff < 0) {
			/* the slot still holds the event of pos - capacity: full */
			atomic_fetch_add_explicit(&q->dropped, 1, memory_order_relaxed);
			return false;
		} else {
			pos = atomic_load_explicit(&q->tail, memory_order_relaxed);
		}
	}
	slot->ev = *ev;
	/* counted before it can be taken, so pushed never trails what was taken */
	atomic_fetch_add_explicit(&q->pushed, 1, memory_order_relaxed);
	atomic_store_explicit(&slot->seq, pos + 1, memory_order_release);
	return true;
}

bool
analytics_queue_pop(struct analytics_queue *q, struct analytics_event *out)
{
	size_t pos = atomic_load_explicit(&q->head, memory_order_relaxed);
	struct queue_slot *slot = &q->slots[pos & q->mask];

	if (atomic_load_explicit(&slot->seq, memory_order_acquire) != pos + 1)
		return false; /* empty, or its producer is still copying */
	*out = slot->ev;
	atomic_store_explicit(&slot->seq, pos + q->mask + 1, memory_order_release);
	atomic_store_explicit(&q->head, pos + 1, memory_order_relaxed);
	return true;
}

uint64_t
analytics_queue_pushed(const struct analytics_queue *q)
{
	return atomic_load_explicit(&((struct analytics_queue *)q)->pushed, memory_order_relaxed);
}

uint64_t
analytics_queue_dropped(const struct analytics_queue *q)
{
	return atomic_load_explicit(&((struct analytics_queue *)q)->dropped, memory_order_relaxed);
}

/* ---------------------------------------------------------------- statements ---- */

enum {
	REC_INSERT_EVENT,
	REC_INSERT_EVENTS,
	REC_UPSERT_DAY,
	REC_UPSERT_DIM,
	REC_UPSERT_DIMS,
};

/* Raw rows go REC_ROWS to a statement (one statement per row cost as much again on
 * SQLite, and a round trip each on PostgreSQL); the rest of a batch one by one. */
#define REC_ROWS 32
#define REC_COLS 11
#define REC_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define REC_ROW4 REC_ROW ", " REC_ROW ", " REC_ROW ", " REC_ROW
#define REC_ROW16 REC_ROW4 ", " REC_ROW4 ", " REC_ROW4 ", " REC_ROW4
#define REC_INSERT "INSERT INTO analytics_events (site_id, at, path, status, page, browser," \
		   " major, bot, language, referrer, visitor) VALUES "

#define REC_DIM_COLS 6
#define REC_DIM_ROW "(?, ?, ?, ?, ?, ?)"
#define REC_DIM_ROW4 REC_DIM_ROW ", " REC_DIM_ROW ", " REC_DIM_ROW ", " REC_DIM_ROW
#define REC_DIM_ROW16 REC_DIM_ROW4 ", " REC_DIM_ROW4 ", " REC_DIM_ROW4 ", " REC_DIM_ROW4
#define REC_DIM_UPSERT " ON CONFLICT (site_id, day, dim, value) DO UPDATE SET" \
		       " views = analytics_dims.views + excluded.views," \
		       " visitors = analytics_dims.visitors + excluded.visitors"

static const struct store_stmt rec_sql[] = {
	[REC_INSERT_EVENT] = {"analytics_insert_event", REC_INSERT REC_ROW},
	[REC_INSERT_EVENTS] = {"analytics_insert_events", REC_INSERT REC_ROW16 ", " REC_ROW16},
	[REC_UPSERT_DAY] = {"analytics_upsert_day",
	    "INSERT INTO analytics_days (site_id, day, views, visitors, bot_views)"
	    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (site_id, day) DO UPDATE SET"
	    " views = analytics_days.views + excluded.views,"
	    " visitors = analytics_days.visitors + excluded.visitors,"
	    " bot_views = analytics_days.bot_views + excluded.bot_views"},
	[REC_UPSERT_DIM] = {"analytics_upsert_dim",
	    "INSERT INTO analytics_dims (site_id, day, dim, value, views, visitors)"
	    " VALUES " REC_DIM_ROW REC_DIM_UPSERT},
	/* REC_ROWS rows of distinct keys (a batch folds each key once: PostgreSQL refuses
	 * to update one row twice in a statement) */
	[REC_UPSERT_DIMS] = {"analytics_upsert_dims",
	    "INSERT INTO analytics_dims (site_id, day, dim, value, views, visitors)"
	    " VALUES " REC_DIM_ROW16 ", " REC_DIM_ROW16 REC_DIM_UPSERT},
};

/* ------------------------------------------------------------ visitors seen ---- */

/* A set of 64-bit keys (0 is never a key) for one day, open addressing. */
struct seen_set {
	int64_t day;
	uint64_t *keys;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

static void
seen_reset(struct seen_set *s, int64_t day)
{
	free(s->keys);
	s->keys = NULL;
	s->cap = s->n = 0;
	s->day = day;
}

/* Empties s for day, keeping its memory (the batch set, refilled every batch). */
static void
seen_clear(struct seen_set *s, int64_t day)
{
	if (s->n)
		memset(s->keys, 0, s->cap * sizeof(*s->keys));
	s->n = 0;
	s->day = day;
}

static bool
seen_has(const struct seen_set *s, uint64_t k)
{
	size_t i;

	if (s->cap == 0)
		return false;
	for (i = k & (s->cap - 1); s->keys[i]; i = (i + 1) & (s->cap - 1))
		if (s->keys[i] == k)
			return true;
	return false;
}

/* Adds k; false when the set is at LIMIT_ANALYTICS_SEEN or out of memory. */
static bool
seen_add(struct seen_set *s, uint64_t k)
{
	uint64_t *grown;
	size_t i, cap;

	if (seen_has(s, k))
		return true;
	if (2 * (s->n + 1) > s->cap) {
		cap = s->cap ? 2 * s->cap : 1024;
		if (s->n + 1 > LIMIT_ANALYTICS_SEEN || (grown = calloc(cap, sizeof(*grown))) == NULL)
			return false;
		for (i = 0; i < s->cap; i++) {
			size_t j;
			if (s->keys[i] == 0)
				continue;
			for (j = s->keys[i] & (cap - 1); grown[j]; j = (j + 1) & (cap - 1))
				;
			grown[j] = s->keys[i];
		}
		free(s->keys);
		s->keys = grown;
		s->cap = cap;
	}
	for (i = k & (s->cap - 1); s->keys[i]; i = (i + 1) & (s->cap - 1))
		;
	s->keys[i] = k;
	s->n++;
	return true;
}

/* ---------------------------------------------------------- batch rollups ---- */

/* One counter of a batch: a (site, day) row when dim is 0, else a dimension's value. */
struct fold {
	int64_t site_id;
	int64_t day;
	int dim;
	const char *value;
	int64_t views;
	int64_t visitors;
	int64_t bot_views;
};

struct fold_map {
	struct fold *slots; /* value == NULL: empty */
	size_t cap;
	size_t n;
};

/* The counter of (site, day, dim, value), made empty when new; NULL when the map is full
 * (it is sized for the batch, so never). */
static struct fold *
fold_get(struct fold_map *m, int64_t site, int64_t day, int dim, const char *value)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *p;
	struct fold *f;
	size_t i, tries;

	h = (h ^ (uint64_t)site) * 1099511628211ULL;
	h = (h ^ (uint64_t)day) * 1099511628211ULL;
	h = (h ^ (uint64_t)dim) * 1099511628211ULL;
	for (p = (const unsigned char *)value; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	for (i = h & (m->cap - 1), tries = 0; tries < m->cap; i = (i + 1) & (m->cap - 1), tries++) {
		f = &m->slots[i];
		if (f->value == NULL) {
			f->site_id = site;
			f->day = day;
			f->dim = dim;
			f->value = value;
			m->n++;
			return f;
		}
		if (f->site_id == site && f->day == day && f->dim == dim &&
		    strcmp(f->value, value) == 0)
			return f;
	}
	return NULL;
}

/* ---------------------------------------------------------------- recorder ---- */

#define OWN_HOST_SLOTS 256
#define OWN_HOST_TTL_S 60

struct own_host {
	char host[ANALYTICS_HOST_BYTES];
	bool own;
	int64_t checked;
};

struct salt {
	int64_t day; /* -1: none */
	unsigned char key[crypto_generichash_KEYBYTES];
};

struct batch_key {
	int64_t day;
	uint64_t key;
};

struct analytics_recorder {
	struct analytics_queue *queue;
	struct store *store; /* the writer's connection: opened when there is something to
				store, closed after a failure and opened again for the retry */
	char *url;
	char *password; /* NULL: none */
	pthread_t thread;
	bool started;
	pthread_mutex_t lock; /* stop flag and wake-up */
	pthread_cond_t wake;
	bool stop;

	pthread_rwlock_t salt_lock;
	struct salt salts[2]; /* by day parity */

	atomic_uint_fast64_t stored;
	atomic_uint_fast64_t lost;

	/* the writer's own state */
	unsigned char seen_key[crypto_shorthash_KEYBYTES];
	struct seen_set seen[2]; /* by day parity */
	struct batch_key *batch_keys; /* keys first seen in the batch being stored */
	size_t nbatch_keys;
	size_t batch_keys_cap;
	struct seen_set batch_seen;
	analytics_own_host_fn own_host;
	void *own_host_arg;
	struct own_host hosts[OWN_HOST_SLOTS];
	struct analytics_event *batch;
};

/* The key of (site, day, dim, value, visitor) in the seen sets; never 0. */
static uint64_t
rec_seen_key(struct analytics_recorder *r, const struct analytics_event *ev, int64_t day,
    int dim, const char *value)
{
	unsigned char msg[8 + 8 + 4 + ANALYTICS_VISITOR_BYTES + LIMIT_ANALYTICS_PATH_BYTES + 1];
	unsigned char out[crypto_shorthash_BYTES];
	size_t n = 0, vl = strlen(value);
	uint32_t d = (uint32_t)dim;
	uint64_t k;

	memcpy(msg + n, &ev->site_id, 8);
	n += 8;
	memcpy(msg + n, &day, 8);
	n += 8;
	memcpy(msg + n, &d, 4);
	n += 4;
	memcpy(msg + n, ev->visitor, ANALYTICS_VISITOR_BYTES);
	n += ANALYTICS_VISITOR_BYTES;
	if (vl > sizeof(msg) - n)
		vl = sizeof(msg) - n;
	memcpy(msg + n, value, vl);
	n += vl;
	crypto_shorthash(out, msg, n, r->seen_key);
	memcpy(&k, out, sizeof(k));
	return k ? k : 1;
}

/* Remembers k (of day) for the batch; false when it cannot (then it may count twice). */
static bool
rec_batch_add(struct analytics_recorder *r, int64_t day, uint64_t k)
{
	if (r->nbatch_keys == r->batch_keys_cap) {
		size_t cap = r->batch_keys_cap ? 2 * r->batch_keys_cap : 4096;
		struct batch_key *grown = realloc(r->batch_keys, cap * sizeof(*grown));
		if (grown == NULL)
			return false;
		r->batch_keys = grown;
		r->batch_keys_cap = cap;
	}
	if (!seen_add(&r->batch_seen, k))
		return false;
	r->batch_keys[r->nbatch_keys].day = day;
	r->batch_keys[r->nbatch_keys++].key = k;
	return true;
}

/*
 * Whether ev's visitor is new for (site, day, dim, value): counted neither by a
 * committed batch nor earlier in this one. A new key is remembered for the batch.
 * first: the visitor is new for the (site, day) itself, so none of its keys can have
 * been seen and the look-ups are skipped.
 */
static bool
rec_visitor_new(struct analytics_recorder *r, const struct analytics_event *ev, int64_t day,
    int dim, const char *value, bool first)
{
	struct seen_set *s = &r->seen[day & 1];
	uint64_t k;

	if (!ev->has_visitor)
		return false;
	k = rec_seen_key(r, ev, day, dim, value);
	if (!first && ((s->day == day && seen_has(s, k)) || seen_has(&r->batch_seen, k)))
		return false;
	rec_batch_add(r, day, k); /* on failure: counted, not remembered */
	return true;
}

/* After a commit: the batch's keys join their day's set. A set holds one day; a later
 * day replaces the one two days before it. Keys of a day older than its slot's are
 * forgotten (the day ended two days ago). */
static void
rec_seen_commit(struct analytics_recorder *r)
{
	struct seen_set *s;
	size_t i;

	for (i = 0; i < r->nbatch_keys; i++) {
		s = &r->seen[r->batch_keys[i].day & 1];
		if (s->day < r->batch_keys[i].day)
			seen_reset(s, r->batch_keys[i].day);
		if (s->day == r->batch_keys[i].day)
			seen_add(s, r->batch_keys[i].key);
	}
}

/* Whether a referring host is one of candor's sites, remembered OWN_HOST_TTL_S. */
static bool
rec_own_host(struct analytics_recorder *r, const char *host, int64_t now)
{
	uint64_t h = 1469598103934665603ULL;
	struct own_host *o;
	const char *p;

	if (r->own_host == NULL || r->store == NULL)
		return false;
	for (p = host; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	o = &r->hosts[h % OWN_HOST_SLOTS];
	if (o->checked && now - o->checked < OWN_HOST_TTL_S && strcmp(o->host, host) == 0)
		return o->own;
	str_copy(o->host, host, sizeof(o->host));
	o->own = r->own_host(r->store, host, r->own_host_arg);
	o->checked = now;
	return o->own;
}

static const char *
rec_family(const struct analytics_event *ev)
{
	return analytics_family_name((enum analytics_family)ev->family);
}

/* Folds ev into the batch's counters. */
static enum err
rec_fold(struct analytics_recorder *r, struct fold_map *m, const struct analytics_event *ev)
{
	const char *values[4];
	static const int dims[4] = {ANALYTICS_DIM_PATH, ANALYTICS_DIM_REFERRER,
	    ANALYTICS_DIM_BROWSER, ANALYTICS_DIM_LANGUAGE};
	int64_t day = analytics_day(ev->at);
	struct fold *f;
	bool first;
	size_t i;

	if (!ev->page || ev->status < 200 || ev->status >= 300)
		return ERR_OK;
	if ((f = fold_get(m, ev->site_id, day, 0, "")) == NULL)
		return ERR_NOMEM;
	if (ev->bot) {
		f->bot_views++;
		return ERR_OK;
	}
	f->views++;
	if ((first = rec_visitor_new(r, ev, day, 0, "", false)))
		f->visitors++;
	values[0] = ev->path;
	values[1] = ev->referrer;
	values[2] = rec_family(ev);
	values[3] = ev->lang;
	for (i = 0; i < 4; i++) {
		if ((f = fold_get(m, ev->site_id, day, dims[i], values[i])) == NULL)
			return ERR_NOMEM;
		f->views++;
		if (rec_visitor_new(r, ev, day, dims[i], values[i], first))
			f->visitors++;
	}
	return ERR_OK;
}

/* Binds ev as the row-th row (0-based) of an insert. */
static void
rec_bind_event(struct store_q *q, int row, const struct analytics_event *ev)
{
	int b = row * REC_COLS;

	store_bind_int(q, b + 1, ev->site_id);
	store_bind_int(q, b + 2, ev->at);
	store_bind_text(q, b + 3, ev->path);
	store_bind_int(q, b + 4, ev->status);
	store_bind_int(q, b + 5, ev->page);
	store_bind_text(q, b + 6, rec_family(ev));
	store_bind_int(q, b + 7, ev->major);
	store_bind_int(q, b + 8, ev->bot);
	store_bind_text(q, b + 9, ev->lang);
	store_bind_text(q, b + 10, ev->referrer);
	if (ev->has_visitor)
		store_bind_blob(q, b + 11, ev->visitor, sizeof(ev->visitor));
	else
		store_bind_null(q, b + 11);
}

/* Inserts the raw rows of n events. */
static enum err
rec_insert_events(struct store *s, const struct analytics_event *ev, size_t n)
{
	struct store_q *q;
	size_t i = 0;
	enum err e = ERR_OK;
	int row;

	for (; i + REC_ROWS <= n && e == ERR_OK; i += REC_ROWS) {
		if ((q = store_prepare(s, &rec_sql[REC_INSERT_EVENTS])) == NULL)
			return store_done(NULL);
		for (row = 0; row < REC_ROWS; row++)
			rec_bind_event(q, row, &ev[i + row]);
		store_step(q);
		e = store_done(q);
	}
	for (; i < n && e == ERR_OK; i++) {
		if ((q = store_prepare(s, &rec_sql[REC_INSERT_EVENT])) == NULL)
			return store_done(NULL);
		rec_bind_event(q, 0, &ev[i]);
		store_step(q);
		e = store_done(q);
	}
	return e;
}

static enum err
rec_upsert_day(struct store *s, const struct fold *f)
{
	struct store_q *q;

	if ((q = store_prepare(s, &rec_sql[REC_UPSERT_DAY])) == NULL)
		return store_done(NULL);
	store_bind_int(q, 1, f->site_id);
	store_bind_int(q, 2, f->day);
	store_bind_int(q, 3, f->views);
	store_bind_int(q, 4, f->visitors);
	store_bind_int(q, 5, f->bot_views);
	store_step(q);
	return store_done(q);
}

/* Upserts n dimension counters (distinct keys), REC_ROWS to a statement. */
static enum err
rec_upsert_dims(struct store *s, const struct fold *const *f, size_t n)
{
	struct store_q *q;
	size_t i = 0, k, rows;
	enum err e = ERR_OK;
	int b;

	while (i < n && e == ERR_OK) {
		rows = n - i >= REC_ROWS ? REC_ROWS : 1;
		q = store_prepare(s, &rec_sql[rows == REC_ROWS ? REC_UPSERT_DIMS : REC_UPSERT_DIM]);
		if (q == NULL)
			return store_done(NULL);
		for (k = 0; k < rows; k++, i++) {
			b = (int)k * REC_DIM_COLS;
			store_bind_int(q, b + 1, f[i]->site_id);
			store_bind_int(q, b + 2, f[i]->day);
			store_bind_int(q, b + 3, f[i]->dim);
			store_bind_text(q, b + 4, f[i]->value);
			store_bind_int(q, b + 5, f[i]->views);
			store_bind_int(q, b + 6, f[i]->visitors);
		}
		store_step(q);
		e = store_done(q);
	}
	return e;
}

/*
 * Stores n events (referrers already resolved) and their rollups in one transaction.
 * On failure nothing is stored and the visitors seen are as before.
 */
static enum err
rec_store(struct analytics_recorder *r, const struct analytics_event *ev, size_t n)
{
	const struct fold **dims;
	struct fold_map m;
	size_t i, cap = 16, ndims = 0;
	enum err e;

	while (cap < 2 * (5 * n + 1))
		cap <<= 1;
	memset(&m, 0, sizeof(m));
	if ((m.slots = calloc(cap, sizeof(*m.slots))) == NULL)
		return ERR_NOMEM;
	if ((dims = calloc(cap, sizeof(*dims))) == NULL) {
		free(m.slots);
		return ERR_NOMEM;
	}
	m.cap = cap;
	r->nbatch_keys = 0;
	seen_clear(&r->batch_seen, 0);
	for (i = 0, e = ERR_OK; i < n && e == ERR_OK; i++)
		e = rec_fold(r, &m, &ev[i]);
	if (e != ERR_OK || (e = store_begin(r->store)) != ERR_OK)
		goto out;
	e = rec_insert_events(r->store, ev, n);
	for (i = 0; i < m.cap && e == ERR_OK; i++) {
		if (m.slots[i].value == NULL)
			continue;
		if (m.slots[i].dim == 0)
			e = rec_upsert_day(r->store, &m.slots[i]);
		else
			dims[ndims++] = &m.slots[i];
	}
	if (e == ERR_OK)
		e = rec_upsert_dims(r->store, dims, ndims);
	if (e == ERR_OK)
		e = store_commit(r->store);
	else
		store_rollback(r->store);
	if (e == ERR_OK)
		rec_seen_commit(r);
out:
	seen_clear(&r->batch_seen, 0);
	r->nbatch_keys = 0;
	free(dims);
	free(m.slots);
	return e;
}

/* ------------------------------------------------------------------ salts ---- */

/* Wipes the salt of every day that ended more than the grace ago. */
static void
rec_salt_expire(struct analytics_recorder *r, int64_t now)
{
	int64_t today = analytics_day(now), since = now - today * DAY_S;
	size_t i;

	pthread_rwlock_wrlock(&r->salt_lock);
	for (i = 0; i < 2; i++) {
		struct salt *s = &r->salts[i];
		if (s->day >= 0 && (s->day < today - 1 ||
			(s->day == today - 1 && since > LIMIT_ANALYTICS_SALT_GRACE_S))) {
			sodium_memzero(s->key, sizeof(s->key));
			s->day = -1;
		}
	}
	pthread_rwlock_unlock(&r->salt_lock);
}

bool
analytics_recorder_visitor(struct analytics_recorder *r, const char *cookie, size_t len,
    struct analytics_event *ev)
{
	crypto_generichash_state st;
	int64_t day = analytics_day(ev->at), now = time_now(), today = analytics_day(now);
	struct salt *s = &r->salts[day & 1];
	bool ok = false;

	ev->has_visitor = false;
	if (day > today || day < today - 1 ||
	    (day == today - 1 && now - today * DAY_S > LIMIT_ANALYTICS_SALT_GRACE_S))
		return false;
	pthread_rwlock_rdlock(&r->salt_lock);
	if (s->day != day) {
		/* the day's first visitor: make its salt (under the write lock) */
		pthread_rwlock_unlock(&r->salt_lock);
		pthread_rwlock_wrlock(&r->salt_lock);
		if (s->day != day) {
			randombytes_buf(s->key, sizeof(s->key));
			s->day = day;
		}
		pthread_rwlock_unlock(&r->salt_lock);
		pthread_rwlock_rdlock(&r->salt_lock);
	}
	if (s->day == day) {
		crypto_generichash_init(&st, s->key, sizeof(s->key), sizeof(ev->visitor));
		crypto_generichash_update(&st, (const unsigned char *)&ev->site_id,
		    sizeof(ev->site_id));
		crypto_generichash_update(&st, (const unsigned char *)&day, sizeof(day));
		crypto_generichash_update(&st, (const unsigned char *)cookie, len);
		crypto_generichash_final(&st, ev->visitor, sizeof(ev->visitor));
		sodium_memzero(&st, sizeof(st));
		ok = true;
	}
	pthread_rwlock_unlock(&r->salt_lock);
	ev->has_visitor = ok;
	return ok;
}

/* ----------------------------------------------------------------- writer ---- */

/* How often the writer looks at the queue when it is not full. */
#define REC_TICK_MS 50

/* Opens the writer's connection if it is not open; false (logged) when it cannot. */
static bool
rec_connect(struct analytics_recorder *r)
{
	char msg[512];
	enum err e;

	if (r->store)
		return true;
	if ((r->store = store_open(r->url, r->password, &e, msg, sizeof(msg))) == NULL)
		log_error("analytics: cannot open the database: %s", msg);
	return r->store != NULL;
}

/* Takes up to LIMIT_ANALYTICS_BATCH events; when there are some, opens the connection
 * (if it can) and marks the referrers that are candor's own hosts internal. */
static size_t
rec_take(struct analytics_recorder *r)
{
	int64_t now = time_now();
	size_t n = 0, i;

	while (n < LIMIT_ANALYTICS_BATCH && analytics_queue_pop(r->queue, &r->batch[n]))
		n++;
	if (n == 0 || !rec_connect(r))
		return n;
	for (i = 0; i < n; i++) {
		struct analytics_event *ev = &r->batch[i];
		if (ev->referrer[0] && strcmp(ev->referrer, ANALYTICS_REFERRER_INTERNAL) != 0 &&
		    rec_own_host(r, ev->referrer, now))
			str_copy(ev->referrer, ANALYTICS_REFERRER_INTERNAL, sizeof(ev->referrer));
	}
	return n;
}

static void *
rec_writer(void *arg)
{
	struct analytics_recorder *r = arg;
	struct timespec ts;
	int64_t give_up = 0;
	size_t n = 0;
	bool stopping, busy = false;
	enum err e;

	for (;;) {
		pthread_mutex_lock(&r->lock);
		stopping = r->stop;
		/* wait for the next tick unless the last batch was full (more is waiting) */
		if (!stopping && n == 0 && !busy) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += REC_TICK_MS * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&r->wake, &r->lock, &ts);
			stopping = r->stop;
		}
		pthread_mutex_unlock(&r->lock);
		if (stopping && give_up == 0)
			give_up = time_now_ms() + LIMIT_SHUTDOWN_S * 1000;
		rec_salt_expire(r, time_now());
		/* store what is queued, a batch at a time, until the queue is empty */
		busy = false;
		for (;;) {
			if (n == 0 && (n = rec_take(r)) == 0)
				break;
			busy = n == LIMIT_ANALYTICS_BATCH;
			if (!rec_connect(r)) {
				e = ERR_UNAVAIL;
			} else if ((e = rec_store(r, r->batch, n)) == ERR_OK) {
				atomic_fetch_add(&r->stored, n);
				n = 0;
				continue;
			} else {
				log_error("analytics: storing %zu events failed: %s (%s); retrying", n,
				    err_str(e), store_errmsg(r->store));
				store_close(r->store); /* a fresh connection for the retry */
				r->store = NULL;
			}
			if (stopping && time_now_ms() >= give_up) {
				atomic_fetch_add(&r->lost, n);
				n = 0;
				continue;
			}
			break; /* keep the batch; retry after a pause */
		}
		if (stopping && n == 0)
			break;
		if (n > 0) /* a failing database: pause before the retry */
			usleep(200 * 1000);
	}
	return NULL;
}

struct analytics_recorder *
analytics_recorder_start(const char *db_url, const char *password,
    analytics_own_host_fn own_host, void *own_host_arg, char *errbuf, size_t errsize)
{
	struct analytics_recorder *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(errbuf, errsize, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	pthread_rwlock_init(&r->salt_lock, NULL);
	r->salts[0].day = r->salts[1].day = -1;
	r->seen[0].day = r->seen[1].day = -1;
	r->own_host = own_host;
	r->own_host_arg = own_host_arg;
	randombytes_buf(r->seen_key, sizeof(r->seen_key));
	atomic_init(&r->stored, 0);
	atomic_init(&r->lost, 0);
	if ((r->queue = analytics_queue_new(LIMIT_ANALYTICS_QUEUE)) == NULL ||
	    (r->batch = calloc(LIMIT_ANALYTICS_BATCH, sizeof(*r->batch))) == NULL) {
		snprintf(errbuf, errsize, "out of memory");
		goto fail;
	}
	if ((r->url = strdup(db_url)) == NULL ||
	    (password && (r->password = strdup(password)) == NULL)) {
		snprintf(errbuf, errsize, "out of memory");
		goto fail;
	}
	if (pthread_create(&r->thread, NULL, rec_writer, r) != 0) {
		snprintf(errbuf, errsize, "cannot start the analytics writer thread");
		goto fail;
	}
	r->started = true;
	return r;
fail:
	analytics_recorder_stop(r);
	return NULL;
}

void
analytics_recorder_stop(struct analytics_recorder *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->started) {
		struct analytics_recorder_counts c;
		pthread_mutex_lock(&r->lock);
		r->stop = true;
		pthread_cond_signal(&r->wake);
		pthread_mutex_unlock(&r->lock);
		pthread_join(r->thread, NULL);
		analytics_recorder_counts(r, &c);
		log_info("analytics: %llu events stored, %llu dropped (queue full), %llu lost",
		    (unsigned long long)c.stored, (unsigned long long)c.dropped,
		    (unsigned long long)c.lost);
	}
	store_close(r->store);
	free(r->url);
	if (r->password) {
		sodium_memzero(r->password, strlen(r->password));
		free(r->password);
	}
	analytics_queue_free(r->queue);
	free(r->batch);
	for (i = 0; i < 2; i++)
		seen_reset(&r->seen[i], -1);
	seen_reset(&r->batch_seen, 0);
	free(r->batch_keys);
	sodium_memzero(r->salts, sizeof(r->salts));
	sodium_memzero(r->seen_key, sizeof(r->seen_key));
	pthread_rwlock_destroy(&r->salt_lock);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

bool
analytics_recorder_push(struct analytics_recorder *r, const struct analytics_event *ev)
{
	return analytics_queue_push(r->queue, ev);
}

void
analytics_recorder_counts(const struct analytics_recorder *r,
    struct analytics_recorder_counts *out)
{
	struct analytics_recorder *w = (struct analytics_recorder *)r;

	out->queued = analytics_queue_pushed(r->queue);
	out->dropped = analytics_queue_dropped(r->queue);
	out->stored = atomic_load(&w->stored);
	out->lost = atomic_load(&w->lost);
	out->pending = out->queued - out->stored - out->lost;
}
