/*
 * testprivacy: a data directory for tests of the privacy module: a temporary directory
 * with a random 64-byte master.key (master key, then root key; mode 0600) and a fresh database on the test's backend, with
 * the privacy tables created.
 */
#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include "privacy/privacy.h"
#include "testlib.h"

void
t_privacy_config(struct config *cfg, unsigned char key_out[64])
{
	unsigned char key[64];
	char path[1100];
	int fd;

	if (sodium_init() < 0)
		T_FAIL("sodium_init");
	config_defaults(cfg);
	str_copy(cfg->data_dir, t_tmpdir(), sizeof(cfg->data_dir));
	t_db_url(cfg->database, sizeof(cfg->database));
	randombytes_buf(key, sizeof(key));
	snprintf(path, sizeof(path), "%s/master.key", cfg->data_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) || close(fd) != 0)
		T_FAIL("cannot write %s", path);
	if (key_out)
		memcpy(key_out, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
}

struct store *
t_privacy_store(const struct config *cfg)
{
	char msg[256];
	enum err e;
	struct store *s = store_open(cfg->database, NULL, &e, msg, sizeof(msg));

	if (s == NULL)
		T_FAIL("store_open(%s): %s", cfg->database, msg);
	if ((e = privacy_migrate(s)) != ERR_OK)
		T_FAIL("privacy_migrate: %s (%s)", err_str(e), store_errmsg(s));
	return s;
}

struct privacy *
t_privacy_open(const struct config *cfg)
{
	struct privacy *p = NULL;
	char msg[512];

	if (privacy_open(cfg, &p, msg, sizeof(msg)) != ERR_OK)
		T_FAIL("privacy_open: %s", msg);
	return p;
}

int64_t
t_person(struct privacy *p, struct store *s, const char *user, int role)
{
	char email[96], msg[160];
	int64_t id = 0;

	snprintf(email, sizeof(email), "%s@example.test", user);
	if (people_add(p, s, user, email, (enum person_role)role, true, &id, msg, sizeof(msg)) !=
	    ERR_OK)
		T_FAIL("people_add %s: %s", user, msg);
	return id;
}

void
t_sealed_email(struct store *s, int64_t id, struct buf *out)
{
	static const struct store_stmt get = {"t_sealed_email",
	    "SELECT email_sealed FROM people WHERE id = ?"};
	struct store_q *q = store_prepare(s, &get);
	const void *b;
	size_t n = 0;

	if (q == NULL)
		T_FAIL("prepare: %s", store_errmsg(s));
	store_bind_int(q, 1, id);
	if (store_step(q) != STORE_ROW)
		T_FAIL("no person %lld", (long long)id);
	b = store_col_blob(q, 0, &n);
	buf_append(out, b, n);
	if (store_done(q) != ERR_OK)
		T_FAIL("reading the sealed email: %s", store_errmsg(s));
}
