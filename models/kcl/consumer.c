/* A KCL-style consumer application (MODEL.md section 4b): one reader per shard of its stream,
 * each looping GetRecords -> process -> GetRecords through the shard's shared read limit.
 *
 * Each reader is a small state machine with one pending event at a time: the next call, the
 * response of an admitted call, or the end of processing. Nothing is copied: what a call
 * returned is a range of the shard's log.
 *   position  first record not yet processed (`keep`, registered with the shard)
 *   cursor    first record not yet returned by a call (`taken`, registered with the shard)
 * [position, cursor) is in flight: returned by a call whose response has not arrived, or being
 * processed. Calls are made only when nothing is in flight (KCL processes a response before it
 * calls again), so at a call position == cursor.
 *
 * The readers live in one array allocated at creation and never resized: the shards hold
 * pointers to their positions. */
#include "models/kcl/consumer.h"

#include <math.h>
#include <stddef.h>

#include "models/kinesis/efo.h"
#include "models/core/metric.h"
#include "models/kinesis/shard.h"
#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/hist.h"
#include "sim/rng.h"

#define GETRECORDS_MAX_BYTES (10 * 1048576) /* [doc] a call returns at most 10 MiB */

enum { EV_CALL, EV_RESPONSE, EV_PROCESSED, EV_PUSH };

typedef struct reader {
	ks_consumer *c;
	ks_shard *shard;
	size_t column; /* of the consumer's per-shard series (the shard's index) */
	gsl_rng *phase_rng, *latency_rng;
	uint64_t position, cursor;
	sim_time last_success; /* when the response of the last admitted call arrived */
	sim_handle pending;
	sim_time last_call;
	ks_efo efo; /* enhanced fan-out: the reader's subscription to its shard */
	bool done;  /* its closed shard read and processed to the end (resharding) */
} reader;

struct ks_consumer {
	char *name;
	ks_ctx *ctx;
	ks_stream *stream;
	sim_time idle, throttle_backoff;
	uint32_t max_records;
	sim_dist per_record;
	bool per_record_const;
	const sim_dist *getrecords_latency;
	ks_advance_fn advance;
	void *world;
	const uint64_t *crn_seeds;
	bool efo;
	ks_efo_config efo_cfg;
	sim_time efo_lookahead;

	reader *readers; /* one per shard; never moves */
	size_t nreaders;

	ks_metric records_processed, records_expired, read_calls, read_throttled,
	        iterator_age_max_ms; /* per shard column */
	sim_hist *latency, *propagation;
};

typedef struct metric_def {
	size_t offset;
	const char *name;
	sim_series_kind kind;
	const char *units, *description;
} metric_def;

#define M(field, kind, units, desc)                                                                \
	{                                                                                          \
		offsetof(ks_consumer, field), #field, kind, units, desc                            \
	}
static const metric_def metric_defs[] = {
        M(records_processed, SIM_SERIES_SUM, "count", "records processed, per shard"),
        M(records_expired, SIM_SERIES_SUM, "count",
          "records that aged out of retention before this consumer processed them, per shard"),
        M(read_calls, SIM_SERIES_SUM, "count", "this consumer's GetRecords calls, per shard"),
        M(read_throttled, SIM_SERIES_SUM, "count",
          "this consumer's GetRecords calls throttled, per shard"),
        M(iterator_age_max_ms, SIM_SERIES_MAX, "ms",
          "maximum GetRecords.IteratorAgeMilliseconds of this consumer's calls, per shard"),
};
#undef M

static ks_metric *metric_at(ks_consumer *c, const metric_def *d)
{
	return (ks_metric *)(void *)((char *)c + d->offset);
}

static void on_event(sim_engine *e, void *obj, uint64_t arg);

/* A reader never calls twice within this time: with zero latencies and zero waits a reader
 * would otherwise call again at the same instant forever. [choice] */
#define MIN_CALL_GAP SIM_MS

static void schedule(reader *r, sim_time t, int what)
{
	if (what == EV_CALL && t < r->last_call + MIN_CALL_GAP)
		t = r->last_call + MIN_CALL_GAP;
	r->pending = sim_engine_at(r->c->ctx->engine, t, on_event, r, (uint64_t)what);
}

static void set_labels(ks_consumer *c)
{
	ks_stream *s = c->stream;
	const char **ids = sim_calloc(s->nshards, sizeof *ids);
	for (size_t i = 0; i < s->nshards; i++)
		ids[i] = s->shards[i].id;
	char *group = sim_asprintf("consumers/%s", c->name);
	sim_metrics_set_labels(c->ctx->metrics, group, "shard", ids, s->nshards,
	                       "shards read by this consumer, the column dimension of its "
	                       "per-shard series");
	sim_free(group);
	sim_free(ids);
}

static void init_reader(ks_consumer *c, size_t i)
{
	ks_ctx *ctx = c->ctx;
	reader *r = &c->readers[i];
	r->c = c;
	r->shard = &c->stream->shards[i];
	r->column = i;
	/* Streams keyed by (consumer, purpose, shard): adding a reader elsewhere changes
	 * nothing here. */
	r->phase_rng = sim_rng_stream(ctx->seed, ctx->replication, c->name, "phase", (int64_t)i);
	r->latency_rng =
	        sim_rng_stream(ctx->seed, ctx->replication, c->name, "getrecords", (int64_t)i);
	/* [code] KCL's default initial position is LATEST: every record accepted after t = 0. */
	r->position = r->cursor = r->shard->end;
	r->last_call = -SIM_S; /* no call yet */
	ks_shard_register(r->shard, &r->position, &r->cursor);
	if (c->efo) {
		uint64_t seed =
		        sim_rng_seed(ctx->seed, ctx->replication, c->name, "efo", (int64_t)i);
		ks_efo_init(&r->efo, &c->efo_cfg, r->shard, seed, r->cursor);
	}
	c->nreaders = i + 1 > c->nreaders ? i + 1 : c->nreaders;
}

ks_consumer *ks_consumer_create(ks_ctx *ctx, const ks_consumer_config *cfg)
{
	ks_consumer *c = sim_calloc(1, sizeof *c);
	c->name = sim_strdup(cfg->name);
	c->ctx = ctx;
	c->stream = cfg->stream;
	c->idle = cfg->idle_time_between_reads;
	c->throttle_backoff = cfg->throttle_backoff;
	c->max_records = cfg->max_records;
	c->per_record = sim_dist_copy(&cfg->per_record);
	c->per_record_const = cfg->per_record.kind == SIM_DIST_CONST;
	c->getrecords_latency = cfg->getrecords_latency;
	c->advance = cfg->advance;
	c->world = cfg->world;
	c->crn_seeds = cfg->crn_seeds;
	/* An enhanced fan-out consumer subscribes to each shard and gets records pushed
	 * (models/efo.h) instead of calling GetRecords. */
	c->efo = cfg->enhanced_fanout;
	c->efo_lookahead = SIM_S;

	ks_stream *s = cfg->stream;
	char *group = sim_asprintf("consumers/%s", c->name);
	set_labels(c);
	for (size_t i = 0; i < sizeof metric_defs / sizeof metric_defs[0]; i++) {
		const metric_def *d = &metric_defs[i];
		ks_metric_init(metric_at(c, d), ctx, group, d->name, d->kind, s->nshards, d->units,
		               d->description, "shard");
	}
	c->latency = sim_hist_create();
	char *h = sim_asprintf("%s/latency", group);
	sim_metrics_add_hist(ctx->metrics, h, c->latency,
	                     "end-to-end latency: accepted by the shard -> processing finished");
	sim_free(h);
	c->propagation = sim_hist_create();
	h = sim_asprintf("%s/propagation", group);
	sim_metrics_add_hist(ctx->metrics, h, c->propagation,
	                     "propagation delay: accepted by the shard -> handed to the consumer "
	                     "(GetRecords response)");
	sim_free(h);
	sim_free(group);

	/* room for every shard the stream may make, so readers never move */
	c->readers = sim_calloc(s->capshards, sizeof *c->readers);
	c->efo_cfg = cfg->efo;
	for (size_t i = 0; i < s->nshards; i++)
		init_reader(c, i);
	return c;
}

void ks_consumer_destroy(ks_consumer *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nreaders; i++) {
		gsl_rng_free(c->readers[i].phase_rng);
		gsl_rng_free(c->readers[i].latency_rng);
	}
	sim_free(c->readers);
	for (size_t i = 0; i < sizeof metric_defs / sizeof metric_defs[0]; i++)
		ks_metric_fini(metric_at(c, &metric_defs[i]));
	sim_hist_destroy(c->latency);
	sim_hist_destroy(c->propagation);
	sim_dist_fini(&c->per_record);
	sim_free(c->name);
	sim_free(c);
}

static void start_reader(reader *r)
{
	ks_consumer *c = r->c;
	sim_time open = r->shard->open_at;
	if (open >= c->ctx->stop)
		return;
	if (c->efo) { /* [doc] the subscription pushes from the start */
		schedule(r, open, EV_PUSH);
		return;
	}
	/* [MODEL 4b] each reader starts at its own random phase U(0, idle). */
	schedule(r, open + (sim_time)(sim_rng_uniform(r->phase_rng) * (double)c->idle), EV_CALL);
}

void ks_consumer_start(ks_consumer *c)
{
	for (size_t i = 0; i < c->nreaders; i++)
		start_reader(&c->readers[i]);
}

void ks_consumer_add_shard(ks_consumer *c, ks_stream *s, size_t shard, bool started)
{
	if (s != c->stream)
		return;
	for (size_t i = 0; i < sizeof metric_defs / sizeof metric_defs[0]; i++)
		sim_series_add_column(metric_at(c, &metric_defs[i])->series);
	init_reader(c, shard);
	set_labels(c);
	if (started)
		start_reader(&c->readers[shard]);
}

/* [doc] after a reshard, a consumer reads each parent to its end before the children. */
static bool parents_done(const reader *r)
{
	for (size_t i = 0; i < r->shard->nparents; i++)
		if (!r->c->readers[r->shard->parents[i]].done)
			return false;
	return true;
}

/* A closed shard returned and processed to its end (nothing in flight, producers brought up
 * to now): nothing more will come. */
static bool shard_finished(reader *r, sim_time now)
{
	if (r->shard->close_at > now || r->cursor < r->shard->end)
		return false;
	r->done = true;
	return true;
}

/* Records below the shard's live range expired before this reader reached them. Records in
 * flight are the consumer's already (the shard keeps them and did not count them). */
static void skip_expired(reader *r, sim_time now)
{
	uint64_t live = r->shard->live;
	if (r->position != r->cursor || r->position >= live)
		return;
	ks_metric_add(&r->c->records_expired, now, r->column, (double)(live - r->position));
	r->position = r->cursor = live;
}

static void call(reader *r, sim_time now)
{
	ks_consumer *c = r->c;
	ks_shard *sh = r->shard;
	SIM_ASSERT(r->position == r->cursor);
	r->last_call = now;
	c->advance(c->world, now);
	ks_shard_expire(sh, now, c->stream->retention);
	skip_expired(r, now);
	if (!parents_done(r)) { /* look again after the idle time */
		schedule(r, now + (c->idle > 0 ? c->idle : SIM_S), EV_CALL);
		return;
	}
	if (shard_finished(r, now))
		return;

	double drawn = sim_dist_sample(c->getrecords_latency, r->latency_rng);
	sim_time latency = (sim_time)llround(fmax(0, drawn));
	ks_metric_add(&c->read_calls, now, r->column, 1);
	if (!ks_read_limiter_admit(&sh->reads, now)) {
		ks_stream_note_read(c->stream, sh->index, now, false, 0);
		ks_metric_add(&c->read_throttled, now, r->column, 1);
		/* [code] KCL 1.x: after ProvisionedThroughputExceeded, sleep throttle_backoff from
		 * the throttled response, then call again. */
		schedule(r, now + latency + c->throttle_backoff, EV_CALL);
		return;
	}
	/* [doc] a call returns at most max_records (<= 10,000) records and 10 MiB. */
	sim_time age;
	bool more;
	uint64_t to = ks_shard_get_records(sh, now, c->stream->put_to_readable, r->cursor,
	                                   c->max_records, GETRECORDS_MAX_BYTES, &age, &more);
	ks_stream_note_read(c->stream, sh->index, now, true, age);
	ks_metric_max(&c->iterator_age_max_ms, now, r->column, (double)age / 1e6);
	r->cursor = to;
	schedule(r, now + latency, EV_RESPONSE);
}

/* [MODEL 4b] the next call at max(now, last successful call + idle): KCL 2.x measures the
 * idle time from the last successful call [code], and takes that instant when the call has
 * returned (`lastSuccessfulCall = Instant.now()` right after getRecords), so the idle time
 * runs from the response, not from the request. `now` is when processing finished: the
 * consumer hands a response to its record processor and waits for it before it calls again
 * (KCL 1.x, and KCL 2.x's synchronous retrieval; 2.x's prefetching publisher would overlap
 * them), so processing that outlasts the idle time delays the next call. */
static void response(reader *r, sim_time now);

/* Enhanced fan-out: take what was pushed by now (handed over at once, like a response), or
 * sleep until the next delivery. */
static void take_pushed(reader *r, sim_time now)
{
	ks_consumer *c = r->c;
	c->advance(c->world, now + c->efo_lookahead);
	ks_shard_expire(r->shard, now, c->stream->retention);
	skip_expired(r, now);
	if (!parents_done(r)) {
		schedule(r, now + c->efo_lookahead, EV_PUSH);
		return;
	}
	r->cursor = ks_efo_take(&r->efo, now, c->max_records, c->ctx->warmup);
	if (r->cursor > r->position) {
		response(r, now);
		return;
	}
	if (shard_finished(r, now))
		return;
	sim_time next = ks_efo_next_delivery(&r->efo);
	if (next == SIM_TIME_MAX || next > now + c->efo_lookahead)
		next = now + c->efo_lookahead;
	schedule(r, next > now ? next : now + 1, EV_PUSH);
}

static void schedule_next_call(reader *r, sim_time now)
{
	if (r->c->efo) {
		take_pushed(r, now);
		return;
	}
	sim_time next = r->last_success + r->c->idle;
	schedule(r, next > now ? next : now, EV_CALL);
}

/* Processing of [position, cursor) finished at now. */
static void processed(reader *r, sim_time now)
{
	ks_consumer *c = r->c;
	ks_metric_add(&c->records_processed, now, r->column, (double)(r->cursor - r->position));
	sim_time warmup = c->ctx->warmup;
	for (uint64_t q = r->position; q < r->cursor; q++) {
		sim_time arrival = ks_shard_record(r->shard, q)->arrival;
		if (arrival >= warmup)
			sim_hist_add(c->latency, now - arrival);
	}
	r->position = r->cursor;
	ks_shard_trim(r->shard);
	schedule_next_call(r, now);
}

/* The response arrived at now: the records are handed to the processor, which takes each
 * record's own v-quantile of per_record (MODEL.md section 1), as a function does. */
static void response(reader *r, sim_time now)
{
	ks_consumer *c = r->c;
	r->last_success = now;
	sim_time warmup = c->ctx->warmup;
	double work = 0;
	for (uint64_t q = r->position; q < r->cursor; q++) {
		const ks_record *rec = ks_shard_record(r->shard, q);
		if (rec->arrival >= warmup)
			sim_hist_add(c->propagation, now - rec->arrival);
		if (!c->per_record_const) {
			double v = sim_crn_uniform(c->crn_seeds[ks_record_producer(rec)],
			                           ks_record_index(rec), KS_RECORD_V_WORK);
			work += sim_dist_quantile(&c->per_record, v);
		}
	}
	if (c->per_record_const)
		work = c->per_record.a * (double)(r->cursor - r->position);
	sim_time d = (sim_time)llround(fmax(0, work));
	if (d > 0)
		schedule(r, now + d, EV_PROCESSED);
	else
		processed(r, now);
}

static void on_event(sim_engine *e, void *obj, uint64_t arg)
{
	reader *r = obj;
	sim_time now = sim_engine_now(e);
	r->pending = 0;
	switch (arg) {
	case EV_CALL: call(r, now); break;
	case EV_RESPONSE: response(r, now); break;
	case EV_PROCESSED: processed(r, now); break;
	case EV_PUSH: take_pushed(r, now); break;
	default: SIM_ASSERT(!"unknown consumer event");
	}
}

void ks_consumer_finish(ks_consumer *c, sim_time now)
{
	for (size_t i = 0; i < c->nreaders; i++) {
		ks_shard_expire(c->readers[i].shard, now, c->stream->retention);
		skip_expired(&c->readers[i], now);
	}
}

void ks_consumer_efo_usage(const ks_consumer *c, double *shard_hours, double *bytes)
{
	if (!c->efo)
		return;
	for (size_t i = 0; i < c->nreaders; i++) {
		*shard_hours += ks_stream_shard_open_hours(c->stream, c->readers[i].shard->index);
		*bytes += c->readers[i].efo.bytes;
	}
}

void ks_consumer_summarize(ks_consumer *c)
{
	const sim_hist *l = c->latency, *p = c->propagation;
	struct {
		const char *name;
		double value;
		const char *unit;
	} rows[] = {
	        {"records_processed", c->records_processed.total, "count"},
	        {"records_expired", c->records_expired.total, "count"},
	        {"read_calls", c->read_calls.total, "count"},
	        {"read_throttled", c->read_throttled.total, "count"},
	        {"getrecords_iterator_age.max", c->iterator_age_max_ms.total / 1e3, "s"},
	        {"latency.mean", sim_hist_mean(l) / 1e9, "s"},
	        {"latency.p10", (double)sim_hist_quantile(l, 0.10) / 1e9, "s"},
	        {"latency.p25", (double)sim_hist_quantile(l, 0.25) / 1e9, "s"},
	        {"latency.p50", (double)sim_hist_quantile(l, 0.50) / 1e9, "s"},
	        {"latency.p75", (double)sim_hist_quantile(l, 0.75) / 1e9, "s"},
	        {"latency.p90", (double)sim_hist_quantile(l, 0.90) / 1e9, "s"},
	        {"latency.p99", (double)sim_hist_quantile(l, 0.99) / 1e9, "s"},
	        {"latency.p999", (double)sim_hist_quantile(l, 0.999) / 1e9, "s"},
	        {"latency.max", (double)sim_hist_max(l) / 1e9, "s"},
	        {"propagation.mean", sim_hist_mean(p) / 1e9, "s"},
	        {"propagation.p50", (double)sim_hist_quantile(p, 0.50) / 1e9, "s"},
	        {"propagation.p99", (double)sim_hist_quantile(p, 0.99) / 1e9, "s"},
	        {"propagation.max", (double)sim_hist_max(p) / 1e9, "s"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char *path = sim_asprintf("%s.%s", c->name, rows[i].name);
		sim_metrics_set_value(c->ctx->metrics, path, rows[i].value, rows[i].unit);
		sim_free(path);
	}
}
