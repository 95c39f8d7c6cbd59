/* The AWS account's Lambda concurrency (docs/model.md "Functions"), shared by every function of a
 * run.
 *
 * [doc] The account runs at most `limit` invocations at once (platform.lambda.
 * account_concurrency, default 1000). A function with reserved concurrency r may run at most
 * r at once, and those r are set aside for it: the functions without a reservation share the
 * unreserved pool, limit - (sum of the reservations). AWS refuses a reservation that would
 * leave fewer than 100 unreserved; the scenario checks that (an AWS range, a warning under
 * platform.aws_ranges: warn), and the pool here never goes below 0.
 *
 * Invariants: 0 <= unreserved_running <= running <= limit; each function's own count is the
 * function's business (ks_function.concurrent). */
#ifndef KS_ACCOUNT_H
#define KS_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ks_account {
	int64_t limit;              /* account_concurrency */
	int64_t reserved;           /* sum of the functions' reserved_concurrency */
	int64_t running;            /* invocations running now, every function */
	int64_t unreserved_running; /* of those, invocations of functions without a reservation */
} ks_account;

ks_account *ks_account_create(int64_t limit);
void ks_account_destroy(ks_account *a);

/* A function reserves n (its reserved_concurrency) before the run starts. */
void ks_account_reserve(ks_account *a, int64_t n);
/* limit - sum of the reservations, at least 0: what functions without a reservation share. */
int64_t ks_account_unreserved(const ks_account *a);

/* Whether one more invocation may run now, for a function with reservation `reserved` (-1:
 * none) that runs `running` invocations already; takes the slot when it may. */
bool ks_account_acquire(ks_account *a, int64_t reserved, int64_t running);
/* Gives back a slot taken by ks_account_acquire with the same `reserved`. */
void ks_account_release(ks_account *a, int64_t reserved);

#endif
