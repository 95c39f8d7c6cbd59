/* kinesim sweep: a scenario over a grid of --vary values, each point run with its replications;
 * one HDF5 file with a complete run group per point (points/pNNNN: the layout of a run file
 * below it) and one table on stdout (text, csv or json) with every point's summary metrics and
 * their 95% intervals.
 *
 * Every point is loaded and checked before anything runs or is written, so a bad value is
 * reported (with the point it makes) and nothing is half-done. The file is written as run's
 * is (a temporary name, renamed when complete; a signal keeps the finished points in the
 * partial file and exits 128 + the signal). -j runs points at once (or, for a single point,
 * its replications), with a file identical to -j 1's (run_points); so does mpirun -n K, across
 * its ranks (run_farmed). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/accumulator.h"
#include "cli/cli.h"
#include "cli/grid.h"
#include "cli/mpi.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/replications.h"
#include "cli/signals.h"
#include "sim/alloc.h"
#include "sim/schema.h"

static const char sweep_usage[] =
        "sweep SCENARIO --vary PATH=VALUES [--vary PATH=VALUES]... [--set PATH=VALUE]... "
        "[--set-new PATH=VALUE]... [--seed N] [-o FILE.h5] [--format text|json|csv] "
        "[--metric TEXT]... [--replications R] [-j N]";

typedef struct sweep_options {
	cli_grid grid; /* the scenario, its --set and --vary */
	const char *output;
	const char **metrics; /* --metric: the table shows the metrics whose path holds one */
	size_t nmetrics;
	bool have_seed;
	uint64_t seed;
	cli_format format;
	unsigned jobs;
} sweep_options;

static int parse_options(int argc, char **argv, sweep_options *o)
{
	static const struct option options[] = {
	        {"vary", required_argument, NULL, 'v'},
	        {"set", required_argument, NULL, 's'},
	        {"set-new", required_argument, NULL, 'n'},
	        {"seed", required_argument, NULL, 'S'},
	        {"output", required_argument, NULL, 'o'},
	        {"format", required_argument, NULL, 'f'},
	        {"metric", required_argument, NULL, 'm'},
	        {"jobs", required_argument, NULL, 'j'},
	        {"replications", required_argument, NULL, 'r'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	size_t room = 0;
	for (int i = 0; i < argc; i++)
		room += strlen(argv[i]) + 16; /* "+" or "replications=" */
	o->grid.sets = sim_calloc(1, (size_t)argc * sizeof *o->grid.sets + room);
	o->metrics = sim_calloc((size_t)argc, sizeof *o->metrics);
	char *copies = (char *)(o->grid.sets + argc);
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":o:j:h", options, NULL)) != -1) {
		switch (c) {
		case 'v': {
			int rc = cli_grid_vary(&o->grid, "sweep", optarg);
			if (rc)
				return rc;
			break;
		}
		case 's': o->grid.sets[o->grid.nsets++] = optarg; break;
		case 'r': { /* the scenario's replications, for every point */
			unsigned v;
			int rc = cli_option_replications("sweep", optarg, 1, &v);
			if (rc)
				return rc;
			o->grid.sets[o->grid.nsets++] = copies;
			copies += sprintf(copies, "replications=%u", v) + 1;
			break;
		}
		case 'n':
			o->grid.sets[o->grid.nsets++] = copies;
			copies += sprintf(copies, "%c%s", KS_SET_NEW, optarg) + 1;
			break;
		case 'S': {
			int rc = cli_option_seed("sweep", optarg, &o->seed);
			if (rc)
				return rc;
			o->have_seed = true;
			break;
		}
		case 'o': o->output = optarg; break;
		case 'f': {
			int rc = cli_option_format("sweep", optarg, true, &o->format);
			if (rc)
				return rc;
			break;
		}
		case 'm': o->metrics[o->nmetrics++] = optarg; break;
		case 'j': {
			int rc = cli_option_jobs("sweep", optarg, &o->jobs);
			if (rc)
				return rc;
			break;
		}
		case 'h': printf("usage: kinesim %s\n", sweep_usage); return -1;
		case ':':
			return cli_usage_error("sweep", "option '%s' needs a value",
			                       argv[optind - 1]);
		default: return cli_usage_error("sweep", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("sweep", "no scenario file given");
	if (optind + 1 < argc)
		return cli_usage_error("sweep", "one scenario at a time (got '%s' too)",
		                       argv[optind + 1]);
	if (o->grid.nvaries == 0)
		return cli_usage_error("sweep", "nothing to vary: give --vary PATH=VALUES");
	o->grid.scenario = argv[optind];
	return 0;
}

typedef struct point_result {
	char *label;
	cli_accumulator acc;
} point_result;

/* The points run on up to -j threads, each a point at a time (its replications one after
 * another); the file is written in point order, so its bytes are those of -j 1: a point's
 * writer waits for its turn (the points before it written) under the pool's lock, which also
 * serializes every HDF5 call and every scenario load. With as many replications a point as
 * -j, the replications of a point run at once instead (run_points). */
typedef struct pool {
	const sweep_options *o;
	sim_h5_file *file;
	point_result *pts;
	size_t n, next, turn, done;
	unsigned inner_jobs; /* replications at once within a point */
	int rc;              /* the first error: no point starts after it */
	pthread_mutex_t lock;
	pthread_cond_t turned;
} pool;

typedef struct point_writer {
	pool *pl;
	size_t index;
	hid_t group; /* -1 until the point's turn came */
	ks_scenario *sc;
	uint64_t seed;
	unsigned replications;
} point_writer;

/* Under the lock: waits for point w's turn (false when the sweep stopped on an error), and
 * opens its group with its attributes and scenario the first time. */
static bool my_turn(point_writer *w)
{
	pool *pl = w->pl;
	while (pl->turn != w->index && pl->rc == 0)
		pthread_cond_wait(&pl->turned, &pl->lock);
	if (pl->rc != 0)
		return false;
	if (w->group >= 0)
		return true;
	const sweep_options *o = pl->o;
	char name[32];
	snprintf(name, sizeof name, "points/p%04zu", w->index);
	w->group = sim_h5_group(pl->file->id, name);
	if (w->group < 0) {
		pl->rc = sim_h5_error();
		return false;
	}
	/* its values, one a line in the order of the root's vary_paths */
	char *values = sim_strdup("");
	for (size_t k = 0; k < o->grid.nvaries; k++) {
		char *next = sim_asprintf("%s%s%s", values, k ? "\n" : "",
		                          cli_grid_value(&o->grid, w->index, k));
		sim_free(values);
		values = next;
	}
	const char *label = pl->pts[w->index].label;
	int rc = sim_h5_attr_string(w->group, "assignments", label);
	rc = rc ? rc : sim_h5_attr_string(w->group, "values", values);
	sim_free(values);
	rc = rc ? rc : out_write_header(w->group, w->sc, w->seed, w->replications, label);
	pl->rc = rc;
	return rc == 0;
}

static int write_replication(const cli_replication *r, void *ctx)
{
	point_writer *w = ctx;
	pool *pl = w->pl;
	const ks_scenario *sc = w->sc;
	out_run_info info = {
	        .replication = r->index,
	        .seed = w->seed,
	        .duration = sim_schema_duration(sc->root, "duration"),
	        .warmup = sim_schema_duration(sc->root, "warmup"),
	        .interval = sim_schema_duration(sim_yaml_get(sc->root, "metrics"), "interval"),
	        .reached = r->reached,
	        .events = r->events,
	        .complete = r->run_rc == 0,
	};
	pthread_mutex_lock(&pl->lock);
	int rc = my_turn(w) ? out_write_run(w->group, &info, r->metrics) : pl->rc;
	if (rc == 0 && r->run_rc == 0)
		cli_accumulate(&pl->pts[w->index].acc, r->metrics);
	pthread_mutex_unlock(&pl->lock);
	return rc;
}

/* Under the lock, once point w's replications are written: its summary, then the turn goes on
 * (rc: the point's failure, if any). */
static void finish_point(pool *pl, point_writer *w, int rc)
{
	point_result *res = &pl->pts[w->index];
	if (rc != 0 && pl->rc == 0)
		pl->rc = rc;
	if (my_turn(w) && !cli_stop_signal) {
		cli_accumulator_finish(&res->acc);
		pl->rc = out_write_summary(w->group, res->acc.rows, res->acc.n);
		if (pl->rc == 0) {
			pl->done++;
			fprintf(stderr, "kinesim: p%04zu of %zu done (%s)\n", w->index, pl->n,
			        res->label);
		}
	}
	if (w->group >= 0)
		H5Gclose(w->group);
	w->group = -1;
	pl->turn = w->index + 1;
	pthread_cond_broadcast(&pl->turned);
}

/* Loads point i's scenario for its writer: 0, or -EINVAL. */
static int load_point(pool *pl, size_t i, point_writer *w)
{
	const sweep_options *o = pl->o;
	pthread_mutex_lock(&pl->lock);
	ks_scenario *sc = NULL;
	int rc = cli_grid_load(&o->grid, i, &sc) != 0 ? -EINVAL : 0; /* checked: it loads */
	pthread_mutex_unlock(&pl->lock);
	*w = (point_writer){.pl = pl, .index = i, .group = -1, .sc = sc};
	if (rc == 0) {
		w->seed = o->have_seed ? o->seed : (uint64_t)sim_schema_int(sc->root, "seed");
		w->replications = (unsigned)sim_schema_int(sc->root, "replications");
	}
	return rc;
}

static cli_replications point_job(point_writer *w, unsigned jobs,
                                  int (*done)(const cli_replication *, void *))
{
	return (cli_replications){
	        .sc = w->sc,
	        .seed = w->seed,
	        .count = w->replications,
	        .jobs = jobs,
	        .stop = &cli_stop_signal,
	        .done = done,
	        .ctx = w,
	};
}

/* Runs point i into points/pNNNN, then hands the turn on. */
static void run_point(pool *pl, size_t i)
{
	point_writer w;
	int rc = load_point(pl, i, &w);
	if (rc == 0) {
		cli_replications job = point_job(&w, pl->inner_jobs, write_replication);
		rc = cli_replications_run(&job);
	}
	pthread_mutex_lock(&pl->lock);
	finish_point(pl, &w, rc);
	pthread_mutex_unlock(&pl->lock);
	ks_scenario_destroy(w.sc);
}

/* A point's replication under mpirun: written, and after the point's last, its summary. */
static int write_farmed(const cli_replication *r, void *ctx)
{
	point_writer *w = ctx;
	int rc = write_replication(r, ctx);
	if (rc == 0 && r->index + 1 == w->replications) {
		pthread_mutex_lock(&w->pl->lock);
		finish_point(w->pl, w, 0);
		rc = w->pl->rc;
		pthread_mutex_unlock(&w->pl->lock);
	}
	return rc;
}

/* Under mpirun: every replication of every point is one list of work across the ranks
 * (cli/mpi.h), handed back here in order and written as -j 1 writes it. */
static int run_farmed(pool *pl)
{
	size_t n = pl->n;
	point_writer *w = sim_calloc(n, sizeof *w);
	cli_replications *jobs = sim_calloc(n, sizeof *jobs);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rc = load_point(pl, i, &w[i]);
		jobs[i] = point_job(&w[i], 1, write_farmed);
	}
	if (rc == 0)
		rc = cli_replications_run_all(jobs, n);
	for (size_t i = 0; i < n; i++) {
		if (w[i].group >= 0) /* stopped within it */
			H5Gclose(w[i].group);
		ks_scenario_destroy(w[i].sc);
	}
	if (rc != 0 && pl->rc == 0)
		pl->rc = rc;
	sim_free(jobs);
	sim_free(w);
	return pl->rc;
}

static void *worker(void *arg)
{
	pool *pl = arg;
	for (;;) {
		pthread_mutex_lock(&pl->lock);
		size_t i = pl->next;
		bool go = i < pl->n && pl->rc == 0 && !cli_stop_signal;
		if (go)
			pl->next++;
		pthread_mutex_unlock(&pl->lock);
		if (!go)
			return NULL;
		run_point(pl, i);
	}
}

/* Runs every point; returns the first error (0: none). With at least `jobs` replications a
 * point, the replications of each point run at once (a point's writer would otherwise hold
 * its finished replications while the points before it run); with fewer, points do. Under
 * mpirun the ranks run them all instead, and -j is not used. */
static int run_points(pool *pl, unsigned jobs, unsigned replications)
{
	pl->inner_jobs = replications >= jobs || pl->n == 1 ? jobs : 1;
	unsigned threads = jobs / pl->inner_jobs;
	if (threads > pl->n)
		threads = (unsigned)pl->n;
	pthread_mutex_init(&pl->lock, NULL);
	pthread_cond_init(&pl->turned, NULL);
	if (cli_mpi_ranks() > 1) /* the ranks take the place of threads */
		threads = 0;
	pthread_t *tids = sim_calloc(threads ? threads : 1, sizeof *tids);
	unsigned started = 0;
	for (; threads > 1 && started < threads; started++)
		if (pthread_create(&tids[started], NULL, worker, pl) != 0)
			break;
	if (threads == 0)
		run_farmed(pl);
	else if (started == 0)
		worker(pl); /* -j 1, or no thread to be had: here */
	for (unsigned t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	sim_free(tids);
	pthread_cond_destroy(&pl->turned);
	pthread_mutex_destroy(&pl->lock);
	return pl->rc;
}

/* ---- the table ---------------------------------------------------------------------------- */

static void print_text(FILE *f, const sweep_options *o, const point_result *pts, size_t n)
{
	fprintf(f, "sweep of %s: %zu points\n\n", o->grid.scenario, n);
	size_t rows = n ? pts[0].acc.n : 0;
	for (size_t p = 0; p < n; p++)
		fprintf(f, "  p%04zu  %s\n", p, pts[p].label);
	fprintf(f, "\n  %-44s", "metric");
	for (size_t p = 0; p < n; p++) {
		char head[32];
		snprintf(head, sizeof head, "p%04zu", p);
		fprintf(f, " %22s", head);
	}
	fputc('\n', f);
	for (size_t r = 0; r < rows; r++) {
		const cli_summary_row *row = &pts[0].acc.rows[r];
		if (!cli_metric_shown(o->metrics, o->nmetrics, row->path))
			continue;
		fprintf(f, "  %-44s", row->path);
		for (size_t p = 0; p < n; p++) {
			const cli_summary_row *x = r < pts[p].acc.n ? &pts[p].acc.rows[r] : NULL;
			char v[32], ci[32], cell[80];
			cli_human(v, sizeof v, x ? x->mean : NAN, row->unit);
			if (x && x->ci95 >= 0) {
				cli_human(ci, sizeof ci, x->ci95, row->unit);
				snprintf(cell, sizeof cell, "%s +/- %s", v, ci);
			} else {
				snprintf(cell, sizeof cell, "%s", v);
			}
			fprintf(f, " %22s", cell);
		}
		fputc('\n', f);
	}
}

static void print_csv(FILE *f, const sweep_options *o, const point_result *pts, size_t n)
{
	fputs("point", f);
	for (size_t k = 0; k < o->grid.nvaries; k++) {
		fputc(',', f);
		cli_csv_field(f, o->grid.varies[k].path);
	}
	fputs(",metric,mean,unit,ci95\n", f);
	for (size_t p = 0; p < n; p++)
		for (size_t r = 0; r < pts[p].acc.n; r++) {
			const cli_summary_row *x = &pts[p].acc.rows[r];
			if (!cli_metric_shown(o->metrics, o->nmetrics, x->path))
				continue;
			fprintf(f, "p%04zu", p);
			for (size_t k = 0; k < o->grid.nvaries; k++) {
				fputc(',', f);
				cli_csv_field(f, cli_grid_value(&o->grid, p, k));
			}
			fputc(',', f);
			cli_csv_field(f, x->path);
			fputc(',', f);
			cli_csv_number(f, x->mean);
			fputc(',', f);
			cli_csv_field(f, x->unit);
			fputc(',', f);
			cli_csv_number(f, x->ci95 >= 0 ? x->ci95 : NAN);
			fputc('\n', f);
		}
}

static void print_json(FILE *f, const sweep_options *o, const point_result *pts, size_t n)
{
	fputs("{\"scenario\": ", f);
	cli_json_string(f, o->grid.scenario);
	fputs(", \"vary\": [", f);
	for (size_t k = 0; k < o->grid.nvaries; k++) {
		fputs(k ? ", " : "", f);
		cli_json_string(f, o->grid.varies[k].path);
	}
	fputs("], \"points\": [", f);
	for (size_t p = 0; p < n; p++) {
		fputs(p ? ", {" : "{", f);
		fputs("\"values\": {", f);
		for (size_t k = 0; k < o->grid.nvaries; k++) {
			fputs(k ? ", " : "", f);
			cli_json_string(f, o->grid.varies[k].path);
			fputs(": ", f);
			cli_json_string(f, cli_grid_value(&o->grid, p, k));
		}
		for (int part = 0; part < 2; part++) {
			fputs(part ? "}, \"ci95\": {" : "}, \"metrics\": {", f);
			bool first = true;
			for (size_t r = 0; r < pts[p].acc.n; r++) {
				const cli_summary_row *x = &pts[p].acc.rows[r];
				if (!cli_metric_shown(o->metrics, o->nmetrics, x->path))
					continue;
				fputs(first ? "" : ", ", f);
				first = false;
				cli_json_string(f, x->path);
				fputs(": ", f);
				cli_json_number(f, part ? (x->ci95 >= 0 ? x->ci95 : NAN) : x->mean);
			}
		}
		fputs("}}", f);
	}
	fputs("]}\n", f);
}

/* ---- the command ------------------------------------------------------------------------- */

static void free_options(sweep_options *o)
{
	sim_free(o->grid.sets);
	cli_grid_fini(&o->grid);
	sim_free(o->metrics);
}

static void free_points(point_result *pts, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		sim_free(pts[k].label);
		cli_accumulator_free(&pts[k].acc);
	}
	sim_free(pts);
}

static int sweep(sweep_options *o)
{
	size_t n = cli_grid_points(&o->grid);
	if (n > CLI_GRID_MAX_POINTS) {
		fprintf(stderr, "kinesim: the grid has more than %d points; vary fewer values\n",
		        CLI_GRID_MAX_POINTS);
		return EXIT_USAGE;
	}
	/* Every point is checked before anything runs. */
	point_result *pts = sim_calloc(n, sizeof *pts);
	ks_scenario *first = NULL;
	for (size_t i = 0; i < n; i++) {
		pts[i].label = cli_grid_label(&o->grid, i);
		ks_scenario *sc = NULL;
		int rc = cli_grid_load(&o->grid, i, &sc);
		if (rc != 0) {
			fprintf(stderr, "kinesim: point p%04zu (%s) is not a valid scenario\n", i,
			        pts[i].label);
			free_points(pts, n);
			ks_scenario_destroy(first);
			return rc;
		}
		if (i == 0)
			first = sc;
		else
			ks_scenario_destroy(sc);
	}
	char *path = o->output ? sim_strdup(o->output) : NULL;
	if (!path && (mkdir("out", 0777) == 0 || errno == EEXIST))
		path = sim_asprintf("out/%s-sweep.h5", first->name);
	if (path && cli_check_output(path, first->name) != 0) {
		sim_free(path);
		ks_scenario_destroy(first);
		free_points(pts, n);
		return EXIT_CANT_CREATE;
	}
	struct sigaction old[CLI_NSTOP];
	cli_stop_signal = 0;
	cli_catch_stop_signals(old);
	sim_h5_file file = {0};
	int rc = path ? sim_h5_create(&file, path) : -errno;
	if (rc < 0) {
		cli_restore_stop_signals(old);
		fprintf(stderr, "kinesim: cannot create the output '%s': %s\n",
		        path ? path : "out/", strerror(-rc));
		sim_free(path);
		ks_scenario_destroy(first);
		free_points(pts, n);
		return EXIT_CANT_CREATE;
	}
	rc = sim_h5_attr_string(file.id, "format", "kinesim");
	rc = rc ? rc : sim_h5_attr_int(file.id, "format_version", OUT_FORMAT_VERSION);
	rc = rc ? rc : sim_h5_attr_string(file.id, "kind", "sweep");
	rc = rc ? rc : sim_h5_attr_string(file.id, "scenario_name", first->name);
	rc = rc ? rc : sim_h5_attr_int(file.id, "points", (int64_t)n);
	char *paths = sim_strdup("");
	for (size_t k = 0; k < o->grid.nvaries; k++) {
		char *next = sim_asprintf("%s%s%s", paths, k ? "\n" : "", o->grid.varies[k].path);
		sim_free(paths);
		paths = next;
	}
	rc = rc ? rc : sim_h5_attr_string(file.id, "vary_paths", paths);
	sim_free(paths);
	pool pl = {.o = o, .file = &file, .pts = pts, .n = n};
	if (rc == 0)
		rc = run_points(&pl, o->jobs,
		                (unsigned)sim_schema_int(first->root, "replications"));
	size_t done = pl.done;
	rc = rc ? rc : sim_h5_close(&file);
	int sig = cli_stop_signal, exit_code = EXIT_OK;
	if (rc != 0) {
		fprintf(stderr, "kinesim: writing '%s' failed: %s; removed it\n", file.tmppath,
		        strerror(-rc));
		sim_h5_abandon(&file, 1);
		exit_code = EXIT_IO;
	} else if (sig) {
		fprintf(stderr, "kinesim: interrupted (%s); the %zu finished points are in '%s'\n",
		        cli_signal_name(sig), done, file.tmppath);
		sim_h5_abandon(&file, 0);
		exit_code = EXIT_SIGNAL_BASE + sig;
	} else if ((rc = sim_h5_commit(&file)) != 0) {
		fprintf(stderr, "kinesim: cannot rename '%s' to '%s': %s\n", file.tmppath, path,
		        strerror(-rc));
		sim_h5_abandon(&file, 0);
		exit_code = EXIT_CANT_CREATE;
	}
	cli_restore_stop_signals(old);
	if (exit_code == EXIT_OK) {
		cli_output table;
		FILE *out = cli_output_open(&table);
		if (o->format == CLI_FORMAT_JSON)
			print_json(out, o, pts, n);
		else if (o->format == CLI_FORMAT_CSV)
			print_csv(out, o, pts, n);
		else
			print_text(out, o, pts, n);
		cli_output_close(&table);
		fprintf(stderr, "kinesim: wrote %s; %zu points\n", path, n);
	}
	free_points(pts, n);
	sim_free(path);
	ks_scenario_destroy(first);
	return exit_code;
}

int cli_sweep(int argc, char **argv)
{
	sweep_options o = {.jobs = 1};
	int rc = parse_options(argc, argv, &o);
	if (rc == 0)
		rc = sweep(&o);
	else if (rc < 0)
		rc = EXIT_OK;
	sim_h5_library_close();
	free_options(&o);
	return rc;
}
