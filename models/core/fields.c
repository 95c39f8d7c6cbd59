/* A record's fields (fields.h). */
#include "models/core/fields.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/rng.h"
#include "sim/schema.h"

double ks_number_of(const sim_yaml_node *n)
{
	if (n->kind != SIM_YAML_SCALAR || n->quoted || !*n->text)
		return NAN;
	char *end;
	double v = strtod(n->text, &end);
	return *end || !isfinite(v) ? NAN : v;
}

void ks_fields_check(const sim_yaml_node *fields, sim_diag *d)
{
	if (!fields)
		return;
	if (fields->kind != SIM_YAML_MAP) {
		sim_schema_error(d, fields,
		                 "fields must be a map of field names to {values, weights}");
		return;
	}
	for (size_t i = 0; i < fields->n; i++) {
		const sim_yaml_node *f = fields->pairs[i].value;
		const sim_yaml_node *values = sim_yaml_get(f, "values");
		const sim_yaml_node *weights = sim_yaml_get(f, "weights");
		if (f->kind != SIM_YAML_MAP || !values || values->kind != SIM_YAML_SEQ ||
		    values->n == 0) {
			sim_schema_error(d, f, "field '%s' needs values: a list of one or more",
			                 fields->pairs[i].key->text);
			sim_diag_hint(d, "e.g. %s: {values: [click, buy], weights: [90, 10]}",
			              fields->pairs[i].key->text);
			continue;
		}
		for (size_t k = 0; k < f->n; k++) {
			const char *key = f->pairs[k].key->text;
			if (strcmp(key, "values") != 0 && strcmp(key, "weights") != 0)
				sim_schema_error(d, f->pairs[k].key,
				                 "unknown key '%s' in field '%s' (values, weights)",
				                 key, fields->pairs[i].key->text);
		}
		for (size_t k = 0; k < values->n; k++)
			if (values->items[k]->kind != SIM_YAML_SCALAR)
				sim_schema_error(d, values->items[k],
				                 "a field's value is a scalar");
		if (!weights)
			continue;
		if (weights->kind != SIM_YAML_SEQ || weights->n != values->n) {
			sim_schema_error(d, weights,
			                 "field '%s' has %zu values, so it needs %zu weights",
			                 fields->pairs[i].key->text, values->n, values->n);
			continue;
		}
		double sum = 0;
		for (size_t k = 0; k < weights->n; k++) {
			double w = ks_number_of(weights->items[k]);
			if (!(w >= 0))
				sim_schema_error(d, weights->items[k],
				                 "a weight is a number >= 0 (got '%s')",
				                 weights->items[k]->kind == SIM_YAML_SCALAR
				                         ? weights->items[k]->text
				                         : "a collection");
			else
				sum += w;
		}
		if (!(sum > 0))
			sim_schema_error(d, weights, "the weights of field '%s' add up to 0",
			                 fields->pairs[i].key->text);
	}
}

void ks_fields_read(const sim_yaml_node *fields, ks_fields *out)
{
	*out = (ks_fields){0};
	if (!fields || fields->kind != SIM_YAML_MAP || fields->n == 0)
		return;
	out->n = fields->n;
	out->all = sim_calloc(out->n, sizeof *out->all);
	for (size_t i = 0; i < out->n; i++) {
		const sim_yaml_node *values = sim_yaml_get(fields->pairs[i].value, "values");
		const sim_yaml_node *weights = sim_yaml_get(fields->pairs[i].value, "weights");
		ks_field *f = &out->all[i];
		f->name = sim_strdup(fields->pairs[i].key->text);
		f->n = values->n;
		f->text = sim_calloc(f->n, sizeof *f->text);
		f->number = sim_calloc(f->n, sizeof *f->number);
		f->cum = sim_calloc(f->n, sizeof *f->cum);
		double sum = 0;
		for (size_t k = 0; k < f->n; k++) {
			f->text[k] = sim_strdup(values->items[k]->text);
			f->number[k] = ks_number_of(values->items[k]);
			sum += weights ? ks_number_of(weights->items[k]) : 1; /* equal by default */
			f->cum[k] = sum;
		}
		for (size_t k = 0; k < f->n; k++)
			f->cum[k] /= sum;
		f->cum[f->n - 1] = 1;
	}
}

void ks_fields_fini(ks_fields *f)
{
	for (size_t i = 0; i < f->n; i++) {
		for (size_t k = 0; k < f->all[i].n; k++)
			sim_free(f->all[i].text[k]);
		sim_free(f->all[i].text);
		sim_free(f->all[i].number);
		sim_free(f->all[i].cum);
		sim_free(f->all[i].name);
	}
	sim_free(f->all);
	*f = (ks_fields){0};
}

const ks_field *ks_fields_find(const ks_fields *f, const char *name)
{
	for (size_t i = 0; f && i < f->n; i++)
		if (strcmp(f->all[i].name, name) == 0)
			return &f->all[i];
	return NULL;
}

size_t ks_field_value(const ks_field *f, uint64_t crn_seed, uint64_t index, size_t which)
{
	/* uniforms 0 and 1 are the record's fate and work (record.h) */
	double u = sim_crn_uniform(crn_seed, index, (uint32_t)(2 + which));
	size_t k = 0;
	while (k + 1 < f->n && u >= f->cum[k])
		k++;
	return k;
}
