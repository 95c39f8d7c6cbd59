/* Simulated time conversions and formatting. */
#include "sim/time.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/assert.h"

_Thread_local sim_time sim_assert_now;

double sim_time_to_s(sim_time t)
{
	return (double)t / 1e9;
}

int sim_time_format(char *buf, size_t len, sim_time t)
{
	static const struct {
		sim_time ns;
		const char *name;
	} units[] = {
	        {SIM_DAY, "d"}, {SIM_HOUR, "h"}, {SIM_MIN, "m"}, {SIM_S, "s"},
	        {SIM_MS, "ms"}, {SIM_US, "us"},  {SIM_NS, "ns"},
	};
	if (t == 0)
		return snprintf(buf, len, "0s");
	size_t used = 0;
	int total = 0;
	if (t < 0) {
		total = snprintf(buf, len, "-");
		used = 1;
		t = -t;
	}
	for (size_t i = 0; i < sizeof units / sizeof units[0] && t > 0; i++) {
		if (t < units[i].ns)
			continue;
		sim_time q = t / units[i].ns;
		t -= q * units[i].ns;
		int n = snprintf(used < len ? buf + used : NULL, used < len ? len - used : 0,
		                 "%lld%s", (long long)q, units[i].name);
		used += (size_t)n;
		total += n;
	}
	return total;
}

_Noreturn void sim_assert_fail(const char *expr, const char *file, int line, const char *func)
{
	char now[64];
	sim_time_format(now, sizeof now, sim_assert_now);
	fprintf(stderr, "%s:%d: %s: assertion failed at simulated time %s: %s\n", file, line, func,
	        now, expr);
	fflush(stderr);
	abort();
}
