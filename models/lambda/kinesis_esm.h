/* A Lambda event source mapping on a Kinesis stream (docs/model.md "Event source mappings"): one
 * function copy's kinesis trigger. A Lambda poller per shard reads through the shard reader
 * (core/reader.h), polling through the shared read limit or pushed through an enhanced fan-out
 * subscription; deals the records to `parallelization_factor` lanes by partition key, forms
 * batches, invokes the function and applies the mapping's error handling.
 *
 * Nothing is copied out of the log: a lane holds the sequence numbers of its records (a batch is
 * a prefix of its lane), and the log keeps every record until all lanes are done with it; the
 * poller's `keep` is the first record some lane has not finished, its `taken` the first one
 * neither finished nor in flight. A poller reads only when every lane is idle and none can
 * invoke (AWS: "when its buffer is empty and its batches are done"; with a batching window,
 * lanes waiting for their window let reads go on). */
#ifndef KS_KINESIS_ESM_H
#define KS_KINESIS_ESM_H

#include <stdbool.h>
#include <stdint.h>

#include "models/core/context.h"
#include "models/core/cost.h"
#include "models/core/sink.h"
#include "models/lambda/function.h"
#include "sim/dist.h"

struct ks_stream;

typedef enum { KS_AGE_BATCH_RECEIVED, KS_AGE_INVOKE_SENT, KS_AGE_INVOKE_FINISHED } ks_age_at;
typedef enum { KS_START_LATEST, KS_START_TRIM_HORIZON, KS_START_AT_TIMESTAMP } ks_start;

typedef struct ks_kinesis_esm_config {
	/* the trigger [doc] */
	uint32_t batch_size;
	sim_time batching_window; /* maximum_batching_window */
	uint32_t lanes;           /* parallelization_factor */
	ks_start start;
	sim_time start_at;   /* starting_position_timestamp */
	sim_time enabled_at; /* the mapping reads from then (LATEST: what comes from then) */
	const sim_yaml_node *filter_criteria; /* checked; NULL: every record is invoked */
	sim_time tumbling_window;             /* 0: none */
	int64_t max_retry_attempts;           /* -1: until the records expire */
	sim_time max_record_age;              /* -1: none */
	bool bisect;
	bool item_failures; /* report_batch_item_failures */
	ks_sink on_failure; /* where invocation records of discarded batches go (none: counted) */
	bool efo;           /* enhanced_fanout: a registered consumer, records pushed */
	/* platform.lambda */
	sim_time poll_interval;
	bool strict; /* poll_mode: strict (one read per interval) vs catch_up */
	double poll_jitter;
	uint32_t getrecords_limit;
	uint64_t payload_max_bytes; /* [doc] 6 MB invocation payload ... */
	/* ... which holds each record's data base64-encoded [doc] inside a JSON envelope of this
	 * many bytes [choice] */
	uint32_t event_record_overhead;
	sim_time throttle_penalty;
	sim_time backoff_base, backoff_cap;
	double backoff_factor;
	int backoff_jitter; /* ks_jitter */
	sim_time retry_delay;
	const sim_dist *invoke_overhead;
	ks_age_at age_at;
} ks_kinesis_esm_config;

typedef struct ks_kinesis_esm ks_kinesis_esm;

/* The mapping of fn's trigger on stream s; each shard's poller adds a column to fn's per-shard
 * series, labelled "<stream>/<shard id>" when label_with_stream (a function with several
 * triggers), else "<shard id>". */
ks_kinesis_esm *ks_kinesis_esm_create(ks_ctx *ctx, ks_function *fn, struct ks_stream *s,
                                      const ks_kinesis_esm_config *cfg, bool label_with_stream);
void ks_kinesis_esm_destroy(ks_kinesis_esm *e); /* NULL: nothing */
/* Each poller's first read at a random phase U(0, poll_interval) after its shard opens. */
void ks_kinesis_esm_start(ks_kinesis_esm *e);
/* At the end of the run: records that expired before a poller reached them count as expired. */
void ks_kinesis_esm_finish(ks_kinesis_esm *e, sim_time end);
/* Adds what its pollers had not finished (read or not, in lanes or in flight) to the
 * function's records_pending. */
void ks_kinesis_esm_pending(const ks_kinesis_esm *e);
/* Where the invocation records of discarded batches go (set when the model is linked). */
void ks_kinesis_esm_set_on_failure(ks_kinesis_esm *e, const ks_sink *on_failure);
/* Enhanced fan-out's consumer-shard-hours and bytes pushed, measured period. */
void ks_kinesis_esm_cost(const ks_kinesis_esm *e, ks_cost *cost);

#endif
