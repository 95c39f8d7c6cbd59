/* The allocation wrapper: abort on exhaustion, count live blocks for leak tests, and keep
 * the heap in transparent huge pages (sim_alloc_tune). */
#include "sim/alloc.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static atomic_long live;

/* Where the heap's huge-page advice ends (0: none asked for: sim_alloc_tune was not called, or
 * the heap is not at the break): the advice covers the heap up to heap_advised, and what the
 * break adds later is advised by the first allocation through this wrapper after it. */
static atomic_uintptr_t heap_advised;
static uintptr_t page_size;

/* Where the heap starts (set with heap_advised): a block below it or past the break lies in a
 * thread's arena (or is an mmap of its own). */
static uintptr_t heap_lo;

/* A block this large gets the advice itself: it may be an mmap of its own (in the heap,
 * advising again changes nothing). */
enum { HUGE_BLOCK = 2 << 20 };

/* glibc gives a thread's arena heaps of 64 MiB (HEAP_MAX_SIZE: twice the largest mmap
 * threshold), each aligned to its size and reserved whole at once, the part in use made
 * writable as it grows: the advice on a whole heap covers what it will ever hold. */
enum { ARENA_HEAP = 64 << 20 };

/* The thread's heap last advised (0: none yet). */
static _Thread_local uintptr_t arena_advised;

static void advise(uintptr_t lo, uintptr_t hi)
{
#ifdef MADV_HUGEPAGE
	lo = (lo + page_size - 1) & ~(page_size - 1);
	hi &= ~(page_size - 1);
	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)lo;
	(void)hi;
#endif
}

/* After an allocation of n bytes at p: advises what the heap grew by, and a large block.
 * sbrk(0) reads the break glibc keeps, no system call. Threads race only to advise a range
 * twice, which is harmless. */
static inline void advise_after(void *p, size_t n)
{
	uintptr_t done = atomic_load_explicit(&heap_advised, memory_order_relaxed);
	if (!done)
		return;
	uintptr_t brk = (uintptr_t)sbrk(0);
	if (brk > done && atomic_compare_exchange_strong(&heap_advised, &done, brk))
		advise(done, brk);
	if (n >= HUGE_BLOCK)
		advise((uintptr_t)p, (uintptr_t)p + n);
	uintptr_t at = (uintptr_t)p;
	if ((at < heap_lo || at >= brk) && n < HUGE_BLOCK) {
		/* In a thread's arena (-j: a replication's model, its logs and series): its whole
		 * heap, once (four replications of bench-c with -j 2: 4,500 page faults without,
		 * 1,550 with, and 12% less CPU time) */
		uintptr_t heap = at & ~(uintptr_t)(ARENA_HEAP - 1);
		if (heap != arena_advised) {
			arena_advised = heap;
			advise(heap, heap + ARENA_HEAP);
		}
	}
}

void sim_alloc_tune(void)
{
	/* Freed memory is kept for reuse instead of handed back at once: zlib (deflate, for
	 * every compressed chunk of the file) allocates and frees some 256 KiB per chunk, by
	 * default each time from fresh pages (an mmap, or the heap top trimmed after the free),
	 * and the page faults of zeroing them were a third of a short run. Blocks over 32 MiB
	 * still get their own mapping, and up to 256 MiB of free heap top is kept until exit. */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	/* Transparent huge pages for the heap (the glibc tunable glibc.malloc.hugetlb=1 does the
	 * same, but only from the environment a program starts with). A page fault costs some
	 * 5 us on the virtual machines we measure on, and a 4 KiB page's TLB entry covers little
	 * of a log: a one-second run touched 6 MiB of fresh heap in 1,650 faults (15 of its 42
	 * ms), the poison-pill backlog 1.8 GB in 465,000 (most of its 7 s); now some 500 and
	 * 16,000. The heap grows 64 MiB at a time: malloc writes a header into the new part
	 * before the advice comes, which leaves its first 2 MiB in small pages (with 16 MiB
	 * steps, 60,000 of the backlog's faults stayed). Only address space: what is never
	 * touched takes no memory. Thread arenas (-j) get it too, a heap at a time (advise_after).
	 * Where the kernel has no huge pages, or they are off, madvise
	 * fails and nothing changes. */
	mallopt(M_TOP_PAD, 64 << 20);
	long page = sysconf(_SC_PAGESIZE);
	page_size = page > 0 ? (uintptr_t)page : 4096;
	void *first = malloc(1);
	uintptr_t lo = (uintptr_t)first, hi = (uintptr_t)sbrk(0);
	if (first && hi > lo) { /* the heap ends at the break, unless malloc fell back to mmap */
		advise(lo, hi);
		heap_lo = lo;
		atomic_store(&heap_advised, hi);
	}
	free(first);
}

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
	advise_after(p, n);
	return p;
}

void *sim_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		out_of_memory(count * size);
	atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
	advise_after(p, count * size);
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
	advise_after(q, n);
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
