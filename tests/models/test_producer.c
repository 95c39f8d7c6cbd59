/* Producers through the write limit (VALIDATION.md case 3) and common random numbers
 * (case 6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/harness.h"

static const char *over_capacity(int rate, const char *size, const char *retry)
{
	return harness_fmt("kinesim: 1\n"
	                   "name: write-cap\n"
	                   "duration: 60s\n"
	                   "warmup: 10s\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers:\n"
	                   "  p:\n"
	                   "    stream: s\n"
	                   "    rate: %d/s\n"
	                   "    arrivals: uniform\n"
	                   "    record_size: %s\n"
	                   "    %s\n",
	                   rate, size, retry);
}

/* 1,200 records/s of 100 B into one shard, never resent: 1,000/s accepted, ~200/s lost. */
static void write_cap_accepts_1000_per_second_and_loses_the_rest_without_resends(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml(over_capacity(1200, "100B", "retry: {max_attempts: 1}"),
	                                 NULL, 1);
	double seconds = 50; /* measured period */
	assert_float_equal(harness_value(&r, "s.incoming_records") / seconds, 1000, 2);
	assert_float_equal(harness_value(&r, "s.records_lost") / seconds, 200, 2);
	assert_float_equal(harness_value(&r, "s.write_throttled"),
	                   harness_value(&r, "s.records_lost"), 0.5);
	harness_free(&r);
}

/* With the default resends the shard still has no spare capacity: ~200/s are lost in the end,
 * and write_throttled counts every rejected attempt (up to 4 per lost record). */
static void write_cap_with_default_resends_still_loses_the_excess(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml(over_capacity(1200, "100B", "retry: {}"), NULL, 1);
	double seconds = 50;
	assert_float_equal(harness_value(&r, "s.incoming_records") / seconds, 1000, 2);
	assert_float_equal(harness_value(&r, "s.records_lost") / seconds, 200, 10);
	assert_true(harness_value(&r, "s.write_throttled") >
	            3 * harness_value(&r, "s.records_lost"));
	harness_free(&r);
}

/* 1,500 records/s of 1 KB: accepted bytes stay at or under 1 MiB/s; here the record limit
 * binds first (1,000 records/s x 1 KB = 1 MB/s < 1 MiB/s). */
static void write_cap_holds_bytes_at_one_mib_per_second(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml(over_capacity(1500, "1KB", "retry: {max_attempts: 1}"),
	                                 NULL, 1);
	double per_s = harness_value(&r, "s.incoming_bytes") / 50;
	assert_true(per_s <= 1048576.0);
	assert_float_equal(per_s, 1000 * 1000, 2000);
	harness_free(&r);
}

static const char *fan(int functions)
{
	return harness_fmt("kinesim: 1\n"
	                   "name: crn\n"
	                   "duration: 2m\n"
	                   "metrics: {interval: 10s}\n"
	                   "streams: {s: {shards: 4}}\n"
	                   "producers:\n"
	                   "  p:\n"
	                   "    stream: s\n"
	                   "    rate: 300/s\n"
	                   "    record_size: {dist: lognormal, median: 1KB, p99: 20KB}\n"
	                   "functions:\n"
	                   "  f:\n"
	                   "    count: %d\n"
	                   "    triggers: [{kinesis: s, batch_size: 10}]\n",
	                   functions);
}

static const sim_series *series_named(const sim_metrics *m, const char *group, const char *name)
{
	for (size_t i = 0; i < sim_metrics_series_count(m); i++) {
		const sim_metrics_series *s = sim_metrics_series_at(m, i);
		if (strcmp(s->group, group) == 0 && strcmp(s->name, name) == 0)
			return s->series;
	}
	fail_msg("no series %s/%s", group, name);
	return NULL;
}

/* Adding consumers downstream changes not a single produced record. */
static void adding_consumers_does_not_change_the_records_produced(void **state)
{
	(void)state;
	harness_run one = harness_run_yaml(fan(1), NULL, 5);
	harness_run six = harness_run_yaml(fan(6), NULL, 5);
	const char *names[] = {"incoming_records", "incoming_bytes"};
	for (size_t k = 0; k < 2; k++) {
		const sim_series *a = series_named(one.metrics, "streams/s", names[k]);
		const sim_series *b = series_named(six.metrics, "streams/s", names[k]);
		size_t n = sim_series_rows(a) * sim_series_columns(a);
		assert_int_equal(n, sim_series_rows(b) * sim_series_columns(b));
		assert_memory_equal(sim_series_data(a), sim_series_data(b), n * sizeof(double));
	}
	assert_true(harness_value(&six, "s.read_throttled") > harness_value(&one, "s.read_throttled"));
	harness_free(&one);
	harness_free(&six);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(write_cap_accepts_1000_per_second_and_loses_the_rest_without_resends),
		cmocka_unit_test(write_cap_with_default_resends_still_loses_the_excess),
		cmocka_unit_test(write_cap_holds_bytes_at_one_mib_per_second),
		cmocka_unit_test(adding_consumers_does_not_change_the_records_produced),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
