/*
 * privacy_int: what the privacy module's files share and nothing else may include.
 * Opening a sealed field is here, not in privacy.h: only gate.c (every ordinary read) and
 * disclosure.c (an approved legal request, audited per field) call vault_open_field.
 */
#ifndef PRIVACY_INT_H
#define PRIVACY_INT_H

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <time.h>

#include "privacy/privacy.h"

/* The key file and CANDOR_MASTER_KEY: the master key (32 bytes), then the root key (32
 * bytes), independent random values; see privacy.c. */
#define PRIVACY_KEYFILE_BYTES 64

struct privacy {
	/* The master key wraps data keys. Two slots so a running server can pick up a key
	 * rotated by `candor keys rotate` without a restart and without a lock on every
	 * read: readers use masters[cur]; a reload fills the other slot, then flips cur. */
	unsigned char masters[2][32];
	_Atomic int cur;
	pthread_mutex_t reload_lock;
	char key_path[1100];          /* "" when the key came from the environment */
	struct timespec key_mtime;    /* of key_path when last read */
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

/* The master key in force (see struct privacy). */
#define PRIVACY_MASTER(p) ((p)->masters[atomic_load(&(p)->cur)])
/* Sets a new master key in force (after a rotation in this process). */
void privacy_set_master(struct privacy *p, const unsigned char key[32]);
/* Re-reads the key file when it changed since it was read (another process rotated the
 * key). ERR_OK when a new master is now in force, ERR_NOTFOUND when nothing changed. */
enum err privacy_refresh_master(struct privacy *p);

enum err vault_migrate(struct store *s);
enum err audit_migrate(struct store *s);
enum err people_migrate(struct store *s);

#endif
