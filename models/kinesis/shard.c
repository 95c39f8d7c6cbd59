/* A shard's log, write limit and retention (MODEL.md section 2). */
#include "models/kinesis/shard.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/kinesis/stream.h"
#include "sim/alloc.h"
#include "sim/assert.h"

void ks_shard_init(ks_shard *s, struct ks_stream *stream, size_t index,
                   const ks_write_limiter_config *write, const ks_read_limiter_config *read)
{
	*s = (ks_shard){
	        .stream = stream, .index = index, .write = *write, .close_at = SIM_TIME_MAX};
	snprintf(s->id, sizeof s->id, "shardId-%012zu", index);
	s->cap = 1024;
	s->ring = sim_malloc(s->cap * sizeof *s->ring);
	/* [choice] write_limiter: a token bucket of one second's depth starts full. */
	s->record_tokens = write->records_per_s;
	s->byte_tokens = write->bytes_per_s;
	s->fixed_window = -1;
	ks_read_limiter_init(&s->reads, read);
}

void ks_shard_fini(ks_shard *s)
{
	sim_free(s->ring);
	sim_free(s->consumers);
	sim_free(s->parents);
	ks_read_limiter_fini(&s->reads);
}

bool ks_shard_write_admit(ks_shard *s, sim_time t, uint32_t bytes)
{
	if (s->write.fixed_window) {
		int64_t w = t / SIM_S;
		if (w != s->fixed_window) {
			s->fixed_window = w;
			s->fixed_records = 0;
			s->fixed_bytes = 0;
		}
		if (s->fixed_records + 1 > s->write.records_per_s ||
		    s->fixed_bytes + bytes > s->write.bytes_per_s)
			return false;
		s->fixed_records += 1;
		s->fixed_bytes += bytes;
		return true;
	}
	double dt = (double)(t - s->refilled) * 1e-9;
	s->refilled = t;
	s->record_tokens =
	        fmin(s->write.records_per_s, s->record_tokens + dt * s->write.records_per_s);
	s->byte_tokens = fmin(s->write.bytes_per_s, s->byte_tokens + dt * s->write.bytes_per_s);
	if (s->record_tokens < 1.0 || s->byte_tokens < bytes)
		return false;
	s->record_tokens -= 1.0;
	s->byte_tokens -= bytes;
	return true;
}

static void grow(ks_shard *s)
{
	uint64_t cap = s->cap * 2;
	ks_record *ring = sim_malloc(cap * sizeof *ring);
	for (uint64_t q = s->head; q < s->end; q++)
		ring[q & (cap - 1)] = s->ring[q & (s->cap - 1)];
	sim_free(s->ring);
	s->ring = ring;
	s->cap = cap;
}

void ks_shard_push(ks_shard *s, const ks_record *r)
{
	if (s->nconsumers == 0) { /* nobody will read it: count the sequence number only */
		s->head = s->live = ++s->end;
		return;
	}
	if (s->end - s->head == s->cap)
		grow(s);
	s->ring[s->end & (s->cap - 1)] = *r;
	s->end++;
}

static uint64_t min_keep(const ks_shard *s)
{
	uint64_t min = s->end;
	for (size_t i = 0; i < s->nconsumers; i++)
		if (*s->consumers[i].keep < min)
			min = *s->consumers[i].keep;
	return min;
}

static uint64_t min_taken(const ks_shard *s)
{
	uint64_t min = s->end;
	for (size_t i = 0; i < s->nconsumers; i++)
		if (*s->consumers[i].taken < min)
			min = *s->consumers[i].taken;
	return min;
}

void ks_shard_expire(ks_shard *s, sim_time now, sim_time retention)
{
	/* [doc] a record older than retention disappears whether or not it was read. */
	if (s->live < s->head)
		s->live = s->head;
	if (s->live == s->end || ks_shard_record(s, s->live)->arrival + retention > now)
		return;
	uint64_t min = min_taken(s);
	ks_stream *stream = s->stream;
	while (s->live < s->end) {
		const ks_record *r = ks_shard_record(s, s->live);
		if (r->arrival + retention > now)
			break;
		if (s->live >= min) /* some consumer had not taken it */
			ks_metric_add(&stream->records_expired, r->arrival + retention, s->index,
			              1);
		s->live++;
	}
	ks_shard_trim(s);
}

uint64_t ks_shard_readable_end(const ks_shard *s, sim_time now, sim_time delay)
{
	/* Producers may have run ahead of now (enhanced fan-out looks ahead for the next
	 * delivery), so the log can hold records not yet readable. */
	sim_time cutoff = now - delay;
	if (s->live == s->end || ks_shard_record(s, s->end - 1)->arrival <= cutoff)
		return s->end;
	/* Arrival times are sorted: binary search the first record not yet readable. */
	uint64_t lo = s->live, hi = s->end;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (ks_shard_record(s, mid)->arrival <= cutoff)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint64_t ks_shard_range(const ks_shard *s, uint64_t from, uint64_t end, uint64_t max_records,
                        uint64_t max_bytes, uint64_t *bytes)
{
	uint64_t to = from, sum = 0;
	uint64_t limit = end - from > max_records ? from + max_records : end;
	while (to < limit) {
		uint32_t b = ks_shard_record(s, to)->bytes;
		if (sum + b > max_bytes && to > from)
			break;
		sum += b;
		to++;
	}
	*bytes = sum;
	return to;
}

uint64_t ks_shard_get_records(ks_shard *s, sim_time now, sim_time delay, uint64_t from,
                              uint64_t max_records, uint64_t max_bytes, sim_time *age, bool *more)
{
	uint64_t end = ks_shard_readable_end(s, now, delay);
	uint64_t bytes;
	uint64_t to = ks_shard_range(s, from, end, max_records, max_bytes, &bytes);
	ks_read_limiter_charge(&s->reads, now, bytes);
	if (s->stream && now >= s->stream->ctx->warmup)
		s->stream->bytes_out += (double)bytes;
	/* [doc] GetRecords.IteratorAgeMilliseconds: now minus the arrival of the last record
	 * returned; 0 when it returned the newest. */
	*age = (to == end || to == from) ? 0 : now - ks_shard_record(s, to - 1)->arrival;
	*more = to < end;
	return to;
}

void ks_shard_register(ks_shard *s, const uint64_t *keep, const uint64_t *taken)
{
	sim_grow(&s->consumers, &s->capconsumers, s->nconsumers + 1, sizeof *s->consumers);
	s->consumers[s->nconsumers++] = (struct ks_shard_consumer){keep, taken};
}

void ks_shard_trim(ks_shard *s)
{
	/* Records every consumer is done with go, expired or not: no consumer reads behind its
	 * own position, and consumers start at the tip (LATEST). */
	uint64_t head = min_keep(s);
	SIM_ASSERT(head >= s->head);
	s->head = head;
	if (s->live < head)
		s->live = head; /* gone before their time: nobody missed them */
}
