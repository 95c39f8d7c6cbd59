/* A Kinesis Data Firehose delivery stream to S3 (`firehoses:`, docs/model.md "Firehose"): it reads
 * its source stream as a shared-throughput consumer, buffers the records and delivers them as S3
 * objects; each object's notification goes to the destinations subscribed to it (the functions
 * with an `s3` trigger on the delivery stream: one asynchronous event per object).
 *
 * [doc] One GetRecords call per second per shard, through the shard's shared read limit like
 * any standard consumer (so it adds to the stream's read calls and can throttle with the
 * Lambda pollers). [doc] The buffer is delivered when it holds `buffer_bytes` or
 * `buffer_interval` after its first record, whichever comes first. */
#ifndef KS_DELIVERY_H
#define KS_DELIVERY_H

#include <stdbool.h>
#include <stdint.h>

#include "models/core/context.h"
#include "models/core/sink.h"

struct ks_stream;
typedef struct ks_firehose ks_firehose;

/* [choice] an object is in S3, and its notification sent, this long after the buffer closed */
#define KS_FIREHOSE_DELIVERY_LATENCY SIM_S

typedef struct ks_firehose_config {
	const char *name;
	struct ks_stream *stream;
	double buffer_bytes;       /* buffer.size: deliver when the buffer holds this much */
	sim_time buffer_interval;  /* buffer.interval: deliver this long after the first record */
	sim_time delivery_latency; /* buffer closed -> object in S3 */
} ks_firehose_config;

ks_firehose *ks_firehose_create(ks_ctx *ctx, const ks_firehose_config *cfg);
void ks_firehose_destroy(ks_firehose *f); /* NULL: nothing */
/* A destination told of every object delivered, with the object's records. */
void ks_firehose_subscribe(ks_firehose *f, const ks_sink *sink);
/* Schedules each shard reader's first call at a random phase within its first second. */
void ks_firehose_start(ks_firehose *f);
/* At the end of the run: counts what expired before it was read. */
void ks_firehose_finish(ks_firehose *f, sim_time now);
/* Bytes billed as ingested in the measured period: each record read from the source rounded up
 * to 5 KB [doc]. */
double ks_firehose_billed_bytes(const ks_firehose *f);
/* Writes <firehose>.objects, .bytes (delivered), .bytes_ingested (read), .records_delivered,
 * .records_expired, .records_pending, .read_calls, .read_throttled,
 * .latency.{mean,p50,p99,max}. */
void ks_firehose_summarize(ks_firehose *f);

#endif
