/*
 * diff: a line diff of two policy texts for /privacy/history/N (P20): which lines the
 * new version removed, added or kept. Longest common subsequence over lines, after the
 * common head and tail are set aside; the table is bounded (LIMIT_DIFF_LINES per side,
 * LIMIT_DIFF_CELLS cells after trimming) so a request never costs more than a few
 * megabytes and milliseconds: beyond that the caller shows both texts instead.
 * Lines point into the inputs (no copy); the output array comes from the arena.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

/* Splits text into lines (without their '\n'); a final line without '\n' counts. */
static enum err
diff_split(struct arena *a, const char *text, size_t len, struct policy_diff_line **out,
    size_t *n)
{
	size_t count = 0, i, start = 0, k = 0;
	struct policy_diff_line *v;

	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			count++;
	if (len > 0 && text[len - 1] != '\n')
		count++;
	*out = NULL;
	*n = 0;
	if (count > LIMIT_DIFF_LINES)
		return ERR_TOOBIG;
	if (count == 0)
		return ERR_OK;
	if ((v = arena_alloc(a, count * sizeof(*v))) == NULL)
		return ERR_NOMEM;
	for (i = 0; i <= len && k < count; i++) {
		if (i == len || text[i] == '\n') {
			v[k].text = text + start;
			v[k].len = i - start;
			v[k].op = POLICY_DIFF_SAME;
			k++;
			start = i + 1;
		}
	}
	*out = v;
	*n = k;
	return ERR_OK;
}

static bool
diff_eq(const struct policy_diff_line *x, const struct policy_diff_line *y)
{
	return x->len == y->len && memcmp(x->text, y->text, x->len) == 0;
}

enum err
policy_diff(struct arena *a, const char *old, size_t oldlen, const char *new, size_t newlen,
    struct policy_diff_line **out, size_t *nout)
{
	struct policy_diff_line *x, *y, *r;
	size_t nx, ny, head = 0, tail = 0, m, n, i, j, k = 0;
	uint32_t *t = NULL;
	enum err e;

	*out = NULL;
	*nout = 0;
	if ((e = diff_split(a, old, oldlen, &x, &nx)) != ERR_OK ||
	    (e = diff_split(a, new, newlen, &y, &ny)) != ERR_OK)
		return e;
	while (head < nx && head < ny && diff_eq(&x[head], &y[head]))
		head++;
	while (tail < nx - head && tail < ny - head &&
	    diff_eq(&x[nx - 1 - tail], &y[ny - 1 - tail]))
		tail++;
	m = nx - head - tail;
	n = ny - head - tail;
	if ((m + 1) * (n + 1) > LIMIT_DIFF_CELLS)
		return ERR_TOOBIG;
	if ((r = arena_alloc(a, (nx + ny + 1) * sizeof(*r))) == NULL)
		return ERR_NOMEM;
	/* t[i][j]: the LCS length of x[head+i..] and y[head+j..] (suffixes), so the walk
	 * below goes forwards */
	if ((t = calloc((m + 1) * (n + 1), sizeof(*t))) == NULL)
		return ERR_NOMEM;
#define T(i, j) t[(i) * (n + 1) + (j)]
	for (i = m; i-- > 0;)
		for (j = n; j-- > 0;)
			T(i, j) = diff_eq(&x[head + i], &y[head + j])
			    ? T(i + 1, j + 1) + 1
			    : (T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
	for (i = 0; i < head; i++)
		r[k++] = x[i];
	i = j = 0;
	while (i < m || j < n) {
		if (i < m && j < n && diff_eq(&x[head + i], &y[head + j])) {
			r[k++] = x[head + i];
			i++;
			j++;
		} else if (i < m && (j == n || T(i + 1, j) >= T(i, j + 1))) {
			r[k] = x[head + i++]; /* removals before additions: reads as "was, now" */
			r[k++].op = POLICY_DIFF_DEL;
		} else {
			r[k] = y[head + j++];
			r[k++].op = POLICY_DIFF_ADD;
		}
	}
#undef T
	for (i = nx - tail; i < nx; i++)
		r[k++] = x[i];
	free(t);
	*out = r;
	*nout = k;
	return ERR_OK;
}
