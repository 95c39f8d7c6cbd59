/* The model graph of one run, built from a checked scenario: streams, producers, function
 * copies and their pollers, on one engine. */
#ifndef KS_BUILD_H
#define KS_BUILD_H

#include <signal.h>
#include <stdint.h>

#include "models/lambda/function.h"
#include "models/scenario/scenario.h"
#include "sim/metrics.h"

typedef struct ks_model ks_model;

/* Builds replication `replication` with master seed `seed`. Registers every series and
 * histogram in m (which must outlive the model's use of it). */
ks_model *ks_model_build(const ks_scenario *sc, uint64_t seed, uint32_t replication,
                         sim_metrics *m);
void ks_model_destroy(ks_model *model);

/* Runs to the scenario's duration. Returns 0, or -EINTR when *interrupt became nonzero (the
 * model then holds a partial run). progress, when not NULL, is called every ~1% of the run. */
int ks_model_run(ks_model *model, volatile sig_atomic_t *interrupt,
                 void (*progress)(double fraction, uint64_t events, void *ctx), void *pctx);

/* Writes every summary value (also before a run: all zero, which lists the metric paths). */
void ks_model_summarize(ks_model *model);

/* Calls fn for every batch any function finishes (traces; tests of order). */
void ks_model_observe_batches(ks_model *model, ks_batch_observer fn, void *ctx);

uint64_t ks_model_events(const ks_model *model);
/* Simulated time reached. */
sim_time ks_model_now(const ks_model *model);

#endif
