/* The interface of cli/mpi.h without MPI: one rank, which does everything.
 *
 * In a build with MPI this is `kinesim`, and KINESIM_MPI_PROGRAM names its sibling linked with
 * MPI (cli/mpi.c): a launcher's rank executes that at once, so only runs under mpirun load
 * MPI's libraries. */
#include "cli/mpi.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

#ifdef KINESIM_MPI_PROGRAM
/* The MPI program's path, beside this one's (NULL: this one's path is unknown). */
static const char *mpi_program(char *buf, size_t size)
{
	static const char name[] = KINESIM_MPI_PROGRAM;
	ssize_t n = readlink("/proc/self/exe", buf, size);
	if (n <= 0 || (size_t)n >= size)
		return NULL;
	buf[n] = '\0';
	char *slash = strrchr(buf, '/');
	if (!slash || (size_t)(slash + 1 - buf) + sizeof name > size)
		return NULL;
	memcpy(slash + 1, name, sizeof name);
	return buf;
}
#endif

void cli_mpi_init(int *argc, char ***argv)
{
	(void)argc;
#ifdef KINESIM_MPI_PROGRAM
	if (!cli_mpi_launched())
		return;
	char buf[PATH_MAX];
	const char *path = mpi_program(buf, sizeof buf);
	if (path)
		execv(path, *argv);
	/* Every rank would run the whole command on its own, and write the same file. */
	fprintf(stderr,
	        "kinesim: started by an MPI launcher, but cannot run %s: %s; a build with "
	        "meson -Dmpi=enabled makes it, and it must stay in kinesim's folder\n",
	        path ? path : KINESIM_MPI_PROGRAM,
	        path ? strerror(errno) : "its folder is unknown");
	exit(EXIT_INTERNAL);
#else
	(void)argv;
#endif
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
#ifdef KINESIM_MPI_PROGRAM
	return cli_mpi_ranks_help;
#else
	return "This build has no MPI (build with meson -Dmpi=enabled to run on several ranks;\n"
	       "docs/performance.md).\n";
#endif
}
