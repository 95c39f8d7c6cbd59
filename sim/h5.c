/* HDF5 writing helpers: the same content always gives the same bytes.
 *
 * What makes a file deterministic here (docs/output.md):
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
 * and a commit always writes everything.
 *
 * Errors: HDF5 reports an I/O failure as a generic error, but its file driver writes the
 * system's errno into the message ("..., errno = 28, error message = 'No space left on
 * device'"); h5_fail reads it back from the error stack, right after the failed call (the next
 * HDF5 call clears the stack), so a full disk is reported as ENOSPC, not EIO. */
#include "sim/h5.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5_hl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/alloc.h"

/* Rows per chunk: CHUNK_ROWS, or more for narrow rows, up to CHUNK_MIN_BYTES a chunk (a
 * histogram's 7,296 int64 buckets are one chunk of 57 KiB, not 8 chunks: deflate's setup per
 * chunk was a fifth of a short run's time); fewer for wide rows, down to CHUNK_MAX_BYTES a
 * chunk. Fixed, so the chunk shape is a function of the dataset's shape only. */
/* Deflate level 1 (zlib's fast path): after the shuffle filter the counts and series are long
 * runs of equal bytes, which it packs within 1% of level 4's size at half its cost (a short run
 * spent a quarter of its instructions in level 4). */
enum { CHUNK_ROWS = 1024, CHUNK_MIN_BYTES = 1 << 16, CHUNK_MAX_BYTES = 1 << 20, DEFLATE_LEVEL = 1 };
enum { DEFAULT_TCONV_BYTES = 1 << 20 }; /* HDF5's type conversion buffer */
/* Below this many bytes of data a dataset is stored as it is: deflate's setup (zlib zeroes a
 * 256 KiB state per chunk) cost more than the few bytes it saves, most of a short run's time. */
enum { FILTER_MIN_BYTES = 4096 };

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

/* What every object of a file is made with, made once and kept while the library is open
 * (sim_h5_library_close closes them): the UTF-8 string type, the attributes' scalar dataspace,
 * DIMENSION_LIST's type and dataspaces, the group creation plist, the transfer plist and the
 * chunked datasets' creation plists by chunk shape. HDF5 copies every default property into a
 * new plist and frees them all at its close: made for each dataset, plists, types and
 * dataspaces were a tenth of a short run's instructions. A dataset or group copies the plist it
 * is made with, so sharing one changes nothing in the file. HDF5 never gives 0 as an
 * identifier: 0 is "not made yet". One thread writes files at a time (cli/replications.c hands
 * each replication to the calling thread to write), so these need no lock. */
enum { KEPT_DCPLS = 16 };
static struct {
	hid_t utf8, scalar, gcpl, dxpl;
	hid_t ref_lists;    /* DIMENSION_LIST's type: variable-length lists of object references */
	hid_t per_dim[2];   /* its dataspaces, for datasets of rank 1 and 2 */
	size_t dxpl_buffer; /* the conversion buffer dxpl asks for */
	struct kept_dcpl {
		hid_t id;
		int rank, filtered;
		hsize_t chunk[2];
	} dcpl[KEPT_DCPLS];
	size_t next_dcpl; /* the entry the next new shape replaces (round robin) */
} kept;

static hid_t utf8_string_type(void)
{
	if (kept.utf8 > 0)
		return kept.utf8;
	hid_t t = H5Tcopy(H5T_C_S1);

	if (t < 0)
		return t;
	if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
		H5Tclose(t);
		return H5I_INVALID_HID;
	}
	return kept.utf8 = t;
}

static hid_t scalar_space(void)
{
	if (kept.scalar <= 0)
		kept.scalar = H5Screate(H5S_SCALAR);
	return kept.scalar;
}

static hid_t group_plist(void)
{
	if (kept.gcpl <= 0)
		kept.gcpl = untimed_plist(H5P_GROUP_CREATE);
	return kept.gcpl;
}

static hid_t ref_lists_type(void)
{
	if (kept.ref_lists <= 0)
		kept.ref_lists = H5Tvlen_create(H5T_STD_REF_OBJ);
	return kept.ref_lists;
}

/* The dataspace of `rank` (1 or 2) elements, one per dimension. */
static hid_t per_dim_space(int rank)
{
	hid_t *k = &kept.per_dim[rank - 1];
	if (*k <= 0) {
		hsize_t n = (hsize_t)rank;
		*k = H5Screate_simple(1, &n, NULL);
	}
	return *k;
}

/* A transfer plist whose type conversion buffer is `bytes`. */
static hid_t transfer_plist(size_t bytes)
{
	if (kept.dxpl <= 0) {
		kept.dxpl = H5Pcreate(H5P_DATASET_XFER);
		kept.dxpl_buffer = 0;
	}
	if (kept.dxpl > 0 && kept.dxpl_buffer != bytes) {
		if (H5Pset_buffer(kept.dxpl, bytes, NULL, NULL) < 0)
			return H5I_INVALID_HID;
		kept.dxpl_buffer = bytes;
	}
	return kept.dxpl;
}

/* The creation plist of a chunked dataset of rank 1 or 2 with this chunk shape, shuffled and
 * deflated when `filtered`, time tracking off. */
static hid_t chunked_plist(int rank, const hsize_t chunk[2], int filtered)
{
	hsize_t second = rank == 2 ? chunk[1] : 0;
	for (size_t i = 0; i < KEPT_DCPLS; i++) {
		const struct kept_dcpl *k = &kept.dcpl[i];
		if (k->id > 0 && k->rank == rank && k->filtered == filtered &&
		    k->chunk[0] == chunk[0] && k->chunk[1] == second)
			return k->id;
	}
	hid_t p = untimed_plist(H5P_DATASET_CREATE);
	if (p < 0)
		return p;
	if (H5Pset_chunk(p, rank, chunk) < 0 ||
	    (filtered && (H5Pset_shuffle(p) < 0 || H5Pset_deflate(p, DEFLATE_LEVEL) < 0))) {
		H5Pclose(p);
		return H5I_INVALID_HID;
	}
	struct kept_dcpl *k = &kept.dcpl[kept.next_dcpl];
	kept.next_dcpl = (kept.next_dcpl + 1) % KEPT_DCPLS;
	if (k->id > 0)
		H5Pclose(k->id);
	*k = (struct kept_dcpl){
	        .id = p, .rank = rank, .filtered = filtered, .chunk = {chunk[0], second}};
	return p;
}

/* Closes what `kept` holds. */
static void close_kept(void)
{
	if (kept.utf8 > 0)
		H5Tclose(kept.utf8);
	if (kept.scalar > 0)
		H5Sclose(kept.scalar);
	if (kept.gcpl > 0)
		H5Pclose(kept.gcpl);
	if (kept.dxpl > 0)
		H5Pclose(kept.dxpl);
	if (kept.ref_lists > 0)
		H5Tclose(kept.ref_lists);
	for (size_t i = 0; i < 2; i++)
		if (kept.per_dim[i] > 0)
			H5Sclose(kept.per_dim[i]);
	for (size_t i = 0; i < KEPT_DCPLS; i++)
		if (kept.dcpl[i].id > 0)
			H5Pclose(kept.dcpl[i].id);
	memset(&kept, 0, sizeof kept);
}

/* The error of the latest failure, for sim_h5_error; whether a file failed to close. */
static int last_error = -EIO;
static bool close_failed;

static herr_t find_errno(unsigned n, const H5E_error2_t *e, void *data)
{
	int *err = data;
	const char *at = e->desc ? strstr(e->desc, "errno = ") : NULL;

	(void)n;
	if (at && *err == 0)
		*err = atoi(at + strlen("errno = "));
	return 0;
}

/* -errno of the system error behind the HDF5 call that just failed, -EIO when it names none;
 * remembered for sim_h5_error. */
static int h5_fail(void)
{
	int err = 0;

	H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, find_errno, &err);
	last_error = err > 0 ? -err : -EIO;
	return last_error;
}

static int sys_fail(int err)
{
	last_error = -err;
	return last_error;
}

int sim_h5_error(void)
{
	return last_error;
}

/* Creates one of the temporary names exclusively (see sim_h5_create); *out is the name. */
static int create_exclusive(const char *path, char **out)
{
	for (unsigned n = 0; n < 100; n++) {
		char *name = n == 0   ? sim_asprintf("%s.partial", path)
		             : n == 1 ? sim_asprintf("%s.%ld.partial", path, (long)getpid())
		                      : sim_asprintf("%s.%ld-%u.partial", path, (long)getpid(), n);
		/* O_EXCL: an existing name, even a dangling symbolic link, is never opened. */
		int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		int err = errno;

		if (fd >= 0) {
			close(fd);
			*out = name;
			return 0;
		}
		sim_free(name);
		if (err != EEXIST)
			return sys_fail(err);
	}
	return sys_fail(EEXIST);
}

int sim_h5_create(sim_h5_file *f, const char *path)
{
	static bool library_started;
	char *tmppath = NULL;
	hid_t fcpl = H5I_INVALID_HID, fapl = H5I_INVALID_HID, id = H5I_INVALID_HID;
	int rc;

	/* Before the library starts: see sim_h5_library_close. */
	if (!library_started) {
		H5dont_atexit();
		library_started = true;
	}
	/* Library code never prints; errors come back as return values. */
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

	/* HDF5 reports a failed open as a generic error; creating the name ourselves first gives
	 * the caller the real reason (ENOENT, EACCES, EROFS...) and makes the name ours. HDF5
	 * then truncates this empty file of ours, no other. */
	rc = create_exclusive(path, &tmppath);
	if (rc < 0)
		return rc;

	fcpl = untimed_plist(H5P_FILE_CREATE);
	fapl = H5Pcreate(H5P_FILE_ACCESS);
	if (fcpl >= 0 && fapl >= 0 &&
	    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18) >= 0 &&
	    H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0)
		id = H5Fcreate(tmppath, H5F_ACC_TRUNC, fcpl, fapl);
	rc = id < 0 ? h5_fail() : 0;
	if (fcpl >= 0)
		H5Pclose(fcpl);
	if (fapl >= 0)
		H5Pclose(fapl);
	if (id < 0) {
		unlink(tmppath);
		sim_free(tmppath);
		return rc;
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
		return sys_fail(errno);
	if (fsync(fd) < 0)
		rc = sys_fail(errno);
	close(fd);
	return rc;
}

/* The rename itself reaches the disk with the folder. Best effort: the file is in place by
 * now, and some file systems refuse to sync a folder (EINVAL). */
static void sync_folder(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == path   ? sim_strdup("/")
	            : slash != NULL ? sim_asprintf("%.*s", (int)(slash - path), path)
	                            : sim_strdup(".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	sim_free(dir);
}

int sim_h5_close(sim_h5_file *f)
{
	int rc = 0;

	if (f->id < 0)
		return 0;
	if (H5Fflush(f->id, H5F_SCOPE_GLOBAL) < 0)
		rc = h5_fail();
	if (H5Fclose(f->id) < 0) {
		/* The identifier stays, naming a half-freed file: never touch it again. */
		close_failed = true;
		if (rc == 0)
			rc = h5_fail();
	}
	f->id = H5I_INVALID_HID;
	if (rc == 0)
		rc = sync_path(f->tmppath);
	return rc;
}

int sim_h5_commit(sim_h5_file *f)
{
	int rc = sim_h5_close(f);

	if (rc == 0 && rename(f->tmppath, f->path) < 0)
		rc = sys_fail(errno);
	if (rc == 0) {
		sync_folder(f->path);
		release(f);
	}
	return rc;
}

void sim_h5_abandon(sim_h5_file *f, int remove_file)
{
	(void)sim_h5_close(f);
	if (remove_file && f->tmppath)
		unlink(f->tmppath);
	release(f);
}

void sim_h5_library_close(void)
{
	if (close_failed)
		return;
	close_kept();
	H5close();
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
	gcpl = group_plist();
	if (gcpl < 0)
		return gcpl;
	g = H5Gcreate2(parent, name, H5P_DEFAULT, gcpl, H5P_DEFAULT);
	return g;
}

hid_t sim_h5_group(hid_t parent, const char *path)
{
	char *copy = sim_strdup(path);
	char *save = NULL;
	hid_t cur = H5Gopen2(parent, path[0] == '/' ? "/" : ".", H5P_DEFAULT);

	if (cur < 0)
		h5_fail();
	for (char *part = strtok_r(copy, "/", &save); part && cur >= 0;
	     part = strtok_r(NULL, "/", &save)) {
		hid_t next = open_or_create_group(cur, part);

		if (next < 0)
			h5_fail(); /* before H5Gclose clears the error stack */
		H5Gclose(cur);
		cur = next;
	}
	sim_free(copy);
	return cur;
}

/* Attributes are replaced when they exist, so a writer can set `complete` twice; on an object
 * just made (`fresh`), which has none, without the look for one (1% of a short run). The file
 * type is fixed (little-endian numbers); HDF5 converts from the memory type. */
static int write_attr(hid_t obj, const char *name, hid_t ftype, hid_t mtype, const void *value,
                      bool fresh)
{
	hid_t space, a;
	int rc;
	htri_t exists = fresh ? 0 : H5Aexists(obj, name);

	if (exists < 0 || (exists > 0 && H5Adelete(obj, name) < 0))
		return h5_fail();
	space = scalar_space();
	if (space < 0)
		return h5_fail();
	a = H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
	if (a < 0) {
		rc = h5_fail();
	} else {
		rc = H5Awrite(a, mtype, value) < 0 ? h5_fail() : 0;
		if (H5Aclose(a) < 0 && rc == 0)
			rc = h5_fail();
	}
	return rc;
}

static int attr_string(hid_t obj, const char *name, const char *value, bool fresh)
{
	hid_t t = utf8_string_type();
	const char *v = value ? value : "";

	if (t < 0)
		return h5_fail();
	return write_attr(obj, name, t, t, &v, fresh);
}

int sim_h5_attr_string(hid_t obj, const char *name, const char *value)
{
	return attr_string(obj, name, value, false);
}

int sim_h5_attr_int(hid_t obj, const char *name, int64_t value)
{
	return write_attr(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value, false);
}

int sim_h5_attr_double(hid_t obj, const char *name, double value)
{
	return write_attr(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, false);
}

/* The two attributes every dataset carries, on dataset d just made (or copied without its
 * attributes). */
static int label(hid_t d, const char *units, const char *description)
{
	int rc = attr_string(d, "units", units ? units : "", true);

	if (rc == 0)
		rc = attr_string(d, "description", description ? description : "", true);
	return rc;
}

/* Creates dataset `name` of `ftype`, writes `data` (memory type `mtype`; nothing when the
 * dataspace is empty), labels it and closes it. `dcpl` has time tracking off already. */
/* H5Dwrite of the whole dataset with type conversion buffers sized to the data. HDF5's default
 * is 1 MiB, allocated and zeroed at every write that converts (strings, compounds): in a short
 * run that zeroing was a third of the time. The buffer holds every element (a variable-length
 * string takes 16 bytes in conversion, more than in memory or in the file: hence the + 16), so
 * the data go in one pass, as with the default, and the file's bytes are the same. */
static herr_t write_all(hid_t d, hid_t mtype, hid_t space, const void *data)
{
	hssize_t n = H5Sget_simple_extent_npoints(space);
	hid_t ftype = H5Dget_type(d);
	size_t size = H5Tget_size(mtype), fsize = ftype >= 0 ? H5Tget_size(ftype) : 0;
	if (ftype >= 0)
		H5Tclose(ftype);
	size_t need = (size_t)(n > 0 ? n : 1) * ((fsize > size ? fsize : size) + 16);
	hid_t dxpl = need < DEFAULT_TCONV_BYTES ? transfer_plist(need) : H5P_DEFAULT;
	return H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, dxpl < 0 ? H5P_DEFAULT : dxpl, data);
}

static int attach_scales(hid_t d, hid_t space, sim_h5_scale *const *scales);

static int make_dataset(hid_t parent, const char *name, hid_t ftype, hid_t mtype, hid_t space,
                        hid_t dcpl, const void *data, int empty, const char *units,
                        const char *description, sim_h5_scale *const *scales)
{
	hid_t d = H5Dcreate2(parent, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
	int rc;

	if (d < 0)
		return h5_fail();
	if (!empty && write_all(d, mtype, space, data) < 0)
		rc = h5_fail();
	else
		rc = label(d, units, description);
	if (rc == 0 && scales)
		rc = attach_scales(d, space, scales);
	/* Closing writes the chunks out of the cache: a full disk may show only here. */
	if (H5Dclose(d) < 0 && rc == 0)
		rc = h5_fail();
	return rc;
}

/* A chunked 1-D or 2-D dataset: rows extendable (so empty datasets and later appends work),
 * chunk rows = min(rows, max(CHUNK_ROWS, CHUNK_MIN_BYTES / row bytes),
 * CHUNK_MAX_BYTES / row bytes), at least 1. */
static int write_table(hid_t parent, const char *name, hid_t ftype, hid_t mtype, const void *data,
                       size_t rows, size_t cols, int filtered, const char *units,
                       const char *description, sim_h5_scale *const *scales)
{
	int rank = cols ? 2 : 1;
	size_t row_bytes = H5Tget_size(ftype) * (cols ? cols : 1);
	size_t chunk_rows = CHUNK_ROWS;
	hsize_t dims[2] = {rows, cols}, maxdims[2] = {H5S_UNLIMITED, cols}, chunk[2];
	hid_t space, dcpl;
	int rc = -EIO;

	if (row_bytes == 0)
		return -EIO;
	if (chunk_rows < CHUNK_MIN_BYTES / row_bytes)
		chunk_rows = CHUNK_MIN_BYTES / row_bytes;
	if (chunk_rows > CHUNK_MAX_BYTES / row_bytes)
		chunk_rows = CHUNK_MAX_BYTES / row_bytes;
	if (chunk_rows > rows)
		chunk_rows = rows;
	if (chunk_rows == 0)
		chunk_rows = 1;
	chunk[0] = chunk_rows;
	chunk[1] = cols;

	space = H5Screate_simple(rank, dims, maxdims);
	if (space < 0)
		return h5_fail();
	dcpl = chunked_plist(rank, chunk, filtered && rows * row_bytes >= FILTER_MIN_BYTES);
	if (dcpl >= 0)
		rc = make_dataset(parent, name, ftype, mtype, space, dcpl, data, rows == 0 || !data,
		                  units, description, scales);
	else
		rc = h5_fail();
	H5Sclose(space);
	return rc;
}

int sim_h5_string_dataset(hid_t parent, const char *name, const char *value,
                          const char *description)
{
	hid_t t = utf8_string_type(), space = scalar_space();
	hid_t dcpl = untimed_plist(H5P_DATASET_CREATE);
	const char *v = value ? value : "";
	int rc = -EIO;

	if (t >= 0 && space >= 0 && dcpl >= 0)
		rc = make_dataset(parent, name, t, t, space, dcpl, &v, 0, "", description, NULL);
	if (dcpl >= 0)
		H5Pclose(dcpl);
	return rc;
}

int sim_h5_doubles(hid_t parent, const char *name, const double *data, size_t rows, size_t cols,
                   const char *units, const char *description, sim_h5_scale *const *scales)
{
	return write_table(parent, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, data, rows, cols, 1,
	                   units, description, scales);
}

int sim_h5_counts(hid_t parent, const char *name, const double *data, size_t rows, size_t cols,
                  const char *units, const char *description, sim_h5_scale *const *scales)
{
	/* HDF5 converts each double to int64 as it writes (the values are whole numbers). */
	return write_table(parent, name, H5T_STD_I64LE, H5T_NATIVE_DOUBLE, data, rows, cols, 1,
	                   units, description, scales);
}

/* The compound types of an event table: memory (every member a double, at 8 * i, which is the
 * row-major table itself) and file (float64 or int64 per member, packed). */
static int events_types(const char *columns, size_t ncols, hid_t *mtype, hid_t *ftype)
{
	char *names = sim_strdup(columns ? columns : "");
	char *save = NULL, *col = strtok_r(names, ",", &save);
	size_t i = 0;
	int rc = 0;

	*mtype = H5Tcreate(H5T_COMPOUND, ncols * sizeof(double));
	*ftype = H5Tcreate(H5T_COMPOUND, ncols * 8);
	if (*mtype < 0 || *ftype < 0)
		rc = -EIO;
	for (; !rc && i < ncols; i++, col = strtok_r(NULL, ",", &save)) {
		char fallback[32];
		if (!col) {
			snprintf(fallback, sizeof fallback, "column%zu", i);
			col = fallback;
		}
		size_t len = strlen(col);
		bool seconds = len > 2 && strcmp(col + len - 2, "_s") == 0;
		if (H5Tinsert(*mtype, col, i * sizeof(double), H5T_NATIVE_DOUBLE) < 0 ||
		    H5Tinsert(*ftype, col, i * 8, seconds ? H5T_IEEE_F64LE : H5T_STD_I64LE) < 0)
			rc = -EIO;
	}
	sim_free(names);
	return rc;
}

int sim_h5_events(hid_t parent, const char *name, const double *data, size_t rows, size_t ncols,
                  const char *columns, const char *description)
{
	hid_t mtype, ftype;
	int rc = ncols ? events_types(columns, ncols, &mtype, &ftype) : -EIO;

	if (!rc)
		rc = write_table(parent, name, ftype, mtype, data, rows, 0, 1, "", description,
		                 NULL);
	if (!rc) {
		hid_t d = H5Dopen2(parent, name, H5P_DEFAULT);
		if (d < 0 || H5DSset_scale(d, name) < 0)
			rc = h5_fail();
		if (d >= 0)
			H5Dclose(d);
	}
	if (ncols) {
		if (mtype >= 0)
			H5Tclose(mtype);
		if (ftype >= 0)
			H5Tclose(ftype);
	}
	return rc;
}

int sim_h5_soft_link(hid_t loc, const char *name, const char *target)
{
	return H5Lcreate_soft(target, loc, name, H5P_DEFAULT, H5P_DEFAULT) < 0 ? h5_fail() : 0;
}

char *sim_h5_path(hid_t obj)
{
	ssize_t n = H5Iget_name(obj, NULL, 0);
	if (n < 0)
		return NULL;
	char *path = sim_calloc((size_t)n + 1, 1);
	if (H5Iget_name(obj, path, (size_t)n + 1) < 0) {
		sim_free(path);
		return NULL;
	}
	return path;
}

int sim_h5_u64s(hid_t parent, const char *name, const uint64_t *data, size_t n, const char *units,
                const char *description, sim_h5_scale *const *scales)
{
	return write_table(parent, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, data, n, 0, 1, units,
	                   description, scales);
}

int sim_h5_i64s(hid_t parent, const char *name, const int64_t *data, size_t n, const char *units,
                const char *description)
{
	return write_table(parent, name, H5T_STD_I64LE, H5T_NATIVE_INT64, data, n, 0, 1, units,
	                   description, NULL);
}

int sim_h5_copy_data(hid_t from, const char *path, hid_t parent, const char *name,
                     const char *units, const char *description)
{
	hid_t ocpypl = H5Pcreate(H5P_OBJECT_COPY);
	int rc = -EIO;
	if (ocpypl >= 0 && H5Pset_copy_object(ocpypl, H5O_COPY_WITHOUT_ATTR_FLAG) >= 0 &&
	    H5Ocopy(from, path, parent, name, ocpypl, H5P_DEFAULT) >= 0) {
		hid_t d = H5Dopen2(parent, name, H5P_DEFAULT);
		rc = d < 0 ? h5_fail() : label(d, units, description);
		if (d >= 0 && H5Dclose(d) < 0 && rc == 0)
			rc = h5_fail();
	} else {
		rc = h5_fail();
	}
	if (ocpypl >= 0)
		H5Pclose(ocpypl);
	return rc;
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
		rc = write_table(parent, name, t, t, v, n, 0, 0, "", description, NULL);
	sim_free(v);
	return rc;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* One entry of a scale's REFERENCE_LIST as H5DS lays it out (ds_list_t in H5DSprivate.h): the
 * dataset's object reference and the dimension, 16 bytes with the padding. */
typedef struct reflist_entry {
	hobj_ref_t dataset;
	int dimension;
} reflist_entry;

struct sim_h5_scale {
	hid_t id;            /* the scale dataset */
	hobj_ref_t self;     /* its reference, as each DIMENSION_LIST holds it */
	reflist_entry *refs; /* attachments not written yet; padding zeroed (bytes repeat) */
	size_t n, cap;
};

/* REFERENCE_LIST's compound type with `integer` for the dimension: H5T_STD_I32LE in the file
 * (what H5DS's native int is on the machines we run on), H5T_NATIVE_INT in memory. */
static hid_t reflist_type(hid_t integer)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(reflist_entry));

	if (t < 0)
		return t;
	if (H5Tinsert(t, "dataset", offsetof(reflist_entry, dataset), H5T_STD_REF_OBJ) < 0 ||
	    H5Tinsert(t, "dimension", offsetof(reflist_entry, dimension), integer) < 0) {
		H5Tclose(t);
		return H5I_INVALID_HID;
	}
	return t;
}

sim_h5_scale *sim_h5_scale_create(hid_t parent, const char *path)
{
	hid_t id = H5Dopen2(parent, path, H5P_DEFAULT);
	htri_t is_scale = id < 0 ? -1 : H5DSis_scale(id);
	sim_h5_scale *s;

	/* A scale's NAME is its dataset name without the path, as sim_h5_attach_scale sets it. */
	if (is_scale < 0 || (!is_scale && H5DSset_scale(id, base_name(path)) < 0)) {
		h5_fail();
		if (id >= 0)
			H5Dclose(id);
		return NULL;
	}
	s = sim_calloc(1, sizeof *s);
	s->id = id;
	if (H5Rcreate(&s->self, id, ".", H5R_OBJECT, H5I_INVALID_HID) < 0) {
		h5_fail();
		sim_h5_scale_destroy(s);
		return NULL;
	}
	return s;
}

void sim_h5_scale_destroy(sim_h5_scale *s)
{
	if (!s)
		return;
	H5Dclose(s->id);
	sim_free(s->refs);
	sim_free(s);
}

/* Writes d's DIMENSION_LIST (a [rank] array of variable-length lists of object references, as
 * H5DSattach_scale writes it) with scales[i], or nothing for a NULL one, on dimension i, and
 * notes d in each scale's REFERENCE_LIST for sim_h5_scale_write. While d is still open from its
 * writing: attaching afterwards opened it again and read the attribute back, a fifth of a short
 * run's instructions. */
static int attach_scales(hid_t d, hid_t space, sim_h5_scale *const *scales)
{
	int rank = H5Sget_simple_extent_ndims(space);
	hvl_t lists[2] = {{0}};
	bool any = false;
	if (rank < 1 || rank > 2)
		return rank < 0 ? h5_fail() : sys_fail(EINVAL);
	for (int i = 0; i < rank; i++)
		if (scales[i]) {
			lists[i] = (hvl_t){.len = 1, .p = &scales[i]->self};
			any = true;
		}
	if (!any)
		return 0;
	hobj_ref_t ref;
	if (H5Rcreate(&ref, d, ".", H5R_OBJECT, H5I_INVALID_HID) < 0)
		return h5_fail();
	hid_t vlen = ref_lists_type();
	hid_t lspace = vlen < 0 ? H5I_INVALID_HID : per_dim_space(rank);
	hid_t a = lspace < 0
	                  ? H5I_INVALID_HID
	                  : H5Acreate2(d, DIMENSION_LIST, vlen, lspace, H5P_DEFAULT, H5P_DEFAULT);
	int rc = a < 0 || H5Awrite(a, vlen, lists) < 0 ? h5_fail() : 0;
	if (a >= 0 && H5Aclose(a) < 0 && rc == 0)
		rc = h5_fail();
	for (int i = 0; rc == 0 && i < rank; i++) {
		sim_h5_scale *sc = scales[i];
		if (!sc)
			continue;
		sim_grow(&sc->refs, &sc->cap, sc->n + 1, sizeof *sc->refs);
		memset(&sc->refs[sc->n], 0, sizeof *sc->refs);
		sc->refs[sc->n].dataset = ref;
		sc->refs[sc->n].dimension = i;
		sc->n++;
	}
	return rc;
}

int sim_h5_scale_write(sim_h5_scale *s)
{
	if (s->n == 0)
		return 0;
	hid_t ftype = reflist_type(H5T_STD_I32LE), mtype = reflist_type(H5T_NATIVE_INT);
	hsize_t n = s->n;
	hid_t space = ftype < 0 || mtype < 0 ? H5I_INVALID_HID : H5Screate_simple(1, &n, NULL);
	hid_t a = space < 0 ? H5I_INVALID_HID
	                    : H5Acreate2(s->id, REFERENCE_LIST, ftype, space, H5P_DEFAULT,
	                                 H5P_DEFAULT);
	int rc = 0;
	if (a < 0 || H5Awrite(a, mtype, s->refs) < 0)
		rc = h5_fail();
	else
		s->n = 0;
	if (a >= 0 && H5Aclose(a) < 0 && rc == 0)
		rc = h5_fail();
	if (space >= 0)
		H5Sclose(space);
	if (mtype >= 0)
		H5Tclose(mtype);
	if (ftype >= 0)
		H5Tclose(ftype);
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
		rc = write_table(parent, name, ftype, mtype, buf, n, 0, 0, "", description, NULL);
	if (ftype >= 0)
		H5Tclose(ftype);
	if (mtype >= 0)
		H5Tclose(mtype);
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
