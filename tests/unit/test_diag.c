/* Tests of diag.c: sorting, the exact printed shape (source line, caret, hint) and "did you
 * mean". Expected strings are written from diag.h and docs/scenario.md "Error messages". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sim/alloc.h"
#include "sim/diag.h"

static void assert_format(const sim_diag *d, bool with_source, const char *expected)
{
	char *s = sim_diag_format(d, with_source);
	assert_string_equal(s, expected);
	sim_free(s);
}

static void diagnostics_sort_by_source_then_line_then_column(void **state)
{
	(void)state;
	sim_diag *d = sim_diag_create();
	sim_diag_add_source(d, "z.yaml", "a\n", 2);
	sim_diag_add_source(d, "a.yaml", "a\n", 2);
	sim_diag_report(d, SIM_DIAG_ERROR, "a.yaml", 3, 2, "third");
	sim_diag_report(d, SIM_DIAG_ERROR, "--set #10", 0, 0, "set ten");
	sim_diag_report(d, SIM_DIAG_ERROR, "z.yaml", 2, 1, "z second");
	sim_diag_report(d, SIM_DIAG_ERROR, "a.yaml", 1, 5, "first");
	sim_diag_report(d, SIM_DIAG_ERROR, "--set #2", 0, 0, "set two");
	sim_diag_report(d, SIM_DIAG_ERROR, "z.yaml", 1, 9, "z first");
	sim_diag_report(d, SIM_DIAG_ERROR, "a.yaml", 1, 5, "first again");
	sim_diag_report(d, SIM_DIAG_ERROR, "a.yaml", 1, 1, "before");
	/* Registered sources in registration order (z before a), then labels in natural order;
	 * equal positions keep report order. */
	assert_format(d, false,
	              "z.yaml:1:9: error: z first\n"
	              "z.yaml:2:1: error: z second\n"
	              "a.yaml:1:1: error: before\n"
	              "a.yaml:1:5: error: first\n"
	              "a.yaml:1:5: error: first again\n"
	              "a.yaml:3:2: error: third\n"
	              "--set #2: error: set two\n"
	              "--set #10: error: set ten\n");
	assert_int_equal(sim_diag_errors(d), 8);
	assert_int_equal(sim_diag_warnings(d), 0);
	sim_diag_destroy(d);
}

static void error_prints_source_line_and_caret_under_column(void **state)
{
	(void)state;
	const char *text = "streams:\n  events:\n    shards: four\n";
	sim_diag *d = sim_diag_create();
	sim_diag_add_source(d, "x.yaml", text, strlen(text));
	sim_diag_report(d, SIM_DIAG_ERROR, "x.yaml", 3, 13, "shards must be an integer (got '%s')",
	                "four");
	assert_format(d, true,
	              "x.yaml:3:13: error: shards must be an integer (got 'four')\n"
	              "    shards: four\n"
	              "            ^\n");
	sim_diag_destroy(d);
}

static void caret_line_keeps_the_tabs_of_the_source_line(void **state)
{
	(void)state;
	/* Column 7 is the 'v' after "\tkey:\t" (six characters before it). */
	const char *text = "\tkey:\tvalue\n";
	sim_diag *d = sim_diag_create();
	sim_diag_add_source(d, "t.yaml", text, strlen(text));
	sim_diag_report(d, SIM_DIAG_ERROR, "t.yaml", 1, 7, "bad");
	assert_format(d, true, "t.yaml:1:7: error: bad\n\tkey:\tvalue\n\t    \t^\n");
	sim_diag_destroy(d);
}

static void caret_counts_characters_not_bytes(void **state)
{
	(void)state;
	/* "é" is two bytes but one column, so column 4 is the 'x'. */
	const char *text = "\xc3\xa9: x\n";
	sim_diag *d = sim_diag_create();
	sim_diag_add_source(d, "u.yaml", text, strlen(text));
	sim_diag_report(d, SIM_DIAG_ERROR, "u.yaml", 1, 4, "bad");
	assert_format(d, true, "u.yaml:1:4: error: bad\n\xc3\xa9: x\n   ^\n");
	sim_diag_destroy(d);
}

static void last_line_without_newline_still_prints(void **state)
{
	(void)state;
	const char *text = "a: 1\nb: 2";
	sim_diag *d = sim_diag_create();
	sim_diag_add_source(d, "n.yaml", text, strlen(text));
	sim_diag_report(d, SIM_DIAG_ERROR, "n.yaml", 2, 4, "bad");
	assert_format(d, true, "n.yaml:2:4: error: bad\nb: 2\n   ^\n");
	sim_diag_destroy(d);
}

static void hint_follows_the_caret(void **state)
{
	(void)state;
	const char *text = "retention: 1h\n";
	sim_diag *d = sim_diag_create();
	sim_diag_add_source(d, "r.yaml", text, strlen(text));
	sim_diag_report(d, SIM_DIAG_ERROR, "r.yaml", 1, 12,
	                "retention must be 24h..8760h (got 1h)");
	sim_diag_hint(d, "set %s to allow it", "platform.aws_ranges: warn");
	assert_format(d, true,
	              "r.yaml:1:12: error: retention must be 24h..8760h (got 1h)\n"
	              "retention: 1h\n"
	              "           ^\n"
	              "  hint: set platform.aws_ranges: warn to allow it\n");
	assert_format(d, false,
	              "r.yaml:1:12: error: retention must be 24h..8760h (got 1h)\n"
	              "  hint: set platform.aws_ranges: warn to allow it\n");
	sim_diag_destroy(d);
}

static void positionless_diagnostic_prints_label_without_source(void **state)
{
	(void)state;
	sim_diag *d = sim_diag_create();
	sim_diag_report(d, SIM_DIAG_ERROR, "--set #2", 0, 0, "shards must be an integer (got 'x')");
	assert_format(d, true, "--set #2: error: shards must be an integer (got 'x')\n");
	sim_diag_destroy(d);
}

static void warnings_are_labelled_and_counted_apart(void **state)
{
	(void)state;
	sim_diag *d = sim_diag_create();
	sim_diag_report(d, SIM_DIAG_WARNING, "w.yaml", 2, 3, "careful");
	sim_diag_report(d, SIM_DIAG_ERROR, "w.yaml", 1, 1, "wrong");
	assert_format(d, true, "w.yaml:1:1: error: wrong\nw.yaml:2:3: warning: careful\n");
	assert_int_equal(sim_diag_errors(d), 1);
	assert_int_equal(sim_diag_warnings(d), 1);
	sim_diag_destroy(d);
}

static void print_writes_what_format_returns(void **state)
{
	(void)state;
	const char *text = "a: b\n";
	sim_diag *d = sim_diag_create();
	sim_diag_add_source(d, "p.yaml", text, strlen(text));
	sim_diag_report(d, SIM_DIAG_ERROR, "p.yaml", 1, 4, "no");
	FILE *f = tmpfile();
	assert_non_null(f);
	sim_diag_print(d, f);
	rewind(f);
	char got[256] = {0};
	size_t n = fread(got, 1, sizeof got - 1, f);
	fclose(f);
	got[n] = '\0';
	assert_string_equal(got, "p.yaml:1:4: error: no\na: b\n   ^\n");
	sim_diag_destroy(d);
}

static void empty_diag_formats_as_empty_string(void **state)
{
	(void)state;
	sim_diag *d = sim_diag_create();
	assert_format(d, true, "");
	sim_diag_hint(d, "ignored: no diagnostic yet");
	assert_format(d, true, "");
	sim_diag_destroy(d);
	sim_diag_destroy(NULL);
}

static void suggest_finds_a_misspelt_key(void **state)
{
	(void)state;
	const char *const keys[] = {"kinesis", "batch_size", "batch_window",
	                            "parallelization_factor"};
	assert_string_equal(sim_diag_suggest("batch_sise", keys, 4), "batch_size");
	assert_string_equal(sim_diag_suggest("paralelization_factor", keys, 4),
	                    "parallelization_factor");
}

static void suggest_counts_a_transposition_as_one_edit(void **state)
{
	(void)state;
	/* "ab" -> "ba" is 2 Levenshtein edits but one transposition; the limit for a two-letter
	 * word is 1. */
	const char *const keys[] = {"ba"};
	assert_string_equal(sim_diag_suggest("ab", keys, 1), "ba");
	const char *const shards[] = {"mode", "shards"};
	assert_string_equal(sim_diag_suggest("shrads", shards, 2), "shards");
}

static void suggest_prefers_a_case_only_difference(void **state)
{
	(void)state;
	const char *const c[] = {"LATES", "LATEST"};
	assert_string_equal(sim_diag_suggest("latest", c, 2), "LATEST");
	const char *const exact[] = {"Latest", "latest"};
	assert_string_equal(sim_diag_suggest("latest", exact, 2), "latest");
}

static void suggest_breaks_ties_by_candidate_order(void **state)
{
	(void)state;
	const char *const c[] = {"bat", "hat", "cot"};
	assert_string_equal(sim_diag_suggest("cat", c, 3), "bat");
}

static void suggest_returns_null_when_nothing_is_close(void **state)
{
	(void)state;
	const char *const c[] = {"provisioned", "on_demand"};
	assert_null(sim_diag_suggest("xyz", c, 2));
	/* 9 letters allow 3 edits; "provision" is 2 away from "provisioned", "prov" is 7 away. */
	assert_string_equal(sim_diag_suggest("provision", c, 2), "provisioned");
	assert_null(sim_diag_suggest("prov", c, 2));
	assert_null(sim_diag_suggest("x", c, 0));
}

static void control_bytes_are_escaped_in_the_source_line_and_the_message(void **state)
{
	(void)state;
	/* An escape sequence in a file must not reach the terminal as one: ESC, NUL and DEL show
	 * as \xNN, tabs of the source line stay (the caret line copies them). */
	const char text[] = "a:\t\x1b[2Jb\x7f\x00"
	                    "c\n";
	sim_diag *d = sim_diag_create();
	sim_diag_add_source(d, "c.yaml", text, sizeof text - 1);
	sim_diag_report(d, SIM_DIAG_ERROR, "c.yaml", 1, 4, "bad value '%s'", "\x1b[2Jb\x7f");
	sim_diag_hint(d, "not \x07 this");
	sim_diag_report(d, SIM_DIAG_ERROR, "c.yaml", 1, 9, "after");
	assert_format(d, true,
	              "c.yaml:1:4: error: bad value '\\x1b[2Jb\\x7f'\n"
	              "a:\t\\x1b[2Jb\\x7f\\x00c\n"
	              "  \t^\n"
	              "  hint: not \\x07 this\n"
	              "c.yaml:1:9: error: after\n"
	              "a:\t\\x1b[2Jb\\x7f\\x00c\n"
	              "  \t        ^\n");
	sim_diag_destroy(d);
}

static void control_bytes_in_a_label_are_escaped(void **state)
{
	(void)state;
	sim_diag *d = sim_diag_create();
	sim_diag_report(d, SIM_DIAG_ERROR, "x\x1b]0;y", 0, 0, "nothing");
	assert_format(d, true, "x\\x1b]0;y: error: nothing\n");
	sim_diag_destroy(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(diagnostics_sort_by_source_then_line_then_column),
	        cmocka_unit_test(error_prints_source_line_and_caret_under_column),
	        cmocka_unit_test(caret_line_keeps_the_tabs_of_the_source_line),
	        cmocka_unit_test(caret_counts_characters_not_bytes),
	        cmocka_unit_test(last_line_without_newline_still_prints),
	        cmocka_unit_test(hint_follows_the_caret),
	        cmocka_unit_test(positionless_diagnostic_prints_label_without_source),
	        cmocka_unit_test(warnings_are_labelled_and_counted_apart),
	        cmocka_unit_test(print_writes_what_format_returns),
	        cmocka_unit_test(empty_diag_formats_as_empty_string),
	        cmocka_unit_test(suggest_finds_a_misspelt_key),
	        cmocka_unit_test(suggest_counts_a_transposition_as_one_edit),
	        cmocka_unit_test(suggest_prefers_a_case_only_difference),
	        cmocka_unit_test(suggest_breaks_ties_by_candidate_order),
	        cmocka_unit_test(suggest_returns_null_when_nothing_is_close),
	        cmocka_unit_test(control_bytes_are_escaped_in_the_source_line_and_the_message),
	        cmocka_unit_test(control_bytes_in_a_label_are_escaped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
