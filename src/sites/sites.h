/*
 * sites: the sites one operator runs (chosen by Host header), their posts and pages.
 * Posts and pages share one table (kind 'post' / 'page'); markdown is rendered to HTML
 * and an excerpt when written, so a page view never runs the markdown parser.
 * Drafts are stored but never returned by the public getters.
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
	int64_t published_at;  /* 0 for drafts */
	int64_t updated_at;
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

#endif
