/* A grid of scenario variants: the --vary options of `sweep` and `plan`. Point i takes, for
 * each vary (the first varying slowest), one of its values, applied after the --set ones. */
#ifndef KS_CLI_GRID_H
#define KS_CLI_GRID_H

#include <stddef.h>

#include "models/scenario/scenario.h"

#define CLI_GRID_MAX_POINTS 10000

typedef struct cli_vary {
	char *path;
	char **values;
	size_t n;
} cli_vary;

typedef struct cli_grid {
	const char *scenario;
	const char **sets; /* --set (and --set-new) assignments, borrowed */
	size_t nsets;
	cli_vary *varies;
	size_t nvaries, capvaries;
} cli_grid;

/* Adds a --vary PATH=VALUES of `command`: a,b,c (any text), A..B or A..B:STEP (numbers, STEP
 * 1 by default). Returns 0, or the usage error's exit code (printed). */
int cli_grid_vary(cli_grid *g, const char *command, const char *arg);
/* The number of points (more than CLI_GRID_MAX_POINTS: CLI_GRID_MAX_POINTS + 1). */
size_t cli_grid_points(const cli_grid *g);
/* Point i's value of vary k, and its label "PATH=VALUE ..." (caller frees). */
const char *cli_grid_value(const cli_grid *g, size_t point, size_t k);
char *cli_grid_label(const cli_grid *g, size_t point);
/* Loads and checks the scenario at a point (diagnostics on stderr): 0 or the exit code. */
int cli_grid_load(const cli_grid *g, size_t point, ks_scenario **sc);
void cli_grid_fini(cli_grid *g);

#endif
