/*
 * testprivacy: a data directory for tests of the privacy module: a temporary directory
 * with a random master.key (mode 0600) and a fresh database on the test's backend, with
 * the privacy tables created.
 */
#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include "privacy/privacy.h"
#include "testlib.h"

void
t_privacy_config(struct config *cfg, unsigned char key_out[32])
{
	unsigned char key[32];
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
