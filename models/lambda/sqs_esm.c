/* The SQS event source mapping: slots, scaling, batches and their outcomes. The rules and the
 * invariants are in sqs_esm.h. */
#include "models/lambda/sqs_esm.h"

#include <math.h>

#include "models/lambda/fanout.h"
#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/rng.h"

enum { EV_WAKE, EV_SCALE, EV_COMPLETE, EV_KINDS };

static void on_event(sim_engine *en, void *obj, uint64_t arg);

static void at(ks_sqs_esm *e, sim_time t, int kind, uint32_t slot)
{
	sim_engine_at(e->ctx->engine, t, on_event, e, (uint64_t)slot * EV_KINDS + (uint64_t)kind);
}

/* A poll at t: now (one pending at most) or later (the end of a window or of a pause; one
 * pending at the earliest such time is enough, the poll it runs asks again). */
static void wake(ks_sqs_esm *e, sim_time t)
{
	sim_time now = sim_engine_now(e->ctx->engine);
	if (t <= now) {
		if (!e->wake_pending)
			at(e, now, EV_WAKE, 0);
		e->wake_pending = true;
		return;
	}
	if (e->deferred_set && e->deferred_at <= t)
		return;
	at(e, t, EV_WAKE, 1);
	e->deferred_set = true;
	e->deferred_at = t;
}

static void on_visible(void *ctx, sim_time now)
{
	ks_sqs_esm *e = ctx;
	if (e->started && !e->wake_pending)
		wake(e, now);
}

ks_sqs_esm *ks_sqs_esm_create(ks_ctx *ctx, ks_function *fn, const ks_source *queue,
                              const ks_sqs_esm_config *cfg)
{
	SIM_ASSERT(cfg->batch_size >= 1 && cfg->max_concurrency >= 1);
	ks_sqs_esm *e = sim_calloc(1, sizeof *e);
	e->ctx = ctx;
	e->fn = fn;
	e->queue = *queue;
	e->cfg = *cfg;
	e->slots = sim_calloc(cfg->max_concurrency, sizeof *e->slots);
	e->concurrency = cfg->max_concurrency < KS_SQS_START_CONCURRENCY ? cfg->max_concurrency
	                                                                 : KS_SQS_START_CONCURRENCY;
	char *purpose = sim_asprintf("invoke:sqs:%s", queue->ops->name(queue->obj));
	e->invoke_rng = sim_rng_stream(ctx->seed, ctx->replication, fn->name, purpose, -1);
	sim_free(purpose);
	queue->ops->listen(queue->obj, on_visible, e);
	return e;
}

void ks_sqs_esm_destroy(ks_sqs_esm *e)
{
	if (!e)
		return;
	for (uint32_t i = 0; i < e->cfg.max_concurrency; i++) {
		sim_free(e->slots[i].records);
		sim_free(e->slots[i].receipts);
	}
	sim_free(e->slots);
	gsl_rng_free(e->invoke_rng);
	sim_free(e);
}

static uint32_t free_slot(const ks_sqs_esm *e)
{
	for (uint32_t i = 0; i < e->concurrency; i++)
		if (!e->slots[i].busy)
			return i;
	SIM_ASSERT(!"no free slot");
	return 0;
}

/* Receives a batch into a free slot and invokes the function; false when throttled. */
static bool run_batch(ks_sqs_esm *e, sim_time now)
{
	uint32_t s = free_slot(e);
	ks_sqs_slot *slot = &e->slots[s];
	if (!slot->records) {
		slot->records = sim_calloc(e->cfg.batch_size, sizeof *slot->records);
		slot->receipts = sim_calloc(e->cfg.batch_size, sizeof *slot->receipts);
	}
	slot->n = e->queue.ops->receive(e->queue.obj, now, e->cfg.batch_size,
	                                e->cfg.payload_max_bytes, slot->records, slot->receipts);
	SIM_ASSERT(slot->n > 0);
	/* [doc] recursive loop detection: a message that went through 16 invocations is not
	 * invoked; it is left in the queue, to its redrive policy or its retention */
	uint32_t kept = 0;
	for (uint32_t i = 0; i < slot->n; i++) {
		if (ks_record_hops(&slot->records[i]) >= KS_RECURSION_LIMIT) {
			if (ks_measured(e->fn->ctx, now))
				e->fn->recursion_stopped += 1;
			continue;
		}
		slot->records[kept] = slot->records[i];
		slot->receipts[kept++] = slot->receipts[i];
	}
	slot->n = kept;
	if (kept == 0)
		return true; /* nothing to invoke: the slot stays free */
	ks_batch b = {.records = slot->records, .n = slot->n};
	sim_time overhead = 0;
	if (e->cfg.invoke_overhead)
		overhead = sim_dist_sample_ns(e->cfg.invoke_overhead, e->invoke_rng);
	ks_function_invoke(e->fn, now, overhead, &b, &slot->inv);
	if (slot->inv.status == KS_INVOKE_THROTTLED) {
		/* [doc] the messages come back after their visibility timeout */
		e->throttles++;
		e->paused_until = now + e->cfg.retry_delay;
		return false;
	}
	slot->busy = true;
	e->busy++;
	e->batches++;
	at(e, slot->inv.end, EV_COMPLETE, s);
	return true;
}

/* Fills the free slots while messages are visible and a batch is due. */
static void poll(ks_sqs_esm *e, sim_time now)
{
	if (now < e->paused_until) {
		wake(e, e->paused_until);
		return;
	}
	while (e->busy < e->concurrency) {
		size_t visible = e->queue.ops->visible(e->queue.obj, now);
		if (visible == 0) {
			e->window_open = false;
			return;
		}
		/* [doc] maximum_batching_window: wait for batch_size messages up to that long */
		if (e->cfg.batching_window > 0 && visible < e->cfg.batch_size) {
			if (!e->window_open) {
				e->window_open = true;
				e->window_start = now;
			}
			if (now < e->window_start + e->cfg.batching_window) {
				wake(e, e->window_start + e->cfg.batching_window);
				return;
			}
		}
		e->window_open = false;
		if (!run_batch(e, now)) {
			wake(e, e->paused_until);
			return;
		}
	}
	/* every slot busy and messages waiting: scale up */
	if (e->concurrency < e->cfg.max_concurrency && !e->scale_pending &&
	    e->queue.ops->visible(e->queue.obj, now) > 0) {
		e->scale_pending = true;
		at(e, now + SIM_S, EV_SCALE, 0);
	}
}

/* [doc] 300 more concurrent batches per minute while messages wait: 5 each second. */
static void scale(ks_sqs_esm *e, sim_time now)
{
	e->scale_pending = false;
	if (e->busy < e->concurrency || e->queue.ops->visible(e->queue.obj, now) == 0)
		return; /* nothing waits for a slot */
	uint32_t step = KS_SQS_SCALE_PER_MINUTE / 60;
	e->concurrency = e->concurrency + step > e->cfg.max_concurrency ? e->cfg.max_concurrency
	                                                                : e->concurrency + step;
	if (e->concurrency > e->concurrency_max)
		e->concurrency_max = e->concurrency;
}

/* Records [from, to) of the batch were processed at t; poison ones were skipped by the
 * handler (and counted by the function). */
static void processed(ks_sqs_esm *e, const ks_batch *b, uint32_t from, uint32_t to, sim_time t)
{
	ks_function *f = e->fn;
	bool may_fail = f->poison_rate > 0 || f->npoison_indices > 0;
	if (!may_fail) {
		ks_function_processed(f, t, b, from, to, 0, t);
		return;
	}
	uint32_t run = from;
	for (uint32_t i = from; i <= to; i++) {
		if (i < to && !ks_function_is_poison(f, &b->records[i]))
			continue;
		if (i > run)
			ks_function_processed(f, t, b, run, i, 0, t);
		run = i + 1;
	}
}

/* A handler that succeeded invokes its sync forward targets and is over when the
 * slowest is back (fanout.h). Returns true when the batch now waits for them. */
static bool wait_for_forward(ks_sqs_esm *e, uint32_t s, sim_time now)
{
	ks_sqs_slot *slot = &e->slots[s];
	if (slot->forwarding) { /* they are back */
		slot->forwarding = false;
		return false;
	}
	if (slot->inv.status != KS_INVOKE_OK || !e->fn->fanout)
		return false;
	ks_batch b = {.records = slot->records, .n = slot->n};
	if (!ks_fanout_sync(e->fn->fanout, now, &b, &slot->inv))
		return false;
	slot->forwarding = true;
	at(e, slot->inv.end, EV_COMPLETE, s);
	return true;
}

static void complete(ks_sqs_esm *e, uint32_t s, sim_time now)
{
	ks_sqs_slot *slot = &e->slots[s];
	if (wait_for_forward(e, s, now))
		return;
	ks_function_finish(e->fn, &slot->inv);
	slot->busy = false;
	e->busy--;
	ks_batch b = {.records = slot->records, .n = slot->n};
	uint32_t done = 0; /* the batch's first `done` messages succeeded */
	if (slot->inv.status == KS_INVOKE_OK)
		done = slot->n;
	else if (e->cfg.item_failures && !slot->inv.whole_batch)
		done = slot->inv.first_failed;
	if (done > 0 && done == slot->n && e->fn->fanout) /* on to the other targets */
		ks_fanout_pass(e->fn->fanout, now, &b);
	if (done > 0) {
		processed(e, &b, 0, done, now);
		e->queue.ops->remove(e->queue.obj, now, slot->receipts, done);
	}
	/* the others stay in flight until their visibility timeout */
}

static void on_event(sim_engine *en, void *obj, uint64_t arg)
{
	ks_sqs_esm *e = obj;
	sim_time now = sim_engine_now(en);
	switch ((int)(arg % EV_KINDS)) {
	case EV_WAKE:
		if (arg / EV_KINDS == 0)
			e->wake_pending = false;
		else if (e->deferred_set && e->deferred_at == now)
			e->deferred_set = false;
		break;
	case EV_SCALE: scale(e, now); break;
	case EV_COMPLETE: complete(e, (uint32_t)(arg / EV_KINDS), now); break;
	}
	poll(e, now);
}

void ks_sqs_esm_start(ks_sqs_esm *e)
{
	e->started = true;
	e->concurrency_max = e->concurrency;
	wake(e, sim_engine_now(e->ctx->engine));
}

void ks_sqs_esm_pending(const ks_sqs_esm *e)
{
	e->fn->records_pending += (double)e->queue.ops->held(e->queue.obj);
}
