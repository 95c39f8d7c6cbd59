/* The summary's rows ("<entity>.<metric>") grouped by entity, each entity with its kind
 * (stream, function, consumer, producer, cost, other) told by the metrics it has: what the
 * verdict and the compact tables work from, whether the rows come from a run or a file. */
#ifndef KS_CLI_ENTITIES_H
#define KS_CLI_ENTITIES_H

#include <stddef.h>

#include "cli/cli.h"

typedef enum {
	CLI_KIND_STREAM,
	CLI_KIND_FUNCTION,
	CLI_KIND_CONSUMER,
	CLI_KIND_PRODUCER,
	CLI_KIND_OTHER,
	CLI_KIND_COST,
	CLI_NKINDS
} cli_kind;

typedef struct cli_entity {
	char *name;
	cli_kind kind;
	size_t first, count; /* its rows: indexes into `order` of cli_entities */
} cli_entity;

typedef struct cli_entities {
	const cli_summary_row *rows;
	size_t nrows;
	size_t *order; /* rows grouped by entity (natural order of names), registration order
	                  within an entity */
	cli_entity *e;
	size_t n;
} cli_entities;

void cli_entities_build(cli_entities *es, const cli_summary_row *rows, size_t n);
void cli_entities_free(cli_entities *es);
/* The row of entity.metric, or NULL. */
const cli_summary_row *cli_entity_row(const cli_entities *es, const cli_entity *e,
                                      const char *metric);
/* Its mean, NaN when absent. */
double cli_entity_value(const cli_entities *es, const cli_entity *e, const char *metric);
/* The metric part of a row's path (after "<entity>."). */
const char *cli_metric_name(const cli_summary_row *r, const cli_entity *e);

#endif
