/* Tests of the unit parsers: every accepted form gives the value worked out by hand, and every
 * error gives its exact phrase and leaves the out-parameter alone. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/units.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

typedef struct {
	const char *text;
	int rc;
	const char *msg;
} bad;

/* ---- durations ---- */

static void durations_accept_every_documented_form(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		sim_time ns;
	} ok[] = {
	        {"0", 0},
	        {"0s", 0},
	        {"0ms", 0},
	        {"7ns", 7},
	        {"10us", 10000},
	        {"250ms", 250000000},
	        {"250 ms", 250000000},
	        {"1s", 1000000000},
	        {"1.5s", 1500000000},
	        {".5s", 500000000},
	        {"1.s", 1000000000},
	        {"0.1s", 100000000},
	        {"1m", 60000000000},
	        {"1min", 60000000000},
	        {"1m30s", 90000000000},
	        {"1h30m", 5400000000000},
	        {"1h30min", 5400000000000},
	        {"1h0m", 3600000000000},
	        {"24h", 86400000000000},
	        {"2d", 172800000000000},
	        {"1d2h3m4s5ms6us7ns", 93784005006007},
	        {"1us500ns", 1500},
	        {"1e3ms", 1000000000},
	        {"1E3ms", 1000000000},
	        {"1e+3ms", 1000000000},
	        {"1.5e-3s", 1500000},
	        {"2 s", 2000000000},
	        {"1.4ns", 1},
	        {"1.6ns", 2},
	        /* 106751 days is the largest whole number of days below 2^63 ns. */
	        {"106751d", INT64_C(9223286400000000000)},
	};
	for (size_t i = 0; i < LEN(ok); i++) {
		sim_time t = -1;
		char err[256] = "";
		int rc = sim_parse_duration(ok[i].text, &t, err, sizeof err);
		if (rc != 0 || t != ok[i].ns)
			fail_msg("'%s': rc %d, got %lld, want %lld (%s)", ok[i].text, rc,
			         (long long)t, (long long)ok[i].ns, err);
	}
}

static void check_bad(int (*parse)(const char *, void *, char *, size_t), const bad *cases,
                      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		/* A sentinel larger than any out type, to see that nothing is written. */
		_Alignas(16) unsigned char out[32];
		memset(out, 0xa5, sizeof out);
		char err[256] = "";
		int rc = parse(cases[i].text, out, err, sizeof err);
		if (rc != cases[i].rc || strcmp(err, cases[i].msg) != 0)
			fail_msg("'%s': rc %d, err \"%s\"; want rc %d, \"%s\"", cases[i].text, rc,
			         err, cases[i].rc, cases[i].msg);
		for (size_t k = 0; k < sizeof out; k++)
			assert_int_equal(out[k], 0xa5);
	}
}

static int duration_adapter(const char *text, void *out, char *err, size_t len)
{
	return sim_parse_duration(text, out, err, len);
}

#define DLIST "; durations take ns, us, ms, s, m, min, h, d"

static void durations_reject_with_exact_messages(void **state)
{
	(void)state;
	static const bad cases[] = {
	        {"", -EINVAL, "is empty"},
	        {"abc", -EINVAL, "is not a number (got 'abc')"},
	        {"ms", -EINVAL, "is not a number (got 'ms')"},
	        {" 250ms", -EINVAL, "is not a number (got ' 250ms')"},
	        {"+5s", -EINVAL, "is not a number (got '+5s')"},
	        {"nan", -EINVAL, "is not a number (got 'nan')"},
	        {"-5s", -EINVAL, "must not be negative (got '-5s')"},
	        {"-1", -EINVAL, "must not be negative (got '-1')"},
	        {"250", -EINVAL, "needs a unit, e.g. '250ms' (got '250')"},
	        {"0.0", -EINVAL, "needs a unit, e.g. '250ms' (got '0.0')"},
	        {"1e3", -EINVAL, "needs a unit, e.g. '250ms' (got '1e3')"},
	        {"1m30", -EINVAL, "needs a unit, e.g. '250ms' (got '1m30')"},
	        {"10xs", -EINVAL, "has an unknown unit 'xs' (got '10xs')" DLIST},
	        {"10sec", -EINVAL, "has an unknown unit 'sec' (got '10sec')" DLIST},
	        {"1e", -EINVAL, "has an unknown unit 'e' (got '1e')" DLIST},
	        {"1m30x", -EINVAL, "has an unknown unit 'x' (got '1m30x')" DLIST},
	        {"10MS", -EINVAL, "has an unknown unit 'MS' (got '10MS'); did you mean 'ms'?"},
	        {"10 S", -EINVAL, "has an unknown unit 'S' (got '10 S'); did you mean 's'?"},
	        {"1Min", -EINVAL, "has an unknown unit 'Min' (got '1Min'); did you mean 'min'?"},
	        {"30s1m", -EINVAL,
	         "has units out of order (got '30s1m'); write the largest first, each once, "
	         "e.g. '1m30s'"},
	        {"1s1s", -EINVAL,
	         "has units out of order (got '1s1s'); write the largest first, each once, "
	         "e.g. '1m30s'"},
	        {"1min1m", -EINVAL,
	         "has units out of order (got '1min1m'); write the largest first, each once, "
	         "e.g. '1m30s'"},
	        {"1m 30s", -EINVAL, "is not a duration, e.g. '250ms' or '1m30s' (got '1m 30s')"},
	        {"250  ms", -EINVAL, "is not a duration, e.g. '250ms' or '1m30s' (got '250  ms')"},
	        {"250ms ", -EINVAL, "is not a duration, e.g. '250ms' or '1m30s' (got '250ms ')"},
	        {"250 ", -EINVAL, "is not a duration, e.g. '250ms' or '1m30s' (got '250 ')"},
	        {"5s!", -EINVAL, "is not a duration, e.g. '250ms' or '1m30s' (got '5s!')"},
	        {"1.5.s", -EINVAL, "is not a duration, e.g. '250ms' or '1m30s' (got '1.5.s')"},
	        {"10/s", -EINVAL, "is not a duration, e.g. '250ms' or '1m30s' (got '10/s')"},
	        {"1e400s", -ERANGE, "is too large (got '1e400s')"},
	        {"1e5000s", -ERANGE, "is too large (got '1e5000s')"},
	        {"106752d", -ERANGE, "is too large (got '106752d')"},
	};
	check_bad(duration_adapter, cases, LEN(cases));
}

static void durations_written_by_sim_time_format_read_back_exactly(void **state)
{
	(void)state;
	const sim_time ts[] = {
	        0,          1,
	        1500,       250 * SIM_MS,
	        90 * SIM_S, SIM_DAY + 2 * SIM_HOUR + 3 * SIM_MIN + 4 * SIM_S + 5 * SIM_MS + 6,
	        INT64_MAX};
	for (size_t i = 0; i < LEN(ts); i++) {
		char buf[64], err[256] = "";
		sim_time_format(buf, sizeof buf, ts[i]);
		sim_time t = -1;
		int rc = sim_parse_duration(buf, &t, err, sizeof err);
		if (rc != 0 || t != ts[i])
			fail_msg("'%s': rc %d, got %lld, want %lld (%s)", buf, rc, (long long)t,
			         (long long)ts[i], err);
	}
}

/* ---- sizes ---- */

static void sizes_accept_decimal_and_binary_units(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		bool binary_mb;
		double bytes;
	} ok[] = {
	        {"0", false, 0},
	        {"512B", false, 512},
	        {"512 B", false, 512},
	        {"1KB", false, 1000},
	        {"1.5KB", false, 1500},
	        {"2MB", false, 2e6},
	        {"1GB", false, 1e9},
	        {"1KiB", false, 1024},
	        {"2MiB", false, 2 * 1048576.0},
	        {"1GiB", false, 1073741824.0},
	        {"1e3B", false, 1000},
	        {"0B", false, 0},
	        /* Binary MB: every decimal prefix read as binary. */
	        {"1024MB", true, 1024 * 1048576.0},
	        {"1KB", true, 1024},
	        {"1GB", true, 1073741824.0},
	        {"3MiB", true, 3 * 1048576.0},
	        {"512B", true, 512},
	};
	for (size_t i = 0; i < LEN(ok); i++) {
		double b = -1;
		char err[256] = "";
		int rc = sim_parse_size(ok[i].text, ok[i].binary_mb, &b, err, sizeof err);
		if (rc != 0 || b != ok[i].bytes)
			fail_msg("'%s': rc %d, got %g, want %g (%s)", ok[i].text, rc, b,
			         ok[i].bytes, err);
	}
}

static int size_adapter(const char *text, void *out, char *err, size_t len)
{
	return sim_parse_size(text, false, out, err, len);
}

static int size_binary_mb_adapter(const char *text, void *out, char *err, size_t len)
{
	return sim_parse_size(text, true, out, err, len);
}

#define SLIST "; sizes take B, KB, MB, GB, KiB, MiB, GiB"

static void sizes_reject_with_exact_messages(void **state)
{
	(void)state;
	static const bad cases[] = {
	        {"", -EINVAL, "is empty"},
	        {"KB", -EINVAL, "is not a number (got 'KB')"},
	        {"-1KB", -EINVAL, "must not be negative (got '-1KB')"},
	        {"1000", -EINVAL, "needs a unit, e.g. '1KB' (got '1000')"},
	        {"1xB", -EINVAL, "has an unknown unit 'xB' (got '1xB')" SLIST},
	        {"1TB", -EINVAL, "has an unknown unit 'TB' (got '1TB')" SLIST},
	        {"1kb", -EINVAL, "has an unknown unit 'kb' (got '1kb'); did you mean 'KB'?"},
	        {"1kB", -EINVAL, "has an unknown unit 'kB' (got '1kB'); did you mean 'KB'?"},
	        {"2mib", -EINVAL, "has an unknown unit 'mib' (got '2mib'); did you mean 'MiB'?"},
	        {"1KB/s", -EINVAL, "is not a size, e.g. '512B' or '2MiB' (got '1KB/s')"},
	        {"1 KB ", -EINVAL, "is not a size, e.g. '512B' or '2MiB' (got '1 KB ')"},
	        {"1 ", -EINVAL, "is not a size, e.g. '512B' or '2MiB' (got '1 ')"},
	        {"1e5000KB", -ERANGE, "is too large (got '1e5000KB')"},
	};
	check_bad(size_adapter, cases, LEN(cases));
	check_bad(size_binary_mb_adapter, cases, LEN(cases));
}

/* ---- rates ---- */

static void rates_accept_counts_and_sizes_per_duration(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		double per_s;
		bool is_bytes;
	} ok[] = {
	        {"0", 0, false},
	        {"0/s", 0, false},
	        {"1000/s", 1000, false},
	        {"60/m", 1, false},
	        {"60/min", 1, false},
	        {"3600/h", 1, false},
	        {"86400/d", 1, false},
	        {"1/ms", 1000, false},
	        {"1/us", 1e6, false},
	        {"1/ns", 1e9, false},
	        {"1e3/s", 1000, false},
	        {"10/100ms", 100, false},
	        {"10/100 ms", 100, false},
	        {"5/2s", 2.5, false},
	        {"90/1m30s", 1, false},
	        {"2MiB/s", 2 * 1048576.0, true},
	        {"2 MiB/s", 2 * 1048576.0, true},
	        {"1KB/ms", 1e6, true},
	        {"0B/s", 0, true},
	        {"60MB/m", 1e6, true},
	};
	for (size_t i = 0; i < LEN(ok); i++) {
		sim_rate r = {-1, false};
		char err[256] = "";
		int rc = sim_parse_rate(ok[i].text, &r, err, sizeof err);
		if (rc != 0 || r.per_s != ok[i].per_s || r.is_bytes != ok[i].is_bytes)
			fail_msg("'%s': rc %d, got %g/%d, want %g/%d (%s)", ok[i].text, rc, r.per_s,
			         r.is_bytes, ok[i].per_s, ok[i].is_bytes, err);
	}
}

static int rate_adapter(const char *text, void *out, char *err, size_t len)
{
	return sim_parse_rate(text, out, err, len);
}

#define RLIST                                                                                      \
	"; rates take a count or a size (B, KB, MB, GB, KiB, MiB, GiB) per ns, us, ms, s, m, "     \
	"min, h, d"

static void rates_reject_with_exact_messages(void **state)
{
	(void)state;
	static const bad cases[] = {
	        {"", -EINVAL, "is empty"},
	        {"abc", -EINVAL, "is not a number (got 'abc')"},
	        {"/s", -EINVAL, "is not a number (got '/s')"},
	        {"-5/s", -EINVAL, "must not be negative (got '-5/s')"},
	        {"10", -EINVAL, "needs a unit, e.g. '10/s' (got '10')"},
	        {"0.0", -EINVAL, "needs a unit, e.g. '10/s' (got '0.0')"},
	        {"10s", -EINVAL, "needs '/' before the time unit, e.g. '10/s' (got '10s')"},
	        {"10 min", -EINVAL, "needs '/' before the time unit, e.g. '10/s' (got '10 min')"},
	        {"2MiB", -EINVAL, "needs a time unit, e.g. '10/s' (got '2MiB')"},
	        {"10/", -EINVAL, "needs a time unit, e.g. '10/s' (got '10/')"},
	        {"10/5", -EINVAL, "needs a time unit, e.g. '10/s' (got '10/5')"},
	        {"10/xs", -EINVAL, "has an unknown unit 'xs' (got '10/xs')" RLIST},
	        {"10/sec", -EINVAL, "has an unknown unit 'sec' (got '10/sec')" RLIST},
	        {"10/5xs", -EINVAL, "has an unknown unit 'xs' (got '10/5xs')" RLIST},
	        {"10x/s", -EINVAL, "has an unknown unit 'x' (got '10x/s')" RLIST},
	        {"10/S", -EINVAL, "has an unknown unit 'S' (got '10/S'); did you mean 's'?"},
	        {"10kb/s", -EINVAL, "has an unknown unit 'kb' (got '10kb/s'); did you mean 'KB'?"},
	        {"10/0s", -EINVAL, "must have a non-zero duration after '/' (got '10/0s')"},
	        {"10/1s1m", -EINVAL,
	         "has units out of order (got '10/1s1m'); write the largest first, each once, "
	         "e.g. '1m30s'"},
	        {"10 /s", -EINVAL, "is not a rate, e.g. '1000/s' or '2MiB/s' (got '10 /s')"},
	        {"10/s/s", -EINVAL, "is not a rate, e.g. '1000/s' or '2MiB/s' (got '10/s/s')"},
	        {"10/s2", -EINVAL, "is not a rate, e.g. '1000/s' or '2MiB/s' (got '10/s2')"},
	        {"10/-1s", -EINVAL, "is not a rate, e.g. '1000/s' or '2MiB/s' (got '10/-1s')"},
	        {"10/ s", -EINVAL, "is not a rate, e.g. '1000/s' or '2MiB/s' (got '10/ s')"},
	        {"10:s", -EINVAL, "is not a rate, e.g. '1000/s' or '2MiB/s' (got '10:s')"},
	        {"1e5000/s", -ERANGE, "is too large (got '1e5000/s')"},
	        {"1/1e400d", -ERANGE, "is too large (got '1/1e400d')"},
	};
	check_bad(rate_adapter, cases, LEN(cases));
}

/* ---- fractions ---- */

static void fractions_accept_numbers_and_percents(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		double v;
	} ok[] = {
	        {"0", 0},     {"1", 1},     {"0.01", 0.01}, {"1e-3", 0.001},  {"0%", 0},
	        {"1%", 0.01}, {"50%", 0.5}, {"100%", 1},    {"0.001%", 1e-5}, {"1.0", 1},
	};
	for (size_t i = 0; i < LEN(ok); i++) {
		double v = -1;
		char err[256] = "";
		int rc = sim_parse_fraction(ok[i].text, &v, err, sizeof err);
		/* Percent values are divided by 100: allow the last bit of rounding. */
		if (rc != 0 || fabs(v - ok[i].v) > 1e-16 * ok[i].v)
			fail_msg("'%s': rc %d, got %.17g, want %.17g (%s)", ok[i].text, rc, v,
			         ok[i].v, err);
	}
}

static int fraction_adapter(const char *text, void *out, char *err, size_t len)
{
	return sim_parse_fraction(text, out, err, len);
}

static void fractions_reject_with_exact_messages(void **state)
{
	(void)state;
	static const bad cases[] = {
	        {"", -EINVAL, "is empty"},
	        {"abc", -EINVAL, "is not a number (got 'abc')"},
	        {"%", -EINVAL, "is not a number (got '%')"},
	        {"150%", -EINVAL, "must be in [0, 1] or 0%..100% (got '150%')"},
	        {"1.5", -EINVAL, "must be in [0, 1] or 0%..100% (got '1.5')"},
	        {"-0.1", -EINVAL, "must be in [0, 1] or 0%..100% (got '-0.1')"},
	        {"-1%", -EINVAL, "must be in [0, 1] or 0%..100% (got '-1%')"},
	        {"100.1%", -EINVAL, "must be in [0, 1] or 0%..100% (got '100.1%')"},
	        {"1 %", -EINVAL, "is not a fraction, e.g. '0.01' or '1%' (got '1 %')"},
	        {"0.5x", -EINVAL, "is not a fraction, e.g. '0.01' or '1%' (got '0.5x')"},
	        {"1%%", -EINVAL, "is not a fraction, e.g. '0.01' or '1%' (got '1%%')"},
	};
	check_bad(fraction_adapter, cases, LEN(cases));
}

/* ---- counts ---- */

static void counts_accept_integers_with_optional_exponent(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int64_t v;
	} ok[] = {
	        {"0", 0},      {"100", 100}, {"1e3", 1000},
	        {"1.5e1", 15}, {"2.0", 2},   {"9223372036854775807", INT64_MAX},
	        {"007", 7},
	};
	for (size_t i = 0; i < LEN(ok); i++) {
		int64_t v = -1;
		char err[256] = "";
		int rc = sim_parse_count(ok[i].text, &v, err, sizeof err);
		if (rc != 0 || v != ok[i].v)
			fail_msg("'%s': rc %d, got %lld (%s)", ok[i].text, rc, (long long)v, err);
	}
}

static int count_adapter(const char *text, void *out, char *err, size_t len)
{
	return sim_parse_count(text, out, err, len);
}

static void counts_reject_with_exact_messages(void **state)
{
	(void)state;
	static const bad cases[] = {
	        {"", -EINVAL, "is empty"},
	        {"abc", -EINVAL, "is not a number (got 'abc')"},
	        {"-5", -EINVAL, "must not be negative (got '-5')"},
	        {"1.5", -EINVAL, "must be an integer (got '1.5')"},
	        {"1e-1", -EINVAL, "must be an integer (got '1e-1')"},
	        {"10x", -EINVAL, "must be an integer (got '10x')"},
	        {"10 ", -EINVAL, "must be an integer (got '10 ')"},
	        {"9223372036854775808", -ERANGE, "is too large (got '9223372036854775808')"},
	        {"1e30", -ERANGE, "is too large (got '1e30')"},
	        {"1e5000", -ERANGE, "is too large (got '1e5000')"},
	};
	check_bad(count_adapter, cases, LEN(cases));
}

/* ---- the error buffer ---- */

static void errors_tolerate_null_and_short_buffers(void **state)
{
	(void)state;
	sim_time t = 5;
	assert_int_equal(sim_parse_duration("250", &t, NULL, 0), -EINVAL);
	assert_int_equal(t, 5);
	char small[8];
	assert_int_equal(sim_parse_duration("250", &t, small, sizeof small), -EINVAL);
	assert_string_equal(small, "needs a");
	assert_int_equal(sim_parse_duration(NULL, &t, small, sizeof small), -EINVAL);
	assert_string_equal(small, "is empt");
	char fits[9];
	assert_int_equal(sim_parse_duration("", &t, fits, sizeof fits), -EINVAL);
	assert_string_equal(fits, "is empty");
	assert_int_equal(t, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(durations_accept_every_documented_form),
	        cmocka_unit_test(durations_reject_with_exact_messages),
	        cmocka_unit_test(durations_written_by_sim_time_format_read_back_exactly),
	        cmocka_unit_test(sizes_accept_decimal_and_binary_units),
	        cmocka_unit_test(sizes_reject_with_exact_messages),
	        cmocka_unit_test(rates_accept_counts_and_sizes_per_duration),
	        cmocka_unit_test(rates_reject_with_exact_messages),
	        cmocka_unit_test(fractions_accept_numbers_and_percents),
	        cmocka_unit_test(fractions_reject_with_exact_messages),
	        cmocka_unit_test(counts_accept_integers_with_optional_exponent),
	        cmocka_unit_test(counts_reject_with_exact_messages),
	        cmocka_unit_test(errors_tolerate_null_and_short_buffers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
