/*
 * fuzz_period: libFuzzer target for the analytics report period parser. The iteration and its
 * invariants live in fuzz_period_body.h, shared with tests/unit/test_fuzz_replay.c; the
 * seed corpus is fuzz/corpus/period/, crashes found are kept in fuzz/regress/period/. Run with
 * scripts/fuzz.sh.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_period_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_period_one(data, size);
	return 0;
}
