/* A Lambda function's invocations (docs/model.md "Functions"), through the invocation interface of
 * function.h: duration and timeout, execution environments and cold starts, the account's and
 * the function's concurrency, failure injection, and the on_record_error policies.
 *
 * Each test builds a small model from YAML (nothing runs: the engine stays at 0), pushes
 * records into the pinned shard by hand and calls ks_function_invoke / ks_function_finish
 * itself, so every instant is the test's choice. Expectations follow from the rules. */
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
#include "models/lambda/account.h"
#include "models/lambda/lambda.h"
#include "sim/alloc.h"
#include "sim/diag.h"
#include "sim/rng.h"
#include "tests/harness.h"

#define MS SIM_MS

typedef struct world {
	harness_run r;
	ks_shard *shard;
	uint64_t seq[4096]; /* seq[i] = i: every batch is a slice of it */
} world;

/* A one-hour scenario on one shard with two producers and the given functions. */
static const char *scenario(const char *platform, const char *functions)
{
	return harness_fmt("kinesim: 1\n"
	                   "name: fn\n"
	                   "duration: 1h\n"
	                   "platform: {aws_ranges: warn%s}\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 1/s, record_size: 100B}\n"
	                   "  q: {stream: s, rate: 1/s, record_size: 100B}\n"
	                   "functions:\n%s",
	                   platform, functions);
}

static world *build(const char *platform, const char *functions)
{
	static const uint64_t pinned = 0;
	world *w = calloc(1, sizeof *w);
	w->r.sc = harness_load(scenario(platform, functions), NULL);
	w->r.metrics = sim_metrics_create();
	w->r.model = ks_model_build(w->r.sc, 1, 0, w->r.metrics);
	w->shard = &harness_stream(&w->r, 0)->shards[0];
	ks_log_register(&w->shard->log, &pinned, &pinned);
	for (uint64_t i = 0; i < 4096; i++)
		w->seq[i] = i;
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
	if (f)
		return f;
	fail_msg("no function %s", name);
	return NULL;
}

/* Appends n records of producer `producer` with indices from `index`, arriving at t. */
static void push(world *w, uint32_t producer, uint64_t index, uint32_t n, sim_time t)
{
	for (uint32_t i = 0; i < n; i++) {
		ks_record r = {.arrival = t, .id = ks_record_id(producer, index + i), .bytes = 100};
		ks_log_append(&w->shard->log, r);
	}
}

static ks_batch batch(world *w, uint64_t from, uint32_t n)
{
	return (ks_batch){.log = &w->shard->log, .seq = &w->seq[from], .n = n};
}

static double u_of(world *w, uint32_t producer, uint64_t index, uint32_t which)
{
	return sim_crn_uniform(ks_model_ctx(w->r.model)->crn_seeds[producer], index, which);
}

/* ---- duration and timeout ---------------------------------------------------------------- */

/* one per_invocation draw + each record's per_record work at its own v-quantile;
 * the result is back at now + overhead + duration on a warm start (cold_start: 0s). */
static void duration_is_per_invocation_plus_each_records_own_work(void **state)
{
	(void)state;
	world *w = build("", "  f:\n"
	                     "    cold_start: 0s\n"
	                     "    duration: {per_invocation: 20ms,\n"
	                     "               per_record: {dist: uniform, min: 1ms, max: 3ms}}\n"
	                     "    triggers: [{kinesis: s}]\n");
	push(w, 0, 100, 10, 0);
	double want = 20e6;
	for (uint64_t i = 100; i < 110; i++)
		want += 1e6 + 2e6 * u_of(w, 0, i, KS_RECORD_V_WORK);
	ks_batch b = batch(w, 0, 10);
	ks_invocation inv;
	ks_function_invoke(fn(w, "f"), 5 * MS, 7 * MS, &b, &inv);
	assert_int_equal(inv.status, KS_INVOKE_OK);
	assert_true(fabs((double)inv.duration - want) <= 1);
	assert_int_equal(inv.end, 5 * MS + 7 * MS + inv.duration);
	assert_true(inv.cold);
	assert_true(fn(w, "f")->invocations.total == 1);
	assert_true(fn(w, "f")->errors.total == 0);
	ks_function_finish(fn(w, "f"), &inv);
	assert_int_equal(fn(w, "f")->concurrent, 0);
	destroy(w);
}

/* [doc] reaching the timeout is a function error of the whole batch, at the timeout. */
static void a_handler_that_reaches_its_timeout_fails_the_whole_batch(void **state)
{
	(void)state;
	world *w = build("", "  f:\n"
	                     "    timeout: 1s\n"
	                     "    cold_start: 0s\n"
	                     "    duration: {per_invocation: 10ms, per_record: 200ms}\n"
	                     "    triggers: [{kinesis: s}]\n");
	ks_function *f = fn(w, "f");
	push(w, 0, 0, 10, 0);
	ks_batch b = batch(w, 0, 4); /* 810 ms: in time */
	ks_invocation inv;
	ks_function_invoke(f, 0, 0, &b, &inv);
	assert_int_equal(inv.status, KS_INVOKE_OK);
	assert_int_equal(inv.duration, 810 * MS);
	ks_function_finish(f, &inv);
	b = batch(w, 0, 5); /* 1010 ms */
	ks_function_invoke(f, SIM_S, 0, &b, &inv);
	assert_int_equal(inv.status, KS_INVOKE_FAILED);
	assert_true(inv.whole_batch);
	assert_int_equal(inv.duration, SIM_S);
	assert_int_equal(inv.end, 2 * SIM_S);
	assert_true(f->errors.total == 1);
	assert_true(f->invocations.total == 2);
	ks_function_finish(f, &inv);
	destroy(w);
}

/* Issue 11: [doc] a function scales by at most 1,000 new execution environments every 10 s.
 * With an account of 10,000: 1,200 invocations at once start 1,000 (the 200 others are
 * throttled); a second later 100 more may start; a free environment is reused whatever the
 * rate. */
static void new_environments_follow_the_scaling_rate(void **state)
{
	(void)state;
	world *w = build(", lambda: {account_concurrency: 10000}",
	                 "  f:\n"
	                 "    timeout: 900s\n"
	                 "    duration: {per_invocation: 60s}\n"
	                 "    triggers: [{kinesis: s}]\n");
	ks_function *f = fn(w, "f");
	push(w, 0, 0, 1, 0);
	ks_batch b = batch(w, 0, 1);
	ks_invocation inv;
	int ran = 0;
	for (int i = 0; i < 1200; i++) {
		ks_function_invoke(f, 0, 0, &b, &inv);
		ran += inv.status != KS_INVOKE_THROTTLED;
	}
	assert_int_equal(ran, 1000);
	assert_true(f->throttles.total == 200);
	ran = 0;
	ks_invocation first;
	for (int i = 0; i < 200; i++) {
		ks_function_invoke(f, SIM_S, 0, &b, &inv);
		if (inv.status != KS_INVOKE_THROTTLED && ran++ == 0)
			first = inv;
	}
	assert_int_equal(ran, 100);
	/* one finishes: its environment is free, and is reused at once */
	ks_function_finish(f, &first);
	ks_function_invoke(f, SIM_S, 0, &b, &inv);
	assert_int_equal(inv.status, KS_INVOKE_OK);
	assert_false(inv.cold);
	destroy(w);
}

/* [doc] GB-seconds with the duration rounded up to 1 ms, and one request per invocation. */
static void billing_rounds_each_duration_up_to_the_millisecond(void **state)
{
	(void)state;
	world *w = build("", "  f:\n"
	                     "    memory: 2048MB\n"
	                     "    cold_start: 0s\n"
	                     "    duration: {per_invocation: 10200us}\n"
	                     "    triggers: [{kinesis: s}]\n");
	ks_function *f = fn(w, "f");
	push(w, 0, 0, 1, 0);
	ks_batch b = batch(w, 0, 1);
	ks_invocation inv;
	for (int i = 0; i < 3; i++) {
		ks_function_invoke(f, i * SIM_S, 0, &b, &inv);
		ks_function_finish(f, &inv);
	}
	assert_true(f->requests == 3);
	assert_float_equal(f->billed_gb_s, 3 * 0.011 * 2, 1e-12);
	destroy(w);
}

/* ---- execution environments -------------------------------------------------------------- */

/* A new environment pays the function's cold_start after the overhead, before the handler;
 * the next invocation reuses it and pays nothing. */
static void a_new_environment_pays_the_cold_start_before_the_handler(void **state)
{
	(void)state;
	world *w = build("", "  f:\n"
	                     "    cold_start: 250ms\n"
	                     "    duration: {per_invocation: 40ms}\n"
	                     "    triggers: [{kinesis: s}]\n");
	ks_function *f = fn(w, "f");
	push(w, 0, 0, 1, 0);
	ks_batch b = batch(w, 0, 1);
	ks_invocation inv;
	ks_function_invoke(f, SIM_S, 10 * MS, &b, &inv);
	assert_true(inv.cold);
	assert_int_equal(inv.duration, 40 * MS);
	assert_int_equal(inv.end, SIM_S + 10 * MS + 250 * MS + 40 * MS);
	ks_function_finish(f, &inv);
	ks_function_invoke(f, 2 * SIM_S, 10 * MS, &b, &inv);
	assert_false(inv.cold);
	assert_int_equal(inv.end, 2 * SIM_S + 10 * MS + 40 * MS);
	ks_function_finish(f, &inv);
	assert_true(f->cold_starts.total == 1);
	assert_true(f->invocations.total == 2);
	destroy(w);
}

/* Without its own cold_start a function pays platform.lambda.cold_start.<runtime>. */
static void the_cold_start_defaults_to_the_platforms_for_the_runtime(void **state)
{
	(void)state;
	world *w = build(", lambda: {cold_start: {java: 700ms, python: 90ms}}",
	                 "  j:\n"
	                 "    runtime: java\n"
	                 "    triggers: [{kinesis: s}]\n"
	                 "  py:\n"
	                 "    runtime: python\n"
	                 "    triggers: [{kinesis: s}]\n");
	push(w, 0, 0, 1, 0);
	ks_batch b = batch(w, 0, 1);
	ks_invocation inv;
	ks_function_invoke(fn(w, "j"), 0, 0, &b, &inv);
	assert_int_equal(inv.end, 700 * MS);
	ks_function_invoke(fn(w, "py"), 0, 0, &b, &inv);
	assert_int_equal(inv.end, 90 * MS);
	destroy(w);
}

/* Two environments freed at different times: the next invocation takes the one freed last,
 * the one after it the other; neither is cold. */
static void free_environments_are_reused_most_recently_used_first(void **state)
{
	(void)state;
	world *w = build("", "  f:\n"
	                     "    cold_start: 100ms\n"
	                     "    triggers: [{kinesis: s}]\n");
	ks_function *f = fn(w, "f");
	push(w, 0, 0, 1, 0);
	ks_batch b = batch(w, 0, 1);
	ks_invocation a, c, x, y;
	ks_function_invoke(f, 0, 0, &b, &a);
	ks_function_invoke(f, 50 * MS, 0, &b, &c); /* ends at 150 ms, after a (100 ms) */
	assert_true(a.cold && c.cold);
	assert_true(a.env != c.env);
	ks_function_finish(f, &a);
	ks_function_finish(f, &c);
	ks_function_invoke(f, SIM_S, 0, &b, &x);
	ks_function_invoke(f, SIM_S, 0, &b, &y);
	assert_false(x.cold || y.cold);
	assert_int_equal(x.env, c.env);
	assert_int_equal(y.env, a.env);
	assert_int_equal(f->envs, 2);
	assert_true(f->cold_starts.total == 2);
	destroy(w);
}

/* [choice] idle_reclaim: an environment free for less than it is reused; one free for that
 * long is gone, and the next invocation is cold. */
static void an_environment_idle_for_idle_reclaim_is_reclaimed(void **state)
{
	(void)state;
	world *w = build(", lambda: {idle_reclaim: 5m}", "  f:\n"
	                                                 "    cold_start: 100ms\n"
	                                                 "    triggers: [{kinesis: s}]\n");
	ks_function *f = fn(w, "f");
	push(w, 0, 0, 1, 0);
	ks_batch b = batch(w, 0, 1);
	ks_invocation inv;
	ks_function_invoke(f, 0, 0, &b, &inv); /* free from 100 ms */
	ks_function_finish(f, &inv);
	/* the request arrives at now + overhead: 1 ns before the reclaim */
	ks_function_invoke(f, 5 * SIM_MIN, 100 * MS - 1, &b, &inv);
	assert_false(inv.cold);
	sim_time freed = inv.end;
	ks_function_finish(f, &inv);
	ks_function_invoke(f, freed + 5 * SIM_MIN, 0, &b, &inv);
	assert_true(inv.cold);
	ks_function_finish(f, &inv);
	assert_true(f->cold_starts.total == 2);
	assert_int_equal(f->envs, 1);
	destroy(w);
}

/* ---- concurrency ------------------------------------------------------------------------- */

/* reserved_concurrency caps the function: the invocation over it is throttled (Throttles, not
 * Invocations; no duration; back at once) until a slot is freed. */
static void reserved_concurrency_caps_the_function_and_throttles_the_rest(void **state)
{
	(void)state;
	world *w = build("", "  f:\n"
	                     "    reserved_concurrency: 2\n"
	                     "    duration: {per_invocation: 1s}\n"
	                     "    triggers: [{kinesis: s}]\n");
	ks_function *f = fn(w, "f");
	push(w, 0, 0, 1, 0);
	ks_batch b = batch(w, 0, 1);
	ks_invocation i1, i2, i3;
	ks_function_invoke(f, 0, 0, &b, &i1);
	ks_function_invoke(f, 0, 0, &b, &i2);
	ks_function_invoke(f, 100 * MS, 0, &b, &i3);
	assert_int_equal(i1.status, KS_INVOKE_OK);
	assert_int_equal(i2.status, KS_INVOKE_OK);
	assert_int_equal(i3.status, KS_INVOKE_THROTTLED);
	assert_int_equal(i3.end, 100 * MS);
	assert_true(f->throttles.total == 1);
	assert_true(f->invocations.total == 2);
	assert_true(f->concurrent_max.total == 2);
	ks_function_finish(f, &i3); /* holds nothing */
	ks_function_finish(f, &i1);
	ks_function_invoke(f, 2 * SIM_S, 0, &b, &i3);
	assert_int_equal(i3.status, KS_INVOKE_OK);
	destroy(w);
}

/* [doc] account_concurrency is shared by every function of the run. */
static void the_account_limit_is_shared_by_every_function(void **state)
{
	(void)state;
	world *w = build(", lambda: {account_concurrency: 3}", "  f: {triggers: [{kinesis: s}]}\n"
	                                                       "  g: {triggers: [{kinesis: s}]}\n");
	push(w, 0, 0, 1, 0);
	ks_batch b = batch(w, 0, 1);
	ks_invocation inv[5];
	ks_function_invoke(fn(w, "f"), 0, 0, &b, &inv[0]);
	ks_function_invoke(fn(w, "f"), 0, 0, &b, &inv[1]);
	ks_function_invoke(fn(w, "g"), 0, 0, &b, &inv[2]);
	ks_function_invoke(fn(w, "g"), 0, 0, &b, &inv[3]);
	ks_function_invoke(fn(w, "f"), 0, 0, &b, &inv[4]);
	for (int i = 0; i < 3; i++)
		assert_int_equal(inv[i].status, KS_INVOKE_OK);
	assert_int_equal(inv[3].status, KS_INVOKE_THROTTLED);
	assert_int_equal(inv[4].status, KS_INVOKE_THROTTLED);
	ks_function_finish(fn(w, "f"), &inv[0]);
	ks_function_invoke(fn(w, "g"), SIM_S, 0, &b, &inv[3]);
	assert_int_equal(inv[3].status, KS_INVOKE_OK);
	assert_int_equal(ks_functions_account(w->r.model)->running, 3);
	destroy(w);
}

/* [doc] a reservation is set aside: the functions without one share account - reservations,
 * even while the reserving function is idle; the reserving one gets its slots even when the
 * others have used up theirs. */
static void reservations_leave_the_unreserved_pool_to_the_others(void **state)
{
	(void)state;
	world *w = build(", lambda: {account_concurrency: 5}", "  f:\n"
	                                                       "    reserved_concurrency: 2\n"
	                                                       "    triggers: [{kinesis: s}]\n"
	                                                       "  g: {triggers: [{kinesis: s}]}\n"
	                                                       "  h: {triggers: [{kinesis: s}]}\n");
	assert_int_equal(ks_account_unreserved(ks_functions_account(w->r.model)), 3);
	push(w, 0, 0, 1, 0);
	ks_batch b = batch(w, 0, 1);
	ks_invocation inv;
	int ok_g = 0, ok_h = 0, ok_f = 0;
	for (int i = 0; i < 2; i++) {
		ks_function_invoke(fn(w, "g"), 0, 0, &b, &inv);
		ok_g += inv.status == KS_INVOKE_OK;
		ks_function_invoke(fn(w, "h"), 0, 0, &b, &inv);
		ok_h += inv.status == KS_INVOKE_OK;
	}
	assert_int_equal(ok_g + ok_h, 3);
	for (int i = 0; i < 3; i++) {
		ks_function_invoke(fn(w, "f"), 0, 0, &b, &inv);
		ok_f += inv.status == KS_INVOKE_OK;
	}
	assert_int_equal(ok_f, 2);
	assert_true(fn(w, "f")->throttles.total == 1);
	assert_true(fn(w, "g")->throttles.total + fn(w, "h")->throttles.total == 1);
	destroy(w);
}

static const char *strict(const char *functions)
{
	return harness_fmt("kinesim: 1\n"
	                   "name: fn\n"
	                   "duration: 1h\n"
	                   "streams: {s: {shards: 1}}\n"
	                   "functions:\n%s",
	                   functions);
}

/* [doc] AWS keeps at least 100 unreserved: 3 copies x 300 of 1000 leaves 100 (fine), 301 each
 * leaves 97 (an error; a warning under aws_ranges: warn). */
static void reservations_must_leave_100_unreserved(void **state)
{
	(void)state;
	int rc;
	char *text =
	        harness_diagnostics(strict("  f: {count: 3, reserved_concurrency: 300}\n"), &rc);
	assert_int_equal(rc, 0);
	sim_free(text);
	text = harness_diagnostics(strict("  f: {count: 3, reserved_concurrency: 301}\n"), &rc);
	assert_int_equal(rc, KS_SCENARIO_INVALID);
	assert_non_null(strstr(text, "error: reserved concurrency adds up to 903, which leaves 97 "
	                             "of account_concurrency 1000 unreserved; AWS keeps at least "
	                             "100"));
	sim_free(text);
	const char *warn = harness_fmt("kinesim: 1\n"
	                               "name: fn\n"
	                               "duration: 1h\n"
	                               "platform: {aws_ranges: warn}\n"
	                               "streams: {s: {shards: 1}}\n"
	                               "functions:\n"
	                               "  f: {count: 3, reserved_concurrency: 301}\n");
	text = harness_diagnostics(warn, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(text, "warning: reserved concurrency adds up to 903"));
	sim_free(text);
}

/* Issue 11: [doc] an SQS trigger takes more than 10 messages a batch only with a batching
 * window of at least 1 s; kinesim accepted batch_size 100 without one. */
static void an_sqs_batch_over_10_needs_a_window_of_a_second(void **state)
{
	(void)state;
#define fmt                                                                                        \
	"kinesim: 1\n"                                                                             \
	"name: fn\n"                                                                               \
	"duration: 1h\n"                                                                           \
	"platform: {aws_ranges: %s}\n"                                                             \
	"streams: {s: {shards: 1}}\n"                                                              \
	"queues: {q: {}}\n"                                                                        \
	"functions:\n"                                                                             \
	"  f: {triggers: [{sqs: q, batch_size: %d%s}]}\n"
	int rc;
	char *text = harness_diagnostics(harness_fmt(fmt, "error", 100, ""), &rc);
	assert_int_equal(rc, KS_SCENARIO_INVALID);
	assert_non_null(strstr(text,
	                       ":8:39: error: an sqs trigger with batch_size 100 needs "
	                       "maximum_batching_window of at least 1s (got the default 0s)"));
	sim_free(text);
	text = harness_diagnostics(
	        harness_fmt(fmt, "error", 100, ", maximum_batching_window: 500ms"), &rc);
	assert_int_equal(rc, KS_SCENARIO_INVALID);
	assert_non_null(strstr(text, "(got 500ms)"));
	sim_free(text);
	text = harness_diagnostics(harness_fmt(fmt, "warn", 100, ""), &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(text, "warning: an sqs trigger with batch_size 100"));
	sim_free(text);
	/* fine: 10 without a window, 100 with 1 s */
	text = harness_diagnostics(harness_fmt(fmt, "error", 10, ""), &rc);
	assert_int_equal(rc, 0);
	sim_free(text);
	text = harness_diagnostics(harness_fmt(fmt, "error", 100, ", maximum_batching_window: 1s"),
	                           &rc);
	assert_int_equal(rc, 0);
	sim_free(text);
#undef fmt
}

/* ---- failure injection ------------------------------------------------------------------- */

/* a record is poison when its own u is below the rate: the same records, whatever
 * the function (same rate) and whatever the topology (another shard count, more functions). */
static void poison_records_are_the_records_own_fate_in_every_topology(void **state)
{
	(void)state;
	world *a = build("", "  f:\n"
	                     "    errors: {poison_records: 5%}\n"
	                     "    triggers: [{kinesis: s}]\n");
	world *b = build("", "  g:\n"
	                     "    errors: {poison_records: 5%}\n"
	                     "    triggers: [{kinesis: s}]\n"
	                     "  h:\n"
	                     "    count: 2\n"
	                     "    errors: {poison_records: 5%}\n"
	                     "    triggers: [{kinesis: s}]\n");
	push(a, 0, 0, 2000, 0);
	push(b, 0, 0, 2000, 0);
	int poison = 0;
	for (uint64_t i = 0; i < 2000; i++) {
		const ks_record *ra = ks_log_record(&a->shard->log, i);
		bool want = u_of(a, 0, i, KS_RECORD_U_FATE) < 0.05;
		assert_int_equal(ks_function_is_poison(fn(a, "f"), ra), want);
		const ks_record *rb = ks_log_record(&b->shard->log, i);
		assert_int_equal(ks_function_is_poison(fn(b, "g"), rb), want);
		assert_int_equal(ks_function_is_poison(fn(b, "h-2"), rb), want);
		poison += want;
	}
	/* 100 expected; the binomial sd is 9.7 */
	assert_in_range(poison, 60, 140);
	destroy(a);
	destroy(b);
}

/* [choice] poison_indices are producer indices of every producer. */
static void poison_indices_name_exact_records_of_every_producer(void **state)
{
	(void)state;
	world *w = build("", "  f:\n"
	                     "    errors: {poison_indices: [7, 3]}\n"
	                     "    triggers: [{kinesis: s}]\n");
	ks_function *f = fn(w, "f");
	push(w, 0, 0, 10, 0); /* p: indices 0..9 */
	push(w, 1, 0, 10, 0); /* q: indices 0..9 */
	for (uint64_t s = 0; s < 20; s++) {
		uint64_t index = s % 10;
		assert_int_equal(ks_function_is_poison(f, ks_log_record(&w->shard->log, s)),
		                 index == 3 || index == 7);
	}
	destroy(w);
}

/* An invocation whose request arrives in [start, end) fails at once: whole batch, after its
 * per_invocation work only. */
static void an_outage_fails_invocations_whose_request_arrives_inside_it(void **state)
{
	(void)state;
	world *w = build("", "  f:\n"
	                     "    cold_start: 0s\n"
	                     "    duration: {per_invocation: 5ms, per_record: 1ms}\n"
	                     "    errors: {outages: [{start: 10s, end: 20s}]}\n"
	                     "    triggers: [{kinesis: s}]\n");
	ks_function *f = fn(w, "f");
	push(w, 0, 0, 10, 0);
	ks_batch b = batch(w, 0, 10);
	ks_invocation inv;
	ks_function_invoke(f, 9980 * MS, 10 * MS, &b, &inv); /* arrives 9.99 s */
	assert_int_equal(inv.status, KS_INVOKE_OK);
	assert_int_equal(inv.duration, 15 * MS);
	ks_function_finish(f, &inv);
	ks_function_invoke(f, 9990 * MS, 10 * MS, &b, &inv); /* arrives 10 s */
	assert_int_equal(inv.status, KS_INVOKE_FAILED);
	assert_true(inv.whole_batch);
	assert_int_equal(inv.duration, 5 * MS);
	assert_int_equal(inv.end, 10 * SIM_S + 5 * MS);
	ks_function_finish(f, &inv);
	ks_function_invoke(f, 19990 * MS, 10 * MS, &b, &inv); /* arrives 20 s: over */
	assert_int_equal(inv.status, KS_INVOKE_OK);
	ks_function_finish(f, &inv);
	assert_true(f->errors.total == 1);
	destroy(w);
}

/* errors.invocation: each invocation fails with that probability, a whole-batch error at the
 * end of its full duration. 4000 invocations at 20%: 800 expected, sd 25.3; 5 sd either way. */
static void invocation_errors_come_at_their_rate_after_the_full_duration(void **state)
{
	(void)state;
	world *w = build("", "  f:\n"
	                     "    cold_start: 0s\n"
	                     "    duration: {per_invocation: 2ms, per_record: 1ms}\n"
	                     "    errors: {invocation: 20%}\n"
	                     "    triggers: [{kinesis: s}]\n");
	ks_function *f = fn(w, "f");
	push(w, 0, 0, 3, 0);
	ks_batch b = batch(w, 0, 3);
	int failed = 0;
	for (int i = 0; i < 4000; i++) {
		ks_invocation inv;
		ks_function_invoke(f, i * 10 * MS, 0, &b, &inv);
		assert_int_equal(inv.duration, 5 * MS);
		if (inv.status == KS_INVOKE_FAILED) {
			assert_true(inv.whole_batch);
			failed++;
		}
		ks_function_finish(f, &inv);
	}
	assert_in_range(failed, 800 - 127, 800 + 127);
	assert_true(f->errors.total == failed);
	assert_true(f->invocations.total == 4000);
	destroy(w);
}

/* ---- on_record_error --------------------------------------------------------------------- */

/* Records 0..7 of p, indices 3 and 5 poison; 10 ms per invocation, 1 ms per record. */
static ks_invocation run_policy(const char *policy, uint32_t *skipped)
{
	world *w = build("", harness_fmt("  f:\n"
	                                 "    cold_start: 0s\n"
	                                 "    duration: {per_invocation: 10ms, per_record: 1ms}\n"
	                                 "    errors: {poison_indices: [3, 5]}\n"
	                                 "    on_record_error: %s\n"
	                                 "    triggers: [{kinesis: s}]\n",
	                                 policy));
	ks_function *f = fn(w, "f");
	push(w, 0, 0, 8, 0);
	ks_batch b = batch(w, 0, 8);
	ks_invocation inv;
	ks_function_invoke(f, 0, 0, &b, &inv);
	ks_function_finish(f, &inv);
	*skipped = (uint32_t)f->records_skipped.total;
	assert_true(f->errors.total == (inv.status == KS_INVOKE_FAILED));
	destroy(w);
	return inv;
}

/* fail_batch (default): the handler stops at the first poison record, having run it. */
static void fail_batch_stops_at_the_first_poison_record(void **state)
{
	(void)state;
	uint32_t skipped;
	ks_invocation inv = run_policy("{policy: fail_batch}", &skipped);
	assert_int_equal(inv.status, KS_INVOKE_FAILED);
	assert_false(inv.whole_batch);
	assert_int_equal(inv.first_failed, 3);
	assert_int_equal(inv.duration, 10 * MS + 4 * MS);
	assert_int_equal(skipped, 0);
}

/* skip: poison records are swallowed and counted; the batch succeeds, every record run. */
static void skip_swallows_poison_records_and_counts_them(void **state)
{
	(void)state;
	uint32_t skipped;
	ks_invocation inv = run_policy("{policy: skip}", &skipped);
	assert_int_equal(inv.status, KS_INVOKE_OK);
	assert_int_equal(inv.duration, 10 * MS + 8 * MS);
	assert_int_equal(skipped, 2);
}

/* retry: each poison record is tried 1 + retries times (each attempt its work again), then
 * skipped: 10 + 6 x 1 + 2 x 3 x 1 ms. */
static void retry_then_skip_pays_every_attempt_and_swallows(void **state)
{
	(void)state;
	uint32_t skipped;
	ks_invocation inv = run_policy("{policy: retry, retries: 2, then: skip}", &skipped);
	assert_int_equal(inv.status, KS_INVOKE_OK);
	assert_int_equal(inv.duration, 22 * MS);
	assert_int_equal(skipped, 2);
}

/* retry then fail_batch: the first poison record fails after its attempts: 10 + 3 + 3 ms. */
static void retry_then_fail_batch_fails_at_the_record_after_its_attempts(void **state)
{
	(void)state;
	uint32_t skipped;
	ks_invocation inv = run_policy("{policy: retry, retries: 2, then: fail_batch}", &skipped);
	assert_int_equal(inv.status, KS_INVOKE_FAILED);
	assert_false(inv.whole_batch);
	assert_int_equal(inv.first_failed, 3);
	assert_int_equal(inv.duration, 16 * MS);
	assert_int_equal(skipped, 0);
}

/* A skipped record is not counted when the invocation fails anyway (here: the timeout), so a
 * retried batch does not count it twice. */
static void skipped_records_count_only_when_the_invocation_succeeds(void **state)
{
	(void)state;
	world *w = build("", "  f:\n"
	                     "    timeout: 1s\n"
	                     "    cold_start: 0s\n"
	                     "    duration: {per_record: 300ms}\n"
	                     "    errors: {poison_indices: [0]}\n"
	                     "    on_record_error: {policy: skip}\n"
	                     "    triggers: [{kinesis: s}]\n");
	ks_function *f = fn(w, "f");
	push(w, 0, 0, 4, 0);
	ks_batch b = batch(w, 0, 4);
	ks_invocation inv;
	ks_function_invoke(f, 0, 0, &b, &inv);
	assert_int_equal(inv.status, KS_INVOKE_FAILED);
	assert_true(inv.whole_batch);
	assert_true(f->records_skipped.total == 0);
	ks_function_finish(f, &inv);
	b = batch(w, 0, 3);
	ks_function_invoke(f, SIM_S, 0, &b, &inv);
	assert_int_equal(inv.status, KS_INVOKE_OK);
	assert_true(f->records_skipped.total == 1);
	destroy(w);
}

/* then: forward needs forward_to; retries and then belong to policy: retry; an outage ends
 * after it starts. */
static void unsupported_or_inconsistent_error_settings_are_refused(void **state)
{
	(void)state;
	static const struct {
		const char *function, *message;
	} cases[] = {
	        {"  f: {on_record_error: {policy: retry, then: forward}}\n",
	         "error: 'then: forward' needs forward_to (a topic or a queue)"},
	        {"  f: {on_record_error: {policy: skip, retries: 2}}\n",
	         "error: on_record_error.retries applies to policy: retry only (got policy: skip)"},
	        {"  f: {errors: {outages: [{start: 5m, end: 5m}]}}\n",
	         "error: an outage must end after it starts (got start: 5m, end: 5m)"},
	        {"  f: {errors: {invocation: 150%}}\n", "error: invocation"},
	        {"  f: {errors: {poison_indices: [-1]}}\n", "error: poison"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc;
		char *text = harness_diagnostics(strict(cases[i].function), &rc);
		assert_int_equal(rc, KS_SCENARIO_INVALID);
		if (!strstr(text, cases[i].message))
			fail_msg("case %zu: want '%s' in:\n%s", i, cases[i].message, text);
		sim_free(text);
	}
}

/* ---- processed records ------------------------------------------------------------------- */

typedef struct seen {
	uint64_t from[8], to[8];
	int n;
} seen;

static void observe(void *ctx, const ks_function *f, const ks_log *shard, uint64_t from,
                    uint64_t to, sim_time t)
{
	(void)f;
	(void)shard;
	(void)t;
	seen *s = ctx;
	s->from[s->n] = from;
	s->to[s->n++] = to;
}

/* A lane's subset of the shard (seq 0, 1, 3, 4): records_processed, latency from acceptance,
 * the observer once per contiguous run; IteratorAge (noted once per invocation) is the age of
 * its last record at age_at. */
static void processed_records_count_latency_age_and_reach_the_observer(void **state)
{
	(void)state;
	world *w = build("", "  f: {triggers: [{kinesis: s}]}\n");
	ks_function *f = fn(w, "f");
	for (int i = 0; i < 5; i++)
		push(w, 0, (uint64_t)i, 1, i * SIM_S);
	seen s = {0};
	ks_functions_observe(w->r.model, observe, &s);
	static const uint64_t lane[] = {0, 1, 3, 4};
	ks_batch b = {.log = &w->shard->log, .seq = lane, .n = 4};
	ks_function_processed(f, 10 * SIM_S, &b, 0, 4, 0, 9 * SIM_S);
	assert_true(f->iterator_age_batches == 0); /* not per processed run */
	ks_function_note_iterator_age(f, 10 * SIM_S, &b, 0, 9 * SIM_S);
	assert_true(f->records_processed.total == 4);
	assert_int_equal(sim_hist_count(f->latency), 4);
	assert_int_equal(sim_hist_max(f->latency), 10 * SIM_S);
	assert_float_equal(f->iterator_age_max, 5000, 1e-9); /* 9 s - 4 s, in ms */
	assert_int_equal(s.n, 2);
	assert_true(s.from[0] == 0 && s.to[0] == 2 && s.from[1] == 3 && s.to[1] == 5);
	destroy(w);
}

/* A failed invocation processes nothing, but its batch's age still shows (a blocked shard's
 * IteratorAge grows): the age of its last record at age_at, counted per invocation. */
static void a_failed_invocation_still_reports_its_iterator_age(void **state)
{
	(void)state;
	world *w = build("", "  f: {triggers: [{kinesis: s}]}\n");
	ks_function *f = fn(w, "f");
	push(w, 0, 0, 3, 2 * SIM_S);
	ks_batch b = batch(w, 0, 3);
	ks_function_note_iterator_age(f, 70 * SIM_S, &b, 0, 62 * SIM_S);
	ks_function_note_iterator_age(f, 80 * SIM_S, &b, 0, 72 * SIM_S);
	assert_float_equal(f->iterator_age_max, 70000, 1e-9);
	assert_float_equal(f->iterator_age_sum_ms / f->iterator_age_batches, 65000, 1e-9);
	assert_true(f->records_processed.total == 0);
	destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(duration_is_per_invocation_plus_each_records_own_work),
	        cmocka_unit_test(a_handler_that_reaches_its_timeout_fails_the_whole_batch),
	        cmocka_unit_test(billing_rounds_each_duration_up_to_the_millisecond),
	        cmocka_unit_test(a_new_environment_pays_the_cold_start_before_the_handler),
	        cmocka_unit_test(the_cold_start_defaults_to_the_platforms_for_the_runtime),
	        cmocka_unit_test(free_environments_are_reused_most_recently_used_first),
	        cmocka_unit_test(an_environment_idle_for_idle_reclaim_is_reclaimed),
	        cmocka_unit_test(reserved_concurrency_caps_the_function_and_throttles_the_rest),
	        cmocka_unit_test(the_account_limit_is_shared_by_every_function),
	        cmocka_unit_test(reservations_leave_the_unreserved_pool_to_the_others),
	        cmocka_unit_test(reservations_must_leave_100_unreserved),
	        cmocka_unit_test(poison_records_are_the_records_own_fate_in_every_topology),
	        cmocka_unit_test(poison_indices_name_exact_records_of_every_producer),
	        cmocka_unit_test(an_outage_fails_invocations_whose_request_arrives_inside_it),
	        cmocka_unit_test(invocation_errors_come_at_their_rate_after_the_full_duration),
	        cmocka_unit_test(fail_batch_stops_at_the_first_poison_record),
	        cmocka_unit_test(skip_swallows_poison_records_and_counts_them),
	        cmocka_unit_test(retry_then_skip_pays_every_attempt_and_swallows),
	        cmocka_unit_test(retry_then_fail_batch_fails_at_the_record_after_its_attempts),
	        cmocka_unit_test(skipped_records_count_only_when_the_invocation_succeeds),
	        cmocka_unit_test(unsupported_or_inconsistent_error_settings_are_refused),
	        cmocka_unit_test(processed_records_count_latency_age_and_reach_the_observer),
	        cmocka_unit_test(a_failed_invocation_still_reports_its_iterator_age),
	        cmocka_unit_test(an_sqs_batch_over_10_needs_a_window_of_a_second),
	        cmocka_unit_test(new_environments_follow_the_scaling_rate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
