/*
 * arena: a chain of blocks; allocations are bump-pointer and freed all at once by
 * arena_free. One arena per request (house rule 4). Large allocations get a block of
 * their own so a big body does not waste a standard block.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#define ARENA_BLOCK 8192
#define ARENA_ALIGN 16

struct arena_block {
	struct arena_block *next;
	size_t used;
	size_t size;
	_Alignas(16) unsigned char data[];
};

struct arena {
	struct arena_block *head;
	size_t total;
};

struct arena *
arena_new(void)
{
	return calloc(1, sizeof(struct arena));
}

void
arena_free(struct arena *a)
{
	struct arena_block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b;
	size_t size;
	void *p;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	b = a->head;
	if (b == NULL || b->size - b->used < n) {
		size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
		if ((b = malloc(sizeof(*b) + size)) == NULL)
			return NULL;
		b->used = 0;
		b->size = size;
		if (size == ARENA_BLOCK || a->head == NULL) {
			b->next = a->head;
			a->head = b;
		} else {
			/* keep the current partly-used block at the head */
			b->next = a->head->next;
			a->head->next = b;
		}
	}
	p = b->data + b->used;
	b->used += n;
	a->total += n;
	memset(p, 0, n);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if ((p = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (p = arena_alloc(a, (size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void *
arena_grow(struct arena *a, void *array, size_t count, size_t *cap, size_t elem)
{
	size_t ncap;
	void *grown;

	if (count < *cap)
		return array;
	ncap = *cap ? *cap * 2 : 16;
	if (elem == 0 || ncap > SIZE_MAX / elem || (grown = arena_alloc(a, ncap * elem)) == NULL)
		return NULL;
	if (count)
		memcpy(grown, array, count * elem);
	*cap = ncap;
	return grown;
}

size_t
arena_used(const struct arena *a)
{
	return a->total;
}

char *
arena_strdup_lf(struct arena *a, const char *s)
{
	char *out = arena_strdup(a, s), *w = out;

	if (out == NULL)
		return NULL;
	for (; *s; s++)
		if (*s != '\r')
			*w++ = *s;
	*w = '\0';
	return out;
}
