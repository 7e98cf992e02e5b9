/*
 * accounts_int: what the accounts module's files share and nothing else may include:
 * the stored form of a random token (sessions and link tokens alike), the spending of
 * links when a password or an address changes, and the purges session_purge runs for
 * the other tables of the module.
 */
#ifndef ACCOUNTS_INT_H
#define ACCOUNTS_INT_H

#include "accounts/accounts.h"

/* BLAKE2b-256: what is stored of a token. */
#define ACCOUNTS_TOKEN_HASH_BYTES 32

/*
 * The stored form of token, a 43-character unpadded base64url string (SESSION_TOKEN_LEN
 * and ACCOUNT_TOKEN_LEN): false when it cannot be one of ours (NULL, wrong length or
 * characters), so no lookup is needed.
 */
bool accounts__token_hash(const char *token, unsigned char out[ACCOUNTS_TOKEN_HASH_BYTES]);

/* A new random token of LIMIT_*_TOKEN_BYTES (32) into out (43 characters and a NUL) and
 * its stored form into hash. ERR_CRYPTO when libsodium cannot start. */
enum err accounts__token_new(char out[ACCOUNT_TOKEN_LEN + 1],
    unsigned char hash[ACCOUNTS_TOKEN_HASH_BYTES]);

/* Spends (marks used at now, dropping any sealed address) every unused reset and
 * change-email link of person, and with email_changed their verification links too:
 * what was mailed before a new password or address must not outlive it. Joins the
 * caller's transaction. */
enum err accounts__tokens_spend(struct store *s, int64_t person, bool email_changed,
    int64_t now);

/* Deletes account_requests rows older than LIMIT_ACCOUNT_REQUEST_WINDOW_S at now. */
enum err accounts__requests_purge(struct store *s, int64_t now);

/* Deletes link tokens expired before now (with any new address sealed in them). */
enum err accounts__tokens_purge(struct store *s, int64_t now);

/* Deletes sign-in failure counts whose window has closed at now. */
enum err accounts__failures_purge(struct store *s, int64_t now);

#endif
