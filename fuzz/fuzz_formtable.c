/*
 * fuzz_formtable: libFuzzer target for the declared form tables (form_read). The
 * iteration and its invariants live in fuzz_formtable_body.h, shared with
 * tests/unit/test_fuzz_replay.c; the seed corpus is fuzz/corpus/formtable/, crashes
 * found are kept in fuzz/regress/formtable/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_formtable_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_formtable_one(data, size);
	return 0;
}
