"""Golden summaries: the JSON summary of every library scenario (scenarios/*.yaml) and of the
coverage scenarios beside this file (scenarios/*.yaml, which exercise what the library does
not: every reader kind, resharding, every producer form, the error paths, replications), at
each scenario's own seed, must stay byte for byte what tests/golden/<name>.json holds.

A refactor keeps every one of them identical. A change that is meant to move a number
regenerates the files in the same commit and says why in its message:

    /usr/bin/python3 tests/golden/test_golden.py build/cli/kinesim --update

Run with Debian's interpreter (standard library only); the kinesim path comes from the first
argument or the KINESIM environment variable.
"""

import glob
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KINESIM = os.environ.get("KINESIM", "")
UPDATE = False


def scenarios():
    """(name, path) of every scenario with a golden summary, library first."""
    paths = sorted(glob.glob(os.path.join(ROOT, "scenarios", "*.yaml")))
    paths += sorted(glob.glob(os.path.join(HERE, "scenarios", "*.yaml")))
    return [(os.path.splitext(os.path.basename(p))[0], p) for p in paths]


def summary(path, tmp):
    """The JSON summary kinesim prints for the scenario (an expect: line may fail: exit 1)."""
    r = subprocess.run([KINESIM, "run", path, "-o", os.path.join(tmp, "out.h5"), "--format",
                        "json"], cwd=tmp, capture_output=True, text=True, timeout=240)
    if r.returncode not in (0, 1):
        raise AssertionError("%s: exit %d\n%s" % (path, r.returncode, r.stderr))
    return r.stdout


def differences(want, got):
    """What moved, metric by metric, for the failure message."""
    w, g = json.loads(want), json.loads(got)
    lines = []
    for section in ("metrics", "ci95", "units"):
        a, b = w.get(section, {}), g.get(section, {})
        for key in sorted(set(a) | set(b)):
            if a.get(key, "absent") != b.get(key, "absent"):
                lines.append("  %s %s: %r -> %r" % (section, key, a.get(key, "absent"),
                                                     b.get(key, "absent")))
    for key in sorted(set(w) | set(g)):
        if key not in ("metrics", "ci95", "units") and w.get(key) != g.get(key):
            lines.append("  %s: %r -> %r" % (key, w.get(key), g.get(key)))
    return "\n".join(lines[:60]) + ("\n  ... %d more" % (len(lines) - 60)
                                    if len(lines) > 60 else "")


class Golden(unittest.TestCase):
    maxDiff = None

    def test_every_scenario_has_its_golden_summary(self):
        names = {name for name, _ in scenarios()}
        files = {os.path.splitext(os.path.basename(p))[0]
                 for p in glob.glob(os.path.join(HERE, "*.json"))}
        if not UPDATE:
            self.assertEqual(sorted(names - files), [], "scenarios without a golden file")
        self.assertEqual(sorted(files - names), [], "golden files of no scenario")
        self.assertIn("hot-stream", names)

    def test_summaries_are_unchanged(self):
        with tempfile.TemporaryDirectory(prefix="kinesim-golden-") as tmp:
            for name, path in scenarios():
                with self.subTest(scenario=name):
                    got = summary(path, tmp)
                    golden = os.path.join(HERE, name + ".json")
                    if UPDATE:
                        with open(golden, "w") as f:
                            f.write(got)
                        continue
                    with open(golden) as f:
                        want = f.read()
                    if got != want:
                        self.fail("%s moved from its golden summary:\n%s\n(if the change is "
                                  "meant, regenerate with --update and say why in the "
                                  "commit)" % (name, differences(want, got)))


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--update" in args:
        UPDATE = True
        args.remove("--update")
    if args:
        KINESIM = os.path.abspath(args.pop(0))
    if not KINESIM:
        sys.exit("usage: test_golden.py KINESIM [--update] (or set KINESIM)")
    unittest.main(argv=[sys.argv[0]] + args, verbosity=2)
