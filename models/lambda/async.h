/* A function's asynchronous invocation queue (docs/model.md "Retry paths"): the events of SNS
 * deliveries (and, later, async forwards), each carrying one data record copy, and of S3
 * object notifications (firehose/delivery.h, s3/bucket.h), each carrying copies of the object's
 * records, so that a record's latency counts from its original acceptance and its poison and work
 * follow it.
 *
 * [doc] Events are invoked one per invocation (a batch of its records) as concurrency allows. A
 * function error is retried up to maximum_retry_attempts (0..2) times, 1 min and then 2 min after
 * the failed attempt ends; a throttled event is requeued with an exponential delay from 1 s up to
 * 5 min; an event older than maximum_event_age (from when it reached the queue) when it comes
 * due, or out of attempts, goes to on_failure (a destination: core/sink.h) and is counted in the
 * function's records_on_failure (and on_failure_events when a destination is set).
 *
 * Invariants: events are data in a binary heap ordered by (due, sequence of insertion); one
 * engine timer is armed for the earliest due event when the heap is not empty; events being
 * invoked sit in `running` until their result is back. Nothing is lost: every event is in the
 * heap, running, processed (or skipped/forwarded by the handler) or on_failure. */
#ifndef KS_ASYNC_H
#define KS_ASYNC_H

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

#include "models/core/context.h"
#include "models/core/record.h"
#include "models/core/sink.h"
#include "models/lambda/function.h"
#include "sim/dist.h"
#include "sim/queue.h"

typedef struct ks_async_config {
	int max_retry_attempts;          /* [doc] 0..2, default 2 */
	sim_time max_event_age;          /* [doc] 60 s..6 h, default 6 h */
	ks_sink on_failure;              /* none: counted only */
	ks_sink on_success;              /* none: nothing sent */
	const sim_dist *invoke_overhead; /* paid before the handler; NULL: none */
} ks_async_config;

/* An attempt's outcome, for tests and traces. */
typedef void (*ks_async_observer)(void *ctx, sim_time t, const ks_record *r,
                                  ks_invoke_status status);

typedef struct ks_async_event {
	sim_time due;
	sim_time enqueued; /* reached the queue: the start of its maximum_event_age */
	uint64_t order;    /* insertion sequence: ties in due time keep FIFO order */
	ks_record record;
	/* An event of several records (an S3 object, ks_async_enqueue_batch): n copies owned by
	 * the event, invoked as one batch; NULL for an event of one record (`record`). */
	ks_record *records;
	uint32_t n;         /* records carried: 1, or n of `records` */
	uint32_t errors;    /* function errors so far */
	uint32_t throttles; /* throttles since the last attempt that ran */
} ks_async_event;

typedef struct ks_async_running {
	ks_async_event ev;
	ks_invocation inv;
	bool used;
	bool forwarding; /* the handler is back and waits for its sync forward targets */
} ks_async_running;

typedef struct ks_async {
	ks_ctx *ctx;
	ks_function *fn;
	ks_async_config cfg;
	gsl_rng *rng; /* invoke overhead draws */
	ks_async_event *heap;
	size_t n, cap;
	uint64_t next_order;
	sim_handle timer; /* 0: none */
	sim_time timer_at;
	ks_async_running *running;
	size_t nrunning, caprunning; /* slots; used ones are running */
	size_t active;               /* running slots in use */
	ks_async_observer observer;
	void *observer_ctx;
} ks_async;

ks_async *ks_async_create(ks_ctx *ctx, ks_function *fn, const ks_async_config *cfg);
/* Where events go (set when the model is linked): on_success [doc] each event an invocation
 * processed, on_failure those out of attempts or too old (unset sinks: none). */
void ks_async_set_destinations(ks_async *a, const ks_sink *on_success, const ks_sink *on_failure);
void ks_async_destroy(ks_async *a);
/* An event carrying record r reaches the queue at t (>= now; a delivery still on its way is
 * a future t). */
void ks_async_enqueue(ks_async *a, sim_time t, const ks_record *r);
/* One event carrying copies of n records (an S3 notification for an object): invoked as one
 * batch of n; a function error retries them all; on failure each record goes to the
 * destination as its own message, the event counting once in on_failure_events. The
 * observer sees the first record. */
void ks_async_enqueue_batch(ks_async *a, sim_time t, const ks_record *r, uint32_t n);
/* The queue as a destination: a record is one event; records, one event carrying them all (an
 * S3 object's notification). */
ks_sink ks_async_sink(ks_async *a);
/* Records of the events not finished: queued (or on their way) and running (one per event
 * of one record). */
size_t ks_async_pending(const ks_async *a);

#endif
