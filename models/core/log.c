/* A log of records by sequence number (log.h). */
#include "models/core/log.h"

#include "sim/alloc.h"
#include "sim/assert.h"

void ks_log_init(ks_log *l, size_t index, sim_time retention, ks_metric *expired)
{
	*l = (ks_log){.index = index,
	              .retention = retention,
	              .expired = expired,
	              .nblocks = 4,
	              .bytes_min = UINT32_MAX,
	              .expiry_seq = UINT64_MAX};
	l->blocks = sim_calloc(l->nblocks, sizeof *l->blocks);
}

void ks_log_fini(ks_log *l)
{
	for (uint64_t i = 0; l->blocks && i < l->nblocks; i++)
		sim_free(l->blocks[i]);
	sim_free(l->blocks);
	sim_free(l->spare);
	sim_free(l->readers);
	l->blocks = NULL;
	l->spare = NULL;
	l->readers = NULL;
}

/* Doubles the ring of block pointers; each block keeps its number, so moves to its new slot. */
static void grow_blocks(ks_log *l)
{
	uint64_t n = l->nblocks * 2;
	ks_record **blocks = sim_calloc(n, sizeof *blocks);
	uint64_t first = l->head >> KS_LOG_BLOCK_BITS, last = l->end >> KS_LOG_BLOCK_BITS;
	for (uint64_t b = first; b < last; b++) /* the block of end is not made yet */
		blocks[b & (n - 1)] = l->blocks[b & (l->nblocks - 1)];
	sim_free(l->blocks);
	l->blocks = blocks;
	l->nblocks = n;
}

void ks_log_open_block(ks_log *l)
{
	uint64_t b = l->end >> KS_LOG_BLOCK_BITS;
	if (b - (l->head >> KS_LOG_BLOCK_BITS) + 1 > l->nblocks)
		grow_blocks(l);
	ks_record **slot = &l->blocks[b & (l->nblocks - 1)];
	if (!*slot) { /* (else an empty log restarting inside a block it still has) */
		if (l->spare) {
			*slot = l->spare;
			l->spare = NULL;
		} else {
			*slot = sim_malloc(KS_LOG_BLOCK * sizeof **slot);
		}
	}
	l->tail = *slot;
}

/* Frees the blocks wholly below `head` (keeping one as the spare). */
static void free_blocks(ks_log *l, uint64_t old_head, uint64_t head)
{
	for (uint64_t b = old_head >> KS_LOG_BLOCK_BITS; b < head >> KS_LOG_BLOCK_BITS; b++) {
		ks_record **slot = &l->blocks[b & (l->nblocks - 1)];
		if (!*slot)
			continue;
		if (!l->spare)
			l->spare = *slot;
		else
			sim_free(*slot);
		*slot = NULL;
	}
}

static uint64_t min_keep(const ks_log *l)
{
	uint64_t min = l->end;
	for (size_t i = 0; i < l->nreaders; i++)
		if (*l->readers[i].keep < min)
			min = *l->readers[i].keep;
	return min;
}

static uint64_t min_taken(const ks_log *l)
{
	uint64_t min = l->end;
	for (size_t i = 0; i < l->nreaders; i++)
		if (*l->readers[i].taken < min)
			min = *l->readers[i].taken;
	return min;
}

void ks_log_expire(ks_log *l, sim_time now)
{
	/* [doc] a record older than retention disappears whether or not it was read. */
	if (l->live < l->head)
		l->live = l->head;
	if (l->live == l->end)
		return;
	/* Arrivals are sorted, so a record expires no sooner than any before it: while the one
	 * looked at last (perhaps since taken and trimmed) has not expired, neither has live, and
	 * its line, long out of the cache, is not read at every poll. */
	if (l->expiry_seq <= l->live && l->expiry_t > now)
		return;
	if (l->expiry_seq != l->live) {
		l->expiry_seq = l->live;
		l->expiry_t = ks_log_record(l, l->live)->arrival + l->retention;
	}
	if (l->expiry_t > now)
		return;
	uint64_t min = min_taken(l);
	while (l->live < l->end) {
		const ks_record *r = ks_log_record(l, l->live);
		if (r->arrival + l->retention > now)
			break;
		if (l->live >= min && l->expired) /* some reader had not taken it */
			ks_metric_add(l->expired, r->arrival + l->retention, l->index, 1);
		l->live++;
	}
	ks_log_trim(l);
}

uint64_t ks_log_readable_end(const ks_log *l, sim_time now, sim_time delay)
{
	/* Producers may have run ahead of now (enhanced fan-out looks ahead for the next
	 * delivery), so the log can hold records not yet readable. */
	sim_time cutoff = now - delay;
	if (l->live == l->end || ks_log_record(l, l->end - 1)->arrival <= cutoff)
		return l->end;
	/* Arrival times are sorted: binary search the first record not yet readable. */
	uint64_t lo = l->live, hi = l->end;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (ks_log_record(l, mid)->arrival <= cutoff)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The bytes of n records, two at a time: GCC's vectorised loop for one sum went through the
 * stack (24-byte records), 6 instructions a record against 3. */
static uint64_t sum_bytes(const ks_record *r, uint64_t n)
{
	uint64_t even = 0, odd = 0, k = 0;
	for (; k + 2 <= n; k += 2) {
		even += r[k].bytes;
		odd += r[k + 1].bytes;
	}
	if (k < n)
		even += r[k].bytes;
	return even + odd;
}

uint64_t ks_log_range(const ks_log *l, uint64_t from, uint64_t end, uint64_t max_records,
                      uint64_t max_bytes, uint64_t *bytes)
{
	uint64_t sum = 0;
	if (from >= end) { /* a position past what is readable now (AT_TIMESTAMP's start) */
		*bytes = 0;
		return from;
	}
	uint64_t limit = end - from > max_records ? from + max_records : end;
	if (l->bytes_min == l->bytes_max) {
		/* Every record is that size (a constant size, as every benchmark's): the range is
		 * as many as fit, at least one, and reading it would only fetch lines a second
		 * old from memory (this walk was 4% of the large benchmark). */
		uint64_t n = limit - from, fit = l->bytes_max ? max_bytes / l->bytes_max : n;
		n = fit < n ? (fit ? fit : 1) : n;
		*bytes = n * l->bytes_max;
		return from + n;
	}
	if ((limit - from) * l->bytes_max <= max_bytes) { /* all of it fits: only the sum */
		for (uint64_t q = from, n; q < limit; q += n) {
			const ks_record *r = ks_log_run(l, q, limit, &n);
			sum += sum_bytes(r, n);
		}
		*bytes = sum;
		return limit;
	}
	for (uint64_t q = from, n; q < limit; q += n) {
		const ks_record *r = ks_log_run(l, q, limit, &n);
		for (uint64_t k = 0; k < n; k++) {
			uint32_t b = r[k].bytes;
			if (sum + b > max_bytes && q + k > from) {
				*bytes = sum;
				return q + k;
			}
			sum += b;
		}
	}
	*bytes = sum;
	return limit > from ? limit : from;
}

void ks_log_add_latencies(const ks_log *l, uint64_t from, uint64_t to, sim_time now,
                          sim_time warmup, sim_hist *h)
{
	for (uint64_t q = from, n; q < to; q += n) {
		const ks_record *r = ks_log_run(l, q, to, &n);
		/* arrivals are sorted: those before warmup come first */
		uint64_t k = 0;
		while (k < n && r[k].arrival < warmup)
			k++;
		if (k < n)
			sim_hist_add_ages(h, now, &r[k].arrival, sizeof *r, n - k);
	}
}

void ks_log_register(ks_log *l, const uint64_t *keep, const uint64_t *taken)
{
	sim_grow(&l->readers, &l->capreaders, l->nreaders + 1, sizeof *l->readers);
	l->readers[l->nreaders++] = (struct ks_log_reader){keep, taken};
}

void ks_log_trim(ks_log *l)
{
	/* Records every reader is done with go, expired or not: no reader reads behind its own
	 * position, and readers start at the tip (LATEST). */
	uint64_t head = min_keep(l);
	SIM_ASSERT(head >= l->head);
	free_blocks(l, l->head, head);
	l->head = head;
	if (l->live < head)
		l->live = head; /* gone before their time: nobody missed them */
}

size_t ks_log_blocks_held(const ks_log *l)
{
	size_t n = l->spare != NULL;
	for (uint64_t i = 0; i < l->nblocks; i++)
		n += l->blocks[i] != NULL;
	return n;
}
