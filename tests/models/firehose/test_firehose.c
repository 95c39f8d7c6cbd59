/* Firehose delivery streams (firehose/delivery.h) and s3 triggers, through whole scenarios: the
 * buffer closes at its interval (records per object = rate x interval) or at its size (objects of
 * buffer.size); the firehose's one GetRecords a second per shard goes through the shard's
 * shared read limit; an s3-triggered function gets every delivered record once, its latency
 * counting from the record's acceptance; records are conserved; cost = GiB read x price. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "tests/harness.h"

#define MIB 1048576.0

/* One shard at 10 records/s, 1 KB each (1000 B: sizes of records are SI); a %s for the
 * firehose's buffer and a %s for more top-level keys. */
#define LOW_RATE                                                                                   \
	"kinesim: 1\n"                                                                             \
	"name: fh\n"                                                                               \
	"duration: 10m\n"                                                                          \
	"platform: {kinesis: {getrecords_latency: 50ms}, lambda: {invoke_overhead: 0s}}\n"         \
	"streams: {s: {shards: 1}}\n"                                                              \
	"producers:\n"                                                                             \
	"  p: {stream: s, rate: 10/s, arrivals: uniform, record_size: 1KB}\n"                      \
	"firehoses:\n"                                                                             \
	"  archive: {source: s, buffer: %s}\n"                                                     \
	"%s"

/* At 10 records/s and a 60 s interval, a buffer opens with the response that brings its first
 * records and closes 60 s later: it holds the records of 60 or 61 one-second reads, 600-610
 * records, and a delivery follows every 60-61 s: 9 objects by 10 min (the first closes at
 * about 61 s, delivered 1 s later). The size (5 MiB) is never reached (610 KB). */
static void a_low_rate_delivers_one_object_per_interval(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml(harness_fmt(LOW_RATE, "{interval: 60s}", ""), NULL, 1);
	double objects = harness_value(&r, "archive.objects");
	double records = harness_value(&r, "archive.records_delivered");
	assert_true(objects >= 8 && objects <= 10);
	double per_object = records / objects;
	assert_true(per_object >= 590 && per_object <= 620);
	assert_true(fabs(harness_value(&r, "archive.bytes") - records * 1000) < 0.5);
	/* the first record of a buffer waits the whole interval, plus the delivery (1 s) */
	assert_true(harness_value(&r, "archive.latency.max") >= 60);
	assert_true(harness_value(&r, "archive.latency.max") <= 63);
	/* a record waits from its read to the close: about half the interval on average */
	double mean = harness_value(&r, "archive.latency.mean");
	assert_true(mean > 28 && mean < 34);
	harness_free(&r);
}

/* 1000 records/s of 1000 B over two shards (1 MB/s) with a 1 MiB buffer and a 300 s interval:
 * each object closes with the record that reaches 1 MiB, so it holds 1 MiB plus less than one
 * record, and the objects are the bytes read over 1 MiB. */
static void a_high_rate_delivers_objects_of_the_buffer_size(void **state)
{
	(void)state;
	const char *yaml = "kinesim: 1\n"
	                   "name: fh\n"
	                   "duration: 2m\n"
	                   "streams: {s: {shards: 2}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 1000/s, arrivals: uniform, record_size: 1KB}\n"
	                   "firehoses:\n"
	                   "  archive: {source: s, buffer: {size: 1MB, interval: 300s}}\n";
	harness_run r = harness_run_yaml(yaml, NULL, 1);
	double objects = harness_value(&r, "archive.objects");
	double bytes = harness_value(&r, "archive.bytes");
	double in = harness_value(&r, "archive.bytes_ingested");
	assert_true(objects > 0);
	double size = bytes / objects;
	assert_true(size >= MIB && size < MIB + 1000);
	/* all but the last partial buffer (< 1 MiB) and the object on its way (1 s of reads) */
	assert_true(objects == floor(in / (MIB + 1000)) || objects == floor(in / MIB) ||
	            objects == floor(in / MIB) - 1);
	assert_true(objects >= 110 && objects <= 115); /* 120 MB read / 1.048 MB */
	harness_free(&r);
}

/* Five Lambda subscribers poll once a second each: the shard's 5 calls/s. The firehose's one
 * call a second goes through the same limit, so the stream throttles more with it. */
static void the_firehose_shares_the_shard_read_limit(void **state)
{
	(void)state;
	const char *base = "kinesim: 1\n"
	                   "name: shared\n"
	                   "duration: 5m\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 50/s, record_size: 1KB}\n"
	                   "functions:\n"
	                   "  f:\n"
	                   "    count: 5\n"
	                   "    triggers: [{kinesis: s}]\n";
	const char *with = harness_fmt("%sfirehoses:\n  archive: {source: s}\n", base);
	harness_run alone = harness_run_yaml(base, NULL, 1);
	harness_run shared = harness_run_yaml(with, NULL, 1);
	assert_true(harness_value(&shared, "s.read_throttled") >
	            harness_value(&alone, "s.read_throttled"));
	/* one call a second, 300 s (the first at a phase within the first second) */
	double calls = harness_value(&shared, "archive.read_calls");
	assert_true(calls >= 299 && calls <= 300);
	/* the stream's throttles are the pollers' and the firehose's: the pollers back off after
	 * a throttle while the firehose keeps its second, so the extra throttles may all be
	 * theirs */
	assert_true(harness_value(&shared, "s.read_throttled") >=
	            harness_value(&alone, "s.read_throttled") +
	                    harness_value(&shared, "archive.read_throttled"));
	harness_free(&alone);
	harness_free(&shared);

	/* alone on its stream, the firehose makes every call and is never throttled */
	harness_run only =
	        harness_run_yaml("kinesim: 1\nname: only\nduration: 5m\nstreams: {s: {shards: 1}}\n"
	                         "producers: {p: {stream: s, rate: 50/s, record_size: 1KB}}\n"
	                         "firehoses: {archive: {source: s}}\n",
	                         NULL, 1);
	assert_true(harness_value(&only, "s.read_calls") ==
	            harness_value(&only, "archive.read_calls"));
	assert_true(harness_value(&only, "archive.read_throttled") == 0);
	harness_free(&only);
}

#define S3_FUNCTION                                                                                \
	"functions:\n"                                                                             \
	"  sink:\n"                                                                                \
	"    cold_start: 0s\n"                                                                     \
	"    duration: {per_invocation: 100ms}\n"                                                  \
	"    triggers: [{s3: archive}]\n"

/* One invocation per object (no overhead, no errors), every delivered record processed once,
 * each after at least its wait in the buffer and the delivery. */
static void an_s3_function_processes_every_delivered_record_once(void **state)
{
	(void)state;
	harness_run r =
	        harness_run_yaml(harness_fmt(LOW_RATE, "{interval: 60s}", S3_FUNCTION), NULL, 1);
	double delivered = harness_value(&r, "archive.records_delivered");
	assert_true(delivered > 0);
	assert_true(harness_value(&r, "sink.invocations") == harness_value(&r, "archive.objects"));
	assert_true(harness_value(&r, "sink.records_processed") +
	                    harness_value(&r, "sink.records_pending") ==
	            delivered);
	/* the first record of each object waited the interval; every record is later than in
	 * the firehose by the invocation (100 ms) */
	assert_true(harness_value(&r, "sink.latency.max") >= 60.1);
	assert_true(harness_value(&r, "sink.latency.mean") >=
	            harness_value(&r, "archive.latency.mean") + 0.09);
	assert_true(harness_value(&r, "sink.latency.mean") <=
	            harness_value(&r, "archive.latency.mean") + 0.11);
	harness_free(&r);
}

/* Every accepted record is delivered, expired or still pending at the end (no warm-up): here
 * the last buffer, still open, holds some. */
static void records_are_conserved(void **state)
{
	(void)state;
	harness_run r =
	        harness_run_yaml(harness_fmt(LOW_RATE, "{interval: 45s}", S3_FUNCTION), NULL, 3);
	double accepted = harness_value(&r, "s.incoming_records");
	assert_true(accepted > 5000);
	assert_true(harness_value(&r, "archive.records_delivered") +
	                    harness_value(&r, "archive.records_expired") +
	                    harness_value(&r, "archive.records_pending") ==
	            accepted);
	assert_true(harness_value(&r, "archive.records_pending") > 0); /* the last buffer */
	harness_free(&r);
}

/* cost.firehose = GiB read by the firehose x firehose_gb ($0.029 by default, overridable). */
/* Each 1000 B record is billed as 5 KB ingested (tests/validation/test_billing.c). */
static void firehose_cost_is_gigabytes_ingested_times_the_price(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml(harness_fmt(LOW_RATE, "{interval: 60s}", ""), NULL, 1);
	double in = harness_value(&r, "archive.bytes_ingested");
	/* 10 records/s x 1000 B for 600 s, less the last second's reads at most */
	assert_true(in > 5.98e6 && in <= 6e6);
	double gib = in / 1000 * 5120 / (1024.0 * 1024 * 1024);
	assert_true(fabs(harness_value(&r, "cost.firehose") - gib * 0.029) < 1e-12);
	harness_free(&r);

	const char *sets[] = {"platform.prices.firehose_gb=2", NULL};
	r = harness_run_yaml(harness_fmt(LOW_RATE, "{interval: 60s}", ""), sets, 1);
	assert_true(fabs(harness_value(&r, "cost.firehose") - gib * 2) < 1e-12);
	harness_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(a_low_rate_delivers_one_object_per_interval),
	        cmocka_unit_test(a_high_rate_delivers_objects_of_the_buffer_size),
	        cmocka_unit_test(the_firehose_shares_the_shard_read_limit),
	        cmocka_unit_test(an_s3_function_processes_every_delivered_record_once),
	        cmocka_unit_test(records_are_conserved),
	        cmocka_unit_test(firehose_cost_is_gigabytes_ingested_times_the_price),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
