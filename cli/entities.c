/* Grouping the summary's rows by entity (entities.h). */
#include "cli/entities.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/format.h"
#include "sim/alloc.h"

/* The entity names of the rows being sorted, row by row (qsort passes no context). */
static char *const *sorting;

static size_t entity_len(const char *path)
{
	return strcspn(path, ".");
}

/* By entity name (natural order), then registration order. */
static int by_entity(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const char *ep = sorting[i], *eq = sorting[j];
	int c = strcmp(ep, "cost") == 0   ? (strcmp(eq, "cost") == 0 ? 0 : 1)
	        : strcmp(eq, "cost") == 0 ? -1
	                                  : cli_natural_cmp(ep, eq);
	if (c)
		return c;
	return (i > j) - (i < j);
}

static bool has(const cli_entities *es, const cli_entity *e, const char *metric)
{
	return cli_entity_row(es, e, metric) != NULL;
}

static cli_kind kind_of(const cli_entities *es, const cli_entity *e)
{
	if (strcmp(e->name, "cost") == 0)
		return CLI_KIND_COST;
	if (has(es, e, "read_throttled.per_shard_per_minute"))
		return CLI_KIND_STREAM;
	if (has(es, e, "invocations") && has(es, e, "cold_starts"))
		return CLI_KIND_FUNCTION;
	if (has(es, e, "read_calls") && has(es, e, "propagation.mean"))
		return CLI_KIND_CONSUMER;
	if (has(es, e, "records_produced"))
		return CLI_KIND_PRODUCER;
	return CLI_KIND_OTHER;
}

void cli_entities_build(cli_entities *es, const cli_summary_row *rows, size_t n)
{
	*es = (cli_entities){.rows = rows, .nrows = n};
	es->order = sim_calloc(n ? n : 1, sizeof *es->order);
	/* Each row's entity name once, not at each comparison (two copies a comparison were a
	 * fiftieth of a short run). */
	char **names = sim_calloc(n ? n : 1, sizeof *names);
	for (size_t i = 0; i < n; i++) {
		es->order[i] = i;
		names[i] = sim_strndup(rows[i].path, entity_len(rows[i].path));
	}
	sorting = names;
	qsort(es->order, n, sizeof *es->order, by_entity);
	sorting = NULL;
	for (size_t i = 0; i < n; i++)
		sim_free(names[i]);
	sim_free(names);
	es->e = sim_calloc(n ? n : 1, sizeof *es->e);
	for (size_t k = 0; k < n; k++) {
		const char *path = rows[es->order[k]].path;
		size_t len = entity_len(path);
		cli_entity *last = es->n ? &es->e[es->n - 1] : NULL;
		if (last && strlen(last->name) == len && strncmp(last->name, path, len) == 0) {
			last->count++;
			continue;
		}
		es->e[es->n++] =
		        (cli_entity){.name = sim_strndup(path, len), .first = k, .count = 1};
	}
	for (size_t i = 0; i < es->n; i++)
		es->e[i].kind = kind_of(es, &es->e[i]);
}

void cli_entities_free(cli_entities *es)
{
	for (size_t i = 0; i < es->n; i++)
		sim_free(es->e[i].name);
	sim_free(es->e);
	sim_free(es->order);
	*es = (cli_entities){0};
}

const char *cli_metric_name(const cli_summary_row *r, const cli_entity *e)
{
	size_t len = strlen(e->name);
	return r->path[len] == '.' ? r->path + len + 1 : r->path + len;
}

const cli_summary_row *cli_entity_row(const cli_entities *es, const cli_entity *e,
                                      const char *metric)
{
	for (size_t k = e->first; k < e->first + e->count; k++) {
		const cli_summary_row *r = &es->rows[es->order[k]];
		if (strcmp(cli_metric_name(r, e), metric) == 0)
			return r;
	}
	return NULL;
}

double cli_entity_value(const cli_entities *es, const cli_entity *e, const char *metric)
{
	const cli_summary_row *r = cli_entity_row(es, e, metric);
	return r ? r->mean : NAN;
}
