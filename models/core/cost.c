/* What a run costs (cost.h): price rows, quantities, lines. */
#include "models/core/cost.h"

#include <string.h>

#include "sim/alloc.h"
#include "sim/assert.h"
#include "sim/schema.h"

typedef struct row {
	const char *key;
	double per, price, quantity;
	size_t line;
} row;

struct ks_cost {
	char **lines;
	size_t nlines;
	row *rows;
	size_t nrows, caprows;
};

ks_cost *ks_cost_create(void)
{
	return sim_calloc(1, sizeof(ks_cost));
}

void ks_cost_destroy(ks_cost *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nlines; i++)
		sim_free(c->lines[i]);
	sim_free(c->lines);
	sim_free(c->rows);
	sim_free(c);
}

void ks_cost_add_line(ks_cost *c, const char *line, const ks_price *rows,
                      const sim_yaml_node *prices)
{
	c->lines = sim_reallocarray(c->lines, c->nlines + 1, sizeof *c->lines);
	c->lines[c->nlines] = sim_strdup(line);
	for (const ks_price *p = rows; p && p->key; p++) {
		sim_grow(&c->rows, &c->caprows, c->nrows + 1, sizeof *c->rows);
		c->rows[c->nrows++] = (row){.key = p->key,
		                            .per = p->per,
		                            .price = sim_schema_number(prices, p->key),
		                            .line = c->nlines};
	}
	c->nlines++;
}

double *ks_cost_quantity(ks_cost *c, const char *key)
{
	for (size_t i = 0; i < c->nrows; i++)
		if (strcmp(c->rows[i].key, key) == 0)
			return &c->rows[i].quantity;
	SIM_ASSERT(!"a price key that no component declares");
	return NULL;
}

/* cost.<scope><line> for every line and cost.<scope>total, each USD x factor. */
static void write_lines(const ks_cost *c, sim_metrics *m, const char *scope, const double *usd,
                        double total, double factor)
{
	char *path = sim_asprintf("cost.%stotal", scope);
	sim_metrics_set_value(m, path, total * factor, "USD");
	sim_free(path);
	for (size_t l = 0; l < c->nlines; l++) {
		path = sim_asprintf("cost.%s%s", scope, c->lines[l]);
		sim_metrics_set_value(m, path, usd[l] * factor, "USD");
		sim_free(path);
	}
}

void ks_cost_summarize(const ks_cost *c, sim_metrics *m, double hours)
{
	double *usd = sim_calloc(c->nlines ? c->nlines : 1, sizeof *usd);
	for (size_t i = 0; i < c->nrows; i++) {
		const row *r = &c->rows[i];
		usd[r->line] += r->quantity / r->per * r->price;
	}
	double total = 0;
	for (size_t l = 0; l < c->nlines; l++)
		total += usd[l];
	write_lines(c, m, "", usd, total, 1);
	/* [choice] a month is 730 hours, as AWS's pricing examples count it */
	double per_hour = hours > 0 ? 1 / hours : 0;
	write_lines(c, m, "hourly.", usd, total, per_hour);
	write_lines(c, m, "monthly.", usd, total, per_hour * 730);
	for (size_t i = 0; i < c->nrows; i++) {
		const row *r = &c->rows[i];
		char *path = sim_asprintf("cost.item.%s", r->key);
		sim_metrics_set_value(m, path, r->quantity / r->per * r->price, "USD");
		sim_free(path);
	}
	sim_free(usd);
}
