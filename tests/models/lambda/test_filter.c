/* Event filtering (models/lambda/filter.h) on records' fields (models/core/fields.h): each kind
 * of rule leaves in the share of records its values carry, the same records in every mapping,
 * and what it leaves out is read but not invoked (FilteredOutEventCount). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/alloc.h"
#include "tests/harness.h"

/* 100,000 records at 200/s (all read well before the 10 minutes end), type click/view/buy 70/25/5,
 * amount 5/50/500 60/30/10, read by one function per filter (its triggers' filter_criteria given by
 * `filters`). */
static harness_run run_filters(const char *functions)
{
	return harness_run_yaml(harness_fmt("kinesim: 1\n"
	                                    "name: filters\n"
	                                    "duration: 10m\n"
	                                    "streams: {s: {shards: 2}}\n"
	                                    "producers:\n"
	                                    "  p:\n"
	                                    "    stream: s\n"
	                                    "    rate: 200/s\n"
	                                    "    record_size: 1KB\n"
	                                    "    limit: 100000\n"
	                                    "    partition_keys: {count: 100}\n"
	                                    "    fields:\n"
	                                    "      type: {values: [click, view, buy], "
	                                    "weights: [70, 25, 5]}\n"
	                                    "      amount: {values: [5, 50, 500], "
	                                    "weights: [60, 30, 10]}\n"
	                                    "functions:\n%s",
	                                    functions),
	                        NULL, 3);
}

/* The share of the records read that function `name` invoked; asserts the conservation of
 * what it read: processed + filtered out + pending = accepted. */
static double share(const harness_run *r, const char *name)
{
	char path[64];
	snprintf(path, sizeof path, "%s.records_processed", name);
	double processed = harness_value(r, path);
	snprintf(path, sizeof path, "%s.filtered_out_events", name);
	double out = harness_value(r, path);
	snprintf(path, sizeof path, "%s.records_pending", name);
	double pending = harness_value(r, path);
	assert_true(processed + out + pending == harness_value(r, "s.incoming_records"));
	return processed / (processed + out);
}

static void assert_share(const harness_run *r, const char *name, double want)
{
	double got = share(r, name);
	if (got < want - 0.01 || got > want + 0.01)
		print_error("%s: share %.4f, want %.4f\n", name, got, want);
	assert_true(got >= want - 0.01 && got <= want + 0.01);
}

static void each_rule_leaves_in_the_share_its_values_carry(void **state)
{
	(void)state;
	harness_run r = run_filters(
	        "  buy:\n"
	        "    triggers: [{kinesis: s, filter_criteria: [{data: {type: [buy]}}]}]\n"
	        "  either:\n"
	        "    triggers: [{kinesis: s, filter_criteria: [{data: {type: [buy, view]}}]}]\n"
	        "  prefix:\n"
	        "    triggers: [{kinesis: s, filter_criteria: [{data: {type: [{prefix: cl}]}}]}]\n"
	        "  but:\n"
	        "    triggers: [{kinesis: s, filter_criteria: [{data: {type: [{anything-but: "
	        "[click, view]}]}}]}]\n"
	        "  range:\n"
	        "    triggers: [{kinesis: s, filter_criteria: [{data: {amount: [{numeric: "
	        "[\">\", 5, \"<=\", 50]}]}}]}]\n"
	        "  equal:\n"
	        "    triggers: [{kinesis: s, filter_criteria: [{data: {amount: [500]}}]}]\n"
	        "  both:\n"
	        "    triggers: [{kinesis: s, filter_criteria: [{data: {type: [click], amount: "
	        "[5]}}]}]\n"
	        "  or:\n"
	        "    triggers: [{kinesis: s, filter_criteria: [{data: {type: [buy]}}, {data: "
	        "{amount: [500]}}]}]\n"
	        "  missing:\n"
	        "    triggers: [{kinesis: s, filter_criteria: [{data: {colour: [{exists: "
	        "false}]}}]}]\n"
	        "  keys:\n"
	        "    triggers: [{kinesis: s, filter_criteria: [{partitionKey: [k7, k42]}]}]\n");
	assert_share(&r, "buy", 0.05);
	assert_share(&r, "either", 0.30);
	assert_share(&r, "prefix", 0.70);
	assert_share(&r, "but", 0.05);
	assert_share(&r, "range", 0.30);
	assert_share(&r, "equal", 0.10);
	assert_share(&r, "both", 0.70 * 0.60); /* fields drawn independently */
	assert_share(&r, "or", 1 - 0.95 * 0.90);
	assert_share(&r, "missing", 1.0);
	assert_share(&r, "keys", 0.02);
	harness_free(&r);
}

/* A record's fields are its own: two mappings with the same filter invoke the same records,
 * whatever else reads the stream. */
static void the_same_records_match_in_every_mapping(void **state)
{
	(void)state;
	const char *buy =
	        "    triggers: [{kinesis: s, filter_criteria: [{data: {type: [buy]}}]}]\n";
	harness_run a = run_filters(harness_fmt("  one:\n%s  two:\n%s", buy, buy));
	double one = harness_value(&a, "one.records_processed");
	assert_true(harness_value(&a, "one.records_pending") == 0);
	assert_true(harness_value(&a, "two.records_processed") == one);
	harness_free(&a);
	harness_run b = run_filters(harness_fmt("  one:\n%s", buy));
	assert_true(harness_value(&b, "one.records_processed") == one);
	harness_free(&b);
}

static void bad_filters_and_fields_are_reported(void **state)
{
	(void)state;
	int rc;
	char *text = harness_diagnostics(
	        "kinesim: 1\n"
	        "name: bad\n"
	        "duration: 1m\n"
	        "streams: {s: {shards: 1}}\n"
	        "producers:\n"
	        "  p: {stream: s, rate: 1/s, record_size: 1KB, fields: {type: {values: [a, b], "
	        "weights: [1]}}}\n"
	        "functions:\n"
	        "  f: {triggers: [{kinesis: s, filter_criteria: [{data: {type: buy}}]}]}\n"
	        "  g: {triggers: [{kinesis: s, filter_criteria: [{body: {type: [a]}}]}]}\n"
	        "  h: {triggers: [{kinesis: s, filter_criteria: [{data: {n: [{numeric: [\"~\", "
	        "1]}]}}]}]}\n",
	        &rc);
	assert_int_equal(rc, KS_SCENARIO_INVALID);
	assert_non_null(strstr(text, ":6:88: error: field 'type' has 2 values, so it needs 2 "
	                             "weights"));
	assert_non_null(strstr(text, ":8:63: error: a filter key takes a list of rules"));
	assert_non_null(strstr(text, ":9:50: error: a filter pattern matches data (a map of "
	                             "fields) or partitionKey (got 'body')"));
	assert_non_null(strstr(text, ":10:71: error: numeric takes [op, number] or [op, number, "
	                             "op, number]"));
	sim_free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(each_rule_leaves_in_the_share_its_values_carry),
	        cmocka_unit_test(the_same_records_match_in_every_mapping),
	        cmocka_unit_test(bad_filters_and_fields_are_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
