/* Interval time series: one row per metrics interval, one column per shard (or 1).
 *
 * Intervals are half-open [k I, (k+1) I); the last one may be shorter (it ends at the stop
 * time). A series either sums what is added in an interval (counts) or keeps its maximum
 * (iterator age, concurrency). Values are doubles so that one writer handles both. */
#ifndef SIM_SERIES_H
#define SIM_SERIES_H

#include <stddef.h>

#include "sim/assert.h"
#include "sim/time.h"

typedef enum { SIM_SERIES_SUM, SIM_SERIES_MAX } sim_series_kind;

/* The fields are series.c's; they are here only so that sim_series_add inlines (producers add
 * to two series per record). */
typedef struct sim_series {
	sim_series_kind kind;
	sim_time interval, stop;
	size_t rows, columns;
	double *data; /* rows x columns; NULL until a value is added (all zeros) */
	/* The row of the last value added and its span [from, until): most values fall in the
	 * interval of the one before, and this saves a 64-bit division per value. Empty (0, 0)
	 * until the first value, so the inline path below never sees data NULL. */
	size_t row;
	sim_time from, until;
} sim_series;

sim_series *sim_series_create(sim_series_kind kind, sim_time interval, sim_time stop,
                              size_t columns);
void sim_series_destroy(sim_series *s); /* NULL: nothing */

/* sim_series_add when t is not in the interval of the last value added (series.c). */
void sim_series_add_elsewhere(sim_series *s, sim_time t, size_t column, double v);

/* A series of rows x columns values as another process computed them, to be written, not added
 * to: data is copied (NULL: no value was ever added, which the writer may store differently
 * from zeros). */
sim_series *sim_series_restore(size_t rows, size_t columns, const double *data);

/* Adds v (SUM) or keeps max(v, current) (MAX) in the interval holding t; times outside
 * [0, stop) are ignored. column < columns (asserted). */
static inline void sim_series_add(sim_series *s, sim_time t, size_t column, double v)
{
	SIM_ASSERT(column < s->columns);
	if (t < s->from || t >= s->until) {
		sim_series_add_elsewhere(s, t, column, v);
		return;
	}
	double *cell = &s->data[s->row * s->columns + column];
	if (s->kind == SIM_SERIES_SUM)
		*cell += v;
	else if (v > *cell)
		*cell = v;
}

/* Appends a column (resharding opens shards during a run); returns its index. */
size_t sim_series_add_column(sim_series *s);

size_t sim_series_rows(const sim_series *s);
size_t sim_series_columns(const sim_series *s);
/* Row-major rows x columns; NULL while nothing has been added (every value is 0). */
const double *sim_series_data(const sim_series *s);
/* End time of row i (the stop time for the last, shorter row). */
sim_time sim_series_row_end(const sim_series *s, size_t i);

#endif
