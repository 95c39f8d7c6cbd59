/* Parsing of dimensioned values: durations, sizes, rates, fractions and counts (docs/scenario.md
 * "Units").
 *
 * The grammar is small and strict so that a typo is an error rather than a surprise:
 *
 *   number    digits [. digits] | . digits, then optionally e|E [+|-] digits (no sign in front,
 *             no hex, no inf/nan: strtod's extras are refused by scanning first)
 *   duration  number [space] unit { number [space] unit }, units largest first, each once:
 *             "1h30m", "1m30s", "1.5s", "250 ms", "1e3ms"; or the bare "0"
 *   size      number [space] unit, or the bare "0"
 *   rate      number [space] [size-unit] "/" [number [space]] duration-unit, or the bare "0":
 *             "1000/s", "2MiB/s", "10/100ms"
 *   fraction  number [%], in [0, 1] or [0%, 100%]
 *   count     a number whose value is a whole number: "100", "1e3"
 *
 * With binary_mb a size reads every decimal prefix as a binary one (KB = KiB, MB = MiB,
 * GB = GiB): some fields are documented in "MB" that are MiB (e.g. a service's memory
 * setting), and a KB in the same field can only mean the same convention. Durations are summed
 * in long double (64-bit mantissa: exact for whole numbers of nanoseconds up to 2^64) and
 * rounded to the nearest nanosecond.
 *
 * Error phrases (each follows the key's name; %s is the text as given, %u the unit found):
 *
 *   is empty
 *   is not a number (got '%s')
 *   must not be negative (got '%s')
 *   is too large (got '%s')                                                         [-ERANGE]
 *   needs a unit, e.g. '250ms' (got '%s')                              duration, bare number
 *   needs a unit, e.g. '1KB' (got '%s')                                size, bare number
 *   needs a unit, e.g. '10/s' (got '%s')                               rate, bare number
 *   needs a time unit, e.g. '10/s' (got '%s')                          rate: "2MiB", "10/", "10/5"
 *   needs '/' before the time unit, e.g. '10/s' (got '%s')             rate: "10s"
 *   must have a non-zero duration after '/' (got '%s')                 rate: "10/0s"
 *   has an unknown unit '%u' (got '%s'); durations take ns, us, ms, s, m, min, h, d
 *   has an unknown unit '%u' (got '%s'); sizes take B, KB, MB, GB, KiB, MiB, GiB
 *   has an unknown unit '%u' (got '%s'); rates take a count or a size (B, KB, MB, GB, KiB,
 *       MiB, GiB) per ns, us, ms, s, m, min, h, d
 *   has an unknown unit '%u' (got '%s'); did you mean '%s'?   when the unit differs only in case
 *   has units out of order (got '%s'); write the largest first, each once, e.g. '1m30s'
 *   is not a duration, e.g. '250ms' or '1m30s' (got '%s')              anything else malformed
 *   is not a size, e.g. '512B' or '2MiB' (got '%s')
 *   is not a rate, e.g. '1000/s' or '2MiB/s' (got '%s')
 *   is not a fraction, e.g. '0.01' or '1%' (got '%s')
 *   must be in [0, 1] or 0%..100% (got '%s')                           fraction out of range
 *   must be an integer (got '%s')                                      count: "1.5", "10x"
 */
#include "sim/units.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/alloc.h"

typedef struct {
	const char *name;
	long double scale; /* nanoseconds or bytes per unit */
} unit;

/* Largest first: a compound duration must follow this order. */
static const unit duration_units[] = {
        {"d", 86400e9L}, {"h", 3600e9L}, {"min", 60e9L}, {"m", 60e9L},
        {"s", 1e9L},     {"ms", 1e6L},   {"us", 1e3L},   {"ns", 1},
};
#define N_DURATION (sizeof duration_units / sizeof duration_units[0])

static const unit size_units[] = {
        {"B", 1},
        {"KB", 1e3L},
        {"MB", 1e6L},
        {"GB", 1e9L},
        {"KiB", 1024.0L},
        {"MiB", 1024.0L * 1024},
        {"GiB", 1024.0L * 1024 * 1024},
};
#define N_SIZE (sizeof size_units / sizeof size_units[0])

#define DURATION_LIST "durations take ns, us, ms, s, m, min, h, d"
#define SIZE_LIST     "sizes take B, KB, MB, GB, KiB, MiB, GiB"
#define RATE_LIST                                                                                  \
	"rates take a count or a size (B, KB, MB, GB, KiB, MiB, GiB) per ns, us, ms, s, m, min, "  \
	"h, d"

#define NOT_RATE        "is not a rate, e.g. '1000/s' or '2MiB/s' (got '%s')"
#define NOT_DURATION    "is not a duration, e.g. '250ms' or '1m30s' (got '%s')"
#define NOT_SIZE        "is not a size, e.g. '512B' or '2MiB' (got '%s')"
#define NEEDS_TIME_UNIT "needs a time unit, e.g. '10/s' (got '%s')"
#define OUT_OF_ORDER                                                                               \
	"has units out of order (got '%s'); write the largest first, each once, e.g. '1m30s'"
#define TOO_LARGE  "is too large (got '%s')"
#define NEGATIVE   "must not be negative (got '%s')"
#define NOT_NUMBER "is not a number (got '%s')"

static int fail(int rc, char *err, size_t errlen, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static int fail(int rc, char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Length of the number at s by the grammar above, 0 if none. An 'e' not followed by digits is
 * not part of the number (it is then read as the start of a unit). */
static size_t scan_number(const char *s)
{
	size_t i = 0, digits = 0;
	while (is_digit(s[i]))
		i++, digits++;
	if (s[i] == '.') {
		i++;
		while (is_digit(s[i]))
			i++, digits++;
	}
	if (!digits)
		return 0;
	if (s[i] == 'e' || s[i] == 'E') {
		size_t j = i + 1;
		if (s[j] == '+' || s[j] == '-')
			j++;
		if (is_digit(s[j])) {
			while (is_digit(s[j]))
				j++;
			i = j;
		}
	}
	return i;
}

/* The value of the n-character number at s, already checked by scan_number (so strtold reads
 * exactly those characters, never hex or inf). */
static long double number_value(const char *s, size_t n)
{
	char *copy = sim_strndup(s, n);
	long double v = strtold(copy, NULL);
	sim_free(copy);
	return v;
}

static size_t scan_letters(const char *s)
{
	size_t i = 0;
	while (is_letter(s[i]))
		i++;
	return i;
}

static const unit *find_unit(const unit *units, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(units[i].name) == len && !strncmp(units[i].name, s, len))
			return &units[i];
	return NULL;
}

/* A unit that matches ignoring case, for the "did you mean" hint; NULL if none. */
static const unit *find_unit_nocase(const unit *units, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(units[i].name) == len && !strncasecmp(units[i].name, s, len))
			return &units[i];
	return NULL;
}

static int unknown_unit(const char *text, const char *u, size_t len, const unit *units, size_t n,
                        const char *list, char *err, size_t errlen)
{
	const unit *hint = find_unit_nocase(units, n, u, len);
	if (hint)
		return fail(-EINVAL, err, errlen,
		            "has an unknown unit '%.*s' (got '%s'); did you mean '%s'?", (int)len,
		            u, text, hint->name);
	return fail(-EINVAL, err, errlen, "has an unknown unit '%.*s' (got '%s'); %s", (int)len, u,
	            text, list);
}

/* The outcome of parsing a duration, before it is phrased: rates reuse the scanner for what
 * follows '/', and phrase the same failures their own way. */
typedef enum {
	DUR_OK,
	DUR_NAN,     /* does not start with a number */
	DUR_NO_UNIT, /* a number without a unit at the end */
	DUR_UNKNOWN, /* a unit not in the table */
	DUR_ORDER,   /* units not strictly decreasing */
	DUR_SYNTAX,  /* anything else */
	DUR_RANGE,   /* above INT64_MAX ns */
} dur_status;

typedef struct {
	const char *unit; /* DUR_UNKNOWN: the unit found */
	size_t unit_len;
} dur_where;

/* Parses the whole of s (non-empty, no leading sign) as a duration. */
static dur_status scan_duration(const char *s, long double *ns, dur_where *where)
{
	const char *p = s;
	long double total = 0;
	size_t last = 0; /* index past the previous unit in duration_units, for the order check */
	do {
		size_t n = scan_number(p);
		if (!n)
			return p == s ? DUR_NAN : DUR_SYNTAX;
		long double v = number_value(p, n);
		p += n;
		const char *u = *p == ' ' ? p + 1 : p;
		size_t len = scan_letters(u);
		if (!len)
			return *u == '\0' && u == p ? DUR_NO_UNIT : DUR_SYNTAX;
		const unit *un = find_unit(duration_units, N_DURATION, u, len);
		if (!un) {
			where->unit = u;
			where->unit_len = len;
			return DUR_UNKNOWN;
		}
		size_t rank = (size_t)(un - duration_units);
		/* "min" and "m" are one unit spelt two ways: both rank as minutes. */
		if (!strcmp(un->name, "m"))
			rank--;
		if (rank < last)
			return DUR_ORDER;
		last = rank + 1;
		total += v * un->scale;
		p = u + len;
	} while (*p);
	if (!(total < 0x1p63L))
		return DUR_RANGE;
	*ns = total;
	return DUR_OK;
}

int sim_parse_duration(const char *text, sim_time *out, char *err, size_t errlen)
{
	if (!text || !*text)
		return fail(-EINVAL, err, errlen, "is empty");
	if (text[0] == '-')
		return fail(-EINVAL, err, errlen, NEGATIVE, text);
	if (!strcmp(text, "0")) {
		*out = 0;
		return 0;
	}
	long double ns = 0;
	dur_where w = {0};
	switch (scan_duration(text, &ns, &w)) {
	case DUR_OK: break;
	case DUR_NAN: return fail(-EINVAL, err, errlen, NOT_NUMBER, text);
	case DUR_NO_UNIT:
		return fail(-EINVAL, err, errlen, "needs a unit, e.g. '250ms' (got '%s')", text);
	case DUR_UNKNOWN:
		return unknown_unit(text, w.unit, w.unit_len, duration_units, N_DURATION,
		                    DURATION_LIST, err, errlen);
	case DUR_ORDER: return fail(-EINVAL, err, errlen, OUT_OF_ORDER, text);
	case DUR_SYNTAX: return fail(-EINVAL, err, errlen, NOT_DURATION, text);
	case DUR_RANGE: return fail(-ERANGE, err, errlen, TOO_LARGE, text);
	}
	long double r = roundl(ns);
	if (!(r < 0x1p63L))
		return fail(-ERANGE, err, errlen, TOO_LARGE, text);
	*out = (sim_time)r;
	return 0;
}

int sim_parse_size(const char *text, bool binary_mb, double *bytes, char *err, size_t errlen)
{
	if (!text || !*text)
		return fail(-EINVAL, err, errlen, "is empty");
	if (text[0] == '-')
		return fail(-EINVAL, err, errlen, NEGATIVE, text);
	if (!strcmp(text, "0")) {
		*bytes = 0;
		return 0;
	}
	size_t n = scan_number(text);
	if (!n)
		return fail(-EINVAL, err, errlen, NOT_NUMBER, text);
	const char *u = text[n] == ' ' ? text + n + 1 : text + n;
	size_t len = scan_letters(u);
	if (!len) {
		if (*u == '\0' && u == text + n)
			return fail(-EINVAL, err, errlen, "needs a unit, e.g. '1KB' (got '%s')",
			            text);
		return fail(-EINVAL, err, errlen, NOT_SIZE, text);
	}
	const unit *un = find_unit(size_units, N_SIZE, u, len);
	if (!un)
		return unknown_unit(text, u, len, size_units, N_SIZE, SIZE_LIST, err, errlen);
	if (u[len] != '\0')
		return fail(-EINVAL, err, errlen, NOT_SIZE, text);
	/* KB, MB, GB sit three places before KiB, MiB, GiB in the table. */
	if (binary_mb && un >= &size_units[1] && un <= &size_units[3])
		un += 3;
	long double v = number_value(text, n) * un->scale;
	if (!isfinite((double)v))
		return fail(-ERANGE, err, errlen, TOO_LARGE, text);
	*bytes = (double)v;
	return 0;
}

int sim_parse_rate(const char *text, sim_rate *out, char *err, size_t errlen)
{
	if (!text || !*text)
		return fail(-EINVAL, err, errlen, "is empty");
	if (text[0] == '-')
		return fail(-EINVAL, err, errlen, NEGATIVE, text);
	if (!strcmp(text, "0")) {
		*out = (sim_rate){0, false};
		return 0;
	}
	size_t n = scan_number(text);
	if (!n)
		return fail(-EINVAL, err, errlen, NOT_NUMBER, text);
	long double amount = number_value(text, n);
	const char *p = text + n;

	/* What is counted: records, or bytes when a size unit follows the number. */
	bool is_bytes = false;
	const char *u = *p == ' ' ? p + 1 : p;
	size_t len = scan_letters(u);
	if (len) {
		const unit *un = find_unit(size_units, N_SIZE, u, len);
		if (!un && u[len] == '\0' && find_unit(duration_units, N_DURATION, u, len))
			return fail(-EINVAL, err, errlen,
			            "needs '/' before the time unit, e.g. '10/s' (got '%s')", text);
		if (!un)
			return unknown_unit(text, u, len, size_units, N_SIZE, RATE_LIST, err,
			                    errlen);
		is_bytes = true;
		amount *= un->scale;
		p = u + len;
	}
	if (*p == '\0' && !is_bytes && p == text + n)
		return fail(-EINVAL, err, errlen, "needs a unit, e.g. '10/s' (got '%s')", text);
	if (*p == '\0')
		return fail(-EINVAL, err, errlen, NEEDS_TIME_UNIT, text);
	if (*p != '/')
		return fail(-EINVAL, err, errlen, NOT_RATE, text);
	p++;

	/* Per what: a duration, whose number may be left out ("/s" is "/1s"). */
	long double per_ns = 0;
	if (*p == '\0')
		return fail(-EINVAL, err, errlen, NEEDS_TIME_UNIT, text);
	if (is_letter(*p)) {
		len = scan_letters(p);
		const unit *un = find_unit(duration_units, N_DURATION, p, len);
		if (!un)
			return unknown_unit(text, p, len, duration_units, N_DURATION, RATE_LIST,
			                    err, errlen);
		if (p[len] != '\0')
			return fail(-EINVAL, err, errlen, NOT_RATE, text);
		per_ns = un->scale;
	} else {
		dur_where w = {0};
		switch (scan_duration(p, &per_ns, &w)) {
		case DUR_OK: break;
		case DUR_NO_UNIT: return fail(-EINVAL, err, errlen, NEEDS_TIME_UNIT, text);
		case DUR_UNKNOWN:
			return unknown_unit(text, w.unit, w.unit_len, duration_units, N_DURATION,
			                    RATE_LIST, err, errlen);
		case DUR_ORDER: return fail(-EINVAL, err, errlen, OUT_OF_ORDER, text);
		case DUR_RANGE: return fail(-ERANGE, err, errlen, TOO_LARGE, text);
		case DUR_NAN:
		case DUR_SYNTAX: return fail(-EINVAL, err, errlen, NOT_RATE, text);
		}
		if (per_ns == 0)
			return fail(-EINVAL, err, errlen,
			            "must have a non-zero duration after '/' (got '%s')", text);
	}
	long double per_s = amount * 1e9L / per_ns;
	if (!isfinite((double)per_s))
		return fail(-ERANGE, err, errlen, TOO_LARGE, text);
	*out = (sim_rate){(double)per_s, is_bytes};
	return 0;
}

int sim_parse_fraction(const char *text, double *out, char *err, size_t errlen)
{
	if (!text || !*text)
		return fail(-EINVAL, err, errlen, "is empty");
	/* A negative fraction is reported with the range, which says what is allowed. */
	bool negative = text[0] == '-';
	const char *p = text + negative;
	size_t n = scan_number(p);
	if (!n)
		return fail(-EINVAL, err, errlen, NOT_NUMBER, text);
	long double v = number_value(p, n);
	bool percent = p[n] == '%';
	if (p[n + percent] != '\0')
		return fail(-EINVAL, err, errlen,
		            "is not a fraction, e.g. '0.01' or '1%%' (got '%s')", text);
	if (percent)
		v /= 100;
	if (negative || v > 1)
		return fail(-EINVAL, err, errlen, "must be in [0, 1] or 0%%..100%% (got '%s')",
		            text);
	*out = (double)v;
	return 0;
}

int sim_parse_count(const char *text, int64_t *out, char *err, size_t errlen)
{
	if (!text || !*text)
		return fail(-EINVAL, err, errlen, "is empty");
	if (text[0] == '-')
		return fail(-EINVAL, err, errlen, NEGATIVE, text);
	size_t n = scan_number(text);
	if (!n)
		return fail(-EINVAL, err, errlen, NOT_NUMBER, text);
	long double v = number_value(text, n);
	if (text[n] != '\0' || (isfinite(v) && v != floorl(v)))
		return fail(-EINVAL, err, errlen, "must be an integer (got '%s')", text);
	if (!(v < 0x1p63L))
		return fail(-ERANGE, err, errlen, TOO_LARGE, text);
	*out = (int64_t)v;
	return 0;
}
