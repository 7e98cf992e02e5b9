/*
 * policy: the operator's privacy policy as numbered versions (markdown rendered at
 * write time). The current version is the newest one whose effective time has come.
 * Acceptance (P20): which version each person accepted, when, and how (explicitly, at
 * signup or with "I have read it"; or by continued use). Later: change alerts.
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
};

enum err policy_migrate(struct store *s);

/* This module's tables, for `candor db copy`. */
extern const struct store_table policy_tables[];
extern const size_t policy_tables_count;

/* Publishes a new version (number = last + 1) effective at effective_at (0: now). */
enum err policy_publish(struct store *s, const char *title, const char *markdown,
    int64_t effective_at, int64_t *version);

/* The version in force now. ERR_NOTFOUND when none has been published. */
enum err policy_current(struct store *s, struct arena *a, struct policy_version *out);

enum policy_accept_kind { POLICY_ACCEPT_EXPLICIT, POLICY_ACCEPT_CONTINUED_USE };
const char *policy_accept_kind_name(enum policy_accept_kind k); /* "explicit", "continued-use" */

/* Records that person accepted version at now (joins the caller's transaction). A second
 * acceptance of the same version keeps the first. ERR_NOTFOUND for an unknown version or
 * person. Rows go with the person (ON DELETE CASCADE). */
enum err policy_accept(struct store *s, int64_t person, int64_t version,
    enum policy_accept_kind kind, int64_t now);

struct policy_acceptance {
	int64_t version;
	int64_t accepted_at;
	enum policy_accept_kind kind;
};
/* person's acceptances, oldest first; in arena a. */
enum err policy_acceptances(struct store *s, struct arena *a, int64_t person,
    struct policy_acceptance **out, size_t *n);

/* The "policy" section of a person's export (struct rights_section in privacy.h; obj is
 * a json_t * object): their acceptances. */
struct privacy;
enum err policy_export(struct privacy *p, struct store *s, int64_t person, void *obj);

#endif
