/* Scale-out on MPI: under `mpirun -n K kinesim sweep|compare|plan|run ...` rank 0 runs the
 * command as it always does (reads the arguments and scenarios, writes the one file, prints),
 * and the other ranks serve it: they simulate the replications it sends them and send back
 * what they measured (cli/wire.h). Rank 0 hands every replication to its job's done() in
 * order, as the threads of -j do, so the file and the table are those of a serial run.
 *
 * Built without MPI (meson -Dmpi=disabled, the default) or started without mpirun, there is
 * one rank and nothing here does anything: cli/mpi_none.c implements the same interface.
 *
 * A build with MPI makes two programs: `kinesim-mpi`, linked with MPI (cli/mpi.c), and
 * `kinesim` without it (cli/mpi_none.c), which a launcher's rank turns into kinesim-mpi at
 * once (cli_mpi_init executes it, beside kinesim, with the same arguments). Loading MPI's
 * libraries took some 3 ms of every start, a tenth of a short run, and every run without
 * mpirun paid it. */
#ifndef KS_CLI_MPI_H
#define KS_CLI_MPI_H

#include <stdbool.h>
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

/* Whether a launcher (mpirun, srun) started this process as one of its ranks: its variables
 * are set (cli/mpi_launch.c). MPI_Init alone would make a singleton run, slower to start and,
 * in some containers, noisy for nothing. */
bool cli_mpi_launched(void);
/* The help line of a build that runs on several ranks. */
extern const char cli_mpi_ranks_help[];

#endif
