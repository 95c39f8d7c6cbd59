/* The batch side of a Lambda event source mapping on a shard (MODEL.md section 5): lanes,
 * batches, invocations and the mapping's error handling.
 *
 * Records are dealt to `parallelization_factor` lanes by partition key, so each key stays in
 * one lane and in order [doc]. A lane invokes one batch at a time: batch_size records, fewer
 * when maximum_batching_window has passed since its first record or when the next record
 * would take the payload past 6 MB [doc]. A failed batch blocks its lane [doc]: it is retried
 * whole after retry_delay [choice] until it succeeds, its records expire, its attempts run out
 * (maximum_retry_attempts counts function errors only), or its oldest record passes
 * maximum_record_age; bisect_batch_on_function_error splits it in two without using an
 * attempt; report_batch_item_failures moves the checkpoint to the first failed record (the
 * records after it that succeeded are processed again: duplicates). A discarded batch counts
 * its records in records_on_failure and sends one invocation record to on_failure. Throttled
 * invocations are retried without using attempts. */
#include <math.h>
#include <string.h>

#include "models/lambda/fanout.h"
#include "models/lambda/poller.h"
#include "models/sqs/queue.h"
#include "models/sns/topic.h"
#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/rng.h"

enum { LANE_WINDOW, LANE_RETRY, LANE_COMPLETE, LANE_KINDS };

static void schedule(ks_poller *p, size_t lane, sim_time t, int kind)
{
	uint64_t arg = KS_ESM_EVENTS + lane * LANE_KINDS + (uint64_t)kind;
	sim_handle h = sim_engine_at(p->ctx->engine, t, ks_poller_event, p, arg);
	if (kind != LANE_COMPLETE)
		p->lanes[lane].timer = h;
}

static uint32_t lane_of(const ks_poller *p, const ks_record *r)
{
	if (p->cfg.lanes <= 1)
		return 0;
	/* [doc] lanes by partition-key hash: the same key always in the same lane */
	uint64_t key = ((uint64_t)ks_record_producer(r) << 32) | r->key;
	return (uint32_t)(sim_mix64(key) % p->cfg.lanes);
}

/* Makes room for `more` records at the lane's end. */
static void reserve(ks_lane *l, size_t more)
{
	if (l->head + l->n + more <= l->cap)
		return;
	if (l->head > 0) { /* compact */
		memmove(l->seq, l->seq + l->head, l->n * sizeof *l->seq);
		l->head = 0;
	}
	sim_grow(&l->seq, &l->cap, l->n + more, sizeof *l->seq);
}

static inline void push(ks_lane *l, uint64_t seq)
{
	l->seq[l->head + l->n++] = seq;
}

static void pop(ks_lane *l, size_t n)
{
	SIM_ASSERT(n <= l->n);
	l->head += n;
	l->n -= n;
	if (l->n == 0)
		l->head = 0;
}

void ks_esm_add(ks_poller *p, uint64_t from, uint64_t to, sim_time now)
{
	for (uint32_t i = 0; i < p->cfg.lanes; i++) {
		ks_lane *l = &p->lanes[i];
		if (l->n == l->inflight)
			l->first_buffered = now;
		reserve(l, to - from);
	}
	if (p->cfg.lanes <= 1) {
		for (uint64_t q = from; q < to; q++)
			push(&p->lanes[0], q);
	} else {
		for (uint64_t q = from; q < to; q++)
			push(&p->lanes[lane_of(p, ks_shard_record(p->shard, q))], q);
	}
	ks_esm_positions(p);
}

bool ks_esm_empty(const ks_poller *p)
{
	for (uint32_t i = 0; i < p->cfg.lanes; i++)
		if (p->lanes[i].n > 0)
			return false;
	return true;
}

void ks_esm_positions(ks_poller *p)
{
	/* records of a read whose response is on its way are the poller's already */
	uint64_t front = p->read_in_flight ? p->read_from : p->cursor;
	uint64_t keep = front, taken = front;
	for (uint32_t i = 0; i < p->cfg.lanes; i++) {
		const ks_lane *l = &p->lanes[i];
		if (l->n > 0 && l->seq[l->head] < keep)
			keep = l->seq[l->head];
		if (l->n > l->inflight && l->seq[l->head + l->inflight] < taken)
			taken = l->seq[l->head + l->inflight];
	}
	p->position = keep;
	p->taken = taken < keep ? keep : taken;
	ks_shard_trim(p->shard);
}

/* Records of a lane from index `from` that expired (below the shard's live range) before
 * they were invoked: dropped and counted. */
static void expire_lane(ks_poller *p, ks_lane *l, sim_time now)
{
	uint64_t live = p->shard->live;
	size_t i = l->inflight, dropped = 0;
	while (i + dropped < l->n && l->seq[l->head + i + dropped] < live)
		dropped++;
	if (dropped == 0)
		return;
	/* only the head of the lane past the batch can expire: records are in order */
	if (l->inflight == 0) {
		pop(l, dropped);
	} else {
		memmove(l->seq + l->head + l->inflight, l->seq + l->head + l->inflight + dropped,
		        (l->n - l->inflight - dropped) * sizeof *l->seq);
		l->n -= dropped;
	}
	ks_function_note_expired(p->fn, now, dropped);
}

void ks_esm_expire(ks_poller *p, sim_time now)
{
	for (uint32_t i = 0; i < p->cfg.lanes; i++)
		expire_lane(p, &p->lanes[i], now);
	ks_esm_positions(p);
}

static ks_batch batch_of(const ks_poller *p, const ks_lane *l)
{
	return (ks_batch){.shard = p->shard, .seq = l->seq + l->head, .n = l->inflight};
}

/* Records [from, to) of the lane's batch were processed at t: counted once each (those at or
 * below the lane's processed mark are duplicates), poison ones excepted (the handler skipped
 * them, and the function counted that). */
/* [choice] iterator_age_at: when Lambda's IteratorAge of a batch is taken. */
static sim_time age_time(const ks_poller *p, const ks_lane *l, sim_time finished)
{
	if (p->cfg.age_at == KS_AGE_INVOKE_SENT)
		return l->invoke_sent;
	if (p->cfg.age_at == KS_AGE_BATCH_RECEIVED)
		return p->response_at;
	return finished;
}

static void processed(ks_poller *p, ks_lane *l, uint32_t from, uint32_t to, sim_time t)
{
	ks_batch b = batch_of(p, l);
	sim_time age_at = age_time(p, l, t);
	uint32_t i = from;
	while (i < to && b.seq[i] < l->processed_end)
		i++;
	if (i > from) /* [doc] at least once: records processed again */
		ks_metric_add(&p->fn->duplicates, t, 0, (double)(i - from));
	bool may_fail = p->fn->poison_rate > 0 || p->fn->npoison_indices > 0;
	if (!may_fail) { /* no record can be poison: one run */
		if (to > i)
			ks_function_processed(p->fn, t, &b, i, to, p->column, age_at);
		i = to + 1;
	}
	for (uint32_t run = i; i <= to; i++) {
		bool cut = i == to ||
		           ks_function_is_poison(p->fn, ks_shard_record(p->shard, b.seq[i]));
		if (!cut)
			continue;
		if (i > run)
			ks_function_processed(p->fn, t, &b, run, i, p->column, age_at);
		run = i + 1;
	}
	if (to > from && b.seq[to - 1] + 1 > l->processed_end)
		l->processed_end = b.seq[to - 1] + 1;
}

static void invoke(ks_poller *p, size_t lane, sim_time now);

/* The batch is over (succeeded or discarded): the next one, a pending bisect half first. */
static void batch_over(ks_poller *p, size_t lane, sim_time now)
{
	ks_lane *l = &p->lanes[lane];
	pop(l, l->inflight);
	l->inflight = 0;
	l->busy = false;
	l->attempts = 0;
	l->invokes = 0;
	if (l->nsplit > 0) { /* the other half of the innermost split batch */
		l->inflight = l->split[--l->nsplit];
		l->busy = true;
		invoke(p, lane, now);
	}
}

/* [doc] attempts or age ran out: the batch's records go to on_failure as one record. */
static void discard(ks_poller *p, size_t lane, sim_time now, ks_discard_condition why)
{
	ks_lane *l = &p->lanes[lane];
	ks_function *f = p->fn;
	/* records of the batch already processed (after a reported item failure) are not lost */
	uint32_t lost = 0;
	for (uint32_t i = 0; i < l->inflight; i++) {
		uint64_t seq = l->seq[l->head + i];
		if (seq >= l->processed_end ||
		    ks_function_is_poison(f, ks_shard_record(p->shard, seq)))
			lost++;
	}
	ks_metric_add(&f->records_on_failure, now, 0, lost);
	if (p->cfg.on_failure) {
		ks_metric_add(&f->on_failure_events, now, 0, 1);
		ks_function_on_failure(f, now, p->column, l->seq[l->head],
		                       l->seq[l->head + l->inflight - 1], l->inflight, l->invokes,
		                       why);
		if (p->cfg.on_failure_queue)
			ks_queue_send(p->cfg.on_failure_queue, now);
		if (p->cfg.on_failure_topic) /* an invocation record, no data record */
			ks_topic_publish(p->cfg.on_failure_topic, now, NULL);
	}
	batch_over(p, lane, now);
}

/* Invokes (or re-invokes) the lane's batch at now. */
static void invoke(ks_poller *p, size_t lane, sim_time now)
{
	ks_lane *l = &p->lanes[lane];
	/* Records that expired while the batch waited for its retry are gone [doc]. */
	ks_shard_expire(p->shard, now, p->stream->retention);
	uint64_t live = p->shard->live;
	uint32_t gone = 0;
	while (gone < l->inflight && l->seq[l->head + gone] < live)
		gone++;
	if (gone > 0) {
		ks_function_note_expired(p->fn, now, gone);
		pop(l, gone);
		l->inflight -= gone;
	}
	if (l->inflight == 0) {
		batch_over(p, lane, now);
		return;
	}
	/* [doc] maximum_record_age: a batch whose oldest record is older is discarded */
	const ks_record *oldest = ks_shard_record(p->shard, l->seq[l->head]);
	if (p->cfg.max_record_age >= 0 && now - oldest->arrival > p->cfg.max_record_age) {
		discard(p, lane, now, KS_DISCARD_RECORD_AGE);
		return;
	}
	ks_batch b = batch_of(p, l);
	sim_time overhead =
	        (sim_time)llround(fmax(0, sim_dist_sample(p->cfg.invoke_overhead, p->invoke_rng)));
	ks_function_invoke(p->fn, now, overhead, &b, &l->inv);
	if (l->inv.status == KS_INVOKE_THROTTLED) {
		/* [doc] throttles are retried without using attempts */
		schedule(p, lane, now + p->cfg.retry_delay, LANE_RETRY);
		return;
	}
	l->invokes++;
	l->invoke_sent = now;
	schedule(p, lane, l->inv.end, LANE_COMPLETE);
}

/* Forms the lane's next batch and invokes it, if the lane is free and the batch is due. */
static void try_invoke(ks_poller *p, size_t lane, sim_time now)
{
	ks_lane *l = &p->lanes[lane];
	if (l->busy)
		return;
	expire_lane(p, l, now);
	if (l->n == 0)
		return;
	/* [doc] maximum_batching_window: a batch waits for batch_size records up to that long
	 * after its first record */
	if (p->cfg.batching_window > 0 && l->n < p->cfg.batch_size &&
	    now < l->first_buffered + p->cfg.batching_window) {
		if (!sim_engine_pending(p->ctx->engine, l->timer))
			schedule(p, lane, l->first_buffered + p->cfg.batching_window, LANE_WINDOW);
		return;
	}
	/* [doc] batch_size records, or fewer when the next would take the payload past 6 MB */
	uint64_t bytes = 0;
	uint32_t n = 0;
	while (n < l->n && n < p->cfg.batch_size) {
		uint32_t b = ks_shard_record(p->shard, l->seq[l->head + n])->bytes;
		if (bytes + b > p->cfg.payload_max_bytes && n > 0)
			break;
		bytes += b;
		n++;
	}
	l->inflight = n;
	l->busy = true;
	l->attempts = 0;
	l->invokes = 0;
	if (l->n > n)
		l->first_buffered = now; /* the rest starts a new window */
	invoke(p, lane, now);
}

/* Whether the lane can invoke right now (a batch due). */
static bool due(const ks_poller *p, const ks_lane *l, sim_time now)
{
	if (l->busy || l->n == 0)
		return false;
	return p->cfg.batching_window == 0 || l->n >= p->cfg.batch_size ||
	       now >= l->first_buffered + p->cfg.batching_window;
}

bool ks_esm_kick(ks_poller *p, sim_time now)
{
	for (uint32_t i = 0; i < p->cfg.lanes; i++)
		try_invoke(p, i, now);
	ks_esm_positions(p);
	for (uint32_t i = 0; i < p->cfg.lanes; i++)
		if (p->lanes[i].busy || due(p, &p->lanes[i], now))
			return false;
	return true;
}

/* [MODEL 8] A handler that succeeded invokes its sync forward targets and is over only when
 * the slowest is back (it keeps its concurrency meanwhile); whether one failed decides its
 * outcome. Returns true when the batch now waits for them (its completion is rescheduled). */
static bool wait_for_forward(ks_poller *p, size_t lane, sim_time now)
{
	ks_lane *l = &p->lanes[lane];
	if (l->forwarding) { /* they are back */
		l->forwarding = false;
		return false;
	}
	if (l->inv.status != KS_INVOKE_OK || !p->fn->fanout)
		return false;
	ks_batch b = batch_of(p, l);
	if (!ks_fanout_sync(p->fn->fanout, now, &b, &l->inv))
		return false;
	l->forwarding = true;
	schedule(p, lane, l->inv.end, LANE_COMPLETE);
	return true;
}

/* The batch's result is back. */
static void complete(ks_poller *p, size_t lane, sim_time now)
{
	ks_lane *l = &p->lanes[lane];
	if (wait_for_forward(p, lane, now))
		return;
	ks_function_finish(p->fn, &l->inv);
	const ks_invocation *inv = &l->inv;
	/* Lambda's IteratorAge, once per invocation whatever its outcome: a batch that keeps
	 * failing shows its age growing (VALIDATION.md case 9). */
	ks_batch b = batch_of(p, l);
	ks_function_note_iterator_age(p->fn, now, &b, p->column, age_time(p, l, now));
	if (inv->status == KS_INVOKE_OK) {
		if (p->fn->fanout) /* [MODEL 8] the records go on to the other targets */
			ks_fanout_pass(p->fn->fanout, now, &b);
		processed(p, l, 0, l->inflight, now);
		batch_over(p, lane, now);
		return;
	}
	if (p->cfg.item_failures && !inv->whole_batch) {
		uint32_t ff = inv->first_failed;
		/* [doc] the function reports its failed records: the checkpoint moves to the first
		 * of them; the records after it that succeeded were processed (and will be again)
		 */
		processed(p, l, 0, ff, now);
		for (uint32_t i = ff + 1; i < l->inflight; i++)
			if (!ks_function_is_poison(p->fn,
			                           ks_shard_record(p->shard, l->seq[l->head + i])))
				processed(p, l, i, i + 1, now);
		pop(l, ff);
		l->inflight -= ff;
	}
	if (p->cfg.bisect && l->inflight > 1) {
		/* [doc] split in two, each half retried; splitting uses no attempt. With item
		 * failures the split is at the failed record (now the batch's first). */
		uint32_t first = l->inflight / 2;
		if (p->cfg.item_failures && !inv->whole_batch)
			first = 1; /* the failed record, now the batch's first, alone */
		SIM_ASSERT(l->nsplit < sizeof l->split / sizeof l->split[0]);
		/* halves run in order; the second waits on a stack, behind the halves of any
		 * split of the first (records stay in sequence order) */
		l->split[l->nsplit++] = l->inflight - first;
		l->inflight = first;
		schedule(p, lane, now + p->cfg.retry_delay, LANE_RETRY);
		return;
	}
	l->attempts++;
	if (p->cfg.max_retry_attempts >= 0 && l->attempts > p->cfg.max_retry_attempts) {
		discard(p, lane, now, KS_DISCARD_RETRIES);
		return;
	}
	schedule(p, lane, now + p->cfg.retry_delay, LANE_RETRY);
}

void ks_esm_event(ks_poller *p, sim_time now, uint64_t arg)
{
	uint64_t a = arg - KS_ESM_EVENTS;
	size_t lane = (size_t)(a / LANE_KINDS);
	switch ((int)(a % LANE_KINDS)) {
	case LANE_WINDOW: break; /* the window closed: kick below */
	case LANE_RETRY:
		invoke(p, lane, now); /* the batch may be gone (expired): then kick below */
		break;
	case LANE_COMPLETE: complete(p, lane, now); break;
	}
	if (ks_esm_kick(p, now))
		ks_poller_lanes_idle(p, now);
}

void ks_esm_fini(ks_poller *p)
{
	for (uint32_t i = 0; p->lanes && i < p->cfg.lanes; i++)
		sim_free(p->lanes[i].seq);
}
