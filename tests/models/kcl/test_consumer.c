/* KCL-style consumers (docs/model.md "Readers"): when they call GetRecords, how they back off after
 * a throttled call, conservation of records, the read limit they share with Lambda pollers,
 * and expiry. Timing tests use a constant getrecords_latency so the call schedule can be
 * derived exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/alloc.h"
#include "tests/harness.h"

/* One consumer, idle 200 ms, responses 50 ms after each call, no processing: the idle time
 * runs from the last successful response, so calls come every 250 ms. Over 60 s with the
 * first call at U(0, 200 ms): calls at phase + 250 ms x k for k = 0..239, 240 calls, none
 * throttled (4 calls per second never fill the 5-call window). */
static void next_call_comes_idle_time_after_the_last_successful_response(void **state)
{
	(void)state;
	const char *yaml = "kinesim: 1\n"
	                   "name: idle\n"
	                   "duration: 60s\n"
	                   "platform: {kinesis: {getrecords_latency: 50ms}}\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 100/s, record_size: 1KB}\n"
	                   "consumers:\n"
	                   "  c: {stream: s, idle_time_between_reads: 200ms}\n";
	for (uint64_t seed = 1; seed <= 3; seed++) {
		harness_run r = harness_run_yaml(yaml, NULL, seed);
		assert_true(harness_value(&r, "c.read_calls") == 240);
		assert_true(harness_value(&r, "c.read_throttled") == 0);
		/* the stream counts the consumer's calls */
		assert_true(harness_value(&r, "s.read_calls") == 240);
		harness_free(&r);
	}
}

/* Processing runs before the next call (KCL hands a response to the record processor and waits
 * for it): one record (max_records: 1) of 300 ms work outlasts the 200 ms idle time, so a call
 * comes every 50 ms + 300 ms = 350 ms: phase + 350 ms x k < 35 s for k = 0..99, 100 calls.
 * The producer (500/s) keeps a backlog, so every call returns a record (the first one too,
 * unless the phase falls before the first arrival at 2 ms). */
static void processing_that_outlasts_the_idle_time_delays_the_next_call(void **state)
{
	(void)state;
	const char *yaml = "kinesim: 1\n"
	                   "name: processing\n"
	                   "duration: 35s\n"
	                   "platform: {kinesis: {getrecords_latency: 50ms}}\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 500/s, arrivals: uniform, record_size: 1KB}\n"
	                   "consumers:\n"
	                   "  c:\n"
	                   "    stream: s\n"
	                   "    idle_time_between_reads: 200ms\n"
	                   "    max_records: 1\n"
	                   "    processing: {per_record: 300ms}\n";
	harness_run r = harness_run_yaml(yaml, NULL, 1);
	assert_true(harness_value(&r, "c.read_calls") == 100);
	assert_true(harness_value(&r, "c.read_throttled") == 0);
	/* the 100th call's record is done at phase + 99 x 350 + 350 ms > 35 s: 99 processed */
	assert_true(harness_value(&r, "c.records_processed") == 99);
	/* a record waits at least the response and its own work before it is processed */
	assert_true(harness_value(&r, "c.latency.p10") >= 0.35 * 0.99);
	harness_free(&r);
}

/* With one call per second allowed (read_tps: 1/s, a 1 s window), a consumer whose success
 * comes at t calls again at t + 250 ms (throttled: its response at + 300 ms), sleeps the
 * 500 ms backoff, calls at + 800 ms (throttled again, t is still in the window), and at
 * + 1350 ms it is admitted: a cycle of 1350 ms with 1 success and 2 throttles. 54 s hold 40
 * cycles: 40 successes and 80 throttled calls. */
static void a_throttled_call_is_retried_a_backoff_after_its_response(void **state)
{
	(void)state;
	const char *yaml = "kinesim: 1\n"
	                   "name: backoff\n"
	                   "duration: 54s\n"
	                   "platform: {kinesis: {getrecords_latency: 50ms, read_tps: 1/s}}\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 10/s, record_size: 1KB}\n"
	                   "consumers:\n"
	                   "  c: {stream: s, idle_time_between_reads: 200ms,"
	                   " throttle_backoff: 500ms}\n";
	for (uint64_t seed = 1; seed <= 3; seed++) {
		harness_run r = harness_run_yaml(yaml, NULL, seed);
		assert_true(harness_value(&r, "c.read_calls") == 120);
		assert_true(harness_value(&r, "c.read_throttled") == 80);
		assert_true(harness_value(&r, "s.read_throttled") == 80);
		harness_free(&r);
	}
}

/* With the default lognormal getrecords_latency (median 70 ms, p99 300 ms: mean
 * 70 ms x exp(sigma^2 / 2) with sigma = ln(300/70) / 2.3263, 85.2 ms), a lone consumer with
 * idle 200 ms calls every 285 ms on average: about 600 s / 0.2852 s = 2104 calls in 10 min,
 * and it can never exceed 5 calls in a second, so it is never throttled. */
static void a_lone_consumer_with_idle_200ms_is_never_throttled(void **state)
{
	(void)state;
	const char *yaml = "kinesim: 1\n"
	                   "name: lone\n"
	                   "duration: 10m\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 50/s, record_size: 1KB}\n"
	                   "consumers:\n"
	                   "  c: {stream: s, idle_time_between_reads: 200ms}\n";
	for (uint64_t seed = 1; seed <= 3; seed++) {
		harness_run r = harness_run_yaml(yaml, NULL, seed);
		double calls = harness_value(&r, "c.read_calls");
		assert_true(harness_value(&r, "c.read_throttled") == 0);
		assert_true(calls > 2104 * 0.97 && calls < 2104 * 1.03);
		harness_free(&r);
	}
}

/* Every accepted record is processed or expired, for each consumer, once the producer stops
 * and the run outlasts the backlog: `slow` handles one record a call, about one a second per
 * shard against 10 arriving, so its backlog passes the 1 h retention. */
static void every_accepted_record_is_processed_or_expired(void **state)
{
	(void)state;
	const char *yaml = "kinesim: 1\n"
	                   "name: conservation\n"
	                   "duration: 3h\n"
	                   "platform: {aws_ranges: warn}\n"
	                   "streams: {s: {shards: 2, retention: 1h}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 20/s, record_size: 2KB, limit: 20000}\n"
	                   "consumers:\n"
	                   "  fast: {stream: s, processing: {per_record: 1ms}}\n"
	                   "  slow:\n"
	                   "    stream: s\n"
	                   "    max_records: 1\n"
	                   "    processing: {per_record: {dist: exponential, mean: 1s}}\n";
	harness_run r = harness_run_yaml(yaml, NULL, 3);
	double accepted = harness_value(&r, "s.incoming_records");
	assert_true(accepted == 20000);
	assert_true(harness_value(&r, "fast.records_processed") == accepted);
	assert_true(harness_value(&r, "fast.records_expired") == 0);
	double processed = harness_value(&r, "slow.records_processed");
	double expired = harness_value(&r, "slow.records_expired");
	assert_true(expired > 0);
	assert_true(processed > 0);
	assert_true(processed + expired == accepted);
	assert_true(harness_value(&r, "s.records_expired") == expired);
	harness_free(&r);
}

/* A consumer busy on its first record for 2 h misses the rest: 100 records arrive in the
 * first second, the first call takes one (max_records: 1), and the other 99 pass the 1 h
 * retention while it works. They count as expired for it and for the stream, not for a
 * consumer that read them in time. */
static void records_expiring_before_the_consumer_reads_them_count_as_expired(void **state)
{
	(void)state;
	const char *yaml = "kinesim: 1\n"
	                   "name: expiry\n"
	                   "duration: 3h\n"
	                   "platform: {aws_ranges: warn}\n"
	                   "streams: {s: {shards: 1, retention: 1h}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 1000/s, arrivals: uniform, record_size: 1KB,"
	                   " limit: 100}\n"
	                   "consumers:\n"
	                   "  busy: {stream: s, max_records: 1, processing: {per_record: 2h}}\n"
	                   "  quick: {stream: s}\n";
	harness_run r = harness_run_yaml(yaml, NULL, 1);
	assert_true(harness_value(&r, "s.incoming_records") == 100);
	assert_true(harness_value(&r, "busy.records_processed") == 1);
	assert_true(harness_value(&r, "busy.records_expired") == 99);
	assert_true(harness_value(&r, "busy.latency.max") >= 2 * 3600);
	assert_true(harness_value(&r, "quick.records_processed") == 100);
	assert_true(harness_value(&r, "quick.records_expired") == 0);
	assert_true(harness_value(&r, "s.records_expired") == 99);
	harness_free(&r);
}

static double lambda_throttles(const harness_run *r)
{
	double sum = 0;
	for (int i = 1; i <= 4; i++)
		sum += harness_value(r, harness_fmt("f-%d.read_throttled", i));
	return sum;
}

/* Four Lambda subscribers alone rarely fill a shard's 5 calls/s (docs/model.md "Streams"); a
 * consumer calling up to 3.5 times a second takes slots from the same limiter, so the
 * subscribers are throttled more, and the stream counts the consumer's calls too. */
static void a_consumer_shares_the_read_limit_with_lambda_pollers(void **state)
{
	(void)state;
	const char *base = "kinesim: 1\n"
	                   "name: shared\n"
	                   "duration: 10m\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 50/s, record_size: 1KB}\n"
	                   "functions:\n"
	                   "  f:\n"
	                   "    count: 4\n"
	                   "    triggers: [{kinesis: s, batch_size: 500}]\n";
	const char *with = harness_fmt("%sconsumers:\n  c: {stream: s, idle_time_between_reads: "
	                               "200ms}\n",
	                               base);
	harness_run alone = harness_run_yaml(base, NULL, 1);
	harness_run shared = harness_run_yaml(with, NULL, 1);
	double before = harness_value(&alone, "s.read_throttled");
	assert_true(harness_value(&shared, "s.read_throttled") > before);
	assert_true(lambda_throttles(&shared) > lambda_throttles(&alone));
	assert_true(harness_value(&shared, "c.read_throttled") > 0);
	assert_true(harness_value(&shared, "c.read_calls") > 0);
	harness_free(&alone);
	harness_free(&shared);
}

/* Two consumers: the stream's calls and throttles are the sum of theirs. */
static void the_stream_counts_every_consumers_calls(void **state)
{
	(void)state;
	const char *yaml = "kinesim: 1\n"
	                   "name: counts\n"
	                   "duration: 5m\n"
	                   "streams: {s: {shards: 2}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 50/s, record_size: 1KB}\n"
	                   "consumers:\n"
	                   "  a: {stream: s, idle_time_between_reads: 200ms}\n"
	                   "  b: {stream: s, idle_time_between_reads: 200ms}\n";
	harness_run r = harness_run_yaml(yaml, NULL, 2);
	double calls = harness_value(&r, "a.read_calls") + harness_value(&r, "b.read_calls");
	double thr = harness_value(&r, "a.read_throttled") + harness_value(&r, "b.read_throttled");
	assert_true(thr > 0);
	assert_true(harness_value(&r, "s.read_calls") == calls);
	assert_true(harness_value(&r, "s.read_throttled") == thr);
	harness_free(&r);
}

/* Issue 11: a KCL application starts at LATEST by default [doc] and skips a stream's backlog;
 * initial_position: TRIM_HORIZON reads it; Firehose reads a Kinesis source from LATEST. */
static void initial_position_decides_what_of_a_backlog_is_read(void **state)
{
	(void)state;
	harness_run r =
	        harness_run_yaml("kinesim: 1\n"
	                         "name: kcl-backlog\n"
	                         "duration: 10m\n"
	                         "streams: {s: {shards: 1, backlog: 30m}}\n"
	                         "producers: {p: {stream: s, rate: 50/s, record_size: 1KB}}\n"
	                         "consumers:\n"
	                         "  tip: {stream: s}\n"
	                         "  all: {stream: s, initial_position: TRIM_HORIZON}\n"
	                         "firehoses: {archive: {source: s}}\n",
	                         NULL, 2);
	double backlog = harness_value(&r, "s.backlog_records");
	double accepted = harness_value(&r, "s.incoming_records");
	assert_true(backlog > 80000);
	assert_true(harness_value(&r, "tip.records_processed") <= accepted);
	assert_true(harness_value(&r, "tip.records_processed") > 0.95 * accepted);
	assert_true(harness_value(&r, "all.records_processed") > accepted + 0.95 * backlog);
	double archived = harness_value(&r, "archive.records_delivered") +
	                  harness_value(&r, "archive.records_pending");
	assert_true(archived == accepted);
	harness_free(&r);
}

/* A stream's backlog and a late start, checked: producers of a backlog have a constant rate and
 * the same backlog on each of their streams; an on-demand stream takes none; nothing starts at
 * or after the run's end. */
static void backlogs_and_late_starts_are_checked(void **state)
{
	(void)state;
	int rc;
	char *text = harness_diagnostics(
	        "kinesim: 1\n"
	        "name: checks\n"
	        "duration: 10m\n"
	        "streams: {s: {shards: 1, backlog: 1h}, t: {shards: 1}, o: {mode: on_demand, "
	        "backlog: 1h}}\n"
	        "producers:\n"
	        "  both: {streams: [s, t], rate: 1/s, record_size: 1KB}\n"
	        "  wave: {stream: s, profile: [{at: 0s, rate: 1/s}], record_size: 1KB}\n"
	        "consumers: {c: {stream: t, enabled_at: 10m}}\n",
	        &rc);
	assert_int_equal(rc, KS_SCENARIO_INVALID);
	assert_non_null(strstr(text, "error: a backlog needs a provisioned stream (stream 'o' is "
	                             "on_demand)"));
	assert_non_null(strstr(text, "error: producer 'both' writes to streams with different "
	                             "backlogs (1h and 0s)"));
	assert_non_null(strstr(text, "error: producer 'wave' writes to a stream with a backlog, so "
	                             "it needs a constant rate"));
	assert_non_null(strstr(text, "error: enabled_at 10m is not before the run's end"));
	sim_free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(next_call_comes_idle_time_after_the_last_successful_response),
	        cmocka_unit_test(processing_that_outlasts_the_idle_time_delays_the_next_call),
	        cmocka_unit_test(a_throttled_call_is_retried_a_backoff_after_its_response),
	        cmocka_unit_test(a_lone_consumer_with_idle_200ms_is_never_throttled),
	        cmocka_unit_test(every_accepted_record_is_processed_or_expired),
	        cmocka_unit_test(records_expiring_before_the_consumer_reads_them_count_as_expired),
	        cmocka_unit_test(a_consumer_shares_the_read_limit_with_lambda_pollers),
	        cmocka_unit_test(the_stream_counts_every_consumers_calls),
	        cmocka_unit_test(initial_position_decides_what_of_a_backlog_is_read),
	        cmocka_unit_test(backlogs_and_late_starts_are_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
