/* Scenario tree -> producers. The scenario was checked (scenario.c), so every value read here
 * is present and valid; a trace file is read a second time. */
#include "models/scenario/build_internal.h"

#include <string.h>

#include "models/kinesis/trace.h"
#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/diag.h"
#include "sim/schema.h"

static bool is_scalar(const sim_yaml_node *n, const char *text)
{
	return n && n->kind == SIM_YAML_SCALAR && strcmp(n->text, text) == 0;
}

static ks_producer *build_one(ks_model *m, const sim_yaml_pair *pair, uint32_t number)
{
	const sim_yaml_node *p = pair->value;
	const sim_yaml_node *keys = sim_yaml_get(p, "partition_keys");
	const sim_yaml_node *put = sim_yaml_get(p, "put");
	const sim_yaml_node *retry = sim_yaml_get(p, "retry");
	const sim_yaml_node *arrivals = sim_yaml_get(p, "arrivals");
	const sim_yaml_node *bursty = arrivals && arrivals->kind == SIM_YAML_MAP
	                                      ? sim_yaml_get(arrivals, "bursty")
	                                      : NULL;
	bool put_record = is_scalar(sim_yaml_get(put, "api"), "PutRecord");
	ks_producer_config cfg = {
	        .name = pair->key->text,
	        .number = number,
	        .uniform_arrivals = is_scalar(arrivals, "uniform"),
	        .burst = bursty ? (uint32_t)sim_schema_int(bursty, "burst") : 0,
	        .record_size = sim_schema_dist(p, "record_size", true),
	        .limit = sim_yaml_get(p, "limit") ? sim_schema_int(p, "limit") : -1,
	        .key_count = (uint32_t)sim_schema_int(keys, "count"),
	        .zipf_keys = is_scalar(sim_yaml_get(keys, "distribution"), "zipf"),
	        .zipf_s = sim_schema_number(keys, "zipf_s"),
	        .hot_key_share = sim_schema_fraction(keys, "hot_key_share"),
	        .max_records = put_record ? 1 : (uint32_t)sim_schema_int(put, "max_records"),
	        .linger = put_record ? 0 : sim_schema_duration(put, "linger"),
	        .max_attempts = (int)sim_schema_int(retry, "max_attempts"),
	        .retry_base = sim_schema_duration(retry, "base"),
	        .retry_cap = sim_schema_duration(retry, "cap"),
	        .retry_jitter = ks_build_jitter(sim_schema_string(retry, "jitter")),
	};

	const sim_yaml_node *list = sim_yaml_get(p, "streams");
	ks_stream **streams = NULL;
	if (list) {
		streams = sim_calloc(list->n, sizeof *streams);
		for (size_t i = 0; i < list->n; i++)
			streams[i] = ks_build_find_stream(m, list->items[i]->text);
		cfg.streams = streams;
		cfg.nstreams = list->n;
	} else {
		cfg.stream = ks_build_find_stream(m, sim_schema_string(p, "stream"));
	}

	const sim_yaml_node *profile = sim_yaml_get(p, "profile");
	const sim_yaml_node *diurnal = sim_yaml_get(p, "diurnal");
	const sim_yaml_node *trace_at = sim_yaml_get(p, "trace");
	ks_profile_step *steps = NULL;
	ks_diurnal sine;
	ks_trace trace = {0};
	if (profile) {
		steps = sim_calloc(profile->n ? profile->n : 1, sizeof *steps);
		for (size_t i = 0; i < profile->n; i++) {
			const sim_yaml_node *s = profile->items[i];
			steps[i] = (ks_profile_step){
			        .at = sim_schema_duration(s, "at"),
			        .rate_per_s = sim_schema_rate(s, "rate").per_s,
			        .ramp = sim_yaml_get(s, "ramp") ? sim_schema_duration(s, "ramp")
			                                        : 0,
			};
		}
		cfg.profile = steps;
		cfg.nprofile = profile->n;
	} else if (diurnal) {
		sine = (ks_diurnal){
		        .peak_per_s = sim_schema_rate(diurnal, "peak").per_s,
		        .trough_per_s = sim_schema_rate(diurnal, "trough").per_s,
		        .period = sim_schema_duration(diurnal, "period"),
		        .peak_at = sim_schema_duration(diurnal, "peak_at"),
		};
		cfg.diurnal = &sine;
	} else if (trace_at) {
		/* Checked when the scenario loaded; a file changed since then is a failure of the
		 * environment we cannot report from here. */
		sim_diag *d = sim_diag_create();
		int rc = ks_trace_load(trace_at, &trace, d);
		sim_diag_destroy(d);
		SIM_ASSERT(rc == 0);
		cfg.trace = &trace;
	} else {
		cfg.rate_per_s = sim_schema_rate(p, "rate").per_s;
	}

	ks_producer *pr = ks_producer_create(&m->ctx, &cfg);
	sim_dist_fini(&cfg.record_size);
	sim_free(streams);
	sim_free(steps);
	ks_trace_fini(&trace);
	return pr;
}

void ks_build_producers(ks_model *m)
{
	const sim_yaml_node *producers = sim_yaml_get(m->root, "producers");
	size_t n = producers && producers->kind == SIM_YAML_MAP ? producers->n : 0;
	m->nproducers = n;
	m->producers = sim_calloc(n ? n : 1, sizeof *m->producers);
	m->crn_seeds = sim_calloc(n ? n : 1, sizeof *m->crn_seeds);
	for (size_t i = 0; i < n; i++) {
		m->producers[i] = build_one(m, &producers->pairs[i], (uint32_t)i);
		m->crn_seeds[i] = ks_producer_crn_seed(m->producers[i]);
	}
}
