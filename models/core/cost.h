/* What a run costs (docs/model.md "Accounts, sizes and costs"), over the measured period. Each
 * component declares its prices: rows of platform.prices (key, default, the quantity one priced
 * unit stands for) that add up to one cost line (cost.kinesis, cost.lambda, ...). When summarizing,
 * components report the quantities they used, by price key (enhanced fan-out reading is priced by
 * Kinesis but used by Lambda mappings and KCL consumers). A line is the sum over its rows, in row
 * order, of quantity / per x price; cost.total the sum of the lines in registry order. Prices
 * change: they are all in platform.prices, overridable. */
#ifndef KS_COST_H
#define KS_COST_H

#include "sim/metrics.h"
#include "sim/yaml.h"

typedef struct ks_price {
	const char *key; /* platform.prices.<key> */
	const char *def; /* default in USD (us-east-1), as YAML text */
	double per; /* the quantity one priced unit stands for: 1, 1e6 (a million), 2^30 (GB) */
} ks_price;

#define KS_PER_MILLION 1e6
#define KS_PER_GB      1073741824.0 /* AWS prices data per GB of 2^30 bytes */

typedef struct ks_cost ks_cost;

ks_cost *ks_cost_create(void);
void ks_cost_destroy(ks_cost *c); /* NULL: nothing */
/* Adds line `line` with its rows, each priced from prices[row.key] (platform.prices). */
void ks_cost_add_line(ks_cost *c, const char *line, const ks_price *rows,
                      const sim_yaml_node *prices);
/* The accumulator of a priced quantity: components add what they used to it, in the order they
 * summarize (asserts the key exists). */
double *ks_cost_quantity(ks_cost *c, const char *key);
/* Writes, in USD: cost.total and cost.<line> for every line (the measured period, `hours`
 * long); the same per hour (cost.hourly.*) and per month of 730 hours (cost.monthly.*) at the
 * period's average; and cost.item.<price key> for every price row (zero when unused: every run has
 * the same keys). */
void ks_cost_summarize(const ks_cost *c, sim_metrics *m, double hours);

#endif
