/* A producer: generates records and writes them to a stream's shards (MODEL.md section 2).
 *
 * Records are data: a producer is not driven by events of its own. Whoever is about to look at
 * a shard first advances every producer to the current time (ks_producers_advance), which
 * appends all arrivals up to then, in time order, through each shard's write limit. What a
 * producer draws (arrival times, keys, sizes, resend delays) comes from its own random streams,
 * keyed by its name, so nothing downstream changes the records it produces. */
#ifndef KS_PRODUCER_H
#define KS_PRODUCER_H

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

#include "models/context.h"
#include "models/stream.h"
#include "sim/dist.h"

typedef enum { KS_JITTER_NONE, KS_JITTER_FULL, KS_JITTER_EQUAL } ks_jitter;

typedef struct ks_producer_config {
	const char *name;
	uint32_t number; /* producer number stored in each record's id */
	ks_stream *stream;
	double rate_per_s;
	bool uniform_arrivals; /* evenly spaced instead of Poisson */
	sim_dist record_size;  /* bytes; copied */
	int64_t limit;         /* records to produce; < 0: no limit */
	uint32_t key_count;
	int max_attempts;      /* [choice] producer retry: 4 attempts in all */
	sim_time retry_base, retry_cap;
	ks_jitter retry_jitter;
} ks_producer_config;

typedef struct ks_producer ks_producer;

ks_producer *ks_producer_create(ks_ctx *ctx, const ks_producer_config *cfg);
void ks_producer_destroy(ks_producer *p);

/* The seed of the producer's per-record uniforms (sim_crn_uniform(seed, index, which)). */
uint64_t ks_producer_crn_seed(const ks_producer *p);

/* Appends every write attempt of every producer up to and including now, in time order. */
void ks_producers_advance(ks_producer **producers, size_t n, sim_time now);

#endif
