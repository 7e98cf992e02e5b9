/*
 * fuzz_form_body: one fuzz iteration for http_form_parse and http_url_encode.
 *
 * How the fuzz bodies are shared: each parser's iteration is a static function
 * fuzz_NAME_one(data, size) in fuzz/fuzz_NAME_body.h. fuzz/fuzz_NAME.c includes it
 * and calls it from LLVMFuzzerTestOneInput; tests/unit/test_fuzz_replay.c includes the
 * same header and calls it on every file of fuzz/corpus/NAME/ and fuzz/regress/NAME/,
 * so a crash once found is replayed by every ctest run, with the same checks.
 *
 * Each iteration uses a fresh arena and abort()s (FUZZ_CHECK) when an invariant fails:
 * - only ERR_OK, ERR_INVAL or ERR_TOOBIG, and on error an empty form;
 * - at most max_fields fields; names non-empty, at most LIMIT_FORM_NAME bytes;
 * - names and values NUL-terminated valid UTF-8 without NUL, value_len exact;
 * - encoding every field with http_url_encode and parsing again gives the same form.
 * The first input byte picks max_fields (0..LIMIT_FORM_FIELDS), the rest is the form.
 */
#ifndef FUZZ_FORM_BODY_H
#define FUZZ_FORM_BODY_H

#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "http/http.h"

static void
fuzz_form_one(const uint8_t *data, size_t size)
{
	struct http_form f, g;
	struct arena *a;
	struct buf b;
	size_t max, i;
	enum err e;

	if (size == 0)
		return;
	max = data[0] % (LIMIT_FORM_FIELDS + 1);
	FUZZ_CHECK((a = arena_new()) != NULL);
	e = http_form_parse(a, (const char *)data + 1, size - 1, max, &f);
	FUZZ_CHECK(e == ERR_OK || e == ERR_INVAL || e == ERR_TOOBIG);
	if (e != ERR_OK) {
		FUZZ_CHECK(f.n == 0 && f.fields == NULL);
		arena_free(a);
		return;
	}
	FUZZ_CHECK(f.n <= max);
	buf_init(&b);
	for (i = 0; i < f.n; i++) {
		const struct http_kv *kv = &f.fields[i];
		size_t nlen = strlen(kv->name);

		FUZZ_CHECK(nlen > 0 && nlen <= LIMIT_FORM_NAME);
		FUZZ_CHECK(str_utf8_valid(kv->name, nlen));
		FUZZ_CHECK(strlen(kv->value) == kv->value_len);
		FUZZ_CHECK(str_utf8_valid(kv->value, kv->value_len));
		FUZZ_CHECK(http_form_get(&f, kv->name) != NULL);
		if (i > 0)
			buf_putc(&b, '&');
		http_url_encode(&b, kv->name);
		buf_putc(&b, '=');
		http_url_encode(&b, kv->value);
	}
	FUZZ_CHECK(!b.failed);
	if (f.n > 0) {
		FUZZ_CHECK(http_form_parse(a, b.data, b.len, max, &g) == ERR_OK);
		FUZZ_CHECK(g.n == f.n);
		for (i = 0; i < f.n; i++) {
			FUZZ_CHECK(strcmp(g.fields[i].name, f.fields[i].name) == 0);
			FUZZ_CHECK(g.fields[i].value_len == f.fields[i].value_len);
			FUZZ_CHECK(memcmp(g.fields[i].value, f.fields[i].value,
			                  f.fields[i].value_len) == 0);
		}
	}
	buf_free(&b);
	arena_free(a);
}

#endif
