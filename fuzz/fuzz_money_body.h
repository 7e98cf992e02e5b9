/*
 * fuzz_money_body: one fuzz iteration for commerce_money_parse, the price an admin types
 * at /admin/shop. Shared by fuzz_money.c and tests/unit/test_fuzz_replay.c.
 *
 * The input's first line is the currency, the rest the amount (each copied into a heap
 * block of exactly its length plus the NUL). Invariants (abort() if not):
 * - ERR_OK or ERR_INVAL only;
 * - on ERR_OK 0 <= minor <= LIMIT_PRICE_MAX, and formatting then parsing the number part
 *   gives the same minor units (the exponent is respected both ways).
 */
#ifndef FUZZ_MONEY_BODY_H
#define FUZZ_MONEY_BODY_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "commerce/commerce.h"
#include "core/limits.h"
#include "fuzz_check.h"

static void
fuzz_money_one(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t nc = nl ? (size_t)(nl - data) : 0, na = size - (nl ? nc + 1 : 0);
	char *cur, *amt, out[64];
	int64_t minor = -1, again = -1;
	enum err e;

	FUZZ_CHECK((cur = malloc(nc + 1)) != NULL);
	FUZZ_CHECK((amt = malloc(na + 1)) != NULL);
	memcpy(cur, data, nc);
	cur[nc] = '\0';
	memcpy(amt, nl ? nl + 1 : data, na);
	amt[na] = '\0';
	e = commerce_money_parse(amt, cur, &minor);
	FUZZ_CHECK(e == ERR_OK || e == ERR_INVAL);
	if (e == ERR_OK) {
		FUZZ_CHECK(minor >= 0 && minor <= LIMIT_PRICE_MAX);
		commerce_money_format(minor, cur, out, sizeof(out));
		FUZZ_CHECK(strchr(out, ' ') != NULL);
		*strchr(out, ' ') = '\0';
		FUZZ_CHECK(commerce_money_parse(out, cur, &again) == ERR_OK);
		FUZZ_CHECK(again == minor);
	}
	free(amt);
	free(cur);
}

#endif
