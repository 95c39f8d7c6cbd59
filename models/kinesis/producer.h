/* A producer: generates records and writes them to the shards of one or more streams (docs/model.md
 * sections 2 and 8).
 *
 * Records are data: a producer is not driven by events of its own. Whoever is about to look at
 * a shard first advances every producer to the current time (ks_producers_advance), which
 * sends all calls due up to then, in time order, through each shard's write limit. What a
 * producer draws (arrival times, keys, sizes, resend delays) comes from its own random streams,
 * keyed by its name, so nothing downstream changes the records it produces; a record written
 * to several streams is the same record (same index, same uniforms) in each. */
#ifndef KS_PRODUCER_H
#define KS_PRODUCER_H

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

#include "models/core/backoff.h"
#include "models/core/context.h"
#include "models/kinesis/ahead.h"
#include "models/kinesis/stream.h"
#include "models/kinesis/trace.h"
#include "sim/dist.h"

/* One step of a piecewise rate profile: from `at`, the rate goes linearly over `ramp` from the
 * rate in effect at `at` to rate_per_s, and stays there until the next step. */
typedef struct ks_profile_step {
	sim_time at;
	double rate_per_s;
	sim_time ramp;
} ks_profile_step;

/* A diurnal sine between trough and peak, the peak at peak_at (mod period). */
typedef struct ks_diurnal {
	double peak_per_s, trough_per_s;
	sim_time period, peak_at;
} ks_diurnal;

typedef struct ks_producer_config {
	const char *name;
	uint32_t number;     /* producer number stored in each record's id */
	ks_stream *stream;   /* the stream, when streams is NULL */
	ks_stream **streams; /* several streams: each record is written to each (copied) */
	size_t nstreams;

	/* The rate: exactly one source. profile, diurnal and trace (copied) take precedence over
	 * rate_per_s, in that order, when set. */
	double rate_per_s;
	const ks_profile_step *profile;
	size_t nprofile;
	const ks_diurnal *diurnal;
	const ks_trace *trace;

	/* The arrival pattern applied to the rate: Poisson (default), evenly spaced, or bursts of
	 * `burst` records at one instant, spaced so the mean rate holds. */
	bool uniform_arrivals;
	uint32_t burst; /* > 1: bursty */

	sim_dist record_size; /* bytes; copied (a trace with bytes overrides it per row) */
	int64_t limit;        /* records to produce; < 0: no limit */
	uint32_t key_count;
	bool zipf_keys; /* weights 1/k^s for k0..k<count-1> instead of uniform */
	double zipf_s;
	double hot_key_share; /* share of records sent with the single extra key "hot" */

	/* Starts this long before the run (its streams' backlog; a constant rate only). */
	sim_time backlog;

	/* PutRecords: calls of up to max_records records and 10 MiB, gathered over at most
	 * `linger` after the call's first record. PutRecord is max_records = 1, linger = 0; a
	 * zero max_records means 1. */
	uint32_t max_records;
	sim_time linger;

	int max_attempts; /* [choice] producer retry: 4 attempts in all */
	sim_time retry_base, retry_cap;
	ks_jitter retry_jitter;
} ks_producer_config;

typedef struct ks_producer ks_producer;

ks_producer *ks_producer_create(ks_ctx *ctx, const ks_producer_config *cfg);
void ks_producer_destroy(ks_producer *p);

/* The seed of the producer's per-record uniforms (sim_crn_uniform(seed, index, which)). */
uint64_t ks_producer_crn_seed(const ks_producer *p);

/* The streams it writes to. */
size_t ks_producer_ntargets(const ks_producer *p);
ks_stream *ks_producer_target(const ks_producer *p, size_t i);

/* Running on the helper of a (kinesis/ahead.h): the records its streams accept go through a's
 * ring instead of into the logs. NULL: into the logs. */
void ks_producer_set_ahead(ks_producer *p, struct ks_ahead *a);

/* Appends every write attempt of every producer up to and including now, in time order. When
 * the engine's interrupt flag is up (sim_engine_interrupted) it stops early, within 256
 * attempts (calls or resends), and leaves the rest unproduced: the run is ending. */
void ks_producers_advance(ks_producer **producers, size_t n, sim_time now);

/* Writes the producer's summary values (records_produced, records_lost, partial_publishes,
 * put_calls) into the registry. */
void ks_producer_summarize(const ks_producer *p);

#endif
