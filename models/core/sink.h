/* Where records go: a destination named in the scenario. One type serves every path that
 * hands records on: a mapping's or an async queue's on_failure, a handler's forward_to, the
 * fan-out layer's async, stream and topic targets, a topic's subscribers and a delivery
 * stream's S3 notifications. Names are resolved once, when the model is built
 * (core/component.h); the sender then calls through the sink without knowing what is behind
 * it, so a new kind of destination is one component, not a change to every sender.
 *
 * A destination implements what it can receive:
 *   record        one message carrying one data record (its arrival time, producer index and
 *                 key travel with it, so latency, poison and work follow the record);
 *   records       one message carrying n records as one unit (an S3 object's notification, a
 *                 failed async event); NULL: n messages of one record each;
 *   failed_batch  a stream mapping's invocation record of a batch it discarded: [doc] SQS and
 *                 SNS destinations get metadata only, an S3 destination the batch itself.
 * A message is sent at t >= now: a handler forwards when its invocation ends, a future
 * instant; a destination that must see messages in time order holds it until then. */
#ifndef KS_SINK_H
#define KS_SINK_H

#include <stdbool.h>
#include <stdint.h>

#include "models/core/record.h"
#include "sim/time.h"

typedef struct ks_sink_ops {
	void (*record)(void *obj, sim_time t, const ks_record *r);
	void (*records)(void *obj, sim_time t, const ks_record *r, uint32_t n);
	void (*failed_batch)(void *obj, sim_time t, const ks_record *r, uint32_t n);
} ks_sink_ops;

typedef struct ks_sink {
	const ks_sink_ops *ops; /* NULL: no destination */
	void *obj;
} ks_sink;

static inline bool ks_sink_set(const ks_sink *s)
{
	return s->ops != NULL;
}

void ks_sink_record(const ks_sink *s, sim_time t, const ks_record *r);
void ks_sink_records(const ks_sink *s, sim_time t, const ks_record *r, uint32_t n);
/* The same, sent on by a Lambda function: each record one hop more (record.h). */
void ks_sink_hop_record(const ks_sink *s, sim_time t, const ks_record *r);
void ks_sink_hop_records(const ks_sink *s, sim_time t, const ks_record *r, uint32_t n);
/* Asserts that the destination takes invocation records (the scenario checked it). */
void ks_sink_failed_batch(const ks_sink *s, sim_time t, const ks_record *r, uint32_t n);

#endif
