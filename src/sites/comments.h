/*
 * comments: comments on posts (issue 6, PRODUCT.md P4, P5, P9). A comment is anonymous
 * (a name, optionally an email) or by a member (their username); one level of replies.
 * The commenter's IP address and email are sealed by the vault in the same transaction
 * as the comment and opened only through the gate (purpose moderation: that site's
 * admins; staff with a grant). Text is stored as markdown and rendered safely (no raw
 * HTML; links rel="nofollow ugc noopener") when written.
 *
 * Subjects: a member's comment is sealed under the member's own key ("user:N"), so
 * erasing the account shreds it and deletes the row (people(id) ON DELETE CASCADE); an
 * anonymous comment gets a key of its own ("commenter:ID"), shredded when the comment is
 * deleted. The shown name ("author") is what the commenter chose to publish with the
 * comment: public, like a username (P6), and not sealed.
 *
 * Contract (session 3): the functions below are what other files may call; the comments
 * work fills in the implementation and may add to this header.
 */
#ifndef SITES_COMMENTS_H
#define SITES_COMMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "privacy/privacy.h"
#include "sites/sites.h"
#include "store/store.h"

enum comment_status {
	COMMENT_PENDING,  /* waiting for moderation: shown to no one but moderators */
	COMMENT_APPROVED, /* shown under the post */
	COMMENT_SPAM,
	COMMENT_TRASH,
	COMMENT_STATUS__MAX
};

/* "pending", "approved", "spam", "trash"; comment_status_parse is its inverse. */
const char *comment_status_name(enum comment_status st);
bool comment_status_parse(const char *name, enum comment_status *out);

/* This module's tables, for `candor db copy` (parents first). */
extern const struct store_table comments_tables[];
extern const size_t comments_tables_count;

/* Creates or upgrades the comment tables (after sites and people). */
enum err comments_migrate(struct store *s);

/* How many comments of site_id wait for moderation (the admin menu's count). */
enum err comments_count_pending(struct store *s, int64_t site_id, int64_t *n);

/* Approved comment counts of posts ids[0..n) into counts[0..n) (the home page). */
enum err comments_count_approved(struct store *s, const int64_t *ids, size_t n,
    int64_t *counts);

struct comment {
	int64_t id;
	int64_t site_id;
	int64_t post_id;
	int64_t parent_id;   /* 0 for a comment on the post itself */
	int64_t person_id;   /* 0 for an anonymous comment */
	const char *author;  /* the name shown: the anonymous name or the member's username */
	const char *subject; /* the vault subject its IP and email are sealed under */
	const char *body_md;
	const char *body_html; /* rendered when written (trusted: our renderer produced it) */
	enum comment_status status;
	bool has_email;
	bool has_ip;           /* false once retention cleared the address */
	int64_t created_at;
	int64_t updated_at;
	const char *post_slug; /* the post it is on */
	const char *post_title;
};

/* A comment to store (comments_add). */
struct comment_new {
	int64_t site_id;
	int64_t post_id;
	int64_t parent_id;     /* 0, or an approved top-level comment on the same post */
	int64_t person_id;     /* 0 for anonymous */
	const char *author;    /* anonymous: 1..LIMIT_COMMENT_AUTHOR_CHARS; member: username */
	const char *email;     /* anonymous only; NULL or "" when not given */
	const char *ip;        /* the client's address as text */
	const char *markdown;  /* 1..LIMIT_COMMENT_CHARS characters of UTF-8 */
	enum comment_hold hold; /* the site's setting */
};

/*
 * Stores c: validates it (ERR_INVAL or ERR_TOOBIG, a sentence in msg naming the field:
 * *field gets "text", "name", "email" or "parent"), decides its status from c->hold
 * (first time: held unless this member, or this email's blind index, already has an
 * approved comment on the site), renders the markdown, inserts the row, creates the
 * anonymous commenter's key and seals the IP and email bound to the row, all in one
 * transaction (joining the caller's). *id and *status get the new comment's.
 */
enum err comments_add(struct privacy *p, struct store *s, const struct comment_new *c,
    int64_t *id, enum comment_status *status, const char **field, char *msg, size_t msgsize);

/* One comment of any status; strings in arena a. ERR_NOTFOUND. */
enum err comments_get(struct store *s, struct arena *a, int64_t id, struct comment *out);

/* The approved comments of a post, each top-level one followed by its replies, oldest
 * first, at most LIMIT_COMMENTS_PER_POST. */
enum err comments_list_post(struct store *s, struct arena *a, int64_t post_id,
    struct comment **out, size_t *n);

/* The comments of site_id with status st, newest first, offset/limit. */
enum err comments_list_site(struct store *s, struct arena *a, int64_t site_id,
    enum comment_status st, int64_t offset, int64_t limit, struct comment **out, size_t *n);

/* How many comments of site_id have each status: counts[COMMENT_STATUS__MAX]. */
enum err comments_counts(struct store *s, int64_t site_id, int64_t *counts);

/* Sets the status of comment id of site_id. ERR_NOTFOUND when it is not that site's. */
enum err comments_set_status(struct store *s, int64_t site_id, int64_t id,
    enum comment_status st);

/* Deletes comment id of site_id (and its replies); an anonymous commenter's key is
 * shredded with it. One transaction. ERR_NOTFOUND when it is not that site's. */
enum err comments_delete(struct privacy *p, struct store *s, int64_t site_id, int64_t id);

/*
 * Replaces the text of comment id by its author person, within LIMIT_COMMENT_EDIT_S of
 * writing it. An approved comment goes back to moderation when the site's hold (the
 * site's comment_hold) would hold a new one: always under HOLD_ALL, under
 * HOLD_FIRST_TIME when it is the author's only approved comment on the site. *status
 * gets the comment's status after the edit. ERR_DENIED when person is not its author,
 * ERR_CONFLICT when the time is over, ERR_INVAL/ERR_TOOBIG (sentence in msg) for bad
 * text, ERR_NOTFOUND.
 */
enum err comments_edit(struct store *s, int64_t id, int64_t person, const char *markdown,
    enum comment_hold hold, enum comment_status *status, char *msg, size_t msgsize);

/*
 * Opens the IP address and email of comment c through the gate for actor, purpose
 * moderation, each read audited. ip and email get the plain text (NUL-terminated; email
 * empty when none was given) or stay empty when the gate refused; *ip_ok and *email_ok
 * tell which. The caller wipes both buffers. Errors other than a refusal are returned.
 */
enum err comments_private(struct privacy *p, struct store *s, const struct gate_actor *actor,
    const struct comment *c, struct buf *ip, bool *ip_ok, struct buf *email, bool *email_ok);

/* The people who are admins of site_id (for the moderation notice); arena array. */
enum err comments_site_admins(struct store *s, struct arena *a, int64_t site_id,
    int64_t **out, size_t *n);

/* The export section (privacy.h rights_section) of a member's comments: site, post,
 * text, status, times and the IP address (opened through the gate as the person). */
enum err comments_export(struct privacy *p, struct store *s, int64_t person, void *obj);

#endif
