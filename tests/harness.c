/* Test harness: scenarios from YAML text. */
#include "tests/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "models/kinesis/kinesis.h"
#include "models/kinesis/stream.h"
#include "sim/diag.h"

/* Writes yaml to a temporary file and loads it; returns the load's result, *sc on success,
 * and the diagnostics in d. */
static int load(const char *yaml, const char *const *sets, sim_diag *d, ks_scenario **sc)
{
	char path[] = "/tmp/kinesim-test-XXXXXX.yaml";
	int fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	size_t len = strlen(yaml);
	assert_int_equal(write(fd, yaml, len), (ssize_t)len);
	close(fd);
	size_t nsets = 0;
	while (sets && sets[nsets])
		nsets++;
	int err = 0;
	int rc = ks_scenario_load(path, sets, nsets, d, sc, &err);
	unlink(path);
	return rc;
}

ks_scenario *harness_load(const char *yaml, const char *const *sets)
{
	sim_diag *d = sim_diag_create();
	ks_scenario *sc = NULL;
	int rc = load(yaml, sets, d, &sc);
	if (rc != 0)
		sim_diag_print(d, stderr);
	sim_diag_destroy(d);
	assert_int_equal(rc, 0);
	return sc;
}

char *harness_diagnostics(const char *yaml, int *rc)
{
	return harness_diagnostics_sets(yaml, NULL, rc);
}

char *harness_diagnostics_sets(const char *yaml, const char *const *sets, int *rc)
{
	sim_diag *d = sim_diag_create();
	ks_scenario *sc = NULL;
	*rc = load(yaml, sets, d, &sc);
	ks_scenario_destroy(sc);
	char *text = sim_diag_format(d, false);
	sim_diag_destroy(d);
	return text;
}

static harness_run run(const char *yaml, const char *const *sets, uint64_t seed, bool pin)
{
	static const uint64_t pinned = 0;
	harness_run r = {0};
	r.sc = harness_load(yaml, sets);
	r.metrics = sim_metrics_create();
	r.model = ks_model_build(r.sc, seed, 0, r.metrics);
	for (size_t e = 0; pin && e < ks_model_count(r.model); e++) {
		const ks_entity *en = ks_model_at(r.model, e);
		if (en->kind != &ks_streams_component)
			continue;
		ks_stream *s = en->obj;
		for (size_t i = 0; i < s->nshards; i++)
			ks_log_register(&s->shards[i].log, &pinned, &pinned);
	}
	assert_int_equal(ks_model_run(r.model, NULL, NULL, NULL), 0);
	ks_model_summarize(r.model);
	return r;
}

harness_run harness_run_yaml(const char *yaml, const char *const *sets, uint64_t seed)
{
	return run(yaml, sets, seed, false);
}

harness_run harness_run_pinned(const char *yaml, const char *const *sets, uint64_t seed)
{
	return run(yaml, sets, seed, true);
}

void harness_free(harness_run *r)
{
	ks_model_destroy(r->model);
	sim_metrics_destroy(r->metrics);
	ks_scenario_destroy(r->sc);
	*r = (harness_run){0};
}

struct ks_stream *harness_stream(const harness_run *r, size_t i)
{
	for (size_t e = 0; e < ks_model_count(r->model); e++) {
		ks_entity *en = ks_model_at(r->model, e);
		if (en->kind == &ks_streams_component && i-- == 0)
			return en->obj;
	}
	fail_msg("no stream %zu", i);
	return NULL;
}

void *harness_object(const harness_run *r, const char *name)
{
	ks_entity *e = ks_model_entity(r->model, name);
	if (!e)
		fail_msg("no entity '%s'", name);
	return e->obj;
}

double harness_value(const harness_run *r, const char *path)
{
	const sim_metrics_value *v = sim_metrics_find_value(r->metrics, path);
	if (!v)
		fail_msg("no metric '%s'", path);
	return v->value;
}

const sim_series *harness_series(const sim_metrics *m, const char *group, const char *name)
{
	for (size_t i = 0; i < sim_metrics_series_count(m); i++) {
		const sim_metrics_series *s = sim_metrics_series_at(m, i);
		if (strcmp(s->group, group) == 0 && strcmp(s->name, name) == 0)
			return s->series;
	}
	fail_msg("no series %s/%s", group, name);
	return NULL;
}

bool harness_case(const char *id, const char *what, const char *expected, double simulated,
                  double lo, double hi)
{
	bool ok = simulated >= lo && simulated <= hi;
	printf("# | %s | %s | %s | %.4g | %.4g .. %.4g | %s |\n", id, what, expected, simulated, lo,
	       hi, ok ? "pass" : "FAIL");
	fflush(stdout);
	return ok;
}

const char *harness_fmt(const char *fmt, ...)
{
	static char buf[8][4096];
	static int next;
	char *b = buf[next++ % 8];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, sizeof buf[0], fmt, ap);
	va_end(ap);
	return b;
}
