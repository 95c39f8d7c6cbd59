/* A Firehose delivery stream to S3 (firehose.h): one reader per shard of its source, one buffer
 * for the whole delivery stream, and the objects on their way to S3.
 *
 * Each reader has at most one pending event (its next call or the response of an admitted
 * call) and reads like consumer.c without processing:
 *   position  first record not yet in the buffer (`keep`, registered with the shard)
 *   cursor    first record not yet returned by a call (`taken`)
 * [position, cursor) is in flight in a response. A response copies its records into the buffer,
 * so the shard may trim them; the buffer and the objects own copies, so that an object's
 * records keep their acceptance time, producer index and key (their latency counts from the
 * original acceptance; poison and work follow them into an s3-triggered function).
 *
 * Invariants: the buffer is empty or has its interval timer armed (buffer_interval > 0);
 * objects are delivered in the order they were closed (one constant delivery latency), so the
 * objects on their way form a FIFO list. Every record read is in the buffer, an object on its
 * way, or delivered. The readers live in one array that never moves (the shards hold pointers
 * to their positions). */
#include "models/firehose/firehose.h"

#include <math.h>
#include <string.h>

#include "models/lambda/async.h"
#include "models/kinesis/shard.h"
#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/engine.h"
#include "sim/hist.h"
#include "sim/rng.h"

#define GETRECORDS_MAX_RECORDS 10000          /* [doc] a call returns at most 10,000 records ... */
#define GETRECORDS_MAX_BYTES   (10 * 1048576) /* [doc] ... and 10 MiB */
#define READ_PERIOD            SIM_S          /* [doc] Firehose calls GetRecords once per second */

enum { EV_CALL, EV_RESPONSE };

typedef struct reader {
	ks_firehose *f;
	ks_shard *shard;
	gsl_rng *phase_rng, *latency_rng;
	uint64_t position, cursor;
	sim_time last_call;
	bool done; /* its closed shard read to the end (resharding) */
} reader;

typedef struct object {
	struct object *next;
	ks_record *records;
	uint32_t n;
	double bytes;
} object;

struct ks_firehose {
	char *name;
	ks_ctx *ctx;
	ks_stream *stream;
	double buffer_bytes;
	sim_time buffer_interval, delivery_latency;
	const sim_dist *getrecords_latency;
	ks_advance_fn advance;
	void *world;

	reader *readers; /* one per shard; never moves */
	size_t nreaders;

	ks_record *buf; /* the buffer: copies of the records read since the last delivery */
	size_t nbuf, capbuf;
	double buf_bytes;
	sim_handle timer; /* the buffer's interval; 0: none */

	object *head, *tail; /* on their way to S3, oldest first */

	struct ks_async **subs; /* s3 triggers */
	size_t nsubs;

	/* measured period [warmup, stop) */
	double objects, bytes, records_delivered, records_expired, read_calls, read_throttled,
	        bytes_in;
	sim_hist *latency;
};

static bool measured(const ks_firehose *f, sim_time t)
{
	return t >= f->ctx->warmup && t < f->ctx->stop;
}

static void on_reader(sim_engine *e, void *obj, uint64_t arg);

static void schedule(reader *r, sim_time t, int what)
{
	sim_engine_at(r->f->ctx->engine, t, on_reader, r, (uint64_t)what);
}

static void init_reader(ks_firehose *f, size_t i)
{
	ks_ctx *ctx = f->ctx;
	reader *r = &f->readers[i];
	r->f = f;
	r->shard = &f->stream->shards[i];
	r->phase_rng = sim_rng_stream(ctx->seed, ctx->replication, f->name, "phase", (int64_t)i);
	r->latency_rng =
	        sim_rng_stream(ctx->seed, ctx->replication, f->name, "getrecords", (int64_t)i);
	/* [doc] Firehose starts reading a Kinesis source at LATEST */
	r->position = r->cursor = r->shard->end;
	r->last_call = -SIM_S;
	ks_shard_register(r->shard, &r->position, &r->cursor);
	if (i + 1 > f->nreaders)
		f->nreaders = i + 1;
}

ks_firehose *ks_firehose_create(ks_ctx *ctx, const ks_firehose_config *cfg)
{
	SIM_ASSERT(cfg->buffer_bytes > 0 && cfg->buffer_interval >= 0);
	ks_firehose *f = sim_calloc(1, sizeof *f);
	f->name = sim_strdup(cfg->name);
	f->ctx = ctx;
	f->stream = cfg->stream;
	f->buffer_bytes = cfg->buffer_bytes;
	f->buffer_interval = cfg->buffer_interval;
	f->delivery_latency = cfg->delivery_latency;
	f->getrecords_latency = cfg->getrecords_latency;
	f->advance = cfg->advance;
	f->world = cfg->world;
	f->latency = sim_hist_create();
	char *h = sim_asprintf("firehoses/%s/latency", f->name);
	sim_metrics_add_hist(ctx->metrics, h, f->latency,
	                     "end-to-end latency: accepted by the shard -> object delivered to S3");
	sim_free(h);
	/* room for every shard the stream may make, so readers never move */
	f->readers = sim_calloc(f->stream->capshards, sizeof *f->readers);
	for (size_t i = 0; i < f->stream->nshards; i++)
		init_reader(f, i);
	return f;
}

void ks_firehose_destroy(ks_firehose *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nreaders; i++) {
		gsl_rng_free(f->readers[i].phase_rng);
		gsl_rng_free(f->readers[i].latency_rng);
	}
	while (f->head) {
		object *o = f->head;
		f->head = o->next;
		sim_free(o->records);
		sim_free(o);
	}
	sim_hist_destroy(f->latency);
	sim_free(f->readers);
	sim_free(f->buf);
	sim_free(f->subs);
	sim_free(f->name);
	sim_free(f);
}

const char *ks_firehose_name(const ks_firehose *f)
{
	return f->name;
}

void ks_firehose_subscribe(ks_firehose *f, struct ks_async *a)
{
	f->subs = sim_reallocarray(f->subs, f->nsubs + 1, sizeof *f->subs);
	f->subs[f->nsubs++] = a;
}

static void start_reader(reader *r)
{
	sim_time open = r->shard->open_at;
	if (open >= r->f->ctx->stop)
		return;
	schedule(r, open + (sim_time)(sim_rng_uniform(r->phase_rng) * (double)READ_PERIOD),
	         EV_CALL);
}

void ks_firehose_start(ks_firehose *f)
{
	for (size_t i = 0; i < f->nreaders; i++)
		start_reader(&f->readers[i]);
}

void ks_firehose_add_shard(ks_firehose *f, ks_stream *s, size_t shard, bool started)
{
	if (s != f->stream)
		return;
	init_reader(f, shard);
	if (started)
		start_reader(&f->readers[shard]);
}

/* ---- delivery ---------------------------------------------------------------------------- */

static void on_delivered(sim_engine *e, void *obj, uint64_t arg)
{
	(void)arg;
	ks_firehose *f = obj;
	sim_time now = sim_engine_now(e);
	object *o = f->head;
	SIM_ASSERT(o);
	f->head = o->next;
	if (!f->head)
		f->tail = NULL;
	if (measured(f, now)) {
		f->objects++;
		f->bytes += o->bytes;
		f->records_delivered += o->n;
	}
	for (uint32_t i = 0; i < o->n; i++)
		if (o->records[i].arrival >= f->ctx->warmup)
			sim_hist_add(f->latency, now - o->records[i].arrival);
	/* [doc] the S3 event notification invokes each subscriber asynchronously, once per
	 * object: one event carrying all its records */
	for (size_t i = 0; i < f->nsubs; i++)
		ks_async_enqueue_batch(f->subs[i], now, o->records, o->n);
	sim_free(o->records);
	sim_free(o);
}

/* The buffer closes: its records become one object, in S3 after the delivery latency. */
static void flush(ks_firehose *f, sim_time now)
{
	if (f->timer) {
		sim_engine_cancel(f->ctx->engine, f->timer);
		f->timer = 0;
	}
	if (f->nbuf == 0)
		return;
	object *o = sim_calloc(1, sizeof *o);
	o->n = (uint32_t)f->nbuf;
	o->bytes = f->buf_bytes;
	o->records = sim_calloc(f->nbuf, sizeof *o->records);
	memcpy(o->records, f->buf, f->nbuf * sizeof *o->records);
	f->nbuf = 0;
	f->buf_bytes = 0;
	if (f->tail)
		f->tail->next = o;
	else
		f->head = o;
	f->tail = o;
	sim_engine_at(f->ctx->engine, now + f->delivery_latency, on_delivered, f, 0);
}

static void on_interval(sim_engine *e, void *obj, uint64_t arg)
{
	(void)arg;
	ks_firehose *f = obj;
	f->timer = 0;
	flush(f, sim_engine_now(e));
}

/* [doc] deliver at buffer.size or buffer.interval after the first record, whichever first;
 * an object closes with the record that brings it to the size. */
static void buffer_add(ks_firehose *f, sim_time now, const ks_record *rec)
{
	if (f->nbuf == 0 && f->buffer_interval > 0)
		f->timer =
		        sim_engine_at(f->ctx->engine, now + f->buffer_interval, on_interval, f, 0);
	sim_grow(&f->buf, &f->capbuf, f->nbuf + 1, sizeof *f->buf);
	f->buf[f->nbuf++] = *rec;
	f->buf_bytes += rec->bytes;
	if (f->buf_bytes >= f->buffer_bytes)
		flush(f, now);
}

/* ---- reading ----------------------------------------------------------------------------- */

static bool parents_done(const reader *r)
{
	for (size_t i = 0; i < r->shard->nparents; i++)
		if (!r->f->readers[r->shard->parents[i]].done)
			return false;
	return true;
}

static void skip_expired(reader *r, sim_time now)
{
	uint64_t live = r->shard->live;
	if (r->position != r->cursor || r->position >= live)
		return;
	if (measured(r->f, now))
		r->f->records_expired += (double)(live - r->position);
	r->position = r->cursor = live;
}

static void call(reader *r, sim_time now)
{
	ks_firehose *f = r->f;
	ks_shard *sh = r->shard;
	SIM_ASSERT(r->position == r->cursor);
	r->last_call = now;
	f->advance(f->world, now);
	ks_shard_expire(sh, now, f->stream->retention);
	skip_expired(r, now);
	if (!parents_done(r)) {
		schedule(r, now + READ_PERIOD, EV_CALL);
		return;
	}
	if (sh->close_at <= now && r->cursor >= sh->end) {
		r->done = true;
		return;
	}
	double drawn = sim_dist_sample(f->getrecords_latency, r->latency_rng);
	sim_time latency = (sim_time)llround(fmax(0, drawn));
	if (measured(f, now))
		f->read_calls++;
	if (!ks_read_limiter_admit(&sh->reads, now)) {
		ks_stream_note_read(f->stream, sh->index, now, false, 0);
		if (measured(f, now))
			f->read_throttled++;
		/* [choice] a throttled call is retried at the next second */
		schedule(r, now + READ_PERIOD, EV_CALL);
		return;
	}
	sim_time age;
	bool more;
	r->cursor = ks_shard_get_records(sh, now, f->stream->put_to_readable, r->cursor,
	                                 GETRECORDS_MAX_RECORDS, GETRECORDS_MAX_BYTES, &age, &more);
	ks_stream_note_read(f->stream, sh->index, now, true, age);
	schedule(r, now + latency, EV_RESPONSE);
}

static void response(reader *r, sim_time now)
{
	ks_firehose *f = r->f;
	for (uint64_t q = r->position; q < r->cursor; q++) {
		const ks_record *rec = ks_shard_record(r->shard, q);
		if (measured(f, now))
			f->bytes_in += rec->bytes;
		buffer_add(f, now, rec);
	}
	r->position = r->cursor;
	ks_shard_trim(r->shard);
	/* [doc] zero buffering interval: deliver what each response brought */
	if (f->buffer_interval == 0)
		flush(f, now);
	sim_time next = r->last_call + READ_PERIOD;
	schedule(r, next > now ? next : now, EV_CALL);
}

static void on_reader(sim_engine *e, void *obj, uint64_t arg)
{
	reader *r = obj;
	sim_time now = sim_engine_now(e);
	switch (arg) {
	case EV_CALL: call(r, now); break;
	case EV_RESPONSE: response(r, now); break;
	default: SIM_ASSERT(!"unknown firehose event");
	}
}

void ks_firehose_finish(ks_firehose *f, sim_time now)
{
	for (size_t i = 0; i < f->nreaders; i++) {
		ks_shard_expire(f->readers[i].shard, now, f->stream->retention);
		skip_expired(&f->readers[i], now - 1);
	}
}

double ks_firehose_bytes_in(const ks_firehose *f)
{
	return f->bytes_in;
}

/* Records accepted that were not delivered by the end: unread, in a response, buffered, or
 * on their way to S3. */
static double pending(const ks_firehose *f)
{
	double n = (double)f->nbuf;
	for (size_t i = 0; i < f->nreaders; i++)
		n += (double)(f->readers[i].shard->end - f->readers[i].position);
	for (const object *o = f->head; o; o = o->next)
		n += o->n;
	return n;
}

void ks_firehose_summarize(ks_firehose *f)
{
	const sim_hist *l = f->latency;
	struct {
		const char *name;
		double value;
		const char *unit;
	} rows[] = {
	        {"objects", f->objects, "count"},
	        {"bytes", f->bytes, "B"},
	        {"bytes_ingested", f->bytes_in, "B"},
	        {"records_delivered", f->records_delivered, "count"},
	        {"records_expired", f->records_expired, "count"},
	        {"records_pending", pending(f), "count"},
	        {"read_calls", f->read_calls, "count"},
	        {"read_throttled", f->read_throttled, "count"},
	        {"latency.mean", sim_hist_mean(l) / 1e9, "s"},
	        {"latency.p50", (double)sim_hist_quantile(l, 0.50) / 1e9, "s"},
	        {"latency.p99", (double)sim_hist_quantile(l, 0.99) / 1e9, "s"},
	        {"latency.max", (double)sim_hist_max(l) / 1e9, "s"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char *path = sim_asprintf("%s.%s", f->name, rows[i].name);
		sim_metrics_set_value(f->ctx->metrics, path, rows[i].value, rows[i].unit);
		sim_free(path);
	}
}
