/*
 * sites: the sites one operator runs (chosen by Host header), their posts and pages.
 * Posts and pages share one table (kind 'post' / 'page'); markdown is rendered to HTML
 * and an excerpt when written, so a page view never runs the markdown parser.
 * Drafts are stored but never returned by the public getters, and neither is a post
 * scheduled for later (published_at in the future) before its time: the public getters
 * compare published_at with the clock in SQL.
 */
#ifndef SITES_SITES_H
#define SITES_SITES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"

/* Who may comment on a site's posts (issue 6; site settings). */
enum comment_policy { COMMENTS_OPEN, COMMENTS_MEMBERS, COMMENTS_CLOSED, COMMENTS__MAX };
/* Which new comments wait for moderation before they are shown. */
enum comment_hold { HOLD_FIRST_TIME, HOLD_ALL, HOLD_NONE, HOLD__MAX };

struct site {
	int64_t id;
	const char *host;    /* primary host */
	const char *title;
	const char *tagline;
	const char *aliases; /* space-separated, may be "" */
	const char *origin;  /* "https://example.com": the base of absolute links (feeds,
				mails), configured, never taken from a request's Host */
	enum comment_policy comment_policy; /* settings; sites_find and sites_list fill them */
	enum comment_hold comment_hold;
};

enum post_kind { POST_KIND_POST, POST_KIND_PAGE, POST_KIND__MAX };

struct post {
	int64_t id;
	int64_t site_id;
	enum post_kind kind;
	const char *slug;
	const char *title;
	const char *body_html; /* rendered markdown (trusted: our renderer produced it) */
	const char *excerpt;   /* plain text */
	bool draft;
	int64_t published_at;  /* 0 for drafts; in the future for a scheduled post */
	int64_t updated_at;
	const char *body_md;   /* the markdown as written: only posts_get_by_id fills it */
};

/* This module's tables, for `candor db copy` (parents first). */
extern const struct store_table sites_tables[];
extern const size_t sites_tables_count;

/* Creates or upgrades this module's tables. */
enum err sites_migrate(struct store *s);

/*
 * Adds a site with primary host and aliases (already normalised: lowercase, no port).
 * Title 1..LIMIT_TITLE characters of valid UTF-8. origin is "http(s)://host[:port]" with
 * no trailing slash. ERR_CONFLICT when a host is taken, ERR_INVAL for a bad title,
 * origin or too many hosts. All or nothing (one transaction).
 */
enum err sites_add(struct store *s, const char *host, const char *title, const char *tagline,
    const char *origin, const char *const *aliases, size_t naliases, int64_t *id);

/* The site serving host (primary or alias). Strings live in arena a. ERR_NOTFOUND. */
enum err sites_find(struct store *s, struct arena *a, const char *host, struct site *out);

/* Every site, ordered by id. *out is an arena array. */
enum err sites_list(struct store *s, struct arena *a, struct site **out, size_t *n);

/*
 * Adds a post or page. slug NULL derives one from the title; a given slug must be valid
 * (str_slug_valid). markdown at most LIMIT_BODY_MARKDOWN bytes of valid UTF-8.
 * published_at 0 means now (ignored for drafts). ERR_CONFLICT when the slug is taken on
 * that site for that kind; ERR_NOTFOUND for an unknown site; ERR_INVAL / ERR_TOOBIG
 * for bad input (msg, if not NULL, receives a sentence).
 */
enum err posts_add(struct store *s, int64_t site_id, enum post_kind kind, const char *slug,
    const char *title, const char *markdown, bool draft, int64_t published_at, int64_t *id,
    char *msg, size_t msgsize);

/* A published post or page by slug (drafts are ERR_NOTFOUND). */
enum err posts_get(struct store *s, struct arena *a, int64_t site_id, enum post_kind kind,
    const char *slug, struct post *out);

/* Published posts/pages, newest first, with offset/limit. */
enum err posts_list_published(struct store *s, struct arena *a, int64_t site_id,
    enum post_kind kind, int64_t offset, int64_t limit, struct post **out, size_t *n);
enum err posts_count_published(struct store *s, int64_t site_id, enum post_kind kind,
    int64_t *count);

/* Everything of a kind on a site, drafts included, newest first (for the CLI/admin). */
enum err posts_list_all(struct store *s, struct arena *a, int64_t site_id,
    enum post_kind kind, struct post **out, size_t *n);

const char *post_kind_name(enum post_kind k);

/* ---- the admin area (issue 6) ---- */

/* The site with id (primary host, aliases and settings). ERR_NOTFOUND. */
enum err sites_get(struct store *s, struct arena *a, int64_t id, struct site *out);

/*
 * Changes a site's settings (the site admins' form): title (1..LIMIT_TITLE characters,
 * one line), tagline (0..LIMIT_TITLE), comment policy and hold. ERR_INVAL with a
 * sentence in msg; ERR_NOTFOUND for an unknown site.
 */
enum err sites_update(struct store *s, int64_t id, const char *title, const char *tagline,
    enum comment_policy policy, enum comment_hold hold, char *msg, size_t msgsize);

/*
 * Replaces a site's names (the owner's form): primary host, aliases (normalised as for
 * sites_add) and origin, in one transaction. ERR_CONFLICT (msg names the host) when a
 * host belongs to another site; ERR_INVAL with a sentence for a bad origin or too many
 * hosts.
 */
enum err sites_set_hosts(struct store *s, int64_t id, const char *host, const char *origin,
    const char *const *aliases, size_t naliases, char *msg, size_t msgsize);

/* Checks a site title and tagline and origin as sites_add does; ERR_INVAL with a
 * sentence in msg (NULL for "no error"). */
enum err sites_check(const char *title, const char *tagline, const char *origin, char *msg,
    size_t msgsize);

/* Post or page id of site_id whatever its state (drafts, scheduled), with body_md:
 * for the admin. ERR_NOTFOUND when it is not that site's. */
enum err posts_get_by_id(struct store *s, struct arena *a, int64_t site_id, int64_t id,
    struct post *out);

/*
 * Rewrites post id of site_id: slug (NULL derives it from the title), title, markdown,
 * draft, published_at (0 keeps the current time of publication, or now when it had
 * none). Same checks and answers as posts_add; the search index follows in the same
 * transaction. ERR_NOTFOUND when the post is not that site's.
 */
enum err posts_update(struct store *s, int64_t site_id, int64_t id, const char *slug,
    const char *title, const char *markdown, bool draft, int64_t published_at, char *msg,
    size_t msgsize);

/* Makes post id a draft again (it leaves the public pages and the search). */
enum err posts_unpublish(struct store *s, int64_t site_id, int64_t id);
/* Deletes post id of site_id and its index entry. ERR_NOTFOUND. */
enum err posts_delete(struct store *s, int64_t site_id, int64_t id);

/*
 * The earliest publication time after now of any scheduled post (any site) in *at, or 0
 * when none is scheduled. The response cache uses it to drop pages cached before a
 * scheduled post became due.
 */
enum err posts_next_due(struct store *s, int64_t now, int64_t *at);

/* True when p is published but its time has not come yet. */
bool post_scheduled(const struct post *p, int64_t now);

/* ---- search (issue 6, item 4): sites/search.c ---- */

/* The snippet's highlight markers: bytes no indexed text contains (they are replaced
 * by spaces when a post is indexed); the web layer escapes the snippet, then turns
 * them into <mark> and </mark>. */
#define SEARCH_MARK_START '\x01'
#define SEARCH_MARK_END '\x02'

struct search_hit {
	int64_t id;
	enum post_kind kind;
	const char *slug;
	const char *title;
	const char *snippet; /* plain text with SEARCH_MARK_* around matches (not escaped) */
	int64_t published_at;
};

/*
 * Turns what someone typed into plain search terms: runs of letters and digits (ASCII
 * alphanumerics and any non-ASCII UTF-8 character), lowercased ASCII, separated by one
 * space, at most LIMIT_SEARCH_TERMS terms of at most LIMIT_SEARCH_TERM_BYTES bytes
 * (cut at a character boundary). Operators, quotes, parentheses, stars and invalid
 * UTF-8 become separators, so the result is never a query syntax error on either
 * backend. out must hold LIMIT_SEARCH_TERMS * (LIMIT_SEARCH_TERM_BYTES + 1) bytes;
 * returns the number of terms (0: nothing to search for).
 */
#define SEARCH_TERMS_SIZE (LIMIT_SEARCH_TERMS * (LIMIT_SEARCH_TERM_BYTES + 1))
size_t search_terms(const char *q, size_t qlen, char *out, size_t outsize);

/* The search index's tables (rebuilt, never copied: see search_rebuild). */
enum err search_migrate(struct store *s);

/*
 * Published and due posts and pages of site_id matching every term of q (raw input:
 * search_terms is applied), best first, offset/limit; *total the number of matches.
 * No terms: no hits, total 0.
 */
enum err search_query(struct store *s, struct arena *a, int64_t site_id, const char *q,
    int64_t offset, int64_t limit, struct search_hit **out, size_t *n, int64_t *total);

/* Rebuilds the whole index from the posts table (after `candor db copy`, or when the
 * index is found empty beside posts), in one transaction. */
enum err search_rebuild(struct store *s);

/* The index entry of post id (title and markdown as stored), in the caller's
 * transaction; posts.c calls it on every write. */
enum err search_index_post(struct store *s, int64_t id, const char *title,
    const char *markdown);
/* Removes post id from the index (posts.c, on delete). */
enum err search_unindex_post(struct store *s, int64_t id);

#endif
