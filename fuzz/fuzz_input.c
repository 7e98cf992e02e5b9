/*
 * fuzz_input: libFuzzer target for the CLI date parser and the password rules. The
 * iteration and its invariants live in fuzz_input_body.h, shared with
 * tests/unit/test_fuzz_replay.c; the seed corpus is fuzz/corpus/input/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_input_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_input_one(data, size);
	return 0;
}
