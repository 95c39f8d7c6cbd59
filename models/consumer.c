/* PLACEHOLDER until the KCL consumer model lands (being written now): consumers: is refused
 * by the scenario layer, so none is ever created. */
#include "models/consumer.h"

ks_consumer *ks_consumer_create(ks_ctx *ctx, const ks_consumer_config *cfg)
{
	(void)ctx;
	(void)cfg;
	return NULL;
}
void ks_consumer_destroy(ks_consumer *c) { (void)c; }
void ks_consumer_start(ks_consumer *c) { (void)c; }
void ks_consumer_finish(ks_consumer *c, sim_time now) { (void)c; (void)now; }
void ks_consumer_summarize(ks_consumer *c) { (void)c; }
