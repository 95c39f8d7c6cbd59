/* An S3 bucket (bucket.h). */
#include "models/s3/bucket.h"

#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/engine.h"

ks_bucket *ks_bucket_create(ks_ctx *ctx, const char *name)
{
	ks_bucket *b = sim_calloc(1, sizeof *b);
	b->name = sim_strdup(name);
	b->ctx = ctx;
	char *group = sim_asprintf("buckets/%s", name);
	ks_metric_init(&b->objects, ctx, group, "objects", SIM_SERIES_SUM, 1, "count",
	               "objects put (PutObject requests)", NULL);
	ks_metric_init(&b->records, ctx, group, "records", SIM_SERIES_SUM, 1, "count",
	               "records in the objects put", NULL);
	ks_metric_init(&b->bytes, ctx, group, "bytes", SIM_SERIES_SUM, 1, "B",
	               "bytes put (the records' data)", NULL);
	sim_free(group);
	return b;
}

void ks_bucket_destroy(ks_bucket *b)
{
	if (!b)
		return;
	ks_metric_fini(&b->objects);
	ks_metric_fini(&b->records);
	ks_metric_fini(&b->bytes);
	sim_free(b->subscribers);
	sim_free(b->name);
	sim_free(b);
}

void ks_bucket_subscribe(ks_bucket *b, const ks_sink *sink)
{
	b->subscribers =
	        sim_reallocarray(b->subscribers, b->nsubscribers + 1, sizeof *b->subscribers);
	b->subscribers[b->nsubscribers++] = *sink;
}

void ks_bucket_put(ks_bucket *b, sim_time t, const ks_record *r, uint32_t n)
{
	const ks_ctx *ctx = b->ctx;
	SIM_ASSERT(t >= sim_engine_now(ctx->engine));
	if (t >= ctx->stop)
		return; /* after the run */
	double bytes = 0;
	for (uint32_t i = 0; i < n; i++)
		bytes += r[i].bytes;
	ks_metric_add(&b->objects, t, 0, 1);
	ks_metric_add(&b->records, t, 0, n);
	ks_metric_add(&b->bytes, t, 0, bytes);
	/* [doc] stored from its put to the end of the run, within the measured period */
	sim_time from = t > ctx->warmup ? t : ctx->warmup;
	b->byte_hours += bytes * (double)(ctx->stop - from) / (double)SIM_HOUR;
	/* [doc] S3 Event Notifications: one event per object, with its records */
	for (size_t i = 0; i < b->nsubscribers; i++)
		ks_sink_records(&b->subscribers[i], t, r, n);
}

static void sink_record(void *obj, sim_time t, const ks_record *r)
{
	ks_bucket_put(obj, t, r, 1);
}

static void sink_records(void *obj, sim_time t, const ks_record *r, uint32_t n)
{
	ks_bucket_put(obj, t, r, n);
}

static const ks_sink_ops sink_ops = {
        .record = sink_record, .records = sink_records, .failed_batch = sink_records};

ks_sink ks_bucket_sink(ks_bucket *b)
{
	return (ks_sink){&sink_ops, b};
}

void ks_bucket_summarize(const ks_bucket *b)
{
	const ks_summary_row rows[] = {
	        {"objects", b->objects.total, "count"},
	        {"records", b->records.total, "count"},
	        {"bytes", b->bytes.total, "B"},
	};
	ks_summary_rows(b->ctx, b->name, rows, sizeof rows / sizeof rows[0]);
}
