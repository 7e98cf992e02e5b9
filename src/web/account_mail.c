/*
 * account_mail: the messages candor sends about an account (SECURITY.md "Email
 * verification and reset links", 2.5.5): a subject and a short plain-text body per
 * kind, saying which site, what to do, and what to do if it was not you.
 *
 * Invariants: every link is built from the site's configured origin (site->origin),
 * never from a request's Host header (WordPress CVE-2017-8295, CVE-2020-11027); a
 * message that carries a link gets its token from the caller and the text holding it
 * is wiped once queued; nothing typed by a visitor goes into a subject (the site's
 * title is the operator's, and mail_enqueue refuses control characters anyway).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mail.h"
#include "web/web_int.h"

struct account_mail_text {
	const char *subject; /* "%s" is the site's title */
	const char *path;    /* the link's path before the token, or NULL for a notice */
	const char *intro;   /* what happened; "%s" is the site's title */
	const char *action;  /* what to do (after the link, if any) */
	const char *not_you; /* advice if it was not you */
};

static const struct account_mail_text account_mail_texts[WEB_MAIL__MAX] = {
	[WEB_MAIL_VERIFY] = {
	    "Confirm your email address for %s",
	    "/verify/",
	    "Welcome to %s. To confirm that this address is yours, open this link:",
	    "The link works once, for one hour. Until you follow it, your account shows\n"
	    "\"verify your email\". You can ask for a new link on your account page.",
	    "If you did not sign up, ignore this message: without the link nothing\n"
	    "more happens, and unconfirmed accounts are removed after a while.",
	},
	[WEB_MAIL_SIGNUP_EXISTS] = {
	    "Someone tried to sign up on %s with your address",
	    NULL,
	    "Someone tried to create an account on %s with this email address, but you\n"
	    "already have an account there, so nothing was created.",
	    "If it was you: sign in with your username or this address. If you forgot\n"
	    "your password, use \"Forgot your password?\" on the sign-in page.",
	    "If it was not you, you need to do nothing: your account is unchanged.",
	},
	[WEB_MAIL_CHANGE_EMAIL_TAKEN] = {
	    "Someone tried to use your address on %s",
	    NULL,
	    "A member of %s asked to make this email address the address of their\n"
	    "account, but you already have an account there with it, so nothing changed.",
	    "If it was you, with a second account: sign in with the account that has\n"
	    "this address.",
	    "If it was not you, you need to do nothing: your account is unchanged.",
	},
	[WEB_MAIL_RESET] = {
	    "Reset your password on %s",
	    "/reset/",
	    "Someone asked to reset the password of your account on %s. To choose a\n"
	    "new password, open this link:",
	    "The link works once, for one hour. Choosing a new password signs you out\n"
	    "everywhere.",
	    "If you did not ask for this, ignore this message: your password stays as\n"
	    "it is.",
	},
	[WEB_MAIL_CHANGE_EMAIL_NEW] = {
	    "Confirm your new email address for %s",
	    "/verify-email/",
	    "You asked to use this address for your account on %s. To confirm it, open\n"
	    "this link:",
	    "The link works once, for one hour. Until you follow it, your account keeps\n"
	    "its old address.",
	    "If you did not ask for this, ignore this message: the address is not\n"
	    "changed without the link.",
	},
	[WEB_MAIL_CHANGE_EMAIL_OLD] = {
	    "Your email address on %s is being changed",
	    NULL,
	    "Someone signed in to your account on %s asked to use another email\n"
	    "address for it. A link has been sent to the new address; the change\n"
	    "happens only when that link is followed.",
	    "If it was you, there is nothing more to do here.",
	    "If it was not you, sign in and change your password at once (use \"Forgot\n"
	    "your password?\" on the sign-in page if you cannot), then check the email\n"
	    "address on your account page.",
	},
	[WEB_MAIL_PASSWORD_CHANGED] = {
	    "Your password on %s was changed",
	    NULL,
	    "The password of your account on %s was changed. Every session signed in\n"
	    "with the old password has been ended.",
	    "If it was you, there is nothing more to do.",
	    "If it was not you, use \"Forgot your password?\" on the sign-in page at once\n"
	    "to choose a new password, and tell the site's operator.",
	},
};

/* Appends text with each "%s" replaced by title (no printf: the texts are data). */
static void
account_mail_fill(struct buf *b, const char *text, const char *title)
{
	const char *p;

	while ((p = strstr(text, "%s")) != NULL) {
		buf_append(b, text, (size_t)(p - text));
		buf_puts(b, title);
		text = p + 2;
	}
	buf_puts(b, text);
}

/*
 * The subject: text with the site's title, which may be longer than a subject may be
 * (titles: LIMIT_TITLE characters; subjects: LIMIT_MAIL_SUBJECT_MAX bytes). The title
 * is then cut at a character boundary and ends with an ellipsis, so every site can
 * send its mail.
 */
static void
account_mail_subject(struct buf *b, const char *text, const char *title)
{
	size_t fixed, room, n;
	char *cut;

	account_mail_fill(b, text, title);
	if (b->failed || b->len <= LIMIT_MAIL_SUBJECT_MAX || strstr(text, "%s") == NULL)
		return;
	fixed = b->len - strlen(title);
	room = LIMIT_MAIL_SUBJECT_MAX > fixed + 3 ? LIMIT_MAIL_SUBJECT_MAX - fixed - 3 : 0;
	n = room;
	while (n > 0 && ((unsigned char)title[n] & 0xc0) == 0x80)
		n--; /* not inside a UTF-8 sequence */
	if ((cut = malloc(n + 4)) == NULL) {
		b->failed = true;
		return;
	}
	memcpy(cut, title, n);
	memcpy(cut + n, "\xe2\x80\xa6", 4); /* U+2026 and the NUL */
	buf_reset(b);
	account_mail_fill(b, text, cut);
	free(cut);
}

enum err
web_mail_account(struct web_app *app, struct store *s, const struct site *site, int64_t person,
    const char *to, enum web_mail_kind kind, const char *token)
{
	const struct account_mail_text *t;
	struct buf subject, body;
	enum err e;

	if ((unsigned)kind >= WEB_MAIL__MAX || site == NULL || site->origin == NULL ||
	    site->origin[0] == '\0' || to == NULL)
		return ERR_INVAL;
	t = &account_mail_texts[kind];
	if (t->path != NULL && (token == NULL || token[0] == '\0'))
		return ERR_INVAL;
	buf_init(&subject);
	buf_init(&body);
	account_mail_subject(&subject, t->subject, site->title);
	buf_puts(&body, "Hello,\n\n");
	account_mail_fill(&body, t->intro, site->title);
	buf_puts(&body, "\n\n");
	if (t->path != NULL) {
		/* the origin is configured ("https://example.com", no trailing slash) */
		buf_printf(&body, "  %s%s%s\n\n", site->origin, t->path, token);
	}
	buf_puts(&body, t->action);
	buf_puts(&body, "\n\n");
	buf_puts(&body, t->not_you);
	buf_printf(&body, "\n\n-- \n%s\n%s/\n", site->title, site->origin);
	if (subject.failed || body.failed) {
		e = ERR_NOMEM;
		goto out;
	}
	e = mail_enqueue(app->privacy, s, person, to, subject.data, body.data, NULL);
out:
	if (body.data)
		sodium_memzero(body.data, body.len);
	buf_free(&subject);
	buf_free(&body);
	return e;
}
