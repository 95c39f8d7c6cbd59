/* A record's fields: its data as an event filter sees it. Records are data without content
 * (record.h), so a producer declares the fields its records carry, each a categorical value:
 *
 *   fields:
 *     type: {values: [click, view, buy], weights: [70, 25, 5]}
 *
 * A record's value of field i is drawn from its own uniform number 2 + i (sim_crn_uniform of
 * the producer's record seed and the record's index, docs/model.md "Time, events and randomness"),
 * so it is the same for every reader, in every topology, and costs nothing to store. */
#ifndef KS_FIELDS_H
#define KS_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"
#include "sim/yaml.h"

typedef struct ks_field {
	char *name;
	size_t n;       /* values */
	char **text;    /* each value as written */
	double *number; /* each value as a number, or NAN when it is not one */
	double *cum;    /* cumulative weights, normalised: cum[n - 1] == 1 */
} ks_field;

typedef struct ks_fields {
	ks_field *all;
	size_t n;
} ks_fields;

/* A scalar read as a number: NAN when it is not one, or was quoted (a string). What a field's
 * value and a filter's value are compared as. */
double ks_number_of(const sim_yaml_node *n);

/* Checks a producer's `fields` (a map of names to {values, weights}); reports what is wrong. */
void ks_fields_check(const sim_yaml_node *fields, sim_diag *d);
/* Reads checked `fields` (NULL: none) into out. */
void ks_fields_read(const sim_yaml_node *fields, ks_fields *out);
void ks_fields_fini(ks_fields *f);
/* The field named `name`, or NULL. */
const ks_field *ks_fields_find(const ks_fields *f, const char *name);
/* The value (its number in f) that record `index` of the producer with seed crn_seed holds in
 * field number `which` of its producer. */
size_t ks_field_value(const ks_field *f, uint64_t crn_seed, uint64_t index, size_t which);

#endif
