"""The benchmark suite (bench/suite.py) as a user runs it: one small benchmark, side by side with
a baseline binary, its figures in the table and the JSON, the median or the fastest of the
repeated runs, the fixed cost as a one-second run, and a clear refusal of a benchmark it does
not have.

    /usr/bin/python3 tests/test_bench_suite.py BUILD_DIR
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITE = os.path.join(ROOT, "bench", "suite.py")
BUILD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else os.path.join(ROOT, "build")
KINESIM = os.path.join(BUILD, "cli", "kinesim")


def suite(*args):
    return subprocess.run([sys.executable, SUITE, "--build", BUILD, *args],
                          capture_output=True, text=True, timeout=300)


class Suite(unittest.TestCase):
    def run_json(self, *args):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "figures.json")
            p = suite("--only", "hot-stream", "--json", path, *args)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(path) as f:
                return p.stdout, json.load(f)["hot-stream"]

    def test_baseline_side_by_side_with_the_fastest_run(self):
        out, row = self.run_json("--repeat", "3", "--best", "--baseline", KINESIM)
        header, line = out.splitlines()[:2]
        for column in ("wall s", "Mrec/s", "Mdeliv/s", "peak MB", "base wall", "speedup"):
            self.assertIn(column, header)
        self.assertTrue(line.startswith("hot-stream"), out)
        # scenarios/hot-stream.yaml: 27,000 records, each processed by its 5 functions
        self.assertGreater(row["records"], 20000)
        self.assertEqual(row["deliveries"], 5 * row["records"])
        self.assertGreater(row["rss_bytes"], 1 << 20)
        self.assertEqual(len(row["runs_wall_s"]), 3)
        self.assertEqual(row["wall_s"], min(row["runs_wall_s"]))
        base = row["base"]
        self.assertEqual(base["records"], row["records"])
        self.assertEqual(base["wall_s"], min(base["runs_wall_s"]))

    def test_median_by_default(self):
        _, row = self.run_json("--repeat", "3")
        self.assertEqual(row["wall_s"], statistics.median(row["runs_wall_s"]))
        self.assertNotIn("base", row)

    def test_fixed_cost_is_bench_c_for_one_second(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "figures.json")
            p = suite("--only", "fixed-cost", "--json", path)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(path) as f:
                row = json.load(f)["fixed-cost"]
        # 16 shards x 500 records/s for one second, not bench-c's five minutes (2.4 million)
        self.assertGreater(row["records"], 7000)
        self.assertLess(row["records"], 9000)
        self.assertGreater(row["deliveries"], 0)
        # a run of some 20 ms shows in milliseconds, not as 0.02
        line = p.stdout.splitlines()[1]
        self.assertRegex(line, r"^fixed-cost +0\.\d{3} +0\.\d{3} ")

    def test_unknown_benchmark_is_refused_with_the_list(self):
        p = suite("--only", "no-such-bench")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no benchmark 'no-such-bench'", p.stderr)
        self.assertIn("bench-c", p.stderr)


if __name__ == "__main__":
    unittest.main()
