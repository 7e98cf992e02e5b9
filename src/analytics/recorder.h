/*
 * recorder: how a request becomes figures without the request waiting on the database
 * (issue 7, items 3-4; docs/analytics.md).
 *
 * The request path fills a small fixed-size struct analytics_event (no personal data:
 * no IP address, no User-Agent, no referrer URL, no query string, no cookie value) and
 * pushes it on a bounded lock-free multi-producer queue; a full queue drops the event
 * and counts the drop, it never blocks. One writer thread, on a database connection of
 * its own, takes up to LIMIT_ANALYTICS_BATCH events at a time (at least every
 * LIMIT_ANALYTICS_FLUSH_MS) and, in one transaction, stores them as raw rows
 * (analytics_events) and folds them into the daily rollups (analytics_days,
 * analytics_dims; schema.c says what each column means). analytics_recorder_stop stores
 * every event queued before it was called.
 *
 * Visitors: the visitor cookie's value is never queued or stored. The request path
 * replaces it by a keyed BLAKE2b hash of (site, day, cookie value) under a salt that
 * lives only in this process's memory, is made at the first request of each UTC day and
 * wiped LIMIT_ANALYTICS_SALT_GRACE_S after the day ends. So a visitor is the same within
 * a day and cannot be followed to the next one (nor across a restart, which counts a
 * returning visitor of that day again).
 */
#ifndef ANALYTICS_RECORDER_H
#define ANALYTICS_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analytics/analytics.h"

/* Bytes of a visitor hash. */
#define ANALYTICS_VISITOR_BYTES 16

/* One request, as recorded. Every string is NUL-terminated within its array. */
struct analytics_event {
	int64_t site_id;
	int64_t at;     /* unix seconds (UTC) when the request arrived */
	int32_t status; /* the response status */
	int32_t major;  /* browser major version, 0 when unknown */
	uint8_t family; /* enum analytics_family */
	bool bot;
	bool page;        /* a GET answered with an HTML page (a page view when 2xx, human) */
	bool has_visitor; /* visitor holds a hash (a cookie, and no DNT/GPC) */
	uint8_t visitor[ANALYTICS_VISITOR_BYTES];
	char lang[ANALYTICS_LANG_BYTES];
	char referrer[ANALYTICS_HOST_BYTES]; /* a host, ANALYTICS_REFERRER_INTERNAL, or "" */
	char path[LIMIT_ANALYTICS_PATH_BYTES + 1];
};

/* The UTC day of a unix time: whole days since 1970-01-01. */
int64_t analytics_day(int64_t unix_seconds);
/* Whether an event counts as a page view (schema.c): a human GET of a page, 2xx. */
bool analytics_event_is_view(const struct analytics_event *ev);

/* ---- the queue: bounded, lock-free for any number of producers, one consumer ---- */

struct analytics_queue;

/* A queue of capacity slots (rounded up to a power of two, at least 2); NULL when out of
 * memory. */
struct analytics_queue *analytics_queue_new(size_t capacity);
void analytics_queue_free(struct analytics_queue *q);
/* Copies ev into the queue. Never blocks: false (and the drop counted) when full. Any
 * thread. */
bool analytics_queue_push(struct analytics_queue *q, const struct analytics_event *ev);
/* Takes the oldest event into out; false when empty. One consumer thread at a time. */
bool analytics_queue_pop(struct analytics_queue *q, struct analytics_event *out);
/* Events pushed and events dropped since the queue was made. */
uint64_t analytics_queue_pushed(const struct analytics_queue *q);
uint64_t analytics_queue_dropped(const struct analytics_queue *q);

/* ---- the recorder: the queue, the visitor salt and the writer thread ---- */

struct analytics_recorder;

struct analytics_recorder_counts {
	uint64_t queued;  /* events accepted on the queue */
	uint64_t stored;  /* events committed to the database */
	uint64_t dropped; /* events refused because the queue was full */
	uint64_t lost;    /* events taken from the queue that could not be stored (the
			     database failed until stop) */
	uint64_t pending; /* queued, not yet stored or lost */
};

/*
 * Whether a referring host is one of candor's own sites (any site's host or alias);
 * called by the writer on its own connection, at most once a minute per host. NULL:
 * only the request's own host counts as internal.
 */
typedef bool (*analytics_own_host_fn)(struct store *s, const char *host, void *arg);

/*
 * Starts the writer thread, which stores into db_url (password may be NULL) on a
 * connection of its own, opened when the first events arrive and opened again after a
 * failure (a database that is down keeps the events queued, then drops new ones). NULL
 * with a sentence in errbuf when out of memory or the thread cannot start. Stop it with
 * analytics_recorder_stop.
 */
struct analytics_recorder *analytics_recorder_start(const char *db_url, const char *password,
    analytics_own_host_fn own_host, void *own_host_arg, char *errbuf, size_t errsize);
/*
 * Stores every event queued so far (retrying a failing database for up to
 * LIMIT_SHUTDOWN_S seconds; what still fails is counted as lost), stops the writer and
 * frees r. Producers must have stopped (the HTTP server first). NULL is a no-op.
 */
void analytics_recorder_stop(struct analytics_recorder *r);
/* Queues ev (see analytics_queue_push). Any thread; never blocks. */
bool analytics_recorder_push(struct analytics_recorder *r, const struct analytics_event *ev);
/* The counters, for the dashboard and the log. Any thread. */
void analytics_recorder_counts(const struct analytics_recorder *r,
    struct analytics_recorder_counts *out);
/*
 * The visitor hash of a cookie value (len bytes) on site at unix time at into
 * ev->visitor, setting ev->has_visitor. Any thread. The salt of at's day is made on
 * first use; false (no hash) when at's day has already ended more than
 * LIMIT_ANALYTICS_SALT_GRACE_S ago or is not yet today.
 */
bool analytics_recorder_visitor(struct analytics_recorder *r, const char *cookie, size_t len,
    struct analytics_event *ev);

#endif
