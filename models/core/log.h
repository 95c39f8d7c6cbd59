/* A log of records by sequence number: a shard's records as its readers see them
 * (docs/architecture.md, "The record path"). Kinesis shards own one each (kinesis/shard.h); readers
 * of every kind hold positions in it, and batches point into it.
 *
 * The log is held in blocks of KS_LOG_BLOCK records (6 KiB), found through a ring of block
 * pointers indexed by seq / KS_LOG_BLOCK: memory follows the backlog within a block (no ring
 * that doubles and never shrinks: a shard blocked for a day holds its 83 million records in
 * 2.0 GB, not 3.2 GB plus a copy while growing), appending never copies a record, and a block
 * every reader is done with is freed (one is kept for the next append).
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
#include "sim/hist.h"
#include "sim/time.h"

#define KS_LOG_BLOCK_BITS 8
#define KS_LOG_BLOCK      ((uint64_t)1 << KS_LOG_BLOCK_BITS)

typedef struct ks_log {
	ks_record **blocks; /* ring: block b (records [b B, (b + 1) B)) at b & (nblocks - 1) */
	uint64_t nblocks;   /* power of two */
	uint64_t head, live, end;
	size_t nreaders;    /* (of readers, below; here beside what an append reads) */
	ks_record *tail;    /* the block record `end` goes in, once ks_log_open_block made it: an
	                     * append writes there without a look into the ring */
	uint32_t bytes_max; /* the largest record kept (readers read nothing older): a range of n
	                     * records holds at most n x this, so most ranges need no byte check
	                     * per record */
	uint32_t bytes_min; /* the smallest (UINT32_MAX: none yet): when equal to bytes_max, every
	                     * record is that size and a range's bytes need no look at it */
	ks_record *spare;   /* a freed block, for the next one needed */
	sim_time retention;
	/* when record expiry_seq (the first readable one at the last look; no later one expires
	 * sooner) expires: asking again reads no record, whose line is long out of the cache
	 * (UINT64_MAX: nothing known) */
	uint64_t expiry_seq;
	sim_time expiry_t;
	size_t index; /* the shard's number in its stream: a column of `expired`, for observers */
	ks_metric
	        *expired; /* counts records lost to some reader at their expiry time; may be NULL */
	struct ks_log_reader {
		const uint64_t *keep, *taken;
	} * readers;
	size_t capreaders;
} ks_log;

void ks_log_init(ks_log *l, size_t index, sim_time retention, ks_metric *expired);
void ks_log_fini(ks_log *l);

static inline const ks_record *ks_log_record(const ks_log *l, uint64_t seq)
{
	return &l->blocks[(seq >> KS_LOG_BLOCK_BITS) & (l->nblocks - 1)][seq & (KS_LOG_BLOCK - 1)];
}

/* The records from seq that share its block, at most to - seq of them (to > seq): a pointer to
 * the first and their number in *n. Loops over a range walk it a block at a time:
 *     for (uint64_t q = from, n; q < to; q += n) { const ks_record *r = ks_log_run(l, q, to, &n);
 * ... } so each record costs a pointer step, not a look-up through the ring. */
static inline const ks_record *ks_log_run(const ks_log *l, uint64_t seq, uint64_t to, uint64_t *n)
{
	uint64_t in_block = KS_LOG_BLOCK - (seq & (KS_LOG_BLOCK - 1));
	*n = to - seq < in_block ? to - seq : in_block;
	return ks_log_record(l, seq);
}

/* Makes the block that record l->end goes in (log.c). */
void ks_log_open_block(ks_log *l);

/* Appends a record (arrival times are non-decreasing). With no reader, only its sequence
 * number is kept: nobody will read it. Inline: the producers call it once per record. */
static inline void ks_log_append(ks_log *l, ks_record r)
{
	if (l->nreaders == 0) {
		l->head = l->live = ++l->end;
		return;
	}
	/* Within a block that holds a record (end - 1 >= head), tail is that block: blocks
	 * below head go, never the one of a record still held. */
	if ((l->end & (KS_LOG_BLOCK - 1)) == 0 || l->end == l->head)
		ks_log_open_block(l);
	l->tail[l->end & (KS_LOG_BLOCK - 1)] = r;
	l->end++;
	/* Stores only when a bound moves: records of one size cost two compares. */
	if (r.bytes > l->bytes_max || r.bytes < l->bytes_min) {
		if (r.bytes > l->bytes_max)
			l->bytes_max = r.bytes;
		if (r.bytes < l->bytes_min)
			l->bytes_min = r.bytes;
	}
}

/* Drops from the readable range every record older than retention at now, counting in
 * `expired` those some reader had not taken. */
void ks_log_expire(ks_log *l, sim_time now);

/* The end of what a read at now sees: records that arrived at or before now - delay (the log
 * may already hold later ones). */
uint64_t ks_log_readable_end(const ks_log *l, sim_time now, sim_time delay);

/* The end of the range from `from` toward `end` that holds at most max_records records and
 * max_bytes bytes, but at least one record when there is one; its bytes in *bytes. From at or
 * past end: from, with no bytes. */
uint64_t ks_log_range(const ks_log *l, uint64_t from, uint64_t end, uint64_t max_records,
                      uint64_t max_bytes, uint64_t *bytes);

/* Adds to h the latency at now (now - arrival) of every record in [from, to) that arrived at or
 * after warmup: what a reader that got or finished them at now measures. */
void ks_log_add_latencies(const ks_log *l, uint64_t from, uint64_t to, sim_time now,
                          sim_time warmup, sim_hist *h);
/* A reader's two positions, read whenever the log trims or expires. */
void ks_log_register(ks_log *l, const uint64_t *keep, const uint64_t *taken);
/* Frees the entries every reader is done with. */
void ks_log_trim(ks_log *l);
/* Blocks of records held (the spare included): the log's memory is this x KS_LOG_BLOCK x 24 B. */
size_t ks_log_blocks_held(const ks_log *l);

#endif
