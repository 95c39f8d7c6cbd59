/* The shard reader of every stream consumer: the contract and its rules are in
 * core/reader.h. A reader is a small state machine with at most one pending event: its next
 * call (EV_CALL), the response of an admitted call (EV_RESPONSE), or its next look at the
 * enhanced fan-out subscription (EV_PUSH). */
#include "models/core/reader.h"

#include <math.h>

#include "models/kinesis/efo.h"
#include "models/kinesis/kinesis.h"
#include "models/kinesis/stream.h"
#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/rng.h"

#define GETRECORDS_MAX_RECORDS 10000          /* [doc] a call returns at most 10,000 records */
#define GETRECORDS_MAX_BYTES   (10 * 1048576) /* [doc] ... and 10 MiB */

enum { EV_CALL, EV_RESPONSE, EV_PUSH, EV_ENABLE };

struct ks_reader {
	ks_readers *set;
	ks_shard *shard;
	void *data;
	gsl_rng *phase_rng, *latency_rng;
	uint64_t keep, taken; /* the owner's positions, registered with the log */
	uint64_t cursor;      /* the next record to read */
	uint64_t from;        /* the start of the call whose response is on its way ... */
	bool in_flight;       /* ... while it is */
	bool reading;         /* an event of this reader is pending */
	bool more;            /* the last admitted call left readable records behind */
	bool done;            /* its closed shard read to the end */
	sim_time last_call, last_admitted, last_arrival;
	ks_efo efo; /* with cfg.efo */
};

struct ks_readers {
	ks_stream *stream;
	ks_reader_config cfg;
	const ks_reader_ops *ops;
	void *owner;
	ks_reader **by_shard; /* stream->capshards entries: the parents of a child are found here */
	ks_reader **opened;   /* in the order they were opened */
	size_t n;
	bool started;
};

static void on_event(sim_engine *e, void *obj, uint64_t arg);

static ks_ctx *ctx_of(const ks_reader *r)
{
	return r->set->stream->ctx;
}

static void schedule(ks_reader *r, sim_time t, int what)
{
	const ks_reader_config *cfg = &r->set->cfg;
	if (what == EV_CALL && cfg->min_gap > 0 && t < r->last_call + cfg->min_gap)
		t = r->last_call + cfg->min_gap;
	r->reading = true;
	sim_engine_at(ctx_of(r)->engine, t, on_event, r, (uint64_t)what);
}

static gsl_rng *stream_of(const ks_readers *set, const char *purpose, size_t shard)
{
	const ks_ctx *ctx = set->stream->ctx;
	char *key = set->cfg.by_stream ? sim_asprintf("%s:%s", purpose, set->stream->name)
	                               : sim_strdup(purpose);
	gsl_rng *rng =
	        sim_rng_stream(ctx->seed, ctx->replication, set->cfg.name, key, (int64_t)shard);
	sim_free(key);
	return rng;
}

/* Whether the reader waits for an enabling event before its first call: enabled after its
 * shard opened, or LATEST on a stream with a backlog (the tip is found at the start). */
static bool enabled_later(const ks_reader *r)
{
	const ks_reader_config *cfg = &r->set->cfg;
	sim_time open = r->shard->open_at;
	return cfg->enabled_at > open ||
	       (cfg->from_tip && open <= 0 && r->set->stream->cfg.backlog > 0);
}

/* The first call, or the first look at the subscription, from `at`. */
static void first_read(ks_reader *r, sim_time at)
{
	if (r->set->cfg.efo) { /* [doc] the subscription pushes from the start */
		schedule(r, at, EV_PUSH);
		return;
	}
	/* each reader starts at its own random phase U(0, phase) */
	schedule(r, at + (sim_time)(sim_rng_uniform(r->phase_rng) * (double)r->set->cfg.phase),
	         EV_CALL);
}

static void start(ks_reader *r)
{
	sim_time open = r->shard->open_at;
	sim_time at = open > r->set->cfg.enabled_at ? open : r->set->cfg.enabled_at;
	if (at >= ctx_of(r)->stop)
		return;
	if (enabled_later(r)) {
		r->reading = true;
		sim_engine_at(ctx_of(r)->engine, at, on_event, r, EV_ENABLE);
		return;
	}
	first_read(r, at);
}

/* Enabled at now: LATEST starts at the tip (what arrived by now is not its to read; the log
 * may hold later records already, when an enhanced fan-out reader looked ahead); then the
 * first read. */
static void enable(ks_reader *r, sim_time now)
{
	if (r->set->cfg.from_tip) {
		ks_ctx_advance(r->set->stream->ctx, now);
		uint64_t from = r->cursor;
		r->cursor = r->keep = r->taken = ks_log_readable_end(&r->shard->log, now, 0);
		r->set->ops->skipped(r->set->owner, r, now, 0, from);
	}
	first_read(r, now);
}

static void open_reader(ks_readers *set, size_t shard)
{
	ks_stream *s = set->stream;
	ks_reader *r = sim_calloc(1, sizeof *r);
	r->set = set;
	r->shard = &s->shards[shard];
	/* Streams keyed by (owner, purpose, shard): adding a reader elsewhere changes nothing
	 * here. */
	r->phase_rng = stream_of(set, set->cfg.phase_purpose, shard);
	r->latency_rng = stream_of(set, "getrecords", shard);
	/* [doc] LATEST and TRIM_HORIZON start at the first record of the (empty) shard: the run
	 * starts with an empty stream, so they read the same records. */
	r->keep = r->taken = r->cursor = r->from = r->shard->log.end;
	r->last_call = -SIM_S; /* no call yet */
	/* LATEST not yet enabled: it holds nothing and loses nothing (enable sets its place) */
	if (set->cfg.from_tip && enabled_later(r))
		r->keep = r->taken = UINT64_MAX;
	ks_log_register(&r->shard->log, &r->keep, &r->taken);
	if (set->cfg.efo) {
		const ks_ctx *ctx = s->ctx;
		char *key =
		        set->cfg.by_stream ? sim_asprintf("efo:%s", s->name) : sim_strdup("efo");
		uint64_t seed = sim_rng_seed(ctx->seed, ctx->replication, set->cfg.name, key,
		                             (int64_t)shard);
		sim_free(key);
		ks_efo_init(&r->efo, &s->cfg.efo, &r->shard->log, seed, r->cursor);
	}
	set->by_shard[shard] = r;
	set->opened = sim_reallocarray(set->opened, set->n + 1, sizeof *set->opened);
	set->opened[set->n++] = r;
	set->ops->opened(set->owner, r);
	if (set->started)
		start(r);
}

ks_readers *ks_readers_create(ks_stream *s, const ks_reader_config *cfg, const ks_reader_ops *ops,
                              void *owner)
{
	SIM_ASSERT(cfg->max_records >= 1 && cfg->max_records <= GETRECORDS_MAX_RECORDS);
	ks_readers *set = sim_calloc(1, sizeof *set);
	set->stream = s;
	set->cfg = *cfg;
	set->cfg.name = sim_strdup(cfg->name);
	set->cfg.phase_purpose = sim_strdup(cfg->phase_purpose);
	set->ops = ops;
	set->owner = owner;
	set->by_shard = sim_calloc(s->capshards, sizeof *set->by_shard);
	ks_stream_add_readers(s, set);
	for (size_t i = 0; i < s->nshards; i++)
		open_reader(set, i);
	return set;
}

void ks_readers_open_shard(ks_readers *set, size_t shard)
{
	open_reader(set, shard);
}

void ks_readers_destroy(ks_readers *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		if (set->ops->closed)
			set->ops->closed(set->owner, set->opened[i]);
		gsl_rng_free(set->opened[i]->phase_rng);
		gsl_rng_free(set->opened[i]->latency_rng);
		sim_free(set->opened[i]);
	}
	sim_free(set->opened);
	sim_free(set->by_shard);
	sim_free((char *)set->cfg.name);
	sim_free((char *)set->cfg.phase_purpose);
	sim_free(set);
}

void ks_readers_start(ks_readers *set)
{
	set->started = true;
	for (size_t i = 0; i < set->n; i++)
		start(set->opened[i]);
}

size_t ks_readers_count(const ks_readers *set)
{
	return set->n;
}

ks_reader *ks_readers_at(const ks_readers *set, size_t i)
{
	SIM_ASSERT(i < set->n);
	return set->opened[i];
}

/* ---- the reading ------------------------------------------------------------------------ */

/* [doc] after a reshard, a consumer reads each parent to its end before the children. */
static bool parents_done(const ks_reader *r)
{
	for (size_t i = 0; i < r->shard->nparents; i++)
		if (!r->set->by_shard[r->shard->parents[i]]->done)
			return false;
	return true;
}

/* A closed shard read and handed over to its end, the owner holding none of it: nothing more
 * will come. Called after the producers were brought up to now. */
static bool finished(ks_reader *r, sim_time now)
{
	const ks_readers *set = r->set;
	if (r->shard->close_at > now || r->cursor < r->shard->log.end ||
	    (set->ops->holding && set->ops->holding(set->owner, r)))
		return false;
	r->done = true;
	return true;
}

/* Records below the log's live range that were never read expired before this reader got to
 * them. */
static void skip_expired(ks_reader *r, sim_time now)
{
	ks_log_expire(&r->shard->log, now);
	uint64_t live = r->shard->log.live, expired = 0, from = r->cursor;
	if (r->cursor < live) {
		expired = live - r->cursor;
		r->cursor = live;
	}
	r->set->ops->skipped(r->set->owner, r, now, expired, from);
}

/* [doc] AT_TIMESTAMP: the mapping starts at the first record accepted at or after the time;
 * the earlier ones are not its to process. */
static void skip_before_start(ks_reader *r, sim_time now)
{
	sim_time at = r->set->cfg.start_at;
	const ks_log *l = &r->shard->log;
	uint64_t lo = r->cursor, hi = l->end;
	if (at < 0 || lo == hi || ks_log_record(l, lo)->arrival >= at)
		return;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (ks_log_record(l, mid)->arrival < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint64_t from = r->cursor;
	r->cursor = lo;
	r->set->ops->skipped(r->set->owner, r, now, 0, from);
}

static void arrive(ks_reader *r, uint64_t from, uint64_t to, sim_time now)
{
	r->last_arrival = now;
	r->reading = false;
	r->set->ops->arrived(r->set->owner, r, from, to, now);
}

static void call(ks_reader *r, sim_time now)
{
	ks_readers *set = r->set;
	ks_stream *s = set->stream;
	ks_shard *sh = r->shard;
	r->reading = false;
	r->last_call = now;
	ks_ctx_advance(s->ctx, now);
	skip_expired(r, now);
	if (!parents_done(r)) {
		schedule(r, now + set->cfg.parents_retry, EV_CALL);
		return;
	}
	if (finished(r, now))
		return;
	skip_before_start(r, now);

	sim_time latency = sim_dist_sample_ns(s->cfg.getrecords_latency, r->latency_rng);
	if (!ks_read_limiter_admit(&sh->reads, now)) {
		ks_stream_note_read(s, sh->index, now, false, 0);
		if (set->ops->called)
			set->ops->called(set->owner, r, now, false, 0);
		schedule(r, set->ops->throttled(set->owner, r, now, latency), EV_CALL);
		return;
	}
	/* [doc] a call returns at most max_records (<= 10,000) records and 10 MiB. */
	sim_time age;
	bool more;
	uint64_t to = ks_shard_get_records(sh, now, s->put_to_readable, r->cursor,
	                                   set->cfg.max_records, GETRECORDS_MAX_BYTES, &age, &more);
	ks_stream_note_read(s, sh->index, now, true, age);
	r->more = more;
	r->last_admitted = now;
	r->from = r->cursor;
	r->in_flight = true;
	r->cursor = to;
	if (set->ops->called)
		set->ops->called(set->owner, r, now, true, age);
	schedule(r, now + latency, EV_RESPONSE);
}

/* Enhanced fan-out: take what has been pushed by now, or sleep until the next delivery. */
static void take_pushed(ks_reader *r, sim_time now)
{
	const ks_reader_config *cfg = &r->set->cfg;
	r->reading = false;
	ks_ctx_advance(r->set->stream->ctx, now + cfg->efo_lookahead);
	skip_expired(r, now);
	if (!parents_done(r)) {
		schedule(r, now + cfg->efo_lookahead, EV_PUSH);
		return;
	}
	skip_before_start(r, now);
	if (r->cursor > r->efo.next)
		r->efo.next = r->cursor;
	uint64_t from = r->cursor;
	r->cursor = ks_efo_take(&r->efo, now, cfg->efo_max_take, ctx_of(r)->warmup);
	if (r->cursor > from) {
		arrive(r, from, r->cursor, now);
		return;
	}
	if (finished(r, now))
		return;
	sim_time next = ks_efo_next_delivery(&r->efo);
	if (next == SIM_TIME_MAX || next > now + cfg->efo_lookahead)
		next = now + cfg->efo_lookahead; /* nothing in sight: look again later */
	schedule(r, next > now ? next : now + 1, EV_PUSH);
}

static void on_event(sim_engine *e, void *obj, uint64_t arg)
{
	ks_reader *r = obj;
	sim_time now = sim_engine_now(e);
	switch (arg) {
	case EV_CALL: call(r, now); break;
	case EV_RESPONSE:
		r->in_flight = false;
		arrive(r, r->from, r->cursor, now);
		break;
	case EV_PUSH: take_pushed(r, now); break;
	case EV_ENABLE: enable(r, now); break;
	default: SIM_ASSERT(!"unknown reader event");
	}
}

void ks_reader_next(ks_reader *r, sim_time t)
{
	sim_time now = sim_engine_now(ctx_of(r)->engine);
	if (r->set->cfg.efo) {
		r->reading = true;
		take_pushed(r, now);
		return;
	}
	schedule(r, t > now ? t : now, EV_CALL);
}

void ks_readers_finish(ks_readers *set, sim_time end)
{
	for (size_t i = 0; i < set->n; i++)
		skip_expired(set->opened[i], end);
}

/* ---- accessors ------------------------------------------------------------------------- */

void ks_reader_set_data(ks_reader *r, void *data)
{
	r->data = data;
}

void *ks_reader_data(const ks_reader *r)
{
	return r->data;
}

const ks_log *ks_reader_log(const ks_reader *r)
{
	return &r->shard->log;
}

ks_log *ks_reader_log_mut(ks_reader *r)
{
	return &r->shard->log;
}

size_t ks_reader_shard_index(const ks_reader *r)
{
	return r->shard->index;
}

const char *ks_reader_shard_id(const ks_reader *r)
{
	return r->shard->id;
}

const char *ks_reader_stream_name(const ks_reader *r)
{
	return r->set->stream->name;
}

sim_time ks_reader_retention(const ks_reader *r)
{
	return r->shard->log.retention;
}

uint64_t ks_reader_cursor(const ks_reader *r)
{
	return r->cursor;
}

uint64_t ks_reader_front(const ks_reader *r)
{
	return r->in_flight ? r->from : r->cursor;
}

bool ks_reader_reading(const ks_reader *r)
{
	return r->reading;
}

bool ks_reader_done(const ks_reader *r)
{
	return r->done;
}

bool ks_reader_more(const ks_reader *r)
{
	return r->more;
}

sim_time ks_reader_last_call(const ks_reader *r)
{
	return r->last_call;
}

sim_time ks_reader_last_admitted(const ks_reader *r)
{
	return r->last_admitted;
}

sim_time ks_reader_last_arrival(const ks_reader *r)
{
	return r->last_arrival;
}

gsl_rng *ks_reader_rng(ks_reader *r)
{
	return r->phase_rng;
}

void ks_reader_hold(ks_reader *r, uint64_t keep, uint64_t taken)
{
	uint64_t was = r->keep;
	r->keep = keep;
	r->taken = taken < keep ? keep : taken;
	/* The log trims up to its readers' smallest keep, which cannot change when this reader
	 * was past it (was > head) and moved forward: with seven readers, six calls in seven, each
	 * a look at every reader's position (3% of the large benchmark). */
	if (keep < was || was <= r->shard->log.head)
		ks_log_trim(&r->shard->log);
}

void ks_readers_cost(const ks_readers *set, ks_cost *cost)
{
	if (!set->cfg.efo)
		return;
	double *hours = ks_cost_quantity(cost, KS_PRICE_EFO_HOURS);
	double *bytes = ks_cost_quantity(cost, KS_PRICE_EFO_BYTES);
	for (size_t i = 0; i < set->n; i++) {
		const ks_reader *r = set->opened[i];
		*hours += ks_stream_shard_open_hours(set->stream, r->shard->index);
		*bytes += r->efo.bytes;
	}
}
