"""The output file as readers see it (docs/output.md, format_version 2), and the figures drawn
from real kinesim files: every entity kind, several files, a sweep.

Runs kinesim (the KINESIM environment variable, which meson sets, else build/cli/kinesim) on
tests/analysis/data/every-kind.yaml, and reads the files with h5py, pandas, xarray and
analysis/kinesim_h5.py, as the documentation's one-liners do. Run with Debian's interpreter:
    KINESIM=build/cli/kinesim /usr/bin/python3 -m unittest discover -s tests/analysis
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
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
KINESIM = os.environ.get("KINESIM") or os.path.join(ROOT, "build", "cli", "kinesim")
sys.path.insert(0, ANALYSIS)
import figures  # noqa: E402
import kinesim_h5  # noqa: E402

SINGULAR = {"streams": "stream", "functions": "function", "consumers": "consumer",
            "topics": "topic", "buses": "bus", "queues": "queue", "buckets": "bucket",
            "firehoses": "firehose"}


def kinesim(*args):
    r = subprocess.run([KINESIM, *args], capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise AssertionError(f"kinesim {' '.join(args)}: exit {r.returncode}\n{r.stderr}")
    return r


def run_figures(*args):
    return subprocess.run([sys.executable, os.path.join(ANALYSIS, "figures.py"), *args],
                          capture_output=True, text=True, timeout=300)


class KinesimFiles(unittest.TestCase):
    """Writes the files once for the class: every-kind.h5 (2 replications) and hot.h5."""

    @classmethod
    def setUpClass(cls):
        if not os.access(KINESIM, os.X_OK):
            raise unittest.SkipTest(f"no kinesim executable at {KINESIM} (set KINESIM)")
        cls._tmp = tempfile.TemporaryDirectory(prefix="kinesim-analysis-")
        cls.dir = cls._tmp.name
        cls.every = os.path.join(cls.dir, "every.h5")
        kinesim("run", os.path.join(DATA, "every-kind.yaml"), "-o", cls.every,
                "--format", "json")
        cls.hot = os.path.join(cls.dir, "hot.h5")
        kinesim("run", os.path.join(ROOT, "scenarios", "hot-stream.yaml"), "-o", cls.hot,
                "--format", "json", "--set", "duration=4m")

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()


class Layout(KinesimFiles):
    def test_strings_are_str_in_attributes_and_text_datasets_with_asstr(self):
        with h5py.File(self.every, "r") as f:
            self.assertIsInstance(f.attrs["scenario_name"], str)
            self.assertEqual(f["runs/r0000/functions/g"].attrs["kind"], "function")
            self.assertIsInstance(f["scenario/source"].asstr()[()], str)
            self.assertIsInstance(f["runs/r0000/streams/s/shard"].asstr()[0], str)

    def test_counts_are_integers_and_rates_floats(self):
        with h5py.File(self.every, "r") as f:
            run = f["runs/r0000"]
            for path in ("functions/f-1/invocations", "functions/f-1/concurrent_max",
                         "streams/s/incoming_records", "streams/s/incoming_bytes",
                         "streams/s/read_throttled", "queues/q/sent", "topics/t/published",
                         "buses/bus/delivered", "buckets/b/objects",
                         "consumers/kcl/records_processed"):
                self.assertEqual(run[path].dtype, np.int64, path)
            for path in ("functions/f-1/duration_avg_ms", "streams/s/iterator_age_max_ms",
                         "queues/q/oldest_age_max_s", "time"):
                self.assertEqual(run[path].dtype, np.float64, path)
            # The measured intervals add up to the summary (warm-up: the first minute).
            summary = {r["name"].decode(): r["value"] for r in run["summary"][()]}
            measured = run["time"][()] > run.attrs["warmup_s"]
            for path, metric in (("streams/s/incoming_records", "s.incoming_records"),
                                 ("functions/f-1/invocations", "f-1.invocations")):
                series = run[path][()]
                total = series[measured].sum()
                self.assertEqual(total, summary[metric], path)
                self.assertGreater(total, 0, path)

    def test_event_tables_are_compound_datasets_with_named_members(self):
        with h5py.File(self.every, "r") as f:
            run = f["runs/r0000"]
            alarms = run["queues/dlq/alarm_events"]
            self.assertEqual(alarms.dtype.names, ("time_s", "state"))
            self.assertEqual(alarms.dtype["time_s"], np.float64)
            self.assertEqual(alarms.dtype["state"], np.int64)
            fired = int((alarms["state"] == 1).sum())
            summary = {r["name"].decode(): r["value"] for r in run["summary"][()]}
            self.assertEqual(fired, summary["dlq.alarm_fired"])
            self.assertGreater(fired, 0)
            on_failure = run["functions/f-1/on_failure"]
            self.assertEqual(on_failure.dtype.names,
                             ("time_s", "shard", "first_sequence", "last_sequence",
                              "batch_size", "invoke_count", "condition"))
            self.assertNotIn("columns", on_failure.attrs)

    def test_every_entity_group_has_its_kind_and_its_time_values(self):
        with h5py.File(self.every, "r") as f:
            run = f["runs/r0000"]
            time = run["time"][()]
            seen = set()
            for kind, singular in SINGULAR.items():
                for name, g in run[kind].items():
                    self.assertEqual(g.attrs["kind"], singular, f"{kind}/{name}")
                    if any(isinstance(d, h5py.Dataset) and d.ndim and len(d.dims[0])
                           and d.dims[0][0].name == run["time"].name for d in g.values()):
                        np.testing.assert_array_equal(g["time"][()], time)
                    seen.add(kind)
            self.assertEqual(seen, set(SINGULAR))

    def test_entity_attributes_describe_the_configuration(self):
        with h5py.File(self.every, "r") as f:
            run = f["runs/r0000"]
            f1 = dict(run["functions/f-1"].attrs)
            self.assertEqual((f1["memory_mb"], f1["triggers"], f1["efo"]), (512, "kinesis:s", 0))
            self.assertEqual(run["functions/e"].attrs["efo"], 1)
            self.assertEqual(run["functions/g"].attrs["triggers"].split("\n"),
                             ["sns:t", "sqs:q", "s3:b"])
            self.assertEqual(dict(run["consumers/kcl"].attrs),
                             {"kind": "consumer", "stream": "s", "efo": 1})
            self.assertEqual(run["streams/s"].attrs["shards"], 2)
            self.assertEqual(run.attrs["interval_s"], 60.0)

    def test_shard_lifetimes_say_when_each_shard_took_writes(self):
        with h5py.File(self.every, "r") as f:
            table = f["runs/r0000/streams/s/shard_lifetimes"][()]
        self.assertEqual(table["shard"].tolist(), list(range(6)))
        # The reshard `at: 3m` counts from the end of the 1-minute warm-up.
        self.assertEqual(table["open_s"].tolist(), [0, 0, 240, 240, 240, 240])
        self.assertEqual(table["close_s"].tolist(), [240, 240] + [np.inf] * 4)

    def test_the_documented_pandas_one_liners(self):
        import pandas as pd
        # docs/output.md: a compound table through h5py, strings decoded in the same line.
        with h5py.File(self.every, "r") as f:
            df = pd.DataFrame(f["summary"][()]).apply(
                lambda c: c.str.decode("utf-8") if c.dtype == object else c)
        self.assertEqual(list(df.columns), ["name", "mean", "stddev", "ci95", "unit"])
        row = df.set_index("name").loc["s.incoming_records"]
        self.assertEqual(row["unit"], "count")
        self.assertGreater(row["mean"], 0)
        # The reader's helper gives the same frame.
        pd.testing.assert_frame_equal(kinesim_h5.frame(self.every, "summary"), df)
        alarms = kinesim_h5.frame(self.every, "runs/r0000/queues/dlq/alarm_events")
        self.assertEqual(list(alarms.columns), ["time_s", "state"])

    def test_the_documented_xarray_one_liner(self):
        import xarray as xr
        ds = xr.open_dataset(self.every, group="runs/r0000/streams/s", engine="h5netcdf")
        with h5py.File(self.every, "r") as f:
            time = f["runs/r0000/time"][()]
            throttled = f["runs/r0000/streams/s/read_throttled"][()]
        np.testing.assert_array_equal(ds["time"].values, time)
        self.assertEqual(ds["read_throttled"].dims, ("time", "shard"))
        self.assertEqual(ds["read_throttled"].dtype, np.int64)
        np.testing.assert_array_equal(ds["read_throttled"].values, throttled)
        self.assertEqual(ds["shard"].values[0], "shardId-000000000000")
        self.assertEqual(ds.attrs["kind"], "stream")
        fn = xr.open_dataset(self.every, group="runs/r0000/functions/f-1", engine="h5netcdf")
        self.assertEqual(fn["invocations"].dims, ("time",))
        self.assertEqual(fn.attrs["memory_mb"], 512)
        hist = xr.open_dataset(self.every, group="runs/r0000/functions/f-1/latency",
                               engine="h5netcdf")
        self.assertEqual(hist["counts"].dims, ("lower_ns",))
        self.assertGreater(int(hist["counts"].sum()), 0)

    def test_the_reader_reads_every_kind(self):
        kf = kinesim_h5.load(self.every)
        self.assertEqual(len(kf.runs), 2)
        run = kf.runs[1]
        self.assertEqual(set(run.entities), set(SINGULAR))
        self.assertEqual(run.consumers["kcl"].attrs["efo"], 1)
        self.assertGreater(run.consumers["kcl"].latency.total(), 0)
        self.assertGreater(run.kind("firehoses")["fh"].latency.total(), 0)
        self.assertEqual(run.queues["dlq"].events["alarm_events"].dtype.names,
                         ("time_s", "state"))
        self.assertEqual(run.kind("buses")["bus"].series["delivered"].shape, (len(run.time),))
        self.assertNotIn("time", run.kind("topics")["t"].series)
        mean, ci95 = kf.metric("s.incoming_records")
        self.assertGreater(mean, 0)
        self.assertFalse(np.isnan(ci95))


def axes_lines(ax):
    return [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]


def overlapping_labels(fig, ax, which):
    """Pairs of visible tick labels of an axis whose boxes overlap once drawn."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = ax.get_xticklabels() if which == "x" else ax.get_yticklabels()
    lo, hi = (ax.get_xlim() if which == "x" else ax.get_ylim())
    ticks = ax.get_xticks() if which == "x" else ax.get_yticks()
    boxes = [t.get_window_extent(renderer) for t, v in zip(labels, ticks)
             if t.get_text() and t.get_visible() and min(lo, hi) <= v <= max(lo, hi)]
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]


def legend_clear_of_data(fig, ax):
    fig.canvas.draw()
    legend = ax.get_legend()
    if legend is None:
        return True
    return not legend.get_window_extent().overlaps(ax.get_window_extent())


class Figures(KinesimFiles):
    def setUp(self):
        figures.style()
        self.kf = kinesim_h5.load(self.every)
        self.files = [self.kf]

    def tearDown(self):
        figures.plt.close("all")

    def test_the_command_draws_every_figure_with_data_in_both_formats(self):
        out = os.path.join(self.dir, "all")
        r = run_figures(self.every, "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        drawn = {os.path.basename(p) for p in r.stdout.split()}
        names = ("iterator_age", "read_throttled", "write_throttled", "latency_cdf",
                 "concurrency", "queues", "messages", "cost_breakdown", "topology")
        self.assertEqual(drawn, {f"every_{n}.{e}" for n in names for e in ("pdf", "png")})
        # The same input gives the same bytes.
        again = os.path.join(self.dir, "again")
        self.assertEqual(run_figures(self.every, "-o", again).returncode, 0)
        for name in sorted(drawn):
            with open(os.path.join(out, name), "rb") as a, \
                    open(os.path.join(again, name), "rb") as b:
                self.assertEqual(a.read(), b.read(), name)

    def test_only_draws_the_named_figures_and_refuses_what_it_cannot_draw(self):
        out = os.path.join(self.dir, "only")
        r = run_figures(self.hot, "-o", out, "--only", "latency_cdf", "--format", "png")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([os.path.basename(p) for p in r.stdout.split()],
                         ["hot_latency_cdf.png"])
        r = run_figures(self.hot, "-o", out, "--only", "queues")
        self.assertEqual(r.returncode, 2)
        self.assertIn("nothing to draw for queues", r.stderr)
        r = run_figures(self.hot, "-o", out, "--only", "nosuch")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown figure nosuch", r.stderr)
        r = run_figures("--list")
        self.assertEqual(r.returncode, 0)
        self.assertEqual([line.split()[0] for line in r.stdout.splitlines()],
                         list(figures.REGISTRY))

    def test_iterator_age_has_functions_and_kcl_consumers(self):
        fig = figures.iterator_age_figure(self.files)
        ax = fig.axes[0]
        self.assertEqual(axes_lines(ax), ["e (EFO)", "f-1", "f-2", "kcl (EFO)"])
        self.assertIn("iterator age", ax.get_ylabel())
        self.assertIn("simulated time", ax.get_xlabel())
        self.assertTrue(legend_clear_of_data(fig, ax))

    def test_heatmaps_mark_closed_shards_and_name_the_interval(self):
        fig = figures.read_throttled_figure(self.files)
        panels = [ax for ax in fig.axes if ax.get_ylabel().endswith("shard")]
        self.assertEqual([ax.get_ylabel().split("\n")[0] for ax in panels], ["od", "s"])
        colorbar = [ax for ax in fig.axes if ax not in panels][0]
        self.assertIn("read throttles\nper 60 s interval", colorbar.get_ylabel())
        # Stream s: shards 0-1 close at 4 min, 2-5 open then (6 one-minute intervals):
        # hatched cells, not zeros, and a legend that says so.
        hatched = [c for c in panels[1].collections if c.get_hatch() == "///"]
        self.assertEqual(len(hatched), 1)
        self.assertEqual(hatched[0].get_array().count(), 2 * 2 + 4 * 4)
        self.assertIn("shard not open", [t.get_text() for t in fig.axes[0].get_legend().texts])
        write = figures.write_throttled_figure(self.files)
        self.assertIn("write throttles", write.axes[-1].get_ylabel())

    def test_latency_has_every_reader_and_readable_log_ticks(self):
        fig = figures.latency_figure(self.files)
        left, right = fig.axes[:2]
        names = [label.split(" (n=")[0] for label in axes_lines(left)]
        # g fails every record it gets (all poison): no latency, no line.
        self.assertEqual(names, ["e (EFO)", "f-1", "f-2", "h", "kcl (EFO)", "fh"])
        self.assertEqual(right.get_xscale(), "log")
        self.assertEqual(right.get_yscale(), "log")
        for ax in (left, right):
            self.assertEqual(overlapping_labels(fig, ax, "x"), [])
        self.assertEqual(overlapping_labels(fig, right, "y"), [])
        self.assertTrue(legend_clear_of_data(fig, right))

    def test_concurrency_queues_and_messages_panels(self):
        fig = figures.concurrency_figure(self.files)
        self.assertEqual(axes_lines(fig.axes[0]), ["e (EFO)", "f-1", "f-2", "g", "h"])
        self.assertIn("throttled", fig.axes[1].get_ylabel())
        fig = figures.queues_figure(self.files)
        depth, age, alarm = fig.axes[:3]
        self.assertEqual(axes_lines(depth), ["dlq", "q"])
        self.assertIn("visible messages", depth.get_ylabel())
        self.assertEqual([t.get_text() for t in alarm.get_yticklabels()], ["OK", "ALARM"])
        self.assertIn("dlq went to ALARM (r0000)", axes_lines(alarm))
        fig = figures.messages_figure(self.files)
        self.assertEqual(axes_lines(fig.axes[0]), ["t", "bus"])
        self.assertEqual(axes_lines(fig.axes[2]), ["dlq", "q"])
        self.assertEqual(axes_lines(fig.axes[3]), ["b"])

    def test_cost_breakdown_stacks_each_service(self):
        fig = figures.cost_figure(self.files)
        ax = fig.axes[0]
        services = [t.get_text() for t in ax.get_legend().texts]
        self.assertIn("kinesis", services)
        self.assertIn("lambda", services)
        widths = sum(p.get_width() for p in ax.patches)
        self.assertAlmostEqual(widths, sum(figures.cost_of(self.kf, c)[0]
                                           for c in figures.COST_LINES), places=9)
        total = self.kf.metric("cost.total")[0]
        self.assertAlmostEqual(widths, total, delta=total * 1e-9)

    def test_several_files_overlay_and_compare(self):
        out = os.path.join(self.dir, "several")
        r = run_figures(self.hot, self.every, "-o", out, "--only", "latency_cdf,topology",
                        "--format", "png")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([os.path.basename(p) for p in r.stdout.split()],
                         ["comparison_latency_cdf.png", "comparison_topology.png"])
        files = [kinesim_h5.load(self.hot), kinesim_h5.load(self.every)]
        figures.file_labels(files)
        fig = figures.latency_figure(files)
        self.assertEqual([label.split(" (")[0] for label in axes_lines(fig.axes[0])],
                         ["hot-stream", "every-kind"])
        fig = figures.topology_figure(files)
        self.assertEqual([t.get_text() for t in fig.axes[0].get_yticklabels()],
                         ["hot-stream", "every-kind"])
        p99 = [p.get_width() for p in fig.axes[0].patches]
        self.assertEqual(p99, [figures.worst_p99(kf)[0] for kf in files])


class SweepFigures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(KINESIM, os.X_OK):
            raise unittest.SkipTest(f"no kinesim executable at {KINESIM} (set KINESIM)")
        cls._tmp = tempfile.TemporaryDirectory(prefix="kinesim-sweep-")
        cls.path = os.path.join(cls._tmp.name, "subscribers.h5")
        kinesim("sweep", os.path.join(ROOT, "scenarios", "hot-stream.yaml"),
                "--vary", "functions.feed.count=2..6", "--vary", "streams.events.shards=1,2",
                "--set", "duration=3m", "--set", "replications=2", "-o", cls.path,
                "--format", "json")

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_throttles_against_subscribers_one_line_per_shard_count(self):
        figures.style()
        sweep = kinesim_h5.load_sweep(self.path)
        self.assertEqual(sweep.paths, ["functions.feed.count", "streams.events.shards"])
        fig = figures.sweep_throttles_figure(sweep)
        top, bottom = fig.axes[:2]
        self.assertEqual(axes_lines(top), ["streams.events.shards=1", "streams.events.shards=2"])
        x, y = top.get_lines()[0].get_data()
        self.assertEqual(list(x), [2, 3, 4, 5, 6])
        # The hot-stream lesson: more subscribers, more throttles per shard.
        self.assertLess(y[0], y[-1])
        self.assertEqual(bottom.get_xlabel(), "functions.feed.count")
        figures.plt.close("all")

    def test_the_command_draws_the_sweep_figures(self):
        r = run_figures(self.path, "--format", "png")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([os.path.basename(p) for p in r.stdout.split()],
                         ["subscribers_sweep_throttles.png", "subscribers_cost_latency.png"])


if __name__ == "__main__":
    unittest.main()
