/*
 * privacy: opening and closing the module's secrets, its migrations, and replacing the
 * master key file (candor keys rotate).
 *
 * Key material (all of it wiped with sodium_memzero when the module closes):
 *   master     wraps every subject's data key (vault.c). From CANDOR_MASTER_KEY, which
 *              wins, or from the key file ([privacy] key_file, default DIR/master.key).
 *   root       the derivation root of blind_key and audit_key. Blind indexes and audit
 *              hashes are stored in the database, so their keys must survive a rotation
 *              of the master key. The key file is always 64 bytes, the master followed by
 *              the root, both random and independent from `candor init` on; a rotation
 *              writes the new master followed by the unchanged root. The root never
 *              wraps a data key, so destroying a retired master (master.key.old-*) is
 *              enough for the data keys in backups it wrapped to stay closed for good.
 *              CANDOR_MASTER_KEY likewise holds exactly 128 hex digits (master, root).
 *   blind_key  crypto_kdf(root, id 1, context "cdblind_")
 *   audit_key  crypto_kdf(root, id 2, context "cdaudit_")
 *   others     privacy_derive_key(id, context) for other modules (web/csrf.c: id 1,
 *              "cdcsrf__"); the two contexts above are refused there.
 *   sign_sk    Ed25519 secret key of the audit checkpoints, DIR/audit.key (64 bytes),
 *              created with O_EXCL and mode 0600 the first time the module opens.
 * Key files readable by group or others are refused, like `candor serve` does.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privacy/privacy_int.h"

#define PRIVACY_KDF_BLIND_ID 1
#define PRIVACY_KDF_AUDIT_ID 2
static const char privacy_ctx_blind[crypto_kdf_CONTEXTBYTES + 1] = "cdblind_";
static const char privacy_ctx_audit[crypto_kdf_CONTEXTBYTES + 1] = "cdaudit_";

static pthread_once_t privacy_once = PTHREAD_ONCE_INIT;
static int privacy_sodium_rc = -1;

static void
privacy_sodium_init(void)
{
	privacy_sodium_rc = sodium_init();
}

/* fsyncs the directory holding path, so a new or renamed file survives a crash. */
static enum err
privacy_sync_dir(const char *path)
{
	char dir[1100];
	char *slash;
	int fd;
	enum err e = ERR_OK;

	str_copy(dir, path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) == NULL)
		str_copy(dir, ".", sizeof(dir));
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return ERR_IO;
	if (fsync(fd) != 0)
		e = ERR_IO;
	close(fd);
	return e;
}

/*
 * Reads a secret file of exactly one of the sizes a or b bytes into out (which holds b).
 * Refuses a file that is not regular or that group or others may read. *n gets the size.
 * ERR_NOTFOUND when absent; otherwise a sentence in errbuf.
 */
static enum err
privacy_read_secret(const char *path, size_t a, size_t b, unsigned char *out, size_t *n,
    char *errbuf, size_t errsize)
{
	struct stat st;
	ssize_t r;
	int fd;
	enum err e = ERR_IO;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		if (errno == ENOENT)
			return ERR_NOTFOUND;
		snprintf(errbuf, errsize, "cannot read %s: %s", path, strerror(errno));
		return ERR_IO;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(errbuf, errsize, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (st.st_size != (off_t)a && st.st_size != (off_t)b)) {
		if (a == b)
			snprintf(errbuf, errsize, "%s is not a key file (it must hold %zu bytes)",
			    path, a);
		else
			snprintf(errbuf, errsize,
			    "%s is not a key file (it must hold %zu or %zu bytes)", path, a, b);
		e = ERR_CRYPTO;
		goto out;
	}
	if (st.st_mode & 077) {
		snprintf(errbuf, errsize,
		    "%s is readable by group or others (mode %03o); run: chmod 600 %s", path,
		    (unsigned)(st.st_mode & 0777), path);
		e = ERR_DENIED;
		goto out;
	}
	r = read(fd, out, (size_t)st.st_size);
	if (r != (ssize_t)st.st_size) {
		snprintf(errbuf, errsize, "cannot read %s", path);
		goto out;
	}
	*n = (size_t)r;
	e = ERR_OK;
out:
	close(fd);
	return e;
}

/* Writes a new secret file (O_EXCL, mode 0600), fsynced with its directory. */
static enum err
privacy_write_secret(const char *path, const void *p, size_t n)
{
	ssize_t w;
	int fd;
	enum err e = ERR_OK;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return errno == EEXIST ? ERR_CONFLICT : ERR_IO;
	w = write(fd, p, n);
	if (w < 0 || (size_t)w != n || fsync(fd) != 0)
		e = ERR_IO;
	if (close(fd) != 0)
		e = ERR_IO;
	if (e == ERR_OK)
		e = privacy_sync_dir(path);
	if (e != ERR_OK)
		unlink(path);
	return e;
}

/* Master and root from CANDOR_MASTER_KEY (128 hex digits) or the 64-byte key file. */
static enum err
privacy_load_master(const struct config *cfg, struct privacy *p, char *errbuf, size_t errsize)
{
	unsigned char raw[64];
	const char *env = getenv("CANDOR_MASTER_KEY");
	char path[1100];
	size_t n = 0, hexlen;
	enum err e;

	if (env != NULL && env[0] != '\0') {
		hexlen = strlen(env);
		if (hexlen != 2 * PRIVACY_KEYFILE_BYTES ||
		    sodium_hex2bin(raw, sizeof(raw), env, hexlen, NULL, &n, NULL) != 0 ||
		    n != PRIVACY_KEYFILE_BYTES) {
			snprintf(errbuf, errsize,
			    "CANDOR_MASTER_KEY must be 128 hexadecimal digits: the master key, then "
			    "the root key, 32 random bytes each");
			e = ERR_CRYPTO;
			goto out;
		}
		p->key_from_env = true;
	} else {
		struct stat st;
		memset(&st, 0, sizeof(st));
		config_path(cfg, cfg->key_file, path, sizeof(path));
		e = privacy_read_secret(path, PRIVACY_KEYFILE_BYTES, PRIVACY_KEYFILE_BYTES, raw, &n,
		    errbuf, errsize);
		str_copy(p->key_path, path, sizeof(p->key_path));
		if (stat(path, &st) == 0)
			p->key_mtime = st.st_mtim;
		if (e == ERR_NOTFOUND)
			snprintf(errbuf, errsize,
			    "cannot find the master key %s (nor CANDOR_MASTER_KEY)", path);
		else if (e == ERR_CRYPTO && S_ISREG(st.st_mode) && st.st_size == 32)
			snprintf(errbuf, errsize,
			    "%s holds 32 bytes, a master key without its separate root key; candor "
			    "needs 64 random bytes (master, then root), as `candor init` writes",
			    path);
		if (e != ERR_OK)
			goto out;
	}
	memcpy(p->masters[0], raw, 32);
	memcpy(p->root, raw + 32, 32);
	e = ERR_OK;
out:
	sodium_memzero(raw, sizeof(raw));
	return e;
}

/* The audit signing key: read DIR/audit.key, or create it when absent. */
static enum err
privacy_load_sign_key(const struct config *cfg, struct privacy *p, char *errbuf,
    size_t errsize)
{
	char path[1100];
	size_t n = 0;
	enum err e;

	config_path(cfg, "audit.key", path, sizeof(path));
	e = privacy_read_secret(path, crypto_sign_SECRETKEYBYTES, crypto_sign_SECRETKEYBYTES,
	    p->sign_sk, &n, errbuf, errsize);
	if (e == ERR_NOTFOUND) {
		if (crypto_sign_keypair(p->sign_pk, p->sign_sk) != 0) {
			snprintf(errbuf, errsize, "cannot make the audit signing key");
			return ERR_CRYPTO;
		}
		e = privacy_write_secret(path, p->sign_sk, crypto_sign_SECRETKEYBYTES);
		if (e == ERR_CONFLICT) /* another process created it first: use theirs */
			return privacy_load_sign_key(cfg, p, errbuf, errsize);
		if (e != ERR_OK)
			snprintf(errbuf, errsize, "cannot write the audit signing key %s", path);
		return e;
	}
	if (e != ERR_OK)
		return e;
	if (crypto_sign_ed25519_sk_to_pk(p->sign_pk, p->sign_sk) != 0) {
		snprintf(errbuf, errsize, "%s is not an Ed25519 key", path);
		return ERR_CRYPTO;
	}
	return ERR_OK;
}

/*
 * Opens the module's secrets; see privacy.h. Also creates DIR/audit.key when absent, so
 * `candor init` calls this once. On failure *out is NULL and errbuf holds a sentence.
 */
enum err
privacy_open(const struct config *cfg, struct privacy **out, char *errbuf, size_t errsize)
{
	struct privacy *p = NULL;
	enum err e;

	*out = NULL;
	if (errsize)
		errbuf[0] = '\0';
	pthread_once(&privacy_once, privacy_sodium_init);
	if (privacy_sodium_rc < 0) {
		snprintf(errbuf, errsize, "libsodium could not be initialised");
		return ERR_CRYPTO;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(errbuf, errsize, "out of memory");
		return ERR_NOMEM;
	}
	pthread_mutex_init(&p->reload_lock, NULL);
	if ((e = privacy_load_master(cfg, p, errbuf, errsize)) != ERR_OK)
		goto fail;
	if (crypto_kdf_derive_from_key(p->blind_key, sizeof(p->blind_key), PRIVACY_KDF_BLIND_ID,
		privacy_ctx_blind, p->root) != 0 ||
	    crypto_kdf_derive_from_key(p->audit_key, sizeof(p->audit_key), PRIVACY_KDF_AUDIT_ID,
		privacy_ctx_audit, p->root) != 0) {
		snprintf(errbuf, errsize, "cannot derive the index and audit keys");
		e = ERR_CRYPTO;
		goto fail;
	}
	if ((e = privacy_load_sign_key(cfg, p, errbuf, errsize)) != ERR_OK)
		goto fail;
	config_path(cfg, "audit.checkpoints", p->checkpoints, sizeof(p->checkpoints));
	*out = p;
	return ERR_OK;
fail:
	privacy_free(p);
	return e;
}

void
privacy_subject(int64_t person, char out[PRIVACY_SUBJECT_BYTES])
{
	snprintf(out, PRIVACY_SUBJECT_BYTES, "user:%lld", (long long)person);
}

enum err
privacy_derive_key(const struct privacy *p, uint64_t id, const char ctx[8],
    unsigned char out[32])
{
	if (memcmp(ctx, privacy_ctx_blind, crypto_kdf_CONTEXTBYTES) == 0 ||
	    memcmp(ctx, privacy_ctx_audit, crypto_kdf_CONTEXTBYTES) == 0)
		return ERR_INVAL;
	if (crypto_kdf_derive_from_key(out, 32, id, ctx, p->root) != 0)
		return ERR_CRYPTO;
	return ERR_OK;
}

void
privacy_set_master(struct privacy *p, const unsigned char key[32])
{
	int next;

	pthread_mutex_lock(&p->reload_lock);
	next = 1 - atomic_load(&p->cur);
	memcpy(p->masters[next], key, 32);
	atomic_store(&p->cur, next);
	pthread_mutex_unlock(&p->reload_lock);
}

/*
 * A rotation writes a new key file (new master, then the root). When the file's mtime
 * moved, read it again and put its master in force. Cheap when nothing changed: one
 * stat. The previous master stays in the other slot for readers still using it.
 */
enum err
privacy_refresh_master(struct privacy *p)
{
	unsigned char raw[64];
	char msg[256];
	struct stat st;
	size_t n = 0;
	enum err e = ERR_NOTFOUND;

	if (p->key_path[0] == '\0' || stat(p->key_path, &st) != 0)
		return ERR_NOTFOUND;
	pthread_mutex_lock(&p->reload_lock);
	if (st.st_mtim.tv_sec == p->key_mtime.tv_sec && st.st_mtim.tv_nsec == p->key_mtime.tv_nsec)
		goto out;
	if (privacy_read_secret(p->key_path, PRIVACY_KEYFILE_BYTES, PRIVACY_KEYFILE_BYTES, raw, &n,
		msg, sizeof(msg)) != ERR_OK)
		goto out;
	p->key_mtime = st.st_mtim;
	if (sodium_memcmp(raw, PRIVACY_MASTER(p), 32) != 0) {
		int next = 1 - atomic_load(&p->cur);
		memcpy(p->masters[next], raw, 32);
		atomic_store(&p->cur, next);
		log_info("privacy: the master key was rotated; using the new one");
		e = ERR_OK;
	}
out:
	pthread_mutex_unlock(&p->reload_lock);
	sodium_memzero(raw, sizeof(raw));
	return e;
}

/* Wipes every secret and frees p. NULL is a no-op. */
void
privacy_free(struct privacy *p)
{
	if (p == NULL)
		return;
	pthread_mutex_destroy(&p->reload_lock);
	sodium_memzero(p, sizeof(*p));
	free(p);
}

/* vault first: nothing refers to it by foreign key, but people rows name its subjects. */
enum err
privacy_migrate(struct store *s)
{
	enum err e;

	if ((e = vault_migrate(s)) != ERR_OK)
		return e;
	if ((e = audit_migrate(s)) != ERR_OK)
		return e;
	return people_migrate(s);
}

/*
 * Links the current key file to a new name PATH.old-T (or PATH.old-T-N when that is
 * taken) and writes the name into out. A hard link: same bytes, same mode 0600.
 */
static enum err
privacy_keep_old(const char *path, int64_t now, char *out, size_t outsize)
{
	int k;

	for (k = 0; k < 100; k++) {
		if (k == 0)
			snprintf(out, outsize, "%s.old-%lld", path, (long long)now);
		else
			snprintf(out, outsize, "%s.old-%lld-%d", path, (long long)now, k);
		if (link(path, out) == 0)
			return privacy_sync_dir(out);
		if (errno != EEXIST)
			return ERR_IO;
	}
	return ERR_CONFLICT;
}

/*
 * candor keys rotate: a new random master key, every data key re-wrapped under it in one
 * transaction, then the key file replaced. Order matters for a crash at any point:
 *   1. the new key file is written beside the old one (KEYFILE.new-T, 0600, fsynced) and
 *      the old one hard-linked to KEYFILE.old-T (kept: backups made before now hold data
 *      keys wrapped by it);
 *   2. the database transaction re-wraps every data key and commits;
 *   3. KEYFILE.new-T is renamed over KEYFILE (atomic), and the directory fsynced.
 * A failure before 2 commits removes both new names and changes nothing; a failure in 3
 * leaves the committed database and the new key file, and errbuf tells the operator
 * which file to move into place. The root (blind index and audit keys) is carried into
 * the new file (the key file is always new master || root). Refused when the key comes
 * from CANDOR_MASTER_KEY: the operator's secret store holds it, not a file candor can
 * replace. kept receives the old key's new name.
 */
enum err
privacy_rotate_master(struct privacy *p, struct store *s, const struct config *cfg,
    char *kept, size_t keptsize, char *errbuf, size_t errsize)
{
	unsigned char fresh[64];
	char path[1100], newpath[1200], oldpath[1200];
	int64_t now = time_now();
	bool wrote_new = false, kept_old = false;
	enum err e;

	if (errsize)
		errbuf[0] = '\0';
	if (p->key_from_env) {
		snprintf(errbuf, errsize,
		    "the master key comes from CANDOR_MASTER_KEY; rotate it in the place that "
		    "sets the variable (unset it to rotate the key file instead)");
		return ERR_INVAL;
	}
	config_path(cfg, cfg->key_file, path, sizeof(path));
	snprintf(newpath, sizeof(newpath), "%s.new-%lld-%ld", path, (long long)now,
	    (long)getpid());
	randombytes_buf(fresh, 32);
	memcpy(fresh + 32, p->root, 32);
	if ((e = privacy_write_secret(newpath, fresh, sizeof(fresh))) != ERR_OK) {
		snprintf(errbuf, errsize, "cannot write the new key file %s", newpath);
		goto out;
	}
	wrote_new = true;
	if ((e = privacy_keep_old(path, now, oldpath, sizeof(oldpath))) != ERR_OK) {
		snprintf(errbuf, errsize, "cannot keep the old key beside %s: %s; nothing changed",
		    path, strerror(errno));
		goto out;
	}
	kept_old = true;
	if ((e = vault_rotate(p, s, fresh)) == ERR_DENIED) {
		snprintf(errbuf, errsize,
		    "the database's data keys are wrapped by a master key other than the one in "
		    "%s (another rotation finished first, or this is another installation's "
		    "key); nothing changed", path);
		goto out;
	}
	if (e != ERR_OK) {
		snprintf(errbuf, errsize, "cannot re-wrap the data keys: %s (%s); nothing changed",
		    err_str(e), store_errmsg(s));
		goto out;
	}
	/* committed: from here the new file holds the only copy of the key in use */
	wrote_new = kept_old = false;
	if (rename(newpath, path) != 0 || privacy_sync_dir(path) != ERR_OK) {
		snprintf(errbuf, errsize,
		    "the data keys are re-wrapped under the key in %s, but it could not be moved "
		    "to %s (%s): move it there before starting candor",
		    newpath, path, strerror(errno));
		e = ERR_IO;
		goto out;
	}
	str_copy(kept, oldpath, keptsize);
	e = ERR_OK;
out:
	if (wrote_new)
		unlink(newpath);
	if (kept_old)
		unlink(oldpath);
	sodium_memzero(fresh, sizeof(fresh));
	return e;
}
