/* Reading a replayed arrivals trace (producers.trace), e.g. a CloudWatch IncomingRecords export.
 *
 * The file is CSV, one row per line, comma-separated, in time order:
 *
 *   time,records[,bytes]
 *
 * - An optional header row: the first row is a header when its first field is not a time.
 *   Blank lines and lines starting with '#' are skipped; fields may be "quoted" and padded.
 * - time: seconds as a bare number (`0`, `60`, `1.5`), a duration with a unit (`90s`, `1m30s`),
 *   or an ISO-8601 UTC timestamp as CloudWatch writes it (`2024-05-01T10:00:00Z`; also with
 *   fractional seconds, a `+hh:mm` offset, a space for the `T`, or no zone, read as UTC). Every
 *   row uses the same kind. Times are taken relative to the first row, which starts the run.
 * - records: the records in the row's period, a number >= 0 (a CloudWatch Sum, `1234.0`).
 * - bytes (optional, on every row or none): the bytes of those records (IncomingBytes); a
 *   record of that row then has bytes/records bytes instead of the producer's record_size.
 * Each row covers the time until the next row; the last row covers the median period of the
 * rows, and nothing arrives after it. At least two rows, strictly increasing times.
 *
 * A malformed row is reported as "FILE:LINE: error: ..." with FILE the trace's path (relative
 * to the scenario's folder, as the scenario names it) and LINE its 1-based line; a file that
 * cannot be read, or holds fewer than two rows, at the `trace:` value in the scenario. */
#include "models/kinesis/trace.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/units.h"

typedef enum { TIME_NONE, TIME_SECONDS, TIME_DURATION, TIME_ISO } time_kind;

/* The path of the trace: relative to the directory of the file that names it. */
static char *resolve_path(const sim_yaml_node *n)
{
	const char *slash = n->file && n->line > 0 ? strrchr(n->file, '/') : NULL;
	if (n->text[0] == '/' || !slash)
		return sim_strdup(n->text);
	return sim_asprintf("%.*s/%s", (int)(slash - n->file), n->file, n->text);
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s[n - 1] = '\0';
		s++;
	}
	return s;
}

static bool parse_number(const char *s, double *out)
{
	if (!*s)
		return false;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (*end || errno || !isfinite(v))
		return false;
	*out = v;
	return true;
}

/* n digits at *s into *out, advancing *s. */
static bool digits(const char **s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return false;
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	*out = v;
	return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm;
 * no dependence on the C library's time zone). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* YYYY-MM-DD[(T| )hh:mm[:ss[.frac]]][Z|(+|-)hh[:]mm], as ns since the Unix epoch. */
static bool parse_iso(const char *s, sim_time *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' ||
	    !digits(&s, 2, &d))
		return false;
	/* Years bound so that ns since the epoch fit in 64 bits. */
	if (y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return false;
	double frac = 0;
	int64_t offset_s = 0;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi))
			return false;
		if (*s == ':') {
			s++;
			if (!digits(&s, 2, &sec))
				return false;
			if (*s == '.' || *s == ',') {
				const char *f = ++s;
				double scale = 0.1;
				while (isdigit((unsigned char)*s)) {
					frac += (*s - '0') * scale;
					scale /= 10;
					s++;
				}
				if (s == f)
					return false;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return false;
		if (*s == 'Z' || *s == 'z') {
			s++;
		} else if (*s == '+' || *s == '-') {
			int sign = *s++ == '-' ? -1 : 1, oh, om;
			if (!digits(&s, 2, &oh))
				return false;
			if (*s == ':')
				s++;
			if (!digits(&s, 2, &om) || oh > 23 || om > 59)
				return false;
			offset_s = sign * (oh * 3600 + om * 60);
		}
	}
	if (*s)
		return false;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_s;
	*out = secs * SIM_S + (sim_time)llround(frac * 1e9);
	return true;
}

static time_kind parse_time(const char *s, sim_time *out)
{
	double v;
	char err[128];
	if (parse_number(s, &v)) {
		if (v < 0 || v > 9e9)
			return TIME_NONE;
		*out = (sim_time)llround(v * 1e9);
		return TIME_SECONDS;
	}
	if (parse_iso(s, out))
		return TIME_ISO;
	if (sim_parse_duration(s, out, err, sizeof err) == 0 && *out >= 0)
		return TIME_DURATION;
	return TIME_NONE;
}

static const char *kind_name(time_kind k)
{
	return k == TIME_ISO ? "an ISO-8601 timestamp" : "a time from the start";
}

/* Splits a line into at most 4 trimmed fields; returns how many there are. */
static size_t split(char *line, char **fields)
{
	size_t n = 0;
	for (char *p = line;; n++) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (n < 4)
			fields[n] = trim(p);
		if (!comma)
			return n + 1;
		p = comma + 1;
	}
}

int ks_trace_load(const sim_yaml_node *at, ks_trace *out, sim_diag *d)
{
	memset(out, 0, sizeof *out);
	char *path = resolve_path(at);
	FILE *f = fopen(path, "r");
	if (!f) {
		sim_diag_report(d, SIM_DIAG_ERROR, at->file, at->line, at->col,
		                "cannot read '%s': %s", at->text, strerror(errno));
		sim_free(path);
		return -EINVAL;
	}
	ks_trace t = {0};
	size_t cap = 0;
	time_kind kind = TIME_NONE;
	size_t nfields = 0;
	sim_time first = 0;
	bool bad = false, header_allowed = true;
	char *line = NULL;
	size_t linecap = 0;
	int lineno = 0;
#define BAD(...)                                                                                   \
	do {                                                                                       \
		sim_diag_report(d, SIM_DIAG_ERROR, path, lineno, 0, __VA_ARGS__);                  \
		bad = true;                                                                        \
	} while (0)
	while (!bad && getline(&line, &linecap, f) >= 0) {
		lineno++;
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *fields[4];
		size_t n = split(s, fields);
		sim_time when = 0;
		time_kind k = parse_time(fields[0], &when);
		if (k == TIME_NONE && header_allowed) {
			header_allowed = false; /* a header row */
			continue;
		}
		header_allowed = false;
		if (n < 2 || n > 3) {
			BAD("expected time,records[,bytes] (got %zu field%s)", n,
			    n == 1 ? "" : "s");
			break;
		}
		if (nfields && n != nfields) {
			BAD("expected %zu fields like the first row (got %zu)", nfields, n);
			break;
		}
		if (k == TIME_NONE) {
			BAD("time must be seconds, a duration like '90s' or an ISO-8601 timestamp "
			    "like "
			    "'2024-05-01T10:00:00Z' (got '%s')",
			    fields[0]);
			break;
		}
		if (kind != TIME_NONE && (k == TIME_ISO) != (kind == TIME_ISO)) {
			BAD("time '%s' is %s but the first row gives %s", fields[0], kind_name(k),
			    kind_name(kind));
			break;
		}
		double records, bytes = -1;
		if (!parse_number(fields[1], &records) || records < 0) {
			BAD("records must be a number >= 0 (got '%s')", fields[1]);
			break;
		}
		if (n == 3 && (!parse_number(fields[2], &bytes) || bytes < 0)) {
			BAD("bytes must be a number >= 0 (got '%s')", fields[2]);
			break;
		}
		if (kind == TIME_NONE) {
			kind = k;
			nfields = n;
			first = when;
		}
		when -= first;
		if (t.n > 0 && when <= t.rows[t.n - 1].t) {
			BAD("rows must be in time order ('%s' is not after the previous row)",
			    fields[0]);
			break;
		}
		sim_grow(&t.rows, &cap, t.n + 1, sizeof *t.rows);
		t.rows[t.n++] = (ks_trace_row){.t = when, .records = records, .bytes = bytes};
	}
#undef BAD
	if (!bad && ferror(f)) {
		sim_diag_report(d, SIM_DIAG_ERROR, at->file, at->line, at->col,
		                "cannot read '%s': %s", at->text, strerror(errno));
		bad = true;
	}
	if (!bad && t.n < 2) {
		sim_diag_report(
		        d, SIM_DIAG_ERROR, at->file, at->line, at->col,
		        "trace '%s' needs at least two rows of time,records[,bytes] (got %zu)",
		        at->text, t.n);
		sim_diag_hint(d, "each row covers the time until the next row");
		bad = true;
	}
	free(line); /* from getline: the C library's allocator, not ours */
	fclose(f);
	sim_free(path);
	if (bad) {
		sim_free(t.rows);
		return -EINVAL;
	}
	t.has_bytes = nfields == 3;
	*out = t;
	return 0;
}

void ks_trace_fini(ks_trace *t)
{
	if (!t)
		return;
	sim_free(t->rows);
	*t = (ks_trace){0};
}
