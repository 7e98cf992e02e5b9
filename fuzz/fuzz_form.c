/*
 * fuzz_form: libFuzzer target for the http form parser. The iteration and its invariants
 * live in fuzz_form_body.h, shared with tests/unit/test_fuzz_replay.c; the seed corpus
 * is fuzz/corpus/form/, crashes found are kept in fuzz/regress/form/. Run with
 * scripts/fuzz.sh.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_form_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_form_one(data, size);
	return 0;
}
