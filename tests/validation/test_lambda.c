/* docs/validation.md cases 8-12 and 15: the Lambda event source mapping and functions. Each
 * expected value comes from the case's formula. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "models/kinesis/shard.h"
#include "models/lambda/lambda.h"
#include "tests/harness.h"

/* Case 8: one shard at 500 records/s of 1 KB, B = 100, d = 1 s, g ~ 0: the shard is served at
 * mu = k B / d; Lambda's IteratorAge grows at 1 - mu / lambda: 0.8 s/s for k = 1, 0.6 for
 * k = 2, bounded for k = 10 (+/- 0.05 s/s over minutes 2-10). */
static double age_slope(int k)
{
	const char *yaml = harness_fmt(
	        "kinesim: 1\n"
	        "name: saturated\n"
	        "duration: 11m\n"
	        "metrics: {interval: 1m}\n"
	        "platform: {lambda: {invoke_overhead: 0s}}\n"
	        "streams: {s: {shards: 1}}\n"
	        "producers:\n"
	        "  p: {stream: s, rate: 500/s, record_size: 1KB}\n"
	        "functions:\n"
	        "  f:\n"
	        "    timeout: 10s\n"
	        "    cold_start: 0s\n"
	        "    duration: {per_invocation: 1s}\n"
	        "    triggers: [{kinesis: s, batch_size: 100, parallelization_factor: %d}]\n",
	        k);
	harness_run r = harness_run_yaml(yaml, NULL, 1);
	const sim_series *age = harness_series(r.metrics, "functions/f", "iterator_age_max_ms");
	const double *v = sim_series_data(age);
	size_t cols = sim_series_columns(age);
	/* the maximum age in minute 2 and in minute 10, 8 minutes apart */
	double slope = (v[10 * cols] - v[2 * cols]) / 1e3 / (8 * 60);
	print_message("# k=%d: iterator age slope %.3f s/s\n", k, slope);
	harness_free(&r);
	return slope;
}

static void saturated_shard_ages_at_one_minus_mu_over_lambda(void **state)
{
	(void)state;
	assert_true(harness_case("8", "IteratorAge slope, k = 1 (s/s)", "1 - 100/500 = 0.8",
	                         age_slope(1), 0.75, 0.85));
	assert_true(harness_case("8", "IteratorAge slope, k = 2 (s/s)", "1 - 200/500 = 0.6",
	                         age_slope(2), 0.55, 0.65));
	assert_true(harness_case("8", "IteratorAge slope, k = 10 (s/s)", "bounded: 0",
	                         age_slope(10), -0.05, 0.05));
}

/* Cases 9 and 10: 2 shards at 10 records/s each, one record fails forever. */
static const char *poison(const char *trigger_extra)
{
	return harness_fmt(
	        "kinesim: 1\n"
	        "name: poison\n"
	        "duration: 100m\n"
	        "metrics: {interval: 1m}\n"
	        "platform: {aws_ranges: warn}\n"
	        "streams: {s: {shards: 2, retention: 1h}}\n"
	        "queues: {failed: {}}\n"
	        "producers:\n"
	        "  p: {stream: s, rate: 20/s, record_size: 1KB, partition_keys: {count: 2}}\n"
	        "functions:\n"
	        "  f:\n"
	        "    duration: {per_invocation: 20ms}\n"
	        "    errors: {poison_indices: [300]}\n"
	        "    triggers: [{kinesis: s, batch_size: 100%s}]\n",
	        trigger_extra);
}

/* Case 9, default settings: the blocked shard's IteratorAge grows with slope 1.00 (+/- 0.01)
 * until the batch expires at the retention limit; the other shard stays under 3 s; after
 * expiry the blocked records count as expired and the shard drains. */
static void poison_pill_blocks_its_shard_until_the_records_expire(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml(poison(""), NULL, 1);
	const sim_series *age = harness_series(r.metrics, "functions/f", "iterator_age_max_ms");
	const double *v = sim_series_data(age);
	/* the blocked shard is the one whose age passes a minute */
	size_t blocked = v[30 * 2 + 0] > v[30 * 2 + 1] ? 0 : 1, other = 1 - blocked;
	double slope = (v[40 * 2 + blocked] - v[10 * 2 + blocked]) / 1e3 / (30 * 60);
	assert_true(harness_case("9", "blocked shard's IteratorAge slope (s/s)", "1.00", slope,
	                         0.99, 1.01));
	for (size_t row = 1; row < sim_series_rows(age); row++)
		assert_true(v[row * 2 + other] < 3000);
	assert_true(harness_value(&r, "f.records_expired") > 0);
	assert_true(harness_value(&r, "f.records_on_failure") == 0);
	/* after the expiry (about 1 h in), the shard drains: the age falls back to seconds */
	assert_true(v[90 * 2 + blocked] < 3000);
	harness_free(&r);
}

/* Case 10: maximum_retry_attempts 3 and an on-failure queue: exactly 4 invocations of the
 * failing batch, one on-failure record naming the whole batch; its other records are
 * discarded, not processed. */
static void bounded_retries_discard_the_whole_batch_after_four_invocations(void **state)
{
	(void)state;
	/* the producer stops early enough that nothing is in flight at the end */
	const char *limit[] = {"producers.p.limit=100000", NULL};
	harness_run r = harness_run_yaml(poison(", maximum_retry_attempts: 3, on_failure: failed"),
	                                 limit, 1);
	assert_true(harness_case("10", "invocations of the failing batch", "4",
	                         harness_value(&r, "f.errors"), 4, 4));
	assert_true(harness_value(&r, "f.on_failure_events") == 1);
	assert_true(harness_value(&r, "failed.sent") == 1);
	double discarded = harness_value(&r, "f.records_on_failure");
	assert_true(discarded > 1 && discarded <= 100);
	/* the invocation record names the whole batch, tried 4 times, attempts exhausted */
	const sim_metrics_table *t = NULL;
	for (size_t i = 0; i < sim_metrics_table_count(r.metrics); i++)
		if (strcmp(sim_metrics_table_at(r.metrics, i)->name, "on_failure") == 0)
			t = sim_metrics_table_at(r.metrics, i);
	assert_non_null(t);
	assert_int_equal(*t->rows, 1);
	const double *row = *t->data;
	assert_true(row[4] == discarded);              /* batch_size */
	assert_true(row[3] - row[2] + 1 == discarded); /* one shard: a contiguous range */
	assert_true(row[5] == 4);                      /* invoke_count */
	assert_true(row[6] == 0);                      /* RetryAttemptsExhausted */
	/* conservation (case 4): accepted = processed + expired + on_failure, nothing in flight */
	assert_true(harness_value(&r, "s.incoming_records") == 100000);
	assert_true(harness_value(&r, "f.records_processed") + discarded +
	                    harness_value(&r, "f.records_expired") ==
	            100000);
	harness_free(&r);
}

/* Case 11: one batch of exactly 64 records with one poison record, bisect on, retries 0: the
 * poison record is isolated in 1 + 2 x 6 = 13 invocations, 63 records are processed exactly
 * once, one on-failure record with batch size 1. */
static void bisect_isolates_the_poison_record_in_thirteen_invocations(void **state)
{
	(void)state;
	const char *yaml =
	        "kinesim: 1\n"
	        "name: bisect\n"
	        "duration: 1m\n"
	        "streams: {s: {shards: 1}}\n"
	        "queues: {failed: {}}\n"
	        "producers:\n"
	        "  p: {stream: s, rate: 64/s, arrivals: {bursty: {burst: 64}},\n"
	        "      record_size: 1KB, limit: 64}\n"
	        "functions:\n"
	        "  f:\n"
	        "    errors: {poison_indices: [37]}\n"
	        "    triggers: [{kinesis: s, batch_size: 100, maximum_retry_attempts: 0,\n"
	        "                bisect_batch_on_function_error: true, "
	        "on_failure: failed}]\n";
	harness_run r = harness_run_yaml(yaml, NULL, 1);
	assert_true(harness_value(&r, "s.incoming_records") == 64);
	assert_true(harness_case("11", "invocations to isolate the poison record", "1 + 2 x 6 = 13",
	                         harness_value(&r, "f.invocations"), 13, 13));
	assert_true(harness_value(&r, "f.errors") == 7);
	assert_true(harness_value(&r, "f.records_processed") == 63);
	assert_true(harness_value(&r, "f.duplicates") == 0);
	assert_true(harness_value(&r, "f.records_on_failure") == 1);
	assert_true(harness_value(&r, "f.on_failure_events") == 1);
	harness_free(&r);
}

/* report_batch_item_failures with bisect: the first invocation processes the 63 good records
 * and reports record 37; the checkpoint moves there and the batch is split at that record
 * [doc]: 37 alone fails and, with no retries, is discarded; the 26 records after it are
 * processed again (duplicates). 63 records processed once, one on_failure, 3 invocations. */
static void item_failures_move_the_checkpoint_and_count_duplicates(void **state)
{
	(void)state;
	const char *yaml =
	        "kinesim: 1\n"
	        "name: items\n"
	        "duration: 1m\n"
	        "streams: {s: {shards: 1}}\n"
	        "queues: {failed: {}}\n"
	        "producers:\n"
	        "  p: {stream: s, rate: 64/s, arrivals: {bursty: {burst: 64}},\n"
	        "      record_size: 1KB, limit: 64}\n"
	        "functions:\n"
	        "  f:\n"
	        "    errors: {poison_indices: [37]}\n"
	        "    triggers: [{kinesis: s, batch_size: 100, maximum_retry_attempts: 0,\n"
	        "                report_batch_item_failures: true,\n"
	        "                bisect_batch_on_function_error: true, "
	        "on_failure: failed}]\n";
	harness_run r = harness_run_yaml(yaml, NULL, 1);
	assert_true(harness_value(&r, "f.records_processed") == 63);
	assert_true(harness_value(&r, "f.duplicates") == 26);
	assert_true(harness_value(&r, "f.invocations") == 3);
	assert_true(harness_value(&r, "f.records_on_failure") == 1);
	assert_true(harness_value(&r, "f.on_failure_events") == 1);
	assert_true(harness_value(&r, "f.records_pending") == 0);
	harness_free(&r);
}

/* maximum_record_age: a failing batch is discarded once its oldest record is older. */
static void maximum_record_age_discards_a_failing_batch(void **state)
{
	(void)state;
	harness_run r =
	        harness_run_yaml(poison(", maximum_record_age: 2m, on_failure: failed"), NULL, 1);
	const sim_series *age = harness_series(r.metrics, "functions/f", "iterator_age_max_ms");
	const double *v = sim_series_data(age);
	for (size_t i = 0; i < sim_series_rows(age) * 2; i++)
		assert_true(v[i] < 2 * 60e3 + 2e3); /* never past the age (plus a retry delay) */
	assert_true(harness_value(&r, "f.on_failure_events") == 1);
	assert_true(harness_value(&r, "f.records_expired") == 0);
	harness_free(&r);
}

/* Case 12: Poisson 10 records/s, window 5 s: B = 20 fills its batches (mean 20); B = 100
 * closes on time with E[min(Poisson(50), 100)] ~ 50 records, and adds ~W/2 of waiting. */
static double run_window(const char *batch, const char *window, const char *path)
{
	const char *yaml = harness_fmt(
	        "kinesim: 1\n"
	        "name: window\n"
	        "duration: 2h\n"
	        "streams: {s: {shards: 1}}\n"
	        "producers:\n"
	        "  p: {stream: s, rate: 10/s, record_size: 1KB}\n"
	        "functions:\n"
	        "  f:\n"
	        "    triggers: [{kinesis: s, batch_size: %s, maximum_batching_window: %s}]\n",
	        batch, window);
	harness_run r = harness_run_yaml(yaml, NULL, 1);
	double v = strcmp(path, "batch") == 0 ? harness_value(&r, "f.records_processed") /
	                                                harness_value(&r, "f.invocations")
	                                      : harness_value(&r, path);
	harness_free(&r);
	return v;
}

static void batching_window_fills_or_closes_on_time(void **state)
{
	(void)state;
	double full = run_window("20", "5s", "batch");
	double timed = run_window("100", "5s", "batch");
	print_message("# mean batch: B=20 %.2f, B=100 %.2f\n", full, timed);
	assert_true(
	        harness_case("12", "mean batch, B = 20, W = 5 s", "20 (full)", full, 19.5, 20.5));
	/* The window starts when the poller has read its first record, and a batch also takes
	 * what the reads of the window's last poll interval brought: the 1 s poll grid adds up
	 * to 10 records (10/s x 1 s) to the 50. */
	assert_true(harness_case("12", "mean batch, B = 100, W = 5 s",
	                         "E[min(Poisson(50), 100)] ~ 50, + poll grid", timed, 47.5, 60));
	double wait = run_window("100", "5s", "f.latency.mean") -
	              run_window("100", "0s", "f.latency.mean");
	print_message("# added wait %.3f s\n", wait);
	/* W/2 (+/- 5%), plus up to half a poll interval for the grid */
	assert_true(harness_case("12", "added wait, B = 100, W = 5 s (s)", "W/2 = 2.5, + poll grid",
	                         wait, 2.5 * 0.95, 2.5 * 1.05 + 0.5));
}

/* Case 15: execution environments belong to the function. 16 shards, k = 1, steady traffic,
 * per_invocation 2 s (longer than the poll interval, so the 16 shards' invocations overlap):
 * exactly 16 cold starts, all in the first seconds. With 50 ms invocations, cold starts equal
 * the peak concurrency, far fewer than 16. */
static void cold_starts_follow_peak_concurrency(void **state)
{
	(void)state;
	const char *yaml = "kinesim: 1\n"
	                   "name: cold\n"
	                   "duration: 30m\n"
	                   "metrics: {interval: 1m}\n"
	                   "streams: {s: {shards: 16}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 160/s, record_size: 1KB}\n"
	                   "functions:\n"
	                   "  f:\n"
	                   "    timeout: 10s\n"
	                   "    duration: {per_invocation: 2s}\n"
	                   "    triggers: [{kinesis: s}]\n";
	harness_run r = harness_run_yaml(yaml, NULL, 1);
	assert_true(harness_case("15", "cold starts, 16 shards, 2 s invocations", "16",
	                         harness_value(&r, "f.cold_starts"), 16, 16));
	const sim_series *cold = harness_series(r.metrics, "functions/f", "cold_starts");
	assert_true(sim_series_data(cold)[0] == 16); /* all in the first minute */
	harness_free(&r);
	/* idle environments are kept for the whole run, so every cold start is one of the peak */
	const char *fast[] = {"functions.f.duration.per_invocation=50ms",
	                      "platform.lambda.idle_reclaim=1h", NULL};
	r = harness_run_yaml(yaml, fast, 1);
	double cold_starts = harness_value(&r, "f.cold_starts");
	print_message("# 50 ms invocations: %.0f cold starts, peak concurrency %.0f\n", cold_starts,
	              harness_value(&r, "f.concurrent_max"));
	assert_true(cold_starts == harness_value(&r, "f.concurrent_max"));
	assert_true(cold_starts < 8);
	harness_free(&r);
}

/* Case 5: within a partition key, a function processes records in sequence order, for
 * parallelization factors 1, 2 and 10 (lanes by key). */
typedef struct order_log {
	int64_t last[64];
	bool out_of_order;
	uint64_t n;
} order_log;

static void observe(void *ctx, const ks_function *f, const ks_log *shard, uint64_t from,
                    uint64_t to, sim_time t)
{
	(void)f;
	(void)t;
	order_log *log = ctx;
	for (uint64_t q = from; q < to; q++) {
		const ks_record *r = ks_log_record(shard, q);
		int64_t index = (int64_t)ks_record_index(r);
		if (index <= log->last[r->key])
			log->out_of_order = true;
		log->last[r->key] = index;
		log->n++;
	}
}

static void per_key_order_holds_for_every_parallelization_factor(void **state)
{
	(void)state;
	static const int factors[] = {1, 2, 10};
	for (size_t i = 0; i < 3; i++) {
		const char *yaml = harness_fmt(
		        "kinesim: 1\n"
		        "name: order\n"
		        "duration: 10m\n"
		        "streams: {s: {shards: 1}}\n"
		        "producers:\n"
		        "  p: {stream: s, rate: 300/s, record_size: 1KB, limit: 120000,\n"
		        "      partition_keys: {count: 64}}\n"
		        "functions:\n"
		        "  f:\n"
		        "    duration: {per_invocation: 50ms, per_record: {dist: exponential, "
		        "mean: 2ms}}\n"
		        "    triggers: [{kinesis: s, batch_size: 50, parallelization_factor: "
		        "%d}]\n",
		        factors[i]);
		harness_run r = {0};
		r.sc = harness_load(yaml, NULL);
		r.metrics = sim_metrics_create();
		r.model = ks_model_build(r.sc, 1, 0, r.metrics);
		order_log log;
		memset(&log, 0, sizeof log);
		for (size_t k = 0; k < 64; k++)
			log.last[k] = -1;
		ks_functions_observe(r.model, observe, &log);
		assert_int_equal(ks_model_run(r.model, NULL, NULL, NULL), 0);
		ks_model_summarize(r.model);
		assert_false(log.out_of_order);
		assert_true(log.n == 120000);
		assert_true(harness_value(&r, "f.records_processed") == 120000);
		assert_true(harness_value(&r, "f.concurrent_max") <= factors[i]);
		harness_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(per_key_order_holds_for_every_parallelization_factor),
	        cmocka_unit_test(saturated_shard_ages_at_one_minus_mu_over_lambda),
	        cmocka_unit_test(poison_pill_blocks_its_shard_until_the_records_expire),
	        cmocka_unit_test(bounded_retries_discard_the_whole_batch_after_four_invocations),
	        cmocka_unit_test(bisect_isolates_the_poison_record_in_thirteen_invocations),
	        cmocka_unit_test(item_failures_move_the_checkpoint_and_count_duplicates),
	        cmocka_unit_test(maximum_record_age_discards_a_failing_batch),
	        cmocka_unit_test(batching_window_fills_or_closes_on_time),
	        cmocka_unit_test(cold_starts_follow_peak_concurrency),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
