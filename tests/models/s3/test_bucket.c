/* S3 buckets (s3/bucket.h) as destinations: a Kinesis mapping's on_failure gets the discarded
 * batch itself where a queue gets metadata only; an async on_failure gets one object per failed
 * event; an s3 trigger on a bucket is invoked once per object with its records; PUT requests and
 * GB-months are billed. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "models/s3/bucket.h"
#include "tests/harness.h"

/* One shard at 10 records/s for 10 minutes; `worker` fails every batch, gives up after one
 * retry (2 invocations), and sends each discarded batch to `failed` (a bucket) and, in the
 * second function, to `meta` (a queue). Both read the same records. */
static const char *const discarded_batches =
        "kinesim: 1\n"
        "name: s3-on-failure\n"
        "duration: 10m\n"
        "streams: {s: {shards: 1}}\n"
        "producers: {p: {stream: s, rate: 10/s, record_size: 1KB, arrivals: uniform}}\n"
        "buckets: {failed: {}}\n"
        "queues: {meta: {}}\n"
        "functions:\n"
        "  worker:\n"
        "    errors: {invocation: 100%}\n"
        "    triggers: [{kinesis: s, batch_size: 50, maximum_retry_attempts: 1,\n"
        "                on_failure: failed}]\n"
        "  twin:\n"
        "    errors: {invocation: 100%}\n"
        "    triggers: [{kinesis: s, batch_size: 50, maximum_retry_attempts: 1,\n"
        "                on_failure: meta}]\n";

static void a_mappings_failed_batch_goes_whole_to_a_bucket_and_as_metadata_to_a_queue(
        void **state)
{
	(void)state;
	harness_run r = harness_run_yaml(discarded_batches, NULL, 1);
	double events = harness_value(&r, "worker.on_failure_events");
	double lost = harness_value(&r, "worker.records_on_failure");
	assert_true(events > 10);
	/* one object per discarded batch, holding every record of it */
	assert_true(harness_value(&r, "failed.objects") == events);
	assert_true(harness_value(&r, "failed.records") == lost);
	assert_true(harness_value(&r, "failed.bytes") == lost * 1000);
	/* the queue got one message per batch: the invocation record, no data */
	assert_true(harness_value(&r, "meta.sent") == harness_value(&r, "twin.on_failure_events"));
	assert_true(harness_value(&r, "twin.records_on_failure") > harness_value(&r, "meta.sent"));
	harness_free(&r);
}

/* [doc] S3 Event Notifications: a function with an s3 trigger on the bucket processes every
 * record of every failed batch again, one async event per object. */
static void an_s3_trigger_on_a_bucket_reprocesses_each_object(void **state)
{
	(void)state;
	const char *yaml = harness_fmt("%s"
	                               "  replay:\n"
	                               "    triggers: [{s3: failed}]\n",
	                               discarded_batches);
	harness_run r = harness_run_yaml(yaml, NULL, 1);
	double objects = harness_value(&r, "failed.objects");
	double records = harness_value(&r, "failed.records");
	assert_true(objects > 10);
	/* all but what was still on its way when the run ended */
	assert_true(harness_value(&r, "replay.invocations") >= objects - 1);
	assert_true(harness_value(&r, "replay.records_processed") +
	                    harness_value(&r, "replay.records_pending") ==
	            records);
	harness_free(&r);
}

/* An async event that fails out of its attempts is one object of its records. */
static void an_async_failure_is_one_object(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml(
	        "kinesim: 1\n"
	        "name: s3-async\n"
	        "duration: 30m\n"
	        "streams: {s: {shards: 1}}\n"
	        "producers: {p: {stream: s, rate: 1/s, record_size: 2KB, limit: 20}}\n"
	        "buckets: {dlq: {}}\n"
	        "topics: {t: {}}\n"
	        "functions:\n"
	        "  fan:\n"
	        "    forward: [{topic: t}]\n"
	        "    triggers: [{kinesis: s}]\n"
	        "  sink:\n"
	        "    errors: {invocation: 100%}\n"
	        "    async: {maximum_retry_attempts: 0, on_failure: dlq}\n"
	        "    triggers: [{sns: t}]\n",
	        NULL, 1);
	assert_true(harness_value(&r, "sink.on_failure_events") == 20);
	assert_true(harness_value(&r, "dlq.objects") == 20);
	assert_true(harness_value(&r, "dlq.records") == 20);
	assert_true(harness_value(&r, "dlq.bytes") == 20 * 2000);
	harness_free(&r);
}

/* [doc] $0.005 per 1,000 PUT requests and $0.023 per GB-month: the cost is what the objects put
 * in the run and their storage until its end come to, at the prices of platform.prices. */
static void a_bucket_bills_its_puts_and_its_storage(void **state)
{
	(void)state;
	const char *sets[] = {"platform.prices.s3_put_request_million=1000000",
	                      "platform.prices.s3_gb_month=0", NULL};
	harness_run r = harness_run_yaml(discarded_batches, sets, 1);
	/* at a dollar a PUT and free storage, the line counts the objects */
	assert_true(fabs(harness_value(&r, "cost.s3") - harness_value(&r, "failed.objects")) <
	            1e-9);
	harness_free(&r);

	const char *storage[] = {"platform.prices.s3_put_request_million=0",
	                         "platform.prices.s3_gb_month=730", NULL};
	r = harness_run_yaml(discarded_batches, storage, 1);
	/* at a dollar per GiB-hour: the objects' GiB-hours from each put to the end */
	const ks_bucket *b = harness_object(&r, "failed");
	assert_true(b->byte_hours > 0);
	assert_true(fabs(harness_value(&r, "cost.s3") - b->byte_hours / 1073741824.0) < 1e-12);
	harness_free(&r);
}

static void destinations_name_queues_topics_or_buckets(void **state)
{
	(void)state;
	int rc;
	char *text = harness_diagnostics("kinesim: 1\nname: x\nduration: 1m\n"
	                                 "streams: {s: {shards: 1}}\n"
	                                 "buckets: {failed: {}}\n"
	                                 "functions:\n"
	                                 "  f: {triggers: [{kinesis: s, on_failure: faild}]}\n",
	                                 &rc);
	assert_int_equal(rc, KS_SCENARIO_INVALID);
	assert_non_null(strstr(text, "error: no queue, topic or bucket named 'faild'; did you "
	                             "mean 'failed'?"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(
	                a_mappings_failed_batch_goes_whole_to_a_bucket_and_as_metadata_to_a_queue),
	        cmocka_unit_test(an_s3_trigger_on_a_bucket_reprocesses_each_object),
	        cmocka_unit_test(an_async_failure_is_one_object),
	        cmocka_unit_test(a_bucket_bills_its_puts_and_its_storage),
	        cmocka_unit_test(destinations_name_queues_topics_or_buckets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
