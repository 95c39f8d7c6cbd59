/* A Lambda event source mapping's poller on one shard, for one function copy (MODEL.md
 * section 5): it reads the shard through the shared read limit, buffers what it read, invokes
 * the function batch after batch, and reads again.
 *
 * Nothing is copied: the buffer and the batch in flight are ranges of the shard's log.
 *   position  first record not yet finished (registered with the shard, which keeps it)
 *   batch_end end of the batch in flight (== position when none is)
 *   cursor    next record to read; [batch_end, cursor) is the buffer
 * One pending event at a time: the next read, a read's response, or the batch's completion.
 * With enhanced fan-out the reads are replaced by deliveries (efo.h): the poller sleeps until
 * the next record is pushed, takes everything delivered by then, and batches it the same way. */
#ifndef KS_POLLER_H
#define KS_POLLER_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/context.h"
#include "models/efo.h"
#include "models/function.h"
#include "models/stream.h"
#include "sim/dist.h"

typedef enum { KS_AGE_BATCH_RECEIVED, KS_AGE_INVOKE_SENT, KS_AGE_INVOKE_FINISHED } ks_age_at;

typedef struct ks_poller_config {
	/* trigger */
	uint32_t batch_size;
	/* platform.lambda */
	sim_time poll_interval;
	bool strict;       /* poll_mode: strict (one read per interval) vs catch_up */
	double poll_jitter;
	uint32_t getrecords_limit;
	uint64_t getrecords_max_bytes; /* [doc] 10 MiB */
	uint64_t payload_max_bytes;    /* [doc] 6 MB invocation payload */
	sim_time throttle_penalty;
	sim_time backoff_base, backoff_cap;
	double backoff_factor;
	int backoff_jitter; /* ks_jitter of producer.h */
	const sim_dist *getrecords_latency;
	const sim_dist *invoke_overhead;
	ks_age_at age_at;
	/* enhanced fan-out: records pushed through a registered subscription instead of read
	 * through the shared limit */
	bool efo;
	ks_efo_config efo_cfg;
	sim_time efo_lookahead; /* how far ahead to look for the next delivery when idle */
} ks_poller_config;

/* The world a poller reads: advance(world, now) brings every producer up to now. */
typedef void (*ks_advance_fn)(void *world, sim_time now);

typedef struct ks_poller {
	ks_ctx *ctx;
	ks_poller_config cfg;
	ks_function *fn;
	ks_stream *stream;
	ks_shard *shard;
	size_t column; /* of the function's per-shard series */
	ks_advance_fn advance;
	void *world;
	gsl_rng *poll_rng, *latency_rng, *invoke_rng;

	uint64_t position, batch_end, cursor;
	sim_time read_start;     /* of the last admitted read */
	sim_time response_at;    /* when the last read's records arrived */
	bool more_available;     /* the last read returned a full page */
	int throttles_in_a_row;
	sim_time invoke_sent;
	sim_time handler_duration;
	sim_handle pending;
	ks_efo efo; /* with cfg.efo */
	/* Resharding: this consumer's pollers of the shard's parents, which it reads to their
	 * end first [doc]; done once its closed shard is read and processed to the end. */
	struct ks_poller **parents;
	size_t nparents;
	bool done;
} ks_poller;

void ks_poller_init(ks_poller *p, ks_ctx *ctx, const ks_poller_config *cfg, ks_function *fn,
                    ks_stream *stream, size_t shard, size_t column, ks_advance_fn advance,
                    void *world);
void ks_poller_fini(ks_poller *p);
/* Links the poller of a child shard to this consumer's pollers of its parents. */
void ks_poller_add_parent(ks_poller *p, ks_poller *parent);
/* Schedules the first read at a random phase U(0, poll_interval) after the shard opens. */
void ks_poller_start(ks_poller *p);
/* At the end of the run: records that expired before this poller reached them count as
 * expired for its function. */
void ks_poller_finish(ks_poller *p, sim_time now);

#endif
