/* Test harness: run a scenario given as YAML text and read its summary values.
 *
 * The text is written to a temporary file and loaded through the same path as `kinesim run`
 * (ks_scenario_load), so tests exercise the real format, defaults and checks. */
#ifndef KS_TEST_HARNESS_H
#define KS_TEST_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "models/scenario/build.h"
#include "models/scenario/scenario.h"
#include "sim/metrics.h"

typedef struct harness_run {
	ks_scenario *sc;
	sim_metrics *metrics;
	ks_model *model;
} harness_run;

/* Loads YAML text with optional --set assignments (NULL-terminated); aborts the test with the
 * diagnostics printed when it does not load. */
ks_scenario *harness_load(const char *yaml, const char *const *sets);

/* Loads YAML text that may fail or warn: returns the diagnostics without source lines (free
 * with sim_free) and the load's result in *rc. */
char *harness_diagnostics(const char *yaml, int *rc);
/* The same, with --set assignments (NULL-terminated; "+PATH=VALUE" for a --set-new). */
char *harness_diagnostics_sets(const char *yaml, const char *const *sets, int *rc);

/* Loads, builds (seed, replication 0) and runs to the end, then summarizes. */
harness_run harness_run_yaml(const char *yaml, const char *const *sets, uint64_t seed);
/* The same, with every shard's log pinned by a reader that never moves, so the logs keep
 * every record for inspection (a log with no reader drops what it is given). */
harness_run harness_run_pinned(const char *yaml, const char *const *sets, uint64_t seed);
void harness_free(harness_run *r);

/* The i-th stream of the scenario (in its order); fails the test when there is none. */
struct ks_stream *harness_stream(const harness_run *r, size_t i);

/* The object of the entity named (a queue, a topic, a stream; for functions, see
 * models/lambda/lambda.h); fails the test when there is none. */
void *harness_object(const harness_run *r, const char *name);

/* A summary value; fails the test when the path does not exist. */
double harness_value(const harness_run *r, const char *path);

/* A registered series by group and name; fails the test when there is none. */
const sim_series *harness_series(const sim_metrics *m, const char *group, const char *name);

/* One row of the validation table (docs/validation.md): prints it as a TAP comment,
 *   # | case | what | expected | simulated | accepted | pass |
 * which bench/validation_table.sh collects into docs/validation.md, and returns whether the
 * simulated value is in [lo, hi]. */
bool harness_case(const char *id, const char *what, const char *expected, double simulated,
                  double lo, double hi);

/* Formats into a static buffer (for building YAML or --set strings in loops). */
const char *harness_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
