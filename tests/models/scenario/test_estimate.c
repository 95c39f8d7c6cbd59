/* The size of a run estimated before it runs (models/scenario/estimate.h; issue 9, "never
 * hang"): the faults it must see coming, the library it must let through, and how close it
 * comes to what a run measures. */
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "models/scenario/build.h"
#include "models/scenario/estimate.h"
#include "sim/alloc.h"
#include "sim/diag.h"
#include "tests/harness.h"

#define GB 1e9

static ks_estimate estimate_yaml(const char *yaml)
{
	ks_scenario *sc = harness_load(yaml, NULL);
	ks_estimate e = ks_estimate_scenario(sc);
	ks_scenario_destroy(sc);
	return e;
}

/* One producer into one stream read by one Lambda function (or none). */
static const char *pipeline(const char *duration, const char *interval, int shards,
                            const char *rate, const char *size, const char *readers)
{
	return harness_fmt("kinesim: 1\n"
	                   "name: size\n"
	                   "duration: %s\n"
	                   "metrics: {interval: %s}\n"
	                   "streams: {s: {shards: %d}}\n"
	                   "producers: {p: {stream: s, rate: %s, record_size: %s}}\n"
	                   "%s",
	                   duration, interval, shards, rate, size, readers);
}

static const char one_reader[] = "functions: {f: {triggers: [{kinesis: s}]}}\n";

/* The fault: metrics.interval 1ms for a year asked for 252 GB in one allocation (a series of
 * 3.15e10 rows) and aborted. */
static void a_millisecond_interval_for_a_year_estimates_hundreds_of_gigabytes(void **state)
{
	(void)state;
	ks_estimate e = estimate_yaml(pipeline("8760h", "1ms", 1, "1/s", "100B", one_reader));
	char text[160];
	print_message("# %s\n", ks_estimate_format(&e, text, sizeof text));
	assert_float_equal(e.rows, 8760.0 * 3600 * 1000, 1);
	assert_true(e.series_bytes >= 252 * GB); /* at least that one series */
	assert_true(e.memory_bytes > 100 * GB);
	assert_true(e.output_bytes >= e.series_bytes);
	/* The records are few: the series are the whole cost. */
	assert_true(e.log_bytes < 1 * GB);
}

/* The fault: rate 1e9/s on one shard generates 3.6e12 records in an hour, of which the shard
 * accepts 1,000/s; the rejected ones wait for their resends in memory (24 GB and growing when
 * the run was killed). */
static void a_producer_far_over_the_write_limit_generates_everything_but_the_stream_accepts_its_cap(
        void **state)
{
	(void)state;
	ks_estimate e = estimate_yaml(pipeline("1h", "1m", 1, "1e9/s", "100B", one_reader));
	char text[160];
	print_message("# %s\n", ks_estimate_format(&e, text, sizeof text));
	assert_float_equal(e.produced, 3.6e12, 3.6e9);
	assert_float_equal(e.records, 1000.0 * 3600, 1);
	assert_float_equal(e.deliveries, e.records, 1);
	assert_true(e.resend_bytes > 100 * GB);
	assert_true(e.memory_bytes > 100 * GB);
}

/* Bytes bind before records at 2 KB: 1 MiB/s over 2,000 B and the key. The run agrees. */
static void the_byte_limit_caps_large_records_as_the_run_does(void **state)
{
	(void)state;
	const char *yaml = pipeline("2m", "1m", 2, "3000/s", "2KB", "");
	ks_estimate e = estimate_yaml(yaml);
	double cap = 2 * 1048576.0 / (2000 + 2 + 4) * 120; /* keys k0..k9999: ~6 B */
	assert_float_equal(e.records, cap, cap * 0.01);
	assert_float_equal(e.produced, 3000.0 * 120, 1);
	harness_run r = harness_run_yaml(yaml, NULL, 1);
	double measured = harness_value(&r, "s.incoming_records");
	assert_true(measured <= e.records * 1.02 && measured >= e.records * 0.9);
	harness_free(&r);
}

/* The log keeps records only for readers, at most a retention's worth; a run's records if
 * fewer. */
static void the_log_backlog_is_bounded_by_readers_retention_and_the_run(void **state)
{
	(void)state;
	ks_estimate none = estimate_yaml(pipeline("72h", "1h", 1, "1000/s", "100B", ""));
	assert_true(none.log_bytes == 0);
	ks_estimate three_days =
	        estimate_yaml(pipeline("72h", "1h", 1, "1000/s", "100B", one_reader));
	assert_float_equal(three_days.log_bytes, 1000.0 * 86400 * 24, 1e6); /* 24 h retention */
	ks_estimate one_hour = estimate_yaml(pipeline("1h", "1h", 1, "1000/s", "100B", one_reader));
	assert_float_equal(one_hour.log_bytes, 1000.0 * 3600 * 24, 1e4);
	assert_true(none.resend_bytes == 0 && one_hour.resend_bytes == 0);
}

/* A profile is integrated as the producer reads it (0 before its first step, linear ramps),
 * and a limit stops it. */
static void profiles_and_limits_count_as_the_producer_generates(void **state)
{
	(void)state;
	const char *base = "kinesim: 1\n"
	                   "name: profile\n"
	                   "duration: 10m\n"
	                   "streams: {s: {shards: 4}}\n"
	                   "producers:\n"
	                   "  p:\n"
	                   "    stream: s\n"
	                   "    record_size: 100B\n";
	/* 0 for a minute, a ramp to 100/s over two, then 100/s: 100 + 700 x 100 */
	ks_estimate e = estimate_yaml(
	        harness_fmt("%s    profile: [{at: 1m, rate: 100/s, ramp: 2m}]\n", base));
	assert_float_equal(e.produced, 100 * 60.0 + 100 * 420.0, 1);
	ks_estimate limited =
	        estimate_yaml(harness_fmt("%s    rate: 100/s\n    limit: 5000\n", base));
	assert_float_equal(limited.produced, 5000, 1e-6);
	assert_float_equal(limited.records, 5000, 1e-6);
	/* a diurnal sine over whole periods averages (peak + trough) / 2 */
	ks_estimate sine = estimate_yaml(
	        harness_fmt("%s    diurnal: {peak: 300/s, trough: 100/s, period: 5m}\n", base));
	assert_float_equal(sine.produced, 200 * 600.0, 1);
}

/* A trace counts its rows' records, an hour of one-second rows as well as a few (the
 * estimate walks its pieces once, not once per cell). */
/* Ten million partition keys: a table of their MD5s and shards, built with the producer. */
static void partition_key_tables_count_per_key_and_stream(void **state)
{
	(void)state;
	const char *base = "kinesim: 1\n"
	                   "name: keys\n"
	                   "duration: 1m\n"
	                   "streams: {s: {shards: 1}, t: {shards: 1}}\n"
	                   "producers:\n"
	                   "  p:\n"
	                   "    rate: 1/s\n"
	                   "    record_size: 100B\n"
	                   "    partition_keys: {count: 10000000}\n";
	ks_estimate one = estimate_yaml(harness_fmt("%s    stream: s\n", base));
	ks_estimate two = estimate_yaml(harness_fmt("%s    streams: [s, t]\n", base));
	assert_true(one.key_bytes > 10e6 * 30 && one.key_bytes < 10e6 * 50);
	assert_true(fabs(two.key_bytes - one.key_bytes - (10e6 + 1) * 4) < 1);
	assert_true(one.memory_bytes >= one.key_bytes + one.series_bytes);
}

static void a_trace_counts_the_records_of_its_rows(void **state)
{
	(void)state;
	char path[] = "/tmp/kinesim-trace-XXXXXX.csv";
	int fd = mkstemps(path, 4);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	double sum = 0;
	for (int i = 0; i < 3600; i++) {
		fprintf(f, "%d,%d\n", i, i % 7 * 10);
		sum += i % 7 * 10;
	}
	fclose(f);
	ks_estimate e =
	        estimate_yaml(harness_fmt("kinesim: 1\n"
	                                  "name: trace\n"
	                                  "duration: 2h\n"
	                                  "streams: {s: {shards: 1}}\n"
	                                  "producers:\n"
	                                  "  p: {stream: s, record_size: 100B, trace: %s}\n",
	                                  path));
	unlink(path);
	assert_float_equal(e.produced, sum, sum * 1e-9);
	assert_float_equal(e.records, sum, sum * 1e-9); /* at most 60/s: under the limit */
}

/* Every series column is counted: the estimate's columns hold those of the built model. */
static void series_columns_cover_what_the_model_registers(void **state)
{
	(void)state;
	const char *yaml = "kinesim: 1\n"
	                   "name: columns\n"
	                   "duration: 10m\n"
	                   "streams:\n"
	                   "  s: {shards: 3, reshard: [{at: 5m, shards: 6}]}\n"
	                   "  t: {shards: 2}\n"
	                   "producers: {p: {stream: s, rate: 10/s, record_size: 100B}}\n"
	                   "functions:\n"
	                   "  f: {count: 2, triggers: [{kinesis: s}, {kinesis: t}]}\n"
	                   "consumers: {c: {stream: t}}\n"
	                   "queues: {q: {}}\n"
	                   "topics: {n: {}}\n"
	                   "buckets: {b: {}}\n";
	ks_estimate e = estimate_yaml(yaml);
	harness_run r = harness_run_yaml(yaml, NULL, 1);
	double columns = 0;
	for (size_t i = 0; i < sim_metrics_series_count(r.metrics); i++)
		columns += (double)sim_series_columns(sim_metrics_series_at(r.metrics, i)->series);
	/* streams 8 x (9 + 2); functions 2 x (23 + 2 x (9 + 2)); consumer 5 x 2; 9 + 2 + 3 */
	assert_float_equal(e.columns, 88 + 90 + 10 + 14, 0);
	/* what the estimate adds: each function copy's two unregistered series (duration sum
	 * and count, divided into the registered average at the end) */
	assert_float_equal(e.columns, columns + 2 * 2, 0);
	assert_float_equal(e.rows, 10, 0);
	harness_free(&r);
}

/* ---- the library -------------------------------------------------------------------------- */

/* The folder of scenarios, from this file's path (relative to the build directory, where meson
 * runs the tests). */
static const char *scenarios_dir(void)
{
	static char dir[PATH_MAX];
	if (!dir[0]) {
		const char *tail = strstr(__FILE__, "tests/models/scenario/");
		char rel[PATH_MAX];
		snprintf(rel, sizeof rel, "%.*sscenarios", (int)(tail ? tail - __FILE__ : 0),
		         __FILE__);
		if (!realpath(rel, dir))
			fail_msg("cannot find the scenarios at %s", rel);
	}
	return dir;
}

static ks_scenario *load_file(const char *path)
{
	sim_diag *d = sim_diag_create();
	ks_scenario *sc = NULL;
	int err = 0;
	int rc = ks_scenario_load(path, NULL, 0, d, &sc, &err);
	if (rc != 0)
		sim_diag_print(d, stderr);
	sim_diag_destroy(d);
	assert_int_equal(rc, 0);
	return sc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every library scenario, sorted; returns how many (free each and the array with sim_free). */
static size_t library(char ***out)
{
	DIR *dir = opendir(scenarios_dir());
	assert_non_null(dir);
	char **paths = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *de; (de = readdir(dir));) {
		size_t len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		sim_grow(&paths, &cap, n + 1, sizeof *paths);
		paths[n++] = sim_asprintf("%s/%s", scenarios_dir(), de->d_name);
	}
	closedir(dir);
	qsort(paths, n, sizeof *paths, by_name);
	*out = paths;
	return n;
}

/* The library runs on a laptop: every scenario well under 1 GB, and its series' columns hold
 * those its model registers. */
static void every_library_scenario_estimates_well_under_a_gigabyte(void **state)
{
	(void)state;
	char **paths;
	size_t n = library(&paths);
	assert_true(n >= 10);
	for (size_t i = 0; i < n; i++) {
		ks_scenario *sc = load_file(paths[i]);
		ks_estimate e = ks_estimate_scenario(sc);
		char text[160];
		print_message("# %s: %s\n", strrchr(paths[i], '/') + 1,
		              ks_estimate_format(&e, text, sizeof text));
		assert_true(e.memory_bytes < 0.25 * GB);
		assert_true(e.output_bytes < 0.25 * GB);

		sim_metrics *m = sim_metrics_create();
		ks_model *model = ks_model_build(sc, 1, 0, m);
		double columns = 0;
		for (size_t k = 0; k < sim_metrics_series_count(m); k++)
			columns += (double)sim_series_columns(sim_metrics_series_at(m, k)->series);
		if (e.columns < columns)
			fail_msg("%s: %.0f columns estimated, %.0f registered", paths[i], e.columns,
			         columns);
		ks_model_destroy(model);
		sim_metrics_destroy(m);
		ks_scenario_destroy(sc);
		sim_free(paths[i]);
	}
	sim_free(paths);
}

/* The estimate is close to what a run measures: hot-stream's records (its summary counts the
 * measured period, 9 of 10 minutes), deliveries (every function processes every record) and
 * events, within a factor of 3. */
static void hot_stream_estimate_is_within_a_factor_of_three_of_the_run(void **state)
{
	(void)state;
	ks_scenario *sc = load_file(harness_fmt("%s/hot-stream.yaml", scenarios_dir()));
	ks_estimate e = ks_estimate_scenario(sc);
	sim_metrics *m = sim_metrics_create();
	ks_model *model = ks_model_build(sc, 1, 0, m);
	assert_int_equal(ks_model_run(model, NULL, NULL, NULL), 0);
	ks_model_summarize(model);
	harness_run r = {.sc = sc, .metrics = m, .model = model};
	double records = harness_value(&r, "events.incoming_records") * 10 / 9;
	double processed = 0;
	for (int i = 1; i <= 5; i++)
		processed +=
		        harness_value(&r, harness_fmt("feed-%d.records_processed", i)) * 10 / 9;
	double events = (double)ks_model_events(model);
	print_message("# records %.0f (estimated %.0f), deliveries %.0f (%.0f), events %.0f "
	              "(%.0f)\n",
	              records, e.records, processed, e.deliveries, events, e.events);
	assert_true(e.records > records / 3 && e.records < records * 3);
	assert_true(e.deliveries > processed / 3 && e.deliveries < processed * 3);
	assert_true(e.events > events / 3 && e.events < events * 3);
	harness_free(&r);
}

/* ---- words -------------------------------------------------------------------------------- */

static void the_estimate_reads_as_a_sentence(void **state)
{
	(void)state;
	char buf[160];
	ks_estimate e = {.produced = 3.6e12,
	                 .records = 3.6e6,
	                 .memory_bytes = 252.3e9,
	                 .output_bytes = 40e9};
	assert_string_equal(ks_estimate_format(&e, buf, sizeof buf),
	                    "about 3.6e+12 records produced (3.6e+06 accepted), 252 GB of memory, "
	                    "40 GB of output");
	e = (ks_estimate){
	        .produced = 27046, .records = 27046, .memory_bytes = 1.234e6, .output_bytes = 800};
	assert_string_equal(ks_estimate_format(&e, buf, sizeof buf),
	                    "about 27046 records, 1.2 MB of memory, 800 B of output");
	assert_string_equal(ks_estimate_format_bytes(999.4, buf, sizeof buf), "999 B");
	assert_string_equal(ks_estimate_format_bytes(999.6, buf, sizeof buf), "1.0 KB");
	assert_string_equal(ks_estimate_format_bytes(24e9, buf, sizeof buf), "24 GB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(partition_key_tables_count_per_key_and_stream),
	        cmocka_unit_test(a_millisecond_interval_for_a_year_estimates_hundreds_of_gigabytes),
	        cmocka_unit_test(
	                a_producer_far_over_the_write_limit_generates_everything_but_the_stream_accepts_its_cap),
	        cmocka_unit_test(the_byte_limit_caps_large_records_as_the_run_does),
	        cmocka_unit_test(the_log_backlog_is_bounded_by_readers_retention_and_the_run),
	        cmocka_unit_test(profiles_and_limits_count_as_the_producer_generates),
	        cmocka_unit_test(a_trace_counts_the_records_of_its_rows),
	        cmocka_unit_test(series_columns_cover_what_the_model_registers),
	        cmocka_unit_test(every_library_scenario_estimates_well_under_a_gigabyte),
	        cmocka_unit_test(hot_stream_estimate_is_within_a_factor_of_three_of_the_run),
	        cmocka_unit_test(the_estimate_reads_as_a_sentence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
