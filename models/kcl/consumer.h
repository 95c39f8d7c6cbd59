/* A KCL-style consumer application (`consumers:`, docs/model.md "Readers"): a reader of a stream
 * that is not Lambda. It shares each shard's read limit with the Lambda pollers, or reads
 * through its own enhanced fan-out subscription. */
#ifndef KS_CONSUMER_H
#define KS_CONSUMER_H

#include <stdbool.h>
#include <stdint.h>

#include "models/core/context.h"
#include "models/core/cost.h"
#include "sim/dist.h"

struct ks_stream;
typedef struct ks_consumer ks_consumer;

typedef struct ks_consumer_config {
	const char *name;
	struct ks_stream *stream;
	const char *stream_name; /* for the output file's `stream` attribute */
	bool enhanced_fanout;
	sim_time idle_time_between_reads; /* [code] KCL: next call at last successful + idle */
	uint32_t max_records;
	sim_dist per_record;       /* processing per record (ns); copied */
	sim_time throttle_backoff; /* [code] KCL 1.x: sleep after a throttled call */
	int initial_position;      /* 0 LATEST (KCL's default [doc]), 1 TRIM_HORIZON */
	sim_time enabled_at;       /* the application starts this long after the run */
} ks_consumer_config;

ks_consumer *ks_consumer_create(ks_ctx *ctx, const ks_consumer_config *cfg);
void ks_consumer_destroy(ks_consumer *c); /* NULL: nothing */
/* Schedules each shard reader's first call at a random phase U(0, idle). */
void ks_consumer_start(ks_consumer *c);
/* At the end of the run: counts what expired before it was reached. */
void ks_consumer_finish(ks_consumer *c, sim_time now);
/* Its enhanced fan-out consumer-shard-hours and bytes pushed (measured period). */
void ks_consumer_cost(const ks_consumer *c, ks_cost *cost);
/* Writes <consumer>.latency.*, .records_processed, .records_expired, .read_throttled, ... */
void ks_consumer_summarize(ks_consumer *c);

#endif
