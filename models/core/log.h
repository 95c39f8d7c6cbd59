/* A log of records by sequence number: a shard's records as its readers see them
 * (ARCHITECTURE.md, "The record path"). Kinesis shards own one each (kinesis/shard.h); readers
 * of every kind hold positions in it, and batches point into it.
 *
 * The log is a ring of ks_record indexed by sequence number (the slot is seq & (cap - 1)).
 * Three sequence numbers order it: head <= live <= end.
 *   [head, live)  expired by retention, kept only while some reader still holds them
 *   [live, end)   readable (subject to the shard's put_to_readable delay)
 * Each reader registers two positions: `keep`, the first record it still needs in the log (the
 * start of its batch in flight), and `taken`, the first record it has neither finished nor got
 * in hand. The log is trimmed up to the smallest `keep`, so memory follows the backlog, not
 * the run length; a record that expires at or after some reader's `taken` was lost to that
 * reader, and counts once in `expired` (the stream's records_expired). Readers start at the
 * tip, so nobody reads behind the slowest position, and a log with no reader keeps nothing. */
#ifndef KS_LOG_H
#define KS_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "models/core/metric.h"
#include "models/core/record.h"
#include "sim/time.h"

typedef struct ks_log {
	ks_record *ring;
	uint64_t cap; /* power of two */
	uint64_t head, live, end;
	sim_time retention;
	size_t index; /* the shard's number in its stream: a column of `expired`, for observers */
	ks_metric
	        *expired; /* counts records lost to some reader at their expiry time; may be NULL */
	struct ks_log_reader {
		const uint64_t *keep, *taken;
	} * readers;
	size_t nreaders, capreaders;
} ks_log;

void ks_log_init(ks_log *l, size_t index, sim_time retention, ks_metric *expired);
void ks_log_fini(ks_log *l);

static inline const ks_record *ks_log_record(const ks_log *l, uint64_t seq)
{
	return &l->ring[seq & (l->cap - 1)];
}

/* Appends a record (arrival times are non-decreasing). With no reader, only its sequence
 * number is kept: nobody will read it. */
void ks_log_append(ks_log *l, const ks_record *r);

/* Drops from the readable range every record older than retention at now, counting in
 * `expired` those some reader had not taken. */
void ks_log_expire(ks_log *l, sim_time now);

/* The end of what a read at now sees: records that arrived at or before now - delay (the log
 * may already hold later ones). */
uint64_t ks_log_readable_end(const ks_log *l, sim_time now, sim_time delay);

/* The end of the range from `from` toward `end` that holds at most max_records records and
 * max_bytes bytes, but at least one record when there is one; its bytes in *bytes. */
uint64_t ks_log_range(const ks_log *l, uint64_t from, uint64_t end, uint64_t max_records,
                      uint64_t max_bytes, uint64_t *bytes);

/* A reader's two positions, read whenever the log trims or expires. */
void ks_log_register(ks_log *l, const uint64_t *keep, const uint64_t *taken);
/* Frees the entries every reader is done with. */
void ks_log_trim(ks_log *l);

#endif
