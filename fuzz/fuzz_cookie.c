/*
 * fuzz_cookie: libFuzzer target for the http cookie parser. The iteration and its invariants
 * live in fuzz_cookie_body.h, shared with tests/unit/test_fuzz_replay.c; the seed corpus
 * is fuzz/corpus/cookie/, crashes found are kept in fuzz/regress/cookie/. Run with
 * scripts/fuzz.sh.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_cookie_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_cookie_one(data, size);
	return 0;
}
