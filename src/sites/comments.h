/*
 * comments: comments on posts (issue 6, PRODUCT.md P4, P5, P9). A comment is anonymous
 * (a name, optionally an email) or by a member (their username); one level of replies.
 * The commenter's IP address and email are sealed by the vault in the same transaction
 * as the comment and opened only through the gate (purpose moderation: that site's
 * admins; staff with a grant). Text is stored as markdown and rendered safely (no raw
 * HTML; links rel="nofollow ugc noopener") when written.
 *
 * Contract (session 3): the functions below are what other files may call; the comments
 * work fills in the implementation and may add to this header.
 */
#ifndef SITES_COMMENTS_H
#define SITES_COMMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"

enum comment_status {
	COMMENT_PENDING,  /* waiting for moderation: shown to no one but moderators */
	COMMENT_APPROVED, /* shown under the post */
	COMMENT_SPAM,
	COMMENT_TRASH,
	COMMENT_STATUS__MAX
};

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

#endif
