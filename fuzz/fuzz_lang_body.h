/*
 * fuzz_lang_body: one fuzz iteration for analytics_language. Shared by fuzz_lang.c and
 * tests/unit/test_fuzz_replay.c (see fuzz_form_body.h for how).
 *
 * The whole input (NUL bytes included) is the Accept-Language value, in a heap block of
 * exactly its size; the output is a heap block of exactly ANALYTICS_LANG_BYTES, so
 * AddressSanitizer sees any overrun. Invariants (abort() if not):
 * - the language is "" or 2..8 lower-case ASCII letters;
 * - a non-empty language occurs, ignoring case, in the input;
 * - parsing the language alone gives it back (it is a well-formed range).
 */
#ifndef FUZZ_LANG_BODY_H
#define FUZZ_LANG_BODY_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analytics/analytics.h"
#include "fuzz_check.h"

static void
fuzz_lang_one(const uint8_t *data, size_t size)
{
	char *out, *again;
	size_t n, i;
	bool found = false;

	FUZZ_CHECK((out = malloc(ANALYTICS_LANG_BYTES)) != NULL);
	FUZZ_CHECK((again = malloc(ANALYTICS_LANG_BYTES)) != NULL);
	analytics_language((const char *)data, size, out);
	n = strnlen(out, ANALYTICS_LANG_BYTES);
	FUZZ_CHECK(n < ANALYTICS_LANG_BYTES);
	FUZZ_CHECK(n == 0 || (n >= 2 && n <= 8));
	for (i = 0; i < n; i++)
		FUZZ_CHECK(out[i] >= 'a' && out[i] <= 'z');
	if (n > 0) {
		for (i = 0; i + n <= size && !found; i++)
			found = strncasecmp((const char *)data + i, out, n) == 0;
		FUZZ_CHECK(found);
		analytics_language(out, n, again);
		FUZZ_CHECK(strcmp(again, out) == 0);
	}
	free(again);
	free(out);
}

#endif
