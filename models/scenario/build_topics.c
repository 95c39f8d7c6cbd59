/* The builder's retry paths: SNS topics (before the functions, so that a kinesis trigger's
 * on_failure can name one), then each function copy's async queue, its sns subscriptions, its
 * async.on_failure and its handler's forward_to (after the functions). */
#include "models/lambda/async.h"
#include "models/scenario/build_internal.h"
#include "models/sqs/queue.h"
#include "models/sns/topic.h"

#include <string.h>

#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/engine.h"
#include "sim/schema.h"

ks_topic *ks_build_find_topic(ks_model *m, const char *name)
{
	for (size_t i = 0; i < m->ntopics; i++)
		if (strcmp(m->topics[i]->name, name) == 0)
			return m->topics[i];
	return NULL;
}

void ks_build_topics(ks_model *m)
{
	const sim_yaml_node *sns = sim_yaml_get(sim_yaml_get(m->root, "platform"), "sns");
	sim_dist latency = sim_schema_dist(sns, "delivery_latency", false);
	const sim_yaml_node *topics = sim_yaml_get(m->root, "topics");
	size_t n = topics && topics->kind == SIM_YAML_MAP ? topics->n : 0;
	m->topics = sim_calloc(n ? n : 1, sizeof *m->topics);
	for (size_t i = 0; i < n; i++)
		m->topics[m->ntopics++] =
		        ks_topic_create(&m->ctx, topics->pairs[i].key->text, &latency);
	sim_dist_fini(&latency);
}

/* A function copy (the scenario node f) gets its async queue and its retry paths. */
static ks_async *build_async(ks_model *m, ks_function *fn, const sim_yaml_node *f)
{
	const sim_yaml_node *async = sim_yaml_get(f, "async");
	ks_async_config cfg = {
	        .max_retry_attempts = 2,
	        .max_event_age = 6 * SIM_HOUR,
	        .invoke_overhead = &m->invoke_overhead,
	};
	if (async) {
		cfg.max_retry_attempts = (int)sim_schema_int(async, "maximum_retry_attempts");
		cfg.max_event_age = sim_schema_duration(async, "maximum_event_age");
		const sim_yaml_node *dest = sim_yaml_get(async, "on_failure");
		cfg.on_failure = ks_build_sink(m, dest ? dest->text : NULL);
	}
	ks_async *a = ks_async_create(&m->ctx, fn, &cfg);

	const sim_yaml_node *triggers = sim_yaml_get(f, "triggers");
	for (size_t t = 0; triggers && triggers->kind == SIM_YAML_SEQ && t < triggers->n; t++) {
		const sim_yaml_node *sns = sim_yaml_get(triggers->items[t], "sns");
		if (sns) {
			ks_sink sink = ks_async_sink(a);
			ks_topic_subscribe(ks_build_find_topic(m, sns->text), &sink);
		}
	}

	const sim_yaml_node *ore = sim_yaml_get(f, "on_record_error");
	const sim_yaml_node *then = ore ? sim_yaml_get(ore, "then") : NULL;
	if (fn->policy == KS_RECORD_RETRY && then && strcmp(then->text, "forward") == 0) {
		/* build_function.c reads then: skip | fail_batch; forward is set here */
		fn->then = KS_RECORD_FORWARD;
		fn->forward_to = ks_build_sink(m, sim_schema_string(ore, "forward_to"));
	}
	return a;
}

static void visit_copy(ks_model *m, size_t k, const char *name, const sim_yaml_node *f, void *ctx)
{
	(void)name;
	(void)ctx;
	m->asyncs[k] = build_async(m, m->functions[k], f);
}

void ks_build_async(ks_model *m)
{
	m->asyncs = sim_calloc(m->nfunctions ? m->nfunctions : 1, sizeof *m->asyncs);
	ks_build_each_copy(m, visit_copy, NULL);
}

void ks_build_topics_pending(ks_model *m)
{
	for (size_t i = 0; m->asyncs && i < m->nfunctions; i++)
		m->functions[i]->records_pending += (double)ks_async_pending(m->asyncs[i]);
}

void ks_build_topics_summarize(ks_model *m, ks_cost_usage *usage)
{
	for (size_t i = 0; i < m->ntopics; i++) {
		ks_topic_summarize(m->topics[i]);
		usage->sns_requests += m->topics[i]->requests;
	}
}

void ks_build_topics_destroy(ks_model *m)
{
	for (size_t i = 0; m->asyncs && i < m->nfunctions; i++)
		ks_async_destroy(m->asyncs[i]);
	sim_free(m->asyncs);
	m->asyncs = NULL;
	for (size_t i = 0; i < m->ntopics; i++)
		ks_topic_destroy(m->topics[i]);
	sim_free(m->topics);
	m->topics = NULL;
	m->ntopics = 0;
}
