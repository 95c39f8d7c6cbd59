/* The fan-out layer: the rules and invariants are in fanout.h. */
#include "models/lambda/fanout.h"

#include <math.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/engine.h"
#include "sim/rng.h"

ks_fanout *ks_fanout_create(ks_ctx *ctx, ks_function *owner, const sim_dist *invoke_overhead)
{
	ks_fanout *fo = sim_calloc(1, sizeof *fo);
	fo->ctx = ctx;
	fo->owner = owner;
	fo->invoke_overhead = invoke_overhead;
	fo->rng = sim_rng_stream(ctx->seed, ctx->replication, owner->name, "forward", -1);
	return fo;
}

void ks_fanout_destroy(ks_fanout *fo)
{
	if (!fo)
		return;
	for (size_t i = 0; i < fo->nrunning; i++)
		sim_free(fo->running[i].records);
	sim_free(fo->running);
	sim_free(fo->targets);
	sim_free(fo->scratch);
	gsl_rng_free(fo->rng);
	sim_free(fo);
}

void ks_fanout_add(ks_fanout *fo, const ks_forward_target *t)
{
	fo->targets = sim_reallocarray(fo->targets, fo->ntargets + 1, sizeof *fo->targets);
	fo->targets[fo->ntargets++] = *t;
	if (t->sync)
		fo->nsync++;
}

/* The records of b the forwarder processed (not its poison ones), copied to scratch. */
static uint32_t passed_on(ks_fanout *fo, const ks_batch *b)
{
	sim_grow(&fo->scratch, &fo->capscratch, b->n ? b->n : 1, sizeof *fo->scratch);
	uint32_t n = 0;
	for (uint32_t i = 0; i < b->n; i++) {
		const ks_record *r = ks_batch_record(b, i);
		if (!ks_function_is_poison(fo->owner, r))
			fo->scratch[n++] = *r;
	}
	return n;
}

/* A sync target's result is back: it frees its concurrency and counts what it processed
 * (in runs between its own poison records, which its handler skipped or forwarded). */
static void target_back(sim_engine *e, void *obj, uint64_t arg)
{
	ks_fanout *fo = obj;
	ks_forward_running *run = &fo->running[arg - 1];
	SIM_ASSERT(run->used);
	sim_time now = sim_engine_now(e);
	ks_function_finish(run->fn, &run->inv);
	if (run->inv.status == KS_INVOKE_OK) {
		ks_batch b = {.records = run->records, .n = run->n};
		uint32_t from = 0;
		for (uint32_t i = 0; i <= run->n; i++) {
			if (i < run->n && !ks_function_is_poison(run->fn, &run->records[i]))
				continue;
			if (i > from)
				ks_function_processed(run->fn, now, &b, from, i, 0, now);
			from = i + 1;
		}
	}
	run->used = false;
}

static size_t take_slot(ks_fanout *fo)
{
	for (size_t i = 0; i < fo->nrunning; i++)
		if (!fo->running[i].used)
			return i;
	sim_grow(&fo->running, &fo->caprunning, fo->nrunning + 1, sizeof *fo->running);
	fo->running[fo->nrunning] = (ks_forward_running){0};
	return fo->nrunning++;
}

bool ks_fanout_sync(ks_fanout *fo, sim_time now, const ks_batch *b, ks_invocation *inv)
{
	SIM_ASSERT(inv->status == KS_INVOKE_OK);
	if (fo->nsync == 0)
		return false;
	uint32_t n = passed_on(fo, b);
	if (n == 0)
		return false;
	bool failed = false;
	sim_time end = now;
	for (size_t i = 0; i < fo->ntargets; i++) {
		const ks_forward_target *t = &fo->targets[i];
		if (!t->sync)
			continue;
		sim_time overhead = 0;
		if (fo->invoke_overhead)
			overhead = sim_dist_sample_ns(fo->invoke_overhead, fo->rng);
		size_t slot = take_slot(fo);
		ks_forward_running *run = &fo->running[slot];
		run->records = sim_reallocarray(run->records, n, sizeof *run->records);
		memcpy(run->records, fo->scratch, n * sizeof *run->records);
		run->n = n;
		run->fn = t->sync;
		ks_batch tb = {.records = run->records, .n = n};
		ks_function_invoke(t->sync, now, overhead, &tb, &run->inv);
		if (run->inv.status == KS_INVOKE_THROTTLED) {
			failed = true; /* it held nothing: no slot */
			continue;
		}
		run->used = true;
		if (run->inv.status != KS_INVOKE_OK)
			failed = true;
		if (run->inv.end > end)
			end = run->inv.end;
		sim_engine_at(fo->ctx->engine, run->inv.end, target_back, fo, slot + 1);
	}
	inv->end = end;
	if (failed) {
		/* a target's failure is the forwarder's: the error reaches its handler */
		inv->status = KS_INVOKE_FAILED;
		inv->whole_batch = true;
		if (end < fo->ctx->stop)
			ks_metric_add(&fo->owner->errors, end, 0, 1);
	}
	return true;
}

void ks_fanout_pass(ks_fanout *fo, sim_time now, const ks_batch *b)
{
	if (fo->ntargets == fo->nsync)
		return;
	uint32_t n = passed_on(fo, b);
	for (size_t i = 0; i < fo->ntargets; i++) {
		const ks_forward_target *t = &fo->targets[i];
		for (uint32_t k = 0; !t->sync && k < n; k++)
			ks_sink_hop_record(&t->sink, now, &fo->scratch[k]);
	}
}

void ks_fanout_pending(const ks_fanout *fo)
{
	for (size_t i = 0; i < fo->nrunning; i++)
		if (fo->running[i].used)
			fo->running[i].fn->records_pending += fo->running[i].n;
}
