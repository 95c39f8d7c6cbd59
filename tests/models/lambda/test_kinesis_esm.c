/* The Lambda event source mapping on a stream (lambda/kinesis_esm.h): conservation of records
 * (docs/validation.md case 4), no poller locked out (case 2), expiry, starting positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "models/lambda/lambda.h"
#include "tests/harness.h"

/* Every accepted record is processed or expired, for each consumer, once the producer stops
 * and the run outlasts the backlog (nothing is left in flight). */
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
	                   "functions:\n"
	                   "  fast:\n"
	                   "    triggers: [{kinesis: s, batch_size: 50}]\n"
	                   "  slow:\n"
	                   "    duration: {per_record: 1s}\n"
	                   "    triggers: [{kinesis: s, batch_size: 1}]\n";
	harness_run r = harness_run_yaml(yaml, NULL, 3);
	double accepted = harness_value(&r, "s.incoming_records");
	assert_true(accepted == 20000);
	assert_true(harness_value(&r, "fast.records_processed") == accepted);
	assert_true(harness_value(&r, "fast.records_expired") == 0);
	/* slow serves 1 record/s per shard against 10 arriving: its backlog passes 1 h */
	double processed = harness_value(&r, "slow.records_processed");
	double expired = harness_value(&r, "slow.records_expired");
	assert_true(expired > 0);
	assert_true(processed > 0);
	assert_true(processed + expired == accepted);
	assert_true(harness_value(&r, "s.records_expired") == expired);
	harness_free(&r);
}

/* With four subscribers sharing one shard's 5 reads/s and 2 MiB/s (each reading ~50 KB a
 * second), each keeps processing every minute: the phase of one poller never locks another
 * out behind the byte schedule (docs/model.md "Streams", read_byte_tolerance). */
static void no_poller_is_locked_out_by_another(void **state)
{
	(void)state;
	const char *yaml = "kinesim: 1\n"
	                   "name: lockout\n"
	                   "duration: 30m\n"
	                   "metrics: {interval: 1m}\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 50/s, record_size: 1KB}\n"
	                   "functions:\n"
	                   "  f:\n"
	                   "    count: 4\n"
	                   "    triggers: [{kinesis: s, batch_size: 500}]\n";
	for (uint64_t seed = 1; seed <= 3; seed++) {
		harness_run r = harness_run_yaml(yaml, NULL, seed);
		for (size_t i = 0; i < sim_metrics_series_count(r.metrics); i++) {
			const sim_metrics_series *s = sim_metrics_series_at(r.metrics, i);
			if (strcmp(s->name, "records_processed") != 0)
				continue;
			const double *v = sim_series_data(s->series);
			for (size_t row = 0; row < sim_series_rows(s->series); row++)
				assert_true(v[row] > 0);
		}
		harness_free(&r);
	}
}

/* Lambda IteratorAge of a function that keeps up stays about a poll interval plus work. */
static void iterator_age_of_a_function_that_keeps_up_stays_small(void **state)
{
	(void)state;
	const char *yaml = "kinesim: 1\n"
	                   "name: age\n"
	                   "duration: 10m\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 100/s, record_size: 1KB}\n"
	                   "functions:\n"
	                   "  f:\n"
	                   "    duration: {per_invocation: 50ms, per_record: 1ms}\n"
	                   "    triggers: [{kinesis: s, batch_size: 100}]\n";
	harness_run r = harness_run_yaml(yaml, NULL, 1);
	assert_true(harness_value(&r, "f.iterator_age.max") < 2.0);
	assert_true(harness_value(&r, "f.latency.p50") < 1.5);
	assert_true(harness_value(&r, "f.latency.p50") > 0.3);
	assert_true(harness_value(&r, "f.concurrent_max") == 1);
	harness_free(&r);
}

/* [choice] put_to_readable: a record is readable that long after its acceptance, and its
 * latency still counts from acceptance: every latency is at least the delay, and the mean
 * moves by it. */
static void put_to_readable_delays_every_record_by_that_much(void **state)
{
	(void)state;
	const char *yaml = "kinesim: 1\n"
	                   "name: p2r\n"
	                   "duration: 20m\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 20/s, record_size: 1KB}\n"
	                   "functions:\n"
	                   "  f:\n"
	                   "    triggers: [{kinesis: s}]\n";
	const char *delayed[] = {"platform.kinesis.put_to_readable=3s", NULL};
	harness_run now = harness_run_yaml(yaml, NULL, 2);
	harness_run later = harness_run_yaml(yaml, delayed, 2);
	assert_true(harness_value(&now, "f.latency.p10") < 1.0);
	/* the minimum is the delay plus a getrecords latency and an invocation */
	assert_true(harness_value(&later, "f.latency.p10") > 3.0);
	double shift =
	        harness_value(&later, "f.latency.mean") - harness_value(&now, "f.latency.mean");
	assert_float_equal(shift, 3.0, 0.1);
	harness_free(&now);
	harness_free(&later);
}

/* [doc] throttled invocations are retried without using attempts: with one reserved
 * environment for four shards, invocations are throttled, yet every record is processed and
 * nothing goes to on_failure even with maximum_retry_attempts 0. */
static void throttled_invocations_are_retried_without_using_attempts(void **state)
{
	(void)state;
	const char *yaml = "kinesim: 1\n"
	                   "name: throttled\n"
	                   "duration: 20m\n"
	                   "streams: {s: {shards: 4}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 40/s, record_size: 1KB, limit: 24000}\n"
	                   "functions:\n"
	                   "  f:\n"
	                   "    reserved_concurrency: 1\n"
	                   "    duration: {per_invocation: 150ms}\n"
	                   "    triggers: [{kinesis: s, maximum_retry_attempts: 0}]\n"
	                   "  other: {reserved_concurrency: 0}\n";
	harness_run r = harness_run_yaml(yaml, NULL, 1);
	assert_true(harness_value(&r, "f.throttles") > 100);
	assert_true(harness_value(&r, "f.concurrent_max") == 1);
	assert_true(harness_value(&r, "f.records_processed") == 24000);
	assert_true(harness_value(&r, "f.records_on_failure") == 0);
	assert_true(harness_value(&r, "f.errors") == 0);
	harness_free(&r);
}

/* [doc] AT_TIMESTAMP: the mapping starts at the first record accepted at or after its time,
 * through the shared read limit and through an enhanced fan-out subscription alike (the
 * subscription used to hand over the records before the time on its first push). 10 records/s
 * evenly spaced for 2 minutes, the timestamp at 1 minute: the second minute's records only. */
static void at_timestamp_skips_earlier_records_polled_or_pushed(void **state)
{
	(void)state;
	const char *yaml =
	        "kinesim: 1\n"
	        "name: at-timestamp\n"
	        "duration: 3m\n"
	        "streams: {s: {shards: 1}}\n"
	        "producers:\n"
	        "  p: {stream: s, rate: 10/s, arrivals: uniform, record_size: 100B, limit: 1200}\n"
	        "functions:\n"
	        "  polled:\n"
	        "    triggers: [{kinesis: s, starting_position: AT_TIMESTAMP,\n"
	        "                starting_position_timestamp: 1m}]\n"
	        "  pushed:\n"
	        "    triggers: [{kinesis: s, enhanced_fanout: true, starting_position: "
	        "AT_TIMESTAMP,\n"
	        "                starting_position_timestamp: 1m}]\n";
	harness_run r = harness_run_yaml(yaml, NULL, 1);
	double polled = harness_value(&r, "polled.records_processed");
	assert_in_range((uint64_t)polled, 599, 601);
	assert_true(harness_value(&r, "pushed.records_processed") == polled);
	harness_free(&r);
}

/* A slow but healthy function: 200 records/s arrive, it takes 10 ms a record (100/s), and
 * maximum_record_age is 60 s. Its backlog grows, batches older than a minute are discarded to
 * on_failure as they are formed, and the mapping carries on reading and invoking, as AWS's
 * does. The fault: after the first such discard the lane kept its buffered records, the kick
 * reported "not idle", nothing scheduled the next read or invocation, and the mapping stopped
 * for good (121 invocations in 20 minutes, ~229,000 records left pending, IteratorAge 0). */
static const char slow_with_age_limit[] = "kinesim: 1\n"
                                          "name: stall\n"
                                          "duration: 20m\n"
                                          "streams: {s: {shards: 1}}\n"
                                          "queues: {dlq: {}}\n"
                                          "producers:\n"
                                          "  p: {stream: s, rate: 200/s, record_size: 1KB}\n"
                                          "functions:\n"
                                          "  f:\n"
                                          "    duration: {per_record: 10ms}\n"
                                          "%s"
                                          "    triggers:\n"
                                          "      - kinesis: s\n"
                                          "        batch_size: 100\n"
                                          "        maximum_record_age: 60s\n"
                                          "        on_failure: dlq\n";

static void a_batch_discarded_for_its_age_does_not_stop_the_mapping(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml(harness_fmt(slow_with_age_limit, ""), NULL, 7);
	double accepted = harness_value(&r, "s.incoming_records");
	double processed = harness_value(&r, "f.records_processed");
	double discarded = harness_value(&r, "f.records_on_failure");
	double pending = harness_value(&r, "f.records_pending");
	/* It keeps invoking at its pace to the end: ~100 records/s for 20 minutes. */
	assert_true(processed > 0.9 * 100 * 1200);
	assert_true(harness_value(&r, "f.invocations") > 1000);
	/* The rest was discarded for its age, not left behind: at most a minute's backlog. */
	assert_true(discarded > 0);
	assert_true(pending < 200 * 70);
	assert_true(processed + discarded + pending == accepted);
	assert_true(harness_value(&r, "dlq.sent") > 0);
	/* And the stall would show: the iterator age stays within the age limit. */
	assert_true(harness_value(&r, "f.iterator_age.max") <= 62);
	harness_free(&r);
}

/* Issue 11: the mapping's event counts as Lambda reports them (PolledEventCount,
 * InvokedEventCount, FailedInvokeEventCount, DroppedEventCount,
 * OnFailureDestinationDeliveredEventCount), on the slow function above with 2% poison
 * records and two retries. */
static void the_mapping_reports_its_event_counts(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml(
	        harness_fmt(slow_with_age_limit, "    errors: {poison_records: 2%}\n"), NULL, 7);
	double accepted = harness_value(&r, "s.incoming_records");
	double processed = harness_value(&r, "f.records_processed");
	double polled = harness_value(&r, "f.polled_events");
	double on_failure = harness_value(&r, "f.records_on_failure");
	assert_true(polled >= processed && polled <= accepted);
	assert_true(harness_value(&r, "f.invoked_events") > processed);
	assert_true(harness_value(&r, "f.failed_invoke_events") > 0);
	assert_true(on_failure > 0);
	assert_true(harness_value(&r, "f.dropped_events") ==
	            on_failure + harness_value(&r, "f.records_expired"));
	assert_true(harness_value(&r, "f.on_failure_delivered_events") == on_failure);
	assert_true(harness_value(&r, "f.filtered_out_events") == 0);
	harness_free(&r);
}

/* With reserved concurrency 0 every invocation is throttled and retried; once the batch is
 * older than maximum_record_age it is discarded, and the next one is formed and tried: the
 * mapping goes on discarding to the end instead of stopping after the first. */
static void a_throttled_mapping_keeps_discarding_old_batches(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml(
	        harness_fmt(slow_with_age_limit, "    reserved_concurrency: 0\n"), NULL, 7);
	double accepted = harness_value(&r, "s.incoming_records");
	double discarded = harness_value(&r, "f.records_on_failure");
	assert_true(harness_value(&r, "f.records_processed") == 0);
	assert_true(harness_value(&r, "f.invocations") == 0);
	/* all but the last minute or so of records */
	assert_true(discarded > accepted - 200 * 70);
	assert_true(harness_value(&r, "f.throttles") > 600);
	harness_free(&r);
}

/* Issue 11: the 6 MB payload was counted on the records' raw bytes, but the event carries
 * their data base64-encoded (4 bytes per 3) in a JSON envelope (about 540 B each). Records of
 * 1 MB, 0.9 a second, and a function that takes 10 s a batch, so a backlog builds: a batch
 * holds at most 4 of them (4 x 1,333,876 B fits in 6 MiB, 5 do not), where raw bytes let 6
 * through (a payload AWS would refuse). With a 1 MB envelope, at most 2. */
static double mean_batch(const char *overhead)
{
	const char *yaml =
	        harness_fmt("kinesim: 1\n"
	                    "name: payload\n"
	                    "duration: 20m\n"
	                    "platform: {lambda: {event_record_overhead: %s}}\n"
	                    "streams: {s: {shards: 1}}\n"
	                    "producers: {p: {stream: s, rate: 0.9/s, record_size: 1MB}}\n"
	                    "functions:\n"
	                    "  f:\n"
	                    "    timeout: 60s\n"
	                    "    duration: {per_invocation: 10s}\n"
	                    "    triggers: [{kinesis: s, batch_size: 100}]\n",
	                    overhead);
	harness_run r = harness_run_yaml(yaml, NULL, 3);
	double mean = harness_value(&r, "f.records_processed") / harness_value(&r, "f.invocations");
	assert_true(harness_value(&r, "f.records_pending") > 100); /* the backlog */
	harness_free(&r);
	return mean;
}

static void the_payload_limit_counts_base64_data_and_the_envelope(void **state)
{
	(void)state;
	double mean = mean_batch("540B");
	assert_true(mean > 3 && mean <= 4);
	mean = mean_batch("1MB");
	assert_true(mean > 1.5 && mean <= 2);
}

/* Issue 11: streams that do not start empty. One shard holds an hour of backlog (1000/s) when
 * the run starts; `drain` reads from TRIM_HORIZON, `tip` from LATEST. The backlog is counted
 * apart from the run's records; LATEST skips it, TRIM_HORIZON works through it, its iterator
 * age starting near an hour and falling as it catches up. */
static void a_backlog_is_read_from_trim_horizon_and_skipped_from_latest(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml(
	        "kinesim: 1\n"
	        "name: backlog\n"
	        "duration: 20m\n"
	        "metrics: {interval: 1m}\n"
	        "streams: {s: {shards: 1, backlog: 1h}}\n"
	        "producers: {p: {stream: s, rate: 100/s, record_size: 1KB}}\n"
	        "functions:\n"
	        "  drain:\n"
	        "    duration: {per_invocation: 10ms, per_record: 50us}\n"
	        "    triggers: [{kinesis: s, batch_size: 1000, starting_position: TRIM_HORIZON}]\n"
	        "  tip:\n"
	        "    triggers: [{kinesis: s}]\n",
	        NULL, 5);
	double backlog = harness_value(&r, "s.backlog_records");
	double accepted = harness_value(&r, "s.incoming_records");
	assert_true(backlog > 0.95 * 360000 && backlog < 1.05 * 360000);
	assert_true(accepted > 0.95 * 120000 && accepted < 1.05 * 120000);
	/* LATEST: the run's records only */
	assert_true(harness_value(&r, "tip.records_processed") +
	                    harness_value(&r, "tip.records_pending") ==
	            accepted);
	/* TRIM_HORIZON: the backlog and the run's records */
	assert_true(harness_value(&r, "drain.records_processed") +
	                    harness_value(&r, "drain.records_pending") ==
	            backlog + accepted);
	assert_true(harness_value(&r, "drain.iterator_age.max") > 3500);
	const sim_series *age = harness_series(r.metrics, "functions/drain", "iterator_age_max_ms");
	const double *v = sim_series_data(age);
	assert_true(v[0] > 3500e3);                          /* the first minute: an hour behind */
	assert_true(v[sim_series_rows(age) - 1] < v[0] / 2); /* catching up */
	harness_free(&r);
}

/* Issue 11: a mapping enabled later (enabled_at: 10m). LATEST reads what comes from then and
 * held nothing before; TRIM_HORIZON starts from the oldest record, ten minutes behind. Each
 * on a stream of its own (the same records): on one shard the catch-up's large reads would
 * throttle the other mapping, as they do at AWS. */
static void a_mapping_enabled_later_starts_at_its_position(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml(
	        "kinesim: 1\n"
	        "name: enabled\n"
	        "duration: 20m\n"
	        "streams: {s: {shards: 1}, t: {shards: 1}}\n"
	        "producers: {p: {streams: [s, t], rate: 100/s, record_size: 1KB}}\n"
	        "functions:\n"
	        "  late:\n"
	        "    triggers: [{kinesis: s, enabled_at: 10m}]\n"
	        "  catchup:\n"
	        "    triggers: [{kinesis: t, enabled_at: 10m, starting_position: TRIM_HORIZON}]\n",
	        NULL, 5);
	double accepted = harness_value(&r, "s.incoming_records");
	double late = harness_value(&r, "late.records_processed") +
	              harness_value(&r, "late.records_pending");
	assert_true(late > 0.45 * accepted && late < 0.55 * accepted);
	assert_true(harness_value(&r, "late.iterator_age.max") < 10);
	assert_true(harness_value(&r, "catchup.records_processed") +
	                    harness_value(&r, "catchup.records_pending") ==
	            accepted);
	double age = harness_value(&r, "catchup.iterator_age.max");
	assert_true(age > 590 && age < 620);
	harness_free(&r);
}

/* Issue 10: a LATEST mapping enabled later starts at what has arrived by then, and an
 * AT_TIMESTAMP mapping at the first record from its time, even when an enhanced fan-out reader
 * of the same stream has brought the producers up to a second ahead (the log then holds
 * records not yet arrived). Both started past what was readable: LATEST at the log's end,
 * skipping up to a second of records, AT_TIMESTAMP at a record still to come; and their first
 * read asked for a range ending before it began, reading past the log (a crash). Adding the
 * enhanced fan-out function must change nothing of what the late mapping reads: the
 * producer's records are the same in both runs. */
static void a_late_mapping_reads_the_same_beside_enhanced_fan_out(void **state)
{
	(void)state;
	static const char *const starts[] = {
	        "enabled_at: 30500ms",
	        "starting_position: AT_TIMESTAMP, starting_position_timestamp: 30500ms",
	};
	for (size_t k = 0; k < 2; k++) {
		double read[2];
		for (int efo = 0; efo < 2; efo++) {
			const char *yaml = harness_fmt(
			        "kinesim: 1\n"
			        "name: late-beside-efo\n"
			        "duration: 2m\n"
			        "streams: {s: {shards: 1}}\n"
			        "producers: {p: {stream: s, rate: 100/s, record_size: 1KB}}\n"
			        "functions:\n"
			        "  late:\n"
			        "    duration: {per_invocation: 5ms}\n"
			        "    triggers: [{kinesis: s, %s}]\n"
			        "%s",
			        starts[k],
			        efo ? "  push:\n"
			              "    duration: {per_invocation: 5ms}\n"
			              "    triggers: [{kinesis: s, enhanced_fanout: true}]\n"
			            : "");
			harness_run r = harness_run_yaml(yaml, NULL, 3);
			read[efo] = harness_value(&r, "late.records_processed") +
			            harness_value(&r, "late.records_pending");
			double accepted = harness_value(&r, "s.incoming_records");
			assert_true(read[efo] > 0.7 * accepted && read[efo] < 0.8 * accepted);
			harness_free(&r);
		}
		assert_true(read[1] == read[0]);
	}
}

/* Issue 11: [doc] tumbling windows. With a 60 s window no batch holds records of two windows,
 * and after each window the function is invoked a final time with no records (the window's
 * state), before any batch of the next: 10 minutes make 10 windows, whose last ends with the
 * run (9 finals). */
typedef struct window_log {
	bool mixed;
	uint64_t batches;
} window_log;

static void observe_windows(void *ctx, const ks_function *f, const ks_log *shard, uint64_t from,
                            uint64_t to, sim_time t)
{
	(void)f;
	(void)t;
	window_log *log = ctx;
	sim_time first = ks_log_record(shard, from)->arrival / (60 * SIM_S);
	for (uint64_t q = from; q < to; q++)
		if (ks_log_record(shard, q)->arrival / (60 * SIM_S) != first)
			log->mixed = true;
	log->batches++;
}

static void tumbling_windows_cut_batches_and_end_with_a_final_invocation(void **state)
{
	(void)state;
	harness_run r = {0};
	r.sc = harness_load(
	        "kinesim: 1\n"
	        "name: windows\n"
	        "duration: 10m\n"
	        "streams: {s: {shards: 1}}\n"
	        "producers: {p: {stream: s, rate: 20/s, record_size: 1KB}}\n"
	        "functions:\n"
	        "  f:\n"
	        "    duration: {per_invocation: 300ms, per_record: 1ms}\n"
	        "    triggers: [{kinesis: s, batch_size: 1000, tumbling_window: 60s}]\n",
	        NULL);
	r.metrics = sim_metrics_create();
	r.model = ks_model_build(r.sc, 4, 0, r.metrics);
	window_log log = {0};
	ks_functions_observe(r.model, observe_windows, &log);
	assert_int_equal(ks_model_run(r.model, NULL, NULL, NULL), 0);
	ks_model_summarize(r.model);
	assert_false(log.mixed);
	assert_true(log.batches > 100);
	assert_true(harness_value(&r, "f.window_finals") == 9);
	/* every invocation is a batch or a final one */
	assert_true(harness_value(&r, "f.invocations") >= (double)log.batches + 9);
	assert_true(harness_value(&r, "f.records_processed") +
	                    harness_value(&r, "f.records_pending") ==
	            harness_value(&r, "s.incoming_records"));
	harness_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(every_accepted_record_is_processed_or_expired),
	        cmocka_unit_test(no_poller_is_locked_out_by_another),
	        cmocka_unit_test(iterator_age_of_a_function_that_keeps_up_stays_small),
	        cmocka_unit_test(put_to_readable_delays_every_record_by_that_much),
	        cmocka_unit_test(throttled_invocations_are_retried_without_using_attempts),
	        cmocka_unit_test(at_timestamp_skips_earlier_records_polled_or_pushed),
	        cmocka_unit_test(a_batch_discarded_for_its_age_does_not_stop_the_mapping),
	        cmocka_unit_test(a_throttled_mapping_keeps_discarding_old_batches),
	        cmocka_unit_test(the_payload_limit_counts_base64_data_and_the_envelope),
	        cmocka_unit_test(a_backlog_is_read_from_trim_horizon_and_skipped_from_latest),
	        cmocka_unit_test(a_mapping_enabled_later_starts_at_its_position),
	        cmocka_unit_test(a_late_mapping_reads_the_same_beside_enhanced_fan_out),
	        cmocka_unit_test(the_mapping_reports_its_event_counts),
	        cmocka_unit_test(tumbling_windows_cut_batches_and_end_with_a_final_invocation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
