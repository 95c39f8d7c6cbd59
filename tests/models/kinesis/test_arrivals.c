/* Producer arrivals and keys: profile, diurnal and trace rates, bursts, zipf and hot keys, and
 * the trace file's errors. Expected values come from the rules (docs/model.md "Producers",
 * docs/scenario.md "producers"); counts are compared within 4.5 Poisson standard deviations. */
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

#include "models/kinesis/stream.h"
#include "sim/alloc.h"
#include "sim/diag.h"
#include "tests/harness.h"

/* The stream's value in row i, summed over shards. */
static double row_sum(const sim_series *s, size_t i)
{
	double v = 0;
	for (size_t c = 0; c < sim_series_columns(s); c++)
		v += sim_series_data(s)[i * sim_series_columns(s) + c];
	return v;
}

static void assert_poisson(double got, double expected)
{
	double tol = 4.5 * sqrt(expected > 1 ? expected : 1) + 1;
	if (fabs(got - expected) > tol)
		fail_msg("count %g, expected %g +/- %g", got, expected, tol);
}

static const char *producer_yaml(const char *duration, const char *interval, int shards,
                                 const char *source)
{
	return harness_fmt("kinesim: 1\n"
	                   "name: arrivals\n"
	                   "duration: %s\n"
	                   "metrics: {interval: %s}\n"
	                   "streams: {s: {shards: %d}}\n"
	                   "producers:\n"
	                   "  p:\n"
	                   "    stream: s\n"
	                   "    record_size: 100B\n"
	                   "%s",
	                   duration, interval, shards, source);
}

/* Rate 100/s for 20 s, a ramp to 400/s over 20 s, 400/s, then a ramp down to 0 over 10 s. The
 * expected count of each 10 s interval is the integral of that rate over it. */
static void profile_counts_follow_the_integral_of_the_ramped_rate(void **state)
{
	(void)state;
	const char *src = "    profile:\n"
	                  "      - {at: 0s, rate: 100/s}\n"
	                  "      - {at: 20s, rate: 400/s, ramp: 20s}\n"
	                  "      - {at: 60s, rate: 0/s, ramp: 10s}\n";
	/* [20,30): 100*10 + 15*10^2/2; [30,40): 100*10 + 15*(20^2-10^2)/2; [60,70): 400*10/2 */
	const double expected[] = {1000, 1000, 1750, 3250, 4000, 4000, 2000, 0};
	for (uint64_t seed = 1; seed <= 3; seed++) {
		harness_run r = harness_run_pinned(producer_yaml("80s", "10s", 1, src), NULL, seed);
		const sim_series *s = harness_series(r.metrics, "streams/s", "incoming_records");
		assert_int_equal(sim_series_rows(s), 8);
		for (size_t i = 0; i < 8; i++)
			assert_poisson(row_sum(s, i), expected[i]);
		assert_float_equal(row_sum(s, 7), 0, 0);
		harness_free(&r);
	}
}

/* A step without ramp before the first step: nothing arrives before `at` of the first step. */
static void profile_rate_is_zero_before_the_first_step(void **state)
{
	(void)state;
	const char *src = "    arrivals: uniform\n"
	                  "    profile: [{at: 30s, rate: 50/s}]\n";
	harness_run r = harness_run_pinned(producer_yaml("60s", "10s", 1, src), NULL, 1);
	const sim_series *s = harness_series(r.metrics, "streams/s", "incoming_records");
	for (size_t i = 0; i < 3; i++)
		assert_float_equal(row_sum(s, i), 0, 0);
	/* Uniform: evenly spaced at 20 ms from 30 s, so 500 per 10 s (one off at the edges). */
	for (size_t i = 3; i < 6; i++)
		assert_float_equal(row_sum(s, i), 500, 1);
	harness_free(&r);
}

/* lambda(t) = 350 + 250 cos(2 pi (t - 15) / 60): counts per 5 s match its integral. */
static void diurnal_counts_follow_the_sine_between_trough_and_peak(void **state)
{
	(void)state;
	const char *src = "    diurnal: {peak: 600/s, trough: 100/s, period: 60s, peak_at: 15s}\n";
	const double w = 2 * M_PI / 60;
	for (uint64_t seed = 1; seed <= 3; seed++) {
		harness_run r = harness_run_pinned(producer_yaml("120s", "5s", 1, src), NULL, seed);
		const sim_series *s = harness_series(r.metrics, "streams/s", "incoming_records");
		assert_int_equal(sim_series_rows(s), 24);
		for (size_t i = 0; i < 24; i++) {
			double a = 5.0 * (double)i, b = a + 5;
			double e = 350 * 5 + 250 / w * (sin(w * (b - 15)) - sin(w * (a - 15)));
			assert_poisson(row_sum(s, i), e);
		}
		harness_free(&r);
	}
}

static char fixture_dir[PATH_MAX];

/* tests/models/kinesis/data, found from this file's path (relative to the build directory, where
 * meson runs the tests). */
static const char *fixture(const char *name)
{
	if (!fixture_dir[0]) {
		const char *slash = strrchr(__FILE__, '/');
		char rel[PATH_MAX];
		snprintf(rel, sizeof rel, "%.*s/data", (int)(slash ? slash - __FILE__ : 1),
		         slash ? __FILE__ : ".");
		if (!realpath(rel, fixture_dir))
			fail_msg("cannot find the fixtures at %s", rel);
	}
	return harness_fmt("%s/%s", fixture_dir, name);
}

/* A CloudWatch-like export: header, ISO timestamps, 10 s rows with bytes. Each row's records
 * arrive within its period; the last row lasts the median period (10 s); sizes are
 * bytes/records of the row. */
static void trace_replays_rows_with_their_sizes(void **state)
{
	(void)state;
	const double records[] = {600, 3000, 0, 1200, 0, 0};
	const double size[] = {100, 200, 0, 200, 0, 0};
	for (uint64_t seed = 1; seed <= 3; seed++) {
		const char *src = harness_fmt("    trace: %s\n", fixture("trace-cloudwatch.csv"));
		harness_run r = harness_run_pinned(producer_yaml("60s", "10s", 1, src), NULL, seed);
		const sim_series *n = harness_series(r.metrics, "streams/s", "incoming_records");
		const sim_series *b = harness_series(r.metrics, "streams/s", "incoming_bytes");
		for (size_t i = 0; i < 6; i++) {
			assert_poisson(row_sum(n, i), records[i]);
			assert_float_equal(row_sum(b, i), row_sum(n, i) * size[i], 0);
		}
		harness_free(&r);
	}
}

/* Seconds and durations, no header, no bytes, uniform arrivals: exactly records per row (one
 * off at the edges), record_size used. */
static void trace_in_seconds_and_durations_with_uniform_arrivals(void **state)
{
	(void)state;
	const char *src =
	        harness_fmt("    arrivals: uniform\n    trace: %s\n", fixture("trace-seconds.csv"));
	harness_run r = harness_run_pinned(producer_yaml("40s", "10s", 1, src), NULL, 1);
	const sim_series *n = harness_series(r.metrics, "streams/s", "incoming_records");
	const double expected[] = {100, 300, 50, 0};
	for (size_t i = 0; i < 4; i++)
		assert_float_equal(row_sum(n, i), expected[i], 1);
	assert_float_equal(harness_value(&r, "s.incoming_bytes"),
	                   harness_value(&r, "s.incoming_records") * 100, 0);
	harness_free(&r);
}

/* Loads a scenario written into dir (with an optional CSV) and returns the diagnostics. */
static char *load_errors(const char *dir, const char *yaml, const char *csv_name, const char *csv)
{
	char *path = sim_asprintf("%s/s.yaml", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(yaml, f);
	fclose(f);
	if (csv) {
		char *cp = sim_asprintf("%s/%s", dir, csv_name);
		f = fopen(cp, "w");
		assert_non_null(f);
		fputs(csv, f);
		fclose(f);
		sim_free(cp);
	}
	sim_diag *d = sim_diag_create();
	ks_scenario *sc = NULL;
	int err = 0;
	int rc = ks_scenario_load(path, NULL, 0, d, &sc, &err);
	assert_int_equal(rc, KS_SCENARIO_INVALID);
	char *text = sim_diag_format(d, false);
	sim_diag_destroy(d);
	sim_free(path);
	return text;
}

static const char *trace_yaml(const char *file)
{
	return harness_fmt("kinesim: 1\n"
	                   "name: t\n"
	                   "duration: 10s\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers:\n"
	                   "  p:\n"
	                   "    stream: s\n"
	                   "    trace: %s\n"
	                   "    record_size: 100B\n",
	                   file);
}

static void trace_errors_name_the_file_and_line(void **state)
{
	(void)state;
	char dir[] = "/tmp/kinesim-trace-XXXXXX";
	assert_non_null(mkdtemp(dir));

	/* Missing: at the trace value (line 8, column 12), relative to the scenario's folder. */
	char *got = load_errors(dir, trace_yaml("nope.csv"), NULL, NULL);
	char *want = sim_asprintf("%s/s.yaml:8:12: error: cannot read 'nope.csv': No such file or "
	                          "directory\n",
	                          dir);
	assert_string_equal(got, want);
	sim_free(got);
	sim_free(want);

	/* Malformed row: the CSV's own path and line (header, a good row, then the bad one). */
	got = load_errors(dir, trace_yaml("bad.csv"), "bad.csv",
	                  "time,records\n0,10\n10,many\n20,5\n");
	want = sim_asprintf("%s/bad.csv:3: error: records must be a number >= 0 (got 'many')\n",
	                    dir);
	assert_string_equal(got, want);
	sim_free(got);
	sim_free(want);

	/* Out of order, after a comment and a blank line. */
	got = load_errors(dir, trace_yaml("order.csv"), "order.csv",
	                  "# export\n\n2024-05-01T10:00:10Z,1\n2024-05-01T10:00:00Z,1\n");
	want = sim_asprintf("%s/order.csv:4: error: rows must be in time order "
	                    "('2024-05-01T10:00:00Z' is not after the previous row)\n",
	                    dir);
	assert_string_equal(got, want);
	sim_free(got);
	sim_free(want);

	char *files[] = {"s.yaml", "bad.csv", "order.csv"};
	for (size_t i = 0; i < 3; i++) {
		char *p = sim_asprintf("%s/%s", dir, files[i]);
		unlink(p);
		sim_free(p);
	}
	rmdir(dir);
}

/* The records of one shard's log, in sequence order. */
static const ks_shard *shard_of(const harness_run *r, size_t stream, size_t shard)
{
	return &harness_stream(r, stream)->shards[shard];
}

/* 50/s in bursts of 10: ten records at one instant every 200 ms (from 200 ms on), each burst
 * one PutRecords call. */
static void bursty_sends_groups_of_burst_records_at_one_instant(void **state)
{
	(void)state;
	const char *forms[] = {"{bursty: {burst: 10}}", "{bursty: {burst: 10, every: 200ms}}"};
	for (size_t f = 0; f < 2; f++) {
		const char *src = harness_fmt("    rate: 50/s\n    arrivals: %s\n", forms[f]);
		harness_run r = harness_run_pinned(producer_yaml("10s", "1s", 1, src), NULL, 1);
		const ks_shard *sh = shard_of(&r, 0, 0);
		/* bursts at 0.2 s .. 9.8 s: 49 of them */
		assert_int_equal(sh->log.end - sh->log.head, 490);
		for (uint64_t q = sh->log.head; q < sh->log.end; q++) {
			uint64_t k = q - sh->log.head;
			assert_int_equal(ks_log_record(&sh->log, q)->arrival,
			                 (sim_time)(k / 10 + 1) * 200 * SIM_MS);
		}
		assert_float_equal(harness_value(&r, "p.put_calls"), 49, 0);
		harness_free(&r);
	}
}

static void bursty_every_that_disagrees_with_the_rate_is_an_error(void **state)
{
	(void)state;
	char dir[] = "/tmp/kinesim-bursty-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *got = load_errors(dir,
	                        "kinesim: 1\nname: b\nduration: 10s\nstreams: {s: {shards: 1}}\n"
	                        "producers:\n  p:\n    stream: s\n    rate: 400/s\n"
	                        "    arrivals: {bursty: {burst: 50, every: 1s}}\n"
	                        "    record_size: 100B\n",
	                        NULL, NULL);
	/* 50 records at 400/s: every 125 ms; 50 records every 1 s: 50/s. */
	char *want = sim_asprintf("%s/s.yaml:9:43: error: every: 1s disagrees with rate 400/s: "
	                          "bursts of 50 records at that rate come every 125ms\n"
	                          "  hint: give 'burst' alone (the rate spaces the bursts), or "
	                          "make rate burst/every (50/s)\n",
	                          dir);
	assert_string_equal(got, want);
	sim_free(got);
	sim_free(want);
	char *p = sim_asprintf("%s/s.yaml", dir);
	unlink(p);
	sim_free(p);
	rmdir(dir);
}

static double harmonic(int n, double s)
{
	double h = 0;
	for (int k = 1; k <= n; k++)
		h += pow(k, -s);
	return h;
}

/* Per-key counts over every shard of stream 0; keys[count] is the hot key. */
static size_t count_keys(const harness_run *r, size_t nshards, double *keys, size_t nkeys)
{
	size_t n = 0;
	memset(keys, 0, nkeys * sizeof *keys);
	for (size_t s = 0; s < nshards; s++) {
		const ks_shard *sh = shard_of(r, 0, s);
		for (uint64_t q = sh->log.head; q < sh->log.end; q++) {
			uint32_t k = ks_log_record(&sh->log, q)->key;
			assert_true(k < nkeys);
			keys[k]++;
			n++;
		}
	}
	return n;
}

/* Zipf weights 1/k^s over k0..k9: k0 takes 1/H(10,s), k1 1/(2^s H); chi-square over the ten
 * keys below its 99.9% point for 9 degrees of freedom (27.88). */
static void zipf_keys_take_shares_one_over_k_to_the_s(void **state)
{
	(void)state;
	const double exps[] = {1.0, 2.0};
	for (size_t e = 0; e < 2; e++) {
		const char *src = harness_fmt("    rate: 500/s\n"
		                              "    partition_keys: {count: 10, distribution: zipf, "
		                              "zipf_s: %g}\n",
		                              exps[e]);
		harness_run r = harness_run_pinned(producer_yaml("40s", "10s", 4, src), NULL, 3);
		double keys[10];
		size_t n = count_keys(&r, 4, keys, 10);
		assert_true(n > 19000);
		double h = harmonic(10, exps[e]), chi2 = 0;
		for (int k = 0; k < 10; k++) {
			double p = pow(k + 1, -exps[e]) / h;
			double want = p * (double)n;
			if (k < 2)
				assert_float_equal(keys[k] / (double)n, p,
				                   4.5 * sqrt(p * (1 - p) / (double)n));
			chi2 += (keys[k] - want) * (keys[k] - want) / want;
		}
		assert_true(chi2 < 27.88);
		harness_free(&r);
	}
}

/* 30% of records use the key "hot" (key number `count`), on its own MD5 shard; the rest spread
 * uniformly over k0..k99. */
static void hot_key_share_sends_that_share_with_one_key_on_its_shard(void **state)
{
	(void)state;
	const char *src = "    rate: 500/s\n"
	                  "    partition_keys: {count: 100, hot_key_share: 30%}\n";
	harness_run r = harness_run_pinned(producer_yaml("40s", "10s", 4, src), NULL, 2);
	double keys[101];
	size_t n = count_keys(&r, 4, keys, 101);
	double share = keys[100] / (double)n;
	assert_float_equal(share, 0.3, 4.5 * sqrt(0.3 * 0.7 / (double)n));
	size_t hot = ks_stream_shard_for_key(4, "hot", 3);
	const ks_shard *sh = shard_of(&r, 0, hot);
	double on_hot_shard = 0;
	for (uint64_t q = sh->log.head; q < sh->log.end; q++)
		on_hot_shard += ks_log_record(&sh->log, q)->key == 100;
	assert_float_equal(on_hot_shard, keys[100], 0);
	/* Each regular key: 0.7 / 100 of the records. */
	double p = 0.007, chi2 = 0;
	for (int k = 0; k < 100; k++)
		chi2 += (keys[k] - p * (double)n) * (keys[k] - p * (double)n) / (p * (double)n);
	assert_true(chi2 < 148.2); /* 99.9% point of chi-square, 99 degrees of freedom */
	harness_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(profile_counts_follow_the_integral_of_the_ramped_rate),
	        cmocka_unit_test(profile_rate_is_zero_before_the_first_step),
	        cmocka_unit_test(diurnal_counts_follow_the_sine_between_trough_and_peak),
	        cmocka_unit_test(trace_replays_rows_with_their_sizes),
	        cmocka_unit_test(trace_in_seconds_and_durations_with_uniform_arrivals),
	        cmocka_unit_test(trace_errors_name_the_file_and_line),
	        cmocka_unit_test(bursty_sends_groups_of_burst_records_at_one_instant),
	        cmocka_unit_test(bursty_every_that_disagrees_with_the_rate_is_an_error),
	        cmocka_unit_test(zipf_keys_take_shares_one_over_k_to_the_s),
	        cmocka_unit_test(hot_key_share_sends_that_share_with_one_key_on_its_shard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
