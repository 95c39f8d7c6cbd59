"""Every scenario of the library checks clean and meets its own expect: lines, and the lessons
the hot-stream scenario teaches hold (with late readers added: test_late_readers.py).

Run with Debian's interpreter:
    /usr/bin/python3 tests/cli/test_scenarios.py build/cli/kinesim
The kinesim path comes from the first argument or the KINESIM environment variable; the
scenarios are found next to this file (../../scenarios).
"""

import glob
import json
import os
import subprocess
import sys
import tempfile
import unittest

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "scenarios")
HOT_STREAM = os.path.join(SCENARIOS, "hot-stream.yaml")
KINESIM = os.environ.get("KINESIM", "")


class ScenarioTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="kinesim-scenarios-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def kinesim(self, *args):
        return subprocess.run([KINESIM, *args], cwd=self.tmp, capture_output=True, text=True,
                              timeout=240)

    def run_json(self, path, *args, output="out.h5", codes=(0,)):
        """Runs with --format json; the exit code must be one of codes (1: an expect: line
        failed, which a --set study may well cause)."""
        r = self.kinesim("run", path, "-o", os.path.join(self.tmp, output), "--format", "json",
                         *args)
        self.assertIn(r.returncode, codes, "%s %s: exit %d\n%s" % (path, args, r.returncode,
                                                                   r.stderr))
        return json.loads(r.stdout)


class Library(ScenarioTest):
    def test_the_library_is_not_empty(self):
        names = [os.path.basename(p) for p in glob.glob(os.path.join(SCENARIOS, "*.yaml"))]
        self.assertIn("hot-stream.yaml", names)
        self.assertIn("minimal.yaml", names)

    def test_every_scenario_checks_clean(self):
        for path in sorted(glob.glob(os.path.join(SCENARIOS, "*.yaml"))):
            with self.subTest(scenario=os.path.basename(path)):
                r = self.kinesim("check", path)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertTrue(r.stderr.endswith("%s: ok\n" % path), r.stderr)
                # Warnings only where the scenario asks for them (short teaching retentions).
                if "warning:" in r.stderr:
                    with open(path) as f:
                        self.assertIn("aws_ranges: warn", f.read())
                self.assertNotIn("error:", r.stderr)

    def test_every_scenario_meets_its_expectations(self):
        for path in sorted(glob.glob(os.path.join(SCENARIOS, "*.yaml"))):
            name = os.path.basename(path)
            with self.subTest(scenario=name):
                doc = self.run_json(path, output=name + ".h5")
                self.assertTrue(doc["expect"], "%s has no expect: lines" % name)
                for e in doc["expect"]:
                    self.assertTrue(e["ok"], "%s: %s (got %r)" % (name, e["expr"], e["value"]))


class HotStreamLessons(ScenarioTest):
    """The lessons in hot-stream.yaml's description: three subscribers poll cleanly; more shards
    do not lower the throttle rate per shard, because every function polls every shard. The
    scenario's expect: lines describe the default (five subscribers, one shard), so a study
    that changes it may fail them (exit 1)."""

    def run_json(self, path, *args, output="out.h5", codes=(0, 1)):
        return super().run_json(path, *args, output=output, codes=codes)

    def test_every_function_conserves_its_records(self):
        # docs/validation.md case 4: for every consumer, accepted = processed + skipped +
        # forwarded + expired + on_failure + in flight at the end (records_pending). Checked
        # where it is an identity: one stream, no warm-up (counts cover the whole run).
        for path in sorted(glob.glob(os.path.join(SCENARIOS, "*.yaml"))):
            with open(path) as f:
                text = f.read()
            if "warmup" in text:
                continue
            with self.subTest(scenario=os.path.basename(path)):
                m = self.run_json(path)["metrics"]
                streams = {k.split(".")[0] for k in m if k.endswith(".incoming_records")
                           and not k.startswith("cost.")}
                if len(streams) != 1:
                    continue
                accepted = m[streams.pop() + ".incoming_records"]
                functions = {k[:-len(".records_pending")] for k in m
                             if k.endswith(".records_pending")}
                self.assertTrue(functions)
                # A function on the retry path (sns, sqs) receives what the others forwarded,
                # less what its queue redrove to a dead-letter queue or let expire; one on a
                # bucket's notifications, what the bucket was sent; one behind a topic or a
                # bus (EventBridge), what was published there; one behind a forward, what
                # its forwarder processed.
                forwarded = sum(m[fn + ".records_forwarded"] for fn in functions)
                left_queues = sum(m[k] for k in m if k.endswith((".redriven", ".expired"))
                                  and k[:-len(k.rsplit(".", 1)[1])] + "visible_max" in m)
                buckets = {k[:-len(".objects")] for k in m if k.endswith(".objects")
                           and k[:-len(".objects")] + ".records" in m}
                in_buckets = sum(m[b + ".records"] for b in buckets)
                published = {m[k] for k in m if k.endswith(".published")}
                for fn in sorted(functions):
                    # Records an event filter left out are read, not invoked (filter_criteria).
                    total = sum(m[fn + "." + o] for o in (
                        "records_processed", "records_skipped", "records_forwarded",
                        "records_expired", "records_on_failure", "records_pending",
                        "filtered_out_events"))
                    by_forwarders = {m[g + ".records_processed"] for g in functions if g != fn}
                    self.assertIn(total, {accepted, forwarded, forwarded - left_queues,
                                          in_buckets} | published | by_forwarders, fn)

    def test_three_subscribers_are_almost_never_throttled(self):
        m = self.run_json(HOT_STREAM, "--set", "functions.feed.count=3")["metrics"]
        self.assertGreater(m["events.read_calls"], 0)
        self.assertLess(m["events.read_throttled"] / m["events.read_calls"], 0.01)

    def test_five_subscribers_are_throttled(self):
        m = self.run_json(HOT_STREAM)["metrics"]
        self.assertGreater(m["events.read_throttled.per_shard_per_minute"], 0)

    def test_more_shards_do_not_lower_the_throttle_rate_per_shard(self):
        one = self.run_json(HOT_STREAM, output="one.h5")["metrics"]
        four = self.run_json(HOT_STREAM, "--set", "streams.events.shards=4",
                             output="four.h5")["metrics"]
        key = "events.read_throttled.per_shard_per_minute"
        self.assertGreater(one[key], 0)
        self.assertGreaterEqual(four[key], 0.85 * one[key])


class Resolved(ScenarioTest):
    """The resolved scenario stored in the output (/scenario/resolved: defaults filled, --set
    applied) is itself a scenario that gives the same results: a result file says exactly what
    produced it."""

    def test_every_resolved_scenario_runs_to_the_same_summary(self):
        for path in sorted(glob.glob(os.path.join(SCENARIOS, "*.yaml"))):
            name = os.path.basename(path)
            with self.subTest(scenario=name):
                first = self.kinesim("run", path, "-o", "first.h5", "--format", "json")
                self.assertEqual(first.returncode, 0, first.stderr)
                with h5py.File(os.path.join(self.tmp, "first.h5"), "r") as f:
                    resolved = f["scenario/resolved"].asstr()[()]
                with open(os.path.join(self.tmp, name), "w", encoding="utf-8") as f:
                    f.write(resolved)
                # The files a scenario names (a trace) are found from its folder: the copy's
                # folder gets them too.
                for data in os.listdir(SCENARIOS):
                    link = os.path.join(self.tmp, data)
                    if os.path.isdir(os.path.join(SCENARIOS, data)) and not os.path.exists(link):
                        os.symlink(os.path.join(SCENARIOS, data), link)
                again = self.kinesim("run", name, "-o", "again.h5", "--format", "json")
                self.assertEqual(again.returncode, 0, again.stderr)
                self.assertEqual(again.stdout, first.stdout)
                with h5py.File(os.path.join(self.tmp, "again.h5"), "r") as f:
                    self.assertEqual(f["scenario/resolved"].asstr()[()], resolved)

    def test_a_resolved_scenario_with_sets_keeps_them(self):
        # Three subscribers may fail the expect: lines written for five (exit 1): the same
        # way both times.
        first = self.kinesim("run", HOT_STREAM, "-o", "first.h5", "--format", "json",
                             "--set", "functions.feed.count=3",
                             "--set", "functions.feed.on_record_error.policy=skip")
        self.assertIn(first.returncode, (0, 1), first.stderr)
        with h5py.File(os.path.join(self.tmp, "first.h5"), "r") as f:
            resolved = f["scenario/resolved"].asstr()[()]
        with open(os.path.join(self.tmp, "resolved.yaml"), "w", encoding="utf-8") as f:
            f.write(resolved)
        again = self.kinesim("run", "resolved.yaml", "-o", "again.h5", "--format", "json")
        self.assertEqual(again.returncode, first.returncode, again.stderr)
        self.assertEqual(again.stdout, first.stdout)


def main():
    """`test_scenarios.py KINESIM [unittest arguments]`."""
    global KINESIM
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        KINESIM = sys.argv.pop(1)
    if not KINESIM:
        sys.exit("usage: test_scenarios.py KINESIM [unittest arguments] (or set KINESIM)")
    KINESIM = os.path.abspath(KINESIM)
    unittest.main(argv=sys.argv, verbosity=2)


if __name__ == "__main__":
    main()
