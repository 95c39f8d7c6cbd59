/* The command line: subcommands and what they share. main() is the only place that prints
 * diagnostics and chooses exit codes (docs/output.md lists them). */
#ifndef KS_CLI_H
#define KS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "models/scenario/scenario.h"
#include "sim/metrics.h"

enum {
	EXIT_OK = 0,
	EXIT_EXPECT_FAILED = 1,
	EXIT_USAGE = 64,
	EXIT_BAD_SCENARIO = 65,
	EXIT_NO_SCENARIO = 66,
	EXIT_INTERNAL = 70,
	EXIT_CANT_CREATE = 73,
	EXIT_IO = 74,
	/* A run stopped by signal N exits 128 + N, as a shell reports a process killed by it:
	 * 129 SIGHUP, 130 SIGINT (Ctrl-C), 143 SIGTERM. */
	EXIT_SIGNAL_BASE = 128,
	EXIT_INTERRUPTED = EXIT_SIGNAL_BASE + 2, /* SIGINT */
};

int cli_run(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_sweep(int argc, char **argv);
int cli_compare(int argc, char **argv);
int cli_plan(int argc, char **argv);

/* Writes buf to stdout and flushes it, remembering the error of a failed write for main, which
 * reports it once the command is done and exits 74 (a summary cut short by a full disk is no
 * success). */
void cli_write_stdout(const char *buf, size_t len);

/* What a command prints on stdout is printed in memory first, then written at once: a failed
 * write is then seen with its cause (a full disk), not only as the stream's error flag.
 * cli_output_open returns the stream to print to (stdout itself when no memory is to be had);
 * cli_output_close writes it out. */
typedef struct cli_output {
	FILE *f;
	char *buf;
	size_t len;
} cli_output;
FILE *cli_output_open(cli_output *out);
void cli_output_close(cli_output *out);

/* Prints "kinesim: <what is wrong>" and the usage line of `command` to stderr; returns 64. */
int cli_usage_error(const char *command, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* -o names a regular file to replace, or a new name; anything else (a directory, a FIFO, a
 * device, a symbolic link) is refused with a message: returns 0 or EXIT_CANT_CREATE. */
int cli_check_output(const char *path, const char *scenario_name);

/* Loads and checks a scenario, printing every diagnostic (warnings too) to stderr. Returns 0
 * with *out set, or the exit code (65, 66). */
int cli_load_scenario(const char *path, const char *const *sets, size_t nsets, ks_scenario **out);

/* Summary across replications: one row per metric path, in registration order. */
typedef struct cli_summary_row {
	const char *path; /* borrowed from the first run's registry */
	const char *unit;
	double mean, stddev, ci95; /* ci95 < 0: not defined (one replication) */
} cli_summary_row;

typedef struct cli_expect_result {
	const char *text;
	double value;
	bool ok;
} cli_expect_result;

typedef enum {
	CLI_FORMAT_TEXT,
	CLI_FORMAT_JSON,
	CLI_FORMAT_CSV,
	CLI_FORMAT_MARKDOWN,
} cli_format;

/* Writers the summary formats share with `sweep`: a JSON string and number (non-finite: null),
 * a CSV field (quoted when needed), and a value for people in its unit (durations in a
 * readable unit, dollars, counts as integers). */
void cli_json_string(FILE *f, const char *s);
void cli_json_number(FILE *f, double v);
void cli_csv_field(FILE *f, const char *s);
void cli_csv_number(FILE *f, double v); /* %.17g; empty when not finite (no data, n/a) */
void cli_human(char *buf, size_t len, double v, const char *unit);

int cli_report(int argc, char **argv);

/* One run's summary, to print (run) or as read back from its file (report). */
typedef struct cli_summary {
	const char *label; /* the file it was read from (report), or NULL */
	const char *scenario;
	unsigned long long seed;
	unsigned replications;
	double measured_s; /* duration - warmup; NaN when unknown */
	const cli_summary_row *rows;
	size_t n;
	const cli_expect_result *expects;
	size_t nexpects;
} cli_summary;

/* The summary: text and markdown open with the verdict (cli/verdict.h), then one compact
 * table per kind of entity (every metric, one per line, with `detail`), the cost and the
 * expect: lines; csv is wide (a row per entity, a column per metric, names in natural
 * order); json keeps every metric by path. Several summaries (report) print side by side: a
 * column per summary (text, markdown), a `file` column (csv), a list (json). */
void cli_print_summary(FILE *f, cli_format format, bool detail, const cli_summary *s);
void cli_print_summaries(FILE *f, cli_format format, bool detail, const cli_summary *s, size_t n);

#endif
