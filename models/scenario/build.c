/* Scenario -> model: the registry's components, on the resolved tree (build.h). */
#include "models/scenario/build.h"

#include "models/scenario/registry.h"

ks_model *ks_model_build(const ks_scenario *sc, uint64_t seed, uint32_t replication, sim_metrics *m)
{
	return ks_model_create(ks_registry, sc->root, seed, replication, m);
}
