/* The scenario format (format.h). The tables are assembled once from the registry into static
 * storage: a component's part of the format is data it owns, not code here. */
#include "models/scenario/format.h"

#include "models/scenario/registry.h"
#include "sim/alloc.h"
#include "sim/assert.h"

#define S_  (double)SIM_S
#define MAX 64 /* rows of one table, the terminator included */

static const sim_schema_value aws_ranges[] = {{"error", 0}, {"warn", 1}, {NULL, 0}};
static const sim_schema_value traces[] = {
        {"records", 0}, {"deliveries", 1}, {"invocations", 2}, {"reads", 3}, {NULL, 0}};
static const sim_schema trace_item = {.kind = SIM_SCHEMA_ENUM, .values = traces, .what = "trace"};

static const sim_schema metrics_keys[] = {
        {.key = "interval",
         .kind = SIM_SCHEMA_DURATION,
         .def = "1m",
         .min = 1e6,
         .max = 86400 * S_},
        {.key = NULL},
};

/* Keys whose model has not landed: refused unless they hold their default. */
static const sim_schema output_keys[] = {
        {.key = "traces",
         .kind = SIM_SCHEMA_SEQ,
         .item = &trace_item,
         .flags = SIM_SCHEMA_NOT_IMPLEMENTED},
        {.key = "trace_sample",
         .kind = SIM_SCHEMA_FRACTION,
         .def = "100%",
         .flags = SIM_SCHEMA_NOT_IMPLEMENTED},
        {.key = NULL},
};

static const sim_schema expect_item = {.kind = SIM_SCHEMA_STRING, .what = "expectation"};

static sim_schema top[MAX], platform[MAX], prices[MAX];
static sim_schema format = {.kind = SIM_SCHEMA_MAP, .children = top, .what = "scenario"};

static void add(sim_schema *table, size_t *n, sim_schema row)
{
	SIM_ASSERT(*n + 1 < MAX);
	table[(*n)++] = row;
}

static void build(void)
{
	size_t nt = 0, np = 0, npr = 0;
	/* The version this kinesim reads is checked by the scenario (scenario.c), which says so
	 * in words: a range of one value is no range to the schema (max > min). */
	add(top, &nt,
	    (sim_schema){.key = "kinesim", .kind = SIM_SCHEMA_INT, .flags = SIM_SCHEMA_REQUIRED});
	add(top, &nt,
	    (sim_schema){.key = "name", .kind = SIM_SCHEMA_STRING, .flags = SIM_SCHEMA_REQUIRED});
	add(top, &nt, (sim_schema){.key = "description", .kind = SIM_SCHEMA_STRING});
	add(top, &nt,
	    (sim_schema){
	            .key = "seed", .kind = SIM_SCHEMA_INT, .def = "1", .min = 0, .max = 9.2e18});
	add(top, &nt,
	    (sim_schema){.key = "duration",
	                 .kind = SIM_SCHEMA_DURATION,
	                 .flags = SIM_SCHEMA_REQUIRED,
	                 .min = 1e6,
	                 .max = 366 * 86400 * S_});
	add(top, &nt,
	    (sim_schema){.key = "warmup",
	                 .kind = SIM_SCHEMA_DURATION,
	                 .def = "0s",
	                 .min = 0,
	                 .max = 366 * 86400 * S_});
	add(top, &nt,
	    (sim_schema){.key = "replications",
	                 .kind = SIM_SCHEMA_INT,
	                 .def = "1",
	                 .min = 1,
	                 .max = 10000});
	add(top, &nt,
	    (sim_schema){.key = "metrics",
	                 .kind = SIM_SCHEMA_MAP,
	                 .children = metrics_keys,
	                 .flags = SIM_SCHEMA_FILL,
	                 .what = "metrics"});
	add(top, &nt,
	    (sim_schema){.key = "output",
	                 .kind = SIM_SCHEMA_MAP,
	                 .children = output_keys,
	                 .what = "output"});
	add(top, &nt,
	    (sim_schema){.key = "platform",
	                 .kind = SIM_SCHEMA_MAP,
	                 .children = platform,
	                 .flags = SIM_SCHEMA_FILL,
	                 .what = "platform"});

	add(platform, &np,
	    (sim_schema){.key = "aws_ranges",
	                 .kind = SIM_SCHEMA_ENUM,
	                 .def = "error",
	                 .values = aws_ranges});
	for (size_t k = 0; ks_registry[k]; k++) {
		const ks_component *c = ks_registry[k];
		add(top, &nt,
		    (sim_schema){.key = c->key,
		                 .kind = SIM_SCHEMA_DICT,
		                 .item = c->item,
		                 .flags = c->required ? SIM_SCHEMA_REQUIRED : 0});
		if (c->platform)
			add(platform, &np,
			    (sim_schema){.key = c->platform,
			                 .kind = SIM_SCHEMA_MAP,
			                 .children = c->platform_keys,
			                 .flags = SIM_SCHEMA_FILL,
			                 .what = sim_asprintf("platform.%s", c->platform)});
		for (const ks_price *p = c->prices; p && p->key; p++)
			add(prices, &npr,
			    (sim_schema){.key = p->key,
			                 .kind = SIM_SCHEMA_NUMBER,
			                 .def = p->def,
			                 .min = 0,
			                 .max = 1e9});
	}
	add(platform, &np,
	    (sim_schema){.key = "prices",
	                 .kind = SIM_SCHEMA_MAP,
	                 .children = prices,
	                 .flags = SIM_SCHEMA_FILL,
	                 .what = "platform.prices"});
	add(top, &nt, (sim_schema){.key = "expect", .kind = SIM_SCHEMA_SEQ, .item = &expect_item});
}

const sim_schema *ks_format(void)
{
	if (!top[0].key)
		build();
	return &format;
}
