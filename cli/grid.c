/* A grid of scenario variants (grid.h). */
#include "cli/grid.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "sim/alloc.h"

static void add_value(cli_vary *v, const char *text, size_t len)
{
	v->values = sim_reallocarray(v->values, v->n + 1, sizeof *v->values);
	v->values[v->n] = sim_calloc(1, len + 1);
	memcpy(v->values[v->n++], text, len);
}

static bool parse_number(const char *s, size_t len, double *out)
{
	char buf[64];
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	char *end;
	*out = strtod(buf, &end);
	return *end == '\0' && isfinite(*out);
}

int cli_grid_vary(cli_grid *g, const char *command, const char *arg)
{
	sim_grow(&g->varies, &g->capvaries, g->nvaries + 1, sizeof *g->varies);
	cli_vary *v = &g->varies[g->nvaries++];
	*v = (cli_vary){0};
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg || !eq[1])
		return cli_usage_error(command,
		                       "--vary takes PATH=VALUES, e.g. streams.events.shards=1,2,4 "
		                       "or streams.events.shards=1..8 (got '%s')",
		                       arg);
	v->path = sim_calloc(1, (size_t)(eq - arg) + 1);
	memcpy(v->path, arg, (size_t)(eq - arg));
	const char *values = eq + 1, *dots = strstr(values, "..");
	if (dots) {
		const char *colon = strchr(dots + 2, ':');
		size_t blen = colon ? (size_t)(colon - dots - 2) : strlen(dots + 2);
		double a, b, step = 1;
		if (!parse_number(values, (size_t)(dots - values), &a) ||
		    !parse_number(dots + 2, blen, &b) ||
		    (colon && !parse_number(colon + 1, strlen(colon + 1), &step)) || !(step > 0) ||
		    b < a)
			return cli_usage_error(
			        "sweep",
			        "--vary %s: a range is A..B or A..B:STEP with numbers, A "
			        "<= B and STEP > 0 (got '%s')",
			        v->path, values);
		for (double x = a; x <= b + step * 1e-9 && v->n <= CLI_GRID_MAX_POINTS; x += step) {
			char buf[32];
			int len = snprintf(buf, sizeof buf, "%.15g", x);
			add_value(v, buf, (size_t)len);
		}
		return 0;
	}
	for (const char *s = values;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		if (len == 0)
			return cli_usage_error(command, "--vary %s: an empty value in '%s'",
			                       v->path, values);
		add_value(v, s, len);
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

size_t cli_grid_points(const cli_grid *o)
{
	size_t n = 1;
	for (size_t k = 0; k < o->nvaries; k++)
		n = n > CLI_GRID_MAX_POINTS ? CLI_GRID_MAX_POINTS + 1 : n * o->varies[k].n;
	return n;
}

const char *cli_grid_value(const cli_grid *o, size_t point, size_t k)
{
	size_t stride = 1;
	for (size_t j = k + 1; j < o->nvaries; j++)
		stride *= o->varies[j].n;
	return o->varies[k].values[point / stride % o->varies[k].n];
}

char *cli_grid_label(const cli_grid *o, size_t point)
{
	char *s = sim_strdup("");
	for (size_t k = 0; k < o->nvaries; k++) {
		char *next = sim_asprintf("%s%s%s=%s", s, k ? " " : "", o->varies[k].path,
		                          cli_grid_value(o, point, k));
		sim_free(s);
		s = next;
	}
	return s;
}

int cli_grid_load(const cli_grid *o, size_t point, ks_scenario **sc)
{
	const char **sets = sim_calloc(o->nsets + o->nvaries + 1, sizeof *sets);
	char **owned = sim_calloc(o->nvaries + 1, sizeof *owned);
	memcpy(sets, o->sets, o->nsets * sizeof *sets);
	for (size_t k = 0; k < o->nvaries; k++) {
		owned[k] = sim_asprintf("%s=%s", o->varies[k].path, cli_grid_value(o, point, k));
		sets[o->nsets + k] = owned[k];
	}
	int rc = cli_load_scenario(o->scenario, sets, o->nsets + o->nvaries, sc);
	for (size_t k = 0; k < o->nvaries; k++)
		sim_free(owned[k]);
	sim_free(owned);
	sim_free(sets);
	return rc;
}

void cli_grid_fini(cli_grid *g)
{
	for (size_t k = 0; k < g->nvaries; k++) {
		for (size_t i = 0; i < g->varies[k].n; i++)
			sim_free(g->varies[k].values[i]);
		sim_free(g->varies[k].values);
		sim_free(g->varies[k].path);
	}
	sim_free(g->varies);
}
