/* A Kinesis shard: its log of records (core/log.h), its hash key range and lifetime, its write
 * limit, and the read limit shared by its standard consumers (docs/model.md "Streams"). */
#ifndef KS_SHARD_H
#define KS_SHARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/core/log.h"
#include "models/core/record.h"
#include "models/kinesis/read_limiter.h"
#include "sim/time.h"

struct ks_stream;

typedef struct ks_write_limiter_config {
	bool fixed_window;    /* [choice] platform.kinesis.write_limiter */
	double records_per_s; /* [doc] 1000/s */
	double bytes_per_s;   /* [doc] 1 MiB/s, partition keys included */
	/* [doc] a record up to the stream's MaxRecordSize is accepted, large ones with burst;
	 * [choice] the byte bucket holds max(bytes_per_s, max_record_size): the sustained rate is
	 * unchanged, and a 10 MiB record waits until ten seconds' worth has built up */
	double burst_bytes;
} ks_write_limiter_config;

__extension__ typedef unsigned __int128 ks_hash; /* a partition key's MD5 as a number */

typedef struct ks_shard {
	/* What every write touches comes first and together (admission, then the log's append
	 * fields): with a thousand shards written at random, each write costs the cache lines it
	 * touches. */
	ks_write_limiter_config write;
	double record_tokens, byte_tokens; /* token bucket of one second's depth */
	sim_time refilled;
	bool write_refused_bytes; /* the last refused write: by the byte limit, not the record one
	                           */
	/* The log on cache lines of its own: with the producers on a helper thread
	 * (kinesis/ahead.h) the admission state above is the helper's, the log this thread's. */
	_Alignas(64) ks_log log;
	int64_t fixed_window; /* fixed window: current second and what it admitted */
	double fixed_records, fixed_bytes;

	struct ks_stream *stream;
	size_t index;               /* column in the stream's series */
	char id[32];                /* shardId-000000000000 */
	ks_hash lo, hi;             /* its hash key range, inclusive */
	sim_time open_at, close_at; /* takes writes in [open_at, close_at) (SIM_TIME_MAX: open) */
	size_t *parents; /* indices of the shards it replaced: read to their end first [doc] */
	size_t nparents;
	int64_t rate_minute; /* on-demand: the calendar minute being measured, its bytes, and */
	double rate_bytes;   /* whether a split of this shard is already planned */
	bool splitting;

	ks_read_limiter reads;
} ks_shard;

/* expired: the stream's records_expired, counted by the log (may be NULL). */
void ks_shard_init(ks_shard *s, struct ks_stream *stream, size_t index, sim_time retention,
                   ks_metric *expired, const ks_write_limiter_config *write,
                   const ks_read_limiter_config *read);
void ks_shard_fini(ks_shard *s);

/* ks_shard_write_admit with write.fixed_window (shard.c). */
bool ks_shard_write_admit_fixed(ks_shard *s, sim_time t, uint32_t bytes);

/* The write limit: whether a record of `bytes` (data plus partition key) arriving at t is
 * accepted. Consumes capacity when it is. Calls come in non-decreasing t. Inline: the producers
 * ask once per record. */
static inline bool ks_shard_write_admit(ks_shard *s, sim_time t, uint32_t bytes)
{
	if (s->write.fixed_window)
		return ks_shard_write_admit_fixed(s, t, bytes);
	double dt = (double)(t - s->refilled) * 1e-9;
	s->refilled = t;
	/* min without fmin's NaN handling, a libm call per record (the values are never NaN) */
	double records = s->record_tokens + dt * s->write.records_per_s;
	double bytes_now = s->byte_tokens + dt * s->write.bytes_per_s;
	s->record_tokens = records < s->write.records_per_s ? records : s->write.records_per_s;
	s->byte_tokens = bytes_now < s->write.burst_bytes ? bytes_now : s->write.burst_bytes;
	if (s->record_tokens < 1.0 || s->byte_tokens < bytes) {
		s->write_refused_bytes = s->record_tokens >= 1.0;
		return false;
	}
	s->record_tokens -= 1.0;
	s->byte_tokens -= bytes;
	return true;
}

/* An admitted GetRecords call made at now from `from` (a tight loop, no copy): returns the end
 * of the records it returns (readable ones, at most max_records and max_bytes), charges their
 * bytes to the shard's read limit, and gives GetRecords.IteratorAgeMilliseconds in *age and
 * whether the shard held more readable records in *more. */
uint64_t ks_shard_get_records(ks_shard *s, sim_time now, sim_time delay, uint64_t from,
                              uint64_t max_records, uint64_t max_bytes, sim_time *age, bool *more);

#endif
