/*
 * fuzz_cookie_body: one fuzz iteration for http_cookie_parse. Shared by fuzz_cookie.c
 * and tests/unit/test_fuzz_replay.c (see fuzz_form_body.h for how).
 *
 * The input, up to its first NUL, is the Cookie header. Invariants (abort() if not):
 * - only ERR_OK, ERR_INVAL or ERR_TOOBIG, and on error no cookies;
 * - ERR_INVAL only when the header holds a control character other than HTAB,
 *   and ERR_OK never when it does;
 * - at most LIMIT_COOKIES cookies; names 1..LIMIT_COOKIE_NAME token characters;
 *   values at most LIMIT_COOKIE_VALUE cookie-octets (so printable ASCII, no NUL), with
 *   value_len exact;
 * - writing the cookies back as "n=v; n=v" and parsing again gives the same list.
 */
#ifndef FUZZ_COOKIE_BODY_H
#define FUZZ_COOKIE_BODY_H

#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "http/http.h"

static bool
fuzz_cookie_is_token(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("!#$%&'*+-.^_`|~", *s) != NULL))
			return false;
	return true;
}

static bool
fuzz_cookie_is_value(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    strchr("\",;\\", *s) != NULL)
			return false;
	return true;
}

static void
fuzz_cookie_one(const uint8_t *data, size_t size)
{
	struct http_form f, g;
	struct arena *a;
	struct buf b;
	char *header;
	bool ctl = false;
	size_t i, nlen;
	enum err e;

	FUZZ_CHECK((header = malloc(size + 1)) != NULL);
	memcpy(header, data, size);
	header[size] = '\0';
	for (i = 0; header[i] != '\0'; i++)
		if (((unsigned char)header[i] < 0x20 && header[i] != '\t') || header[i] == 0x7f)
			ctl = true;
	FUZZ_CHECK((a = arena_new()) != NULL);
	e = http_cookie_parse(a, header, &f);
	FUZZ_CHECK(e == ERR_OK || e == ERR_INVAL || e == ERR_TOOBIG);
	FUZZ_CHECK(ctl ? e != ERR_OK : e != ERR_INVAL);
	if (e != ERR_OK) {
		FUZZ_CHECK(f.n == 0 && f.fields == NULL);
		goto out;
	}
	FUZZ_CHECK(f.n <= LIMIT_COOKIES);
	buf_init(&b);
	for (i = 0; i < f.n; i++) {
		nlen = strlen(f.fields[i].name);
		FUZZ_CHECK(nlen > 0 && nlen <= LIMIT_COOKIE_NAME);
		FUZZ_CHECK(fuzz_cookie_is_token(f.fields[i].name));
		FUZZ_CHECK(strlen(f.fields[i].value) == f.fields[i].value_len);
		FUZZ_CHECK(f.fields[i].value_len <= LIMIT_COOKIE_VALUE);
		FUZZ_CHECK(fuzz_cookie_is_value(f.fields[i].value));
		buf_printf(&b, "%s%s=%s", i ? "; " : "", f.fields[i].name, f.fields[i].value);
	}
	FUZZ_CHECK(!b.failed);
	if (f.n > 0) {
		FUZZ_CHECK(http_cookie_parse(a, b.data, &g) == ERR_OK);
		FUZZ_CHECK(g.n == f.n);
		for (i = 0; i < f.n; i++) {
			FUZZ_CHECK(strcmp(g.fields[i].name, f.fields[i].name) == 0);
			FUZZ_CHECK(strcmp(g.fields[i].value, f.fields[i].value) == 0);
		}
	}
	buf_free(&b);
out:
	arena_free(a);
	free(header);
}

#endif
