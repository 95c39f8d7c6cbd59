/* Scenario tree -> a function copy's configuration (SCENARIO.md "functions", MODEL.md section
 * 6), and the account every function shares. Reads the resolved tree: the scenario layer has
 * checked every value and filled the defaults, so the getters succeed. */
#include "models/scenario/build_internal.h"

#include <string.h>

#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/schema.h"
#include "sim/units.h"

static const sim_yaml_node *lambda_platform(const ks_model *m)
{
	return sim_yaml_get(sim_yaml_get(m->root, "platform"), "lambda");
}

ks_account *ks_build_account(ks_model *m)
{
	/* [doc] account_concurrency, 1000 by default */
	return ks_account_create(sim_schema_int(lambda_platform(m), "account_concurrency"));
}

static ks_record_policy policy_of(const char *s)
{
	return strcmp(s, "skip") == 0    ? KS_RECORD_SKIP
	       : strcmp(s, "retry") == 0 ? KS_RECORD_RETRY
	                                 : KS_RECORD_FAIL_BATCH;
}

static void read_errors(const sim_yaml_node *errors, ks_function_config *cfg)
{
	if (!errors)
		return;
	cfg->error_rate = sim_schema_fraction(errors, "invocation");
	cfg->poison_rate = sim_schema_fraction(errors, "poison_records");
	const sim_yaml_node *idx = sim_yaml_get(errors, "poison_indices");
	if (idx && idx->n) {
		uint64_t *v = sim_calloc(idx->n, sizeof *v);
		for (size_t i = 0; i < idx->n; i++) {
			int64_t n = 0;
			char err[128];
			int rc = sim_parse_count(idx->items[i]->text, &n, err, sizeof err);
			SIM_ASSERT(rc == 0 && n >= 0);
			v[i] = (uint64_t)n;
		}
		cfg->poison_indices = v;
		cfg->npoison_indices = idx->n;
	}
	const sim_yaml_node *outages = sim_yaml_get(errors, "outages");
	if (outages && outages->n) {
		ks_outage *o = sim_calloc(outages->n, sizeof *o);
		for (size_t i = 0; i < outages->n; i++)
			o[i] = (ks_outage){.start = sim_schema_duration(outages->items[i], "start"),
			                   .end = sim_schema_duration(outages->items[i], "end")};
		cfg->outages = o;
		cfg->noutages = outages->n;
	}
}

ks_function_config ks_build_function_config(ks_model *m, const char *name, const sim_yaml_node *f,
                                            size_t columns, const char *const *labels)
{
	const sim_yaml_node *lam = lambda_platform(m);
	const sim_yaml_node *duration = sim_yaml_get(f, "duration");
	ks_function_config cfg = {
	        .name = name,
	        .per_invocation = sim_schema_dist(duration, "per_invocation", false),
	        .per_record = sim_schema_dist(duration, "per_record", false),
	        .timeout = sim_schema_duration(f, "timeout"),
	        .memory_bytes = sim_schema_size(f, "memory", true),
	        .shard_columns = columns,
	        .shard_labels = labels,
	        .account = m->account,
	        .idle_reclaim = sim_schema_duration(lam, "idle_reclaim"),
	        .policy = KS_RECORD_FAIL_BATCH,
	        .then = KS_RECORD_SKIP,
	};
	/* The function's own cold_start, else the platform's for its runtime. */
	if (sim_yaml_get(f, "cold_start"))
		cfg.cold_start = sim_schema_dist(f, "cold_start", false);
	else
		cfg.cold_start = sim_schema_dist(sim_yaml_get(lam, "cold_start"),
		                                 sim_schema_string(f, "runtime"), false);
	if (sim_yaml_get(f, "reserved_concurrency")) {
		cfg.has_reserved = true;
		cfg.reserved_concurrency = sim_schema_int(f, "reserved_concurrency");
	}
	read_errors(sim_yaml_get(f, "errors"), &cfg);
	const sim_yaml_node *ore = sim_yaml_get(f, "on_record_error");
	if (ore) {
		cfg.policy = policy_of(sim_schema_string(ore, "policy"));
		cfg.retries = (uint32_t)sim_schema_int(ore, "retries");
		/* then: skip, fail_batch or forward (the builder sets the forward hook) */
		cfg.then = policy_of(sim_schema_string(ore, "then"));
		SIM_ASSERT(cfg.then != KS_RECORD_RETRY);
	}
	return cfg;
}

void ks_build_function_config_fini(ks_function_config *cfg)
{
	sim_dist_fini(&cfg->per_invocation);
	sim_dist_fini(&cfg->per_record);
	sim_dist_fini(&cfg->cold_start);
	sim_free((void *)cfg->poison_indices);
	sim_free((void *)cfg->outages);
	cfg->poison_indices = NULL;
	cfg->outages = NULL;
}
