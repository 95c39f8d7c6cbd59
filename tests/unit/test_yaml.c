/* Tests of yaml.c: positions, the error messages of docs/scenario.md, aliases, emit/re-parse round
 * trips and --set assignments. Positions are counted by hand from the literal texts. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim/alloc.h"
#include "sim/yaml.h"

typedef struct fixture {
	sim_yaml_doc *doc;
	sim_diag *d;
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

static sim_yaml_node *parse(fixture *f, const char *text)
{
	return sim_yaml_parse(f->doc, "x.yaml", text, strlen(text), f->d);
}

static void assert_diags(const fixture *f, const char *expected)
{
	char *s = sim_diag_format(f->d, true);
	assert_string_equal(s, expected);
	sim_free(s);
}

static void assert_emit(const sim_yaml_node *n, const char *expected)
{
	char *s = sim_yaml_emit(n);
	assert_string_equal(s, expected);
	sim_free(s);
}

/* Same kinds, texts, quoted flags, keys in the same order. */
static bool tree_equal(const sim_yaml_node *a, const sim_yaml_node *b)
{
	if (a->kind != b->kind || a->n != b->n)
		return false;
	if (a->kind == SIM_YAML_SCALAR)
		return strcmp(a->text, b->text) == 0 && a->quoted == b->quoted;
	for (size_t i = 0; i < a->n; i++) {
		if (a->kind == SIM_YAML_MAP) {
			if (strcmp(a->pairs[i].key->text, b->pairs[i].key->text) != 0 ||
			    !tree_equal(a->pairs[i].value, b->pairs[i].value))
				return false;
		} else if (!tree_equal(a->items[i], b->items[i])) {
			return false;
		}
	}
	return true;
}

static void parse_records_one_based_positions(void **state)
{
	fixture *f = *state;
	sim_yaml_node *root =
	        parse(f, "streams:\n  events:\n    shards: 4\n    mode: provisioned\n");
	assert_non_null(root);
	assert_int_equal(root->kind, SIM_YAML_MAP);
	assert_int_equal(root->line, 1);
	assert_int_equal(root->col, 1);
	assert_string_equal(root->file, "x.yaml");
	sim_yaml_node *events = sim_yaml_get(sim_yaml_get(root, "streams"), "events");
	assert_non_null(events);
	sim_yaml_pair *shards = sim_yaml_get_pair(events, "shards");
	assert_int_equal(shards->key->line, 3);
	assert_int_equal(shards->key->col, 5);
	assert_int_equal(shards->value->line, 3);
	assert_int_equal(shards->value->col, 13);
	assert_string_equal(shards->value->text, "4");
	sim_yaml_node *mode = sim_yaml_get(events, "mode");
	assert_int_equal(mode->line, 4);
	assert_int_equal(mode->col, 11);
	assert_int_equal(sim_diag_errors(f->d), 0);
	size_t len;
	assert_string_equal(sim_yaml_source_text(f->doc, "x.yaml", &len),
	                    "streams:\n  events:\n    shards: 4\n    mode: provisioned\n");
	assert_int_equal(len, 55);
	assert_null(sim_yaml_source_text(f->doc, "other.yaml", &len));
}

static void quoted_and_block_scalars_are_marked_quoted(void **state)
{
	fixture *f = *state;
	sim_yaml_node *root = parse(
	        f, "a: 'x'\nb: \"y\"\nc: z\nd: |\n  line\ne: >\n  folded\n  text\nf: !!str 5\n"
	           "g:\n");
	assert_non_null(root);
	assert_true(sim_yaml_get(root, "a")->quoted);
	assert_true(sim_yaml_get(root, "b")->quoted);
	assert_false(sim_yaml_get(root, "c")->quoted);
	assert_true(sim_yaml_get(root, "d")->quoted);
	assert_string_equal(sim_yaml_get(root, "d")->text, "line\n");
	assert_true(sim_yaml_get(root, "e")->quoted);
	assert_string_equal(sim_yaml_get(root, "e")->text, "folded text\n");
	assert_true(sim_yaml_get(root, "f")->quoted);
	assert_string_equal(sim_yaml_get(root, "g")->text, "");
	assert_true(sim_yaml_is_null(sim_yaml_get(root, "g")));
	assert_false(sim_yaml_is_null(sim_yaml_get(root, "a")));
	assert_null(sim_yaml_get(root, "h"));
	assert_null(sim_yaml_get(sim_yaml_get(root, "a"), "x"));
}

static void flow_collections_record_their_opening_position(void **state)
{
	fixture *f = *state;
	sim_yaml_node *root =
	        parse(f, "reshard:\n  - {at: 10m, shards: 8}\ntraces: [invocations]\n");
	assert_non_null(root);
	sim_yaml_node *seq = sim_yaml_get(root, "reshard");
	assert_int_equal(seq->kind, SIM_YAML_SEQ);
	assert_int_equal(seq->n, 1);
	assert_int_equal(seq->items[0]->line, 2);
	assert_int_equal(seq->items[0]->col, 5);
	sim_yaml_node *shards = sim_yaml_get(seq->items[0], "shards");
	assert_int_equal(shards->col, 23);
	sim_yaml_node *traces = sim_yaml_get(root, "traces");
	assert_int_equal(traces->line, 3);
	assert_int_equal(traces->col, 9);
	assert_string_equal(traces->items[0]->text, "invocations");
}

static void duplicate_key_is_reported_at_its_second_occurrence(void **state)
{
	fixture *f = *state;
	sim_yaml_node *root = parse(f, "kinesim: 1\n"
	                               "streams:\n"
	                               "  events:\n"
	                               "    mode: provisioned\n"
	                               "    retention: 24h\n"
	                               "    shards: 4\n"
	                               "    shards: 8\n"
	                               "name: a\n"
	                               "name: b\n");
	/* The tree survives, with the first values, so later checks can report more. */
	assert_non_null(root);
	assert_string_equal(
	        sim_yaml_get(sim_yaml_get(sim_yaml_get(root, "streams"), "events"), "shards")->text,
	        "4");
	/* Parsing went on after the first duplicate and found the second. */
	assert_diags(f, "x.yaml:7:5: error: duplicate key 'shards' (first at line 6)\n"
	                "    shards: 8\n"
	                "    ^\n"
	                "x.yaml:9:1: error: duplicate key 'name' (first at line 8)\n"
	                "name: b\n"
	                "^\n");
}

static void syntax_error_reports_libyaml_problem_at_its_mark(void **state)
{
	fixture *f = *state;
	/* The second ':' of line 2 is its 8th character. */
	assert_null(parse(f, "name: x\nmode: a: b\n"));
	assert_diags(f, "x.yaml:2:8: error: mapping values are not allowed in this context\n"
	                "mode: a: b\n"
	                "       ^\n");
}

static void syntax_error_names_the_construct_it_was_in(void **state)
{
	fixture *f = *state;
	/* A flow map left open: libyaml's problem and context, the end of input as position. */
	assert_null(parse(f, "a: {b: 1\n"));
	assert_diags(f, "x.yaml:2:1: error: did not find expected ',' or '}' (while parsing a flow "
	                "mapping that starts at line 1)\n");
}

static void alias_resolves_to_a_copy_of_the_anchored_node(void **state)
{
	fixture *f = *state;
	sim_yaml_node *root = parse(f, "base: &lat {dist: lognormal, median: 20ms, p99: 200ms}\n"
	                               "copy: *lat\n"
	                               "word: &w hello\n"
	                               "again: *w\n");
	assert_non_null(root);
	sim_yaml_node *base = sim_yaml_get(root, "base"), *copy = sim_yaml_get(root, "copy");
	assert_true(tree_equal(base, copy));
	assert_ptr_not_equal(base, copy);
	assert_string_equal(sim_yaml_get(root, "again")->text, "hello");
	/* Editing the copy leaves the original alone. */
	sim_yaml_map_set(f->doc, copy, "median", sim_yaml_new_scalar(f->doc, "30ms"));
	assert_string_equal(sim_yaml_get(base, "median")->text, "20ms");
}

static void undefined_alias_is_an_error(void **state)
{
	fixture *f = *state;
	assert_null(parse(f, "a: 1\nb: *nope\n"));
	assert_diags(f, "x.yaml:2:4: error: undefined alias '*nope' (no '&nope' before it)\n"
	                "b: *nope\n"
	                "   ^\n");
}

static void a_key_that_is_a_list_is_an_error(void **state)
{
	fixture *f = *state;
	assert_null(parse(f, "? [a, b]\n: c\nd: 1\n"));
	assert_diags(f, "x.yaml:1:3: error: a key must be a single value, not a list\n"
	                "? [a, b]\n"
	                "  ^\n");
}

static void second_document_is_an_error(void **state)
{
	fixture *f = *state;
	assert_null(parse(f, "a: 1\n---\nb: 2\n"));
	assert_diags(f, "x.yaml:2:1: error: only one YAML document is allowed\n---\n^\n");
}

static void empty_text_is_an_empty_scalar(void **state)
{
	fixture *f = *state;
	sim_yaml_node *root = parse(f, "");
	assert_non_null(root);
	assert_int_equal(root->kind, SIM_YAML_SCALAR);
	assert_string_equal(root->text, "");
	root = parse(f, "# only a comment\n");
	assert_non_null(root);
	assert_true(sim_yaml_is_null(root));
}

static void missing_file_returns_errno_without_reporting(void **state)
{
	fixture *f = *state;
	int err = 0;
	assert_null(sim_yaml_load_file(f->doc, "/nonexistent/kinesim/x.yaml", f->d, &err));
	assert_int_equal(err, -ENOENT);
	assert_int_equal(sim_diag_errors(f->d), 0);
}

static void emit_writes_block_style_with_needed_quotes(void **state)
{
	fixture *f = *state;
	sim_yaml_node *root = parse(f, "name: hot-stream\n"
	                               "streams: {events: {shards: 4}}\n"
	                               "triggers: [{kinesis: events, batch_size: 100}, {sqs: q}]\n"
	                               "empty_map: {}\n"
	                               "empty_seq: []\n"
	                               "nothing:\n"
	                               "list: [a, [x, y]]\n"
	                               "string_eight: '8'\n"
	                               "number_eight: 8\n"
	                               "colon: 'a: b'\n"
	                               "hash: 'a #b'\n"
	                               "spaces: ' x '\n"
	                               "dash: '- x'\n"
	                               "star: '*x'\n"
	                               "empty: ''\n"
	                               "needless: 'plain'\n"
	                               "text: |\n  two\n  \"lines\"\n");
	assert_non_null(root);
	assert_emit(root, "name: hot-stream\n"
	                  "streams:\n"
	                  "  events:\n"
	                  "    shards: 4\n"
	                  "triggers:\n"
	                  "  - kinesis: events\n"
	                  "    batch_size: 100\n"
	                  "  - sqs: q\n"
	                  "empty_map: {}\n"
	                  "empty_seq: []\n"
	                  "nothing:\n"
	                  "list:\n"
	                  "  - a\n"
	                  "  - - x\n"
	                  "    - y\n"
	                  "string_eight: \"8\"\n"
	                  "number_eight: 8\n"
	                  "colon: \"a: b\"\n"
	                  "hash: \"a #b\"\n"
	                  "spaces: \" x \"\n"
	                  "dash: \"- x\"\n"
	                  "star: \"*x\"\n"
	                  "empty: \"\"\n"
	                  "needless: plain\n"
	                  "text: \"two\\n\\\"lines\\\"\\n\"\n");
}

static void emit_of_scalar_and_empty_roots(void **state)
{
	fixture *f = *state;
	assert_emit(sim_yaml_new_map(f->doc), "{}\n");
	assert_emit(sim_yaml_new_seq(f->doc), "[]\n");
	assert_emit(sim_yaml_new_scalar(f->doc, "x"), "x\n");
	sim_yaml_node *seq = sim_yaml_new_seq(f->doc);
	sim_yaml_seq_append(f->doc, seq, sim_yaml_new_scalar(f->doc, "a"));
	sim_yaml_seq_append(f->doc, seq, sim_yaml_new_map(f->doc));
	assert_emit(seq, "- a\n- {}\n");
}

static const char scenario[] =
        "# A realistic scenario, after docs/scenario.md\n"
        "kinesim: 1\n"
        "name: hot-stream\n"
        "description: >\n"
        "  Five Lambda functions poll the same stream.\n"
        "  Reads throttle.\n"
        "seed: 1\n"
        "duration: 30m\n"
        "output:\n"
        "  traces: [invocations]\n"
        "  trace_sample: 1%\n"
        "platform:\n"
        "  aws_ranges: warn\n"
        "  kinesis:\n"
        "    getrecords_latency: &lat {dist: lognormal, median: 70ms, p99: 300ms}\n"
        "  sns: {delivery_latency: *lat}\n"
        "streams:\n"
        "  events:\n"
        "    shards: 4\n"
        "    reshard:\n"
        "      - {at: 10m, shards: 8}\n"
        "producers:\n"
        "  app:\n"
        "    stream: events\n"
        "    rate: 400/s\n"
        "    record_size: {dist: uniform, min: 512B, max: 2KB}\n"
        "    partition_keys: {count: 10000, hot_key_share: 0%}\n"
        "functions:\n"
        "  feed:\n"
        "    count: 5\n"
        "    memory: 1024MB\n"
        "    note: \"true\"\n"
        "    label: 'on'\n"
        "    version: \"1.0\"\n"
        "    errors:\n"
        "      poison_indices: [37, 41]\n"
        "      outages:\n"
        "        - {start: 10m, end: 12m}\n"
        "    triggers:\n"
        "      - kinesis: events\n"
        "        batch_size: 100\n"
        "        maximum_retry_attempts: -1\n"
        "        on_failure: failed\n"
        "      - sqs: retry-queue\n"
        "    forward:\n"
        "      - {function: a, invoke: sync}\n"
        "topics:\n"
        "  retry-topic: {}\n"
        "queues:\n"
        "  retry-queue:\n"
        "    redrive_to: dlq\n"
        "  dlq:\n"
        "    alarm: {threshold: 1, period: 1m}\n"
        "expect:\n"
        "  - events.read_throttled.per_shard_per_minute > 30\n"
        "  - feed-1.latency.p99 < 5s\n"
        "  - feed-1.records_skipped == 0\n"
        "  - \"quoted: needs it\"\n";

static void emitted_scenario_reparses_to_an_equal_tree(void **state)
{
	fixture *f = *state;
	sim_yaml_node *root = parse(f, scenario);
	assert_non_null(root);
	assert_string_equal(sim_yaml_get(root, "description")->text,
	                    "Five Lambda functions poll the same stream. Reads throttle.\n");
	char *text = sim_yaml_emit(root);
	sim_yaml_node *again = sim_yaml_parse(f->doc, "emitted.yaml", text, strlen(text), f->d);
	assert_non_null(again);
	/* The scenario has no needless quotes, so even the quoted flags survive. */
	assert_true(tree_equal(root, again));
	char *text2 = sim_yaml_emit(again);
	assert_string_equal(text, text2);
	sim_free(text);
	sim_free(text2);
	assert_int_equal(sim_diag_errors(f->d), 0);
}

static void emit_keeps_awkward_strings_readable_back(void **state)
{
	fixture *f = *state;
	static const char *const texts[] = {
	        "",     "~",           "null",        "true", "yes",  "8",    "-1",
	        "1e3",  ".5",          "0x1f",        "a: b", "a #b", " x",   "x ",
	        "-",    "- x",         "---",         "...",  "? x",  ":x",   "x:",
	        "[a]",  "{a}",         "&a",          "*a",   "!a",   "|a",   ">a",
	        "'a",   "\"a",         "%a",          "@a",   "`a",   "#a",   "a\tb",
	        "a\nb", "back\\slash", "caf\xc3\xa9", "a,b",  "-5ms", "10/s",
	};
	sim_yaml_node *root = sim_yaml_new_map(f->doc);
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char key[32];
		snprintf(key, sizeof key, "k%zu", i);
		sim_yaml_node *q = sim_yaml_new_scalar(f->doc, texts[i]);
		q->quoted = true;
		sim_yaml_map_set(f->doc, root, key, q);
	}
	char *text = sim_yaml_emit(root);
	sim_yaml_node *again = sim_yaml_parse(f->doc, "emitted.yaml", text, strlen(text), f->d);
	assert_non_null(again);
	for (size_t i = 0; i < root->n; i++) {
		/* Each reads back with the same text, and as a string: quoted, or plain text
		 * that YAML does not take for a null, bool or number. */
		const sim_yaml_node *v = again->pairs[i].value;
		assert_string_equal(v->text, texts[i]);
		assert_false(sim_yaml_is_null(v));
	}
	sim_free(text);
}

static void clone_is_deep_and_keeps_positions(void **state)
{
	fixture *f = *state;
	sim_yaml_node *root = parse(f, "a:\n  b: [1, 2]\n");
	sim_yaml_node *c = sim_yaml_clone(f->doc, root);
	assert_true(tree_equal(root, c));
	assert_ptr_not_equal(sim_yaml_get(c, "a"), sim_yaml_get(root, "a"));
	assert_int_equal(sim_yaml_get(sim_yaml_get(c, "a"), "b")->line, 2);
	assert_int_equal(sim_yaml_get(sim_yaml_get(c, "a"), "b")->col, 6);
}

/* ---- --set ---- */

static const char base[] = "streams:\n"
                           "  events:\n"
                           "    shards: 4\n"
                           "functions:\n"
                           "  feed:\n"
                           "    triggers:\n"
                           "      - kinesis: events\n"
                           "topics:\n"
                           "  t:\n";

static void set_replaces_an_existing_value(void **state)
{
	fixture *f = *state;
	sim_yaml_node *root = parse(f, base);
	assert_int_equal(
	        sim_yaml_set_path(f->doc, root, "streams.events.shards=8", "--set #1", f->d), 0);
	sim_yaml_pair *p =
	        sim_yaml_get_pair(sim_yaml_get(sim_yaml_get(root, "streams"), "events"), "shards");
	assert_string_equal(p->value->text, "8");
	assert_string_equal(p->value->file, "--set #1");
	assert_int_equal(p->value->line, 0);
	assert_int_equal(p->value->col, 0);
	/* The key still points into the file. */
	assert_int_equal(p->key->line, 3);
	assert_int_equal(sim_diag_errors(f->d), 0);
}

static void set_creates_missing_maps_and_reads_value_as_yaml(void **state)
{
	fixture *f = *state;
	sim_yaml_node *root = parse(f, base);
	assert_int_equal(sim_yaml_set_path(f->doc, root, "functions.feed.errors={invocation: 1%}",
	                                   "--set #1", f->d),
	                 0);
	assert_int_equal(
	        sim_yaml_set_path(f->doc, root, "platform.kinesis.read_tps=10/s", "--set #2", f->d),
	        0);
	assert_int_equal(sim_yaml_set_path(f->doc, root, "topics.t.note=a=b", "--set #3", f->d), 0);
	assert_emit(root, "streams:\n"
	                  "  events:\n"
	                  "    shards: 4\n"
	                  "functions:\n"
	                  "  feed:\n"
	                  "    triggers:\n"
	                  "      - kinesis: events\n"
	                  "    errors:\n"
	                  "      invocation: 1%\n"
	                  "topics:\n"
	                  "  t:\n"
	                  "    note: a=b\n"
	                  "platform:\n"
	                  "  kinesis:\n"
	                  "    read_tps: 10/s\n");
	sim_yaml_node *inv = sim_yaml_get(
	        sim_yaml_get(sim_yaml_get(sim_yaml_get(root, "functions"), "feed"), "errors"),
	        "invocation");
	assert_string_equal(inv->file, "--set #1");
	assert_int_equal(inv->line, 0);
	assert_int_equal(sim_diag_errors(f->d), 0);
}

static void set_indexes_sequences_and_appends_at_their_length(void **state)
{
	fixture *f = *state;
	sim_yaml_node *root = parse(f, base);
	assert_int_equal(sim_yaml_set_path(f->doc, root,
	                                   "functions.feed.triggers[0].batch_size=500", "--set #1",
	                                   f->d),
	                 0);
	assert_int_equal(sim_yaml_set_path(f->doc, root, "functions.feed.triggers[1]={sqs: q}",
	                                   "--set #2", f->d),
	                 0);
	assert_int_equal(sim_yaml_set_path(f->doc, root, "functions.feed.triggers[2].sns=t",
	                                   "--set #3", f->d),
	                 0);
	assert_int_equal(sim_yaml_set_path(f->doc, root, "functions.feed.triggers[1]={s3: a}",
	                                   "--set #4", f->d),
	                 0);
	assert_int_equal(
	        sim_yaml_set_path(f->doc, root, "functions.feed.poison[0]=37", "--set #5", f->d),
	        0);
	sim_yaml_node *feed = sim_yaml_get(sim_yaml_get(root, "functions"), "feed");
	assert_emit(feed, "triggers:\n"
	                  "  - kinesis: events\n"
	                  "    batch_size: 500\n"
	                  "  - s3: a\n"
	                  "  - sns: t\n"
	                  "poison:\n"
	                  "  - 37\n");
	assert_int_equal(sim_diag_errors(f->d), 0);
}

static void set_turns_a_null_value_into_a_map(void **state)
{
	fixture *f = *state;
	sim_yaml_node *root = parse(f, base);
	assert_int_equal(sim_yaml_set_path(f->doc, root, "topics.t.x=1", "--set #1", f->d), 0);
	assert_string_equal(
	        sim_yaml_get(sim_yaml_get(sim_yaml_get(root, "topics"), "t"), "x")->text, "1");
	sim_yaml_node *empty = parse(f, "");
	assert_int_equal(sim_yaml_set_path(f->doc, empty, "a.b=c", "--set #2", f->d), 0);
	assert_emit(empty, "a:\n  b: c\n");
}

static void set_error(void **state, const char *assignment, const char *expected)
{
	fixture *f = *state;
	sim_yaml_node *root = parse(f, base);
	char *before = sim_yaml_emit(root);
	assert_int_equal(sim_yaml_set_path(f->doc, root, assignment, "--set #2", f->d), -EINVAL);
	assert_diags(f, expected);
	/* A failed assignment leaves the tree as it was. */
	char *after = sim_yaml_emit(root);
	assert_string_equal(before, after);
	sim_free(before);
	sim_free(after);
}

static void set_without_equals_sign_is_an_error(void **state)
{
	set_error(
	        state, "streams.events.shards",
	        "--set #2: error: expected PATH=VALUE (got 'streams.events.shards'); write it like "
	        "functions.feed.triggers[0].batch_size=500\n");
}

static void set_with_empty_path_is_an_error(void **state)
{
	set_error(state, "=8",
	          "--set #2: error: the PATH before '=' is empty (got '=8'); write it like "
	          "functions.feed.triggers[0].batch_size=500\n");
}

static void set_with_bad_index_is_an_error(void **state)
{
	set_error(
	        state, "functions.feed.triggers[x].batch_size=1",
	        "--set #2: error: bad index '[x]' in PATH 'functions.feed.triggers[x].batch_size': "
	        "write a number from 0 in brackets, like triggers[0]\n");
}

static void set_with_negative_index_is_an_error(void **state)
{
	set_error(state, "functions.feed.triggers[-1]=1",
	          "--set #2: error: bad index '[-1]' in PATH 'functions.feed.triggers[-1]': "
	          "write a number from 0 in brackets, like triggers[0]\n");
}

static void set_with_bad_character_in_path_is_an_error(void **state)
{
	set_error(state, "streams.ev ents.shards=1",
	          "--set #2: error: unexpected ' ' in PATH 'streams.ev ents.shards': keys are made "
	          "of letters, digits, '_' and '-', joined by '.', with [N] for list items, like "
	          "functions.feed.triggers[0].batch_size\n");
}

static void set_with_path_ending_in_dot_is_an_error(void **state)
{
	set_error(state, "streams.=1",
	          "--set #2: error: PATH 'streams.' ends with '.': a key name must follow, like "
	          "functions.feed.triggers[0].batch_size\n");
}

static void set_with_path_starting_with_index_is_an_error(void **state)
{
	set_error(
	        state, "[0]=1",
	        "--set #2: error: PATH '[0]' starts with an index: it must start with a key name, "
	        "like functions.feed.triggers[0].batch_size\n");
}

static void set_indexing_a_map_is_an_error(void **state)
{
	set_error(
	        state, "streams[0].shards=1",
	        "--set #2: error: 'streams' is a map, not a list, so it has no item [0]; name one "
	        "of its keys with '.'\n");
}

static void set_naming_a_key_of_a_list_is_an_error(void **state)
{
	set_error(state, "functions.feed.triggers.batch_size=1",
	          "--set #2: error: 'functions.feed.triggers' is a list, so it has no key "
	          "'batch_size'; pick an item by index, like "
	          "functions.feed.triggers[0].batch_size\n");
}

static void set_naming_a_key_of_a_value_is_an_error(void **state)
{
	set_error(state, "streams.events.shards.count=1",
	          "--set #2: error: 'streams.events.shards' is a value ('4'), not a map, so it has "
	          "no "
	          "key 'count'\n");
}

static void set_indexing_a_value_is_an_error(void **state)
{
	set_error(state, "streams.events.shards[0]=1",
	          "--set #2: error: 'streams.events.shards' is a value, not a list, so it has no "
	          "item [0]\n");
}

static void set_index_beyond_length_is_an_error(void **state)
{
	set_error(
	        state, "functions.feed.triggers[2]={sqs: q}",
	        "--set #2: error: index 2 is beyond the end of 'functions.feed.triggers' (1 item): "
	        "use 0..0 to replace an item or 1 to append one\n");
}

static void set_with_invalid_yaml_value_is_an_error(void **state)
{
	set_error(
	        state, "functions.feed.errors={invocation: 1%",
	        "--set #2: error: the VALUE after '=' is not valid YAML: did not find expected ',' "
	        "or '}' (while parsing a flow mapping that starts at line 1) (got '{invocation: "
	        "1%'); write a YAML value such as 8, 250ms, '\"a: b\"' or {invocation: 1%}\n");
}

/* ---- input the parser must survive: size, NUL, BOM ---- */

/* Processor time, not wall time: the bound holds on a busy machine too. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define BIG 200000
/* Generous: a fraction of a second in a release build, a few seconds under the sanitizers.
 * Linear key and anchor lookups took minutes here. */
#define BIG_SECONDS 10.0

/* A growing text for the big documents. */
typedef struct growing {
	char *s;
	size_t n, cap;
} growing;

static void add(growing *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(growing *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	sim_grow(&t->s, &t->cap, t->n + (size_t)len + 1, 1);
	va_start(ap, fmt);
	vsnprintf(t->s + t->n, (size_t)len + 1, fmt, ap);
	va_end(ap);
	t->n += (size_t)len;
}

static void a_map_of_200000_keys_parses_in_seconds(void **state)
{
	fixture *f = *state;
	growing t = {0};
	for (int i = 0; i < BIG; i++)
		add(&t, "k%d: %d\n", i, i);
	add(&t, "k5: again\n"); /* still found among them all */
	double t0 = now_s();
	sim_yaml_node *root = sim_yaml_parse(f->doc, "x.yaml", t.s, t.n, f->d);
	double took = now_s() - t0;
	printf("# %d keys parsed in %.3f s of processor time\n", BIG, took);
	assert_non_null(root);
	assert_int_equal(root->n, BIG);
	assert_string_equal(sim_yaml_get(root, "k0")->text, "0");
	assert_string_equal(sim_yaml_get(root, "k199999")->text, "199999");
	assert_null(sim_yaml_get(root, "k200000"));
	char *diags = sim_diag_format(f->d, false);
	assert_string_equal(diags,
	                    "x.yaml:200001:1: error: duplicate key 'k5' (first at line 6)\n");
	sim_free(diags);
	assert_true(took < BIG_SECONDS);
	sim_free(t.s);
}

static void a_document_of_200000_aliases_parses_in_seconds(void **state)
{
	fixture *f = *state;
	growing t = {0};
	for (int i = 0; i < BIG; i++)
		add(&t, "- &a%d %d\n", i, i);
	/* Each alias names an early anchor, the worst case of a search from the latest. */
	for (int i = 0; i < BIG; i++)
		add(&t, "- *a%d\n", i % 1000);
	add(&t, "- &a7 redefined\n- *a7\n");
	double t0 = now_s();
	sim_yaml_node *root = sim_yaml_parse(f->doc, "x.yaml", t.s, t.n, f->d);
	double took = now_s() - t0;
	printf("# %d anchors and %d aliases parsed in %.3f s of processor time\n", BIG, BIG, took);
	assert_non_null(root);
	assert_int_equal(root->n, 2 * BIG + 2);
	assert_string_equal(root->items[BIG]->text, "0");
	assert_string_equal(root->items[2 * BIG - 1]->text, "999");
	/* A redefined anchor means its latest definition. */
	assert_string_equal(root->items[2 * BIG + 1]->text, "redefined");
	assert_int_equal(sim_diag_errors(f->d), 0);
	assert_true(took < BIG_SECONDS);
	sim_free(t.s);
}

static void a_nul_in_a_quoted_scalar_is_an_error_at_the_scalar(void **state)
{
	fixture *f = *state;
	assert_null(parse(f, "streams:\n  \"a\\0b\": {shards: 1}\nname: \"x\\0\"\n"));
	assert_diags(f, "x.yaml:2:3: error: a NUL character (\\0) is not allowed in a value\n"
	                "  \"a\\0b\": {shards: 1}\n"
	                "  ^\n"
	                "x.yaml:3:7: error: a NUL character (\\0) is not allowed in a value\n"
	                "name: \"x\\0\"\n"
	                "      ^\n");
	/* Elsewhere escapes are fine. */
	sim_yaml_node *root = parse(f, "a: \"tab\\there\"\n");
	assert_non_null(root);
	assert_string_equal(sim_yaml_get(root, "a")->text, "tab\there");
}

static void a_nul_in_a_set_value_is_an_error(void **state)
{
	fixture *f = *state;
	char *err = NULL;
	assert_null(sim_yaml_parse_value(f->doc, "\"a\\0b\"", "--set #1", &err));
	assert_string_equal(err, "a NUL character (\\0) is not allowed in a value");
	sim_free(err);
}

/* Writes len bytes of text to a new temporary file; returns its path (static storage). */
static const char *temp_file(const char *data, size_t len)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/kinesim-test-yaml-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);
		assert_true(w > 0);
		done += (size_t)w;
	}
	close(fd);
	return path;
}

static void a_byte_order_mark_is_skipped(void **state)
{
	fixture *f = *state;
	const char text[] = "\xef\xbb\xbf"
	                    "a: 1\n"
	                    "b: *nope\n";
	const char *path = temp_file(text, sizeof text - 1);
	int err = 0;
	assert_null(sim_yaml_load_file(f->doc, path, f->d, &err));
	unlink(path);
	assert_int_equal(err, -EINVAL);
	/* Positions and the source line as if the mark were not there. */
	char *diags = sim_diag_format(f->d, true);
	char *want = sim_asprintf("%s:2:4: error: undefined alias '*nope' (no '&nope' before it)\n"
	                          "b: *nope\n"
	                          "   ^\n",
	                          path);
	assert_string_equal(diags, want);
	sim_free(diags);
	sim_free(want);

	path = temp_file(text, 8);
	sim_yaml_node *root = sim_yaml_load_file(f->doc, path, f->d, &err);
	assert_non_null(root);
	assert_int_equal(err, 0);
	assert_string_equal(sim_yaml_get(root, "a")->text, "1");
	size_t len = 0;
	assert_string_equal(sim_yaml_source_text(f->doc, path, &len), "a: 1\n");
	assert_int_equal(len, 5);
	unlink(path);
}

static void a_file_of_the_size_limit_loads_and_a_larger_one_is_refused(void **state)
{
	fixture *f = *state;
	size_t limit = SIM_YAML_MAX_FILE;
	char *data = sim_malloc(limit + 1);
	memset(data, ' ', limit + 1);
	memcpy(data, "a: 1\n#", 6);
	const char *path = temp_file(data, limit);
	int err = 0;
	sim_yaml_node *root = sim_yaml_load_file(f->doc, path, f->d, &err);
	unlink(path);
	assert_non_null(root);
	assert_int_equal(err, 0);
	assert_int_equal(sim_diag_errors(f->d), 0);

	path = temp_file(data, limit + 1);
	assert_null(sim_yaml_load_file(f->doc, path, f->d, &err));
	assert_int_equal(err, -EINVAL);
	char *diags = sim_diag_format(f->d, true);
	char *want = sim_asprintf("%s: error: the file is larger than 16 MiB, the most kinesim "
	                          "reads\n",
	                          path);
	assert_string_equal(diags, want);
	unlink(path);
	sim_free(diags);
	sim_free(want);
	sim_free(data);
}

static void an_endless_file_is_read_up_to_the_limit(void **state)
{
	fixture *f = *state;
	int err = 0;
	assert_null(sim_yaml_load_file(f->doc, "/dev/zero", f->d, &err));
	assert_int_equal(err, -EINVAL);
	assert_diags(f, "/dev/zero: error: the file is larger than 16 MiB, the most kinesim "
	                "reads\n");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(parse_records_one_based_positions),
	        T(quoted_and_block_scalars_are_marked_quoted),
	        T(flow_collections_record_their_opening_position),
	        T(duplicate_key_is_reported_at_its_second_occurrence),
	        T(syntax_error_reports_libyaml_problem_at_its_mark),
	        T(syntax_error_names_the_construct_it_was_in),
	        T(alias_resolves_to_a_copy_of_the_anchored_node),
	        T(undefined_alias_is_an_error),
	        T(a_key_that_is_a_list_is_an_error),
	        T(second_document_is_an_error),
	        T(empty_text_is_an_empty_scalar),
	        T(missing_file_returns_errno_without_reporting),
	        T(emit_writes_block_style_with_needed_quotes),
	        T(emit_of_scalar_and_empty_roots),
	        T(emitted_scenario_reparses_to_an_equal_tree),
	        T(emit_keeps_awkward_strings_readable_back),
	        T(clone_is_deep_and_keeps_positions),
	        T(set_replaces_an_existing_value),
	        T(set_creates_missing_maps_and_reads_value_as_yaml),
	        T(set_indexes_sequences_and_appends_at_their_length),
	        T(set_turns_a_null_value_into_a_map),
	        T(set_without_equals_sign_is_an_error),
	        T(set_with_empty_path_is_an_error),
	        T(set_with_bad_index_is_an_error),
	        T(set_with_negative_index_is_an_error),
	        T(set_with_bad_character_in_path_is_an_error),
	        T(set_with_path_ending_in_dot_is_an_error),
	        T(set_with_path_starting_with_index_is_an_error),
	        T(set_indexing_a_map_is_an_error),
	        T(set_naming_a_key_of_a_list_is_an_error),
	        T(set_naming_a_key_of_a_value_is_an_error),
	        T(set_indexing_a_value_is_an_error),
	        T(set_index_beyond_length_is_an_error),
	        T(set_with_invalid_yaml_value_is_an_error),
	        T(a_map_of_200000_keys_parses_in_seconds),
	        T(a_document_of_200000_aliases_parses_in_seconds),
	        T(a_nul_in_a_quoted_scalar_is_an_error_at_the_scalar),
	        T(a_nul_in_a_set_value_is_an_error),
	        T(a_byte_order_mark_is_skipped),
	        T(a_file_of_the_size_limit_loads_and_a_larger_one_is_refused),
	        T(an_endless_file_is_read_up_to_the_limit),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
