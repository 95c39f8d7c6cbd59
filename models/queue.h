/* An SQS queue (MODEL.md section 7). This version models a queue as a destination: messages
 * sent to it (on-failure records) are counted and stay visible until they expire; receiving
 * (sqs triggers), visibility, redrive and alarms arrive with the retry-paths issue, and their
 * scenario keys are refused until then. */
#ifndef KS_QUEUE_H
#define KS_QUEUE_H

#include <stdint.h>

#include "models/context.h"
#include "models/metric.h"
#include "models/record.h"

typedef struct ks_queue {
	char *name;
	ks_ctx *ctx;
	sim_time retention; /* [doc] messages expire this long after their first enqueue */
	ks_metric sent, visible_max;
	sim_time *expiry; /* expiry times of the visible messages, in order */
	size_t head, n, cap;
} ks_queue;

ks_queue *ks_queue_create(ks_ctx *ctx, const char *name, sim_time retention);
void ks_queue_destroy(ks_queue *q);
/* A message sent at t: an invocation record (no data record, e.g. an on-failure record of a
 * stream mapping) ... */
void ks_queue_send(ks_queue *q, sim_time t);
/* ... or a data record carried by the message (a forwarded or failed record: its arrival
 * time, producer index and key travel with it, so its latency and its luck follow it). */
void ks_queue_send_record(ks_queue *q, sim_time t, const ks_record *record);
/* Writes <queue>.{sent,received,deleted,visible_max,alarm_fired}. */
void ks_queue_summarize(ks_queue *q, sim_time now);

#endif
