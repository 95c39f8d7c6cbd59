"""Tests for analysis/sweep_figure.py on a synthetic sweep file (docs/output.md's sweep layout:
vary_paths at the root, each point's values and its summary table of means and intervals).

Run with Debian's interpreter: /usr/bin/python3 -m unittest discover -s tests/analysis
"""

import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "analysis", "sweep_figure.py")
STATS = np.dtype([("name", h5py.string_dtype()), ("mean", "<f8"), ("stddev", "<f8"),
                  ("ci95", "<f8"), ("unit", h5py.string_dtype())])


def write_sweep(path, counts=(1, 2, 3, 4, 5), shards=(1, 8)):
    with h5py.File(path, "w") as f:
        f.attrs["format"] = "kinesim"
        f.attrs["format_version"] = 1
        f.attrs["kind"] = "sweep"
        f.attrs["vary_paths"] = "functions.feed.count\nstreams.events.shards"
        i = 0
        for c in counts:
            for s in shards:
                g = f.create_group("points/p%04d" % i)
                g.attrs["values"] = "%d\n%d" % (c, s)
                throttles = max(0.0, 30.0 * (c - 4))
                g.create_dataset("summary", data=np.array(
                    [("events.read_throttled.per_shard_per_minute", throttles, 1.0, 0.5, "1/min")],
                    dtype=STATS))
                i += 1


class SweepFigure(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="kinesim-sweep-")
        self.tmp = self._tmp.name
        self.file = os.path.join(self.tmp, "subscribers.h5")
        write_sweep(self.file)

    def tearDown(self):
        self._tmp.cleanup()

    def run_script(self, *args):
        return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True)

    def test_writes_the_figure_and_prints_its_path_the_same_bytes_each_time(self):
        args = (self.file, "--metric", "events.read_throttled.per_shard_per_minute",
                "--x", "functions.feed.count", "--format", "png,pdf")
        r = self.run_script(*args)
        self.assertEqual(r.returncode, 0, r.stderr)
        paths = r.stdout.split()
        self.assertEqual([os.path.basename(p) for p in paths],
                         ["subscribers_sweep_events.read_throttled.per_shard_per_minute.png",
                          "subscribers_sweep_events.read_throttled.per_shard_per_minute.pdf"])
        first = [open(p, "rb").read() for p in paths]
        self.run_script(*args)
        self.assertEqual(first, [open(p, "rb").read() for p in paths])

    def test_an_unknown_metric_or_path_exits_2_with_a_message(self):
        r = self.run_script(self.file, "--metric", "nosuch")
        self.assertEqual(r.returncode, 2)
        self.assertIn("no metric 'nosuch'", r.stderr)
        r = self.run_script(self.file, "--metric", "events.read_throttled.per_shard_per_minute",
                            "--x", "streams.other.shards")
        self.assertEqual(r.returncode, 2)
        self.assertIn("is not a varied path", r.stderr)

    def test_a_file_that_is_no_sweep_exits_2(self):
        other = os.path.join(self.tmp, "run.h5")
        with h5py.File(other, "w") as f:
            f.attrs["format"] = "kinesim"
        r = self.run_script(other, "--metric", "x")
        self.assertEqual(r.returncode, 2)
        self.assertIn("not a kinesim sweep file", r.stderr)


if __name__ == "__main__":
    unittest.main()
