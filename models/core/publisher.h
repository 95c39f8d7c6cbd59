/* A publisher: what an SNS topic (sns/topics.c, docs/model.md "Retry paths") and an EventBridge bus
 * (eventbridge/buses.c) share. A publish delivers a copy of its message to every subscriber
 * (a function's asynchronous invocation queue, lambda/async.h; a queue; a topic) after the
 * delivery latency (platform.sns.delivery_latency or platform.eventbridge.delivery_latency,
 * one draw per delivery). [doc] SNS retries only deliveries
 * that fail, which this version does not model: every delivery arrives, and a function error
 * is the async queue's to retry.
 *
 * Invariants: published counts publishes at their instant, delivered counts deliveries at the
 * instant they reach the subscriber; both only before the end of the run. */
#ifndef KS_PUBLISHER_H
#define KS_PUBLISHER_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#include "models/core/context.h"
#include "models/core/metric.h"
#include "models/core/record.h"
#include "models/core/sink.h"
#include "sim/dist.h"

typedef struct ks_publisher {
	char *name;
	ks_ctx *ctx;
	sim_dist latency; /* copied */
	gsl_rng *rng;
	ks_sink *subscribers; /* who gets each message */
	size_t nsubscribers;
	ks_metric published, delivered;
	double requests;  /* publishes in the measured period: what SNS bills */
	double chunks;    /* the same in 64 KB chunks: what an EventBridge bus bills */
	double too_large; /* [doc] messages over 256 KiB refused, measured period */
} ks_publisher;

/* A publisher of kind `kind` ("topics", "buses"): its series in group "<kind>/<name>", its
 * delivery draws from random stream `purpose`. */
ks_publisher *ks_publisher_create(ks_ctx *ctx, const char *kind, const char *purpose,
                                  const char *name, const sim_dist *delivery_latency);
void ks_publisher_destroy(ks_publisher *t);
void ks_publisher_subscribe(ks_publisher *t, const ks_sink *subscriber);
/* The publisher as a destination: a record is published; an invocation record is a message
 * without a data record. */
ks_sink ks_publisher_sink(ks_publisher *t);
/* A message published at `at` (>= now) carrying data record r; NULL: a message without a data
 * record (a stream mapping's invocation record), counted as published and delivered but
 * invoking no subscriber ([choice] this version does not model handlers of those). */
void ks_publisher_publish(ks_publisher *t, sim_time at, const ks_record *r);
/* Writes <name>.{published,delivered,too_large}. */
void ks_publisher_summarize(ks_publisher *t);

#endif
