"""The producers on a helper thread (KINESIM_THREADS=2, models/kinesis/ahead.c) change nothing
but the time a run takes: `kinesim run` end to end.

Run with Debian's interpreter (h5py reads the output files):
    /usr/bin/python3 tests/cli/test_helper_thread.py build/cli/kinesim
The kinesim path comes from the first argument or the KINESIM environment variable.

What is checked:
- every scenario of the library, and two benchmarks shortened, writes the same file, byte for
  byte, and prints the same table with the helper as without it (the helper runs only where
  nothing a reader does can change a write; elsewhere the run is one thread's anyway, and must
  be the same too);
- a run with the helper stopped by SIGINT ends as any run does: exit 130 and a readable partial
  file, its series cut at the last whole interval.
On a machine (or an affinity mask) of one core there is no core to spare: the helper never
starts, and the tests check only that the two settings agree.
"""

import glob
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KINESIM = os.environ.get("KINESIM", "")

# Every scenario of the library, and two benchmarks cut to a minute: the large one (every kind
# of reader: polling functions, enhanced fan-out, KCL) and bench-c (six polling functions).
CASES = [(p, ()) for p in sorted(glob.glob(os.path.join(ROOT, "scenarios", "*.yaml")))] + [
    (os.path.join(ROOT, "bench", "large.yaml"), ("--set", "duration=1m")),
    (os.path.join(ROOT, "bench", "bench-c.yaml"), ("--set", "duration=1m")),
]


def run(tmp, threads, path, args, output):
    env = dict(os.environ, KINESIM_THREADS=threads)
    return subprocess.run([KINESIM, "run", path, *args, "-o", output], cwd=tmp, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class HelperThread(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="kinesim-helper-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def test_every_scenario_writes_the_same_file_with_and_without_the_helper(self):
        for path, args in CASES:
            name = os.path.basename(path)
            with self.subTest(scenario=name):
                one = run(self.tmp, "1", path, args, "one.h5")
                two = run(self.tmp, "2", path, args, "two.h5")
                # 1: an expect: line of a shortened benchmark may fail, the same in both
                self.assertIn(one.returncode, (0, 1), one.stderr)
                self.assertEqual(two.returncode, one.returncode, two.stderr)
                self.assertEqual(two.stdout, one.stdout)
                with open(os.path.join(self.tmp, "one.h5"), "rb") as f:
                    a = f.read()
                with open(os.path.join(self.tmp, "two.h5"), "rb") as f:
                    b = f.read()
                self.assertTrue(a == b, "%s: the files differ" % name)

    def test_an_interrupted_run_with_the_helper_keeps_its_finished_intervals(self):
        # thirty simulated days, two functions reading: minutes of work, so SIGINT lands mid-run
        long = os.path.join(HERE, "data", "long.yaml")
        env = dict(os.environ, KINESIM_THREADS="2")
        p = subprocess.Popen([KINESIM, "run", long, "-o", "cut.h5"], cwd=self.tmp, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            while not any(n.endswith(".partial") for n in os.listdir(self.tmp)):
                self.assertIsNone(p.poll(), "the run ended before the signal")
                self.assertLess(time.monotonic(), deadline, "no partial file appeared")
                time.sleep(0.02)
            time.sleep(1.0)
            self.assertIsNone(p.poll(), "the run ended before the signal")
            p.send_signal(signal.SIGINT)
            _, stderr = p.communicate(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        self.assertEqual(p.returncode, 128 + signal.SIGINT, stderr)
        partial = re.search(r"the partial results are in '([^']+)'", stderr)
        self.assertIsNotNone(partial, stderr)
        with h5py.File(os.path.join(self.tmp, partial.group(1)), "r") as f:
            run0 = f["runs/r0000"]
            self.assertEqual(run0.attrs["complete"], 0)
            # cut at the last whole interval, every series alike
            rows = run0["time"].shape[0]
            self.assertGreater(rows, 0)
            self.assertEqual(run0["streams/s/incoming_records"].shape[0], rows)


def main():
    """`test_helper_thread.py KINESIM [unittest arguments]`."""
    global KINESIM
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        KINESIM = sys.argv.pop(1)
    if not KINESIM:
        sys.exit("usage: test_helper_thread.py KINESIM [unittest arguments]")
    KINESIM = os.path.abspath(KINESIM)
    unittest.main(argv=sys.argv, verbosity=2)


if __name__ == "__main__":
    main()
