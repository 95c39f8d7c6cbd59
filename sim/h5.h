/* HDF5 writing helpers: files that are byte-identical for identical content.
 *
 * Object time tracking is off on the file, every group and every dataset, compound buffers are
 * zeroed before filling, and chunk sizes and deflate level are fixed, so the same content gives
 * the same bytes (OUTPUT.md). Files are created under a temporary name in the target's folder
 * ("NAME.partial"); sim_h5_commit renames into place only when everything was written, so a
 * crash or Ctrl-C never leaves a file that looks complete.
 *
 * All functions return 0 or a negative errno (-EIO for HDF5 failures); HDF5's own error stack
 * printing is turned off. */
#ifndef SIM_H5_H
#define SIM_H5_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_h5_file {
	hid_t id;
	char *path;    /* final name */
	char *tmppath; /* name while writing */
} sim_h5_file;

/* Creates tmppath = path + ".partial" (truncating). -errno (e.g. -ENOENT for a missing folder,
 * -EACCES) when it cannot be created. */
int sim_h5_create(sim_h5_file *f, const char *path);
/* Flushes, closes and renames onto path, then frees f's names. On failure the file is closed
 * but the names are kept: call sim_h5_abandon to remove or keep the partial file. */
int sim_h5_commit(sim_h5_file *f);
/* Closes without renaming (the partial file stays, for an interrupted run); frees f's names. */
void sim_h5_abandon(sim_h5_file *f, int remove_file);

/* A group (intermediate groups created), with time tracking off. Close with H5Gclose. */
hid_t sim_h5_group(hid_t parent, const char *path);

int sim_h5_attr_string(hid_t obj, const char *name, const char *value);
int sim_h5_attr_int(hid_t obj, const char *name, int64_t value);
int sim_h5_attr_double(hid_t obj, const char *name, double value);

/* A scalar variable-length UTF-8 string dataset. */
int sim_h5_string_dataset(hid_t parent, const char *name, const char *value,
                          const char *description);

/* Chunked, shuffle+deflate datasets with `units` and `description` attributes. dims: rank 1
 * ([rows]) when cols == 0, else rank 2 ([rows x cols]). */
int sim_h5_doubles(hid_t parent, const char *name, const double *data, size_t rows, size_t cols,
                   const char *units, const char *description);
int sim_h5_u64s(hid_t parent, const char *name, const uint64_t *data, size_t n, const char *units,
                const char *description);
int sim_h5_i64s(hid_t parent, const char *name, const int64_t *data, size_t n, const char *units,
                const char *description);
/* A 1-D dataset of variable-length strings (e.g. shard ids), usable as a dimension scale. */
int sim_h5_strings(hid_t parent, const char *name, const char *const *values, size_t n,
                   const char *description);
/* Marks dataset `scale` as a dimension scale and attaches it to dimension dim of `dataset`. */
int sim_h5_attach_scale(hid_t parent, const char *dataset, const char *scale, unsigned dim);

/* A summary table: compound {name: vlen string, value: float64, unit: vlen string}. */
typedef struct sim_h5_summary_row {
	const char *name;
	double value;
	const char *unit;
} sim_h5_summary_row;
int sim_h5_summary(hid_t parent, const char *name, const sim_h5_summary_row *rows, size_t n,
                   const char *description);

/* A statistics table: compound {name, mean, stddev, ci95: float64, unit}; ci95 is NaN where it
 * is not defined (one replication). */
typedef struct sim_h5_stats_row {
	const char *name;
	double mean, stddev, ci95;
	const char *unit;
} sim_h5_stats_row;
int sim_h5_stats(hid_t parent, const char *name, const sim_h5_stats_row *rows, size_t n,
                 const char *description);

#endif
