/* A KCL-style consumer application (docs/model.md "Readers"): one reader per shard of its stream
 * (core/reader.h), each looping GetRecords -> process -> GetRecords through the shard's shared
 * read limit, or taking what its enhanced fan-out subscription pushed.
 *
 * Per shard, nothing is copied: what a call returned is a range of the shard's log.
 *   position  first record not yet processed (its `keep`)
 *   cursor    first record not yet returned by a call (the reader's; its `taken`)
 * [position, cursor) is in flight: returned by a call whose response has not arrived, or being
 * processed. Calls are made only when nothing is in flight (KCL processes a response before it
 * calls again). */
#include "models/kcl/consumer.h"

#include <math.h>
#include <stddef.h>

#include "models/core/metric.h"
#include "models/core/reader.h"
#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/hist.h"
#include "sim/rng.h"

/* A reader never calls twice within this time: with zero latencies and zero waits a reader
 * would otherwise call again at the same instant forever. [choice] */
#define MIN_CALL_GAP SIM_MS

/* The consumer on one shard. */
typedef struct part {
	ks_consumer *c;
	ks_reader *reader;
	const ks_log *log;
	size_t column; /* of the consumer's per-shard series (the shard's index) */
	uint64_t position;
} part;

struct ks_consumer {
	char *name;
	ks_ctx *ctx;
	sim_time idle, throttle_backoff;
	sim_dist per_record;
	bool per_record_const;
	const uint64_t *crn_seeds;
	ks_readers *readers;
	bool efo; /* enhanced fan-out: records pushed, no GetRecords calls */

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
enum { NMETRICS = sizeof metric_defs / sizeof metric_defs[0] };

static ks_metric *metric_at(ks_consumer *c, const metric_def *d)
{
	return (ks_metric *)(void *)((char *)c + d->offset);
}

static void on_processed(sim_engine *e, void *obj, uint64_t arg);

/* ---- the reader's hooks ----------------------------------------------------------------- */

/* A shard: a column of every per-shard series, labelled with its id. */
static void opened(void *owner, ks_reader *r)
{
	ks_consumer *c = owner;
	part *p = sim_calloc(1, sizeof *p);
	p->c = c;
	p->reader = r;
	p->log = ks_reader_log(r);
	p->column = ks_reader_shard_index(r);
	p->position = ks_reader_cursor(r);
	ks_reader_set_data(r, p);
	for (size_t i = 0; i < NMETRICS; i++)
		sim_series_add_column(metric_at(c, &metric_defs[i])->series);
	char *group = sim_asprintf("consumers/%s", c->name);
	size_t column =
	        sim_metrics_add_label(c->ctx->metrics, group, "shard", ks_reader_shard_id(r),
	                              "shards read by this consumer, the column dimension "
	                              "of its per-shard series");
	SIM_ASSERT(p->column == column);
	sim_free(group);
}

/* Records below the shard's live range expired before this consumer reached them; when nothing
 * was in flight, its position moves past them too. */
static void skipped(void *owner, ks_reader *r, sim_time now, uint64_t expired, uint64_t from)
{
	ks_consumer *c = owner;
	part *p = ks_reader_data(r);
	if (expired > 0)
		ks_metric_add(&c->records_expired, now, p->column, (double)expired);
	uint64_t cursor = ks_reader_cursor(r);
	if (cursor == from)
		return;          /* the cursor did not move */
	if (p->position == from) /* nothing in hand: it follows the cursor */
		p->position = cursor;
	ks_reader_hold(r, p->position, cursor);
}

static void called(void *owner, ks_reader *r, sim_time now, bool admitted, sim_time age)
{
	ks_consumer *c = owner;
	part *p = ks_reader_data(r);
	ks_metric_add(&c->read_calls, now, p->column, 1);
	if (!admitted) {
		ks_metric_add(&c->read_throttled, now, p->column, 1);
		return;
	}
	ks_metric_max(&c->iterator_age_max_ms, now, p->column, (double)age / 1e6);
	ks_reader_hold(r, p->position, ks_reader_cursor(r));
}

/* [code] KCL 1.x: after ProvisionedThroughputExceeded, sleep throttle_backoff from the
 * throttled response, then call again. */
static sim_time throttled(void *owner, ks_reader *r, sim_time now, sim_time latency)
{
	(void)r;
	ks_consumer *c = owner;
	return now + latency + c->throttle_backoff;
}

/* Processing of [position, cursor) finished at now: the next call at
 * max(now, last successful call + idle). KCL 2.x measures the idle time from the last
 * successful call [code], and takes that instant when the call has returned
 * (`lastSuccessfulCall = Instant.now()` right after getRecords), so the idle time runs from
 * the response, not from the request. `now` is when processing finished: the consumer hands a
 * response to its record processor and waits for it before it calls again (KCL 1.x, and KCL
 * 2.x's synchronous retrieval; 2.x's prefetching publisher would overlap them), so processing
 * that outlasts the idle time delays the next call. */
static void processed(part *p, sim_time now)
{
	ks_consumer *c = p->c;
	uint64_t cursor = ks_reader_cursor(p->reader);
	ks_metric_add(&c->records_processed, now, p->column, (double)(cursor - p->position));
	ks_log_add_latencies(p->log, p->position, cursor, now, c->ctx->warmup, c->latency);
	p->position = cursor;
	ks_reader_hold(p->reader, p->position, cursor);
	ks_reader_next(p->reader, ks_reader_last_arrival(p->reader) + c->idle);
}

/* The response arrived at now (or records were pushed): the records are handed to the
 * processor, which takes each record's own v-quantile of per_record (docs/model.md "Time, events
 * and randomness"), as a function does. */
static void arrived(void *owner, ks_reader *r, uint64_t from, uint64_t to, sim_time now)
{
	ks_consumer *c = owner;
	part *p = ks_reader_data(r);
	SIM_ASSERT(from == p->position);
	ks_log_add_latencies(p->log, from, to, now, c->ctx->warmup, c->propagation);
	double work = 0;
	if (c->per_record_const) {
		work = c->per_record.a * (double)(to - from);
	} else {
		for (uint64_t q = from; q < to; q++) {
			const ks_record *rec = ks_log_record(p->log, q);
			double v = sim_crn_uniform(c->crn_seeds[ks_record_producer(rec)],
			                           ks_record_index(rec), KS_RECORD_V_WORK);
			work += sim_dist_quantile(&c->per_record, v);
		}
	}
	sim_time d = sim_time_round(work);
	if (d > 0)
		sim_engine_at(c->ctx->engine, now + d, on_processed, p, 0);
	else
		processed(p, now);
}

static void on_processed(sim_engine *e, void *obj, uint64_t arg)
{
	(void)arg;
	processed(obj, sim_engine_now(e));
}

static void closed(void *owner, ks_reader *r)
{
	(void)owner;
	sim_free(ks_reader_data(r));
}

static const ks_reader_ops reader_ops = {
        .opened = opened,
        .closed = closed,
        .arrived = arrived,
        .skipped = skipped,
        .called = called,
        .throttled = throttled,
};

/* ---- the consumer ----------------------------------------------------------------------- */

ks_consumer *ks_consumer_create(ks_ctx *ctx, const ks_consumer_config *cfg)
{
	ks_consumer *c = sim_calloc(1, sizeof *c);
	c->name = sim_strdup(cfg->name);
	c->ctx = ctx;
	c->idle = cfg->idle_time_between_reads;
	c->throttle_backoff = cfg->throttle_backoff;
	c->per_record = sim_dist_copy(&cfg->per_record);
	c->per_record_const = cfg->per_record.kind == SIM_DIST_CONST;
	c->crn_seeds = ctx->crn_seeds;

	char *group = sim_asprintf("consumers/%s", c->name);
	sim_metrics_set_attr_text(ctx->metrics, group, "stream", cfg->stream_name);
	sim_metrics_set_attr_int(ctx->metrics, group, "efo", cfg->enhanced_fanout ? 1 : 0);
	for (size_t i = 0; i < NMETRICS; i++) {
		const metric_def *d = &metric_defs[i];
		ks_metric_init(metric_at(c, d), ctx, group, d->name, d->kind, 0, d->units,
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

	/* An enhanced fan-out consumer subscribes to each shard and gets records pushed
	 * (kinesis/efo.h) instead of calling GetRecords. [code] KCL's default initial position is
	 * LATEST: every record accepted after t = 0. */
	ks_reader_config rc = {
	        .name = c->name,
	        .phase_purpose = "phase",
	        .phase = c->idle,
	        .max_records = cfg->max_records,
	        .parents_retry = c->idle > 0 ? c->idle : SIM_S,
	        .min_gap = MIN_CALL_GAP,
	        .start_at = -1,
	        .enabled_at = cfg->enabled_at,
	        .from_tip = cfg->initial_position == 0,
	        .efo = cfg->enhanced_fanout,
	        .efo_max_take = cfg->max_records,
	        .efo_lookahead = SIM_S,
	};
	c->efo = cfg->enhanced_fanout;
	c->readers = ks_readers_create(cfg->stream, &rc, &reader_ops, c);
	return c;
}

void ks_consumer_destroy(ks_consumer *c)
{
	if (!c)
		return;
	ks_readers_destroy(c->readers);
	for (size_t i = 0; i < NMETRICS; i++)
		ks_metric_fini(metric_at(c, &metric_defs[i]));
	sim_hist_destroy(c->latency);
	sim_hist_destroy(c->propagation);
	sim_dist_fini(&c->per_record);
	sim_free(c->name);
	sim_free(c);
}

void ks_consumer_start(ks_consumer *c)
{
	ks_readers_start(c->readers);
}

void ks_consumer_finish(ks_consumer *c, sim_time now)
{
	ks_readers_finish(c->readers, now);
}

void ks_consumer_cost(const ks_consumer *c, ks_cost *cost)
{
	ks_readers_cost(c->readers, cost);
}

void ks_consumer_summarize(ks_consumer *c)
{
	const ks_summary_row rows[] = {
	        {"records_processed", c->records_processed.total, "count"},
	        {"records_expired", c->records_expired.total, "count"},
	        /* NaN: an enhanced fan-out consumer makes no GetRecords calls (docs/output.md) */
	        {"read_calls", c->efo ? NAN : c->read_calls.total, "count"},
	        {"read_throttled", c->efo ? NAN : c->read_throttled.total, "count"},
	        {"getrecords_iterator_age.max", c->efo ? NAN : c->iterator_age_max_ms.total / 1e3,
	         "s"},
	};
	ks_summary_rows(c->ctx, c->name, rows, sizeof rows / sizeof rows[0]);
	ks_summary_durations(c->ctx, c->name, "latency", c->latency, true);
	ks_summary_durations(c->ctx, c->name, "propagation", c->propagation, false);
}
