/* The options the commands share, parsed alike: each returns 0 with *out set, or prints what is
 * wrong with the command's usage line and returns 64 (cli_usage_error). */
#ifndef KS_CLI_OPTIONS_H
#define KS_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/cli.h"

/* --seed: 0 .. 2^63 - 1 (it is stored as a signed 64-bit attribute). */
int cli_option_seed(const char *command, const char *arg, uint64_t *out);
/* --format: text, json, or csv when the command writes it. */
int cli_option_format(const char *command, const char *arg, bool csv, cli_format *out);
/* --format of a summary (run, report): text, json, csv or markdown. */
int cli_option_summary_format(const char *command, const char *arg, cli_format *out);
/* A whole number in [min, max]; `what` says what it counts in the message, e.g. "-j takes the
 * number of replications to run at once". */
int cli_option_count(const char *command, const char *option, const char *what, const char *arg,
                     long min, long max, unsigned *out);

/* -j: replications (or points) at once, 1 .. 256. */
int cli_option_jobs(const char *command, const char *arg, unsigned *out);
/* --replications: min .. 100,000 (compare and plan need 2 for an interval). */
int cli_option_replications(const char *command, const char *arg, long min, unsigned *out);

/* --precision: a share of the mean, above 0 (e.g. 5%). */
int cli_option_precision(const char *command, const char *arg, double *out);
/* --max-replications: the most replications --precision may run. */
int cli_option_max_replications(const char *command, const char *arg, unsigned *out);

/* Whether the table shows metric `path` under --metric TEXT filters (none: every metric). */
bool cli_metric_shown(const char *const *filters, size_t n, const char *path);

#endif
