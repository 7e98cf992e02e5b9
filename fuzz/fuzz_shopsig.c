/*
 * fuzz_shopsig: libFuzzer target for the shop's webhook signature header (commerce_sig_parse, commerce_sig_check). The iteration and its
 * invariants live in fuzz_shopsig_body.h, shared with tests/unit/test_fuzz_replay.c; the
 * seed corpus is fuzz/corpus/shopsig/. Run with scripts/fuzz.sh.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_shopsig_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_shopsig_one(data, size);
	return 0;
}
