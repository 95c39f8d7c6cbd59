/* A polled source of messages: what a Lambda event source mapping receives from and deletes
 * from (an SQS queue, sqs/queue.h). The mapping lives with Lambda and the queue with SQS; they
 * meet here, as senders and destinations meet in sink.h.
 *
 * A receive hands out copies of the messages' records and one receipt each; deleting by
 * receipt removes a message only if it was not received again since (its visibility timeout
 * passed). */
#ifndef KS_SOURCE_H
#define KS_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "models/core/record.h"
#include "sim/time.h"

/* What a receive hands out: enough to delete the message later under this receive. */
typedef struct ks_receipt {
	uint32_t id, gen, receives;
} ks_receipt;

typedef struct ks_source_ops {
	const char *(*name)(const void *obj);
	/* Messages visible at now. */
	size_t (*visible)(void *obj, sim_time now);
	/* Up to max visible messages (fewer when the next would take the records' bytes past
	 * max_bytes, at least one): their records and receipts; returns how many. */
	uint32_t (*receive)(void *obj, sim_time now, uint32_t max, uint64_t max_bytes,
	                    ks_record *records, ks_receipt *receipts);
	/* Deletes by receipt; returns how many were deleted. */
	uint32_t (*remove)(void *obj, sim_time now, const ks_receipt *receipts, uint32_t n);
	/* fn(ctx, now) is called, synchronously, whenever messages become visible. */
	void (*listen)(void *obj, void (*fn)(void *ctx, sim_time now), void *ctx);
	/* Messages it holds, visible or in flight (what a mapping has still to process). */
	size_t (*held)(const void *obj);
} ks_source_ops;

typedef struct ks_source {
	const ks_source_ops *ops; /* NULL: not a source */
	void *obj;
} ks_source;

#endif
