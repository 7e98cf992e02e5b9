/*
 * policy: the operator's privacy policy as numbered versions (markdown rendered at
 * write time). The current version is the newest one whose effective time has come.
 * Later: change alerts and per-member acceptance (P20).
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

#endif
