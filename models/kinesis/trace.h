/* A replayed arrivals trace (docs/scenario.md, producers.trace): rows of (time, records[, bytes]),
 * e.g. a CloudWatch IncomingRecords export. The accepted columns and forms are documented in
 * trace.c and docs/model.md "Producers". */
#ifndef KS_TRACE_H
#define KS_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/diag.h"
#include "sim/time.h"
#include "sim/yaml.h"

typedef struct ks_trace_row {
	sim_time t;     /* start of the row's period, from the trace's first row */
	double records; /* records in the period */
	double bytes;   /* bytes in the period; < 0 when the trace has no bytes column */
} ks_trace_row;

typedef struct ks_trace {
	ks_trace_row *rows; /* sorted by t */
	size_t n;
	bool has_bytes;
} ks_trace;

/* Reads the trace named by the scalar `at` (its text, relative to the folder of at->file).
 * A file that cannot be read is reported at `at`; a malformed row as "FILE:LINE: error: ..."
 * with the row's line. Returns 0, or -EINVAL after reporting. */
int ks_trace_load(const sim_yaml_node *at, ks_trace *out, sim_diag *d);
void ks_trace_fini(ks_trace *t);

#endif
