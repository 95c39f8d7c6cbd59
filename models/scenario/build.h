/* The model of one run, built from a checked scenario with the registry's components (the model's
 * stages and what they do are in core/component.h). */
#ifndef KS_BUILD_H
#define KS_BUILD_H

#include <stdint.h>

#include "models/core/component.h"
#include "models/scenario/scenario.h"
#include "sim/metrics.h"

/* Builds replication `replication` with master seed `seed`. Registers every series and
 * histogram in m (which must outlive the model's use of it). Run it with ks_model_run, then
 * ks_model_summarize (once), and free it with ks_model_destroy. */
ks_model *ks_model_build(const ks_scenario *sc, uint64_t seed, uint32_t replication,
                         sim_metrics *m);

#endif
