/* The summary across replications (accumulator.h). */
#include "cli/accumulator.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

#include "sim/alloc.h"

#include <string.h>

void cli_accumulate(cli_accumulator *a, const sim_metrics *m)
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

void cli_accumulator_finish(cli_accumulator *a)
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

void cli_accumulator_free(cli_accumulator *a)
{
	for (size_t i = 0; i < a->n; i++) {
		sim_free((char *)a->rows[i].path);
		sim_free((char *)a->rows[i].unit);
	}
	sim_free(a->rows);
	sim_free(a->m2);
}

const cli_summary_row *cli_accumulator_find(const cli_accumulator *a, const char *path)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->rows[i].path, path) == 0)
			return &a->rows[i];
	return NULL;
}

bool cli_accumulator_precise(const cli_accumulator *a, const ks_expect *e, size_t n,
                             double precision)
{
	if (a->runs < 2)
		return false; /* one replication says nothing of its spread */
	for (size_t k = 0; k < n; k++) {
		const cli_summary_row *r = cli_accumulator_find(a, e[k].path);
		double hw = r && r->ci95 > 0 ? r->ci95 : 0;
		if (r && hw > precision * fabs(r->mean))
			return false;
	}
	return true;
}

int cli_run_until_precise(cli_replications *job, cli_accumulator *acc, const ks_expect *e, size_t n,
                          double precision, unsigned max, unsigned *planned)
{
	unsigned batch = job->count;
	max = max ? max : 100;
	int rc = cli_replications_run(job);
	while (rc == 0 && !*job->stop && precision > 0) {
		cli_accumulator_finish(acc);
		if (cli_accumulator_precise(acc, e, n, precision) || job->first + job->count >= max)
			break;
		job->first += job->count;
		job->count = job->first + batch > max ? max - job->first : batch;
		if (planned)
			*planned = job->first + job->count;
		rc = cli_replications_run(job);
	}
	return rc;
}
