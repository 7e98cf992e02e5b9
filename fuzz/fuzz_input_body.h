/*
 * fuzz_input_body: one fuzz iteration for the small validators that read operator and
 * member input outside HTTP: time_parse_date (CLI dates) and password_check (account
 * passwords). Shared by fuzz_input.c and tests/unit/test_fuzz_replay.c.
 *
 * The input, up to its first NUL, is offered to both. Invariants (abort() if not):
 * - time_parse_date returns ERR_OK or ERR_INVAL; on ERR_OK the date printed back as
 *   RFC 3339 starts with exactly the input and the time is midnight UTC;
 * - password_check returns ERR_OK, ERR_INVAL or ERR_TOOBIG, always with a sentence when
 *   it refuses, and never accepts fewer than LIMIT_PASSWORD_MIN_CHARS code points or
 *   invalid UTF-8.
 */
#ifndef FUZZ_INPUT_BODY_H
#define FUZZ_INPUT_BODY_H

#include <stdint.h>
#include <string.h>

#include "accounts/accounts.h"
#include "core/core.h"
#include "fuzz_check.h"

static void
fuzz_input_one(const uint8_t *data, size_t size)
{
	char *value, iso[21], msg[256];
	int64_t t = 0;
	size_t n;
	enum err e;

	FUZZ_CHECK((value = malloc(size + 1)) != NULL);
	memcpy(value, data, size);
	value[size] = '\0';
	n = strlen(value);

	e = time_parse_date(value, &t);
	FUZZ_CHECK(e == ERR_OK || e == ERR_INVAL);
	if (e == ERR_OK) {
		time_rfc3339(t, iso);
		FUZZ_CHECK(strncmp(iso, value, 10) == 0 && n == 10);
		FUZZ_CHECK(strcmp(iso + 10, "T00:00:00Z") == 0);
	}

	msg[0] = '\0';
	e = password_check(value, n, msg, sizeof(msg));
	FUZZ_CHECK(e == ERR_OK || e == ERR_INVAL || e == ERR_TOOBIG);
	if (e != ERR_OK)
		FUZZ_CHECK(msg[0] != '\0');
	else
		FUZZ_CHECK(str_utf8_valid(value, n) &&
			   str_utf8_len(value, n) >= LIMIT_PASSWORD_MIN_CHARS);
	free(value);
}

#endif
