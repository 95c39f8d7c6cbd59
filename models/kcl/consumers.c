/* The `consumers:` component (core/component.h): KCL-style applications (consumer.h). */
#include "models/kcl/kcl.h"

#include "models/kcl/consumer.h"

#define S_ (double)SIM_S

static const sim_schema processing_keys[] = {
        {.key = "per_record",
         .kind = SIM_SCHEMA_DIST_DURATION,
         .def = "0s",
         SIM_SCHEMA_AT(ks_consumer_config, per_record)},
        {.key = NULL},
};

static const sim_schema_value initial_positions[] = {{"LATEST", 0}, {"TRIM_HORIZON", 1}, {NULL, 0}};

#define AT(f) SIM_SCHEMA_AT(ks_consumer_config, f)
static const sim_schema consumer_keys[] = {
        {.key = "stream", .kind = SIM_SCHEMA_REF, .refs = "streams", .flags = SIM_SCHEMA_REQUIRED},
        {.key = "enhanced_fanout", .kind = SIM_SCHEMA_BOOL, .def = "false", AT(enhanced_fanout)},
        /* [doc] KCL's initialPositionInStream, LATEST by default */
        {.key = "initial_position",
         .kind = SIM_SCHEMA_ENUM,
         .def = "LATEST",
         .values = initial_positions,
         AT(initial_position)},
        {.key = "enabled_at",
         .kind = SIM_SCHEMA_DURATION,
         .def = "0s",
         .min = 0,
         .max = 366 * 86400 * S_,
         AT(enabled_at)},
        {.key = "idle_time_between_reads",
         .kind = SIM_SCHEMA_DURATION,
         .def = "1s",
         .min = 0,
         .max = 3600 * S_,
         AT(idle_time_between_reads)},
        {.key = "max_records",
         .kind = SIM_SCHEMA_INT,
         .def = "10000",
         .min = 1,
         .max = 10000,
         .flags = SIM_SCHEMA_SOFT_RANGE,
         AT(max_records)},
        {.key = "processing",
         .kind = SIM_SCHEMA_MAP,
         .children = processing_keys,
         .flags = SIM_SCHEMA_FILL,
         .what = "processing"},
        {.key = "throttle_backoff",
         .kind = SIM_SCHEMA_DURATION,
         .def = "500ms",
         .min = 0,
         .max = 3600 * S_,
         AT(throttle_backoff)},
        {.key = NULL},
};
#undef AT
static const sim_schema consumer_item = {
        .kind = SIM_SCHEMA_MAP, .children = consumer_keys, .what = "consumer"};

/* The tree is resolved (every default present) and checked (the stream exists). */
static void create(ks_model *m, const char *entry, const sim_yaml_node *node)
{
	ks_consumer_config cfg = {
	        .name = entry,
	        .stream = ks_model_stream(m, sim_schema_string(node, "stream")),
	        .stream_name = sim_schema_string(node, "stream"),
	};
	sim_schema_fill(node, consumer_keys, &cfg);
	sim_schema_fill(sim_yaml_get(node, "processing"), processing_keys, &cfg);
	ks_consumer *c = ks_consumer_create(ks_model_ctx(m), &cfg);
	sim_dist_fini(&cfg.per_record);
	ks_model_add(m, &ks_consumers_component, entry, entry, node, c);
}

/* An application started after the run's end would do nothing. */
static void check_all(const sim_yaml_node *root, const sim_yaml_node *entries, sim_diag *d)
{
	for (size_t i = 0; entries && entries->kind == SIM_YAML_MAP && i < entries->n; i++)
		ks_check_before_end(root, sim_yaml_get(entries->pairs[i].value, "enabled_at"),
		                    "enabled_at", d);
}

static void start(void *obj)
{
	ks_consumer_start(obj);
}

static void finish(void *obj, sim_time end)
{
	ks_consumer_finish(obj, end);
}

static void summarize(void *obj, ks_cost *cost)
{
	ks_consumer_summarize(obj);
	ks_consumer_cost(obj, cost);
}

static void destroy(void *obj)
{
	ks_consumer_destroy(obj);
}

const ks_component ks_consumers_component = {
        .key = "consumers",
        .noun = "consumer",
        .item = &consumer_item,
        .check = check_all,
        .create = create,
        .start = start,
        .finish = finish,
        .summarize = summarize,
        .destroy = destroy,
};
