/*
 * fuzz_csrf_body: one fuzz iteration for csrf_check (web/csrf.c). Shared with
 * tests/unit/test_fuzz_replay.c as described in fuzz_form_body.h.
 *
 * The input, cut at its first NUL, is offered as a token for ("example.org", "signup")
 * under a fixed key that never mints tokens: it must be refused (ERR_DENIED) -- nobody
 * without the key can make a passing token -- and never crash. Then a real token is made
 * under a second key for a site and form cut from the input and must pass for exactly
 * them and be refused for the other pair. The seeds hold real tokens under the minting
 * key, one character off (a flipped last byte, padding, a NUL inside): judged under
 * that key, libFuzzer mutated one back into the real token within seconds -- a harness
 * flaw, not a csrf one -- so forgery is judged under a key no seed or mint ever used.
 */
#ifndef FUZZ_CSRF_BODY_H
#define FUZZ_CSRF_BODY_H

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "web/web_int.h"

#define FUZZ_CSRF_NOW ((int64_t)1790000000)

static void
fuzz_csrf_one(const uint8_t *data, size_t size)
{
	/* Two keys: tokens minted below (under mint) are real tokens the fuzzer can learn
	 * from the process; forgery is judged under a key that never mints anything. */
	static const unsigned char key[CSRF_KEY_BYTES] = "fuzz-csrf-judge-never-minted-01";
	static const unsigned char mint[CSRF_KEY_BYTES] = "fuzz-csrf-key-not-a-secret-0123";
	char tok[CSRF_TOKEN_LEN + 1], *s, *site, *form;
	size_t cut;

	FUZZ_CHECK(sodium_init() >= 0);
	FUZZ_CHECK((s = malloc(size + 1)) != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	FUZZ_CHECK(csrf_check(key, "example.org", "signup", s, FUZZ_CSRF_NOW) == ERR_DENIED);
	FUZZ_CHECK(csrf_check(key, "example.org", "signup", s, INT64_MAX) == ERR_DENIED);
	/* site = bytes before the first '|', form = the rest (both up to the NUL) */
	site = s;
	form = strchr(s, '|');
	if (form != NULL) {
		*form++ = '\0';
		cut = strlen(site);
		if (csrf_token(mint, site, form, FUZZ_CSRF_NOW, tok) == ERR_OK) {
			FUZZ_CHECK(strlen(tok) == CSRF_TOKEN_LEN);
			FUZZ_CHECK(csrf_check(mint, site, form, tok, FUZZ_CSRF_NOW) == ERR_OK);
			FUZZ_CHECK(csrf_check(mint, form, site, tok, FUZZ_CSRF_NOW) ==
			    (strcmp(site, form) == 0 ? ERR_OK : ERR_DENIED));
			FUZZ_CHECK(csrf_check(mint, site, form, tok,
			    FUZZ_CSRF_NOW + LIMIT_CSRF_TTL_S + 1) == ERR_DENIED);
		} else {
			FUZZ_CHECK(cut == 0 || *form == '\0' || cut > LIMIT_HOST_BYTES ||
			    strlen(form) > LIMIT_FORM_NAME);
			FUZZ_CHECK(tok[0] == '\0');
		}
	}
	free(s);
}

#endif
