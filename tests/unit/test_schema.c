/* Tests of schema.c against a small scenario schema modelled on docs/scenario.md. Expected messages
 * are those of schema.h and docs/scenario.md; columns are counted by hand from the literal texts.
 * Empirical distribution files are written into a temporary directory, the working directory
 * of this test program. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim/alloc.h"
#include "sim/schema.h"

#define S(x) ((double)(x))

/* The hint a caller (here, one like the scenario loader) prints after each soft range error. */
#define RANGE_HINT "set platform.aws_ranges: warn to allow values outside AWS's range"

static const sim_schema_value modes[] = {{"provisioned", 0}, {"on_demand", 1}, {NULL, 0}};
static const sim_schema_value range_modes[] = {{"error", 0}, {"warn", 1}, {NULL, 0}};

static const sim_schema reshard_entry[] = {
        {.key = "at", .kind = SIM_SCHEMA_DURATION, .flags = SIM_SCHEMA_REQUIRED},
        {.key = "shards", .kind = SIM_SCHEMA_INT, .flags = SIM_SCHEMA_REQUIRED},
        {0},
};
static const sim_schema reshard_item = {.kind = SIM_SCHEMA_MAP, .children = reshard_entry};

static const sim_schema stream[] = {
        {.key = "shards", .kind = SIM_SCHEMA_INT, .flags = SIM_SCHEMA_REQUIRED},
        {.key = "mode", .kind = SIM_SCHEMA_ENUM, .def = "provisioned", .values = modes},
        {.key = "retention",
         .kind = SIM_SCHEMA_DURATION,
         .def = "24h",
         .flags = SIM_SCHEMA_SOFT_RANGE,
         .min = S(24 * SIM_HOUR),
         .max = S(8760 * SIM_HOUR)},
        {.key = "reshard",
         .kind = SIM_SCHEMA_SEQ,
         .def = "[]",
         .item = &reshard_item,
         .flags = SIM_SCHEMA_NOT_IMPLEMENTED},
        {.key = "record_size", .kind = SIM_SCHEMA_DIST_SIZE, .def = "1KB"},
        {0},
};
static const sim_schema stream_item = {
        .kind = SIM_SCHEMA_MAP, .children = stream, .what = "stream"};

static const sim_schema kinesis_trigger[] = {
        {.key = "kinesis", .kind = SIM_SCHEMA_STRING, .flags = SIM_SCHEMA_REQUIRED},
        {.key = "batch_size",
         .kind = SIM_SCHEMA_INT,
         .def = "100",
         .flags = SIM_SCHEMA_SOFT_RANGE,
         .min = 1,
         .max = 10000},
        {.key = "parallelization_factor",
         .kind = SIM_SCHEMA_INT,
         .def = "1",
         .flags = SIM_SCHEMA_SOFT_RANGE,
         .min = 1,
         .max = 10},
        {.key = "maximum_retry_attempts",
         .kind = SIM_SCHEMA_INT,
         .def = "-1",
         .flags = SIM_SCHEMA_SOFT_RANGE | SIM_SCHEMA_NEG1,
         .min = 0,
         .max = 10000},
        {.key = "maximum_record_age",
         .kind = SIM_SCHEMA_DURATION,
         .def = "-1",
         .flags = SIM_SCHEMA_SOFT_RANGE | SIM_SCHEMA_NEG1,
         .min = S(60 * SIM_S),
         .max = S(7 * SIM_DAY)},
        {.key = "enhanced_fanout", .kind = SIM_SCHEMA_BOOL, .def = "false"},
        {0},
};
static const sim_schema sqs_trigger[] = {
        {.key = "sqs", .kind = SIM_SCHEMA_STRING, .flags = SIM_SCHEMA_REQUIRED},
        {.key = "batch_size",
         .kind = SIM_SCHEMA_INT,
         .def = "10",
         .flags = SIM_SCHEMA_SOFT_RANGE,
         .min = 1,
         .max = 10000},
        {0},
};
static const sim_schema sns_trigger[] = {
        {.key = "sns", .kind = SIM_SCHEMA_STRING, .flags = SIM_SCHEMA_REQUIRED},
        {0},
};
static const sim_schema s3_trigger[] = {
        {.key = "s3", .kind = SIM_SCHEMA_STRING, .flags = SIM_SCHEMA_REQUIRED},
        {0},
};
static const sim_schema trigger_kinds[] = {
        {.key = "kinesis",
         .kind = SIM_SCHEMA_MAP,
         .children = kinesis_trigger,
         .what = "kinesis trigger"},
        {.key = "sns", .kind = SIM_SCHEMA_MAP, .children = sns_trigger, .what = "sns trigger"},
        {.key = "sqs", .kind = SIM_SCHEMA_MAP, .children = sqs_trigger, .what = "sqs trigger"},
        {.key = "s3", .kind = SIM_SCHEMA_MAP, .children = s3_trigger, .what = "s3 trigger"},
        {0},
};
static const sim_schema trigger = {
        .kind = SIM_SCHEMA_VARIANT, .children = trigger_kinds, .what = "trigger"};

static const sim_schema work[] = {
        {.key = "per_invocation", .kind = SIM_SCHEMA_DIST_DURATION, .def = "0s"},
        {.key = "per_record", .kind = SIM_SCHEMA_DIST_DURATION, .def = "0s"},
        {0},
};
static const sim_schema function[] = {
        {.key = "memory",
         .kind = SIM_SCHEMA_SIZE_BINARY_MB,
         .def = "128MB",
         .flags = SIM_SCHEMA_SOFT_RANGE,
         .min = 128 * 1048576.0,
         .max = 10240 * 1048576.0},
        {.key = "timeout", .kind = SIM_SCHEMA_DURATION, .def = "3s"},
        {.key = "duration", .kind = SIM_SCHEMA_MAP, .children = work, .flags = SIM_SCHEMA_FILL},
        {.key = "triggers", .kind = SIM_SCHEMA_SEQ, .item = &trigger, .def = "[]"},
        {.key = "cold_start", .kind = SIM_SCHEMA_DIST_DURATION},
        {0},
};
static const sim_schema function_item = {
        .kind = SIM_SCHEMA_MAP, .children = function, .what = "function"};

static const sim_schema producer[] = {
        {.key = "stream", .kind = SIM_SCHEMA_STRING, .flags = SIM_SCHEMA_REQUIRED},
        {.key = "rate", .kind = SIM_SCHEMA_RATE},
        {.key = "trace_sample", .kind = SIM_SCHEMA_FRACTION, .def = "100%"},
        {.key = "zipf_s", .kind = SIM_SCHEMA_NUMBER, .def = "1.0", .min = 0, .max = 10},
        {0},
};
static const sim_schema producer_item = {
        .kind = SIM_SCHEMA_MAP, .children = producer, .what = "producer"};

static const sim_schema kinesis_platform[] = {
        {.key = "read_tps", .kind = SIM_SCHEMA_RATE, .def = "5/s"},
        {.key = "getrecords_latency",
         .kind = SIM_SCHEMA_DIST_DURATION,
         .def = "{dist: lognormal, median: 70ms, p99: 300ms}"},
        {0},
};
static const sim_schema platform[] = {
        {.key = "aws_ranges", .kind = SIM_SCHEMA_ENUM, .def = "error", .values = range_modes},
        {.key = "kinesis",
         .kind = SIM_SCHEMA_MAP,
         .children = kinesis_platform,
         .flags = SIM_SCHEMA_FILL},
        {0},
};

static const sim_schema top[] = {
        {.key = "kinesim", .kind = SIM_SCHEMA_INT, .flags = SIM_SCHEMA_REQUIRED},
        {.key = "name", .kind = SIM_SCHEMA_STRING, .flags = SIM_SCHEMA_REQUIRED},
        {.key = "seed", .kind = SIM_SCHEMA_INT, .def = "1"},
        {.key = "streams",
         .kind = SIM_SCHEMA_DICT,
         .item = &stream_item,
         .flags = SIM_SCHEMA_REQUIRED},
        {.key = "functions", .kind = SIM_SCHEMA_DICT, .item = &function_item, .def = "{}"},
        {.key = "producers", .kind = SIM_SCHEMA_DICT, .item = &producer_item},
        {.key = "platform", .kind = SIM_SCHEMA_MAP, .children = platform, .flags = SIM_SCHEMA_FILL},
        {0},
};
static const sim_schema scenario = {
        .kind = SIM_SCHEMA_MAP, .children = top, .what = "the scenario"};

typedef struct fixture {
	sim_yaml_doc *doc;
	sim_diag *d;
	sim_yaml_node *root;
	size_t errors;
} fixture;

static int setup(void **state)
{
	fixture *f = sim_calloc(1, sizeof *f);
	f->doc = sim_yaml_doc_create();
	f->d = sim_diag_create();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	sim_yaml_doc_destroy(f->doc);
	sim_diag_destroy(f->d);
	sim_free(f);
	return 0;
}

static sim_yaml_node *parse(fixture *f, const char *name, const char *text)
{
	sim_yaml_node *root = sim_yaml_parse(f->doc, name, text, strlen(text), f->d);
	assert_non_null(root);
	return root;
}

/* Parses and checks text against s with RANGE_HINT, keeping the root and the returned error
 * count. */
static void check_as(fixture *f, const sim_schema *s, const char *text, bool soft_ranges_warn)
{
	f->root = parse(f, "x.yaml", text);
	sim_schema_options opt = {.soft_ranges_warn = soft_ranges_warn,
	                          .soft_range_hint = RANGE_HINT};
	f->errors = sim_schema_check(f->doc, f->root, s, &opt, f->d);
	assert_int_equal(f->errors, sim_diag_errors(f->d));
}

static void check(fixture *f, const char *text)
{
	check_as(f, &scenario, text, false);
}

static void assert_diags(const fixture *f, bool with_source, const char *expected)
{
	char *s = sim_diag_format(f->d, with_source);
	assert_string_equal(s, expected);
	sim_free(s);
}

static void assert_emit(const sim_yaml_node *n, const char *expected)
{
	char *s = sim_yaml_emit(n);
	assert_string_equal(s, expected);
	sim_free(s);
}

static void valid_scenario_gets_its_defaults_filled_in(void **state)
{
	fixture *f = *state;
	check(f, "kinesim: 1\n"
	         "name: t\n"
	         "streams:\n"
	         "  events:\n"
	         "    shards: 4\n"
	         "producers:\n");
	assert_int_equal(f->errors, 0);
	assert_diags(f, true, "");
	/* Absent keys are appended in schema order; FILL maps (platform, its kinesis) appear
	 * with their own defaults; the null `producers` became an empty map. */
	assert_emit(f->root, "kinesim: 1\n"
	                     "name: t\n"
	                     "streams:\n"
	                     "  events:\n"
	                     "    shards: 4\n"
	                     "    mode: provisioned\n"
	                     "    retention: 24h\n"
	                     "    reshard: []\n"
	                     "    record_size: 1KB\n"
	                     "producers: {}\n"
	                     "seed: 1\n"
	                     "functions: {}\n"
	                     "platform:\n"
	                     "  aws_ranges: error\n"
	                     "  kinesis:\n"
	                     "    read_tps: 5/s\n"
	                     "    getrecords_latency:\n"
	                     "      dist: lognormal\n"
	                     "      median: 70ms\n"
	                     "      p99: 300ms\n");
}

static void defaults_fill_sequence_items_and_fill_maps(void **state)
{
	fixture *f = *state;
	check(f, "kinesim: 1\n"
	         "name: t\n"
	         "streams: {events: {shards: 1}}\n"
	         "functions:\n"
	         "  feed:\n"
	         "    triggers:\n"
	         "      - kinesis: events\n"
	         "      - sqs: q\n");
	assert_int_equal(f->errors, 0);
	sim_yaml_node *feed = sim_yaml_get(sim_yaml_get(f->root, "functions"), "feed");
	assert_emit(feed, "triggers:\n"
	                  "  - kinesis: events\n"
	                  "    batch_size: 100\n"
	                  "    parallelization_factor: 1\n"
	                  "    maximum_retry_attempts: -1\n"
	                  "    maximum_record_age: -1\n"
	                  "    enhanced_fanout: false\n"
	                  "  - sqs: q\n"
	                  "    batch_size: 10\n"
	                  "memory: 128MB\n"
	                  "timeout: 3s\n"
	                  "duration:\n"
	                  "  per_invocation: 0s\n"
	                  "  per_record: 0s\n");
	/* Filled defaults read back through the getters. */
	assert_int_equal(sim_schema_int(sim_yaml_get(feed, "triggers")->items[1], "batch_size"),
	                 10);
	assert_int_equal(
	        sim_schema_duration(sim_yaml_get(feed, "triggers")->items[0], "maximum_record_age"),
	        -1);
	sim_dist w = sim_schema_dist(sim_yaml_get(feed, "duration"), "per_record", false);
	assert_int_equal(w.kind, SIM_DIST_CONST);
	assert_true(sim_dist_is_zero(&w));
	sim_dist_fini(&w);
}

static void unknown_key_is_reported_at_the_key_with_a_suggestion(void **state)
{
	fixture *f = *state;
	check(f, "kinesim: 1\n"
	         "name: t\n"
	         "streams: {events: {shards: 4}}\n"
	         "functions:\n"
	         "  feed:\n"
	         "    triggers:\n"
	         "      - kinesis: events\n"
	         "        batch_sise: 100\n");
	assert_int_equal(f->errors, 1);
	assert_diags(f, true,
	             "x.yaml:8:9: error: unknown key 'batch_sise' in kinesis trigger; did you mean "
	             "'batch_size'?\n"
	             "        batch_sise: 100\n"
	             "        ^\n");
}

static void unknown_key_without_close_match_has_no_suggestion(void **state)
{
	fixture *f = *state;
	check(f, "kinesim: 1\nname: t\nstreams: {e: {shards: 4}}\ncolour: red\n");
	assert_diags(f, false, "x.yaml:4:1: error: unknown key 'colour' in the scenario\n");
}

static void missing_required_key_is_reported_at_the_key_naming_the_map(void **state)
{
	fixture *f = *state;
	check(f, "kinesim: 1\n"
	         "name: t\n"
	         "streams:\n"
	         "  events:\n"
	         "    mode: provisioned\n");
	assert_int_equal(f->errors, 1);
	assert_diags(f, true,
	             "x.yaml:4:3: error: missing required key 'shards' in stream 'events'\n"
	             "  events:\n"
	             "  ^\n");
}

static void missing_required_key_of_the_root_is_reported_at_its_start(void **state)
{
	fixture *f = *state;
	check(f, "name: t\nstreams: {e: {shards: 1}}\n");
	assert_diags(f, false,
	             "x.yaml:1:1: error: missing required key 'kinesim' in the scenario\n");
}

static void wrong_scalar_of_each_kind_is_reported(void **state)
{
	fixture *f = *state;
	check(f, "kinesim: 1\n"
	         "name: t\n"
	         "seed: x\n"
	         "streams:\n"
	         "  events:\n"
	         "    shards: four\n"
	         "    mode: provisoned\n"
	         "    retention: 10\n"
	         "    record_size: 10\n"
	         "producers:\n"
	         "  app:\n"
	         "    stream: events\n"
	         "    rate: 10\n"
	         "    trace_sample: 2\n"
	         "    zipf_s: x\n"
	         "functions:\n"
	         "  feed:\n"
	         "    triggers:\n"
	         "      - kinesis: events\n"
	         "        enhanced_fanout: yes\n");
	assert_int_equal(f->errors, 9);
	assert_diags(f, false,
	             "x.yaml:3:7: error: seed must be an integer (got 'x')\n"
	             "x.yaml:6:13: error: shards must be an integer (got 'four')\n"
	             "x.yaml:7:11: error: mode must be one of provisioned, on_demand (got "
	             "'provisoned'); did you mean 'provisioned'?\n"
	             "x.yaml:8:16: error: retention needs a unit, e.g. '250ms' (got '10')\n"
	             "x.yaml:9:18: error: record_size needs a unit, e.g. '1KB' (got '10')\n"
	             "x.yaml:13:11: error: rate needs a unit, e.g. '10/s' (got '10')\n"
	             "x.yaml:14:19: error: trace_sample must be in [0, 1] or 0%..100% (got '2')\n"
	             "x.yaml:15:13: error: zipf_s must be a number (got 'x')\n"
	             "x.yaml:20:26: error: enhanced_fanout must be true or false (got 'yes')\n");
}

static void wrong_shapes_are_reported(void **state)
{
	fixture *f = *state;
	check(f, "kinesim: 1\n"
	         "name: t\n"
	         "streams:\n"
	         "  events: 4\n"
	         "  other:\n"
	         "    shards: {a: 1}\n"
	         "functions:\n"
	         "  feed:\n"
	         "    triggers: kinesis\n"
	         "  g:\n"
	         "    triggers:\n"
	         "      - [a]\n"
	         "    memory: [1]\n"
	         "producers: [a]\n");
	assert_int_equal(f->errors, 6);
	assert_diags(f, false,
	             "x.yaml:4:11: error: stream 'events' must be a map (got '4')\n"
	             "x.yaml:6:13: error: shards must be an integer, not a map\n"
	             "x.yaml:9:15: error: triggers must be a list (got 'kinesis')\n"
	             "x.yaml:12:9: error: trigger must be a map, not a list\n"
	             "x.yaml:13:13: error: memory must be a size, e.g. '1KB', not a list\n"
	             "x.yaml:14:12: error: producers must be a map, not a list\n");
}

static const char ranges_doc[] = "kinesim: 1\n"
                                 "name: t\n"
                                 "streams:\n"
                                 "  events:\n"
                                 "    shards: 4\n"
                                 "    retention: 1h\n"
                                 "functions:\n"
                                 "  feed:\n"
                                 "    memory: 64MB\n"
                                 "    triggers:\n"
                                 "      - kinesis: events\n"
                                 "        parallelization_factor: 11\n"
                                 "        maximum_retry_attempts: -1\n"
                                 "        maximum_record_age: 30s\n"
                                 "producers:\n"
                                 "  app: {stream: events, zipf_s: 11}\n";

static void soft_range_is_an_error_with_the_callers_hint_by_default(void **state)
{
	fixture *f = *state;
	check_as(f, &scenario, ranges_doc, false);
	assert_int_equal(f->errors, 5);
	assert_int_equal(sim_diag_warnings(f->d), 0);
	assert_diags(f, false,
	             "x.yaml:6:16: error: retention must be 24h..8760h (got 1h)\n"
	             "  hint: set platform.aws_ranges: warn to allow values outside AWS's range\n"
	             "x.yaml:9:13: error: memory must be 128MB..10240MB (got 64MB)\n"
	             "  hint: set platform.aws_ranges: warn to allow values outside AWS's range\n"
	             "x.yaml:12:33: error: parallelization_factor must be 1..10 (got 11)\n"
	             "  hint: set platform.aws_ranges: warn to allow values outside AWS's range\n"
	             "x.yaml:14:29: error: maximum_record_age must be 60s..168h or -1 (got 30s)\n"
	             "  hint: set platform.aws_ranges: warn to allow values outside AWS's range\n"
	             "x.yaml:16:33: error: zipf_s must be 0..10 (got 11)\n");
}

static void soft_range_is_a_warning_when_soft_ranges_warn(void **state)
{
	fixture *f = *state;
	check_as(f, &scenario, ranges_doc, true);
	/* Only the range that is not soft stays an error. */
	assert_int_equal(f->errors, 1);
	assert_int_equal(sim_diag_warnings(f->d), 4);
	assert_diags(f, false,
	             "x.yaml:6:16: warning: retention must be 24h..8760h (got 1h)\n"
	             "x.yaml:9:13: warning: memory must be 128MB..10240MB (got 64MB)\n"
	             "x.yaml:12:33: warning: parallelization_factor must be 1..10 (got 11)\n"
	             "x.yaml:14:29: warning: maximum_record_age must be 60s..168h or -1 (got 30s)\n"
	             "x.yaml:16:33: error: zipf_s must be 0..10 (got 11)\n");
}

static void soft_range_error_has_no_hint_when_the_caller_gives_none(void **state)
{
	fixture *f = *state;
	f->root = parse(f, "x.yaml", ranges_doc);
	assert_int_equal(sim_schema_check(f->doc, f->root, &scenario, NULL, f->d), 5);
	assert_diags(f, false,
	             "x.yaml:6:16: error: retention must be 24h..8760h (got 1h)\n"
	             "x.yaml:9:13: error: memory must be 128MB..10240MB (got 64MB)\n"
	             "x.yaml:12:33: error: parallelization_factor must be 1..10 (got 11)\n"
	             "x.yaml:14:29: error: maximum_record_age must be 60s..168h or -1 (got 30s)\n"
	             "x.yaml:16:33: error: zipf_s must be 0..10 (got 11)\n");
}

static void bare_minus_one_is_accepted_only_where_flagged(void **state)
{
	fixture *f = *state;
	check(f, "kinesim: 1\n"
	         "name: t\n"
	         "seed: -3\n"
	         "streams: {e: {shards: 1, retention: -1}}\n"
	         "functions:\n"
	         "  feed:\n"
	         "    triggers:\n"
	         "      - kinesis: e\n"
	         "        maximum_retry_attempts: -2\n"
	         "        maximum_record_age: -1\n");
	assert_int_equal(f->errors, 3);
	/* "streams: {e: {shards: 1, retention: -1}}": the -1 is the 37th character. */
	assert_diags(f, false,
	             "x.yaml:3:7: error: seed must not be negative (got '-3')\n"
	             "x.yaml:4:37: error: retention must not be negative (got '-1')\n"
	             "x.yaml:9:33: error: maximum_retry_attempts must be 0..10000 or -1 (got -2)\n"
	             "  hint: set platform.aws_ranges: warn to allow values outside AWS's range\n");
	const sim_yaml_node *t =
	        sim_yaml_get(sim_yaml_get(sim_yaml_get(f->root, "functions"), "feed"), "triggers")
	                ->items[0];
	assert_int_equal(sim_schema_duration(t, "maximum_record_age"), -1);
}

static void not_implemented_key_is_an_error_unless_it_has_its_default(void **state)
{
	fixture *f = *state;
	check(f, "kinesim: 1\n"
	         "name: t\n"
	         "streams:\n"
	         "  events:\n"
	         "    shards: 4\n"
	         "    reshard:\n"
	         "      - {at: 10m, shards: 8}\n"
	         "  other:\n"
	         "    shards: 1\n"
	         "    reshard: []\n");
	assert_int_equal(f->errors, 1);
	assert_diags(f, true,
	             "x.yaml:6:5: error: 'reshard' is not implemented yet in this version of "
	             "kinesim\n"
	             "    reshard:\n"
	             "    ^\n"
	             "  hint: remove 'reshard' from the scenario\n");
}

static void variant_needs_exactly_one_discriminator(void **state)
{
	fixture *f = *state;
	check(f, "kinesim: 1\n"
	         "name: t\n"
	         "streams: {events: {shards: 1}}\n"
	         "functions:\n"
	         "  feed:\n"
	         "    triggers:\n"
	         "      - batch_size: 10\n"
	         "      - kinesis: events\n"
	         "        sqs: q\n"
	         "      - kinsis: events\n"
	         "      - sqs: q\n"
	         "        batch_size: 0\n"
	         "        parallelization_factor: 2\n"
	         "      - sns: t\n");
	assert_int_equal(f->errors, 5);
	assert_diags(
	        f, false,
	        "x.yaml:7:9: error: trigger needs one of kinesis, sns, sqs, s3\n"
	        "x.yaml:9:9: error: trigger has both 'kinesis' and 'sqs'\n"
	        "x.yaml:10:9: error: unknown key 'kinsis' in trigger; did you mean 'kinesis'?\n"
	        "x.yaml:12:21: error: batch_size must be 1..10000 (got 0)\n"
	        "  hint: set platform.aws_ranges: warn to allow values outside AWS's range\n"
	        "x.yaml:13:9: error: unknown key 'parallelization_factor' in sqs trigger\n");
}

static void three_mistakes_give_exactly_three_errors_in_one_pass(void **state)
{
	fixture *f = *state;
	check(f, "kinesim: 1\n"
	         "name: t\n"
	         "seed: many\n"
	         "streams:\n"
	         "  events:\n"
	         "    shards: 4\n"
	         "    retention: 1h\n"
	         "  other:\n"
	         "    mode: on-demand\n"
	         "    shards: 2\n");
	assert_int_equal(f->errors, 3);
	assert_diags(f, true,
	             "x.yaml:3:7: error: seed must be an integer (got 'many')\n"
	             "seed: many\n"
	             "      ^\n"
	             "x.yaml:7:16: error: retention must be 24h..8760h (got 1h)\n"
	             "    retention: 1h\n"
	             "               ^\n"
	             "  hint: set platform.aws_ranges: warn to allow values outside AWS's range\n"
	             "x.yaml:9:11: error: mode must be one of provisioned, on_demand (got "
	             "'on-demand'); did you mean 'on_demand'?\n"
	             "    mode: on-demand\n"
	             "          ^\n");
}

static void set_value_errors_are_reported_against_the_argument(void **state)
{
	fixture *f = *state;
	sim_yaml_node *root =
	        parse(f, "x.yaml", "kinesim: 1\nname: t\nstreams: {e: {shards: 4}}\n");
	assert_int_equal(sim_yaml_set_path(f->doc, root, "streams.e.shards=x", "--set #2", f->d),
	                 0);
	assert_int_equal(
	        sim_yaml_set_path(f->doc, root, "streams.f.mode=on_demand", "--set #3", f->d), 0);
	sim_schema_options opt = {.soft_range_hint = RANGE_HINT};
	assert_int_equal(sim_schema_check(f->doc, root, &scenario, &opt, f->d), 2);
	assert_diags(f, true,
	             "--set #2: error: shards must be an integer (got 'x')\n"
	             "--set #3: error: missing required key 'shards' in stream 'f'\n");
}

/* ---- distributions ---- */

static const sim_schema dists[] = {
        {.key = "a", .kind = SIM_SCHEMA_DIST_DURATION},
        {.key = "b", .kind = SIM_SCHEMA_DIST_DURATION},
        {.key = "c", .kind = SIM_SCHEMA_DIST_DURATION},
        {.key = "d", .kind = SIM_SCHEMA_DIST_DURATION},
        {.key = "e", .kind = SIM_SCHEMA_DIST_DURATION},
        {.key = "f", .kind = SIM_SCHEMA_DIST_DURATION},
        {.key = "g", .kind = SIM_SCHEMA_DIST_DURATION},
        {.key = "h", .kind = SIM_SCHEMA_DIST_DURATION},
        {.key = "i", .kind = SIM_SCHEMA_DIST_DURATION},
        {.key = "j", .kind = SIM_SCHEMA_DIST_SIZE},
        {0},
};
static const sim_schema dist_doc = {.kind = SIM_SCHEMA_MAP, .children = dists, .what = "test"};

static void good_distributions_parse_to_their_parameters(void **state)
{
	fixture *f = *state;
	check_as(f, &dist_doc,
	         "a: 20ms\n"
	         "b: {dist: exponential, mean: 20ms}\n"
	         "c: {dist: lognormal, median: 20ms, p99: 200ms}\n"
	         "d: {dist: uniform, min: 10ms, max: 30ms}\n"
	         "e: {dist: normal, mean: 20ms, sd: 5ms}\n"
	         "f: {dist: constant, value: 1s}\n"
	         "j: {dist: lognormal, median: 1KB, p99: 8KB}\n",
	         false);
	assert_int_equal(f->errors, 0);
	sim_dist x = sim_schema_dist(f->root, "a", false);
	assert_int_equal(x.kind, SIM_DIST_CONST);
	assert_float_equal(sim_dist_mean(&x), 20e6, 1e-6);
	x = sim_schema_dist(f->root, "b", false);
	assert_int_equal(x.kind, SIM_DIST_EXPONENTIAL);
	assert_float_equal(x.a, 20e6, 1e-6);
	x = sim_schema_dist(f->root, "c", false);
	assert_int_equal(x.kind, SIM_DIST_LOGNORMAL);
	assert_float_equal(x.a, log(20e6), 1e-9);
	assert_float_equal(x.b, log(10.0) / 2.3263, 1e-3);
	x = sim_schema_dist(f->root, "d", false);
	assert_int_equal(x.kind, SIM_DIST_UNIFORM);
	assert_float_equal(x.a, 10e6, 1e-6);
	assert_float_equal(x.b, 30e6, 1e-6);
	x = sim_schema_dist(f->root, "e", false);
	assert_int_equal(x.kind, SIM_DIST_NORMAL);
	assert_float_equal(x.a, 20e6, 1e-6);
	assert_float_equal(x.b, 5e6, 1e-6);
	x = sim_schema_dist(f->root, "f", false);
	assert_int_equal(x.kind, SIM_DIST_CONST);
	assert_float_equal(sim_dist_mean(&x), 1e9, 1e-6);
	x = sim_schema_dist(f->root, "j", true);
	assert_int_equal(x.kind, SIM_DIST_LOGNORMAL);
	assert_float_equal(x.a, log(1000.0), 1e-9);
}

static void bad_distributions_are_reported_one_by_one(void **state)
{
	fixture *f = *state;
	check_as(f, &dist_doc,
	         "a: {dist: lognorm, median: 20ms, p99: 200ms}\n"
	         "b: {dist: lognormal, median: 200ms, p99: 100ms}\n"
	         "c: {dist: lognormal, median: 20ms}\n"
	         "d: {dist: lognormal, median: 20ms, p95: 200ms}\n"
	         "e: {dist: uniform, min: 30ms, max: 10ms}\n"
	         "f: {dist: exponential, mean: 20}\n"
	         "g: {mean: 20ms}\n"
	         "h: [20ms]\n"
	         "i: 20\n",
	         false);
	assert_int_equal(f->errors, 10);
	assert_diags(
	        f, false,
	        "x.yaml:1:11: error: dist must be one of constant, exponential, lognormal, "
	        "uniform, normal, empirical (got 'lognorm'); did you mean 'lognormal'?\n"
	        "x.yaml:2:42: error: lognormal p99 must be above its median (got p99 100ms, "
	        "median 200ms)\n"
	        "x.yaml:3:4: error: missing required key 'p99' in lognormal distribution\n"
	        "x.yaml:4:4: error: missing required key 'p99' in lognormal distribution\n"
	        "x.yaml:4:36: error: unknown key 'p95' in lognormal distribution; did you mean "
	        "'p99'?\n"
	        "x.yaml:5:36: error: uniform max must not be below its min (got max 10ms, min "
	        "30ms)\n"
	        "x.yaml:6:30: error: mean needs a unit, e.g. '250ms' (got '20')\n"
	        "x.yaml:7:4: error: missing required key 'dist' in g\n"
	        "x.yaml:8:4: error: h must be a duration or a distribution like {dist: "
	        "lognormal, median: 20ms, p99: 200ms}, not a list\n"
	        "x.yaml:9:4: error: i needs a unit, e.g. '250ms' (got '20')\n");
}

static void parse_dist_reports_through_its_diag(void **state)
{
	fixture *f = *state;
	sim_yaml_node *root = parse(f, "y.yaml", "lat: {dist: exponential, mean: 0s}\n");
	sim_dist out = {.kind = SIM_DIST_CONST, .a = 7};
	assert_int_equal(sim_schema_parse_dist(sim_yaml_get(root, "lat"), "lat", false, &out, f->d),
	                 -EINVAL);
	/* Not written on failure. */
	assert_float_equal(out.a, 7, 0);
	assert_diags(f, false, "y.yaml:1:32: error: exponential mean must be above 0 (got 0s)\n");
}

/* ---- empirical files ---- */

static char tmpdir[64], olddir[4096];

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(name, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *const files[] = {"lat.csv",     "sizes.csv", "bad.csv",
                                    "badunit.csv", "empty.csv", "sub/lat2.csv"};

static int group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/kinesim-test-schema-XXXXXX");
	if (!getcwd(olddir, sizeof olddir) || !mkdtemp(tmpdir) || chdir(tmpdir) != 0 ||
	    mkdir("sub", 0700) != 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		remove(files[i]);
	rmdir("sub");
	if (chdir(olddir) != 0)
		return -1;
	rmdir(tmpdir);
	return 0;
}

static void empirical_file_gives_its_values_in_base_units(void **state)
{
	fixture *f = *state;
	write_file("lat.csv", "# latencies of a test\nms\n\n10\n20   # twenty\n5\n2.5e1\n");
	write_file("sizes.csv", "KiB\n1\n2\n");
	check_as(f, &dist_doc,
	         "a: {dist: empirical, file: lat.csv}\n"
	         "j: {dist: empirical, file: sizes.csv}\n",
	         false);
	assert_int_equal(f->errors, 0);
	sim_dist x = sim_schema_dist(f->root, "a", false);
	assert_int_equal(x.kind, SIM_DIST_EMPIRICAL);
	assert_int_equal(x.n, 4);
	assert_float_equal(x.values[0], 5e6, 1e-6);
	assert_float_equal(x.values[1], 10e6, 1e-6);
	assert_float_equal(x.values[2], 20e6, 1e-6);
	assert_float_equal(x.values[3], 25e6, 1e-6);
	sim_dist_fini(&x);
	x = sim_schema_dist(f->root, "j", true);
	assert_int_equal(x.n, 2);
	assert_float_equal(x.values[0], 1024, 1e-9);
	assert_float_equal(x.values[1], 2048, 1e-9);
	sim_dist_fini(&x);
}

static void empirical_file_is_found_beside_the_scenario(void **state)
{
	fixture *f = *state;
	write_file("sub/lat2.csv", "s\n1\n");
	sim_yaml_node *root = parse(f, "sub/s.yaml", "a: {dist: empirical, file: lat2.csv}\n");
	assert_int_equal(sim_schema_check(f->doc, root, &dist_doc, NULL, f->d), 0);
	sim_dist x = sim_schema_dist(root, "a", false);
	assert_int_equal(x.n, 1);
	assert_float_equal(x.values[0], 1e9, 1e-6);
	sim_dist_fini(&x);
}

static void bad_empirical_files_are_reported_at_the_file_key(void **state)
{
	fixture *f = *state;
	write_file("bad.csv", "ms\n10\n20\nabc\n");
	write_file("badunit.csv", "milliseconds\n10\n");
	write_file("empty.csv", "ms\n# nothing yet\n");
	write_file("sizes.csv", "KiB\n1\n");
	check_as(f, &dist_doc,
	         "a: {dist: empirical, file: nosuch.csv}\n"
	         "b: {dist: empirical, file: bad.csv}\n"
	         "c: {dist: empirical, file: badunit.csv}\n"
	         "d: {dist: empirical, file: empty.csv}\n"
	         "e: {dist: empirical, file: sizes.csv}\n"
	         "f: {dist: empirical}\n",
	         false);
	assert_int_equal(f->errors, 6);
	assert_diags(f, false,
	             "x.yaml:1:28: error: cannot read 'nosuch.csv': No such file or directory\n"
	             "x.yaml:2:28: error: bad.csv:4: bad value 'abc'\n"
	             "x.yaml:3:28: error: badunit.csv:1: the first line must name the unit of the "
	             "values, one of ns, us, ms, s, m, min, h, d (got 'milliseconds')\n"
	             "x.yaml:4:28: error: empty.csv: no values (expected the unit on the first "
	             "line, then one value per line)\n"
	             "x.yaml:5:28: error: sizes.csv:1: the first line must name the unit of the "
	             "values, one of ns, us, ms, s, m, min, h, d (got 'KiB')\n"
	             "x.yaml:6:4: error: missing required key 'file' in empirical distribution\n");
}

/* ---- getters ---- */

static const sim_schema typed[] = {
        {.key = "flag", .kind = SIM_SCHEMA_BOOL},
        {.key = "count", .kind = SIM_SCHEMA_INT},
        {.key = "ratio", .kind = SIM_SCHEMA_NUMBER},
        {.key = "text", .kind = SIM_SCHEMA_STRING},
        {.key = "wait", .kind = SIM_SCHEMA_DURATION},
        {.key = "forever", .kind = SIM_SCHEMA_DURATION, .flags = SIM_SCHEMA_NEG1},
        {.key = "mem", .kind = SIM_SCHEMA_SIZE_BINARY_MB},
        {.key = "size", .kind = SIM_SCHEMA_SIZE},
        {.key = "rate", .kind = SIM_SCHEMA_RATE},
        {.key = "frac", .kind = SIM_SCHEMA_FRACTION},
        {.key = "anything", .kind = SIM_SCHEMA_ANY},
        {0},
};
static const sim_schema typed_doc = {.kind = SIM_SCHEMA_MAP, .children = typed};

static void getters_read_checked_values(void **state)
{
	fixture *f = *state;
	check_as(f, &typed_doc,
	         "flag: true\ncount: 12\nratio: 2.5\ntext: hello\nwait: 1m30s\nforever: -1\n"
	         "mem: 1024MB\nsize: 2KB\nrate: 2MiB/s\nfrac: 1%\nanything: [1, {a: b}]\n",
	         false);
	assert_int_equal(f->errors, 0);
	assert_true(sim_schema_bool(f->root, "flag"));
	assert_int_equal(sim_schema_int(f->root, "count"), 12);
	assert_float_equal(sim_schema_number(f->root, "ratio"), 2.5, 0);
	assert_string_equal(sim_schema_string(f->root, "text"), "hello");
	assert_int_equal(sim_schema_duration(f->root, "wait"), 90 * SIM_S);
	assert_int_equal(sim_schema_duration(f->root, "forever"), -1);
	assert_float_equal(sim_schema_size(f->root, "mem", true), 1024.0 * 1048576.0, 0);
	assert_float_equal(sim_schema_size(f->root, "size", false), 2000, 0);
	sim_rate r = sim_schema_rate(f->root, "rate");
	assert_true(r.is_bytes);
	assert_float_equal(r.per_s, 2097152, 1e-6);
	assert_float_equal(sim_schema_fraction(f->root, "frac"), 0.01, 1e-12);
}

static void root_without_what_is_called_the_document(void **state)
{
	fixture *f = *state;
	check_as(f, &typed_doc, "flag: maybe\nflg: true\n", false);
	assert_diags(
	        f, false,
	        "x.yaml:1:7: error: flag must be true or false (got 'maybe')\n"
	        "x.yaml:2:1: error: unknown key 'flg' in the document; did you mean 'flag'?\n");
}

/* ---- enum values ---- */

/* Values far from the indices, so a test tells the table's value from a position. */
static const sim_schema_value colours[] = {{"red", 10}, {"green", 20}, {"blue", 30}, {NULL, 0}};
static const sim_schema colour_item = {.kind = SIM_SCHEMA_ENUM, .values = colours};
static const sim_schema palette[] = {
        {.key = "colour", .kind = SIM_SCHEMA_ENUM, .values = colours},
        {.key = "background", .kind = SIM_SCHEMA_ENUM, .def = "blue", .values = colours},
        {.key = "others", .kind = SIM_SCHEMA_SEQ, .item = &colour_item, .def = "[]"},
        {0},
};
static const sim_schema palette_doc = {.kind = SIM_SCHEMA_MAP, .children = palette};

static void enum_getter_returns_the_values_of_the_table(void **state)
{
	fixture *f = *state;
	check_as(f, &palette_doc, "colour: green\n", false);
	assert_int_equal(f->errors, 0);
	assert_int_equal(sim_schema_enum(f->root, "colour", colours), 20);
	/* A filled-in default reads back the same way. */
	assert_int_equal(sim_schema_enum(f->root, "background", colours), 30);
}

static void unknown_enum_value_is_an_error_with_a_suggestion(void **state)
{
	fixture *f = *state;
	check_as(f, &palette_doc, "colour: gren\nbackground: [red]\nothers: [red, bleu]\n", false);
	assert_int_equal(f->errors, 3);
	assert_diags(f, false,
	             "x.yaml:1:9: error: colour must be one of red, green, blue (got 'gren'); did "
	             "you mean 'green'?\n"
	             "x.yaml:2:13: error: background must be one of red, green, blue, not a list\n"
	             "x.yaml:3:15: error: others[1] must be one of red, green, blue (got 'bleu'); "
	             "did you mean 'blue'?\n");
}

/* ---- references ---- */

#define STREAM   "stream"
#define FUNCTION "function"
#define QUEUE    "queue"
#define TOPIC    "topic"

/* Whether kind is one of the words of kinds ("queue topic"). */
static bool kind_in(const char *kind, const char *kinds)
{
	size_t len = strlen(kind);
	for (const char *p = kinds; (p = strstr(p, kind)) != NULL; p += len)
		if ((p == kinds || p[-1] == ' ') && (p[len] == '\0' || p[len] == ' '))
			return true;
	return false;
}

typedef struct entity {
	const char *kind;
	const char *name;
} entity;

typedef struct registry {
	const entity *entities;
	size_t n;
} registry;

static bool registry_exists(void *ctx, const char *kinds, const char *name)
{
	const registry *r = ctx;
	for (size_t i = 0; i < r->n; i++)
		if (kind_in(r->entities[i].kind, kinds) && strcmp(r->entities[i].name, name) == 0)
			return true;
	return false;
}

static size_t registry_list(void *ctx, const char *kinds, const char **out, size_t max)
{
	const registry *r = ctx;
	size_t n = 0;
	for (size_t i = 0; i < r->n && n < max; i++)
		if (kind_in(r->entities[i].kind, kinds))
			out[n++] = r->entities[i].name;
	return n;
}

/* "stream", "queue or topic", "stream, queue or topic". */
static void registry_noun(void *ctx, const char *kinds, char *buf, size_t len)
{
	static const char *const nouns[] = {"stream", "function", "queue", "topic"};
	const char *picked[4];
	size_t n = 0;
	for (size_t i = 0; i < 4; i++)
		if (kind_in(nouns[i], kinds))
			picked[n++] = nouns[i];
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		used += (size_t)snprintf(buf + used, len - used, "%s%s", sep, picked[i]);
	}
}

static const sim_schema stream_ref = {.kind = SIM_SCHEMA_REF, .refs = STREAM};
static const sim_schema wiring[] = {
        {.key = "stream", .kind = SIM_SCHEMA_REF, .refs = STREAM},
        {.key = "function", .kind = SIM_SCHEMA_REF, .refs = FUNCTION},
        {.key = "target", .kind = SIM_SCHEMA_REF, .refs = QUEUE " " TOPIC},
        {.key = "inputs", .kind = SIM_SCHEMA_SEQ, .item = &stream_ref},
        {0},
};
static const sim_schema wiring_doc = {.kind = SIM_SCHEMA_MAP, .children = wiring};

static const entity pipeline[] = {
        {STREAM, "events"}, {STREAM, "orders"},     {FUNCTION, "g"},
        {QUEUE, "dlq"},     {TOPIC, "retry-topic"},
};
static registry pipeline_registry = {pipeline, sizeof pipeline / sizeof pipeline[0]};

/* Parses and checks text against s, REFs resolved in r (NULL: no resolver). */
static void check_refs(fixture *f, const sim_schema *s, const char *text, registry *r)
{
	sim_schema_names names = {registry_exists, registry_list, registry_noun, r};
	sim_schema_options opt = {.names = r ? &names : NULL};
	f->root = parse(f, "x.yaml", text);
	f->errors = sim_schema_check(f->doc, f->root, s, &opt, f->d);
	assert_int_equal(f->errors, sim_diag_errors(f->d));
}

static void ref_naming_an_entity_of_its_kinds_is_accepted(void **state)
{
	fixture *f = *state;
	check_refs(f, &wiring_doc,
	           "stream: events\nfunction: g\ntarget: retry-topic\ninputs: [orders, events]\n",
	           &pipeline_registry);
	assert_int_equal(f->errors, 0);
	assert_string_equal(sim_schema_string(f->root, "stream"), "events");
	assert_string_equal(sim_schema_string(f->root, "target"), "retry-topic");
}

static void ref_to_nothing_names_the_only_candidate(void **state)
{
	fixture *f = *state;
	/* 'h' is no edit away from 'g' that sim_diag_suggest would take, but it is the only
	 * function there is. */
	check_refs(f, &wiring_doc, "function: h\n", &pipeline_registry);
	assert_int_equal(f->errors, 1);
	assert_diags(f, true,
	             "x.yaml:1:11: error: no function named 'h'; did you mean 'g'?\n"
	             "function: h\n"
	             "          ^\n");
}

static void ref_to_nothing_suggests_the_closest_name(void **state)
{
	fixture *f = *state;
	check_refs(f, &wiring_doc,
	           "stream: event\ntarget: retry-topik\ninputs: [orders, evnts]\n"
	           "function: events\n",
	           &pipeline_registry);
	assert_int_equal(f->errors, 4);
	/* 'events' is a stream, not a function: only entities of the REF's kinds count. */
	assert_diags(f, false,
	             "x.yaml:1:9: error: no stream named 'event'; did you mean 'events'?\n"
	             "x.yaml:2:9: error: no queue or topic named 'retry-topik'; did you mean "
	             "'retry-topic'?\n"
	             "x.yaml:3:18: error: no stream named 'evnts'; did you mean 'events'?\n"
	             "x.yaml:4:11: error: no function named 'events'; did you mean 'g'?\n");
}

static void ref_to_nothing_without_a_close_name_has_no_suggestion(void **state)
{
	fixture *f = *state;
	check_refs(f, &wiring_doc, "stream: clicks\ntarget: [dlq]\n", &pipeline_registry);
	assert_int_equal(f->errors, 2);
	/* A REF that is not a scalar reads as a STRING's would. */
	assert_diags(f, false,
	             "x.yaml:1:9: error: no stream named 'clicks'\n"
	             "x.yaml:2:9: error: target must be a single value, not a list\n");
}

static void ref_suggestion_sees_more_names_than_a_first_buffer_holds(void **state)
{
	fixture *f = *state;
	static char names[100][8];
	entity many[101];
	for (size_t i = 0; i < 100; i++) {
		snprintf(names[i], sizeof names[i], "s%03zu", i);
		many[i] = (entity){STREAM, names[i]};
	}
	many[100] = (entity){STREAM, "clickstream"};
	registry r = {many, 101};
	check_refs(f, &wiring_doc, "stream: clickstraem\n", &r);
	assert_diags(f, false,
	             "x.yaml:1:9: error: no stream named 'clickstraem'; did you mean "
	             "'clickstream'?\n");
}

static void ref_without_resolver_is_a_plain_string(void **state)
{
	fixture *f = *state;
	check_refs(f, &wiring_doc, "stream: nothing\ninputs: [a, b]\nfunction: {a: 1}\n", NULL);
	assert_int_equal(f->errors, 1);
	assert_diags(f, false, "x.yaml:3:11: error: function must be a single value, not a map\n");
	assert_string_equal(sim_schema_string(f->root, "stream"), "nothing");
}

/* ---- filling config structs ---- */

typedef struct limits {
	double ratio;
	int32_t count;
	int32_t absent;
} limits;

typedef struct config {
	bool flag;
	int32_t count;
	int64_t big;
	int64_t forever;
	int32_t retries;
	double ratio;
	double frac;
	double size;
	double mem;
	double unbounded;
	double rate;
	sim_time wait;
	sim_time never;
	int colour;
	const char *text;
	const char *stream;
	sim_dist latency;
	sim_dist record_size;
	limits nested;
	int32_t absent_count;
	const char *absent_text;
	double absent_number;
	int unfilled;
} config;

static const sim_schema limits_keys[] = {
        {.key = "ratio", .kind = SIM_SCHEMA_NUMBER, SIM_SCHEMA_AT(limits, ratio)},
        {.key = "count", .kind = SIM_SCHEMA_INT, SIM_SCHEMA_AT(limits, count)},
        {.key = "absent", .kind = SIM_SCHEMA_INT, SIM_SCHEMA_AT(limits, absent)},
        {0},
};

static const sim_schema config_keys[] = {
        {.key = "flag", .kind = SIM_SCHEMA_BOOL, SIM_SCHEMA_AT(config, flag)},
        {.key = "count", .kind = SIM_SCHEMA_INT, SIM_SCHEMA_AT(config, count)},
        {.key = "big", .kind = SIM_SCHEMA_INT, SIM_SCHEMA_AT(config, big)},
        {.key = "forever",
         .kind = SIM_SCHEMA_INT,
         .flags = SIM_SCHEMA_NEG1,
         SIM_SCHEMA_AT(config, forever)},
        {.key = "retries",
         .kind = SIM_SCHEMA_INT,
         .def = "-1",
         .flags = SIM_SCHEMA_NEG1,
         .min = 0,
         .max = 10000,
         SIM_SCHEMA_AT(config, retries)},
        {.key = "ratio", .kind = SIM_SCHEMA_NUMBER, SIM_SCHEMA_AT(config, ratio)},
        {.key = "frac", .kind = SIM_SCHEMA_FRACTION, SIM_SCHEMA_AT(config, frac)},
        {.key = "size", .kind = SIM_SCHEMA_SIZE, SIM_SCHEMA_AT(config, size)},
        {.key = "mem", .kind = SIM_SCHEMA_SIZE_BINARY_MB, SIM_SCHEMA_AT(config, mem)},
        {.key = "unbounded",
         .kind = SIM_SCHEMA_SIZE,
         .flags = SIM_SCHEMA_NEG1,
         SIM_SCHEMA_AT(config, unbounded)},
        {.key = "rate", .kind = SIM_SCHEMA_RATE, SIM_SCHEMA_AT(config, rate)},
        {.key = "wait", .kind = SIM_SCHEMA_DURATION, .def = "250ms", SIM_SCHEMA_AT(config, wait)},
        {.key = "never",
         .kind = SIM_SCHEMA_DURATION,
         .flags = SIM_SCHEMA_NEG1,
         SIM_SCHEMA_AT(config, never)},
        {.key = "colour",
         .kind = SIM_SCHEMA_ENUM,
         .values = colours,
         SIM_SCHEMA_AT(config, colour)},
        {.key = "text", .kind = SIM_SCHEMA_STRING, SIM_SCHEMA_AT(config, text)},
        {.key = "stream", .kind = SIM_SCHEMA_REF, .refs = STREAM, SIM_SCHEMA_AT(config, stream)},
        {.key = "latency", .kind = SIM_SCHEMA_DIST_DURATION, SIM_SCHEMA_AT(config, latency)},
        {.key = "record_size", .kind = SIM_SCHEMA_DIST_SIZE, SIM_SCHEMA_AT(config, record_size)},
        {.key = "nested",
         .kind = SIM_SCHEMA_MAP,
         .children = limits_keys,
         SIM_SCHEMA_AT(config, nested)},
        {.key = "absent_count", .kind = SIM_SCHEMA_INT, SIM_SCHEMA_AT(config, absent_count)},
        {.key = "absent_text", .kind = SIM_SCHEMA_STRING, SIM_SCHEMA_AT(config, absent_text)},
        {.key = "absent_number", .kind = SIM_SCHEMA_NUMBER, SIM_SCHEMA_AT(config, absent_number)},
        /* Checked but not filled: no offset. */
        {.key = "unfilled", .kind = SIM_SCHEMA_INT},
        {.key = "extra", .kind = SIM_SCHEMA_ANY},
        {0},
};
static const sim_schema config_doc = {.kind = SIM_SCHEMA_MAP, .children = config_keys};

static void fill_writes_every_kind_into_its_field(void **state)
{
	fixture *f = *state;
	check_refs(f, &config_doc,
	           "flag: true\n"
	           "count: 12\n"
	           "big: 5000000000\n"
	           "forever: -1\n"
	           "ratio: 2.5\n"
	           "frac: 50%\n"
	           "size: 2KB\n"
	           "mem: 1024MB\n"
	           "unbounded: -1\n"
	           "rate: 2MiB/s\n"
	           "never: -1\n"
	           "colour: blue\n"
	           "text: hello\n"
	           "stream: events\n"
	           "latency: {dist: lognormal, median: 20ms, p99: 200ms}\n"
	           "record_size: 1KB\n"
	           "nested: {ratio: 0.25, count: 7}\n"
	           "unfilled: 3\n"
	           "extra: [1, 2]\n",
	           &pipeline_registry);
	assert_int_equal(f->errors, 0);
	/* The caller presets what the scenario may leave out. */
	config c = {.absent_count = 42,
	            .absent_text = "preset",
	            .absent_number = 1.5,
	            .nested = {.absent = 9},
	            .unfilled = -7};
	sim_schema_fill(f->root, config_keys, &c);
	assert_true(c.flag);
	assert_int_equal(c.count, 12);
	assert_int_equal(c.big, 5000000000LL);
	assert_int_equal(c.forever, -1);
	assert_int_equal(c.retries, -1); /* from its default */
	assert_float_equal(c.ratio, 2.5, 0);
	assert_float_equal(c.frac, 0.5, 1e-12);
	assert_float_equal(c.size, 2000, 0);
	assert_float_equal(c.mem, 1024.0 * 1048576.0, 0);
	assert_float_equal(c.unbounded, -1, 0);
	assert_float_equal(c.rate, 2097152, 1e-6);
	assert_int_equal(c.wait, 250 * SIM_MS); /* from its default */
	assert_int_equal(c.never, -1);
	assert_int_equal(c.colour, 30);
	assert_string_equal(c.text, "hello");
	assert_ptr_equal(c.text, sim_schema_string(f->root, "text")); /* borrowed */
	assert_string_equal(c.stream, "events");
	assert_int_equal(c.latency.kind, SIM_DIST_LOGNORMAL);
	assert_float_equal(c.latency.a, log(20e6), 1e-9);
	assert_int_equal(c.record_size.kind, SIM_DIST_CONST);
	assert_float_equal(sim_dist_mean(&c.record_size), 1000, 1e-9);
	assert_float_equal(c.nested.ratio, 0.25, 0);
	assert_int_equal(c.nested.count, 7);
	/* Absent keys and rows without an offset leave their fields alone. */
	assert_int_equal(c.nested.absent, 9);
	assert_int_equal(c.absent_count, 42);
	assert_string_equal(c.absent_text, "preset");
	assert_float_equal(c.absent_number, 1.5, 0);
	assert_int_equal(c.unfilled, -7);
	sim_dist_fini(&c.latency);
	sim_dist_fini(&c.record_size);
}

static void int_too_large_for_its_32_bit_field_is_an_error(void **state)
{
	fixture *f = *state;
	check_refs(f, &config_doc, "count: 3000000000\nbig: 3000000000\n", NULL);
	assert_int_equal(f->errors, 1);
	assert_diags(f, false, "x.yaml:1:8: error: count must be 0..2147483647 (got 3000000000)\n");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(valid_scenario_gets_its_defaults_filled_in),
	        T(defaults_fill_sequence_items_and_fill_maps),
	        T(unknown_key_is_reported_at_the_key_with_a_suggestion),
	        T(unknown_key_without_close_match_has_no_suggestion),
	        T(missing_required_key_is_reported_at_the_key_naming_the_map),
	        T(missing_required_key_of_the_root_is_reported_at_its_start),
	        T(wrong_scalar_of_each_kind_is_reported),
	        T(wrong_shapes_are_reported),
	        T(soft_range_is_an_error_with_the_callers_hint_by_default),
	        T(soft_range_is_a_warning_when_soft_ranges_warn),
	        T(soft_range_error_has_no_hint_when_the_caller_gives_none),
	        T(bare_minus_one_is_accepted_only_where_flagged),
	        T(not_implemented_key_is_an_error_unless_it_has_its_default),
	        T(variant_needs_exactly_one_discriminator),
	        T(three_mistakes_give_exactly_three_errors_in_one_pass),
	        T(set_value_errors_are_reported_against_the_argument),
	        T(good_distributions_parse_to_their_parameters),
	        T(bad_distributions_are_reported_one_by_one),
	        T(parse_dist_reports_through_its_diag),
	        T(empirical_file_gives_its_values_in_base_units),
	        T(empirical_file_is_found_beside_the_scenario),
	        T(bad_empirical_files_are_reported_at_the_file_key),
	        T(getters_read_checked_values),
	        T(root_without_what_is_called_the_document),
	        T(enum_getter_returns_the_values_of_the_table),
	        T(unknown_enum_value_is_an_error_with_a_suggestion),
	        T(ref_naming_an_entity_of_its_kinds_is_accepted),
	        T(ref_to_nothing_names_the_only_candidate),
	        T(ref_to_nothing_suggests_the_closest_name),
	        T(ref_to_nothing_without_a_close_name_has_no_suggestion),
	        T(ref_suggestion_sees_more_names_than_a_first_buffer_holds),
	        T(ref_without_resolver_is_a_plain_string),
	        T(fill_writes_every_kind_into_its_field),
	        T(int_too_large_for_its_32_bit_field_is_an_error),
	};
#undef T
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
