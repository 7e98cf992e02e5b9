/*
 * accounts: what turns a person (privacy/people) into someone who can sign in.
 *
 *   password   the rules of SECURITY.md "Accounts and sessions": 12 to 128 characters
 *              (Unicode code points), no composition rules, no truncation, common
 *              passwords refused (a shipped list, compiled into the binary); stored only
 *              as an argon2id hash (libsodium crypto_pwhash, t=2, m=19 MiB, p=1, a random
 *              salt per hash) in account_passwords, one row per person, removed with the
 *              person (ON DELETE CASCADE).
 *
 *   session    sign-in sessions (SECURITY.md; ASVS 3.2, 3.3): a 256-bit random token
 *              handed to the browser, of which only a BLAKE2b-256 hash is stored in
 *              sessions; idle and absolute expiry checked on the server at every use;
 *              logout ends one session, a password change ends them all.
 *   throttle   at most LIMIT_LOGIN_FAILURES_PER_HOUR failed sign-ins per account per
 *              hour (login_failures), never a permanent lock-out (ASVS 2.2.1); counted
 *              inside login_attempt, which is the only way to try a password.
 *
 *   tokens     single-use links for email verification, password reset and email
 *              change: 256 random bits, only a BLAKE2b-256 hash stored, valid
 *              LIMIT_ACCOUNT_TOKEN_TTL_S (one hour), used at most once. A new password
 *              (any way it is set) spends the person's unused reset and change-email
 *              links; a new email spends those and the verification links too.
 *   requests   every password-reset request and every signup notice to a taken
 *              address, known account or not, is a row in account_requests under a
 *              blind index of the identifier: both paths do the same durable write, and
 *              one identifier gets at most LIMIT_ACCOUNT_TOKENS_PER_HOUR an hour.
 *   signup     account_signup: a member from username, email and password, in one
 *              transaction (web/ records the accepted policy version in the same one);
 *              the argon2id work is done before it opens (account_signup_prepare).
 *   login      login_attempt: username or email plus password, throttled per
 *              identifier whether or not an account exists (no enumeration), with the
 *              same argon2id work either way; account_record_login keeps the time and
 *              the IP address (sealed) of the last sign-in.
 *   prefs      a member's email preferences (announcements on or off).
 *
 * accounts/ may include privacy/, never the reverse. A plaintext password is never
 * stored, logged or returned; every copy this module makes is wiped (sodium_memzero).
 */
#ifndef ACCOUNTS_ACCOUNTS_H
#define ACCOUNTS_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"

struct privacy;

/* Creates or upgrades the module's tables (account_passwords, sessions, login_failures,
 * account_tokens, account_logins, account_prefs, account_requests). */
enum err accounts_migrate(struct store *s);
/* The module's tables for `candor db copy` (after privacy's people). */
extern const struct store_table accounts_tables[];
extern const size_t accounts_tables_count;

/* ------------------------------------------------------------- password ---- */

/* Bytes of an encoded hash with its NUL: libsodium's crypto_pwhash_STRBYTES (checked at
 * compile time in password.c, so this header need not include sodium.h). */
#define PASSWORD_HASH_BYTES 128

/*
 * Whether pw (len bytes, need not be NUL-terminated) may be used as a password:
 * valid UTF-8 without NUL bytes, LIMIT_PASSWORD_MIN_CHARS to LIMIT_PASSWORD_MAX_CHARS
 * code points, and not a common password. "Common" means: on the shipped list
 * (src/accounts/common-passwords.txt, ASCII case ignored); or such a password, or one
 * repeated, with only digits, punctuation or spaces before or after it
 * ("Password1234", "dragondragon!"); or a run of one repeated or consecutive
 * characters ("aaaaaaaaaaaa", "123456789012"). There are no composition rules.
 * ERR_OK when acceptable; ERR_INVAL (or ERR_TOOBIG past the maximum) with a sentence
 * for the person in msg that says why; ERR_NOMEM when the list cannot be loaded.
 */
enum err password_check(const char *pw, size_t len, char *msg, size_t msgsize);

/*
 * Hashes pw (all len bytes: nothing is truncated) with argon2id, opslimit
 * LIMIT_ARGON2_OPSLIMIT, memlimit LIMIT_ARGON2_MEMLIMIT and a fresh random salt, into
 * out as libsodium's NUL-terminated encoded string ("$argon2id$v=19$m=19456,t=2,p=1$...").
 * Does not apply password_check. ERR_CRYPTO when hashing fails (out of memory, most
 * likely); ERR_TOOBIG when len exceeds what libsodium accepts.
 */
enum err password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_BYTES]);

/* True when pw hashes to hash (an encoded string from password_hash), in constant time
 * for the comparison. False for a malformed hash. */
bool password_verify(const char *hash, const char *pw, size_t len);

/* True when hash was made with other parameters than today's (or is malformed), so the
 * next successful sign-in should store a new one. */
bool password_needs_rehash(const char *hash);

/* Distinct entries (ASCII case folded) of the common-password list; 0 when it could not
 * be loaded. For tests and `candor` diagnostics. */
size_t password_common_count(void);

/*
 * Sets person's password: password_check, then hash, then password_set_hash. The hash
 * is made before any transaction of this function opens; a caller that already holds
 * one (`candor user add` creates the person and the password together) holds the
 * SQLite write lock through the argon2id work, so request handlers hash first and call
 * password_set_hash instead. A refused password writes nothing and returns what
 * password_check returned, with its sentence in msg. ERR_NOTFOUND when there is no such
 * person. msg may be NULL.
 */
enum err password_set(struct store *s, int64_t person, const char *pw, size_t len, char *msg,
    size_t msgsize);

/*
 * Stores hash (from password_hash, made before the caller's transaction opened, so the
 * write lock is not held for the argon2id work) as person's password, in one
 * transaction joining the caller's that also ends every session of the person
 * (session_end_all, ASVS 3.3.3) and spends every unused reset and change-email link of
 * theirs (a link mailed before the change must not outlive it). Does not apply
 * password_check: the caller did. ERR_NOTFOUND (sentence in msg, which may be NULL)
 * when there is no such person.
 */
enum err password_set_hash(struct store *s, int64_t person, const char *hash, char *msg,
    size_t msgsize);

/*
 * Sets *ok to whether pw is person's password. A person without a password gets
 * ERR_NOTFOUND and *ok false, after the same argon2id work as a real check (so the time
 * taken does not tell whether a password exists). When the password matches and its hash
 * has outdated parameters, a new hash is stored (a failure to store it is logged, not
 * returned). Other errors: the store's.
 */
enum err password_matches(struct store *s, int64_t person, const char *pw, size_t len,
    bool *ok);

/* -------------------------------------------------------------- session ---- */

/* Characters of a session token: 32 random bytes in unpadded base64url. */
#define SESSION_TOKEN_LEN 43

/* The session tables for `candor db copy` (after accounts_tables). */
extern const struct store_table session_tables[];
extern const size_t session_tables_count;

/*
 * Starts a session for person at now (seconds since the epoch): a new token of
 * LIMIT_SESSION_TOKEN_BYTES random bytes (libsodium's CSPRNG) written to token_out as
 * SESSION_TOKEN_LEN base64url characters and a NUL. Only a BLAKE2b-256 hash of the token
 * is stored; the token itself is never stored or logged, and the caller should wipe its
 * copy once it is sent. ERR_NOTFOUND when there is no such person; ERR_CRYPTO when
 * libsodium cannot start. On error token_out is "".
 */
enum err session_create(struct store *s, int64_t person, int64_t now,
    char token_out[SESSION_TOKEN_LEN + 1]);

/*
 * Looks up token (NUL-terminated, as the browser sent it) at now. A session is alive
 * while now - last use <= idle_s and now - creation <= absolute_s (seconds). Alive:
 * ERR_OK, *person set, and the last use moved to now when it is a minute old or more
 * (so a page view writes at most once a minute; the idle limit is thus honoured to
 * within a minute, never extended). Unknown or malformed token: ERR_NOTFOUND. Expired:
 * the session is deleted, then ERR_NOTFOUND. *person is 0 unless ERR_OK.
 */
enum err session_check(struct store *s, const char *token, int64_t now, int64_t idle_s,
    int64_t absolute_s, int64_t *person);

/* Logout: ends the session of token (nothing to end is not an error). */
enum err session_end(struct store *s, const char *token);

/* Ends every session of person (a password change; joins the caller's transaction). */
enum err session_end_all(struct store *s, int64_t person);

/* Deletes every session expired at now (same rule as session_check); *removed gets the
 * count (may be NULL). Also deletes expired link tokens, sign-in failure counts whose
 * window has closed and account_requests rows older than their window (not counted in
 * *removed). */
enum err session_purge(struct store *s, int64_t now, int64_t idle_s, int64_t absolute_s,
    int64_t *removed);

/* --------------------------------------------------------------- tokens ---- */

enum account_token_kind {
	TOKEN_VERIFY_EMAIL,   /* confirms the address given at signup */
	TOKEN_RESET_PASSWORD, /* lets the holder set a new password */
	TOKEN_CHANGE_EMAIL,   /* confirms a new address; the address is sealed in the row */
	TOKEN__MAX
};

/* Characters of a link token: 32 random bytes in unpadded base64url. */
#define ACCOUNT_TOKEN_LEN 43

/*
 * Issues a single-use token of kind for person, valid from now for
 * LIMIT_ACCOUNT_TOKEN_TTL_S seconds, into out (ACCOUNT_TOKEN_LEN characters and a NUL).
 * Only a hash is stored; earlier unused tokens of the same kind for person are revoked.
 * ERR_LIMIT (with a sentence in msg) when LIMIT_ACCOUNT_TOKENS_PER_HOUR tokens of this
 * kind were issued to person in the last hour: no form can flood a mailbox.
 * For TOKEN_CHANGE_EMAIL, new_email (required, checked and normalised like people_add's)
 * is sealed under the person's key in the token row; ERR_INVAL with a sentence in msg
 * for a bad address, ERR_CONFLICT when another account holds it: checked after the
 * limit, and the attempt is counted like any other (a token row, spent at once), so
 * neither the answer nor the limit tells a taken address from a free one. Joins the
 * caller's transaction (committed when ERR_CONFLICT). p may be NULL except for TOKEN_CHANGE_EMAIL.
 */
enum err account_token_issue(struct privacy *p, struct store *s, int64_t person,
    enum account_token_kind kind, const char *new_email, int64_t now,
    char out[ACCOUNT_TOKEN_LEN + 1], char *msg, size_t msgsize);

/* Sets *person to the holder of token of kind if it is unused and unexpired at now,
 * without using it (to show a reset form). ERR_NOTFOUND otherwise (malformed too). */
enum err account_token_peek(struct store *s, enum account_token_kind kind, const char *token,
    int64_t now, int64_t *person);

/*
 * Uses token of kind at now: marks it used (so a second use gets ERR_NOTFOUND) and
 * applies it: TOKEN_VERIFY_EMAIL marks the person's email verified; TOKEN_CHANGE_EMAIL
 * opens the sealed new address through the gate (as the person, purpose self; audited)
 * and replaces the person's email with it (re-sealed bound to people, blind index
 * updated, verified), spending every other unused link of the person (verification,
 * reset, change of email); TOKEN_RESET_PASSWORD applies nothing (the caller sets the
 * password in the same transaction, with password_set_hash). Joins the caller's
 * transaction. *person gets the holder. ERR_NOTFOUND for an unknown, used, expired or
 * malformed token. ERR_CONFLICT when the new email was taken meanwhile, ERR_DENIED when
 * the gate refused the read: then nothing is changed but the token is spent and the
 * read is in the audit log, so a caller with an open transaction commits it (a rollback
 * would lose the audit entry of a read that happened).
 */
enum err account_token_use(struct privacy *p, struct store *s, enum account_token_kind kind,
    const char *token, int64_t now, int64_t *person);

/* ------------------------------------------------------------- requests ---- */

enum account_request_kind {
	REQUEST_RESET,        /* a password reset asked for, by username or email */
	REQUEST_SIGNUP_TAKEN, /* a signup with an address an account has: a notice to it */
	REQUEST__MAX
};

/*
 * Notes a request of kind about identifier (as typed: a username or an email; folded to
 * ASCII lower case, which is how both are normalised; cut at
 * LIMIT_LOGIN_IDENTIFIER_BYTES) at now: a row in account_requests keyed by
 * vault_blind("request", "reset:" or "signup:" + identifier), written whether or not an
 * account has the identifier and whether or not the request is allowed. *allowed gets
 * whether at most LIMIT_ACCOUNT_TOKENS_PER_HOUR requests of kind for it, this one
 * included, were noted in the LIMIT_ACCOUNT_REQUEST_WINDOW_S up to now; when not,
 * nothing should be sent, and the answer should not change. Joins the caller's
 * transaction. Errors: the store's; ERR_INVAL for a bad kind or a NULL identifier.
 */
enum err account_request_note(struct privacy *p, struct store *s,
    enum account_request_kind kind, const char *identifier, int64_t now, bool *allowed);

/* --------------------------------------------------------------- signup ---- */

/* Which field a refusal is about, for the form to say it next to the field. */
enum account_field { AF_NONE, AF_USERNAME, AF_EMAIL, AF_PASSWORD };

struct account_signup_result {
	int64_t person;       /* the new member; 0 when email_taken */
	bool email_taken;     /* an account with this email exists: nothing was created;
				 existing is that account (the caller mails its holder a
				 notice, and answers exactly as for a new account) */
	int64_t existing;
	char verify_token[ACCOUNT_TOKEN_LEN + 1]; /* TOKEN_VERIFY_EMAIL of the new member */
};

/*
 * Signs up a member: account_signup_prepare, then account_signup_hashed. Refusals:
 * ERR_INVAL (ERR_TOOBIG for an over-long password) with a sentence in msg and *field
 * set; ERR_CONFLICT with *field AF_USERNAME when the username is taken (usernames are
 * public: they sign comments). A taken email is not an error: see email_taken; the same
 * argon2id work is done, so the answer takes as long. The hashing happens before the
 * transaction opens only when the caller holds none: a caller that opens its own (web/,
 * to record the policy acceptance in it) calls the two halves itself.
 */
enum err account_signup(struct privacy *p, struct store *s, const char *username,
    const char *email, const char *password, size_t password_len, int64_t now,
    struct account_signup_result *out, enum account_field *field, char *msg,
    size_t msgsize);

/*
 * The part of a signup that needs no database, to run before any transaction: checks
 * the username (folded to lower case, then 3 to 32 of a-z 0-9 '_' '-'), the email
 * (shape as people_add) and the password (password_check), then hashes the password
 * (argon2id, whether or not the email turns out to be taken) into hash. Refusals as
 * account_signup's; ERR_CRYPTO when hashing fails. The caller wipes hash.
 */
enum err account_signup_prepare(const char *username, const char *email,
    const char *password, size_t password_len, char hash[PASSWORD_HASH_BYTES],
    enum account_field *field, char *msg, size_t msgsize);

/*
 * The rest of a signup, with hash from account_signup_prepare, in one transaction
 * joining the caller's (where web/ also records the policy acceptance): the person
 * (member, unverified), the password hash and a verification token; or, for a taken
 * email, nothing (see email_taken). Refusals as account_signup's.
 */
enum err account_signup_hashed(struct privacy *p, struct store *s, const char *username,
    const char *email, const char *hash, int64_t now, struct account_signup_result *out,
    enum account_field *field, char *msg, size_t msgsize);

/* ---------------------------------------------------------------- login ---- */

enum login_outcome {
	LOGIN_OK,
	LOGIN_WRONG,     /* unknown identifier or wrong password: one answer for both */
	LOGIN_THROTTLED, /* too many failures for this identifier; retry after *retry_at */
};

/*
 * One sign-in attempt with identifier (a username, or an email when it holds '@') and
 * password. Failures are counted per identifier (its blind index, so an unknown name is
 * throttled exactly like a real one) in login_failures: at most
 * LIMIT_LOGIN_FAILURES_PER_HOUR per LIMIT_LOGIN_WINDOW_S window, never a permanent
 * lock-out. The argon2id work is the same whether or not the account exists. LOGIN_OK
 * sets *person and clears the identifier's failures. *retry_at (may be NULL) gets when a
 * throttled identifier may try again. Errors: the store's.
 */
enum err login_attempt(struct privacy *p, struct store *s, const char *identifier,
    const char *password, size_t password_len, int64_t now, enum login_outcome *outcome,
    int64_t *person, int64_t *retry_at);

/*
 * Records a successful sign-in of person at now from ip (text, e.g. "192.0.2.1" or
 * "2001:db8::1"; may be "" when unknown): the time, and the address sealed under the
 * person's key in account_logins (one row per person, replaced). The address is removed
 * after [retention] ip_days by the retention job (retention.c), the time kept.
 */
enum err account_record_login(struct privacy *p, struct store *s, int64_t person,
    const char *ip, int64_t now);

/* The time of person's last recorded sign-in (0 when none). The address is read only
 * through the gate (gate_field of table account_logins, column ip_sealed, FIELD_IP). */
enum err account_last_login(struct store *s, int64_t person, int64_t *at);

/* ---------------------------------------------------------------- prefs ---- */

struct account_prefs {
	bool announcements; /* may receive announcements (P15); default true */
};
enum err account_prefs_get(struct store *s, int64_t person, struct account_prefs *out);
enum err account_prefs_set(struct store *s, int64_t person, const struct account_prefs *in);

/* The "sign_in" section of a person's export (struct rights_section; obj is a json_t *
 * object): last sign-in time and address (opened through the gate as the person,
 * purpose self), open sessions (created, last used; never a token or its hash), email
 * preferences. */
enum err accounts_export(struct privacy *p, struct store *s, int64_t person, void *obj);

#endif
