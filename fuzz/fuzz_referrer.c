/*
 * fuzz_referrer: libFuzzer target for the analytics Referer host parser. The iteration and its
 * invariants live in fuzz_referrer_body.h, shared with tests/unit/test_fuzz_replay.c; the
 * seed corpus is fuzz/corpus/referrer/, crashes found are kept in fuzz/regress/referrer/. Run with
 * scripts/fuzz.sh.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_referrer_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_referrer_one(data, size);
	return 0;
}
