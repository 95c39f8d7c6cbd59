/* PLACEHOLDER until trace replay lands (being written now). */
#include "models/trace.h"

#include <string.h>

int ks_trace_load(const sim_yaml_node *at, ks_trace *out, sim_diag *d)
{
	memset(out, 0, sizeof *out);
	sim_diag_report(d, SIM_DIAG_ERROR, at->file, at->line, at->col,
	                "'trace' is not implemented yet in this version of kinesim");
	return -1;
}

void ks_trace_fini(ks_trace *t)
{
	(void)t;
}
