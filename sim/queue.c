/* The event queue: a 4-ary min-heap of small entries plus a slot array for the payloads.
 *
 * Layout. The heap holds 16-byte entries {time, seq << SLOT_BITS | slot} inline, placed so that
 * the four children of a node share one 64-byte cache line: a sift touches one line a level,
 * and only the keys it compares. What an event carries (fn, obj, arg) lives in a slot that
 * never moves while the event is pending. A sift writes only into the heap: nothing outside it
 * records where an entry sits, so a heap of a million entries costs the cache misses of its own
 * levels and no more.
 *
 * Tiers, for big queues. A heap of a million entries costs a cache miss at each of its lower
 * levels on every pop. So once the heap holds more than spill_at entries (and more than the far
 * tiers), the queue spreads its entries by time into buckets of about bucket_target entries
 * each, of equal width (a power of two, in ns, set by the density of times near the earliest:
 * bucket_shift), and keeps only the earliest bucket in the heap:
 *
 *     heap: time < lim    buckets[cur..nbuckets): [start + b << shift, start + (b + 1) << shift)
 *     overflow: time >= start + nbuckets << shift
 *
 * A push goes to the tier its time belongs to: most land in a bucket, an append to a line
 * that is in the cache. When the heap empties, the next non-empty bucket is heapified (linear);
 * when the buckets run out, the overflow is spread into new ones, and a queue that has doubled
 * since its buckets were cut is cut again (rebuild). Every entry of a tier is
 * earlier than every entry of the next, so the heap's top is the queue's earliest and the pop
 * order, (time, seq), is the same as a single heap's: results do not depend on the tiers. A
 * queue that drains empty goes back to the single heap; a scenario's queue (consumers x
 * shards, a few thousand events) never leaves it.
 *
 * Cancel is lazy: it frees the slot and leaves the entry in the heap, where it is recognised as
 * stale (its slot no longer holds its seq_slot) and dropped when it reaches the top (or its
 * bucket is loaded). Stale entries are counted; when they are more than half the queue's
 * entries, they are swept out and the heap (or the tiers) rebuilt (linear), so a model that cancels
 * and reschedules a timer again and again keeps the heap at most twice its pending events. Pop
 * order does not depend on the heap's shape: (time, seq) is a total order, so results are the same
 * whatever was cancelled when.
 *
 * Invariants:
 * - heap[0..n) is a 4-ary min-heap under before(): (time, seq) lexicographic. seq is unique
 *   (one per push, from 1), so the order is total and equal times pop in push order.
 * - Tiered: every heap entry is earlier than every bucket entry, every entry of bucket b
 *   earlier than every entry of bucket b + 1, and every bucket entry earlier than every
 *   overflow entry; far counts the bucket and overflow entries, and the heap is empty only
 *   when far is 0 too (the queue is then empty and leaves the tiers).
 * - An entry is live iff slots[its slot].seq_slot equals its seq_slot; stale counts the others,
 *   in every tier.
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
 * Ownership: the queue owns the heap, the slots, the buckets and the overflow; obj pointers
 * are the caller's. */
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

/* A bucket or the overflow: entries in no order. */
struct tier {
	struct entry *e;
	size_t n, cap;
};

/* The default sizes: a heap of spill_at entries is 128 KB, within the second-level cache; a
 * bucket of bucket_target entries is 32 KB. Measured with bench/bench_queue (docs/performance.md).
 */
#define SPILL_AT      8192
#define BUCKET_TARGET 2048
#define MAX_BUCKETS   ((size_t)1 << 16)

struct sim_queue {
	struct entry *heap; /* raw + a 0..3 offset that puts &heap[1] on a cache line */
	struct entry *raw;
	size_t n, heap_cap; /* raw holds heap_cap + 3 entries */
	size_t stale;       /* entries of cancelled events still in the queue, in any tier */

	/* The tiers (see the top of the file); unused while !tiered. */
	bool tiered;
	size_t spill_at, bucket_target;
	size_t spill_next; /* the heap size that makes a push rebuild: spill_at, or twice the last
	                      loaded bucket's if that was bigger */
	sim_time start;    /* time of bucket 0's first ns */
	uint64_t lim_off;  /* the heap holds times < start + lim_off (and all times < start) */
	unsigned shift;    /* a bucket spans 1 << shift ns */
	struct tier *buckets;
	size_t nbuckets, cur, buckets_cap; /* buckets before cur are empty */
	struct tier overflow;
	size_t far;          /* entries in buckets and overflow */
	size_t spread_total; /* live entries at the last spread_overflow */

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

/* Makes heap[0..n) a heap, bottom-up (linear). */
static void heapify(sim_queue *q)
{
	for (size_t i = q->n / ARITY + 1; i-- > 0;)
		if (i < q->n)
			sift_down(q, i, q->heap[i]);
}

/* Sweeps every stale entry out of the heap and rebuilds it (the single-heap queue). */
static void sweep_heap(sim_queue *q)
{
	size_t k = 0;
	for (size_t i = 0; i < q->n; i++)
		if (live(q, &q->heap[i]))
			q->heap[k++] = q->heap[i];
	q->n = k;
	q->stale = 0;
	heapify(q);
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

/* Makes room for `need` entries in the heap. */
static void grow_heap(sim_queue *q, size_t need)
{
	size_t offset = q->raw ? (size_t)(q->heap - q->raw) : 0;
	size_t cap = q->heap_cap + 3;
	sim_grow(&q->raw, &cap, need + 3, sizeof *q->raw);
	q->heap_cap = cap - 3;
	place_heap(q, offset);
}

static inline void tier_append(struct tier *t, struct entry e)
{
	if (t->n == t->cap)
		sim_grow(&t->e, &t->cap, t->n + 1, sizeof *t->e);
	t->e[t->n++] = e;
}

/* Moves the live entries of t into the heap (unordered: the caller heapifies) and empties t;
 * stale ones are dropped. */
static void tier_to_heap(sim_queue *q, struct tier *t)
{
	if (q->n + t->n > q->heap_cap)
		grow_heap(q, q->n + t->n);
	if (q->stale == 0) {
		/* No entry anywhere is stale: skip reading each one's slot, a cache miss apiece in
		 * a big queue. */
		memcpy(q->heap + q->n, t->e, t->n * sizeof *t->e);
		q->n += t->n;
	} else {
		for (size_t i = 0; i < t->n; i++) {
			if (live(q, &t->e[i]))
				q->heap[q->n++] = t->e[i];
			else
				q->stale--;
		}
	}
	q->far -= t->n;
	t->n = 0;
}

/* The heap's bound, start + (cur << shift), as an offset from start: UINT64_MAX when it would
 * not fit (only the overflow lies beyond it then). */
static uint64_t bucket_offset(unsigned shift, size_t b)
{
	return b > (UINT64_MAX >> shift) ? UINT64_MAX : (uint64_t)b << shift;
}

/* Drops the stale entries of the overflow; returns how many live ones it holds and, when
 * some, their earliest and latest times. */
static size_t compact_overflow(sim_queue *q, sim_time *lo, sim_time *hi)
{
	struct tier *o = &q->overflow;
	size_t k = 0;
	*lo = SIM_TIME_MAX;
	*hi = INT64_MIN;
	bool all_live = q->stale == 0; /* then skip the slots: a cache miss apiece */
	for (size_t i = 0; i < o->n; i++) {
		struct entry e = o->e[i];
		if (!all_live && !live(q, &e)) {
			q->stale--;
			continue;
		}
		*lo = e.time < *lo ? e.time : *lo;
		*hi = e.time > *hi ? e.time : *hi;
		o->e[k++] = e;
	}
	q->far -= o->n - k;
	o->n = k;
	return k;
}

/* The bucket width, as a shift, for n live entries from lo: wide enough that the first bucket
 * holds about bucket_target of them. Event times are seldom spread evenly (pending timers
 * crowd near now, a few lie far out), so the width comes from the density near lo, measured by
 * the lower quartile of a strided sample, not from the span. */
static unsigned bucket_shift(const sim_queue *q, size_t n, sim_time lo)
{
	enum { SAMPLE = 63 };
	uint64_t sample[SAMPLE];
	size_t m = n < SAMPLE ? n : SAMPLE;
	for (size_t i = 0; i < m; i++) {
		uint64_t v = (uint64_t)q->overflow.e[i * (n / m)].time - (uint64_t)lo;
		size_t j = i;
		for (; j > 0 && sample[j - 1] > v; j--)
			sample[j] = sample[j - 1];
		sample[j] = v;
	}
	size_t quart = m / 4;
	double below = ((double)quart + 0.5) / (double)m * (double)n; /* entries before it */
	double width = (double)sample[quart] * (double)q->bucket_target / below;
	unsigned shift = 0;
	while (shift < 63 && width >= 2.0 * (double)((uint64_t)1 << shift))
		shift++;
	return shift;
}

/* Spreads the overflow, whose live entries are all later than the heap's (which is empty),
 * into fresh buckets; stale entries are dropped. Entries beyond the last bucket stay in the
 * overflow: there are at most 4 times as many buckets as a spread of bucket_target each
 * needs, so a far-out outlier does not make a bucket array of its own span. */
static void spread_overflow(sim_queue *q)
{
	sim_time lo, hi;
	size_t n = compact_overflow(q, &lo, &hi);
	if (n == 0)
		return;
	q->spread_total = n;
	unsigned shift = bucket_shift(q, n, lo);
	uint64_t span = (uint64_t)hi - (uint64_t)lo;
	size_t nb = 4 * (n / q->bucket_target) + 1;
	if (nb > MAX_BUCKETS)
		nb = MAX_BUCKETS;
	if ((span >> shift) < nb)
		nb = (size_t)(span >> shift) + 1;
	if (nb > q->buckets_cap) {
		size_t old = q->buckets_cap;
		sim_grow(&q->buckets, &q->buckets_cap, nb, sizeof *q->buckets);
		memset(q->buckets + old, 0, (q->buckets_cap - old) * sizeof *q->buckets);
	}
	q->start = lo;
	q->shift = shift;
	q->nbuckets = nb;
	q->cur = 0;
	q->lim_off = 0;
	struct tier *o = &q->overflow;
	size_t k = 0;
	for (size_t i = 0; i < o->n; i++) {
		uint64_t b = ((uint64_t)o->e[i].time - (uint64_t)lo) >> shift;
		if (b < nb)
			tier_append(&q->buckets[b], o->e[i]);
		else
			o->e[k++] = o->e[i];
	}
	o->n = k;
}

static void rebuild(sim_queue *q);

/* The heap is empty and far is not: loads the next non-empty bucket into the heap. */
static void load_next(sim_queue *q)
{
	while (q->cur < q->nbuckets && q->buckets[q->cur].n == 0)
		q->cur++;
	if (q->cur == q->nbuckets) {
		spread_overflow(q);
		if (q->far == 0)
			return;
	}
	if (q->buckets[q->cur].n > q->spill_at && q->n + q->far > 2 * q->spread_total) {
		/* The buckets were cut for a queue half this size or less (it grew since): spread
		 * everything again, rather than load a bucket of more than spill_at. */
		rebuild(q);
		return;
	}
	tier_to_heap(q, &q->buckets[q->cur]);
	q->cur++;
	q->lim_off = bucket_offset(q->shift, q->cur);
	/* Each of these events will read its slot when it pops. In a big queue the slots lie
	 * far apart in memory: asking for all their lines now costs bandwidth once, where
	 * waiting for each at its pop would cost a memory latency per event. */
	for (size_t i = 0; i < q->n; i++)
		__builtin_prefetch(&q->slots[slot_of(&q->heap[i])]);
	heapify(q);
	q->spill_next = 2 * q->n > q->spill_at ? 2 * q->n : q->spill_at;
}

/* Makes the top live: drops stale tops and loads buckets until the heap has a live top or the
 * queue is empty, which also leaves the tiers. */
static inline void settle(sim_queue *q)
{
	settle_top(q);
	if (q->n > 0 || !q->tiered)
		return;
	while (q->n == 0 && q->far > 0) {
		load_next(q);
		settle_top(q);
	}
	if (q->n == 0)
		q->tiered = false;
}

/* Gathers every live entry into the overflow and redistributes: into the single heap when
 * they are few, else into fresh tiers. Called when the heap has outgrown spill_at, and to
 * sweep the stale entries of a tiered queue. */
static void rebuild(sim_queue *q)
{
	struct tier *o = &q->overflow;
	for (size_t b = q->cur; b < q->nbuckets; b++) {
		struct tier *t = &q->buckets[b];
		for (size_t i = 0; i < t->n; i++)
			tier_append(o, t->e[i]);
		t->n = 0;
	}
	for (size_t i = 0; i < q->n; i++)
		tier_append(o, q->heap[i]);
	q->far += q->n;
	q->n = 0;
	q->nbuckets = q->cur = 0;
	sim_time lo, hi;
	if (compact_overflow(q, &lo, &hi) <= q->spill_at / 2) {
		/* Few enough for one heap: back to the single heap. */
		q->tiered = false;
		tier_to_heap(q, o);
		heapify(q);
		q->spill_next = q->spill_at;
		return;
	}
	q->tiered = true;
	load_next(q);
	settle(q);
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
	return sim_queue_create_tiered(SPILL_AT, BUCKET_TARGET);
}

sim_queue *sim_queue_create_tiered(size_t spill_at, size_t bucket_target)
{
	SIM_ASSERT(spill_at > 0 && bucket_target > 0);
	sim_queue *q = sim_calloc(1, sizeof *q);
	q->free_head = NO_SLOT;
	q->spill_at = q->spill_next = spill_at;
	q->bucket_target = bucket_target;
	return q;
}

void sim_queue_destroy(sim_queue *q)
{
	if (!q)
		return;
	sim_free(q->raw);
	sim_free(q->slots);
	for (size_t b = 0; b < q->buckets_cap; b++)
		sim_free(q->buckets[b].e);
	sim_free(q->buckets);
	sim_free(q->overflow.e);
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
	SIM_ASSERT(q->seq < MAX_SEQ - 1);

	struct slot *s = &q->slots[idx];
	s->fn = fn;
	s->obj = obj;
	s->arg = arg;
	/* seq starts at 1, so no entry has seq_slot 0, the free slots' mark */
	struct entry e = {.time = time, .seq_slot = ++q->seq << SLOT_BITS | idx};
	s->seq_slot = e.seq_slot;
	if (q->tiered) {
		uint64_t off = (uint64_t)time - (uint64_t)q->start;
		if (time >= q->start && off >= q->lim_off) {
			uint64_t b = off >> q->shift;
			tier_append(b < q->nbuckets ? &q->buckets[b] : &q->overflow, e);
			q->far++;
			return e.seq_slot;
		}
	}
	if (q->n == q->heap_cap)
		grow_heap(q, q->n + 1);
	sift_up(q, q->n++, e);
	/* A heap grown past spill_next (and big beside the far tiers, so that a rebuild costs a
	 * few times the pushes that grew it) is spread out again. */
	if (q->n > q->spill_next && 4 * q->n > q->far)
		rebuild(q);
	return e.seq_slot;
}

int sim_queue_cancel(sim_queue *q, sim_handle h)
{
	uint32_t idx = lookup(q, h);
	if (idx == NO_SLOT)
		return -ENOENT;
	free_slot(q, idx);
	q->stale++;
	settle(q);
	if (q->stale > 64 && q->stale > (q->n + q->far) / 2) {
		if (q->tiered)
			rebuild(q);
		else
			sweep_heap(q);
	}
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
	settle(q);
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
	return q->n + q->far - q->stale;
}

bool sim_queue_pending(const sim_queue *q, sim_handle h)
{
	return lookup(q, h) != NO_SLOT;
}
