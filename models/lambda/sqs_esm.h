/* A Lambda event source mapping on an SQS queue (docs/model.md "Queues (SQS)"): pollers receive
 * batches of visible messages and invoke the function with copies of their records.
 *
 * Concurrency [doc]: the mapping starts with 5 concurrent batches and, while messages wait
 * (visible messages and every batch slot busy), adds 300 per minute [choice: 5 each second],
 * up to 1000 or maximum_concurrency; [choice] it never scales back down within a run.
 * A free slot receives at once when messages are visible [choice: long polling answers
 * immediately; the receive itself takes no time]; with maximum_batching_window it waits until
 * batch_size messages are visible or the window, opened by the first message seen waiting,
 * has passed. A batch stops short of batch_size when the next record would take the payload
 * past 6 MB [doc].
 *
 * Outcomes: OK deletes the batch (records processed; poison ones the handler skipped are
 * counted by the function). FAILED deletes nothing: the messages become visible again when
 * their visibility timeout ends, their receive count grows, and the queue redrives them after
 * max_receive_count. With report_batch_item_failures the handler (which stops at its first
 * failed record under fail_batch) reports that record and every later one as failed: the
 * records before it are processed and deleted [choice; AWS keeps exactly the reported ones,
 * which here are the same set]. A failure of the invocation itself (errors.invocation, an
 * outage, the timeout) fails the whole batch. THROTTLED: the messages stay in flight and come
 * back after the visibility timeout [doc]; the slot that was throttled pauses retry_delay
 * before it receives again [choice]. Messages processed twice (a visibility timeout shorter
 * than an invocation) are not counted as duplicates [choice]. Invariant: `busy` counts the
 * slots whose invocation has not finished; busy <= concurrency <= max_concurrency. */
#ifndef KS_SQS_ESM_H
#define KS_SQS_ESM_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/core/context.h"
#include "models/core/source.h"
#include "models/lambda/function.h"
#include "sim/dist.h"

typedef struct ks_sqs_esm_config {
	uint32_t batch_size;      /* default 10 */
	sim_time batching_window; /* maximum_batching_window */
	uint32_t max_concurrency; /* maximum_concurrency, or 1000 [doc] */
	bool item_failures;       /* report_batch_item_failures */
	sim_time retry_delay;     /* pause of a slot after a throttle */
	const sim_dist *invoke_overhead;
	uint64_t payload_max_bytes; /* 6 MB [doc] */
} ks_sqs_esm_config;

typedef struct ks_sqs_slot {
	ks_record *records;
	ks_receipt *receipts;
	uint32_t n;
	bool busy;
	ks_invocation inv;
	bool forwarding; /* the handler is back and waits for its sync forward targets */
} ks_sqs_slot;

typedef struct ks_sqs_esm {
	ks_ctx *ctx;
	ks_function *fn;
	ks_source queue; /* an SQS queue (core/source.h) */
	ks_sqs_esm_config cfg;
	gsl_rng *invoke_rng;
	ks_sqs_slot *slots;   /* max_concurrency of them, arrays allocated on first use */
	uint32_t concurrency; /* slots allowed now */
	uint32_t busy;
	uint32_t concurrency_max; /* the most reached */
	bool wake_pending, scale_pending, started;
	bool deferred_set; /* a later wake is pending at deferred_at */
	sim_time deferred_at;
	sim_time window_start; /* the open batching window (window_open) */
	bool window_open;
	sim_time paused_until; /* after a throttle */
	double batches, throttles;
} ks_sqs_esm;

enum { KS_SQS_START_CONCURRENCY = 5, KS_SQS_SCALE_PER_MINUTE = 300 };

ks_sqs_esm *ks_sqs_esm_create(ks_ctx *ctx, ks_function *fn, const ks_source *queue,
                              const ks_sqs_esm_config *cfg);
void ks_sqs_esm_destroy(ks_sqs_esm *e);
/* Starts polling (at the engine's now). */
void ks_sqs_esm_start(ks_sqs_esm *e);
/* [choice] what its queue still holds (visible or in flight) is pending for its function. */
void ks_sqs_esm_pending(const ks_sqs_esm *e);

#endif
