/* docs/validation.md case 16, standard consumers: propagation (put -> record handed to the
 * consumer) against the number of consumers sharing one shard's 5 GetRecords calls/s.
 *
 * AWS documents an average of ~200 ms with one consumer and ~1000 ms with five, for consumers
 * that poll as often as the limit allows (docs/model.md "Streams"); the case accepts 150-300 ms and
 * 600-1500 ms. The scenario is KCL-style consumers with idle_time_between_reads 200 ms on one
 * lightly loaded shard, with every default of the platform (getrecords_latency, the sliding
 * window read limiter, throttle_backoff 500 ms). With enhanced fan-out AWS says "typically
 * ~70 ms" whatever the number of consumers: a mean of 40-80 ms for every N from 1 to 5, with
 * no upward trend. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tests/harness.h"

#define MAX_CONSUMERS 5
#define SEEDS         3

/* The mean propagation over the consumers (each sees every record) and over SEEDS seeds. */
static double mean_propagation(int n, bool efo)
{
	char yaml[2048];
	int len = snprintf(yaml, sizeof yaml,
	                   "kinesim: 1\n"
	                   "name: propagation\n"
	                   "duration: 20m\n"
	                   "warmup: 1m\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 10/s, record_size: 1KB}\n"
	                   "consumers:\n");
	for (int i = 1; i <= n; i++)
		len += snprintf(yaml + len, sizeof yaml - (size_t)len,
		                "  c%d: {stream: s, idle_time_between_reads: 200ms, "
		                "enhanced_fanout: %s}\n",
		                i, efo ? "true" : "false");
	assert_true(len < (int)sizeof yaml);
	double sum = 0;
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		harness_run r = harness_run_yaml(yaml, NULL, seed);
		for (int i = 1; i <= n; i++)
			sum += harness_value(&r, harness_fmt("c%d.propagation.mean", i));
		harness_free(&r);
	}
	return sum / (double)(n * SEEDS);
}

static void propagation_grows_from_200ms_to_1s_with_five_consumers(void **state)
{
	(void)state;
	double p[MAX_CONSUMERS + 1] = {0};
	for (int n = 1; n <= MAX_CONSUMERS; n++) {
		p[n] = mean_propagation(n, false);
		print_message("# %d consumer(s): mean propagation %.0f ms\n", n, p[n] * 1e3);
	}
	assert_true(harness_case("16", "mean propagation, 1 consumer (s)", "~0.2 (AWS)", p[1],
	                         0.150, 0.300));
	assert_true(harness_case("16", "mean propagation, 5 consumers (s)", "~1.0 (AWS)", p[5],
	                         0.600, 1.500));
	for (int n = 2; n <= MAX_CONSUMERS; n++)
		assert_true(p[n] > p[n - 1]);
}

static void enhanced_fanout_propagation_stays_near_70ms_for_any_n(void **state)
{
	(void)state;
	double p[MAX_CONSUMERS + 1] = {0};
	for (int n = 1; n <= MAX_CONSUMERS; n++) {
		p[n] = mean_propagation(n, true);
		print_message("# %d EFO consumer(s): mean propagation %.1f ms\n", n, p[n] * 1e3);
		assert_true(harness_case("16",
		                         harness_fmt("EFO mean propagation, %d consumer(s) (s)", n),
		                         "~0.07 (AWS)", p[n], 0.040, 0.080));
	}
	/* no upward trend: five consumers see what one sees, within the noise of the draws */
	assert_true(fabs(p[5] - p[1]) < 0.005);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(propagation_grows_from_200ms_to_1s_with_five_consumers),
	        cmocka_unit_test(enhanced_fanout_propagation_stays_near_70ms_for_any_n),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
