/*
 * core: the ground floor every module stands on. Errors, growable buffers, a
 * per-request arena, bounded number parsing, time formatting, logging and the
 * configuration file. Nothing here knows HTTP, SQL or the domain.
 */
#ifndef CORE_CORE_H
#define CORE_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/limits.h"

#ifdef __GNUC__
#define CORE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CORE_PRINTF(a, b)
#endif

#define COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- errors: one project-wide enum (house rule 3) ---- */
enum err {
	ERR_OK = 0,
	ERR_NOMEM,
	ERR_INVAL,
	ERR_TOOBIG,
	ERR_DENIED,
	ERR_NOTFOUND,
	ERR_CONFLICT,
	ERR_IO,
	ERR_UNAVAIL, /* a service (database server) is down; retry later */
	ERR_CRYPTO,
	ERR_LIMIT,   /* a rate limit says not now; try again later */
	ERR__MAX
};

/* Returns a static human sentence for e. */
const char *err_str(enum err e);

/* ---- buf: growable byte buffer, always NUL-terminated ---- */
struct buf {
	char *data; /* NULL until first append */
	size_t len;
	size_t cap;
	bool failed; /* sticky: an allocation failed; contents are incomplete */
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) CORE_PRINTF(2, 3);
/* Transfers ownership of the bytes to the caller (free()), leaves b empty. */
char *buf_take(struct buf *b, size_t *len);

/* ---- arena: allocations freed together (one per request) ---- */
struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *a);
/* Returns zeroed memory aligned for any type, or NULL. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* A copy of s without any CR (a browser sends text areas with CR LF; candor stores LF). */
char *arena_strdup_lf(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) CORE_PRINTF(2, 3);
/* Makes room for one more element in an arena array of count elements of elem bytes
 * whose capacity is *cap (0 for a NULL array): returns the array, moved to a block twice
 * the size when full, or NULL when out of memory. Use: list = arena_grow(a, list, n,
 * &cap, sizeof(*list)); list[n++] = ... */
void *arena_grow(struct arena *a, void *array, size_t count, size_t *cap, size_t elem);
/* Bytes handed out so far (for tests and limits). */
size_t arena_used(const struct arena *a);

/* ---- numbers: the only way candor parses an integer ---- */
/* Parses all of s as a decimal integer in [min, max]. ERR_INVAL when s is empty or
 * has anything but an optional '-' and digits; ERR_TOOBIG when out of range. */
enum err strnum(const char *s, long long min, long long max, long long *out);

/* ---- strings ---- */
/* Copies at most size-1 bytes and NUL-terminates; returns strlen(src). */
size_t str_copy(char *dst, const char *src, size_t size);
/* A sentence for the caller: str_copy(msg, text, size) unless msg is NULL or size 0. */
void str_msg(char *msg, size_t size, const char *text);
/* True when s is valid UTF-8 with no NUL and no C0 control other than \t \r \n. */
bool str_utf8_valid(const char *s, size_t n);
/* Number of Unicode code points in valid UTF-8 s. */
size_t str_utf8_len(const char *s, size_t n);
/* Makes a URL slug from a title: lowercase ASCII letters, digits and '-'. */
void str_slugify(const char *title, char *out, size_t outsize);
/* True for a valid slug: 1..LIMIT_SLUG of [a-z0-9-], not starting/ending with '-'. */
bool str_slug_valid(const char *s);

/* ---- time ---- */
int64_t time_now(void);        /* seconds since the epoch */
int64_t time_now_ms(void);     /* monotonic milliseconds */
/* RFC 3339 UTC, "2026-11-25T02:00:00Z"; out must hold 21 bytes. */
void time_rfc3339(int64_t t, char out[21]);
/* "25 November 2026"; out must hold 32 bytes. */
void time_human_date(int64_t t, char out[32]);
/* Parses "YYYY-MM-DD" (a real calendar date, years 1970-9999) into the UTC midnight
 * that starts it. ERR_INVAL otherwise. */
enum err time_parse_date(const char *s, int64_t *out);

/* ---- job: a periodic task on a thread of its own (core/job.c) ---- */
struct job;
/* Runs fn(arg) first after first_ms, then every every_ms after each run ends, until
 * job_stop. NULL with a sentence in errbuf on failure. */
struct job *job_start(const char *name, int64_t first_ms, int64_t every_ms,
    void (*fn)(void *arg), void *arg, char *errbuf, size_t errsize);
/* Wakes and joins the job's thread (a run in progress finishes first); frees it.
 * NULL is a no-op. */
void job_stop(struct job *j);
/* Runs completed so far. */
uint64_t job_runs(struct job *j);

/* ---- log ---- */
enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_msg(enum log_level lvl, const char *fmt, ...) CORE_PRINTF(2, 3);
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
/* Writes s into b with control characters and non-ASCII escaped (\xNN), so user input
 * can never forge a log line. */
void log_escape(struct buf *b, const char *s);

/* ---- config: DIR/candor.conf, INI; see docs/configuration.md ---- */
struct config {
	char listen[128];         /* [server] listen = 127.0.0.1:8080 */
	int threads;              /* [server] threads = 0 (0: one per core) */
	char default_site[256];   /* [server] default_site = host or empty */
	char access_log[512];     /* [server] access_log = path, "-" or "stderr" (default), "off" */
	char trusted_proxies[512];/* [server] trusted_proxies = space-separated IPs */
	int connection_limit;     /* [server] connection_limit */
	int per_ip_connection_limit;
	int connection_timeout;   /* seconds */
	char database[1024];      /* [database] url = sqlite (default) or postgresql://... */
	char database_password_file[512]; /* [database] password_file */
	char key_file[512];       /* [privacy] key_file = master.key (relative to DIR) */
	int retention_ip_days;         /* [retention] ip_days = 90 */
	int retention_unverified_days; /* [retention] unverified_days = 7 */
	int retention_sessions_days;   /* [retention] sessions = 0 (days after expiry) */
	int retention_analytics_days;  /* [retention] analytics_days = 90 (raw rows) */
	int session_idle_minutes;      /* [accounts] session_idle_minutes = 30 */
	int session_absolute_hours;    /* [accounts] session_absolute_hours = 12 */
	char smtp_url[512];           /* [smtp] url = smtp(s)://host:port, empty: Maildir */
	char smtp_from[256];          /* [smtp] from = candor@localhost */
	char smtp_username[256];      /* [smtp] username = empty: no login */
	char smtp_password_file[512]; /* [smtp] password_file */
	bool smtp_starttls;           /* [smtp] starttls = yes */
	bool analytics_enabled;       /* [analytics] enabled = yes (no: nothing recorded) */
	int mail_announce_per_minute; /* [mail] announce_per_minute = 60 (campaigns) */
	int retention_order_days;     /* [retention] order_days = 2557 (7 years: accounting) */
	char shop_providers[128];     /* [shop] providers = "invoice" (space-separated) */
	char shop_hosted_url[512];    /* [shop] hosted_url = the hosted payment page's base */
	char shop_hosted_secret_file[512]; /* [shop] hosted_secret_file = webhook secret */
	char data_dir[1024];      /* not in the file: the directory it was read from */
};

/* Fills c with defaults. */
void config_defaults(struct config *c);
/* Reads DIR/candor.conf over the defaults. On error writes a sentence naming the key
 * and line into errbuf and returns ERR_INVAL (unknown key, bad value) or ERR_IO. */
enum err config_load(const char *dir, struct config *c, char *errbuf, size_t errsize);
/* Writes a commented candor.conf for c to path, creating it (fails if it exists). */
enum err config_write_new(const char *path, const struct config *c);
/* Resolves a path from the config relative to the data directory into out. */
void config_path(const struct config *c, const char *rel, char *out, size_t outsize);

/* ---- markdown: CommonMark via cmark, safe mode (raw HTML and unsafe links dropped) ---- */
/* Renders md to HTML. Returns a malloc'd string (free()), or NULL when out of memory. */
char *markdown_to_html(const char *md, size_t len);
/* Plain-text excerpt of md: the first paragraph's text, cut at a word boundary to at
 * most max_chars characters with an ellipsis. Returns a malloc'd string or NULL. */
char *markdown_excerpt(const char *md, size_t len, size_t max_chars);
/* Renders a visitor's md (a comment) like markdown_to_html, and every link gets
 * rel="nofollow ugc noopener" (SECURITY.md). Returns a malloc'd string or NULL. */
char *markdown_to_html_ugc(const char *md, size_t len);
/* The whole visible text of md (no markup, no raw HTML), one line per block, for the
 * search index. Returns a malloc'd string or NULL. */
char *markdown_text(const char *md, size_t len);

#endif
