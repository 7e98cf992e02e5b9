/*
 * bench_ingest: how many analytics events per second the recorder's writer stores
 * (issue 7, bench b). Usage: bench_ingest STORE_URL [EVENTS]
 *
 * Creates the analytics tables in STORE_URL (an empty SQLite file or PostgreSQL
 * database), starts the recorder (analytics/recorder.h: the queue and the writer thread
 * with its own connection) and pushes EVENTS (default 1,000,000) synthetic page views
 * from one producer thread as fast as the queue takes them (a full queue is waited out,
 * not dropped, so every event is stored). The events are realistic for the writer:
 * 20 sites, 500 paths, 40 referrers, every browser family, 12 languages, 5% bots, 70%
 * with a visitor hash out of 50,000 visitors, all of today. Prints the events stored per
 * second from the first push until the writer has committed the last one, and per CPU
 * second of the writer (the process's CPU time less the producer thread's, which a busy
 * machine does not distort), and the CPU time the request path spends per event
 * (classifying the headers, hashing the visitor, pushing), then checks
 * the rollups add up (views + bot views = EVENTS) and exits non-zero if not.
 */
#include <inttypes.h>
#include <sys/resource.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analytics/recorder.h"
#include "http/http.h"
#include "store/store.h"

/* CPU seconds of the calling thread */
static double
thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * What the request path does per response (web/analytics.c): classify User-Agent,
 * Accept-Language and Referer, record the path, hash the visitor cookie, push. Timed in
 * CPU time of this thread over n rounds (n <= 30000), into a queue with room for all.
 * Returns nanoseconds per event.
 */
static double
request_path_ns(struct analytics_recorder *r, long long n)
{
	static const char ua[] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"
				 " (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36";
	static const char lang[] = "de-CH,de;q=0.9,en;q=0.8";
	static const char ref[] = "https://news.example.org/story/42?utm_source=feed";
	static char seg0[] = "posts", seg1[] = "interview-lighting";
	char *segs[] = {seg0, seg1};
	struct analytics_queue *q = analytics_queue_new(32768);
	struct analytics_event ev;
	struct analytics_ua u;
	double t0, t1;
	long long i;

	if (q == NULL)
		return -1;
	t0 = thread_cpu();
	for (i = 0; i < n; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.site_id = 1;
		ev.at = time_now();
		ev.status = 200;
		ev.page = true;
		analytics_classify_ua(ua, sizeof(ua) - 1, &u);
		ev.family = (uint8_t)u.family;
		ev.major = u.major;
		ev.bot = u.bot;
		analytics_language(lang, sizeof(lang) - 1, ev.lang);
		analytics_referrer_host(ref, sizeof(ref) - 1, ev.referrer);
		http_path_record(segs, 2, NULL, ev.path, sizeof(ev.path));
		analytics_recorder_visitor(r, "Qx7aZZvisitorOne1234a", 21, &ev);
		if (!analytics_queue_push(q, &ev))
			return -1;
	}
	t1 = thread_cpu();
	analytics_queue_free(q);
	return (t1 - t0) * 1e9 / (double)n;
}

static const struct store_stmt sum_sql = {"bench_sum",
    "SELECT COALESCE(SUM(views + bot_views), 0) FROM analytics_days"};

/* xorshift64*: the synthetic traffic, the same every run */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

int
main(int argc, char **argv)
{
	static const char *langs[] = {"en", "de", "fr", "es", "it", "nl", "pt", "ja", "zh", "ru",
	    "pl", ""};
	struct analytics_recorder_counts c;
	struct analytics_recorder *r;
	struct analytics_event ev;
	struct rusage ru;
	struct store *s;
	struct store_q *q;
	char msg[512], cookie[32];
	long long events = 1000000, i, total = -1;
	uint64_t seed = 88172645463325252ULL, x;
	int64_t t0, ms, now = time_now();
	double cpu, producer, path_ns;
	enum err e;

	if (argc < 2 || argc > 3 || (argc == 3 && strnum(argv[2], 1, 1000000000LL, &events) != ERR_OK)) {
		fprintf(stderr, "usage: bench_ingest STORE_URL [EVENTS]\n");
		return 2;
	}
	if ((s = store_open(argv[1], NULL, &e, msg, sizeof(msg))) == NULL) {
		fprintf(stderr, "bench_ingest: %s\n", msg);
		return 1;
	}
	if (analytics_migrate(s) != ERR_OK) {
		fprintf(stderr, "bench_ingest: cannot create the tables: %s\n", store_errmsg(s));
		return 1;
	}
	if ((r = analytics_recorder_start(argv[1], NULL, NULL, NULL, msg, sizeof(msg))) == NULL) {
		fprintf(stderr, "bench_ingest: %s\n", msg);
		return 1;
	}
	path_ns = request_path_ns(r, 30000);
	t0 = time_now_ms();
	for (i = 0; i < events; i++) {
		memset(&ev, 0, sizeof(ev));
		x = rnd(&seed);
		ev.site_id = 1 + (int64_t)(x % 20);
		ev.at = now;
		ev.status = 200;
		ev.page = true;
		ev.family = (uint8_t)((x >> 8) % ANALYTICS_FAMILY__MAX);
		ev.major = 100 + (int)((x >> 12) % 30);
		ev.bot = (x >> 20) % 100 < 5;
		snprintf(ev.lang, sizeof(ev.lang), "%s", langs[(x >> 24) % 12]);
		if ((x >> 28) % 3)
			snprintf(ev.referrer, sizeof(ev.referrer), "ref%d.example.org",
			    (int)((x >> 32) % 40));
		snprintf(ev.path, sizeof(ev.path), "/posts/synthetic-post-number-%d",
		    (int)((x >> 40) % 500));
		if ((x >> 50) % 10 < 7) {
			snprintf(cookie, sizeof(cookie), "v%07d", (int)(rnd(&seed) % 50000));
			analytics_recorder_visitor(r, cookie, strlen(cookie), &ev);
		}
		while (!analytics_recorder_push(r, &ev))
			usleep(200); /* full: wait for the writer, lose nothing */
	}
	do {
		analytics_recorder_counts(r, &c);
		if (c.stored + c.lost < (uint64_t)events)
			usleep(1000);
	} while (c.stored + c.lost < (uint64_t)events);
	ms = time_now_ms() - t0;
	producer = thread_cpu();
	analytics_recorder_stop(r);
	getrusage(RUSAGE_SELF, &ru);
	cpu = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	if ((q = store_prepare(s, &sum_sql)) != NULL && store_step(q) == STORE_ROW)
		total = store_col_int(q, 0);
	store_done(q);
	store_close(s);
	/* CPU seconds of the whole process (producer, writer and, on SQLite, the
	 * database engine): on a shared machine the wall clock also counts time the
	 * threads waited for a CPU */
	cpu -= producer; /* the synthetic traffic is the request threads' work, not the writer's */
	printf("%s: %lld events stored in %.3f s: %.0f events/s wall clock; writer %.3f CPU s:"
	       " %.0f events per writer CPU second (lost %" PRIu64 ")\n",
	    strncmp(argv[1], "sqlite:", 7) == 0 ? "sqlite" : "postgresql", events, ms / 1000.0,
	    ms > 0 ? events * 1000.0 / (double)ms : 0.0, cpu, cpu > 0 ? events / cpu : 0.0,
	    c.lost);
	printf("%s: request path %.0f ns CPU per event (classify, path, visitor hash, push);"
	       " writer %.0f ns CPU per event\n",
	    strncmp(argv[1], "sqlite:", 7) == 0 ? "sqlite" : "postgresql", path_ns,
	    cpu > 0 ? cpu * 1e9 / (double)events : 0.0);
	if (total != events || c.lost) {
		fprintf(stderr, "bench_ingest: the rollups hold %lld views, not %lld\n", total,
		    events);
		return 1;
	}
	return 0;
}
