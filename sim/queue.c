/* The event queue: a 4-ary min-heap of small entries plus a slot array for the payloads.
 *
 * Layout. The heap holds 16-byte entries {time, seq << SLOT_BITS | slot} inline, placed so that
 * the four children of a node share one 64-byte cache line: a sift touches one line a level,
 * and only the keys it compares. What an event carries (fn, obj, arg) lives in a slot that
 * never moves while the event is pending. A sift writes only into the heap: nothing outside it
 * records where an entry sits, so a heap of a million entries costs the cache misses of its own
 * levels and no more.
 *
 * Cancel is lazy: it frees the slot and leaves the entry in the heap, where it is recognised as
 * stale (its slot no longer holds its seq_slot) and dropped when it reaches the top. Stale
 * entries are counted; when they are more than half the heap, they are swept out and the heap
 * rebuilt (linear), so a model that cancels and reschedules a timer again and again keeps the
 * heap at most twice its pending events. Pop order does not depend on the heap's shape: (time,
 * seq) is a total order, so results are the same whatever was cancelled when.
 *
 * Invariants:
 * - heap[0..n) is a 4-ary min-heap under before(): (time, seq) lexicographic. seq is unique
 *   (one per push, from 1), so the order is total and equal times pop in push order.
 * - An entry is live iff slots[its slot].seq_slot equals its seq_slot; stale counts the others.
 *   The top entry is always live (stale tops are dropped as soon as they surface), so peeking
 *   reads heap[0] directly.
 * - A free slot has seq_slot 0 and its arg field links the free list (LIFO, so a hot slot is
 *   reused while still cached).
 * - A handle is its event's seq_slot: never 0, never issued twice, so a handle names a pending
 *   event iff its slot holds it, and a stale handle is recognised, never misused.
 * - At most MAX_SLOTS (16.7 million) events pending at once and MAX_SEQ (1.1e12) pushes in a
 *   queue's life (asserted): a model keeps some readers x shards events pending, and a run of a
 *   million events a second would take 13 days to use the sequence numbers up.
 *
 * Ownership: the queue owns both arrays; obj pointers are the caller's. */
#include "sim/queue.h"

#include <errno.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/assert.h"

#define ARITY   4
#define NO_SLOT UINT32_MAX

typedef void (*event_fn)(void *, void *, uint64_t);

/* An entry is 16 bytes, so the four children of a node fill one 64-byte cache line (the heap
 * is placed so that they start on one: see place_heap). The push's sequence number and the
 * slot share one word, seq above SLOT_BITS: ordering by the word orders by seq, which is
 * unique. */
#define SLOT_BITS 24
#define MAX_SLOTS ((size_t)1 << SLOT_BITS)          /* pending events at once: 16.7 million */
#define MAX_SEQ   (UINT64_C(1) << (64 - SLOT_BITS)) /* pushes in a queue's life: 1.1e12 */

struct entry {
	sim_time time;
	uint64_t seq_slot; /* seq << SLOT_BITS | slot */
};

static inline uint32_t slot_of(const struct entry *e)
{
	return (uint32_t)(e->seq_slot & (MAX_SLOTS - 1));
}

struct slot {
	event_fn fn;
	void *obj;
	uint64_t arg;      /* while free: index of the next free slot, NO_SLOT at the end */
	uint64_t seq_slot; /* its pending entry's (and handle), to tell a stale one; 0 while free */
};

struct sim_queue {
	struct entry *heap; /* raw + a 0..3 offset that puts &heap[1] on a cache line */
	struct entry *raw;
	size_t n, heap_cap; /* raw holds heap_cap + 3 entries */
	size_t stale;       /* entries of cancelled events still in the heap */
	struct slot *slots;
	size_t nslots, slots_cap;
	uint32_t free_head;
	uint64_t seq;
};

/* The comparison is one 128-bit subtraction where the compiler has 128-bit integers: time with
 * its sign bit flipped (so unsigned order is signed order) above seq. Without branches the
 * compiler selects children with conditional moves, which matters because the order of
 * siblings in a sift is a coin toss no branch predictor can learn. */
#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 key128;

static inline key128 key(const struct entry *e)
{
	return (key128)((uint64_t)e->time ^ (UINT64_C(1) << 63)) << 64 | e->seq_slot;
}

static inline bool before(const struct entry *a, const struct entry *b)
{
	return key(a) < key(b);
}
#else
static inline bool before(const struct entry *a, const struct entry *b)
{
	return (a->time < b->time) | ((a->time == b->time) & (a->seq_slot < b->seq_slot));
}
#endif

/* Moves e up from hole i until its parent is earlier. */
static inline void sift_up(sim_queue *q, size_t i, struct entry e)
{
	struct entry *h = q->heap;
	while (i > 0) {
		size_t p = (i - 1) / ARITY;
		if (!before(&e, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = e;
}

/* Moves e down from hole i until no child is earlier. */
static inline void sift_down(sim_queue *q, size_t i, struct entry e)
{
	struct entry *h = q->heap;
	size_t n = q->n;
	for (;;) {
		size_t c = ARITY * i + 1;
		if (c >= n)
			break;
		size_t best = c;
		/* The next level's lines, while this one is compared: in a heap bigger than the
		 * caches the sift waits on memory, one line a level, unless it asks ahead. */
		if (ARITY * c + 1 < n) {
			const struct entry *g = &h[ARITY * c + 1];
			__builtin_prefetch(g);
			__builtin_prefetch(g + ARITY);
			__builtin_prefetch(g + 2 * ARITY);
			__builtin_prefetch(g + 3 * ARITY);
		}
		if (c + ARITY <= n) {
			/* All four children exist: the common case, written without a bound check.
			 */
			size_t b1 = before(&h[c + 1], &h[c]) ? c + 1 : c;
			size_t b2 = before(&h[c + 3], &h[c + 2]) ? c + 3 : c + 2;
			best = before(&h[b2], &h[b1]) ? b2 : b1;
		} else {
			for (size_t k = c + 1; k < n; k++)
				if (before(&h[k], &h[best]))
					best = k;
		}
		if (!before(&h[best], &e))
			break;
		h[i] = h[best];
		i = best;
	}
	h[i] = e;
}

static inline void free_slot(sim_queue *q, uint32_t idx)
{
	struct slot *s = &q->slots[idx];
	s->seq_slot = 0;
	s->arg = q->free_head;
	q->free_head = idx;
}

static inline bool live(const sim_queue *q, const struct entry *e)
{
	return q->slots[slot_of(e)].seq_slot == e->seq_slot;
}

/* Takes the top entry out and refills the hole with the last entry. */
static inline void remove_top(sim_queue *q)
{
	struct entry last = q->heap[--q->n];
	if (q->n > 0)
		sift_down(q, 0, last);
}

/* Drops stale entries from the top, so that the top is live (or the heap empty). */
static inline void settle_top(sim_queue *q)
{
	while (q->stale > 0 && q->n > 0 && !live(q, &q->heap[0])) {
		remove_top(q);
		q->stale--;
	}
}

/* Sweeps every stale entry out and rebuilds the heap bottom-up. */
static void sweep(sim_queue *q)
{
	size_t k = 0;
	for (size_t i = 0; i < q->n; i++)
		if (live(q, &q->heap[i]))
			q->heap[k++] = q->heap[i];
	q->n = k;
	q->stale = 0;
	for (size_t i = k / ARITY + 1; i-- > 0;)
		if (i < k)
			sift_down(q, i, q->heap[i]);
}

/* Places the heap in raw so that &heap[1], the first of a group of four children, starts a
 * 64-byte line (malloc aligns to 16 bytes), moving the n entries from where they were. */
static void place_heap(sim_queue *q, size_t old_offset)
{
	uintptr_t first = (uintptr_t)(q->raw + 1);
	size_t offset = ((64 - first % 64) % 64) / sizeof(struct entry);
	if (offset != old_offset)
		memmove(q->raw + offset, q->raw + old_offset, q->n * sizeof *q->raw);
	q->heap = q->raw + offset;
}

static void grow_heap(sim_queue *q)
{
	size_t offset = q->raw ? (size_t)(q->heap - q->raw) : 0;
	size_t cap = q->heap_cap + 3;
	sim_grow(&q->raw, &cap, q->n + 1 + 3, sizeof *q->raw);
	q->heap_cap = cap - 3;
	place_heap(q, offset);
}

/* The slot index a handle names if it is pending, else NO_SLOT. A handle is its event's
 * seq_slot: unique over the queue's life, so a handle of an event gone never names another. */
static uint32_t lookup(const sim_queue *q, sim_handle h)
{
	uint64_t idx = h & (MAX_SLOTS - 1);
	if (h == 0 || idx >= q->nslots || q->slots[idx].seq_slot != h)
		return NO_SLOT;
	return (uint32_t)idx;
}

sim_queue *sim_queue_create(void)
{
	sim_queue *q = sim_calloc(1, sizeof *q);
	q->free_head = NO_SLOT;
	return q;
}

void sim_queue_destroy(sim_queue *q)
{
	if (!q)
		return;
	sim_free(q->raw);
	sim_free(q->slots);
	sim_free(q);
}

sim_handle sim_queue_push(sim_queue *q, sim_time time, void (*fn)(void *, void *, uint64_t),
                          void *obj, uint64_t arg)
{
	uint32_t idx = q->free_head;
	if (idx != NO_SLOT) {
		q->free_head = (uint32_t)q->slots[idx].arg;
	} else {
		SIM_ASSERT(q->nslots < MAX_SLOTS);
		sim_grow(&q->slots, &q->slots_cap, q->nslots + 1, sizeof *q->slots);
		idx = (uint32_t)q->nslots++;
	}
	if (q->n == q->heap_cap)
		grow_heap(q);
	SIM_ASSERT(q->seq < MAX_SEQ - 1);

	struct slot *s = &q->slots[idx];
	s->fn = fn;
	s->obj = obj;
	s->arg = arg;
	/* seq starts at 1, so no entry has seq_slot 0, the free slots' mark */
	struct entry e = {.time = time, .seq_slot = ++q->seq << SLOT_BITS | idx};
	s->seq_slot = e.seq_slot;
	sift_up(q, q->n++, e);
	return e.seq_slot;
}

int sim_queue_cancel(sim_queue *q, sim_handle h)
{
	uint32_t idx = lookup(q, h);
	if (idx == NO_SLOT)
		return -ENOENT;
	free_slot(q, idx);
	q->stale++;
	settle_top(q);
	if (q->stale > 64 && q->stale > q->n / 2)
		sweep(q);
	return 0;
}

static inline void pop_top(sim_queue *q, sim_event *out)
{
	const struct entry *top = &q->heap[0];
	const struct slot *s = &q->slots[slot_of(top)];
	out->time = top->time;
	out->seq = top->seq_slot >> SLOT_BITS;
	out->fn = s->fn;
	out->obj = s->obj;
	out->arg = s->arg;
	free_slot(q, slot_of(top));
	remove_top(q);
	settle_top(q);
}

bool sim_queue_pop(sim_queue *q, sim_event *out)
{
	if (q->n == 0)
		return false;
	pop_top(q, out);
	return true;
}

bool sim_queue_pop_before(sim_queue *q, sim_time limit, sim_event *out)
{
	if (q->n == 0 || q->heap[0].time >= limit)
		return false;
	pop_top(q, out);
	return true;
}

sim_time sim_queue_peek_time(const sim_queue *q)
{
	return q->n ? q->heap[0].time : SIM_TIME_MAX;
}

size_t sim_queue_size(const sim_queue *q)
{
	return q->n - q->stale;
}

bool sim_queue_pending(const sim_queue *q, sim_handle h)
{
	return lookup(q, h) != NO_SLOT;
}
