/* docs/validation.md case 13 (async retries through SNS) and the handler's then: forward
 * (docs/model.md sections 6 and 7), end to end from scenarios. Expected values follow from the
 * rules: an async event is retried 1 min after a failed attempt ends and 2 min after the second,
 * then goes to on_failure; a forwarded record keeps its original acceptance time. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "models/lambda/async.h"
#include "models/lambda/lambda.h"
#include "tests/harness.h"

typedef struct attempts {
	uint64_t id[16];
	sim_time t[16][4]; /* completion times of each event's attempts */
	size_t n[16], nevents;
} attempts;

static void observe(void *ctx, sim_time t, const ks_record *r, ks_invoke_status status)
{
	attempts *a = ctx;
	(void)status;
	size_t e = 0;
	while (e < a->nevents && a->id[e] != r->id)
		e++;
	if (e == a->nevents) {
		assert_true(a->nevents < 16);
		a->id[a->nevents++] = r->id;
	}
	if (a->n[e] < 4)
		a->t[e][a->n[e]] = t;
	a->n[e]++;
}

/* Builds and runs yaml, watching the async queue of function `watched`. */
static harness_run run_watching(const char *yaml, const char *watched, attempts *a)
{
	harness_run r = {0};
	r.sc = harness_load(yaml, NULL);
	r.metrics = sim_metrics_create();
	r.model = ks_model_build(r.sc, 1, 0, r.metrics);
	ks_async *q = ks_functions_async(r.model, watched);
	assert_non_null(q);
	q->observer = observe;
	q->observer_ctx = a;
	assert_int_equal(ks_model_run(r.model, NULL, NULL, NULL), 0);
	ks_model_summarize(r.model);
	return r;
}

/* Case 13: records 0, 10 and 20 of a stream are forwarded by `src` to topic t (then: forward
 * after no retries); `g`, invoked through SNS, always fails (100 ms handler). Each event:
 * attempts at ~0, ~60 s (1 min after the first ends), ~180 s (2 min after the second), then
 * the DLQ; 3 invocations per event. */
static void async_retries_attempt_at_zero_sixty_and_one_eighty_seconds_then_dlq(void **state)
{
	(void)state;
	const char *yaml = "kinesim: 1\n"
	                   "name: async-retries\n"
	                   "duration: 10m\n"
	                   "platform: {aws_ranges: warn}\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers: {p: {stream: s, rate: 10/s, record_size: 1KB}}\n"
	                   "topics: {t: {}}\n"
	                   "queues: {dlq: {}}\n"
	                   "functions:\n"
	                   "  src:\n"
	                   "    errors: {poison_indices: [0, 10, 20]}\n"
	                   "    on_record_error: {policy: retry, retries: 0, then: forward,\n"
	                   "                      forward_to: t}\n"
	                   "    triggers: [{kinesis: s}]\n"
	                   "  g:\n"
	                   "    duration: {per_invocation: 100ms}\n"
	                   "    errors: {invocation: 100%}\n"
	                   "    async: {on_failure: dlq}\n"
	                   "    triggers: [{sns: t}]\n";
	attempts a = {0};
	harness_run r = run_watching(yaml, "g", &a);
	assert_true(harness_value(&r, "src.records_forwarded") == 3);
	assert_true(harness_value(&r, "t.published") == 3);
	assert_true(harness_value(&r, "t.delivered") == 3);
	assert_int_equal(a.nevents, 3);
	for (size_t e = 0; e < a.nevents; e++) {
		assert_int_equal(a.n[e], 3);
		/* between completions: 60 s + one handler (100 ms) + invoke overhead (~10 ms; the
		 * environment is reused, idle_reclaim is 10 min); then 120 s + the same */
		double second = sim_time_to_s(a.t[e][1] - a.t[e][0]);
		double third = sim_time_to_s(a.t[e][2] - a.t[e][0]);
		if (e == 0) {
			harness_case("13", "second attempt after the first (s)",
			             "60 + handler ~ 60.1", second, 60.0, 61.0);
			harness_case("13", "third attempt after the first (s)",
			             "180 + 2 handlers ~ 180.2", third, 180.0, 181.5);
		}
		assert_true(second >= 60.0 && second < 61.0);
		assert_true(third >= 180.0 && third < 181.5);
	}
	assert_true(harness_case("13", "invocations per event", "1 + 2 retries = 3",
	                         harness_value(&r, "g.invocations") / 3, 3, 3));
	assert_true(harness_value(&r, "g.records_on_failure") == 3);
	assert_true(harness_value(&r, "g.on_failure_events") == 3);
	assert_true(harness_value(&r, "dlq.sent") == 3);
	assert_true(harness_value(&r, "g.records_processed") == 0);
	/* [doc] $0.50 per million publishes */
	assert_true(fabs(harness_value(&r, "cost.sns") - 3 * 0.50 / 1e6) < 1e-12);
	harness_free(&r);
}

/* then: forward: record 5 fails in src's handler (3 attempts in the handler, 3 s of
 * per_invocation work), goes to topic t and is processed by g. Its latency in g counts from
 * its acceptance by the shard (~0.5 s): at least src's 3 s handler, at most that plus a poll
 * interval, overheads and the SNS delivery (< 6 s), far above the delivery latency alone. */
static void a_forwarded_record_keeps_its_acceptance_time_and_is_conserved(void **state)
{
	(void)state;
	const char *yaml = "kinesim: 1\n"
	                   "name: forward\n"
	                   "duration: 2m\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers: {p: {stream: s, rate: 10/s, record_size: 1KB}}\n"
	                   "topics: {t: {}}\n"
	                   "functions:\n"
	                   "  src:\n"
	                   "    timeout: 10s\n"
	                   "    duration: {per_invocation: 3s}\n"
	                   "    errors: {poison_indices: [5]}\n"
	                   "    on_record_error: {policy: retry, retries: 2, then: forward,\n"
	                   "                      forward_to: t}\n"
	                   "    triggers: [{kinesis: s}]\n"
	                   "  g:\n"
	                   "    triggers: [{sns: t}]\n";
	harness_run r = harness_run_yaml(yaml, NULL, 1);
	assert_true(harness_value(&r, "src.records_forwarded") == 1);
	assert_true(harness_value(&r, "src.records_skipped") == 0);
	assert_true(harness_value(&r, "t.published") == 1);
	assert_true(harness_value(&r, "g.records_processed") == 1);
	double lat = harness_value(&r, "g.latency.max");
	assert_true(lat > 3.0 && lat < 6.0);
	/* conservation: accepted = processed + skipped + forwarded + expired + on_failure +
	 * pending, for the source and for the subscriber */
	double accepted = harness_value(&r, "s.incoming_records");
	const char *outcomes[] = {"processed", "skipped",    "forwarded",
	                          "expired",   "on_failure", "pending"};
	double src = 0, g = 0;
	for (size_t i = 0; i < 6; i++) {
		src += harness_value(&r, harness_fmt("src.records_%s", outcomes[i]));
		g += harness_value(&r, harness_fmt("g.records_%s", outcomes[i]));
	}
	assert_true(accepted > 1000);
	assert_true(src == accepted);
	assert_true(g == harness_value(&r, "t.delivered"));
	harness_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(
	                async_retries_attempt_at_zero_sixty_and_one_eighty_seconds_then_dlq),
	        cmocka_unit_test(a_forwarded_record_keeps_its_acceptance_time_and_is_conserved),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
