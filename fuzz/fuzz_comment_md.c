/*
 * fuzz_comment_md: libFuzzer target for the comment renderer (markdown_to_html_ugc).
 * The iteration and its invariants live in fuzz_comment_md_body.h, shared with
 * tests/unit/test_fuzz_replay.c; the seed corpus is fuzz/corpus/comment_md/, crashes
 * found are kept in fuzz/regress/comment_md/. Run with scripts/fuzz.sh.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_comment_md_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_comment_md_one(data, size);
	return 0;
}
