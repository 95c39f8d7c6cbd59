/* A finished replication as bytes, and back (wire.h). */
#include "cli/wire.h"

#include <errno.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/metrics.h"

/* ---- primitives ----------------------------------------------------------------------------- */

static void put(cli_wire *w, const void *p, size_t len)
{
	sim_grow(&w->data, &w->cap, w->len + len, 1);
	if (len)
		memcpy(w->data + w->len, p, len);
	w->len += len;
}

void cli_wire_u64(cli_wire *w, uint64_t v)
{
	put(w, &v, sizeof v);
}

void cli_wire_bytes(cli_wire *w, const void *p, size_t len)
{
	cli_wire_u64(w, len);
	put(w, p, len);
}

void cli_wire_string(cli_wire *w, const char *s)
{
	cli_wire_u64(w, s ? 1 : 0);
	if (s)
		cli_wire_bytes(w, s, strlen(s));
}

void cli_wire_free(cli_wire *w)
{
	sim_free(w->data);
	*w = (cli_wire){0};
}

static const void *take(cli_wire_reader *r, size_t len)
{
	if (r->bad || len > r->left) {
		r->bad = true;
		return NULL;
	}
	const void *p = r->p;
	r->p += len;
	r->left -= len;
	return p;
}

uint64_t cli_wire_get_u64(cli_wire_reader *r)
{
	uint64_t v = 0;
	const void *p = take(r, sizeof v);
	if (p)
		memcpy(&v, p, sizeof v);
	return v;
}

const void *cli_wire_get_bytes(cli_wire_reader *r, size_t *len)
{
	uint64_t n = cli_wire_get_u64(r);
	const void *p = take(r, n);
	*len = p ? n : 0;
	return p;
}

char *cli_wire_get_string(cli_wire_reader *r)
{
	if (cli_wire_get_u64(r) == 0)
		return NULL;
	size_t len;
	const char *p = cli_wire_get_bytes(r, &len);
	if (!p || memchr(p, '\0', len)) {
		r->bad = true;
		return NULL;
	}
	return sim_strndup(p, len);
}

static void put_double(cli_wire *w, double v)
{
	put(w, &v, sizeof v);
}

static double get_double(cli_wire_reader *r)
{
	double v = 0;
	const void *p = take(r, sizeof v);
	if (p)
		memcpy(&v, p, sizeof v);
	return v;
}

/* A count of things each at least `least` bytes long: more than the bytes left is malformed
 * (and would otherwise allocate without bound). */
static size_t get_count(cli_wire_reader *r, size_t least)
{
	uint64_t n = cli_wire_get_u64(r);
	if (n > r->left / (least ? least : 1)) {
		r->bad = true;
		return 0;
	}
	return (size_t)n;
}

/* ---- a replication -------------------------------------------------------------------------- */

static void put_detail(cli_wire *w, const sim_metrics *m)
{
	cli_wire_u64(w, sim_metrics_labels_count(m));
	for (size_t i = 0; i < sim_metrics_labels_count(m); i++) {
		const sim_metrics_labels *l = sim_metrics_labels_at(m, i);
		cli_wire_string(w, l->group);
		cli_wire_string(w, l->name);
		cli_wire_string(w, l->description);
		cli_wire_u64(w, l->n);
		for (size_t k = 0; k < l->n; k++)
			cli_wire_string(w, l->labels[k]);
	}
	cli_wire_u64(w, sim_metrics_series_count(m));
	for (size_t i = 0; i < sim_metrics_series_count(m); i++) {
		const sim_metrics_series *s = sim_metrics_series_at(m, i);
		cli_wire_string(w, s->group);
		cli_wire_string(w, s->name);
		cli_wire_string(w, s->units);
		cli_wire_string(w, s->description);
		cli_wire_string(w, s->scale);
		size_t rows = sim_series_rows(s->series), cols = sim_series_columns(s->series);
		const double *data = sim_series_data(s->series);
		cli_wire_u64(w, rows);
		cli_wire_u64(w, cols);
		cli_wire_u64(w, data != NULL);
		if (data)
			cli_wire_bytes(w, data, rows * cols * sizeof *data);
	}
	size_t buckets = sim_hist_buckets();
	uint64_t *counts = sim_calloc(buckets, sizeof *counts);
	cli_wire_u64(w, sim_metrics_hist_count(m));
	for (size_t i = 0; i < sim_metrics_hist_count(m); i++) {
		const sim_metrics_hist *h = sim_metrics_hist_at(m, i);
		cli_wire_string(w, h->group);
		cli_wire_string(w, h->description);
		sim_hist_counts(h->hist, counts);
		cli_wire_bytes(w, counts, buckets * sizeof *counts);
	}
	sim_free(counts);
	cli_wire_u64(w, sim_metrics_table_count(m));
	for (size_t i = 0; i < sim_metrics_table_count(m); i++) {
		const sim_metrics_table *t = sim_metrics_table_at(m, i);
		cli_wire_string(w, t->group);
		cli_wire_string(w, t->name);
		cli_wire_string(w, t->description);
		cli_wire_string(w, t->columns);
		cli_wire_u64(w, t->ncols);
		cli_wire_u64(w, *t->rows);
		cli_wire_bytes(w, *t->data, *t->rows * t->ncols * sizeof **t->data);
	}
	cli_wire_u64(w, sim_metrics_attr_count(m));
	for (size_t i = 0; i < sim_metrics_attr_count(m); i++) {
		const sim_metrics_attr *a = sim_metrics_attr_at(m, i);
		cli_wire_string(w, a->group);
		cli_wire_string(w, a->name);
		cli_wire_string(w, a->text); /* NULL: a number */
		cli_wire_u64(w, (uint64_t)a->number);
	}
}

void cli_wire_replication(cli_wire *w, const cli_replication *r, bool values_only)
{
	cli_wire_u64(w, r->index);
	cli_wire_u64(w, (uint64_t)(int64_t)r->run_rc);
	cli_wire_u64(w, (uint64_t)r->reached);
	cli_wire_u64(w, r->events);
	const sim_metrics *m = r->metrics;
	cli_wire_u64(w, sim_metrics_value_count(m));
	for (size_t i = 0; i < sim_metrics_value_count(m); i++) {
		const sim_metrics_value *v = sim_metrics_value_at(m, i);
		cli_wire_string(w, v->path);
		put_double(w, v->value);
		cli_wire_string(w, v->unit);
	}
	cli_wire_u64(w, !values_only);
	if (!values_only)
		put_detail(w, m);
}

/* The strings a metrics entry needs, all present. */
static bool all(char **s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!s[i])
			return false;
	return true;
}

static void free_all(char **s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sim_free(s[i]);
}

static void get_labels(cli_wire_reader *r, sim_metrics *m)
{
	size_t n = get_count(r, 8);
	for (size_t i = 0; i < n && !r->bad; i++) {
		char *s[3] = {cli_wire_get_string(r), cli_wire_get_string(r),
		              cli_wire_get_string(r)};
		size_t count = get_count(r, 8);
		char **labels = sim_calloc(count ? count : 1, sizeof *labels);
		for (size_t k = 0; k < count; k++)
			labels[k] = cli_wire_get_string(r);
		if (!r->bad && all(s, 3) && all(labels, count))
			sim_metrics_set_labels(m, s[0], s[1], (const char *const *)labels, count,
			                       s[2]);
		else
			r->bad = true;
		free_all(labels, count);
		sim_free(labels);
		free_all(s, 3);
	}
}

static void get_series(cli_wire_reader *r, cli_wire_result *res)
{
	res->nseries = get_count(r, 8);
	res->series = sim_calloc(res->nseries ? res->nseries : 1, sizeof *res->series);
	for (size_t i = 0; i < res->nseries && !r->bad; i++) {
		char *s[5]; /* group, name, units, description, scale (NULL: none) */
		for (size_t k = 0; k < 5; k++)
			s[k] = cli_wire_get_string(r);
		size_t rows = (size_t)cli_wire_get_u64(r), cols = (size_t)cli_wire_get_u64(r);
		const void *data = NULL;
		size_t len = 0;
		if (cli_wire_get_u64(r))
			data = cli_wire_get_bytes(r, &len);
		/* data holds rows x columns; a series without data may have any (it allocates
		 * nothing) */
		bool sized = !data || (cols && len / cols / sizeof(double) == rows &&
		                       len == rows * cols * sizeof(double));
		if (!r->bad && sized && all(s, 4)) {
			res->series[i] = sim_series_restore(rows, cols, data);
			sim_metrics_add_series(res->metrics, s[0], s[1], res->series[i], s[2], s[3],
			                       s[4]);
		} else {
			r->bad = true;
		}
		free_all(s, 5);
	}
}

static void get_hists(cli_wire_reader *r, cli_wire_result *res)
{
	size_t buckets = sim_hist_buckets();
	res->nhists = get_count(r, 8);
	res->hists = sim_calloc(res->nhists ? res->nhists : 1, sizeof *res->hists);
	uint64_t *counts = sim_calloc(buckets, sizeof *counts);
	for (size_t i = 0; i < res->nhists && !r->bad; i++) {
		char *s[2] = {cli_wire_get_string(r), cli_wire_get_string(r)};
		size_t len;
		const void *p = cli_wire_get_bytes(r, &len);
		if (!r->bad && all(s, 2) && len == buckets * sizeof *counts) {
			memcpy(counts, p, len);
			res->hists[i] = sim_hist_create();
			sim_hist_load_counts(res->hists[i], counts);
			sim_metrics_add_hist(res->metrics, s[0], res->hists[i], s[1]);
		} else {
			r->bad = true;
		}
		free_all(s, 2);
	}
	sim_free(counts);
}

static void get_tables(cli_wire_reader *r, cli_wire_result *res)
{
	res->ntables = get_count(r, 8);
	size_t n = res->ntables ? res->ntables : 1;
	res->table_data = sim_calloc(n, sizeof *res->table_data);
	res->table_rows = sim_calloc(n, sizeof *res->table_rows);
	for (size_t i = 0; i < res->ntables && !r->bad; i++) {
		char *s[4]; /* group, name, description, columns */
		for (size_t k = 0; k < 4; k++)
			s[k] = cli_wire_get_string(r);
		size_t ncols = (size_t)cli_wire_get_u64(r), rows = (size_t)cli_wire_get_u64(r);
		size_t len;
		const void *p = cli_wire_get_bytes(r, &len);
		bool sized = rows * ncols == 0 ? len == 0
		                               : len / ncols / sizeof(double) == rows &&
		                                         len == rows * ncols * sizeof(double);
		if (!r->bad && sized && all(s, 4)) {
			res->table_data[i] = sim_malloc(len ? len : 1);
			memcpy(res->table_data[i], p, len);
			res->table_rows[i] = rows;
			sim_metrics_add_table(res->metrics, s[0], s[1], s[3], ncols,
			                      &res->table_data[i], &res->table_rows[i], s[2]);
		} else {
			r->bad = true;
		}
		free_all(s, 4);
	}
}

static void get_attrs(cli_wire_reader *r, sim_metrics *m)
{
	size_t n = get_count(r, 8);
	for (size_t i = 0; i < n && !r->bad; i++) {
		char *s[3] = {cli_wire_get_string(r), cli_wire_get_string(r),
		              cli_wire_get_string(r)}; /* group, name, text (NULL: a number) */
		int64_t number = (int64_t)cli_wire_get_u64(r);
		if (r->bad || !all(s, 2))
			r->bad = true;
		else if (s[2])
			sim_metrics_set_attr_text(m, s[0], s[1], s[2]);
		else
			sim_metrics_set_attr_int(m, s[0], s[1], number);
		free_all(s, 3);
	}
}

int cli_wire_get_replication(cli_wire_reader *r, cli_wire_result *out)
{
	cli_wire_result res = {.metrics = sim_metrics_create()};
	res.r.index = (unsigned)cli_wire_get_u64(r);
	res.r.run_rc = (int)(int64_t)cli_wire_get_u64(r);
	res.r.reached = (sim_time)cli_wire_get_u64(r);
	res.r.events = cli_wire_get_u64(r);
	size_t nvalues = get_count(r, 8);
	for (size_t i = 0; i < nvalues && !r->bad; i++) {
		char *path = cli_wire_get_string(r);
		double v = get_double(r);
		char *unit = cli_wire_get_string(r);
		if (!r->bad && path && unit)
			sim_metrics_set_value(res.metrics, path, v, unit);
		else
			r->bad = true;
		sim_free(path);
		sim_free(unit);
	}
	if (cli_wire_get_u64(r) && !r->bad) {
		get_labels(r, res.metrics);
		get_series(r, &res);
		get_hists(r, &res);
		get_tables(r, &res);
		get_attrs(r, res.metrics);
	}
	res.r.metrics = res.metrics;
	if (r->bad) {
		cli_wire_result_free(&res);
		return -EPROTO;
	}
	*out = res;
	return 0;
}

void cli_wire_result_free(cli_wire_result *res)
{
	sim_metrics_destroy(res->metrics);
	for (size_t i = 0; i < res->nseries; i++)
		sim_series_destroy(res->series[i]);
	for (size_t i = 0; i < res->nhists; i++)
		sim_hist_destroy(res->hists[i]);
	for (size_t i = 0; i < res->ntables; i++)
		sim_free(res->table_data[i]);
	sim_free(res->series);
	sim_free(res->hists);
	sim_free(res->table_data);
	sim_free(res->table_rows);
	*res = (cli_wire_result){0};
}
