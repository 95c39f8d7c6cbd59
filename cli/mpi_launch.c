/* What both builds of cli/mpi.h share: whether a launcher started this process, and the help
 * line of a build that can run on several ranks. */
#include <stdbool.h>
#include <stdlib.h>

#include "cli/mpi.h"

bool cli_mpi_launched(void)
{
	static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK",
	                                   "PMI_SIZE", "MPI_LOCALNRANKS"};
	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
		if (getenv(vars[i]))
			return true;
	return false;
}

const char cli_mpi_ranks_help[] =
        "Under mpirun -n K (or srun), run, sweep, compare and plan farm their replications\n"
        "across the K ranks: rank 0 writes the file and prints, with the results of a\n"
        "serial run (docs/performance.md).\n";
