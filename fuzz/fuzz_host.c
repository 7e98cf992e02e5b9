/*
 * fuzz_host: libFuzzer target for the http host parser. The iteration and its invariants
 * live in fuzz_host_body.h, shared with tests/unit/test_fuzz_replay.c; the seed corpus
 * is fuzz/corpus/host/, crashes found are kept in fuzz/regress/host/. Run with
 * scripts/fuzz.sh.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_host_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_host_one(data, size);
	return 0;
}
