/* The fan-out layer (fanout.h) through whole runs: a forwarder f reads stream s (a producer
 * at 20 records/s) and passes its successful batches on. Expectations follow from the rules:
 * a sync target's handler time is added to every forwarder invocation, an async target's is
 * not, a target's failure is the forwarder's, re-published records go through the other
 * stream's write limit, and every record the forwarder accepted is accounted for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim/diag.h"
#include "tests/harness.h"

#define SEED 7

/* A 10-minute run of forwarder f (10 ms per invocation) with the given forward list and
 * extra functions; streams s (1 shard) and other (`other_shards`), topic t. */
static harness_run run(const char *forward, const char *functions, const char *extra)
{
	return harness_run_yaml(harness_fmt("kinesim: 1\n"
	                                    "name: forward\n"
	                                    "duration: 10m\n"
	                                    "platform:\n"
	                                    "  aws_ranges: warn\n"
	                                    "  lambda: {invoke_overhead: 0s}\n"
	                                    "  sns: {delivery_latency: 70ms}\n"
	                                    "streams: {s: {shards: 1}, other: {shards: 1}}\n"
	                                    "topics: {t: {}}\n"
	                                    "producers:\n"
	                                    "  p: {stream: s, rate: 20/s, record_size: 1KB}\n"
	                                    "%s"
	                                    "functions:\n"
	                                    "  f:\n"
	                                    "    cold_start: 0s\n"
	                                    "    duration: {per_invocation: 10ms}\n"
	                                    "    triggers: [{kinesis: s, batch_size: 100}]\n"
	                                    "%s"
	                                    "%s",
	                                    extra, forward, functions),
	                        NULL, SEED);
}

#define SLOW  "  slow: {cold_start: 0s, duration: {per_invocation: 2s}}\n"
#define QUICK "  quick: {cold_start: 0s, duration: {per_invocation: 10ms}}\n"

/* accepted = processed + skipped + forwarded + expired + on_failure + pending */
static void assert_conserved(const harness_run *r, const char *fn, double accepted)
{
	double sum = 0;
	static const char *const outcomes[] = {"records_processed",  "records_skipped",
	                                       "records_forwarded",  "records_expired",
	                                       "records_on_failure", "records_pending"};
	for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
		sum += harness_value(r, harness_fmt("%s.%s", fn, outcomes[i]));
	assert_float_equal(sum, accepted, 0);
}

static void sync_fanout_runs_at_the_pace_of_its_slowest_target(void **state)
{
	(void)state;
	harness_run r = run("    forward: [{function: slow}, {function: quick, invoke: sync}]\n",
	                    SLOW QUICK, "");
	double inv = harness_value(&r, "f.invocations");
	double done = harness_value(&r, "f.records_processed");
	/* one shard, one lane: invocations in series, each 10 ms + the slowest target's 2 s */
	assert_true(inv > 100);
	assert_true(inv * 2.010 <= 600.0 + 1e-9);
	assert_true(harness_value(&r, "f.latency.p10") >= 2.0);
	/* each target ran every batch the forwarder finished, before it finished it; at most
	 * the last batch (<= 100 records) was theirs only */
	for (int i = 0; i < 2; i++) {
		double t =
		        harness_value(&r, i ? "quick.records_processed" : "slow.records_processed");
		assert_true(t >= done && t <= done + 100);
	}
	assert_float_equal(harness_value(&r, "slow.invocations"), inv, 1);
	assert_float_equal(harness_value(&r, "f.errors"), 0, 0);
	assert_conserved(&r, "f", harness_value(&r, "s.incoming_records"));
	harness_free(&r);

	/* without the forward, the same forwarder's records wait well under 2 s */
	harness_run alone = run("", SLOW, "");
	assert_true(harness_value(&alone, "f.latency.p90") < 2.0);
	assert_true(harness_value(&alone, "f.invocations") > inv);
	harness_free(&alone);
}

static void async_fanout_leaves_the_forwarder_alone_and_counts_latency_from_acceptance(void **state)
{
	(void)state;
	harness_run r = run("    forward: [{function: slow, invoke: async}]\n", SLOW, "");
	harness_run alone = run("", SLOW, "");
	/* the forwarder draws nothing more: its run is the same as without the forward */
	static const char *const same[] = {"f.invocations", "f.records_processed", "f.latency.mean",
	                                   "f.latency.max"};
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
		assert_float_equal(harness_value(&r, same[i]), harness_value(&alone, same[i]), 0);
	/* the target got every record the forwarder finished, one event each */
	double done = harness_value(&r, "f.records_processed");
	assert_float_equal(harness_value(&r, "slow.records_processed") +
	                           harness_value(&r, "slow.records_pending"),
	                   done, 0);
	/* its latency counts from the shard's acceptance: the forwarder's wait, then 2 s */
	assert_true(harness_value(&r, "slow.latency.mean") >=
	            harness_value(&r, "f.latency.mean") + 2.0 - 1e-3);
	harness_free(&r);
	harness_free(&alone);
}

static void a_failing_or_throttled_sync_target_fails_the_forwarders_batch(void **state)
{
	(void)state;
	static const char *const targets[] = {
	        "  bad: {cold_start: 0s, errors: {invocation: 100%}}\n",
	        "  bad: {cold_start: 0s, reserved_concurrency: 0}\n",
	};
	for (int i = 0; i < 2; i++) {
		harness_run r =
		        run("    forward: [{function: bad}, {function: quick, invoke: sync}]\n",
		            harness_fmt("%s" QUICK, targets[i]), "");
		double inv = harness_value(&r, "f.invocations");
		/* the handler always succeeds and always gets the target's error: infinite
		 * retries (the default) block the shard on its first batch */
		assert_true(inv > 10);
		assert_float_equal(harness_value(&r, "f.errors"), inv, 1);
		assert_float_equal(harness_value(&r, "f.records_processed"), 0, 0);
		const char *why = i == 0 ? "bad.errors" : "bad.throttles";
		assert_float_equal(harness_value(&r, why), inv, 1);
		/* the other target processed the batch at each attempt */
		assert_true(harness_value(&r, "quick.records_processed") >= inv - 1);
		assert_conserved(&r, "f", harness_value(&r, "s.incoming_records"));
		harness_free(&r);
	}
	/* with maximum_retry_attempts the batches are discarded after 3 invocations each */
	harness_run r = harness_run_yaml(
	        harness_fmt("kinesim: 1\nname: retries\nduration: 10m\n"
	                    "platform: {lambda: {invoke_overhead: 0s}}\n"
	                    "streams: {s: {shards: 1}}\n"
	                    "producers: {p: {stream: s, rate: 20/s, record_size: 1KB}}\n"
	                    "functions:\n"
	                    "  f:\n"
	                    "    cold_start: 0s\n"
	                    "    triggers: [{kinesis: s, maximum_retry_attempts: 2}]\n"
	                    "    forward: [{function: bad}]\n"
	                    "  bad: {cold_start: 0s, errors: {invocation: 100%%}}\n"),
	        NULL, SEED);
	double on_failure = harness_value(&r, "f.records_on_failure");
	assert_true(on_failure > 1000);
	assert_float_equal(harness_value(&r, "f.records_processed"), 0, 0);
	assert_conserved(&r, "f", harness_value(&r, "s.incoming_records"));
	harness_free(&r);
}

static void forward_to_a_stream_writes_through_its_limit(void **state)
{
	(void)state;
	/* no loss: the other stream's reader g gets every record f finished; a producer q on
	 * the other stream writes in between */
	harness_run r = run("    forward: [{stream: other}]\n",
	                    "  g: {cold_start: 0s, triggers: [{kinesis: other}]}\n",
	                    "  q: {stream: other, rate: 5/s, record_size: 1KB}\n");
	double done = harness_value(&r, "f.records_processed");
	assert_true(done > 10000);
	assert_float_equal(harness_value(&r, "other.records_lost"), 0, 0);
	double q = harness_value(&r, "q.records_produced");
	/* at most q's records in a call still lingering at the end are not in the stream */
	double in = harness_value(&r, "other.incoming_records");
	assert_true(in <= done + q && in >= done + q - 500);
	assert_conserved(&r, "g", in);
	harness_free(&r);

	/* 100 KB records at 20/s (2 MB/s) on a 1 MiB/s shard: about half are lost */
	harness_run big =
	        harness_run_yaml("kinesim: 1\nname: lost\nduration: 10m\n"
	                         "platform: {lambda: {invoke_overhead: 0s}}\n"
	                         "streams: {s: {shards: 4}, other: {shards: 1}}\n"
	                         "producers: {p: {stream: s, rate: 20/s, record_size: 100KB}}\n"
	                         "functions:\n"
	                         "  f:\n"
	                         "    cold_start: 0s\n"
	                         "    triggers: [{kinesis: s}]\n"
	                         "    forward: [{stream: other}]\n",
	                         NULL, SEED);
	double fwd = harness_value(&big, "f.records_processed");
	double lost = harness_value(&big, "other.records_lost");
	double kept = harness_value(&big, "other.incoming_records");
	assert_float_equal(kept + lost, fwd, 0);
	/* 1 MiB/s of 100 KB records (+ key) is at most ~10.5/s plus one second of burst */
	assert_true(kept <= 600 * 1048576.0 / 100000 + 11);
	assert_true(lost > fwd / 3);
	assert_float_equal(harness_value(&big, "other.write_throttled"), lost, 0);
	harness_free(&big);
}

static void forward_to_a_topic_reaches_its_subscribers(void **state)
{
	(void)state;
	harness_run r = run("    forward: [{topic: t}]\n",
	                    "  h: {cold_start: 0s, triggers: [{sns: t}]}\n", "");
	double done = harness_value(&r, "f.records_processed");
	assert_true(done > 10000);
	assert_float_equal(harness_value(&r, "t.published"), done, 0);
	assert_float_equal(harness_value(&r, "h.records_processed") +
	                           harness_value(&r, "h.records_pending"),
	                   done, 0);
	/* from the original acceptance: the forwarder's wait plus the delivery's 70 ms */
	assert_true(harness_value(&r, "h.latency.mean") >=
	            harness_value(&r, "f.latency.mean") + 0.070 - 1e-3);
	harness_free(&r);
}

/* Invocations from an async queue (an SNS subscriber) and from an SQS mapping forward too. */
static void async_and_sqs_invocations_forward_too(void **state)
{
	(void)state;
	/* f sends every record to topic t (subscriber h) and its poison ones (1%) to queue q
	 * (read by m); h waits for slow, m publishes to topic u */
	harness_run r = harness_run_yaml(
	        "kinesim: 1\nname: chain\nduration: 10m\n"
	        "platform: {lambda: {invoke_overhead: 0s}, sns: {delivery_latency: 70ms}}\n"
	        "streams: {s: {shards: 1}}\n"
	        "topics: {t: {}, u: {}}\n"
	        "queues: {q: {}}\n"
	        "producers: {p: {stream: s, rate: 20/s, record_size: 1KB}}\n"
	        "functions:\n"
	        "  f:\n"
	        "    cold_start: 0s\n"
	        "    triggers: [{kinesis: s}]\n"
	        "    errors: {poison_records: 1%}\n"
	        "    on_record_error: {policy: retry, then: forward, forward_to: q}\n"
	        "    forward: [{topic: t}]\n"
	        "  h:\n"
	        "    cold_start: 0s\n"
	        "    triggers: [{sns: t}]\n"
	        "    forward: [{function: slow}]\n"
	        "  slow: {cold_start: 0s, duration: {per_invocation: 2s}}\n"
	        "  m:\n"
	        "    cold_start: 0s\n"
	        "    triggers: [{sqs: q}]\n"
	        "    forward: [{topic: u}]\n",
	        NULL, SEED);
	double done = harness_value(&r, "f.records_processed");
	double poison = harness_value(&r, "f.records_forwarded");
	assert_true(done > 10000 && poison > 50);
	/* the poison records are not passed on by f: only those it processed */
	assert_float_equal(harness_value(&r, "t.published"), done, 0);
	/* h is over when slow is back: every record h processed, slow processed first */
	double h = harness_value(&r, "h.records_processed");
	double slow = harness_value(&r, "slow.records_processed");
	assert_true(h > 10000 && slow >= h && slow <= h + harness_value(&r, "h.records_pending"));
	assert_true(harness_value(&r, "h.latency.p10") >= 2.070 - 1e-3);
	/* m passes every message it processed to u */
	double m = harness_value(&r, "m.records_processed");
	assert_true(m > 50);
	assert_float_equal(harness_value(&r, "u.published"), m, 0);
	harness_free(&r);
}

/* Loads the functions; returns the diagnostics and sets *rc. */
static char *load(const char *functions, int *rc)
{
	const char *yaml = harness_fmt("kinesim: 1\nname: refs\nduration: 1h\n"
	                               "streams: {s: {shards: 1}}\ntopics: {t: {}}\n"
	                               "functions:\n%s",
	                               functions);
	return harness_diagnostics(yaml, rc);
}

static void forward_targets_are_checked(void **state)
{
	(void)state;
	static const struct {
		const char *functions, *message; /* NULL message: valid */
	} cases[] = {
	        {"  f: {forward: [{function: g}, {function: g, invoke: async}, {stream: s}, "
	         "{topic: t}]}\n  g: {count: 2}\n",
	         NULL},
	        {"  f: {forward: [{function: f}]}\n", "error: function 'f' forwards to itself"},
	        {"  f: {forward: [{function: h}]}\n  g: {}\n", "no function named 'h'"},
	        {"  f: {forward: [{stream: x}]}\n", "no stream named 'x'"},
	        {"  f: {forward: [{topic: x}]}\n", "no topic named 'x'"},
	        {"  f: {forward: [{stream: s, topic: t}]}\n", "error"},
	        {"  f: {forward: [{stream: s, invoke: sync}]}\n", "invoke"},
	        {"  f: {forward: [{function: f2, invoke: later}]}\n  f2: {}\n", "later"},
	        {"  f: {forward: {topic: t}}\n", "error"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = 0;
		char *text = load(cases[i].functions, &rc);
		if (!cases[i].message) {
			if (rc != 0)
				print_error("case %zu: %s\n", i, text);
			assert_int_equal(rc, 0);
		} else {
			if (rc == 0 || !strstr(text, cases[i].message))
				print_error("case %zu: %s\n", i, text);
			assert_int_not_equal(rc, 0);
			assert_non_null(strstr(text, cases[i].message));
		}
		free(text);
	}
}

/* Issue 11: [doc] message size limits: SNS 256 KiB, SQS and an asynchronous invocation 1 MiB.
 * `fan` forwards every record to a topic and to an async function, `bad` forwards every
 * record (all poison) to a queue. A message over the limit is refused and counted where it
 * was refused (too_large, events_too_large); the others are delivered. */
static harness_run sized(const char *size)
{
	return harness_run_yaml(harness_fmt("kinesim: 1\n"
	                                    "name: sizes\n"
	                                    "duration: 5m\n"
	                                    "streams: {s: {shards: 1, max_record_size: 10MiB}}\n"
	                                    "producers: {p: {stream: s, rate: 0.4/s, "
	                                    "record_size: %s}}\n"
	                                    "queues: {q: {}}\n"
	                                    "topics: {t: {}}\n"
	                                    "functions:\n"
	                                    "  fan:\n"
	                                    "    forward: [{topic: t}, "
	                                    "{function: job, invoke: async}]\n"
	                                    "    triggers: [{kinesis: s}]\n"
	                                    "  job: {}\n"
	                                    "  bad:\n"
	                                    "    errors: {poison_records: 100%%}\n"
	                                    "    on_record_error: {policy: retry, retries: 0, "
	                                    "then: forward, forward_to: q}\n"
	                                    "    triggers: [{kinesis: s}]\n",
	                                    size),
	                        NULL, 4);
}

static void messages_over_each_services_limit_are_refused(void **state)
{
	(void)state;
	harness_run r = sized("700KB"); /* over SNS's limit only */
	double forwarded = harness_value(&r, "fan.records_processed");
	assert_true(forwarded > 50);
	assert_true(harness_value(&r, "t.too_large") == forwarded);
	assert_true(harness_value(&r, "t.published") == 0);
	assert_true(harness_value(&r, "q.too_large") == 0);
	assert_true(harness_value(&r, "q.sent") == harness_value(&r, "bad.records_forwarded"));
	assert_true(harness_value(&r, "job.events_too_large") == 0);
	harness_free(&r);
	r = sized("1500KB"); /* over all three */
	forwarded = harness_value(&r, "fan.records_processed");
	assert_true(forwarded > 50);
	assert_true(harness_value(&r, "q.too_large") == harness_value(&r, "bad.records_forwarded"));
	assert_true(harness_value(&r, "q.sent") == 0);
	assert_true(harness_value(&r, "job.events_too_large") == forwarded);
	assert_true(harness_value(&r, "job.invocations") == 0);
	harness_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(sync_fanout_runs_at_the_pace_of_its_slowest_target),
	        cmocka_unit_test(
	                async_fanout_leaves_the_forwarder_alone_and_counts_latency_from_acceptance),
	        cmocka_unit_test(a_failing_or_throttled_sync_target_fails_the_forwarders_batch),
	        cmocka_unit_test(forward_to_a_stream_writes_through_its_limit),
	        cmocka_unit_test(forward_to_a_topic_reaches_its_subscribers),
	        cmocka_unit_test(async_and_sqs_invocations_forward_too),
	        cmocka_unit_test(forward_targets_are_checked),
	        cmocka_unit_test(messages_over_each_services_limit_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
