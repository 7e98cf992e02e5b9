/*
 * fuzz_forwarded_body: one fuzz iteration for http_forwarded_last (X-Forwarded-For).
 * Shared by fuzz_forwarded.c and tests/unit/test_fuzz_replay.c (see fuzz_form_body.h).
 *
 * The input, up to its first NUL, is the header value. Invariants (abort() if not):
 * - only ERR_OK, ERR_INVAL or ERR_TOOBIG; on error the output is "";
 * - on success the output is a text address inet_pton accepts, found in the input after
 *   its last comma, with no space, tab or comma in it;
 * - a buffer of exactly strlen+1 bytes is enough, one byte less is ERR_TOOBIG.
 */
#ifndef FUZZ_FORWARDED_BODY_H
#define FUZZ_FORWARDED_BODY_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "http/http.h"

static void
fuzz_forwarded_one(const uint8_t *data, size_t size)
{
	unsigned char bin[sizeof(struct in6_addr)];
	char *value, *out, *small;
	const char *comma;
	size_t n;
	enum err e;

	FUZZ_CHECK((value = malloc(size + 1)) != NULL);
	memcpy(value, data, size);
	value[size] = '\0';
	FUZZ_CHECK((out = malloc(INET6_ADDRSTRLEN)) != NULL);
	e = http_forwarded_last(value, out, INET6_ADDRSTRLEN);
	FUZZ_CHECK(e == ERR_OK || e == ERR_INVAL || e == ERR_TOOBIG);
	if (e != ERR_OK) {
		FUZZ_CHECK(out[0] == '\0');
		goto out;
	}
	n = strlen(out);
	FUZZ_CHECK(n > 0 && strpbrk(out, " \t,") == NULL);
	FUZZ_CHECK(inet_pton(AF_INET, out, bin) == 1 || inet_pton(AF_INET6, out, bin) == 1);
	comma = strrchr(value, ',');
	FUZZ_CHECK(strstr(comma ? comma + 1 : value, out) != NULL);
	FUZZ_CHECK((small = malloc(n + 1)) != NULL);
	FUZZ_CHECK(http_forwarded_last(value, small, n + 1) == ERR_OK);
	FUZZ_CHECK(strcmp(small, out) == 0);
	FUZZ_CHECK(http_forwarded_last(value, small, n) == ERR_TOOBIG);
	FUZZ_CHECK(small[0] == '\0');
	free(small);
out:
	free(out);
	free(value);
}

#endif
