/*
 * test_privacy_vault: the vault on both backends. Seal and open; a sealed field opens
 * only for its own table, column, row and subject; any changed byte fails; shredding
 * makes a subject unusable; blind indexes are stable, keyed and label-separated; key
 * rotation keeps every field readable under the new master key and none under the old;
 * CANDOR_MASTER_KEY wins over the key file; the stored wrapping follows the documented
 * format and never holds a raw key; key files others can read are refused; limits at N
 * and N+1.
 */
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privacy/privacy_int.h" /* vault_open_field: the test stands in for gate.c */
#include "store/store.h"
#include "testlib.h"

#define T_ROTATE_SUBJECTS 300 /* more than one page (256) of vault_rotate */

static const struct store_stmt st_wrapped = {"t_wrapped",
    "SELECT wrapped FROM vault_keys WHERE subject = ?"};
static const struct store_stmt st_count = {"t_count", "SELECT count(*) FROM vault_keys"};

static const char email[] = "alice@example.test";

/* Does needle (m bytes) occur in hay (n bytes)? */
static bool
t_has(const void *hay, size_t n, const void *needle, size_t m)
{
	const char *h = hay;
	size_t i;

	for (i = 0; m <= n && i <= n - m; i++)
		if (memcmp(h + i, needle, m) == 0)
			return true;
	return false;
}

static void
seal(struct privacy *p, struct store *s, const char *subject, const char *table,
    const char *column, int64_t row, const char *text, struct buf *out)
{
	enum err e;

	buf_reset(out);
	e = vault_seal(p, s, subject, table, column, row, text, strlen(text), out);
	if (e != ERR_OK)
		T_FAIL("vault_seal(%s, %s.%s#%lld): %s", subject, table, column, (long long)row,
		    err_str(e));
}

/* Opens b for the given binding; returns the error and, when ERR_OK, checks the text. */
static enum err
open_as(struct privacy *p, struct store *s, const char *subject, const char *table,
    const char *column, int64_t row, const struct buf *b, const char *want)
{
	struct buf plain;
	enum err e;

	buf_init(&plain);
	e = vault_open_field(p, s, subject, table, column, row, b->data, b->len, &plain);
	if (e == ERR_OK && want)
		T_EQ_STR(plain.data ? plain.data : "", want);
	buf_free(&plain);
	return e;
}

static void
test_round_trip_and_binding(struct privacy *p, struct store *s)
{
	struct buf b, other;
	size_t i;

	buf_init(&b);
	buf_init(&other);
	T_EQ_INT(vault_subject_new(p, s, "user:1"), ERR_OK);
	T_EQ_INT(vault_subject_new(p, s, "user:2"), ERR_OK);
	T_EQ_INT(vault_subject_new(p, s, "user:1"), ERR_CONFLICT);
	seal(p, s, "user:1", "people", "email_sealed", 1, email, &b);
	T_EQ_INT(b.len, 24 + strlen(email) + 16);
	T_ASSERT(!t_has(b.data, b.len, email, strlen(email)));
	T_EQ_INT(open_as(p, s, "user:1", "people", "email_sealed", 1, &b, email), ERR_OK);
	/* the same plaintext twice gives different bytes (random nonce) */
	seal(p, s, "user:1", "people", "email_sealed", 1, email, &other);
	T_ASSERT(other.len == b.len && memcmp(other.data, b.data, b.len) != 0);

	/* moved to another row, column, table or subject: does not open */
	T_EQ_INT(open_as(p, s, "user:1", "people", "email_sealed", 2, &b, NULL), ERR_CRYPTO);
	T_EQ_INT(open_as(p, s, "user:1", "people", "email_sealed", -1, &b, NULL), ERR_CRYPTO);
	T_EQ_INT(open_as(p, s, "user:1", "people", "name_sealed", 1, &b, NULL), ERR_CRYPTO);
	T_EQ_INT(open_as(p, s, "user:1", "comments", "email_sealed", 1, &b, NULL), ERR_CRYPTO);
	T_EQ_INT(open_as(p, s, "user:2", "people", "email_sealed", 1, &b, NULL), ERR_CRYPTO);
	/* the name boundaries are part of the binding: "ab"+"c" is not "a"+"bc" */
	seal(p, s, "user:1", "ab", "c", 1, email, &other);
	T_EQ_INT(open_as(p, s, "user:1", "a", "bc", 1, &other, NULL), ERR_CRYPTO);
	T_EQ_INT(open_as(p, s, "user:1", "ab", "c", 1, &other, email), ERR_OK);
	/* row 12 column x is not row 1 column 2x */
	seal(p, s, "user:1", "t", "x", 12, email, &other);
	T_EQ_INT(open_as(p, s, "user:1", "t", "2x", 1, &other, NULL), ERR_CRYPTO);

	/* every single changed byte (nonce, ciphertext, tag) fails */
	for (i = 0; i < b.len; i++) {
		b.data[i] ^= 0x01;
		T_EQ_INT(open_as(p, s, "user:1", "people", "email_sealed", 1, &b, NULL), ERR_CRYPTO);
		b.data[i] ^= 0x01;
	}
	b.len--; /* cut short */
	T_EQ_INT(open_as(p, s, "user:1", "people", "email_sealed", 1, &b, NULL), ERR_CRYPTO);
	b.len = 39; /* shorter than nonce + tag */
	T_EQ_INT(open_as(p, s, "user:1", "people", "email_sealed", 1, &b, NULL), ERR_CRYPTO);

	/* a subject that was never created */
	T_EQ_INT(vault_seal(p, s, "user:404", "people", "email_sealed", 1, "x", 1, &other),
	    ERR_NOTFOUND);
	buf_free(&b);
	buf_free(&other);
}

static void
test_shred(struct privacy *p, struct store *s)
{
	struct buf b, c;

	buf_init(&b);
	buf_init(&c);
	T_EQ_INT(vault_subject_new(p, s, "user:10"), ERR_OK);
	T_EQ_INT(vault_subject_new(p, s, "user:11"), ERR_OK);
	seal(p, s, "user:10", "people", "email_sealed", 10, "ten@example.test", &b);
	seal(p, s, "user:11", "people", "email_sealed", 11, "eleven@example.test", &c);
	T_EQ_INT(vault_shred(p, s, "user:10"), ERR_OK);
	T_EQ_INT(open_as(p, s, "user:10", "people", "email_sealed", 10, &b, NULL), ERR_NOTFOUND);
	T_EQ_INT(vault_seal(p, s, "user:10", "people", "email_sealed", 10, "x", 1, &b),
	    ERR_NOTFOUND);
	T_EQ_INT(vault_shred(p, s, "user:10"), ERR_NOTFOUND);
	/* the neighbour is untouched */
	T_EQ_INT(open_as(p, s, "user:11", "people", "email_sealed", 11, &c, "eleven@example.test"),
	    ERR_OK);
	buf_free(&b);
	buf_free(&c);
}

static void
test_blind(struct privacy *p, const struct config *cfg)
{
	unsigned char a[VAULT_BLIND_BYTES], b[VAULT_BLIND_BYTES], c[VAULT_BLIND_BYTES];
	struct privacy *p2 = t_privacy_open(cfg);
	unsigned char z[VAULT_BLIND_BYTES] = {0};

	vault_blind(p, "email", email, a);
	vault_blind(p2, "email", email, b);
	T_ASSERT(memcmp(a, b, sizeof(a)) == 0); /* stable across opens */
	T_ASSERT(memcmp(a, z, sizeof(a)) != 0);
	vault_blind(p, "ip", email, c);
	T_ASSERT(memcmp(a, c, sizeof(a)) != 0); /* label-separated */
	vault_blind(p, "email", "bob@example.test", c);
	T_ASSERT(memcmp(a, c, sizeof(a)) != 0);
	vault_blind(p, "emai", "l" "alice@example.test", c); /* no ambiguity at the seam */
	T_ASSERT(memcmp(a, c, sizeof(a)) != 0);
	/* keyed: not the plain BLAKE2b of the same bytes */
	crypto_generichash(c, sizeof(c), (const unsigned char *)"email\0alice@example.test",
	    6 + strlen(email), NULL, 0);
	T_ASSERT(memcmp(a, c, sizeof(a)) != 0);
	privacy_free(p2);
}

/* The stored wrapping follows vault.c's documented format, and no raw key is stored. */
static void
test_wrapped_format(struct privacy *p, struct store *s, const struct config *cfg,
    const unsigned char master[32])
{
	unsigned char w[72], key[32], pt[64];
	unsigned char ad[128];
	unsigned long long ptlen = 0;
	struct store_q *q;
	struct buf b;
	const void *blob;
	size_t n = 0, adlen;
	char *db;

	buf_init(&b);
	T_EQ_INT(vault_subject_new(p, s, "user:20"), ERR_OK);
	seal(p, s, "user:20", "people", "email_sealed", 20, email, &b);
	T_ASSERT((q = store_prepare(s, &st_wrapped)) != NULL);
	store_bind_text(q, 1, "user:20");
	T_EQ_INT(store_step(q), STORE_ROW);
	blob = store_col_blob(q, 0, &n);
	T_EQ_INT(n, sizeof(w));
	memcpy(w, blob, n);
	T_EQ_INT(store_done(q), ERR_OK);
	/* nonce(24) || XChaCha20-Poly1305(master, AD = subject) of the data key */
	T_EQ_INT(crypto_aead_xchacha20poly1305_ietf_decrypt(key, NULL, NULL, w + 24, 48,
		     (const unsigned char *)"user:20", 7, w, master),
	    0);
	T_ASSERT(!t_has(w, sizeof(w), key, sizeof(key)));
	T_ASSERT(!t_has(w, sizeof(w), master, 32));
	/* the field: nonce || ciphertext || tag with AD table\0column\0row\0subject */
	adlen = sizeof("people\0email_sealed\0" "20\0user:20") - 1;
	memcpy(ad, "people\0email_sealed\0" "20\0user:20", adlen);
	T_EQ_INT(crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &ptlen, NULL,
		     (unsigned char *)b.data + 24, b.len - 24, ad, adlen,
		     (unsigned char *)b.data, key),
	    0);
	T_EQ_INT(ptlen, strlen(email));
	T_ASSERT(memcmp(pt, email, ptlen) == 0);
	/* on SQLite: neither key appears in the database file */
	if (strncmp(cfg->database, "sqlite:", 7) == 0) {
		T_ASSERT((db = t_read_file(cfg->database + 7, &n)) != NULL);
		T_ASSERT(!t_has(db, n, key, sizeof(key)));
		T_ASSERT(!t_has(db, n, master, 32));
		T_ASSERT(!t_has(db, n, email, strlen(email)));
		free(db);
	}
	sodium_memzero(key, sizeof(key));
	buf_free(&b);
}

/*
 * Rotation through privacy_rotate_master (what candor keys rotate runs): every field
 * opens with the new key file, none with the old key, blind indexes do not change, the
 * old key is kept with mode 0600 and the new file is 0600.
 */
static void
test_rotate(const struct config *cfg, const unsigned char old_master[64])
{
	struct privacy *p = t_privacy_open(cfg), *p2, *old;
	struct store *s = t_privacy_store(cfg);
	struct buf sealed[T_ROTATE_SUBJECTS];
	unsigned char before[VAULT_BLIND_BYTES], after[VAULT_BLIND_BYTES];
	char subject[32], text[64], path[1100], kept[1200], msg[512], *bytes;
	struct config oldcfg;
	struct store_q *q;
	struct stat st;
	size_t n = 0;
	int i;

	for (i = 0; i < T_ROTATE_SUBJECTS; i++) {
		snprintf(subject, sizeof(subject), "user:%d", 1000 + i);
		snprintf(text, sizeof(text), "person%d@example.test", i);
		buf_init(&sealed[i]);
		T_EQ_INT(vault_subject_new(p, s, subject), ERR_OK);
		seal(p, s, subject, "people", "email_sealed", 1000 + i, text, &sealed[i]);
	}
	vault_blind(p, "email", email, before);
	T_ASSERT((q = store_prepare(s, &st_count)) != NULL);
	T_EQ_INT(store_step(q), STORE_ROW);
	T_ASSERT(store_col_int(q, 0) >= T_ROTATE_SUBJECTS);
	T_EQ_INT(store_done(q), ERR_OK);

	if (privacy_rotate_master(p, s, cfg, kept, sizeof(kept), msg, sizeof(msg)) != ERR_OK)
		T_FAIL("privacy_rotate_master: %s", msg);
	/* the old key is kept, byte for byte, mode 0600; the new file is 0600, 64 bytes */
	T_ASSERT(stat(kept, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == 64);
	T_ASSERT((bytes = t_read_file(kept, &n)) != NULL && n == 64);
	T_ASSERT(memcmp(bytes, old_master, 64) == 0);
	free(bytes);
	snprintf(path, sizeof(path), "%s/master.key", cfg->data_dir);
	T_ASSERT(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == 64);
	T_ASSERT((bytes = t_read_file(path, &n)) != NULL && n == 64);
	T_ASSERT(memcmp(bytes, old_master, 32) != 0);
	T_ASSERT(memcmp(bytes + 32, old_master + 32, 32) == 0); /* the root travels on */
	free(bytes);

	/* the same struct now uses the new key; a fresh open from the new file too */
	p2 = t_privacy_open(cfg);
	for (i = 0; i < T_ROTATE_SUBJECTS; i++) {
		snprintf(subject, sizeof(subject), "user:%d", 1000 + i);
		snprintf(text, sizeof(text), "person%d@example.test", i);
		T_EQ_INT(open_as(p, s, subject, "people", "email_sealed", 1000 + i, &sealed[i],
			     text),
		    ERR_OK);
		T_EQ_INT(open_as(p2, s, subject, "people", "email_sealed", 1000 + i, &sealed[i],
			     text),
		    ERR_OK);
	}
	vault_blind(p2, "email", email, after);
	T_ASSERT(memcmp(before, after, sizeof(before)) == 0);

	/* the old key opens nothing any more */
	oldcfg = *cfg;
	str_copy(oldcfg.key_file, kept, sizeof(oldcfg.key_file));
	old = t_privacy_open(&oldcfg);
	for (i = 0; i < T_ROTATE_SUBJECTS; i += 37) {
		snprintf(subject, sizeof(subject), "user:%d", 1000 + i);
		T_EQ_INT(open_as(old, s, subject, "people", "email_sealed", 1000 + i, &sealed[i],
			     NULL),
		    ERR_CRYPTO);
	}
	/* and a second rotation from the 64-byte file works as well */
	if (privacy_rotate_master(p2, s, cfg, kept, sizeof(kept), msg, sizeof(msg)) != ERR_OK)
		T_FAIL("second rotation: %s", msg);
	T_EQ_INT(open_as(p2, s, "user:1299", "people", "email_sealed", 1299, &sealed[299],
		     "person299@example.test"),
	    ERR_OK);
	/* a handle opened before both rotations (a running server) follows the key file */
	T_EQ_INT(open_as(p, s, "user:1299", "people", "email_sealed", 1299, &sealed[299],
		     "person299@example.test"),
	    ERR_OK);
	vault_blind(p2, "email", email, after);
	T_ASSERT(memcmp(before, after, sizeof(before)) == 0);

	for (i = 0; i < T_ROTATE_SUBJECTS; i++)
		buf_free(&sealed[i]);
	privacy_free(old);
	privacy_free(p2);
	privacy_free(p);
	store_close(s);
}

/* vault_rotate alone: a key that does not open under the master stops the whole
 * rotation and nothing changes. */
static void
test_rotate_all_or_nothing(struct privacy *p, struct store *s, const struct config *cfg)
{
	static const struct store_stmt st_break = {"t_break",
	    "UPDATE vault_keys SET wrapped = ? WHERE subject = ?"};
	unsigned char junk[72], fresh[32];
	struct store_q *q;
	struct buf b;

	buf_init(&b);
	T_EQ_INT(vault_subject_new(p, s, "user:30"), ERR_OK);
	T_EQ_INT(vault_subject_new(p, s, "user:31"), ERR_OK);
	seal(p, s, "user:30", "people", "email_sealed", 30, email, &b);
	randombytes_buf(junk, sizeof(junk));
	T_ASSERT((q = store_prepare(s, &st_break)) != NULL);
	store_bind_blob(q, 1, junk, sizeof(junk));
	store_bind_text(q, 2, "user:31");
	store_step(q);
	T_EQ_INT(store_done(q), ERR_OK);
	randombytes_buf(fresh, sizeof(fresh));
	T_EQ_INT(vault_rotate(p, s, fresh), ERR_CRYPTO);
	/* still the old master, still readable */
	T_EQ_INT(open_as(p, s, "user:30", "people", "email_sealed", 30, &b, email), ERR_OK);
	buf_free(&b);
	(void)cfg;
}

static void
test_env_wins(const struct config *cfg)
{
	unsigned char k[64];
	char hex[129];
	struct privacy *pfile, *penv, *penv2, *p = NULL;
	struct store *s = t_privacy_store(cfg);
	struct buf b;
	char msg[256];

	buf_init(&b);
	pfile = t_privacy_open(cfg);
	randombytes_buf(k, sizeof(k));
	sodium_bin2hex(hex, sizeof(hex), k, sizeof(k));
	T_ASSERT(setenv("CANDOR_MASTER_KEY", hex, 1) == 0);
	penv = t_privacy_open(cfg);
	penv2 = t_privacy_open(cfg);
	T_EQ_INT(vault_subject_new(penv, s, "user:40"), ERR_OK);
	seal(penv, s, "user:40", "people", "email_sealed", 40, email, &b);
	T_EQ_INT(open_as(penv2, s, "user:40", "people", "email_sealed", 40, &b, email), ERR_OK);
	T_EQ_INT(open_as(pfile, s, "user:40", "people", "email_sealed", 40, &b, NULL),
	    ERR_CRYPTO);
	/* rotation refuses a key it cannot replace */
	T_EQ_INT(privacy_rotate_master(penv, s, cfg, msg, sizeof(msg), msg, sizeof(msg)),
	    ERR_INVAL);
	/* malformed values are refused, never silently ignored: 64 digits (a master
	 * without its root) and 63 */
	hex[64] = '\0';
	T_ASSERT(setenv("CANDOR_MASTER_KEY", hex, 1) == 0);
	T_ASSERT(privacy_open(cfg, &p, msg, sizeof(msg)) != ERR_OK && p == NULL);
	T_CONTAINS(msg, "128 hexadecimal digits");
	hex[63] = '\0';
	T_ASSERT(setenv("CANDOR_MASTER_KEY", hex, 1) == 0);
	T_ASSERT(privacy_open(cfg, &p, msg, sizeof(msg)) != ERR_OK && p == NULL);
	T_CONTAINS(msg, "CANDOR_MASTER_KEY");
	sodium_bin2hex(hex, sizeof(hex), k, sizeof(k));
	hex[10] = 'g';
	T_ASSERT(setenv("CANDOR_MASTER_KEY", hex, 1) == 0);
	T_ASSERT(privacy_open(cfg, &p, msg, sizeof(msg)) != ERR_OK && p == NULL);
	T_ASSERT(unsetenv("CANDOR_MASTER_KEY") == 0);
	buf_free(&b);
	privacy_free(pfile);
	privacy_free(penv);
	privacy_free(penv2);
	store_close(s);
}

/* Key files: audit.key is made 0600; group- or world-readable keys are refused. */
static void
test_key_files(void)
{
	struct config cfg;
	struct privacy *p = NULL;
	char path[1100], msg[512];
	struct stat st;

	t_privacy_config(&cfg, NULL);
	snprintf(path, sizeof(path), "%s/audit.key", cfg.data_dir);
	T_ASSERT(stat(path, &st) != 0);
	p = t_privacy_open(&cfg);
	privacy_free(p);
	T_ASSERT(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == 64);
	T_ASSERT(chmod(path, 0640) == 0);
	T_EQ_INT(privacy_open(&cfg, &p, msg, sizeof(msg)), ERR_DENIED);
	T_CONTAINS(msg, "audit.key");
	T_ASSERT(chmod(path, 0600) == 0);
	snprintf(path, sizeof(path), "%s/master.key", cfg.data_dir);
	T_ASSERT(chmod(path, 0644) == 0);
	T_EQ_INT(privacy_open(&cfg, &p, msg, sizeof(msg)), ERR_DENIED);
	T_CONTAINS(msg, "chmod 600");
	T_ASSERT(chmod(path, 0600) == 0);
	/* a 32-byte key (a master with no separate root) is refused with a sentence */
	T_ASSERT(truncate(path, 32) == 0);
	T_EQ_INT(privacy_open(&cfg, &p, msg, sizeof(msg)), ERR_CRYPTO);
	T_CONTAINS(msg, "64 random bytes");
	T_ASSERT(p == NULL);
	T_ASSERT(truncate(path, 31) == 0);
	T_EQ_INT(privacy_open(&cfg, &p, msg, sizeof(msg)), ERR_CRYPTO);
	T_ASSERT(unlink(path) == 0);
	T_EQ_INT(privacy_open(&cfg, &p, msg, sizeof(msg)), ERR_NOTFOUND);
	T_ASSERT(p == NULL);
}

static void
test_limits(struct privacy *p, struct store *s)
{
	char subject[LIMIT_SUBJECT_BYTES + 2], name[LIMIT_VAULT_NAME_BYTES + 2];
	char *big = calloc(1, LIMIT_SEALED_PLAIN + 1);
	struct buf b;

	T_ASSERT(big != NULL);
	buf_init(&b);
	memset(subject, 's', sizeof(subject));
	subject[LIMIT_SUBJECT_BYTES + 1] = '\0';
	T_EQ_INT(vault_subject_new(p, s, subject), ERR_INVAL);
	T_EQ_INT(vault_subject_new(p, s, ""), ERR_INVAL);
	subject[LIMIT_SUBJECT_BYTES] = '\0';
	T_EQ_INT(vault_subject_new(p, s, subject), ERR_OK);
	memset(big, 'x', LIMIT_SEALED_PLAIN + 1);
	T_EQ_INT(vault_seal(p, s, subject, "t", "c", 1, big, LIMIT_SEALED_PLAIN + 1, &b),
	    ERR_INVAL);
	T_EQ_INT(vault_seal(p, s, subject, "t", "c", 1, big, LIMIT_SEALED_PLAIN, &b), ERR_OK);
	T_EQ_INT(b.len, 24 + LIMIT_SEALED_PLAIN + 16);
	T_EQ_INT(open_as(p, s, subject, "t", "c", 1, &b, NULL), ERR_OK);
	memset(name, 'n', sizeof(name));
	name[LIMIT_VAULT_NAME_BYTES + 1] = '\0';
	T_EQ_INT(vault_seal(p, s, subject, name, "c", 1, "x", 1, &b), ERR_INVAL);
	T_EQ_INT(vault_seal(p, s, subject, "t", "", 1, "x", 1, &b), ERR_INVAL);
	name[LIMIT_VAULT_NAME_BYTES] = '\0';
	buf_reset(&b);
	T_EQ_INT(vault_seal(p, s, subject, name, "c", 1, "x", 1, &b), ERR_OK);
	T_EQ_INT(open_as(p, s, subject, name, "c", 1, &b, "x"), ERR_OK);
	buf_free(&b);
	free(big);
}

int
main(void)
{
	unsigned char master[64];
	struct config cfg;
	struct privacy *p;
	struct store *s;

	t_privacy_config(&cfg, master);
	s = t_privacy_store(&cfg);
	p = t_privacy_open(&cfg);
	test_round_trip_and_binding(p, s);
	test_shred(p, s);
	test_blind(p, &cfg);
	test_wrapped_format(p, s, &cfg, master);
	test_rotate_all_or_nothing(p, s, &cfg);
	test_limits(p, s);
	privacy_free(p);
	store_close(s);

	t_privacy_config(&cfg, master);
	test_rotate(&cfg, master);
	t_privacy_config(&cfg, NULL);
	test_env_wins(&cfg);
	test_key_files();
	printf("test_privacy_vault (%s): ok\n", t_backend());
	return 0;
}
