/* The fan-out layer (docs/model.md "Fan-out"): what a function does with the records of a batch
 * that succeeded, by its `forward:` list.
 *
 *   - a sync function target is invoked at the forwarder's handler end with copies of the
 *     records; the forwarder's invocation is over when the slowest target is back, and a
 *     target that fails or is throttled makes it a failure (the caller's error handling then
 *     applies to the forwarder's batch). The forwarder holds its concurrency while it waits.
 *   - an async function target gets one event per record on its async queue (async.h).
 *   - a stream target gets each record re-published (kinesis/stream.h, ks_stream_sink);
 *   - a topic target gets one publish per record (its subscribers measure latency from the
 *     original acceptance, which the copy carries).
 * Async, stream and topic targets are served once, when the batch has succeeded (after the
 * sync targets are back). The records passed on are those the forwarder processed: not its
 * poison records. A retried batch invokes its sync targets again (at least once delivery).
 *
 * Invariants: every sync target invocation not yet back sits in a used slot with its record
 * copies; its engine event (arg: slot + 1) finishes it. */
#ifndef KS_FANOUT_H
#define KS_FANOUT_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/core/context.h"
#include "models/core/sink.h"
#include "models/lambda/function.h"
#include "sim/dist.h"

/* A target: a function invoked synchronously (sync), or a destination (an async function
 * target's queue, a stream, a topic). */
typedef struct ks_forward_target {
	ks_function *sync;
	ks_sink sink;
} ks_forward_target;

typedef struct ks_forward_running {
	ks_function *fn;
	ks_invocation inv;
	ks_record *records; /* owned copies */
	uint32_t n;
	bool used;
} ks_forward_running;

typedef struct ks_fanout {
	ks_ctx *ctx;
	ks_function *owner;              /* the forwarder */
	const sim_dist *invoke_overhead; /* paid before each sync target's handler; NULL: none */
	gsl_rng *rng;                    /* invoke overhead draws */
	ks_forward_target *targets;
	size_t ntargets, nsync;
	ks_forward_running *running;
	size_t nrunning, caprunning;
	ks_record *scratch; /* the records passed on by one call */
	size_t capscratch;
} ks_fanout;

ks_fanout *ks_fanout_create(ks_ctx *ctx, ks_function *owner, const sim_dist *invoke_overhead);
void ks_fanout_destroy(ks_fanout *fo);
void ks_fanout_add(ks_fanout *fo, const ks_forward_target *t);

/* The forwarder's handler succeeded at now with batch b (inv its invocation, OK): invokes the
 * sync targets. Returns false when there is nothing to wait for (no sync target, or no record
 * to pass on); otherwise inv->end becomes the end of the slowest target (at least now) and,
 * when a target failed or was throttled, inv->status FAILED (whole_batch, counted in the
 * forwarder's errors). */
bool ks_fanout_sync(ks_fanout *fo, sim_time now, const ks_batch *b, ks_invocation *inv);
/* The batch succeeded at now: its records go to the destinations, one message each. */
void ks_fanout_pass(ks_fanout *fo, sim_time now, const ks_batch *b);
/* Adds the records of the sync invocations not back to their targets' records_pending. */
void ks_fanout_pending(const ks_fanout *fo);

#endif
