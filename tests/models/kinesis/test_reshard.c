/* Resharding and on-demand mode (docs/model.md "Streams"): writes move to the children, each
 * consumer reads a parent to its end before its children, and per-key order holds across it
 * (docs/validation.md case 5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "models/kinesis/shard.h"
#include "models/kinesis/stream.h"
#include "models/lambda/lambda.h"
#include "sim/alloc.h"
#include "tests/harness.h"

static const char *resharded(const char *function_extra)
{
	return harness_fmt("kinesim: 1\n"
	                   "name: reshard\n"
	                   "duration: 12m\n"
	                   "metrics: {interval: 1m}\n"
	                   "streams:\n"
	                   "  s:\n"
	                   "    shards: 2\n"
	                   "    reshard: [{at: 4m, shards: 3}]\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 200/s, record_size: 1KB, limit: 120000,\n"
	                   "      partition_keys: {count: 50}}\n"
	                   "functions:\n"
	                   "  f:\n"
	                   "%s"
	                   "    triggers: [{kinesis: s, batch_size: 100}]\n",
	                   function_extra);
}

/* Writes go to the open shards: UpdateShardCount is called at 4 min and takes reshard_time
 * (1 min): the two parents take the writes until 5 min, the three children after. */
static void writes_move_to_the_children_at_the_reshard(void **state)
{
	(void)state;
	harness_run r = harness_run_yaml(resharded(""), NULL, 1);
	const sim_series *in = harness_series(r.metrics, "streams/s", "incoming_records");
	assert_int_equal(sim_series_columns(in), 5);
	const double *v = sim_series_data(in);
	for (size_t row = 0; row < sim_series_rows(in); row++) {
		for (size_t col = 0; col < 5; col++) {
			bool parent = col < 2;
			bool before = row < 5;
			if (parent != before)
				assert_true(v[row * 5 + col] == 0);
			else if (row < 10) /* the producer stops after 120,000 records (10 min) */
				assert_true(v[row * 5 + col] > 0);
		}
	}
	/* 2 shards for 5 min, 3 for 7 min */
	assert_float_equal(harness_value(&r, "s.read_throttled.per_shard_per_minute") * 31,
	                   harness_value(&r, "s.read_throttled"), 1e-6);
	harness_free(&r);
}

typedef struct order_log {
	/* per key: the last producer index processed; per shard: first and last batch times */
	int64_t last_index[50];
	sim_time first_batch[8], last_batch[8];
	uint64_t processed;
	bool out_of_order;
} order_log;

static void observe(void *ctx, const ks_function *f, const ks_log *shard, uint64_t from,
                    uint64_t to, sim_time t)
{
	(void)f;
	order_log *log = ctx;
	for (uint64_t q = from; q < to; q++) {
		const ks_record *rec = ks_log_record(shard, q);
		int64_t index = (int64_t)ks_record_index(rec);
		if (index <= log->last_index[rec->key])
			log->out_of_order = true;
		log->last_index[rec->key] = index;
	}
	log->processed += to - from;
	if (log->first_batch[shard->index] == 0)
		log->first_batch[shard->index] = t;
	log->last_batch[shard->index] = t;
}

/* A slow function has a backlog at the reshard: it drains each parent before it touches a
 * child, so every key's records are processed once, in order. */
static void parents_drain_before_children_and_key_order_holds(void **state)
{
	(void)state;
	harness_run r = {0};
	r.sc = harness_load(resharded("    duration: {per_invocation: 100ms, per_record: 4ms}\n"),
	                    NULL);
	r.metrics = sim_metrics_create();
	r.model = ks_model_build(r.sc, 1, 0, r.metrics);
	order_log log;
	memset(&log, 0, sizeof log);
	for (size_t k = 0; k < 50; k++)
		log.last_index[k] = -1;
	ks_functions_observe(r.model, observe, &log);
	assert_int_equal(ks_model_run(r.model, NULL, NULL, NULL), 0);
	ks_model_summarize(r.model);
	assert_false(log.out_of_order);
	assert_true(log.processed == harness_value(&r, "f.records_processed"));
	assert_true(harness_value(&r, "f.records_processed") == 120000);
	/* each child overlaps parents; it starts after every parent's last batch */
	sim_time parents_done =
	        log.last_batch[0] > log.last_batch[1] ? log.last_batch[0] : log.last_batch[1];
	assert_true(parents_done > 5 * SIM_MIN); /* the backlog outlived the reshard */
	for (size_t c = 2; c < 5; c++)
		assert_true(log.first_batch[c] > 0);
	/* child 2 of 3 (the middle) overlaps both parents */
	assert_true(log.first_batch[3] >= parents_done);
	harness_free(&r);
}

/* An on-demand stream starts with 4 shards and splits those that take more than 500 KB/s
 * (AWS's KB: KiB), split_after (15 min) after the minute it was seen in. 5,000 records/s of
 * 1 KB is 1.25 MB/s per shard at first, over the 1,000 records/s limit: throttled. The first
 * minute splits all four at 15 min; each child still takes 625 KB/s, so its first minute
 * [15, 16) splits it again at 30 min: 4 + 8 + 16 shards, and no throttling after 15 min. */
static void on_demand_splits_hot_shards_and_the_throttling_stops(void **state)
{
	(void)state;
	const char *yaml = "kinesim: 1\n"
	                   "name: on-demand\n"
	                   "duration: 40m\n"
	                   "streams: {s: {mode: on_demand}}\n"
	                   "producers:\n"
	                   "  p: {stream: s, rate: 5000/s, record_size: 1KB}\n";
	harness_run r = harness_run_yaml(yaml, NULL, 1);
	const sim_series *in = harness_series(r.metrics, "streams/s", "incoming_records");
	assert_int_equal(sim_series_columns(in), 28);
	const sim_series *thr = harness_series(r.metrics, "streams/s", "write_throttled");
	const double *t = sim_series_data(thr);
	size_t rows = sim_series_rows(thr);
	double early = 0, late = 0;
	for (size_t col = 0; col < 28; col++) {
		early += t[5 * 28 + col];
		for (size_t row = 16; row < rows; row++)
			late += t[row * 28 + col];
	}
	assert_true(early > 0);
	assert_true(late == 0);
	assert_true(harness_value(&r, "s.incoming_records") > 0);
	/* Issue 11: the stream may grow to AWS's 10 GB/s (us-east-1), not the old 200 MB/s */
	assert_int_equal(harness_stream(&r, 0)->cfg.max_shards, 10000);
	harness_free(&r);
}

/* Issue 11: [doc] UpdateShardCount goes at most to double or half per call, at most 10 calls
 * in 24 hours, none while one is under way; kinesim took any plan. */
static const char *plan(const char *aws, const char *reshards)
{
	return harness_fmt("kinesim: 1\n"
	                   "name: plan\n"
	                   "duration: 30h\n"
	                   "platform: {aws_ranges: %s}\n"
	                   "streams:\n"
	                   "  s:\n"
	                   "    shards: 4\n"
	                   "    reshard:\n%s",
	                   aws, reshards);
}

static void expect_diagnostic(const char *yaml, int rc_want, const char *want)
{
	int rc;
	char *text = harness_diagnostics(yaml, &rc);
	if (!strstr(text, want))
		print_error("diagnostics:\n%s\nwant: %s\n", text, want);
	assert_non_null(strstr(text, want));
	assert_int_equal(rc, rc_want);
	sim_free(text);
}

static void reshards_outside_update_shard_counts_limits_are_reported(void **state)
{
	(void)state;
	expect_diagnostic(plan("error", "      - {at: 1h, shards: 9}\n"), KS_SCENARIO_INVALID,
	                  ":9:26: error: a reshard from 4 to 9 shards; UpdateShardCount goes at "
	                  "most to double or to half the open shards per call");
	expect_diagnostic(plan("error", "      - {at: 1h, shards: 8}\n"
	                                "      - {at: 2h, shards: 3}\n"),
	                  KS_SCENARIO_INVALID, ":10:26: error: a reshard from 8 to 3 shards");
	expect_diagnostic(plan("error", "      - {at: 1h, shards: 8}\n"
	                                "      - {at: 1h, shards: 4}\n"),
	                  KS_SCENARIO_INVALID, "reshards must be in time order");
	expect_diagnostic(plan("error", "      - {at: 1h, shards: 8}\n"
	                                "      - {at: 1h0m30s, shards: 4}\n"),
	                  KS_SCENARIO_INVALID,
	                  ":10:14: error: a reshard at 1h0m30s comes while the previous one is "
	                  "under way (UpdateShardCount takes reshard_time, 1m)");
	/* eleven calls within 24 hours; the twelfth, a day after the first, is fine again */
	char list[1024] = "";
	for (int h = 1; h <= 12; h++)
		snprintf(list + strlen(list), sizeof list - strlen(list),
		         "      - {at: %dh, shards: %d}\n", h == 12 ? 25 : h, h % 2 ? 8 : 4);
	expect_diagnostic(plan("error", list), KS_SCENARIO_INVALID,
	                  ":19:14: error: 11 reshards of one stream within 24 hours; AWS allows "
	                  "10");
	expect_diagnostic(plan("warn", list), 0, "warning: 11 reshards");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(writes_move_to_the_children_at_the_reshard),
	        cmocka_unit_test(parents_drain_before_children_and_key_order_holds),
	        cmocka_unit_test(on_demand_splits_hot_shards_and_the_throttling_stops),
	        cmocka_unit_test(reshards_outside_update_shard_counts_limits_are_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
