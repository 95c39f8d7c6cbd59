/* A publisher: publishes fan out to the subscribers (publisher.h). */
#include "models/core/publisher.h"

#include <math.h>

#include "sim/alloc.h"
#include "sim/rng.h"

ks_publisher *ks_publisher_create(ks_ctx *ctx, const char *kind, const char *purpose,
                                  const char *name, const sim_dist *delivery_latency)
{
	ks_publisher *t = sim_calloc(1, sizeof *t);
	t->name = sim_strdup(name);
	t->ctx = ctx;
	t->latency = sim_dist_copy(delivery_latency);
	t->rng = sim_rng_stream(ctx->seed, ctx->replication, name, purpose, -1);
	char *group = sim_asprintf("%s/%s", kind, name);
	ks_metric_init(&t->published, ctx, group, "published", SIM_SERIES_SUM, 1, "count",
	               "messages published to the topic", NULL);
	ks_metric_init(&t->delivered, ctx, group, "delivered", SIM_SERIES_SUM, 1, "count",
	               "messages delivered to subscribed functions", NULL);
	sim_free(group);
	return t;
}

void ks_publisher_destroy(ks_publisher *t)
{
	if (!t)
		return;
	ks_metric_fini(&t->published);
	ks_metric_fini(&t->delivered);
	sim_dist_fini(&t->latency);
	gsl_rng_free(t->rng);
	sim_free(t->subscribers);
	sim_free(t->name);
	sim_free(t);
}

void ks_publisher_subscribe(ks_publisher *t, const ks_sink *subscriber)
{
	t->subscribers =
	        sim_reallocarray(t->subscribers, t->nsubscribers + 1, sizeof *t->subscribers);
	t->subscribers[t->nsubscribers++] = *subscriber;
}

void ks_publisher_publish(ks_publisher *t, sim_time at, const ks_record *r)
{
	sim_time stop = t->ctx->stop;
	if (at >= stop)
		return; /* after the run */
	ks_metric_add(&t->published, at, 0, 1);
	if (at >= t->ctx->warmup) {
		t->requests += 1; /* [doc] SNS bills publishes */
		/* [doc] EventBridge bills each 64 KB chunk of an event as one event */
		t->chunks += r && r->bytes > 65536 ? (double)((r->bytes + 65535) / 65536) : 1;
	}
	/* [meas] each subscriber gets the message delivery_latency later (platform.sns); [doc] a
	 * function error is then the async path's to retry, not SNS's. */
	for (size_t i = 0; i < t->nsubscribers; i++) {
		sim_time lat = sim_dist_sample_ns(&t->latency, t->rng);
		sim_time when = at + lat;
		if (when < stop)
			ks_metric_add(&t->delivered, when, 0, 1);
		if (r)
			ks_sink_record(&t->subscribers[i], when, r);
	}
}

void ks_publisher_summarize(ks_publisher *t)
{
	ks_summary_set(t->ctx, t->name, "published", t->published.total, "count");
	ks_summary_set(t->ctx, t->name, "delivered", t->delivered.total, "count");
	ks_summary_set(t->ctx, t->name, "too_large", t->too_large, "count");
}

/* [doc] SNS and EventBridge take messages (events) of up to 256 KiB; a larger one is refused
 * and lost [choice: not retried]. */
#define MAX_MESSAGE_BYTES 262144u

static void sink_record(void *obj, sim_time t, const ks_record *r)
{
	ks_publisher *topic = obj;
	if (r->bytes > MAX_MESSAGE_BYTES) {
		if (ks_measured(topic->ctx, t))
			topic->too_large++;
		return;
	}
	ks_publisher_publish(topic, t, r);
}

static void sink_failed_batch(void *obj, sim_time t, const ks_record *r, uint32_t n)
{
	(void)r;
	(void)n;
	ks_publisher_publish(obj, t, NULL); /* [doc] metadata only */
}

static const ks_sink_ops sink_ops = {.record = sink_record, .failed_batch = sink_failed_batch};

ks_sink ks_publisher_sink(ks_publisher *t)
{
	return (ks_sink){&sink_ops, t};
}
