/* The `firehoses:` component (core/component.h): delivery streams (delivery.h) as sources of
 * S3 notifications, and the Firehose price. */
#include "models/firehose/firehose.h"

#include "models/firehose/delivery.h"

#define S_  (double)SIM_S
#define MIB 1048576.0

/* [doc] Firehose buffering hints: 1..128 MiB, 0..900 s; defaults 5 MiB and 300 s. */
#define AT(f) SIM_SCHEMA_AT(ks_firehose_config, f)
static const sim_schema buffer_keys[] = {
        {.key = "size",
         .kind = SIM_SCHEMA_SIZE_BINARY_MB,
         .def = "5MB",
         .min = 1 * MIB,
         .max = 128 * MIB,
         .flags = SIM_SCHEMA_SOFT_RANGE,
         AT(buffer_bytes)},
        {.key = "interval",
         .kind = SIM_SCHEMA_DURATION,
         .def = "300s",
         .min = 0,
         .max = 900 * S_,
         .flags = SIM_SCHEMA_SOFT_RANGE,
         AT(buffer_interval)},
        {.key = NULL},
};
#undef AT
static const sim_schema firehose_keys[] = {
        {.key = "source", .kind = SIM_SCHEMA_REF, .refs = "streams", .flags = SIM_SCHEMA_REQUIRED},
        {.key = "buffer",
         .kind = SIM_SCHEMA_MAP,
         .children = buffer_keys,
         .flags = SIM_SCHEMA_FILL,
         .what = "buffer"},
        {.key = NULL},
};
static const sim_schema firehose_item = {
        .kind = SIM_SCHEMA_MAP, .children = firehose_keys, .what = "firehose"};

/* [doc] us-east-1: data ingested (read from the source), per GB, each record rounded up to
 * 5 KB. */
static const ks_price prices[] = {
        {"firehose_gb", "0.029", KS_PER_GB},
        {NULL, NULL, 0},
};

/* The tree is resolved and checked (the source names a stream). */
static void create(ks_model *m, const char *entry, const sim_yaml_node *node)
{
	ks_firehose_config cfg = {
	        .name = entry,
	        .stream = ks_model_stream(m, sim_schema_string(node, "source")),
	        .delivery_latency = KS_FIREHOSE_DELIVERY_LATENCY,
	};
	sim_schema_fill(sim_yaml_get(node, "buffer"), buffer_keys, &cfg);
	ks_firehose *f = ks_firehose_create(ks_model_ctx(m), &cfg);
	ks_model_add(m, &ks_firehoses_component, entry, entry, node, f);
}

static void subscribe(void *obj, const ks_sink *sink)
{
	ks_firehose_subscribe(obj, sink);
}

static void start(void *obj)
{
	ks_firehose_start(obj);
}

static void finish(void *obj, sim_time end)
{
	ks_firehose_finish(obj, end);
}

static void summarize(void *obj, ks_cost *cost)
{
	ks_firehose_summarize(obj);
	*ks_cost_quantity(cost, "firehose_gb") += ks_firehose_billed_bytes(obj);
}

static void destroy(void *obj)
{
	ks_firehose_destroy(obj);
}

const ks_component ks_firehoses_component = {
        .key = "firehoses",
        .noun = "firehose",
        .item = &firehose_item,
        .cost_line = "firehose",
        .prices = prices,
        .create = create,
        .start = start,
        .finish = finish,
        .summarize = summarize,
        .destroy = destroy,
        .subscribe = subscribe,
};
