/* What every model of one run shares: the engine, the run's seeds and period, and where the
 * models register their series, histograms and summary values for the output layer. */
#ifndef KS_CONTEXT_H
#define KS_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/engine.h"
#include "sim/metrics.h"
#include "sim/time.h"

typedef struct ks_ctx {
	sim_engine *engine;
	sim_metrics *metrics;
	uint64_t seed;        /* master seed */
	uint32_t replication; /* 0-based */
	sim_time warmup;      /* measured period is [warmup, stop) */
	sim_time stop;
	sim_time interval; /* metrics interval */
	/* Records are data: whoever looks at a log first brings every source of records up to
	 * now (the producers set it; NULL: none). */
	void (*advance)(void *world, sim_time now);
	void *world;
	/* Per producer number, the seed of its records' uniforms u and v (docs/model.md "Time,
	 * events and randomness"): what belongs to a record follows it to every consumer. */
	const uint64_t *crn_seeds;
	/* Per producer number: the fields its records carry (core/fields.h) and its number of
	 * regular partition keys (key number key_count is "hot"). */
	const struct ks_fields *fields;
	const uint32_t *key_counts;
	/* Cores the run may use besides its own, for a helper thread (the producers run ahead
	 * on one: kinesis/ahead.h). 0 unless the caller says (ks_model_spare_cores). */
	unsigned spare_cores;
} ks_ctx;

/* Whether an event at t counts in the summary: the measured period [warmup, stop). */
static inline bool ks_measured(const ks_ctx *ctx, sim_time t)
{
	return t >= ctx->warmup && t < ctx->stop;
}

/* Brings the sources of records up to now, never past the run: records at or after the stop
 * time do not belong to it (readers may look ahead, as enhanced fan-out does). */
static inline void ks_ctx_advance(const ks_ctx *ctx, sim_time now)
{
	if (!ctx->advance)
		return;
	ctx->advance(ctx->world, now < ctx->stop ? now : ctx->stop - 1);
}

#endif
