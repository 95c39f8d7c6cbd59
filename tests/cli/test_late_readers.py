"""Every scenario of the library runs with late readers added beside an enhanced fan-out one
(issue 10: they crashed). A file of its own, so that the library's two long tests run side by
side and each stays far from its time limit under the sanitizers.

Run with Debian's interpreter:
    /usr/bin/python3 tests/cli/test_late_readers.py build/cli/kinesim
"""

import glob
import os
import re
import sys
import unittest

import test_scenarios
from test_scenarios import SCENARIOS, ScenarioTest


class LateReadersBesideEnhancedFanOut(ScenarioTest):
    """Issue 10: readers that start late on a stream that an enhanced fan-out reader also reads
    (which brings the producers up to a second ahead) started past what had arrived, and their
    first read went past the log: a LATEST mapping enabled later, an AT_TIMESTAMP mapping, a
    late KCL application. With these four readers added to its first stream, every scenario of
    the library crashed. Each must now run to the end, and the late LATEST mapping read."""

    def test_every_scenario_runs_with_late_readers_beside_enhanced_fan_out(self):
        for path in sorted(glob.glob(os.path.join(SCENARIOS, "*.yaml"))):
            name = os.path.basename(path)
            with open(path) as f:
                text = f.read()
            block = re.search(r"^streams:\n((?:  .*\n|\n)+)", text, re.M)
            stream = re.search(r"^  ([A-Za-z0-9_-]+):", block.group(1), re.M).group(1)
            probes = [
                "functions.probe_efo={triggers: [{kinesis: %s, enhanced_fanout: true}]}" % stream,
                "functions.probe_late={triggers: [{kinesis: %s, enabled_at: 61500ms}]}" % stream,
                "functions.probe_ts={triggers: [{kinesis: %s, starting_position: AT_TIMESTAMP,"
                " starting_position_timestamp: 61500ms}]}" % stream,
                "consumers.probe_kcl={stream: %s, enabled_at: 61500ms}" % stream,
            ]
            args = [a for p in probes for a in ("--set-new", p)]
            with self.subTest(scenario=name, stream=stream):
                # 1: an expect: line of the scenario may fail with readers added
                doc = self.run_json(path, *args, output=name + ".h5", codes=(0, 1))
                m = doc["metrics"]
                self.assertGreater(m["probe_late.records_processed"] +
                                   m["probe_late.records_pending"], 0)


def main():
    """`test_late_readers.py KINESIM [unittest arguments]`."""
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        test_scenarios.KINESIM = os.path.abspath(sys.argv.pop(1))
    if not test_scenarios.KINESIM:
        sys.exit("usage: test_late_readers.py KINESIM [unittest arguments]")
    unittest.main(argv=sys.argv, verbosity=2)


if __name__ == "__main__":
    main()
