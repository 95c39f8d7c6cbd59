/* Loading a scenario for a subcommand: diagnostics to stderr, exit codes from the outcome. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "sim/diag.h"

int cli_load_scenario(const char *path, const char *const *sets, size_t nsets, ks_scenario **out)
{
	sim_diag *d = sim_diag_create();
	int err_no = 0;
	int rc = ks_scenario_load(path, sets, nsets, d, out, &err_no);
	sim_diag_print(d, stderr);
	size_t errors = sim_diag_errors(d);
	sim_diag_destroy(d);
	if (rc == KS_SCENARIO_MISSING) {
		fprintf(stderr, "kinesim: cannot read scenario '%s': %s\n", path, strerror(err_no));
		return EXIT_NO_SCENARIO;
	}
	if (rc != 0) {
		fprintf(stderr, "kinesim: %zu error%s in scenario '%s'\n", errors,
		        errors == 1 ? "" : "s", path);
		return EXIT_BAD_SCENARIO;
	}
	return 0;
}
