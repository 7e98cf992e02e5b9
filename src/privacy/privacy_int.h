/*
 * privacy_int: what the privacy module's files share and nothing else may include.
 * Opening a sealed field is here, not in privacy.h: only gate.c (every ordinary read) and
 * disclosure.c (an approved legal request, audited per field) call vault_open_field.
 */
#ifndef PRIVACY_INT_H
#define PRIVACY_INT_H

#include <sodium.h>

#include "privacy/privacy.h"

struct privacy {
	unsigned char master[32];     /* wraps data keys */
	unsigned char root[32];       /* derives blind_key and audit_key; survives rotation */
	bool key_from_env;            /* the keys came from CANDOR_MASTER_KEY */
	unsigned char blind_key[32];  /* derived: blind indexes */
	unsigned char audit_key[32];  /* derived: audit chain hashes */
	unsigned char sign_pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sign_sk[crypto_sign_SECRETKEYBYTES];
	char checkpoints[1100];       /* DIR/audit.checkpoints */
};

/* Opens a field sealed by vault_seal for the same (subject, table, column, row) into
 * plain (appended, NUL-terminated). ERR_NOTFOUND when the subject's key is gone,
 * ERR_CRYPTO when the bytes do not open (tampered, swapped between rows). */
enum err vault_open_field(struct privacy *p, struct store *s, const char *subject,
    const char *table, const char *column, int64_t row, const void *sealed, size_t n,
    struct buf *plain);

enum err vault_migrate(struct store *s);
enum err audit_migrate(struct store *s);
enum err people_migrate(struct store *s);

#endif
