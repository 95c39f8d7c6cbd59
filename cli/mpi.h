/* Scale-out on MPI: under `mpirun -n K kinesim sweep|compare|plan|run ...` rank 0 runs the
 * command as it always does (reads the arguments and scenarios, writes the one file, prints),
 * and the other ranks serve it: they simulate the replications it sends them and send back
 * what they measured (cli/wire.h). Rank 0 hands every replication to its job's done() in
 * order, as the threads of -j do, so the file and the table are those of a serial run.
 *
 * Built without MPI (meson -Dmpi=disabled, the default) or started without mpirun, there is
 * one rank and nothing here does anything: cli/mpi_none.c implements the same interface. */
#ifndef KS_CLI_MPI_H
#define KS_CLI_MPI_H

#include <stddef.h>

#include "cli/replications.h"

/* Joins the ranks when started by an MPI launcher (mpirun, srun); else there is one rank. */
void cli_mpi_init(int *argc, char ***argv);
unsigned cli_mpi_ranks(void);
unsigned cli_mpi_rank(void);

/* Ranks other than 0: simulates what rank 0 sends until it sends the command's exit status,
 * then leaves MPI; returns that status. */
int cli_mpi_serve(void);

/* Rank 0, at the end of the command (or at its failure, however early): tells the other ranks
 * its exit status, so none waits for work that will not come, and leaves MPI. */
void cli_mpi_finish(int status);

/* Rank 0: runs the replications of jobs[0..n) across every rank (cli_replications_run_all).
 * Only ever called with more than one rank. */
int cli_mpi_farm(const cli_replications *jobs, size_t n);

/* A line for `kinesim --help` on what this build does under mpirun. */
const char *cli_mpi_help(void);

#endif
