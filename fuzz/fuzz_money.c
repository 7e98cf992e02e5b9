/*
 * fuzz_money: libFuzzer target for the shop's price parser (commerce_money_parse). The iteration and its
 * invariants live in fuzz_money_body.h, shared with tests/unit/test_fuzz_replay.c; the
 * seed corpus is fuzz/corpus/money/. Run with scripts/fuzz.sh.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_money_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_money_one(data, size);
	return 0;
}
