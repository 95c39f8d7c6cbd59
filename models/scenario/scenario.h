/* A scenario: the YAML file, checked against the format of docs/scenario.md (format.h), with --set
 * overrides applied and defaults filled in.
 *
 * Loading never stops at the first mistake: every error goes to the diag collector, and the
 * caller prints them all. After a successful load the tree is complete (every default present),
 * so the components read values with sim_schema_* getters and sim_schema_fill, which cannot
 * fail. */
#ifndef KS_SCENARIO_H
#define KS_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/diag.h"
#include "sim/yaml.h"

typedef struct ks_scenario {
	sim_yaml_doc *doc;
	sim_yaml_node *root; /* resolved tree */
	char *path;          /* as given on the command line */
	char *source;        /* the file's text */
	size_t source_len;
	char *resolved; /* emitted resolved tree */
	const char *name;
	bool ranges_warn;
	char **sets; /* the assignments applied, as given to ks_scenario_load */
	size_t nsets;
} ks_scenario;

/* Outcome of ks_scenario_load besides 0. */
enum { KS_SCENARIO_MISSING = -2, KS_SCENARIO_INVALID = -1 };

/* How sets[] spells a --set-new: "+PATH=VALUE". */
#define KS_SET_NEW '+'

/* Loads path, applies sets[0..nsets) in order, checks and resolves. An assignment is
 * "PATH=VALUE" (--set, labelled "--set #i" from 1): its PATH may not name an entity the
 * scenario lacks (streams.<name>..., functions.<name>..., every kind of the registry), which
 * is reported with did-you-mean; or "+PATH=VALUE" (--set-new, labelled "--set-new #i"): its
 * PATH names a new entity, which it creates. Keys inside an entity are created by both.
 * Returns 0; KS_SCENARIO_MISSING when the file cannot be read (errno in *err_no, nothing
 * reported); KS_SCENARIO_INVALID after reporting errors to d. On failure *out is untouched. */
int ks_scenario_load(const char *path, const char *const *sets, size_t nsets, sim_diag *d,
                     ks_scenario **out, int *err_no);
/* The same, from text already read: `name` stands for the file in diagnostics and sc->path
 * (another process loading what was read elsewhere: cli/mpi.c). */
int ks_scenario_load_text(const char *name, const char *text, size_t len, const char *const *sets,
                          size_t nsets, sim_diag *d, ks_scenario **out);
void ks_scenario_destroy(ks_scenario *sc); /* NULL: nothing */

#endif
