/* A shard: its log of records, its write limit, retention, and its shared read limit.
 *
 * The log is a ring of ks_record indexed by sequence number (the ring slot is seq & (cap - 1)).
 * Three sequence numbers order it: head <= live <= end.
 *   [head, live)  expired by retention, kept only while some consumer still holds a batch of them
 *   [live, end)   readable (subject to put_to_readable)
 * Records every consumer has finished are freed at once (head moves past them, and live with
 * it): consumers start at the tip, so nobody reads behind the slowest position.
 * Each consumer registers two positions: `keep`, the first record it still needs in the log
 * (the start of its batch in flight), and `taken`, the first record it has neither finished nor
 * got in flight. The log is trimmed up to min(live, keep), so memory follows the backlog, not
 * the run length; a record that expires at or after some consumer's `taken` was lost to that
 * consumer. */
#ifndef KS_SHARD_H
#define KS_SHARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/kinesis/read_limiter.h"
#include "models/core/record.h"
#include "sim/time.h"

struct ks_stream;

typedef struct ks_write_limiter_config {
	bool fixed_window;    /* [choice] platform.kinesis.write_limiter */
	double records_per_s; /* [doc] 1000/s */
	double bytes_per_s;   /* [doc] 1 MiB/s, partition keys included */
} ks_write_limiter_config;

__extension__ typedef unsigned __int128 ks_hash; /* a partition key's MD5 as a number */

typedef struct ks_shard {
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

	ks_record *ring;
	uint64_t cap; /* power of two */
	uint64_t head, live, end;

	ks_write_limiter_config write;
	double record_tokens, byte_tokens; /* token bucket of one second's depth */
	sim_time refilled;
	int64_t fixed_window; /* fixed window: current second and what it admitted */
	double fixed_records, fixed_bytes;

	ks_read_limiter reads;

	struct ks_shard_consumer {
		const uint64_t *keep, *taken;
	} * consumers;
	size_t nconsumers, capconsumers;
} ks_shard;

void ks_shard_init(ks_shard *s, struct ks_stream *stream, size_t index,
                   const ks_write_limiter_config *write, const ks_read_limiter_config *read);
void ks_shard_fini(ks_shard *s);

static inline const ks_record *ks_shard_record(const ks_shard *s, uint64_t seq)
{
	return &s->ring[seq & (s->cap - 1)];
}

/* The write limit: whether a record of `bytes` (data plus partition key) arriving at t is
 * accepted. Consumes capacity when it is. Calls come in non-decreasing t. */
bool ks_shard_write_admit(ks_shard *s, sim_time t, uint32_t bytes);
/* Appends an accepted record (arrival times are non-decreasing). */
void ks_shard_push(ks_shard *s, const ks_record *r);

/* Drops from the readable range every record older than retention at now, counting for the
 * stream those some consumer had not finished. */
void ks_shard_expire(ks_shard *s, sim_time now, sim_time retention);

/* The end of what a read at now sees: records that arrived at or before now - delay (the log
 * may already hold later ones). */
uint64_t ks_shard_readable_end(const ks_shard *s, sim_time now, sim_time delay);

/* The end of the range from `from` toward `end` that holds at most max_records records and
 * max_bytes bytes, but at least one record when there is one (a call returns at least the
 * record at its position, however large); its bytes in *bytes. */
uint64_t ks_shard_range(const ks_shard *s, uint64_t from, uint64_t end, uint64_t max_records,
                        uint64_t max_bytes, uint64_t *bytes);

/* An admitted GetRecords call made at now from `from` (a tight loop, no copy): returns the end
 * of the records it returns (readable ones, at most max_records and max_bytes), charges their
 * bytes to the shard's read limit, and gives GetRecords.IteratorAgeMilliseconds in *age and
 * whether the shard held more readable records in *more. */
uint64_t ks_shard_get_records(ks_shard *s, sim_time now, sim_time delay, uint64_t from,
                              uint64_t max_records, uint64_t max_bytes, sim_time *age, bool *more);

void ks_shard_register(ks_shard *s, const uint64_t *keep, const uint64_t *taken);
/* Frees log entries every consumer is done with. */
void ks_shard_trim(ks_shard *s);

#endif
