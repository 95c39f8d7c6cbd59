/* Reading a stream's shards: the one shard reader of every stream consumer (docs/model.md
 * "Streams", "Readers" and "Event source mappings"), used by the Lambda event source mapping, the
 * KCL-style consumer and the Firehose source. The contract lives in core so that those services
 * depend on core only; the stream's service implements it (kinesis/reader.c), since reading is what
 * a stream offers.
 *
 * An owner (one mapping, consumer or delivery stream) subscribes to a stream with
 * ks_readers_create and gets one reader per shard: for every shard the stream has or plans
 * (reshards) at once, and for every shard it opens later (on-demand splits), each announced by
 * ops->opened. A reader runs the GetRecords loop, or the enhanced fan-out subscription, and
 * owns what every client does alike:
 *   - bringing the producers up to now before it looks at the log (records are data);
 *   - retention: records that fell below the log's live range before it read them are
 *     skipped and reported (ops->skipped);
 *   - parents before children after a reshard [doc]: a child's reader waits until this
 *     owner's readers of its parents are done (their closed shard read to its end);
 *   - the shard's shared read limit: a call is admitted or throttled at the instant it is
 *     made (ReadProvisionedThroughputExceeded counts for the stream), its response arrives a
 *     getrecords_latency draw later; at most max_records records and 10 MiB per call [doc];
 *   - enhanced fan-out: records pushed through the subscription (kinesis/efo.h) instead of
 *     read through the shared limit;
 *   - where it starts: a reader is enabled at `enabled_at` (0: the run's start); LATEST
 *     skips the records accepted before it was enabled (a stream's backlog, or what came
 *     while it was not enabled) and holds none of them meanwhile; TRIM_HORIZON reads them
 *     from the oldest; AT_TIMESTAMP skips the records accepted before the start time.
 * What differs between clients is theirs, through ops: what happens to records that arrive,
 * when to call again (the owner asks with ks_reader_next), how long to wait after a throttle,
 * their metrics. A reader has at most one event pending (its next call, a response, or its
 * next look at the subscription).
 *
 * Positions: the reader's cursor is the next record to read; `keep` and `taken` (log.h) are
 * the owner's, set with ks_reader_hold. A reader never moves in memory (the log holds pointers
 * to its positions). */
#ifndef KS_READER_H
#define KS_READER_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/core/cost.h"
#include "models/core/log.h"
#include "sim/time.h"

struct ks_stream;
typedef struct ks_reader ks_reader;
typedef struct ks_readers ks_readers;

typedef struct ks_reader_ops {
	/* A reader for a shard: at subscription, or when the stream opens a shard later. */
	void (*opened)(void *owner, ks_reader *r);
	/* The reader is going (ks_readers_destroy): the owner frees its data. May be NULL. */
	void (*closed)(void *owner, ks_reader *r);
	/* Records [from, to) reached the owner at now (a response, or what was pushed). The
	 * reader waits until the owner asks for more with ks_reader_next. */
	void (*arrived)(void *owner, ks_reader *r, uint64_t from, uint64_t to, sim_time now);
	/* The cursor moved from `from` past records that are not the owner's to process: before
	 * each call and at the end of the run, `expired` of them fell below the log's live range
	 * unread (may be 0); the others came before the owner's start (LATEST when enabled,
	 * AT_TIMESTAMP). An owner with nothing in hand (its position at from) follows it. */
	void (*skipped)(void *owner, ks_reader *r, sim_time now, uint64_t expired, uint64_t from);
	/* A GetRecords call at now was admitted (age: GetRecords.IteratorAgeMilliseconds) or
	 * throttled. May be NULL. */
	void (*called)(void *owner, ks_reader *r, sim_time now, bool admitted, sim_time age);
	/* When to call again after the call at now was throttled (its response arrives `latency`
	 * later). */
	sim_time (*throttled)(void *owner, ks_reader *r, sim_time now, sim_time latency);
	/* Whether the owner still holds records of this reader in hand: a closed shard is done
	 * only when not. May be NULL (never). */
	bool (*holding)(void *owner, const ks_reader *r);
} ks_reader_ops;

typedef struct ks_reader_config {
	/* Random streams: keyed by (name, purpose, shard), the purposes `phase_purpose`,
	 * "getrecords" and "efo", each with ":<stream>" appended when by_stream is set (an owner
	 * that may read several streams). */
	const char *name;
	const char *phase_purpose;
	bool by_stream;
	sim_time phase;         /* the first call at the shard's opening + U(0, phase) */
	uint64_t max_records;   /* per call: at most 10,000 [doc] */
	sim_time parents_retry; /* a child whose parents are not done looks again this later */
	sim_time min_gap;       /* never calls within this of its last call (0: no rule) */
	sim_time start_at;      /* AT_TIMESTAMP: skips records accepted before it; -1: none */
	sim_time enabled_at;    /* first call (or look at the subscription) not before this */
	bool from_tip;          /* LATEST: skips what was accepted before it was enabled */
	bool efo;               /* enhanced fan-out instead of GetRecords */
	uint64_t efo_max_take;  /* records handed over per look at the subscription */
	sim_time efo_lookahead; /* how far ahead to look for the next push when idle */
} ks_reader_config;

/* Subscribes owner to stream s: one reader per shard, each announced by ops->opened before
 * this returns (and later, as shards open). Readers start with ks_readers_start; those opened
 * after it start at once. */
ks_readers *ks_readers_create(struct ks_stream *s, const ks_reader_config *cfg,
                              const ks_reader_ops *ops, void *owner);
void ks_readers_destroy(ks_readers *set); /* NULL: nothing */
/* Schedules each reader's first call at the shard's opening + U(0, phase), or its first look
 * at the subscription at the opening. */
void ks_readers_start(ks_readers *set);
/* At the end of the run: what expired unread is reported (ops->skipped). */
void ks_readers_finish(ks_readers *set, sim_time end);
size_t ks_readers_count(const ks_readers *set);
ks_reader *ks_readers_at(const ks_readers *set, size_t i); /* in the order they were opened */

/* The owner's own data for this reader. */
void ks_reader_set_data(ks_reader *r, void *data);
void *ks_reader_data(const ks_reader *r);

const ks_log *ks_reader_log(const ks_reader *r);
ks_log *ks_reader_log_mut(ks_reader *r);
size_t ks_reader_shard_index(const ks_reader *r); /* the shard's number in its stream */
const char *ks_reader_shard_id(const ks_reader *r);
const char *ks_reader_stream_name(const ks_reader *r);
sim_time ks_reader_retention(const ks_reader *r);

uint64_t ks_reader_cursor(const ks_reader *r); /* the next record to read */
/* The first record not yet handed over: the start of a call whose response is on its way,
 * else the cursor. */
uint64_t ks_reader_front(const ks_reader *r);
/* Whether a call, a response or a look at the subscription is pending. */
bool ks_reader_reading(const ks_reader *r);
/* Its closed shard read to the end: nothing more will come. */
bool ks_reader_done(const ks_reader *r);
/* Whether the last admitted call left readable records behind (a full page). */
bool ks_reader_more(const ks_reader *r);
sim_time ks_reader_last_call(const ks_reader *r);     /* -1 s before the first */
sim_time ks_reader_last_admitted(const ks_reader *r); /* start of the last admitted call */
sim_time ks_reader_last_arrival(const ks_reader *r);  /* when records last arrived */
/* Its phase stream (the owner may draw its own timing from it, as a Lambda poller does). */
gsl_rng *ks_reader_rng(ks_reader *r);

/* The owner's positions (log.h): `keep`, the first record it still needs; `taken`, the first
 * it has neither finished nor in hand. Trims the log. */
void ks_reader_hold(ks_reader *r, uint64_t keep, uint64_t taken);
/* The owner is ready for more: the next call at max(t, now) (no earlier than min_gap after
 * the last); with enhanced fan-out, it takes what was pushed by now at once. */
void ks_reader_next(ks_reader *r, sim_time t);

/* Enhanced fan-out's priced quantities in the measured period (consumer-shard-hours while the
 * shard was open, bytes pushed), added to cost; nothing without a subscription. */
void ks_readers_cost(const ks_readers *set, ks_cost *cost);

#endif
