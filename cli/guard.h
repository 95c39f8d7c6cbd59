/* The resource guard of `kinesim run`: a run whose estimated memory (models/scenario/estimate.h)
 * exceeds a limit is refused before its first allocation, with the estimate and what to change,
 * rather than aborting or swapping hours later. */
#ifndef KS_CLI_GUARD_H
#define KS_CLI_GUARD_H

#include <stdbool.h>

#include "models/scenario/scenario.h"

/* The default limit: half of the memory this process may use (the machine's physical memory,
 * or a cgroup's memory.max when lower, as in a container); 0 when unknown (no limit). */
double cli_default_memory_limit(void);

/* 0 when the scenario's run, `at_once` replications at a time (-j), fits in max_memory bytes
 * (0: no limit) or force is set (then a warning is printed); else prints why on stderr and
 * returns EXIT_BAD_SCENARIO. A run that fits but will produce very many records gets a warning
 * of how long it may take. */
int cli_guard(const ks_scenario *sc, unsigned at_once, double max_memory, bool force);

#endif
