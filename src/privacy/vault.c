/*
 * vault: per-subject data keys and the sealing of personal fields (SECURITY.md, data at
 * rest; B2 crypto-shredding).
 *
 * Table vault_keys, one row per subject:
 *   subject       "user:42", "commenter:9" (1..LIMIT_SUBJECT_BYTES bytes)
 *   wrapped       the subject's 32-byte random data key, sealed by the master key:
 *                 nonce (24) || XChaCha20-Poly1305 ciphertext (32) || tag (16),
 *                 associated data = the subject's bytes (a wrapped key moved to another
 *                 subject does not open)
 *   wrap_version  the layout of `wrapped` (1, the one above)
 *   created_at    seconds since the epoch
 *
 * Table vault_meta, one row (id 1), naming the master key in force:
 *   master_check  BLAKE2b-256 keyed by the master over "candor vault master check v1".
 *                 Written by the first data key ever created and by every rotation in
 *                 its transaction, so it always names the master the rows are wrapped by.
 * Every transaction that wraps data keys (vault_subject_new, vault_rotate) first runs
 * `UPDATE vault_meta SET master_check = master_check WHERE id = 1`: on PostgreSQL that is
 * a row lock held to commit, so a new data key and a rotation never interleave (a key
 * inserted during a rotation's paging would be missed); SQLite's BEGIN IMMEDIATE already
 * serialises writers. vault_subject_new then compares master_check with its own master
 * and, when they differ even after re-reading the key file, refuses (ERR_UNAVAIL):
 * between a rotation's commit and the rename of the new key file, or with another
 * installation's key file, a key wrapped under the process's master would never open.
 *
 * A sealed field (vault_seal) is nonce (24) || ciphertext (n) || tag (16), XChaCha20-
 * Poly1305 under the subject's data key, with associated data
 *     table NUL column NUL row-in-decimal NUL subject
 * (no trailing NUL; table and column are 1..LIMIT_VAULT_NAME_BYTES bytes, row is the
 * shortest decimal of the int64, "-" for negatives). The bytes therefore open only for
 * the same table, column, row and subject: a ciphertext copied to another row, column or
 * person fails with ERR_CRYPTO.
 *
 * Invariants: a plaintext data key lives only on the stack of one call and is wiped
 * before the call returns; a shredded subject has no row, so neither seal nor open can
 * find a key (ERR_NOTFOUND). Rotation changes the wrapping only, never a data key, so
 * every sealed field stays valid.
 */
#include <stdlib.h>
#include <string.h>

#include "privacy/privacy_int.h"

#define VAULT_KEY_BYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define VAULT_NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define VAULT_TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define VAULT_WRAPPED_BYTES (VAULT_NONCE_BYTES + VAULT_KEY_BYTES + VAULT_TAG_BYTES)
#define VAULT_WRAP_VERSION 1
#define VAULT_ROTATE_BATCH 256
#define VAULT_CHECK_BYTES 32

static const struct store_migration vault_migrations[] = {
	{1, "CREATE TABLE vault_keys ("
	    " subject TEXT PRIMARY KEY,"
	    " wrapped {{BLOB}} NOT NULL,"
	    " wrap_version INTEGER NOT NULL,"
	    " created_at BIGINT NOT NULL)"},
	{2, "CREATE TABLE vault_meta ("
	    " id INTEGER PRIMARY KEY,"
	    " master_check {{BLOB}} NOT NULL)"},
};

enum {
	SQL_VAULT_INSERT,
	SQL_VAULT_GET,
	SQL_VAULT_DELETE,
	SQL_VAULT_PAGE,
	SQL_VAULT_REWRAP,
	SQL_VAULT_META_LOCK,
	SQL_VAULT_META_INIT,
	SQL_VAULT_META_SET,
	SQL_VAULT__MAX
};

static const struct store_stmt vault_sql[SQL_VAULT__MAX] = {
	[SQL_VAULT_INSERT] = {"vault_insert",
	    "INSERT INTO vault_keys (subject, wrapped, wrap_version, created_at)"
	    " VALUES (?, ?, ?, ?)"},
	[SQL_VAULT_GET] = {"vault_get",
	    "SELECT wrapped, wrap_version FROM vault_keys WHERE subject = ?"},
	[SQL_VAULT_DELETE] = {"vault_delete",
	    "DELETE FROM vault_keys WHERE subject = ? RETURNING subject"},
	[SQL_VAULT_PAGE] = {"vault_page",
	    "SELECT subject, wrapped, wrap_version FROM vault_keys WHERE subject > ?"
	    " ORDER BY subject LIMIT 256"},
	[SQL_VAULT_REWRAP] = {"vault_rewrap",
	    "UPDATE vault_keys SET wrapped = ?, wrap_version = ? WHERE subject = ?"},
	[SQL_VAULT_META_LOCK] = {"vault_meta_lock",
	    "UPDATE vault_meta SET master_check = master_check WHERE id = 1"
	    " RETURNING master_check"},
	[SQL_VAULT_META_INIT] = {"vault_meta_init",
	    "INSERT INTO vault_meta (id, master_check) VALUES (1, ?) ON CONFLICT (id) DO NOTHING"},
	[SQL_VAULT_META_SET] = {"vault_meta_set",
	    "UPDATE vault_meta SET master_check = ? WHERE id = 1"},
};

static const struct store_stmt vault_copy_sql[] = {
	{"copy_vault_keys_select",
	    "SELECT subject, wrapped, wrap_version, created_at FROM vault_keys ORDER BY subject"},
	{"copy_vault_keys_insert",
	    "INSERT INTO vault_keys (subject, wrapped, wrap_version, created_at)"
	    " VALUES (?, ?, ?, ?)"},
	{"copy_vault_meta_select", "SELECT id, master_check FROM vault_meta ORDER BY id"},
	{"copy_vault_meta_insert", "INSERT INTO vault_meta (id, master_check) VALUES (?, ?)"},
};

const struct store_table vault_tables[] = {
	{"vault_keys", "tbii", &vault_copy_sql[0], &vault_copy_sql[1], NULL},
	{"vault_meta", "ib", &vault_copy_sql[2], &vault_copy_sql[3], NULL},
};
const size_t vault_tables_count = COUNTOF(vault_tables);

enum err
vault_migrate(struct store *s)
{
	return store_migrate(s, "vault", vault_migrations, COUNTOF(vault_migrations));
}

static bool
vault_subject_ok(const char *subject)
{
	size_t n = subject ? strlen(subject) : 0;

	return n > 0 && n <= LIMIT_SUBJECT_BYTES;
}

static bool
vault_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	return n > 0 && n <= LIMIT_VAULT_NAME_BYTES;
}

/* Seals a data key for subject under kek into out[VAULT_WRAPPED_BYTES]. */
static void
vault_wrap(const unsigned char kek[32], const char *subject, const unsigned char key[32],
    unsigned char out[VAULT_WRAPPED_BYTES])
{
	randombytes_buf(out, VAULT_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + VAULT_NONCE_BYTES, NULL, key,
	    VAULT_KEY_BYTES, (const unsigned char *)subject, strlen(subject), NULL, out, kek);
}

/* Opens a wrapped data key; ERR_CRYPTO when it does not open under kek for subject. */
static enum err
vault_unwrap(const unsigned char kek[32], const char *subject, const void *wrapped, size_t n,
    int64_t version, unsigned char key[32])
{
	const unsigned char *w = wrapped;

	if (version != VAULT_WRAP_VERSION || n != VAULT_WRAPPED_BYTES)
		return ERR_CRYPTO;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(key, NULL, NULL, w + VAULT_NONCE_BYTES,
		n - VAULT_NONCE_BYTES, (const unsigned char *)subject, strlen(subject), w,
		kek) != 0) {
		sodium_memzero(key, VAULT_KEY_BYTES);
		return ERR_CRYPTO;
	}
	return ERR_OK;
}

/*
 * Loads and unwraps subject's data key into key (the caller wipes it). ERR_NOTFOUND when
 * the subject has no key, ERR_CRYPTO when the wrapping does not open under the master
 * key, a store error otherwise.
 */
static enum err
vault_key(struct privacy *p, struct store *s, const char *subject, unsigned char key[32])
{
	struct store_q *q;
	const void *w;
	size_t n = 0;
	enum err e = ERR_NOTFOUND, de;

	if ((q = store_prepare(s, &vault_sql[SQL_VAULT_GET])) == NULL)
		return store_done(NULL);
	store_bind_text(q, 1, subject);
	if (store_step(q) == STORE_ROW) {
		w = store_col_blob(q, 0, &n);
		e = w ? vault_unwrap(PRIVACY_MASTER(p), subject, w, n, store_col_int(q, 1), key)
		      : ERR_CRYPTO;
		/* wrapped by the other slot's master (a reload in another thread is under way) */
		if (e == ERR_CRYPTO && w)
			e = vault_unwrap(p->masters[1 - atomic_load(&p->cur)], subject, w, n,
			    store_col_int(q, 1), key);
		/* rotated by another process since we read the key file: pick it up */
		if (e == ERR_CRYPTO && w && privacy_refresh_master(p) == ERR_OK)
			e = vault_unwrap(PRIVACY_MASTER(p), subject, w, n, store_col_int(q, 1),
			    key);
	}
	if ((de = store_done(q)) != ERR_OK) {
		sodium_memzero(key, VAULT_KEY_BYTES);
		e = de;
	}
	return e;
}

/* Two names, an int64 in decimal (at most 20 bytes), the subject and three NULs. */
#define VAULT_AD_BYTES (2 * LIMIT_VAULT_NAME_BYTES + 24 + LIMIT_SUBJECT_BYTES + 4)

/*
 * Writes the associated data of a sealed field (format in the file comment) into ad.
 * Returns its length, or 0 when the subject or a name is empty or too long.
 */
static size_t
vault_ad(const char *subject, const char *table, const char *column, int64_t row,
    unsigned char ad[VAULT_AD_BYTES])
{
	int len;

	if (!vault_subject_ok(subject) || !vault_name_ok(table) || !vault_name_ok(column))
		return 0;
	len = snprintf((char *)ad, VAULT_AD_BYTES, "%s%c%s%c%lld%c%s", table, '\0', column, '\0',
	    (long long)row, '\0', subject);
	if (len < 0 || len >= VAULT_AD_BYTES)
		return 0;
	return (size_t)len;
}

/* The check value of a master key kept in vault_meta (see the file comment). */
static void
vault_master_check(const unsigned char master[32], unsigned char out[VAULT_CHECK_BYTES])
{
	static const char label[] = "candor vault master check v1";

	crypto_generichash(out, VAULT_CHECK_BYTES, (const unsigned char *)label,
	    sizeof(label) - 1, master, 32);
}

/*
 * The first statement of a transaction that wraps data keys: locks vault_meta's row and
 * reads the check value of the master in force into check. The first time (no row yet)
 * the row is created naming `master`. ERR_CRYPTO when the stored value is malformed, a
 * store error otherwise.
 */
static enum err
vault_meta_lock(struct store *s, const unsigned char master[32],
    unsigned char check[VAULT_CHECK_BYTES])
{
	unsigned char mine[VAULT_CHECK_BYTES];
	struct store_q *q;
	const void *b;
	size_t n = 0;
	int attempt, found;
	enum err e;

	for (attempt = 0; attempt < 2; attempt++) {
		if ((q = store_prepare(s, &vault_sql[SQL_VAULT_META_LOCK])) == NULL)
			return store_done(NULL);
		found = 0;
		if (store_step(q) == STORE_ROW) {
			b = store_col_blob(q, 0, &n);
			found = b && n == VAULT_CHECK_BYTES ? 1 : -1;
			if (found > 0)
				memcpy(check, b, VAULT_CHECK_BYTES);
		}
		if ((e = store_done(q)) != ERR_OK)
			return e;
		if (found)
			return found > 0 ? ERR_OK : ERR_CRYPTO;
		/* no row yet: the first data key names the master it is wrapped by */
		vault_master_check(master, mine);
		if ((q = store_prepare(s, &vault_sql[SQL_VAULT_META_INIT])) == NULL)
			return store_done(NULL);
		store_bind_blob(q, 1, mine, sizeof(mine));
		while (store_step(q) == STORE_ROW)
			;
		if ((e = store_done(q)) != ERR_OK)
			return e;
	}
	return ERR_IO; /* the row was created but cannot be read back */
}

/*
 * Creates subject's random data key, wrapped by the master key. ERR_CONFLICT if the
 * subject already has one. ERR_UNAVAIL when the master in force (vault_meta) is not this
 * process's, even after re-reading the key file: a rotation committed but its key file is
 * not in place yet (try again), or the key file belongs to another installation. A
 * shredded subject's name is free again; callers never reuse one (subjects are named
 * after row ids). Runs in its own transaction, or joins the caller's.
 */
enum err
vault_subject_new(struct privacy *p, struct store *s, const char *subject)
{
	unsigned char key[VAULT_KEY_BYTES], wrapped[VAULT_WRAPPED_BYTES];
	unsigned char master[32], check[VAULT_CHECK_BYTES], mine[VAULT_CHECK_BYTES];
	struct store_q *q;
	int tries;
	enum err e;

	if (!vault_subject_ok(subject))
		return ERR_INVAL;
	if ((e = store_begin(s)) != ERR_OK)
		return e;
	/* a copy: another thread may put a new master in force while this one wraps */
	memcpy(master, PRIVACY_MASTER(p), sizeof(master));
	if ((e = vault_meta_lock(s, master, check)) != ERR_OK)
		goto fail;
	/* never wrap under a key another process retired */
	for (tries = 0;; tries++) {
		vault_master_check(master, mine);
		if (sodium_memcmp(check, mine, sizeof(mine)) == 0)
			break;
		if (tries == 1) {
			log_warn("privacy: the database names a master key other than the one in "
				 "the key file (a key rotation is finishing, or the key file is "
				 "another installation's); no data key was created, try again");
			e = ERR_UNAVAIL;
			goto fail;
		}
		privacy_refresh_master(p);
		memcpy(master, PRIVACY_MASTER(p), sizeof(master));
	}
	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	vault_wrap(master, subject, key, wrapped);
	sodium_memzero(key, sizeof(key));
	if ((q = store_prepare(s, &vault_sql[SQL_VAULT_INSERT])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_text(q, 1, subject);
	store_bind_blob(q, 2, wrapped, sizeof(wrapped));
	store_bind_int(q, 3, VAULT_WRAP_VERSION);
	store_bind_int(q, 4, time_now());
	while (store_step(q) == STORE_ROW)
		;
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	e = store_commit(s);
	goto out;
fail:
	store_rollback(s);
out:
	sodium_memzero(master, sizeof(master));
	return e;
}

/*
 * Seals n bytes of pt for (subject, table, column, row) and appends nonce, ciphertext and
 * tag to out. ERR_INVAL for bad names or more than LIMIT_SEALED_PLAIN bytes, ERR_NOTFOUND
 * when the subject has no key, ERR_NOMEM when out could not grow.
 */
enum err
vault_seal(struct privacy *p, struct store *s, const char *subject, const char *table,
    const char *column, int64_t row, const void *pt, size_t n, struct buf *out)
{
	unsigned char key[VAULT_KEY_BYTES], ad[VAULT_AD_BYTES];
	unsigned char *sealed = NULL;
	size_t adlen, total = VAULT_NONCE_BYTES + n + VAULT_TAG_BYTES;
	enum err e;

	if ((adlen = vault_ad(subject, table, column, row, ad)) == 0 || n > LIMIT_SEALED_PLAIN ||
	    (pt == NULL && n > 0))
		return ERR_INVAL;
	if ((sealed = malloc(total)) == NULL)
		return ERR_NOMEM;
	if ((e = vault_key(p, s, subject, key)) != ERR_OK)
		goto out;
	randombytes_buf(sealed, VAULT_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(sealed + VAULT_NONCE_BYTES, NULL, pt, n, ad,
	    adlen, NULL, sealed, key);
	sodium_memzero(key, sizeof(key));
	buf_append(out, sealed, total);
	e = out->failed ? ERR_NOMEM : ERR_OK;
out:
	free(sealed);
	return e;
}

/*
 * Opens a field sealed by vault_seal for the same (subject, table, column, row) and
 * appends the plaintext to plain (NUL-terminated by buf). The plaintext's temporary copy
 * is wiped; what lands in plain is the caller's to wipe.
 */
enum err
vault_open_field(struct privacy *p, struct store *s, const char *subject, const char *table,
    const char *column, int64_t row, const void *sealed, size_t n, struct buf *plain)
{
	unsigned char key[VAULT_KEY_BYTES], ad[VAULT_AD_BYTES];
	const unsigned char *c = sealed;
	unsigned char *pt = NULL;
	size_t adlen, ptlen;
	enum err e;

	if ((adlen = vault_ad(subject, table, column, row, ad)) == 0 || sealed == NULL)
		return ERR_INVAL;
	if (n < VAULT_NONCE_BYTES + VAULT_TAG_BYTES ||
	    n > VAULT_NONCE_BYTES + LIMIT_SEALED_PLAIN + VAULT_TAG_BYTES)
		return ERR_CRYPTO;
	ptlen = n - VAULT_NONCE_BYTES - VAULT_TAG_BYTES;
	if ((pt = malloc(ptlen + 1)) == NULL)
		return ERR_NOMEM;
	if ((e = vault_key(p, s, subject, key)) != ERR_OK)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, NULL, NULL, c + VAULT_NONCE_BYTES,
		n - VAULT_NONCE_BYTES, ad, adlen, c, key) != 0) {
		e = ERR_CRYPTO;
		goto out;
	}
	buf_append(plain, pt, ptlen);
	e = plain->failed ? ERR_NOMEM : ERR_OK;
out:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(pt, ptlen + 1);
	free(pt);
	return e;
}

/*
 * Blind index of value under label: BLAKE2b-256 keyed by blind_key over
 * label || NUL || value. The label separates uses: the same value gives unrelated
 * indexes under "email" and "ip".
 */
void
vault_blind(const struct privacy *p, const char *label, const char *value,
    unsigned char out[VAULT_BLIND_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, p->blind_key, sizeof(p->blind_key), VAULT_BLIND_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)label, strlen(label));
	crypto_generichash_update(&st, (const unsigned char *)"", 1);
	crypto_generichash_update(&st, (const unsigned char *)value, strlen(value));
	crypto_generichash_final(&st, out, VAULT_BLIND_BYTES);
	sodium_memzero(&st, sizeof(st));
}

/*
 * Destroys subject's data key. ERR_NOTFOUND when it had none (never created or already
 * shredded). Copies of the wrapped key in older backups stay openable by the master key
 * that wrapped them: erasure reaches backups once that master key is retired
 * (candor keys rotate, then destroy the old key with the backups it protects).
 */
enum err
vault_shred(struct privacy *p, struct store *s, const char *subject)
{
	struct store_q *q;
	enum err e = ERR_NOTFOUND, de;

	if (!vault_subject_ok(subject))
		return ERR_INVAL;
	if ((q = store_prepare(s, &vault_sql[SQL_VAULT_DELETE])) == NULL)
		return store_done(NULL);
	store_bind_text(q, 1, subject);
	while (store_step(q) == STORE_ROW)
		e = ERR_OK;
	if ((de = store_done(q)) != ERR_OK)
		e = de;
	return e;
}

/* One page of vault_keys read by vault_rotate before rewriting it. */
struct vault_batch {
	char subject[VAULT_ROTATE_BATCH][LIMIT_SUBJECT_BYTES + 1];
	unsigned char wrapped[VAULT_ROTATE_BATCH][VAULT_WRAPPED_BYTES];
	int64_t version[VAULT_ROTATE_BATCH];
	size_t n;
};

/* Reads up to VAULT_ROTATE_BATCH rows after subject `after` into b. */
static enum err
vault_read_batch(struct store *s, const char *after, struct vault_batch *b)
{
	struct store_q *q;
	const char *subject;
	const void *w;
	size_t n;
	enum err e = ERR_OK, de;

	b->n = 0;
	if ((q = store_prepare(s, &vault_sql[SQL_VAULT_PAGE])) == NULL)
		return store_done(NULL);
	store_bind_text(q, 1, after);
	while (store_step(q) == STORE_ROW) {
		if (b->n == VAULT_ROTATE_BATCH) {
			e = ERR_INVAL; /* the statement's LIMIT and the batch disagree */
			break;
		}
		subject = store_col_text(q, 0);
		w = store_col_blob(q, 1, &n);
		if (!vault_subject_ok(subject) || w == NULL || n != VAULT_WRAPPED_BYTES) {
			e = ERR_CRYPTO;
			break;
		}
		str_copy(b->subject[b->n], subject, sizeof(b->subject[0]));
		memcpy(b->wrapped[b->n], w, n);
		b->version[b->n] = store_col_int(q, 2);
		b->n++;
	}
	if ((de = store_done(q)) != ERR_OK)
		e = de;
	return e;
}

/*
 * Re-wraps every data key under new_key in one transaction (joining the caller's, if
 * any), a page of VAULT_ROTATE_BATCH keys at a time so memory stays bounded. The
 * transaction starts by locking vault_meta (new data keys wait for the commit) and ends
 * by naming new_key there. ERR_DENIED when vault_meta names a master other than p's
 * (another rotation came first); any key that does not open under the current master
 * fails the whole rotation (ERR_CRYPTO). Either way nothing changes. On success p uses
 * new_key from now on. Not for a struct privacy that other threads are using (the CLI
 * runs it).
 */
enum err
vault_rotate(struct privacy *p, struct store *s, const unsigned char new_key[32])
{
	unsigned char key[VAULT_KEY_BYTES], wrapped[VAULT_WRAPPED_BYTES];
	unsigned char master[32], check[VAULT_CHECK_BYTES], mine[VAULT_CHECK_BYTES];
	char after[LIMIT_SUBJECT_BYTES + 1] = "";
	struct vault_batch *b;
	struct store_q *q;
	size_t i;
	enum err e;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return ERR_NOMEM;
	memcpy(master, PRIVACY_MASTER(p), sizeof(master));
	if ((e = store_begin(s)) != ERR_OK)
		goto out;
	if ((e = vault_meta_lock(s, master, check)) != ERR_OK)
		goto fail;
	vault_master_check(master, mine);
	if (sodium_memcmp(check, mine, sizeof(mine)) != 0) {
		e = ERR_DENIED;
		goto fail;
	}
	do {
		if ((e = vault_read_batch(s, after, b)) != ERR_OK)
			goto fail;
		for (i = 0; i < b->n; i++) {
			e = vault_unwrap(master, b->subject[i], b->wrapped[i],
			    VAULT_WRAPPED_BYTES, b->version[i], key);
			if (e != ERR_OK)
				goto fail;
			vault_wrap(new_key, b->subject[i], key, wrapped);
			sodium_memzero(key, sizeof(key));
			if ((q = store_prepare(s, &vault_sql[SQL_VAULT_REWRAP])) == NULL) {
				e = store_done(NULL);
				goto fail;
			}
			store_bind_blob(q, 1, wrapped, sizeof(wrapped));
			store_bind_int(q, 2, VAULT_WRAP_VERSION);
			store_bind_text(q, 3, b->subject[i]);
			store_step(q);
			if ((e = store_done(q)) != ERR_OK)
				goto fail;
		}
		if (b->n > 0)
			str_copy(after, b->subject[b->n - 1], sizeof(after));
	} while (b->n == VAULT_ROTATE_BATCH);
	vault_master_check(new_key, mine);
	if ((q = store_prepare(s, &vault_sql[SQL_VAULT_META_SET])) == NULL) {
		e = store_done(NULL);
		goto fail;
	}
	store_bind_blob(q, 1, mine, sizeof(mine));
	store_step(q);
	if ((e = store_done(q)) != ERR_OK)
		goto fail;
	if ((e = store_commit(s)) != ERR_OK)
		goto out;
	privacy_set_master(p, new_key);
	goto out;
fail:
	store_rollback(s);
out:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(master, sizeof(master));
	free(b);
	return e;
}
