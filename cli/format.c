/* Numbers for people (format.h). */
#include "cli/format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Inserts a comma every three digits of the integer part of the number in `digits` (which
 * may start with '-' and end with a fraction). */
static void group_thousands(char *buf, size_t len, const char *digits)
{
	const char *p = digits;
	size_t o = 0;
	if (*p == '-' && o + 1 < len)
		buf[o++] = *p++;
	size_t int_len = strspn(p, "0123456789");
	for (size_t i = 0; i < int_len && o + 1 < len; i++) {
		if (i > 0 && (int_len - i) % 3 == 0 && o + 2 < len)
			buf[o++] = ',';
		buf[o++] = p[i];
	}
	for (p += int_len; *p && o + 1 < len; p++)
		buf[o++] = *p;
	if (len)
		buf[o < len ? o : len - 1] = '\0';
}

void cli_fmt_number(char *buf, size_t len, double v, int decimals)
{
	if (isnan(v)) {
		snprintf(buf, len, "n/a");
		return;
	}
	char digits[512];
	snprintf(digits, sizeof digits, "%.*f", decimals, v);
	if (strcmp(digits, "-0") == 0 || strspn(digits, "-0.") == strlen(digits))
		snprintf(digits, sizeof digits, "%.*f", decimals, 0.0); /* no "-0" */
	group_thousands(buf, len, digits);
}

void cli_fmt_count(char *buf, size_t len, double v)
{
	cli_fmt_number(buf, len, v, 0);
}

void cli_fmt_money(char *buf, size_t len, double usd)
{
	double a = fabs(usd);
	if (isnan(usd)) {
		snprintf(buf, len, "n/a");
	} else if (a == 0) {
		snprintf(buf, len, "$0");
	} else if (a >= 1) {
		char n[256];
		cli_fmt_number(n, sizeof n, a, 2);
		snprintf(buf, len, "%s$%s", usd < 0 ? "-" : "", n);
	} else {
		/* two significant digits: as many decimals as the first two need */
		int decimals = 1 - (int)floor(log10(a));
		snprintf(buf, len, "%s$%.*f", usd < 0 ? "-" : "", decimals, a);
	}
}

static void fmt_duration(char *buf, size_t len, double v)
{
	double a = fabs(v);
	if (a == 0)
		snprintf(buf, len, "0 s");
	else if (a < 1e-3)
		snprintf(buf, len, "%.1f us", v * 1e6);
	else if (a < 1)
		snprintf(buf, len, "%.1f ms", v * 1e3);
	else if (a < 60)
		snprintf(buf, len, "%.2f s", v);
	else if (a < 7200)
		snprintf(buf, len, "%.1f min", v / 60);
	else if (a < 172800)
		snprintf(buf, len, "%.1f h", v / 3600);
	else
		snprintf(buf, len, "%.1f d", v / 86400);
}

/* Decimal (SI) sizes, as the scenario's "1MB" means 1,000,000 bytes. */
static void fmt_bytes(char *buf, size_t len, double v)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
	double a = fabs(v);
	size_t u = 0;
	while (a >= 1000 && u + 1 < sizeof units / sizeof units[0]) {
		a /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f B", v);
	else
		snprintf(buf, len, "%.*f %s",
		         a < 10    ? 2
		         : a < 100 ? 1
		                   : 0,
		         v < 0 ? -a : a, units[u]);
}

void cli_fmt_value(char *buf, size_t len, double v, const char *unit)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else if (isinf(v))
		snprintf(buf, len, "%s", v > 0 ? "inf" : "-inf");
	else if (strcmp(unit, "s") == 0)
		fmt_duration(buf, len, v);
	else if (strcmp(unit, "USD") == 0)
		cli_fmt_money(buf, len, v);
	else if (strcmp(unit, "B") == 0)
		fmt_bytes(buf, len, v);
	else if (strcmp(unit, "s/s") == 0) {
		char n[64];
		cli_fmt_number(n, sizeof n, v, 2);
		snprintf(buf, len, "%s s/s", n);
	} else if (strcmp(unit, "1/min") == 0)
		cli_fmt_number(buf, len, v, fabs(v) < 10 && v != 0 ? 2 : 1);
	else if (v == floor(v) && fabs(v) < 1e15)
		cli_fmt_count(buf, len, v);
	else if (fabs(v) >= 1000)
		cli_fmt_number(buf, len, v, 0);
	else
		snprintf(buf, len, "%.4g", v);
}

int cli_natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			/* compare the digit runs as numbers: skip leading zeros, then length, then
			 * digits */
			while (*a == '0' && a[1] >= '0' && a[1] <= '9')
				a++;
			while (*b == '0' && b[1] >= '0' && b[1] <= '9')
				b++;
			size_t la = strspn(a, "0123456789"), lb = strspn(b, "0123456789");
			if (la != lb)
				return la < lb ? -1 : 1;
			int c = strncmp(a, b, la);
			if (c)
				return c;
			a += la;
			b += lb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}
