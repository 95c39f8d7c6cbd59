/* A function's asynchronous invocation queue: the rules and invariants are in async.h. */
#include "models/lambda/async.h"

#include <math.h>
#include <string.h>

#include "models/lambda/fanout.h"
#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/engine.h"
#include "sim/heap.h"
#include "sim/rng.h"

#define THROTTLE_FIRST SIM_S         /* [doc] requeue delays from 1 s ... */
#define THROTTLE_CAP   (5 * SIM_MIN) /* [doc] ... up to 5 minutes */

static bool before(const ks_async_event *x, const ks_async_event *y)
{
	return x->due < y->due || (x->due == y->due && x->order < y->order);
}

SIM_HEAP_DEFINE(event_heap, ks_async_event, before);

/* Stamps the event with the next insertion sequence number, so that events due at the same
 * time come out in the order they were queued. */
static void push(ks_async *a, ks_async_event ev)
{
	ev.order = a->next_order++;
	event_heap_push(&a->heap, &a->n, &a->cap, ev);
}

static void on_event(sim_engine *e, void *obj, uint64_t arg);

static const ks_record *records_of(const ks_async_event *ev)
{
	return ev->records ? ev->records : &ev->record;
}

static void free_event(ks_async_event *ev)
{
	sim_free(ev->records);
	ev->records = NULL;
}

/* One timer, for the earliest due event. */
static void arm(ks_async *a)
{
	sim_engine *e = a->ctx->engine;
	if (a->timer && (a->n == 0 || a->timer_at != a->heap[0].due)) {
		sim_engine_cancel(e, a->timer);
		a->timer = 0;
	}
	if (a->n == 0 || a->timer)
		return;
	sim_time now = sim_engine_now(e);
	a->timer_at = a->heap[0].due;
	a->timer = sim_engine_at(e, a->timer_at > now ? a->timer_at : now, on_event, a, 0);
}

/* [doc] out of attempts or too old: to on_failure, the record travelling with the message. */
static void fail_event(ks_async *a, const ks_async_event *ev, sim_time now)
{
	ks_function *f = a->fn;
	if (now >= a->ctx->stop)
		return;
	ks_metric_add(&f->records_on_failure, now, 0, ev->n);
	if (!ks_sink_set(&a->cfg.on_failure))
		return;
	ks_metric_add(&f->on_failure_events, now, 0, 1);
	ks_sink_hop_records(&a->cfg.on_failure, now, records_of(ev), ev->n);
}

static size_t take_slot(ks_async *a)
{
	for (size_t i = 0; i < a->nrunning; i++)
		if (!a->running[i].used)
			return i;
	sim_grow(&a->running, &a->caprunning, a->nrunning + 1, sizeof *a->running);
	a->running[a->nrunning] = (ks_async_running){0};
	return a->nrunning++;
}

/* The event is due: too old, throttled (requeued), or running until its result is back. */
static void attempt(ks_async *a, ks_async_event ev, sim_time now)
{
	if (now - ev.enqueued > a->cfg.max_event_age) {
		fail_event(a, &ev, now);
		free_event(&ev);
		return;
	}
	/* [doc] recursive loop detection: an event that went through 16 invocations is not
	 * invoked; it goes to on_failure */
	if (ks_record_hops(&ev.record) >= KS_RECURSION_LIMIT) {
		if (ks_measured(a->ctx, now))
			a->fn->recursion_stopped += ev.n;
		fail_event(a, &ev, now);
		free_event(&ev);
		return;
	}
	sim_time overhead = 0;
	if (a->cfg.invoke_overhead)
		overhead = sim_dist_sample_ns(a->cfg.invoke_overhead, a->rng);
	ks_batch b = {.records = records_of(&ev), .n = ev.n};
	ks_invocation inv;
	ks_function_invoke(a->fn, now, overhead, &b, &inv);
	if (inv.status == KS_INVOKE_THROTTLED) {
		if (a->observer)
			a->observer(a->observer_ctx, now, &ev.record, inv.status);
		/* [doc] exponential from 1 s, capped at 5 min */
		sim_time delay = THROTTLE_CAP;
		if (ev.throttles < 16 && (THROTTLE_FIRST << ev.throttles) < THROTTLE_CAP)
			delay = THROTTLE_FIRST << ev.throttles;
		ev.throttles++;
		ev.due = now + delay;
		push(a, ev);
		return;
	}
	ev.throttles = 0;
	size_t slot = take_slot(a);
	a->running[slot] = (ks_async_running){.ev = ev, .inv = inv, .used = true};
	a->active++;
	sim_engine_at(a->ctx->engine, inv.end, on_event, a, slot + 1);
}

/* A handler that succeeded invokes its sync forward targets and is over when the
 * slowest is back (fanout.h). Returns true when the event now waits for them. */
static bool wait_for_forward(ks_async *a, size_t slot)
{
	ks_async_running *run = &a->running[slot];
	if (run->forwarding) { /* they are back */
		run->forwarding = false;
		return false;
	}
	if (run->inv.status != KS_INVOKE_OK || !a->fn->fanout)
		return false;
	ks_batch b = {.records = records_of(&run->ev), .n = run->ev.n};
	if (!ks_fanout_sync(a->fn->fanout, run->inv.end, &b, &run->inv))
		return false;
	run->forwarding = true;
	sim_engine_at(a->ctx->engine, run->inv.end, on_event, a, slot + 1);
	return true;
}

/* The result of the event in `slot` is back. */
static void complete(ks_async *a, size_t slot, sim_time now)
{
	ks_async_running *run = &a->running[slot];
	SIM_ASSERT(run->used);
	if (wait_for_forward(a, slot))
		return;
	ks_async_event ev = run->ev;
	ks_invocation inv = run->inv;
	run->used = false;
	a->active--;
	ks_function_finish(a->fn, &inv);
	if (a->observer)
		a->observer(a->observer_ctx, now, records_of(&ev), inv.status);
	if (inv.status == KS_INVOKE_OK) {
		/* a poison record the handler skipped or forwarded is counted there: the others
		 * are processed, in runs between the poison ones */
		ks_batch b = {.records = records_of(&ev), .n = ev.n};
		if (a->fn->fanout) /* the records go on to the other targets */
			ks_fanout_pass(a->fn->fanout, now, &b);
		uint32_t from = 0;
		for (uint32_t i = 0; i <= ev.n; i++) {
			if (i < ev.n && !ks_function_is_poison(a->fn, &b.records[i]))
				continue;
			if (i > from)
				ks_function_processed(a->fn, now, &b, from, i, 0, now);
			from = i + 1;
		}
		/* [doc] the invocation record (the event, with the result) goes to on_success */
		if (ks_sink_set(&a->cfg.on_success) && now < a->ctx->stop) {
			ks_metric_add(&a->fn->on_success_events, now, 0, 1);
			ks_sink_hop_records(&a->cfg.on_success, now, b.records, ev.n);
		}
		free_event(&ev);
		return;
	}
	ev.errors++;
	if (ev.errors > (uint32_t)a->cfg.max_retry_attempts) {
		fail_event(a, &ev, now);
		free_event(&ev);
		return;
	}
	/* [doc] retried 1 min after the first error, 2 min after the second */
	ev.due = now + (ev.errors == 1 ? SIM_MIN : 2 * SIM_MIN);
	push(a, ev);
}

static void on_event(sim_engine *e, void *obj, uint64_t arg)
{
	ks_async *a = obj;
	sim_time now = sim_engine_now(e);
	if (arg > 0) {
		complete(a, (size_t)(arg - 1), now);
	} else {
		a->timer = 0;
		while (a->n > 0 && a->heap[0].due <= now)
			attempt(a, event_heap_pop(a->heap, &a->n), now);
	}
	arm(a);
}

ks_async *ks_async_create(ks_ctx *ctx, ks_function *fn, const ks_async_config *cfg)
{
	ks_async *a = sim_calloc(1, sizeof *a);
	a->ctx = ctx;
	a->fn = fn;
	a->cfg = *cfg;
	SIM_ASSERT(cfg->max_retry_attempts >= 0);
	a->rng = sim_rng_stream(ctx->seed, ctx->replication, fn->name, "async", -1);
	return a;
}

void ks_async_set_destinations(ks_async *a, const ks_sink *on_success, const ks_sink *on_failure)
{
	a->cfg.on_success = *on_success;
	a->cfg.on_failure = *on_failure;
}

void ks_async_destroy(ks_async *a)
{
	if (!a)
		return;
	gsl_rng_free(a->rng);
	for (size_t i = 0; i < a->n; i++)
		free_event(&a->heap[i]);
	for (size_t i = 0; i < a->nrunning; i++)
		if (a->running[i].used)
			free_event(&a->running[i].ev);
	sim_free(a->heap);
	sim_free(a->running);
	sim_free(a);
}

void ks_async_enqueue(ks_async *a, sim_time t, const ks_record *r)
{
	SIM_ASSERT(t >= sim_engine_now(a->ctx->engine));
	push(a, (ks_async_event){.due = t, .enqueued = t, .record = *r, .n = 1});
	arm(a);
}

void ks_async_enqueue_batch(ks_async *a, sim_time t, const ks_record *r, uint32_t n)
{
	SIM_ASSERT(t >= sim_engine_now(a->ctx->engine) && n > 0);
	ks_record *copies = sim_calloc(n, sizeof *copies);
	memcpy(copies, r, n * sizeof *copies);
	push(a,
	     (ks_async_event){.due = t, .enqueued = t, .record = r[0], .records = copies, .n = n});
	arm(a);
}

size_t ks_async_pending(const ks_async *a)
{
	size_t n = 0;
	for (size_t i = 0; i < a->n; i++)
		n += a->heap[i].n;
	for (size_t i = 0; i < a->nrunning; i++)
		if (a->running[i].used)
			n += a->running[i].ev.n;
	return n;
}

/* [doc] an asynchronous invocation carries up to 1 MiB (since October 2025); a larger event
 * is refused [choice: lost, its sender does not retry]. */
#define MAX_EVENT_BYTES 1048576u

static void sink_record(void *obj, sim_time t, const ks_record *r)
{
	ks_async *a = obj;
	if (r->bytes > MAX_EVENT_BYTES) {
		if (ks_measured(a->ctx, t))
			a->fn->events_too_large++;
		return;
	}
	ks_async_enqueue(a, t, r);
}

static void sink_records(void *obj, sim_time t, const ks_record *r, uint32_t n)
{
	ks_async_enqueue_batch(obj, t, r, n);
}

static const ks_sink_ops sink_ops = {.record = sink_record, .records = sink_records};

ks_sink ks_async_sink(ks_async *a)
{
	return (ks_sink){&sink_ops, a};
}
