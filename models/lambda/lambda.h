/* The Lambda component (core/component.h): `functions:` (functions.c), and what tests and
 * traces may ask of a model's functions. */
#ifndef KS_LAMBDA_H
#define KS_LAMBDA_H

#include "models/core/component.h"
#include "models/lambda/function.h"

extern const ks_component ks_functions_component;

/* What on_failure and forward_to may name [doc]: SQS queues, SNS topics, S3 buckets. */
#define KS_DESTINATIONS "queues topics buckets"

/* Calls fn for every batch any function finishes (traces; tests of order). */
void ks_functions_observe(ks_model *m, ks_batch_observer fn, void *ctx);
/* The function copy named, its async queue, and the account; NULL when there is none. */
ks_function *ks_functions_find(ks_model *m, const char *name);
struct ks_async *ks_functions_async(ks_model *m, const char *name);
struct ks_account *ks_functions_account(ks_model *m);

#endif
