/* kinesim run: simulate a scenario's replications, write the HDF5 file, print the summary and
 * check the expect: lines.
 *
 * The output file is created first (under a temporary name of this run's own, sim/h5.h) so that
 * a bad path fails before any work; each replication's group is written when it finishes; the
 * file gets its final name only when complete. -o replaces only a regular file (cli_check_output).
 *
 * SIGINT, SIGTERM and SIGHUP stop the run between events (the engine polls the flag the
 * handler sets): the interrupted run is written with complete = 0 and its whole intervals, the
 * partial file keeps its temporary name, and the exit status is 128 + the signal. The handler
 * only records the signal, so a second one cannot cut the writing of the partial file short.
 * A write error (a full disk) removes this run's temporary file and exits 74. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/accumulator.h"
#include "cli/cli.h"
#include "cli/guard.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/replications.h"
#include "cli/signals.h"
#include "models/scenario/build.h"
#include "models/scenario/expect.h"
#include "sim/alloc.h"
#include "sim/schema.h"
#include "sim/units.h"

typedef struct run_options {
	const char *scenario;
	const char *output;
	const char **sets;
	size_t nsets;
	bool have_seed;
	uint64_t seed;
	cli_format format;
	bool detail;       /* --detail: every metric, one a line, instead of the compact tables */
	bool progress;     /* --progress: report progress even when stderr is not a terminal */
	double max_memory; /* --max-memory, bytes; 0: no limit */
	bool force;        /* --force: run even when the estimate exceeds max_memory */
	unsigned jobs;     /* -j: replications at once */
	double precision;  /* --precision: replications until every expect: metric is known so */
	unsigned max_replications; /* ... up to this many */
	char *arguments;           /* the arguments that change results, for the file */
} run_options;

static const char run_usage[] = "run SCENARIO [-o FILE.h5] [--set PATH=VALUE]... "
                                "[--set-new PATH=VALUE]... [--seed N] "
                                "[--format text|json|csv|markdown] [--detail] [--progress] [-j N] "
                                "[--precision P [--max-replications N]] "
                                "[--max-memory SIZE] [--force]";

static void append_argument(char **args, const char *opt, const char *value)
{
	char *next = sim_asprintf("%s%s%s %s", *args ? *args : "", *args ? " " : "", opt, value);
	sim_free(*args);
	*args = next;
}

static int parse_options(int argc, char **argv, run_options *o)
{
	static const struct option options[] = {
	        {"output", required_argument, NULL, 'o'},
	        {"set", required_argument, NULL, 's'},
	        {"set-new", required_argument, NULL, 'n'},
	        {"seed", required_argument, NULL, 'S'},
	        {"format", required_argument, NULL, 'f'},
	        {"help", no_argument, NULL, 'h'},
	        {"progress", no_argument, NULL, 'P'},
	        {"detail", no_argument, NULL, 'D'},
	        {"max-memory", required_argument, NULL, 'M'},
	        {"force", no_argument, NULL, 'F'},
	        {"jobs", required_argument, NULL, 'j'},
	        {"precision", required_argument, NULL, 'p'},
	        {"max-replications", required_argument, NULL, 'R'},
	        {NULL, 0, NULL, 0},
	};
	/* A --set-new goes to the scenario as "+PATH=VALUE" (KS_SET_NEW, scenario.h), in order
	 * among the --set ones. Those copies live in the same block as the array, after its argc
	 * pointers (room for every argument and its '+'), so freeing o->sets frees them too. */
	size_t room = 0;
	for (int i = 0; i < argc; i++)
		room += strlen(argv[i]) + 2;
	o->sets = sim_calloc(1, (size_t)argc * sizeof *o->sets + room);
	char *copies = (char *)(o->sets + argc);
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":o:j:h", options, NULL)) != -1) {
		switch (c) {
		case 'o': o->output = optarg; break;
		case 's':
			o->sets[o->nsets++] = optarg;
			append_argument(&o->arguments, "--set", optarg);
			break;
		case 'n':
			o->sets[o->nsets++] = copies;
			copies += sprintf(copies, "%c%s", KS_SET_NEW, optarg) + 1;
			append_argument(&o->arguments, "--set-new", optarg);
			break;
		case 'S': {
			int rc = cli_option_seed("run", optarg, &o->seed);
			if (rc)
				return rc;
			o->have_seed = true;
			append_argument(&o->arguments, "--seed", optarg);
			break;
		}
		case 'f': {
			int rc = cli_option_summary_format("run", optarg, &o->format);
			if (rc)
				return rc;
			break;
		}
		case 'P': o->progress = true; break;
		case 'D': o->detail = true; break;
		case 'M': {
			char err[160];
			if (sim_parse_size(optarg, false, &o->max_memory, err, sizeof err) < 0)
				return cli_usage_error("run",
				                       "--max-memory takes a size such as 8GB or "
				                       "512MiB, or 0 for no limit: %s",
				                       err);
			break;
		}
		case 'F': o->force = true; break;
		case 'p': {
			int rc = cli_option_precision("run", optarg, &o->precision);
			if (rc)
				return rc;
			append_argument(&o->arguments, "--precision", optarg);
			break;
		}
		case 'R': {
			int rc = cli_option_max_replications("run", optarg, &o->max_replications);
			if (rc)
				return rc;
			append_argument(&o->arguments, "--max-replications", optarg);
			break;
		}
		case 'j': {
			int rc = cli_option_jobs("run", optarg, &o->jobs);
			if (rc)
				return rc;
			break;
		}
		case 'h': printf("usage: kinesim %s\n", run_usage); return -1;
		case ':':
			return cli_usage_error("run", "option '%s' needs a value",
			                       argv[optind - 1]);
		default: return cli_usage_error("run", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("run", "no scenario file given");
	if (optind + 1 < argc)
		return cli_usage_error("run", "one scenario at a time (got '%s' too)",
		                       argv[optind + 1]);
	o->scenario = argv[optind];
	return 0;
}

static double wall_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Progress on stderr: one line rewritten in place on a terminal, whole lines otherwise
 * (--progress into a log), at most 10 and 1 a second. */
typedef struct progress {
	bool lines;
	double start, last; /* wall clock: the first replication's start, the last report */
	bool shown;         /* a line on the terminal to clear */
	unsigned replications;
	sim_time duration;
} progress;

/* A span written like a scenario's durations, in its two largest units: 2d4h, 9h36m, 4m10s. */
static void format_span(char *buf, size_t size, double seconds)
{
	static const struct {
		char unit;
		long long s;
	} units[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
	long long t = seconds > 0 ? llround(seconds) : 0;

	for (size_t i = 0; i + 1 < sizeof units / sizeof units[0]; i++) {
		if (t < units[i].s)
			continue;
		long long rest = t % units[i].s / units[i + 1].s;
		if (rest)
			snprintf(buf, size, "%lld%c%lld%c", t / units[i].s, units[i].unit, rest,
			         units[i + 1].unit);
		else
			snprintf(buf, size, "%lld%c", t / units[i].s, units[i].unit);
		return;
	}
	snprintf(buf, size, "%llds", t);
}

static void show_progress(unsigned replication, double fraction, double done, progress *p)
{
	double now = wall_seconds();
	if (p->last >= 0 && now - p->last < (p->lines ? 1.0 : 0.1))
		return;
	p->last = now;
	p->shown = true;
	/* The ETA assumes the rest runs at the pace so far, across replications. */
	char simulated[32], total[32], eta[32], which[48] = "";
	format_span(simulated, sizeof simulated, fraction * sim_time_to_s(p->duration));
	format_span(total, sizeof total, sim_time_to_s(p->duration));
	if (done > 0)
		format_span(eta, sizeof eta, (now - p->start) * (1 - done) / done);
	else
		snprintf(eta, sizeof eta, "?");
	if (p->replications > 1)
		snprintf(which, sizeof which, "  replication %u/%u", replication + 1,
		         p->replications);
	fprintf(stderr, "%s%3.0f%%  simulated %s of %s%s  ETA %s%s",
	        p->lines ? "kinesim: progress: " : "\r  ", done * 100, simulated, total, which, eta,
	        p->lines ? "\n" : "\033[K");
	fflush(stderr);
}

/* The metric paths of the scenario, from a model that has not run. */
static size_t check_expectations(const ks_scenario *sc, ks_expect **expects, size_t *n)
{
	sim_diag *d = sim_diag_create();
	sim_diag_add_source(d, sc->path, sc->source, sc->source_len);
	size_t errors = ks_expect_scenario(sc, d, expects, n);
	sim_diag_print(d, stderr);
	sim_diag_destroy(d);
	return errors;
}

/* -o names a regular file to replace, or a new name: the finished file is renamed onto it,
 * and a rename replaces a FIFO, a device such as /dev/null or a symbolic link as readily as a
 * file. Anything else is refused: 0, or a message and EXIT_CANT_CREATE. A symbolic link is
 * refused even to a regular file: writing through it would mean a temporary file in the
 * target's folder and, if that one is a link too, the next target's; the user names the file. */
int cli_check_output(const char *path, const char *scenario_name)
{
	struct stat st;
	if (lstat(path, &st) < 0 || S_ISREG(st.st_mode))
		return 0; /* a new name, or one that sim_h5_create reports on */
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof target - 1);
		target[n > 0 ? n : 0] = '\0';
		fprintf(stderr,
		        "kinesim: cannot write the output '%s': it is a symbolic link (to '%s'), "
		        "and kinesim does not write through links; give -o the file's own path, "
		        "or remove the link\n",
		        path, target);
	} else if (S_ISDIR(st.st_mode)) {
		size_t len = strlen(path);
		fprintf(stderr,
		        "kinesim: cannot write the output '%s': it is a directory; give -o a file "
		        "name, e.g. -o '%s%s%s.h5'\n",
		        path, path, len && path[len - 1] == '/' ? "" : "/", scenario_name);
	} else {
		const char *kind = S_ISCHR(st.st_mode)    ? "a character device"
		                   : S_ISBLK(st.st_mode)  ? "a block device"
		                   : S_ISFIFO(st.st_mode) ? "a FIFO"
		                   : S_ISSOCK(st.st_mode) ? "a socket"
		                                          : "not a regular file";
		fprintf(stderr,
		        "kinesim: cannot write the output '%s': it is %s, which the finished file "
		        "would replace; give -o the path of a regular file or a new one\n",
		        path, kind);
	}
	return EXIT_CANT_CREATE;
}

/* A failed write of the output file: its contents are no HDF5 file, so the caller removes it
 * (it is this run's own temporary file); the output's name was never touched. */
static void report_write_error(const char *tmppath, const char *path, int rc)
{
	fprintf(stderr, "kinesim: writing '%s' failed: %s%s; removed it, '%s' is unchanged\n",
	        tmppath, strerror(-rc), rc == -EFBIG ? " (the file size limit: ulimit -f)" : "",
	        path);
}

static char *default_output(const char *name)
{
	if (mkdir("out", 0777) < 0 && errno != EEXIST)
		return NULL;
	return sim_asprintf("out/%s.h5", name);
}

/* What write_replication needs, and what it tells the end of the run. */
typedef struct written {
	sim_h5_file *file;
	cli_accumulator *acc;
	progress *pg;
	const ks_scenario *sc;
	uint64_t seed;
	uint64_t events;
	char cut[96]; /* where the (first) interrupted replication stopped, for the message */
} written;

static void on_progress(unsigned replication, double fraction, double done, void *ctx)
{
	show_progress(replication, fraction, done, ((written *)ctx)->pg);
}

/* A replication finished (in order, cli/replications.h): its group in the file, its summary
 * into the accumulator when it is complete. */
static int write_replication(const cli_replication *r, void *ctx)
{
	written *w = ctx;
	const ks_scenario *sc = w->sc;
	w->events += r->events;
	out_run_info info = {
	        .replication = r->index,
	        .seed = w->seed,
	        .duration = w->pg->duration,
	        .warmup = sim_schema_duration(sc->root, "warmup"),
	        .interval = sim_schema_duration(sim_yaml_get(sc->root, "metrics"), "interval"),
	        .reached = r->reached,
	        .events = r->events,
	        .complete = r->run_rc == 0,
	};
	int rc = out_write_run(w->file->id, &info, r->metrics);
	if (r->run_rc == 0)
		cli_accumulate(w->acc, r->metrics);
	if (r->run_rc == -EINTR && !w->cut[0]) {
		char at[32], of[32];
		format_span(at, sizeof at, sim_time_to_s(info.reached));
		format_span(of, sizeof of, sim_time_to_s(info.duration));
		snprintf(w->cut, sizeof w->cut, "; r%04u stopped at %s of %s", r->index, at, of);
	}
	return rc;
}

static int run(run_options *o, ks_scenario *sc)
{
	ks_expect *expects = NULL;
	size_t nexpects = 0;
	size_t errors = check_expectations(sc, &expects, &nexpects);
	if (errors) {
		fprintf(stderr, "kinesim: %zu error%s in scenario '%s'\n", errors,
		        errors == 1 ? "" : "s", sc->path);
		return EXIT_BAD_SCENARIO;
	}
	if (o->precision > 0 && nexpects == 0) {
		ks_expect_free(expects, nexpects);
		return cli_usage_error("run", "--precision needs the scenario's expect: lines (the "
		                              "metrics to know that well)");
	}
	unsigned at_once = (unsigned)sim_schema_int(sc->root, "replications");
	if (at_once > o->jobs)
		at_once = o->jobs;
	if (cli_guard(sc, at_once, o->max_memory, o->force) != 0) {
		ks_expect_free(expects, nexpects);
		return EXIT_BAD_SCENARIO;
	}
	uint64_t seed = o->have_seed ? o->seed : (uint64_t)sim_schema_int(sc->root, "seed");
	unsigned replications = (unsigned)sim_schema_int(sc->root, "replications");

	char *path = o->output ? sim_strdup(o->output) : default_output(sc->name);
	int rc = path ? 0 : -errno;
	if (path && cli_check_output(path, sc->name) != 0) {
		sim_free(path);
		ks_expect_free(expects, nexpects);
		return EXIT_CANT_CREATE;
	}
	/* From here on a signal stops the run and keeps what it did, rather than killing it. */
	struct sigaction old_actions[CLI_NSTOP];
	cli_stop_signal = 0;
	cli_catch_stop_signals(old_actions);
	sim_h5_file file = {0};
	if (rc == 0)
		rc = sim_h5_create(&file, path);
	if (rc < 0) {
		cli_restore_stop_signals(old_actions);
		fprintf(stderr, "kinesim: cannot create '%s.partial' for the output '%s': %s\n",
		        path ? path : "out/", path ? path : "out/", strerror(-rc));
		sim_free(path);
		ks_expect_free(expects, nexpects);
		return EXIT_CANT_CREATE;
	}
	const char *description = sim_yaml_get(sc->root, "description")
	                                  ? sim_schema_string(sc->root, "description")
	                                  : NULL;
	if (description)
		fprintf(stderr, "%s: %s\n", sc->name, description);

	int exit_code = EXIT_OK;
	cli_accumulator acc = {0};
	progress pg = {
	        .lines = !isatty(STDERR_FILENO),
	        .start = wall_seconds(),
	        .last = -1,
	        .replications = replications,
	        .duration = sim_schema_duration(sc->root, "duration"),
	};
	bool show_progress_on = !pg.lines || o->progress;
	written w = {.file = &file, .acc = &acc, .pg = &pg, .sc = sc, .seed = seed};
	if (rc == 0) {
		cli_replications job = {
		        .sc = sc,
		        .seed = seed,
		        .count = replications,
		        .jobs = o->jobs,
		        .stop = &cli_stop_signal,
		        .done = write_replication,
		        .progress = show_progress_on ? on_progress : NULL,
		        .ctx = &w,
		};
		/* --precision: until every expect: metric is known that well */
		rc = cli_run_until_precise(&job, &acc, expects, nexpects, o->precision,
		                           o->max_replications, &pg.replications);
		replications = job.first + job.count;
		if (pg.shown && !pg.lines)
			fputs("\r\033[K", stderr);
	}
	/* the header last: the replications are known now (--precision) */
	if (rc == 0)
		rc = out_write_header(file.id, sc, seed, replications,
		                      o->arguments ? o->arguments : "");
	uint64_t events = w.events;
	const char *cut = w.cut;
	double wall = wall_seconds() - pg.start;

	if (rc == 0 && !cli_stop_signal) {
		cli_accumulator_finish(&acc);
		rc = out_write_summary(file.id, acc.rows, acc.n);
	}
	/* Everything is written: a write error HDF5 still holds in its caches shows here. */
	if (rc == 0)
		rc = sim_h5_close(&file);
	int sig = cli_stop_signal; /* later signals find the results saved: they change nothing */
	if (rc != 0) {
		report_write_error(file.tmppath, path, rc);
		sim_h5_abandon(&file, 1);
		exit_code = EXIT_IO;
	} else if (sig) {
		fprintf(stderr, "kinesim: interrupted; the partial results are in '%s' (%s%s)\n",
		        file.tmppath, cli_signal_name(sig), cut);
		sim_h5_abandon(&file, 0);
		exit_code = EXIT_SIGNAL_BASE + sig;
	} else if (cli_check_output(path, sc->name) != 0) {
		/* Something else took the name during the run: the results stay where they are. */
		fprintf(stderr, "kinesim: the results are in '%s'\n", file.tmppath);
		sim_h5_abandon(&file, 0);
		exit_code = EXIT_CANT_CREATE;
	} else if ((rc = sim_h5_commit(&file)) != 0) {
		fprintf(stderr,
		        "kinesim: cannot rename '%s' to '%s': %s; the results are in '%s'\n",
		        file.tmppath, path, strerror(-rc), file.tmppath);
		sim_h5_abandon(&file, 0);
		exit_code = EXIT_CANT_CREATE;
	}
	cli_restore_stop_signals(old_actions);
	if (exit_code != EXIT_OK) {
		cli_accumulator_free(&acc);
		ks_expect_free(expects, nexpects);
		sim_free(path);
		return exit_code;
	}

	cli_expect_result *results = sim_calloc(nexpects ? nexpects : 1, sizeof *results);
	for (size_t i = 0; i < nexpects; i++) {
		double v = NAN; /* a metric without data fails its line */
		for (size_t k = 0; k < acc.n; k++)
			if (strcmp(acc.rows[k].path, expects[i].path) == 0)
				v = acc.rows[k].mean;
		results[i] =
		        (cli_expect_result){expects[i].text, v, ks_expect_holds(&expects[i], v)};
		if (!results[i].ok)
			exit_code = EXIT_EXPECT_FAILED;
	}
	cli_output out;
	cli_summary summary = {
	        .scenario = sc->name,
	        .seed = (unsigned long long)seed,
	        .replications = replications,
	        .measured_s = sim_time_to_s(pg.duration - sim_schema_duration(sc->root, "warmup")),
	        .rows = acc.rows,
	        .n = acc.n,
	        .expects = results,
	        .nexpects = nexpects,
	};
	cli_print_summary(cli_output_open(&out), o->format, o->detail, &summary);
	cli_output_close(&out);
	fprintf(stderr,
	        "kinesim: wrote %s; %u replication%s in %.2f s wall (%.2f M events, "
	        "%.1f M events/s)\n",
	        path, replications, replications == 1 ? "" : "s", wall, (double)events / 1e6,
	        wall > 0 ? (double)events / wall / 1e6 : 0);
	for (size_t i = 0; i < nexpects; i++)
		if (isnan(results[i].value))
			fprintf(stderr,
			        "kinesim: expect '%s' fails: %s has no data in this run, or does "
			        "not "
			        "apply to it (n/a)\n",
			        results[i].text, expects[i].path);
	if (exit_code == EXIT_EXPECT_FAILED)
		fprintf(stderr, "kinesim: an expectation failed\n");
	sim_free(results);
	cli_accumulator_free(&acc);
	ks_expect_free(expects, nexpects);
	sim_free(path);
	return exit_code;
}

int cli_run(int argc, char **argv)
{
	run_options o = {.max_memory = cli_default_memory_limit(), .jobs = 1};
	int rc = parse_options(argc, argv, &o);
	if (rc != 0) {
		sim_free(o.sets);
		sim_free(o.arguments);
		return rc < 0 ? EXIT_OK : rc;
	}
	ks_scenario *sc = NULL;
	rc = cli_load_scenario(o.scenario, o.sets, o.nsets, &sc);
	if (rc == 0)
		rc = run(&o, sc);
	sim_h5_library_close();
	ks_scenario_destroy(sc);
	sim_free(o.sets);
	sim_free(o.arguments);
	return rc;
}
