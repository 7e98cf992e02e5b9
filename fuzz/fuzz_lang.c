/*
 * fuzz_lang: libFuzzer target for the analytics Accept-Language parser. The iteration and its
 * invariants live in fuzz_lang_body.h, shared with tests/unit/test_fuzz_replay.c; the
 * seed corpus is fuzz/corpus/lang/, crashes found are kept in fuzz/regress/lang/. Run with
 * scripts/fuzz.sh.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_lang_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_lang_one(data, size);
	return 0;
}
