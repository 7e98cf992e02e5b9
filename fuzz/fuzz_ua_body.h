/*
 * fuzz_ua_body: one fuzz iteration for analytics_classify_ua. Shared by fuzz_ua.c and
 * tests/unit/test_fuzz_replay.c (see fuzz_form_body.h for how).
 *
 * The whole input (NUL bytes included) is the User-Agent, in a heap block of exactly its
 * size, so AddressSanitizer sees any over-read. Invariants (abort() if not):
 * - the family is one of the list and has a name; 0 <= major <= ANALYTICS_MAJOR_MAX;
 * - only the first LIMIT_UA_BYTES bytes count: the input cut there classifies the same;
 * - an empty input is Other, 0, bot.
 */
#ifndef FUZZ_UA_BODY_H
#define FUZZ_UA_BODY_H

#include <stdint.h>
#include <string.h>

#include "analytics/analytics.h"
#include "fuzz_check.h"

static void
fuzz_ua_one(const uint8_t *data, size_t size)
{
	struct analytics_ua a, b;
	const char *name;

	analytics_classify_ua((const char *)data, size, &a);
	FUZZ_CHECK((unsigned)a.family < ANALYTICS_FAMILY__MAX);
	name = analytics_family_name(a.family);
	FUZZ_CHECK(name != NULL && name[0] != '\0');
	FUZZ_CHECK(a.family == ANALYTICS_OTHER || strcmp(name, "Other") != 0);
	FUZZ_CHECK(a.major >= 0 && a.major <= ANALYTICS_MAJOR_MAX);
	if (size > LIMIT_UA_BYTES) {
		analytics_classify_ua((const char *)data, LIMIT_UA_BYTES, &b);
		FUZZ_CHECK(a.family == b.family && a.major == b.major && a.bot == b.bot);
	}
	if (size == 0)
		FUZZ_CHECK(a.family == ANALYTICS_OTHER && a.major == 0 && a.bot);
}

#endif
