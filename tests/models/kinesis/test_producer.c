/* Producers through the write limit (docs/validation.md case 3), common random numbers (case 6),
 * and the interrupt seen inside a long stretch of production (issue 9, "never hang"). */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <cmocka.h>

#include "models/core/component.h"
#include "models/kinesis/stream.h"
#include "sim/alloc.h"
#include "sim/engine.h"
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
	harness_run r =
	        harness_run_yaml(over_capacity(1200, "100B", "retry: {max_attempts: 1}"), NULL, 1);
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
	harness_run r =
	        harness_run_yaml(over_capacity(1500, "1KB", "retry: {max_attempts: 1}"), NULL, 1);
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

/* Adding consumers downstream changes not a single produced record. */
static void adding_consumers_does_not_change_the_records_produced(void **state)
{
	(void)state;
	harness_run one = harness_run_yaml(fan(1), NULL, 5);
	harness_run six = harness_run_yaml(fan(6), NULL, 5);
	const char *names[] = {"incoming_records", "incoming_bytes"};
	for (size_t k = 0; k < 2; k++) {
		const sim_series *a = harness_series(one.metrics, "streams/s", names[k]);
		const sim_series *b = harness_series(six.metrics, "streams/s", names[k]);
		size_t n = sim_series_rows(a) * sim_series_columns(a);
		assert_int_equal(n, sim_series_rows(b) * sim_series_columns(b));
		const double *da = sim_series_data(a), *db = sim_series_data(b);
		if (!da || !db) /* NULL: nothing added, all zeros; then in both */
			assert_ptr_equal(da, db);
		else
			assert_memory_equal(da, db, n * sizeof(double));
	}
	assert_true(harness_value(&six, "s.read_throttled") >
	            harness_value(&one, "s.read_throttled"));
	harness_free(&one);
	harness_free(&six);
}

/* The records of a shard's log. */
static const ks_shard *shard_of(const harness_run *r, size_t stream, size_t shard)
{
	return &harness_stream(r, stream)->shards[shard];
}

static const char *burst_yaml(const char *put)
{
	/* One burst of 1,200 records at 10 s (rate 120/s in bursts of 1,200), one shard whose
	 * bucket holds 1,000 records by then. */
	return harness_fmt("kinesim: 1\n"
	                   "name: put\n"
	                   "duration: 15s\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers:\n"
	                   "  p:\n"
	                   "    stream: s\n"
	                   "    rate: 120/s\n"
	                   "    arrivals: {bursty: {burst: 1200}}\n"
	                   "    record_size: 100B\n"
	                   "    put: %s\n"
	                   "    retry: {max_attempts: 1}\n",
	                   put);
}

/* Calls of 400: the first two fit the 1,000 tokens, the third has 200 accepted and 200
 * rejected record by record; the rest of that call succeeds. */
static void put_records_call_over_the_limit_fails_record_by_record(void **state)
{
	(void)state;
	harness_run r =
	        harness_run_pinned(burst_yaml("{api: PutRecords, max_records: 400}"), NULL, 1);
	assert_float_equal(harness_value(&r, "p.put_calls"), 3, 0);
	assert_float_equal(harness_value(&r, "s.incoming_records"), 1000, 0);
	assert_float_equal(harness_value(&r, "s.write_throttled"), 200, 0);
	assert_float_equal(harness_value(&r, "s.records_lost"), 200, 0);
	assert_float_equal(harness_value(&r, "p.records_lost"), 200, 0);
	assert_float_equal(harness_value(&r, "p.records_produced"), 1200, 0);
	/* In call order: records 0..999 in, at the call's instant. */
	const ks_shard *sh = shard_of(&r, 0, 0);
	assert_int_equal(sh->log.end - sh->log.head, 1000);
	for (uint64_t q = sh->log.head; q < sh->log.end; q++) {
		assert_int_equal(ks_record_index(ks_log_record(&sh->log, q)), q - sh->log.head);
		assert_int_equal(ks_log_record(&sh->log, q)->arrival, 10 * SIM_S);
	}
	harness_free(&r);
}

/* PutRecord: one call per record, the same verdicts. */
static void put_record_makes_one_call_per_record(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml(burst_yaml("{api: PutRecord}"), NULL, 1);
	assert_float_equal(harness_value(&r, "p.put_calls"), 1200, 0);
	assert_float_equal(harness_value(&r, "s.incoming_records"), 1000, 0);
	harness_free(&r);
}

static const char *linger_yaml(const char *put)
{
	return harness_fmt("kinesim: 1\n"
	                   "name: linger\n"
	                   "duration: 20s\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers:\n"
	                   "  p:\n"
	                   "    stream: s\n"
	                   "    rate: 100/s\n"
	                   "    record_size: 100B\n"
	                   "    put: %s\n",
	                   put);
}

/* With linger 50 ms, a call opens at its first record's production and goes 50 ms later (or
 * at once when it holds max_records) with every record produced meanwhile. The production
 * times are those of PutRecord (the same seed draws the same records); the expected send time
 * of each record is rebuilt from them by that rule. */
static void linger_groups_records_and_delays_them_by_at_most_linger(void **state)
{
	(void)state;
	const sim_time linger = 50 * SIM_MS, horizon = 19 * SIM_S; /* away from the run's end */
	const uint64_t max = 10;
	harness_run one = harness_run_pinned(linger_yaml("{api: PutRecord}"), NULL, 4);
	harness_run grouped =
	        harness_run_pinned(linger_yaml("{linger: 50ms, max_records: 10}"), NULL, 4);
	const ks_shard *a = shard_of(&one, 0, 0), *b = shard_of(&grouped, 0, 0);
	uint64_t n = a->log.end - a->log.head, calls = 0, full = 0;
	assert_true(n > 1800);
	for (uint64_t i = 0; i < n;) {
		sim_time t0 = ks_log_record(&a->log, a->log.head + i)->arrival;
		uint64_t j = i;
		while (j < n && j - i < max &&
		       ks_log_record(&a->log, a->log.head + j)->arrival <= t0 + linger)
			j++;
		sim_time send = j - i == max ? ks_log_record(&a->log, a->log.head + j - 1)->arrival
		                             : t0 + linger;
		full += j - i == max;
		for (uint64_t k = i; k < j && send < horizon; k++) {
			assert_true(b->log.head + k < b->log.end);
			const ks_record *rb = ks_log_record(&b->log, b->log.head + k);
			assert_int_equal(ks_record_index(rb), k);
			assert_int_equal(rb->arrival, send);
			sim_time wait = send - ks_log_record(&a->log, a->log.head + k)->arrival;
			assert_true(wait >= 0 && wait <= linger);
		}
		if (send < horizon)
			calls++;
		i = j;
	}
	/* At 100/s, 5 more records are expected within 50 ms: a call fills up (9 more) now and
	 * then, most do not. */
	assert_true(full > 10 && full < calls / 2);
	assert_true(harness_value(&grouped, "p.put_calls") >= (double)calls);
	harness_free(&one);
	harness_free(&grouped);
}

static const char *two_streams(const char *retry)
{
	return harness_fmt("kinesim: 1\n"
	                   "name: fan\n"
	                   "duration: 30s\n"
	                   "warmup: 10s\n"
	                   "streams: {a: {shards: 8}, b: {shards: 1}}\n"
	                   "producers:\n"
	                   "  p:\n"
	                   "    streams: [a, b]\n"
	                   "    rate: 1500/s\n"
	                   "    arrivals: uniform\n"
	                   "    record_size: 100B\n"
	                   "    %s\n",
	                   retry);
}

/* Stream a takes everything, b (one shard) 1,000 of the 1,500 records/s: every record b loses
 * was published to a only, so partial publishes equal b's losses and no record is lost to
 * both; ~500/s over the 20 s measured. */
static void multi_stream_records_lost_on_one_stream_are_partial_publishes(void **state)
{
	(void)state;
	const char *retries[] = {"retry: {max_attempts: 1}", "retry: {}"};
	for (size_t i = 0; i < 2; i++) {
		harness_run r = harness_run_yaml(two_streams(retries[i]), NULL, 1);
		double lost_b = harness_value(&r, "b.records_lost");
		assert_float_equal(harness_value(&r, "a.records_lost"), 0, 0);
		assert_float_equal(harness_value(&r, "a.incoming_records"), 1500 * 20, 1);
		assert_float_equal(harness_value(&r, "b.incoming_records") / 20, 1000, 2);
		assert_float_equal(lost_b / 20, 500, 10);
		assert_float_equal(harness_value(&r, "p.partial_publishes"), lost_b, 0);
		assert_float_equal(harness_value(&r, "p.records_lost"), 0, 0);
		assert_float_equal(harness_value(&r, "p.records_produced"), 1500 * 20, 1);
		/* The same record keeps its index in both streams. */
		const ks_shard *sb = shard_of(&r, 1, 0);
		for (uint64_t q = sb->log.head; q < sb->log.end; q += 97) {
			const ks_record *rb = ks_log_record(&sb->log, q);
			size_t shard = ks_stream_shard_for_key(8, harness_fmt("k%u", rb->key),
			                                       strlen(harness_fmt("k%u", rb->key)));
			const ks_shard *sa = shard_of(&r, 0, shard);
			bool found = false;
			for (uint64_t k = sa->log.head; k < sa->log.end && !found; k++)
				found = ks_log_record(&sa->log, k)->id == rb->id &&
				        ks_log_record(&sa->log, k)->bytes == rb->bytes;
			assert_true(found);
		}
		harness_free(&r);
	}
}

static const char *crn_yaml(const char *target)
{
	return harness_fmt("kinesim: 1\n"
	                   "name: crn\n"
	                   "duration: 1m\n"
	                   "metrics: {interval: 5s}\n"
	                   "streams: {s: {shards: 4}, t: {shards: 1}}\n"
	                   "producers:\n"
	                   "  p:\n"
	                   "    %s\n"
	                   "    rate: 1500/s\n"
	                   "    record_size: {dist: lognormal, median: 1KB, p99: 20KB}\n",
	                   target);
}

/* Adding a second stream to the producer changes nothing in the first stream's records. */
static void adding_a_stream_does_not_change_the_records_of_the_first(void **state)
{
	(void)state;
	harness_run one = harness_run_yaml(crn_yaml("stream: s"), NULL, 9);
	harness_run two = harness_run_yaml(crn_yaml("streams: [s, t]"), NULL, 9);
	const char *names[] = {"incoming_records", "incoming_bytes", "write_throttled"};
	for (size_t k = 0; k < 3; k++) {
		const sim_series *a = harness_series(one.metrics, "streams/s", names[k]);
		const sim_series *b = harness_series(two.metrics, "streams/s", names[k]);
		size_t n = sim_series_rows(a) * sim_series_columns(a);
		assert_int_equal(n, sim_series_rows(b) * sim_series_columns(b));
		const double *da = sim_series_data(a), *db = sim_series_data(b);
		if (!da || !db) /* NULL: nothing added, all zeros; then in both */
			assert_ptr_equal(da, db);
		else
			assert_memory_equal(da, db, n * sizeof(double));
	}
	assert_true(harness_value(&two, "t.records_lost") > 0);
	harness_free(&one);
	harness_free(&two);
}

/* ---- interrupts ---------------------------------------------------------------------------- */

/* 1e8 records/s into one shard for an hour: 3.6e11 records, of which the shard accepts 1,000/s.
 * Whoever looks at the log a simulated second after the last look asks for 1e8 of them (some
 * seconds of wall time and gigabytes of resends): an interrupt must cut that short. */
static const char *fast_yaml(const char *readers)
{
	return harness_fmt("kinesim: 1\n"
	                   "name: fast\n"
	                   "duration: 1h\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers: {p: {stream: s, rate: 1e8/s, record_size: 100B}}\n"
	                   "%s",
	                   readers);
}

static const char no_reader[] = "";
static const char one_reader[] = "functions: {f: {triggers: [{kinesis: s}]}}\n";

static atomic_int interrupt_flag;

static void raise_flag(sim_engine *e, void *obj, uint64_t arg)
{
	(void)e, (void)obj, (void)arg;
	interrupt_flag = 1;
}

static void on_alarm(int sig)
{
	(void)sig;
	interrupt_flag = 1;
}

static double wall_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct interrupted_run {
	harness_run r;
	int rc;
	double wall; /* seconds in ks_model_run */
} interrupted_run;

/* Builds and runs yaml with interrupt_flag as the run's interrupt, raised by an engine event at
 * simulated time `at` (< 0: none) or, as Ctrl-C would, by a signal after alarm_ms of wall time
 * (0: none); then summarizes, as `kinesim run` does with a partial run. */
static interrupted_run run_interrupted(const char *yaml, sim_time at, long alarm_ms)
{
	interrupted_run x = {0};
	interrupt_flag = 0;
	x.r.sc = harness_load(yaml, NULL);
	x.r.metrics = sim_metrics_create();
	x.r.model = ks_model_build(x.r.sc, 1, 0, x.r.metrics);
	if (at >= 0)
		sim_engine_at(ks_model_ctx(x.r.model)->engine, at, raise_flag, NULL, 0);
	struct itimerval timer = {.it_value = {alarm_ms / 1000, alarm_ms % 1000 * 1000}};
	if (alarm_ms > 0) {
		signal(SIGALRM, on_alarm);
		setitimer(ITIMER_REAL, &timer, NULL);
	}
	double t0 = wall_seconds();
	x.rc = ks_model_run(x.r.model, &interrupt_flag, NULL, NULL);
	x.wall = wall_seconds() - t0;
	if (alarm_ms > 0) {
		setitimer(ITIMER_REAL, &(struct itimerval){0}, NULL);
		signal(SIGALRM, SIG_DFL);
	}
	ks_model_summarize(x.r.model);
	return x;
}

/* An event at 1 s raises the flag. Before, the end of the run still brought the producer up
 * to 1 s (1e8 records, no reader having looked before); now nothing more is produced. */
static void interrupt_raised_by_an_event_leaves_the_rest_unproduced(void **state)
{
	(void)state;
	interrupted_run x = run_interrupted(fast_yaml(no_reader), SIM_S, 0);
	assert_int_equal(x.rc, -EINTR);
	assert_int_equal(ks_model_now(x.r.model), SIM_S);
	assert_true(harness_value(&x.r, "p.records_produced") == 0);
	assert_true(harness_value(&x.r, "s.incoming_records") == 0);
	assert_true(x.wall < 1.0);
	harness_free(&x.r);
}

/* Ctrl-C 100 ms into the run, while the reader's look at 1 s asks for 1e8 records: the
 * producer stops within a slice of attempts and the run ends at once with -EINTR. */
static void interrupt_during_a_readers_advance_is_seen_within_a_slice(void **state)
{
	(void)state;
	interrupted_run x = run_interrupted(fast_yaml(one_reader), -1, 100);
	assert_int_equal(x.rc, -EINTR);
	assert_true(x.wall < 1.5); /* ~0.1 s; before, seconds and gigabytes */
	assert_true(harness_value(&x.r, "p.records_produced") < 5e7);
	assert_true(ks_model_now(x.r.model) < 2 * SIM_S);
	harness_free(&x.r);
}

/* With no reader every record is produced by the end of the run (after the engine's loop):
 * Ctrl-C there stops it too, and the run says it was interrupted, not complete. */
static void interrupt_during_the_last_advance_makes_the_run_partial(void **state)
{
	(void)state;
	interrupted_run x = run_interrupted(fast_yaml(no_reader), -1, 100);
	assert_int_equal(x.rc, -EINTR);
	assert_true(x.wall < 1.5); /* before: 3.6e11 records, hours and out of memory */
	assert_true(harness_value(&x.r, "p.records_produced") < 5e7);
	harness_free(&x.r);
}

/* Issue 11: a record of 1 MiB or more never fitted the shard's 1 MiB byte bucket: it was
 * counted as write-throttled and lost, silently. Now: a fixed record_size over the stream's
 * max_record_size is an error; within it (up to 10 MiB) large records are accepted with
 * burst; a distribution that crosses the maximum has those records refused and counted. */
static const char *large_records(const char *size, const char *max)
{
	return harness_fmt(
	        "kinesim: 1\n"
	        "name: large-records\n"
	        "duration: 10m\n"
	        "streams: {s: {shards: 1%s}}\n"
	        "producers:\n"
	        "  p: {stream: s, rate: 0.2/s, record_size: %s, put: {api: PutRecord}}\n",
	        max, size);
}

static void records_over_max_record_size_are_refused_and_large_ones_accepted(void **state)
{
	(void)state;
	int rc;
	char *text = harness_diagnostics(large_records("2MB", ""), &rc);
	assert_int_equal(rc, KS_SCENARIO_INVALID);
	assert_non_null(strstr(text, ":6:44: error: record_size 2MB is over the max_record_size of "
	                             "stream 's' (1MiB): Kinesis refuses every such record"));
	sim_free(text);

	/* 2 MB every 5 s on average: 0.4 MB/s, under 1 MiB/s; every record accepted */
	harness_run r = harness_run_yaml(large_records("2MB", ", max_record_size: 10MiB"), NULL, 1);
	double produced = harness_value(&r, "p.records_produced");
	assert_true(produced > 80);
	assert_true(harness_value(&r, "s.incoming_records") == produced);
	assert_true(harness_value(&r, "s.write_throttled") == 0);
	assert_true(harness_value(&r, "p.records_oversized") == 0);
	harness_free(&r);

	/* uniform 0.5 to 1.5 MiB against 1 MiB (data + the key's bytes): about half refused */
	r = harness_run_yaml(large_records("{dist: uniform, min: 524288B, max: 1572864B}", ""),
	                     NULL, 1);
	produced = harness_value(&r, "p.records_produced");
	double oversized = harness_value(&r, "p.records_oversized");
	assert_true(oversized > 0.3 * produced && oversized < 0.7 * produced);
	assert_true(harness_value(&r, "p.records_lost") == oversized);
	assert_true(harness_value(&r, "s.incoming_records") == produced - oversized);
	harness_free(&r);
}

/* The default producer's records go through one loop (put_run in producer.c); any producer it
 * does not cover, such as one with a `limit`, through the general path: a limit the run never
 * reaches must change nothing, value for value, series cell for series cell and record for
 * record in every shard's log. Cases that take put_run off its straight line: a throttled
 * shard (rejections, resends, lost records, fates), two records at one instant joining a
 * PutRecords call (no linger: the call is handed over open), a backlog before the run, a
 * million keys drawn ahead with the shards prefetched (512 shards and more), and a reshard (the
 * key tables are rebuilt). */
static const char *loop_yaml(const char *duration, const char *stream, const char *rate, int keys,
                             const char *put, const char *limit)
{
	return harness_fmt("kinesim: 1\n"
	                   "name: one-loop\n"
	                   "duration: %s\n"
	                   "streams: {s: {%s}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: %s, record_size: 100B,\n"
	                   "      partition_keys: {count: %d}, put: %s%s}\n",
	                   duration, stream, rate, keys, put, limit);
}

static void assert_same_run(const char *yaml, const char *with_limit, const char *check,
                            double above)
{
	harness_run a = harness_run_pinned(yaml, NULL, 3);
	harness_run b = harness_run_pinned(with_limit, NULL, 3);
	if (!(harness_value(&a, check) > above))
		fail_msg("%s is %g", check, harness_value(&a, check));
	assert_int_equal(sim_metrics_value_count(a.metrics), sim_metrics_value_count(b.metrics));
	for (size_t i = 0; i < sim_metrics_value_count(a.metrics); i++) {
		const sim_metrics_value *va = sim_metrics_value_at(a.metrics, i);
		const sim_metrics_value *vb = sim_metrics_value_at(b.metrics, i);
		assert_string_equal(va->path, vb->path);
		if (!(va->value == vb->value || (va->value != va->value && vb->value != vb->value)))
			fail_msg("%s: %.17g with put_run, %.17g without", va->path, va->value,
			         vb->value);
	}
	assert_int_equal(sim_metrics_series_count(a.metrics), sim_metrics_series_count(b.metrics));
	for (size_t i = 0; i < sim_metrics_series_count(a.metrics); i++) {
		const sim_series *sa = sim_metrics_series_at(a.metrics, i)->series;
		const sim_series *sb = sim_metrics_series_at(b.metrics, i)->series;
		size_t cells = sim_series_rows(sa) * sim_series_columns(sa);
		assert_int_equal(cells, sim_series_rows(sb) * sim_series_columns(sb));
		const double *da = sim_series_data(sa), *db = sim_series_data(sb);
		assert_true((da == NULL) == (db == NULL));
		for (size_t c = 0; da && c < cells; c++)
			assert_true(da[c] == db[c]);
	}
	ks_stream *sa = harness_stream(&a, 0), *sb = harness_stream(&b, 0);
	assert_int_equal(sa->nshards, sb->nshards);
	uint64_t records = 0;
	for (size_t i = 0; i < sa->nshards; i++) {
		const ks_log *la = &sa->shards[i].log, *lb = &sb->shards[i].log;
		assert_int_equal(la->head, lb->head);
		assert_int_equal(la->end, lb->end);
		for (uint64_t q = la->head; q < la->end; q++) {
			const ks_record *ra = ks_log_record(la, q), *rb = ks_log_record(lb, q);
			assert_true(ra->arrival == rb->arrival && ra->id == rb->id &&
			            ra->bytes == rb->bytes && ra->key == rb->key);
		}
		records += la->end - la->head;
	}
	assert_true(records > 500);
	harness_free(&a);
	harness_free(&b);
}

static void a_limit_never_reached_changes_nothing(void **state)
{
	(void)state;
	static const char never[] = ", limit: 1000000000000";
	struct {
		const char *duration, *stream, *rate;
		int keys;
		const char *put;
		const char *check; /* a value that shows the case did what it is for */
		double above;
	} cases[] = {
	        /* throttled; records 50 ns apart, so some share their nanosecond and a call */
	        {"2ms", "shards: 2, backlog: 2ms", "20000000/s", 10000, "{}", "s.write_throttled",
	         0},
	        {"5s", "shards: 2", "4000/s", 100, "{api: PutRecord}", "p.records_lost", 0},
	        /* a million keys drawn ahead, the shards prefetched */
	        {"300ms", "shards: 600", "700000/s", 1000000, "{}", "s.incoming_records", 0},
	        /* 2 shards, then 4 (an UpdateShardCount takes a minute): tables rebuilt */
	        {"70s", "shards: 2, reshard: [{at: 1s, shards: 4}]", "1500/s", 10000, "{}",
	         "s.shards.mean", 2},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *plain = sim_strdup(loop_yaml(cases[i].duration, cases[i].stream,
		                                   cases[i].rate, cases[i].keys, cases[i].put, ""));
		assert_same_run(plain,
		                loop_yaml(cases[i].duration, cases[i].stream, cases[i].rate,
		                          cases[i].keys, cases[i].put, never),
		                cases[i].check, cases[i].above);
		sim_free(plain);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(
	                write_cap_accepts_1000_per_second_and_loses_the_rest_without_resends),
	        cmocka_unit_test(write_cap_with_default_resends_still_loses_the_excess),
	        cmocka_unit_test(write_cap_holds_bytes_at_one_mib_per_second),
	        cmocka_unit_test(adding_consumers_does_not_change_the_records_produced),
	        cmocka_unit_test(put_records_call_over_the_limit_fails_record_by_record),
	        cmocka_unit_test(put_record_makes_one_call_per_record),
	        cmocka_unit_test(linger_groups_records_and_delays_them_by_at_most_linger),
	        cmocka_unit_test(multi_stream_records_lost_on_one_stream_are_partial_publishes),
	        cmocka_unit_test(adding_a_stream_does_not_change_the_records_of_the_first),
	        cmocka_unit_test(interrupt_raised_by_an_event_leaves_the_rest_unproduced),
	        cmocka_unit_test(interrupt_during_a_readers_advance_is_seen_within_a_slice),
	        cmocka_unit_test(interrupt_during_the_last_advance_makes_the_run_partial),
	        cmocka_unit_test(records_over_max_record_size_are_refused_and_large_ones_accepted),
	        cmocka_unit_test(a_limit_never_reached_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
