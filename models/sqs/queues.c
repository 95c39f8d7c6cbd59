/* The `queues:` component (core/component.h): SQS standard queues (queue.h) as destinations
 * and as polled sources, their redrive and alarms, and the SQS price. */
#include "models/sqs/sqs.h"

#include <string.h>

#include "models/sqs/queue.h"
#include "sim/assert.h"
#include "sim/engine.h"

#define S_ (double)SIM_S

#define AT(f) SIM_SCHEMA_AT(ks_queue_config, f)
static const sim_schema alarm_keys[] = {
        {.key = "threshold",
         .kind = SIM_SCHEMA_INT,
         .flags = SIM_SCHEMA_REQUIRED,
         .min = 0,
         .max = 1e12},
        {.key = "period",
         .kind = SIM_SCHEMA_DURATION,
         .def = "1m",
         .min = 10 * S_,
         .max = 86400 * S_,
         AT(alarm_period)},
        {.key = "datapoints",
         .kind = SIM_SCHEMA_INT,
         .def = "1",
         .min = 1,
         .max = 100,
         AT(alarm_datapoints)},
        {.key = NULL},
};

static const sim_schema queue_keys[] = {
        {.key = "visibility_timeout",
         .kind = SIM_SCHEMA_DURATION,
         .def = "30s",
         .min = 0,
         .max = 12 * 3600 * S_,
         .flags = SIM_SCHEMA_SOFT_RANGE,
         AT(visibility_timeout)},
        {.key = "max_receive_count",
         .kind = SIM_SCHEMA_INT,
         .min = 1,
         .max = 1000,
         .flags = SIM_SCHEMA_SOFT_RANGE,
         AT(max_receive_count)},
        {.key = "redrive_to", .kind = SIM_SCHEMA_REF, .refs = "queues"},
        {.key = "retention",
         .kind = SIM_SCHEMA_DURATION,
         .def = "4d",
         .min = 60 * S_,
         .max = 14 * 86400 * S_,
         .flags = SIM_SCHEMA_SOFT_RANGE},
        {.key = "alarm", .kind = SIM_SCHEMA_MAP, .children = alarm_keys, .what = "alarm"},
        {.key = NULL},
};
#undef AT
static const sim_schema queue_item = {
        .kind = SIM_SCHEMA_MAP, .children = queue_keys, .what = "queue"};

/* [doc] us-east-1, per million requests (sends, receives and delete batches: queue.h). */
static const ks_price prices[] = {
        {"sqs_request_million", "0.40", KS_PER_MILLION},
        {NULL, NULL, 0},
};

/* A queue's redrive_to needs max_receive_count, and following redrive_to from any queue never
 * comes back to it (a message would circle). Whether it names a queue is the schema's check. */
static void check(const sim_yaml_node *root, const sim_yaml_node *queues, sim_diag *d)
{
	(void)root;
	size_t n = queues && queues->kind == SIM_YAML_MAP ? queues->n : 0;
	for (size_t i = 0; i < n; i++) {
		const sim_yaml_node *to = sim_yaml_get(queues->pairs[i].value, "redrive_to");
		if (!to || to->kind != SIM_YAML_SCALAR || !sim_yaml_get(queues, to->text))
			continue;
		const char *name = queues->pairs[i].key->text;
		if (!sim_yaml_get(queues->pairs[i].value, "max_receive_count")) {
			/* [doc] a redrive policy is a target and a maxReceiveCount */
			sim_diag_report(d, SIM_DIAG_ERROR, to->file, to->line, to->col,
			                "redrive_to of queue '%s' needs max_receive_count", name);
			sim_diag_hint(d, "e.g. max_receive_count: 5");
		}
		const sim_yaml_node *next = to;
		for (size_t hop = 0; next && next->kind == SIM_YAML_SCALAR && hop <= n; hop++) {
			if (strcmp(next->text, name) == 0) {
				sim_diag_report(d, SIM_DIAG_ERROR, to->file, to->line, to->col,
				                "redrive_to of queue '%s' leads back to it", name);
				sim_diag_hint(
				        d, "a dead-letter queue needs its own redrive_to, or none");
				break;
			}
			next = sim_yaml_get(sim_yaml_get(queues, next->text), "redrive_to");
		}
	}
}

static void create(ks_model *m, const char *entry, const sim_yaml_node *node)
{
	ks_queue *q =
	        ks_queue_create(ks_model_ctx(m), entry, sim_schema_duration(node, "retention"));
	ks_entity *e = ks_model_add(m, &ks_queues_component, entry, entry, node, q);
	e->sink = ks_queue_sink(q);
	e->source = ks_queue_source(q);
}

/* Visibility, redrive and alarm. */
static void link_names(ks_model *m, ks_entity *e)
{
	const sim_yaml_node *node = e->node;
	ks_queue_config cfg = {0};
	sim_schema_fill(node, queue_keys, &cfg);
	const sim_yaml_node *to = sim_yaml_get(node, "redrive_to");
	if (to) {
		ks_entity *target = ks_model_entity(m, to->text);
		SIM_ASSERT(target && target->kind == &ks_queues_component);
		cfg.redrive_to = target->obj;
	}
	const sim_yaml_node *alarm = sim_yaml_get(node, "alarm");
	if (alarm) {
		cfg.alarm = true;
		cfg.alarm_threshold = (double)sim_schema_int(alarm, "threshold");
		sim_schema_fill(alarm, alarm_keys, &cfg);
	}
	ks_queue_configure(e->obj, &cfg);
}

static void finish(void *obj, sim_time end)
{
	ks_queue_finish(obj, end);
}

static void summarize(void *obj, ks_cost *cost)
{
	ks_queue *q = obj;
	ks_queue_summarize(q, sim_engine_now(q->ctx->engine));
	*ks_cost_quantity(cost, "sqs_request_million") += q->requests;
}

static void destroy(void *obj)
{
	ks_queue_destroy(obj);
}

const ks_component ks_queues_component = {
        .key = "queues",
        .noun = "queue",
        .item = &queue_item,
        .check = check,
        .cost_line = "sqs",
        .prices = prices,
        .create = create,
        .link = link_names,
        .finish = finish,
        .summarize = summarize,
        .destroy = destroy,
};
