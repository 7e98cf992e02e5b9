/*
 * mail: the outbox and its delivery (PRODUCT.md P15; SECURITY.md 5.2.3).
 *
 *   outbox     mail_outbox rows: one message each, with its own Message-ID, the
 *              recipient's person id, the address and the body sealed under the
 *              recipient's subject key (each bound to its column and the row: a body may
 *              hold a single-use link), the subject (our own text, checked: no CR, LF,
 *              NUL or other control character in the subject, no CR or NUL in the body),
 *              state, attempts, next attempt time and the last error.
 *   delivery   mail_deliver_due claims due rows one at a time (pending -> sending with
 *              the attempt counted and a lease, committed before anything leaves),
 *              opens the address and the body through the gate (system, purpose
 *              delivery: every delivery read is audited), hands the message over, then
 *              marks it sent (or pending again with exponential backoff, or failed
 *              after MAIL_MAX_ATTEMPTS) in a second transaction; sent and failed rows
 *              keep no body, sealed or plain.
 *   transports SMTP through libcurl (smtp:// with optional STARTTLS, or smtps://, with
 *              optional login), or, when no relay is configured, the Maildir
 *              DIR/maildir/{tmp,new,cur}: written in tmp, fsynced, renamed into new
 *              under a name taken from the Message-ID.
 *
 * Guarantee (docs/mail.md): with the Maildir, each message is delivered exactly once
 * even if the process is killed at any point: a row found in `sending` after its lease
 * is marked sent when its file is in new/ or cur/, and written otherwise (the same name,
 * so never twice). With SMTP, a kill after the relay accepted the message and before
 * the sent mark committed makes one resend after the lease, with the same Message-ID;
 * no other crash point duplicates or loses a message.
 *
 * mail may include privacy/ (it reads addresses and bodies through the gate); never the
 * reverse.
 */
#ifndef MAIL_MAIL_H
#define MAIL_MAIL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include <stdatomic.h>

#include "privacy/privacy.h"
#include "store/store.h"

enum mail_state { MAIL_PENDING, MAIL_SENDING, MAIL_SENT, MAIL_FAILED, MAIL_STATE__MAX };
const char *mail_state_name(enum mail_state st);

/* Creates or upgrades mail_outbox; its table for `candor db copy` (after people). */
enum err mail_migrate(struct store *s);
extern const struct store_table mail_tables[];
extern const size_t mail_tables_count;

/*
 * Queues a message to person (who must exist and hold a subject key) at address to,
 * inside the caller's transaction if one is open (or its own). The address and the body
 * are sealed under the person's key, bound to the new row, before the row is committed
 * (the body is never stored in plaintext); a Message-ID is made from 128 random
 * bits. ERR_INVAL for a bad address, a subject that is empty, too long, not UTF-8 or
 * holds a control character (CR and LF included), or a body with CR, NUL or another
 * control character but LF and TAB; ERR_TOOBIG for a body or line over its limit;
 * ERR_NOTFOUND when the person has no key. *id (may be NULL) gets the row id.
 */
enum err mail_enqueue(struct privacy *p, struct store *s, int64_t person, const char *to,
    const char *subject, const char *body, int64_t *id);

/* What a list message adds to a plain one (announcements, P15; RFC 2369, RFC 8058). */
struct mail_extra {
	const char *html;        /* an HTML alternative (multipart/alternative), or NULL;
				    sealed like the body; at most LIMIT_MAIL_BODY_MAX bytes */
	const char *unsubscribe; /* the List-Unsubscribe value ("<https://...>, <mailto:...>")
				    or NULL; with it goes List-Unsubscribe-Post:
				    List-Unsubscribe=One-Click. No control character. */
};
/* mail_enqueue with extras (x may be NULL). ERR_INVAL also for an HTML part that is not
 * UTF-8 or holds NUL, or an unsubscribe value with a control character or over 1000
 * bytes. */
enum err mail_enqueue_extra(struct privacy *p, struct store *s, int64_t person, const char *to,
    const char *subject, const char *body, const struct mail_extra *x, int64_t *id);

/* ---- campaigns: one message to many people (policy alerts, announcements) ----
 *
 * A campaign is its text and a frozen list of recipients, one row per (campaign,
 * person) (the primary key: never twice). The worker queues waiting rows into the
 * outbox, each in one transaction with its mark (resumable after a crash at any point:
 * a row is either waiting or queued with its outbox message), at most
 * [mail] announce_per_minute in any minute. The address is opened through the gate
 * (system, delivery; audited) when the row is queued, never stored twice.
 */
struct mail_campaign {
	const char *ref;        /* unique: "policy:3", "announcement:HASH"; a second
				   campaign with the same ref is ERR_CONFLICT */
	const char *subject;    /* checked like mail_enqueue's */
	const char *text;       /* plain-text body; the per-person footer is added */
	const char *html;       /* HTML alternative (rendered markdown) or NULL */
	const char *unsub_base; /* "https://site/unsubscribe/" (a person's token is
				   appended) or NULL: no List-Unsubscribe (service mail) */
	const char *unsub_inbox; /* "unsubscribe@example.com" with unsub_base */
	int64_t created_by;     /* person id, 0: the command line */
};
/* Creates campaign c for persons[0..n) (duplicates ignored) in the caller's transaction
 * (or its own). *id gets its id. ERR_CONFLICT when c->ref exists; ERR_INVAL for a bad
 * subject or text. */
enum err mail_campaign_create(struct store *s, const struct mail_campaign *c,
    const int64_t *persons, size_t n, int64_t *id);
/* Queues waiting recipients into the outbox: at most per_minute minus those queued in
 * the last 60 s, and LIMIT_CAMPAIGN_BATCH per call. *queued gets how many. */
enum err mail_campaign_run(struct privacy *p, struct store *s, int per_minute, int64_t now,
    int64_t *queued);
/* Drops person's waiting rows of campaigns with an unsubscribe link (after they
 * unsubscribed: what was not queued yet is not sent). */
enum err mail_campaign_forget(struct store *s, int64_t person);
struct mail_campaign_info {
	int64_t id;
	const char *ref;
	const char *subject;
	int64_t created_at;
	int64_t total, queued;
};
/* Campaigns, newest first, with their progress; in arena a. */
enum err mail_campaign_list(struct store *s, struct arena *a, struct mail_campaign_info **out,
    size_t *n);

/* The unsubscribe token of person: base64url of the id and a MAC under a key derived
 * from the root key (no state; MAIL_UNSUB_TOKEN_LEN characters). */
#define MAIL_UNSUB_TOKEN_LEN 32
enum err mail_unsub_token(const struct privacy *p, int64_t person,
    char out[MAIL_UNSUB_TOKEN_LEN + 1]);
/* The person a token names, or ERR_DENIED for anything mail_unsub_token did not make
 * (compared in constant time). */
enum err mail_unsub_check(const struct privacy *p, const char *token, int64_t *person);

/* How messages leave. Filled by mail_transport_init from [smtp]; tests set fields. */
struct mail_transport {
	char url[512];       /* smtp://host:port or smtps://host:port; "" = Maildir */
	char from[256];      /* envelope and From: address */
	char username[256];  /* "" = no login */
	char password[256];
	bool starttls;       /* smtp:// only: require STARTTLS */
	char maildir[1100];  /* DIR/maildir */
	int64_t lease_s;     /* MAIL_LEASE_S, or MAIL_LEASE_MAILDIR_S for the Maildir */
	/* When set and true, a transfer in progress is abandoned at once (candor serve is
	 * stopping and must exit within 5 s); the message is retried after its lease. */
	const _Atomic bool *abort;
	/* Tests only: called at MAIL_HOOK_* points of each delivery (e.g. to SIGKILL). */
	void (*hook)(void *arg, int where, int64_t id);
	void *hook_arg;
};
enum { MAIL_HOOK_CLAIMED = 1, MAIL_HOOK_HANDED_OVER = 2 };

/* Reads [smtp] of cfg (password_file relative to the data directory) into t. ERR_INVAL
 * with a sentence in errbuf for a bad url, from or password file. */
enum err mail_transport_init(const struct config *cfg, struct mail_transport *t,
    char *errbuf, size_t errsize);
/* Wipes the password. */
void mail_transport_wipe(struct mail_transport *t);

struct mail_run {
	int64_t sent;
	int64_t retried;  /* failed this time, will be tried again */
	int64_t failed;   /* gave up (attempts exhausted, recipient erased) */
	int64_t recovered; /* found delivered after a crash, marked sent */
};

/*
 * Delivers every message due at now (pending with next_attempt_at <= now, and sending
 * rows whose lease ran out), one at a time, each in the two transactions described
 * above. Stops early on a database error (returned). Counts go to out.
 */
enum err mail_deliver_due(struct privacy *p, struct store *s, const struct mail_transport *t,
    int64_t now, struct mail_run *out);

/* One outbox row as listed (never the address). */
struct mail_entry {
	int64_t id;
	const char *message_id;
	int64_t person;
	const char *subject;
	enum mail_state state;
	int attempts;
	int64_t next_attempt_at;
	const char *last_error;
	int64_t created_at;
	int64_t sent_at;
};

/* Rows in the given states (bit 1 << state), oldest first; strings in arena a. */
enum err mail_list(struct store *s, struct arena *a, unsigned states, struct mail_entry **out,
    size_t *n);

struct mail_worker;
/*
 * Starts the delivery thread of `candor serve`: mail_deliver_due after first_ms, then
 * every every_ms, on its own connection to db_url. Inherits the caller's signal mask.
 * NULL with a sentence in errbuf when it cannot start (bad [smtp], keys do not open).
 */
struct mail_worker *mail_worker_start(const struct config *cfg, const char *db_url,
    const char *db_password, int64_t first_ms, int64_t every_ms, char *errbuf,
    size_t errsize);
/* Stops the thread (a delivery in progress finishes) and frees w. NULL: no-op. */
void mail_worker_stop(struct mail_worker *w);

#endif
