/* SQS queues: messages, receives, visibility, redrive, retention and the alarm. The rules and
 * invariants are in queue.h. */
#include "models/sqs/queue.h"

#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/heap.h"

enum { MSG_FREE, MSG_VISIBLE, MSG_IN_FLIGHT };
enum { DL_VISIBLE, DL_EXPIRE };

#define MAX_PER_REQUEST 10 /* [doc] ReceiveMessage and DeleteMessageBatch: 10 messages */

/* ---- gauges -------------------------------------------------------------------------- */

static void gauge_init(ks_gauge *g, ks_ctx *ctx, const char *group, const char *name,
                       const char *units, const char *description)
{
	ks_metric_init(&g->m, ctx, group, name, SIM_SERIES_MAX, 1, units, description, NULL);
	g->level = 0;
	g->since = 0;
}

/* The level becomes v at t (t never goes back). */
static void gauge_set(ks_gauge *g, ks_ctx *ctx, sim_time t, double v)
{
	if (t < g->since)
		t = g->since; /* defensive: changes come in time order */
	if (g->level > 0 && t > g->since) {
		/* the old level held over [since, t): every interval starting inside saw it */
		sim_time iv = ctx->interval;
		for (sim_time s = (g->since / iv + 1) * iv; s < t && s < ctx->stop; s += iv)
			ks_metric_max(&g->m, s, 0, g->level);
		if (g->since < ctx->warmup && ctx->warmup < t && ctx->warmup < ctx->stop)
			ks_metric_max(&g->m, ctx->warmup, 0, g->level);
	}
	g->level = v;
	g->since = t;
	if (t < ctx->stop)
		ks_metric_max(&g->m, t, 0, v);
}

/* ---- the alarm --------------------------------------------------------------------------- */

static void alarm_event(ks_queue *q, sim_time t, bool alarm)
{
	q->in_alarm = alarm;
	gauge_set(&q->alarm_state, q->ctx, t, alarm ? 1 : 0);
	sim_grow(&q->alarm_rows, &q->alarm_cap, (q->alarm_n + 1) * 2, sizeof *q->alarm_rows);
	q->alarm_rows[q->alarm_n * 2] = sim_time_to_s(t);
	q->alarm_rows[q->alarm_n * 2 + 1] = alarm ? 1 : 0;
	q->alarm_n++;
	if (alarm && ks_measured(q->ctx, t))
		q->alarm_fired++;
}

/* Evaluates the periods that ended by t: a period's datapoint is its maximum of visible
 * messages; the alarm fires at the end of the datapoints-th consecutive breaching period and
 * clears at the end of the first period below the threshold. */
static void alarm_roll(ks_queue *q, sim_time t)
{
	if (!q->cfg.alarm)
		return;
	while (q->period_end <= t) {
		if (q->period_max >= q->cfg.alarm_threshold) {
			q->streak++;
			if (q->streak >= q->cfg.alarm_datapoints && !q->in_alarm)
				alarm_event(q, q->period_end, true);
		} else {
			q->streak = 0;
			if (q->in_alarm)
				alarm_event(q, q->period_end, false);
		}
		q->period_end += q->cfg.alarm_period;
		q->period_max = (double)q->visible; /* the level the next period starts with */
	}
}

static void set_visible(ks_queue *q, sim_time t, size_t visible)
{
	alarm_roll(q, t);
	q->visible = visible;
	if ((double)visible > q->period_max)
		q->period_max = (double)visible;
	gauge_set(&q->visible_max, q->ctx, t, (double)visible);
}

static void set_in_flight(ks_queue *q, sim_time t, size_t n)
{
	q->in_flight = n;
	gauge_set(&q->in_flight_max, q->ctx, t, (double)n);
}

/* ---- the deadline heap --------------------------------------------------------------------- */

static bool earlier(const ks_deadline *a, const ks_deadline *b)
{
	return a->t < b->t || (a->t == b->t && a->id < b->id);
}

SIM_HEAP_DEFINE(deadline_heap, ks_deadline, earlier);

/* ---- messages -------------------------------------------------------------------------- */

static void notify(ks_queue *q, sim_time now)
{
	if (q->finished)
		return; /* the run is over */
	for (size_t i = 0; i < q->nlisteners; i++)
		q->listeners[i](q->listener_ctx[i], now);
}

static void ring_push(ks_queue *q, uint32_t id)
{
	if (q->head + q->n == q->cap && q->head > 0) { /* compact */
		for (size_t i = 0; i < q->n; i++)
			q->ring[i] = q->ring[q->head + i];
		q->head = 0;
	}
	sim_grow(&q->ring, &q->cap, q->head + q->n + 1, sizeof *q->ring);
	q->ring[q->head + q->n++] = (ks_receipt){.id = id, .gen = q->msgs[id].gen};
}

/* ---- the age of the oldest message -------------------------------------------------------- */

/* The first enqueue of the oldest message still in the queue (visible or in flight), or -1. */
static sim_time oldest_enqueue(ks_queue *q)
{
	while (q->nages > 0) {
		const ks_deadline *a = &q->ages[0];
		const ks_message *msg = &q->msgs[a->id];
		if (msg->gen == a->gen && msg->state != MSG_FREE)
			return a->t;
		deadline_heap_pop(q->ages, &q->nages);
	}
	return -1;
}

/* Samples the oldest message's age at every interval end up to t, before the queue changes at
 * t [doc: CloudWatch samples ApproximateAgeOfOldestMessage once a period; choice: at the end
 * of each output interval, counted in the interval that ends there]. */
static void age_roll(ks_queue *q, sim_time t)
{
	sim_time iv = q->ctx->interval;
	sim_time first = (q->aged_until / iv + 1) * iv;
	if (first > t)
		return;
	sim_time oldest = oldest_enqueue(q);
	for (sim_time b = first; b <= t && b <= q->ctx->stop; b += iv)
		ks_metric_max(&q->oldest_age, b - 1, 0, oldest < 0 ? 0 : sim_time_to_s(b - oldest));
	q->aged_until = t;
}

static void free_msg(ks_queue *q, uint32_t id)
{
	q->msgs[id].state = MSG_FREE;
	q->msgs[id].gen++;
	sim_grow(&q->free_ids, &q->capfree, q->nfree + 1, sizeof *q->free_ids);
	q->free_ids[q->nfree++] = id;
}

static void arm_timer(ks_queue *q);
static void advance(ks_queue *q, sim_time now);

/* A message enters the queue at t, visible. */
static void enqueue(ks_queue *q, sim_time t, const ks_record *record, sim_time first_enqueue)
{
	uint32_t id;
	if (q->nfree > 0) {
		id = q->free_ids[--q->nfree];
	} else {
		sim_grow(&q->msgs, &q->capmsgs, q->nmsgs + 1, sizeof *q->msgs);
		id = q->nmsgs++;
		q->msgs[id].gen = 0;
	}
	ks_message *msg = &q->msgs[id];
	uint64_t serial = q->serial++;
	msg->record = record ? *record : (ks_record){.arrival = t, .id = ks_record_id(0, serial)};
	msg->first_enqueue = first_enqueue;
	msg->receives = 0;
	msg->state = MSG_VISIBLE;
	ring_push(q, id);
	deadline_heap_push(&q->ages, &q->nages, &q->capages,
	                   (ks_deadline){.t = first_enqueue, .id = id, .gen = msg->gen});
	deadline_heap_push(&q->heap, &q->nheap, &q->capheap,
	                   (ks_deadline){.t = first_enqueue + q->retention,
	                                 .id = id,
	                                 .gen = msg->gen,
	                                 .kind = DL_EXPIRE});
	set_visible(q, t, q->visible + 1);
	arm_timer(q);
}

/* [doc] the message moves to the redrive queue: its enqueue time goes with it. */
static void redrive(ks_queue *q, sim_time t, uint32_t id)
{
	ks_queue *to = q->cfg.redrive_to;
	ks_message msg = q->msgs[id];
	free_msg(q, id);
	q->redriven_out++;
	ks_metric_add(&q->redriven_m, t, 0, 1);
	if (!to->advancing)
		advance(to, t);
	to->redriven_in++;
	enqueue(to, t, &msg.record, msg.first_enqueue);
	notify(to, t);
}

/* Applies the deadlines due by now, in time order; tells the listeners when messages came
 * back. */
static void advance(ks_queue *q, sim_time now)
{
	q->advancing = true;
	bool back = false;
	sim_time back_at = now;
	while (q->nheap > 0 && q->heap[0].t <= now) {
		ks_deadline d = deadline_heap_pop(q->heap, &q->nheap);
		age_roll(q, d.t);
		ks_message *msg = &q->msgs[d.id];
		if (msg->gen != d.gen || msg->state == MSG_FREE)
			continue; /* the message is gone */
		if (d.kind == DL_EXPIRE) {
			if (msg->state == MSG_VISIBLE)
				set_visible(q, d.t, q->visible - 1);
			else
				set_in_flight(q, d.t, q->in_flight - 1);
			q->expired++;
			ks_metric_add(&q->expired_m, d.t, 0, 1);
			free_msg(q, d.id);
			continue;
		}
		if (msg->state != MSG_IN_FLIGHT || msg->receives != d.receives)
			continue; /* deleted, or received again since */
		set_in_flight(q, d.t, q->in_flight - 1);
		if (q->cfg.redrive_to && q->cfg.max_receive_count > 0 &&
		    msg->receives >= q->cfg.max_receive_count) {
			redrive(q, d.t, d.id);
			continue;
		}
		msg->state = MSG_VISIBLE;
		ring_push(q, d.id);
		set_visible(q, d.t, q->visible + 1);
		back = true;
		back_at = d.t;
	}
	age_roll(q, now);
	alarm_roll(q, now);
	q->advancing = false;
	if (back)
		notify(q, back_at);
}

static void on_timer(sim_engine *e, void *obj, uint64_t arg)
{
	(void)arg;
	ks_queue *q = obj;
	q->timer_set = false;
	advance(q, sim_engine_now(e));
	arm_timer(q);
}

/* One engine timer at the earliest deadline, so listeners learn of returning messages. */
static void arm_timer(ks_queue *q)
{
	if (q->nheap == 0 || q->heap[0].t >= q->ctx->stop)
		return;
	sim_time t = q->heap[0].t, now = sim_engine_now(q->ctx->engine);
	if (t < now)
		t = now;
	if (q->timer_set && q->timer_at <= t)
		return;
	if (q->timer_set)
		sim_engine_cancel(q->ctx->engine, q->timer);
	q->timer = sim_engine_at(q->ctx->engine, t, on_timer, q, 0);
	q->timer_set = true;
	q->timer_at = t;
}

/* ---- the API ------------------------------------------------------------------------------- */

ks_queue *ks_queue_create(ks_ctx *ctx, const char *name, sim_time retention)
{
	ks_queue *q = sim_calloc(1, sizeof *q);
	q->name = sim_strdup(name);
	q->ctx = ctx;
	q->retention = retention;
	q->cfg.visibility_timeout = 30 * SIM_S; /* [doc] */
	char *group = sim_asprintf("queues/%s", name);
	ks_metric_init(&q->sent, ctx, group, "sent", SIM_SERIES_SUM, 1, "count",
	               "messages sent to the queue (NumberOfMessagesSent)", NULL);
	ks_metric_init(&q->received, ctx, group, "received", SIM_SERIES_SUM, 1, "count",
	               "messages received (NumberOfMessagesReceived)", NULL);
	ks_metric_init(&q->deleted, ctx, group, "deleted", SIM_SERIES_SUM, 1, "count",
	               "messages deleted (NumberOfMessagesDeleted)", NULL);
	ks_metric_init(&q->expired_m, ctx, group, "expired", SIM_SERIES_SUM, 1, "count",
	               "messages deleted by retention, never processed (lost)", NULL);
	ks_metric_init(&q->redriven_m, ctx, group, "redriven", SIM_SERIES_SUM, 1, "count",
	               "messages moved to the redrive queue after max_receive_count receives",
	               NULL);
	ks_metric_init(&q->oldest_age, ctx, group, "oldest_age_max_s", SIM_SERIES_MAX, 1, "s",
	               "age of the oldest message at the interval's end "
	               "(ApproximateAgeOfOldestMessage)",
	               NULL);
	gauge_init(&q->visible_max, ctx, group, "visible_max", "count",
	           "most messages visible (ApproximateNumberOfMessagesVisible, max)");
	gauge_init(&q->in_flight_max, ctx, group, "in_flight_max", "count",
	           "most messages in flight (ApproximateNumberOfMessagesNotVisible, max)");
	gauge_init(&q->alarm_state, ctx, group, "alarm_state", "1",
	           "the queue's alarm: 1 ALARM, 0 OK (max over the interval)");
	sim_metrics_add_table(ctx->metrics, group, "alarm_events", "time_s,state", 2,
	                      &q->alarm_rows, &q->alarm_n,
	                      "alarm transitions: time and new state (1 ALARM, 0 OK)");
	sim_free(group);
	return q;
}

void ks_queue_configure(ks_queue *q, const ks_queue_config *cfg)
{
	SIM_ASSERT(cfg->redrive_to != q);
	SIM_ASSERT(!cfg->alarm || cfg->alarm_period > 0);
	q->cfg = *cfg;
	if (q->cfg.alarm_datapoints == 0)
		q->cfg.alarm_datapoints = 1;
	q->period_end = cfg->alarm_period;
	q->period_max = 0;
}

void ks_queue_listen(ks_queue *q, ks_queue_listener fn, void *ctx)
{
	q->listeners = sim_reallocarray(q->listeners, q->nlisteners + 1, sizeof *q->listeners);
	q->listener_ctx =
	        sim_reallocarray(q->listener_ctx, q->nlisteners + 1, sizeof *q->listener_ctx);
	q->listeners[q->nlisteners] = fn;
	q->listener_ctx[q->nlisteners++] = ctx;
}

void ks_queue_destroy(ks_queue *q)
{
	if (!q)
		return;
	ks_metric_fini(&q->sent);
	ks_metric_fini(&q->received);
	ks_metric_fini(&q->deleted);
	ks_metric_fini(&q->expired_m);
	ks_metric_fini(&q->redriven_m);
	ks_metric_fini(&q->oldest_age);
	ks_metric_fini(&q->visible_max.m);
	ks_metric_fini(&q->in_flight_max.m);
	ks_metric_fini(&q->alarm_state.m);
	sim_free(q->alarm_rows);
	sim_free(q->msgs);
	sim_free(q->free_ids);
	sim_free(q->ring);
	sim_free(q->heap);
	sim_free(q->ages);
	sim_free(q->listeners);
	sim_free(q->listener_ctx);
	sim_free(q->later);
	sim_free(q->later_free);
	sim_free(q->name);
	sim_free(q);
}

static void send(ks_queue *q, sim_time t, const ks_record *record)
{
	advance(q, t);
	enqueue(q, t, record, t);
	ks_metric_add(&q->sent, t, 0, 1);
	if (ks_measured(q->ctx, t))
		q->requests++; /* [choice] one SendMessage per message */
	notify(q, t);
}

void ks_queue_send(ks_queue *q, sim_time t)
{
	send(q, t, NULL);
}

void ks_queue_send_record(ks_queue *q, sim_time t, const ks_record *record)
{
	send(q, t, record);
}

size_t ks_queue_visible(ks_queue *q, sim_time now)
{
	advance(q, now);
	return q->visible;
}

uint32_t ks_queue_receive(ks_queue *q, sim_time now, uint32_t max, uint64_t max_bytes,
                          ks_record *records, ks_receipt *receipts)
{
	advance(q, now);
	uint32_t n = 0;
	uint64_t bytes = 0;
	while (n < max && q->n > 0) {
		ks_receipt r = q->ring[q->head];
		ks_message *msg = &q->msgs[r.id];
		if (msg->gen != r.gen || msg->state != MSG_VISIBLE) { /* stale entry */
			q->head++;
			q->n--;
			continue;
		}
		if (n > 0 && bytes + msg->record.bytes > max_bytes)
			break;
		bytes += msg->record.bytes;
		q->head++;
		q->n--;
		msg->state = MSG_IN_FLIGHT;
		msg->receives++;
		records[n] = msg->record;
		receipts[n] = (ks_receipt){.id = r.id, .gen = r.gen, .receives = msg->receives};
		deadline_heap_push(&q->heap, &q->nheap, &q->capheap,
		                   (ks_deadline){.t = now + q->cfg.visibility_timeout,
		                                 .id = r.id,
		                                 .gen = r.gen,
		                                 .receives = msg->receives,
		                                 .kind = DL_VISIBLE});
		n++;
	}
	if (q->n == 0)
		q->head = 0;
	if (n == 0)
		return 0;
	set_visible(q, now, q->visible - n);
	set_in_flight(q, now, q->in_flight + n);
	ks_metric_add(&q->received, now, 0, n);
	if (ks_measured(q->ctx, now))
		q->requests += (n + MAX_PER_REQUEST - 1) / MAX_PER_REQUEST;
	arm_timer(q);
	return n;
}

uint32_t ks_queue_delete(ks_queue *q, sim_time now, const ks_receipt *receipts, uint32_t n)
{
	if (n == 0)
		return 0;
	advance(q, now);
	uint32_t done = 0;
	size_t visible = q->visible, in_flight = q->in_flight;
	for (uint32_t i = 0; i < n; i++) {
		const ks_receipt *r = &receipts[i];
		ks_message *msg = &q->msgs[r->id];
		if (msg->gen != r->gen || msg->state == MSG_FREE || msg->receives != r->receives)
			continue;
		if (msg->state == MSG_VISIBLE)
			visible--; /* its timeout passed, not yet received again: still deletable */
		else
			in_flight--;
		free_msg(q, r->id);
		done++;
	}
	if (visible != q->visible)
		set_visible(q, now, visible);
	if (in_flight != q->in_flight)
		set_in_flight(q, now, in_flight);
	ks_metric_add(&q->deleted, now, 0, done);
	if (ks_measured(q->ctx, now))
		q->requests += (n + MAX_PER_REQUEST - 1) / MAX_PER_REQUEST;
	return done;
}

void ks_queue_finish(ks_queue *q, sim_time end)
{
	q->finished = true;
	advance(q, end);
	/* the levels held to the end reach the intervals they span */
	gauge_set(&q->visible_max, q->ctx, end, (double)q->visible);
	gauge_set(&q->in_flight_max, q->ctx, end, (double)q->in_flight);
	gauge_set(&q->alarm_state, q->ctx, end, q->in_alarm ? 1 : 0);
}

void ks_queue_summarize(ks_queue *q, sim_time now)
{
	if (!q->finished)
		ks_queue_finish(q, now);
	const ks_summary_row rows[] = {
	        {"sent", q->sent.total, "count"},
	        {"received", q->received.total, "count"},
	        {"deleted", q->deleted.total, "count"},
	        {"expired", q->expired_m.total, "count"},
	        {"redriven", q->redriven_m.total, "count"},
	        {"visible_max", q->visible_max.m.total, "count"},
	        {"oldest_age_max_s", q->oldest_age.total, "s"},
	        {"alarm_fired", q->alarm_fired, "count"},
	        {"too_large", q->too_large, "count"},
	};
	ks_summary_rows(q->ctx, q->name, rows, sizeof rows / sizeof rows[0]);
}

/* ---- as a destination --------------------------------------------------------------------- */

static void send_later(sim_engine *e, void *obj, uint64_t slot)
{
	ks_queue *q = obj;
	ks_queue_send_record(q, sim_engine_now(e), &q->later[slot]);
	sim_grow(&q->later_free, &q->caplater_free, q->nlater_free + 1, sizeof *q->later_free);
	q->later_free[q->nlater_free++] = (uint32_t)slot;
}

/* [doc] SQS takes messages of up to 1 MiB (since August 2025); a larger one is refused and
 * lost [choice: its sender does not retry a message that can never fit]. */
#define MAX_MESSAGE_BYTES 1048576u

static void sink_record(void *obj, sim_time t, const ks_record *r)
{
	ks_queue *q = obj;
	if (r->bytes > MAX_MESSAGE_BYTES) {
		if (ks_measured(q->ctx, t))
			q->too_large++;
		return;
	}
	if (t <= sim_engine_now(q->ctx->engine)) {
		ks_queue_send_record(q, t, r);
		return;
	}
	size_t slot;
	if (q->nlater_free > 0) {
		slot = q->later_free[--q->nlater_free];
	} else {
		sim_grow(&q->later, &q->caplater, q->nlater + 1, sizeof *q->later);
		slot = q->nlater++;
	}
	q->later[slot] = *r;
	sim_engine_at(q->ctx->engine, t, send_later, q, slot);
}

static void sink_failed_batch(void *obj, sim_time t, const ks_record *r, uint32_t n)
{
	(void)r;
	(void)n;
	ks_queue_send(obj, t); /* [doc] metadata only */
}

static const ks_sink_ops sink_ops = {.record = sink_record, .failed_batch = sink_failed_batch};

ks_sink ks_queue_sink(ks_queue *q)
{
	return (ks_sink){&sink_ops, q};
}

/* ---- as a polled source ------------------------------------------------------------------ */

static const char *source_name(const void *obj)
{
	return ((const ks_queue *)obj)->name;
}

static size_t source_visible(void *obj, sim_time now)
{
	return ks_queue_visible(obj, now);
}

static uint32_t source_receive(void *obj, sim_time now, uint32_t max, uint64_t max_bytes,
                               ks_record *records, ks_receipt *receipts)
{
	return ks_queue_receive(obj, now, max, max_bytes, records, receipts);
}

static uint32_t source_remove(void *obj, sim_time now, const ks_receipt *receipts, uint32_t n)
{
	return ks_queue_delete(obj, now, receipts, n);
}

static void source_listen(void *obj, void (*fn)(void *ctx, sim_time now), void *ctx)
{
	ks_queue_listen(obj, fn, ctx);
}

static size_t source_held(const void *obj)
{
	const ks_queue *q = obj;
	return q->visible + q->in_flight;
}

static const ks_source_ops source_ops = {
        .name = source_name,
        .visible = source_visible,
        .receive = source_receive,
        .remove = source_remove,
        .listen = source_listen,
        .held = source_held,
};

ks_source ks_queue_source(ks_queue *q)
{
	return (ks_source){&source_ops, q};
}
