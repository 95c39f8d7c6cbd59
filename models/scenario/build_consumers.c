/* Scenario tree -> KCL-style consumers (`consumers:`). The tree is resolved (every default
 * present) and checked (the stream exists), so each getter succeeds. */
#include "models/scenario/build_internal.h"

#include "sim/alloc.h"
#include "sim/schema.h"

void ks_build_consumers(ks_model *m)
{
	const sim_yaml_node *consumers = sim_yaml_get(m->root, "consumers");
	size_t n = consumers && consumers->kind == SIM_YAML_MAP ? consumers->n : 0;
	m->nconsumers = n;
	m->consumers = sim_calloc(n ? n : 1, sizeof *m->consumers);
	for (size_t i = 0; i < n; i++) {
		const sim_yaml_node *c = consumers->pairs[i].value;
		const sim_yaml_node *processing = sim_yaml_get(c, "processing");
		ks_consumer_config cfg = {
		        .name = consumers->pairs[i].key->text,
		        .stream = ks_build_find_stream(m, sim_schema_string(c, "stream")),
		        .enhanced_fanout = sim_schema_bool(c, "enhanced_fanout"),
		        .idle_time_between_reads =
		                sim_schema_duration(c, "idle_time_between_reads"),
		        .max_records = (uint32_t)sim_schema_int(c, "max_records"),
		        .per_record = sim_schema_dist(processing, "per_record", false),
		        .throttle_backoff = sim_schema_duration(c, "throttle_backoff"),
		        .crn_seeds = m->crn_seeds,
		};
		m->consumers[i] = ks_consumer_create(&m->ctx, &cfg);
		sim_dist_fini(&cfg.per_record);
	}
}
