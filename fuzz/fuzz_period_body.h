/*
 * fuzz_period_body: one fuzz iteration for report_period_parse, the period of the
 * analytics dashboards and `candor report`. Shared by fuzz_period.c and
 * tests/unit/test_fuzz_replay.c (see fuzz_form_body.h for how).
 *
 * The input is split at its first two newlines into range, from and to (each copied into
 * a heap block of exactly its length plus the NUL, so AddressSanitizer sees an overrun;
 * a NUL byte inside ends that string early, as a C caller would see it). Invariants
 * (abort() if not):
 * - ERR_OK or ERR_INVAL, nothing else; on ERR_INVAL a sentence and a zeroed period;
 * - on ERR_OK from <= to and the period is at most LIMIT_REPORT_DAYS days; range is 0,
 *   7, 30 or 90; a range ends today and is range days long;
 * - a custom period writes its dates back exactly as given.
 */
#ifndef FUZZ_PERIOD_BODY_H
#define FUZZ_PERIOD_BODY_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/report.h"
#include "fuzz_check.h"

static char *
fuzz_period_part(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = (size_t)((nl ? nl : end) - *p);
	char *s;

	FUZZ_CHECK((s = malloc(n + 1)) != NULL);
	memcpy(s, *p, n);
	s[n] = '\0';
	*p = nl ? nl + 1 : end;
	return s;
}

static void
fuzz_period_one(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	const int64_t today = 20417; /* 2025-11-25 */
	struct report_period per;
	char *range, *from, *to, msg[200], day[11];
	enum err e;

	range = fuzz_period_part(&p, end);
	from = fuzz_period_part(&p, end);
	to = fuzz_period_part(&p, end);
	msg[0] = '\0';
	e = report_period_parse(range, from, to, today, &per, msg, sizeof(msg));
	FUZZ_CHECK(e == ERR_OK || e == ERR_INVAL);
	if (e == ERR_INVAL) {
		FUZZ_CHECK(msg[0] != '\0');
		FUZZ_CHECK(per.from == 0 && per.to == 0 && per.range == 0);
	} else {
		FUZZ_CHECK(per.from <= per.to);
		FUZZ_CHECK(per.to - per.from + 1 <= LIMIT_REPORT_DAYS);
		FUZZ_CHECK(per.range == 0 || per.range == 7 || per.range == 30 || per.range == 90);
		if (per.range) {
			FUZZ_CHECK(per.to == today && per.to - per.from + 1 == per.range);
		} else {
			report_day_text(per.from, day);
			FUZZ_CHECK(strcmp(day, from) == 0);
			report_day_text(per.to, day);
			FUZZ_CHECK(strcmp(day, to) == 0);
		}
	}
	free(to);
	free(from);
	free(range);
}

#endif
