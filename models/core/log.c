/* A log of records by sequence number (log.h). */
#include "models/core/log.h"

#include "sim/alloc.h"
#include "sim/assert.h"

void ks_log_init(ks_log *l, size_t index, sim_time retention, ks_metric *expired)
{
	*l = (ks_log){.index = index, .retention = retention, .expired = expired, .cap = 1024};
	l->ring = sim_malloc(l->cap * sizeof *l->ring);
}

void ks_log_fini(ks_log *l)
{
	sim_free(l->ring);
	sim_free(l->readers);
	l->ring = NULL;
	l->readers = NULL;
}

static void grow(ks_log *l)
{
	uint64_t cap = l->cap * 2;
	ks_record *ring = sim_malloc(cap * sizeof *ring);
	for (uint64_t q = l->head; q < l->end; q++)
		ring[q & (cap - 1)] = l->ring[q & (l->cap - 1)];
	sim_free(l->ring);
	l->ring = ring;
	l->cap = cap;
}

void ks_log_append(ks_log *l, const ks_record *r)
{
	if (l->nreaders == 0) { /* nobody will read it: count the sequence number only */
		l->head = l->live = ++l->end;
		return;
	}
	if (l->end - l->head == l->cap)
		grow(l);
	l->ring[l->end & (l->cap - 1)] = *r;
	l->end++;
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
	if (l->live == l->end || ks_log_record(l, l->live)->arrival + l->retention > now)
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

uint64_t ks_log_range(const ks_log *l, uint64_t from, uint64_t end, uint64_t max_records,
                      uint64_t max_bytes, uint64_t *bytes)
{
	uint64_t to = from, sum = 0;
	uint64_t limit = end - from > max_records ? from + max_records : end;
	while (to < limit) {
		uint32_t b = ks_log_record(l, to)->bytes;
		if (sum + b > max_bytes && to > from)
			break;
		sum += b;
		to++;
	}
	*bytes = sum;
	return to;
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
	l->head = head;
	if (l->live < head)
		l->live = head; /* gone before their time: nobody missed them */
}
