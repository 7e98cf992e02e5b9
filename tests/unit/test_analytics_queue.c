/*
 * test_analytics_queue: the recorder's lock-free queue (analytics/recorder.h) and the
 * path it records (http_path_record). Several producer threads push while one consumer
 * takes: nothing is lost or duplicated while the queue has room; a full queue refuses
 * at once and counts every drop; the UTC day; the recorded path at its limit N and N+1.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "analytics/recorder.h"
#include "http/http.h"
#include "testlib.h"

#define PRODUCERS 4
#define PER_PRODUCER 50000

struct producer {
	struct analytics_queue *q;
	int id;
	int64_t refused;
	bool retry; /* push again until accepted */
};

static void *
produce(void *arg)
{
	struct producer *p = arg;
	struct analytics_event ev;
	int i;

	memset(&ev, 0, sizeof(ev));
	ev.site_id = p->id;
	for (i = 0; i < PER_PRODUCER; i++) {
		ev.at = i;
		snprintf(ev.path, sizeof(ev.path), "/p%d/%d", p->id, i);
		while (!analytics_queue_push(p->q, &ev)) {
			p->refused++;
			if (!p->retry)
				break;
		}
	}
	return NULL;
}

static atomic_bool producers_done;

/* Several producers, one consumer: every event arrives once, in order per producer. */
static void
test_no_loss(void)
{
	struct analytics_queue *q = analytics_queue_new(1024);
	struct producer p[PRODUCERS];
	pthread_t t[PRODUCERS];
	struct analytics_event ev;
	int64_t next[PRODUCERS] = {0}, got = 0, refused = 0;
	char want[64];
	int i;

	T_ASSERT(q != NULL);
	atomic_store(&producers_done, false);
	for (i = 0; i < PRODUCERS; i++) {
		p[i] = (struct producer){q, i, 0, true};
		T_EQ_INT(pthread_create(&t[i], NULL, produce, &p[i]), 0);
	}
	while (got < (int64_t)PRODUCERS * PER_PRODUCER) {
		if (!analytics_queue_pop(q, &ev))
			continue;
		T_ASSERT(ev.site_id >= 0 && ev.site_id < PRODUCERS);
		T_EQ_INT(ev.at, next[ev.site_id]);
		snprintf(want, sizeof(want), "/p%d/%d", (int)ev.site_id, (int)ev.at);
		T_EQ_STR(ev.path, want);
		next[ev.site_id]++;
		got++;
	}
	for (i = 0; i < PRODUCERS; i++) {
		pthread_join(t[i], NULL);
		refused += p[i].refused;
		T_EQ_INT(next[i], PER_PRODUCER);
	}
	T_ASSERT(!analytics_queue_pop(q, &ev));
	T_EQ_INT(analytics_queue_pushed(q), (int64_t)PRODUCERS * PER_PRODUCER);
	/* a refused push (the queue was full for a moment) is a counted drop */
	T_EQ_INT(analytics_queue_dropped(q), refused);
	analytics_queue_free(q);
}

/* Nobody consumes: exactly capacity events are taken, every other push is a drop. */
static void
test_full_drops(void)
{
	struct analytics_queue *q = analytics_queue_new(1000); /* rounded up to 1024 */
	struct producer p[PRODUCERS];
	pthread_t t[PRODUCERS];
	struct analytics_event ev;
	int64_t refused = 0, got = 0;
	int i;

	T_ASSERT(q != NULL);
	for (i = 0; i < PRODUCERS; i++) {
		p[i] = (struct producer){q, i, 0, false};
		T_EQ_INT(pthread_create(&t[i], NULL, produce, &p[i]), 0);
	}
	for (i = 0; i < PRODUCERS; i++) {
		pthread_join(t[i], NULL);
		refused += p[i].refused;
	}
	T_EQ_INT(analytics_queue_pushed(q), 1024);
	T_EQ_INT(analytics_queue_dropped(q), (int64_t)PRODUCERS * PER_PRODUCER - 1024);
	T_EQ_INT(refused, (int64_t)PRODUCERS * PER_PRODUCER - 1024);
	while (analytics_queue_pop(q, &ev))
		got++;
	T_EQ_INT(got, 1024);
	/* room again: a push is accepted */
	T_ASSERT(analytics_queue_push(q, &ev));
	T_ASSERT(analytics_queue_pop(q, &ev));
	analytics_queue_free(q);
}

static void
test_day(void)
{
	struct analytics_event ev;

	T_EQ_INT(analytics_day(0), 0);
	T_EQ_INT(analytics_day(86399), 0);
	T_EQ_INT(analytics_day(86400), 1);
	T_EQ_INT(analytics_day(-1), -1);
	memset(&ev, 0, sizeof(ev));
	ev.page = true;
	ev.status = 200;
	T_ASSERT(analytics_event_is_view(&ev));
	ev.status = 304;
	T_ASSERT(!analytics_event_is_view(&ev));
	ev.status = 204;
	ev.bot = true;
	T_ASSERT(!analytics_event_is_view(&ev));
}

/* Splits path and records it into a buffer of outsize bytes. */
static const char *
record(const char *path, size_t outsize)
{
	static char out[1024];
	struct arena *a = arena_new();
	char **segs = NULL;
	size_t n = 0;

	T_ASSERT(a != NULL && outsize <= sizeof(out));
	T_EQ_INT(http_path_split(a, path, strlen(path), &segs, &n), ERR_OK);
	http_path_record(segs, n, NULL, out, outsize);
	arena_free(a);
	return out;
}

static void
test_path(void)
{
	char seg[LIMIT_ANALYTICS_PATH_BYTES + 8], path[LIMIT_ANALYTICS_PATH_BYTES + 16];
	const size_t size = LIMIT_ANALYTICS_PATH_BYTES + 1;

	T_EQ_STR(record("/", size), "/");
	T_EQ_STR(record("/posts/hello", size), "/posts/hello");
	/* every spelling of a path is one text */
	T_EQ_STR(record("/posts/h%65llo", size), "/posts/hello");
	T_EQ_STR(record("/posts/caf%C3%A9%20au", size), "/posts/caf%C3%A9%20au");
	/* a segment that looks like a token is never recorded */
	T_EQ_STR(record("/reset/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", size), "/reset/:token");
	/* limit: a path of exactly N bytes is kept, N+1 is cut before its last segment */
	memset(seg, 'a', LIMIT_ANALYTICS_PATH_BYTES - 3);
	seg[LIMIT_ANALYTICS_PATH_BYTES - 3] = '\0';
	snprintf(path, sizeof(path), "/x/%s", seg); /* N bytes */
	T_EQ_INT(strlen(path), LIMIT_ANALYTICS_PATH_BYTES);
	T_EQ_STR(record(path, size), path);
	snprintf(path, sizeof(path), "/xy/%s", seg); /* N + 1 */
	T_EQ_STR(record(path, size), "/xy");
	/* an escape is never cut in half */
	memset(seg, 'a', LIMIT_ANALYTICS_PATH_BYTES - 2);
	seg[LIMIT_ANALYTICS_PATH_BYTES - 2] = '\0';
	snprintf(path, sizeof(path), "/%s%%20", seg); /* N + 2 bytes when recorded */
	T_EQ_STR(record(path, size), "/");
	/* tiny buffers */
	T_EQ_STR(record("/abc", 2), "/");
	T_EQ_STR(record("/abc", 4), "/");
	T_EQ_STR(record("/abc", 5), "/abc");
}

int
main(void)
{
	test_no_loss();
	test_full_drops();
	test_day();
	test_path();
	printf("test_analytics_queue: ok\n");
	return 0;
}
