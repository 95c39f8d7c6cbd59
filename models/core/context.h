/* What every model of one run shares: the engine, the run's seeds and period, and where the
 * models register their series, histograms and summary values for the output layer. */
#ifndef KS_CONTEXT_H
#define KS_CONTEXT_H

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
} ks_ctx;

#endif
