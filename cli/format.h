/* Numbers for people (the text summary, report, sweep and compare tables): thousands
 * separators, durations and sizes in a readable unit, money with sensible precision, "n/a"
 * for a value that does not apply or has no data (NaN); and the natural order of names
 * (sub-2 before sub-10). Pure functions, no state. */
#ifndef KS_CLI_FORMAT_H
#define KS_CLI_FORMAT_H

#include <stddef.h>

/* An integer with thousands separators: 1234567 -> "1,234,567" (rounded; negative kept). */
void cli_fmt_count(char *buf, size_t len, double v);
/* A number with separators in its integer part and `decimals` decimals: 12345.678, 1 ->
 * "12,345.7". */
void cli_fmt_number(char *buf, size_t len, double v, int decimals);
/* Dollars: "$0" for zero, two decimals from $1 ("$17.08", "$1,234.50"), two significant
 * digits below ("$0.0035", "$0.000012"): an amount under $0.0001 is not "$0.0000". */
void cli_fmt_money(char *buf, size_t len, double usd);
/* A value in its unit ("s", "B", "USD", "count", "1/min", other: plain), "n/a" for NaN. */
void cli_fmt_value(char *buf, size_t len, double v, const char *unit);
/* Natural order: runs of digits compare as numbers, the rest byte by byte. */
int cli_natural_cmp(const char *a, const char *b);

#endif
