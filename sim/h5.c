/* HDF5 writing helpers: the same content always gives the same bytes.
 *
 * What makes a file deterministic here (OUTPUT.md):
 * - object time tracking is off on every creation property list we pass (file, so the root
 *   group; each group, including the intermediate ones, which we create one by one because
 *   HDF5 would give automatically created intermediate groups the default, time-tracking plist;
 *   each dataset). Attributes carry no times.
 * - the file format is pinned to the 1.8 object formats (libver bounds V18..V18), so a newer
 *   library writes the same structures and 1.8 readers still open the files;
 * - chunk shapes depend only on the dataset's shape, the filters and their levels are fixed;
 * - every buffer handed to HDF5 is fully initialised: compound buffers are calloc'ed.
 *
 * Ownership: a sim_h5_file owns its two names (sim_strdup) and the HDF5 file id. The file is
 * opened with the "strong" close degree, so closing it also closes any object a caller forgot,
 * and a commit always writes everything. */
#include "sim/h5.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5_hl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/alloc.h"

/* Rows per chunk, and the most bytes a chunk may hold (wide tables get fewer rows). Fixed, so
 * the chunk shape is a function of the dataset's shape only. */
enum { CHUNK_ROWS = 1024, CHUNK_MAX_BYTES = 1 << 20, DEFLATE_LEVEL = 4 };

static hid_t utf8_string_type(void)
{
	hid_t t = H5Tcopy(H5T_C_S1);

	if (t < 0)
		return t;
	if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
		H5Tclose(t);
		return H5I_INVALID_HID;
	}
	return t;
}

/* An object (group or dataset) creation plist of class cls with time tracking off. */
static hid_t untimed_plist(hid_t cls)
{
	hid_t p = H5Pcreate(cls);

	if (p >= 0 && H5Pset_obj_track_times(p, 0) < 0) {
		H5Pclose(p);
		return H5I_INVALID_HID;
	}
	return p;
}

int sim_h5_create(sim_h5_file *f, const char *path)
{
	char *tmppath = sim_asprintf("%s.partial", path);
	hid_t fcpl = H5I_INVALID_HID, fapl = H5I_INVALID_HID, id = H5I_INVALID_HID;
	int fd;

	/* Library code never prints; errors come back as return values. */
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

	/* HDF5 reports a failed open as a generic error; opening the name ourselves first gives
	 * the caller the real reason (ENOENT, EACCES, EROFS...). */
	fd = open(tmppath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		int err = -errno;

		sim_free(tmppath);
		return err;
	}
	close(fd);

	fcpl = untimed_plist(H5P_FILE_CREATE);
	fapl = H5Pcreate(H5P_FILE_ACCESS);
	if (fcpl >= 0 && fapl >= 0 &&
	    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18) >= 0 &&
	    H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0)
		id = H5Fcreate(tmppath, H5F_ACC_TRUNC, fcpl, fapl);
	if (fcpl >= 0)
		H5Pclose(fcpl);
	if (fapl >= 0)
		H5Pclose(fapl);
	if (id < 0) {
		unlink(tmppath);
		sim_free(tmppath);
		return -EIO;
	}
	f->id = id;
	f->path = sim_strdup(path);
	f->tmppath = tmppath;
	return 0;
}

static void release(sim_h5_file *f)
{
	sim_free(f->path);
	sim_free(f->tmppath);
	f->path = f->tmppath = NULL;
}

/* The data must be on disk before the rename makes the name visible, or a crash could leave a
 * complete-looking name over incomplete contents. */
static int sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int sim_h5_commit(sim_h5_file *f)
{
	int rc = 0;

	if (H5Fflush(f->id, H5F_SCOPE_GLOBAL) < 0)
		rc = -EIO;
	if (H5Fclose(f->id) < 0 && rc == 0)
		rc = -EIO;
	f->id = H5I_INVALID_HID;
	if (rc == 0)
		rc = sync_path(f->tmppath);
	if (rc == 0 && rename(f->tmppath, f->path) < 0)
		rc = -errno;
	if (rc == 0)
		release(f);
	return rc;
}

void sim_h5_abandon(sim_h5_file *f, int remove_file)
{
	if (f->id >= 0)
		H5Fclose(f->id);
	f->id = H5I_INVALID_HID;
	if (remove_file && f->tmppath)
		unlink(f->tmppath);
	release(f);
}

/* Opens child `name` of parent, creating it (untimed) when missing. */
static hid_t open_or_create_group(hid_t parent, const char *name)
{
	htri_t exists = H5Lexists(parent, name, H5P_DEFAULT);
	hid_t gcpl, g;

	if (exists < 0)
		return H5I_INVALID_HID;
	if (exists)
		return H5Gopen2(parent, name, H5P_DEFAULT);
	gcpl = untimed_plist(H5P_GROUP_CREATE);
	if (gcpl < 0)
		return gcpl;
	g = H5Gcreate2(parent, name, H5P_DEFAULT, gcpl, H5P_DEFAULT);
	H5Pclose(gcpl);
	return g;
}

hid_t sim_h5_group(hid_t parent, const char *path)
{
	char *copy = sim_strdup(path);
	char *save = NULL;
	hid_t cur = H5Gopen2(parent, path[0] == '/' ? "/" : ".", H5P_DEFAULT);

	for (char *part = strtok_r(copy, "/", &save); part && cur >= 0;
	     part = strtok_r(NULL, "/", &save)) {
		hid_t next = open_or_create_group(cur, part);

		H5Gclose(cur);
		cur = next;
	}
	sim_free(copy);
	return cur;
}

/* Attributes are replaced when they exist, so a writer can set `complete` twice. The file type
 * is fixed (little-endian numbers); HDF5 converts from the memory type. */
static int write_attr(hid_t obj, const char *name, hid_t ftype, hid_t mtype, const void *value)
{
	hid_t space, a;
	int rc = -EIO;
	htri_t exists = H5Aexists(obj, name);

	if (exists < 0 || (exists > 0 && H5Adelete(obj, name) < 0))
		return -EIO;
	space = H5Screate(H5S_SCALAR);
	if (space < 0)
		return -EIO;
	a = H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
	if (a >= 0) {
		if (H5Awrite(a, mtype, value) >= 0)
			rc = 0;
		H5Aclose(a);
	}
	H5Sclose(space);
	return rc;
}

int sim_h5_attr_string(hid_t obj, const char *name, const char *value)
{
	hid_t t = utf8_string_type();
	const char *v = value ? value : "";
	int rc;

	if (t < 0)
		return -EIO;
	rc = write_attr(obj, name, t, t, &v);
	H5Tclose(t);
	return rc;
}

int sim_h5_attr_int(hid_t obj, const char *name, int64_t value)
{
	return write_attr(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

int sim_h5_attr_double(hid_t obj, const char *name, double value)
{
	return write_attr(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

/* The two attributes every dataset carries. */
static int label(hid_t d, const char *units, const char *description)
{
	int rc = sim_h5_attr_string(d, "units", units ? units : "");

	if (rc == 0)
		rc = sim_h5_attr_string(d, "description", description ? description : "");
	return rc;
}

/* Creates dataset `name` of `ftype`, writes `data` (memory type `mtype`; nothing when the
 * dataspace is empty), labels it and closes it. `dcpl` has time tracking off already. */
static int make_dataset(hid_t parent, const char *name, hid_t ftype, hid_t mtype, hid_t space,
                        hid_t dcpl, const void *data, int empty, const char *units,
                        const char *description)
{
	hid_t d = H5Dcreate2(parent, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
	int rc = -EIO;

	if (d < 0)
		return -EIO;
	if (empty || H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0)
		rc = label(d, units, description);
	H5Dclose(d);
	return rc;
}

/* A chunked 1-D or 2-D dataset: rows extendable (so empty datasets and later appends work),
 * chunk rows = min(rows, CHUNK_ROWS, CHUNK_MAX_BYTES / row bytes), at least 1. */
static int write_table(hid_t parent, const char *name, hid_t ftype, hid_t mtype, const void *data,
                       size_t rows, size_t cols, int filtered, const char *units,
                       const char *description)
{
	int rank = cols ? 2 : 1;
	size_t row_bytes = H5Tget_size(ftype) * (cols ? cols : 1);
	size_t chunk_rows = rows < CHUNK_ROWS ? rows : CHUNK_ROWS;
	hsize_t dims[2] = {rows, cols}, maxdims[2] = {H5S_UNLIMITED, cols}, chunk[2];
	hid_t space, dcpl;
	int rc = -EIO;

	if (row_bytes == 0)
		return -EIO;
	if (chunk_rows > CHUNK_MAX_BYTES / row_bytes)
		chunk_rows = CHUNK_MAX_BYTES / row_bytes;
	if (chunk_rows == 0)
		chunk_rows = 1;
	chunk[0] = chunk_rows;
	chunk[1] = cols;

	space = H5Screate_simple(rank, dims, maxdims);
	if (space < 0)
		return -EIO;
	dcpl = untimed_plist(H5P_DATASET_CREATE);
	if (dcpl >= 0 && H5Pset_chunk(dcpl, rank, chunk) >= 0 &&
	    (!filtered || (H5Pset_shuffle(dcpl) >= 0 && H5Pset_deflate(dcpl, DEFLATE_LEVEL) >= 0)))
		rc = make_dataset(parent, name, ftype, mtype, space, dcpl, data, rows == 0, units,
		                  description);
	if (dcpl >= 0)
		H5Pclose(dcpl);
	H5Sclose(space);
	return rc;
}

int sim_h5_string_dataset(hid_t parent, const char *name, const char *value,
                          const char *description)
{
	hid_t t = utf8_string_type(), space = H5Screate(H5S_SCALAR);
	hid_t dcpl = untimed_plist(H5P_DATASET_CREATE);
	const char *v = value ? value : "";
	int rc = -EIO;

	if (t >= 0 && space >= 0 && dcpl >= 0)
		rc = make_dataset(parent, name, t, t, space, dcpl, &v, 0, "", description);
	if (dcpl >= 0)
		H5Pclose(dcpl);
	if (space >= 0)
		H5Sclose(space);
	if (t >= 0)
		H5Tclose(t);
	return rc;
}

int sim_h5_doubles(hid_t parent, const char *name, const double *data, size_t rows, size_t cols,
                   const char *units, const char *description)
{
	return write_table(parent, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, data, rows, cols, 1,
	                   units, description);
}

int sim_h5_u64s(hid_t parent, const char *name, const uint64_t *data, size_t n, const char *units,
                const char *description)
{
	return write_table(parent, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, data, n, 0, 1, units,
	                   description);
}

int sim_h5_i64s(hid_t parent, const char *name, const int64_t *data, size_t n, const char *units,
                const char *description)
{
	return write_table(parent, name, H5T_STD_I64LE, H5T_NATIVE_INT64, data, n, 0, 1, units,
	                   description);
}

int sim_h5_strings(hid_t parent, const char *name, const char *const *values, size_t n,
                   const char *description)
{
	/* NULL entries become "", so readers never meet a missing string. */
	const char **v = sim_calloc(n ? n : 1, sizeof *v);
	hid_t t = utf8_string_type();
	int rc = -EIO;

	for (size_t i = 0; i < n; i++)
		v[i] = values[i] ? values[i] : "";
	/* Variable-length strings are heap references in the file: filters gain nothing. */
	if (t >= 0)
		rc = write_table(parent, name, t, t, v, n, 0, 0, "", description);
	if (t >= 0)
		H5Tclose(t);
	sim_free(v);
	return rc;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int sim_h5_attach_scale(hid_t parent, const char *dataset, const char *scale, unsigned dim)
{
	hid_t d = H5Dopen2(parent, dataset, H5P_DEFAULT);
	hid_t s = H5Dopen2(parent, scale, H5P_DEFAULT);
	int rc = -EIO;
	htri_t is_scale;

	if (d < 0 || s < 0)
		goto out;
	is_scale = H5DSis_scale(s);
	/* A scale's NAME is its dataset name without the path. */
	if (is_scale < 0 || (!is_scale && H5DSset_scale(s, base_name(scale)) < 0))
		goto out;
	/* REFERENCE_LIST's compound element has 4 padding bytes that the library leaves
	 * uninitialised in its buffers; HDF5 1.10.8 converts it member by member into a zeroed
	 * buffer, so they reach the file as zeros (checked by the valgrind run and the
	 * identical-bytes test, which attaches one scale to two datasets). */
	if (H5DSattach_scale(d, s, dim) >= 0)
		rc = 0;
out:
	if (s >= 0)
		H5Dclose(s);
	if (d >= 0)
		H5Dclose(d);
	return rc;
}

/* The memory row of a summary table; its layout is described to HDF5 member by member. */
typedef struct summary_mem {
	const char *name;
	double value;
	const char *unit;
} summary_mem;

static hid_t summary_type(hid_t str, hid_t dbl)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(summary_mem));

	if (t < 0)
		return t;
	if (H5Tinsert(t, "name", offsetof(summary_mem, name), str) < 0 ||
	    H5Tinsert(t, "value", offsetof(summary_mem, value), dbl) < 0 ||
	    H5Tinsert(t, "unit", offsetof(summary_mem, unit), str) < 0) {
		H5Tclose(t);
		return H5I_INVALID_HID;
	}
	return t;
}

/* A compound table whose memory and file types `type` builds from a string and a double type. */
static int write_compound(hid_t parent, const char *name, hid_t (*type)(hid_t, hid_t),
                          const void *buf, size_t n, const char *description)
{
	hid_t str = utf8_string_type();
	hid_t mtype = H5I_INVALID_HID, ftype = H5I_INVALID_HID;
	int rc = -EIO;

	if (str >= 0) {
		mtype = type(str, H5T_NATIVE_DOUBLE);
		ftype = type(str, H5T_IEEE_F64LE);
	}
	if (mtype >= 0 && ftype >= 0)
		rc = write_table(parent, name, ftype, mtype, buf, n, 0, 0, "", description);
	if (ftype >= 0)
		H5Tclose(ftype);
	if (mtype >= 0)
		H5Tclose(mtype);
	if (str >= 0)
		H5Tclose(str);
	return rc;
}

int sim_h5_summary(hid_t parent, const char *name, const sim_h5_summary_row *rows, size_t n,
                   const char *description)
{
	/* calloc: any padding the compiler puts in summary_mem is zero, not stack garbage. */
	summary_mem *buf = sim_calloc(n ? n : 1, sizeof *buf);
	for (size_t i = 0; i < n; i++) {
		buf[i].name = rows[i].name ? rows[i].name : "";
		buf[i].value = rows[i].value;
		buf[i].unit = rows[i].unit ? rows[i].unit : "";
	}
	int rc = write_compound(parent, name, summary_type, buf, n, description);
	sim_free(buf);
	return rc;
}

/* The memory row of a statistics table (the summary across replications). */
typedef struct stats_mem {
	const char *name;
	double mean, stddev, ci95;
	const char *unit;
} stats_mem;

static hid_t stats_type(hid_t str, hid_t dbl)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(stats_mem));

	if (t < 0)
		return t;
	if (H5Tinsert(t, "name", offsetof(stats_mem, name), str) < 0 ||
	    H5Tinsert(t, "mean", offsetof(stats_mem, mean), dbl) < 0 ||
	    H5Tinsert(t, "stddev", offsetof(stats_mem, stddev), dbl) < 0 ||
	    H5Tinsert(t, "ci95", offsetof(stats_mem, ci95), dbl) < 0 ||
	    H5Tinsert(t, "unit", offsetof(stats_mem, unit), str) < 0) {
		H5Tclose(t);
		return H5I_INVALID_HID;
	}
	return t;
}

int sim_h5_stats(hid_t parent, const char *name, const sim_h5_stats_row *rows, size_t n,
                 const char *description)
{
	stats_mem *buf = sim_calloc(n ? n : 1, sizeof *buf);
	for (size_t i = 0; i < n; i++) {
		buf[i].name = rows[i].name ? rows[i].name : "";
		buf[i].mean = rows[i].mean;
		buf[i].stddev = rows[i].stddev;
		buf[i].ci95 = rows[i].ci95;
		buf[i].unit = rows[i].unit ? rows[i].unit : "";
	}
	int rc = write_compound(parent, name, stats_type, buf, n, description);
	sim_free(buf);
	return rc;
}
