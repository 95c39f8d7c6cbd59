/* docs/validation.md case 14 (SQS redrive) and the SQS mapping's poller scaling and partial batch
 * responses. Messages are put in the source queue by hand at t = 0 (before the run), so every
 * instant follows from the rules: a visibility timeout of V brings a failed message back V
 * after its receive, and the mapping receives it at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "models/sqs/queue.h"
#include "tests/harness.h"

/* Loads yaml, sends n messages to `src` at t = 0 (data records of producer 0, indices 0..n-1,
 * 1 KB), runs and summarizes. */
static harness_run run_with_messages(const char *yaml, const char *src, int n)
{
	harness_run r = {0};
	r.sc = harness_load(yaml, NULL);
	r.metrics = sim_metrics_create();
	r.model = ks_model_build(r.sc, 1, 0, r.metrics);
	ks_queue *q = harness_object(&r, src);
	for (int i = 0; i < n; i++) {
		ks_record rec = {.arrival = 0, .id = ks_record_id(0, (uint64_t)i), .bytes = 1024};
		ks_queue_send_record(q, 0, &rec);
	}
	assert_int_equal(ks_model_run(r.model, NULL, NULL, NULL), 0);
	ks_model_summarize(r.model);
	return r;
}

static const char *scenario(const char *duration, const char *queues, const char *function)
{
	return harness_fmt("kinesim: 1\n"
	                   "name: sqs\n"
	                   "duration: %s\n"
	                   "metrics: {interval: 1s}\n"
	                   "platform: {lambda: {invoke_overhead: 0s}}\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers: {p: {stream: s, rate: 1/s, record_size: 1KB}}\n"
	                   "queues:\n%s"
	                   "functions:\n"
	                   "  f:\n"
	                   "    cold_start: 0s\n"
	                   "%s",
	                   duration, queues, function);
}

/* Case 14: the function always fails; visibility 30 s, max_receive_count 3. Each message is
 * received at 0, 30 and 60 s (a timeout of 30 s after each receive); after the third, at
 * 90 s, it moves to the DLQ. */
static void always_failing_messages_reach_the_dlq_after_three_receives(void **state)
{
	(void)state;
	const char *yaml = scenario("3m",
	                            "  src: {visibility_timeout: 30s, max_receive_count: 3, "
	                            "redrive_to: dlq}\n"
	                            "  dlq: {retention: 14d}\n",
	                            "    duration: {per_invocation: 100ms}\n"
	                            "    errors: {invocation: 1.0}\n"
	                            "    triggers: [{sqs: src}]\n");
	harness_run r = run_with_messages(yaml, "src", 3);
	const double *rcv = sim_series_data(harness_series(r.metrics, "queues/src", "received"));
	const double *dlq = sim_series_data(harness_series(r.metrics, "queues/dlq", "visible_max"));
	double first_dlq = -1;
	for (size_t i = 0; i < 180; i++) {
		double expect = i == 0 || i == 30 || i == 60 ? 3 : 0;
		if (rcv[i] != expect)
			fail_msg("received in second %zu: %g, expected %g", i, rcv[i], expect);
		if (first_dlq < 0 && dlq[i] > 0)
			first_dlq = (double)i;
	}
	assert_true(harness_case("14", "receives per message", "max_receive_count = 3",
	                         harness_value(&r, "src.received") / 3, 3, 3));
	assert_true(harness_case("14", "in the DLQ at (s)", "3 x 30 s = 90", first_dlq, 90, 90));
	assert_true(harness_value(&r, "src.deleted") == 0);
	assert_true(harness_value(&r, "dlq.visible_max") == 3);
	assert_true(harness_value(&r, "dlq.sent") == 0);      /* a redrive is not a send [doc] */
	assert_true(harness_value(&r, "f.invocations") == 3); /* one batch of 3, three times */
	assert_true(harness_value(&r, "f.errors") == 3);
	/* 3 SendMessage (the test's), 3 ReceiveMessage calls, no delete: $0.40 per million */
	assert_true(harness_value(&r, "cost.sqs") > 5.9 * 0.4e-6 &&
	            harness_value(&r, "cost.sqs") < 6.1 * 0.4e-6);
	harness_free(&r);
}

/* 2000 messages wait; each batch of 10 runs 20 s. The mapping starts with 5 concurrent
 * batches and adds 5 each second while messages wait (300 per minute): in second k,
 * 5 + 5k run, up to maximum_concurrency. */
static void pollers_start_at_five_and_add_five_each_second_while_messages_wait(void **state)
{
	(void)state;
#define SCALE_FN                                                                                   \
	"    timeout: 30s\n"                                                                       \
	"    duration: {per_invocation: 20s}\n"                                                    \
	"    triggers: [{sqs: src%s}]\n"
	const char *queues = "  src: {visibility_timeout: 60s}\n";
	harness_run r =
	        run_with_messages(scenario("30s", queues, harness_fmt(SCALE_FN, "")), "src", 2000);
	const double *c =
	        sim_series_data(harness_series(r.metrics, "functions/f", "concurrent_max"));
	for (size_t k = 0; k < 20; k++)
		if (c[k] != 5 + 5 * (double)k)
			fail_msg("second %zu: %g concurrent, expected %g", k, c[k], 5 + 5.0 * k);
	assert_true(
	        harness_case("-", "SQS pollers after 10 s", "5 + 10 x 300/60 = 55", c[10], 55, 55));
	harness_free(&r);

	r = run_with_messages(
	        scenario("30s", queues, harness_fmt(SCALE_FN, ", maximum_concurrency: 20")), "src",
	        2000);
	c = sim_series_data(harness_series(r.metrics, "functions/f", "concurrent_max"));
	/* 5, 10, 15, 20, then no more (the function's series notes the peaks of seconds that
	 * started batches) */
	for (size_t k = 0; k < 30; k++)
		if (k < 4 ? c[k] != 5 + 5 * (double)k : c[k] > 20)
			fail_msg("second %zu: %g concurrent with maximum_concurrency 20", k, c[k]);
	assert_true(harness_value(&r, "f.concurrent_max") == 20);
	harness_free(&r);
}

/* Records 0..4 in one batch, record 2 poison (fail_batch): the handler stops at it. With
 * report_batch_item_failures records 0 and 1 are deleted; 2, 3, 4 come back at 30 s, fail
 * again (2 is first), and move to the DLQ at 60 s (max_receive_count 2). Without it the
 * whole batch comes back and all five move. */
static void partial_batch_response_deletes_the_records_before_the_first_failure(void **state)
{
	(void)state;
	const char *queues = "  src: {visibility_timeout: 30s, max_receive_count: 2, "
	                     "redrive_to: dlq}\n"
	                     "  dlq: {}\n";
#define PARTIAL_FN                                                                                 \
	"    duration: {per_invocation: 10ms}\n"                                                   \
	"    errors: {poison_indices: [2]}\n"                                                      \
	"    triggers: [{sqs: src%s}]\n"
	harness_run r = run_with_messages(
	        scenario("2m", queues,
	                 harness_fmt(PARTIAL_FN, ", report_batch_item_failures: true")),
	        "src", 5);
	assert_true(harness_value(&r, "src.deleted") == 2);
	assert_true(harness_value(&r, "f.records_processed") == 2);
	assert_true(harness_value(&r, "dlq.visible_max") == 3);
	assert_true(harness_value(&r, "src.received") == 5 + 3);
	harness_free(&r);

	r = run_with_messages(scenario("2m", queues, harness_fmt(PARTIAL_FN, "")), "src", 5);
	assert_true(harness_value(&r, "src.deleted") == 0);
	assert_true(harness_value(&r, "f.records_processed") == 0);
	assert_true(harness_value(&r, "dlq.visible_max") == 5);
	harness_free(&r);
}

/* A DLQ alarm (threshold 1, period 1 min): the messages of case 14 arrive at 90 s, so the
 * period [60 s, 120 s) breaches and the alarm fires at its end, 120 s. */
static void dlq_alarm_fires_at_the_end_of_the_period_the_messages_arrive_in(void **state)
{
	(void)state;
	const char *yaml = scenario("5m",
	                            "  src: {visibility_timeout: 30s, max_receive_count: 3, "
	                            "redrive_to: dlq}\n"
	                            "  dlq: {alarm: {threshold: 1, period: 1m}}\n",
	                            "    errors: {invocation: 1.0}\n"
	                            "    triggers: [{sqs: src}]\n");
	harness_run r = run_with_messages(yaml, "src", 3);
	ks_queue *dlq = harness_object(&r, "dlq");
	assert_int_equal(dlq->alarm_n, 1);
	assert_true(dlq->alarm_rows[0] == 120 && dlq->alarm_rows[1] == 1);
	assert_true(harness_value(&r, "dlq.alarm_fired") == 1);
	harness_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(always_failing_messages_reach_the_dlq_after_three_receives),
	        cmocka_unit_test(
	                pollers_start_at_five_and_add_five_each_second_while_messages_wait),
	        cmocka_unit_test(
	                partial_batch_response_deletes_the_records_before_the_first_failure),
	        cmocka_unit_test(dlq_alarm_fires_at_the_end_of_the_period_the_messages_arrive_in),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
