/* The output file of `kinesim run` (docs/output.md "File layout"), written from the metrics
 * registry of each replication. */
#ifndef KS_CLI_OUTPUT_H
#define KS_CLI_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/cli.h"
#include "models/scenario/scenario.h"
#include "sim/h5.h"
#include "sim/metrics.h"

/* The layout's version (docs/output.md): bumped whenever a name or shape a reader sees
 * changes. */
enum { OUT_FORMAT_VERSION = 2 };

/* A run's attributes and scenario/{source,resolved}, at `at` (the file's root, or a sweep's
 * point group: the same layout below it). */
int out_write_header(hid_t at, const ks_scenario *sc, uint64_t seed, unsigned replications,
                     const char *arguments);

typedef struct out_run_info {
	unsigned replication;
	uint64_t seed;
	sim_time duration, warmup, interval, reached;
	uint64_t events;
	bool complete;
} out_run_info;

/* runs/rNNNN at `at` with the registry's series, labels, histograms and summary values. A run that
 * is not complete (stopped by a signal) gets its series and `time` cut at the last whole metrics
 * interval before `reached`. */
int out_write_run(hid_t at, const out_run_info *info, const sim_metrics *m);

/* summary across replications, at `at`. */
int out_write_summary(hid_t at, const cli_summary_row *rows, size_t n);

#endif
