/*
 * privacy: the one door to personal data (PRODUCT.md P4, P5, P8, P11-P14, B1-B4, B9).
 *
 *   vault      every person ("subject") has a random data key, stored wrapped by the
 *              master key (DIR/master.key or CANDOR_MASTER_KEY). Personal fields are
 *              sealed with XChaCha20-Poly1305 under that key, with associated data
 *              binding each ciphertext to its table, column and row. Equality lookups use
 *              a keyed BLAKE2b blind index. Shredding a subject destroys its key.
 *   people     everyone with an account: username (public), email (sealed), role
 *              (owner, staff, member), per-site roles (admin, editor), staff records
 *              (organisation, country, confidentiality agreement, need-to-know grants).
 *              They live here, not in accounts/, because the gate decides on them and
 *              privacy/ may not include a domain module. accounts/ adds logins on top.
 *   gate       the only function that opens sealed fields: (actor, subject, field class,
 *              purpose) -> allow or deny, default deny; every decision is written to the
 *              audit log in the same transaction as the read.
 *   audit      append-only, hash-chained (keyed BLAKE2b), with Ed25519-signed
 *              checkpoints kept outside the database (DIR/audit.checkpoints).
 *   inventory  the table, in code, of every personal field candor stores.
 *
 * Subjects are strings: "user:42" for an account holder; later "commenter:<id>".
 */
#ifndef PRIVACY_PRIVACY_H
#define PRIVACY_PRIVACY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"

/* Bytes of a subject string with its NUL ("user:" and an int64). */
#define PRIVACY_SUBJECT_BYTES 32
/* The subject of account holder person: "user:ID". */
void privacy_subject(int64_t person, char out[PRIVACY_SUBJECT_BYTES]);

struct privacy;

/* Loads the master key (config key_file, or CANDOR_MASTER_KEY as 64 hex digits, which
 * wins) and the audit signing key (DIR/audit.key, created with mode 0600 when absent).
 * On failure writes a sentence into errbuf. */
enum err privacy_open(const struct config *cfg, struct privacy **out, char *errbuf,
    size_t errsize);
void privacy_free(struct privacy *p);

/*
 * Derives a 32-byte key for another module from the root key (the one that survives
 * `candor keys rotate`): crypto_kdf(root, id, ctx). ctx is exactly 8 characters naming
 * the use ("cdcsrf__" for web/csrf.c); the module's own contexts ("cdblind_",
 * "cdaudit_") are refused with ERR_INVAL, so no caller can obtain the index or audit
 * keys. ERR_CRYPTO if libsodium fails. The caller wipes out (sodium_memzero) when done.
 */
enum err privacy_derive_key(const struct privacy *p, uint64_t id, const char ctx[8],
    unsigned char out[32]);

/* Creates or upgrades the module's tables (vault, audit, people). */
enum err privacy_migrate(struct store *s);
/* The module's tables for `candor db copy`, parents first. */
extern const struct store_table vault_tables[], audit_tables[], people_tables[];
extern const size_t vault_tables_count, audit_tables_count, people_tables_count;

/* ---------------------------------------------------------------- vault ---- */

#define VAULT_BLIND_BYTES 32

/* Creates the data key of a new subject (ERR_CONFLICT if it exists). */
enum err vault_subject_new(struct privacy *p, struct store *s, const char *subject);
/*
 * Seals pt for (subject, table, column, row) into out (appended: nonce, ciphertext, tag).
 * ERR_NOTFOUND when the subject has no key (never created, or shredded).
 */
enum err vault_seal(struct privacy *p, struct store *s, const char *subject, const char *table,
    const char *column, int64_t row, const void *pt, size_t n, struct buf *out);
/* Blind index of value under label ("email"): keyed BLAKE2b, key derived from the
 * master key. Callers normalise the value first (emails: lowercase). */
void vault_blind(const struct privacy *p, const char *label, const char *value,
    unsigned char out[VAULT_BLIND_BYTES]);
/* Destroys the subject's data key: every field sealed under it becomes unreadable,
 * in every copy of the database, backups included (B2). */
enum err vault_shred(struct privacy *p, struct store *s, const char *subject);
/* Re-wraps every data key under new_key (candor keys rotate) in one transaction. The
 * caller then replaces the key file. */
enum err vault_rotate(struct privacy *p, struct store *s, const unsigned char new_key[32]);
/* candor keys rotate: a new random master key, vault_rotate, then the key file replaced
 * atomically (mode 0600); the old file is kept, and its new name written into kept.
 * Blind indexes and audit hashes keep their keys (see privacy.c). ERR_INVAL when the key
 * comes from CANDOR_MASTER_KEY. On failure a sentence in errbuf says what state is left. */
enum err privacy_rotate_master(struct privacy *p, struct store *s, const struct config *cfg,
    char *kept, size_t keptsize, char *errbuf, size_t errsize);

/* ---------------------------------------------------------------- audit ---- */

struct audit_entry {
	int64_t seq;
	int64_t at;
	const char *actor;         /* "user:7", "system", "cli" */
	const char *actor_role;    /* owner, staff, member, admin, system */
	const char *actor_org;     /* staff organisation or "" */
	const char *actor_country; /* ISO 3166 alpha-2 or "" */
	const char *subject;       /* whose data */
	const char *field_class;   /* email, ip, ... or "-" */
	const char *purpose;
	const char *decision;      /* allow, deny, export, erase, ... */
	const char *detail;        /* a short reason, never personal data */
};

/* Appends e (seq and at are assigned) inside the caller's transaction (or its own). */
enum err audit_append(struct privacy *p, struct store *s, const struct audit_entry *e);
/* Checks the chain and the signed checkpoints. ERR_OK when intact; otherwise
 * ERR_CONFLICT with *bad_seq the first bad entry and a sentence in msg. */
enum err audit_verify(struct privacy *p, struct store *s, int64_t *bad_seq, char *msg,
    size_t msgsize);
/* Writes a signed checkpoint (count and head hash) to DIR/audit.checkpoints. */
enum err audit_checkpoint(struct privacy *p, struct store *s);
/* Entries about subject (all when NULL), oldest first; strings in arena a. */
enum err audit_list(struct privacy *p, struct store *s, struct arena *a, const char *subject,
    struct audit_entry **out, size_t *n);

/* ---------------------------------------------------------------- people ---- */

enum person_role { ROLE_MEMBER, ROLE_STAFF, ROLE_OWNER, ROLE__MAX };
enum site_role { SITE_ROLE_EDITOR, SITE_ROLE_ADMIN, SITE_ROLE__MAX };

const char *person_role_name(enum person_role r);
const char *site_role_name(enum site_role r);

struct person {
	int64_t id;
	const char *username;
	enum person_role role;
	bool email_verified;
	int64_t created_at;
};

/*
 * Adds a person: username (3-32 of [a-z0-9_-], public), email (sealed, unique by blind
 * index). Creates their subject key, seals the email bound to the row, in one
 * transaction. ERR_CONFLICT when the username or email is taken; ERR_INVAL with a
 * sentence in msg for a bad username or email.
 */
enum err people_add(struct privacy *p, struct store *s, const char *username,
    const char *email, enum person_role role, bool verified, int64_t *id, char *msg,
    size_t msgsize);
enum err people_find(struct store *s, struct arena *a, const char *username, struct person *out);
enum err people_find_by_email(struct privacy *p, struct store *s, struct arena *a,
    const char *email, struct person *out);
enum err people_list(struct store *s, struct arena *a, struct person **out, size_t *n);
enum err people_site_role(struct store *s, int64_t person, int64_t site, enum site_role r,
    bool grant);

/* One person by id; ERR_NOTFOUND when there is none. */
enum err people_get(struct store *s, struct arena *a, int64_t id, struct person *out);
/* Marks person's email verified (or not). */
enum err people_set_verified(struct store *s, int64_t person, bool verified);
/* Replaces person's email: checked and normalised as in people_add, sealed bound to the
 * row, blind index updated, verified set as given; joins the caller's transaction.
 * ERR_INVAL (sentence in msg) for a bad address, ERR_CONFLICT when another account
 * holds it. */
enum err people_set_email(struct privacy *p, struct store *s, int64_t person, const char *email,
    bool verified, char *msg, size_t msgsize);
/* True when email has the shape people_add accepts; its normalised (lower-case) form is
 * written to out. */
bool people_email_ok(const char *email, char *out, size_t outsize);

struct person_site_role {
	int64_t site;
	enum site_role role;
};
/* person's roles on sites; in arena a. */
enum err people_site_roles(struct store *s, struct arena *a, int64_t person,
    struct person_site_role **out, size_t *n);
/* Who holds a role on site (usernames are public), ordered by username; in arena a. */
struct site_member {
	int64_t person;
	const char *username;
	enum site_role role;
};
enum err people_site_members(struct store *s, struct arena *a, int64_t site,
    struct site_member **out, size_t *n);

/* Staff (P11, P12) */
enum purpose {
	PURPOSE_SELF,       /* a person reading their own data */
	PURPOSE_MODERATION, /* a site admin moderating comments on their site */
	PURPOSE_SUPPORT,
	PURPOSE_BILLING,
	PURPOSE_SECURITY,
	PURPOSE_LEGAL,      /* only through a registered, approved disclosure */
	PURPOSE_DELIVERY,   /* the system sending mail the person asked for */
	PURPOSE_ANNOUNCEMENTS, /* staff writing announcements to members (P15): a grant to
				  act, reaching no personal data (the system delivers) */
	PURPOSE_FULFILMENT, /* a site admin delivering an order of their site (issue 9): its
			       customer's name, email, address and booked date */
	PURPOSE__MAX
};
const char *purpose_name(enum purpose pu);
bool purpose_parse(const char *s, enum purpose *out);

enum err staff_set(struct store *s, int64_t person, const char *org, const char *country);
enum err staff_agreement(struct store *s, int64_t person, const char *version, int64_t signed_on);
enum err staff_grant(struct store *s, int64_t person, enum purpose pu, int64_t until);
enum err staff_revoke(struct store *s, int64_t person, enum purpose pu);

/* ----------------------------------------------------------------- gate ---- */

enum field_class {
	FIELD_EMAIL,
	FIELD_IP,
	FIELD_NAME,
	FIELD_ADDRESS,
	FIELD_PAYMENT,
	FIELD_TEXT,
	FIELD_SECRET, /* one-way: a password hash; never opened, only compared */
	FIELD__MAX
};
const char *field_class_name(enum field_class c);

/* Who asks. person 0 with system true is candor itself (mail delivery, retention). */
struct gate_actor {
	int64_t person;
	bool system;
};

/* A sealed field as stored. site is the site the data belongs to (a comment's site),
 * or 0. */
struct gate_field {
	const char *subject;
	int64_t subject_person; /* 0 when the subject has no account */
	int64_t site;
	enum field_class cls;
	const char *table;
	const char *column;
	int64_t row;
	const void *sealed;
	size_t sealed_len;
};

/*
 * The only way to read personal data. Decides (default deny), writes the decision to the
 * audit log, and when allowed opens the field into plain (NUL-terminated). All in one
 * transaction: a read that cannot be audited does not happen. ERR_DENIED when refused;
 * inside a caller's transaction the caller then commits (not rolls back), or the record
 * of the refusal is lost with it.
 */
enum err gate_read(struct privacy *p, struct store *s, const struct gate_actor *actor,
    enum purpose pu, const struct gate_field *f, struct buf *plain);

/* Whether person may act for purpose: the owner always, staff with an unexpired grant
 * for it (e.g. PURPOSE_ANNOUNCEMENTS: who may send announcements), no one else. */
enum err gate_granted(struct store *s, int64_t person, enum purpose pu, bool *ok);

/* The decision alone (no audit, no decryption): for tests and for showing what a role
 * could reach. */
bool gate_allows(struct privacy *p, struct store *s, const struct gate_actor *actor,
    enum purpose pu, const struct gate_field *f);

/* Opens person's email through the gate (actor, purpose; audited) into out as a
 * NUL-terminated string. The caller wipes out. ERR_DENIED when the gate refuses. */
enum err people_email(struct privacy *p, struct store *s, const struct gate_actor *actor,
    enum purpose pu, int64_t person, struct buf *out);

/* ------------------------------------------------------------ inventory ---- */

struct inventory_field {
	const char *table;
	const char *column;
	enum field_class cls;
	const char *what;      /* "Your email address" */
	const char *purpose;   /* why candor keeps it */
	const char *readers;   /* who may read it */
	const char *retention; /* how long */
};

extern const struct inventory_field inventory[];
extern const size_t inventory_count;

struct inventory_cookie {
	const char *name;
	const char *purpose;
	const char *lifetime;
	const char *when; /* when it is set */
};
extern const struct inventory_cookie inventory_cookies[];
extern const size_t inventory_cookies_count;

/* ---------------------------------------------------------- disclosures ---- */

/*
 * The disclosure register (P14, B7): every legal request for a person's data, its basis,
 * requester, scope, who approved or refused it and when it was answered. The export it
 * produces is the one path besides the gate that opens sealed fields (purpose legal):
 * the gate itself refuses PURPOSE_LEGAL to everyone. Only an owner decides a request.
 * requester and scope describe the request (an agency, a court, a case number, what is
 * asked for), never the subject's personal data; they are single lines of UTF-8 text.
 */
enum disclosure_basis {
	BASIS_SUBPOENA,
	BASIS_COURT_ORDER,
	BASIS_GOVERNMENT,
	BASIS_PROTECT_RIGHTS, /* good-faith protection of rights, property or safety */
	BASIS__MAX
};
const char *disclosure_basis_name(enum disclosure_basis b); /* "court-order" */
bool disclosure_basis_parse(const char *s, enum disclosure_basis *out);


struct disclosure {
	int64_t id;
	enum disclosure_basis basis;
	const char *requester;
	int64_t subject_person;
	const char *subject_username; /* "" when the account no longer exists */
	const char *scope;
	int64_t received_at;
	int64_t approved_by; /* 0 while undecided */
	int64_t approved_at;
	int64_t answered_at; /* 0 until exported */
	bool refused;
};

/* Creates or upgrades the register's table; its table for `candor db copy`. */
enum err disclosure_migrate(struct store *s);
extern const struct store_table disclosure_tables[];
extern const size_t disclosure_tables_count;

/*
 * Records a request received now about subject_person (who must exist). ERR_INVAL with
 * a sentence in msg for a bad basis, an empty or over-long requester or scope, or text
 * with control characters; ERR_NOTFOUND when there is no such person. *id gets its id.
 */
enum err disclosure_add(struct store *s, enum disclosure_basis basis, const char *requester,
    int64_t subject_person, const char *scope, int64_t *id, char *msg, size_t msgsize);
/*
 * Approves or refuses request id on behalf of person by. Only an owner decides:
 * ERR_DENIED otherwise (the refused attempt is audited too). ERR_NOTFOUND for an unknown
 * request; ERR_CONFLICT when it is already decided (approve) or already answered
 * (refuse: an approved request not yet answered may still be refused). Audited.
 */
enum err disclosure_approve(struct privacy *p, struct store *s, int64_t id, int64_t by);
enum err disclosure_refuse(struct privacy *p, struct store *s, int64_t id, int64_t by);
/* One request, or every request newest first; strings in arena a. */
enum err disclosure_get(struct store *s, struct arena *a, int64_t id, struct disclosure *out);
enum err disclosure_list(struct store *s, struct arena *a, struct disclosure **out, size_t *n);
/*
 * Answers approved request id: builds the JSON bundle of what candor holds about the
 * subject (today: the account's fields and its email), appends one audit entry per
 * opened field (purpose legal, decision "disclose", detail naming the request and its
 * basis), and marks the request answered, all in one transaction. The bundle is appended
 * to out, which the caller writes, wipes (sodium_memzero) and frees. ERR_DENIED when the
 * request is not approved or was refused; ERR_NOTFOUND for an unknown request. Exporting
 * again is allowed (the first answer's time is kept) and audited again.
 */
enum err disclosure_export(struct privacy *p, struct store *s, int64_t id, struct buf *out);

/* The transparency report: requests received, and how many of them were answered, per
 * basis and half-year of receipt (UTC). Only buckets with a request; newest first. */
struct disclosure_count {
	int year;
	int half; /* 1: January-June, 2: July-December */
	enum disclosure_basis basis;
	int64_t received;
	int64_t answered;
};
enum err disclosure_counts(struct store *s, struct arena *a, struct disclosure_count **out,
    size_t *n);

/* --------------------------------------------------------------- rights ---- */
/* What a person may ask about their own data (B1, B2). The accounts issue puts these
 * on the web; `candor user export|erase` offers them to the operator. */

/* A domain module's part of a person's export (B1): fill adds its members to obj, a
 * jansson json_t * object (void * here so this header needs no jansson), reading
 * personal fields only through the gate as the person (purpose self). web/ lists the
 * sections, so privacy/ needs no domain module. */
struct rights_section {
	const char *name; /* the key of the section in the export: "sign_in", "policy" */
	enum err (*fill)(struct privacy *p, struct store *s, int64_t person, void *obj);
};

/*
 * Everything held about person as JSON (shape in docs/privacy.md, "Subject rights"),
 * appended to json: account (with the email, opened through gate_read as the person,
 * purpose self), site roles, staff record, agreements and grants, and every audit entry
 * about them, the export's own included, and one object per section. One transaction; the caller wipes json when
 * done (it holds the email). ERR_NOTFOUND when there is no such person.
 */
enum err rights_export(struct privacy *p, struct store *s, int64_t person,
    const struct rights_section *sections, size_t nsections, struct buf *json);
/*
 * Erases person at their own request: in one transaction an "erase" audit entry, their
 * data key destroyed (vault_shred), their rows
 * deleted. Audit entries about them are kept (they name "user:ID", no personal data).
 * Copies of the database made before the erasure still hold the wrapped data key: they
 * stop opening once the master key of that time is retired (docs/privacy.md).
 * ERR_NOTFOUND when there is no such person.
 */
enum err rights_erase(struct privacy *p, struct store *s, int64_t person);
/* The same, recorded as done by actor (the system for retention, or the owner) with
 * purpose and a short reason (no personal data) in the audit entry. Default deny:
 * ERR_DENIED unless actor is the person themself, the system or an owner. */
enum err rights_erase_as(struct privacy *p, struct store *s, int64_t person,
    const struct gate_actor *actor, const char *purpose, const char *why);
/* Every audit entry about person, oldest first, strings in a (audit_list for
 * "user:ID"): who read which class of their data, when, why, the reader's role,
 * organisation and country, and the decision. */
enum err rights_accesses(struct privacy *p, struct store *s, struct arena *a, int64_t person,
    struct audit_entry **out, size_t *n);

/* ------------------------------------------------------------ retention ---- */
/* Durations per class from [retention] in candor.conf (B4). */

#define RETENTION_RULES_MAX 8

struct retention_report {
	size_t n;
	struct {
		const char *name; /* "unverified_accounts" */
		const char *what; /* "unverified accounts" */
		int days;         /* the configured limit */
		int64_t removed;
		enum err error;   /* ERR_OK, or why this class failed this run */
	} rules[RETENTION_RULES_MAX];
};

/*
 * Applies every retention rule now: removes what is older than its class's limit
 * (unverified accounts through rights_erase_as, so their keys are shredded). Each rule
 * runs in its own transaction(s); a failing rule does not stop the others. Appends one
 * audit entry summarising the counts. Returns the first error (out still tells what
 * was removed).
 */
enum err retention_run(struct privacy *p, struct store *s, const struct config *cfg,
    struct retention_report *out);

struct retention_job;
/*
 * Starts the background retention thread of `candor serve`: retention_run first after
 * first_ms, then every every_ms (candor serve: one minute, one hour), on its own
 * connection to db_url, opened for each run. The thread inherits the caller's signal
 * mask: start it after blocking SIGINT and SIGTERM. NULL with a sentence in errbuf when
 * it cannot start (the privacy keys do not open, for one).
 */
struct retention_job *retention_job_start(const struct config *cfg, const char *db_url,
    const char *db_password, int64_t first_ms, int64_t every_ms, char *errbuf,
    size_t errsize);
/* Stops the thread (waiting for a run in progress to finish) and frees j. NULL: no-op. */
void retention_job_stop(struct retention_job *j);
/* Runs completed by j so far (for tests). */
uint64_t retention_job_runs(struct retention_job *j);

#endif
