/* SQS queues as destinations: sent messages, visible until they expire. */
#include "models/queue.h"

#include "sim/alloc.h"

ks_queue *ks_queue_create(ks_ctx *ctx, const char *name, sim_time retention)
{
	ks_queue *q = sim_calloc(1, sizeof *q);
	q->name = sim_strdup(name);
	q->ctx = ctx;
	q->retention = retention;
	char *group = sim_asprintf("queues/%s", name);
	ks_metric_init(&q->sent, ctx, group, "sent", SIM_SERIES_SUM, 1, "count",
	               "messages sent to the queue", NULL);
	ks_metric_init(&q->visible_max, ctx, group, "visible_max", SIM_SERIES_MAX, 1, "count",
	               "most messages visible (ApproximateNumberOfMessagesVisible, max)", NULL);
	sim_free(group);
	return q;
}

void ks_queue_destroy(ks_queue *q)
{
	if (!q)
		return;
	ks_metric_fini(&q->sent);
	ks_metric_fini(&q->visible_max);
	sim_free(q->expiry);
	sim_free(q->name);
	sim_free(q);
}

/* Messages past their retention leave the queue. */
static void expire(ks_queue *q, sim_time now)
{
	while (q->n > 0 && q->expiry[q->head] <= now) {
		q->head++;
		q->n--;
	}
	if (q->n == 0)
		q->head = 0;
}

void ks_queue_send(ks_queue *q, sim_time t)
{
	expire(q, t);
	if (q->head + q->n == q->cap && q->head > 0) { /* compact */
		for (size_t i = 0; i < q->n; i++)
			q->expiry[i] = q->expiry[q->head + i];
		q->head = 0;
	}
	sim_grow(&q->expiry, &q->cap, q->head + q->n + 1, sizeof *q->expiry);
	q->expiry[q->head + q->n++] = t + q->retention;
	ks_metric_add(&q->sent, t, 0, 1);
	ks_metric_max(&q->visible_max, t, 0, (double)q->n);
}

void ks_queue_send_record(ks_queue *q, sim_time t, const ks_record *record)
{
	(void)record; /* receivers arrive with the SQS model; until then only counted */
	ks_queue_send(q, t);
}

void ks_queue_summarize(ks_queue *q, sim_time now)
{
	expire(q, now);
	sim_metrics *m = q->ctx->metrics;
	char *path = sim_asprintf("%s.sent", q->name);
	sim_metrics_set_value(m, path, q->sent.total, "count");
	sim_free(path);
	path = sim_asprintf("%s.visible_max", q->name);
	sim_metrics_set_value(m, path, q->visible_max.total, "count");
	sim_free(path);
	const char *zero[] = {"received", "deleted", "alarm_fired"};
	for (size_t i = 0; i < 3; i++) {
		path = sim_asprintf("%s.%s", q->name, zero[i]);
		sim_metrics_set_value(m, path, 0, "count");
		sim_free(path);
	}
}
