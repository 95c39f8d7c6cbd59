/* Scenario tree -> SQS: each queue's visibility, redrive and alarm (the queues themselves are
 * made by build.c), and the sqs triggers' event source mappings, one per function copy and
 * trigger. Reads the resolved tree: the scenario layer has checked the references. */
#include "models/scenario/build_internal.h"

#include <string.h>

#include "models/sqs/queue.h"
#include "models/lambda/sqs_esm.h"
#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/schema.h"

static ks_queue *queue_named(ks_model *m, const char *name)
{
	for (size_t i = 0; i < m->nqueues; i++)
		if (strcmp(m->queues[i]->name, name) == 0)
			return m->queues[i];
	return NULL;
}

static ks_function *function_named(ks_model *m, const char *name)
{
	for (size_t i = 0; i < m->nfunctions; i++)
		if (strcmp(m->functions[i]->name, name) == 0)
			return m->functions[i];
	return NULL;
}

void ks_build_sqs_queues(ks_model *m)
{
	const sim_yaml_node *queues = sim_yaml_get(m->root, "queues");
	for (size_t i = 0; queues && queues->kind == SIM_YAML_MAP && i < queues->n; i++) {
		const sim_yaml_node *qn = queues->pairs[i].value;
		ks_queue *q = queue_named(m, queues->pairs[i].key->text);
		SIM_ASSERT(q);
		ks_queue_config cfg = {.visibility_timeout =
		                               sim_schema_duration(qn, "visibility_timeout")};
		if (sim_yaml_get(qn, "max_receive_count"))
			cfg.max_receive_count = (uint32_t)sim_schema_int(qn, "max_receive_count");
		const sim_yaml_node *to = sim_yaml_get(qn, "redrive_to");
		if (to)
			cfg.redrive_to = queue_named(m, to->text);
		const sim_yaml_node *alarm = sim_yaml_get(qn, "alarm");
		if (alarm) {
			cfg.alarm = true;
			cfg.alarm_threshold = (double)sim_schema_int(alarm, "threshold");
			cfg.alarm_period = sim_schema_duration(alarm, "period");
			cfg.alarm_datapoints = (uint32_t)sim_schema_int(alarm, "datapoints");
		}
		ks_queue_configure(q, &cfg);
	}
}

static void add_mapping(ks_model *m, ks_function *fn, const sim_yaml_node *t)
{
	const sim_yaml_node *lam = sim_yaml_get(sim_yaml_get(m->root, "platform"), "lambda");
	ks_queue *q = queue_named(m, sim_schema_string(t, "sqs"));
	SIM_ASSERT(q);
	ks_sqs_esm_config cfg = {
	        .batch_size = (uint32_t)sim_schema_int(t, "batch_size"),
	        .batching_window = sim_schema_duration(t, "maximum_batching_window"),
	        .max_concurrency = sim_yaml_get(t, "maximum_concurrency")
	                                   ? (uint32_t)sim_schema_int(t, "maximum_concurrency")
	                                   : 1000, /* [doc] */
	        .item_failures = sim_schema_bool(t, "report_batch_item_failures"),
	        .retry_delay = sim_schema_duration(lam, "retry_delay"),
	        .invoke_overhead = &m->invoke_overhead,
	        .payload_max_bytes = 6 * 1048576, /* [doc] */
	};
	m->sqs = sim_reallocarray(m->sqs, m->nsqs + 1, sizeof *m->sqs);
	m->sqs[m->nsqs++] = ks_sqs_esm_create(&m->ctx, fn, q, &cfg);
}

static void copy_mappings(ks_model *m, const char *name, const sim_yaml_node *f)
{
	const sim_yaml_node *triggers = sim_yaml_get(f, "triggers");
	for (size_t t = 0; triggers && triggers->kind == SIM_YAML_SEQ && t < triggers->n; t++) {
		if (!sim_yaml_get(triggers->items[t], "sqs"))
			continue;
		ks_function *fn = function_named(m, name);
		SIM_ASSERT(fn);
		add_mapping(m, fn, triggers->items[t]);
	}
}

static void visit_copy(ks_model *m, size_t k, const char *name, const sim_yaml_node *f, void *ctx)
{
	(void)k;
	(void)ctx;
	copy_mappings(m, name, f);
}

void ks_build_sqs_mappings(ks_model *m)
{
	ks_build_each_copy(m, visit_copy, NULL);
}

void ks_build_sqs_start(ks_model *m)
{
	for (size_t i = 0; i < m->nsqs; i++)
		ks_sqs_esm_start(m->sqs[i]);
}

void ks_build_sqs_finish(ks_model *m, sim_time end)
{
	for (size_t i = 0; i < m->nqueues; i++)
		ks_queue_finish(m->queues[i], end);
}

void ks_build_sqs_pending(ks_model *m)
{
	/* [choice] what a mapping's queue still holds is pending for its function */
	for (size_t i = 0; i < m->nsqs; i++)
		m->sqs[i]->fn->records_pending +=
		        (double)(m->sqs[i]->queue->visible + m->sqs[i]->queue->in_flight);
}

void ks_build_sqs_usage(ks_model *m, ks_cost_usage *usage)
{
	for (size_t i = 0; i < m->nqueues; i++)
		usage->sqs_requests += m->queues[i]->requests;
}

void ks_build_sqs_destroy(ks_model *m)
{
	for (size_t i = 0; i < m->nsqs; i++)
		ks_sqs_esm_destroy(m->sqs[i]);
	sim_free(m->sqs);
	m->sqs = NULL;
	m->nsqs = 0;
}
