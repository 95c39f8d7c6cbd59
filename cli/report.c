/* kinesim report FILE.h5...: the summary of finished run (or sweep) files, read back from
 * their /summary tables: the same verdict and tables as `run` prints, several files side by
 * side. A file that is not kinesim's, of an unknown format_version, or incomplete (an
 * interrupted run's .partial) is refused with what is wrong.
 *
 * Strings are read as the file stores them (fixed-length or variable-length) and numbers of
 * any type as native doubles (HDF5 converts), so files of other writers of the same layout
 * read alike. */
#include <errno.h>
#include <getopt.h>
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "cli/output.h"
#include "sim/alloc.h"
#include "sim/h5.h"

/* The summary tables report reads are the same in every format so far. */
#define OLDEST_FORMAT_VERSION 1

static const char report_usage[] =
        "report FILE.h5 [FILE2.h5...] [--format text|json|csv|markdown] [--detail]";

/* What was read of one file, or one point of a sweep file. */
typedef struct read_summary {
	char *label, *scenario;
	unsigned long long seed;
	unsigned replications;
	double measured_s;
	cli_summary_row *rows;
	size_t n;
} read_summary;

static void read_summary_free(read_summary *r)
{
	for (size_t i = 0; i < r->n; i++) {
		sim_free((char *)r->rows[i].path);
		sim_free((char *)r->rows[i].unit);
	}
	sim_free(r->rows);
	sim_free(r->label);
	sim_free(r->scenario);
}

/* A string of type t (fixed or variable length) from buf; a copy. */
static char *string_from(hid_t t, const void *buf)
{
	if (H5Tis_variable_str(t) > 0) {
		const char *s = *(char *const *)buf;
		return sim_strdup(s ? s : "");
	}
	return sim_strndup(buf, H5Tget_size(t));
}

/* A string attribute, NULL when absent or not a string. */
static char *attr_string(hid_t obj, const char *name)
{
	if (H5Aexists(obj, name) <= 0)
		return NULL;
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
	hid_t t = a < 0 ? H5I_INVALID_HID : H5Aget_type(a);
	char *out = NULL;
	if (t >= 0 && H5Tget_class(t) == H5T_STRING) {
		size_t size = H5Tis_variable_str(t) > 0 ? sizeof(char *) : H5Tget_size(t);
		void *buf = sim_calloc(1, size + 1);
		if (H5Aread(a, t, buf) >= 0) {
			out = string_from(t, buf);
			if (H5Tis_variable_str(t) > 0) {
				hid_t s = H5Aget_space(a);
				H5Dvlen_reclaim(t, s, H5P_DEFAULT, buf);
				H5Sclose(s);
			}
		}
		sim_free(buf);
	}
	if (t >= 0)
		H5Tclose(t);
	if (a >= 0)
		H5Aclose(a);
	return out;
}

/* A numeric attribute as a double; NaN when absent or not a number. */
static double attr_number(hid_t obj, const char *name)
{
	if (H5Aexists(obj, name) <= 0)
		return NAN;
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
	hid_t t = a < 0 ? H5I_INVALID_HID : H5Aget_type(a);
	double v = NAN;
	H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
	if ((c == H5T_INTEGER || c == H5T_FLOAT) && H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0)
		v = NAN;
	if (t >= 0)
		H5Tclose(t);
	if (a >= 0)
		H5Aclose(a);
	return v;
}

/* One member of the compound dataset d, n rows: strings into out_s (copies) or numbers into
 * out_d. Returns 0, or -1 when the member is missing or of another kind. */
static int read_member(hid_t d, hid_t ftype, const char *member, size_t n, char **out_s,
                       double *out_d)
{
	int idx = H5Tget_member_index(ftype, member);
	if (idx < 0)
		return -1;
	hid_t mt = H5Tget_member_type(ftype, (unsigned)idx);
	H5T_class_t cls = H5Tget_class(mt);
	int rc = -1;
	if (out_s && cls == H5T_STRING) {
		bool vlen = H5Tis_variable_str(mt) > 0;
		hid_t st = H5Tcopy(H5T_C_S1);
		size_t size = vlen ? sizeof(char *) : H5Tget_size(mt);
		H5Tset_size(st, vlen ? H5T_VARIABLE : size);
		H5Tset_cset(st, H5Tget_cset(mt));
		hid_t mem = H5Tcreate(H5T_COMPOUND, size);
		H5Tinsert(mem, member, 0, st);
		char *buf = sim_calloc(n ? n : 1, size);
		if (H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0) {
			for (size_t i = 0; i < n; i++)
				out_s[i] = string_from(st, buf + i * size);
			if (vlen) {
				hid_t sp = H5Dget_space(d);
				H5Dvlen_reclaim(mem, sp, H5P_DEFAULT, buf);
				H5Sclose(sp);
			}
			rc = 0;
		}
		sim_free(buf);
		H5Tclose(mem);
		H5Tclose(st);
	} else if (out_d && (cls == H5T_INTEGER || cls == H5T_FLOAT)) {
		hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(double));
		H5Tinsert(mem, member, 0, H5T_NATIVE_DOUBLE);
		rc = H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, out_d) >= 0 ? 0 : -1;
		H5Tclose(mem);
	}
	H5Tclose(mt);
	return rc;
}

/* The summary across replications at `at` (a file's root or a sweep's point). Returns 0, or
 * writes why not into why. */
static int read_summary_table(hid_t at, read_summary *out, char *why, size_t len)
{
	if (H5Lexists(at, "summary", H5P_DEFAULT) <= 0) {
		snprintf(why, len, "it has no summary: the run did not finish");
		return -1;
	}
	hid_t d = H5Dopen2(at, "summary", H5P_DEFAULT);
	hid_t t = d < 0 ? H5I_INVALID_HID : H5Dget_type(d);
	hid_t sp = d < 0 ? H5I_INVALID_HID : H5Dget_space(d);
	int rc = -1;
	if (t >= 0 && H5Tget_class(t) == H5T_COMPOUND && sp >= 0 &&
	    H5Sget_simple_extent_ndims(sp) == 1) {
		hsize_t n = 0;
		H5Sget_simple_extent_dims(sp, &n, NULL);
		char **names = sim_calloc(n ? n : 1, sizeof *names);
		char **units = sim_calloc(n ? n : 1, sizeof *units);
		double *mean = sim_calloc(n ? n : 1, sizeof *mean);
		double *sd = sim_calloc(n ? n : 1, sizeof *sd);
		double *ci = sim_calloc(n ? n : 1, sizeof *ci);
		rc = read_member(d, t, "name", n, names, NULL);
		rc = rc ? rc : read_member(d, t, "mean", n, NULL, mean);
		rc = rc ? rc : read_member(d, t, "unit", n, units, NULL);
		if (!rc && read_member(d, t, "stddev", n, NULL, sd) < 0)
			for (size_t i = 0; i < n; i++)
				sd[i] = NAN;
		if (!rc && read_member(d, t, "ci95", n, NULL, ci) < 0)
			for (size_t i = 0; i < n; i++)
				ci[i] = NAN;
		if (!rc) {
			out->rows = sim_calloc(n ? n : 1, sizeof *out->rows);
			out->n = n;
			for (size_t i = 0; i < n; i++)
				out->rows[i] = (cli_summary_row){names[i], units[i], mean[i], sd[i],
				                                 isnan(ci[i]) ? -1 : ci[i]};
		} else {
			for (size_t i = 0; i < n; i++) {
				sim_free(names[i]);
				sim_free(units[i]);
			}
		}
		sim_free(names);
		sim_free(units);
		sim_free(mean);
		sim_free(sd);
		sim_free(ci);
	}
	if (rc)
		snprintf(why, len, "its summary table is not name, mean, unit rows");
	if (sp >= 0)
		H5Sclose(sp);
	if (t >= 0)
		H5Tclose(t);
	if (d >= 0)
		H5Dclose(d);
	return rc;
}

/* Whether every replication under `at` finished (complete = 1); measured_s from the first. */
static int check_runs(hid_t at, read_summary *out, char *why, size_t len)
{
	out->measured_s = NAN;
	for (unsigned r = 0;; r++) {
		char name[32];
		snprintf(name, sizeof name, "runs/r%04u", r);
		if (H5Lexists(at, "runs", H5P_DEFAULT) <= 0 ||
		    H5Lexists(at, name, H5P_DEFAULT) <= 0) {
			if (r == 0) {
				snprintf(why, len, "it has no runs: the run did not finish");
				return -1;
			}
			return 0;
		}
		hid_t g = H5Gopen2(at, name, H5P_DEFAULT);
		if (g < 0) {
			snprintf(why, len, "%s cannot be read", name);
			return -1;
		}
		double complete = attr_number(g, "complete");
		if (r == 0)
			out->measured_s = attr_number(g, "duration_s") - attr_number(g, "warmup_s");
		H5Gclose(g);
		if (complete != 1) {
			snprintf(why, len,
			         "it is incomplete: replication %u did not finish (an interrupted "
			         "run)",
			         r);
			return -1;
		}
	}
}

/* One run's header and summary at `at`. */
static int read_run(hid_t at, const char *label, read_summary *out, char *why, size_t len)
{
	*out = (read_summary){.label = sim_strdup(label)};
	char *name = attr_string(at, "scenario_name");
	out->scenario = name ? name : sim_strdup("?");
	double seed = attr_number(at, "seed"), reps = attr_number(at, "replications");
	out->seed = isnan(seed) ? 0 : (unsigned long long)seed;
	out->replications = isnan(reps) ? 0 : (unsigned)reps;
	if (check_runs(at, out, why, len) < 0 || read_summary_table(at, out, why, len) < 0)
		return -1;
	return 0;
}

/* Appends the summaries of `path` (one, or one per point of a sweep). Returns 0 or an exit
 * code after printing why. */
static int read_file(const char *path, read_summary **all, size_t *n)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "kinesim report: cannot read '%s': %s\n", path, strerror(errno));
		return EXIT_NO_SCENARIO;
	}
	if (S_ISDIR(st.st_mode)) {
		fprintf(stderr,
		        "kinesim report: '%s' is a directory; give the .h5 file a run wrote\n",
		        path);
		return EXIT_NO_SCENARIO;
	}
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	hid_t f =
	        H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : H5I_INVALID_HID;
	if (f < 0) {
		fprintf(stderr,
		        "kinesim report: '%s' is not an HDF5 file (kinesim run writes one "
		        "with -o FILE.h5)\n",
		        path);
		return EXIT_BAD_SCENARIO;
	}
	int rc = 0;
	char why[256] = "";
	char *format = attr_string(f, "format");
	double version = attr_number(f, "format_version");
	size_t len = strlen(path);
	if (!format || strcmp(format, "kinesim") != 0) {
		fprintf(stderr,
		        "kinesim report: '%s' is not a kinesim file (its root has no format = "
		        "\"kinesim\" attribute)\n",
		        path);
		rc = EXIT_BAD_SCENARIO;
	} else if (!(version >= OLDEST_FORMAT_VERSION && version <= OUT_FORMAT_VERSION) ||
	           version != (int)version) {
		fprintf(stderr,
		        "kinesim report: '%s' is of format_version %g; this kinesim reads versions "
		        "%d to %d (use the kinesim that wrote it)\n",
		        path, version, OLDEST_FORMAT_VERSION, OUT_FORMAT_VERSION);
		rc = EXIT_BAD_SCENARIO;
	} else if (len > 8 && strcmp(path + len - 8, ".partial") == 0) {
		fprintf(stderr,
		        "kinesim report: '%s' is incomplete: a run still writing it, or an "
		        "interrupted one's partial results (its finished file has no .partial)\n",
		        path);
		rc = EXIT_BAD_SCENARIO;
	}
	char *kind = rc ? NULL : attr_string(f, "kind");
	if (!rc && kind && strcmp(kind, "sweep") == 0) {
		double points = attr_number(f, "points");
		for (size_t p = 0; !rc && p < (isnan(points) ? 0 : (size_t)points); p++) {
			char group[32], *label;
			snprintf(group, sizeof group, "points/p%04zu", p);
			hid_t g = H5Lexists(f, "points", H5P_DEFAULT) > 0 &&
			                          H5Lexists(f, group, H5P_DEFAULT) > 0
			                  ? H5Gopen2(f, group, H5P_DEFAULT)
			                  : H5I_INVALID_HID;
			char *assignments = g >= 0 ? attr_string(g, "assignments") : NULL;
			label = assignments && *assignments
			                ? sim_asprintf("%s:p%04zu (%s)", path, p, assignments)
			                : sim_asprintf("%s:p%04zu", path, p);
			*all = sim_realloc(*all, (*n + 1) * sizeof **all);
			if (g < 0) {
				snprintf(why, sizeof why, "it has no %s: the sweep did not finish",
				         group);
				rc = EXIT_BAD_SCENARIO;
			} else if (read_run(g, label, &(*all)[*n], why, sizeof why) < 0) {
				read_summary_free(&(*all)[*n]);
				rc = EXIT_BAD_SCENARIO;
			} else {
				(*n)++;
			}
			if (g >= 0)
				H5Gclose(g);
			sim_free(assignments);
			sim_free(label);
		}
	} else if (!rc) {
		*all = sim_realloc(*all, (*n + 1) * sizeof **all);
		if (read_run(f, path, &(*all)[*n], why, sizeof why) < 0) {
			read_summary_free(&(*all)[*n]);
			rc = EXIT_BAD_SCENARIO;
		} else {
			(*n)++;
		}
	}
	if (rc && why[0])
		fprintf(stderr, "kinesim report: cannot report '%s': %s\n", path, why);
	sim_free(kind);
	sim_free(format);
	H5Fclose(f);
	return rc;
}

int cli_report(int argc, char **argv)
{
	static const struct option options[] = {
	        {"format", required_argument, NULL, 'f'},
	        {"detail", no_argument, NULL, 'D'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	cli_format format = CLI_FORMAT_TEXT;
	bool detail = false;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'f': {
			int rc = cli_option_summary_format("report", optarg, &format);
			if (rc)
				return rc;
			break;
		}
		case 'D': detail = true; break;
		case 'h': printf("usage: kinesim %s\n", report_usage); return EXIT_OK;
		case ':':
			return cli_usage_error("report", "option '%s' needs a value",
			                       argv[optind - 1]);
		default: return cli_usage_error("report", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("report", "no file given (the .h5 file of a finished run)");
	read_summary *all = NULL;
	size_t n = 0;
	int rc = 0;
	for (int i = optind; i < argc && rc == 0; i++)
		rc = read_file(argv[i], &all, &n);
	if (rc == 0 && n > 0) {
		cli_summary *s = sim_calloc(n, sizeof *s);
		for (size_t i = 0; i < n; i++)
			s[i] = (cli_summary){
			        .label = all[i].label,
			        .scenario = all[i].scenario,
			        .seed = all[i].seed,
			        .replications = all[i].replications,
			        .measured_s = all[i].measured_s,
			        .rows = all[i].rows,
			        .n = all[i].n,
			};
		cli_output out;
		cli_print_summaries(cli_output_open(&out), format, detail, s, n);
		cli_output_close(&out);
		sim_free(s);
	}
	for (size_t i = 0; i < n; i++)
		read_summary_free(&all[i]);
	sim_free(all);
	sim_h5_library_close();
	return rc;
}
