/*
 * fuzz_host_body: one fuzz iteration for http_host_parse. Shared by fuzz_host.c and
 * tests/unit/test_fuzz_replay.c (see fuzz_form_body.h for how).
 *
 * The input, up to its first NUL, is the Host value. The output buffer is a heap block
 * of exactly the size passed, so AddressSanitizer sees any overrun. Invariants (abort()
 * if not):
 * - only ERR_OK, ERR_INVAL or ERR_TOOBIG; on error the output is "";
 * - the output is 1..LIMIT_HOST_BYTES bytes, either of [a-z0-9.-] with no empty label
 *   and no trailing dot, or '[' [0-9a-f:.]+ ']';
 * - parsing the output again gives the output (normalisation is idempotent);
 * - an output buffer of exactly strlen+1 bytes is enough, one byte less is ERR_TOOBIG.
 */
#ifndef FUZZ_HOST_BODY_H
#define FUZZ_HOST_BODY_H

#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "http/http.h"

static bool
fuzz_host_shape_ok(const char *h)
{
	size_t n = strlen(h), i;

	if (n == 0 || n > LIMIT_HOST_BYTES)
		return false;
	if (h[0] == '[') {
		if (n < 3 || h[n - 1] != ']')
			return false;
		for (i = 1; i < n - 1; i++)
			if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f') ||
			      h[i] == ':' || h[i] == '.'))
				return false;
		return true;
	}
	if (h[0] == '.' || h[n - 1] == '.' || strstr(h, "..") != NULL)
		return false;
	for (i = 0; i < n; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= '0' && h[i] <= '9') || h[i] == '.' ||
		      h[i] == '-'))
			return false;
	return true;
}

static void
fuzz_host_one(const uint8_t *data, size_t size)
{
	char *value, *out, *again;
	size_t n;
	enum err e;

	FUZZ_CHECK((value = malloc(size + 1)) != NULL);
	memcpy(value, data, size);
	value[size] = '\0';
	FUZZ_CHECK((out = malloc(LIMIT_HOST_BYTES + 1)) != NULL);
	e = http_host_parse(value, out, LIMIT_HOST_BYTES + 1);
	FUZZ_CHECK(e == ERR_OK || e == ERR_INVAL || e == ERR_TOOBIG);
	if (e != ERR_OK) {
		FUZZ_CHECK(out[0] == '\0');
		goto out;
	}
	FUZZ_CHECK(fuzz_host_shape_ok(out));
	n = strlen(out);
	FUZZ_CHECK((again = malloc(n + 1)) != NULL);
	FUZZ_CHECK(http_host_parse(out, again, n + 1) == ERR_OK);
	FUZZ_CHECK(strcmp(again, out) == 0);
	FUZZ_CHECK(http_host_parse(value, again, n) == ERR_TOOBIG);
	FUZZ_CHECK(n == 0 || again[0] == '\0');
	free(again);
out:
	free(out);
	free(value);
}

#endif
