/* Billing rules (issue 11: the bill read low). Each test runs a scenario whose cost follows
 * from the counts of the same run and AWS's published rule, with the default prices:
 *   - on-demand data in and out is billed per record rounded up to 1 KiB;
 *   - Firehose ingestion per record in 5 KB increments;
 *   - a Lambda cold start's INIT phase is billed as duration (since 1 August 2025);
 *   - retention past 24 h is charged (extended, then long-term past 7 days);
 *   - the cost per hour and per month is the window's cost over its hours. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "models/kinesis/stream.h"
#include "sim/alloc.h"
#include "tests/harness.h"

#define GIB 1073741824.0

static void assert_close(double got, double want)
{
	if (fabs(got - want) > 1e-9 * fabs(want) + 1e-15) {
		print_error("got %.12g, want %.12g\n", got, want);
		fail();
	}
}

/* 100 records/s of 100 B into an on-demand stream for an hour, read by one KCL application:
 * each record is billed as 1 KiB in and 1 KiB out (kinesim billed 100 B: a tenth). */
static void on_demand_data_is_billed_per_record_rounded_up_to_1_kib(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml("kinesim: 1\n"
	                                 "name: on-demand-bill\n"
	                                 "duration: 1h\n"
	                                 "streams: {s: {mode: on_demand}}\n"
	                                 "producers: {p: {stream: s, rate: 100/s, "
	                                 "record_size: 100B}}\n"
	                                 "consumers: {c: {stream: s}}\n",
	                                 NULL, 1);
	double in = harness_value(&r, "s.incoming_records");
	double out = harness_value(&r, "c.records_processed");
	assert_true(in > 350000 && out > 0.99 * in);
	/* out: what the consumer got, processed or (the last response) still in hand at the end */
	double want = 1 * 0.04 + in * 1024 / GIB * 0.08 + out * 1024 / GIB * 0.04;
	double got = harness_value(&r, "cost.kinesis");
	assert_true(got >= want && got < want * 1.001);
	harness_free(&r);
}

/* A firehose reading 1 KB records: each is billed as 5 KB ingested. */
static void firehose_ingestion_is_billed_in_5_kb_increments(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml("kinesim: 1\n"
	                                 "name: firehose-bill\n"
	                                 "duration: 10m\n"
	                                 "streams: {s: {shards: 1}}\n"
	                                 "producers: {p: {stream: s, rate: 50/s, "
	                                 "record_size: 1000B}}\n"
	                                 "firehoses: {f: {source: s}}\n",
	                                 NULL, 1);
	double bytes = harness_value(&r, "f.bytes_ingested");
	assert_true(bytes > 0);
	double records = bytes / 1000;
	assert_close(harness_value(&r, "cost.firehose"), records * 5120 / GIB * 0.029);
	harness_free(&r);
}

/* The same function with and without a 5 s cold start: the difference in the Lambda bill is
 * the cold starts' INIT time at the function's memory. */
static double lambda_cost(const char *cold_start, double *cold_starts, double *invocations)
{
	const char *yaml = harness_fmt("kinesim: 1\n"
	                               "name: init-bill\n"
	                               "duration: 10m\n"
	                               "streams: {s: {shards: 1}}\n"
	                               "producers: {p: {stream: s, rate: 1/s, record_size: 1KB}}\n"
	                               "functions:\n"
	                               "  f:\n"
	                               "    memory: 10240MB\n"
	                               "    cold_start: %s\n"
	                               "    duration: {per_invocation: 10ms}\n"
	                               "    triggers: [{kinesis: s}]\n",
	                               cold_start);
	harness_run r = harness_run_yaml(yaml, NULL, 1);
	*cold_starts = harness_value(&r, "f.cold_starts");
	*invocations = harness_value(&r, "f.invocations");
	double usd = harness_value(&r, "cost.lambda");
	harness_free(&r);
	return usd;
}

static void a_cold_starts_init_phase_is_billed(void **state)
{
	(void)state;
	double cold, invocations, cold0, invocations0;
	double with = lambda_cost("5s", &cold, &invocations);
	double without = lambda_cost("0s", &cold0, &invocations0);
	assert_true(cold >= 1 && cold == cold0);
	/* the cold start delays the first batches: compare per invocation of 10 ms */
	double gb_s_price = 0.0000166667, request = 0.20 / 1e6;
	double per_invocation = 0.010 * 10 * gb_s_price + request;
	assert_close(without, invocations0 * per_invocation);
	assert_close(with, invocations * per_invocation + cold * 5 * 10 * gb_s_price);
}

/* Provisioned concurrency: 2 environments of 1 GiB ready for the hour; one shard's poller
 * keeps at most one invocation running, so every invocation finds a provisioned environment
 * (no cold start) and its duration is billed at the provisioned price. */
static void provisioned_concurrency_is_warm_and_billed_for_the_period(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml("kinesim: 1\n"
	                                 "name: provisioned\n"
	                                 "duration: 1h\n"
	                                 "streams: {s: {shards: 1}}\n"
	                                 "producers: {p: {stream: s, rate: 10/s, "
	                                 "record_size: 1KB}}\n"
	                                 "functions:\n"
	                                 "  f:\n"
	                                 "    memory: 1024MB\n"
	                                 "    provisioned_concurrency: 2\n"
	                                 "    duration: {per_invocation: 10ms}\n"
	                                 "    triggers: [{kinesis: s}]\n",
	                                 NULL, 1);
	double invocations = harness_value(&r, "f.invocations");
	assert_true(invocations > 1000);
	assert_true(harness_value(&r, "f.cold_starts") == 0);
	assert_close(harness_value(&r, "cost.item.lambda_provisioned_gb_second"),
	             2 * 1.0 * 3600 * 0.0000041667);
	assert_close(harness_value(&r, "cost.item.lambda_gb_second"), 0);
	double duration_usd = harness_value(&r, "cost.item.lambda_provisioned_duration_gb_second");
	assert_close(duration_usd, invocations * 0.010 * 1.0 * 0.0000097222);
	harness_free(&r);

	int rc;
	char *text =
	        harness_diagnostics("kinesim: 1\n"
	                            "name: provisioned\n"
	                            "duration: 1h\n"
	                            "streams: {s: {shards: 1}}\n"
	                            "functions:\n"
	                            "  f: {reserved_concurrency: 2, provisioned_concurrency: 3}\n",
	                            &rc);
	assert_int_equal(rc, KS_SCENARIO_INVALID);
	assert_non_null(strstr(text, "error: provisioned_concurrency 3 is more than "
	                             "reserved_concurrency 2"));
	sim_free(text);
}

/* On-demand Advantage: the same stream billed without its stream-hour, at the lower data
 * prices; warm throughput opens the stream with that capacity; 50 enhanced fan-out
 * consumers are allowed on it. */
static void on_demand_advantage_bills_and_warms_as_documented(void **state)
{
	(void)state;
	harness_run r =
	        harness_run_yaml("kinesim: 1\n"
	                         "name: advantage\n"
	                         "duration: 1h\n"
	                         "platform: {kinesis: {on_demand_advantage: true}}\n"
	                         "streams: {s: {mode: on_demand, warm_throughput: 20MiB/s}}\n"
	                         "producers: {p: {stream: s, rate: 100/s, "
	                         "record_size: 100B}}\n"
	                         "consumers: {c: {stream: s}}\n",
	                         NULL, 1);
	double in = harness_value(&r, "s.incoming_records");
	assert_close(harness_value(&r, "cost.item.on_demand_stream_hour"), 0);
	assert_close(harness_value(&r, "cost.item.advantage_gb_in"), in * 1024 / GIB * 0.032);
	double out = harness_value(&r, "cost.item.advantage_gb_out");
	assert_true(out > 0.99 * in * 1024 / GIB * 0.016 && out <= in * 1024 / GIB * 0.016);
	assert_int_equal(harness_stream(&r, 0)->cfg.shards, 20);
	harness_free(&r);

	int rc;
	char *text = harness_diagnostics("kinesim: 1\n"
	                                 "name: advantage\n"
	                                 "duration: 1h\n"
	                                 "platform: {kinesis: {on_demand_advantage: true}}\n"
	                                 "streams: {s: {mode: on_demand}, t: {shards: 1, "
	                                 "warm_throughput: 8MiB/s}}\n"
	                                 "functions:\n"
	                                 "  f: {count: 50, triggers: [{kinesis: s, "
	                                 "enhanced_fanout: true}]}\n",
	                                 &rc);
	assert_int_equal(rc, KS_SCENARIO_INVALID);
	assert_null(strstr(text, "enhanced fan-out consumers"));
	assert_non_null(strstr(text, "error: warm_throughput needs an on_demand stream"));
	sim_free(text);
}

/* A provisioned stream of 2 shards kept 10 days for an hour: 2 shard-hours of extended
 * retention, and the hour's data charged for the 3 days it is kept past 7 days. */
static void retention_past_a_day_is_charged(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml("kinesim: 1\n"
	                                 "name: retention-bill\n"
	                                 "duration: 1h\n"
	                                 "streams: {s: {shards: 2, retention: 240h}}\n"
	                                 "producers: {p: {stream: s, rate: 10/s, "
	                                 "record_size: 1000B}}\n",
	                                 NULL, 1);
	double bytes = harness_value(&r, "s.incoming_bytes");
	double payload_units = harness_value(&r, "s.incoming_records") / 1e6 * 0.014;
	assert_close(harness_value(&r, "cost.item.extended_retention_shard_hour"), 2 * 0.02);
	assert_close(harness_value(&r, "cost.item.long_term_retention_gb_month"),
	             bytes / GIB * (72.0 / 730) * 0.023);
	assert_close(harness_value(&r, "cost.kinesis"),
	             2 * 0.015 + payload_units + 2 * 0.02 + bytes / GIB * (72.0 / 730) * 0.023);
	harness_free(&r);
}

/* Half an hour measured after a 10-minute warm-up: per hour is twice the window's cost, per
 * month 730 times that. */
static void cost_per_hour_and_per_month_follow_the_window(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml("kinesim: 1\n"
	                                 "name: rates\n"
	                                 "duration: 40m\n"
	                                 "warmup: 10m\n"
	                                 "streams: {s: {shards: 3}}\n"
	                                 "producers: {p: {stream: s, rate: 10/s, "
	                                 "record_size: 1KB}}\n",
	                                 NULL, 1);
	double window = harness_value(&r, "cost.total");
	assert_close(harness_value(&r, "cost.item.shard_hour"), 3 * 0.5 * 0.015);
	assert_close(harness_value(&r, "cost.hourly.total"), 2 * window);
	assert_close(harness_value(&r, "cost.monthly.total"), 2 * 730 * window);
	assert_close(harness_value(&r, "cost.monthly.kinesis"),
	             2 * 730 * harness_value(&r, "cost.kinesis"));
	harness_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(on_demand_data_is_billed_per_record_rounded_up_to_1_kib),
	        cmocka_unit_test(firehose_ingestion_is_billed_in_5_kb_increments),
	        cmocka_unit_test(a_cold_starts_init_phase_is_billed),
	        cmocka_unit_test(retention_past_a_day_is_charged),
	        cmocka_unit_test(on_demand_advantage_bills_and_warms_as_documented),
	        cmocka_unit_test(provisioned_concurrency_is_warm_and_billed_for_the_period),
	        cmocka_unit_test(cost_per_hour_and_per_month_follow_the_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
