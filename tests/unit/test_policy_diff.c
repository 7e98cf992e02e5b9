/*
 * test_policy_diff: the line diff of /privacy/history/N (src/policy/diff.c). A small
 * change reads as removals then additions around kept lines; a missing final newline
 * and empty texts work; the limits hold at N and N+1: LIMIT_DIFF_LINES lines per side,
 * and LIMIT_DIFF_CELLS table cells for the part between the common head and tail.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "testlib.h"

/* "L0\nL1\n..." with n distinct lines prefixed by tag; malloc'd. */
static char *
lines(const char *tag, size_t n)
{
	size_t cap = n * 16 + 1, len = 0, i;
	char *s = malloc(cap);

	T_ASSERT(s != NULL);
	s[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s%zu\n", tag, i);
	return s;
}

static void
expect(const struct policy_diff_line *d, size_t i, enum policy_diff_op op, const char *text)
{
	T_EQ_INT(d[i].op, op);
	T_EQ_INT(d[i].len, strlen(text));
	T_ASSERT(memcmp(d[i].text, text, d[i].len) == 0);
}

int
main(void)
{
	struct arena *a = arena_new();
	struct policy_diff_line *d;
	size_t n;
	char *x, *y;

	T_ASSERT(a != NULL);
	T_EQ_INT(policy_diff(a, "a\nb\nc\n", 6, "a\nc\nd", 5, &d, &n), ERR_OK);
	T_EQ_INT(n, 4);
	expect(d, 0, POLICY_DIFF_SAME, "a");
	expect(d, 1, POLICY_DIFF_DEL, "b");
	expect(d, 2, POLICY_DIFF_SAME, "c");
	expect(d, 3, POLICY_DIFF_ADD, "d");
	T_EQ_INT(policy_diff(a, "old\n", 4, "new\n", 4, &d, &n), ERR_OK);
	T_EQ_INT(n, 2);
	expect(d, 0, POLICY_DIFF_DEL, "old"); /* removals first: "was, now" */
	expect(d, 1, POLICY_DIFF_ADD, "new");
	T_EQ_INT(policy_diff(a, "", 0, "", 0, &d, &n), ERR_OK);
	T_EQ_INT(n, 0);
	T_EQ_INT(policy_diff(a, "", 0, "x", 1, &d, &n), ERR_OK);
	T_EQ_INT(n, 1);
	expect(d, 0, POLICY_DIFF_ADD, "x");

	/* LIMIT_DIFF_LINES per side: N lines diff (a change at the end), N+1 do not */
	x = lines("same", LIMIT_DIFF_LINES);
	y = lines("same", LIMIT_DIFF_LINES);
	y[strlen(y) - 2] = 'Z';
	T_EQ_INT(policy_diff(a, x, strlen(x), y, strlen(y), &d, &n), ERR_OK);
	T_EQ_INT(n, LIMIT_DIFF_LINES + 1);
	free(y);
	y = lines("same", LIMIT_DIFF_LINES + 1);
	T_EQ_INT(policy_diff(a, x, strlen(x), y, strlen(y), &d, &n), ERR_TOOBIG);
	T_EQ_INT(policy_diff(a, y, strlen(y), x, strlen(x), &d, &n), ERR_TOOBIG);
	free(x);
	free(y);

	/* LIMIT_DIFF_CELLS: (m + 1)(n + 1) cells for m and n differing lines */
	x = lines("old", 999);
	y = lines("new", LIMIT_DIFF_CELLS / 1000 - 1);
	T_EQ_INT(policy_diff(a, x, strlen(x), y, strlen(y), &d, &n), ERR_OK);
	T_EQ_INT(n, 999 + LIMIT_DIFF_CELLS / 1000 - 1);
	free(y);
	y = lines("new", LIMIT_DIFF_CELLS / 1000);
	T_EQ_INT(policy_diff(a, x, strlen(x), y, strlen(y), &d, &n), ERR_TOOBIG);
	free(x);
	free(y);
	arena_free(a);
	printf("ok\n");
	return 0;
}
