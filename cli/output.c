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

/* What writing one run keeps at hand: its groups, each opened (or made) once, and the
 * dimension scales of its datasets, each made when first needed (the run's time, a group's shard
 * ids); the scales' REFERENCE_LISTs are written once, at the end (run_close). A run of a few
 * functions writes some 150 datasets into some 15 groups: opening the group again for each
 * dataset cost 7% of a short run. */
typedef struct run_writer {
	hid_t run;
	const char *time_path; /* the run's time scale, for the groups' `time` links */
	struct group {
		char *path; /* under the run */
		hid_t id;
		bool kind_done, time_done;
	} * groups;
	size_t ngroups, capgroups;
	struct scale {
		char *path;
		sim_h5_scale *scale;
	} * scales;
	size_t nscales, capscales;
	char *lower_ns; /* the first histogram's buckets, under the run: the others copy them */
} run_writer;

static struct group *group_at(run_writer *w, const char *path)
{
	for (size_t i = 0; i < w->ngroups; i++)
		if (strcmp(w->groups[i].path, path) == 0)
			return &w->groups[i];
	hid_t id = sim_h5_group(w->run, path);
	if (id < 0)
		return NULL;
	sim_grow(&w->groups, &w->capgroups, w->ngroups + 1, sizeof *w->groups);
	w->groups[w->ngroups] = (struct group){.path = sim_strdup(path), .id = id};
	return &w->groups[w->ngroups++];
}

/* The attributes every entity group carries, written the first time the group is met: `kind`,
 * and, when it has series (with_time), a soft link `time` to the run's time scale, so that a
 * reader of this group alone (xarray.open_dataset(..., group=...)) finds the time values of its
 * dimension. */
static int entity_setup(run_writer *w, struct group *g, bool with_time)
{
	const char *kind = entity_kind(g->path);
	int rc = 0;
	if (kind && !g->kind_done)
		rc = sim_h5_attr_string(g->id, "kind", kind);
	g->kind_done = true;
	if (!rc && with_time && !g->time_done)
		rc = sim_h5_soft_link(g->id, "time", w->time_path);
	g->time_done = g->time_done || with_time;
	return rc;
}

static sim_h5_scale *scale_at(run_writer *w, const char *path)
{
	for (size_t i = 0; i < w->nscales; i++)
		if (strcmp(w->scales[i].path, path) == 0)
			return w->scales[i].scale;
	sim_h5_scale *s = sim_h5_scale_create(w->run, path);
	if (!s)
		return NULL;
	sim_grow(&w->scales, &w->capscales, w->nscales + 1, sizeof *w->scales);
	w->scales[w->nscales++] = (struct scale){.path = sim_strdup(path), .scale = s};
	return s;
}

/* Writes every scale's REFERENCE_LIST (unless rc already failed), closes the groups and frees
 * the writer; returns rc or the first failure. */
static int run_close(run_writer *w, int rc)
{
	for (size_t i = 0; i < w->nscales; i++) {
		rc = rc ? rc : sim_h5_scale_write(w->scales[i].scale);
		sim_h5_scale_destroy(w->scales[i].scale);
		sim_free(w->scales[i].path);
	}
	for (size_t i = 0; i < w->ngroups; i++) {
		H5Gclose(w->groups[i].id);
		sim_free(w->groups[i].path);
	}
	sim_free(w->scales);
	sim_free(w->groups);
	sim_free(w->lower_ns);
	return rc;
}

/* Series of whole numbers (counts, bytes) are stored as integers; rates, ages and durations as
 * float64. */
static bool whole_numbers(const char *units)
{
	return units && (strcmp(units, "count") == 0 || strcmp(units, "B") == 0);
}

/* A series' first `rows` rows (fewer for an interrupted run: its whole intervals), with the
 * run's time scale on dimension 0 and its group's shard scale on dimension 1. */
static int write_series(run_writer *w, const sim_metrics_series *s, size_t rows)
{
	struct group *g = group_at(w, s->group);
	if (!g)
		return sim_h5_error();
	size_t cols = sim_series_columns(s->series);
	if (s->scale && cols == 0) /* per-shard, no shards (an sns-only function): no data */
		return 0;
	sim_h5_scale *dims[2] = {scale_at(w, "time"), NULL};
	if (s->scale) {
		char *path = sim_asprintf("%s/%s", s->group, s->scale);
		dims[1] = scale_at(w, path);
		sim_free(path);
	}
	if (!dims[0] || (s->scale && !dims[1]))
		return sim_h5_error();
	if (rows > sim_series_rows(s->series))
		rows = sim_series_rows(s->series);
	int rc = entity_setup(w, g, true);
	return rc ? rc
	          : (whole_numbers(s->units) ? sim_h5_counts : sim_h5_doubles)(
	                    g->id, s->name, sim_series_data(s->series), rows, s->scale ? cols : 0,
	                    s->units, s->description, dims);
}

static int write_labels(run_writer *w, const sim_metrics_labels *l)
{
	struct group *g = group_at(w, l->group);
	return g ? sim_h5_strings(g->id, l->name, (const char *const *)l->labels, l->n,
	                          l->description)
	         : sim_h5_error();
}

#define LOWER_NS "lower bound of each log-linear bucket (<= 0.4% relative width)"

static int write_hist(run_writer *w, const sim_metrics_hist *h)
{
	struct group *g = group_at(w, h->group);
	if (!g)
		return sim_h5_error();
	size_t n = sim_hist_buckets();
	uint64_t *counts = sim_calloc(n, sizeof *counts);
	sim_hist_counts(h->hist, counts);
	/* lower_ns is the coordinate of counts' buckets (netCDF readers need one per dimension),
	 * the same for every histogram: written for the run's first, copied for the others. */
	int rc;
	if (w->lower_ns) {
		rc = sim_h5_copy_data(w->run, w->lower_ns, g->id, "lower_ns", "ns", LOWER_NS);
	} else {
		int64_t *lower = sim_calloc(n, sizeof *lower);
		for (size_t i = 0; i < n; i++)
			lower[i] = sim_hist_bucket_lower(i);
		rc = sim_h5_i64s(g->id, "lower_ns", lower, n, "ns", LOWER_NS);
		sim_free(lower);
		if (!rc)
			w->lower_ns = sim_asprintf("%s/lower_ns", h->group);
	}
	sim_h5_scale *bounds = rc ? NULL : sim_h5_scale_create(g->id, "lower_ns");
	if (!rc && !bounds)
		rc = sim_h5_error();
	rc = rc ? rc : sim_h5_u64s(g->id, "counts", counts, n, "count", h->description, &bounds);
	rc = rc ? rc : sim_h5_scale_write(bounds);
	sim_h5_scale_destroy(bounds);
	rc = rc ? rc : sim_h5_attr_int(g->id, "count", (int64_t)sim_hist_count(h->hist));
	sim_free(counts);
	/* A histogram's entity (a firehose has nothing else) gets its kind too. */
	const char *slash = strrchr(h->group, '/');
	if (!rc && slash) {
		char *entity = sim_strndup(h->group, (size_t)(slash - h->group));
		struct group *e = group_at(w, entity);
		rc = e ? entity_setup(w, e, false) : sim_h5_error();
		sim_free(entity);
	}
	return rc;
}

static int write_table(run_writer *w, const sim_metrics_table *t)
{
	struct group *g = group_at(w, t->group);
	return g ? sim_h5_events(g->id, t->name, *t->data, *t->rows, t->ncols, t->columns,
	                         t->description)
	         : sim_h5_error();
}

/* The entity's own attributes (a function's trigger and memory, a stream's shards...). */
static int write_attr(run_writer *w, const sim_metrics_attr *a)
{
	struct group *g = group_at(w, a->group);
	if (!g)
		return sim_h5_error();
	int rc = entity_setup(w, g, false);
	if (!rc)
		rc = a->text ? sim_h5_attr_string(g->id, a->name, a->text)
		             : sim_h5_attr_int(g->id, a->name, a->number);
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

	char *run_path = rc ? NULL : sim_h5_path(run);
	char *time_path = run_path ? sim_asprintf("%s/time", run_path) : NULL;
	if (!rc && !time_path)
		rc = -EIO;
	run_writer w = {.run = run, .time_path = time_path};
	for (size_t i = 0; !rc && i < sim_metrics_labels_count(m); i++)
		rc = write_labels(&w, sim_metrics_labels_at(m, i));
	for (size_t i = 0; !rc && i < sim_metrics_series_count(m); i++)
		rc = write_series(&w, sim_metrics_series_at(m, i), rows);
	for (size_t i = 0; !rc && i < sim_metrics_hist_count(m); i++)
		rc = write_hist(&w, sim_metrics_hist_at(m, i));
	for (size_t i = 0; !rc && i < sim_metrics_table_count(m); i++)
		rc = write_table(&w, sim_metrics_table_at(m, i));
	for (size_t i = 0; !rc && i < sim_metrics_attr_count(m); i++)
		rc = write_attr(&w, sim_metrics_attr_at(m, i));
	rc = run_close(&w, rc);
	sim_free(time_path);
	sim_free(run_path);

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
