/* The metrics registry: plain arrays in registration order, which is the order the output
 * layer writes. Summary values are found by path, and labels by (group, name), through hash
 * indexes of those arrays (hashmap.h): a scenario of 20,000 streams registers some 200,000
 * values, and a linear search made that minutes. The indexes hold positions, never order. */
#include "sim/metrics.h"

#include <string.h>

#include "sim/alloc.h"
#include "sim/hashmap.h"

struct sim_metrics {
	sim_metrics_series *series;
	size_t nseries, capseries;
	sim_metrics_labels *labels;
	size_t nlabels, caplabels;
	sim_metrics_hist *hists;
	size_t nhists, caphists;
	sim_metrics_value *values;
	size_t nvalues, capvalues;
	sim_metrics_table *tables;
	size_t ntables, captables;
	sim_metrics_attr *attrs;
	size_t nattrs, capattrs;
	sim_hashmap value_index; /* values[] by path */
	sim_hashmap label_index; /* labels[] by (group, name) */
};

static char *dup_or_null(const char *s)
{
	return s ? sim_strdup(s) : NULL;
}

sim_metrics *sim_metrics_create(void)
{
	return sim_calloc(1, sizeof(sim_metrics));
}

static void free_labels(sim_metrics_labels *l)
{
	for (size_t i = 0; i < l->n; i++)
		sim_free(l->labels[i]);
	sim_free(l->labels);
}

void sim_metrics_destroy(sim_metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nseries; i++) {
		sim_metrics_series *s = &m->series[i];
		sim_free(s->group);
		sim_free(s->name);
		sim_free(s->units);
		sim_free(s->description);
		sim_free(s->scale);
	}
	for (size_t i = 0; i < m->nlabels; i++) {
		free_labels(&m->labels[i]);
		sim_free(m->labels[i].group);
		sim_free(m->labels[i].name);
		sim_free(m->labels[i].description);
	}
	for (size_t i = 0; i < m->nhists; i++) {
		sim_free(m->hists[i].group);
		sim_free(m->hists[i].description);
	}
	for (size_t i = 0; i < m->nvalues; i++) {
		sim_free(m->values[i].path);
		sim_free(m->values[i].unit);
	}
	for (size_t i = 0; i < m->ntables; i++) {
		sim_free(m->tables[i].group);
		sim_free(m->tables[i].name);
		sim_free(m->tables[i].description);
		sim_free(m->tables[i].columns);
	}
	sim_free(m->tables);
	for (size_t i = 0; i < m->nattrs; i++) {
		sim_free(m->attrs[i].group);
		sim_free(m->attrs[i].name);
		sim_free(m->attrs[i].text);
	}
	sim_free(m->attrs);
	sim_free(m->series);
	sim_free(m->labels);
	sim_free(m->hists);
	sim_free(m->values);
	sim_hashmap_fini(&m->value_index);
	sim_hashmap_fini(&m->label_index);
	sim_free(m);
}

void sim_metrics_add_series(sim_metrics *m, const char *group, const char *name,
                            const sim_series *s, const char *units, const char *description,
                            const char *scale)
{
	sim_grow(&m->series, &m->capseries, m->nseries + 1, sizeof *m->series);
	m->series[m->nseries++] = (sim_metrics_series){
	        .group = sim_strdup(group),
	        .name = sim_strdup(name),
	        .series = s,
	        .units = sim_strdup(units),
	        .description = sim_strdup(description),
	        .scale = dup_or_null(scale),
	};
}

static uint64_t label_hash(const char *group, const char *name)
{
	return sim_hash_combine(sim_hash_string(group), sim_hash_string(name));
}

/* The labels of (group, name), made (empty) if missing. */
static sim_metrics_labels *labels_of(sim_metrics *m, const char *group, const char *name,
                                     const char *description)
{
	uint64_t h = label_hash(group, name);
	size_t pos = 0, at;
	while ((at = sim_hashmap_next(&m->label_index, h, &pos)) != SIM_HASHMAP_NONE)
		if (strcmp(m->labels[at].group, group) == 0 &&
		    strcmp(m->labels[at].name, name) == 0)
			return &m->labels[at];
	sim_grow(&m->labels, &m->caplabels, m->nlabels + 1, sizeof *m->labels);
	sim_hashmap_add(&m->label_index, h, m->nlabels);
	sim_metrics_labels *l = &m->labels[m->nlabels++];
	*l = (sim_metrics_labels){.group = sim_strdup(group),
	                          .name = sim_strdup(name),
	                          .description = sim_strdup(description)};
	return l;
}

void sim_metrics_set_labels(sim_metrics *m, const char *group, const char *name,
                            const char *const *labels, size_t n, const char *description)
{
	sim_metrics_labels *l = labels_of(m, group, name, description);
	free_labels(l);
	l->labels = NULL;
	l->n = l->cap = 0;
	sim_grow(&l->labels, &l->cap, n ? n : 1, sizeof *l->labels);
	for (size_t i = 0; i < n; i++)
		l->labels[i] = sim_strdup(labels[i]);
	l->n = n;
}

size_t sim_metrics_add_label(sim_metrics *m, const char *group, const char *name, const char *label,
                             const char *description)
{
	sim_metrics_labels *l = labels_of(m, group, name, description);
	sim_grow(&l->labels, &l->cap, l->n + 1, sizeof *l->labels);
	l->labels[l->n] = sim_strdup(label);
	return l->n++;
}

void sim_metrics_add_hist(sim_metrics *m, const char *group, const sim_hist *h,
                          const char *description)
{
	sim_grow(&m->hists, &m->caphists, m->nhists + 1, sizeof *m->hists);
	m->hists[m->nhists++] = (sim_metrics_hist){
	        .group = sim_strdup(group), .hist = h, .description = sim_strdup(description)};
}

void sim_metrics_add_table(sim_metrics *m, const char *group, const char *name, const char *columns,
                           size_t ncols, double *const *data, const size_t *rows,
                           const char *description)
{
	sim_grow(&m->tables, &m->captables, m->ntables + 1, sizeof *m->tables);
	m->tables[m->ntables++] = (sim_metrics_table){
	        .group = sim_strdup(group),
	        .name = sim_strdup(name),
	        .description = sim_strdup(description),
	        .columns = sim_strdup(columns),
	        .ncols = ncols,
	        .data = data,
	        .rows = rows,
	};
}

size_t sim_metrics_table_count(const sim_metrics *m)
{
	return m->ntables;
}

const sim_metrics_table *sim_metrics_table_at(const sim_metrics *m, size_t i)
{
	return &m->tables[i];
}

static size_t value_index(const sim_metrics *m, const char *path, uint64_t h)
{
	size_t pos = 0, i;
	while ((i = sim_hashmap_next(&m->value_index, h, &pos)) != SIM_HASHMAP_NONE)
		if (strcmp(m->values[i].path, path) == 0)
			return i;
	return SIM_HASHMAP_NONE;
}

void sim_metrics_set_value(sim_metrics *m, const char *path, double value, const char *unit)
{
	uint64_t h = sim_hash_string(path);
	size_t i = value_index(m, path, h);
	if (i != SIM_HASHMAP_NONE) {
		m->values[i].value = value;
		sim_free(m->values[i].unit);
		m->values[i].unit = sim_strdup(unit);
		return;
	}
	sim_grow(&m->values, &m->capvalues, m->nvalues + 1, sizeof *m->values);
	sim_hashmap_add(&m->value_index, h, m->nvalues);
	m->values[m->nvalues++] = (sim_metrics_value){
	        .path = sim_strdup(path), .value = value, .unit = sim_strdup(unit)};
}

size_t sim_metrics_series_count(const sim_metrics *m)
{
	return m->nseries;
}
const sim_metrics_series *sim_metrics_series_at(const sim_metrics *m, size_t i)
{
	return &m->series[i];
}
size_t sim_metrics_labels_count(const sim_metrics *m)
{
	return m->nlabels;
}
const sim_metrics_labels *sim_metrics_labels_at(const sim_metrics *m, size_t i)
{
	return &m->labels[i];
}
size_t sim_metrics_hist_count(const sim_metrics *m)
{
	return m->nhists;
}
const sim_metrics_hist *sim_metrics_hist_at(const sim_metrics *m, size_t i)
{
	return &m->hists[i];
}
size_t sim_metrics_value_count(const sim_metrics *m)
{
	return m->nvalues;
}
const sim_metrics_value *sim_metrics_value_at(const sim_metrics *m, size_t i)
{
	return &m->values[i];
}

const sim_metrics_value *sim_metrics_find_value(const sim_metrics *m, const char *path)
{
	size_t i = value_index(m, path, sim_hash_string(path));
	return i == SIM_HASHMAP_NONE ? NULL : &m->values[i];
}

static void add_attr(sim_metrics *m, const char *group, const char *name, const char *text,
                     int64_t number)
{
	sim_grow(&m->attrs, &m->capattrs, m->nattrs + 1, sizeof *m->attrs);
	m->attrs[m->nattrs++] = (sim_metrics_attr){
	        .group = sim_strdup(group),
	        .name = sim_strdup(name),
	        .text = dup_or_null(text),
	        .number = number,
	};
}

void sim_metrics_set_attr_text(sim_metrics *m, const char *group, const char *name,
                               const char *text)
{
	add_attr(m, group, name, text ? text : "", 0);
}

void sim_metrics_set_attr_int(sim_metrics *m, const char *group, const char *name, int64_t number)
{
	add_attr(m, group, name, NULL, number);
}

size_t sim_metrics_attr_count(const sim_metrics *m)
{
	return m->nattrs;
}

const sim_metrics_attr *sim_metrics_attr_at(const sim_metrics *m, size_t i)
{
	return &m->attrs[i];
}
