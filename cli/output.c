/* Writing the HDF5 file: header, one group per replication, the summary across them.
 * Only content goes in (no wall time, host or output path), so the same scenario and seed give
 * the same bytes. */
#include "cli/output.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kinesim_version.h"
#include "sim/alloc.h"

int out_write_header(hid_t at, const ks_scenario *sc, uint64_t seed, unsigned replications,
                     const char *arguments)
{
	int rc = 0;
	rc = rc ? rc : sim_h5_attr_string(at, "format", "kinesim");
	rc = rc ? rc : sim_h5_attr_int(at, "format_version", OUT_FORMAT_VERSION);
	rc = rc ? rc : sim_h5_attr_string(at, "kinesim_version", KINESIM_VERSION);
	rc = rc ? rc : sim_h5_attr_string(at, "scenario_name", sc->name);
	rc = rc ? rc : sim_h5_attr_int(at, "seed", (int64_t)seed);
	rc = rc ? rc : sim_h5_attr_int(at, "replications", replications);
	rc = rc ? rc : sim_h5_attr_string(at, "arguments", arguments);
	if (rc)
		return rc;
	hid_t g = sim_h5_group(at, "scenario");
	if (g < 0)
		return sim_h5_error();
	rc = sim_h5_string_dataset(g, "source", sc->source, "the scenario YAML as given");
	rc = rc ? rc
	        : sim_h5_string_dataset(g, "resolved", sc->resolved,
	                                "the scenario with defaults filled and --set applied");
	H5Gclose(g);
	return rc;
}

/* What an entity group holds, from its folder: "functions/feed-1" is a function. */
static const char *entity_kind(const char *group)
{
	static const char *const kinds[][2] = {
	        {"streams/", "stream"}, {"functions/", "function"}, {"consumers/", "consumer"},
	        {"topics/", "topic"},   {"buses/", "bus"},          {"queues/", "queue"},
	        {"buckets/", "bucket"}, {"firehoses/", "firehose"}, {"producers/", "producer"},
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strncmp(group, kinds[i][0], strlen(kinds[i][0])) == 0)
			return kinds[i][1];
	return NULL;
}

/* The attributes every entity group carries, written the first time the group is met: `kind`,
 * and, when it has series (time_path: the run's time scale), a soft link `time` to the run's
 * time scale, so that a reader of this group alone (xarray.open_dataset(..., group=...)) finds
 * the time values of its dimension. */
static int entity_setup(hid_t g, const char *group, const char *time_path)
{
	const char *kind = entity_kind(group);
	int rc = 0;
	if (kind && H5Aexists(g, "kind") <= 0)
		rc = sim_h5_attr_string(g, "kind", kind);
	if (!rc && time_path && H5Lexists(g, "time", H5P_DEFAULT) <= 0)
		rc = sim_h5_soft_link(g, "time", time_path);
	return rc;
}

/* Series of whole numbers (counts, bytes) are stored as integers; rates, ages and durations as
 * float64. */
static bool whole_numbers(const char *units)
{
	return units && (strcmp(units, "count") == 0 || strcmp(units, "B") == 0);
}

/* The dimension scales of a run's datasets, made as they are first needed (the run's time, a
 * group's shard ids, a histogram's bucket bounds); each REFERENCE_LIST is written once, at the
 * end of the run (scales_write). */
typedef struct scales {
	char **paths; /* under the run */
	sim_h5_scale **scale;
	size_t n, cap, capscale;
} scales;

static sim_h5_scale *scale_at(scales *sc, hid_t run, const char *path)
{
	for (size_t i = 0; i < sc->n; i++)
		if (strcmp(sc->paths[i], path) == 0)
			return sc->scale[i];
	sim_h5_scale *s = sim_h5_scale_create(run, path);
	if (!s)
		return NULL;
	sim_grow(&sc->paths, &sc->cap, sc->n + 1, sizeof *sc->paths);
	sim_grow(&sc->scale, &sc->capscale, sc->n + 1, sizeof *sc->scale);
	sc->paths[sc->n] = sim_strdup(path);
	sc->scale[sc->n++] = s;
	return s;
}

/* Writes every scale's REFERENCE_LIST (unless rc already failed) and frees them; returns rc or
 * the first failure. */
static int scales_write(scales *sc, int rc)
{
	for (size_t i = 0; i < sc->n; i++) {
		rc = rc ? rc : sim_h5_scale_write(sc->scale[i]);
		sim_h5_scale_destroy(sc->scale[i]);
		sim_free(sc->paths[i]);
	}
	sim_free(sc->paths);
	sim_free(sc->scale);
	return rc;
}

/* A series' first `rows` rows (fewer for an interrupted run: its whole intervals), with the
 * run's time scale on dimension 0 and its group's shard scale on dimension 1. */
static int write_series(hid_t run, const sim_metrics_series *s, scales *sc, const char *time_path,
                        size_t rows)
{
	hid_t g = sim_h5_group(run, s->group);
	if (g < 0)
		return sim_h5_error();
	size_t cols = sim_series_columns(s->series);
	if (s->scale && cols == 0) { /* per-shard, no shards (an sns-only function): no data */
		H5Gclose(g);
		return 0;
	}
	sim_h5_scale *dims[2] = {scale_at(sc, run, "time"), NULL};
	if (s->scale) {
		char *path = sim_asprintf("%s/%s", s->group, s->scale);
		dims[1] = scale_at(sc, run, path);
		sim_free(path);
	}
	if (!dims[0] || (s->scale && !dims[1])) {
		H5Gclose(g);
		return sim_h5_error();
	}
	if (rows > sim_series_rows(s->series))
		rows = sim_series_rows(s->series);
	int rc = entity_setup(g, s->group, time_path);
	rc = rc ? rc
	        : (whole_numbers(s->units) ? sim_h5_counts : sim_h5_doubles)(
	                  g, s->name, sim_series_data(s->series), rows, s->scale ? cols : 0,
	                  s->units, s->description, dims);
	H5Gclose(g);
	return rc;
}

static int write_labels(hid_t run, const sim_metrics_labels *l)
{
	hid_t g = sim_h5_group(run, l->group);
	if (g < 0)
		return sim_h5_error();
	int rc = sim_h5_strings(g, l->name, (const char *const *)l->labels, l->n, l->description);
	H5Gclose(g);
	return rc;
}

static int write_hist(hid_t run, const sim_metrics_hist *h)
{
	hid_t g = sim_h5_group(run, h->group);
	if (g < 0)
		return sim_h5_error();
	size_t n = sim_hist_buckets();
	uint64_t *counts = sim_calloc(n, sizeof *counts);
	int64_t *lower = sim_calloc(n, sizeof *lower);
	sim_hist_counts(h->hist, counts);
	for (size_t i = 0; i < n; i++)
		lower[i] = sim_hist_bucket_lower(i);
	/* lower_ns is the coordinate of counts' buckets (netCDF readers need one per dimension). */
	int rc = sim_h5_i64s(g, "lower_ns", lower, n, "ns",
	                     "lower bound of each log-linear bucket (<= 0.4% relative width)");
	sim_h5_scale *bounds = rc ? NULL : sim_h5_scale_create(g, "lower_ns");
	if (!rc && !bounds)
		rc = sim_h5_error();
	rc = rc ? rc : sim_h5_u64s(g, "counts", counts, n, "count", h->description, &bounds);
	rc = rc ? rc : sim_h5_scale_write(bounds);
	sim_h5_scale_destroy(bounds);
	rc = rc ? rc : sim_h5_attr_int(g, "count", (int64_t)sim_hist_count(h->hist));
	sim_free(counts);
	sim_free(lower);
	H5Gclose(g);
	/* A histogram's entity (a firehose has nothing else) gets its kind too. */
	const char *slash = strrchr(h->group, '/');
	if (!rc && slash) {
		char *entity = sim_strndup(h->group, (size_t)(slash - h->group));
		hid_t e = sim_h5_group(run, entity);
		rc = e < 0 ? sim_h5_error() : entity_setup(e, entity, NULL);
		if (e >= 0)
			H5Gclose(e);
		sim_free(entity);
	}
	return rc;
}

static int write_table(hid_t run, const sim_metrics_table *t)
{
	hid_t g = sim_h5_group(run, t->group);
	if (g < 0)
		return sim_h5_error();
	int rc =
	        sim_h5_events(g, t->name, *t->data, *t->rows, t->ncols, t->columns, t->description);
	H5Gclose(g);
	return rc;
}

/* The entity's own attributes (a function's trigger and memory, a stream's shards...). */
static int write_attr(hid_t run, const sim_metrics_attr *a)
{
	hid_t g = sim_h5_group(run, a->group);
	if (g < 0)
		return sim_h5_error();
	int rc = entity_setup(g, a->group, NULL);
	if (!rc)
		rc = a->text ? sim_h5_attr_string(g, a->name, a->text)
		             : sim_h5_attr_int(g, a->name, a->number);
	H5Gclose(g);
	return rc;
}

int out_write_run(hid_t at, const out_run_info *info, const sim_metrics *m)
{
	char name[32];
	snprintf(name, sizeof name, "runs/r%04u", info->replication);
	hid_t run = sim_h5_group(at, name);
	if (run < 0)
		return sim_h5_error();
	int rc = 0;
	rc = rc ? rc : sim_h5_attr_int(run, "replication", info->replication);
	rc = rc ? rc : sim_h5_attr_int(run, "seed", (int64_t)info->seed);
	rc = rc ? rc : sim_h5_attr_double(run, "duration_s", sim_time_to_s(info->duration));
	rc = rc ? rc : sim_h5_attr_double(run, "warmup_s", sim_time_to_s(info->warmup));
	rc = rc ? rc : sim_h5_attr_double(run, "interval_s", sim_time_to_s(info->interval));
	rc = rc ? rc : sim_h5_attr_double(run, "reached_s", sim_time_to_s(info->reached));
	rc = rc ? rc : sim_h5_attr_int(run, "events", (int64_t)info->events);
	rc = rc ? rc : sim_h5_attr_int(run, "complete", info->complete ? 1 : 0);

	/* time: the end of each metrics interval, the last one possibly shorter. An interrupted run
	 * keeps the intervals it finished (every event before their end ran): the rows past the
	 * interrupt would be zeros that look like data. */
	size_t rows = (size_t)((info->duration + info->interval - 1) / info->interval);
	if (!info->complete && (size_t)(info->reached / info->interval) < rows)
		rows = (size_t)(info->reached / info->interval);
	double *time = sim_calloc(rows ? rows : 1, sizeof *time);
	for (size_t i = 0; i < rows; i++) {
		sim_time end = (sim_time)(i + 1) * info->interval;
		time[i] = sim_time_to_s(end < info->duration ? end : info->duration);
	}
	rc = rc ? rc
	        : sim_h5_doubles(run, "time", time, rows, 0, "s",
	                         "end of each metrics interval (intervals are [t, t + interval))",
	                         NULL);
	sim_free(time);

	for (size_t i = 0; !rc && i < sim_metrics_labels_count(m); i++)
		rc = write_labels(run, sim_metrics_labels_at(m, i));
	char *run_path = rc ? NULL : sim_h5_path(run);
	char *time_path = run_path ? sim_asprintf("%s/time", run_path) : NULL;
	if (!rc && !time_path)
		rc = -EIO;
	scales sc = {0};
	for (size_t i = 0; !rc && i < sim_metrics_series_count(m); i++)
		rc = write_series(run, sim_metrics_series_at(m, i), &sc, time_path, rows);
	rc = scales_write(&sc, rc);
	sim_free(time_path);
	sim_free(run_path);
	for (size_t i = 0; !rc && i < sim_metrics_hist_count(m); i++)
		rc = write_hist(run, sim_metrics_hist_at(m, i));
	for (size_t i = 0; !rc && i < sim_metrics_table_count(m); i++)
		rc = write_table(run, sim_metrics_table_at(m, i));
	for (size_t i = 0; !rc && i < sim_metrics_attr_count(m); i++)
		rc = write_attr(run, sim_metrics_attr_at(m, i));

	size_t n = sim_metrics_value_count(m);
	sim_h5_summary_row *srows = sim_calloc(n ? n : 1, sizeof *srows);
	for (size_t i = 0; i < n; i++) {
		const sim_metrics_value *v = sim_metrics_value_at(m, i);
		srows[i] = (sim_h5_summary_row){v->path, v->value, v->unit};
	}
	rc = rc ? rc
	        : sim_h5_summary(run, "summary", srows, n,
	                         "summary metrics of this replication over the measured period");
	sim_free(srows);
	H5Gclose(run);
	return rc;
}

int out_write_summary(hid_t at, const cli_summary_row *rows, size_t n)
{
	sim_h5_stats_row *s = sim_calloc(n ? n : 1, sizeof *s);
	for (size_t i = 0; i < n; i++)
		s[i] = (sim_h5_stats_row){rows[i].path, rows[i].mean, rows[i].stddev,
		                          rows[i].ci95 < 0 ? NAN : rows[i].ci95, rows[i].unit};
	int rc = sim_h5_stats(at, "summary", s, n,
	                      "summary metrics across replications: mean, standard deviation and "
	                      "95% confidence half-width (Student t; NaN with one replication)");
	sim_free(s);
	return rc;
}
