/*
 * feedback: what visitors and members tell the operator (P16), and what staff publish
 * of it.
 *
 * An item holds its text, and optionally a name (anonymous authors) and an email (for a
 * reply), each sealed by the vault in the transaction that stores the item: under the
 * member's key ("user:N"), or under a key of its own ("feedback:ID") for an anonymous
 * author. They are opened only through the gate, purpose support (the owner, or staff
 * with a support grant; every read audited). An author may tick "you may publish this
 * with my name". Staff may publish an item: its text is copied for the public page, and
 * the author's name (a member's username, or the name they typed) only with that
 * consent. The email is never published. A member's items go with the member (ON
 * DELETE CASCADE).
 */
#ifndef FEEDBACK_FEEDBACK_H
#define FEEDBACK_FEEDBACK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "privacy/privacy.h"
#include "store/store.h"

enum err feedback_migrate(struct store *s);
extern const struct store_table feedback_tables[];
extern const size_t feedback_tables_count;

struct feedback_new {
	int64_t site;
	int64_t person;     /* 0: anonymous */
	const char *text;   /* required, at most LIMIT_FEEDBACK_TEXT characters */
	const char *name;   /* anonymous authors only; NULL or "" for none */
	const char *email;  /* NULL or "" for none */
	bool consent_name;  /* "you may publish this with my name" */
};
/* Stores an item, its personal fields sealed, in one transaction. ERR_INVAL for an
 * empty or over-long text or name, or a malformed email. */
enum err feedback_add(struct privacy *p, struct store *s, const struct feedback_new *in,
    int64_t *id);

struct feedback_item {
	int64_t id, site, person;
	bool consent_name;
	int64_t created_at, published_at; /* published_at 0: not published */
	const char *text, *name, *email;  /* opened (feedback_list), or NULL */
	const char *published_text, *published_name; /* published_name "" without consent */
};
/* The newest LIMIT_FEEDBACK_PER_PAGE items of site, each field opened through the gate
 * for actor with purpose support (audited). ERR_DENIED when the gate refuses. */
enum err feedback_list(struct privacy *p, struct store *s, struct arena *a,
    const struct gate_actor *actor, int64_t site, struct feedback_item **out, size_t *n);
/* Publishes item id of site as actor (support; the text, and the name if the author
 * consented, opened through the gate and copied for the public page). ERR_NOTFOUND,
 * ERR_DENIED. */
enum err feedback_publish(struct privacy *p, struct store *s, const struct gate_actor *actor,
    int64_t site, int64_t id, int64_t now);
/* The "feedback" section of a person's export (struct rights_section; obj is a json_t *
 * object): their items, text and email opened as themselves (purpose self, audited), at
 * most LIMIT_FEEDBACK_EXPORT. */
enum err feedback_export(struct privacy *p, struct store *s, int64_t person, void *obj);

/* Published items of site, newest first (published fields only). */
enum err feedback_published(struct store *s, struct arena *a, int64_t site,
    struct feedback_item **out, size_t *n);

#endif
