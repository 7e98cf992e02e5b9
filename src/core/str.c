/*
 * str: bounded number parsing (the only integer parser in candor), UTF-8 checks,
 * slugs and small string helpers.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

enum err
strnum(const char *s, long long min, long long max, long long *out)
{
	const char *p = s;
	long long v;
	char *end;

	if (s == NULL || *s == '\0')
		return ERR_INVAL;
	if (*p == '-')
		p++;
	if (*p == '\0')
		return ERR_INVAL;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return ERR_INVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE || v < min || v > max)
		return ERR_TOOBIG;
	*out = v;
	return ERR_OK;
}

size_t
str_copy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

void
str_msg(char *msg, size_t size, const char *text)
{
	if (msg && size)
		str_copy(msg, text, size);
}

bool
str_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len, k;
		unsigned int cp;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
				return false;
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			len = 2, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			len = 3, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			len = 4, cp = c & 0x07;
		else
			return false;
		if (i + len > n)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

size_t
str_utf8_len(const char *s, size_t n)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			count++;
	return count;
}

void
str_slugify(const char *title, char *out, size_t outsize)
{
	size_t o = 0;
	bool dash = false;
	const char *p;

	if (outsize == 0)
		return;
	for (p = title; *p && o + 1 < outsize && o < LIMIT_SLUG; p++) {
		unsigned char c = (unsigned char)*p;
		if (isalnum(c) && c < 0x80) {
			if (dash && o > 0 && o + 2 < outsize)
				out[o++] = '-';
			dash = false;
			out[o++] = (char)tolower(c);
		} else {
			dash = true;
		}
	}
	out[o] = '\0';
	if (o == 0)
		str_copy(out, "untitled", outsize);
}

bool
str_slug_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > LIMIT_SLUG || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}
