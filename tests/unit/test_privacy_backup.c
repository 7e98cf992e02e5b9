/*
 * test_privacy_backup: erasure reaches backups once the master key of their time is
 * destroyed. A person is added; the wrapped data key and sealed email are kept as a
 * "backup" would keep them; the master key is rotated, the person shredded and the old
 * key file deleted. Then neither half of the current key file (master nor root) opens
 * the kept wrapped key, and a restore of the backup's row under the current key file
 * reads nothing. Regression: the first master used to be the root, carried into every
 * later key file, so old backups opened for ever.
 */
#include <sodium.h>
#include <unistd.h>

#include "privacy/privacy_int.h" /* vault_open_field: the test stands in for gate.c */
#include "store/store.h"
#include "testlib.h"

static const struct store_stmt st_wrapped = {"t_wrapped",
    "SELECT wrapped FROM vault_keys WHERE subject = ?"};
static const struct store_stmt st_restore = {"t_restore",
    "INSERT INTO vault_keys (subject, wrapped, wrap_version, created_at) VALUES (?, ?, 1, 0)"};

/* Does wrapped (nonce || ciphertext || tag of a data key) open under kek for subject? */
static bool
opens(const unsigned char kek[32], const char *subject, const unsigned char w[72])
{
	unsigned char key[32];
	bool ok = crypto_aead_xchacha20poly1305_ietf_decrypt(key, NULL, NULL, w + 24, 72 - 24,
	    (const unsigned char *)subject, strlen(subject), w, kek) == 0;

	sodium_memzero(key, sizeof(key));
	return ok;
}

int
main(void)
{
	unsigned char first[64], w[72];
	char subject[32], path[1100], kept[1200], msg[512], *now;
	struct config cfg;
	struct privacy *p, *fresh;
	struct store *s;
	struct store_q *q;
	struct buf sealed, plain;
	const void *b;
	size_t n = 0;
	int64_t id;

	buf_init(&sealed);
	buf_init(&plain);
	t_privacy_config(&cfg, first);
	/* the root is not the master, from the first key file on */
	T_ASSERT(memcmp(first, first + 32, 32) != 0);
	s = t_privacy_store(&cfg);
	p = t_privacy_open(&cfg);
	id = t_person(p, s, "alice", ROLE_MEMBER);
	snprintf(subject, sizeof(subject), "user:%lld", (long long)id);

	/* the backup: the wrapped data key and the sealed email, as a database dump holds */
	T_ASSERT((q = store_prepare(s, &st_wrapped)) != NULL);
	store_bind_text(q, 1, subject);
	T_EQ_INT(store_step(q), STORE_ROW);
	b = store_col_blob(q, 0, &n);
	T_ASSERT(b != NULL && n == sizeof(w));
	memcpy(w, b, sizeof(w));
	T_EQ_INT(store_done(q), ERR_OK);
	t_sealed_email(s, id, &sealed);
	T_ASSERT(opens(first, subject, w)); /* the backup opens with the key of its time */

	/* rotate, erase the person, destroy the old key file */
	if (privacy_rotate_master(p, s, &cfg, kept, sizeof(kept), msg, sizeof(msg)) != ERR_OK)
		T_FAIL("rotate: %s", msg);
	T_EQ_INT(vault_shred(p, s, subject), ERR_OK);
	T_ASSERT(unlink(kept) == 0);

	/* neither half of the current key file opens the backup's wrapped key */
	snprintf(path, sizeof(path), "%s/master.key", cfg.data_dir);
	T_ASSERT((now = t_read_file(path, &n)) != NULL && n == 64);
	T_ASSERT(memcmp(now + 32, first + 32, 32) == 0); /* the root carried on */
	T_ASSERT(!opens((const unsigned char *)now, subject, w));
	T_ASSERT(!opens((const unsigned char *)now + 32, subject, w));
	sodium_memzero(now, n);
	free(now);

	/* restoring the backup's row: the current key file reads nothing from it */
	T_ASSERT((q = store_prepare(s, &st_restore)) != NULL);
	store_bind_text(q, 1, subject);
	store_bind_blob(q, 2, w, sizeof(w));
	store_step(q);
	T_EQ_INT(store_done(q), ERR_OK);
	fresh = t_privacy_open(&cfg);
	T_EQ_INT(vault_open_field(fresh, s, subject, "people", "email_sealed", id, sealed.data,
		     sealed.len, &plain),
	    ERR_CRYPTO);
	T_EQ_INT(plain.len, 0);

	sodium_memzero(first, sizeof(first));
	buf_free(&sealed);
	buf_free(&plain);
	privacy_free(fresh);
	privacy_free(p);
	store_close(s);
	printf("test_privacy_backup (%s): ok\n", t_backend());
	return 0;
}
