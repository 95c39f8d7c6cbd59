/* Scale-out on MPI (mpi.h): rank 0 farms replications out and writes; the others simulate.
 *
 * The work is a list of units, every replication of every job in order; they are handed out
 * in that order, each worker kept two units ahead so it never waits for the next between
 * them. Rank 0 hands results to done() in unit order, writing whatever has arrived first;
 * only when the next result it needs is not there does it simulate the next unassigned unit
 * itself. Where writing takes longer than simulating (a sweep's HDF5 groups), rank 0 thus
 * mostly writes while the others simulate; where simulating dominates, it simulates too. No
 * unit is assigned more than two a rank ahead of the next to hand over, which bounds the
 * results rank 0 holds.
 *
 * Messages (rank 0 to a worker, in order, which MPI keeps between two ranks):
 *   JOB    a job's scenario (its name, text and --set assignments, loaded again by the worker,
 *          which needs no access to rank 0's files), seed and whether only values are wanted;
 *          sent before the worker's first unit of that job
 *   UNIT   a replication number of the last job sent
 *   QUIT   the command's exit status: the worker leaves
 * and a worker to rank 0:
 *   RESULT whether the replication ran (its scenario loaded), and the replication (wire.h). */
#include "cli/mpi.h"

#include <errno.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/wire.h"
#include "sim/alloc.h"

enum { TAG_JOB = 1, TAG_UNIT, TAG_QUIT, TAG_RESULT };
enum { AHEAD = 2 }; /* units a worker holds, running or queued */

static unsigned ranks = 1, rank;

/* What a farm stopped by a signal left under way: the results still to come (the workers run
 * what they were sent), and its messages not yet taken. cli_mpi_finish waits for them once the
 * command has closed its file. Under mpirun, which signals every rank, the workers are gone by
 * then: rank 0 waits there until mpirun ends it, its file closed. */
static size_t abandoned;
static cli_wire *left_behind;
static size_t nleft_behind, capleft_behind;

void cli_mpi_init(int *argc, char ***argv)
{
	if (!cli_mpi_launched())
		return;
	int provided, size, me;
	/* Threads (-j) never call MPI: only the main thread does. */
	MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	MPI_Comm_rank(MPI_COMM_WORLD, &me);
	ranks = (unsigned)size;
	rank = (unsigned)me;
	if (ranks == 1) { /* mpirun -n 1: as without it */
		MPI_Finalize();
	}
}

unsigned cli_mpi_ranks(void)
{
	return ranks;
}

unsigned cli_mpi_rank(void)
{
	return rank;
}

const char *cli_mpi_help(void)
{
	return cli_mpi_ranks_help;
}

/* MPI waits by spinning on a core: a rank waiting for work, or for rank 0 to take a result,
 * would take a core from rank 0 (and from whatever else runs there: on a loaded machine rank 0
 * then wrote two to three times slower). Waiting here looks every half millisecond instead,
 * little next to a replication's tens of milliseconds. */
static void nap(void)
{
	struct timespec t = {0, 500 * 1000};
	nanosleep(&t, NULL);
}

static void send(const cli_wire *w, int to, int tag)
{
	MPI_Request req;
	MPI_Isend(w->data, (int)w->len, MPI_BYTE, to, tag, MPI_COMM_WORLD, &req);
	for (int done = 0;;) {
		MPI_Test(&req, &done, MPI_STATUS_IGNORE);
		if (done)
			break;
		nap();
	}
}

/* Waits for a message from `from` (MPI_ANY_SOURCE) with `tag` (MPI_ANY_TAG). */
static void probe(int from, int tag, MPI_Status *st)
{
	for (int there = 0;;) {
		MPI_Iprobe(from, tag, MPI_COMM_WORLD, &there, st);
		if (there)
			break;
		nap();
	}
}

/* Receives the next message from `from` (MPI_ANY_SOURCE) with `tag` (MPI_ANY_TAG) whole. */
static void receive(int from, int tag, cli_wire *w, MPI_Status *st)
{
	probe(from, tag, st);
	int len;
	MPI_Get_count(st, MPI_BYTE, &len);
	w->len = 0;
	sim_grow(&w->data, &w->cap, (size_t)len + 1, 1);
	MPI_Recv(w->data, len, MPI_BYTE, st->MPI_SOURCE, st->MPI_TAG, MPI_COMM_WORLD,
	         MPI_STATUS_IGNORE);
	w->len = (size_t)len;
}

/* ---- a worker ------------------------------------------------------------------------------- */

typedef struct worker_job {
	ks_scenario *sc; /* NULL: it did not load */
	uint64_t seed;
	bool values_only;
} worker_job;

static void load_job(cli_wire_reader *r, worker_job *job)
{
	ks_scenario_destroy(job->sc);
	*job = (worker_job){0};
	char *name = cli_wire_get_string(r);
	size_t len;
	const char *text = cli_wire_get_bytes(r, &len);
	size_t nsets = (size_t)cli_wire_get_u64(r);
	if (nsets > r->left / 8) { /* each takes 8 bytes or more */
		r->bad = true;
		nsets = 0;
	}
	char **sets = sim_calloc(nsets ? nsets : 1, sizeof *sets);
	for (size_t i = 0; i < nsets && !r->bad; i++)
		sets[i] = cli_wire_get_string(r);
	job->seed = cli_wire_get_u64(r);
	job->values_only = cli_wire_get_u64(r) != 0;
	if (!r->bad && name && text) {
		/* The text loaded on rank 0: it loads the same here (diagnostics were rank 0's). */
		sim_diag *d = sim_diag_create();
		ks_scenario_load_text(name, text, len, (const char *const *)sets, nsets, d,
		                      &job->sc);
		sim_diag_destroy(d);
	}
	for (size_t i = 0; i < nsets; i++)
		sim_free(sets[i]);
	sim_free(sets);
	sim_free(name);
}

/* Unit `unit` (rank 0's number for it, sent back) is replication `index` of the job. */
static void run_unit(const worker_job *job, uint64_t unit, unsigned index, cli_wire *out)
{
	static const atomic_int never = 0; /* rank 0 stops by sending no more units */
	out->len = 0;
	cli_wire_u64(out, unit);
	cli_wire_u64(out, job->sc != NULL);
	if (!job->sc)
		return;
	cli_simulated s;
	cli_simulate(job->sc, job->seed, index, &never, NULL, NULL, 0, &s); /* a rank a core */
	cli_wire_replication(out, &s.r, job->values_only);
	cli_simulated_free(&s);
}

int cli_mpi_serve(void)
{
	worker_job job = {0};
	cli_wire in = {0}, out = {0};
	int status = EXIT_FAILURE;
	for (;;) {
		MPI_Status st;
		receive(0, MPI_ANY_TAG, &in, &st);
		cli_wire_reader r = {in.data, in.len, false};
		if (st.MPI_TAG == TAG_QUIT) {
			status = (int)cli_wire_get_u64(&r);
			break;
		}
		if (st.MPI_TAG == TAG_JOB) {
			load_job(&r, &job);
		} else if (st.MPI_TAG == TAG_UNIT) {
			uint64_t unit = cli_wire_get_u64(&r);
			run_unit(&job, unit, (unsigned)cli_wire_get_u64(&r), &out);
			send(&out, 0, TAG_RESULT);
		}
	}
	ks_scenario_destroy(job.sc);
	cli_wire_free(&in);
	cli_wire_free(&out);
	MPI_Finalize();
	return status;
}

void cli_mpi_finish(int status)
{
	if (ranks < 2)
		return;
	cli_wire w = {0};
	for (; abandoned > 0; abandoned--) {
		MPI_Status st;
		receive(MPI_ANY_SOURCE, TAG_RESULT, &w, &st);
	}
	for (size_t i = 0; i < nleft_behind; i++)
		cli_wire_free(&left_behind[i]);
	sim_free(left_behind);
	w.len = 0;
	cli_wire_u64(&w, (uint64_t)status);
	for (unsigned to = 1; to < ranks; to++)
		send(&w, (int)to, TAG_QUIT);
	cli_wire_free(&w);
	MPI_Finalize();
}

/* ---- rank 0 --------------------------------------------------------------------------------- */

/* A unit's result, from here or from a worker. */
typedef struct held {
	enum { WAITING, ASSIGNED, LOCAL, REMOTE, LOST } state;
	cli_simulated local;
	cli_wire_result remote;
} held;

typedef struct farm {
	const cli_replications *jobs;
	size_t njobs, total;
	size_t *job_of;   /* per unit: its job */
	unsigned *number; /* per unit: its replication number */
	held *units;
	size_t next;      /* the first unit not yet assigned */
	size_t handed;    /* units handed over to done() */
	size_t window;    /* units assigned ahead of the one to hand over next, at most */
	unsigned *ahead;  /* per rank: units assigned, their results not received */
	size_t *last_job; /* per rank: the job it was last sent (njobs: none) */
	size_t out;       /* units assigned to workers, their results not received */
	bool halt;        /* done() failed: assign nothing more */
	cli_wire in, msg;
	/* Sent, maybe not yet received: rank 0 never waits for a worker to take a message, as
	 * the worker may be waiting for rank 0 to take its result (a large message of either is
	 * only taken when its receiver asks for it). */
	MPI_Request *sending;
	cli_wire *sent;
	size_t nsending, capsending;
} farm;

/* Sends f->msg without waiting, keeping its bytes until it is taken. */
static void post(farm *f, unsigned to, int tag)
{
	size_t cap = f->capsending;
	sim_grow(&f->sending, &cap, f->nsending + 1, sizeof *f->sending);
	sim_grow(&f->sent, &f->capsending, f->nsending + 1, sizeof *f->sent);
	f->sent[f->nsending] = f->msg;
	f->msg = (cli_wire){0};
	const cli_wire *w = &f->sent[f->nsending];
	MPI_Isend(w->data, (int)w->len, MPI_BYTE, (int)to, tag, MPI_COMM_WORLD,
	          &f->sending[f->nsending]);
	f->nsending++;
}

/* Lets go of the messages taken; with wait, of all of them. */
static void reap(farm *f, bool wait)
{
	do {
		size_t kept = 0;
		for (size_t i = 0; i < f->nsending; i++) {
			int done;
			MPI_Test(&f->sending[i], &done, MPI_STATUS_IGNORE);
			if (done) {
				cli_wire_free(&f->sent[i]);
				continue;
			}
			f->sending[kept] = f->sending[i];
			f->sent[kept++] = f->sent[i];
		}
		f->nsending = kept;
		if (wait && kept)
			nap();
	} while (wait && f->nsending);
}

static bool stopped(const farm *f)
{
	return f->halt || *f->jobs[0].stop;
}

/* Whether the next unit may be assigned: results wait on rank 0 until their turn, and a rank 0
 * slower to write than the others to simulate would otherwise hold the whole sweep in memory
 * (as -j keeps at most N models alive, this keeps a few results a rank). */
static bool may_assign(const farm *f)
{
	return f->next < f->total && f->next < f->handed + f->window && !stopped(f);
}

static void send_job(farm *f, unsigned to, size_t k)
{
	const cli_replications *job = &f->jobs[k];
	const ks_scenario *sc = job->sc;
	f->msg.len = 0;
	cli_wire_string(&f->msg, sc->path);
	cli_wire_bytes(&f->msg, sc->source, sc->source_len);
	cli_wire_u64(&f->msg, sc->nsets);
	for (size_t i = 0; i < sc->nsets; i++)
		cli_wire_string(&f->msg, sc->sets[i]);
	cli_wire_u64(&f->msg, job->seed);
	cli_wire_u64(&f->msg, job->values_only);
	post(f, to, TAG_JOB);
	f->last_job[to] = k;
}

/* Keeps worker `to` AHEAD units ahead while there are units to assign. */
static void feed(farm *f, unsigned to)
{
	while (f->ahead[to] < AHEAD && may_assign(f)) {
		size_t u = f->next++;
		if (f->last_job[to] != f->job_of[u])
			send_job(f, to, f->job_of[u]);
		f->msg.len = 0;
		cli_wire_u64(&f->msg, u);
		cli_wire_u64(&f->msg, f->number[u]);
		post(f, to, TAG_UNIT);
		f->units[u].state = ASSIGNED;
		f->ahead[to]++;
		f->out++;
	}
}

/* Receives a result, waiting for one or only if one is there: whether one came. The worker
 * that sent it is given more work. */
static bool take_result(farm *f, bool wait)
{
	int flag = 1;
	MPI_Status st;
	if (!wait)
		MPI_Iprobe(MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &flag, &st);
	if (!flag)
		return false;
	receive(MPI_ANY_SOURCE, TAG_RESULT, &f->in, &st);
	unsigned from = (unsigned)st.MPI_SOURCE;
	f->ahead[from]--;
	f->out--;
	cli_wire_reader r = {f->in.data, f->in.len, false};
	size_t u = (size_t)cli_wire_get_u64(&r);
	if (r.bad || u >= f->total || f->units[u].state != ASSIGNED) {
		fprintf(stderr, "kinesim: rank %u sent a result no replication awaits\n", from);
		f->halt = true;
		return true;
	}
	held *h = &f->units[u];
	if (cli_wire_get_u64(&r) == 1 && cli_wire_get_replication(&r, &h->remote) == 0) {
		h->state = REMOTE;
	} else {
		h->state = LOST;
		fprintf(stderr, "kinesim: rank %u could not run replication %u\n", from,
		        f->number[u]);
	}
	feed(f, from);
	return true;
}

static void drop(held *h)
{
	if (h->state == LOCAL)
		cli_simulated_free(&h->local);
	else if (h->state == REMOTE)
		cli_wire_result_free(&h->remote);
	h->state = WAITING;
}

/* Hands unit u to its job's done() (once rc is 0 and the unit ran) and lets it go. */
static int hand_over(farm *f, size_t u, int rc)
{
	held *h = &f->units[u];
	const cli_replications *job = &f->jobs[f->job_of[u]];
	if (rc == 0 && h->state == LOST)
		rc = -EPROTO;
	else if (rc == 0)
		rc = job->done(h->state == LOCAL ? &h->local.r : &h->remote.r, job->ctx);
	drop(h);
	return rc;
}

int cli_mpi_farm(const cli_replications *jobs, size_t n)
{
	farm f = {.jobs = jobs, .njobs = n, .window = (size_t)AHEAD * ranks};
	for (size_t k = 0; k < n; k++)
		f.total += jobs[k].count;
	size_t room = f.total ? f.total : 1;
	f.job_of = sim_calloc(room, sizeof *f.job_of);
	f.number = sim_calloc(room, sizeof *f.number);
	for (size_t k = 0, u = 0; k < n; k++)
		for (unsigned i = 0; i < jobs[k].count; i++, u++) {
			f.job_of[u] = k;
			f.number[u] = jobs[k].first + i;
		}
	f.units = sim_calloc(room, sizeof *f.units);
	f.ahead = sim_calloc(ranks, sizeof *f.ahead);
	f.last_job = sim_calloc(ranks, sizeof *f.last_job);
	for (unsigned w = 0; w < ranks; w++)
		f.last_job[w] = n;
	for (unsigned w = 1; w < ranks; w++)
		feed(&f, w);
	int rc = 0;
	while (f.handed < f.total) {
		while (take_result(&f, false)) /* whatever has come, and more work for its sender */
			;
		reap(&f, false);
		held *h = &f.units[f.handed];
		if (h->state == LOCAL || h->state == REMOTE || h->state == LOST) {
			rc = hand_over(&f, f.handed++, rc);
			f.halt = f.halt || rc != 0;
			for (unsigned w = 1; w < ranks; w++) /* the window moved on */
				feed(&f, w);
		} else if (may_assign(&f)) {
			/* the next result is not here: simulate the next unit meanwhile */
			size_t u = f.next++;
			const cli_replications *job = &jobs[f.job_of[u]];
			cli_simulate(job->sc, job->seed, f.number[u], job->stop, NULL, NULL, 0,
			             &f.units[u].local);
			f.units[u].state = LOCAL;
		} else if (h->state == ASSIGNED && !*jobs[0].stop) {
			take_result(&f, true);
		} else {
			break; /* it will never run, or a signal came: the file closes now */
		}
	}
	if (*jobs[0].stop) {
		abandoned += f.out;
		reap(&f, false);
		for (size_t i = 0; i < f.nsending; i++) {
			MPI_Request_free(&f.sending[i]); /* sent when taken: keep the bytes */
			sim_grow(&left_behind, &capleft_behind, nleft_behind + 1,
			         sizeof *left_behind);
			left_behind[nleft_behind++] = f.sent[i];
		}
	} else {
		while (f.out > 0) /* what was under way when done() failed */
			take_result(&f, true);
		reap(&f, true);
	}
	sim_free(f.sending);
	sim_free(f.sent);
	for (size_t u = 0; u < f.total; u++)
		drop(&f.units[u]);
	cli_wire_free(&f.in);
	cli_wire_free(&f.msg);
	sim_free(f.job_of);
	sim_free(f.number);
	sim_free(f.units);
	sim_free(f.ahead);
	sim_free(f.last_job);
	return rc;
}
