/* The read side of a Lambda event source mapping on a shard (MODEL.md section 5).
 *
 * catch_up (default) [choice: poll_mode]: a read returns up to getrecords_limit records; the
 * batch side (esm.c) invokes batches from them; when every lane is idle with nothing to
 * invoke, the poller reads again at once if the last read returned a full page, otherwise at
 * read_start + poll_interval x U(1 - j, 1 + j) (or at once if that has passed). strict: one
 * read per interval whatever the backlog. With enhanced fan-out, reads are replaced by the
 * subscription's pushes. */
#include "models/lambda/poller.h"

#include <math.h>

#include "models/kinesis/producer.h"
#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/rng.h"

/* Read-side events; the lanes' events (esm.c) have arguments from KS_ESM_EVENTS up. */
enum { EV_READ, EV_RESPONSE, EV_PUSH };

void ks_poller_event(sim_engine *e, void *obj, uint64_t arg);

static void schedule(ks_poller *p, sim_time t, int what)
{
	sim_engine_at(p->ctx->engine, t, ks_poller_event, p, (uint64_t)what);
}

void ks_poller_init(ks_poller *p, ks_ctx *ctx, const ks_poller_config *cfg, ks_function *fn,
                    ks_stream *stream, size_t shard, size_t column, ks_advance_fn advance,
                    void *world)
{
	*p = (ks_poller){.ctx = ctx,
	                 .cfg = *cfg,
	                 .fn = fn,
	                 .stream = stream,
	                 .shard = &stream->shards[shard],
	                 .column = column,
	                 .advance = advance,
	                 .world = world};
	int64_t id = (int64_t)shard;
	/* Streams keyed by (function copy, purpose, stream:shard): adding a poller elsewhere
	 * changes nothing here. */
	char *purpose = sim_asprintf("poll:%s", stream->name);
	p->poll_rng = sim_rng_stream(ctx->seed, ctx->replication, fn->name, purpose, id);
	sim_free(purpose);
	purpose = sim_asprintf("getrecords:%s", stream->name);
	p->latency_rng = sim_rng_stream(ctx->seed, ctx->replication, fn->name, purpose, id);
	sim_free(purpose);
	purpose = sim_asprintf("invoke:%s", stream->name);
	p->invoke_rng = sim_rng_stream(ctx->seed, ctx->replication, fn->name, purpose, id);
	sim_free(purpose);
	/* [doc] LATEST and TRIM_HORIZON start at the first record of the (empty) shard: the run
	 * starts with an empty stream, so they read the same records; AT_TIMESTAMP skips those
	 * accepted before its time (read_records). */
	p->position = p->taken = p->cursor = p->shard->end;
	ks_shard_register(p->shard, &p->position, &p->taken);
	p->lanes = sim_calloc(cfg->lanes ? cfg->lanes : 1, sizeof *p->lanes);
	if (cfg->efo) {
		purpose = sim_asprintf("efo:%s", stream->name);
		uint64_t seed = sim_rng_seed(ctx->seed, ctx->replication, fn->name, purpose, id);
		sim_free(purpose);
		ks_efo_init(&p->efo, &cfg->efo_cfg, p->shard, seed, p->cursor);
	}
}

void ks_poller_add_parent(ks_poller *p, ks_poller *parent)
{
	p->parents = sim_reallocarray(p->parents, p->nparents + 1, sizeof *p->parents);
	p->parents[p->nparents++] = parent;
}

void ks_poller_fini(ks_poller *p)
{
	ks_esm_fini(p);
	sim_free(p->lanes);
	sim_free(p->parents);
	gsl_rng_free(p->poll_rng);
	gsl_rng_free(p->latency_rng);
	gsl_rng_free(p->invoke_rng);
}

void ks_poller_start(ks_poller *p)
{
	sim_time open = p->shard->open_at;
	if (open >= p->ctx->stop)
		return;
	p->reading = true;
	if (p->cfg.efo) { /* [doc] the subscription pushes from the start */
		schedule(p, open, EV_PUSH);
		return;
	}
	/* [MODEL 5] each poller starts at its own random phase U(0, poll_interval). */
	schedule(p, open + (sim_time)(sim_rng_uniform(p->poll_rng) * (double)p->cfg.poll_interval),
	         EV_READ);
}

/* [doc] after a reshard, a consumer reads each parent to its end before the children. */
static bool parents_done(const ks_poller *p)
{
	for (size_t i = 0; i < p->nparents; i++)
		if (!p->parents[i]->done)
			return false;
	return true;
}

/* A closed shard read and processed to its end: nothing more will come. Called when the
 * buffer is empty and no batch is in flight, after the producers were brought up to now. */
static bool shard_finished(ks_poller *p, sim_time now)
{
	if (p->shard->close_at > now || p->cursor < p->shard->end || !ks_esm_empty(p))
		return false;
	p->done = true;
	return true;
}

static sim_time draw(const sim_dist *d, gsl_rng *r)
{
	return (sim_time)llround(fmax(0, sim_dist_sample(d, r)));
}

/* Records below the shard's live range that were never read expired before this poller got
 * to them; so did those waiting in the lanes (esm.c). */
static void skip_expired(ks_poller *p, sim_time now)
{
	ks_shard_expire(p->shard, now, p->stream->retention);
	uint64_t live = p->shard->live;
	if (p->cursor < live) {
		ks_function_note_expired(p->fn, now, live - p->cursor);
		p->cursor = live;
	}
	ks_esm_expire(p, now);
}

/* [doc] AT_TIMESTAMP: the mapping starts at the first record accepted at or after the time;
 * the earlier ones are not its to process. */
static void skip_before_start(ks_poller *p)
{
	if (p->cfg.start != KS_START_AT_TIMESTAMP)
		return;
	const ks_shard *sh = p->shard;
	uint64_t lo = p->cursor, hi = sh->end;
	if (lo == hi || ks_shard_record(sh, lo)->arrival >= p->cfg.start_at)
		return;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (ks_shard_record(sh, mid)->arrival < p->cfg.start_at)
			lo = mid + 1;
		else
			hi = mid;
	}
	p->cursor = lo;
	ks_esm_positions(p);
}

static void take_pushed(ks_poller *p, sim_time now);

/* Every lane is idle: read again when it is time. */
static void schedule_next_read(ks_poller *p, sim_time now)
{
	p->reading = true;
	if (p->cfg.efo) {
		take_pushed(p, now);
		return;
	}
	if (p->more_available && !p->cfg.strict) {
		schedule(p, now, EV_READ);
		return;
	}
	double j = p->cfg.poll_jitter;
	double factor = 1 - j + 2 * j * sim_rng_uniform(p->poll_rng);
	sim_time next = p->read_start + (sim_time)llround((double)p->cfg.poll_interval * factor);
	schedule(p, next > now ? next : now, EV_READ);
}

void ks_poller_lanes_idle(ks_poller *p, sim_time now)
{
	if (!p->reading && !p->done)
		schedule_next_read(p, now);
}

/* Records [from, to) arrived at now: to the lanes, and read on if they are idle. */
static void records_arrived(ks_poller *p, uint64_t from, uint64_t to, sim_time now)
{
	p->response_at = now;
	p->reading = false;
	if (to > from)
		ks_esm_add(p, from, to, now);
	if (ks_esm_kick(p, now))
		schedule_next_read(p, now);
}

/* Enhanced fan-out: take what has been pushed by now, or sleep until the next delivery. */
static void take_pushed(ks_poller *p, sim_time now)
{
	p->advance(p->world, now + p->cfg.efo_lookahead);
	skip_expired(p, now);
	if (!parents_done(p)) {
		schedule(p, now + p->cfg.efo_lookahead, EV_PUSH);
		return;
	}
	p->efo.next = p->cursor > p->efo.next ? p->cursor : p->efo.next;
	uint64_t from = p->cursor;
	p->cursor = ks_efo_take(&p->efo, now, UINT64_MAX, p->ctx->warmup);
	skip_before_start(p);
	if (p->cursor > from) {
		records_arrived(p, from, p->cursor, now);
		return;
	}
	if (shard_finished(p, now))
		return;
	sim_time next = ks_efo_next_delivery(&p->efo);
	if (next == SIM_TIME_MAX || next > now + p->cfg.efo_lookahead)
		next = now + p->cfg.efo_lookahead; /* nothing in sight: look again later */
	schedule(p, next > now ? next : now + 1, EV_PUSH);
}

static void read_records(ks_poller *p, sim_time now)
{
	p->advance(p->world, now);
	ks_shard *sh = p->shard;
	skip_expired(p, now);
	if (!parents_done(p)) { /* look again a poll interval later */
		schedule(p, now + p->cfg.poll_interval, EV_READ);
		return;
	}
	if (shard_finished(p, now))
		return; /* the closed shard is drained: this poller's work is over */
	skip_before_start(p);

	sim_time latency = draw(p->cfg.getrecords_latency, p->latency_rng);
	if (!ks_read_limiter_admit(&sh->reads, now)) {
		ks_stream_note_read(p->stream, sh->index, now, false, 0);
		ks_function_note_read(p->fn, now, p->column, false, 0);
		/* [choice] throttle_penalty + U(0, min(cap, base x factor^k)) from the throttled
		 * response (read_backoff, full jitter by default). */
		double backoff = fmin((double)p->cfg.backoff_cap,
		                      (double)p->cfg.backoff_base *
		                              pow(p->cfg.backoff_factor, p->throttles_in_a_row));
		double u = sim_rng_uniform(p->poll_rng);
		if (p->cfg.backoff_jitter == KS_JITTER_EQUAL)
			backoff = backoff / 2 + backoff / 2 * u;
		else if (p->cfg.backoff_jitter == KS_JITTER_FULL)
			backoff *= u;
		p->throttles_in_a_row++;
		/* at least 1 ms later, so zero latencies and waits cannot loop in place [choice] */
		sim_time wait = latency + p->cfg.throttle_penalty + (sim_time)llround(backoff);
		schedule(p, now + (wait > SIM_MS ? wait : SIM_MS), EV_READ);
		return;
	}
	p->throttles_in_a_row = 0;
	/* [doc] a call returns at most getrecords_limit records and 10 MiB. */
	sim_time age;
	bool more;
	uint64_t to = ks_shard_get_records(sh, now, p->stream->put_to_readable, p->cursor,
	                                   p->cfg.getrecords_limit, p->cfg.getrecords_max_bytes,
	                                   &age, &more);
	ks_stream_note_read(p->stream, sh->index, now, true, age);
	ks_function_note_read(p->fn, now, p->column, true, age);
	p->more_available = more;
	p->read_start = now;
	p->read_from = p->cursor;
	p->read_in_flight = true;
	p->cursor = to;
	schedule(p, now + latency, EV_RESPONSE);
}

void ks_poller_event(sim_engine *e, void *obj, uint64_t arg)
{
	ks_poller *p = obj;
	sim_time now = sim_engine_now(e);
	switch (arg) {
	case EV_READ: read_records(p, now); break;
	case EV_RESPONSE:
		p->read_in_flight = false;
		records_arrived(p, p->read_from, p->cursor, now);
		break;
	case EV_PUSH: take_pushed(p, now); break;
	default: ks_esm_event(p, now, arg);
	}
}

void ks_poller_finish(ks_poller *p, sim_time now)
{
	skip_expired(p, now);
}
