/* Scenario tree -> producers. */
#include "models/build_internal.h"

#include <string.h>

#include "sim/alloc.h"
#include "sim/schema.h"

void ks_build_producers(ks_model *m)
{
	const sim_yaml_node *producers = sim_yaml_get(m->root, "producers");
	size_t n = producers && producers->kind == SIM_YAML_MAP ? producers->n : 0;
	m->nproducers = n;
	m->producers = sim_calloc(n ? n : 1, sizeof *m->producers);
	m->crn_seeds = sim_calloc(n ? n : 1, sizeof *m->crn_seeds);
	for (size_t i = 0; i < n; i++) {
		const sim_yaml_node *p = producers->pairs[i].value;
		const sim_yaml_node *keys = sim_yaml_get(p, "partition_keys");
		const sim_yaml_node *retry = sim_yaml_get(p, "retry");
		const sim_yaml_node *arrivals = sim_yaml_get(p, "arrivals");
		ks_producer_config cfg = {
			.name = producers->pairs[i].key->text,
			.number = (uint32_t)i,
			.stream = ks_build_find_stream(m, sim_schema_string(p, "stream")),
			.rate_per_s = sim_schema_rate(p, "rate").per_s,
			.uniform_arrivals = arrivals && strcmp(arrivals->text, "uniform") == 0,
			.record_size = sim_schema_dist(p, "record_size", true),
			.limit = sim_yaml_get(p, "limit") ? sim_schema_int(p, "limit") : -1,
			.key_count = (uint32_t)sim_schema_int(keys, "count"),
			.max_attempts = (int)sim_schema_int(retry, "max_attempts"),
			.retry_base = sim_schema_duration(retry, "base"),
			.retry_cap = sim_schema_duration(retry, "cap"),
			.retry_jitter = ks_build_jitter(sim_schema_string(retry, "jitter")),
		};
		m->producers[i] = ks_producer_create(&m->ctx, &cfg);
		m->crn_seeds[i] = ks_producer_crn_seed(m->producers[i]);
		sim_dist_fini(&cfg.record_size);
	}
}

