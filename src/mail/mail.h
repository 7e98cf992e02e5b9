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
