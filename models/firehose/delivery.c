/* A Firehose delivery stream to S3 (delivery.h): one reader per shard of its source
 * (core/reader.h), one buffer for the whole delivery stream, and the objects on their way to S3.
 *
 * Per shard the reader reads like a consumer without processing:
 *   position  first record not yet in the buffer (its `keep`)
 *   cursor    first record not yet returned by a call (the reader's; its `taken`)
 * [position, cursor) is in flight in a response. A response copies its records into the buffer,
 * so the shard may trim them; the buffer and the objects own copies, so that an object's
 * records keep their acceptance time, producer index and key (their latency counts from the
 * original acceptance; poison and work follow them into an s3-triggered function).
 *
 * Invariants: the buffer is empty or has its interval timer armed (buffer_interval > 0);
 * objects are delivered in the order they were closed (one constant delivery latency), so the
 * objects on their way form a FIFO list. Every record read is in the buffer, an object on its
 * way, or delivered. */
#include "models/firehose/delivery.h"

#include <math.h>
#include <string.h>

#include "models/core/reader.h"
#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/engine.h"
#include "sim/hist.h"
#include "sim/rng.h"

#define GETRECORDS_MAX_RECORDS 10000 /* [doc] a call returns at most 10,000 records */
#define READ_PERIOD            SIM_S /* [doc] Firehose calls GetRecords once per second */

typedef struct object {
	struct object *next;
	ks_record *records;
	uint32_t n;
	double bytes;
} object;

/* The delivery stream on one shard: its position (the reader has the rest). */
typedef struct part {
	uint64_t position;
} part;

struct ks_firehose {
	char *name;
	ks_ctx *ctx;
	double buffer_bytes;
	sim_time buffer_interval, delivery_latency;
	ks_readers *readers;

	ks_record *buf; /* the buffer: copies of the records read since the last delivery */
	size_t nbuf, capbuf;
	double buf_bytes;
	sim_handle timer; /* the buffer's interval; 0: none */

	object *head, *tail; /* on their way to S3, oldest first */

	ks_sink *subs; /* told of every object (s3 triggers) */
	size_t nsubs;

	/* measured period [warmup, stop) */
	double objects, bytes, records_delivered, records_expired, read_calls, read_throttled,
	        bytes_in, billed_in;
	sim_hist *latency;
};

static const ks_reader_ops reader_ops;

ks_firehose *ks_firehose_create(ks_ctx *ctx, const ks_firehose_config *cfg)
{
	SIM_ASSERT(cfg->buffer_bytes > 0 && cfg->buffer_interval >= 0);
	ks_firehose *f = sim_calloc(1, sizeof *f);
	f->name = sim_strdup(cfg->name);
	f->ctx = ctx;
	f->buffer_bytes = cfg->buffer_bytes;
	f->buffer_interval = cfg->buffer_interval;
	f->delivery_latency = cfg->delivery_latency;
	f->latency = sim_hist_create();
	char *h = sim_asprintf("firehoses/%s/latency", f->name);
	sim_metrics_add_hist(ctx->metrics, h, f->latency,
	                     "end-to-end latency: accepted by the shard -> object delivered to S3");
	sim_free(h);
	/* [doc] Firehose starts reading a Kinesis source at LATEST, once a second per shard. */
	ks_reader_config rc = {
	        .name = f->name,
	        .phase_purpose = "phase",
	        .phase = READ_PERIOD,
	        .max_records = GETRECORDS_MAX_RECORDS,
	        .parents_retry = READ_PERIOD,
	        .start_at = -1,
	        /* [doc] Firehose reads a Kinesis source from LATEST */
	        .from_tip = true,
	};
	f->readers = ks_readers_create(cfg->stream, &rc, &reader_ops, f);
	return f;
}

void ks_firehose_destroy(ks_firehose *f)
{
	if (!f)
		return;
	ks_readers_destroy(f->readers);
	while (f->head) {
		object *o = f->head;
		f->head = o->next;
		sim_free(o->records);
		sim_free(o);
	}
	sim_hist_destroy(f->latency);
	sim_free(f->buf);
	sim_free(f->subs);
	sim_free(f->name);
	sim_free(f);
}

void ks_firehose_subscribe(ks_firehose *f, const ks_sink *sink)
{
	f->subs = sim_reallocarray(f->subs, f->nsubs + 1, sizeof *f->subs);
	f->subs[f->nsubs++] = *sink;
}

void ks_firehose_start(ks_firehose *f)
{
	ks_readers_start(f->readers);
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
	if (ks_measured(f->ctx, now)) {
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
		ks_sink_records(&f->subs[i], now, o->records, o->n);
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

/* ---- reading: the reader's hooks ------------------------------------------------------ */

static void opened(void *owner, ks_reader *r)
{
	(void)owner;
	part *p = sim_calloc(1, sizeof *p);
	p->position = ks_reader_cursor(r);
	ks_reader_set_data(r, p);
}

/* Records never read expired (counted when found, at the end of the run too); when nothing
 * was in flight, the position moves past them. */
static void skipped(void *owner, ks_reader *r, sim_time now, uint64_t expired, uint64_t from)
{
	ks_firehose *f = owner;
	part *p = ks_reader_data(r);
	if (now >= f->ctx->warmup && expired > 0)
		f->records_expired += (double)expired;
	uint64_t cursor = ks_reader_cursor(r);
	if (cursor == from)
		return;          /* the cursor did not move */
	if (p->position == from) /* nothing in hand: it follows the cursor */
		p->position = cursor;
	ks_reader_hold(r, p->position, cursor);
}

static void called(void *owner, ks_reader *r, sim_time now, bool admitted, sim_time age)
{
	(void)age;
	ks_firehose *f = owner;
	part *p = ks_reader_data(r);
	if (ks_measured(f->ctx, now)) {
		f->read_calls++;
		if (!admitted)
			f->read_throttled++;
	}
	if (admitted)
		ks_reader_hold(r, p->position, ks_reader_cursor(r));
}

/* [choice] a throttled call is retried at the next second */
static sim_time throttled(void *owner, ks_reader *r, sim_time now, sim_time latency)
{
	(void)owner;
	(void)r;
	(void)latency;
	return now + READ_PERIOD;
}

static void arrived(void *owner, ks_reader *r, uint64_t from, uint64_t to, sim_time now)
{
	ks_firehose *f = owner;
	part *p = ks_reader_data(r);
	const ks_log *l = ks_reader_log(r);
	for (uint64_t q = from; q < to; q++) {
		const ks_record *rec = ks_log_record(l, q);
		if (ks_measured(f->ctx, now)) {
			f->bytes_in += rec->bytes;
			/* [doc] ingestion is billed per record in 5 KB increments */
			f->billed_in += (double)(((uint64_t)rec->bytes + 5119) / 5120 * 5120);
		}
		buffer_add(f, now, rec);
	}
	p->position = to;
	ks_reader_hold(r, p->position, ks_reader_cursor(r));
	/* [doc] zero buffering interval: deliver what each response brought */
	if (f->buffer_interval == 0)
		flush(f, now);
	ks_reader_next(r, ks_reader_last_call(r) + READ_PERIOD);
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

void ks_firehose_finish(ks_firehose *f, sim_time now)
{
	ks_readers_finish(f->readers, now);
}

double ks_firehose_billed_bytes(const ks_firehose *f)
{
	return f->billed_in;
}

/* Records accepted that were not delivered by the end: unread, in a response, buffered, or
 * on their way to S3. */
static double pending(const ks_firehose *f)
{
	double n = (double)f->nbuf;
	for (size_t i = 0; i < ks_readers_count(f->readers); i++) {
		const ks_reader *r = ks_readers_at(f->readers, i);
		n += (double)(ks_reader_log(r)->end - ((const part *)ks_reader_data(r))->position);
	}
	for (const object *o = f->head; o; o = o->next)
		n += o->n;
	return n;
}

void ks_firehose_summarize(ks_firehose *f)
{
	const ks_summary_row rows[] = {
	        {"objects", f->objects, "count"},
	        {"bytes", f->bytes, "B"},
	        {"bytes_ingested", f->bytes_in, "B"},
	        {"records_delivered", f->records_delivered, "count"},
	        {"records_expired", f->records_expired, "count"},
	        {"records_pending", pending(f), "count"},
	        {"read_calls", f->read_calls, "count"},
	        {"read_throttled", f->read_throttled, "count"},
	};
	ks_summary_rows(f->ctx, f->name, rows, sizeof rows / sizeof rows[0]);
	ks_summary_durations(f->ctx, f->name, "latency", f->latency, false);
}
