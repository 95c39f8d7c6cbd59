/* Parsing of dimensioned values (docs/scenario.md "Units").
 *
 *   duration  number + ns us ms s m min h d, compound allowed: "250ms", "1.5s", "1m30s"
 *   size      number + B, KB MB GB (10^3), KiB MiB GiB (2^10); binary_mb reads KB/MB/GB as
 *             KiB/MiB/GiB
 *   rate      count or size per duration: "1000/s", "60/m", "2MiB/s", "1e3/s"
 *   fraction  number in [0,1] or percent in [0%,100%]
 *   count     integer
 *
 * Unit names are case-sensitive; one space between number and unit is allowed; numbers may use
 * an exponent. Only "0" may be bare where a unit is needed.
 *
 * On error a parser returns -EINVAL (or -ERANGE) and writes into err a phrase meant to follow
 * the name of the key, e.g. "needs a unit, e.g. '10/s' (got '10')" so that the caller prints
 * "rate needs a unit, e.g. '10/s' (got '10')". Out-parameters are written only on success. */
#ifndef SIM_UNITS_H
#define SIM_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/time.h"

typedef struct sim_rate {
	double per_s;  /* records (or bytes) per second */
	bool is_bytes; /* a size per duration */
} sim_rate;

int sim_parse_duration(const char *text, sim_time *out, char *err, size_t errlen);
int sim_parse_size(const char *text, bool binary_mb, double *bytes, char *err, size_t errlen);
int sim_parse_rate(const char *text, sim_rate *out, char *err, size_t errlen);
int sim_parse_fraction(const char *text, double *out, char *err, size_t errlen);
int sim_parse_count(const char *text, int64_t *out, char *err, size_t errlen);

#endif
