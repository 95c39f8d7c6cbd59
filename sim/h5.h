/* HDF5 writing helpers: files that are byte-identical for identical content.
 *
 * Object time tracking is off on the file, every group and every dataset, compound buffers are
 * zeroed before filling, and chunk sizes and deflate level are fixed, so the same content gives
 * the same bytes (docs/output.md). Files are written under a temporary name in the target's folder,
 * created exclusively ("NAME.partial", or "NAME.<pid>.partial" when that name is taken), so
 * that no two writers share a file; sim_h5_commit renames into place only when everything was
 * written and synced, so a crash or a signal never leaves a file that looks complete.
 *
 * All functions return 0 or a negative errno: the system error behind an HDF5 failure when
 * HDF5 names one (-ENOSPC, -EFBIG...), else -EIO. HDF5's own error stack printing is off. */
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

/* Creates the temporary file exclusively (O_EXCL: never truncating another writer's file or
 * one an interrupted run left): path + ".partial", or when that name exists path +
 * ".<pid>.partial", then path + ".<pid>-<n>.partial". -errno (e.g. -ENOENT for a missing folder,
 * -EACCES) when it cannot be created; nothing is left behind then. */
int sim_h5_create(sim_h5_file *f, const char *path);
/* Flushes and closes the file and syncs it to disk, keeping it under its temporary name (the
 * partial file of an interrupted run). Keeps f's names; 0 when already closed. */
int sim_h5_close(sim_h5_file *f);
/* sim_h5_close, then renames the file onto path (replacing what is there) and syncs the folder;
 * frees f's names. On failure the names are kept: call sim_h5_abandon. The caller checks what
 * path is before: rename replaces a FIFO or a device node as readily as a file. */
int sim_h5_commit(sim_h5_file *f);
/* Closes (errors ignored), removes the temporary file when remove_file, frees f's names. Only
 * the file this writer created is ever removed. */
void sim_h5_abandon(sim_h5_file *f, int remove_file);

/* Releases HDF5's memory at the end of the program (H5close). HDF5 1.10 crashes in its own exit
 * handler after a failed H5Fclose (a full disk): the file's identifier outlives the state it
 * names. sim_h5_create therefore keeps HDF5 from installing that handler, and this function
 * does nothing once a close has failed. Call it once, when done with HDF5. */
void sim_h5_library_close(void);

/* The error of the latest failed call of this module (e.g. sim_h5_group, which returns an
 * identifier): -errno as the other functions return it. */
int sim_h5_error(void);

/* A group (intermediate groups created), with time tracking off. Close with H5Gclose. */
hid_t sim_h5_group(hid_t parent, const char *path);

int sim_h5_attr_string(hid_t obj, const char *name, const char *value);
int sim_h5_attr_int(hid_t obj, const char *name, int64_t value);
int sim_h5_attr_double(hid_t obj, const char *name, double value);

/* A scalar variable-length UTF-8 string dataset. */
int sim_h5_string_dataset(hid_t parent, const char *name, const char *value,
                          const char *description);

typedef struct sim_h5_scale sim_h5_scale;

/* Chunked, shuffle+deflate datasets (stored plain under 4 KiB of data) with `units` and
 * `description` attributes. dims: rank 1
 * ([rows]) when cols == 0, else rank 2 ([rows x cols]). data NULL: all zeros (nothing is
 * written; readers get the fill value, 0, and the file holds no chunks). scales: NULL, or one
 * dimension scale (or NULL) per dimension, attached as the dataset is written. */
int sim_h5_doubles(hid_t parent, const char *name, const double *data, size_t rows, size_t cols,
                   const char *units, const char *description, sim_h5_scale *const *scales);
int sim_h5_u64s(hid_t parent, const char *name, const uint64_t *data, size_t n, const char *units,
                const char *description, sim_h5_scale *const *scales);
int sim_h5_i64s(hid_t parent, const char *name, const int64_t *data, size_t n, const char *units,
                const char *description);
/* Dataset `name` of parent holding what dataset `path` of `from` holds, its stored chunks
 * copied as they are (not filtered again), with `units` and `description` attributes and no
 * other (the source's are not copied). */
int sim_h5_copy_data(hid_t from, const char *path, hid_t parent, const char *name,
                     const char *units, const char *description);
/* A series of whole numbers (counts, bytes) held as doubles in memory, stored as int64, laid
 * out as sim_h5_doubles. */
int sim_h5_counts(hid_t parent, const char *name, const double *data, size_t rows, size_t cols,
                  const char *units, const char *description, sim_h5_scale *const *scales);
/* An event table: rows x ncols doubles (row-major) stored as a 1-D compound dataset with one
 * member per name of `columns` (comma-separated), float64 for names ending in "_s" (times in
 * seconds), int64 for the others (counts, sequence numbers, codes). The table is a dimension
 * scale of its own rows, so netCDF readers (xarray) see a dimension of its name. */
int sim_h5_events(hid_t parent, const char *name, const double *data, size_t rows, size_t ncols,
                  const char *columns, const char *description);
/* A soft link `name` in loc to the absolute path `target` (the run's `time` scale in each
 * entity group, so a reader of one group finds its time coordinate there; a soft link, unlike a
 * hard one, leaves the target's own name the one h5py and H5Iget_name report). */
int sim_h5_soft_link(hid_t loc, const char *name, const char *target);
/* The absolute path of an object (e.g. "/points/p0001"), malloc'ed; NULL on failure. */
char *sim_h5_path(hid_t obj);
/* A 1-D dataset of variable-length strings (e.g. shard ids), usable as a dimension scale. */
int sim_h5_strings(hid_t parent, const char *name, const char *const *values, size_t n,
                   const char *description);
/* A dimension scale (a run's `time`, a group's shard ids, a histogram's bucket bounds): the
 * datasets written with it (sim_h5_doubles' scales) get their DIMENSION_LIST as they are
 * written, and the scale's REFERENCE_LIST is written once, by sim_h5_scale_write, so the file
 * grows linearly with the attachments (H5DSattach_scale rewrites it at each one, and the file
 * keeps every old copy). The attributes are those H5DSattach_scale writes (H5DS, h5py and
 * netCDF read them as usual). */
/* Makes dataset `path` (under parent) a dimension scale named by its base name. NULL on
 * failure (sim_h5_error says why). */
sim_h5_scale *sim_h5_scale_create(hid_t parent, const char *path);
/* Writes the REFERENCE_LIST of every attachment: once per scale (a second write fails). */
int sim_h5_scale_write(sim_h5_scale *s);
void sim_h5_scale_destroy(sim_h5_scale *s); /* NULL: nothing; does not write */

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
