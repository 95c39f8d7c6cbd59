/* The summary across replications: each metric's mean (Welford), standard deviation and 95%
 * confidence half-width (Student t), in the first replication's registration order. */
#ifndef KS_CLI_ACCUMULATOR_H
#define KS_CLI_ACCUMULATOR_H

#include <stddef.h>

#include "cli/cli.h"
#include "sim/metrics.h"

typedef struct cli_accumulator {
	cli_summary_row *rows;
	double *m2;
	size_t n;
	unsigned runs;
} cli_accumulator;

/* Adds a complete replication's summary values. */
void cli_accumulate(cli_accumulator *a, const sim_metrics *m);
/* Sets stddev and ci95 (-1 with fewer than two replications). */
void cli_accumulator_finish(cli_accumulator *a);
void cli_accumulator_free(cli_accumulator *a);

#endif
