/* kinesim run: simulate a scenario's replications, write the HDF5 file, print the summary and
 * check the expect: lines.
 *
 * The output file is created first (under a temporary name) so that a bad path fails before
 * any work; each replication's group is written when it finishes; the file gets its final name
 * only when complete. Ctrl-C stops the run between events: the partial file keeps its
 * temporary name, with complete = 0 on the interrupted run. */
#include <errno.h>
#include <getopt.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "models/scenario/build.h"
#include "models/scenario/expect.h"
#include "sim/alloc.h"
#include "sim/schema.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
	signal(SIGINT, SIG_DFL); /* a second Ctrl-C ends the process at once */
}

typedef struct run_options {
	const char *scenario;
	const char *output;
	const char **sets;
	size_t nsets;
	bool have_seed;
	uint64_t seed;
	cli_format format;
	char *arguments; /* the arguments that change results, for the file */
} run_options;

static const char run_usage[] = "run SCENARIO [-o FILE.h5] [--set PATH=VALUE]... [--seed N] "
                                "[--format text|json|csv]";

static void append_argument(char **args, const char *opt, const char *value)
{
	char *next = sim_asprintf("%s%s%s %s", *args ? *args : "", *args ? " " : "", opt, value);
	sim_free(*args);
	*args = next;
}

static int parse_options(int argc, char **argv, run_options *o)
{
	static const struct option options[] = {
	        {"output", required_argument, NULL, 'o'}, {"set", required_argument, NULL, 's'},
	        {"seed", required_argument, NULL, 'S'},   {"format", required_argument, NULL, 'f'},
	        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	o->sets = sim_calloc((size_t)argc, sizeof *o->sets);
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":o:h", options, NULL)) != -1) {
		switch (c) {
		case 'o': o->output = optarg; break;
		case 's':
			o->sets[o->nsets++] = optarg;
			append_argument(&o->arguments, "--set", optarg);
			break;
		case 'S': {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			/* The seed is stored as a signed 64-bit attribute: keep it in range. */
			if (errno || end == optarg || *end || optarg[0] == '-' || v > INT64_MAX)
				return cli_usage_error("run",
				                       "--seed takes an integer from 0 to %lld "
				                       "(got '%s')",
				                       (long long)INT64_MAX, optarg);
			o->have_seed = true;
			o->seed = v;
			append_argument(&o->arguments, "--seed", optarg);
			break;
		}
		case 'f':
			if (strcmp(optarg, "text") == 0)
				o->format = CLI_FORMAT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o->format = CLI_FORMAT_JSON;
			else if (strcmp(optarg, "csv") == 0)
				o->format = CLI_FORMAT_CSV;
			else
				return cli_usage_error(
				        "run", "--format takes text, json or csv (got '%s')",
				        optarg);
			break;
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

static void show_progress(double fraction, uint64_t events, void *ctx)
{
	double *start = ctx;
	double wall = wall_seconds() - *start;
	fprintf(stderr, "\r  %3.0f%%  %.1f M events  %.1f M events/s   ", fraction * 100,
	        (double)events / 1e6, wall > 0 ? (double)events / wall / 1e6 : 0);
	fflush(stderr);
}

/* Accumulates each metric across replications (Welford). */
typedef struct accumulator {
	cli_summary_row *rows;
	double *m2;
	size_t n;
	unsigned runs;
} accumulator;

static void accumulate(accumulator *a, const sim_metrics *m)
{
	if (a->runs == 0) {
		a->n = sim_metrics_value_count(m);
		a->rows = sim_calloc(a->n ? a->n : 1, sizeof *a->rows);
		a->m2 = sim_calloc(a->n ? a->n : 1, sizeof *a->m2);
		for (size_t i = 0; i < a->n; i++) {
			const sim_metrics_value *v = sim_metrics_value_at(m, i);
			a->rows[i].path = sim_strdup(v->path);
			a->rows[i].unit = sim_strdup(v->unit);
		}
	}
	a->runs++;
	for (size_t i = 0; i < a->n; i++) {
		const sim_metrics_value *v = sim_metrics_find_value(m, a->rows[i].path);
		double x = v ? v->value : 0;
		double delta = x - a->rows[i].mean;
		a->rows[i].mean += delta / a->runs;
		a->m2[i] += delta * (x - a->rows[i].mean);
	}
}

static void finish_accumulator(accumulator *a)
{
	for (size_t i = 0; i < a->n; i++) {
		cli_summary_row *r = &a->rows[i];
		if (a->runs < 2) {
			r->stddev = 0;
			r->ci95 = -1;
			continue;
		}
		r->stddev = sqrt(a->m2[i] / (a->runs - 1));
		r->ci95 = gsl_cdf_tdist_Pinv(0.975, a->runs - 1) * r->stddev / sqrt(a->runs);
	}
}

static void free_accumulator(accumulator *a)
{
	for (size_t i = 0; i < a->n; i++) {
		sim_free((char *)a->rows[i].path);
		sim_free((char *)a->rows[i].unit);
	}
	sim_free(a->rows);
	sim_free(a->m2);
}

/* The metric paths of the scenario, from a model that has not run. */
static size_t check_expectations(const ks_scenario *sc, ks_expect **expects, size_t *n)
{
	sim_metrics *names = sim_metrics_create();
	ks_model *model = ks_model_build(sc, 1, 0, names);
	ks_model_summarize(model);
	sim_diag *d = sim_diag_create();
	sim_diag_add_source(d, sc->path, sc->source, sc->source_len);
	size_t errors = ks_expect_parse(sim_yaml_get(sc->root, "expect"), names, d, expects, n);
	sim_diag_print(d, stderr);
	sim_diag_destroy(d);
	ks_model_destroy(model);
	sim_metrics_destroy(names);
	return errors;
}

static char *default_output(const char *name)
{
	if (mkdir("out", 0777) < 0 && errno != EEXIST)
		return NULL;
	return sim_asprintf("out/%s.h5", name);
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
	uint64_t seed = o->have_seed ? o->seed : (uint64_t)sim_schema_int(sc->root, "seed");
	unsigned replications = (unsigned)sim_schema_int(sc->root, "replications");

	char *path = o->output ? sim_strdup(o->output) : default_output(sc->name);
	sim_h5_file file = {0};
	int rc = path ? sim_h5_create(&file, path) : -errno;
	if (rc < 0) {
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
	rc = out_write_header(&file, sc, seed, replications, o->arguments ? o->arguments : "");
	accumulator acc = {0};
	bool tty = isatty(STDERR_FILENO);
	double start = wall_seconds();
	uint64_t events = 0;
	signal(SIGINT, on_sigint);
	for (unsigned r = 0; rc == 0 && r < replications; r++) {
		sim_metrics *m = sim_metrics_create();
		ks_model *model = ks_model_build(sc, seed, r, m);
		int run_rc = ks_model_run(model, &interrupted, tty ? show_progress : NULL, &start);
		if (tty)
			fputs("\r\033[K", stderr);
		ks_model_summarize(model);
		events += ks_model_events(model);
		out_run_info info = {
		        .replication = r,
		        .seed = seed,
		        .duration = sim_schema_duration(sc->root, "duration"),
		        .warmup = sim_schema_duration(sc->root, "warmup"),
		        .interval =
		                sim_schema_duration(sim_yaml_get(sc->root, "metrics"), "interval"),
		        .reached = ks_model_now(model),
		        .events = ks_model_events(model),
		        .complete = run_rc == 0,
		};
		rc = out_write_run(&file, &info, m);
		if (run_rc == 0)
			accumulate(&acc, m);
		ks_model_destroy(model);
		sim_metrics_destroy(m);
		if (run_rc == -EINTR) {
			exit_code = EXIT_INTERRUPTED;
			break;
		}
	}
	signal(SIGINT, SIG_DFL);
	double wall = wall_seconds() - start;

	if (exit_code == EXIT_INTERRUPTED || rc != 0) {
		sim_h5_abandon(&file, 0);
		if (rc != 0) {
			fprintf(stderr, "kinesim: writing '%s.partial' failed: %s\n", path,
			        strerror(-rc));
			exit_code = EXIT_IO;
		} else {
			fprintf(stderr,
			        "kinesim: interrupted; the partial results are in '%s.partial'\n",
			        path);
		}
		free_accumulator(&acc);
		ks_expect_free(expects, nexpects);
		sim_free(path);
		return exit_code;
	}
	finish_accumulator(&acc);
	rc = out_write_summary(&file, acc.rows, acc.n);
	rc = rc ? rc : sim_h5_commit(&file);
	if (rc != 0) {
		sim_h5_abandon(&file, 1);
		fprintf(stderr, "kinesim: writing '%s' failed: %s\n", path, strerror(-rc));
		free_accumulator(&acc);
		ks_expect_free(expects, nexpects);
		sim_free(path);
		return EXIT_IO;
	}

	cli_expect_result *results = sim_calloc(nexpects ? nexpects : 1, sizeof *results);
	for (size_t i = 0; i < nexpects; i++) {
		double v = 0;
		for (size_t k = 0; k < acc.n; k++)
			if (strcmp(acc.rows[k].path, expects[i].path) == 0)
				v = acc.rows[k].mean;
		results[i] =
		        (cli_expect_result){expects[i].text, v, ks_expect_holds(&expects[i], v)};
		if (!results[i].ok)
			exit_code = EXIT_EXPECT_FAILED;
	}
	cli_print_summary(stdout, o->format, sc->name, (unsigned long long)seed, replications,
	                  acc.rows, acc.n, results, nexpects);
	fflush(stdout);
	fprintf(stderr,
	        "kinesim: wrote %s; %u replication%s in %.2f s wall (%.2f M events, "
	        "%.1f M events/s)\n",
	        path, replications, replications == 1 ? "" : "s", wall, (double)events / 1e6,
	        wall > 0 ? (double)events / wall / 1e6 : 0);
	if (exit_code == EXIT_EXPECT_FAILED)
		fprintf(stderr, "kinesim: an expectation failed\n");
	sim_free(results);
	free_accumulator(&acc);
	ks_expect_free(expects, nexpects);
	sim_free(path);
	return exit_code;
}

int cli_run(int argc, char **argv)
{
	run_options o = {0};
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
	ks_scenario_destroy(sc);
	sim_free(o.sets);
	sim_free(o.arguments);
	return rc;
}
