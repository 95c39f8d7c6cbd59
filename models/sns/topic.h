/* An SNS topic (MODEL.md section 7): a publish delivers a copy of its message to every
 * subscriber (a function's asynchronous invocation queue, lambda/async.h) after the delivery
 * latency (platform.sns.delivery_latency, one draw per delivery). [doc] SNS retries only deliveries
 * that fail, which this version does not model: every delivery arrives, and a function error
 * is the async queue's to retry.
 *
 * Invariants: published counts publishes at their instant, delivered counts deliveries at the
 * instant they reach the subscriber; both only before the end of the run. */
#ifndef KS_TOPIC_H
#define KS_TOPIC_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#include "models/core/context.h"
#include "models/core/metric.h"
#include "models/core/record.h"
#include "models/core/sink.h"
#include "sim/dist.h"

typedef struct ks_topic {
	char *name;
	ks_ctx *ctx;
	sim_dist latency; /* copied */
	gsl_rng *rng;
	ks_sink *subscribers; /* the functions whose sns triggers name it */
	size_t nsubscribers;
	ks_metric published, delivered;
	double requests;  /* publishes in the measured period: what SNS bills */
	double too_large; /* [doc] messages over 256 KiB refused, measured period */
} ks_topic;

ks_topic *ks_topic_create(ks_ctx *ctx, const char *name, const sim_dist *delivery_latency);
void ks_topic_destroy(ks_topic *t);
void ks_topic_subscribe(ks_topic *t, const ks_sink *subscriber);
/* The topic as a destination: a record is published; an invocation record is a message
 * without a data record. */
ks_sink ks_topic_sink(ks_topic *t);
/* A message published at `at` (>= now) carrying data record r; NULL: a message without a data
 * record (a stream mapping's invocation record), counted as published and delivered but
 * invoking no subscriber ([choice] this version does not model handlers of those). */
void ks_topic_publish(ks_topic *t, sim_time at, const ks_record *r);
/* Writes <topic>.{published,delivered}. */
void ks_topic_summarize(ks_topic *t);

#endif
