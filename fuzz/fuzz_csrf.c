/*
 * fuzz_csrf: libFuzzer target for the CSRF token check. The iteration and its invariants
 * live in fuzz_csrf_body.h, shared with tests/unit/test_fuzz_replay.c; the seed corpus
 * is fuzz/corpus/csrf/, crashes found are kept in fuzz/regress/csrf/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_csrf_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_csrf_one(data, size);
	return 0;
}
