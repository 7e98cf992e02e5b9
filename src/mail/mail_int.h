/*
 * mail internals shared by outbox.c (the table and its state machine) and transport.c
 * (the Maildir and SMTP hand-over). Not for other modules.
 */
#ifndef MAIL_MAIL_INT_H
#define MAIL_MAIL_INT_H

#include "mail/mail.h"

/* What a transport needs of one message; the address is open only for the hand-over. */
struct mail__msg {
	const char *token; /* 32 hex digits: the Message-ID's left side and the file name */
	const char *to;
	const char *subject;
	const char *body;
	const char *html;        /* NULL: text only; else multipart/alternative */
	const char *unsubscribe; /* "" or NULL: no List-Unsubscribe */
	int64_t created_at; /* the Date: header, stable across retries */
};

/* Appends the whole message (headers, blank line, body) to out, lines ended with CRLF
 * (SMTP) or LF (Maildir). */
void mail__format(const struct mail_transport *t, const struct mail__msg *m, bool crlf,
    struct buf *out);
/* Whether the Maildir already holds the message (new/TOKEN or cur/TOKEN:2,...). */
bool mail__maildir_has(const struct mail_transport *t, const char *token);
/* Hands m over; on failure writes a one-line reason (no address) into why. */
enum err mail__send(const struct mail_transport *t, const struct mail__msg *m, char *why,
    size_t whysize);

/* The outbox's checks, shared with campaign.c (a campaign's text is checked when it is
 * created, not only when each message is queued). */
bool mail__subject_ok(const char *subject);
enum err mail__body_check(const char *body);
/* The campaign tables' copy statements (select, insert of each), for mail_tables. */
extern const struct store_stmt mail__campaign_copy[4];

#endif
