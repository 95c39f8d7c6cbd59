"""Tests for analysis/figures.py and analysis/kinesim_h5.py.

Run with Debian's interpreter (it has h5py, numpy, matplotlib):
    /usr/bin/python3 -m unittest discover -s tests/analysis

A synthetic file following docs/output.md's format_version 1 (which the reader still reads) is
written with h5py: 2 shards, 2
functions, 10 one-minute intervals, log-linear latency buckets (SUB_BITS = 7: values below 128
exact, then every power of two split into 128 buckets). figures.py runs as a separate process,
as a user runs it.
"""

import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANALYSIS = os.path.join(ROOT, "analysis")
FIGURES = os.path.join(ANALYSIS, "figures.py")
sys.path.insert(0, ANALYSIS)
import kinesim_h5  # noqa: E402

T, SHARDS = 10, 2
SHARD_IDS = ["shardId-000000000000", "shardId-000000000001"]
FUNCTIONS = ["feed-1", "feed-2"]
SUB_BITS = 7


def log_linear_lower_bounds(max_exponent=40):
    """Lower bounds: 0..127 exactly, then 2^k + j * 2^(k - 7) for j < 128, k = 7.."""
    lower = list(range(1 << SUB_BITS))
    for k in range(SUB_BITS, max_exponent):
        lower += [(1 << k) + j * (1 << (k - SUB_BITS)) for j in range(1 << SUB_BITS)]
    return np.array(lower, dtype=np.int64)


def labelled(group, name, data, units, description):
    ds = group.create_dataset(name, data=data)
    ds.attrs["units"] = units
    ds.attrs["description"] = description
    return ds


def write_run(runs, name, seed, complete=1):
    rng = np.random.default_rng(seed)
    run = runs.create_group(name)
    for key, value in (("seed", seed), ("duration_s", 600.0), ("warmup_s", 60.0),
                       ("events", 12345), ("complete", complete)):
        run.attrs[key] = value
    time = labelled(run, "time", np.arange(1, T + 1) * 60.0, "s", "end of each interval")
    time.make_scale("time")
    stream = run.create_group("streams/orders")
    shards = labelled(stream, "shards", np.array(SHARD_IDS, dtype=h5py.string_dtype()), "",
                      "shard ids")
    shards.make_scale("shard")
    for series in ("incoming_records", "read_calls", "read_throttled", "iterator_age_max_ms"):
        ds = labelled(stream, series, rng.integers(0, 50, size=(T, SHARDS)).astype(np.float64),
                      "1", series)
        ds.dims[0].attach_scale(time)
        ds.dims[1].attach_scale(shards)
    lower = log_linear_lower_bounds()
    for i, fname in enumerate(FUNCTIONS):
        fn = run.create_group(f"functions/{fname}")
        labelled(fn, "invocations", rng.integers(0, 100, size=T).astype(np.float64), "1",
                 "invocations")
        for series in ("iterator_age_max_ms", "read_throttled"):
            ds = labelled(fn, series, rng.uniform(0, 5000 * (i + 1), size=(T, SHARDS)),
                          "ms" if series.endswith("_ms") else "1", series)
            ds.dims[0].attach_scale(time)
            ds.dims[1].attach_scale(shards)
        # An event table (as kinesim writes for on_failure records): rows are events, not
        # intervals, so readers must not take it for a series.
        table = labelled(fn, "on_failure", np.zeros((i, 7)), "", "invocation records")
        table.attrs["columns"] = "time_s,shard,first_sequence,last_sequence,batch_size," \
                                 "invoke_count,condition"
        # Latencies around 50 ms and 200 ms, binned the way the simulator bins them.
        samples = rng.lognormal(np.log(5e7 * (1 + 3 * i)), 0.5, size=5000).astype(np.int64)
        counts = np.bincount(np.searchsorted(lower, samples, side="right") - 1,
                             minlength=len(lower)).astype(np.uint64)
        labelled(fn, "latency/counts", counts, "1", "records per bucket")
        labelled(fn, "latency/lower_ns", lower, "ns", "bucket lower bounds")
    summary_type = np.dtype([("name", h5py.string_dtype()), ("value", "<f8"),
                             ("unit", h5py.string_dtype())])
    labelled(run, "summary", np.array([("orders.read_throttled", 12.0, "1")], dtype=summary_type),
             "", "summary metrics")


def write_file(path, runs=1, complete=1, fmt="kinesim"):
    with h5py.File(path, "w") as f:
        f.attrs["format"] = fmt
        f.attrs["format_version"] = 1
        f.attrs["kinesim_version"] = "0.1.0"
        f.attrs["scenario_name"] = "synthetic"
        f.attrs["seed"] = 7
        f.attrs["replications"] = runs
        f.attrs["arguments"] = "--seed 7"
        labelled(f, "scenario/source", "name: synthetic\n", "", "the YAML as given")
        labelled(f, "scenario/resolved", "name: synthetic\n", "", "the YAML resolved")
        group = f.create_group("runs")
        for r in range(runs):
            write_run(group, f"r{r:04d}", 7 + r, complete if r == runs - 1 else 1)


def run_figures(*args):
    return subprocess.run([sys.executable, FIGURES, *args], capture_output=True, text=True,
                          timeout=120)


class FiguresTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.h5 = os.path.join(self.dir, "run.h5")

    def tearDown(self):
        self.tmp.cleanup()

    def make(self, outdir, *extra):
        result = run_figures(self.h5, "-o", outdir, *extra)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout.split()

    def test_writes_three_figures_in_two_formats_and_prints_their_paths(self):
        write_file(self.h5)
        out = os.path.join(self.dir, "figs")
        printed = self.make(out)
        expected = sorted(os.path.join(out, f"run_{what}.{ext}")
                          for what in ("iterator_age", "read_throttled", "latency_cdf")
                          for ext in ("pdf", "png"))
        self.assertEqual(sorted(printed), expected)
        for path in expected:
            self.assertGreater(os.path.getsize(path), 1000, path)
        with open(expected[0], "rb") as f:
            head = f.read(8)
        self.assertIn(head[:5], (b"%PDF-", b"\x89PNG\r"))

    def test_a_failed_write_leaves_neither_the_figure_nor_a_partial_file(self):
        import figures  # noqa: E402 (analysis/ is on the path)
        import matplotlib.pyplot as plt

        fig = plt.figure()

        def fail_midway(path, **kwargs):
            with open(path, "wb") as f:
                f.write(b"%PDF-1.4 half a figure")
            raise OSError(28, "No space left on device")

        fig.savefig = fail_midway
        with self.assertRaises(OSError):
            figures.save(fig, self.dir, "run", "latency_cdf", ["pdf"])
        self.assertEqual(os.listdir(self.dir), [])

    def test_pdfs_embed_truetype_fonts_and_no_dates(self):
        write_file(self.h5)
        for path in self.make(self.dir, "--format", "pdf"):
            with open(path, "rb") as f:
                pdf = f.read()
            # Type 42: TrueType outlines (/FontFile2) in a CID font, never Type 3 glyph procs.
            self.assertTrue(b"/FontFile2" in pdf, f"{path}: no TrueType font")
            self.assertFalse(b"/Subtype /Type3" in pdf, f"{path}: Type 3 font")
            for key in (b"/CreationDate", b"/ModDate", b"/Producer", b"/Creator"):
                self.assertFalse(key in pdf, f"{path}: {key!r} present")

    def test_same_file_gives_identical_bytes(self):
        write_file(self.h5)
        first = self.make(os.path.join(self.dir, "a"))
        second = self.make(os.path.join(self.dir, "b"))
        self.assertEqual(len(first), 6)
        for p, q in zip(sorted(first), sorted(second)):
            with open(p, "rb") as f, open(q, "rb") as g:
                self.assertEqual(f.read(), g.read(), f"{p} and {q} differ")

    def test_several_replications_are_drawn(self):
        write_file(self.h5, runs=3)
        self.assertEqual(len(self.make(self.dir, "--format", "png", "--run", "r0002")), 3)

    def test_missing_file_exits_2_with_a_message(self):
        result = run_figures(os.path.join(self.dir, "absent.h5"), "-o", self.dir)
        self.assertEqual(result.returncode, 2)
        self.assertIn("absent.h5: no such file", result.stderr)
        self.assertEqual(result.stdout, "")

    def test_file_that_is_not_hdf5_exits_2(self):
        with open(self.h5, "w") as f:
            f.write("not hdf5\n")
        result = run_figures(self.h5, "-o", self.dir)
        self.assertEqual(result.returncode, 2)
        self.assertIn("not an HDF5 file", result.stderr)

    def test_hdf5_file_of_another_format_exits_2(self):
        write_file(self.h5, fmt="netcdf")
        result = run_figures(self.h5, "-o", self.dir)
        self.assertEqual(result.returncode, 2)
        self.assertIn("not a kinesim file", result.stderr)
        self.assertEqual(os.listdir(self.dir), ["run.h5"])

    def test_incomplete_run_exits_2(self):
        write_file(self.h5, runs=2, complete=0)
        result = run_figures(self.h5, "-o", self.dir)
        self.assertEqual(result.returncode, 2)
        self.assertIn("run r0001 is incomplete", result.stderr)

    def test_unknown_run_exits_2(self):
        write_file(self.h5)
        result = run_figures(self.h5, "-o", self.dir, "--run", "r0009")
        self.assertEqual(result.returncode, 2)
        self.assertIn("no run 'r0009'", result.stderr)


class ReaderTest(unittest.TestCase):
    def test_reads_layout_and_shard_ids_from_the_dimension_scale(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "run.h5")
            write_file(path, runs=2)
            kf = kinesim_h5.load(path)
        self.assertEqual([r.name for r in kf.runs], ["r0000", "r0001"])
        run = kf.runs[0]
        self.assertEqual(run.attrs["complete"], 1)
        self.assertEqual(run.time.tolist(), [60.0 * (i + 1) for i in range(T)])
        self.assertEqual(run.streams["orders"].shards, SHARD_IDS)
        self.assertEqual(run.streams["orders"].series["read_throttled"].shape, (T, SHARDS))
        self.assertEqual(kf.function_names(), FUNCTIONS)
        self.assertEqual(run.functions["feed-1"].series["iterator_age_max_ms"].shape,
                         (T, SHARDS))
        self.assertEqual(run.functions["feed-2"].latency.total(), 5000)
        # format_version 1's event tables (floats and a `columns` attribute) come back as the
        # records version 2 writes.
        on_failure = run.functions["feed-2"].events["on_failure"]
        self.assertEqual(on_failure.dtype.names[:2], ("time_s", "shard"))
        self.assertEqual(len(on_failure), 1)
        self.assertNotIn("on_failure", run.functions["feed-2"].series)
        self.assertEqual(run.summary["orders.read_throttled"], (12.0, "1"))

    def test_ecdf_places_records_at_bucket_midpoints(self):
        # Buckets [0,10) [10,20) [20,40) [40,80): the last is as wide as the one before it.
        h = kinesim_h5.Histogram(np.array([1, 0, 2, 1], dtype=np.uint64),
                                 np.array([0, 10, 20, 40], dtype=np.int64))
        self.assertEqual(h.midpoints_ns().tolist(), [5.0, 15.0, 30.0, 50.0])
        x, frac = h.ecdf()
        self.assertEqual(x.tolist(), [5.0, 30.0, 50.0])
        self.assertEqual(frac.tolist(), [0.25, 0.75, 1.0])

    def test_log_linear_midpoints_stay_within_one_percent(self):
        lower = log_linear_lower_bounds(20)
        h = kinesim_h5.Histogram(np.zeros(len(lower), dtype=np.uint64), lower)
        big = lower >= 128
        half_width = (h.upper_ns() - lower)[big] / 2
        self.assertLessEqual((half_width / h.midpoints_ns()[big]).max(), 0.01)

    def test_merging_replications_adds_counts(self):
        lower = np.array([0, 1, 2], dtype=np.int64)
        a = kinesim_h5.Histogram(np.array([1, 2, 3], dtype=np.uint64), lower)
        b = kinesim_h5.Histogram(np.array([4, 0, 1], dtype=np.uint64), lower)
        self.assertEqual(a.merged(b).counts.tolist(), [5, 2, 4])
        other = kinesim_h5.Histogram(b.counts, np.array([0, 2, 4], dtype=np.int64))
        with self.assertRaises(kinesim_h5.KinesimError):
            a.merged(other)

    def test_empty_histogram_has_an_empty_ecdf(self):
        h = kinesim_h5.Histogram(np.zeros(3, dtype=np.uint64), np.array([0, 1, 2]))
        x, frac = h.ecdf()
        self.assertEqual(len(x), 0)
        self.assertEqual(len(frac), 0)


if __name__ == "__main__":
    unittest.main()
