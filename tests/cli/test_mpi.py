"""`mpirun -n K kinesim sweep|compare|plan|run ...`: the replications run across the ranks, and
the file and what is printed are those of a serial run, byte for byte.

Run with Debian's interpreter (the same as test_cli.py):
    /usr/bin/python3 tests/cli/test_mpi.py build/cli/kinesim
Skipped when kinesim is built without MPI (meson -Dmpi=enabled builds it) or mpirun is
missing. The ranks run on this machine, over shared memory (loopback), as many as asked
whatever the cores (--oversubscribe).
"""

import os
import shutil
import signal
import subprocess
import sys
import unittest

import h5py

from test_cli import DATA, CliTest, sha256
import test_cli

MPIRUN = shutil.which("mpirun")
# OpenMPI refuses root without these; the shared-memory transport without its single-copy
# mechanism (cross-memory attach), which containers often forbid; no network transport.
MPI_ENV = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_btl": "self,vader",
    "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
    "OMPI_MCA_rmaps_base_oversubscribe": "1",
}


def children(pid):
    """The processes whose parent is pid."""
    found = []
    for name in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % name) as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def rank_of(pid):
    """The MPI rank of process pid (its OMPI_COMM_WORLD_RANK), or None."""
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            for var in f.read().split(b"\0"):
                if var.startswith(b"OMPI_COMM_WORLD_RANK="):
                    return var.split(b"=", 1)[1].decode()
    except OSError:
        pass
    return None


def built_with_mpi():
    r = subprocess.run([test_cli.KINESIM, "--help"], capture_output=True, text=True)
    return "Under mpirun -n K" in r.stdout


def why_skipped():
    """Why these tests cannot run here, or None."""
    if not MPIRUN:
        return "mpirun is not installed (openmpi-bin)"
    if not built_with_mpi():
        return "kinesim is built without MPI (meson -Dmpi=enabled)"
    return None


class Mpi(CliTest):
    """Two ranks (three for one test) against one process."""

    @classmethod
    def setUpClass(cls):
        reason = why_skipped()
        if reason:
            raise unittest.SkipTest(reason)

    def mpirun(self, ranks, *args, timeout=120):
        env = dict(os.environ, **MPI_ENV)
        return subprocess.run([MPIRUN, "-n", str(ranks), "--oversubscribe", test_cli.KINESIM,
                               *args], cwd=self.tmp, capture_output=True, text=True,
                              timeout=timeout, env=env)

    def same_as_serial(self, *args, output=None, ranks=2):
        """Runs args alone and on `ranks` ranks: the same exit, stdout and file."""
        out = ("-o", output) if output else ()
        serial = self.kinesim(*args, *out)
        self.assertExit(serial, 0)
        if output:
            first = sha256(os.path.join(self.tmp, output))
            os.remove(os.path.join(self.tmp, output))
        r = self.mpirun(ranks, *args, *out)
        self.assertExit(r, 0)
        self.assertEqual(r.stdout, serial.stdout)
        if output:
            self.assertEqual(sha256(os.path.join(self.tmp, output)), first)
        return r

    def test_a_sweep_on_two_ranks_writes_the_file_and_table_of_one_process(self):
        name = self.fixture("small.yaml")
        args = ("sweep", name, "--vary", "functions.feed.count=1..3", "--replications", "3",
                "--set", "duration=2m", "--format", "csv")
        self.same_as_serial(*args, output="sweep.h5")
        # and of -j 2
        r = self.kinesim(*args, "-j", "2", "-o", "two.h5")
        self.assertExit(r, 0)
        self.assertEqual(sha256(os.path.join(self.tmp, "two.h5")),
                         sha256(os.path.join(self.tmp, "sweep.h5")))

    def test_points_of_one_replication_are_spread_over_three_ranks(self):
        self.same_as_serial("sweep", self.fixture("small.yaml"), "--vary",
                            "streams.events.shards=1..5", "--set", "duration=2m",
                            output="points.h5", ranks=3)

    def test_a_scenario_larger_than_a_message_sent_at_once_goes_to_every_rank(self):
        # 200 kB of comments: rank 0 sends the text while the others send results back
        with open(os.path.join(DATA, "small.yaml")) as f:
            text = f.read() + "".join("# padding line %05d %s\n" % (i, "x" * 60)
                                      for i in range(3000))
        name = self.write("padded.yaml", text)
        self.same_as_serial("sweep", name, "--vary", "functions.feed.count=1..4",
                            "--replications", "2", "--set", "duration=1m",
                            output="padded.h5", ranks=3)

    def test_a_compare_on_two_ranks_prints_what_one_process_prints(self):
        self.same_as_serial("compare", self.fixture("small.yaml"), "--vary",
                            "functions.feed.count=2,1", "--replications", "4",
                            "--format", "json")

    def test_a_plan_on_two_ranks_finds_what_one_process_finds(self):
        r = self.same_as_serial("plan", self.fixture("small.yaml"), "--vary",
                                "streams.events.shards=1..4", "--require",
                                "feed-1.latency.p99 < 10s", "--replications", "3",
                                "--set", "duration=2m")
        self.assertIn("cheapest that holds", r.stdout)

    def test_a_run_of_replications_on_two_ranks_writes_the_file_of_one_process(self):
        self.same_as_serial("run", self.fixture("small.yaml"), "--set", "replications=4",
                            "--format", "json", output="run.h5")

    def test_tables_topics_and_queues_come_back_from_the_other_rank_whole(self):
        # the alarm and on-failure tables of a dead-letter pipeline
        shutil.copy(os.path.join(test_cli.SOURCE, "scenarios", "dlq-retry-path.yaml"),
                    os.path.join(self.tmp, "dlq.yaml"))
        self.same_as_serial("run", "dlq.yaml", "--set", "replications=3", output="dlq.h5")

    def test_a_bad_scenario_stops_every_rank_with_its_exit_status(self):
        name = self.fixture("small.yaml")
        r = self.mpirun(2, "sweep", name, "--vary", "streams.events.shards=0", timeout=60)
        self.assertExit(r, 65)
        self.assertIn("error: shards must be 1..10000 (got 0)", r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertEqual([n for n in self.files() if n.endswith((".h5", ".partial"))], [])
        r = self.mpirun(2, "compare", "missing.yaml", name, timeout=60)
        self.assertExit(r, 66)
        self.assertIn("cannot read scenario 'missing.yaml'", r.stderr)

    def test_a_signal_to_rank_0_keeps_the_finished_points_and_ends_every_rank(self):
        env = dict(os.environ, **MPI_ENV)
        p = subprocess.Popen([MPIRUN, "-n", "2", test_cli.KINESIM, "sweep",
                              self.fixture("small.yaml"), "--vary",
                              "functions.feed.count=1..40", "--replications", "4", "-o",
                              "long.h5"], cwd=self.tmp, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        try:
            # the first point is written; mpirun and its libraries may say things of their
            # own first (hwloc warns on a machine without /sys), so read on to kinesim's line
            seen = []
            for line in p.stderr:
                seen.append(line)
                if "p0000 of 40 done" in line:
                    break
            self.assertIn("p0000 of 40 done", "".join(seen))
            rank0 = [pid for pid in children(p.pid) if rank_of(pid) == "0"]
            self.assertEqual(len(rank0), 1)
            # kinesim became the program linked with MPI (cli/mpi.h)
            self.assertEqual(os.path.basename(os.readlink("/proc/%d/exe" % rank0[0])),
                             "kinesim-mpi")
            os.kill(rank0[0], signal.SIGTERM)
            stdout, stderr = p.communicate(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        self.assertEqual(p.returncode, 143, stderr)
        self.assertEqual(stdout, "")
        self.assertIn("kinesim: interrupted (SIGTERM); the ", stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "long.h5")))
        with h5py.File(os.path.join(self.tmp, "long.h5.partial"), "r") as f:
            self.assertIn("p0000", f["points"])
            self.assertIn("summary", f["points/p0000"])

    def test_kinesim_loads_mpi_only_under_a_launcher(self):
        # Loading MPI's libraries took some 3 ms of every start: kinesim has none of them, and
        # its sibling kinesim-mpi, which a launcher's ranks become, has them.
        def libraries(program):
            env = dict(os.environ, LD_TRACE_LOADED_OBJECTS="1")
            return subprocess.run([program], capture_output=True, text=True, env=env).stdout
        self.assertNotIn("libmpi", libraries(test_cli.KINESIM))
        sibling = os.path.join(os.path.dirname(test_cli.KINESIM), "kinesim-mpi")
        self.assertIn("libmpi", libraries(sibling))

    def test_a_rank_without_kinesim_mpi_beside_it_says_so_and_runs_nothing(self):
        # Run alone, each rank would do the whole command and write the same file.
        alone = os.path.join(self.tmp, "kinesim")
        shutil.copy(test_cli.KINESIM, alone)
        env = dict(os.environ, OMPI_COMM_WORLD_SIZE="2")
        r = subprocess.run([alone, "run", self.fixture("small.yaml"), "-o", "x.h5"],
                           cwd=self.tmp, capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 70, r.stderr)
        self.assertIn("started by an MPI launcher, but cannot run %s-mpi: No such file"
                      % alone, r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "x.h5")))

    def test_one_rank_is_a_serial_run(self):
        self.same_as_serial("sweep", self.fixture("small.yaml"), "--vary",
                            "functions.feed.count=1,2", output="one.h5", ranks=1)


def main():
    """`test_mpi.py KINESIM [unittest arguments]`."""
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        test_cli.KINESIM = os.path.abspath(sys.argv.pop(1))
    if not test_cli.KINESIM:
        sys.exit("usage: test_mpi.py KINESIM [unittest arguments] (or set KINESIM)")
    test_cli.KINESIM = os.path.abspath(test_cli.KINESIM)
    reason = why_skipped()
    if reason:
        print("skipped:", reason)
        sys.exit(77)  # what meson counts as a skipped test
    unittest.main(argv=sys.argv, verbosity=2)


if __name__ == "__main__":
    main()
