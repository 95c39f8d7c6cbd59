/* Event filtering of an event source mapping (filter.h). */
#include "models/lambda/filter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/schema.h"

typedef enum { RULE_EQUAL, RULE_PREFIX, RULE_ANYTHING_BUT, RULE_NUMERIC, RULE_EXISTS } rule_kind;

typedef struct rule {
	rule_kind kind;
	char **text; /* EQUAL, PREFIX: one; ANYTHING_BUT: n */
	double *number;
	size_t n;
	double lo, hi; /* NUMERIC: the range, each end open or closed */
	bool lo_closed, hi_closed;
	bool exists; /* EXISTS */
} rule;

typedef struct condition { /* a key of a pattern: any of its rules */
	char *field;       /* a data field, or NULL for the partition key */
	rule *rules;
	size_t n;
} condition;

typedef struct pattern { /* every condition */
	condition *c;
	size_t n;
} pattern;

struct ks_filter {
	pattern *p;
	size_t n;
};

/* Reads {numeric: [op, n, (op, n)]}; false when it is not one. */
static bool read_numeric(const sim_yaml_node *list, rule *r)
{
	r->lo = -INFINITY;
	r->hi = INFINITY;
	r->lo_closed = r->hi_closed = false;
	if (list->kind != SIM_YAML_SEQ || (list->n != 2 && list->n != 4))
		return false;
	for (size_t i = 0; i < list->n; i += 2) {
		const sim_yaml_node *op = list->items[i];
		double v = ks_number_of(list->items[i + 1]);
		if (op->kind != SIM_YAML_SCALAR || isnan(v))
			return false;
		if (strcmp(op->text, "=") == 0) {
			r->lo = r->hi = v;
			r->lo_closed = r->hi_closed = true;
		} else if (strcmp(op->text, ">") == 0 || strcmp(op->text, ">=") == 0) {
			r->lo = v;
			r->lo_closed = op->text[1] == '=';
		} else if (strcmp(op->text, "<") == 0 || strcmp(op->text, "<=") == 0) {
			r->hi = v;
			r->hi_closed = op->text[1] == '=';
		} else {
			return false;
		}
	}
	return true;
}

static void add_value(rule *r, const sim_yaml_node *v)
{
	r->text = sim_reallocarray(r->text, r->n + 1, sizeof *r->text);
	r->number = sim_reallocarray(r->number, r->n + 1, sizeof *r->number);
	r->text[r->n] = sim_strdup(v->text);
	r->number[r->n++] = ks_number_of(v);
}

/* One rule of a key's list; false (reported) when it is not one. */
static bool read_rule(const sim_yaml_node *n, rule *r, sim_diag *d)
{
	*r = (rule){.kind = RULE_EQUAL};
	if (n->kind == SIM_YAML_SCALAR) {
		add_value(r, n);
		return true;
	}
	if (n->kind != SIM_YAML_MAP || n->n != 1)
		goto bad;
	const char *op = n->pairs[0].key->text;
	const sim_yaml_node *v = n->pairs[0].value;
	if (strcmp(op, "prefix") == 0 && v->kind == SIM_YAML_SCALAR) {
		r->kind = RULE_PREFIX;
		add_value(r, v);
		return true;
	}
	if (strcmp(op, "anything-but") == 0) {
		r->kind = RULE_ANYTHING_BUT;
		if (v->kind == SIM_YAML_SCALAR) {
			add_value(r, v);
			return true;
		}
		if (v->kind != SIM_YAML_SEQ)
			goto bad;
		for (size_t i = 0; i < v->n; i++) {
			if (v->items[i]->kind != SIM_YAML_SCALAR)
				goto bad;
			add_value(r, v->items[i]);
		}
		return true;
	}
	if (strcmp(op, "numeric") == 0) {
		r->kind = RULE_NUMERIC;
		if (read_numeric(v, r))
			return true;
		if (d) {
			sim_schema_error(d, v,
			                 "numeric takes [op, number] or [op, number, op, number]");
			sim_diag_hint(d,
			              "the ops are <, <=, =, >=, >; e.g. numeric: [\">=\", 100]");
		}
		return false;
	}
	if (strcmp(op, "exists") == 0 && v->kind == SIM_YAML_SCALAR &&
	    (strcmp(v->text, "true") == 0 || strcmp(v->text, "false") == 0)) {
		r->kind = RULE_EXISTS;
		r->exists = strcmp(v->text, "true") == 0;
		return true;
	}
bad:
	if (d) {
		sim_schema_error(d, n, "not a filter rule");
		sim_diag_hint(d,
		              "a value, {prefix: s}, {anything-but: [..]}, {numeric: [op, n]} or "
		              "{exists: true}");
	}
	return false;
}

/* A key's list of rules. */
static bool read_condition(const sim_yaml_node *list, condition *c, sim_diag *d)
{
	if (list->kind != SIM_YAML_SEQ || list->n == 0) {
		if (d) {
			sim_schema_error(d, list, "a filter key takes a list of rules");
			sim_diag_hint(d, "e.g. type: [buy] (a value alone is written in a list)");
		}
		return false;
	}
	c->rules = sim_calloc(list->n, sizeof *c->rules);
	bool ok = true;
	for (size_t i = 0; i < list->n; i++) {
		ok = read_rule(list->items[i], &c->rules[c->n], d) && ok;
		c->n++;
	}
	return ok;
}

static void add_condition(pattern *p, const char *field)
{
	p->c = sim_reallocarray(p->c, p->n + 1, sizeof *p->c);
	p->c[p->n++] = (condition){.field = field ? sim_strdup(field) : NULL};
}

static bool read_pattern(const sim_yaml_node *n, pattern *p, sim_diag *d)
{
	if (n->kind != SIM_YAML_MAP || n->n == 0) {
		if (d)
			sim_schema_error(d, n,
			                 "a filter pattern is a map of data and partitionKey");
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < n->n; i++) {
		const char *key = n->pairs[i].key->text;
		const sim_yaml_node *v = n->pairs[i].value;
		if (strcmp(key, "partitionKey") == 0) {
			add_condition(p, NULL);
			ok = read_condition(v, &p->c[p->n - 1], d) && ok;
		} else if (strcmp(key, "data") == 0 && v->kind == SIM_YAML_MAP && v->n > 0) {
			for (size_t k = 0; k < v->n; k++) {
				add_condition(p, v->pairs[k].key->text);
				ok = read_condition(v->pairs[k].value, &p->c[p->n - 1], d) && ok;
			}
		} else {
			if (d) {
				sim_schema_error(
				        d, n->pairs[i].key,
				        "a filter pattern matches data (a map of fields) or "
				        "partitionKey (got '%s')",
				        key);
				sim_diag_hint(d, "e.g. - data: {type: [buy]}");
			}
			ok = false;
		}
	}
	return ok;
}

ks_filter *ks_filter_read(const sim_yaml_node *criteria, sim_diag *d)
{
	if (!criteria)
		return NULL;
	ks_filter *f = sim_calloc(1, sizeof *f);
	bool ok = criteria->kind == SIM_YAML_SEQ && criteria->n > 0 && criteria->n <= 5;
	if (!ok && d) {
		sim_schema_error(d, criteria, "filter_criteria takes a list of 1 to 5 patterns");
		sim_diag_hint(d,
		              "[doc] a mapping has at most 5 filters; e.g. - data: {type: [buy]}");
	}
	if (ok) {
		f->p = sim_calloc(criteria->n, sizeof *f->p);
		for (size_t i = 0; i < criteria->n; i++) {
			ok = read_pattern(criteria->items[i], &f->p[f->n], d) && ok;
			f->n++;
		}
	}
	if (!ok) {
		ks_filter_destroy(f);
		return NULL;
	}
	return f;
}

void ks_filter_destroy(ks_filter *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		for (size_t k = 0; k < f->p[i].n; k++) {
			condition *c = &f->p[i].c[k];
			for (size_t j = 0; j < c->n; j++) {
				for (size_t v = 0; v < c->rules[j].n; v++)
					sim_free(c->rules[j].text[v]);
				sim_free(c->rules[j].text);
				sim_free(c->rules[j].number);
			}
			sim_free(c->rules);
			sim_free(c->field);
		}
		sim_free(f->p[i].c);
	}
	sim_free(f->p);
	sim_free(f);
}

/* ---- matching ---------------------------------------------------------------------------- */

static bool equal(const char *text, double number, const char *want, double want_number)
{
	if (!isnan(number) && !isnan(want_number))
		return number == want_number;
	return strcmp(text, want) == 0;
}

/* Whether the value (text, number; text NULL: the key does not exist) satisfies rule r. */
static bool rule_holds(const rule *r, const char *text, double number)
{
	if (r->kind == RULE_EXISTS)
		return r->exists == (text != NULL);
	if (!text)
		return false;
	switch (r->kind) {
	case RULE_EQUAL: return equal(text, number, r->text[0], r->number[0]);
	case RULE_PREFIX: return strncmp(text, r->text[0], strlen(r->text[0])) == 0;
	case RULE_ANYTHING_BUT:
		for (size_t i = 0; i < r->n; i++)
			if (equal(text, number, r->text[i], r->number[i]))
				return false;
		return true;
	case RULE_NUMERIC:
		if (isnan(number))
			return false;
		return (number > r->lo || (r->lo_closed && number == r->lo)) &&
		       (number < r->hi || (r->hi_closed && number == r->hi));
	case RULE_EXISTS: break;
	}
	return false;
}

static bool condition_holds(const condition *c, const ks_record *r, const ks_ctx *ctx)
{
	const char *text = NULL;
	double number = NAN;
	char key[13];
	uint32_t producer = ks_record_producer(r);
	const ks_fields *fields = ctx->fields ? &ctx->fields[producer] : NULL;
	if (!c->field) { /* the partition key: k<n>, or "hot" past the regular ones (producer.c) */
		uint32_t count = ctx->key_counts ? ctx->key_counts[producer] : UINT32_MAX;
		key[ks_record_key_text(key, ks_record_key(r), count)] = '\0';
		text = key;
	} else if (fields) {
		const ks_field *f = ks_fields_find(fields, c->field);
		if (f) {
			size_t v = ks_field_value(f, ctx->crn_seeds[producer], ks_record_index(r),
			                          (size_t)(f - fields->all));
			text = f->text[v];
			number = f->number[v];
		}
	}
	for (size_t i = 0; i < c->n; i++)
		if (rule_holds(&c->rules[i], text, number))
			return true;
	return false;
}

bool ks_filter_match(const ks_filter *f, const ks_record *r, const ks_ctx *ctx)
{
	for (size_t i = 0; i < f->n; i++) {
		const pattern *p = &f->p[i];
		size_t k = 0;
		while (k < p->n && condition_holds(&p->c[k], r, ctx))
			k++;
		if (k == p->n)
			return true;
	}
	return false;
}
