/* Simulated time: a signed count of nanoseconds since the start of the run.
 *
 * Integer time makes event order exact and runs reproducible: no rounding ever decides which
 * of two events comes first. int64 nanoseconds cover +/- 292 years, far beyond any scenario. */
#ifndef SIM_TIME_H
#define SIM_TIME_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t sim_time;

#define SIM_NS       ((sim_time)1)
#define SIM_US       ((sim_time)1000)
#define SIM_MS       ((sim_time)1000000)
#define SIM_S        ((sim_time)1000000000)
#define SIM_MIN      (60 * SIM_S)
#define SIM_HOUR     (3600 * SIM_S)
#define SIM_DAY      (86400 * SIM_S)
#define SIM_TIME_MAX INT64_MAX

/* The first whole nanosecond at or after ns (|ns| < 2^63; truncation is the ceil below 0),
 * without libm's ceil: the producers and enhanced fan-out take one per record. */
static inline sim_time sim_time_ceil(double ns)
{
	sim_time t = (sim_time)ns;
	return t + ((double)t < ns);
}

/* The nearest whole nanosecond to ns >= 0, halves up; 0 for ns <= 0 (or NaN): llround(fmax(0,
 * ns)) without the two libm calls, a sampled duration's rounding (sim_dist_sample_ns). ns + 0.5
 * is exact below 2^52 except just under a power of two, so its truncation is llround's. */
static inline sim_time sim_time_round(double ns)
{
	return ns > 0 ? (sim_time)(ns + 0.5) : 0;
}

/* Seconds as a double, for output and statistics. */
double sim_time_to_s(sim_time t);

/* Writes t in the shortest compound form that reads it back exactly with the units parser
 * ("0s", "250ms", "1m30s", "1h", "1us500ns"). Returns what snprintf returns. */
int sim_time_format(char *buf, size_t len, sim_time t);

#endif
