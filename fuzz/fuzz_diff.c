/*
 * fuzz_diff: libFuzzer target for the policy line diff (policy_diff). The iteration and
 * its invariants live in fuzz_diff_body.h, shared with tests/unit/test_fuzz_replay.c;
 * the seed corpus is fuzz/corpus/diff/, crashes found go to fuzz/regress/diff/. Run
 * with scripts/fuzz.sh.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_diff_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_diff_one(data, size);
	return 0;
}
