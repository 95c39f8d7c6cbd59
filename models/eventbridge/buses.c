/* The `buses:` component (core/component.h): EventBridge event buses as destinations (an async
 * function's on_success or on_failure, a handler's forward_to): each event is delivered to
 * every target the bus lists (queues, topics, functions invoked asynchronously) after the
 * delivery latency. A bus works as an SNS topic does (core/publisher.h) with its own targets,
 * latency, size limit and price; one rule matches every event [choice: no event patterns]. */
#include "models/eventbridge/eventbridge.h"

#include <string.h>

#include "models/core/publisher.h"
#include "sim/alloc.h"

typedef struct eventbridge_platform {
	sim_dist delivery_latency;
} eventbridge_platform;

static const sim_schema platform_keys[] = {
        /* [choice] EventBridge documents a typical latency of about half a second */
        {.key = "delivery_latency",
         .kind = SIM_SCHEMA_DIST_DURATION,
         .def = "{dist: lognormal, median: 400ms, p99: 1s}",
         SIM_SCHEMA_AT(eventbridge_platform, delivery_latency)},
        {.key = NULL},
};

static const sim_schema target_item = {.kind = SIM_SCHEMA_REF, .refs = "queues topics functions"};
static const sim_schema bus_keys[] = {
        {.key = "targets", .kind = SIM_SCHEMA_SEQ, .item = &target_item},
        {.key = NULL},
};
static const sim_schema bus_item = {.kind = SIM_SCHEMA_MAP, .children = bus_keys, .what = "bus"};

/* [doc] us-east-1: custom events put on a bus, per million, each 64 KB chunk one event. */
static const ks_price prices[] = {
        {"eventbridge_event_million", "1.00", KS_PER_MILLION},
        {NULL, NULL, 0},
};

/* A target function must be one function (not one with copies). */
static void check_all(const sim_yaml_node *root, const sim_yaml_node *entries, sim_diag *d)
{
	const sim_yaml_node *functions = sim_yaml_get(root, "functions");
	for (size_t i = 0; entries && entries->kind == SIM_YAML_MAP && i < entries->n; i++) {
		const sim_yaml_node *targets = sim_yaml_get(entries->pairs[i].value, "targets");
		for (size_t k = 0; targets && targets->kind == SIM_YAML_SEQ && k < targets->n;
		     k++) {
			const sim_yaml_node *t = targets->items[k];
			const sim_yaml_node *f = t->kind == SIM_YAML_SCALAR
			                                 ? sim_yaml_get(functions, t->text)
			                                 : NULL;
			const sim_yaml_node *count = sim_yaml_get(f, "count");
			if (count && count->kind == SIM_YAML_SCALAR &&
			    strcmp(count->text, "1") != 0) {
				sim_schema_error(
				        d, t, "bus target '%s' is a function with copies (count)",
				        t->text);
				sim_diag_hint(d, "a target is one function: give it count: 1");
			}
		}
	}
}

static void *prepare(ks_model *m)
{
	eventbridge_platform *p = sim_calloc(1, sizeof *p);
	sim_schema_fill(ks_model_platform(m, "eventbridge"), platform_keys, p);
	return p;
}

static void release(void *state)
{
	eventbridge_platform *p = state;
	sim_dist_fini(&p->delivery_latency);
	sim_free(p);
}

static void create(ks_model *m, const char *entry, const sim_yaml_node *node)
{
	const eventbridge_platform *p = ks_model_state(m, &ks_buses_component);
	ks_publisher *t = ks_publisher_create(ks_model_ctx(m), "buses", "eventbridge_delivery",
	                                      entry, &p->delivery_latency);
	ks_entity *e = ks_model_add(m, &ks_buses_component, entry, entry, node, t);
	e->sink = ks_publisher_sink(t);
}

static void link_names(ks_model *m, ks_entity *e)
{
	const sim_yaml_node *targets = sim_yaml_get(e->node, "targets");
	for (size_t k = 0; targets && k < targets->n; k++) {
		ks_sink sink = ks_model_sink(m, targets->items[k]->text);
		ks_publisher_subscribe(e->obj, &sink);
	}
}

static void summarize(void *obj, ks_cost *cost)
{
	ks_publisher *t = obj;
	ks_publisher_summarize(t);
	*ks_cost_quantity(cost, "eventbridge_event_million") += t->chunks;
}

static void destroy(void *obj)
{
	ks_publisher_destroy(obj);
}

const ks_component ks_buses_component = {
        .key = "buses",
        .noun = "bus",
        .item = &bus_item,
        .platform = "eventbridge",
        .platform_keys = platform_keys,
        .cost_line = "eventbridge",
        .prices = prices,
        .check = check_all,
        .prepare = prepare,
        .release = release,
        .create = create,
        .link = link_names,
        .summarize = summarize,
        .destroy = destroy,
};
