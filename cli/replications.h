/* A scenario's replications, run one at a time or on several threads (-j), handed over in
 * their order: the file, the summary and the expectations are the same for any -j.
 *
 * Each replication depends only on (scenario, seed, replication number) (docs/model.md's common
 * random numbers), so running them concurrently changes nothing in what each computes; only
 * the handing over is ordered. At most `jobs` models are alive at once: a replication starts
 * only when the one `jobs` places before it has been handed over. */
#ifndef KS_CLI_REPLICATIONS_H
#define KS_CLI_REPLICATIONS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/scenario/build.h"
#include "models/scenario/scenario.h"

/* A finished replication (run, then summarized), lent to the callback. It may have run in
 * another process (cli/mpi.h): its metrics are then a copy, with the series, labels,
 * histograms and tables the file needs, or only the summary values (values_only). */
typedef struct cli_replication {
	unsigned index;
	const sim_metrics *metrics;
	int run_rc;       /* ks_model_run's: 0 complete, -EINTR interrupted */
	sim_time reached; /* the simulated time it ran to */
	uint64_t events;  /* the events it handled */
} cli_replication;

typedef struct cli_replications {
	const ks_scenario *sc;
	uint64_t seed;
	unsigned count;         /* replications ... */
	unsigned first;         /* ... numbered from this one (0: the scenario's first) */
	unsigned jobs;          /* at most this many at once; 1: on the calling thread */
	const atomic_int *stop; /* a signal handler's flag: no replication starts once set */
	/* Called on the calling thread, in replication order; nonzero stops (nothing more is
	 * started, the running ones are finished and dropped) and is returned. */
	int (*done)(const cli_replication *r, void *ctx);
	/* Progress, serialized (NULL: none): the replication with the lowest number still running,
	 * its fraction done, and the fraction of all replications done. */
	void (*progress)(unsigned replication, double fraction, double overall, void *ctx);
	void *ctx;
	bool values_only; /* done() reads the summary values alone: other ranks send no more */
} cli_replications;

/* Runs them; returns the first nonzero of done(), else 0. Replications never started because
 * of a stop are not handed over. Under mpirun with more than one rank they run across the
 * ranks instead of on threads (cli_mpi_farm), handed over in the same order. */
int cli_replications_run(const cli_replications *job);

/* Runs the replications of jobs[0..n) as one list of work (all of jobs[0]'s, then jobs[1]'s,
 * ...), each handed to its own job's done(), in that order: across ranks under mpirun, else
 * job after job. Returns the first nonzero of done(), after which nothing more is handed
 * over. */
int cli_replications_run_all(const cli_replications *jobs, size_t n);

/* One replication built, run and summarized: what a rank does with a unit of work. r lends
 * the metrics, whose series and histograms are the model's. */
typedef struct cli_simulated {
	cli_replication r;
	sim_metrics *metrics;
	ks_model *model;
} cli_simulated;

/* Simulates replication `index` of sc with master seed `seed`; progress (NULL: none) is
 * ks_model_run's; spare_cores, the cores its helper threads may use. */
void cli_simulate(const ks_scenario *sc, uint64_t seed, unsigned index, const atomic_int *stop,
                  void (*progress)(double fraction, uint64_t events, void *ctx), void *ctx,
                  unsigned spare_cores, cli_simulated *out);
/* The cores a replication may use besides its own (ks_model_spare_cores) when `jobs` run at
 * once: one when the environment says KINESIM_THREADS=2 and it runs alone on a machine (or in
 * an affinity mask) of two cores or more, else none. */
unsigned cli_spare_cores(unsigned jobs);
void cli_simulated_free(cli_simulated *s); /* the model and metrics; s itself is the caller's */

#endif
