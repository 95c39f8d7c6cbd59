/* Interval time series: a rows x columns matrix of doubles, one row per metrics interval.
 *
 * Row k covers [k I, (k + 1) I), except the last, which ends at the stop time; rows =
 * ceil(stop / I) is fixed at creation, columns grow (a reshard opens shards mid-run). Data are
 * row-major and contiguous, as the HDF5 writer wants them, so adding a column re-lays the whole
 * matrix: O(rows x columns), acceptable because reshards are rare. The matrix is allocated at
 * the first value added, not at creation: a model built only to list its metrics (`kinesim
 * check`) costs nothing however long its run would be, and a series that stays zero (the
 * errors of a run without errors) holds no memory. A SUM series adds; a MAX
 * series keeps the largest value seen, starting from 0 (its quantities, ages and concurrency,
 * are never negative). */
#include "sim/series.h"

#include <string.h>

#include "sim/alloc.h"
#include "sim/assert.h"

sim_series *sim_series_create(sim_series_kind kind, sim_time interval, sim_time stop,
                              size_t columns)
{
	SIM_ASSERT(interval > 0 && stop >= 0);
	sim_series *s = sim_calloc(1, sizeof *s);
	s->kind = kind;
	s->interval = interval;
	s->stop = stop;
	s->rows = (size_t)(stop / interval + (stop % interval != 0));
	s->columns = columns;
	return s;
}

sim_series *sim_series_restore(size_t rows, size_t columns, const double *data)
{
	sim_series *s = sim_calloc(1, sizeof *s);
	s->kind = SIM_SERIES_SUM;
	s->interval = 1;
	s->stop = (sim_time)rows;
	s->rows = rows;
	s->columns = columns;
	if (data && rows > 0 && columns > 0) {
		s->data = sim_calloc(rows * columns, sizeof *s->data);
		memcpy(s->data, data, rows * columns * sizeof *s->data);
	}
	return s;
}

void sim_series_destroy(sim_series *s)
{
	if (!s)
		return;
	sim_free(s->data);
	sim_free(s);
}

void sim_series_add_elsewhere(sim_series *s, sim_time t, size_t column, double v)
{
	SIM_ASSERT(column < s->columns);
	if (t < 0 || t >= s->stop)
		return;
	if (!s->data)
		s->data = sim_calloc(s->rows * s->columns, sizeof *s->data);
	if (t < s->from || t >= s->until) {
		s->row = (size_t)(t / s->interval);
		s->from = (sim_time)s->row * s->interval;
		s->until = s->stop - s->from > s->interval ? s->from + s->interval : s->stop;
	}
	double *cell = &s->data[s->row * s->columns + column];
	if (s->kind == SIM_SERIES_SUM)
		*cell += v;
	else if (v > *cell)
		*cell = v;
}

size_t sim_series_add_column(sim_series *s)
{
	size_t old = s->columns, wide = old + 1;
	if (s->data) {
		double *data = sim_calloc(s->rows * wide, sizeof *data);
		for (size_t r = 0; r < s->rows && old; r++)
			memcpy(&data[r * wide], &s->data[r * old], old * sizeof *data);
		sim_free(s->data);
		s->data = data;
	}
	s->columns = wide;
	return old;
}

size_t sim_series_rows(const sim_series *s)
{
	return s->rows;
}

size_t sim_series_columns(const sim_series *s)
{
	return s->columns;
}

const double *sim_series_data(const sim_series *s)
{
	return s->data;
}

sim_time sim_series_row_end(const sim_series *s, size_t i)
{
	SIM_ASSERT(i < s->rows);
	/* start < stop, so start + interval cannot overflow unless it passes stop: compare by
	 * subtraction instead. */
	sim_time start = (sim_time)i * s->interval;
	return s->stop - start > s->interval ? start + s->interval : s->stop;
}
