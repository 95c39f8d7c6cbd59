/* A Lambda function (one copy of it): what an invocation does and what it measures (docs/model.md
 * section 6). Event sources (kinesis_esm.h, sqs_esm.h, async.h, fanout.h) decide when to invoke it.
 *
 * An invocation (ks_function_invoke) is decided whole at the instant of the call: the
 * concurrency check (the function's reservation and the account's pools, account.h), the
 * execution environment (the most recently used free one, or a new one that pays a cold start;
 * a free one idle for idle_reclaim is gone), the handler's duration (per_invocation + each
 * record's own per_record work, capped by the timeout), and its outcome under the failure
 * injection (errors.*) and the handler's on_record_error policy (then: forward sends each failed
 * record on to forward_to when the invocation succeeds). The caller schedules the end
 * and gives the concurrency and the environment back with ks_function_finish.
 *
 * Invariants: `concurrent` counts the invocations between ks_function_invoke (not throttled)
 * and ks_function_finish; the free environments are sorted by the time they were freed, the
 * most recently used last. Counts belong to the instant of their event and only those in the
 * measured period [warmup, stop) reach the summary. */
#ifndef KS_FUNCTION_H
#define KS_FUNCTION_H

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

#include "models/core/context.h"
#include "models/core/log.h"
#include "models/core/metric.h"
#include "models/core/record.h"
#include "models/core/sink.h"
#include "sim/dist.h"
#include "sim/hist.h"

struct ks_function;
struct ks_account;

/* on_record_error: what the handler does with a record that fails (a poison record). */
typedef enum {
	KS_RECORD_FAIL_BATCH, /* the error bubbles up: the invocation fails at that record */
	KS_RECORD_SKIP,       /* swallowed, counted as records_skipped */
	KS_RECORD_RETRY,      /* tried `retries` more times in the handler, then `then` */
	KS_RECORD_FORWARD,    /* (then only) sent on as one message, counted as records_forwarded */
} ks_record_policy;

/* errors.outages: invocations whose request arrives in [start, end) fail. */
typedef struct ks_outage {
	sim_time start, end;
} ks_outage;

typedef struct ks_function_config {
	const char *name;
	sim_dist per_invocation; /* ns; copied */
	sim_dist per_record;     /* ns; copied; each record takes its v-quantile */
	sim_time timeout;        /* a handler that reaches it fails; <= 0: none */
	double memory_bytes;
	/* The Lambda issue. All zero: no reservation, no account limit, every free environment
	 * reclaimed at once (idle_reclaim 0), no cold start, no failures, fail_batch. */
	struct ks_account *account; /* shared by every function of the run; NULL: no limit */
	bool has_reserved;          /* reserved_concurrency is set */
	int64_t reserved_concurrency;
	int64_t provisioned_concurrency; /* environments ready before the run, never reclaimed */
	sim_time idle_reclaim;           /* a free environment idle this long is reclaimed */
	sim_dist cold_start; /* ns; copied; paid by an invocation on a new environment */
	double error_rate;   /* errors.invocation */
	double poison_rate;  /* errors.poison_records: a record is poison when its u < this */
	const uint64_t *poison_indices; /* errors.poison_indices (producer indices); copied */
	size_t npoison_indices;
	const ks_outage *outages; /* errors.outages; copied */
	size_t noutages;
	ks_record_policy policy; /* on_record_error.policy */
	uint32_t retries;        /* on_record_error.retries (policy retry) */
	ks_record_policy then;   /* on_record_error.then: SKIP, FAIL_BATCH or FORWARD */
} ks_function_config;

/* A free execution environment: its id and when its last invocation ended. */
typedef struct ks_env {
	int id;
	sim_time free_since;
} ks_env;

/* Called for every batch a function finished: records [from, to) of a shard's log at time t
 * (for traces and for tests of order). A batch that is not a contiguous range of the log (a
 * lane's subset) is reported as one call per contiguous run of sequence numbers, in order. */
typedef void (*ks_batch_observer)(void *ctx, const struct ks_function *f, const ks_log *log,
                                  uint64_t from, uint64_t to, sim_time t);

typedef struct ks_function {
	char *name;
	ks_ctx *ctx;
	sim_dist per_invocation, per_record;
	bool per_record_const;
	sim_time timeout;
	double memory_bytes;
	gsl_rng *duration_rng;

	int concurrent; /* invocations running now */
	ks_metric invocations, errors, throttles, duration_sum_ms, duration_max_ms, concurrent_max,
	        cold_starts, records_processed, records_skipped, records_forwarded, records_expired,
	        records_on_failure, on_failure_events, on_success_events, duplicates;
	/* [doc] the event source mappings' event counts (kinesis triggers) */
	ks_metric polled_events, filtered_out_events, invoked_events, failed_invoke_events,
	        dropped_events, on_failure_delivered_events;
	ks_metric iterator_age_max_ms, read_throttled; /* per shard column */
	sim_series *duration_avg_ms;                   /* derived at the end */
	sim_hist *latency;
	ks_batch_observer observer;
	void *observer_ctx;
	/* Measured-period aggregates that are not plain sums. */
	double iterator_age_sum_ms, iterator_age_batches, iterator_age_max;
	double getrecords_age_max_ms;
	size_t polled_columns; /* shards read by GetRecords (0: no stream trigger, or enhanced
	                        * fan-out only: the GetRecords metrics do not apply) */
	double billed_gb_s;    /* on-demand duration */
	double provisioned_duration_gb_s; /* duration on provisioned environments */
	int provisioned;                  /* environments 0 .. provisioned - 1 */
	int *prov_free;                   /* free provisioned environments, a stack */
	int nprov_free;
	double records_pending; /* accepted, not finished when the run ended (set by the model) */
	/* [doc] the invocation records sent to on_failure: one row per discarded batch */
	double *on_failure_rows;
	size_t on_failure_n, on_failure_cap;
	double requests;
	double events_too_large;  /* [doc] async events over 1 MiB refused, measured period */
	double window_finals;     /* tumbling windows' final invocations that succeeded */
	double recursion_stopped; /* [doc] records not invoked: 16 invocations in their chain */

	/* Concurrency, environments, failure injection and the handler's policy. */
	ks_metric duration_count; /* handler durations summed in duration_sum_ms (not output) */
	struct ks_account *account;
	bool has_reserved;
	int64_t reserved_concurrency;
	sim_time idle_reclaim;
	/* [doc] scaling rate: 1,000 new execution environments per 10 s per function, a bucket
	 * of new environments refilled at 100/s, full at the start */
	double scale_tokens;
	sim_time scale_refilled;
	sim_dist cold_start;
	gsl_rng *cold_rng;  /* cold start draws */
	gsl_rng *error_rng; /* errors.invocation draws */
	ks_env *idle;       /* free environments, sorted by free_since, most recent last */
	size_t nidle, capidle;
	int envs;     /* environments alive (running or free and not yet reclaimed) */
	int next_env; /* id of the next new environment */
	double error_rate, poison_rate;
	uint64_t *poison_indices; /* sorted */
	size_t npoison_indices;
	ks_outage *outages;
	size_t noutages;
	ks_record_policy policy, then;
	uint32_t retries;
	/* then: forward: where each failed record goes, sent when the invocation that failed on it
	 * ends (set when the model is linked; none: only counted) */
	ks_sink forward_to;
	struct ks_fanout *fanout; /* `forward:` (fanout.h), set when linked; NULL: none */
} ks_function;

ks_function *ks_function_create(ks_ctx *ctx, const ks_function_config *cfg);
void ks_function_destroy(ks_function *f);

/* Adds a per-shard column (a shard made during the run); returns its index. */
size_t ks_function_add_shard_column(ks_function *f, const char *label);

void ks_function_note_expired(ks_function *f, sim_time t, uint64_t n);
void ks_function_note_read(ks_function *f, sim_time t, size_t column, bool admitted,
                           sim_time getrecords_age);

/* ---- The invocation interface (the Lambda issue) ------------------------------------------
 * An event source mapping (kinesis_esm.c, sqs_esm.c) forms a batch and asks the function to run it;
 * the function decides, at the instant of the call, whether it is throttled (account and reserved
 * concurrency), which execution environment runs it (a cold start or a reuse), how long the
 * handler runs, and how it ends under the failure injection and the handler's on_record_error
 * policy. The ESM then applies its own error handling (retries, bisect, item failures,
 * on_failure) and reports the records it counts as processed. */

/* A batch: records of one shard, in sequence order (a range, or a lane's subset of one), or
 * copies of records carried by messages (queues, topics, async events: `records` set). */
typedef struct ks_batch {
	const ks_log *log;   /* a shard's log ... */
	const uint64_t *seq; /* ... and n of its sequence numbers, ascending; NULL: the n from
	                      * `first` (a range) */
	uint64_t first;
	const ks_record *records; /* instead of log and seq: n records */
	uint32_t n;
} ks_batch;

/* The sequence number of record i of a batch of the log. */
static inline uint64_t ks_batch_seq(const ks_batch *b, uint32_t i)
{
	return b->seq ? b->seq[i] : b->first + i;
}

static inline const ks_record *ks_batch_record(const ks_batch *b, uint32_t i)
{
	return b->records ? &b->records[i] : ks_log_record(b->log, ks_batch_seq(b, i));
}

typedef enum {
	KS_INVOKE_OK,        /* the handler returned success */
	KS_INVOKE_THROTTLED, /* over the concurrency limit: not run, not an invocation */
	KS_INVOKE_FAILED,    /* a function error */
} ks_invoke_status;

typedef struct ks_invocation {
	ks_invoke_status status;
	bool cold;         /* started a new execution environment */
	sim_time end;      /* when the result is back (for THROTTLED: the call instant) */
	sim_time duration; /* handler time (billed, rounded up to 1 ms) */
	/* FAILED by a record: index in the batch of the first record that failed (the handler
	 * stops there under fail_batch); whole_batch when the failure is the invocation's own
	 * (errors.invocation, an outage, the timeout) and no record is to blame. */
	uint32_t first_failed;
	bool whole_batch;
	int env; /* the environment held until ks_function_finish */
} ks_invocation;

/* Runs batch b: the invoke request arrives at now + overhead (the ESM's invoke_overhead is
 * paid before the handler; a cold start after it). Fills out. Counts Invocations, Throttles,
 * Errors, ColdStarts, concurrency, duration, skipped records (skip policy) and billing. */
void ks_function_invoke(ks_function *f, sim_time now, sim_time overhead, const ks_batch *b,
                        ks_invocation *out);
/* The invocation's result is back (at out->end): frees its concurrency and environment. */
void ks_function_finish(ks_function *f, const ks_invocation *inv);
/* Whether a record always fails in this function's handler (errors.poison_records from the
 * record's own u, or errors.poison_indices). */
bool ks_function_is_poison(const ks_function *f, const ks_record *r);
/* Whether any record can be poison for this function (else callers skip the per-record test). */
static inline bool ks_function_may_fail(const ks_function *f)
{
	return f->poison_rate > 0 || f->npoison_indices > 0;
}

/* Records [from, to) of batch b were processed successfully, their invocation ending at t:
 * records_processed, the latency histogram (records accepted in the measured period), Lambda
 * IteratorAge of the last of them taken at age_at (column: the shard's per-shard column), the
 * batch observer. Duplicates and the other outcomes are the ESM's to count (their ks_metric
 * fields are public). */
void ks_function_processed(ks_function *f, sim_time t, const ks_batch *b, uint32_t from,
                           uint32_t to, size_t column, sim_time age_at);

/* Lambda's IteratorAge of an invocation of batch b that ended at t, whatever its outcome (a
 * failed batch that blocks its shard shows its age growing: docs/validation.md case 9): the age of
 * b's last record at age_at, in column `column`. For invocations that processed nothing;
 * ks_function_processed already notes the age of what it is given. */
void ks_function_note_iterator_age(ks_function *f, sim_time t, const ks_batch *b, size_t column,
                                   sim_time age_at);

/* Why a batch was discarded (the on_failure record's condition). */
typedef enum { KS_DISCARD_RETRIES = 0, KS_DISCARD_RECORD_AGE = 1 } ks_discard_condition;

/* [doc] One invocation record for on_failure: the shard (its per-shard column), the batch's
 * first and last sequence numbers, its size, the approximate invoke count, the condition. */
void ks_function_on_failure(ks_function *f, sim_time t, size_t column, uint64_t first,
                            uint64_t last, uint32_t size, uint32_t invokes,
                            ks_discard_condition condition);

/* Writes the summary values (and derives duration_avg_ms). */
void ks_function_summarize(ks_function *f);

#endif
