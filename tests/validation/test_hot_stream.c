/* docs/validation.md case 17, the hot stream: N Lambda subscribers on 1 and 8 shards at 50
 * records/s per shard. N <= 4: throttled calls under 5% of calls; N >= 5: throttles appear and grow
 * with N; throttles per shard are the same for 1 and 8 shards (+/- 10%). The effect must come from
 * the read limit and the pollers' timing, so the expected figures here are the case's, not the
 * program's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "tests/harness.h"

static const char *hot_stream(int shards, int subscribers, const char *duration)
{
	return harness_fmt("kinesim: 1\n"
	                   "name: hot\n"
	                   "duration: %s\n"
	                   "warmup: 1m\n"
	                   "streams: {events: {shards: %d}}\n"
	                   "producers:\n"
	                   "  app: {stream: events, rate: %d/s, record_size: 1KB}\n"
	                   "functions:\n"
	                   "  feed:\n"
	                   "    count: %d\n"
	                   "    duration: {per_invocation: 20ms, per_record: 1ms}\n"
	                   "    triggers: [{kinesis: events, batch_size: 100}]\n",
	                   duration, shards, 50 * shards, subscribers);
}

typedef struct result {
	double per_shard_per_minute, throttled_share;
} result;

static result run(int shards, int subscribers, const char *duration)
{
	harness_run r = harness_run_yaml(hot_stream(shards, subscribers, duration), NULL, 1);
	result out = {
	        .per_shard_per_minute =
	                harness_value(&r, "events.read_throttled.per_shard_per_minute"),
	        .throttled_share = harness_value(&r, "events.read_throttled") /
	                           harness_value(&r, "events.read_calls"),
	};
	harness_free(&r);
	return out;
}

static void four_subscribers_or_fewer_stay_under_five_percent_throttled(void **state)
{
	(void)state;
	for (int n = 1; n <= 4; n++) {
		result one = run(1, n, "20m");
		result eight = run(8, n, "10m");
		assert_true(harness_case(
		        "17", harness_fmt("throttled share of calls, N = %d, 1 shard", n), "< 5%",
		        one.throttled_share, 0, 0.05));
		assert_true(harness_case(
		        "17", harness_fmt("throttled share of calls, N = %d, 8 shards", n), "< 5%",
		        eight.throttled_share, 0, 0.05));
	}
}

static void five_or_more_subscribers_throttle_and_it_grows_with_n(void **state)
{
	(void)state;
	double previous = 0;
	for (int n = 5; n <= 8; n++) {
		result r = run(1, n, "20m");
		assert_true(r.per_shard_per_minute > 1.0);
		assert_true(r.per_shard_per_minute > previous);
		previous = r.per_shard_per_minute;
	}
	/* the step: five subscribers throttle several times more than four */
	assert_true(run(1, 5, "20m").per_shard_per_minute >
	            3 * run(1, 4, "20m").per_shard_per_minute);
}

/* Every function polls every shard: adding shards does not lower the per-shard rate. */
static void throttles_per_shard_are_the_same_for_one_and_eight_shards(void **state)
{
	(void)state;
	for (int n = 5; n <= 8; n += 3) {
		result one = run(1, n, "81m"); /* 80 measured shard-minutes, as 8 shards x 10 */
		result eight = run(8, n, "11m");
		printf("# N=%d: %.2f throttles/shard/min on 1 shard, %.2f on 8\n", n,
		       one.per_shard_per_minute, eight.per_shard_per_minute);
		assert_true(harness_case(
		        "17",
		        harness_fmt("throttles/shard/min, N = %d, 8 shards vs 1 (%.2f)", n,
		                    one.per_shard_per_minute),
		        "the same as 1 shard, +/- 10%", eight.per_shard_per_minute,
		        0.9 * one.per_shard_per_minute, 1.1 * one.per_shard_per_minute));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(four_subscribers_or_fewer_stay_under_five_percent_throttled),
	        cmocka_unit_test(five_or_more_subscribers_throttle_and_it_grows_with_n),
	        cmocka_unit_test(throttles_per_shard_are_the_same_for_one_and_eight_shards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
