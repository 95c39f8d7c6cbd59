/* Sending to a destination (sink.h). */
#include "models/core/sink.h"

#include "sim/alloc.h"
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

void ks_sink_hop_record(const ks_sink *s, sim_time t, const ks_record *r)
{
	ks_record hopped = ks_record_hopped(r);
	ks_sink_record(s, t, &hopped);
}

void ks_sink_hop_records(const ks_sink *s, sim_time t, const ks_record *r, uint32_t n)
{
	if (n == 1) {
		ks_sink_hop_record(s, t, r);
		return;
	}
	ks_record *hopped = sim_malloc(n * sizeof *hopped);
	for (uint32_t i = 0; i < n; i++)
		hopped[i] = ks_record_hopped(&r[i]);
	ks_sink_records(s, t, hopped, n);
	sim_free(hopped);
}

void ks_sink_failed_batch(const ks_sink *s, sim_time t, const ks_record *r, uint32_t n)
{
	SIM_ASSERT(s->ops && s->ops->failed_batch);
	s->ops->failed_batch(s->obj, t, r, n);
}
