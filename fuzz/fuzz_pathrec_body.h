/*
 * fuzz_pathrec_body: one fuzz iteration for http_path_record. Shared by fuzz_pathrec.c
 * and tests/unit/test_fuzz_replay.c (see fuzz_form_body.h for how).
 *
 * The first byte picks the output size (1..LIMIT_ANALYTICS_PATH_BYTES + 1, a heap block
 * of exactly that size, so AddressSanitizer sees any overrun); the rest is a request
 * path, split with http_path_split as the server does (inputs it refuses are done).
 * Invariants (abort() if not):
 * - the output is NUL-terminated within the block, starts with '/' (when the block
 *   holds more than the NUL), and holds only unreserved characters, '/', ':' of
 *   ":token" and whole %XX escapes with upper-case hex;
 * - a path of one secret-looking segment (http_seg_secret) is "/:token";
 * - without ":token", splitting the output and recording it again gives it back.
 */
#ifndef FUZZ_PATHREC_BODY_H
#define FUZZ_PATHREC_BODY_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "http/http.h"

static bool
fuzz_pathrec_shape_ok(const char *p)
{
	size_t i;

	if (p[0] != '/')
		return false;
	for (i = 0; p[i]; i++) {
		char c = p[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~' || c == '/' || c == ':')
			continue;
		if (c != '%' || !strchr("0123456789ABCDEF", p[i + 1]) || p[i + 1] == '\0' ||
		    !strchr("0123456789ABCDEF", p[i + 2]) || p[i + 2] == '\0')
			return false;
		i += 2;
	}
	return true;
}

static void
fuzz_pathrec_one(const uint8_t *data, size_t size)
{
	struct arena *a;
	char *path, *out, *again, **segs = NULL;
	size_t outsize, n = 0, len;

	if (size < 1)
		return;
	outsize = 1 + data[0] % (LIMIT_ANALYTICS_PATH_BYTES + 1);
	FUZZ_CHECK((a = arena_new()) != NULL);
	FUZZ_CHECK((path = malloc(size)) != NULL);
	memcpy(path, data + 1, size - 1);
	path[size - 1] = '\0';
	if (http_path_split(a, path, size - 1, &segs, &n) != ERR_OK)
		goto done;
	FUZZ_CHECK((out = malloc(outsize)) != NULL);
	len = http_path_record(segs, n, NULL, out, outsize);
	FUZZ_CHECK(len < outsize && strlen(out) == len);
	if (outsize >= 2) {
		FUZZ_CHECK(fuzz_pathrec_shape_ok(out));
		if (n == 1 && http_seg_secret(segs[0]))
			FUZZ_CHECK(strcmp(out, outsize > 7 ? "/:token" : "/") == 0);
		if (strstr(out, ":token") == NULL) {
			FUZZ_CHECK((again = malloc(outsize)) != NULL);
			FUZZ_CHECK(http_path_split(a, out, len, &segs, &n) == ERR_OK);
			http_path_record(segs, n, NULL, again, outsize);
			FUZZ_CHECK(strcmp(again, out) == 0);
			free(again);
		}
	}
	free(out);
done:
	free(path);
	arena_free(a);
}

#endif
