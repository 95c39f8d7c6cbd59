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

/* When record seq (at r in the log) is ready to push: its arrival and its own latency draw. */
static inline sim_time ready_of(const ks_efo *e, uint64_t seq, const ks_record *r)
{
	double u = sim_crn_uniform_at(e->crn_base, seq);
	return r->arrival + sim_time_round(sim_qtable_quantile(e->cfg.push_latency, u));
}

/* The same, the last one kept: the record that is not yet due is asked for again by the next
 * take or peek. */
static sim_time ready_at(ks_efo *e, uint64_t seq)
{
	if (seq != e->ready_seq) {
		e->ready_seq = seq;
		e->ready_t = ready_of(e, seq, ks_log_record(e->log, seq));
	}
	return e->ready_t;
}

/* When a record ready at `ready` is delivered, the one before it at `last`. */
static inline sim_time delivery(const ks_efo *e, sim_time ready, sim_time last, double tat_ns)
{
	/* [doc] in shard order, and no faster than the consumer's 2 MiB/s per shard */
	sim_time d = ready > last ? ready : last;
	if (tat_ns > (double)d)
		d = sim_time_ceil(tat_ns);
	return after_renewal(e, d);
}

sim_time ks_efo_next_delivery(ks_efo *e)
{
	uint64_t seq = e->next < e->log->live ? e->log->live : e->next;
	if (seq >= e->log->end)
		return SIM_TIME_MAX;
	return delivery(e, ready_at(e, seq), e->last, e->tat_ns);
}

uint64_t ks_efo_take(ks_efo *e, sim_time now, uint64_t max, sim_time warmup)
{
	if (e->next < e->log->live)
		e->next = e->log->live;
	uint64_t to = e->log->end - e->next > max ? e->next + max : e->log->end;
	/* The log a block at a time, the pacing state in registers. */
	sim_time last = e->last;
	double tat_ns = e->tat_ns, delivered = e->bytes;
	uint64_t q = e->next;
	for (uint64_t n; q < to; q += n) {
		const ks_record *r = ks_log_run(e->log, q, to, &n);
		for (uint64_t k = 0; k < n; k++) {
			sim_time ready =
			        q + k == e->ready_seq ? e->ready_t : ready_of(e, q + k, &r[k]);
			sim_time d = delivery(e, ready, last, tat_ns);
			if (d > now) { /* kept for the next peek */
				e->ready_seq = q + k;
				e->ready_t = ready;
				q += k;
				goto out;
			}
			/* The bytes drain from d on: delivery() made d >= tat_ns (d is at least
			 * ceil(tat_ns) when the pacing holds it back), so max(tat_ns, d) is d, and
			 * the pacing's chain from one record to the next is an add, not a max as
			 * well. */
			tat_ns = (double)d + (double)r[k].bytes / e->cfg.bytes_per_s * 1e9;
			last = d;
			if (d >= warmup)
				delivered += r[k].bytes;
		}
	}
out:
	e->next = q;
	e->last = last;
	e->tat_ns = tat_ns;
	e->bytes = delivered;
	return e->next;
}
