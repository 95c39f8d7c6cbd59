/* docs/validation.md case 7, poll wait: 1 shard, 0.2 records/s, batch size 1, no jitter, constant
 * getrecords latency, invoke overhead and duration summing to c. A record waits U(0, T) for
 * the next poll, so latency = c + U(0, T): mean c + T/2, p10 c + 0.1 T, p90 c + 0.9 T, each
 * within 5% of T. Run with T = 1 s and T = 250 ms: T must be a real parameter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/harness.h"

static void check(double t_s, uint64_t seed)
{
	/* c = 70 ms getrecords + 10 ms invoke overhead + 20 ms duration */
	const double c = 0.100;
	const char *yaml = harness_fmt(
	        "kinesim: 1\n"
	        "name: poll-wait\n"
	        "duration: 4h\n"
	        "platform:\n"
	        "  kinesis: {getrecords_latency: 70ms}\n"
	        "  lambda: {poll_interval: %gms, poll_jitter: 0, invoke_overhead: 10ms}\n"
	        "streams: {s: {shards: 1}}\n"
	        "producers:\n"
	        "  p: {stream: s, rate: 0.2/s, record_size: 100B}\n"
	        "functions:\n"
	        "  f:\n"
	        "    duration: {per_invocation: 20ms}\n"
	        "    triggers: [{kinesis: s, batch_size: 1}]\n",
	        t_s * 1e3);
	harness_run r = harness_run_yaml(yaml, NULL, seed);
	double tol = 0.05 * t_s;
	const char *T = harness_fmt("%g s, seed %llu", t_s, (unsigned long long)seed);
	double mean = c + t_s / 2, p10 = c + 0.1 * t_s, p90 = c + 0.9 * t_s;
	assert_true(harness_case("7", harness_fmt("latency mean, T = %s (s)", T),
	                         harness_fmt("c + T/2 = %.3f", mean),
	                         harness_value(&r, "f.latency.mean"), mean - tol, mean + tol));
	assert_true(harness_case("7", harness_fmt("latency p10, T = %s (s)", T),
	                         harness_fmt("c + 0.1 T = %.3f", p10),
	                         harness_value(&r, "f.latency.p10"), p10 - tol, p10 + tol));
	assert_true(harness_case("7", harness_fmt("latency p90, T = %s (s)", T),
	                         harness_fmt("c + 0.9 T = %.3f", p90),
	                         harness_value(&r, "f.latency.p90"), p90 - tol, p90 + tol));
	harness_free(&r);
}

static void latency_is_c_plus_uniform_poll_wait_at_one_second(void **state)
{
	(void)state;
	check(1.0, 1);
	check(1.0, 2);
}

static void latency_is_c_plus_uniform_poll_wait_at_250_ms(void **state)
{
	(void)state;
	check(0.25, 1);
	check(0.25, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(latency_is_c_plus_uniform_poll_wait_at_one_second),
	        cmocka_unit_test(latency_is_c_plus_uniform_poll_wait_at_250_ms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
