/*
 * form: the only way a handler accepts form fields (house rule 5, after kcgi's
 * kvalid_*). A handler declares a table of (name, label, kind, max length, required)
 * and form_read checks every declared field against it before any of them is used.
 *
 * Invariants: a value is accepted whole or refused, never cut or rewritten (SECURITY.md,
 * WordPress CVE-2015-3440); every accepted value is valid UTF-8 without NUL, without C0
 * or C1 control characters or DEL (FORM_MULTILINE allows \t, \r and \n); a refusal names
 * the field's label in one sentence the person can act on. Fields not in the table are
 * never looked at. Accepted values point into the request's form (its arena).
 */
#include <stdio.h>
#include <string.h>

#include "web/web_int.h"

/* True when s (valid UTF-8) has a control character: C0 (multiline: other than \t \r
 * \n), DEL, or C1 (U+0080..U+009F, encoded C2 80..C2 9F). */
static bool
form_has_control(const char *s, size_t n, bool multiline)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 && !(multiline && (c == '\t' || c == '\r' || c == '\n')))
			return true;
		if (c == 0x7f)
			return true;
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f)
			return true;
	}
	return false;
}

/* The username rule of privacy/people.c (people_username_ok: 3 to 32 of a-z 0-9 '_'
 * '-'), with capitals allowed here: accounts/ folds a username to lower case, so "Ann"
 * and "ann" are one name. */
static bool
form_username_ok(const char *u, size_t n)
{
	size_t i;

	if (n < LIMIT_USERNAME_MIN || n > LIMIT_USERNAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = u[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-';

		if (!ok)
			return false;
	}
	return true;
}

/* The shape people.c's email check takes: one '@' after a non-empty local part, a domain
 * with a dot, no empty label, no spaces or characters that have no place in an address. */
static bool
form_email_ok(const char *s, size_t n)
{
	const char *at = strchr(s, '@');

	if (n < 3 || n > LIMIT_FORM_EMAIL_BYTES || at == NULL || at == s ||
	    strchr(at + 1, '@') != NULL)
		return false;
	if (strpbrk(s, " \t\r\n<>(),;:\\\"[]") != NULL)
		return false;
	if (strchr(at + 1, '.') == NULL || at[1] == '.' || s[n - 1] == '.' ||
	    strstr(at, "..") != NULL)
		return false;
	return true;
}

/* Checks one present, non-empty value against f; on refusal writes the sentence. */
static enum err
form_check(const struct form_field *f, const char *label, struct form_value *v, char *msg,
    size_t msgsize)
{
	bool multiline = f->kind == FORM_MULTILINE;
	size_t chars;
	enum err e;

	if (!str_utf8_valid(v->text, v->len) || form_has_control(v->text, v->len, multiline)) {
		snprintf(msg, msgsize, "%s contains characters that cannot be used%s.", label,
		    multiline ? "" : " (line breaks and control characters)");
		return ERR_INVAL;
	}
	chars = str_utf8_len(v->text, v->len);
	if (f->kind != FORM_CHECKBOX && f->kind != FORM_INTEGER && chars > f->max_len) {
		snprintf(msg, msgsize, "%s is too long: at most %zu characters, and this has "
		    "%zu.", label, f->max_len, chars);
		return ERR_INVAL;
	}
	switch (f->kind) {
	case FORM_TEXT:
	case FORM_MULTILINE:
	case FORM_PASSWORD:
		return ERR_OK;
	case FORM_USERNAME:
		if (form_username_ok(v->text, v->len))
			return ERR_OK;
		snprintf(msg, msgsize, "%s must be %d to %d characters of a-z, 0-9, '_' and '-'.",
		    label, LIMIT_USERNAME_MIN, LIMIT_USERNAME_MAX);
		return ERR_INVAL;
	case FORM_EMAIL:
		if (form_email_ok(v->text, v->len))
			return ERR_OK;
		snprintf(msg, msgsize, "%s does not look like an email address "
		    "(name@example.org).", label);
		return ERR_INVAL;
	case FORM_CHECKBOX:
		if (strcmp(v->text, "on") == 0)
			return ERR_OK;
		snprintf(msg, msgsize, "%s can only be ticked or left empty.", label);
		return ERR_INVAL;
	case FORM_INTEGER:
		if ((e = strnum(v->text, f->min, f->max, &v->number)) == ERR_OK)
			return ERR_OK;
		snprintf(msg, msgsize, "%s must be a whole number from %lld to %lld.", label,
		    f->min, f->max);
		return ERR_INVAL;
	case FORM_KIND__MAX:
		break;
	}
	snprintf(msg, msgsize, "%s cannot be read.", label);
	return ERR_INVAL;
}

enum err
form_read(const struct http_form *in, const struct form_field *fields, size_t n,
    struct form_values *out, char *msg, size_t msgsize)
{
	size_t i, j, seen;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (msgsize)
		msg[0] = '\0';
	if (n > LIMIT_FORM_DECLARED) {
		snprintf(msg, msgsize, "This form declares too many fields.");
		return ERR_TOOBIG;
	}
	for (i = 0; i < n; i++) {
		const struct form_field *f = &fields[i];
		const char *label = f->label ? f->label : f->name;
		struct form_value *v = &out->values[i];

		v->text = "";
		for (j = 0, seen = 0; j < in->n; j++) {
			if (strcmp(in->fields[j].name, f->name) != 0)
				continue;
			if (seen++ == 0) {
				v->text = in->fields[j].value;
				v->len = in->fields[j].value_len;
			}
		}
		if (seen > 1) {
			snprintf(msg, msgsize, "%s was sent more than once.", label);
			goto fail;
		}
		/* a decoded NUL would hide the rest of the value from strlen-based checks */
		if (seen && strlen(v->text) != v->len) {
			snprintf(msg, msgsize, "%s contains characters that cannot be used.",
			    label);
			goto fail;
		}
		if (v->len == 0) {
			if (f->required) {
				snprintf(msg, msgsize, f->kind == FORM_CHECKBOX ?
				    "%s must be ticked." : "%s is required.", label);
				goto fail;
			}
			continue;
		}
		if ((e = form_check(f, label, v, msg, msgsize)) != ERR_OK)
			goto fail;
		v->present = true;
	}
	out->n = n;
	return ERR_OK;
fail:
	memset(out, 0, sizeof(*out));
	return ERR_INVAL;
}

enum err
form_read_each(const struct http_form *in, const struct form_field *fields, size_t n,
    struct form_values *out, size_t *bad, char *msg, size_t msgsize)
{
	struct form_values one;
	size_t i;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (n > LIMIT_FORM_DECLARED) {
		snprintf(msg, msgsize, "This form declares too many fields.");
		*bad = 0;
		return ERR_TOOBIG;
	}
	for (i = 0; i < n; i++) {
		if ((e = form_read(in, &fields[i], 1, &one, msg, msgsize)) != ERR_OK) {
			*bad = i;
			memset(out, 0, sizeof(*out));
			return e;
		}
		out->values[i] = one.values[0];
	}
	out->n = n;
	return ERR_OK;
}
