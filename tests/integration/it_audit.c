/*
 * it_audit: the audit and key commands through the real binary, on both backends.
 * `candor init` leaves DIR/audit.key with mode 0600; `audit verify` exits 0 on an intact
 * log and 1 naming the problem when a checkpoint is forged; `audit checkpoint` and
 * `audit show` work; `keys rotate` replaces the key file (0600) and keeps the old one
 * (0600), after which email uniqueness (the blind index) still holds; a key file that
 * others can read is refused.
 */
#include <sys/stat.h>

#include "testlib.h"

static void
mode_size(const char *dir, const char *name, unsigned mode, long long size)
{
	char path[600];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) != 0)
		T_FAIL("%s is missing", path);
	if ((st.st_mode & 0777) != mode || (long long)st.st_size != size)
		T_FAIL("%s has mode %03o and %lld bytes, not %03o and %lld", path,
		    (unsigned)(st.st_mode & 0777), (long long)st.st_size, mode, size);
}

int
main(void)
{
	const char *dir = t_datadir(false);
	char path[600], kept[600], *out = NULL, *text, *p;
	size_t n;
	FILE *f;

	mode_size(dir, "audit.key", 0600, 64);
	mode_size(dir, "master.key", 0600, 64);

	T_EQ_INT(t_candor(&out, "audit", "verify", "--data", dir, NULL), 0);
	T_CONTAINS(out, "audit log intact: 0 entries, 0 checkpoints");
	free(out);
	T_EQ_INT(t_candor(&out, "audit", "checkpoint", "--data", dir, NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "audit", "verify", "--data", dir, NULL), 0);
	T_CONTAINS(out, "1 checkpoint");
	free(out);
	T_EQ_INT(t_candor(&out, "audit", "show", "--data", dir, "--subject", "user:1", NULL), 0);
	T_CONTAINS(out, "DECISION");
	free(out);

	/* rotation: new 64-byte key file, the old key kept, uniqueness by blind index intact */
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "alice", "--email",
		     "alice@example.test", "--role", "member", NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "keys", "rotate", "--data", dir, NULL), 0);
	T_CONTAINS(out, "keep it with them");
	T_ASSERT((p = strstr(out, "master.key.old-")) != NULL);
	snprintf(kept, sizeof(kept), "%.*s", (int)strcspn(p, " \n"), p);
	free(out);
	mode_size(dir, "master.key", 0600, 64);
	mode_size(dir, kept, 0600, 64);
	T_ASSERT(t_candor(&out, "user", "add", "--data", dir, "--username", "alice2", "--email",
		     "ALICE@example.test", "--role", "member", NULL) != 0);
	free(out);
	T_EQ_INT(t_candor(&out, "user", "add", "--data", dir, "--username", "bob", "--email",
		     "bob@example.test", "--role", "member", NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "keys", "rotate", "--data", dir, NULL), 0);
	free(out);
	T_EQ_INT(t_candor(&out, "audit", "verify", "--data", dir, NULL), 0);
	free(out);

	/* a forged checkpoint: verify exits 1 and says what is wrong */
	snprintf(path, sizeof(path), "%s/audit.checkpoints", dir);
	T_ASSERT((text = t_read_file(path, &n)) != NULL && n > 10);
	text[0] = text[0] == '0' ? '9' : '0'; /* the count */
	T_ASSERT((f = fopen(path, "w")) != NULL);
	T_ASSERT(fwrite(text, 1, n, f) == n && fclose(f) == 0);
	free(text);
	T_EQ_INT(t_candor(&out, "audit", "verify", "--data", dir, NULL), 1);
	T_CONTAINS(out, "not intact");
	T_CONTAINS(out, "invalid signature");
	free(out);
	/* and no new checkpoint is written over a log that does not verify */
	T_EQ_INT(t_candor(&out, "audit", "checkpoint", "--data", dir, NULL), 1);
	free(out);

	/* a master key others can read is refused */
	snprintf(path, sizeof(path), "%s/master.key", dir);
	T_ASSERT(chmod(path, 0644) == 0);
	T_EQ_INT(t_candor(&out, "audit", "show", "--data", dir, NULL), 1);
	T_CONTAINS(out, "chmod 600");
	free(out);
	printf("it_audit (%s): ok\n", t_backend());
	return 0;
}
