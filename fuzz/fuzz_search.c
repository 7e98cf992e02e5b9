/*
 * fuzz_search: libFuzzer target for the search-query sanitiser (search_terms), which
 * turns anything typed into /search?q= into plain terms for FTS5 and plainto_tsquery.
 * The iteration and its invariants live in fuzz_search_body.h, shared with
 * tests/unit/test_fuzz_replay.c; the seed corpus is fuzz/corpus/search/, crashes found
 * are kept in fuzz/regress/search/. Run with scripts/fuzz.sh.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_search_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_search_one(data, size);
	return 0;
}
