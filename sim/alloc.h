/* One allocation wrapper for the whole program.
 *
 * Out-of-memory in a simulator has no useful recovery, so these abort with a message instead of
 * returning NULL; callers never check. Tests can install a hook that counts allocations or makes
 * the n-th one fail (the hook then decides: abort, or return NULL to a caller written for it). */
#ifndef SIM_ALLOC_H
#define SIM_ALLOC_H

#include <stddef.h>

void *sim_malloc(size_t n);
void *sim_calloc(size_t count, size_t size);
/* Zeroed, at a multiple of alignment (a power of two), with at least one alignment unit of
 * slack after it: for memory one thread writes that must share no cache line with another
 * thread's (alignment 64), neither its own neighbours' nor the allocator's. Freed with
 * sim_free. */
void *sim_calloc_aligned(size_t alignment, size_t size);
void *sim_realloc(void *p, size_t n);
/* realloc of an array of count elements of size bytes, checked for overflow */
void *sim_reallocarray(void *p, size_t count, size_t size);
char *sim_strdup(const char *s);
char *sim_strndup(const char *s, size_t n);
void sim_free(void *p);
/* printf into a new string */
char *sim_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The program's memory policy, once at its start, before anything allocates much: glibc's
 * malloc keeps freed memory and grows the heap in large steps, and the heap (also as it
 * grows, seen by the next allocation through this wrapper) and every block of 2 MiB or more
 * are asked for in transparent huge pages (sim/alloc.c says why). */
void sim_alloc_tune(void);

/* Live allocation count (allocs minus frees through this wrapper), for leak tests. */
long sim_alloc_live(void);

/* Grows *items (of *cap elements of size bytes) so that it holds at least need elements. */
void sim_grow(void *items_ptr, size_t *cap, size_t need, size_t size);

#endif
