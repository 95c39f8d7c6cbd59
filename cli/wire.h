/* A finished replication as bytes, and back: what a rank that simulated it sends the rank that
 * writes the file (cli/mpi.c). Read back, the metrics hold the same entries in the same order
 * with the same values, so writing them gives the bytes writing the original gives.
 *
 * Nothing here depends on MPI: the bytes are native (every rank runs the same binary on the
 * same kind of machine, as MPI jobs do). */
#ifndef KS_CLI_WIRE_H
#define KS_CLI_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/replications.h"
#include "sim/hist.h"
#include "sim/series.h"

typedef struct cli_wire {
	unsigned char *data;
	size_t len, cap;
} cli_wire;

typedef struct cli_wire_reader {
	const unsigned char *p;
	size_t left;
	bool bad; /* read past the end, or a malformed field: every later read gives 0 */
} cli_wire_reader;

void cli_wire_u64(cli_wire *w, uint64_t v);
void cli_wire_string(cli_wire *w, const char *s); /* NULL is kept apart from "" */
void cli_wire_bytes(cli_wire *w, const void *p, size_t len);
void cli_wire_free(cli_wire *w);

uint64_t cli_wire_get_u64(cli_wire_reader *r);
/* Copied (sim_free it); NULL for a NULL string, or when bad. */
char *cli_wire_get_string(cli_wire_reader *r);
/* Lent from the reader's bytes; NULL when bad. */
const void *cli_wire_get_bytes(cli_wire_reader *r, size_t *len);

/* Appends r: its number, outcome and summary values, and unless values_only its series,
 * labels, histograms, tables and group attributes. */
void cli_wire_replication(cli_wire *w, const cli_replication *r, bool values_only);

/* A replication read back; r lends metrics, which own what they hold. */
typedef struct cli_wire_result {
	cli_replication r;
	sim_metrics *metrics;
	sim_series **series;
	size_t nseries;
	sim_hist **hists;
	size_t nhists;
	double **table_data;
	size_t *table_rows, ntables;
} cli_wire_result;

/* 0, or -EPROTO (nothing kept) when the bytes are not such a replication. */
int cli_wire_get_replication(cli_wire_reader *r, cli_wire_result *out);
void cli_wire_result_free(cli_wire_result *res);

#endif
