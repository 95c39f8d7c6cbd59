/* Enhanced fan-out delivery times (see efo.h). */
#include "models/kinesis/efo.h"

#include "sim/rng.h"

void ks_efo_init(ks_efo *e, const ks_efo_config *cfg, const ks_log *log, uint64_t seed,
                 uint64_t start)
{
	sim_qtable_build(cfg->push_latency);
	*e = (ks_efo){.cfg = *cfg,
	              .log = log,
	              .crn_base = sim_crn_base(seed, 0),
	              .next = start,
	              .last = 0,
	              .ready_seq = UINT64_MAX};
}

/* [doc] a subscription lasts 5 minutes and is renewed; [choice: efo_renewal_gap] deliveries in
 * [k P, k P + gap) wait for the renewed subscription. */
static sim_time after_renewal(const ks_efo *e, sim_time t)
{
	if (e->cfg.renewal_gap <= 0 || e->cfg.renewal_period <= 0)
		return t;
	sim_time into = t % e->cfg.renewal_period;
	return into < e->cfg.renewal_gap ? t - into + e->cfg.renewal_gap : t;
}

/* When record seq is ready to push: its arrival and its own latency draw. The last one is kept:
 * the record that is not yet due is asked for again by the next take or peek. */
static sim_time ready_at(ks_efo *e, uint64_t seq)
{
	if (seq == e->ready_seq)
		return e->ready_t;
	const ks_record *r = ks_log_record(e->log, seq);
	double u = sim_crn_uniform_at(e->crn_base, seq);
	/* rounded to the nearest ns: x + 0.5 truncated is llround for x >= 0, without the call */
	double latency = sim_qtable_quantile(e->cfg.push_latency, u);
	latency = latency > 0 ? latency : 0; /* fmax without the libm call: no NaN here */
	e->ready_seq = seq;
	e->ready_t = r->arrival + (sim_time)(latency + 0.5);
	return e->ready_t;
}

static sim_time delivery(ks_efo *e, uint64_t seq, sim_time last, double tat_ns)
{
	sim_time ready = ready_at(e, seq);
	/* [doc] in shard order, and no faster than the consumer's 2 MiB/s per shard */
	sim_time d = ready > last ? ready : last;
	if (tat_ns > (double)d) { /* ceil without the libm call (truncation is ceil below 0) */
		d = (sim_time)tat_ns;
		d += (double)d < tat_ns;
	}
	return after_renewal(e, d);
}

sim_time ks_efo_next_delivery(ks_efo *e)
{
	uint64_t seq = e->next < e->log->live ? e->log->live : e->next;
	if (seq >= e->log->end)
		return SIM_TIME_MAX;
	return delivery(e, seq, e->last, e->tat_ns);
}

uint64_t ks_efo_take(ks_efo *e, sim_time now, uint64_t max, sim_time warmup)
{
	if (e->next < e->log->live)
		e->next = e->log->live;
	uint64_t taken = 0;
	while (e->next < e->log->end && taken < max) {
		sim_time d = delivery(e, e->next, e->last, e->tat_ns);
		if (d > now)
			break;
		uint32_t bytes = ks_log_record(e->log, e->next)->bytes;
		double drained = e->tat_ns > (double)d ? e->tat_ns : (double)d;
		e->tat_ns = drained + (double)bytes / e->cfg.bytes_per_s * 1e9;
		e->last = d;
		if (d >= warmup)
			e->bytes += bytes;
		e->next++;
		taken++;
	}
	return e->next;
}
