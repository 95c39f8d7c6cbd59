/* The allocation wrapper: abort on exhaustion, count live blocks for leak tests. */
#include "sim/alloc.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_long live;

static _Noreturn void out_of_memory(size_t n)
{
	fprintf(stderr, "kinesim: out of memory (asked for %zu bytes)\n", n);
	abort();
}

void *sim_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory(n);
	atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
	return p;
}

void *sim_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		out_of_memory(count * size);
	atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
	return p;
}

void *sim_calloc_aligned(size_t alignment, size_t size)
{
	/* Rounded up, plus one more alignment unit: the allocator's header of the next block and
	 * the start of its data then lie past the last line of this one. */
	size_t n = (size + 2 * alignment - 1) / alignment * alignment;
	void *p = aligned_alloc(alignment, n);
	if (!p)
		out_of_memory(n);
	memset(p, 0, n);
	atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
	return p;
}

void *sim_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		out_of_memory(n);
	if (!p)
		atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
	return q;
}

void *sim_reallocarray(void *p, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		out_of_memory(SIZE_MAX);
	return sim_realloc(p, count * size);
}

char *sim_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = sim_malloc(n);
	memcpy(d, s, n);
	return d;
}

char *sim_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = sim_malloc(len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

void sim_free(void *p)
{
	if (!p)
		return;
	atomic_fetch_sub_explicit(&live, 1, memory_order_relaxed);
	free(p);
}

char *sim_asprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory(0);
	char *s = sim_malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

long sim_alloc_live(void)
{
	return atomic_load_explicit(&live, memory_order_relaxed);
}

void sim_grow(void *items_ptr, size_t *cap, size_t need, size_t size)
{
	void **items = items_ptr;
	if (need <= *cap)
		return;
	size_t n = *cap ? *cap : 8;
	while (n < need)
		n *= 2;
	*items = sim_reallocarray(*items, n, size);
	*cap = n;
}
