/* The account's concurrency: the reserved pools and the unreserved one (account.h). */
#include "models/lambda/account.h"

#include "sim/alloc.h"
#include "sim/assert.h"

ks_account *ks_account_create(int64_t limit)
{
	ks_account *a = sim_calloc(1, sizeof *a);
	a->limit = limit;
	return a;
}

void ks_account_destroy(ks_account *a)
{
	sim_free(a);
}

void ks_account_reserve(ks_account *a, int64_t n)
{
	SIM_ASSERT(n >= 0);
	a->reserved += n;
}

int64_t ks_account_unreserved(const ks_account *a)
{
	return a->limit > a->reserved ? a->limit - a->reserved : 0;
}

bool ks_account_acquire(ks_account *a, int64_t reserved, int64_t running)
{
	/* [doc] a reservation is both a guarantee and a cap: the function draws on its own
	 * pool only. The account total is checked too, which matters only when the reservations
	 * overbook the account (allowed under aws_ranges: warn). */
	if (a->running >= a->limit)
		return false;
	if (reserved >= 0) {
		if (running >= reserved)
			return false;
	} else {
		if (a->unreserved_running >= ks_account_unreserved(a))
			return false;
		a->unreserved_running++;
	}
	a->running++;
	return true;
}

void ks_account_release(ks_account *a, int64_t reserved)
{
	SIM_ASSERT(a->running > 0);
	a->running--;
	if (reserved < 0) {
		SIM_ASSERT(a->unreserved_running > 0);
		a->unreserved_running--;
	}
}
