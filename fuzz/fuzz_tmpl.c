/*
 * fuzz_tmpl: libFuzzer target for the template compiler and renderer. The input is split
 * at NUL bytes into up to FUZZ_TMPL_MAX templates named "main", "a", "b", ... so that
 * partials, recursion and layouts are reachable; each is compiled as one set and, when
 * the set compiles, every template is rendered with a fixed context full of hostile
 * values, and "main" is rendered inside layout "a".
 *
 * Invariants (abort() if not): a set either compiles or names a template in its error;
 * rendering a compiled template returns ERR_OK and is deterministic; a template without
 * any "{{" renders as itself. tests/unit/test_tmpl.c includes this file and replays
 * fuzz/corpus/tmpl/ through fuzz_tmpl_one() in every ctest run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/tmpl.h"

#define FUZZ_TMPL_MAX 8

#define FUZZ_TMPL_CHECK(c)                                                                         \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__,     \
			        #c);                                                               \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The context every fuzzed template renders with. */
static struct tmpl_val *
fuzz_tmpl_ctx(struct arena *a)
{
	struct tmpl_val *ctx, *list, *item, *obj;
	int i;

	ctx = tmpl_obj(a);
	tmpl_set_str(ctx, "title", "<script>alert(1)</script> & \"q\" 'a'");
	tmpl_set_str(ctx, "url", "javascript:alert(1)");
	tmpl_set_str(ctx, "a", " java\tscript:x");
	tmpl_set_str(ctx, "b", "https://example.com/caf\xc3\xa9?x=1&y=\"2\"");
	tmpl_set_str(ctx, "c", "/rel path");
	tmpl_set_str(ctx, "empty", "");
	tmpl_set_html(ctx, "body", "<p>ok</p>");
	tmpl_set_html(ctx, "content", "<b>preset</b>");
	tmpl_set_int(ctx, "n", -9223372036854775807LL - 1);
	tmpl_set_int(ctx, "zero", 0);
	tmpl_set_bool(ctx, "t", true);
	tmpl_set_bool(ctx, "f", false);
	list = tmpl_set_list(ctx, "list");
	for (i = 0; i < 3; i++) {
		item = tmpl_list_add(list);
		tmpl_set_int(item, "i", i);
		tmpl_set_str(item, "url", i == 1 ? "data:text/html,x" : "/p");
		obj = tmpl_set_obj(item, "o");
		tmpl_set_str(obj, "title", "inner");
		tmpl_set_list(obj, "list");
	}
	tmpl_set_list(ctx, "none");
	obj = tmpl_set_obj(ctx, "o");
	tmpl_set_str(obj, "x", "<x>");
	obj = tmpl_set_obj(obj, "o");
	tmpl_set_str(obj, "x", "deep");
	return ctx;
}

/* One fuzz iteration: see the file comment. */
static void
fuzz_tmpl_one(const uint8_t *data, size_t size)
{
	static const char *const names[FUZZ_TMPL_MAX] = {"main", "a", "b", "c", "d", "e", "f", "g"};
	const char *texts[FUZZ_TMPL_MAX];
	struct tmpl_set *set;
	struct tmpl_val *ctx;
	struct arena *a;
	struct buf out, again;
	char err[256], *copy, *p, *end;
	size_t n = 0, i;

	FUZZ_TMPL_CHECK((copy = malloc(size + 1)) != NULL);
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (p = copy, end = copy + size; n < FUZZ_TMPL_MAX; p += strlen(p) + 1) {
		texts[n++] = p;
		if (p + strlen(p) >= end)
			break;
	}
	FUZZ_TMPL_CHECK((a = arena_new()) != NULL);
	ctx = fuzz_tmpl_ctx(a);
	buf_init(&out);
	buf_init(&again);
	set = tmpl_set_from_strings(names, texts, n, err, sizeof(err));
	if (set == NULL) {
		FUZZ_TMPL_CHECK(strncmp(err, "template '", 10) == 0);
		goto out;
	}
	for (i = 0; i < n; i++) {
		FUZZ_TMPL_CHECK(tmpl_exists(set, names[i]));
		buf_reset(&out);
		buf_reset(&again);
		FUZZ_TMPL_CHECK(tmpl_render(set, names[i], ctx, &out) == ERR_OK);
		FUZZ_TMPL_CHECK(tmpl_render(set, names[i], ctx, &again) == ERR_OK);
		FUZZ_TMPL_CHECK(out.len == again.len);
		FUZZ_TMPL_CHECK(out.len == 0 || memcmp(out.data, again.data, out.len) == 0);
		if (strstr(texts[i], "{{") == NULL)
			FUZZ_TMPL_CHECK(out.len == strlen(texts[i]) &&
			                (out.len == 0 || memcmp(out.data, texts[i], out.len) == 0));
	}
	if (n > 1) {
		buf_reset(&out);
		FUZZ_TMPL_CHECK(tmpl_render_layout(set, "a", "main", ctx, &out) == ERR_OK);
	}
out:
	tmpl_set_free(set);
	buf_free(&out);
	buf_free(&again);
	arena_free(a);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_tmpl_one(data, size);
	return 0;
}
