/* Event filtering of an event source mapping [doc: Lambda event filtering]: `filter_criteria`,
 * a list of patterns; a record is invoked when it matches any of them, and is otherwise read
 * but left out (FilteredOutEventCount). A pattern is Lambda's JSON pattern written in YAML,
 * on the record's `data` (its fields, core/fields.h) and its `partitionKey`:
 *
 *   filter_criteria:
 *     - data: {type: [buy, refund]}                  # any of these values
 *     - data: {amount: [{numeric: [">=", 100]}]}     # numeric: [op, n] or [op, n, op, n]
 *     - partitionKey: [{prefix: k1}]
 *
 * Within a pattern every key must match (and); within a key's list any rule may (or). Rules:
 * a value (equal; numbers compare as numbers), {prefix: s}, {anything-but: value or list},
 * {numeric: [...]} with <, <=, =, >=, >, and {exists: true | false}. A field the record's
 * producer does not declare does not exist. */
#ifndef KS_FILTER_H
#define KS_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "models/core/context.h"
#include "models/core/fields.h"
#include "models/core/record.h"
#include "sim/diag.h"
#include "sim/yaml.h"

typedef struct ks_filter ks_filter;

/* Reads filter_criteria; NULL (and what is wrong in d) when it is not a valid one. With d NULL
 * it must be valid (it was checked). */
ks_filter *ks_filter_read(const sim_yaml_node *criteria, sim_diag *d);
void ks_filter_destroy(ks_filter *f); /* NULL: nothing */

/* Whether record r matches (its producer's fields and keys are the context's). */
bool ks_filter_match(const ks_filter *f, const ks_record *r, const ks_ctx *ctx);

#endif
