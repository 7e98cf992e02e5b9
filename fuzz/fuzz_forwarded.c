/*
 * fuzz_forwarded: libFuzzer target for the X-Forwarded-For parser (http_forwarded_last).
 * The iteration and its invariants live in fuzz_forwarded_body.h, shared with
 * tests/unit/test_fuzz_replay.c; the seed corpus is fuzz/corpus/forwarded/, crashes
 * found are kept in fuzz/regress/forwarded/. Run with scripts/fuzz.sh.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_forwarded_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_forwarded_one(data, size);
	return 0;
}
