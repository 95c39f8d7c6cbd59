/* The summary across replications: each metric's mean (Welford), standard deviation and 95%
 * confidence half-width (Student t), in the first replication's registration order. */
#ifndef KS_CLI_ACCUMULATOR_H
#define KS_CLI_ACCUMULATOR_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/cli.h"
#include "cli/replications.h"
#include "models/scenario/expect.h"
#include "sim/metrics.h"

typedef struct cli_accumulator {
	cli_summary_row *rows;
	double *m2;
	size_t n;
	unsigned runs;
} cli_accumulator;

/* The row of a metric path, or NULL. */
const cli_summary_row *cli_accumulator_find(const cli_accumulator *a, const char *path);
/* Whether the metric of every expectation is known within `precision` of its mean (its 95%
 * half-width at most that share; a metric whose mean is 0 needs no spread; never with fewer
 * than two replications), after cli_accumulator_finish. */
bool cli_accumulator_precise(const cli_accumulator *a, const ks_expect *e, size_t n,
                             double precision);

/* Runs job, whose done callback adds each replication to acc; then, with precision > 0, as
 * many replications again each time until cli_accumulator_precise holds for e[0..n), or max
 * replications in all (0: 100). job->first + job->count end as the replications planned, and
 * so does *planned (NULL: not told). Returns the first nonzero of the runs. */
int cli_run_until_precise(cli_replications *job, cli_accumulator *acc, const ks_expect *e, size_t n,
                          double precision, unsigned max, unsigned *planned);

/* Adds a complete replication's summary values. */
void cli_accumulate(cli_accumulator *a, const sim_metrics *m);
/* Sets stddev and ci95 (-1 with fewer than two replications). */
void cli_accumulator_finish(cli_accumulator *a);
void cli_accumulator_free(cli_accumulator *a);

#endif
