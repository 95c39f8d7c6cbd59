/* Scenario tree -> Firehose delivery streams (`firehoses:`) and the functions' `s3` triggers.
 * The tree is resolved (every default present) and checked (a source names a stream, an s3
 * trigger a firehose), so each getter succeeds. Built after the async queues: an s3 trigger
 * subscribes its function copy's queue (each copy of a function with `count`). */
#include "models/scenario/build_internal.h"

#include <string.h>

#include "models/lambda/async.h"
#include "models/firehose/firehose.h"
#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/schema.h"

static ks_firehose *find_firehose(ks_model *m, const char *name)
{
	const sim_yaml_node *firehoses = sim_yaml_get(m->root, "firehoses");
	for (size_t i = 0; i < m->nfirehoses; i++)
		if (strcmp(firehoses->pairs[i].key->text, name) == 0)
			return m->firehoses[i];
	return NULL;
}

static void visit_copy(ks_model *m, size_t k, const char *name, const sim_yaml_node *f, void *ctx)
{
	(void)name;
	(void)ctx;
	const sim_yaml_node *triggers = sim_yaml_get(f, "triggers");
	for (size_t t = 0; triggers && triggers->kind == SIM_YAML_SEQ && t < triggers->n; t++) {
		const sim_yaml_node *s3 = sim_yaml_get(triggers->items[t], "s3");
		if (!s3)
			continue;
		ks_firehose *fh = find_firehose(m, s3->text);
		SIM_ASSERT(fh && m->asyncs);
		ks_sink sink = ks_async_sink(m->asyncs[k]);
		ks_firehose_subscribe(fh, &sink);
	}
}

static void subscribe_functions(ks_model *m)
{
	ks_build_each_copy(m, visit_copy, NULL);
}

void ks_build_firehoses(ks_model *m)
{
	const sim_yaml_node *firehoses = sim_yaml_get(m->root, "firehoses");
	size_t n = firehoses && firehoses->kind == SIM_YAML_MAP ? firehoses->n : 0;
	m->firehoses = sim_calloc(n ? n : 1, sizeof *m->firehoses);
	for (size_t i = 0; i < n; i++) {
		const sim_yaml_node *f = firehoses->pairs[i].value;
		const sim_yaml_node *buffer = sim_yaml_get(f, "buffer");
		ks_firehose_config cfg = {
		        .name = firehoses->pairs[i].key->text,
		        .stream = ks_build_find_stream(m, sim_schema_string(f, "source")),
		        .buffer_bytes = sim_schema_size(buffer, "size", true),
		        .buffer_interval = sim_schema_duration(buffer, "interval"),
		        .delivery_latency = KS_FIREHOSE_DELIVERY_LATENCY,
		};
		SIM_ASSERT(cfg.stream);
		m->firehoses[m->nfirehoses++] = ks_firehose_create(&m->ctx, &cfg);
	}
	subscribe_functions(m);
}

void ks_build_firehoses_start(ks_model *m)
{
	for (size_t i = 0; i < m->nfirehoses; i++)
		ks_firehose_start(m->firehoses[i]);
}

void ks_build_firehoses_finish(ks_model *m, sim_time end)
{
	for (size_t i = 0; i < m->nfirehoses; i++)
		ks_firehose_finish(m->firehoses[i], end);
}

void ks_build_firehoses_summarize(ks_model *m, ks_cost_usage *usage)
{
	for (size_t i = 0; i < m->nfirehoses; i++) {
		ks_firehose_summarize(m->firehoses[i]);
		usage->firehose_bytes += ks_firehose_bytes_in(m->firehoses[i]);
	}
}

void ks_build_firehoses_destroy(ks_model *m)
{
	for (size_t i = 0; i < m->nfirehoses; i++)
		ks_firehose_destroy(m->firehoses[i]);
	sim_free(m->firehoses);
	m->firehoses = NULL;
	m->nfirehoses = 0;
}
