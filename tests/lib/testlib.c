/* testlib: temporary directories and file helpers shared by the tests. */
#include <dirent.h>
#include <sys/stat.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "testlib.h"

#define T_MAX_TMPDIRS 64
static char t_dirs[T_MAX_TMPDIRS][256];
static int t_ndirs;

static int
t_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
t_cleanup(void)
{
	int i;

	if (getenv("CANDOR_TEST_KEEP"))
		return;
	for (i = 0; i < t_ndirs; i++)
		nftw(t_dirs[i], t_rm, 16, FTW_DEPTH | FTW_PHYS);
}

const char *
t_tmpdir(void)
{
	char *d;

	if (t_ndirs == T_MAX_TMPDIRS)
		T_FAIL("too many temporary directories");
	snprintf(t_dirs[t_ndirs], sizeof(t_dirs[0]), "/tmp/candor-test.XXXXXX");
	if ((d = mkdtemp(t_dirs[t_ndirs])) == NULL)
		T_FAIL("mkdtemp failed");
	if (t_ndirs++ == 0)
		atexit(t_cleanup);
	return d;
}

char *
t_read_file(const char *path, size_t *len)
{
	FILE *f;
	char *p = NULL;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)n + 1)) != NULL) {
		if (fread(p, 1, (size_t)n, f) != (size_t)n) {
			free(p);
			p = NULL;
		} else {
			p[n] = '\0';
			if (len)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return p;
}

const char *
t_backend(void)
{
	const char *b = getenv("CANDOR_TEST_BACKEND");

	return b && *b ? b : "sqlite";
}

void
t_assert_absent(const char *dir, const char *needle)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	size_t n = strlen(needle), len, i, k;
	char path[1024], *data;
	struct stat st;

	if (d == NULL)
		T_FAIL("cannot open %s", dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue; /* a directory (the Maildir) is not a file to scan */
		if ((data = t_read_file(path, &len)) == NULL)
			continue;
		for (i = 0; i + n <= len; i++) {
			for (k = 0; k < n; k++)
				if ((data[i + k] | 0x20) != (needle[k] | 0x20))
					break;
			if (k == n)
				T_FAIL("%s holds \"%s\" in plaintext at byte %zu", path, needle, i);
		}
		free(data);
	}
	closedir(d);
}
