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

/* A finished replication (run, then summarized), lent to the callback. */
typedef struct cli_replication {
	unsigned index;
	sim_metrics *metrics;
	ks_model *model;
	int run_rc; /* ks_model_run's: 0 complete, -EINTR interrupted */
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
} cli_replications;

/* Runs them; returns the first nonzero of done(), else 0. Replications never started because
 * of a stop are not handed over. */
int cli_replications_run(const cli_replications *job);

#endif
