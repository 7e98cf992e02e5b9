/*
 * testlib: what every candor test program shares. Assertions that print where they
 * failed and exit non-zero, temporary directories removed at exit, and (testdb.c) a fresh
 * database per test on the backend named by CANDOR_TEST_BACKEND.
 */
#ifndef TESTLIB_H
#define TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_FAIL(...)                                                                        \
	do {                                                                               \
		fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__);                      \
		fprintf(stderr, __VA_ARGS__);                                              \
		fprintf(stderr, "\n");                                                     \
		exit(1);                                                                   \
	} while (0)
#define T_ASSERT(c)                                                                        \
	do {                                                                               \
		if (!(c))                                                                  \
			T_FAIL("%s", #c);                                                  \
	} while (0)
#define T_EQ_INT(a, b)                                                                     \
	do {                                                                               \
		long long t_a = (long long)(a), t_b = (long long)(b);                      \
		if (t_a != t_b)                                                            \
			T_FAIL("%s == %s: %lld != %lld", #a, #b, t_a, t_b);                \
	} while (0)
#define T_EQ_STR(a, b)                                                                     \
	do {                                                                               \
		const char *t_a = (a), *t_b = (b);                                         \
		if (t_a == NULL || t_b == NULL || strcmp(t_a, t_b) != 0)                   \
			T_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b, t_a ? t_a : "(null)",   \
			    t_b ? t_b : "(null)");                                         \
	} while (0)
#define T_CONTAINS(hay, needle)                                                            \
	do {                                                                               \
		const char *t_h = (hay), *t_n = (needle);                                  \
		if (t_h == NULL || strstr(t_h, t_n) == NULL)                               \
			T_FAIL("%s does not contain \"%s\"", #hay, t_n);                   \
	} while (0)
#define T_NOT_CONTAINS(hay, needle)                                                        \
	do {                                                                               \
		const char *t_h = (hay), *t_n = (needle);                                  \
		if (t_h != NULL && strstr(t_h, t_n) != NULL)                               \
			T_FAIL("%s contains \"%s\"", #hay, t_n);                           \
	} while (0)

/* A new temporary directory, removed (recursively) at exit. Returns a static-lifetime
 * path. */
const char *t_tmpdir(void);

/* Reads a whole file into a malloc'd NUL-terminated string (NULL if unreadable). */
char *t_read_file(const char *path, size_t *len);

/* "sqlite" or "postgres", from CANDOR_TEST_BACKEND (default "sqlite"). */
const char *t_backend(void);

/*
 * A fresh, empty database for this test, as a store URL written into out:
 * sqlite: "sqlite:" + a file in a new temporary directory;
 * postgres: a new database created in the cluster whose admin URL is in
 * CANDOR_TEST_PG_URL (set by tests/run.sh), dropped at exit. Fails the test with a clear
 * message, never skips, when the backend is unavailable.
 */
void t_db_url(char *out, size_t outsize);

#endif
