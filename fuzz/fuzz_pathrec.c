/*
 * fuzz_pathrec: libFuzzer target for http_path_record, the path analytics records. The
 * iteration and its invariants live in fuzz_pathrec_body.h, shared with
 * tests/unit/test_fuzz_replay.c; the seed corpus is fuzz/corpus/pathrec/. Run with
 * scripts/fuzz.sh.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_pathrec_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_pathrec_one(data, size);
	return 0;
}
