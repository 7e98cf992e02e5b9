/*
 * fuzz_shopsig_body: one fuzz iteration for the hosted provider's webhook signature
 * header (commerce_sig_parse) and the check around it (commerce_sig_check). Shared by
 * fuzz_shopsig.c and tests/unit/test_fuzz_replay.c.
 *
 * The input's first line is the header, the rest the body (heap blocks of exact size).
 * Invariants (abort() if not):
 * - parse answers ERR_OK or ERR_INVAL; ERR_OK only with a t= and a 64-hex v1= pair;
 * - the check answers ERR_OK or ERR_DENIED with a sentence; it is ERR_OK only when the
 *   header parses, its time is within the window and its MAC is the body's under the
 *   secret (recomputed here);
 * - a header built from the body's own MAC at a time inside the window passes.
 */
#ifndef FUZZ_SHOPSIG_BODY_H
#define FUZZ_SHOPSIG_BODY_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commerce/commerce.h"
#include "core/limits.h"
#include "fuzz_check.h"

static void
fuzz_shopsig_one(const uint8_t *data, size_t size)
{
	static const char secret[] = "fuzz-secret-0123456789abcdef";
	const int64_t now = 1764000000;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t nh = nl ? (size_t)(nl - data) : size, nb = nl ? size - nh - 1 : 0, i;
	unsigned char mac[32], want[32];
	char *hdr, *body, msg[160], good[200], hex[65];
	int64_t t = 0;
	enum err pe, ce;

	FUZZ_CHECK((hdr = malloc(nh + 1)) != NULL);
	FUZZ_CHECK((body = malloc(nb + 1)) != NULL);
	memcpy(hdr, data, nh);
	hdr[nh] = '\0';
	if (nb)
		memcpy(body, nl + 1, nb);
	body[nb] = '\0';
	pe = commerce_sig_parse(hdr, &t, mac);
	FUZZ_CHECK(pe == ERR_OK || pe == ERR_INVAL);
	msg[0] = '\0';
	ce = commerce_sig_check(secret, hdr, body, nb, now, msg, sizeof(msg));
	FUZZ_CHECK(ce == ERR_OK || ce == ERR_DENIED);
	if (ce == ERR_DENIED)
		FUZZ_CHECK(msg[0] != '\0');
	if (ce == ERR_OK) {
		FUZZ_CHECK(pe == ERR_OK);
		FUZZ_CHECK(t >= now - LIMIT_WEBHOOK_WINDOW_S && t <= now + LIMIT_WEBHOOK_WINDOW_S);
		commerce_sig_compute(secret, t, body, nb, want);
		FUZZ_CHECK(memcmp(mac, want, 32) == 0);
	}
	commerce_sig_compute(secret, now - 1, body, nb, want);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", want[i]);
	snprintf(good, sizeof(good), "t=%lld,v1=%s", (long long)(now - 1), hex);
	FUZZ_CHECK(commerce_sig_check(secret, good, body, nb, now, msg, sizeof(msg)) == ERR_OK);
	free(body);
	free(hdr);
}

#endif
