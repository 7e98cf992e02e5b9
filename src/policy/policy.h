/*
 * policy: the operator's privacy policy as numbered versions (markdown rendered at
 * write time). The current version is the newest one whose effective time has come.
 * Acceptance (P20): which version each person accepted, when, and how (explicitly, at
 * signup or with "I have read it"; or by continued use: the first signed-in request on
 * or after the effective date), and whether they acknowledged the version's notice.
 * A line diff between versions (diff.c). The change alerts are mail campaigns (mail.h)
 * that web/policy.c queues in the publishing transaction.
 */
#ifndef POLICY_POLICY_H
#define POLICY_POLICY_H

#include <stdint.h>

#include "core/core.h"
#include "store/store.h"

struct policy_version {
	int64_t version;
	const char *title;
	const char *body_html;
	int64_t effective_at;
	const char *summary;  /* what changed ("" for versions before migration 3) */
	const char *body_md;  /* policy_get only; NULL otherwise */
	int64_t created_at;   /* when it was published */
};

enum err policy_migrate(struct store *s);

/* This module's tables, for `candor db copy`. */
extern const struct store_table policy_tables[];
extern const size_t policy_tables_count;

/* Publishes a new version (number = last + 1) effective at effective_at (0: now), with a
 * one-line summary of what changed (at most LIMIT_POLICY_SUMMARY characters, no control
 * character; may be ""). Joins the caller's transaction. ERR_INVAL for an empty title,
 * markdown over LIMIT_BODY_MARKDOWN or not UTF-8, or a bad summary. There is no edit:
 * a correction is a new version. */
enum err policy_publish(struct store *s, const char *title, const char *markdown,
    const char *summary, int64_t effective_at, int64_t *version);

/* The version in force now. ERR_NOTFOUND when none has been published. */
enum err policy_current(struct store *s, struct arena *a, struct policy_version *out);
/* Version n with its markdown. ERR_NOTFOUND when there is none. */
enum err policy_get(struct store *s, struct arena *a, int64_t n, struct policy_version *out);
/* Every version, newest first, without bodies (body_html ""). */
enum err policy_list(struct store *s, struct arena *a, struct policy_version **out, size_t *n);

enum policy_accept_kind { POLICY_ACCEPT_EXPLICIT, POLICY_ACCEPT_CONTINUED_USE };
const char *policy_accept_kind_name(enum policy_accept_kind k); /* "explicit", "continued-use" */

/* Records that person accepted version at now (joins the caller's transaction). A second
 * acceptance of the same version keeps the first. An explicit acceptance also
 * acknowledges the version (its notice is no longer shown); a continued-use one does
 * not. ERR_NOTFOUND for an unknown version or person. Rows go with the person (ON
 * DELETE CASCADE). */
enum err policy_accept(struct store *s, int64_t person, int64_t version,
    enum policy_accept_kind kind, int64_t now);

/* "I have read it": records an explicit acceptance of version, or, when the person
 * already accepted it by continued use, keeps that row and marks it acknowledged at now.
 * ERR_NOTFOUND for an unknown version or person. */
enum err policy_acknowledge(struct store *s, int64_t person, int64_t version, int64_t now);

/*
 * The signed-in request path (web_user): one indexed read of the versions from the one
 * in force onwards, joined with person's acceptances. When the version in force has no
 * acceptance yet, records continued use at now (a write once per person and version).
 * *notice gets the newest version when the person has not acknowledged it (0: none),
 * for the notice on every page.
 */
enum err policy_seen(struct store *s, int64_t person, int64_t now, int64_t *notice);

struct policy_acceptance {
	int64_t version;
	int64_t accepted_at;
	enum policy_accept_kind kind;
	int64_t acknowledged_at; /* 0: the notice was never acknowledged */
};

/* Per version: how many people accepted it, and how (the owner's /admin/policy). */
struct policy_count {
	int64_t version;
	int64_t explicit_n;
	int64_t continued_n;
	int64_t acknowledged_n; /* of both kinds, who acknowledged the notice */
};
/* Counts for every version with an acceptance, newest first; in arena a. */
enum err policy_counts(struct store *s, struct arena *a, struct policy_count **out,
    size_t *n);

/* A line of a diff: kept, added by the new text or removed from the old one. text is
 * not NUL-terminated (len bytes) and points into the compared texts. */
enum policy_diff_op { POLICY_DIFF_SAME, POLICY_DIFF_ADD, POLICY_DIFF_DEL };
struct policy_diff_line {
	enum policy_diff_op op;
	const char *text;
	size_t len;
};
/* The line diff from old to new (longest common subsequence), in arena a. ERR_TOOBIG
 * when either side has over LIMIT_DIFF_LINES lines or the part that differs needs over
 * LIMIT_DIFF_CELLS table cells; ERR_NOMEM. */
enum err policy_diff(struct arena *a, const char *old, size_t oldlen, const char *new,
    size_t newlen, struct policy_diff_line **out, size_t *n);
/* person's acceptances, oldest first; in arena a. */
enum err policy_acceptances(struct store *s, struct arena *a, int64_t person,
    struct policy_acceptance **out, size_t *n);

/* The "policy" section of a person's export (struct rights_section in privacy.h; obj is
 * a json_t * object): their acceptances. */
struct privacy;
enum err policy_export(struct privacy *p, struct store *s, int64_t person, void *obj);

#endif
