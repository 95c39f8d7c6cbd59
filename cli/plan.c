/* kinesim plan: the cheapest configuration of a grid whose requirements hold with 95%
 * confidence.
 *
 *   kinesim plan SCENARIO --vary PATH=RANGE [--vary ...] --require 'EXPR' [--require ...]
 *
 * A requirement is an expect: line ("feed-1.latency.p99 < 2s", "events.write_throttled ==
 * 0"); it holds at a point when its whole 95% interval does (mean + half-width below a `<`
 * bound, mean - half-width above a `>` one; an `==` needs the mean and no spread). The cost
 * is cost.monthly.total. With one --vary the requirements are taken to become true as the
 * value grows (more shards, a larger parallelization factor): the search bisects the values,
 * in the order given, for the first that holds, running about log2(n) points instead of n;
 * with several, every point of the grid runs. Prints each point run, the winner and the
 * frontier (the points that hold, cheapest first). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/accumulator.h"
#include "cli/cli.h"
#include "cli/grid.h"
#include "cli/options.h"
#include "cli/replications.h"
#include "cli/signals.h"
#include "models/scenario/build.h"
#include "models/scenario/expect.h"
#include "sim/alloc.h"
#include "sim/schema.h"

static const char plan_usage[] = "plan SCENARIO --vary PATH=VALUES [--vary PATH=VALUES]... "
                                 "--require 'METRIC OP VALUE' [--require ...]... "
                                 "[--set PATH=VALUE]... [--seed N] [--replications R] "
                                 "[--precision P [--max-replications N]] "
                                 "[--format text|json] [-j N]";

typedef struct plan_options {
	cli_grid grid;
	const char **requires;
	size_t nrequires;
	bool have_seed;
	uint64_t seed;
	unsigned replications, jobs;
	double precision;          /* --precision: a half-width at most this share of the mean */
	unsigned max_replications; /* ... adding replications up to this many */
	cli_format format;
} plan_options;

typedef struct point {
	bool run, holds;
	unsigned replications; /* run for it */
	double monthly;        /* cost.monthly.total */
	char *label;
	char failing[200]; /* the first requirement that does not hold, and by how much */
} point;

static int parse_options(int argc, char **argv, plan_options *o)
{
	static const struct option options[] = {
	        {"vary", required_argument, NULL, 'v'},
	        {"require", required_argument, NULL, 'q'},
	        {"set", required_argument, NULL, 's'},
	        {"seed", required_argument, NULL, 'S'},
	        {"replications", required_argument, NULL, 'r'},
	        {"format", required_argument, NULL, 'f'},
	        {"jobs", required_argument, NULL, 'j'},
	        {"precision", required_argument, NULL, 'p'},
	        {"max-replications", required_argument, NULL, 'M'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	o->grid.sets = sim_calloc((size_t)argc, sizeof *o->grid.sets);
	o->requires = sim_calloc((size_t)argc, sizeof *o->requires);
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":j:h", options, NULL)) != -1) {
		switch (c) {
		case 'v': {
			int rc = cli_grid_vary(&o->grid, "plan", optarg);
			if (rc)
				return rc;
			break;
		}
		case 'q':
			o->requires
			[o->nrequires++] = optarg;
			break;
		case 's': o->grid.sets[o->grid.nsets++] = optarg; break;
		case 'S': {
			int rc = cli_option_seed("plan", optarg, &o->seed);
			if (rc)
				return rc;
			o->have_seed = true;
			break;
		}
		case 'p': {
			int rc = cli_option_precision("plan", optarg, &o->precision);
			if (rc)
				return rc;
			break;
		}
		case 'M': {
			int rc = cli_option_max_replications("plan", optarg, &o->max_replications);
			if (rc)
				return rc;
			break;
		}
		case 'r': {
			int rc = cli_option_replications("plan", optarg, 2, &o->replications);
			if (rc)
				return rc;
			break;
		}
		case 'j': {
			int rc = cli_option_jobs("plan", optarg, &o->jobs);
			if (rc)
				return rc;
			break;
		}
		case 'f': {
			int rc = cli_option_format("plan", optarg, false, &o->format);
			if (rc)
				return rc;
			break;
		}
		case 'h': printf("usage: kinesim %s\n", plan_usage); return -1;
		case ':':
			return cli_usage_error("plan", "option '%s' needs a value",
			                       argv[optind - 1]);
		default: return cli_usage_error("plan", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("plan", "no scenario file given");
	if (optind + 1 < argc)
		return cli_usage_error("plan", "one scenario at a time (got '%s' too)",
		                       argv[optind + 1]);
	if (o->grid.nvaries == 0)
		return cli_usage_error("plan", "nothing to choose: give --vary PATH=VALUES");
	if (o->nrequires == 0)
		return cli_usage_error("plan",
		                       "no requirement: give --require 'METRIC OP VALUE', e.g. "
		                       "--require 'feed-1.latency.p99 < 2s'");
	o->grid.scenario = argv[optind];
	return 0;
}

/* Parses the requirements against the metric paths of a scenario's model (built, not run). */
static size_t parse_requires(const plan_options *o, const ks_scenario *sc, ks_expect **out,
                             size_t *n)
{
	sim_yaml_doc *doc = sim_yaml_doc_create();
	sim_yaml_node *list = sim_yaml_new_seq(doc);
	for (size_t i = 0; i < o->nrequires; i++)
		sim_yaml_seq_append(doc, list, sim_yaml_new_scalar(doc, o->requires[i]));
	sim_diag *d = sim_diag_create();
	size_t errors = ks_expect_parse_for(sc, list, d, out, n);
	sim_diag_print(d, stderr);
	sim_diag_destroy(d);
	sim_yaml_doc_destroy(doc);
	return errors;
}

/* Whether requirement e holds over the whole 95% interval of its metric. */
static bool holds95(const ks_expect *e, const cli_summary_row *r)
{
	double hw = r->ci95 > 0 ? r->ci95 : 0;
	switch (e->op) {
	case KS_OP_LT:
	case KS_OP_LE: return ks_expect_holds(e, r->mean + hw);
	case KS_OP_GT:
	case KS_OP_GE: return ks_expect_holds(e, r->mean - hw);
	case KS_OP_EQ: return hw == 0 && ks_expect_holds(e, r->mean);
	case KS_OP_NE:
		return ks_expect_holds(e, r->mean - hw) && ks_expect_holds(e, r->mean + hw) &&
		       (r->mean - hw > e->value || r->mean + hw < e->value);
	}
	return false;
}

static int collect(const cli_replication *r, void *ctx)
{
	if (r->run_rc != 0)
		return -EINTR;
	cli_accumulate(ctx, r->metrics);
	return 0;
}

/* Runs point i (once) and judges it. */
static int evaluate(const plan_options *o, size_t i, const ks_expect *req, size_t nreq, point *p)
{
	if (p->run)
		return 0;
	ks_scenario *sc = NULL;
	int rc = cli_grid_load(&o->grid, i, &sc);
	if (rc != 0)
		return rc;
	unsigned reps = o->replications ? o->replications : 5;
	uint64_t seed = o->have_seed ? o->seed : (uint64_t)sim_schema_int(sc->root, "seed");
	cli_accumulator acc = {0};
	cli_replications job = {.sc = sc,
	                        .seed = seed,
	                        .count = reps,
	                        .jobs = o->jobs,
	                        .stop = &cli_stop_signal,
	                        .done = collect,
	                        .ctx = &acc,
	                        .values_only = true};
	/* --precision: until every required metric is known that well */
	rc = cli_run_until_precise(&job, &acc, req, nreq, o->precision, o->max_replications, NULL);
	if (rc == 0 && !cli_stop_signal)
		cli_accumulator_finish(&acc);
	ks_scenario_destroy(sc);
	if (rc != 0 || cli_stop_signal) {
		cli_accumulator_free(&acc);
		return rc ? rc : -EINTR;
	}
	p->replications = acc.runs;
	p->run = true;
	p->holds = true;
	const cli_summary_row *cost = cli_accumulator_find(&acc, "cost.monthly.total");
	p->monthly = cost ? cost->mean : NAN;
	for (size_t k = 0; k < nreq && p->holds; k++) {
		const cli_summary_row *r = cli_accumulator_find(&acc, req[k].path);
		if (r && holds95(&req[k], r))
			continue;
		p->holds = false;
		char v[32], hw[32];
		cli_human(v, sizeof v, r ? r->mean : NAN, r ? r->unit : "");
		cli_human(hw, sizeof hw, r && r->ci95 > 0 ? r->ci95 : 0, r ? r->unit : "");
		snprintf(p->failing, sizeof p->failing, "%s (got %s +/- %s)", req[k].text, v, hw);
	}
	fprintf(stderr, "kinesim: %s: %s\n", p->label, p->holds ? "holds" : p->failing);
	cli_accumulator_free(&acc);
	return 0;
}

/* The search: bisection over one --vary (the first value that holds, the later ones taken to
 * hold too), or the whole grid. */
static int search(const plan_options *o, const ks_expect *req, size_t nreq, point *pts, size_t n)
{
	int rc = 0;
	if (o->grid.nvaries > 1) {
		for (size_t i = 0; rc == 0 && i < n; i++)
			rc = evaluate(o, i, req, nreq, &pts[i]);
		return rc;
	}
	rc = evaluate(o, n - 1, req, nreq, &pts[n - 1]);
	if (rc != 0 || !pts[n - 1].holds)
		return rc;         /* not even the last: nothing holds */
	size_t lo = 0, hi = n - 1; /* hi holds; the first that holds is in [lo, hi] */
	while (rc == 0 && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		rc = evaluate(o, mid, req, nreq, &pts[mid]);
		if (pts[mid].holds)
			hi = mid;
		else
			lo = mid + 1;
	}
	return rc;
}

static int by_cost(const void *a, const void *b)
{
	const point *x = *(const point *const *)a, *y = *(const point *const *)b;
	return (x->monthly > y->monthly) - (x->monthly < y->monthly);
}

static void print(FILE *f, const plan_options *o, point *pts, size_t n)
{
	point **frontier = sim_calloc(n, sizeof *frontier);
	size_t nf = 0, run = 0;
	for (size_t i = 0; i < n; i++) {
		run += pts[i].run;
		if (pts[i].run && pts[i].holds)
			frontier[nf++] = &pts[i];
	}
	qsort(frontier, nf, sizeof *frontier, by_cost);
	if (o->format == CLI_FORMAT_JSON) {
		fputs("{\"winner\": ", f);
		if (nf)
			cli_json_string(f, frontier[0]->label);
		else
			fputs("null", f);
		fputs(", \"points\": [", f);
		bool first = true;
		for (size_t i = 0; i < n; i++) {
			if (!pts[i].run)
				continue;
			fputs(first ? "{\"point\": " : ", {\"point\": ", f);
			first = false;
			cli_json_string(f, pts[i].label);
			fprintf(f, ", \"holds\": %s, \"replications\": %u, \"monthly_usd\": ",
			        pts[i].holds ? "true" : "false", pts[i].replications);
			cli_json_number(f, pts[i].monthly);
			fputs(", \"failing\": ", f);
			cli_json_string(f, pts[i].failing);
			fputc('}', f);
		}
		fputs("]}\n", f);
	} else {
		fprintf(f, "plan for %s: %zu of %zu points run\n\n", o->grid.scenario, run, n);
		for (size_t i = 0; i < n; i++) {
			if (!pts[i].run)
				continue;
			char cost[32];
			cli_human(cost, sizeof cost, pts[i].monthly, "USD");
			fprintf(f, "  %-40s %12s/month  %s\n", pts[i].label, cost,
			        pts[i].holds ? "holds" : pts[i].failing);
		}
		if (nf == 0) {
			fputs("\nno point meets every requirement\n", f);
		} else {
			char cost[32];
			cli_human(cost, sizeof cost, frontier[0]->monthly, "USD");
			fprintf(f, "\ncheapest that holds: %s at %s a month\n", frontier[0]->label,
			        cost);
			fputs("frontier (cheapest first):", f);
			for (size_t k = 0; k < nf; k++)
				fprintf(f, "%s %s", k ? "," : "", frontier[k]->label);
			fputc('\n', f);
		}
	}
	sim_free(frontier);
}

static int plan(const plan_options *o)
{
	size_t n = cli_grid_points(&o->grid);
	if (n > CLI_GRID_MAX_POINTS) {
		fprintf(stderr, "kinesim: the grid has more than %d points; vary fewer values\n",
		        CLI_GRID_MAX_POINTS);
		return EXIT_USAGE;
	}
	point *pts = sim_calloc(n, sizeof *pts);
	for (size_t i = 0; i < n; i++)
		pts[i].label = cli_grid_label(&o->grid, i);
	ks_scenario *first = NULL;
	int rc = cli_grid_load(&o->grid, 0, &first);
	ks_expect *req = NULL;
	size_t nreq = 0;
	if (rc == 0 && parse_requires(o, first, &req, &nreq) != 0)
		rc = EXIT_BAD_SCENARIO;
	for (size_t i = 1; rc == 0 && i < n; i++) { /* every point is checked first */
		ks_scenario *sc = NULL;
		rc = cli_grid_load(&o->grid, i, &sc);
		if (rc != 0)
			fprintf(stderr, "kinesim: point %s is not a valid scenario\n",
			        pts[i].label);
		ks_scenario_destroy(sc);
	}
	ks_scenario_destroy(first);
	if (rc == 0) {
		struct sigaction old[CLI_NSTOP];
		cli_stop_signal = 0;
		cli_catch_stop_signals(old);
		rc = search(o, req, nreq, pts, n);
		cli_restore_stop_signals(old);
		if (cli_stop_signal) {
			fprintf(stderr, "kinesim: interrupted (%s)\n",
			        cli_signal_name(cli_stop_signal));
			rc = EXIT_SIGNAL_BASE + cli_stop_signal;
		}
	}
	if (rc == 0) {
		cli_output out;
		print(cli_output_open(&out), o, pts, n);
		cli_output_close(&out);
	}
	for (size_t i = 0; i < n; i++)
		sim_free(pts[i].label);
	sim_free(pts);
	ks_expect_free(req, nreq);
	return rc;
}

int cli_plan(int argc, char **argv)
{
	plan_options o = {.jobs = 1};
	int rc = parse_options(argc, argv, &o);
	if (rc == 0)
		rc = plan(&o);
	else if (rc < 0)
		rc = EXIT_OK;
	sim_free(o.grid.sets);
	sim_free(o.requires);
	cli_grid_fini(&o.grid);
	return rc;
}
