/* Tests of scenario.c: --set changes entities that exist and --set-new creates them; names are
 * safe for paths; the format version; a resolved scenario loads again to itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sim/alloc.h"
#include "sim/schema.h"
#include "tests/harness.h"

static const char base[] = "kinesim: 1\n"
                           "name: base\n"
                           "duration: 1m\n"
                           "streams:\n"
                           "  events: {shards: 1}\n"
                           "producers:\n"
                           "  app: {stream: events, rate: 10/s, record_size: 1KB}\n"
                           "functions:\n"
                           "  feed: {triggers: [{kinesis: events}]}\n";

static void assert_diagnostics(const char *yaml, const char *const *sets, const char *want)
{
	int rc;
	char *text = harness_diagnostics_sets(yaml, sets, &rc);
	assert_int_equal(rc, KS_SCENARIO_INVALID);
	assert_string_equal(text, want);
	sim_free(text);
}

/* The diagnostics of a file (its temporary name removed from each line). */
static void assert_file_diagnostics(const char *yaml, const char *want)
{
	int rc;
	char *text = harness_diagnostics(yaml, &rc);
	assert_int_equal(rc, KS_SCENARIO_INVALID);
	char *out = sim_calloc(strlen(text) + 1, 1);
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
		const char *colon = strncmp(p, "/tmp/", 5) == 0 ? strchr(p, ':') : NULL;
		const char *from = colon && colon < p + len ? colon : p;
		strncat(out, from, len - (size_t)(from - p));
		p += len;
	}
	assert_string_equal(out, want);
	sim_free(out);
	sim_free(text);
}

static void set_changes_an_entity_and_set_new_creates_one(void **state)
{
	(void)state;
	const char *const sets[] = {"streams.events.shards=2", "+streams.audit={shards: 3}",
	                            "streams.audit.retention=48h", "functions.feed.count=2", NULL};
	ks_scenario *sc = harness_load(base, sets);
	const sim_yaml_node *streams = sim_yaml_get(sc->root, "streams");
	assert_int_equal(sim_schema_int(sim_yaml_get(streams, "events"), "shards"), 2);
	const sim_yaml_node *audit = sim_yaml_get(streams, "audit");
	assert_int_equal(sim_schema_int(audit, "shards"), 3);
	assert_int_equal(sim_schema_duration(audit, "retention"), 48 * 3600 * SIM_S);
	ks_scenario_destroy(sc);
}

static void set_of_a_missing_entity_is_an_error_with_did_you_mean(void **state)
{
	(void)state;
	const char *const sets[] = {"streams.event.shards=4", "functions.fed.count=3",
	                            "topics.t.x=1", "+streams.events.shards=2", NULL};
	assert_diagnostics(
	        base, sets,
	        "--set #1: error: no stream named 'event'; did you mean 'events'?\n"
	        "  hint: --set-new streams.event.shards=4 would create a new stream 'event'\n"
	        "--set #2: error: no function named 'fed'; did you mean 'feed'?\n"
	        "  hint: --set-new functions.fed.count=3 would create a new function 'fed'\n"
	        "--set #3: error: no topic named 't'\n"
	        "  hint: --set-new topics.t.x=1 would create a new topic 't'\n"
	        "--set-new #1: error: there is already a stream named 'events'\n"
	        "  hint: --set streams.events.shards=2 changes it\n");
}

static void set_new_names_a_kind_and_a_name(void **state)
{
	(void)state;
	const char *const sets[] = {"+platform.aws_ranges=warn", "+streams", "+streams[0]=1",
	                            "+nosuch.x.y=1", NULL};
	char want[2048] = "";
	const char *got[] = {"platform.aws_ranges=warn", "streams", "streams[0]=1", "nosuch.x.y=1"};
	for (size_t i = 0; i < 4; i++) {
		char line[512];
		snprintf(line, sizeof line,
		         "--set-new #%zu: error: --set-new creates an entity: its PATH is a kind "
		         "(streams, producers, functions, consumers, topics, queues, firehoses, "
		         "buckets or buses), a new name and keys, like streams.audit.shards=2 (got "
		         "'%s')\n",
		         i + 1, got[i]);
		strcat(want, line);
	}
	assert_diagnostics(base, sets, want);
}

static void keys_inside_an_entity_and_outside_the_kinds_are_still_created(void **state)
{
	(void)state;
	const char *const sets[] = {"functions.feed.triggers[0].batch_size=500",
	                            "producers.app.partition_keys.count=5",
	                            "platform.kinesis.read_tps=10/s", "seed=7", NULL};
	ks_scenario *sc = harness_load(base, sets);
	const sim_yaml_node *feed = sim_yaml_get(sim_yaml_get(sc->root, "functions"), "feed");
	const sim_yaml_node *trigger = sim_yaml_get(feed, "triggers")->items[0];
	assert_int_equal(sim_schema_int(trigger, "batch_size"), 500);
	assert_int_equal(sim_schema_int(sc->root, "seed"), 7);
	ks_scenario_destroy(sc);
}

static void names_outside_the_safe_characters_are_refused(void **state)
{
	(void)state;
	assert_file_diagnostics(
	        "kinesim: 1\n"
	        "name: \"out/x\"\n"
	        "duration: 1m\n"
	        "streams:\n"
	        "  \"a b\": {shards: 1}\n"
	        "  \"caf\xc3\xa9\": {shards: 1}\n"
	        "functions:\n"
	        "  \"f.g\": {count: 2}\n"
	        "  cost: {}\n",
	        ":2:7: error: scenario name 'out/x' may contain only letters, digits, '-' and '_'\n"
	        "  hint: the name names the output file, out/<name>.h5, unless -o says otherwise\n"
	        ":5:3: error: stream name 'a b' may contain only letters, digits, '-' and '_'\n"
	        "  hint: names become part of metric paths (<name>.<metric>) and of paths in the "
	        "output file\n"
	        ":6:3: error: stream name 'caf\xc3\xa9' may contain only letters, digits, '-' and "
	        "'_'\n"
	        "  hint: names become part of metric paths (<name>.<metric>) and of paths in the "
	        "output file\n"
	        ":8:3: error: function name 'f.g' may contain only letters, digits, '-' and '_'\n"
	        "  hint: names become part of metric paths (<name>.<metric>) and of paths in the "
	        "output file\n"
	        ":9:3: error: the name 'cost' is reserved for the cost metrics\n"
	        "  hint: choose another name for this function\n");
}

static void only_format_version_1_is_read(void **state)
{
	(void)state;
	const char *const v99[] = {"kinesim=99", NULL};
	assert_diagnostics(base, v99,
	                   "--set #1: error: this version of kinesim reads format version 1 (got "
	                   "99)\n");
	const char *const v0[] = {"kinesim=0", NULL};
	assert_diagnostics(base, v0,
	                   "--set #1: error: this version of kinesim reads format version 1 (got "
	                   "0)\n");
	const char *const word[] = {"kinesim=one", NULL};
	assert_diagnostics(base, word, "--set #1: error: kinesim must be an integer (got 'one')\n");
}

/* A resolved scenario writes every default out; the cross-checks between keys accept a key
 * that holds its default, and still refuse one that does not. */
static void keys_holding_their_defaults_pass_the_cross_checks(void **state)
{
	(void)state;
	ks_scenario *sc =
	        harness_load("kinesim: 1\nname: defaults\nduration: 1m\nstreams: {s: {shards: 1}}\n"
	                     "producers:\n"
	                     "  p: {stream: s, rate: 1/s, record_size: 1KB,\n"
	                     "      put: {api: PutRecord, max_records: 500, linger: 0ms}}\n"
	                     "functions:\n"
	                     "  f: {on_record_error: {policy: skip, retries: 0, then: skip},\n"
	                     "      triggers: [{kinesis: s}]}\n",
	                     NULL);
	ks_scenario_destroy(sc);
	assert_file_diagnostics(
	        "kinesim: 1\nname: defaults\nduration: 1m\nstreams: {s: {shards: 1}}\n"
	        "producers:\n"
	        "  p: {stream: s, rate: 1/s, record_size: 1KB,\n"
	        "      put: {api: PutRecord, max_records: 499, linger: 1ms}}\n"
	        "functions:\n"
	        "  f: {on_record_error: {policy: skip, retries: 1, then: forward},\n"
	        "      triggers: [{kinesis: s}]}\n",
	        ":7:29: error: put.max_records applies to PutRecords only (PutRecord sends one "
	        "record per call)\n"
	        ":7:47: error: put.linger applies to PutRecords only (PutRecord sends one record "
	        "per call)\n"
	        ":9:39: error: on_record_error.retries applies to policy: retry only (got policy: "
	        "skip)\n"
	        ":9:51: error: on_record_error.then applies to policy: retry only (got policy: "
	        "skip)\n");
}

/* The resolved text of a scenario loads again to the same resolved text. */
static void a_resolved_scenario_resolves_to_itself(void **state)
{
	(void)state;
	const char *const sets[] = {"+queues.dlq={}", "functions.feed.count=2", NULL};
	ks_scenario *sc = harness_load(
	        "kinesim: 1\nname: again\nduration: 2m\nwarmup: 10s\n"
	        "streams: {s: {shards: 2}}\n"
	        "producers:\n"
	        "  p: {stream: s, rate: 5/s, record_size: 1KB, put: {api: PutRecord}}\n"
	        "functions:\n"
	        "  feed:\n"
	        "    on_record_error: {policy: skip}\n"
	        "    triggers: [{kinesis: s, on_failure: dlq}]\n",
	        sets);
	ks_scenario *again = harness_load(sc->resolved, NULL);
	assert_string_equal(again->resolved, sc->resolved);
	ks_scenario_destroy(again);
	ks_scenario_destroy(sc);
}

/* [doc] 20 enhanced fan-out consumers per stream, each copy of a function counting; found
 * through the stream's name however many streams there are. */
static void the_21st_enhanced_fanout_consumer_of_a_stream_is_reported(void **state)
{
	(void)state;
	char yaml[8192];
	size_t at = (size_t)snprintf(yaml, sizeof yaml,
	                             "kinesim: 1\nname: efo\nduration: 1m\nstreams:\n");
	for (int i = 0; i < 40; i++)
		at += (size_t)snprintf(yaml + at, sizeof yaml - at, "  s%d: {shards: 1}\n", i);
	snprintf(yaml + at, sizeof yaml - at,
	         "functions:\n"
	         "  f: {count: 20, triggers: [{kinesis: s33, enhanced_fanout: true}]}\n"
	         "  g: {count: 20, triggers: [{kinesis: s7, enhanced_fanout: true}]}\n"
	         "consumers:\n"
	         "  c: {stream: s33, enhanced_fanout: true}\n"
	         "  d: {stream: s33, enhanced_fanout: true}\n");
	assert_file_diagnostics(yaml, ":49:37: error: stream 's33' has 22 enhanced fan-out "
	                              "consumers; AWS allows 20 per stream\n"
	                              "  hint: each copy of a function (count: N) registers its "
	                              "own consumer\n");
	/* Issue 11: an AWS limit like the others: a warning under aws_ranges: warn */
	int rc;
	char *text = harness_diagnostics("kinesim: 1\n"
	                                 "name: efo\n"
	                                 "duration: 1m\n"
	                                 "platform: {aws_ranges: warn}\n"
	                                 "streams: {s: {shards: 1}}\n"
	                                 "functions:\n"
	                                 "  f: {count: 21, triggers: [{kinesis: s, "
	                                 "enhanced_fanout: true}]}\n",
	                                 &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(text, "warning: stream 's' has 21 enhanced fan-out consumers"));
	sim_free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(set_changes_an_entity_and_set_new_creates_one),
	        cmocka_unit_test(set_of_a_missing_entity_is_an_error_with_did_you_mean),
	        cmocka_unit_test(set_new_names_a_kind_and_a_name),
	        cmocka_unit_test(keys_inside_an_entity_and_outside_the_kinds_are_still_created),
	        cmocka_unit_test(names_outside_the_safe_characters_are_refused),
	        cmocka_unit_test(only_format_version_1_is_read),
	        cmocka_unit_test(keys_holding_their_defaults_pass_the_cross_checks),
	        cmocka_unit_test(a_resolved_scenario_resolves_to_itself),
	        cmocka_unit_test(the_21st_enhanced_fanout_consumer_of_a_stream_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
