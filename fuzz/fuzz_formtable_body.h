/*
 * fuzz_formtable_body: one fuzz iteration for form_read (web/form.c), against a table
 * with one field of every kind. Shared with tests/unit/test_fuzz_replay.c as described
 * in fuzz_form_body.h.
 *
 * The input is read twice: as a urlencoded body through http_form_parse (what a handler
 * sees), and raw, as one field "name=value" split at the first '=' with the value's bytes
 * kept as they are (NULs, invalid UTF-8), which the parser would have refused. Invariants:
 * only ERR_OK or ERR_INVAL; on ERR_INVAL an empty result and a sentence naming one of the
 * labels; on ERR_OK every present value valid UTF-8 without control characters (line
 * breaks only in the multi-line field), within its length, and of its kind's shape.
 */
#ifndef FUZZ_FORMTABLE_BODY_H
#define FUZZ_FORMTABLE_BODY_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "web/web_int.h"

static const struct form_field fuzz_formtable_fields[] = {
    {"t", "Title", FORM_TEXT, 8, false, 0, 0},
    {"m", "Comment", FORM_MULTILINE, 16, false, 0, 0},
    {"u", "Username", FORM_USERNAME, LIMIT_USERNAME_MAX, false, 0, 0},
    {"e", "Email", FORM_EMAIL, LIMIT_FORM_EMAIL_BYTES, false, 0, 0},
    {"p", "Password", FORM_PASSWORD, 8, false, 0, 0},
    {"c", "Box", FORM_CHECKBOX, 0, false, 0, 0},
    {"i", "Number", FORM_INTEGER, 0, false, -5, 5},
    {"r", "Needed", FORM_TEXT, 4, true, 0, 0},
};

static void
fuzz_formtable_check(const struct http_form *f)
{
	const size_t n = sizeof(fuzz_formtable_fields) / sizeof(fuzz_formtable_fields[0]);
	struct form_values v;
	char msg[256];
	size_t i, j;
	enum err e;

	e = form_read(f, fuzz_formtable_fields, n, &v, msg, sizeof(msg));
	FUZZ_CHECK(e == ERR_OK || e == ERR_INVAL);
	if (e != ERR_OK) {
		FUZZ_CHECK(v.n == 0 && msg[0] != '\0');
		for (i = 0; i < n; i++)
			if (strncmp(msg, fuzz_formtable_fields[i].label,
				strlen(fuzz_formtable_fields[i].label)) == 0)
				break;
		FUZZ_CHECK(i < n);
		return;
	}
	FUZZ_CHECK(v.n == n && msg[0] == '\0');
	FUZZ_CHECK(v.values[n - 1].present);
	for (i = 0; i < n; i++) {
		const struct form_field *fd = &fuzz_formtable_fields[i];
		const struct form_value *x = &v.values[i];

		FUZZ_CHECK(x->text != NULL && strlen(x->text) == x->len);
		FUZZ_CHECK(x->present == (x->len > 0));
		if (!x->present)
			continue;
		FUZZ_CHECK(str_utf8_valid(x->text, x->len));
		for (j = 0; j < x->len; j++) {
			unsigned char c = (unsigned char)x->text[j];
			FUZZ_CHECK(c != 0x7f);
			FUZZ_CHECK(c >= 0x20 || (fd->kind == FORM_MULTILINE &&
			    (c == '\t' || c == '\r' || c == '\n')));
		}
		if (fd->kind != FORM_CHECKBOX && fd->kind != FORM_INTEGER)
			FUZZ_CHECK(str_utf8_len(x->text, x->len) <= fd->max_len);
		switch (fd->kind) {
		case FORM_USERNAME:
			FUZZ_CHECK(x->len >= LIMIT_USERNAME_MIN && x->len <= LIMIT_USERNAME_MAX);
			FUZZ_CHECK(strspn(x->text, "abcdefghijklmnopqrstuvwxyz"
						   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == x->len);
			break;
		case FORM_EMAIL:
			FUZZ_CHECK(strchr(x->text, '@') != NULL && strchr(x->text, ' ') == NULL);
			break;
		case FORM_CHECKBOX:
			FUZZ_CHECK(strcmp(x->text, "on") == 0);
			break;
		case FORM_INTEGER:
			FUZZ_CHECK(x->number >= fd->min && x->number <= fd->max);
			break;
		default:
			break;
		}
	}
}

static void
fuzz_formtable_one(const uint8_t *data, size_t size)
{
	struct http_form f;
	struct http_kv kv;
	struct arena *a;
	char *s, *eq;

	FUZZ_CHECK((a = arena_new()) != NULL);
	if (http_form_parse(a, (const char *)data, size, LIMIT_FORM_FIELDS, &f) == ERR_OK)
		fuzz_formtable_check(&f);
	arena_free(a);
	/* raw: one field, bytes as they are */
	FUZZ_CHECK((s = malloc(size + 1)) != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	if ((eq = memchr(s, '=', size)) != NULL) {
		*eq = '\0';
		kv.name = s;
		kv.value = eq + 1;
		kv.value_len = size - (size_t)(eq + 1 - s);
		f.fields = &kv;
		f.n = 1;
		fuzz_formtable_check(&f);
	}
	free(s);
}

#endif
