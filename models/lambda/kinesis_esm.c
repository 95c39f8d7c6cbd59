/* A Lambda event source mapping on a Kinesis stream (kinesis_esm.h): per shard, a Lambda poller
 * that reads through the shard reader, and its lanes, batches, invocations and error handling.
 *
 * Reading: catch_up (default) [choice: poll_mode]: a read returns up to
 * getrecords_limit records; when every lane is idle with nothing to invoke, the poller reads
 * again at once if the last read returned a full page, otherwise at read_start + poll_interval
 * x U(1 - j, 1 + j) (or at once if that has passed). strict: one read per interval whatever
 * the backlog. With enhanced fan-out, reads are the subscription's pushes.
 *
 * Batches [doc]: records are dealt to `parallelization_factor` lanes by partition key, so each
 * key stays in one lane and in order. A lane invokes one batch at a time: batch_size records,
 * fewer when maximum_batching_window has passed since its first record or when the next record
 * would take the payload past 6 MB. A failed batch blocks its lane: it is retried whole after
 * retry_delay [choice] until it succeeds, its records expire, its attempts run out
 * (maximum_retry_attempts counts function errors only), or its oldest record passes
 * maximum_record_age; bisect_batch_on_function_error splits it in two without using an
 * attempt; report_batch_item_failures moves the checkpoint to the first failed record (the
 * records after it that succeeded are processed again: duplicates). A discarded batch counts
 * its records in records_on_failure and sends one invocation record to on_failure. Throttled
 * invocations are retried without using attempts. */
#include "models/lambda/kinesis_esm.h"

#include <math.h>
#include <string.h>

#include "models/core/backoff.h"
#include "models/core/reader.h"
#include "models/lambda/fanout.h"
#include "models/lambda/filter.h"
#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/rng.h"

/* One lane: its records (the first `inflight` are the batch in flight or waiting for its
 * retry) and its error-handling state. With one lane and no filter the records are a range of
 * the log, first_seq and the n - 1 after it: writing each record's number into the lane was
 * some 3% of the large benchmark's samples, and five minutes of it take 5 to 8% less without.
 * Otherwise (records dealt to several lanes, or filtered) they are a deque of sequence numbers,
 * seq[head .. head + n). A range with a gap (records dropped behind a batch in flight, a read
 * that does not follow the lane's last record) turns into a deque until the lane is empty;
 * with one lane neither happens today (the poller reads only when its lane is idle, and
 * records expire oldest first), but nothing depends on that. */
typedef struct lane {
	bool range, ranges_ok; /* the records are a range; the lane may hold them so */
	uint64_t first_seq;    /* with range */
	uint64_t *seq;         /* without */
	size_t head, n, cap;
	uint32_t inflight;       /* the first this many records form the current batch */
	bool busy;               /* a batch is in flight or waiting for a retry */
	int64_t attempts;        /* function errors of the current batch */
	uint32_t invokes;        /* invocations of the current batch (for on_failure records) */
	sim_time first_buffered; /* when the oldest record not in a batch was read */
	sim_time invoke_sent;
	uint64_t processed_end; /* one past the highest record processed: below it, duplicates */
	ks_invocation inv;
	uint32_t split[32]; /* bisect: sizes of the halves still to run, innermost last */
	uint32_t nsplit;
	sim_handle timer; /* window or retry timer */
	bool forwarding;  /* the handler is back and waits for its sync forward targets */
	/* tumbling_window: the window of the batches invoked, whether its final invocation is
	 * still owed, and whether the invocation in flight is that final one (no records) */
	int64_t window;
	bool window_open, final;
} lane;

/* The mapping on one shard. */
typedef struct poller {
	ks_kinesis_esm *esm;
	ks_reader *reader;
	ks_log *log;
	size_t column; /* of the function's per-shard series */
	gsl_rng *invoke_rng;
	uint64_t position, taken; /* its keep and taken (core/log.h) */
	int throttles_in_a_row;
	lane *lanes;
} poller;

struct ks_kinesis_esm {
	ks_ctx *ctx;
	ks_kinesis_esm_config cfg;
	ks_filter *filter; /* NULL: none */
	ks_function *fn;
	bool label_with_stream;
	ks_readers *readers;
	ks_record *scratch; /* a discarded batch's records, for its invocation record */
	size_t capscratch;
};

enum { LANE_WINDOW, LANE_RETRY, LANE_COMPLETE, LANE_KINDS };

static void on_lane_event(sim_engine *e, void *obj, uint64_t arg);

static void schedule(poller *p, size_t ln, sim_time t, int kind)
{
	uint64_t arg = ln * LANE_KINDS + (uint64_t)kind;
	sim_handle h = sim_engine_at(p->esm->ctx->engine, t, on_lane_event, p, arg);
	if (kind != LANE_COMPLETE)
		p->lanes[ln].timer = h;
}

/* A record's bytes in the invocation's event. */
static inline uint64_t event_bytes(const ks_kinesis_esm_config *cfg, uint32_t data)
{
	return ((uint64_t)data + 2) / 3 * 4 + cfg->event_record_overhead;
}

static const ks_record *record_at(const poller *p, uint64_t seq)
{
	return ks_log_record(p->log, seq);
}

/* The sequence number of the lane's record i. */
static inline uint64_t seq_at(const lane *l, size_t i)
{
	return l->range ? l->first_seq + i : l->seq[l->head + i];
}

/* ---- reading ---------------------------------------------------------------------------- */

/* Every lane is idle: read again when it is time. */
static void next_read(poller *p, sim_time now)
{
	const ks_kinesis_esm_config *cfg = &p->esm->cfg;
	ks_reader *r = p->reader;
	if (cfg->efo || (ks_reader_more(r) && !cfg->strict)) {
		ks_reader_next(r, now);
		return;
	}
	double j = cfg->poll_jitter;
	double factor = 1 - j + 2 * j * sim_rng_uniform(ks_reader_rng(r));
	ks_reader_next(r, ks_reader_last_admitted(r) +
	                          (sim_time)llround((double)cfg->poll_interval * factor));
}

static void lanes_idle(poller *p, sim_time now)
{
	if (!ks_reader_reading(p->reader) && !ks_reader_done(p->reader))
		next_read(p, now);
}

/* ---- lanes ------------------------------------------------------------------------------ */

static uint32_t lane_of(const poller *p, const ks_record *r)
{
	uint32_t lanes = p->esm->cfg.lanes;
	if (lanes <= 1)
		return 0;
	/* [doc] lanes by partition-key hash: the same key always in the same lane */
	uint64_t key = ((uint64_t)ks_record_producer(r) << 32) | ks_record_key(r);
	return (uint32_t)(sim_mix64(key) % lanes);
}

/* Makes room for `more` records at the lane's end. */
static void reserve(lane *l, size_t more)
{
	if (l->head + l->n + more <= l->cap)
		return;
	if (l->head > 0) { /* compact */
		memmove(l->seq, l->seq + l->head, l->n * sizeof *l->seq);
		l->head = 0;
	}
	sim_grow(&l->seq, &l->cap, l->n + more, sizeof *l->seq);
}

static inline void push(lane *l, uint64_t seq)
{
	l->seq[l->head + l->n++] = seq;
}

static void pop(lane *l, size_t n)
{
	SIM_ASSERT(n <= l->n);
	l->n -= n;
	if (l->range) {
		l->first_seq += n;
		return;
	}
	l->head += n;
	if (l->n == 0) {
		l->head = 0;
		l->range = l->ranges_ok; /* empty: the next records start a range again */
	}
}

/* Recomputes the poller's keep and taken from the lanes, and trims the log. */
static void positions(poller *p)
{
	/* records of a read whose response is on its way are the poller's already */
	uint64_t front = ks_reader_front(p->reader);
	uint64_t keep = front, taken = front;
	for (uint32_t i = 0; i < p->esm->cfg.lanes; i++) {
		const lane *l = &p->lanes[i];
		if (l->n > 0 && seq_at(l, 0) < keep)
			keep = seq_at(l, 0);
		if (l->n > l->inflight && seq_at(l, l->inflight) < taken)
			taken = seq_at(l, l->inflight);
	}
	p->position = keep;
	p->taken = taken < keep ? keep : taken;
	ks_reader_hold(p->reader, p->position, p->taken);
}

/* dst[k] = from + k for k < n. */
static void fill_seq(uint64_t *dst, uint64_t from, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++)
		dst[k] = from + k;
}

/* Writes the lane's range out as a deque of sequence numbers (its records no longer follow one
 * another). */
static void to_deque(lane *l)
{
	if (!l->range)
		return;
	l->range = false;
	l->head = 0;
	reserve(l, 0);
	fill_seq(l->seq, l->first_seq, l->n);
}

/* Deals records [from, to) just read to the lanes; with a filter, those that match it, the
 * others read and left out [doc: FilteredOutEventCount]. The caller kicks the lanes next, which
 * recomputes the positions. */
static void add(poller *p, uint64_t from, uint64_t to, sim_time now)
{
	ks_kinesis_esm *e = p->esm;
	uint32_t lanes = e->cfg.lanes;
	ks_metric_add(&e->fn->polled_events, now, 0, (double)(to - from));
	for (uint32_t i = 0; i < lanes; i++) {
		lane *l = &p->lanes[i];
		if (l->n == l->inflight)
			l->first_buffered = now;
		if (!l->range)
			reserve(l, to - from);
	}
	if (e->filter) {
		uint64_t out = 0;
		for (uint64_t q = from; q < to; q++) {
			const ks_record *r = record_at(p, q);
			if (ks_filter_match(e->filter, r, e->ctx))
				push(&p->lanes[lanes <= 1 ? 0 : lane_of(p, r)], q);
			else
				out++;
		}
		ks_metric_add(&e->fn->filtered_out_events, now, 0, (double)out);
	} else if (lanes <= 1) {
		lane *l = &p->lanes[0];
		if (l->range && l->n == 0)
			l->first_seq = from;
		if (!l->range || l->first_seq + l->n != from) { /* after a gap: a deque */
			to_deque(l);
			reserve(l, to - from);
			fill_seq(l->seq + l->head + l->n, from, to - from);
		}
		l->n += to - from;
	} else {
		for (uint64_t q = from; q < to; q++)
			push(&p->lanes[lane_of(p, record_at(p, q))], q);
	}
}

static bool empty(const poller *p)
{
	for (uint32_t i = 0; i < p->esm->cfg.lanes; i++)
		if (p->lanes[i].n > 0)
			return false;
	return true;
}

/* Records of a lane past its batch that expired (below the log's live range) before they were
 * invoked: dropped and counted. Returns whether there were any. */
static bool expire_lane(poller *p, lane *l, sim_time now)
{
	uint64_t live = p->log->live;
	size_t i = l->inflight, dropped = 0;
	while (i + dropped < l->n && seq_at(l, i + dropped) < live)
		dropped++;
	if (dropped == 0)
		return false;
	/* only the head of the lane past the batch can expire: records are in order */
	if (l->inflight == 0) {
		pop(l, dropped);
	} else {
		to_deque(l);
		memmove(l->seq + l->head + l->inflight, l->seq + l->head + l->inflight + dropped,
		        (l->n - l->inflight - dropped) * sizeof *l->seq);
		l->n -= dropped;
	}
	ks_function_note_expired(p->esm->fn, now, dropped);
	return true;
}

/* Returns whether a lane dropped records. */
static bool expire_lanes(poller *p, sim_time now)
{
	bool dropped = false;
	for (uint32_t i = 0; i < p->esm->cfg.lanes; i++)
		dropped |= expire_lane(p, &p->lanes[i], now);
	return dropped;
}

static ks_batch batch_of(const poller *p, const lane *l)
{
	if (l->range)
		return (ks_batch){.log = p->log, .first = l->first_seq, .n = l->inflight};
	return (ks_batch){.log = p->log, .seq = l->seq + l->head, .n = l->inflight};
}

/* [choice] iterator_age_at: when Lambda's IteratorAge of a batch is taken. */
static sim_time age_time(const poller *p, const lane *l, sim_time finished)
{
	if (p->esm->cfg.age_at == KS_AGE_INVOKE_SENT)
		return l->invoke_sent;
	if (p->esm->cfg.age_at == KS_AGE_BATCH_RECEIVED)
		return ks_reader_last_arrival(p->reader);
	return finished;
}

/* Records [from, to) of the lane's batch were processed at t: counted once each (those at or
 * below the lane's processed mark are duplicates), poison ones excepted (the handler skipped
 * them, and the function counted that). */
static void processed(poller *p, lane *l, uint32_t from, uint32_t to, sim_time t)
{
	ks_function *fn = p->esm->fn;
	ks_batch b = batch_of(p, l);
	sim_time age_at = age_time(p, l, t);
	uint32_t i = from;
	while (i < to && ks_batch_seq(&b, i) < l->processed_end)
		i++;
	if (i > from) /* [doc] at least once: records processed again */
		ks_metric_add(&fn->duplicates, t, 0, (double)(i - from));
	if (!ks_function_may_fail(fn)) { /* no record can be poison: one run */
		if (to > i)
			ks_function_processed(fn, t, &b, i, to, p->column, age_at);
		i = to + 1;
	}
	for (uint32_t run = i; i <= to; i++) {
		bool cut = i == to || ks_function_is_poison(fn, ks_batch_record(&b, i));
		if (!cut)
			continue;
		if (i > run)
			ks_function_processed(fn, t, &b, run, i, p->column, age_at);
		run = i + 1;
	}
	if (to > from && ks_batch_seq(&b, to - 1) + 1 > l->processed_end)
		l->processed_end = ks_batch_seq(&b, to - 1) + 1;
}

static void invoke(poller *p, size_t ln, sim_time now);

/* The batch is over (succeeded or discarded): the next one, a pending bisect half first. */
static void batch_over(poller *p, size_t ln, sim_time now)
{
	lane *l = &p->lanes[ln];
	pop(l, l->inflight);
	l->inflight = 0;
	l->busy = false;
	l->attempts = 0;
	l->invokes = 0;
	if (l->nsplit > 0) { /* the other half of the innermost split batch */
		l->inflight = l->split[--l->nsplit];
		l->busy = true;
		invoke(p, ln, now);
	}
}

/* [doc] attempts or age ran out: the batch's records go to on_failure as one record. */
static void discard(poller *p, size_t ln, sim_time now, ks_discard_condition why)
{
	ks_kinesis_esm *e = p->esm;
	lane *l = &p->lanes[ln];
	ks_function *f = e->fn;
	/* records of the batch already processed (after a reported item failure) are not lost */
	uint32_t lost = 0;
	for (uint32_t i = 0; i < l->inflight; i++) {
		uint64_t seq = seq_at(l, i);
		if (seq >= l->processed_end || ks_function_is_poison(f, record_at(p, seq)))
			lost++;
	}
	ks_metric_add(&f->records_on_failure, now, 0, lost);
	ks_metric_add(&f->dropped_events, now, 0, lost);
	if (ks_sink_set(&e->cfg.on_failure)) {
		ks_metric_add(&f->on_failure_events, now, 0, 1);
		ks_metric_add(&f->on_failure_delivered_events, now, 0, lost);
		ks_function_on_failure(f, now, p->column, seq_at(l, 0), seq_at(l, l->inflight - 1),
		                       l->inflight, l->invokes, why);
		sim_grow(&e->scratch, &e->capscratch, l->inflight, sizeof *e->scratch);
		for (uint32_t i = 0; i < l->inflight; i++)
			e->scratch[i] = *record_at(p, seq_at(l, i));
		ks_sink_failed_batch(&e->cfg.on_failure, now, e->scratch, l->inflight);
	}
	batch_over(p, ln, now);
}

/* Invokes (or re-invokes) the lane's batch at now. */
static void invoke(poller *p, size_t ln, sim_time now)
{
	const ks_kinesis_esm_config *cfg = &p->esm->cfg;
	lane *l = &p->lanes[ln];
	if (l->final) { /* a window's final invocation: no records, nothing to expire */
		ks_batch none = {.log = p->log, .n = 0};
		sim_time overhead = sim_dist_sample_ns(cfg->invoke_overhead, p->invoke_rng);
		ks_function_invoke(p->esm->fn, now, overhead, &none, &l->inv);
		if (l->inv.status == KS_INVOKE_THROTTLED) {
			schedule(p, ln, now + cfg->retry_delay, LANE_RETRY);
			return;
		}
		l->invokes++;
		l->invoke_sent = now;
		schedule(p, ln, l->inv.end, LANE_COMPLETE);
		return;
	}
	/* Records that expired while the batch waited for its retry are gone [doc]. */
	ks_log_expire(p->log, now);
	uint64_t live = p->log->live;
	uint32_t gone = 0;
	while (gone < l->inflight && seq_at(l, gone) < live)
		gone++;
	if (gone > 0) {
		ks_function_note_expired(p->esm->fn, now, gone);
		pop(l, gone);
		l->inflight -= gone;
	}
	if (l->inflight == 0) {
		batch_over(p, ln, now);
		return;
	}
	/* [doc] maximum_record_age: a batch whose oldest record is older is discarded */
	const ks_record *oldest = record_at(p, seq_at(l, 0));
	if (cfg->max_record_age >= 0 && now - oldest->arrival > cfg->max_record_age) {
		discard(p, ln, now, KS_DISCARD_RECORD_AGE);
		return;
	}
	ks_batch b = batch_of(p, l);
	sim_time overhead = sim_dist_sample_ns(cfg->invoke_overhead, p->invoke_rng);
	ks_function_invoke(p->esm->fn, now, overhead, &b, &l->inv);
	if (l->inv.status == KS_INVOKE_THROTTLED) {
		/* [doc] throttles are retried without using attempts */
		schedule(p, ln, now + cfg->retry_delay, LANE_RETRY);
		return;
	}
	l->invokes++;
	l->invoke_sent = now;
	ks_metric_add(&p->esm->fn->invoked_events, now, 0, l->inflight);
	schedule(p, ln, l->inv.end, LANE_COMPLETE);
}

/* [doc] tumbling_window: the window of a record, by its arrival at the shard. */
static int64_t window_of(const ks_kinesis_esm_config *cfg, sim_time arrival)
{
	sim_time w = cfg->tumbling_window;
	return arrival >= 0 ? arrival / w : -((-arrival + w - 1) / w);
}

/* [doc] tumbling_window: when a window is over, the lane invokes the function a final time
 * for it, with its state and no records, before any batch of the next window. It is over when
 * the lane's next record is of a later window, or [choice] when the poller has read past the
 * window's end and found nothing more (records are read in order, so none of it is left).
 * Returns whether the lane is now busy with it. */
static bool window_final(poller *p, size_t ln, sim_time now)
{
	const ks_kinesis_esm_config *cfg = &p->esm->cfg;
	lane *l = &p->lanes[ln];
	if (cfg->tumbling_window <= 0 || !l->window_open)
		return false;
	sim_time end = (l->window + 1) * cfg->tumbling_window;
	bool next = l->n > 0 && window_of(cfg, record_at(p, seq_at(l, 0))->arrival) != l->window;
	bool read_past = l->n == 0 && ks_reader_last_admitted(p->reader) >= end &&
	                 !ks_reader_more(p->reader) && !ks_reader_reading(p->reader);
	if (!next && !read_past)
		return false;
	l->final = true;
	l->inflight = 0;
	l->busy = true;
	l->attempts = 0;
	l->invokes = 0;
	invoke(p, ln, now);
	return true;
}

/* How many of the `most` consecutive records from `first` one invocation's payload holds (at
 * least one), the log walked a block at a time. */
static uint32_t fit_consecutive(const poller *p, uint64_t first, uint32_t most)
{
	const ks_kinesis_esm_config *cfg = &p->esm->cfg;
	if (most * event_bytes(cfg, p->log->bytes_max) <= cfg->payload_max_bytes)
		return most; /* even at the largest record's size */
	uint64_t bytes = 0, end = first + most;
	for (uint64_t q = first, run; q < end; q += run) {
		const ks_record *r = ks_log_run(p->log, q, end, &run);
		for (uint64_t k = 0; k < run; k++) {
			uint64_t b = event_bytes(cfg, r[k].bytes);
			if (bytes + b > cfg->payload_max_bytes && q + k > first)
				return (uint32_t)(q + k - first);
			bytes += b;
		}
	}
	return most;
}

/* Forms the lane's next batch and invokes it, if the lane is free and the batch is due. */
static void try_invoke(poller *p, size_t ln, sim_time now)
{
	const ks_kinesis_esm_config *cfg = &p->esm->cfg;
	lane *l = &p->lanes[ln];
	if (l->busy)
		return;
	expire_lane(p, l, now);
	if (window_final(p, ln, now) || l->n == 0)
		return;
	/* [doc] maximum_batching_window: a batch waits for batch_size records up to that long
	 * after its first record */
	if (cfg->batching_window > 0 && l->n < cfg->batch_size &&
	    now < l->first_buffered + cfg->batching_window) {
		if (!sim_engine_pending(p->esm->ctx->engine, l->timer))
			schedule(p, ln, l->first_buffered + cfg->batching_window, LANE_WINDOW);
		return;
	}
	/* [doc] batch_size records, or fewer when the next would take the payload past 6 MB: the
	 * event carries the data base64-encoded (4 bytes per 3), each record in its envelope; with
	 * a tumbling window, the records of one window only */
	uint64_t bytes = 0;
	uint32_t n = 0;
	int64_t window = 0;
	if (cfg->tumbling_window > 0) {
		window = window_of(cfg, record_at(p, seq_at(l, 0))->arrival);
		l->window = window;
		l->window_open = true;
	}
	uint32_t most = l->n < cfg->batch_size ? (uint32_t)l->n : cfg->batch_size;
	if (cfg->tumbling_window == 0 && seq_at(l, most - 1) - seq_at(l, 0) == most - 1) {
		n = fit_consecutive(p, seq_at(l, 0),
		                    most); /* one lane, no filter: the usual case */
	} else {
		while (n < most) {
			const ks_record *r = record_at(p, seq_at(l, n));
			if (cfg->tumbling_window > 0 && n > 0 &&
			    window_of(cfg, r->arrival) != window)
				break;
			uint64_t b = event_bytes(cfg, r->bytes);
			if (bytes + b > cfg->payload_max_bytes && n > 0)
				break;
			bytes += b;
			n++;
		}
	}
	l->inflight = n;
	l->busy = true;
	l->attempts = 0;
	l->invokes = 0;
	if (l->n > n)
		l->first_buffered = now; /* the rest starts a new window */
	invoke(p, ln, now);
}

/* Whether the lane can invoke right now (a batch due). */
static bool due(const poller *p, const lane *l, sim_time now)
{
	const ks_kinesis_esm_config *cfg = &p->esm->cfg;
	if (l->busy || l->n == 0)
		return false;
	return cfg->batching_window == 0 || l->n >= cfg->batch_size ||
	       now >= l->first_buffered + cfg->batching_window;
}

/* Invokes every lane that can; reports whether all lanes are idle with nothing to invoke now
 * (the poller may read). */
static bool kick(poller *p, sim_time now)
{
	uint32_t lanes = p->esm->cfg.lanes;
	/* A batch discarded as it is formed (maximum_record_age) leaves its lane free with records
	 * still buffered: the next batch is formed at once [doc: the mapping discards the old
	 * records and carries on], until the lane is busy, waiting for its window, or empty. Each
	 * round either occupies the lane or takes records out of it, so this ends. */
	for (uint32_t i = 0; i < lanes; i++)
		do
			try_invoke(p, i, now);
		while (due(p, &p->lanes[i], now));
	positions(p);
	for (uint32_t i = 0; i < lanes; i++)
		if (p->lanes[i].busy || due(p, &p->lanes[i], now))
			return false;
	return true;
}

/* A handler that succeeded invokes its sync forward targets and is over only when
 * the slowest is back (it keeps its concurrency meanwhile); whether one failed decides its
 * outcome. Returns true when the batch now waits for them (its completion is rescheduled). */
static bool wait_for_forward(poller *p, size_t ln, sim_time now)
{
	lane *l = &p->lanes[ln];
	ks_function *fn = p->esm->fn;
	if (l->forwarding) { /* they are back */
		l->forwarding = false;
		return false;
	}
	if (l->inv.status != KS_INVOKE_OK || !fn->fanout)
		return false;
	ks_batch b = batch_of(p, l);
	if (!ks_fanout_sync(fn->fanout, now, &b, &l->inv))
		return false;
	l->forwarding = true;
	schedule(p, ln, l->inv.end, LANE_COMPLETE);
	return true;
}

/* The batch's result is back. */
static void complete(poller *p, size_t ln, sim_time now)
{
	const ks_kinesis_esm_config *cfg = &p->esm->cfg;
	ks_function *fn = p->esm->fn;
	lane *l = &p->lanes[ln];
	if (l->final) {
		/* a window's final invocation: done when it succeeds or its attempts run out [doc:
		 * retried as a batch is] */
		ks_function_finish(fn, &l->inv);
		bool out = cfg->max_retry_attempts >= 0 && l->attempts >= cfg->max_retry_attempts;
		if (l->inv.status == KS_INVOKE_OK || out) {
			if (l->inv.status == KS_INVOKE_OK && ks_measured(fn->ctx, now))
				fn->window_finals++;
			l->final = false;
			l->window_open = false;
			batch_over(p, ln, now);
			return;
		}
		l->attempts++;
		schedule(p, ln, now + cfg->retry_delay, LANE_RETRY);
		return;
	}
	if (wait_for_forward(p, ln, now))
		return;
	ks_function_finish(fn, &l->inv);
	const ks_invocation *inv = &l->inv;
	/* Lambda's IteratorAge, once per invocation whatever its outcome: a batch that keeps
	 * failing shows its age growing (docs/validation.md case 9). */
	ks_batch b = batch_of(p, l);
	sim_time age_at = age_time(p, l, now);
	if (inv->status == KS_INVOKE_OK) {
		if (fn->fanout) /* the records go on to the other targets */
			ks_fanout_pass(fn->fanout, now, &b);
		processed(p, l, 0, l->inflight, now);
		/* After the latencies, which walked the batch: its last record, written a second
		 * or so ago and long out of the cache, is back in it. Read first, it missed the
		 * cache once a batch: 4.3% of the large benchmark's samples, 1.1% now, the walk
		 * taking 2% more (its stream of loads hides some of the wait). */
		ks_function_note_iterator_age(fn, now, &b, p->column, age_at);
		batch_over(p, ln, now);
		return;
	}
	ks_function_note_iterator_age(fn, now, &b, p->column, age_at);
	ks_metric_add(&fn->failed_invoke_events, now, 0, l->inflight);
	if (cfg->item_failures && !inv->whole_batch) {
		uint32_t ff = inv->first_failed;
		/* [doc] the function reports its failed records: the checkpoint moves to the first
		 * of them; the records after it that succeeded were processed (and will be again)
		 */
		processed(p, l, 0, ff, now);
		for (uint32_t i = ff + 1; i < l->inflight; i++)
			if (!ks_function_is_poison(fn, record_at(p, seq_at(l, i))))
				processed(p, l, i, i + 1, now);
		pop(l, ff);
		l->inflight -= ff;
	}
	if (cfg->bisect && l->inflight > 1) {
		/* [doc] split in two, each half retried; splitting uses no attempt. With item
		 * failures the split is at the failed record (now the batch's first). */
		uint32_t first = l->inflight / 2;
		if (cfg->item_failures && !inv->whole_batch)
			first = 1; /* the failed record, now the batch's first, alone */
		SIM_ASSERT(l->nsplit < sizeof l->split / sizeof l->split[0]);
		/* halves run in order; the second waits on a stack, behind the halves of any
		 * split of the first (records stay in sequence order) */
		l->split[l->nsplit++] = l->inflight - first;
		l->inflight = first;
		schedule(p, ln, now + cfg->retry_delay, LANE_RETRY);
		return;
	}
	l->attempts++;
	if (cfg->max_retry_attempts >= 0 && l->attempts > cfg->max_retry_attempts) {
		discard(p, ln, now, KS_DISCARD_RETRIES);
		return;
	}
	schedule(p, ln, now + cfg->retry_delay, LANE_RETRY);
}

static void on_lane_event(sim_engine *e, void *obj, uint64_t arg)
{
	poller *p = obj;
	sim_time now = sim_engine_now(e);
	size_t ln = (size_t)(arg / LANE_KINDS);
	switch ((int)(arg % LANE_KINDS)) {
	case LANE_WINDOW: break; /* the window closed: kick below */
	case LANE_RETRY:
		invoke(p, ln, now); /* the batch may be gone (expired): then kick below */
		break;
	case LANE_COMPLETE: complete(p, ln, now); break;
	}
	if (kick(p, now))
		lanes_idle(p, now);
}

/* ---- the reader's hooks ----------------------------------------------------------------- */

static void opened(void *owner, ks_reader *r)
{
	ks_kinesis_esm *e = owner;
	const ks_ctx *ctx = e->ctx;
	poller *p = sim_calloc(1, sizeof *p);
	p->esm = e;
	p->reader = r;
	p->log = ks_reader_log_mut(r);
	p->position = p->taken = ks_reader_cursor(r);
	p->lanes = sim_calloc(e->cfg.lanes ? e->cfg.lanes : 1, sizeof *p->lanes);
	/* one lane that takes every record: its records follow one another, a range */
	p->lanes[0].range = p->lanes[0].ranges_ok = e->cfg.lanes <= 1 && !e->filter;
	char *purpose = sim_asprintf("invoke:%s", ks_reader_stream_name(r));
	p->invoke_rng = sim_rng_stream(ctx->seed, ctx->replication, e->fn->name, purpose,
	                               (int64_t)ks_reader_shard_index(r));
	sim_free(purpose);
	char *label = e->label_with_stream ? sim_asprintf("%s/%s", ks_reader_stream_name(r),
	                                                  ks_reader_shard_id(r))
	                                   : sim_strdup(ks_reader_shard_id(r));
	p->column = ks_function_add_shard_column(e->fn, label);
	if (!e->cfg.efo)
		e->fn->polled_columns++;
	sim_free(label);
	ks_reader_set_data(r, p);
}

static void closed(void *owner, ks_reader *r)
{
	ks_kinesis_esm *e = owner;
	poller *p = ks_reader_data(r);
	for (uint32_t k = 0; k < e->cfg.lanes; k++)
		sim_free(p->lanes[k].seq);
	sim_free(p->lanes);
	gsl_rng_free(p->invoke_rng);
	sim_free(p);
}

static void arrived(void *owner, ks_reader *r, uint64_t from, uint64_t to, sim_time now)
{
	(void)owner;
	poller *p = ks_reader_data(r);
	if (to > from)
		add(p, from, to, now);
	if (kick(p, now))
		next_read(p, now);
}

static void skipped(void *owner, ks_reader *r, sim_time now, uint64_t expired, uint64_t from)
{
	ks_kinesis_esm *e = owner;
	poller *p = ks_reader_data(r);
	if (expired > 0)
		ks_function_note_expired(e->fn, now, expired);
	/* so did those waiting in the lanes; the positions change only when the reader's cursor
	 * moved or a lane dropped records (most calls: neither, at every enhanced fan-out take) */
	if (expire_lanes(p, now) || ks_reader_cursor(r) != from)
		positions(p);
}

static void called(void *owner, ks_reader *r, sim_time now, bool admitted, sim_time age)
{
	ks_kinesis_esm *e = owner;
	poller *p = ks_reader_data(r);
	ks_function_note_read(e->fn, now, p->column, admitted, age);
	if (admitted)
		p->throttles_in_a_row = 0;
}

/* [choice] after a throttled read: throttle_penalty + U(0, min(cap, base x factor^k)) from
 * the throttled response (read_backoff, full jitter by default), k consecutive throttles. */
static sim_time throttled(void *owner, ks_reader *r, sim_time now, sim_time latency)
{
	ks_kinesis_esm *e = owner;
	const ks_kinesis_esm_config *cfg = &e->cfg;
	poller *p = ks_reader_data(r);
	double backoff =
	        fmin((double)cfg->backoff_cap,
	             (double)cfg->backoff_base * pow(cfg->backoff_factor, p->throttles_in_a_row));
	double u = sim_rng_uniform(ks_reader_rng(r));
	if (cfg->backoff_jitter == KS_JITTER_EQUAL)
		backoff = backoff / 2 + backoff / 2 * u;
	else if (cfg->backoff_jitter == KS_JITTER_FULL)
		backoff *= u;
	p->throttles_in_a_row++;
	/* at least 1 ms later, so zero latencies and waits cannot loop in place [choice] */
	sim_time wait = latency + cfg->throttle_penalty + (sim_time)llround(backoff);
	return now + (wait > SIM_MS ? wait : SIM_MS);
}

static bool holding(void *owner, const ks_reader *r)
{
	(void)owner;
	return !empty(ks_reader_data(r));
}

static const ks_reader_ops reader_ops = {
        .opened = opened,
        .closed = closed,
        .arrived = arrived,
        .skipped = skipped,
        .called = called,
        .throttled = throttled,
        .holding = holding,
};

/* ---- the mapping ------------------------------------------------------------------------ */

ks_kinesis_esm *ks_kinesis_esm_create(ks_ctx *ctx, ks_function *fn, struct ks_stream *s,
                                      const ks_kinesis_esm_config *cfg, bool label_with_stream)
{
	ks_kinesis_esm *e = sim_calloc(1, sizeof *e);
	e->ctx = ctx;
	e->cfg = *cfg;
	e->fn = fn;
	e->label_with_stream = label_with_stream;
	e->filter = ks_filter_read(cfg->filter_criteria, NULL);
	e->cfg.filter_criteria = NULL; /* the tree is not the mapping's */
	ks_reader_config rc = {
	        .name = fn->name,
	        .phase_purpose = "poll",
	        .by_stream = true, /* a function may read several streams */
	        .phase = cfg->poll_interval,
	        .max_records = cfg->getrecords_limit,
	        .parents_retry = cfg->poll_interval,
	        .start_at = cfg->start == KS_START_AT_TIMESTAMP ? cfg->start_at : -1,
	        .enabled_at = cfg->enabled_at,
	        .from_tip = cfg->start == KS_START_LATEST,
	        .efo = cfg->efo,
	        .efo_max_take = UINT64_MAX,
	        .efo_lookahead = SIM_S,
	};
	e->readers = ks_readers_create(s, &rc, &reader_ops, e);
	return e;
}

void ks_kinesis_esm_destroy(ks_kinesis_esm *e)
{
	if (!e)
		return;
	ks_readers_destroy(e->readers);
	ks_filter_destroy(e->filter);
	sim_free(e->scratch);
	sim_free(e);
}

void ks_kinesis_esm_start(ks_kinesis_esm *e)
{
	ks_readers_start(e->readers);
}

void ks_kinesis_esm_finish(ks_kinesis_esm *e, sim_time end)
{
	ks_readers_finish(e->readers, end);
}

void ks_kinesis_esm_pending(const ks_kinesis_esm *e)
{
	for (size_t i = 0; i < ks_readers_count(e->readers); i++) {
		const poller *p = ks_reader_data(ks_readers_at(e->readers, i));
		e->fn->records_pending += (double)(p->log->end - p->position);
	}
}

void ks_kinesis_esm_set_on_failure(ks_kinesis_esm *e, const ks_sink *on_failure)
{
	e->cfg.on_failure = *on_failure;
}

void ks_kinesis_esm_cost(const ks_kinesis_esm *e, ks_cost *cost)
{
	ks_readers_cost(e->readers, cost);
}
