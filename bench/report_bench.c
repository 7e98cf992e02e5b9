/*
 * report_bench: benchmark (c) of issue 7. How long a 30-day report of one site takes
 * over the daily rollups that 10 million synthetic events spread over 90 days and 20
 * sites produce (target: at most 50 ms). Run by bench/report.sh on SQLite and PostgreSQL.
 *
 * The events are generated, not replayed: sites get Zipf-distributed shares of the
 * traffic (the biggest about 7 times the smallest), days a weekly rhythm and a trend;
 * each event has a path (Zipf over LIMIT-free 600 paths per site), a referrer (none 55%,
 * internal 20%, else Zipf over 400 hosts), a browser (12 families, market-like weights),
 * a language (Zipf over 40 subtags), and a visitor (a pool of a third of the day's
 * events, 12% of events without one, as with DNT or no cookie). Each (site, day) is
 * folded the way analytics/schema.c says: views per value and distinct visitors per
 * value, then written to analytics_days and analytics_dims in one transaction a site.
 *
 * Then, for each of the 20 sites, the 30-day report of the last 30 days (private, and
 * public with k 5) is built BENCH_REPEAT times; the program prints the median, p95 and
 * largest time per report and the rows the rollups hold.
 *
 * Usage: report_bench STORE_URL [EVENTS]   (EVENTS default 10000000)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analytics/report.h"
#include "store/store.h"

#define SITES 20
#define DAYS 90
#define PATHS 600
#define REFERRERS 400
#define LANGUAGES 40
#define REPEAT 15

static const struct store_stmt day_sql = {"bench_day",
    "INSERT INTO analytics_days (site_id, day, views, visitors, bot_views)"
    " VALUES (?, ?, ?, ?, ?)"};
static const struct store_stmt dim_sql = {"bench_dim",
    "INSERT INTO analytics_dims (site_id, day, dim, value, views, visitors)"
    " VALUES (?, ?, ?, ?, ?, ?)"};

static const struct store_stmt analyze_sql = {"bench_analyze", "VACUUM ANALYZE"};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
uniform(void)
{
	return (double)(next() >> 11) / 9007199254740992.0;
}

/* A Zipf(s) table over n items: cumulative weights, searched by bisection. */
struct zipf {
	double *cum;
	size_t n;
};

static void
zipf_init(struct zipf *z, size_t n, double s)
{
	size_t i;
	double t = 0;

	z->n = n;
	if ((z->cum = malloc(n * sizeof(double))) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		t += 1.0 / pow((double)(i + 1), s);
		z->cum[i] = t;
	}
	for (i = 0; i < n; i++)
		z->cum[i] /= t;
}

static size_t
zipf_draw(const struct zipf *z)
{
	double u = uniform();
	size_t lo = 0, hi = z->n - 1, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (z->cum[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Distinct (value, visitor) pairs of one (site, day): open addressing over 64-bit keys. */
struct set {
	uint64_t *k;
	size_t cap;
};

static bool
set_add(struct set *s, uint64_t key)
{
	size_t i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 20) & (s->cap - 1);

	key |= 1ull << 63; /* never 0 */
	while (s->k[i] != 0) {
		if (s->k[i] == key)
			return false;
		i = (i + 1) & (s->cap - 1);
	}
	s->k[i] = key;
	return true;
}

/* Per (site, day) counters: [dim][value] views and visitors. */
#define NBROWSERS ANALYTICS_FAMILY__MAX
#define NREFS (REFERRERS + 2) /* 0: none, 1: internal, 2..: hosts */
struct fold {
	int64_t path_v[PATHS], path_u[PATHS];
	int64_t ref_v[NREFS], ref_u[NREFS];
	int64_t br_v[NBROWSERS], br_u[NBROWSERS];
	int64_t lang_v[LANGUAGES + 1], lang_u[LANGUAGES + 1]; /* [LANGUAGES]: none */
	int64_t views, visitors, bots;
};

/* CPU time of this process, in milliseconds: unlike the wall clock, not stretched by
 * other programs on a busy machine. */
static double
cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Dimension rows go in batches of BATCH rows a statement (one round trip instead of
 * BATCH on PostgreSQL); the statement's text is made once at startup. */
#define BATCH 64
static char batch_text[128 + BATCH * 24];
static const struct store_stmt batch_sql = {"bench_dim_batch", batch_text};
static struct {
	int64_t site, day, v, u;
	int dim;
	char value[64];
} pending[BATCH];
static size_t npending;

static void
batch_init(void)
{
	size_t i, n;

	n = (size_t)snprintf(batch_text, sizeof(batch_text), "INSERT INTO analytics_dims"
	    " (site_id, day, dim, value, views, visitors) VALUES ");
	for (i = 0; i < BATCH; i++)
		n += (size_t)snprintf(batch_text + n, sizeof(batch_text) - n, "%s(?,?,?,?,?,?)",
		    i ? "," : "");
}

static void put(struct store *s, const struct store_stmt *st, int64_t site, int64_t day,
    int dim, const char *value, int64_t v, int64_t u);

static void
flush(struct store *s)
{
	struct store_q *q;
	size_t i, n = npending;
	int c = 1;

	npending = 0;
	if (n < BATCH) {
		for (i = 0; i < n; i++)
			put(s, &dim_sql, pending[i].site, pending[i].day, -pending[i].dim,
			    pending[i].value, pending[i].v, pending[i].u);
		return;
	}
	if ((q = store_prepare(s, &batch_sql)) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		store_bind_int(q, c++, pending[i].site);
		store_bind_int(q, c++, pending[i].day);
		store_bind_int(q, c++, pending[i].dim);
		store_bind_text(q, c++, pending[i].value);
		store_bind_int(q, c++, pending[i].v);
		store_bind_int(q, c++, pending[i].u);
	}
	store_step(q);
	if (store_done(q) == ERR_OK)
		return;
fail:
	fprintf(stderr, "report_bench: batch insert failed: %s\n", store_errmsg(s));
	exit(1);
}

/* A row: a day row at once; a dimension row (dim > 0) into the batch, written at once
 * when dim is negative (flush's remainder). */
static void
put(struct store *s, const struct store_stmt *st, int64_t site, int64_t day, int dim,
    const char *value, int64_t v, int64_t u)
{
	struct store_q *q;

	if (st == &dim_sql && dim > 0) {
		pending[npending].site = site;
		pending[npending].day = day;
		pending[npending].dim = dim;
		str_copy(pending[npending].value, value, sizeof(pending[npending].value));
		pending[npending].v = v;
		pending[npending].u = u;
		if (++npending == BATCH)
			flush(s);
		return;
	}
	if (st == &dim_sql)
		dim = -dim;
	q = store_prepare(s, st);

	if (q == NULL)
		goto fail;
	store_bind_int(q, 1, site);
	store_bind_int(q, 2, day);
	if (st == &day_sql) {
		store_bind_int(q, 3, v);
		store_bind_int(q, 4, u);
		store_bind_int(q, 5, dim); /* bots */
	} else {
		store_bind_int(q, 3, dim);
		store_bind_text(q, 4, value);
		store_bind_int(q, 5, v);
		store_bind_int(q, 6, u);
	}
	store_step(q);
	if (store_done(q) == ERR_OK)
		return;
fail:
	fprintf(stderr, "report_bench: insert failed: %s\n", store_errmsg(s));
	exit(1);
}

int
main(int argc, char **argv)
{
	/* browser shares, roughly: Chrome, Chrome Mobile, Mobile Safari, Safari, Edge,
	 * Firefox, Samsung, Opera, Firefox Mobile, Yandex, UC, Other */
	static const int browsers[] = {ANALYTICS_CHROME, ANALYTICS_CHROME_MOBILE,
	    ANALYTICS_MOBILE_SAFARI, ANALYTICS_SAFARI, ANALYTICS_EDGE, ANALYTICS_FIREFOX,
	    ANALYTICS_SAMSUNG_INTERNET, ANALYTICS_OPERA, ANALYTICS_FIREFOX_MOBILE,
	    ANALYTICS_YANDEX, ANALYTICS_UC_BROWSER, ANALYTICS_OTHER};
	static const double browser_w[] = {30, 22, 18, 7, 6, 5, 3, 2.5, 2, 1, 0.5, 3};
	static const char *const langs[LANGUAGES] = {"en", "de", "fr", "es", "it", "nl", "pt",
	    "pl", "sv", "da", "fi", "nb", "cs", "sk", "hu", "ro", "bg", "el", "tr", "ru", "uk",
	    "ja", "zh", "ko", "ar", "he", "hi", "id", "vi", "th", "ms", "ca", "eu", "gl", "sl",
	    "hr", "sr", "lt", "lv", "et"};
	struct zipf zsite, zpath, zref, zlang;
	double site_w[SITES], day_w[DAYS], bw_cum[COUNTOF(browsers)], sum = 0, times[SITES * REPEAT],
	    times_pub[SITES * REPEAT], cpu[SITES * REPEAT], c0;
	struct fold *f;
	struct set set;
	struct store *s;
	struct arena *a;
	struct report r;
	struct timespec t0;
	char msg[256], value[64];
	int64_t events, total = 0, rows = 0, today = 20000, ev, n, pool, visitor;
	size_t i, j, d, site, b, p, rf, lg, nt = 0;
	enum err e;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: report_bench STORE_URL [EVENTS]\n");
		return 2;
	}
	events = argc == 3 ? strtoll(argv[2], NULL, 10) : 10000000;
	if ((s = store_open(argv[1], NULL, &e, msg, sizeof(msg))) == NULL) {
		fprintf(stderr, "report_bench: %s\n", msg);
		return 1;
	}
	if (analytics_migrate(s) != ERR_OK || report_migrate(s) != ERR_OK) {
		fprintf(stderr, "report_bench: migrate: %s\n", store_errmsg(s));
		return 1;
	}
	batch_init();
	zipf_init(&zsite, SITES, 0.7);
	zipf_init(&zpath, PATHS, 1.1);
	zipf_init(&zref, REFERRERS, 1.2);
	zipf_init(&zlang, LANGUAGES, 1.3);
	for (i = 0; i < SITES; i++)
		site_w[i] = zsite.cum[i] - (i ? zsite.cum[i - 1] : 0);
	for (d = 0; d < DAYS; d++) {
		/* weekends lower, a slow upward trend, some noise */
		day_w[d] = (d % 7 >= 5 ? 0.7 : 1.0) * (0.8 + 0.4 * (double)d / DAYS) *
		    (0.9 + 0.2 * uniform());
		sum += day_w[d];
	}
	for (d = 0; d < DAYS; d++)
		day_w[d] /= sum;
	for (b = 0, sum = 0; b < COUNTOF(browsers); b++)
		sum += browser_w[b], bw_cum[b] = sum;
	for (b = 0; b < COUNTOF(browsers); b++)
		bw_cum[b] /= sum;
	if ((f = malloc(sizeof(*f))) == NULL)
		return 1;
	set.cap = 1;
	while (set.cap < (size_t)(events / SITES / DAYS * 20 + 64))
		set.cap <<= 1;
	set.cap <<= 1;
	if ((set.k = malloc(set.cap * sizeof(uint64_t))) == NULL)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (site = 0; site < SITES; site++) {
		if (store_begin(s) != ERR_OK)
			return 1;
		for (d = 0; d < DAYS; d++) {
			n = (int64_t)((double)events * site_w[site] * day_w[d] + 0.5);
			pool = n / 3 + 1;
			memset(f, 0, sizeof(*f));
			memset(set.k, 0, set.cap * sizeof(uint64_t));
			for (ev = 0; ev < n; ev++) {
				if (uniform() < 0.04) { /* a bot: counted apart, in no dimension */
					f->bots++;
					continue;
				}
				visitor = uniform() < 0.12 ? 0 : (int64_t)(next() % (uint64_t)pool) + 1;
				p = zipf_draw(&zpath);
				{
					double u = uniform();

					rf = u < 0.55 ? 0 : u < 0.75 ? 1 : 2 + zipf_draw(&zref);
					u = uniform();
					for (b = 0; b < COUNTOF(browsers) - 1 && bw_cum[b] < u; b++)
						;
				}
				lg = uniform() < 0.03 ? LANGUAGES : zipf_draw(&zlang);
				f->views++;
				f->path_v[p]++;
				f->ref_v[rf]++;
				f->br_v[browsers[b]]++;
				f->lang_v[lg]++;
				if (visitor == 0)
					continue;
				if (set_add(&set, (uint64_t)visitor << 16))
					f->visitors++;
				if (set_add(&set, (uint64_t)visitor << 16 | (1u << 12) | p))
					f->path_u[p]++;
				if (set_add(&set, (uint64_t)visitor << 16 | (2u << 12) | rf))
					f->ref_u[rf]++;
				if (set_add(&set, (uint64_t)visitor << 16 | (3u << 12) |
				    (unsigned)browsers[b]))
					f->br_u[browsers[b]]++;
				if (set_add(&set, (uint64_t)visitor << 16 | (4u << 12) | lg))
					f->lang_u[lg]++;
			}
			total += n;
			put(s, &day_sql, (int64_t)site + 1, today - DAYS + 1 + (int64_t)d,
			    (int)f->bots, NULL, f->views, f->visitors);
			rows++;
			for (j = 0; j < PATHS; j++)
				if (f->path_v[j]) {
					snprintf(value, sizeof(value), j == 0 ? "/" : j < 40
						 ? "/pages/page-%zu" : "/posts/a-post-about-%zu", j);
					put(s, &dim_sql, (int64_t)site + 1, today - DAYS + 1 + (int64_t)d,
					    ANALYTICS_DIM_PATH, value, f->path_v[j], f->path_u[j]);
					rows++;
				}
			for (j = 0; j < NREFS; j++)
				if (f->ref_v[j]) {
					if (j == 0)
						value[0] = '\0';
					else if (j == 1)
						str_copy(value, ANALYTICS_REFERRER_INTERNAL, sizeof(value));
					else
						snprintf(value, sizeof(value), "referrer-%zu.example", j - 2);
					put(s, &dim_sql, (int64_t)site + 1, today - DAYS + 1 + (int64_t)d,
					    ANALYTICS_DIM_REFERRER, value, f->ref_v[j], f->ref_u[j]);
					rows++;
				}
			for (j = 0; j < NBROWSERS; j++)
				if (f->br_v[j]) {
					put(s, &dim_sql, (int64_t)site + 1, today - DAYS + 1 + (int64_t)d,
					    ANALYTICS_DIM_BROWSER, analytics_family_name((int)j),
					    f->br_v[j], f->br_u[j]);
					rows++;
				}
			for (j = 0; j <= LANGUAGES; j++)
				if (f->lang_v[j]) {
					put(s, &dim_sql, (int64_t)site + 1, today - DAYS + 1 + (int64_t)d,
					    ANALYTICS_DIM_LANGUAGE, j == LANGUAGES ? "" : langs[j],
					    f->lang_v[j], f->lang_u[j]);
					rows++;
				}
		}
		flush(s);
		if (store_commit(s) != ERR_OK)
			return 1;
	}
	/* PostgreSQL's autovacuum would vacuum and analyse the new rows soon (an index-only
	 * scan needs the visibility map); do it now. SQLite's planner needs no statistics
	 * to pick the report's covering index. */
	if (strcmp(store_backend(s), "postgresql") == 0 && store_exec(s, &analyze_sql) != ERR_OK) {
		fprintf(stderr, "report_bench: analyze: %s\n", store_errmsg(s));
		return 1;
	}
	printf("%s: %lld synthetic events over %d days and %d sites folded into %lld rollup "
	       "rows in %.1f s\n", store_backend(s), (long long)total, DAYS, SITES,
	    (long long)rows, ms_since(&t0) / 1e3);
	if ((a = arena_new()) == NULL)
		return 1;
	/* one warm-up round (prepared statements, caches), then the measured ones */
	for (site = 0; site < SITES; site++)
		if (report_build(s, a, (int64_t)site + 1, today - 29, today, LIMIT_REPORT_TOP, 0,
			&r) != ERR_OK)
			return 1;
	for (i = 0; i < REPEAT; i++)
		for (site = 0; site < SITES; site++) {
			arena_free(a);
			a = arena_new();
			c0 = cpu_ms();
			clock_gettime(CLOCK_MONOTONIC, &t0);
			if (report_build(s, a, (int64_t)site + 1, today - 29, today,
				LIMIT_REPORT_TOP, 0, &r) != ERR_OK)
				return 1;
			times[nt] = ms_since(&t0);
			cpu[nt] = cpu_ms() - c0;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			if (report_build(s, a, (int64_t)site + 1, today - 29, today,
				LIMIT_REPORT_TOP, REPORT_K_DEFAULT, &r) != ERR_OK)
				return 1;
			times_pub[nt++] = ms_since(&t0);
		}
	qsort(times, nt, sizeof(double), cmp_double);
	qsort(times_pub, nt, sizeof(double), cmp_double);
	qsort(cpu, nt, sizeof(double), cmp_double);
	printf("%s: 30-day site report (%zu runs, 20 sites): median %.2f ms, p95 %.2f ms, "
	       "max %.2f ms (target <= 50 ms)\n", store_backend(s), nt, times[nt / 2],
	    times[nt * 95 / 100], times[nt - 1]);
	printf("%s: the same, public (k 5):                 median %.2f ms, p95 %.2f ms, "
	       "max %.2f ms\n", store_backend(s), times_pub[nt / 2], times_pub[nt * 95 / 100],
	    times_pub[nt - 1]);
	printf("%s: CPU time of this process per private report: median %.2f ms, p95 %.2f ms%s\n",
	    store_backend(s), cpu[nt / 2], cpu[nt * 95 / 100],
	    strcmp(store_backend(s), "sqlite") == 0 ? " (all of the work: SQLite runs here)"
						     : " (the server's work is not in it)");
	arena_free(a);
	store_close(s);
	free(set.k);
	free(f);
	return times[nt * 95 / 100] <= 50.0 ? 0 : 3;
}
