/*
 * testlib: what every candor test program shares. Assertions that print where they
 * failed and exit non-zero, temporary directories removed at exit, and (testdb.c) a fresh
 * database per test on the backend named by CANDOR_TEST_BACKEND.
 */
#ifndef TESTLIB_H
#define TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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

/* Fails the test if needle occurs, byte for byte (ASCII case ignored), in any file
 * directly inside dir. The plaintext scans of the privacy tests use it. */
void t_assert_absent(const char *dir, const char *needle);

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

/* ---- integration: the real candor binary (testserver.c) ---- */

/* Runs the candor binary (CANDOR_BIN) with a NULL-terminated argument list; returns its
 * exit status. stdout+stderr are captured into *out (malloc'd) if out is not NULL. */
int t_candor(char **out, const char *arg, ...);

/* A new data directory made with `candor init` (on the test's backend: with
 * --database for postgres). demo adds the demo sites. Returns its path. */
const char *t_datadir(bool demo);

struct t_server {
	int pid;
	int port;
	char log[256]; /* file receiving the server's stderr */
};

/* Starts `candor serve --data dir --listen 127.0.0.1:0` and waits until it listens. */
void t_server_start(struct t_server *s, const char *dir);
/* Sends SIGTERM and returns the exit status (fails the test after 10 s). */
int t_server_stop(struct t_server *s);

struct t_resp {
	long status;
	char *headers; /* raw header block, malloc'd */
	char *body;    /* malloc'd, NUL-terminated */
	size_t body_len;
};

/* GET (or another method) http://127.0.0.1:port/path with the given Host header (NULL:
 * 127.0.0.1). extra_headers: NULL-terminated list of "Name: value" or NULL. */
void t_http(struct t_resp *r, int port, const char *method, const char *host, const char *path,
    const char *const *extra_headers, const char *body);
void t_resp_free(struct t_resp *r);
/* The value of header name in r (case-insensitive), in a static buffer, or NULL. */
const char *t_resp_header(const struct t_resp *r, const char *name);

/* Sends raw bytes on a new connection and reads the whole answer (until close or
 * timeout_ms of silence) into a malloc'd string. */
char *t_raw(int port, const char *bytes, size_t len, int timeout_ms);
/* Status code of a raw HTTP response, or -1. */
int t_raw_status(const char *resp);

/* ---- privacy (testprivacy.c) ---- */
struct config;
struct store;
struct privacy;

/* Fills cfg with defaults, a new temporary data directory holding a random 64-byte
 * master.key (master key, then root key; mode 0600, its bytes copied to key_out unless
 * NULL), and database = a fresh t_db_url. */
void t_privacy_config(struct config *cfg, unsigned char key_out[64]);
/* Opens cfg's database and creates the privacy tables; fails the test otherwise. */
struct store *t_privacy_store(const struct config *cfg);
/* privacy_open(cfg) or fail the test with its sentence. */
struct privacy *t_privacy_open(const struct config *cfg);
/* people_add(user, "user@example.test", role, verified) or fail; returns the id. */
int64_t t_person(struct privacy *p, struct store *s, const char *user, int role);
/* Appends person id's sealed email (people.email_sealed) to out. */
struct buf;
void t_sealed_email(struct store *s, int64_t id, struct buf *out);

#endif
