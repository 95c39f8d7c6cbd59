/* A Lambda event source mapping on one shard, for one function copy (MODEL.md section 5).
 *
 * Two halves share this struct. The read side (poller.c) gets records: through the shard's
 * shared read limit (GetRecords, polling) or, with enhanced fan-out, from the subscription's
 * pushes (efo.h). The batch side (esm.c) deals them to lanes by partition key, forms batches,
 * invokes the function and applies the mapping's error handling.
 *
 * Nothing is copied out of the log: a lane holds the sequence numbers of its records (a batch
 * is a prefix of its lane), and the log keeps every record until all lanes are done with it:
 *   position  the first record some lane has not finished (`keep`, registered with the shard)
 *   taken     the first record neither finished nor in flight (`taken`, for expiry counts)
 *   cursor    the next record to read
 * The read side reads only when every lane is idle and none can invoke (MODEL.md: "when its
 * buffer is empty and its batches are done"; with a batching window, lanes waiting for their
 * window let reads go on). */
#ifndef KS_POLLER_H
#define KS_POLLER_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/core/context.h"
#include "models/kinesis/efo.h"
#include "models/lambda/function.h"
#include "models/kinesis/producer.h"
#include "models/kinesis/stream.h"
#include "sim/dist.h"

typedef enum { KS_AGE_BATCH_RECEIVED, KS_AGE_INVOKE_SENT, KS_AGE_INVOKE_FINISHED } ks_age_at;
typedef enum { KS_START_LATEST, KS_START_TRIM_HORIZON, KS_START_AT_TIMESTAMP } ks_start;

typedef struct ks_poller_config {
	/* trigger [doc] */
	uint32_t batch_size;
	sim_time batching_window; /* maximum_batching_window */
	uint32_t lanes;           /* parallelization_factor */
	ks_start start;
	sim_time start_at;          /* starting_position_timestamp */
	int64_t max_retry_attempts; /* -1: until the records expire */
	sim_time max_record_age;    /* -1: none */
	bool bisect;
	bool item_failures;                /* report_batch_item_failures */
	bool on_failure;                   /* a destination is configured */
	struct ks_queue *on_failure_queue; /* when it is a queue */
	struct ks_topic *on_failure_topic; /* when it is a topic */
	/* platform.lambda */
	sim_time poll_interval;
	bool strict; /* poll_mode: strict (one read per interval) vs catch_up */
	double poll_jitter;
	uint32_t getrecords_limit;
	uint64_t getrecords_max_bytes; /* [doc] 10 MiB */
	uint64_t payload_max_bytes;    /* [doc] 6 MB invocation payload */
	sim_time throttle_penalty;
	sim_time backoff_base, backoff_cap;
	double backoff_factor;
	int backoff_jitter; /* ks_jitter of producer.h */
	sim_time retry_delay;
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

/* One lane: its records (a deque of sequence numbers; the first `inflight` are the batch in
 * flight or waiting for its retry) and its error-handling state. */
typedef struct ks_lane {
	uint64_t *seq;
	size_t head, n, cap;     /* records seq[head .. head + n) */
	uint32_t inflight;       /* the first this many records form the current batch */
	bool busy;               /* a batch is in flight or waiting for a retry */
	int64_t attempts;        /* function errors of the current batch */
	uint32_t invokes;        /* invocations of the current batch (for on_failure records) */
	sim_time first_buffered; /* when the oldest record not in a batch was read */
	sim_time invoke_sent;
	uint64_t processed_end; /* one past the highest record processed: below it, duplicates */
	ks_invocation inv;
	uint32_t split[32]; /* bisect: sizes of the halves still to run, innermost last */
	uint32_t nsplit;
	sim_handle timer; /* window or retry timer */
	bool forwarding;  /* the handler is back and waits for its sync forward targets */
} ks_lane;

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

	uint64_t position, taken, cursor;
	uint64_t read_from;   /* where the read in flight started ... */
	bool read_in_flight;  /* ... while its response has not arrived */
	sim_time read_start;  /* of the last admitted read */
	sim_time response_at; /* when the last read's records arrived */
	bool more_available;  /* the last read returned a full page */
	bool reading;         /* a read (or its response, or a wait for one) is pending */
	int throttles_in_a_row;
	ks_lane *lanes;
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

/* ---- between the read side (poller.c) and the batch side (esm.c) ---- */

/* The batch side: deal records [from, to) just read to the lanes. */
void ks_esm_add(ks_poller *p, uint64_t from, uint64_t to, sim_time now);
/* Invokes every lane that can; reports whether all lanes are idle with nothing to invoke now
 * (the read side may read). */
bool ks_esm_kick(ks_poller *p, sim_time now);
/* Records below the shard's live range that no lane has in flight expired: drop and count. */
void ks_esm_expire(ks_poller *p, sim_time now);
/* Whether no lane holds a record. */
bool ks_esm_empty(const ks_poller *p);
/* Recomputes position and taken from the lanes, and trims the log. */
void ks_esm_positions(ks_poller *p);
/* The lane events: arguments from KS_ESM_EVENTS up, scheduled with ks_poller_event. */
#define KS_ESM_EVENTS 16
void ks_esm_event(ks_poller *p, sim_time now, uint64_t arg);
void ks_poller_event(sim_engine *e, void *obj, uint64_t arg);
void ks_esm_fini(ks_poller *p);

/* The read side: the batch side became idle at now; read when it is time. */
void ks_poller_lanes_idle(ks_poller *p, sim_time now);

#endif
