/* The scenario format of docs/scenario.md as one schema (sim/schema.h): the top level, and each
 * component's part from the registry: its entries, its section of platform:, its rows of
 * platform.prices. */
#ifndef KS_FORMAT_H
#define KS_FORMAT_H

#include "sim/schema.h"

/* Built once, on first use; lives until the process ends. */
const sim_schema *ks_format(void);

#endif
