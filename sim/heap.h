/* A typed binary min-heap, generated per element type by a macro: the heaps of data (pending
 * deadlines, resends, queued events) that a model keeps beside the engine's event queue.
 *
 *     static bool earlier(const ks_deadline *a, const ks_deadline *b);
 *     SIM_HEAP_DEFINE(deadline_heap, ks_deadline, earlier);
 *
 * defines, static inline in the including file:
 *
 *     void deadline_heap_push(ks_deadline **items, size_t *n, size_t *cap, ks_deadline x);
 *     ks_deadline deadline_heap_pop(ks_deadline *items, size_t *n);        (n > 0)
 *     const ks_deadline *deadline_heap_top(const ks_deadline *items, size_t n); (NULL: empty)
 *
 * Ownership: the heap is three fields of the caller's struct, an array, its length and its
 * capacity (NULL, 0, 0 is the empty heap). push grows the array through sim_grow (sim/alloc.h),
 * the only allocation; the caller frees it with sim_free and owns the elements in it (free what
 * they point to before dropping them). The fields stay plain so a caller can read the earliest
 * element as items[0] and walk all n elements, in no particular order, to count or free them.
 *
 * Invariant: for every i > 0, !less(&items[i], &items[(i - 1) / 2]).
 *
 * Order of equal keys. `less` must be a strict weak order; elements it does not tell apart pop
 * in an order that depends on the history of pushes and pops, not in push order. Give the key a
 * sequence number when that order matters (a model's results must be deterministic, and they
 * are, since the algorithm below is fixed). The algorithm is the hole-based one the models used
 * before this header, and must not change, because it decides that order and golden outputs
 * depend on it: push sifts up by moving parents down into the hole while the new element is
 * strictly less than the parent; pop takes the last element and sifts it down from the root,
 * taking the right child only when it is strictly less than the left one, and stopping when
 * that child is not strictly less than the moved element. (The async queue's swap-based heap
 * placed every element at the same index; tests/unit/test_heap.c runs all three in step.)
 *
 * Cost: O(log n) push and pop, no indirection (elements are stored by value, so keep them
 * small or store indices); no cancel (sim/queue.h has one, with handles). */
#ifndef SIM_HEAP_H
#define SIM_HEAP_H

#include <stddef.h>

#include "sim/alloc.h"
#include "sim/assert.h"

/* Defines prefix_push, prefix_pop and prefix_top over elements of `type`, ordered by
 * `bool less(const type *a, const type *b)` (a function or a function-like macro). Use it at
 * file scope, followed by a semicolon. */
#define SIM_HEAP_DEFINE(prefix, type, less)                                                        \
	__attribute__((unused)) static inline void prefix##_push(type **items, size_t *n,          \
	                                                         size_t *cap, type x)              \
	{                                                                                          \
		if (*n == *cap)                                                                    \
			sim_grow(items, cap, *n + 1, sizeof **items);                              \
		type *h = *items;                                                                  \
		size_t i = (*n)++;                                                                 \
		while (i > 0) {                                                                    \
			size_t parent = (i - 1) / 2;                                               \
			if (!less(&x, &h[parent]))                                                 \
				break;                                                             \
			h[i] = h[parent];                                                          \
			i = parent;                                                                \
		}                                                                                  \
		h[i] = x;                                                                          \
	}                                                                                          \
                                                                                                   \
	__attribute__((unused)) static inline type prefix##_pop(type *h, size_t *n)                \
	{                                                                                          \
		SIM_ASSERT(*n > 0);                                                                \
		type top = h[0];                                                                   \
		type last = h[--*n];                                                               \
		size_t len = *n, i = 0;                                                            \
		for (;;) {                                                                         \
			size_t c = 2 * i + 1;                                                      \
			if (c >= len)                                                              \
				break;                                                             \
			if (c + 1 < len && less(&h[c + 1], &h[c]))                                 \
				c++;                                                               \
			if (!less(&h[c], &last))                                                   \
				break;                                                             \
			h[i] = h[c];                                                               \
			i = c;                                                                     \
		}                                                                                  \
		if (len > 0)                                                                       \
			h[i] = last;                                                               \
		return top;                                                                        \
	}                                                                                          \
                                                                                                   \
	__attribute__((unused)) static inline const type *prefix##_top(const type *h, size_t n)    \
	{                                                                                          \
		return n > 0 ? &h[0] : NULL;                                                       \
	}                                                                                          \
                                                                                                   \
	_Static_assert(sizeof(type) > 0, "SIM_HEAP_DEFINE(" #prefix ")")

#endif
