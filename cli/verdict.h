/* The verdict that opens the summary: for each stream, function, consumer, producer (and any
 * other entity that counts lost records) whether it is OK, throttled, falling behind or losing
 * records, the limit that binds and what to change. Derived from the summary's metrics alone
 * (so `report` gives the same verdict from a file), with the thresholds of docs/summary.md. */
#ifndef KS_CLI_VERDICT_H
#define KS_CLI_VERDICT_H

#include <stddef.h>

#include "cli/entities.h"

typedef enum { CLI_OK, CLI_THROTTLED, CLI_BEHIND, CLI_LOSING } cli_state;

/* Reads throttled on fewer than this many times per shard per minute are retried without
 * harm: the stream is still OK (its finding says so). */
#define CLI_READ_THROTTLE_PER_SHARD_MIN 1.0
/* A consumer is falling behind when it ends with more pending work than this many seconds of
 * its own throughput, or its iterator age reaches it (and at least this fraction of the
 * measured period). */
#define CLI_BEHIND_S        60.0
#define CLI_BEHIND_FRACTION 0.05
/* ... or its iterator age grows faster than this over the measured period (seconds per
 * second; `iterator_age.growth`: the second half's mean against the first's). */
#define CLI_BEHIND_GROWTH 0.05

typedef struct cli_verdict {
	const cli_entity *entity;
	cli_state state;
	char *finding; /* what the metrics show, "; "-separated; NULL when nothing to say */
	char *limit;   /* the binding limit of the worst finding, or NULL */
	char *change;  /* what to change, or NULL */
} cli_verdict;

/* One verdict for each entity with a verdict (not cost), in the entities' order. measured_s:
 * the measured period (duration - warmup), NaN when unknown (rates are then not given). */
size_t cli_verdicts(const cli_entities *es, double measured_s, cli_verdict **out);
void cli_verdicts_free(cli_verdict *v, size_t n);
const char *cli_state_name(cli_state s); /* "OK", "throttled", "falling behind", ... */

#endif
