/*
 * analytics: visitor analytics (issue 7). The recorder is in recorder.h, the reports in
 * report.h, the tables in schema.c. This header: the classifier, pure functions that
 * turn a request's User-Agent, Accept-Language and Referer headers into the few fields
 * candor records (browser family, major version, bot or human, primary language,
 * referring host). None of them allocates or keeps anything; each reads at most a
 * bounded prefix of its input (LIMIT_UA_BYTES, LIMIT_ACCEPT_LANGUAGE_BYTES,
 * LIMIT_REFERRER_BYTES) and writes only into the caller's fixed-size output.
 */
#ifndef ANALYTICS_ANALYTICS_H
#define ANALYTICS_ANALYTICS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"
#include "store/store.h"

/* The browser families candor counts; everything else is ANALYTICS_OTHER. */
enum analytics_family {
	ANALYTICS_OTHER = 0,
	ANALYTICS_CHROME,
	ANALYTICS_CHROME_MOBILE,
	ANALYTICS_FIREFOX,
	ANALYTICS_FIREFOX_MOBILE,
	ANALYTICS_SAFARI,
	ANALYTICS_MOBILE_SAFARI,
	ANALYTICS_EDGE,
	ANALYTICS_OPERA,
	ANALYTICS_SAMSUNG_INTERNET,
	ANALYTICS_YANDEX,
	ANALYTICS_UC_BROWSER,
	ANALYTICS_FAMILY__MAX
};

/* The largest major version reported; a longer number is reported as 0 (unknown). */
#define ANALYTICS_MAJOR_MAX 99999

/* What a User-Agent says about the browser. */
struct analytics_ua {
	enum analytics_family family;
	int major; /* 0..ANALYTICS_MAJOR_MAX; 0 when unknown */
	bool bot;  /* a known bot, crawler, library or headless browser, or an empty UA */
};

/* The family's display name ("Chrome Mobile"); "Other" for anything out of range. */
const char *analytics_family_name(enum analytics_family f);

/*
 * Classifies a User-Agent of len bytes (it may hold NUL bytes; only the first
 * LIMIT_UA_BYTES are read). ua may be NULL when len is 0. Ordered rules of substring
 * tokens decide the family (the first rule that matches wins), the rule's version tokens
 * the major version; the bot flag is decided apart from the family, so a crawler that
 * claims to be Chrome is Chrome and a bot.
 */
void analytics_classify_ua(const char *ua, size_t len, struct analytics_ua *out);

/* A primary language subtag: 2..8 lower-case ASCII letters, or "" for none. */
#define ANALYTICS_LANG_BYTES 9

/*
 * The preferred primary language of an Accept-Language value of len bytes (only the
 * first LIMIT_ACCEPT_LANGUAGE_BYTES are read): of the well-formed language ranges
 * (RFC 4647: 1*8ALPHA *("-" 1*8alphanum), optional ";q=" weight per RFC 9110) the one
 * with the highest q above 0, the first on a tie; written as its primary subtag in lower
 * case ("de-CH" -> "de"). "*", singletons ("x-...", "i-..."), ranges with a malformed
 * weight and malformed ranges are ignored; out is "" when none is left.
 */
void analytics_language(const char *value, size_t len, char out[ANALYTICS_LANG_BYTES]);

/* A referring host: at most LIMIT_HOST_BYTES bytes plus the NUL. */
#define ANALYTICS_HOST_BYTES (LIMIT_HOST_BYTES + 1)

/*
 * The host of a Referer value of len bytes (an absolute URI "scheme://[user@]host[:port]
 * [/...]"): lower-cased, without userinfo, port or a trailing dot; an IPv6 literal keeps
 * its brackets. out is "" when the value is not such a URI, the host is not a valid DNS
 * name or IP literal (percent-encoded, empty label, a label over 63 bytes, over
 * LIMIT_HOST_BYTES), the port is not digits, or the host does not end within the first
 * LIMIT_REFERRER_BYTES. Whether the host is one of the site's own is the caller's call.
 */
void analytics_referrer_host(const char *value, size_t len, char out[ANALYTICS_HOST_BYTES]);

/* ---- the tables (analytics/schema.c: what each column means) ---- */

enum analytics_dim {
	ANALYTICS_DIM_PATH = 1,
	ANALYTICS_DIM_REFERRER = 2,
	ANALYTICS_DIM_BROWSER = 3,
	ANALYTICS_DIM_LANGUAGE = 4,
};
/* The referrer value of a request that came from one of candor's own hosts. */
#define ANALYTICS_REFERRER_INTERNAL "(internal)"

extern const struct store_table analytics_tables[];
extern const size_t analytics_tables_count;
/* Creates or upgrades the analytics tables. */
enum err analytics_migrate(struct store *s);

#endif
