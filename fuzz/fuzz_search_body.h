/*
 * fuzz_search_body: one fuzz iteration for search_terms (sites/search.c). Shared by
 * fuzz_search.c and tests/unit/test_fuzz_replay.c (see fuzz_form_body.h).
 *
 * The input (all of it, NULs included: the length is passed) is the query. Invariants
 * (abort() if not):
 * - the output is valid UTF-8 of terms separated by single spaces, with no leading or
 *   trailing space; the return value is the number of terms, at most LIMIT_SEARCH_TERMS;
 * - a term holds only a-z, 0-9 and non-ASCII characters (no quote, star, colon,
 *   parenthesis, operator character, capital or control byte), at most
 *   LIMIT_SEARCH_TERM_BYTES bytes;
 * - every term occurs in the input (ignoring ASCII case) unless it was cut;
 * - an output buffer of any size, down to 1 byte, is never overrun and always ends
 *   in NUL (checked with exact-size heap blocks).
 */
#ifndef FUZZ_SEARCH_BODY_H
#define FUZZ_SEARCH_BODY_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "sites/sites.h"

static void
fuzz_search_one(const uint8_t *data, size_t size)
{
	char *q, *out, *small;
	size_t n, len, i, terms, termlen = 0, k;

	FUZZ_CHECK((q = malloc(size ? size : 1)) != NULL);
	memcpy(q, data, size);
	FUZZ_CHECK((out = malloc(SEARCH_TERMS_SIZE)) != NULL);
	n = search_terms(q, size, out, SEARCH_TERMS_SIZE);
	FUZZ_CHECK(n <= LIMIT_SEARCH_TERMS);
	len = strlen(out);
	FUZZ_CHECK(len < SEARCH_TERMS_SIZE);
	FUZZ_CHECK(str_utf8_valid(out, len));
	FUZZ_CHECK(n == 0 ? len == 0 : (out[0] != ' ' && out[len - 1] != ' '));
	for (i = 0, terms = len ? 1 : 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];
		if (c == ' ') {
			FUZZ_CHECK(out[i + 1] != ' ');
			terms++;
			termlen = 0;
			continue;
		}
		FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80);
		FUZZ_CHECK(++termlen <= LIMIT_SEARCH_TERM_BYTES);
	}
	FUZZ_CHECK(terms == n);
	/* smaller buffers: never overrun, always terminated */
	for (k = 1; k <= 8 && k < SEARCH_TERMS_SIZE; k++) {
		FUZZ_CHECK((small = malloc(k)) != NULL);
		(void)search_terms(q, size, small, k);
		FUZZ_CHECK(strlen(small) < k);
		FUZZ_CHECK(str_utf8_valid(small, strlen(small)));
		free(small);
	}
	free(out);
	free(q);
}

#endif
