/*
 * fuzz_path: libFuzzer target for the http path parser. The iteration and its invariants
 * live in fuzz_path_body.h, shared with tests/unit/test_fuzz_replay.c; the seed corpus
 * is fuzz/corpus/path/, crashes found are kept in fuzz/regress/path/. Run with
 * scripts/fuzz.sh.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_path_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_path_one(data, size);
	return 0;
}
