/*
 * accounts_int: what the accounts module's files share and nothing else may include:
 * the stored form of a random token (sessions and link tokens alike) and the purges
 * session_purge runs for the other tables of the module.
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

/* Stores hash (from password_hash) as person's password and ends their sessions, in
 * one transaction joining the caller's: password_set without the check and the hashing,
 * for callers that hashed before opening their transaction. ERR_NOTFOUND (sentence in
 * msg, which may be NULL) when there is no such person. */
enum err accounts__password_store(struct store *s, int64_t person, const char *hash,
    char *msg, size_t msgsize);

/* Deletes link tokens expired before now (with any new address sealed in them). */
enum err accounts__tokens_purge(struct store *s, int64_t now);

/* Deletes sign-in failure counts whose window has closed at now. */
enum err accounts__failures_purge(struct store *s, int64_t now);

#endif
