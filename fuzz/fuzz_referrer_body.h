/*
 * fuzz_referrer_body: one fuzz iteration for analytics_referrer_host. Shared by
 * fuzz_referrer.c and tests/unit/test_fuzz_replay.c (see fuzz_form_body.h for how).
 *
 * The whole input (NUL bytes included) is the Referer value, in a heap block of exactly
 * its size; the output is a heap block of exactly ANALYTICS_HOST_BYTES, so
 * AddressSanitizer sees any overrun. Invariants (abort() if not):
 * - the host is "" or 1..LIMIT_HOST_BYTES bytes: either labels of 1..63 [a-z0-9-]
 *   joined by single dots, with no leading or trailing dot, or '[' [0-9a-f:.]+ ']';
 * - "http://" + host + "/" gives the host back (the output is normalised).
 */
#ifndef FUZZ_REFERRER_BODY_H
#define FUZZ_REFERRER_BODY_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics.h"
#include "fuzz_check.h"

static bool
fuzz_referrer_shape_ok(const char *h)
{
	size_t n = strlen(h), i, label = 0;

	if (n > LIMIT_HOST_BYTES)
		return false;
	if (n == 0)
		return true;
	if (h[0] == '[') {
		if (n < 3 || h[n - 1] != ']')
			return false;
		for (i = 1; i < n - 1; i++)
			if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f') ||
			      h[i] == ':' || h[i] == '.'))
				return false;
		return true;
	}
	for (i = 0; i < n; i++) {
		if (h[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if ((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= '0' && h[i] <= '9') ||
			   h[i] == '-') {
			if (++label > 63)
				return false;
		} else
			return false;
	}
	return label > 0;
}

static void
fuzz_referrer_one(const uint8_t *data, size_t size)
{
	char *out, *url, *again;
	size_t n;

	FUZZ_CHECK((out = malloc(ANALYTICS_HOST_BYTES)) != NULL);
	analytics_referrer_host((const char *)data, size, out);
	n = strnlen(out, ANALYTICS_HOST_BYTES);
	FUZZ_CHECK(n < ANALYTICS_HOST_BYTES);
	FUZZ_CHECK(fuzz_referrer_shape_ok(out));
	if (n > 0) {
		FUZZ_CHECK((url = malloc(n + 8)) != NULL);
		FUZZ_CHECK((again = malloc(ANALYTICS_HOST_BYTES)) != NULL);
		memcpy(url, "http://", 7);
		memcpy(url + 7, out, n);
		url[n + 7] = '/';
		analytics_referrer_host(url, n + 8, again);
		FUZZ_CHECK(strcmp(again, out) == 0);
		free(again);
		free(url);
	}
	free(out);
}

#endif
