/* The scenario's `expect:` lines: "<metric path> <op> <value>", the value with its unit.
 *
 * Parsed and checked before the run (a path that names no metric of the scenario is an error,
 * exit 65), evaluated after it against the summary. */
#ifndef KS_EXPECT_H
#define KS_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "models/scenario/scenario.h"
#include "sim/diag.h"
#include "sim/metrics.h"
#include "sim/yaml.h"

typedef enum { KS_OP_LT, KS_OP_LE, KS_OP_GT, KS_OP_GE, KS_OP_EQ, KS_OP_NE } ks_op;

typedef struct ks_expect {
	char *text; /* as written */
	char *path;
	ks_op op;
	double value; /* SI base units, as the summary */
} ks_expect;

/* Parses every line of `list` (a sequence of strings, or NULL) against the metric paths in
 * `names`; reports each bad line. Returns the number of errors; on success *out holds n
 * expectations (free with ks_expect_free). */
size_t ks_expect_parse(const sim_yaml_node *list, const sim_metrics *names, sim_diag *d,
                       ks_expect **out, size_t *n);
/* The scenario's own expect: lines, parsed against the metric paths of its model built without
 * running (summarized: every path listed, all zero), as `check` and `run` do before a run.
 * Reports into d; returns the number of errors, as ks_expect_parse. */
size_t ks_expect_scenario(const ks_scenario *sc, sim_diag *d, ks_expect **out, size_t *n);
/* The same for other lines (`plan --require`), against the scenario's metric paths. */
size_t ks_expect_parse_for(const ks_scenario *sc, const sim_yaml_node *list, sim_diag *d,
                           ks_expect **out, size_t *n);
void ks_expect_free(ks_expect *e, size_t n);

/* False for NaN (no data, or a metric that does not apply), whatever the operator. */
bool ks_expect_holds(const ks_expect *e, double value);

#endif
