"""Never lose a result, never clobber a file, never hang (issue 9): `kinesim run` end to end.

Run with Debian's interpreter (h5py reads the output files):
    /usr/bin/python3 tests/cli/test_safety.py build/cli/kinesim
The kinesim path comes from the first argument or the KINESIM environment variable.

What is checked (docs/output.md, "Writing the file safely"):
- `-o` replaces only a regular file: a FIFO, a directory, a device or a symbolic link is refused
  with exit 73 and left as it was;
- each run writes under a name of its own, created exclusively, so two runs to the same `-o`
  both finish and a stale partial file is never touched;
- SIGINT, SIGTERM and SIGHUP end the run at the next safe point with a readable partial file
  (complete = 0, series cut at the last whole interval) and exit 128 + the signal; a second
  signal waits for the file to be written;
- a failed write (file size limit, full disk) exits 74 with the reason, and so does a failed
  write to stdout;
- progress on stderr with --progress (or a terminal), nothing of the kind otherwise;
- the file size stays proportional to the data with many functions, and a series that stays
  zero is read back as zeros;
- a run estimated to need more memory than --max-memory is refused (exit 65) with the estimate
  and what to change, unless --force; a forced run of a billion records a second still stops
  at once on SIGINT.

Every test works in a temporary folder of its own and makes the FIFOs, links and device node
it needs there (the device node needs root; that test is skipped without it). /dev/null is
only named after a FIFO was seen refused, so that a regression cannot replace it.
"""

import json
import math
import os
import pty
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
KINESIM = os.environ.get("KINESIM", "")

# A scenario that runs for a second or two (for concurrent runs).
SHORT_LONG = ("--set", "duration=2d")


class SafetyTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="kinesim-safety-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp, name)

    def fixture(self, name):
        shutil.copy(os.path.join(DATA, name), self.path(name))
        return name

    def scenario(self, name, text):
        with open(self.path(name), "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(text).lstrip("\n"))
        return name

    def kinesim(self, *args, timeout=120, **kwargs):
        if "stdout" not in kwargs and "stderr" not in kwargs:
            kwargs["capture_output"] = True
        return subprocess.run([KINESIM, *args], cwd=self.tmp, text=True, timeout=timeout,
                              **kwargs)

    def assertExit(self, r, code):
        self.assertEqual(r.returncode, code, "exit %d, expected %d\nstdout:\n%s\nstderr:\n%s"
                         % (r.returncode, code, r.stdout, r.stderr))

    def partials(self):
        return sorted(n for n in os.listdir(self.tmp) if n.endswith(".partial"))

    def run_and_signal(self, args, signals, settle, pause=0.0):
        """Starts `kinesim ARGS`, waits for its partial file and `settle` s of work, sends
        `signals` `pause` s apart; returns (returncode, stdout, stderr, seconds from the first
        signal to the exit)."""
        p = subprocess.Popen([KINESIM, *args], cwd=self.tmp, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            while not self.partials() and p.poll() is None:
                self.assertLess(time.monotonic(), deadline, "no partial file appeared")
                time.sleep(0.02)
            time.sleep(settle)
            self.assertIsNone(p.poll(), "the run ended before the signal")
            sent = time.monotonic()
            for sig in signals:
                p.send_signal(sig)
                time.sleep(pause)
            stdout, stderr = p.communicate(timeout=60)
            took = time.monotonic() - sent
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        return p.returncode, stdout, stderr, took

    def assertComplete(self, path):
        with h5py.File(path, "r") as f:
            self.assertEqual(f.attrs["format"], "kinesim")
            self.assertEqual(f["runs/r0000"].attrs["complete"], 1)
            self.assertIn("summary", f)


class OutputPath(SafetyTest):
    """-o replaces a regular file or creates one; anything else is refused, untouched."""

    def refused(self, output, kind):
        r = self.kinesim("run", self.fixture("small.yaml"), "-o", output)
        self.assertExit(r, 73)
        self.assertEqual(r.stdout, "")
        self.assertIn("cannot write the output '%s': it is %s" % (output, kind), r.stderr)
        self.assertIn("-o", r.stderr.splitlines()[-1])
        return r

    def test_a_fifo_is_refused_and_stays_a_fifo(self):
        os.mkfifo(self.path("fifo"))
        self.refused("fifo", "a FIFO")
        self.assertTrue(stat.S_ISFIFO(os.lstat(self.path("fifo")).st_mode))
        self.assertEqual(self.partials(), [])

    def test_a_directory_is_refused_and_its_contents_kept(self):
        os.mkdir(self.path("results"))
        with open(self.path("results/keep"), "w") as f:
            f.write("x")
        r = self.refused("results", "a directory")
        self.assertIn("results/small.h5", r.stderr)  # how to call it instead
        self.assertEqual(os.listdir(self.path("results")), ["keep"])

    def test_a_character_device_is_refused_and_stays_a_device(self):
        try:
            os.mknod(self.path("null"), stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            self.skipTest("cannot create a device node here")
        self.refused("null", "a character device")
        st = os.lstat(self.path("null"))
        self.assertTrue(stat.S_ISCHR(st.st_mode))
        self.assertEqual(st.st_rdev, os.makedev(1, 3))

    def test_dev_null_is_refused_and_stays_a_character_device(self):
        # Guard: if a FIFO is not refused, a regression would replace /dev/null: stop first.
        os.mkfifo(self.path("probe"))
        probe = self.kinesim("run", self.fixture("small.yaml"), "-o", "probe")
        self.assertEqual(probe.returncode, 73, "a FIFO was not refused: /dev/null not tried")
        before = os.lstat("/dev/null")
        self.assertTrue(stat.S_ISCHR(before.st_mode))
        self.refused("/dev/null", "a character device")
        after = os.lstat("/dev/null")
        self.assertTrue(stat.S_ISCHR(after.st_mode))
        self.assertEqual((after.st_rdev, after.st_ino), (before.st_rdev, before.st_ino))
        self.assertFalse(os.path.exists("/dev/null.partial"))

    def test_a_symbolic_link_is_refused_and_both_link_and_target_are_kept(self):
        with open(self.path("target.h5"), "wb") as f:
            f.write(b"an earlier result\n")
        os.symlink("target.h5", self.path("link.h5"))
        r = self.refused("link.h5", "a symbolic link")
        self.assertIn("'target.h5'", r.stderr)
        self.assertEqual(os.readlink(self.path("link.h5")), "target.h5")
        with open(self.path("target.h5"), "rb") as f:
            self.assertEqual(f.read(), b"an earlier result\n")
        self.assertEqual(self.partials(), [])

    def test_a_dangling_symbolic_link_is_refused(self):
        os.symlink("nowhere.h5", self.path("link.h5"))
        self.refused("link.h5", "a symbolic link")
        self.assertEqual(os.readlink(self.path("link.h5")), "nowhere.h5")
        self.assertFalse(os.path.exists(self.path("nowhere.h5")))

    def test_a_regular_file_is_replaced(self):
        with open(self.path("out.h5"), "wb") as f:
            f.write(b"an earlier result\n")
        self.assertExit(self.kinesim("run", self.fixture("small.yaml"), "-o", "out.h5"), 0)
        self.assertComplete(self.path("out.h5"))
        self.assertEqual(self.partials(), [])


class TemporaryNames(SafetyTest):
    """Each run writes to a name created exclusively; nothing of another run is touched."""

    def test_two_runs_to_the_same_output_both_finish(self):
        name = self.fixture("long.yaml")
        procs = [subprocess.Popen([KINESIM, "run", name, "-o", "same.h5", *SHORT_LONG],
                                  cwd=self.tmp, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outs = []
        for p in procs:
            try:
                outs.append(p.communicate(timeout=120))
            finally:
                if p.poll() is None:
                    p.kill()
                    p.communicate()
        for p, (out, err) in zip(procs, outs):
            self.assertEqual(p.returncode, 0, err)
            self.assertIn("kinesim: wrote same.h5", err)
        self.assertComplete(self.path("same.h5"))
        self.assertEqual(self.partials(), [])
        self.assertEqual(sorted(os.listdir(self.tmp)), [name, "same.h5"])

    def test_a_stale_partial_file_is_left_alone(self):
        stale = b"the partial file of an interrupted run\n"
        with open(self.path("out.h5.partial"), "wb") as f:
            f.write(stale)
        r = self.kinesim("run", self.fixture("small.yaml"), "-o", "out.h5")
        self.assertExit(r, 0)
        self.assertComplete(self.path("out.h5"))
        self.assertTrue(os.path.exists(self.path("out.h5.partial")), "the stale file is gone")
        with open(self.path("out.h5.partial"), "rb") as f:
            self.assertEqual(f.read(), stale)
        self.assertEqual(self.partials(), ["out.h5.partial"])


SIGNALS = {signal.SIGINT: ("SIGINT", 130), signal.SIGTERM: ("SIGTERM", 143),
           signal.SIGHUP: ("SIGHUP", 129)}
MESSAGE = re.compile(r"kinesim: interrupted; the partial results are in '([^']+)'")


class Signals(SafetyTest):
    """A signal ends the run at the next safe point with a readable, cut partial file."""

    def interrupt(self, signals, pause=0.0, args=()):
        """Starts the 30-day scenario, waits for its partial file and a second of work, sends
        `signals` `pause` s apart; returns (returncode, stderr, partial file path)."""
        name = self.fixture("long.yaml")
        returncode, stdout, stderr, _ = self.run_and_signal(
            ["run", name, "-o", "long.h5", *args], signals, settle=1.0, pause=pause)
        self.assertEqual(stdout, "")
        self.assertFalse(os.path.exists(self.path("long.h5")))
        m = MESSAGE.search(stderr)
        self.assertIsNotNone(m, stderr)
        return returncode, stderr, os.path.join(self.tmp, m.group(1))

    def assertCutPartialFile(self, path):
        """Readable, complete = 0, and the series hold the whole intervals reached only."""
        self.assertEqual(self.partials(), [os.path.basename(path)])
        with h5py.File(path, "r") as f:
            run = f["runs/r0000"]
            self.assertEqual(run.attrs["complete"], 0)
            reached = run.attrs["reached_s"]
            self.assertGreater(reached, 60)
            self.assertLess(reached, run.attrs["duration_s"])
            rows = math.floor(reached / 60)  # long.yaml: the default 1 min interval
            time_s = run["time"][()]
            self.assertEqual(len(time_s), rows)
            self.assertEqual(time_s[-1], rows * 60.0)
            series = []
            # The series: what the time scale is attached to (histograms have their buckets).
            run.visititems(lambda n, o: series.append((n, o))
                           if isinstance(o, h5py.Dataset) and o.ndim and len(o.dims[0])
                           and o.dims[0][0].name == "/runs/r0000/time" else None)
            self.assertGreater(len(series), 10)
            for n, ds in series:
                self.assertEqual(ds.shape[0], rows, n)
            # No zero padding: records arrived in the last interval kept.
            incoming = run["streams/s/incoming_records"][()]
            self.assertGreater(incoming[-1].sum(), 0)
            self.assertEqual(f.attrs["format"], "kinesim")

    def check_signal(self, sig):
        name, code = SIGNALS[sig]
        rc, stderr, partial = self.interrupt([sig])
        self.assertEqual(rc, code, stderr)
        self.assertCutPartialFile(partial)
        self.assertIn(name, stderr)

    def test_sigint_exits_130_with_a_cut_partial_file(self):
        self.check_signal(signal.SIGINT)

    def test_sigterm_exits_143_with_a_cut_partial_file(self):
        self.check_signal(signal.SIGTERM)

    def test_sighup_exits_129_with_a_cut_partial_file(self):
        self.check_signal(signal.SIGHUP)

    def test_two_quick_sigints_still_leave_a_readable_partial_file(self):
        rc, stderr, partial = self.interrupt([signal.SIGINT, signal.SIGINT], pause=0.005)
        self.assertEqual(rc, 130, stderr)
        self.assertCutPartialFile(partial)

    def test_sigint_with_two_jobs_cuts_both_running_replications(self):
        # -j 2 runs r0000 and r0001 at once: both are cut at the signal, written in order,
        # complete = 0; r0002 never starts; no summary, as for one job.
        rc, stderr, partial = self.interrupt([signal.SIGINT],
                                             args=("--set", "replications=3", "-j", "2"))
        self.assertEqual(rc, 130, stderr)
        self.assertIn("r0000 stopped at", stderr)
        with h5py.File(partial, "r") as f:
            self.assertEqual(sorted(f["runs"]), ["r0000", "r0001"])
            for r in ("r0000", "r0001"):
                run = f["runs"][r]
                self.assertEqual(run.attrs["complete"], 0)
                rows = math.floor(run.attrs["reached_s"] / 60)
                self.assertEqual(len(run["time"]), rows)
                self.assertGreater(rows, 0)
            self.assertNotIn("summary", f)

    def test_sigint_then_sigterm_exits_for_the_first_signal(self):
        rc, stderr, partial = self.interrupt([signal.SIGINT, signal.SIGTERM])
        self.assertEqual(rc, 130, stderr)
        self.assertCutPartialFile(partial)


def limit_file_size(limit):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


class WriteErrors(SafetyTest):
    """A failed write is reported for what it is, exit 74, never a crash."""

    def test_a_file_size_limit_exits_74_and_leaves_no_complete_looking_file(self):
        r = self.kinesim("run", self.fixture("small.yaml"), "-o", "out.h5",
                         preexec_fn=limit_file_size(16 * 1024))
        self.assertExit(r, 74)
        self.assertIn("File too large", r.stderr)
        self.assertFalse(os.path.exists(self.path("out.h5")))
        self.assertEqual(self.partials(), [])
        self.assertEqual(r.stdout, "")

    def test_a_file_size_limit_hit_by_an_interrupted_run_exits_74(self):
        # The partial file of a stopped run is written too; its failure is an I/O error.
        name = self.fixture("long.yaml")
        p = subprocess.Popen([KINESIM, "run", name, "-o", "long.h5"], cwd=self.tmp,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=limit_file_size(16 * 1024))
        try:
            deadline = time.monotonic() + 30
            while not self.partials() and p.poll() is None:
                self.assertLess(time.monotonic(), deadline, "no partial file appeared")
                time.sleep(0.02)
            time.sleep(1.0)
            p.send_signal(signal.SIGTERM)
            _, stderr = p.communicate(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        self.assertEqual(p.returncode, 74, stderr)
        self.assertIn("File too large", stderr)
        self.assertFalse(os.path.exists(self.path("long.h5")))

    def test_json_summary_to_a_full_device_exits_74(self):
        with open("/dev/full", "w") as full:
            r = self.kinesim("run", self.fixture("small.yaml"), "-o", "out.h5", "--format",
                             "json", stdout=full, stderr=subprocess.PIPE)
        self.assertEqual(r.returncode, 74, r.stderr)
        self.assertIn("standard output", r.stderr)
        self.assertIn("No space left on device", r.stderr)

    def test_help_to_a_full_device_exits_74(self):
        with open("/dev/full", "w") as full:
            r = self.kinesim("--help", stdout=full, stderr=subprocess.PIPE)
        self.assertEqual(r.returncode, 74, r.stderr)
        self.assertIn("No space left on device", r.stderr)


PROGRESS = re.compile(r"kinesim: progress: +\d+% +simulated \S+ of \S+.*ETA")


class Progress(SafetyTest):
    def test_progress_option_prints_progress_lines_on_stderr(self):
        r = self.kinesim("run", self.fixture("small.yaml"), "-o", "out.h5", "--format", "json",
                         "--progress")
        self.assertExit(r, 0)
        lines = [line for line in r.stderr.splitlines() if PROGRESS.search(line)]
        self.assertGreater(len(lines), 0, r.stderr)
        self.assertNotIn("\r", r.stderr)  # not a terminal: whole lines
        json.loads(r.stdout)

    def test_no_progress_without_the_option_when_stderr_is_not_a_terminal(self):
        r = self.kinesim("run", self.fixture("small.yaml"), "-o", "out.h5")
        self.assertExit(r, 0)
        self.assertNotIn("progress", r.stderr)
        self.assertNotIn("%", r.stderr)
        self.assertNotIn("ETA", r.stderr)

    def test_progress_is_shown_when_stderr_is_a_terminal(self):
        try:
            master, slave = pty.openpty()
        except OSError as e:  # a container or chroot without /dev/pts
            self.skipTest("no pseudo-terminal to be had: %s" % e)
        p = subprocess.Popen([KINESIM, "run", self.fixture("long.yaml"), "-o", "out.h5",
                              "--set", "duration=1d"], cwd=self.tmp, stdout=subprocess.PIPE,
                             stderr=slave)
        os.close(slave)  # the child's copy is the terminal's last other end
        chunks = []
        try:
            while True:  # read as it comes: a full terminal buffer would block the run
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            p.communicate(timeout=120)
        finally:
            os.close(master)
            if p.poll() is None:
                p.kill()
                p.communicate()
        err = b"".join(chunks).decode()
        self.assertEqual(p.returncode, 0, err)
        self.assertRegex(err, r"\r +\d+% +simulated \S+ of 1d")
        self.assertIn("ETA", err)

    def test_help_documents_the_progress_option(self):
        r = self.kinesim("--help")
        self.assertExit(r, 0)
        self.assertIn("[--progress]", r.stdout)
        self.assertRegex(r.stdout, r"\n  --progress +\S")
        r = self.kinesim("run", "--help")
        self.assertIn("[--progress]", r.stdout)


class FileSize(SafetyTest):
    """Attaching the time scale to many series must not grow the file quadratically."""

    def many(self, count):
        name = self.scenario("many-%d.yaml" % count, """
            kinesim: 1
            name: many
            duration: 2m
            streams:
              s:
                shards: 1
            producers:
              p:
                stream: s
                rate: 10/s
                record_size: 1KB
            functions:
              f:
                count: %d
                triggers:
                  - kinesis: s
            """ % count)
        output = "many-%d.h5" % count
        r = self.kinesim("run", name, "-o", output, timeout=300)
        self.assertExit(r, 0)
        return self.path(output)

    def test_300_copies_of_a_function_give_a_file_proportional_to_its_data(self):
        half = os.path.getsize(self.many(150))
        path = self.many(300)
        size = os.path.getsize(path)
        # About 65 KB per function (a group, ~20 datasets each with its chunk B-tree, a latency
        # histogram): 150 copies 9.9 MB, 300 copies 19.7 MB. When each attachment of the time
        # scale rewrote its REFERENCE_LIST, 300 copies wrote 65 MB (1000 copies: 1.96 GB).
        self.assertLess(size, 2.2 * half, "%d bytes for 300 copies, %d for 150" % (size, half))
        self.assertLess(size, 300 * 100 * 1024, "%d bytes for 300 copies" % size)
        with h5py.File(path, "r") as f:
            run = f["runs/r0000"]
            for fn in ("f-1", "f-150", "f-300"):
                ds = run["functions/%s/invocations" % fn]
                self.assertEqual(len(ds.dims[0]), 1)
                self.assertEqual(ds.dims[0][0].name, "/runs/r0000/time")
            self.assertTrue(h5py.h5ds.is_attached(run["functions/f-300/invocations"].id,
                                                  run["time"].id, 0))
            self.assertTrue(h5py.h5ds.is_attached(run["functions/f-300/read_throttled"].id,
                                                  run["functions/f-300/shard"].id, 1))

    def test_a_series_that_stays_zero_reads_back_as_zeros(self):
        # Nothing was added to it during the run, so no matrix was ever allocated and no chunk
        # written: the file's fill value, 0, is what a reader gets, in the series' full shape.
        path = self.many(1)
        with h5py.File(path, "r") as f:
            run = f["runs/r0000"]
            errors = run["functions/f-1/errors"]
            self.assertEqual(errors.shape, (2,))
            self.assertEqual(list(errors[()]), [0.0, 0.0])
            throttled = run["functions/f-1/read_throttled"]
            self.assertEqual(throttled.shape, (2, 1))
            self.assertEqual(throttled[()].tolist(), [[0.0], [0.0]])
            self.assertGreater(run["functions/f-1/invocations"][()].sum(), 0)


class ResourceGuard(SafetyTest):
    """A run that cannot fit is refused before its first allocation, with the estimate."""

    YEAR_AT_1MS = """
        kinesim: 1
        name: year
        duration: 366d
        metrics: {interval: 1ms}
        streams:
          s: {shards: 1}
        functions:
          f:
            triggers:
              - kinesis: s
        """

    def billion(self, extra=""):
        return self.scenario("billion.yaml", """
            kinesim: 1
            name: billion
            duration: 1h
            streams:
              s: {shards: 1}
            producers:
              p:
                stream: s
                rate: 1e9/s
                record_size: 100B
            """ + extra)

    def assertRefused(self, r, where, part):
        self.assertExit(r, 65)
        self.assertRegex(r.stderr, r"^%s: error: this run needs about [0-9.]+ [KMGTPE]?B of "
                         r"memory, more than --max-memory \([0-9.]+ [KMGTPE]?B\)\n"
                         r"  estimate: about .* of memory, .* of output\n"
                         r"  hint: %s" % (where, part))
        self.assertEqual(r.stdout, "")
        self.assertEqual(sorted(os.listdir(self.tmp)),
                         sorted(n for n in os.listdir(self.tmp) if n.endswith(".yaml")),
                         "refused, yet something was written")

    def test_a_year_of_1ms_intervals_is_refused_at_the_interval(self):
        # It once aborted on a 252 GB allocation (exit 134).
        name = self.scenario("year.yaml", self.YEAR_AT_1MS)
        r = self.kinesim("run", name, "-o", "year.h5")
        self.assertRefused(r, r"year\.yaml:4:21", "the interval series hold most of it: raise "
                           "metrics.interval")
        self.assertRegex(r.stderr, r"about [0-9.]+ TB of memory")

    def test_a_billion_records_a_second_is_refused_at_the_producers(self):
        # Rejected records wait for their resends: about 3.6e12 of them in an hour.
        r = self.kinesim("run", self.billion(), "-o", "billion.h5")
        self.assertRefused(r, r"billion\.yaml:7:3", "the producers' resends hold most of it")
        self.assertIn("about 3.6e+12 records produced (3.6e+06 accepted)", r.stderr)

    def test_max_memory_sets_the_limit_and_force_runs_anyway(self):
        name = self.fixture("small.yaml")
        r = self.kinesim("run", name, "-o", "small.h5", "--max-memory", "1KB")
        self.assertRefused(r, r"small\.yaml:\d+:\d+", "the partition key tables")
        self.assertIn("(1.0 KB)", r.stderr)
        r = self.kinesim("run", name, "-o", "small.h5", "--max-memory", "1KB", "--force")
        self.assertExit(r, 0)
        self.assertIn("kinesim: warning: this run may need about", r.stderr)
        self.assertComplete(self.path("small.h5"))
        r = self.kinesim("run", name, "-o", "small.h5", "--max-memory", "0")
        self.assertExit(r, 0)

    def test_a_max_memory_that_is_no_size_is_a_usage_error(self):
        for bad in ("lots", "8", "-1GB", "8 parsecs"):
            r = self.kinesim("run", self.fixture("small.yaml"), "--max-memory", bad)
            self.assertExit(r, 64)
            self.assertIn("kinesim run: --max-memory takes a size such as 8GB", r.stderr)
            self.assertIn("usage: kinesim run", r.stderr)

    def test_check_of_a_year_at_1ms_is_quick_and_ok(self):
        # check builds the model without running it: no series is allocated.
        name = self.scenario("year.yaml", self.YEAR_AT_1MS)
        started = time.monotonic()
        r = self.kinesim("check", name)
        self.assertExit(r, 0)
        self.assertLess(time.monotonic() - started, 20)

    def test_a_forced_billion_a_second_stops_at_once_on_sigint(self):
        # All records due used to be generated inside one event: Ctrl-C went unseen for as long
        # as memory lasted. No resends here (max_attempts 1), so memory stays small.
        name = self.billion("    retry: {max_attempts: 1}\n")
        returncode, _, stderr, took = self.run_and_signal(
            ["run", name, "-o", "b.h5", "--force"], [signal.SIGINT], settle=0.5)
        self.assertEqual(returncode, 130, stderr)
        self.assertIn("a big run (about 3.6e+12 records produced", stderr)
        # 0.08 s in a release build; the sanitizers and a busy machine stretch it.
        self.assertLess(took, 5, "%.2f s from SIGINT to exit" % took)
        self.assertEqual(len(self.partials()), 1)


def main():
    """`test_safety.py KINESIM [unittest arguments, e.g. a test name]`."""
    global KINESIM
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        KINESIM = sys.argv.pop(1)
    if not KINESIM:
        sys.exit("usage: test_safety.py KINESIM [unittest arguments] (or set KINESIM)")
    KINESIM = os.path.abspath(KINESIM)
    unittest.main(argv=sys.argv, verbosity=2)


if __name__ == "__main__":
    main()
