/* The interface of cli/mpi.h in a build without MPI: one rank, which does everything. */
#include "cli/mpi.h"

#include <errno.h>

void cli_mpi_init(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
}

unsigned cli_mpi_ranks(void)
{
	return 1;
}

unsigned cli_mpi_rank(void)
{
	return 0;
}

int cli_mpi_serve(void)
{
	return 0;
}

void cli_mpi_finish(int status)
{
	(void)status;
}

int cli_mpi_farm(const cli_replications *jobs, size_t n)
{
	(void)jobs;
	(void)n;
	return -ENOSYS; /* never called: there is one rank */
}

const char *cli_mpi_help(void)
{
	return "This build has no MPI (build with meson -Dmpi=enabled to run on several ranks;\n"
	       "docs/performance.md).\n";
}
