/* A Lambda function copy: invocations (concurrency, environments, duration, failures, the
 * handler's policy), billing, and the per-function metrics of docs/output.md. The rules and their
 * invariants are in function.h; the account's pools in account.c. */
#include "models/lambda/function.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/lambda/account.h"
#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/rng.h"

#define SCALE_BURST   1000.0 /* [doc] new environments per 10 s ... */
#define SCALE_PER_SEC 100.0  /* ... refilled evenly */

typedef struct metric_def {
	size_t offset;
	const char *name;
	sim_series_kind kind;
	const char *units, *description;
	bool per_shard;
} metric_def;

#define M(field, kind, units, desc)                                                                \
	{                                                                                          \
		offsetof(ks_function, field), #field, kind, units, desc, false                     \
	}
static const metric_def metric_defs[] = {
        M(invocations, SIM_SERIES_SUM, "count", "invocations started (Invocations)"),
        M(errors, SIM_SERIES_SUM, "count", "invocations that failed (Errors)"),
        M(throttles, SIM_SERIES_SUM, "count", "invocations refused by the concurrency limit"),
        M(duration_max_ms, SIM_SERIES_MAX, "ms", "longest handler duration (Duration, max)"),
        M(concurrent_max, SIM_SERIES_MAX, "count", "most invocations running at once"),
        M(cold_starts, SIM_SERIES_SUM, "count", "invocations that started a new environment"),
        M(records_processed, SIM_SERIES_SUM, "count", "records processed successfully"),
        M(records_skipped, SIM_SERIES_SUM, "count", "failed records the handler swallowed"),
        M(records_forwarded, SIM_SERIES_SUM, "count", "failed records forwarded by the handler"),
        M(records_expired, SIM_SERIES_SUM, "count",
          "records that aged out of retention before this function processed them"),
        M(records_on_failure, SIM_SERIES_SUM, "count", "records in discarded batches"),
        M(on_failure_events, SIM_SERIES_SUM, "count", "invocation records sent to on_failure"),
        M(on_success_events, SIM_SERIES_SUM, "count",
          "async events sent to on_success after a successful invocation"),
        M(duplicates, SIM_SERIES_SUM, "count", "records processed more than once"),
        M(polled_events, SIM_SERIES_SUM, "count",
          "records its stream mappings read (PolledEventCount)"),
        M(filtered_out_events, SIM_SERIES_SUM, "count",
          "records read that filter_criteria left out (FilteredOutEventCount)"),
        M(invoked_events, SIM_SERIES_SUM, "count",
          "records in invocations that ran, retries included (InvokedEventCount)"),
        M(failed_invoke_events, SIM_SERIES_SUM, "count",
          "records in invocations that failed (FailedInvokeEventCount)"),
        M(dropped_events, SIM_SERIES_SUM, "count",
          "records dropped for age, retries or retention (DroppedEventCount)"),
        M(on_failure_delivered_events, SIM_SERIES_SUM, "count",
          "records whose discard was sent to on_failure "
          "(OnFailureDestinationDeliveredEventCount)"),
        {offsetof(ks_function, iterator_age_max_ms), "iterator_age_max_ms", SIM_SERIES_MAX, "ms",
         "maximum Lambda IteratorAge per shard", true},
        {offsetof(ks_function, read_throttled), "read_throttled", SIM_SERIES_SUM, "count",
         "this function's GetRecords calls throttled, per shard", true},
};
#undef M

static ks_metric *metric_at(ks_function *f, const metric_def *d)
{
	return (ks_metric *)(void *)((char *)f + d->offset);
}

#define SHARD_LABELS "shards read by this function, the column dimension of its per-shard series"

size_t ks_function_add_shard_column(ks_function *f, const char *label)
{
	for (size_t i = 0; i < sizeof metric_defs / sizeof metric_defs[0]; i++)
		if (metric_defs[i].per_shard)
			sim_series_add_column(metric_at(f, &metric_defs[i])->series);
	char *group = sim_asprintf("functions/%s", f->name);
	size_t column = sim_metrics_add_label(f->ctx->metrics, group, "shard", label, SHARD_LABELS);
	sim_free(group);
	return column;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* What the Lambda issue added: the account, environments, failure injection, policy. */
static void init_invocations(ks_function *f, const ks_function_config *cfg)
{
	ks_ctx *ctx = f->ctx;
	f->account = cfg->account;
	f->has_reserved = cfg->has_reserved;
	f->reserved_concurrency = cfg->has_reserved ? cfg->reserved_concurrency : -1;
	if (f->account && f->has_reserved)
		ks_account_reserve(f->account, f->reserved_concurrency);
	f->idle_reclaim = cfg->idle_reclaim;
	/* [doc] provisioned concurrency: environments initialised before the run, never
	 * reclaimed, used before any other */
	f->provisioned = (int)cfg->provisioned_concurrency;
	f->prov_free =
	        sim_calloc(f->provisioned ? (size_t)f->provisioned : 1, sizeof *f->prov_free);
	for (int i = f->provisioned - 1; i >= 0; i--)
		f->prov_free[f->nprov_free++] = i;
	f->next_env = f->envs = f->provisioned;
	f->scale_tokens = SCALE_BURST;
	f->cold_start = sim_dist_copy(&cfg->cold_start);
	/* Their own streams, so that cold starts and errors leave the durations unchanged. */
	f->cold_rng = sim_rng_stream(ctx->seed, ctx->replication, cfg->name, "cold_start", -1);
	f->error_rng = sim_rng_stream(ctx->seed, ctx->replication, cfg->name, "errors", -1);
	f->error_rate = cfg->error_rate;
	f->poison_rate = cfg->poison_rate;
	f->npoison_indices = cfg->npoison_indices;
	f->poison_indices = sim_calloc(cfg->npoison_indices ? cfg->npoison_indices : 1,
	                               sizeof *f->poison_indices);
	if (cfg->npoison_indices)
		memcpy(f->poison_indices, cfg->poison_indices,
		       cfg->npoison_indices * sizeof *f->poison_indices);
	qsort(f->poison_indices, f->npoison_indices, sizeof *f->poison_indices, compare_u64);
	f->noutages = cfg->noutages;
	f->outages = sim_calloc(cfg->noutages ? cfg->noutages : 1, sizeof *f->outages);
	if (cfg->noutages)
		memcpy(f->outages, cfg->outages, cfg->noutages * sizeof *f->outages);
	f->policy = cfg->policy;
	f->retries = cfg->retries;
	f->then = cfg->then;
	SIM_ASSERT(f->then != KS_RECORD_RETRY && f->policy != KS_RECORD_FORWARD);
}

ks_function *ks_function_create(ks_ctx *ctx, const ks_function_config *cfg)
{
	ks_function *f = sim_calloc(1, sizeof *f);
	f->name = sim_strdup(cfg->name);
	f->ctx = ctx;
	f->per_invocation = sim_dist_copy(&cfg->per_invocation);
	f->per_record = sim_dist_copy(&cfg->per_record);
	f->per_record_const = cfg->per_record.kind == SIM_DIST_CONST;
	f->timeout = cfg->timeout;
	f->memory_bytes = cfg->memory_bytes;
	f->duration_rng = sim_rng_stream(ctx->seed, ctx->replication, cfg->name, "duration", -1);

	char *group = sim_asprintf("functions/%s", f->name);
	/* one column per shard its mappings read, added as their readers open */
	sim_metrics_set_labels(ctx->metrics, group, "shard", NULL, 0, SHARD_LABELS);
	for (size_t i = 0; i < sizeof metric_defs / sizeof metric_defs[0]; i++) {
		const metric_def *d = &metric_defs[i];
		ks_metric_init(metric_at(f, d), ctx, group, d->name, d->kind, d->per_shard ? 0 : 1,
		               d->units, d->description, d->per_shard ? "shard" : NULL);
	}
	/* Average duration per interval: a sum and a count now, divided at the end. */
	f->duration_sum_ms.series = sim_series_create(SIM_SERIES_SUM, ctx->interval, ctx->stop, 1);
	f->duration_sum_ms.warmup = ctx->warmup;
	f->duration_count.series = sim_series_create(SIM_SERIES_SUM, ctx->interval, ctx->stop, 1);
	f->duration_count.warmup = ctx->warmup;
	f->duration_avg_ms = sim_series_create(SIM_SERIES_SUM, ctx->interval, ctx->stop, 1);
	sim_metrics_add_series(ctx->metrics, group, "duration_avg_ms", f->duration_avg_ms, "ms",
	                       "mean handler duration (Duration, average)", NULL);
	sim_metrics_add_table(ctx->metrics, group, "on_failure",
	                      "time_s,shard,first_sequence,last_sequence,batch_size,invoke_count,"
	                      "condition",
	                      7, &f->on_failure_rows, &f->on_failure_n,
	                      "invocation records sent to on_failure, one per discarded batch "
	                      "(shard: column of the per-shard series; condition: "
	                      "0 RetryAttemptsExhausted, 1 RecordAgeExceeded)");
	f->latency = sim_hist_create();
	char *lat = sim_asprintf("%s/latency", group);
	sim_metrics_add_hist(ctx->metrics, lat, f->latency,
	                     "end-to-end latency: accepted by the shard -> processing finished");
	sim_free(lat);
	sim_free(group);
	init_invocations(f, cfg);
	return f;
}

void ks_function_destroy(ks_function *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < sizeof metric_defs / sizeof metric_defs[0]; i++)
		ks_metric_fini(metric_at(f, &metric_defs[i]));
	ks_metric_fini(&f->duration_sum_ms);
	ks_metric_fini(&f->duration_count);
	sim_dist_fini(&f->cold_start);
	gsl_rng_free(f->cold_rng);
	gsl_rng_free(f->error_rng);
	sim_free(f->idle);
	sim_free(f->prov_free);
	sim_free(f->poison_indices);
	sim_free(f->outages);
	sim_series_destroy(f->duration_avg_ms);
	sim_hist_destroy(f->latency);
	sim_free(f->on_failure_rows);
	sim_dist_fini(&f->per_invocation);
	sim_dist_fini(&f->per_record);
	gsl_rng_free(f->duration_rng);
	sim_free(f->name);
	sim_free(f);
}

/* ---- The invocation interface ------------------------------------------------------------- */

/* Counts only what happens before the end of the run: an invocation decided now may end after
 * it, and the summary covers [warmup, stop) (docs/output.md). */
static void count(const ks_function *f, ks_metric *m, sim_time t, double v)
{
	if (t < f->ctx->stop)
		ks_metric_add(m, t, 0, v);
}

/* Whether the invocation at now may run given the scaling rate: a free environment may always
 * be reused; a new one takes a token [doc: beyond the rate, Lambda throttles]. */
static bool may_scale(ks_function *f, sim_time now)
{
	if (f->nidle > 0 || f->nprov_free > 0)
		return true;
	f->scale_tokens = fmin(SCALE_BURST, f->scale_tokens + (double)(now - f->scale_refilled) *
	                                                              SCALE_PER_SEC / 1e9);
	f->scale_refilled = now;
	if (f->scale_tokens < 1)
		return false;
	f->scale_tokens -= 1;
	return true;
}

static bool acquire(ks_function *f)
{
	if (f->account)
		return ks_account_acquire(f->account, f->reserved_concurrency, f->concurrent);
	return !f->has_reserved || f->concurrent < f->reserved_concurrency;
}

/* environments belong to the function: the most recently used free one runs the
 * invocation; one idle for idle_reclaim [choice, default 10 min] is gone. The free list is
 * sorted by free_since, so the reclaimed ones are a prefix and the most recent is last.
 * Returns the cold start paid (0 on a reuse). */
static sim_time take_environment(ks_function *f, sim_time at, ks_invocation *out)
{
	if (f->nprov_free > 0) {
		out->env = f->prov_free[--f->nprov_free];
		out->cold = false;
		return 0;
	}
	size_t stale = 0;
	while (stale < f->nidle && at - f->idle[stale].free_since >= f->idle_reclaim)
		stale++;
	if (stale) {
		memmove(f->idle, f->idle + stale, (f->nidle - stale) * sizeof *f->idle);
		f->nidle -= stale;
		f->envs -= (int)stale;
	}
	if (f->nidle) {
		out->env = f->idle[--f->nidle].id;
		out->cold = false;
		return 0;
	}
	out->env = f->next_env++;
	out->cold = true;
	f->envs++;
	return sim_dist_sample_ns(&f->cold_start, f->cold_rng);
}

static bool in_outage(const ks_function *f, sim_time t)
{
	for (size_t i = 0; i < f->noutages; i++)
		if (t >= f->outages[i].start && t < f->outages[i].end)
			return true;
	return false;
}

bool ks_function_is_poison(const ks_function *f, const ks_record *r)
{
	uint64_t index = ks_record_index(r);
	/* [choice] poison_indices name producer indices, whatever the producer: with several
	 * producers, the record of that index of each of them is poison. */
	if (f->npoison_indices && bsearch(&index, f->poison_indices, f->npoison_indices,
	                                  sizeof *f->poison_indices, compare_u64))
		return true;
	/* the record's own fate u: every function with the same rate, in every
	 * topology, finds the same records poison. */
	return f->poison_rate > 0 && sim_crn_uniform(f->ctx->crn_seeds[ks_record_producer(r)],
	                                             index, KS_RECORD_U_FATE) < f->poison_rate;
}

/* A record's per_record work: the v-quantile of the distribution (docs/model.md "Time, events and
 * randomness"). */
static double record_work(const ks_function *f, const ks_record *r)
{
	if (f->per_record_const)
		return f->per_record.a;
	double v = sim_crn_uniform(f->ctx->crn_seeds[ks_record_producer(r)], ks_record_index(r),
	                           KS_RECORD_V_WORK);
	return sim_dist_quantile(&f->per_record, v);
}

/* The handler on batch b, its request arrived at `at`: sets status, duration, first_failed
 * and whole_batch; returns the records it swallowed (counted only when it succeeds). */
static uint32_t run_handler(ks_function *f, sim_time at, const ks_batch *b, ks_invocation *out)
{
	double d = sim_dist_sample(&f->per_invocation, f->duration_rng);
	out->status = KS_INVOKE_FAILED;
	out->whole_batch = true;
	out->first_failed = 0;
	if (in_outage(f, at)) {
		/* [choice] the outage is in what the handler depends on: it fails on its first
		 * call, after its per_invocation work only. */
		out->duration = sim_time_round(d);
		if (f->timeout > 0 && out->duration > f->timeout)
			out->duration = f->timeout;
		return 0;
	}
	bool checks = f->poison_rate > 0 || f->npoison_indices > 0;
	ks_record_policy on_fail = f->policy == KS_RECORD_RETRY ? f->then : f->policy;
	double attempts = f->policy == KS_RECORD_RETRY ? 1.0 + f->retries : 1.0;
	uint32_t skipped = 0;
	bool record_failed = false;
	if (!checks && f->per_record_const) {
		d += f->per_record.a * (double)b->n;
	} else {
		for (uint32_t i = 0; i < b->n; i++) {
			const ks_record *r = ks_batch_record(b, i);
			if (!checks || !ks_function_is_poison(f, r)) {
				d += record_work(f, r);
				continue;
			}
			/* A poison record fails every attempt; each attempt costs its work. */
			d += record_work(f, r) * attempts;
			if (on_fail == KS_RECORD_FAIL_BATCH) {
				record_failed = true;
				out->first_failed = i;
				break;
			}
			skipped++;
		}
	}
	/* One draw per invocation that runs its handler, so the stream does not depend on the
	 * outcome. */
	bool transient = f->error_rate > 0 && sim_rng_uniform(f->error_rng) < f->error_rate;
	out->duration = sim_time_round(d);
	if (f->timeout > 0 && out->duration >= f->timeout) {
		/* [doc] reaching the timeout is a function error, whatever came later. */
		out->duration = f->timeout;
		out->first_failed = 0;
		return 0;
	}
	if (record_failed) {
		out->whole_batch = false;
		return 0;
	}
	if (transient) /* at the end of the full duration */
		return 0;
	out->status = KS_INVOKE_OK;
	out->whole_batch = false;
	return skipped;
}

/* then: forward: one message per failed record of a successful invocation, sent when
 * it ends. [choice] only a successful invocation forwards: one that fails after its handler
 * forwarded is retried whole by its caller and forwards again then, so each record is counted
 * once (conservation: accepted = processed + skipped + forwarded + expired + on_failure +
 * pending). */
static void forward_failed(ks_function *f, sim_time end, const ks_batch *b, uint32_t n)
{
	if (end >= f->ctx->stop)
		return; /* after the run: still pending at the caller */
	count(f, &f->records_forwarded, end, n);
	for (uint32_t i = 0; ks_sink_set(&f->forward_to) && i < b->n; i++) {
		const ks_record *r = ks_batch_record(b, i);
		if (ks_function_is_poison(f, r))
			ks_sink_hop_record(&f->forward_to, end, r);
	}
}

void ks_function_invoke(ks_function *f, sim_time now, sim_time overhead, const ks_batch *b,
                        ks_invocation *out)
{
	*out = (ks_invocation){.status = KS_INVOKE_THROTTLED, .end = now, .env = -1};
	if (!acquire(f) || !may_scale(f, now)) {
		/* [doc] Throttles, not Invocations; the caller retries. */
		count(f, &f->throttles, now, 1);
		return;
	}
	f->concurrent++;
	if (now < f->ctx->stop)
		ks_metric_max(&f->concurrent_max, now, 0, f->concurrent);
	/* [choice] invoke_overhead before the request reaches Lambda; a cold start after it. */
	sim_time at = now + overhead;
	count(f, &f->invocations, at, 1);
	sim_time cold = take_environment(f, at, out);
	if (out->cold)
		count(f, &f->cold_starts, at, 1);
	uint32_t skipped = run_handler(f, at, b, out);
	out->end = at + cold + out->duration;

	sim_time end = out->end;
	double ms = (double)out->duration / 1e6;
	count(f, &f->duration_sum_ms, end, ms);
	count(f, &f->duration_count, end, 1);
	if (end < f->ctx->stop)
		ks_metric_max(&f->duration_max_ms, end, 0, ms);
	if (out->status == KS_INVOKE_FAILED)
		count(f, &f->errors, end, 1);
	if (skipped && f->policy == KS_RECORD_RETRY && f->then == KS_RECORD_FORWARD)
		forward_failed(f, end, b, skipped);
	else if (skipped)
		count(f, &f->records_skipped, end, skipped);
	if (ks_measured(f->ctx, end)) {
		/* [doc] billed per request and per GB-second, duration rounded up to 1 ms; since
		 * 1 August 2025 the INIT phase of a cold start is billed as duration too. */
		double billed_ms = ceil((double)(cold + out->duration) / 1e6);
		double gb_s = billed_ms / 1e3 * f->memory_bytes / (1024.0 * 1024.0 * 1024.0);
		f->requests += 1;
		if (out->env < f->provisioned) /* [doc] its own, lower, duration price */
			f->provisioned_duration_gb_s += gb_s;
		else
			f->billed_gb_s += gb_s;
	}
}

void ks_function_finish(ks_function *f, const ks_invocation *inv)
{
	if (inv->status == KS_INVOKE_THROTTLED)
		return; /* it held nothing */
	SIM_ASSERT(f->concurrent > 0 && inv->env >= 0);
	f->concurrent--;
	if (f->account)
		ks_account_release(f->account, f->reserved_concurrency);
	if (inv->env < f->provisioned) {
		f->prov_free[f->nprov_free++] = inv->env;
		return;
	}
	/* Back on the free list, kept sorted by free_since (results mostly come back in time
	 * order, so this is the last slot). */
	sim_grow(&f->idle, &f->capidle, f->nidle + 1, sizeof *f->idle);
	size_t i = f->nidle++;
	while (i > 0 && f->idle[i - 1].free_since > inv->end) {
		f->idle[i] = f->idle[i - 1];
		i--;
	}
	f->idle[i] = (ks_env){.id = inv->env, .free_since = inv->end};
}

/* [choice] iterator_age_at: Lambda's IteratorAge is the age of the batch's last record, taken
 * when the batch is received, sent, or finished. */
static void note_age(ks_function *f, sim_time t, const ks_record *last, size_t column,
                     sim_time age_at)
{
	if (t >= f->ctx->stop)
		return;
	double age_ms = (double)(age_at - last->arrival) / 1e6;
	ks_metric_max(&f->iterator_age_max_ms, t, column, age_ms);
	if (t >= f->ctx->warmup) {
		f->iterator_age_sum_ms += age_ms;
		f->iterator_age_batches += 1;
		if (age_ms > f->iterator_age_max)
			f->iterator_age_max = age_ms;
	}
}

void ks_function_processed(ks_function *f, sim_time t, const ks_batch *b, uint32_t from,
                           uint32_t to, size_t column, sim_time age_at)
{
	if (to <= from)
		return;
	SIM_ASSERT(to <= b->n);
	count(f, &f->records_processed, t, (double)(to - from));
	sim_time warmup = f->ctx->warmup;
	if (t < f->ctx->stop && !b->records &&
	    ks_batch_seq(b, to - 1) - ks_batch_seq(b, from) == to - 1 - from) {
		/* consecutive records: straight from the log, a block at a time */
		ks_log_add_latencies(b->log, ks_batch_seq(b, from), ks_batch_seq(b, to - 1) + 1, t,
		                     warmup, f->latency);
	} else if (t < f->ctx->stop) {
		int64_t latency[256];
		size_t n = 0;
		for (uint32_t i = from; i < to; i++) {
			const ks_record *r = ks_batch_record(b, i);
			if (r->arrival < warmup)
				continue;
			latency[n++] = t - r->arrival;
			if (n == sizeof latency / sizeof latency[0]) {
				sim_hist_add_values(f->latency, latency, n);
				n = 0;
			}
		}
		sim_hist_add_values(f->latency, latency, n);
	}
	if (f->observer && !b->records) {
		/* one call per contiguous run of sequence numbers */
		uint32_t run = from;
		for (uint32_t i = from + 1; i <= to; i++) {
			if (i < to && ks_batch_seq(b, i) == ks_batch_seq(b, i - 1) + 1)
				continue;
			f->observer(f->observer_ctx, f, b->log, ks_batch_seq(b, run),
			            ks_batch_seq(b, i - 1) + 1, t);
			run = i;
		}
	}
	(void)column;
	(void)age_at;
}

void ks_function_note_iterator_age(ks_function *f, sim_time t, const ks_batch *b, size_t column,
                                   sim_time age_at)
{
	if (b->n > 0)
		note_age(f, t, ks_batch_record(b, b->n - 1), column, age_at);
}

void ks_function_on_failure(ks_function *f, sim_time t, size_t column, uint64_t first,
                            uint64_t last, uint32_t size, uint32_t invokes,
                            ks_discard_condition condition)
{
	enum { COLS = 7 };
	sim_grow(&f->on_failure_rows, &f->on_failure_cap, (f->on_failure_n + 1) * COLS,
	         sizeof *f->on_failure_rows);
	double *row = f->on_failure_rows + f->on_failure_n++ * COLS;
	row[0] = sim_time_to_s(t);
	row[1] = (double)column;
	row[2] = (double)first;
	row[3] = (double)last;
	row[4] = size;
	row[5] = invokes;
	row[6] = condition;
}

void ks_function_note_expired(ks_function *f, sim_time t, uint64_t n)
{
	ks_metric_add(&f->records_expired, t, 0, (double)n);
	ks_metric_add(&f->dropped_events, t, 0, (double)n);
}

void ks_function_note_read(ks_function *f, sim_time t, size_t column, bool admitted,
                           sim_time getrecords_age)
{
	if (!admitted) {
		ks_metric_add(&f->read_throttled, t, column, 1);
		return;
	}
	double ms = (double)getrecords_age / 1e6;
	if (t >= f->ctx->warmup && ms > f->getrecords_age_max_ms)
		f->getrecords_age_max_ms = ms;
}

/* How fast the iterator age grows over the measured period, in seconds per second: the
 * per-interval maximum over shards, the mean of the second half of the measured intervals
 * against the first's, divided by the time between their middles. A function that keeps up
 * holds its age level (about 0); one that falls behind sees it grow by the share of the
 * records it cannot keep up with (1 s/s: it makes no progress). NaN with fewer than 4
 * intervals measured, or no batch in either half. */
static double iterator_age_growth(const ks_function *f)
{
	const sim_series *s = f->iterator_age_max_ms.series;
	const double *data = sim_series_data(s);
	size_t rows = sim_series_rows(s), cols = sim_series_columns(s), first = 0;
	while (first < rows && sim_series_row_end(s, first) <= f->ctx->warmup)
		first++;
	if (!data || cols == 0 || rows < first + 4)
		return NAN;
	size_t half = (rows - first) / 2;
	double sum[2] = {0, 0}, n[2] = {0, 0};
	for (size_t i = first; i < first + 2 * half; i++) {
		double max = 0;
		for (size_t c = 0; c < cols; c++)
			if (data[i * cols + c] > max)
				max = data[i * cols + c];
		if (max > 0) {
			sum[i >= first + half] += max;
			n[i >= first + half] += 1;
		}
	}
	if (n[0] == 0 || n[1] == 0)
		return NAN;
	double span_s =
	        sim_time_to_s(sim_series_row_end(s, first + half) - sim_series_row_end(s, first));
	return (sum[1] / n[1] - sum[0] / n[0]) / 1e3 / span_s;
}

void ks_function_summarize(ks_function *f)
{
	/* Derive the per-interval average duration. */
	const double *sum = sim_series_data(f->duration_sum_ms.series);
	const double *n = sim_series_data(f->duration_count.series);
	size_t intervals = sim_series_rows(f->duration_avg_ms);
	const double *have = sim_series_data(f->duration_avg_ms);
	for (size_t i = 0; n && i < intervals; i++) { /* n NULL: no invocation ended */
		sim_time t = sim_series_row_end(f->duration_avg_ms, i) - 1;
		if ((!have || have[i] == 0) && n[i] > 0)
			sim_series_add(f->duration_avg_ms, t, 0, sum[i] / n[i]);
	}

	/* NaN: a metric that does not apply (no GetRecords polling: no stream trigger, or only
	 * enhanced fan-out) or has no data (no batch, no invocation) (docs/output.md) */
	bool polled = f->polled_columns > 0;
	const ks_summary_row rows[] = {
	        {"invocations", f->invocations.total, "count"},
	        {"errors", f->errors.total, "count"},
	        {"throttles", f->throttles.total, "count"},
	        {"cold_starts", f->cold_starts.total, "count"},
	        {"concurrent_max", f->concurrent_max.total, "count"},
	        {"duration.mean",
	         f->duration_count.total > 0
	                 ? f->duration_sum_ms.total / f->duration_count.total / 1e3
	                 : NAN,
	         "s"},
	        {"duration.max", f->duration_count.total > 0 ? f->duration_max_ms.total / 1e3 : NAN,
	         "s"},
	        {"records_processed", f->records_processed.total, "count"},
	        {"records_skipped", f->records_skipped.total, "count"},
	        {"records_forwarded", f->records_forwarded.total, "count"},
	        {"records_expired", f->records_expired.total, "count"},
	        {"records_on_failure", f->records_on_failure.total, "count"},
	        {"on_failure_events", f->on_failure_events.total, "count"},
	        {"on_success_events", f->on_success_events.total, "count"},
	        {"duplicates", f->duplicates.total, "count"},
	        {"records_pending", f->records_pending, "count"},
	        {"polled_events", f->polled_events.total, "count"},
	        {"filtered_out_events", f->filtered_out_events.total, "count"},
	        {"invoked_events", f->invoked_events.total, "count"},
	        {"failed_invoke_events", f->failed_invoke_events.total, "count"},
	        {"dropped_events", f->dropped_events.total, "count"},
	        {"on_failure_delivered_events", f->on_failure_delivered_events.total, "count"},
	        {"events_too_large", f->events_too_large, "count"},
	        {"window_finals", f->window_finals, "count"},
	        {"recursion_stopped", f->recursion_stopped, "count"},
	        {"read_throttled", polled ? f->read_throttled.total : NAN, "count"},
	        {"iterator_age.mean",
	         f->iterator_age_batches > 0
	                 ? f->iterator_age_sum_ms / f->iterator_age_batches / 1e3
	                 : NAN,
	         "s"},
	        {"iterator_age.max", f->iterator_age_batches > 0 ? f->iterator_age_max / 1e3 : NAN,
	         "s"},
	        {"iterator_age.growth", iterator_age_growth(f), "s/s"},
	        {"getrecords_iterator_age.max", polled ? f->getrecords_age_max_ms / 1e3 : NAN, "s"},
	};
	ks_summary_rows(f->ctx, f->name, rows, sizeof rows / sizeof rows[0]);
	ks_summary_durations(f->ctx, f->name, "latency", f->latency, true);
}
