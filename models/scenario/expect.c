/* Parsing and evaluating `expect:` lines. */
#include "models/scenario/expect.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/scenario/build.h"
#include "sim/alloc.h"
#include "sim/units.h"

static const struct {
	const char *text;
	ks_op op;
} ops[] = {{"<=", KS_OP_LE}, {">=", KS_OP_GE}, {"==", KS_OP_EQ},
           {"!=", KS_OP_NE}, {"<", KS_OP_LT},  {">", KS_OP_GT}};

/* A plain number as people write it: "1000", "1,000", "2.5e3", with a leading "$" for dollars
 * ("$1", "$0.50") and a trailing "/min" for per-minute rates when `suffix` names one. Commas
 * must separate groups of three digits of the integer part. Returns 0 or -1. */
static int parse_number(const char *text, bool dollars, const char *suffix, double *out)
{
	char buf[128];
	size_t o = 0;
	const char *p = text;
	if (*p == '-' || *p == '+')
		buf[o++] = *p++;
	if (dollars && *p == '$')
		p++;
	size_t digits = 0; /* of the current group, after a comma */
	bool comma = false;
	for (; (*p >= '0' && *p <= '9') || *p == ','; p++) {
		if (*p == ',') {
			/* the first group 1 to 3 digits, the next ones 3 */
			if (digits == 0 || digits > 3 || (comma && digits != 3))
				return -1;
			comma = true;
			digits = 0;
			continue;
		}
		if (o + 1 >= sizeof buf)
			return -1;
		buf[o++] = *p;
		digits++;
	}
	if (comma && digits != 3)
		return -1;
	snprintf(buf + o, sizeof buf - o, "%s", p);
	char *end;
	double v = strtod(buf, &end);
	if (end == buf)
		return -1;
	while (*end == ' ')
		end++;
	if (suffix && strcmp(end, suffix) == 0)
		end += strlen(end);
	if (*end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* The value in the unit of the metric: durations for seconds, sizes for bytes, dollars (with
 * or without "$") for USD, plain numbers (thousands separators allowed) for counts and rates
 * per minute. Returns 0 or writes a phrase into err. */
static int parse_value(const char *text, const char *unit, double *out, char *err, size_t len)
{
	if (strcmp(unit, "s") == 0) {
		sim_time t;
		if (sim_parse_duration(text, &t, err, len) < 0)
			return -1;
		*out = sim_time_to_s(t);
		return 0;
	}
	if (strcmp(unit, "B") == 0)
		return sim_parse_size(text, false, out, err, len) < 0 ? -1 : 0;
	bool usd = strcmp(unit, "USD") == 0, per_min = strcmp(unit, "1/min") == 0;
	if (parse_number(text, usd, per_min ? "/min" : NULL, out) < 0) {
		snprintf(err, len, "is not %s (got '%s'; e.g. %s)",
		         usd ? "an amount of dollars" : "a number", text,
		         usd       ? "'$1' or '0.25'"
		         : per_min ? "'30' or '30/min'"
		                   : "'1000' or '1,000'");
		return -1;
	}
	return 0;
}

static size_t fail(sim_diag *d, const sim_yaml_node *at, const char *msg, const char *hint)
{
	sim_diag_report(d, SIM_DIAG_ERROR, at->file, at->line, at->col, "%s", msg);
	if (hint)
		sim_diag_hint(d, "%s", hint);
	return 1;
}

static size_t parse_one(const sim_yaml_node *at, const sim_metrics *names, sim_diag *d,
                        ks_expect *e)
{
	const char *text = at->text;
	/* path: up to the first space or operator character */
	size_t plen = strcspn(text, " <>=!");
	const char *p = text + plen;
	while (*p == ' ')
		p++;
	size_t k = 0;
	while (k < sizeof ops / sizeof ops[0] && strncmp(p, ops[k].text, strlen(ops[k].text)) != 0)
		k++;
	if (plen == 0 || k == sizeof ops / sizeof ops[0]) {
		char *msg = sim_asprintf("expectation '%s' is not '<metric> <op> <value>'", text);
		size_t r = fail(d, at, msg,
		                "e.g. 'events.read_throttled.per_shard_per_minute > 30'; "
		                "ops are < <= > >= == !=");
		sim_free(msg);
		return r;
	}
	char *path = sim_strndup(text, plen);
	p += strlen(ops[k].text);
	while (*p == ' ')
		p++;
	char *value = sim_strdup(p);
	for (size_t n = strlen(value); n > 0 && isspace((unsigned char)value[n - 1]); n--)
		value[n - 1] = '\0';

	size_t errors = 0;
	const sim_metrics_value *metric = sim_metrics_find_value(names, path);
	if (!metric) {
		const char **cands = sim_calloc(sim_metrics_value_count(names) + 1, sizeof *cands);
		for (size_t i = 0; i < sim_metrics_value_count(names); i++)
			cands[i] = sim_metrics_value_at(names, i)->path;
		const char *guess = sim_diag_suggest(path, cands, sim_metrics_value_count(names));
		char *msg =
		        guess ? sim_asprintf("no metric '%s' in this scenario; did you mean '%s'?",
		                             path, guess)
		              : sim_asprintf("no metric '%s' in this scenario", path);
		errors = fail(d, at, msg,
		              "paths are <entity>.<metric>[.<stat>] as `kinesim run --format json` "
		              "lists them");
		sim_free(msg);
		sim_free(cands);
	} else {
		char err[200];
		if (parse_value(value, metric->unit, &e->value, err, sizeof err) < 0) {
			char *msg = sim_asprintf("value of '%s' %s", path, err);
			errors = fail(d, at, msg, NULL);
			sim_free(msg);
		}
	}
	if (errors) {
		sim_free(path);
		sim_free(value);
		return errors;
	}
	e->text = sim_strdup(text);
	e->path = path;
	e->op = ops[k].op;
	sim_free(value);
	return 0;
}

size_t ks_expect_parse(const sim_yaml_node *list, const sim_metrics *names, sim_diag *d,
                       ks_expect **out, size_t *n)
{
	size_t count = list && list->kind == SIM_YAML_SEQ ? list->n : 0;
	ks_expect *es = sim_calloc(count ? count : 1, sizeof *es);
	size_t errors = 0, ok = 0;
	for (size_t i = 0; i < count; i++) {
		size_t e = parse_one(list->items[i], names, d, &es[ok]);
		errors += e;
		if (!e)
			ok++;
	}
	if (errors) {
		ks_expect_free(es, ok);
		return errors;
	}
	*out = es;
	*n = ok;
	return 0;
}

void ks_expect_free(ks_expect *e, size_t n)
{
	if (!e)
		return;
	for (size_t i = 0; i < n; i++) {
		sim_free(e[i].text);
		sim_free(e[i].path);
	}
	sim_free(e);
}

bool ks_expect_holds(const ks_expect *e, double v)
{
	if (isnan(v))
		return false; /* no data, or the metric does not apply: nothing to hold */
	switch (e->op) {
	case KS_OP_LT: return v < e->value;
	case KS_OP_LE: return v <= e->value;
	case KS_OP_GT: return v > e->value;
	case KS_OP_GE: return v >= e->value;
	case KS_OP_EQ: return v == e->value;
	case KS_OP_NE: return v != e->value;
	}
	return false;
}

size_t ks_expect_scenario(const ks_scenario *sc, sim_diag *d, ks_expect **out, size_t *n)
{
	return ks_expect_parse_for(sc, sim_yaml_get(sc->root, "expect"), d, out, n);
}

size_t ks_expect_parse_for(const ks_scenario *sc, const sim_yaml_node *list, sim_diag *d,
                           ks_expect **out, size_t *n)
{
	/* No lines: nothing needs the metric names, so no model is built to learn them (4% of a
	 * one-second run's instructions). */
	if (!list || list->kind != SIM_YAML_SEQ || list->n == 0)
		return ks_expect_parse(list, NULL, d, out, n);
	sim_metrics *names = sim_metrics_create();
	ks_model *model = ks_model_build(sc, 1, 0, names);
	ks_model_summarize(model);
	size_t errors = ks_expect_parse(list, names, d, out, n);
	ks_model_destroy(model);
	sim_metrics_destroy(names);
	return errors;
}
