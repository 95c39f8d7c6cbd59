"""End-to-end tests of what the summary tells a person (issue 13): the verdict, n/a, numbers
for people, wide naturally sorted csv, expect lines with units and dollars, `kinesim report`
on finished files, and `kinesim check --resolved`.

    /usr/bin/python3 tests/cli/test_summary.py build/cli/kinesim [unittest arguments]
"""

import csv
import io
import json
import os
import re
import shutil
import sys
import unittest

import h5py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402  (CliTest: a temporary folder per test, kinesim helpers)
from test_cli import CliTest, SOURCE  # noqa: E402

HOT = os.path.join(SOURCE, "scenarios", "hot-stream.yaml")


def verdict_block(text):
    """The lines of the text summary's verdict block."""
    block = text.split("\nverdict:\n", 1)[1].split("\n\n", 1)[0]
    return block.splitlines()


def verdict_of(text, entity):
    """An entity's verdict, its wrapped lines joined and spaces collapsed: "events throttled
    reads throttled ... binding limit: ... change: ..."; "OK" when the entity is among the
    quiet OK ones."""
    entries = re.split(r"\n(?=  \S)", "\n".join(verdict_block(text)))
    for entry in entries:
        flat = " ".join(entry.split())
        if flat.startswith("OK: "):
            if entity in flat[4:].split(", "):
                return "OK"
        elif flat.split(" ", 1)[0] == entity:
            return flat
    raise AssertionError("no verdict for %s in:\n%s" % (entity, text))


SHARED_BYTES = """\
kinesim: 1
name: shared-bytes
duration: 5m
warmup: 1m
streams:
  events:
    shards: 2
producers:
  app:
    stream: events
    rate: 400/s
    record_size: 4KB
functions:
  reader:
    count: 3
    duration:
      per_invocation: 10ms
      per_record: 0.05ms
    triggers:
      - kinesis: events
        batch_size: 10000
"""

NO_RECORDS = """\
kinesim: 1
name: no-records
duration: 2m
streams:
  events:
    shards: 1
functions:
  feed:
    triggers:
      - kinesis: events
expect:
  - feed.latency.p50 < 1s
"""

UNITS = """\
kinesim: 1
name: units
duration: 2m
streams:
  events:
    shards: 1
producers:
  app:
    stream: events
    rate: 10/s
    record_size: 1KB
functions:
  feed:
    triggers:
      - kinesis: events
expect:
  - feed.latency.p50 < 1s
  - feed.latency.p50 < 2500ms
  - events.incoming_bytes < 2 MB
  - cost.total < $1
  - cost.total < 0.5
  - feed.records_processed > 1,000
  - events.read_throttled.per_shard_per_minute < 30/min
"""

MANY = """\
kinesim: 1
name: many
duration: 1m
streams:
  events:
    shards: 1
producers:
  app:
    stream: events
    rate: 5/s
    record_size: 1KB
functions:
  sub:
    count: 11
    triggers:
      - kinesis: events
"""


class Verdict(CliTest):
    def summary(self, *args, code=0):
        r = self.kinesim("run", HOT, "-o", "out.h5", *args)
        self.assertExit(r, code)
        return r.stdout

    def test_five_subscribers_throttle_on_the_call_limit_and_more_shards_do_not_help(self):
        out = self.summary()
        v = verdict_of(out, "events")
        self.assertTrue(v.startswith("events throttled "), v)
        self.assertRegex(v, r"reads throttled 3\d\.\d/shard/min \([\d,]+ of [\d,]+ GetRecords")
        self.assertIn("binding limit: 5 GetRecords calls/s per shard, shared by every "
                      "polling reader", v)
        self.assertIn("more shards do not help", v)
        for i in range(1, 6):
            self.assertEqual(verdict_of(out, "feed-%d" % i), "OK")

    def test_three_subscribers_are_ok(self):
        out = self.summary("--set", "functions.feed.count=3", code=1)  # its expect wants throttles
        self.assertEqual(verdict_of(out, "events"), "OK")
        self.assertNotIn("throttled", "\n".join(verdict_block(out)))

    def test_readme_clean_example_exits_0(self):
        r = self.kinesim("run", HOT, "-o", "c.h5", "--set", "functions.feed.count=3",
                         "--set", "expect[0]=events.read_throttled == 0")
        self.assertExit(r, 0)
        self.assertIn("  ok     events.read_throttled == 0", r.stdout)

    def test_three_readers_over_2_mib_per_shard_name_shared_read_throughput(self):
        name = self.write("bytes.yaml", SHARED_BYTES)
        r = self.kinesim("run", name, "-o", "b.h5")
        self.assertExit(r, 0)
        v = verdict_of(r.stdout, "events")
        self.assertTrue(v.startswith("events throttled "), v)
        self.assertIn("binding limit: shared read throughput, 2 MiB/s per shard", v)
        self.assertIn("enhanced fan-out", v)
        behind = verdict_of(r.stdout, "reader-1")
        self.assertTrue(behind.startswith("reader-1 falling behind "), behind)
        self.assertRegex(behind, r"iterator age up to [\d.]+ min, rising ~0\.\d+ s/s")
        doc, _ = self.run_json(name, output="j.h5")
        self.assertGreater(doc["metrics"]["reader-1.iterator_age.growth"], 0.05)
        hot, _ = self.run_json(HOT, output="h.h5")  # keeping up: level
        self.assertLess(abs(hot["metrics"]["feed-1.iterator_age.growth"]), 0.05)

    def test_a_poison_pill_loses_records(self):
        r = self.kinesim("run", os.path.join(SOURCE, "scenarios", "poison-pill.yaml"),
                         "-o", "p.h5")
        self.assertExit(r, 0)
        self.assertTrue(verdict_of(r.stdout, "worker").startswith("worker losing records "))
        self.assertIn("records expired before it processed them", verdict_of(r.stdout, "worker"))
        self.assertTrue(verdict_of(r.stdout, "events").startswith("events losing records "))

    def test_an_on_demand_stream_reports_its_shards(self):
        r = self.kinesim("run", os.path.join(SOURCE, "tests", "golden", "scenarios",
                                             "reshard.yaml"), "-o", "r.h5", "--format", "json")
        self.assertExit(r, 0)
        metrics = json.loads(r.stdout)["metrics"]
        self.assertGreater(metrics["elastic.shards"], 4)  # on-demand: 4 at first, then splits
        self.assertGreater(metrics["elastic.shards.mean"], 4)
        self.assertEqual(metrics["fixed.shards"], 3)
        r = self.kinesim("run", os.path.join(SOURCE, "tests", "golden", "scenarios",
                                             "reshard.yaml"), "-o", "r.h5")
        self.assertRegex(verdict_of(r.stdout, "elastic"),
                         r"%d shards at the end \(\d+\.\d on average\)" % metrics["elastic.shards"])

    def test_twenty_functions_stay_one_row_each(self):
        r = self.kinesim("run", HOT, "-o", "t.h5", "--set", "functions.feed.count=20",
                         "--set", "duration=2m")
        self.assertExit(r, 1)  # hot-stream's latency line fails with 20 readers
        tables = r.stdout.split("\n  functions ", 1)[1].split("\n\n", 1)[0]
        rows = [line for line in tables.splitlines() if re.match(r"  feed-\d+ ", line)]
        self.assertEqual(len(rows), 20)
        self.assertLess(len(r.stdout.splitlines()), 60)


class NotApplicable(CliTest):
    def test_metrics_that_do_not_apply_are_na_null_and_empty(self):
        scenario = os.path.join(SOURCE, "tests", "golden", "scenarios", "reshard.yaml")
        r = self.kinesim("run", scenario, "-o", "a.h5", "--format", "json")
        self.assertExit(r, 0)
        doc = json.loads(r.stdout)
        self.assertIsNone(doc["metrics"]["kcl-efo.read_calls"])  # enhanced fan-out: no calls
        self.assertGreater(doc["metrics"]["kcl.read_calls"], 0)
        self.assertIsNone(doc["metrics"]["efo.read_throttled"])  # a function's EFO trigger
        self.assertIsNotNone(doc["metrics"]["efo.iterator_age.max"])  # its batches have an age
        self.assertIsNotNone(doc["metrics"]["both.read_throttled"])  # polls GetRecords
        detail = self.kinesim("run", scenario, "-o", "b.h5", "--detail").stdout
        block = detail.split("\n  kcl-efo ", 1)[1].split("\n\n", 1)[0]
        self.assertRegex(block, r"\n  read_calls +n/a\n")
        rows = {row["entity"]: row for row in csv.DictReader(io.StringIO(
            self.kinesim("run", scenario, "-o", "c.h5", "--format", "csv").stdout))}
        self.assertEqual(rows["kcl-efo"]["read_calls"], "")
        self.assertNotEqual(rows["kcl"]["read_calls"], "")

    def test_a_stream_read_only_by_enhanced_fan_out_has_no_getrecords_age(self):
        r = self.kinesim("run", os.path.join(SOURCE, "scenarios",
                                             "hot-stream-alternatives-efo.yaml"),
                         "-o", "efo.h5", "--format", "json", "--set", "duration=3m")
        doc = json.loads(r.stdout)
        self.assertEqual(doc["metrics"]["events.read_calls"], 0)
        self.assertIsNone(doc["metrics"]["events.getrecords_iterator_age.max"])
        self.assertIsNone(doc["metrics"]["job-1.read_throttled"])

    def test_a_function_without_a_stream_trigger_has_no_iterator_age(self):
        r = self.kinesim("run", os.path.join(SOURCE, "scenarios", "s3-failed-batches.yaml"),
                         "-o", "s.h5", "--format", "json")
        doc = json.loads(r.stdout)
        self.assertIsNone(doc["metrics"]["repair.iterator_age.max"])
        self.assertIsNotNone(doc["metrics"]["worker.iterator_age.max"])

    def test_an_expect_line_on_an_empty_distribution_fails_clearly(self):
        name = self.write("empty.yaml", NO_RECORDS)
        r = self.kinesim("run", name, "-o", "e.h5")
        self.assertExit(r, 1)
        self.assertIn("FAILED feed.latency.p50 < 1s   (got n/a: the metric has no data or does "
                      "not apply)", r.stdout)
        self.assertIn("kinesim: expect 'feed.latency.p50 < 1s' fails: feed.latency.p50 has no "
                      "data in this run", r.stderr)
        doc, _ = self.run_json(name, output="j.h5", code=1)
        self.assertIsNone(doc["metrics"]["feed.latency.p50"])
        self.assertEqual(doc["expect"][0]["ok"], False)


class Numbers(CliTest):
    def test_counts_have_separators_and_money_keeps_small_amounts(self):
        minimal = os.path.join(SOURCE, "scenarios", "minimal.yaml")
        out = self.kinesim("run", minimal, "-o", "n.h5", "--detail").stdout
        doc, _ = self.run_json(minimal, output="m.h5")
        records = int(doc["metrics"]["s.incoming_records"])
        self.assertGreater(records, 999)
        self.assertRegex(out, r"\n  incoming_records +%s\n" % "{:,}".format(records))
        # an amount under $0.0001 is not $0.0000: two significant digits
        small = [k for k, v in doc["metrics"].items()
                 if doc["units"][k] == "USD" and v and 0 < v < 1e-4]
        self.assertTrue(small)
        self.assertNotRegex(out, r"\$0\.0000(?!\d)")
        for k in small:
            metric = k.split(".", 1)[1]
            shown = re.search(r"\n  %s +(\S+)\n" % re.escape(metric), out).group(1)
            self.assertTrue(shown.startswith("$0.0000"[:3]), shown)
            self.assertAlmostEqual(float(shown[1:]), doc["metrics"][k],
                                   delta=doc["metrics"][k] * 0.05)
        self.assertRegex(out, r"\n  monthly.total +\$\d+\.\d\d\n")

    def test_csv_is_wide_and_in_natural_order(self):
        name = self.write("many.yaml", MANY)
        r = self.kinesim("run", name, "-o", "m.h5", "--format", "csv")
        self.assertExit(r, 0)
        rows = list(csv.DictReader(io.StringIO(r.stdout)))
        subs = [row["entity"] for row in rows if row["entity"].startswith("sub-")]
        self.assertEqual(subs, ["sub-%d" % i for i in range(1, 12)])
        self.assertIn("latency.p99", rows[0])
        text = self.kinesim("run", name, "-o", "t.h5").stdout
        order = re.findall(r"\n  (sub-\d+) ", text)
        self.assertEqual(order, ["sub-%d" % i for i in range(1, 12)])


class ExpectUnits(CliTest):
    def test_units_dollars_and_separators_are_accepted(self):
        name = self.write("units.yaml", UNITS)
        r = self.kinesim("check", name)
        self.assertExit(r, 0)
        doc, _ = self.run_json(name)
        self.assertTrue(all(e["ok"] for e in doc["expect"]), doc["expect"])

    def test_a_bad_amount_is_an_error_at_its_line_with_a_hint(self):
        name = self.write("bad.yaml", UNITS.replace("cost.total < $1", "cost.total < $1x"))
        r = self.kinesim("check", name)
        self.assertExit(r, 65)
        self.assertIn("bad.yaml:20:5: error: value of 'cost.total' is not an amount of dollars "
                      "(got '$1x'; e.g. '$1' or '0.25')", r.stderr)

    def test_misplaced_separators_are_refused(self):
        name = self.write("sep.yaml", UNITS.replace("> 1,000", "> 1,00"))
        r = self.kinesim("check", name)
        self.assertExit(r, 65)
        self.assertIn("is not a number (got '1,00'", r.stderr)


class Report(CliTest):
    def run_file(self, output, *args):
        r = self.kinesim("run", HOT, "-o", output, *args)
        self.assertIn(r.returncode, (0, 1), r.stderr)
        return r

    def test_one_file_gives_the_run_s_summary(self):
        run = self.run_file("a.h5")
        r = self.kinesim("report", "a.h5")
        self.assertExit(r, 0)
        # the same verdict and tables; the heading names the file; no expect lines
        self.assertTrue(r.stdout.startswith("a.h5: scenario hot-stream, seed 1, "))
        self.assertEqual(verdict_block(r.stdout), verdict_block(run.stdout))
        tables = run.stdout.split("\nverdict:\n", 1)[1].split("\nexpect:\n")[0]
        self.assertIn(tables, r.stdout)
        doc = json.loads(self.kinesim("report", "a.h5", "--format", "json").stdout)
        ran = json.loads(self.kinesim("run", HOT, "-o", "b.h5", "--format", "json").stdout)
        self.assertEqual(len(doc["files"]), 1)
        self.assertEqual(doc["files"][0]["file"], "a.h5")
        self.assertEqual(doc["files"][0]["metrics"], ran["metrics"])
        verdict = {v["entity"]: v for v in doc["files"][0]["verdict"]}
        self.assertEqual(verdict["events"]["state"], "throttled")
        self.assertIn("5 GetRecords calls/s", verdict["events"]["limit"])
        self.assertEqual(verdict["feed-1"]["state"], "OK")

    def test_two_files_side_by_side(self):
        self.run_file("five.h5")
        self.run_file("three.h5", "--set", "functions.feed.count=3")
        r = self.kinesim("report", "five.h5", "three.h5")
        self.assertExit(r, 0)
        self.assertIn("five.h5: scenario hot-stream", r.stdout)
        self.assertIn("three.h5: scenario hot-stream", r.stdout)
        header = [l for l in r.stdout.splitlines() if l.startswith("  metric ")][0]
        self.assertEqual(header.split(), ["metric", "five.h5", "three.h5"])
        row = [l for l in r.stdout.splitlines()
               if l.startswith("  events.read_throttled.per_shard_per_minute ")][0]
        five, three = row.split()[1:]
        self.assertGreater(float(five), 1)
        self.assertEqual(float(three), 0)
        rows = list(csv.DictReader(io.StringIO(
            self.kinesim("report", "five.h5", "three.h5", "--format", "csv").stdout)))
        self.assertEqual([r_["file"] for r_ in rows if r_["entity"] == "events"],
                         ["five.h5", "three.h5"])
        md = self.kinesim("report", "five.h5", "three.h5", "--format", "markdown").stdout
        self.assertIn("| metric ", md)
        self.assertRegex(md, r"\n\| -+ \| -+: \| -+: \|\n")

    def test_a_sweep_file_gives_a_column_per_point(self):
        r = self.kinesim("sweep", HOT, "--vary", "functions.feed.count=3,5", "--set",
                         "duration=2m", "-o", "sw.h5")
        self.assertExit(r, 0)
        r = self.kinesim("report", "sw.h5")
        self.assertExit(r, 0)
        header = [l for l in r.stdout.splitlines() if l.startswith("  metric ")][0]
        self.assertIn("sw.h5:p0000", header)
        self.assertIn("sw.h5:p0001", header)

    def refused(self, args, code, message):
        r = self.kinesim("report", *args)
        self.assertExit(r, code)
        self.assertEqual(r.stdout, "")
        self.assertIn(message, r.stderr)

    def test_files_it_cannot_report_are_refused_with_the_reason(self):
        self.refused(["missing.h5"], 66, "kinesim report: cannot read 'missing.h5': No such file")
        self.write("text.h5", "not hdf5\n")
        self.refused(["text.h5"], 65, "kinesim report: 'text.h5' is not an HDF5 file")
        with h5py.File(os.path.join(self.tmp, "other.h5"), "w") as f:
            f.attrs["format"] = "something-else"
        self.refused(["other.h5"], 65, "kinesim report: 'other.h5' is not a kinesim file")
        self.run_file("a.h5")
        shutil.copy(os.path.join(self.tmp, "a.h5"), os.path.join(self.tmp, "v1.h5"))
        with h5py.File(os.path.join(self.tmp, "v1.h5"), "r+") as f:
            f.attrs["format_version"] = 1  # its summary table is v2's
        self.assertExit(self.kinesim("report", "v1.h5"), 0)
        shutil.copy(os.path.join(self.tmp, "a.h5"), os.path.join(self.tmp, "v3.h5"))
        with h5py.File(os.path.join(self.tmp, "v3.h5"), "r+") as f:
            f.attrs["format_version"] = 3
        self.refused(["v3.h5"], 65, "'v3.h5' is of format_version 3; this kinesim reads "
                                    "versions 1 to 2")
        shutil.copy(os.path.join(self.tmp, "a.h5"), os.path.join(self.tmp, "cut.h5"))
        with h5py.File(os.path.join(self.tmp, "cut.h5"), "r+") as f:
            f["runs/r0000"].attrs["complete"] = 0
            del f["summary"]
        self.refused(["cut.h5"], 65, "cannot report 'cut.h5': it is incomplete: replication 0 "
                                     "did not finish")
        shutil.copy(os.path.join(self.tmp, "a.h5"), os.path.join(self.tmp, "a.h5.partial"))
        self.refused(["a.h5.partial"], 65, "'a.h5.partial' is incomplete")
        self.refused([], 64, "kinesim report: no file given")
        self.refused(["a.h5", "--format", "xml"], 64,
                     "--format takes text, json, csv or markdown (got 'xml')")

    def test_variable_and_fixed_length_strings_and_integer_counts_read_alike(self):
        self.run_file("a.h5")
        want = json.loads(self.kinesim("report", "a.h5", "--format", "json").stdout)
        for kind in ("fixed", "vlen"):
            path = os.path.join(self.tmp, kind + ".h5")
            shutil.copy(os.path.join(self.tmp, "a.h5"), path)
            with h5py.File(path, "r+") as f:
                table = f["summary"][()]
                names = [x.decode() if isinstance(x, bytes) else x for x in table["name"]]
                units = [x.decode() if isinstance(x, bytes) else x for x in table["unit"]]
                if kind == "fixed":
                    st = h5py.string_dtype("utf-8", 64)
                else:
                    st = h5py.string_dtype("utf-8")
                import numpy
                dt = numpy.dtype([("name", st), ("mean", "<i8"), ("stddev", "<f4"),
                                  ("ci95", "<f8"), ("unit", st)])
                rows = numpy.zeros(len(names), dtype=dt)
                for i, row in enumerate(table):
                    mean = row["mean"]
                    rows[i] = (names[i].encode() if kind == "fixed" else names[i],
                               0 if mean != mean else int(round(mean)), row["stddev"],
                               row["ci95"], units[i].encode() if kind == "fixed" else units[i])
                del f["summary"]
                f.create_dataset("summary", data=rows)
            got = json.loads(self.kinesim("report", kind + ".h5", "--format", "json").stdout)
            g, w = got["files"][0]["metrics"], want["files"][0]["metrics"]
            self.assertEqual(sorted(g), sorted(w))
            self.assertEqual(g["events.incoming_records"], w["events.incoming_records"])
            self.assertEqual(got["files"][0]["units"], want["files"][0]["units"])


class Resolved(CliTest):
    def test_each_value_says_where_it_came_from(self):
        name = self.write("s.yaml", open(HOT).read())
        r = self.kinesim("check", name, "--resolved", "--set", "streams.events.shards=4")
        self.assertExit(r, 0)
        out = r.stdout
        self.assertRegex(out, r"\n    shards: 4 +# --set streams.events.shards=4\n")
        self.assertRegex(out, r"\n    mode: provisioned +# default\n")
        self.assertRegex(out, r"\n    rate: 50/s +# s.yaml:18\n")
        self.assertRegex(out, r"\n        batch_size: 100 +# s.yaml:28\n")
        self.assertRegex(out, r"\n        parallelization_factor: 1 +# default\n")
        # without comments it is the resolved scenario a run stores
        run = self.kinesim("run", name, "-o", "x.h5", "--set", "streams.events.shards=4")
        with h5py.File(os.path.join(self.tmp, "x.h5"), "r") as f:
            stored = f["scenario/resolved"][()]
        stored = stored.decode() if isinstance(stored, bytes) else stored
        stripped = "".join(re.sub(r" +# [^\n]*$", "", line) + "\n"
                           for line in out.splitlines()[1:])
        self.assertEqual(stripped, stored)
        self.assertIn(run.returncode, (0, 1))


def main():
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        test_cli.KINESIM = sys.argv.pop(1)
    if not test_cli.KINESIM:
        sys.exit("usage: test_summary.py KINESIM [unittest arguments] (or set KINESIM)")
    test_cli.KINESIM = os.path.abspath(test_cli.KINESIM)
    unittest.main(argv=sys.argv, verbosity=2)


if __name__ == "__main__":
    main()
