/*
 * fuzz_ua: libFuzzer target for the analytics User-Agent classifier. The iteration and its
 * invariants live in fuzz_ua_body.h, shared with tests/unit/test_fuzz_replay.c; the
 * seed corpus is fuzz/corpus/ua/, crashes found are kept in fuzz/regress/ua/. Run with
 * scripts/fuzz.sh.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_ua_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_ua_one(data, size);
	return 0;
}
