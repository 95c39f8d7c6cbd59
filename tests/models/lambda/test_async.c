/* A function's asynchronous invocation queue (async.h) and SNS topics (topic.h), through
 * their interfaces: each test builds a small model from YAML, enqueues or publishes record
 * copies by hand at chosen instants, runs the engine, and watches every attempt with the
 * queue's observer. Invocations cost no overhead and no cold start, so every instant follows
 * from the rules: retries 1 min and 2 min after a failed attempt ends, throttles requeued
 * after 1, 2, 4 ... s up to 5 min, events older than maximum_event_age to on_failure. */
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

#include "models/core/publisher.h"
#include "models/lambda/async.h"
#include "models/lambda/lambda.h"
#include "models/sqs/queue.h"
#include "sim/alloc.h"
#include "sim/diag.h"
#include "tests/harness.h"

#define MS SIM_MS

typedef struct attempt {
	sim_time t;
	ks_invoke_status status;
	uint64_t id;
} attempt;

typedef struct world {
	harness_run r;
	attempt seen[256];
	size_t nseen;
} world;

static void observe(void *ctx, sim_time t, const ks_record *r, ks_invoke_status status)
{
	world *w = ctx;
	if (w->nseen < sizeof w->seen / sizeof w->seen[0])
		w->seen[w->nseen++] = (attempt){t, status, r->id};
}

/* A two-hour model with no producers: the given functions (and topics) only. */
static world *build(const char *functions)
{
	world *w = calloc(1, sizeof *w);
	w->r.sc = harness_load(harness_fmt("kinesim: 1\n"
	                                   "name: async\n"
	                                   "duration: 2h\n"
	                                   "platform:\n"
	                                   "  aws_ranges: warn\n"
	                                   "  lambda: {invoke_overhead: 0s}\n"
	                                   "  sns: {delivery_latency: 70ms}\n"
	                                   "streams: {s: {shards: 1}}\n"
	                                   "queues: {dlq: {}}\n"
	                                   "topics: {t: {}}\n"
	                                   "functions:\n%s",
	                                   functions),
	                       NULL);
	w->r.metrics = sim_metrics_create();
	w->r.model = ks_model_build(w->r.sc, 1, 0, w->r.metrics);
	for (size_t i = 0; i < ks_model_count(w->r.model); i++) {
		ks_async *a = ks_functions_async(w->r.model, ks_model_at(w->r.model, i)->name);
		if (a) {
			a->observer = observe;
			a->observer_ctx = w;
		}
	}
	return w;
}

static void destroy(world *w)
{
	harness_free(&w->r);
	free(w);
}

static ks_function *fn(world *w, const char *name)
{
	ks_function *f = ks_functions_find(w->r.model, name);
	if (!f)
		fail_msg("no function %s", name);
	return f;
}

static ks_async *queue_of(world *w, const char *name)
{
	ks_async *a = ks_functions_async(w->r.model, name);
	if (!a)
		fail_msg("no function %s", name);
	return a;
}

static ks_record record(uint64_t index, sim_time arrival)
{
	return (ks_record){.arrival = arrival, .id = ks_record_id(0, index), .bytes = 100};
}

static void run(world *w, sim_time until)
{
	sim_engine_run(ks_model_ctx(w->r.model)->engine, until);
}

/* Function definitions with a %s for more async keys (macros: format literals). */
#define FAILING                                                                                    \
	"  f:\n"                                                                                   \
	"    cold_start: 0s\n"                                                                     \
	"    duration: {per_invocation: 100ms}\n"                                                  \
	"    errors: {invocation: 100%%}\n"                                                        \
	"    async: {on_failure: dlq%s}\n"

static void function_errors_are_retried_one_then_two_minutes_later(void **state)
{
	(void)state;
	world *w = build(harness_fmt(FAILING, ""));
	ks_record r = record(0, 0);
	ks_async_enqueue(queue_of(w, "f"), 0, &r);
	run(w, SIM_HOUR);
	/* attempts start at 0, 60.1 s (1 min after the first ends at 0.1 s), 180.2 s */
	assert_int_equal(w->nseen, 3);
	sim_time ends[] = {100 * MS, 60 * SIM_S + 200 * MS, 180 * SIM_S + 300 * MS};
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(w->seen[i].t, ends[i]);
		assert_int_equal(w->seen[i].status, KS_INVOKE_FAILED);
	}
	ks_function *f = fn(w, "f");
	assert_true(f->invocations.total == 3);
	assert_true(f->errors.total == 3);
	assert_true(f->records_on_failure.total == 1);
	assert_true(f->on_failure_events.total == 1);
	assert_true(((ks_queue *)harness_object(&w->r, "dlq"))->sent.total == 1);
	assert_int_equal(ks_async_pending(queue_of(w, "f")), 0);
	destroy(w);
}

static void zero_retry_attempts_send_the_event_to_on_failure_after_one_error(void **state)
{
	(void)state;
	world *w = build(harness_fmt(FAILING, ", maximum_retry_attempts: 0"));
	ks_record r = record(0, 0);
	ks_async_enqueue(queue_of(w, "f"), 5 * SIM_S, &r);
	run(w, SIM_HOUR);
	assert_int_equal(w->nseen, 1);
	assert_int_equal(w->seen[0].t, 5 * SIM_S + 100 * MS);
	assert_true(fn(w, "f")->records_on_failure.total == 1);
	assert_true(((ks_queue *)harness_object(&w->r, "dlq"))->sent.total == 1);
	destroy(w);
}

#define THROTTLED                                                                                  \
	"  f:\n"                                                                                   \
	"    reserved_concurrency: 0\n"                                                            \
	"    async: {on_failure: dlq%s}\n"

static void throttled_events_are_requeued_with_delays_doubling_up_to_five_minutes(void **state)
{
	(void)state;
	world *w = build(harness_fmt(THROTTLED, ""));
	ks_record r = record(0, 0);
	ks_async_enqueue(queue_of(w, "f"), 0, &r);
	run(w, 40 * SIM_MIN);
	/* t0 = 0, t(k+1) = t(k) + min(2^k s, 300 s): 0 1 3 7 15 31 63 127 255 511 811 1111 ... */
	sim_time t = 0, delay = SIM_S;
	size_t expected = 0;
	while (t < 40 * SIM_MIN) {
		assert_true(expected < w->nseen);
		assert_int_equal(w->seen[expected].t, t);
		assert_int_equal(w->seen[expected].status, KS_INVOKE_THROTTLED);
		expected++;
		t += delay;
		delay = delay * 2 < 5 * SIM_MIN ? delay * 2 : 5 * SIM_MIN;
	}
	assert_int_equal(w->nseen, expected);
	/* 0 ... 511 s (10 attempts, 9 doublings), then every 300 s: 811 ... 2311 s (6) */
	assert_int_equal(expected, 16);
	assert_true(fn(w, "f")->throttles.total == (double)expected);
	assert_true(fn(w, "f")->invocations.total == 0);
	assert_int_equal(ks_async_pending(queue_of(w, "f")), 1);
	destroy(w);
}

static void events_older_than_maximum_event_age_go_to_on_failure(void **state)
{
	(void)state;
	world *w = build(harness_fmt(THROTTLED, ", maximum_event_age: 60s"));
	ks_record r = record(0, 0);
	ks_async_enqueue(queue_of(w, "f"), 0, &r);
	run(w, SIM_HOUR);
	/* throttled at 0 1 3 7 15 31 s; due again at 63 s, 63 s old > 60 s: on_failure */
	assert_int_equal(w->nseen, 6);
	assert_int_equal(w->seen[5].t, 31 * SIM_S);
	ks_function *f = fn(w, "f");
	assert_true(f->records_on_failure.total == 1);
	assert_true(f->on_failure_events.total == 1);
	assert_true(((ks_queue *)harness_object(&w->r, "dlq"))->sent.total == 1);
	assert_int_equal(ks_async_pending(queue_of(w, "f")), 0);
	destroy(w);
}

static void a_processed_event_counts_latency_from_the_original_acceptance(void **state)
{
	(void)state;
	world *w = build("  f:\n"
	                 "    cold_start: 0s\n"
	                 "    duration: {per_invocation: 100ms}\n");
	ks_record r = record(0, 2 * SIM_S); /* accepted by a shard at 2 s */
	ks_async_enqueue(queue_of(w, "f"), 5 * SIM_S, &r);
	run(w, SIM_HOUR);
	ks_function *f = fn(w, "f");
	assert_int_equal(w->nseen, 1);
	assert_int_equal(w->seen[0].status, KS_INVOKE_OK);
	assert_true(f->records_processed.total == 1);
	/* finished at 5.1 s: 3.1 s after its acceptance (the histogram is log-linear: 1%) */
	double lat = (double)sim_hist_max(f->latency) / 1e9;
	assert_true(fabs(lat - 3.1) < 0.031);
	destroy(w);
}

static void a_publish_reaches_every_subscriber_after_the_delivery_latency(void **state)
{
	(void)state;
	world *w = build("  a:\n"
	                 "    cold_start: 0s\n"
	                 "    triggers: [{sns: t}]\n"
	                 "  b:\n"
	                 "    cold_start: 0s\n"
	                 "    triggers: [{sns: t}]\n"
	                 "  c:\n"
	                 "    cold_start: 0s\n");
	ks_publisher *t = harness_object(&w->r, "t");
	ks_record r = record(7, 0);
	ks_publisher_publish(t, SIM_S, &r);
	run(w, SIM_HOUR);
	/* a and b are invoked at 1.07 s (delivery_latency 70 ms, constant); c never */
	assert_int_equal(w->nseen, 2);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(w->seen[i].t, SIM_S + 70 * MS);
	assert_true(fn(w, "a")->records_processed.total == 1);
	assert_true(fn(w, "b")->records_processed.total == 1);
	assert_true(fn(w, "c")->invocations.total == 0);
	assert_true(t->published.total == 1);
	assert_true(t->delivered.total == 2);
	assert_true(t->requests == 1);
	destroy(w);
}

static void exhausted_events_published_to_an_on_failure_topic_reach_its_subscribers(void **state)
{
	(void)state;
	world *w = build("  f:\n"
	                 "    cold_start: 0s\n"
	                 "    errors: {invocation: 100%}\n"
	                 "    async: {maximum_retry_attempts: 1, on_failure: t}\n"
	                 "  g:\n"
	                 "    cold_start: 0s\n"
	                 "    triggers: [{sns: t}]\n");
	ks_record r = record(3, 0);
	ks_async_enqueue(queue_of(w, "f"), 0, &r);
	run(w, SIM_HOUR);
	/* f fails at 0 and 60 s; the event is published at 60 s, g processes it at 60.07 s */
	assert_int_equal(w->nseen, 3);
	assert_int_equal(w->seen[2].t, 60 * SIM_S + 70 * MS);
	assert_int_equal(w->seen[2].status, KS_INVOKE_OK);
	assert_int_equal(w->seen[2].id, ks_record_id(0, 3));
	assert_true(fn(w, "f")->on_failure_events.total == 1);
	assert_true(fn(w, "g")->records_processed.total == 1);
	destroy(w);
}

/* then: forward to a queue: one message per failed record, each carrying its record, sent
 * when the invocation that forwarded it ends; the function counts them as forwarded. */
static void forwarding_to_a_queue_sends_one_message_per_failed_record(void **state)
{
	(void)state;
	harness_run r =
	        harness_run_yaml("kinesim: 1\n"
	                         "name: forward-queue\n"
	                         "duration: 1m\n"
	                         "streams: {s: {shards: 1}}\n"
	                         "queues: {dlq: {}}\n"
	                         "producers: {p: {stream: s, rate: 10/s, record_size: 1KB}}\n"
	                         "functions:\n"
	                         "  f:\n"
	                         "    errors: {poison_indices: [5, 6, 300]}\n"
	                         "    on_record_error: {policy: retry, retries: 1,\n"
	                         "                      then: forward, forward_to: dlq}\n"
	                         "    triggers: [{kinesis: s}]\n",
	                         NULL, 1);
	assert_true(harness_value(&r, "f.records_forwarded") == 3);
	assert_true(harness_value(&r, "f.records_skipped") == 0);
	assert_true(harness_value(&r, "dlq.sent") == 3);
	assert_true(harness_value(&r, "f.records_processed") + 3 +
	                    harness_value(&r, "f.records_pending") ==
	            harness_value(&r, "s.incoming_records"));
	harness_free(&r);
}

/* Loads a scenario; returns its diagnostics (caller frees) and the load's result in rc. */
static char *diagnostics(const char *functions, int *rc)
{
	const char *yaml = harness_fmt("kinesim: 1\n"
	                               "name: refs\n"
	                               "duration: 1h\n"
	                               "streams: {s: {shards: 1}}\n"
	                               "topics: {retry-topic: {}}\n"
	                               "queues: {dlq: {}}\n"
	                               "functions:\n%s",
	                               functions);
	return harness_diagnostics(yaml, rc);
}

static void retry_path_references_name_topics_and_queues(void **state)
{
	(void)state;
	static const struct {
		const char *function, *message; /* NULL message: valid */
	} cases[] = {
	        {"  f: {triggers: [{sns: retry-topic}], async: {on_failure: dlq}}\n", NULL},
	        {"  f: {triggers: [{kinesis: s, on_failure: retry-topic}]}\n", NULL},
	        {"  f: {on_record_error: {policy: retry, then: forward, forward_to: dlq}}\n", NULL},
	        {"  f: {triggers: [{sns: retry-topik}]}\n",
	         "error: no topic named 'retry-topik'; did you mean 'retry-topic'?"},
	        {"  f: {async: {on_failure: dql}}\n",
	         "error: no queue, topic, bucket, function or bus named 'dql'"},
	        {"  f: {on_record_error: {policy: retry, then: forward, forward_to: nowhere}}\n",
	         "error: no queue, topic or bucket named 'nowhere'"},
	        {"  f: {on_record_error: {policy: retry, then: forward}}\n",
	         "error: 'then: forward' needs forward_to (a topic or a queue)"},
	        {"  f: {on_record_error: {policy: retry, forward_to: dlq}}\n",
	         "error: on_record_error.forward_to applies to then: forward only"},
	        {"  f: {async: {maximum_retry_attempts: 3}}\n", "maximum_retry_attempts"},
	        {"  f: {async: {maximum_event_age: 7h}}\n", "maximum_event_age"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc;
		char *text = diagnostics(cases[i].function, &rc);
		if (!cases[i].message && rc != 0)
			fail_msg("case %zu: want no error, got:\n%s", i, text);
		if (cases[i].message &&
		    (rc != KS_SCENARIO_INVALID || !strstr(text, cases[i].message)))
			fail_msg("case %zu: want '%s' in:\n%s", i, cases[i].message, text);
		sim_free(text);
	}
}

/* Issue 11: [doc] async destinations: on_success gets the event of each successful invocation,
 * and a function or an EventBridge bus may be a destination. `f` fails its poison records
 * (10%) with no retries, so its failed events go to `g` and its successful ones to `ok`. */
static void async_destinations_take_successes_and_functions(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml(
	        "kinesim: 1\n"
	        "name: destinations\n"
	        "duration: 10m\n"
	        "streams: {s: {shards: 1}}\n"
	        "producers: {p: {stream: s, rate: 20/s, record_size: 1KB}}\n"
	        "queues: {ok: {}}\n"
	        "functions:\n"
	        "  fan:\n"
	        "    forward: [{function: f, invoke: async}]\n"
	        "    triggers: [{kinesis: s}]\n"
	        "  f:\n"
	        "    errors: {poison_records: 10%}\n"
	        "    async: {maximum_retry_attempts: 0, on_success: ok, on_failure: g}\n"
	        "  g: {}\n",
	        NULL, 6);
	double succeeded = harness_value(&r, "f.on_success_events");
	double failed = harness_value(&r, "f.on_failure_events");
	assert_true(succeeded > 0 && failed > 0);
	assert_true(failed > 0.05 * (succeeded + failed) && failed < 0.15 * (succeeded + failed));
	assert_true(harness_value(&r, "ok.sent") == succeeded);
	assert_true(harness_value(&r, "g.invocations") > 0.9 * failed);
	harness_free(&r);

	/* a bus delivers to its targets; it bills each 64 KB chunk of an event */
	r = harness_run_yaml("kinesim: 1\n"
	                     "name: bus\n"
	                     "duration: 10m\n"
	                     "streams: {s: {shards: 1}}\n"
	                     "producers: {p: {stream: s, rate: 5/s, record_size: 100KB}}\n"
	                     "queues: {audit: {}}\n"
	                     "buses: {events: {targets: [audit, g]}}\n"
	                     "functions:\n"
	                     "  fan:\n"
	                     "    forward: [{function: f, invoke: async}]\n"
	                     "    triggers: [{kinesis: s}]\n"
	                     "  f: {async: {on_success: events}}\n"
	                     "  g: {}\n",
	                     NULL, 6);
	double events = harness_value(&r, "events.published");
	assert_true(events > 0 && events == harness_value(&r, "f.on_success_events"));
	assert_true(harness_value(&r, "audit.sent") > 0.99 * events);
	assert_true(harness_value(&r, "g.invocations") > 0.99 * events);
	assert_true(fabs(harness_value(&r, "cost.eventbridge") - events * 2 * 1.00 / 1e6) < 1e-12);
	harness_free(&r);

	int rc;
	char *text = diagnostics("  f: {async: {on_success: f}}\n"
	                         "  h: {count: 2}\n"
	                         "  k: {async: {on_failure: h}}\n",
	                         &rc);
	assert_int_equal(rc, KS_SCENARIO_INVALID);
	assert_non_null(
	        strstr(text, "error: function 'f' is its own async.on_success destination"));
	assert_non_null(strstr(text, "error: async.on_failure names function 'h', which has 2 "
	                             "copies (count)"));
	sim_free(text);
}

/* Issue 11: [doc] Lambda's recursive loop detection. f and g send each successful event to
 * each other (async on_success): a record from the stream enters the chain at f with one hop
 * (fan sent it on) and is invoked 15 times in all; the 16th is stopped and counted. */
static void a_loop_of_functions_is_stopped_after_16_invocations(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml("kinesim: 1\n"
	                                 "name: loop\n"
	                                 "duration: 30m\n"
	                                 "streams: {s: {shards: 1}}\n"
	                                 "producers: {p: {stream: s, rate: 1/s, record_size: 1KB, "
	                                 "limit: 100}}\n"
	                                 "functions:\n"
	                                 "  fan:\n"
	                                 "    forward: [{function: f, invoke: async}]\n"
	                                 "    triggers: [{kinesis: s}]\n"
	                                 "  f: {async: {on_success: g}}\n"
	                                 "  g: {async: {on_success: f}}\n",
	                                 NULL, 2);
	assert_true(harness_value(&r, "fan.records_processed") == 100);
	double stopped =
	        harness_value(&r, "f.recursion_stopped") + harness_value(&r, "g.recursion_stopped");
	assert_true(stopped == 100);
	assert_true(harness_value(&r, "f.invocations") + harness_value(&r, "g.invocations") ==
	            15 * 100);
	harness_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(function_errors_are_retried_one_then_two_minutes_later),
	        cmocka_unit_test(zero_retry_attempts_send_the_event_to_on_failure_after_one_error),
	        cmocka_unit_test(
	                throttled_events_are_requeued_with_delays_doubling_up_to_five_minutes),
	        cmocka_unit_test(events_older_than_maximum_event_age_go_to_on_failure),
	        cmocka_unit_test(a_processed_event_counts_latency_from_the_original_acceptance),
	        cmocka_unit_test(a_publish_reaches_every_subscriber_after_the_delivery_latency),
	        cmocka_unit_test(
	                exhausted_events_published_to_an_on_failure_topic_reach_its_subscribers),
	        cmocka_unit_test(forwarding_to_a_queue_sends_one_message_per_failed_record),
	        cmocka_unit_test(retry_path_references_name_topics_and_queues),
	        cmocka_unit_test(async_destinations_take_successes_and_functions),
	        cmocka_unit_test(a_loop_of_functions_is_stopped_after_16_invocations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
