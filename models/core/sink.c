/* Sending to a destination (sink.h). */
#include "models/core/sink.h"

#include "sim/assert.h"

void ks_sink_record(const ks_sink *s, sim_time t, const ks_record *r)
{
	SIM_ASSERT(s->ops && s->ops->record);
	s->ops->record(s->obj, t, r);
}

void ks_sink_records(const ks_sink *s, sim_time t, const ks_record *r, uint32_t n)
{
	SIM_ASSERT(s->ops);
	if (s->ops->records) {
		s->ops->records(s->obj, t, r, n);
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		ks_sink_record(s, t, &r[i]);
}

void ks_sink_failed_batch(const ks_sink *s, sim_time t, const ks_record *r, uint32_t n)
{
	SIM_ASSERT(s->ops && s->ops->failed_batch);
	s->ops->failed_batch(s->obj, t, r, n);
}
