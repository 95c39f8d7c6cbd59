/* The registry between the models and the output layer.
 *
 * Models register what they measure: interval series and histograms (borrowed: they stay the
 * model's and must outlive the registry's use), column labels (e.g. shard ids), and at the end
 * of a run their summary values. The output layer walks the registry to write the HDF5 file and
 * print the summary, so models never print and never call HDF5 (docs/architecture.md). Entries keep
 * the order they were registered in, which is deterministic. */
#ifndef SIM_METRICS_H
#define SIM_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/hist.h"
#include "sim/series.h"

typedef struct sim_metrics sim_metrics;

typedef struct sim_metrics_series {
	char *group; /* e.g. "streams/events" */
	char *name;  /* e.g. "read_calls" */
	const sim_series *series;
	char *units, *description;
	char *scale; /* name of the column-label dataset in the same group, or NULL */
} sim_metrics_series;

typedef struct sim_metrics_labels {
	char *group, *name, *description;
	char **labels;
	size_t n, cap;
} sim_metrics_labels;

typedef struct sim_metrics_hist {
	char *group; /* the histogram's own group, e.g. "functions/feed-1/latency" */
	const sim_hist *hist;
	char *description;
} sim_metrics_hist;

/* A table of numeric rows that grows during the run (borrowed: *data holds *rows x ncols
 * doubles, row-major). */
typedef struct sim_metrics_table {
	char *group, *name, *description;
	char *columns; /* column names, comma-separated */
	size_t ncols;
	double *const *data;
	const size_t *rows;
} sim_metrics_table;

/* An attribute of a group (an entity's configuration: a function's trigger, memory...): a
 * string when text is not NULL, else an integer. */
typedef struct sim_metrics_attr {
	char *group, *name;
	char *text;
	int64_t number;
} sim_metrics_attr;

typedef struct sim_metrics_value {
	char *path; /* e.g. "events.read_calls" */
	double value;
	char *unit; /* "count", "s", "B", "USD", "1/min" */
} sim_metrics_value;

sim_metrics *sim_metrics_create(void);
void sim_metrics_destroy(sim_metrics *m); /* NULL: nothing */

void sim_metrics_add_series(sim_metrics *m, const char *group, const char *name,
                            const sim_series *s, const char *units, const char *description,
                            const char *scale);
/* Column labels; labels are copied. Labels of an existing (group, name) are replaced. */
void sim_metrics_set_labels(sim_metrics *m, const char *group, const char *name,
                            const char *const *labels, size_t n, const char *description);
/* Appends one label (copied) to the labels of (group, name), made empty first if there are
 * none; returns its index. Amortized constant time: a reader that opens 10,000 shards one by
 * one labels its columns in linear time. */
size_t sim_metrics_add_label(sim_metrics *m, const char *group, const char *name, const char *label,
                             const char *description);
void sim_metrics_add_hist(sim_metrics *m, const char *group, const sim_hist *h,
                          const char *description);
void sim_metrics_add_table(sim_metrics *m, const char *group, const char *name, const char *columns,
                           size_t ncols, double *const *data, const size_t *rows,
                           const char *description);
size_t sim_metrics_table_count(const sim_metrics *m);
const sim_metrics_table *sim_metrics_table_at(const sim_metrics *m, size_t i);

/* Adds an attribute to a group (copied). Registered once per entity; the output layer writes
 * them in registration order. */
void sim_metrics_set_attr_text(sim_metrics *m, const char *group, const char *name,
                               const char *text);
void sim_metrics_set_attr_int(sim_metrics *m, const char *group, const char *name, int64_t number);
size_t sim_metrics_attr_count(const sim_metrics *m);
const sim_metrics_attr *sim_metrics_attr_at(const sim_metrics *m, size_t i);

/* Sets (or replaces) a summary value. Values and labels are found by path (by group and
 * name) through hash indexes: constant time however many entities register them. */
void sim_metrics_set_value(sim_metrics *m, const char *path, double value, const char *unit);

size_t sim_metrics_series_count(const sim_metrics *m);
const sim_metrics_series *sim_metrics_series_at(const sim_metrics *m, size_t i);
size_t sim_metrics_labels_count(const sim_metrics *m);
const sim_metrics_labels *sim_metrics_labels_at(const sim_metrics *m, size_t i);
size_t sim_metrics_hist_count(const sim_metrics *m);
const sim_metrics_hist *sim_metrics_hist_at(const sim_metrics *m, size_t i);
size_t sim_metrics_value_count(const sim_metrics *m);
const sim_metrics_value *sim_metrics_value_at(const sim_metrics *m, size_t i);
/* NULL when absent. */
const sim_metrics_value *sim_metrics_find_value(const sim_metrics *m, const char *path);

#endif
