/* kinesim compare: two or more variants of a pipeline on common random numbers, the first the
 * baseline. Each variant runs the same replications (same seed, same replication numbers), so
 * replication r of every variant sees the same records (their arrivals, keys, sizes and fates
 * depend on the producer and the record, not on the topology: docs/model.md's common random
 * numbers). For each metric both variants report, the paired difference per replication gives
 * a mean and a 95% Student t interval; the unpaired (Welch) interval of the same runs is shown
 * beside it, to show what the pairing gains; a verdict line says what the variant changes.
 *
 *   kinesim compare A.yaml B.yaml [C.yaml ...]      files
 *   kinesim compare A.yaml --vary PATH=V1,V2[,...]  variants of one file (V1 the baseline) */
#include <errno.h>
#include <getopt.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/grid.h"
#include "cli/options.h"
#include "cli/replications.h"
#include "cli/signals.h"
#include "sim/alloc.h"
#include "sim/schema.h"

static const char compare_usage[] =
        "compare A.yaml B.yaml [C.yaml]... | compare A.yaml --vary PATH=V1,V2[,...] "
        "[--set PATH=VALUE]... [--seed N] [--replications R] [--format text|json|csv] "
        "[--metric TEXT]... [-j N]";

typedef struct variant {
	char *label; /* a file name, or PATH=VALUE */
	const char *file;
	char *assignment; /* --vary: its PATH=VALUE; NULL for a file */
	double *values;   /* per metric of the baseline, per replication: [metric][replication] */
} variant;

typedef struct compare_options {
	const char **files;
	size_t nfiles;
	const char **sets;
	size_t nsets;
	const char *vary;
	const char **metrics;
	size_t nmetrics;
	bool have_seed;
	uint64_t seed;
	unsigned replications, jobs;
	cli_format format;
} compare_options;

static int parse_options(int argc, char **argv, compare_options *o)
{
	static const struct option options[] = {
	        {"vary", required_argument, NULL, 'v'},
	        {"set", required_argument, NULL, 's'},
	        {"seed", required_argument, NULL, 'S'},
	        {"replications", required_argument, NULL, 'r'},
	        {"format", required_argument, NULL, 'f'},
	        {"metric", required_argument, NULL, 'm'},
	        {"jobs", required_argument, NULL, 'j'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	o->sets = sim_calloc((size_t)argc, sizeof *o->sets);
	o->metrics = sim_calloc((size_t)argc, sizeof *o->metrics);
	o->files = sim_calloc((size_t)argc, sizeof *o->files);
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":j:h", options, NULL)) != -1) {
		switch (c) {
		case 'v':
			if (o->vary)
				return cli_usage_error("compare", "one --vary at a time");
			o->vary = optarg;
			break;
		case 's': o->sets[o->nsets++] = optarg; break;
		case 'S': {
			int rc = cli_option_seed("compare", optarg, &o->seed);
			if (rc)
				return rc;
			o->have_seed = true;
			break;
		}
		case 'r': {
			int rc = cli_option_replications("compare", optarg, 2, &o->replications);
			if (rc)
				return rc;
			break;
		}
		case 'j': {
			int rc = cli_option_jobs("compare", optarg, &o->jobs);
			if (rc)
				return rc;
			break;
		}
		case 'f': {
			int rc = cli_option_format("compare", optarg, true, &o->format);
			if (rc)
				return rc;
			break;
		}
		case 'm': o->metrics[o->nmetrics++] = optarg; break;
		case 'h': printf("usage: kinesim %s\n", compare_usage); return -1;
		case ':':
			return cli_usage_error("compare", "option '%s' needs a value",
			                       argv[optind - 1]);
		default: return cli_usage_error("compare", "unknown option '%s'", argv[optind - 1]);
		}
	}
	for (int i = optind; i < argc; i++)
		o->files[o->nfiles++] = argv[i];
	if (o->nfiles == 0)
		return cli_usage_error("compare", "no scenario given");
	if (o->vary && o->nfiles > 1)
		return cli_usage_error("compare",
		                       "--vary makes the variants of one scenario (got %zu files)",
		                       o->nfiles);
	if (!o->vary && o->nfiles < 2)
		return cli_usage_error("compare",
		                       "two scenarios or more to compare, or one with --vary "
		                       "PATH=V1,V2");
	return 0;
}

/* The variants: the files, or the --vary values of the one file. */
static int make_variants(const compare_options *o, variant **out, size_t *n)
{
	if (!o->vary) {
		*n = o->nfiles;
		*out = sim_calloc(*n, sizeof **out);
		for (size_t i = 0; i < *n; i++) {
			(*out)[i].file = o->files[i];
			(*out)[i].label = sim_strdup(o->files[i]);
		}
		return 0;
	}
	cli_grid grid = {0}; /* one --vary: its values, as sweep reads them */
	int rc = cli_grid_vary(&grid, "compare", o->vary);
	if (rc == 0 && grid.varies[0].n < 2)
		rc = cli_usage_error("compare",
		                     "--vary takes PATH=V1,V2[,...]: two values or more (got '%s')",
		                     o->vary);
	*n = rc == 0 ? grid.varies[0].n : 0;
	*out = sim_calloc(*n ? *n : 1, sizeof **out);
	for (size_t i = 0; i < *n; i++) {
		variant *v = &(*out)[i];
		*v = (variant){.file = o->files[0], .assignment = cli_grid_label(&grid, i)};
		v->label = sim_strdup(v->assignment);
	}
	cli_grid_fini(&grid);
	return rc;
}

static int load_variant(const compare_options *o, const variant *v, ks_scenario **sc)
{
	const char **sets = sim_calloc(o->nsets + 1, sizeof *sets);
	memcpy(sets, o->sets, o->nsets * sizeof *sets);
	size_t n = o->nsets;
	if (v->assignment)
		sets[n++] = v->assignment;
	int rc = cli_load_scenario(v->file, sets, n, sc);
	sim_free(sets);
	return rc;
}

/* What the runs of one variant fill: the baseline's metric paths (its first replication sets
 * them; every variant's replications are handed over after the baseline's), each replication's
 * values. */
typedef struct collector {
	bool baseline;
	const char *label;
	char ***paths;
	char ***units;
	size_t *npaths;
	double *values; /* [metric][replication], NAN when the variant lacks it */
	unsigned replications;
} collector;

static int collect(const cli_replication *r, void *ctx)
{
	collector *c = ctx;
	if (r->run_rc != 0)
		return -EINTR;
	if (c->baseline && r->index == 0) { /* the baseline names the metrics */
		size_t n = sim_metrics_value_count(r->metrics);
		*c->paths = sim_calloc(n ? n : 1, sizeof **c->paths);
		*c->units = sim_calloc(n ? n : 1, sizeof **c->units);
		for (size_t i = 0; i < n; i++) {
			const sim_metrics_value *v = sim_metrics_value_at(r->metrics, i);
			(*c->paths)[i] = sim_strdup(v->path);
			(*c->units)[i] = sim_strdup(v->unit);
		}
		*c->npaths = n;
	}
	if (!c->values)
		c->values = sim_calloc(*c->npaths * c->replications + 1, sizeof *c->values);
	for (size_t i = 0; i < *c->npaths; i++) {
		const sim_metrics_value *v = sim_metrics_find_value(r->metrics, (*c->paths)[i]);
		c->values[i * c->replications + r->index] = v ? v->value : NAN;
	}
	if (r->index + 1 == c->replications)
		fprintf(stderr, "kinesim: %s: %u replications done\n", c->label, c->replications);
	return 0;
}

/* ---- statistics ----------------------------------------------------------------------------- */

typedef struct difference {
	double base, other;       /* means */
	double paired, paired_hw; /* mean of B - A, its 95% half-width */
	double unpaired_hw;       /* Welch's 95% half-width of the difference of means */
	bool defined;
} difference;

static void mean_var(const double *x, unsigned n, double *mean, double *var)
{
	double m = 0, m2 = 0;
	for (unsigned i = 0; i < n; i++) {
		double d = x[i] - m;
		m += d / (i + 1);
		m2 += d * (x[i] - m);
	}
	*mean = m;
	*var = n > 1 ? m2 / (n - 1) : 0;
}

static difference differ(const double *a, const double *b, unsigned n)
{
	difference d = {0};
	for (unsigned i = 0; i < n; i++)
		if (isnan(a[i]) || isnan(b[i]))
			return d;
	double *diff = sim_calloc(n, sizeof *diff);
	for (unsigned i = 0; i < n; i++)
		diff[i] = b[i] - a[i];
	double va, vb, vd;
	mean_var(a, n, &d.base, &va);
	mean_var(b, n, &d.other, &vb);
	mean_var(diff, n, &d.paired, &vd);
	sim_free(diff);
	double t = gsl_cdf_tdist_Pinv(0.975, n - 1);
	d.paired_hw = t * sqrt(vd / n);
	double se2 = (va + vb) / n;
	/* Welch-Satterthwaite degrees of freedom (n - 1 when both variances are 0) */
	double df =
	        se2 > 0 ? se2 * se2 /
	                          ((va / n) * (va / n) / (n - 1) + (vb / n) * (vb / n) / (n - 1))
	                : n - 1;
	d.unpaired_hw = gsl_cdf_tdist_Pinv(0.975, df) * sqrt(se2);
	d.defined = true;
	return d;
}

/* "B lowers feed.latency.p99 by 310.0 ms +/- 40.0 ms", or "no clear difference". */
static void verdict(char *buf, size_t len, const char *who, const char *path, const char *unit,
                    const difference *d)
{
	char by[32], hw[32];
	cli_human(by, sizeof by, fabs(d->paired), unit);
	cli_human(hw, sizeof hw, d->paired_hw, unit);
	if (fabs(d->paired) > d->paired_hw && d->paired != 0)
		snprintf(buf, len, "%s %s %s by %s +/- %s", who,
		         d->paired < 0 ? "lowers" : "raises", path, by, hw);
	else
		snprintf(buf, len, "%s: no clear difference in %s (%s%s +/- %s)", who, path,
		         d->paired < 0 ? "-" : "", by, hw);
}

/* ---- the command ----------------------------------------------------------------------------- */

static void print_results(FILE *f, const compare_options *o, const variant *v, size_t nv,
                          char **paths, char **units, size_t n, unsigned reps)
{
	if (o->format == CLI_FORMAT_CSV)
		fputs("variant,metric,unit,baseline,mean,difference,ci95_paired,ci95_unpaired,"
		      "verdict\n",
		      f);
	if (o->format == CLI_FORMAT_JSON) {
		fputs("{\"baseline\": ", f);
		cli_json_string(f, v[0].label);
		fprintf(f, ", \"replications\": %u, \"variants\": [", reps);
	}
	if (o->format == CLI_FORMAT_TEXT)
		fprintf(f, "baseline %s; %u paired replications (common random numbers)\n",
		        v[0].label, reps);
	for (size_t k = 1; k < nv; k++) {
		if (o->format == CLI_FORMAT_TEXT)
			fprintf(f, "\n%s against %s:\n", v[k].label, v[0].label);
		if (o->format == CLI_FORMAT_JSON) {
			fputs(k > 1 ? ", {\"variant\": " : "{\"variant\": ", f);
			cli_json_string(f, v[k].label);
			fputs(", \"metrics\": {", f);
		}
		bool first = true;
		for (size_t i = 0; i < n; i++) {
			if (!cli_metric_shown(o->metrics, o->nmetrics, paths[i]))
				continue;
			difference d = differ(&v[0].values[i * reps], &v[k].values[i * reps], reps);
			if (!d.defined)
				continue; /* the variant does not report it */
			char line[256];
			verdict(line, sizeof line, v[k].label, paths[i], units[i], &d);
			if (o->format == CLI_FORMAT_TEXT) {
				char uu[32];
				cli_human(uu, sizeof uu, d.unpaired_hw, units[i]);
				fprintf(f, "  %s  (unpaired: +/- %s)\n", line, uu);
			} else if (o->format == CLI_FORMAT_CSV) {
				cli_csv_field(f, v[k].label);
				fputc(',', f);
				cli_csv_field(f, paths[i]);
				fputc(',', f);
				cli_csv_field(f, units[i]);
				fprintf(f, ",%.17g,%.17g,%.17g,%.17g,%.17g,", d.base, d.other,
				        d.paired, d.paired_hw, d.unpaired_hw);
				cli_csv_field(f, line);
				fputc('\n', f);
			} else {
				fputs(first ? "" : ", ", f);
				cli_json_string(f, paths[i]);
				fputs(": {\"baseline\": ", f);
				cli_json_number(f, d.base);
				fputs(", \"mean\": ", f);
				cli_json_number(f, d.other);
				fputs(", \"difference\": ", f);
				cli_json_number(f, d.paired);
				fputs(", \"ci95_paired\": ", f);
				cli_json_number(f, d.paired_hw);
				fputs(", \"ci95_unpaired\": ", f);
				cli_json_number(f, d.unpaired_hw);
				fputs(", \"verdict\": ", f);
				cli_json_string(f, line);
				fputc('}', f);
			}
			first = false;
		}
		if (o->format == CLI_FORMAT_JSON)
			fputs("}}", f);
	}
	if (o->format == CLI_FORMAT_JSON)
		fputs("]}\n", f);
}

static int compare(const compare_options *o)
{
	variant *v = NULL;
	size_t nv = 0;
	int rc = make_variants(o, &v, &nv);
	ks_scenario **sc = sim_calloc(nv ? nv : 1, sizeof *sc);
	for (size_t k = 0; rc == 0 && k < nv; k++) /* every variant is checked first */
		rc = load_variant(o, &v[k], &sc[k]);
	char **paths = NULL, **units = NULL;
	size_t n = 0;
	unsigned reps = o->replications ? o->replications : 10;
	uint64_t seed = 0;
	if (rc == 0) {
		seed = o->have_seed ? o->seed : (uint64_t)sim_schema_int(sc[0]->root, "seed");
		struct sigaction old[CLI_NSTOP];
		cli_stop_signal = 0;
		cli_catch_stop_signals(old);
		/* one list of work: under mpirun the ranks go from one variant to the next without
		 * waiting for the last replications of the one before */
		collector *c = sim_calloc(nv, sizeof *c);
		cli_replications *jobs = sim_calloc(nv, sizeof *jobs);
		for (size_t k = 0; k < nv; k++) {
			c[k] = (collector){.baseline = k == 0,
			                   .label = v[k].label,
			                   .paths = &paths,
			                   .units = &units,
			                   .npaths = &n,
			                   .replications = reps};
			jobs[k] = (cli_replications){.sc = sc[k],
			                             .seed = seed,
			                             .count = reps,
			                             .jobs = o->jobs,
			                             .stop = &cli_stop_signal,
			                             .done = collect,
			                             .ctx = &c[k],
			                             .values_only = true};
		}
		rc = cli_replications_run_all(jobs, nv);
		for (size_t k = 0; k < nv; k++)
			v[k].values = c[k].values;
		sim_free(jobs);
		sim_free(c);
		cli_restore_stop_signals(old);
		int sig = cli_stop_signal;
		if (sig) {
			fprintf(stderr, "kinesim: interrupted (%s); nothing to compare\n",
			        cli_signal_name(sig));
			rc = EXIT_SIGNAL_BASE + sig;
		}
	}
	if (rc == 0) {
		cli_output out;
		print_results(cli_output_open(&out), o, v, nv, paths, units, n, reps);
		cli_output_close(&out);
	}
	for (size_t i = 0; i < n; i++) {
		sim_free(paths[i]);
		sim_free(units[i]);
	}
	sim_free(paths);
	sim_free(units);
	for (size_t k = 0; k < nv; k++) {
		ks_scenario_destroy(sc[k]);
		sim_free(v[k].values);
		sim_free(v[k].label);
		sim_free(v[k].assignment);
	}
	sim_free(sc);
	sim_free(v);
	return rc;
}

int cli_compare(int argc, char **argv)
{
	compare_options o = {.jobs = 1};
	int rc = parse_options(argc, argv, &o);
	if (rc == 0)
		rc = compare(&o);
	else if (rc < 0)
		rc = EXIT_OK;
	sim_free(o.sets);
	sim_free(o.metrics);
	sim_free(o.files);
	return rc;
}
