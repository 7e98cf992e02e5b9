/*
 * fuzz_path_body: one fuzz iteration for http_path_split. Shared by fuzz_path.c and
 * tests/unit/test_fuzz_replay.c (see fuzz_form_body.h for how).
 *
 * The whole input is the path. Invariants (abort() if not):
 * - only ERR_OK, ERR_INVAL or ERR_TOOBIG, and on error no segments;
 * - ERR_OK only for input starting with '/';
 * - at most LIMIT_PATH_SEGMENTS segments, the array NULL-terminated;
 * - every segment 1..LIMIT_PATH_SEGMENT bytes of valid UTF-8, never "." or "..",
 *   without '/', NUL or any control character;
 * - encoding each segment with http_url_encode, joining with '/' and splitting again
 *   gives the same segments.
 */
#ifndef FUZZ_PATH_BODY_H
#define FUZZ_PATH_BODY_H

#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "http/http.h"

static void
fuzz_path_one(const uint8_t *data, size_t size)
{
	char **segs, **again;
	size_t n, n2, i, k, len;
	struct arena *a;
	struct buf b;
	enum err e;

	FUZZ_CHECK((a = arena_new()) != NULL);
	e = http_path_split(a, (const char *)data, size, &segs, &n);
	FUZZ_CHECK(e == ERR_OK || e == ERR_INVAL || e == ERR_TOOBIG);
	if (e != ERR_OK) {
		FUZZ_CHECK(segs == NULL && n == 0);
		arena_free(a);
		return;
	}
	FUZZ_CHECK(size > 0 && data[0] == '/');
	FUZZ_CHECK(segs != NULL && n <= LIMIT_PATH_SEGMENTS && segs[n] == NULL);
	buf_init(&b);
	for (i = 0; i < n; i++) {
		len = strlen(segs[i]);
		FUZZ_CHECK(len > 0 && len <= LIMIT_PATH_SEGMENT);
		FUZZ_CHECK(strcmp(segs[i], ".") != 0 && strcmp(segs[i], "..") != 0);
		FUZZ_CHECK(str_utf8_valid(segs[i], len));
		for (k = 0; k < len; k++) {
			unsigned char c = (unsigned char)segs[i][k];
			FUZZ_CHECK(c != '/' && c >= 0x20 && c != 0x7f);
		}
		buf_putc(&b, '/');
		http_url_encode(&b, segs[i]);
	}
	if (n == 0)
		buf_putc(&b, '/');
	FUZZ_CHECK(!b.failed);
	FUZZ_CHECK(http_path_split(a, b.data, b.len, &again, &n2) == ERR_OK);
	FUZZ_CHECK(n2 == n);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(strcmp(again[i], segs[i]) == 0);
	buf_free(&b);
	arena_free(a);
}

#endif
