/* Replications on one or several threads, or across MPI ranks (cli/mpi.h) (replications.h). */
#include "cli/replications.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/mpi.h"
#include "sim/alloc.h"

typedef enum { WAITING, RUNNING, FINISHED } slot_state;

typedef struct slot {
	slot_state state;
	double fraction; /* of its run, for progress */
	cli_simulated s;
} slot;

typedef struct pool {
	const cli_replications *job;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	slot *slots;
	unsigned next;    /* the next replication to start */
	unsigned handed;  /* replications handed over (or dropped) */
	unsigned running; /* started, not finished */
	bool halt;        /* done() failed: start nothing more */
} pool;

typedef struct progress_ctx {
	pool *p;
	unsigned index;
} progress_ctx;

/* Under the lock. */
static void report(pool *p)
{
	const cli_replications *job = p->job;
	double sum = 0;
	unsigned lowest = job->count;
	for (unsigned i = 0; i < job->count; i++) {
		if (p->slots[i].state == FINISHED || i < p->handed) {
			sum += 1;
		} else if (p->slots[i].state == RUNNING) {
			sum += p->slots[i].fraction;
			if (i < lowest)
				lowest = i;
		}
	}
	if (lowest < job->count)
		job->progress(lowest, p->slots[lowest].fraction, sum / job->count, job->ctx);
}

static void on_progress(double fraction, uint64_t events, void *ctx)
{
	progress_ctx *pc = ctx;
	pool *p = pc->p;
	(void)events;
	pthread_mutex_lock(&p->lock);
	p->slots[pc->index].fraction = fraction;
	report(p);
	pthread_mutex_unlock(&p->lock);
}

void cli_simulate(const ks_scenario *sc, uint64_t seed, unsigned index, const atomic_int *stop,
                  void (*progress)(double fraction, uint64_t events, void *ctx), void *ctx,
                  unsigned spare_cores, cli_simulated *out)
{
	out->metrics = sim_metrics_create();
	out->model = ks_model_build(sc, seed, index, out->metrics);
	ks_model_spare_cores(out->model, spare_cores);
	out->r = (cli_replication){.index = index, .metrics = out->metrics};
	out->r.run_rc = ks_model_run(out->model, stop, progress, ctx);
	ks_model_summarize(out->model);
	out->r.reached = ks_model_now(out->model);
	out->r.events = ks_model_events(out->model);
}

unsigned cli_spare_cores(unsigned jobs)
{
	if (jobs > 1)
		return 0; /* -j N: the other cores run other replications */
	/* Opt-in: KINESIM_THREADS=2 lets a run put its producers on a second thread. Measured
	 * on a 2-vCPU machine it mostly pays where the readers are much of the work (the large
	 * benchmark, 1.1 to 1.3x, once 0.93x) and loses some 10% where the producer is most of
	 * it, by how far apart the host keeps the two cores (docs/performance.md). */
	const char *env = getenv("KINESIM_THREADS");
	if (!env || strcmp(env, "2") != 0)
		return 0;
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) != 0)
		return 0;
	return CPU_COUNT(&set) > 1 ? 1 : 0;
}

void cli_simulated_free(cli_simulated *s)
{
	ks_model_destroy(s->model);
	sim_metrics_destroy(s->metrics);
	s->model = NULL;
	s->metrics = NULL;
}

/* Builds, runs and summarizes replication i into its slot (no lock held). */
static void simulate(pool *p, unsigned i)
{
	const cli_replications *job = p->job;
	progress_ctx pc = {p, i};
	cli_simulate(job->sc, job->seed, job->first + i, job->stop,
	             job->progress ? on_progress : NULL, &pc, cli_spare_cores(job->jobs),
	             &p->slots[i].s);
}

/* Whether replication i may start now (under the lock). */
static bool may_start(const pool *p)
{
	return !p->halt && !*p->job->stop && p->next < p->job->count &&
	       p->next < p->handed + p->job->jobs;
}

static void wait_a_while(pool *p)
{
	/* A signal handler cannot wake a condition variable: look at the flag every 50 ms. */
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_nsec += 50 * 1000 * 1000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&p->changed, &p->lock, &t);
}

static void *worker(void *arg)
{
	pool *p = arg;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!may_start(p) && !p->halt && !*p->job->stop && p->next < p->job->count)
			wait_a_while(p);
		if (!may_start(p))
			break;
		unsigned i = p->next++;
		p->slots[i].state = RUNNING;
		p->running++;
		pthread_mutex_unlock(&p->lock);
		simulate(p, i);
		pthread_mutex_lock(&p->lock);
		p->slots[i].state = FINISHED;
		p->running--;
		pthread_cond_broadcast(&p->changed);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static int run_here(pool *p)
{
	const cli_replications *job = p->job;
	int rc = 0;
	for (unsigned i = 0; rc == 0 && i < job->count && !*job->stop; i++) {
		p->slots[i].state = RUNNING;
		p->next = i + 1;
		simulate(p, i);
		p->slots[i].state = FINISHED;
		rc = job->done(&p->slots[i].s.r, job->ctx);
		cli_simulated_free(&p->slots[i].s);
		p->handed = i + 1;
	}
	return rc;
}

static int run_threads(pool *p, unsigned threads)
{
	const cli_replications *job = p->job;
	pthread_t *tids = sim_calloc(threads, sizeof *tids);
	unsigned started = 0;
	for (; started < threads; started++)
		if (pthread_create(&tids[started], NULL, worker, p) != 0)
			break;
	int rc = 0;
	if (started == 0) { /* no thread to be had: do it here */
		sim_free(tids);
		return run_here(p);
	}
	pthread_mutex_lock(&p->lock);
	for (unsigned i = 0; i < job->count; i++) {
		/* Wait for replication i, unless nothing will start it any more. */
		while (p->slots[i].state != FINISHED &&
		       !(p->slots[i].state == WAITING && p->next <= i && (p->halt || *job->stop)))
			wait_a_while(p);
		if (p->slots[i].state != FINISHED)
			break;
		pthread_mutex_unlock(&p->lock);
		if (rc == 0)
			rc = job->done(&p->slots[i].s.r, job->ctx);
		cli_simulated_free(&p->slots[i].s);
		pthread_mutex_lock(&p->lock);
		p->handed = i + 1;
		if (rc != 0)
			p->halt = true;
		pthread_cond_broadcast(&p->changed);
	}
	p->halt = true;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	for (unsigned t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	/* Finished after a stop or a failure, never handed over. */
	for (unsigned i = 0; i < job->count; i++)
		if (p->slots[i].s.model)
			cli_simulated_free(&p->slots[i].s);
	sim_free(tids);
	return rc;
}

int cli_replications_run(const cli_replications *job)
{
	return cli_replications_run_all(job, 1);
}

/* Runs one job's replications here, on up to job->jobs threads. */
static int run_locally(const cli_replications *job)
{
	pool p = {.job = job};
	p.slots = sim_calloc(job->count ? job->count : 1, sizeof *p.slots);
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.changed, NULL);
	unsigned threads = job->jobs < job->count ? job->jobs : job->count;
	int rc = threads > 1 ? run_threads(&p, threads) : run_here(&p);
	pthread_cond_destroy(&p.changed);
	pthread_mutex_destroy(&p.lock);
	sim_free(p.slots);
	return rc;
}

int cli_replications_run_all(const cli_replications *jobs, size_t n)
{
	if (cli_mpi_ranks() > 1)
		return cli_mpi_farm(jobs, n);
	int rc = 0;
	for (size_t k = 0; rc == 0 && k < n && !*jobs[k].stop; k++)
		rc = run_locally(&jobs[k]);
	return rc;
}
