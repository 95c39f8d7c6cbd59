/* Tests for sim/h5: files read back with the HDF5 API as written, carry units and descriptions,
 * hold no timestamps, are byte-identical for identical content (also across a close of the
 * library, and whatever creation plists the writer kept), appear under their final name
 * only at commit, are written under a temporary name of their own (never another writer's), a
 * shared dimension scale grows the file linearly, and a failed write says why. Each test works
 * in its own fresh temporary folder. */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <hdf5_hl.h>

#include "sim/alloc.h"
#include "sim/h5.h"

enum { T = 10, SHARDS = 2, BUCKETS = 5 };

static const char *const shard_ids[SHARDS] = {"shardId-000000000000", "shardId-000000000001"};
/* Non-ASCII on purpose: strings must be stored as UTF-8. */
static const char *const yaml_source = "name: café ✓\nstreams:\n  - name: in\n";

typedef struct fixture {
	char dir[64];
} fixture;

static int setup(void **state)
{
	fixture *fx = sim_calloc(1, sizeof *fx);
	const char *tmp = getenv("TMPDIR");

	if (!tmp || strlen(tmp) >= 40)
		tmp = "/tmp";
	snprintf(fx->dir, sizeof fx->dir, "%s/test_h5.XXXXXX", tmp);
	if (!mkdtemp(fx->dir))
		return -1;
	*state = fx;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int teardown(void **state)
{
	fixture *fx = *state;
	int rc = nftw(fx->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);

	sim_free(fx);
	return rc;
}

static char *in_dir(void **state, const char *name)
{
	fixture *fx = *state;

	return sim_asprintf("%s/%s", fx->dir, name);
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The series written: a value that encodes its position, so any transposition shows. */
static double throttled(int t, int s)
{
	return t * 10.0 + s;
}

/* Writes the test content into an open file: every helper of the header, once. */
static void write_content(sim_h5_file *f)
{
	double time[T], series[T * SHARDS];
	const uint64_t counts[BUCKETS] = {0, 3, 1, UINT64_MAX, 7};
	const int64_t lower[BUCKETS] = {INT64_MIN, -1, 0, 128, INT64_MAX};
	const sim_h5_summary_row rows[] = {
	        {"in.read_throttled", 12.5, "1"},
	        {"f.latency.p99", 0.125, "s"},
	};
	hid_t run, fn;

	for (int t = 0; t < T; t++) {
		time[t] = (t + 1) * 60.0;
		for (int s = 0; s < SHARDS; s++)
			series[t * SHARDS + s] = throttled(t, s);
	}
	assert_int_equal(sim_h5_attr_string(f->id, "format", "kinesim"), 0);
	assert_int_equal(sim_h5_attr_int(f->id, "format_version", 1), 0);
	assert_int_equal(sim_h5_attr_int(f->id, "seed", -42), 0);
	assert_int_equal(sim_h5_attr_double(f->id, "ratio", 0.25), 0);

	hid_t sc = sim_h5_group(f->id, "scenario");
	assert_true(sc >= 0);
	assert_int_equal(sim_h5_string_dataset(sc, "source", yaml_source, "the YAML as given"), 0);
	H5Gclose(sc);

	/* Intermediate groups come from the path. */
	run = sim_h5_group(f->id, "/runs/r0000");
	assert_true(run >= 0);
	assert_int_equal(sim_h5_attr_int(run, "complete", 1), 0);
	assert_int_equal(sim_h5_doubles(run, "time", time, T, 0, "s", "end of each interval", NULL),
	                 0);
	hid_t st = sim_h5_group(run, "streams/in");
	assert_true(st >= 0);
	assert_int_equal(sim_h5_strings(st, "shards", shard_ids, SHARDS, "shard ids"), 0);
	/* Two datasets on the run's time and the stream's shards, attached as they are written;
	 * each scale's REFERENCE_LIST at its write. */
	sim_h5_scale *dims[2] = {sim_h5_scale_create(run, "time"),
	                         sim_h5_scale_create(run, "streams/in/shards")};
	assert_non_null(dims[0]);
	assert_non_null(dims[1]);
	assert_int_equal(sim_h5_doubles(st, "read_throttled", series, T, SHARDS, "1",
	                                "ReadProvisionedThroughputExceeded", dims),
	                 0);
	assert_int_equal(
	        sim_h5_doubles(st, "read_calls", series, T, SHARDS, "1", "GetRecords", dims), 0);
	H5Gclose(st);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(sim_h5_scale_write(dims[i]), 0);
		sim_h5_scale_destroy(dims[i]);
	}

	fn = sim_h5_group(run, "functions/f/latency");
	assert_true(fn >= 0);
	assert_int_equal(sim_h5_i64s(fn, "lower_ns", lower, BUCKETS, "ns", "bucket lower bounds"),
	                 0);
	sim_h5_scale *bounds = sim_h5_scale_create(fn, "lower_ns");
	assert_non_null(bounds);
	assert_int_equal(
	        sim_h5_u64s(fn, "counts", counts, BUCKETS, "1", "records per bucket", &bounds), 0);
	assert_int_equal(sim_h5_scale_write(bounds), 0);
	sim_h5_scale_destroy(bounds);
	H5Gclose(fn);
	assert_int_equal(sim_h5_summary(run, "summary", rows, 2, "summary metrics"), 0);
	H5Gclose(run);
}

static void write_file(const char *path)
{
	sim_h5_file f;

	assert_int_equal(sim_h5_create(&f, path), 0);
	write_content(&f);
	assert_int_equal(sim_h5_commit(&f), 0);
}

static char *read_string_attr(hid_t obj, const char *name)
{
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
	hid_t t = H5Aget_type(a);
	char *v = NULL, *copy;

	assert_true(a >= 0);
	assert_int_equal(H5Tget_class(t), H5T_STRING);
	assert_true(H5Tis_variable_str(t) > 0);
	assert_int_equal(H5Tget_cset(t), H5T_CSET_UTF8);
	assert_true(H5Aread(a, t, &v) >= 0);
	copy = sim_strdup(v);
	H5free_memory(v);
	H5Tclose(t);
	H5Aclose(a);
	return copy;
}

static int64_t read_int_attr(hid_t obj, const char *name)
{
	int64_t v = 0;
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT);

	assert_true(a >= 0);
	assert_true(H5Aread(a, H5T_NATIVE_INT64, &v) >= 0);
	H5Aclose(a);
	return v;
}

static void assert_string_attr(hid_t obj, const char *name, const char *want)
{
	char *got = read_string_attr(obj, name);

	assert_string_equal(got, want);
	sim_free(got);
}

/* Dimensions of a dataset; returns its rank. */
static int dims_of(hid_t d, hsize_t dims[2])
{
	hid_t space = H5Dget_space(d);
	int rank = H5Sget_simple_extent_ndims(space);

	assert_true(rank >= 0 && rank <= 2);
	H5Sget_simple_extent_dims(space, dims, NULL);
	H5Sclose(space);
	return rank;
}

/* Entries in a scale's REFERENCE_LIST: one per (dataset, dimension) it is attached to. */
static hssize_t reference_list_length(hid_t scale)
{
	hid_t a = H5Aopen(scale, "REFERENCE_LIST", H5P_DEFAULT);
	hid_t space = H5Aget_space(a);
	hssize_t n = H5Sget_simple_extent_npoints(space);

	H5Sclose(space);
	H5Aclose(a);
	return n;
}

static void file_reads_back_with_the_values_written(void **state)
{
	char *path = in_dir(state, "out.h5");
	hid_t file, d;
	hsize_t dims[2];

	write_file(path);
	file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	assert_true(file >= 0);

	assert_string_attr(file, "format", "kinesim");
	assert_int_equal(read_int_attr(file, "format_version"), 1);
	assert_int_equal(read_int_attr(file, "seed"), -42);
	double ratio = 0;
	hid_t a = H5Aopen(file, "ratio", H5P_DEFAULT);
	assert_true(H5Aread(a, H5T_NATIVE_DOUBLE, &ratio) >= 0);
	H5Aclose(a);
	assert_true(ratio == 0.25);

	/* Scalar UTF-8 string dataset, bytes preserved. */
	d = H5Dopen2(file, "/scenario/source", H5P_DEFAULT);
	assert_true(d >= 0);
	hid_t t = H5Dget_type(d);
	char *src = NULL;
	assert_int_equal(H5Tget_cset(t), H5T_CSET_UTF8);
	assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &src) >= 0);
	assert_string_equal(src, yaml_source);
	H5free_memory(src);
	H5Tclose(t);
	H5Dclose(d);

	hid_t run = H5Gopen2(file, "/runs/r0000", H5P_DEFAULT);
	assert_int_equal(read_int_attr(run, "complete"), 1);

	double time[T];
	d = H5Dopen2(run, "time", H5P_DEFAULT);
	assert_int_equal(dims_of(d, dims), 1);
	assert_int_equal(dims[0], T);
	assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, time) >= 0);
	for (int i = 0; i < T; i++)
		assert_true(time[i] == (i + 1) * 60.0);
	assert_string_attr(d, "units", "s");
	assert_true(H5DSis_scale(d) > 0);
	hid_t time_ds = d;

	double series[T * SHARDS];
	d = H5Dopen2(run, "streams/in/read_throttled", H5P_DEFAULT);
	assert_int_equal(dims_of(d, dims), 2);
	assert_int_equal(dims[0], T);
	assert_int_equal(dims[1], SHARDS);
	assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, series) >= 0);
	for (int i = 0; i < T; i++)
		for (int s = 0; s < SHARDS; s++)
			assert_true(series[i * SHARDS + s] == throttled(i, s));
	assert_string_attr(d, "description", "ReadProvisionedThroughputExceeded");
	assert_true(H5DSis_attached(d, time_ds, 0) > 0);
	hid_t shards = H5Dopen2(run, "streams/in/shards", H5P_DEFAULT);
	assert_true(H5DSis_attached(d, shards, 1) > 0);
	assert_true(H5DSis_attached(d, shards, 0) == 0);
	hid_t calls = H5Dopen2(run, "streams/in/read_calls", H5P_DEFAULT);
	assert_true(H5DSis_attached(calls, time_ds, 0) > 0);
	assert_true(H5DSis_attached(calls, shards, 1) > 0);
	assert_int_equal(H5DSget_num_scales(calls, 0), 1);
	assert_int_equal(H5DSget_num_scales(calls, 1), 1);
	assert_int_equal(reference_list_length(time_ds), 2);
	assert_int_equal(reference_list_length(shards), 2);
	H5Dclose(calls);

	/* Time series are chunked; this one, 160 bytes, is stored without filters (below). */
	hid_t dcpl = H5Dget_create_plist(d);
	assert_int_equal(H5Pget_layout(dcpl), H5D_CHUNKED);
	assert_int_equal(H5Pget_nfilters(dcpl), 0);
	H5Pclose(dcpl);
	H5Dclose(d);
	H5Dclose(time_ds);

	char *ids[SHARDS] = {NULL};
	t = H5Dget_type(shards);
	assert_true(H5Dread(shards, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, ids) >= 0);
	for (int s = 0; s < SHARDS; s++) {
		assert_string_equal(ids[s], shard_ids[s]);
		H5free_memory(ids[s]);
	}
	H5Tclose(t);
	H5Dclose(shards);

	uint64_t counts[BUCKETS];
	int64_t lower[BUCKETS];
	d = H5Dopen2(run, "functions/f/latency/counts", H5P_DEFAULT);
	assert_true(H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, counts) >= 0);
	hid_t lower_ds = H5Dopen2(run, "functions/f/latency/lower_ns", H5P_DEFAULT);
	assert_true(H5Dread(lower_ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, lower) >= 0);
	assert_true(H5DSis_scale(lower_ds) > 0);
	assert_true(H5DSis_attached(d, lower_ds, 0) > 0);
	H5Dclose(lower_ds);
	H5Dclose(d);
	assert_true(counts[0] == 0 && counts[1] == 3 && counts[2] == 1 && counts[4] == 7);
	assert_true(counts[3] == UINT64_MAX);
	assert_true(lower[0] == INT64_MIN && lower[1] == -1 && lower[2] == 0 && lower[3] == 128 &&
	            lower[4] == INT64_MAX);

	/* The summary reads back through a memory type of our own, by member name. */
	typedef struct {
		char *name;
		double value;
		char *unit;
	} row;
	row rows[2];
	hid_t str = H5Tcopy(H5T_C_S1);
	H5Tset_size(str, H5T_VARIABLE);
	H5Tset_cset(str, H5T_CSET_UTF8);
	hid_t rt = H5Tcreate(H5T_COMPOUND, sizeof(row));
	H5Tinsert(rt, "name", offsetof(row, name), str);
	H5Tinsert(rt, "value", offsetof(row, value), H5T_NATIVE_DOUBLE);
	H5Tinsert(rt, "unit", offsetof(row, unit), str);
	d = H5Dopen2(run, "summary", H5P_DEFAULT);
	assert_int_equal(dims_of(d, dims), 1);
	assert_int_equal(dims[0], 2);
	assert_true(H5Dread(d, rt, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);
	assert_string_equal(rows[0].name, "in.read_throttled");
	assert_true(rows[0].value == 12.5);
	assert_string_equal(rows[0].unit, "1");
	assert_string_equal(rows[1].name, "f.latency.p99");
	assert_true(rows[1].value == 0.125);
	assert_string_equal(rows[1].unit, "s");
	for (int i = 0; i < 2; i++) {
		H5free_memory(rows[i].name);
		H5free_memory(rows[i].unit);
	}
	H5Dclose(d);
	H5Tclose(rt);
	H5Tclose(str);
	H5Gclose(run);
	assert_true(H5Fclose(file) >= 0);
	sim_free(path);
}

typedef struct visit {
	int datasets, objects;
} visit;

/* From 4 KiB of data a dataset is shuffled then deflated (level 1); below, compressing costs
 * more time than it saves bytes (zlib zeroes 256 KiB of state per chunk), so it is stored as
 * it is. Both read back the same. */
static void small_datasets_are_plain_and_large_ones_deflated(void **state)
{
	char *path = in_dir(state, "filters.h5");
	enum { SMALL = 511, LARGE = 512 }; /* rows of 8 bytes: 4088 and 4096 bytes */
	static double v[LARGE];
	for (int i = 0; i < LARGE; i++)
		v[i] = i * 0.5;
	sim_h5_file f;
	assert_int_equal(sim_h5_create(&f, path), 0);
	assert_int_equal(sim_h5_doubles(f.id, "small", v, SMALL, 0, "1", "small", NULL), 0);
	assert_int_equal(sim_h5_doubles(f.id, "large", v, LARGE, 0, "1", "large", NULL), 0);
	assert_int_equal(sim_h5_close(&f), 0);
	assert_int_equal(sim_h5_commit(&f), 0);

	hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	assert_true(file >= 0);
	static double back[LARGE];
	const struct {
		const char *name;
		int rows, filters;
	} cases[] = {{"small", SMALL, 0}, {"large", LARGE, 2}};
	for (size_t c = 0; c < 2; c++) {
		hid_t d = H5Dopen2(file, cases[c].name, H5P_DEFAULT);
		hid_t dcpl = H5Dget_create_plist(d);
		assert_int_equal(H5Pget_nfilters(dcpl), cases[c].filters);
		if (cases[c].filters) {
			unsigned flags, level[1];
			size_t nvals = 1;
			assert_int_equal(
			        H5Pget_filter2(dcpl, 0, &flags, &nvals, level, 0, NULL, NULL),
			        H5Z_FILTER_SHUFFLE);
			nvals = 1;
			assert_int_equal(
			        H5Pget_filter2(dcpl, 1, &flags, &nvals, level, 0, NULL, NULL),
			        H5Z_FILTER_DEFLATE);
			assert_int_equal(level[0], 1);
		}
		assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >=
		            0);
		for (int i = 0; i < cases[c].rows; i++)
			assert_true(back[i] == v[i]);
		H5Pclose(dcpl);
		H5Dclose(d);
	}
	H5Fclose(file);
	sim_free(path);
}

static herr_t check_object(hid_t root, const char *name, const H5O_info_t *info, void *data)
{
	visit *v = data;

	/* Time tracking off: HDF5 reports 0 for every time it did not store. */
	assert_true(info->atime == 0 && info->mtime == 0 && info->ctime == 0 && info->btime == 0);
	/* Format pinned to 1.8: version 2 object headers everywhere. */
	assert_int_equal(info->hdr.version, 2);
	v->objects++;
	if (info->type == H5O_TYPE_DATASET) {
		hid_t d = H5Dopen2(root, name, H5P_DEFAULT);
		char *units = read_string_attr(d, "units");
		char *desc = read_string_attr(d, "description");

		assert_true(strlen(desc) > 0);
		sim_free(units);
		sim_free(desc);
		H5Dclose(d);
		v->datasets++;
	}
	return 0;
}

static void every_object_has_labels_no_time_and_the_1_8_format(void **state)
{
	char *path = in_dir(state, "out.h5");
	visit v = {0, 0};
	hid_t file;

	write_file(path);
	file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	/* Superblock version 2 is the 1.8 format; an unpinned 1.10 library writes version 3. */
	H5F_info2_t finfo;
	assert_true(H5Fget_info2(file, &finfo) >= 0);
	assert_int_equal(finfo.super.version, 2);
	assert_true(H5Ovisit(file, H5_INDEX_NAME, H5_ITER_INC, check_object, &v) >= 0);
	/* 8 datasets; groups: /, scenario, runs, r0000, streams, in, functions, f, latency. */
	assert_int_equal(v.datasets, 8);
	assert_int_equal(v.objects, 17);
	H5Fclose(file);
	sim_free(path);
}

/* Leaves garbage in freed heap blocks, so that a buffer HDF5 (or we) forgot to initialise would
 * carry different bytes in the second file than in the first. */
static void dirty_heap(unsigned char pattern)
{
	enum { N = 64 };
	unsigned char *blocks[N];

	for (int i = 0; i < N; i++) {
		size_t size = 16u << (i % 12);

		blocks[i] = sim_malloc(size);
		memset(blocks[i], pattern + i, size);
	}
	for (int i = 0; i < N; i++)
		sim_free(blocks[i]);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	buf = sim_malloc((size_t)n);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static void same_content_gives_identical_bytes(void **state)
{
	char *p1 = in_dir(state, "one.h5"), *p2 = in_dir(state, "two.h5");
	size_t n1, n2;
	unsigned char *b1, *b2;

	dirty_heap(0x11);
	write_file(p1);
	dirty_heap(0xa7);
	write_file(p2);
	b1 = slurp(p1, &n1);
	b2 = slurp(p2, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(b1, b2, n1);
	sim_free(b1);
	sim_free(b2);
	sim_free(p1);
	sim_free(p2);
}

static void partial_file_exists_only_until_commit(void **state)
{
	char *path = in_dir(state, "out.h5");
	char *partial = in_dir(state, "out.h5.partial");
	sim_h5_file f;

	assert_int_equal(sim_h5_create(&f, path), 0);
	assert_string_equal(f.tmppath, partial);
	write_content(&f);
	assert_true(exists(partial));
	assert_false(exists(path));
	assert_int_equal(sim_h5_commit(&f), 0);
	assert_false(exists(partial));
	assert_true(exists(path));
	sim_free(path);
	sim_free(partial);
}

static void earlier_file_is_untouched_until_commit(void **state)
{
	char *path = in_dir(state, "out.h5");
	sim_h5_file f;
	FILE *fp = fopen(path, "w");
	char text[16] = {0};

	fputs("earlier", fp);
	fclose(fp);
	assert_int_equal(sim_h5_create(&f, path), 0);
	write_content(&f);
	fp = fopen(path, "r");
	assert_non_null(fgets(text, sizeof text, fp));
	fclose(fp);
	assert_string_equal(text, "earlier");
	assert_int_equal(sim_h5_commit(&f), 0);
	assert_true(H5Fis_hdf5(path) > 0);
	sim_free(path);
}

static void create_in_missing_folder_returns_enoent(void **state)
{
	char *path = in_dir(state, "missing/out.h5");
	sim_h5_file f = {.id = 12345, .path = NULL, .tmppath = NULL};

	assert_int_equal(sim_h5_create(&f, path), -ENOENT);
	/* Out-parameters are written only on success. */
	assert_int_equal(f.id, 12345);
	assert_null(f.path);
	sim_free(path);
}

static void abandon_keeps_the_partial_file_unless_asked_to_remove_it(void **state)
{
	char *path = in_dir(state, "out.h5");
	char *partial = in_dir(state, "out.h5.partial");
	sim_h5_file f;

	assert_int_equal(sim_h5_create(&f, path), 0);
	write_content(&f);
	sim_h5_abandon(&f, 0);
	assert_true(exists(partial));
	assert_false(exists(path));
	/* What was written before the interruption is readable. */
	assert_true(H5Fis_hdf5(partial) > 0);
	assert_null(f.path);

	/* The partial file left above is not this writer's: it gets a name of its own, and
	 * removes only that. */
	assert_int_equal(sim_h5_create(&f, path), 0);
	assert_string_not_equal(f.tmppath, partial);
	char *own = sim_strdup(f.tmppath);
	assert_true(exists(own));
	sim_h5_abandon(&f, 1);
	assert_false(exists(own));
	assert_true(exists(partial));
	assert_true(H5Fis_hdf5(partial) > 0);
	assert_false(exists(path));
	sim_free(own);
	sim_free(path);
	sim_free(partial);
}

static char *slurp_text(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *text = sim_calloc(256, 1);

	assert_non_null(fp);
	assert_true(fread(text, 1, 255, fp) > 0);
	fclose(fp);
	return text;
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void temporary_names_are_created_exclusively_and_never_truncate_another(void **state)
{
	char *path = in_dir(state, "out.h5");
	char *partial = in_dir(state, "out.h5.partial");
	char *pid_name = sim_asprintf("%s.%ld.partial", path, (long)getpid());
	char *third = sim_asprintf("%s.%ld-2.partial", path, (long)getpid());
	sim_h5_file a, b, c;

	write_text(partial, "another run's partial file\n");
	assert_int_equal(sim_h5_create(&a, path), 0);
	assert_string_equal(a.tmppath, pid_name);
	/* A second writer in the same process (or a reused pid) is numbered. */
	assert_int_equal(sim_h5_create(&b, path), 0);
	assert_string_equal(b.tmppath, third);
	write_content(&a);
	write_content(&b);
	assert_int_equal(sim_h5_commit(&a), 0);
	assert_int_equal(sim_h5_commit(&b), 0);
	assert_true(H5Fis_hdf5(path) > 0);
	assert_false(exists(pid_name));
	assert_false(exists(third));
	char *text = slurp_text(partial);
	assert_string_equal(text, "another run's partial file\n");
	sim_free(text);

	/* A symbolic link at the temporary name is not followed: its target is not created. */
	unlink(partial);
	char *target = in_dir(state, "target");
	assert_int_equal(symlink(target, partial), 0);
	assert_int_equal(sim_h5_create(&c, path), 0);
	assert_string_equal(c.tmppath, pid_name);
	assert_false(exists(target));
	sim_h5_abandon(&c, 1);
	assert_false(exists(pid_name));
	sim_free(target);
	sim_free(third);
	sim_free(pid_name);
	sim_free(partial);
	sim_free(path);
}

static void close_keeps_a_readable_partial_file_under_its_temporary_name(void **state)
{
	char *path = in_dir(state, "out.h5");
	sim_h5_file f;

	assert_int_equal(sim_h5_create(&f, path), 0);
	write_content(&f);
	assert_int_equal(sim_h5_close(&f), 0);
	assert_int_equal(sim_h5_close(&f), 0); /* closed already: nothing */
	assert_true(H5Fis_hdf5(f.tmppath) > 0);
	assert_false(exists(path));
	char *partial = sim_strdup(f.tmppath);
	sim_h5_abandon(&f, 0);
	assert_true(exists(partial));
	sim_free(partial);
	sim_free(path);
}

/* A file with n one-row datasets in groups of 20, each attached to one shared time scale. */
static long file_with_attachments(void **state, const char *name, int n)
{
	char *path = in_dir(state, name);
	const double one = 60.0;
	sim_h5_file f;
	struct stat st;

	assert_int_equal(sim_h5_create(&f, path), 0);
	assert_int_equal(sim_h5_doubles(f.id, "time", &one, 1, 0, "s", "interval ends", NULL), 0);
	sim_h5_scale *s = sim_h5_scale_create(f.id, "time");
	assert_non_null(s);
	for (int i = 0; i < n; i++) {
		char group[32], series[16];
		snprintf(group, sizeof group, "functions/f-%d", i / 20);
		snprintf(series, sizeof series, "s%d", i % 20);
		hid_t g = sim_h5_group(f.id, group);
		assert_true(g >= 0);
		assert_int_equal(sim_h5_doubles(g, series, &one, 1, 0, "count", "a series", &s), 0);
		H5Gclose(g);
	}
	assert_int_equal(sim_h5_scale_write(s), 0);
	sim_h5_scale_destroy(s);
	assert_int_equal(sim_h5_commit(&f), 0);

	hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t time = H5Dopen2(file, "time", H5P_DEFAULT);
	hid_t last = H5Dopen2(file, "functions/f-0/s19", H5P_DEFAULT);
	assert_int_equal(reference_list_length(time), n);
	assert_true(H5DSis_attached(last, time, 0) > 0);
	H5Dclose(last);
	H5Dclose(time);
	H5Fclose(file);
	assert_int_equal(stat(path, &st), 0);
	sim_free(path);
	return (long)st.st_size;
}

static void a_scale_shared_by_many_datasets_grows_the_file_linearly(void **state)
{
	long small = file_with_attachments(state, "small.h5", 1000);
	long big = file_with_attachments(state, "big.h5", 3000);

	/* Three times the datasets, about three times the bytes; H5DSattach_scale one by one
	 * made it about six times (and 3000 attachments alone cost 72 MB). */
	assert_true(big < 3.3 * small);
	assert_true(big < 3000 * 4096);
}

/* Runs in a child: writes past RLIMIT_FSIZE with SIGXFSZ ignored, so write() fails with EFBIG;
 * exits 0 when the error came back as -EFBIG. The child leaves with _exit: HDF5, started by
 * the tests before, registered its exit handler, which a failed close makes crash. */
static void write_past_the_size_limit(const char *path)
{
	enum { N = 1 << 16 };
	static double data[N];
	struct rlimit limit = {16384, 16384};
	sim_h5_file f;
	int rc;

	/* Random bits: deflate must not shrink them under the limit. */
	uint64_t x = 88172645463325252u;
	for (size_t i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(&data[i], &x, sizeof data[i]);
	}
	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &limit) != 0 || sim_h5_create(&f, path) != 0)
		_exit(2);
	rc = sim_h5_doubles(f.id, "big", data, N, 0, "s", "512 KiB of noise", NULL);
	if (rc == 0)
		rc = sim_h5_commit(&f); /* the chunk may wait in HDF5's cache until the close */
	if (rc != -EFBIG)
		_exit(3);
	sim_h5_abandon(&f, 1);
	_exit(exists(path) ? 4 : 0);
}

static void a_write_past_the_file_size_limit_returns_efbig(void **state)
{
	char *path = in_dir(state, "big.h5");
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		write_past_the_size_limit(path);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	sim_free(path);
}

static void empty_datasets_have_zero_rows(void **state)
{
	char *path = in_dir(state, "empty.h5");
	sim_h5_file f;
	hid_t file;
	hsize_t dims[2];
	static const char *const names[] = {"d1", "d2", "u", "i", "s", "summary"};
	static const int ranks[] = {1, 2, 1, 1, 1, 1};

	assert_int_equal(sim_h5_create(&f, path), 0);
	assert_int_equal(sim_h5_doubles(f.id, "d1", NULL, 0, 0, "s", "empty 1-D", NULL), 0);
	assert_int_equal(sim_h5_doubles(f.id, "d2", NULL, 0, 3, "1", "empty 2-D", NULL), 0);
	assert_int_equal(sim_h5_u64s(f.id, "u", NULL, 0, "1", "empty u64", NULL), 0);
	assert_int_equal(sim_h5_i64s(f.id, "i", NULL, 0, "ns", "empty i64"), 0);
	assert_int_equal(sim_h5_strings(f.id, "s", NULL, 0, "empty strings"), 0);
	assert_int_equal(sim_h5_summary(f.id, "summary", NULL, 0, "empty summary"), 0);
	assert_int_equal(sim_h5_commit(&f), 0);

	file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	assert_true(file >= 0);
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		hid_t d = H5Dopen2(file, names[k], H5P_DEFAULT);

		assert_true(d >= 0);
		assert_int_equal(dims_of(d, dims), ranks[k]);
		assert_int_equal(dims[0], 0);
		if (ranks[k] == 2)
			assert_int_equal(dims[1], 3);
		H5Dclose(d);
	}
	H5Fclose(file);
	sim_free(path);
}

/* Chunk rows of a dataset written with `rows` rows of 2 columns. */
static hsize_t chunk_rows_for(void **state, size_t rows)
{
	char *path = in_dir(state, "chunks.h5");
	double *data = sim_calloc(rows ? rows * 2 : 1, sizeof *data);
	hsize_t chunk[2] = {0, 0};
	sim_h5_file f;
	hid_t file, d, dcpl;

	for (size_t i = 0; i < rows * 2; i++)
		data[i] = (double)i;
	assert_int_equal(sim_h5_create(&f, path), 0);
	assert_int_equal(sim_h5_doubles(f.id, "x", data, rows, 2, "1", "x", NULL), 0);
	assert_int_equal(sim_h5_commit(&f), 0);
	file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	d = H5Dopen2(file, "x", H5P_DEFAULT);
	dcpl = H5Dget_create_plist(d);
	assert_int_equal(H5Pget_chunk(dcpl, 2, chunk), 2);
	assert_int_equal(chunk[1], 2);
	/* Spanning several chunks changes nothing for the reader. */
	if (rows) {
		double *back = sim_calloc(rows * 2, sizeof *back);

		herr_t read = H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, back);

		assert_true(read >= 0);
		assert_memory_equal(back, data, rows * 2 * sizeof *data);
		sim_free(back);
	}
	H5Pclose(dcpl);
	H5Dclose(d);
	H5Fclose(file);
	sim_free(data);
	sim_free(path);
	return chunk[0];
}

/* Rows of 2 doubles are 16 bytes: a chunk holds up to 64 KiB of them, 4096 rows. */
static void chunks_hold_up_to_64_kib_of_narrow_rows(void **state)
{
	assert_int_equal(chunk_rows_for(state, 0), 1);
	assert_int_equal(chunk_rows_for(state, 1), 1);
	assert_int_equal(chunk_rows_for(state, 1000), 1000);
	assert_int_equal(chunk_rows_for(state, 3000), 3000);
	assert_int_equal(chunk_rows_for(state, 10000), 4096);
}

/* The writer keeps creation plists by chunk shape (16 of them): datasets of 1 to 40 rows (40
 * shapes, the first ones replaced and made again on the way back down), 1-D and 2-D, filtered
 * and not, each get their own chunk shape and filters; and a file written after the library
 * was closed and opened again is the same, byte for byte. */
static void every_chunk_shape_gets_its_own_plist(void **state)
{
	enum { N = 40, WIDE = 600 }; /* 600 rows of 8 bytes: 4,800 bytes, deflated */
	static double v[2 * WIDE];
	for (size_t i = 0; i < 2 * WIDE; i++)
		v[i] = (double)i;
	char *paths[2] = {in_dir(state, "shapes1.h5"), in_dir(state, "shapes2.h5")};
	for (int k = 0; k < 2; k++) {
		sim_h5_file f;
		char name[32];
		assert_int_equal(sim_h5_create(&f, paths[k]), 0);
		for (int i = 0; i < 2 * N; i++) { /* rows 1..N, then N..1 */
			int rows = i < N ? i + 1 : 2 * N - i;
			snprintf(name, sizeof name, "d%02d", i);
			assert_int_equal(sim_h5_doubles(f.id, name, v, (size_t)rows, i % 2 ? 2 : 0,
			                                "1", name, NULL),
			                 0);
		}
		assert_int_equal(sim_h5_doubles(f.id, "wide", v, WIDE, 0, "1", "wide", NULL), 0);
		assert_int_equal(sim_h5_commit(&f), 0);
		sim_h5_library_close(); /* the second file starts from nothing kept */
	}
	hid_t file = H5Fopen(paths[0], H5F_ACC_RDONLY, H5P_DEFAULT);
	assert_true(file >= 0);
	for (int i = 0; i <= 2 * N; i++) {
		char name[32];
		int rows = i == 2 * N ? WIDE : i < N ? i + 1 : 2 * N - i;
		int rank = i < 2 * N && i % 2 ? 2 : 1;
		snprintf(name, sizeof name, i == 2 * N ? "wide" : "d%02d", i);
		hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
		hid_t dcpl = H5Dget_create_plist(d);
		hsize_t chunk[2] = {0, 0};
		assert_int_equal(H5Pget_chunk(dcpl, 2, chunk), rank);
		assert_int_equal(chunk[0], rows);
		if (rank == 2)
			assert_int_equal(chunk[1], 2);
		assert_int_equal(H5Pget_nfilters(dcpl), i == 2 * N ? 2 : 0);
		static double back[2 * WIDE];
		assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >=
		            0);
		assert_memory_equal(back, v, (size_t)rows * (size_t)rank * sizeof *v);
		H5Pclose(dcpl);
		H5Dclose(d);
	}
	H5Fclose(file);
	size_t n1, n2;
	unsigned char *b1 = slurp(paths[0], &n1), *b2 = slurp(paths[1], &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(b1, b2, n1);
	sim_free(b1);
	sim_free(b2);
	sim_free(paths[0]);
	sim_free(paths[1]);
}

static void setting_an_attribute_twice_keeps_the_last_value(void **state)
{
	char *path = in_dir(state, "attr.h5");
	sim_h5_file f;
	hid_t file;

	assert_int_equal(sim_h5_create(&f, path), 0);
	assert_int_equal(sim_h5_attr_int(f.id, "complete", 0), 0);
	assert_int_equal(sim_h5_attr_int(f.id, "complete", 1), 0);
	assert_int_equal(sim_h5_attr_string(f.id, "name", "first"), 0);
	assert_int_equal(sim_h5_attr_string(f.id, "name", "second"), 0);
	assert_int_equal(sim_h5_commit(&f), 0);
	file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	assert_int_equal(read_int_attr(file, "complete"), 1);
	assert_string_attr(file, "name", "second");
	H5Fclose(file);
	sim_free(path);
}

static void writing_an_existing_dataset_name_fails_with_eio(void **state)
{
	char *path = in_dir(state, "dup.h5");
	const double x = 1.0;
	sim_h5_file f;

	assert_int_equal(sim_h5_create(&f, path), 0);
	assert_int_equal(sim_h5_doubles(f.id, "x", &x, 1, 0, "s", "once", NULL), 0);
	assert_int_equal(sim_h5_doubles(f.id, "x", &x, 1, 0, "s", "twice", NULL), -EIO);
	assert_null(sim_h5_scale_create(f.id, "no_such_scale"));
	assert_int_equal(sim_h5_error(), -EIO);
	sim_h5_abandon(&f, 1);
	sim_free(path);
}

/* Counts held as doubles are stored as int64; an event table is a compound of named members
 * (float64 for *_s, int64 otherwise) and a dimension scale of its own rows; a soft link reaches
 * a dataset by its absolute path (the object keeps its one hard link, so its one name). */
static void counts_event_tables_and_soft_links(void **state)
{
	char *path = in_dir(state, "events.h5");
	const double counts[3] = {1, 2, 40000000000.0};
	const double events[2 * 3] = {1.5, 3, 7, 2.25, 4, 8};
	sim_h5_file f;

	assert_int_equal(sim_h5_create(&f, path), 0);
	hid_t g = sim_h5_group(f.id, "queues/q");
	assert_true(g >= 0);
	assert_int_equal(sim_h5_counts(g, "sent", counts, 3, 0, "count", "sent", NULL), 0);
	assert_int_equal(sim_h5_events(g, "alarm_events", events, 2, 3, "time_s,state,level", "t"),
	                 0);
	assert_int_equal(sim_h5_events(g, "none", NULL, 0, 2, "time_s,state", "empty"), 0);
	assert_int_equal(sim_h5_doubles(f.id, "time", counts, 3, 0, "s", "ends", NULL), 0);
	assert_int_equal(sim_h5_soft_link(g, "time", "/time"), 0);
	char *name = sim_h5_path(g);
	assert_string_equal(name, "/queues/q");
	sim_free(name);
	H5Gclose(g);
	assert_int_equal(sim_h5_commit(&f), 0);

	hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t d = H5Dopen2(file, "queues/q/sent", H5P_DEFAULT);
	hid_t t = H5Dget_type(d);
	assert_int_equal(H5Tget_class(t), H5T_INTEGER);
	assert_int_equal(H5Tget_size(t), 8);
	assert_int_equal(H5Tget_sign(t), H5T_SGN_2);
	int64_t back[3];
	assert_true(H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0);
	assert_int_equal(back[2], 40000000000);
	H5Tclose(t);
	H5Dclose(d);

	d = H5Dopen2(file, "queues/q/alarm_events", H5P_DEFAULT);
	t = H5Dget_type(d);
	assert_int_equal(H5Tget_nmembers(t), 3);
	const char *names[3] = {"time_s", "state", "level"};
	const H5T_class_t classes[3] = {H5T_FLOAT, H5T_INTEGER, H5T_INTEGER};
	for (unsigned i = 0; i < 3; i++) {
		char *member = H5Tget_member_name(t, i);
		assert_string_equal(member, names[i]);
		H5free_memory(member);
		assert_int_equal(H5Tget_member_class(t, i), classes[i]);
	}
	assert_true(H5DSis_scale(d) > 0);
	struct {
		double time_s;
		int64_t state, level;
	} rows[2];
	hid_t mt = H5Tcreate(H5T_COMPOUND, sizeof rows[0]);
	H5Tinsert(mt, "time_s", 0, H5T_NATIVE_DOUBLE);
	H5Tinsert(mt, "state", 8, H5T_NATIVE_INT64);
	H5Tinsert(mt, "level", 16, H5T_NATIVE_INT64);
	assert_true(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);
	assert_true(rows[1].time_s == 2.25);
	assert_int_equal(rows[1].state, 4);
	assert_int_equal(rows[1].level, 8);
	H5Tclose(mt);
	H5Tclose(t);
	H5Dclose(d);

	d = H5Dopen2(file, "queues/q/none", H5P_DEFAULT);
	hid_t space = H5Dget_space(d);
	assert_int_equal(H5Sget_simple_extent_npoints(space), 0);
	H5Sclose(space);
	H5Dclose(d);

	H5L_info_t info;
	assert_true(H5Lget_info(file, "queues/q/time", &info, H5P_DEFAULT) >= 0);
	assert_int_equal(info.type, H5L_TYPE_SOFT);
	d = H5Dopen2(file, "queues/q/time", H5P_DEFAULT); /* the values of /time */
	double ends[3];
	assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, ends) >= 0);
	assert_memory_equal(ends, counts, sizeof ends);
	H5Dclose(d);
	H5Fclose(file);
	sim_free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(file_reads_back_with_the_values_written, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(every_object_has_labels_no_time_and_the_1_8_format,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(small_datasets_are_plain_and_large_ones_deflated,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(same_content_gives_identical_bytes, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(partial_file_exists_only_until_commit, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(earlier_file_is_untouched_until_commit, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(create_in_missing_folder_returns_enoent, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(
	                abandon_keeps_the_partial_file_unless_asked_to_remove_it, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                temporary_names_are_created_exclusively_and_never_truncate_another, setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(
	                close_keeps_a_readable_partial_file_under_its_temporary_name, setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(
	                a_scale_shared_by_many_datasets_grows_the_file_linearly, setup, teardown),
	        cmocka_unit_test_setup_teardown(a_write_past_the_file_size_limit_returns_efbig,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(empty_datasets_have_zero_rows, setup, teardown),
	        cmocka_unit_test_setup_teardown(chunks_hold_up_to_64_kib_of_narrow_rows, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(counts_event_tables_and_soft_links, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(every_chunk_shape_gets_its_own_plist, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(setting_an_attribute_twice_keeps_the_last_value,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(writing_an_existing_dataset_name_fails_with_eio,
	                                        setup, teardown),
	};

	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	sim_h5_library_close();
	return failed;
}
