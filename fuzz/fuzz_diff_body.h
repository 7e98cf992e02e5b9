/*
 * fuzz_diff_body: one fuzz iteration for policy_diff (the line diff of /privacy/history/N).
 * Shared by fuzz_diff.c and tests/unit/test_fuzz_replay.c (see fuzz_form_body.h).
 *
 * The input is split at its first NUL into the old and the new text (no NUL: at the
 * middle). Invariants (abort() if not):
 * - only ERR_OK or ERR_TOOBIG (ERR_NOMEM only when memory runs out);
 * - on success the kept and removed lines, in order, are exactly the old text's lines,
 *   and the kept and added lines exactly the new text's; every line lies inside its
 *   input and holds no newline;
 * - the diff of a text with itself is all kept lines.
 */
#ifndef FUZZ_DIFF_BODY_H
#define FUZZ_DIFF_BODY_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "policy/policy.h"

/* Checks that the lines of d with op in {POLICY_DIFF_SAME, other} rebuild text. */
static void
fuzz_diff_rebuild(const struct policy_diff_line *d, size_t n, enum policy_diff_op other,
    const char *text, size_t len)
{
	size_t i, at = 0;

	for (i = 0; i < n; i++) {
		if (d[i].op != POLICY_DIFF_SAME && d[i].op != other)
			continue;
		FUZZ_CHECK(memchr(d[i].text, '\n', d[i].len) == NULL);
		FUZZ_CHECK(at + d[i].len <= len);
		FUZZ_CHECK(memcmp(text + at, d[i].text, d[i].len) == 0);
		at += d[i].len;
		FUZZ_CHECK(at == len || text[at] == '\n');
		if (at < len)
			at++;
	}
	FUZZ_CHECK(at == len);
}

static void
fuzz_diff_one(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t split = nul ? (size_t)(nul - data) : size / 2, skip = nul ? 1 : 0, n, i;
	struct policy_diff_line *d;
	struct arena *a;
	char *old, *new;
	enum err e;

	FUZZ_CHECK((a = arena_new()) != NULL);
	FUZZ_CHECK((old = malloc(split + 1)) != NULL);
	FUZZ_CHECK((new = malloc(size - split - skip + 1)) != NULL);
	memcpy(old, data, split);
	old[split] = '\0';
	memcpy(new, data + split + skip, size - split - skip);
	new[size - split - skip] = '\0';
	/* a NUL later in the new text ends it, as for a C string */
	e = policy_diff(a, old, strlen(old), new, strlen(new), &d, &n);
	FUZZ_CHECK(e == ERR_OK || e == ERR_TOOBIG || e == ERR_NOMEM);
	if (e == ERR_OK) {
		fuzz_diff_rebuild(d, n, POLICY_DIFF_DEL, old, strlen(old));
		fuzz_diff_rebuild(d, n, POLICY_DIFF_ADD, new, strlen(new));
	}
	e = policy_diff(a, old, strlen(old), old, strlen(old), &d, &n);
	FUZZ_CHECK(e == ERR_OK || e == ERR_TOOBIG || e == ERR_NOMEM);
	for (i = 0; e == ERR_OK && i < n; i++)
		FUZZ_CHECK(d[i].op == POLICY_DIFF_SAME);
	free(old);
	free(new);
	arena_free(a);
}

#endif
