/* The builder's fan-out layer (fanout.h): each function copy's `forward:` list, after the
 * async queues exist (an async target is a copy's queue). A target function with `count`
 * means every copy of it; so does a forwarder with `count` (each copy forwards alike). */
#include "models/lambda/async.h"
#include "models/scenario/build_internal.h"
#include "models/lambda/fanout.h"
#include "models/sns/topic.h"

#include <string.h>

#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/schema.h"

/* Adds a target per copy of function `name` (the copies follow the functions' order). */
static void add_function(ks_model *m, ks_fanout *fo, const char *name, bool sync)
{
	const sim_yaml_node *functions = sim_yaml_get(m->root, "functions");
	size_t k = 0;
	for (size_t i = 0; i < functions->n; i++) {
		size_t copies = ks_scenario_copies(functions->pairs[i].value);
		size_t c = copies ? copies : 1;
		if (strcmp(functions->pairs[i].key->text, name) == 0) {
			for (size_t j = 0; j < c; j++) {
				ks_forward_target t = {0};
				if (sync)
					t.sync = m->functions[k + j];
				else
					t.sink = ks_async_sink(m->asyncs[k + j]);
				ks_fanout_add(fo, &t);
			}
			return;
		}
		k += c;
	}
	SIM_ASSERT(!"forward names a function that exists (scenario.c)");
}

static ks_fanout *build_fanout(ks_model *m, ks_function *fn, const sim_yaml_node *fw)
{
	ks_fanout *fo = ks_fanout_create(&m->ctx, fn, &m->invoke_overhead);
	for (size_t i = 0; i < fw->n; i++) {
		const sim_yaml_node *item = fw->items[i];
		const sim_yaml_node *f = sim_yaml_get(item, "function");
		const sim_yaml_node *s = sim_yaml_get(item, "stream");
		const sim_yaml_node *t = sim_yaml_get(item, "topic");
		ks_forward_target target = {0};
		if (f) {
			const char *invoke = sim_schema_string(item, "invoke");
			add_function(m, fo, f->text, strcmp(invoke, "sync") == 0);
			continue;
		}
		if (s) {
			ks_stream *stream = ks_build_find_stream(m, s->text);
			SIM_ASSERT(stream);
			target.sink = ks_stream_sink(stream);
		} else {
			target.sink = ks_build_sink(m, t->text);
		}
		ks_fanout_add(fo, &target);
	}
	return fo;
}

static void visit_copy(ks_model *m, size_t k, const char *name, const sim_yaml_node *f, void *ctx)
{
	(void)name;
	(void)ctx;
	const sim_yaml_node *fw = sim_yaml_get(f, "forward");
	if (fw && fw->kind == SIM_YAML_SEQ && fw->n > 0)
		m->functions[k]->fanout = build_fanout(m, m->functions[k], fw);
}

void ks_build_forward(ks_model *m)
{
	ks_build_each_copy(m, visit_copy, NULL);
}

void ks_build_forward_pending(ks_model *m)
{
	for (size_t i = 0; i < m->nfunctions; i++)
		if (m->functions[i]->fanout)
			ks_fanout_pending(m->functions[i]->fanout);
}

void ks_build_forward_destroy(ks_model *m)
{
	for (size_t i = 0; i < m->nfunctions; i++) {
		ks_fanout_destroy(m->functions[i]->fanout);
		m->functions[i]->fanout = NULL;
	}
}
