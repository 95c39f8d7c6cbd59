"""Self-test of tests/check_includes.py: throwaway trees in a temporary directory, one clean and
one or more breaking each rule, checked for the exit code and for the rule each violation line
names (`path:line: rule N: what`).

Run with Debian's interpreter (standard library only):

    /usr/bin/python3 tests/test_check_includes.py
"""

import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, "check_includes.py")
LINE = re.compile(r"^(\S+?):(\d+): rule (\d+): (.*)$")

# A tree that follows every rule: the one-way flow cli -> scenario -> services -> core -> sim,
# with a quoted name beside the includer, system headers, and rule-breaking includes that sit
# in comments only.
CLEAN = {
    "sim/time.h": "#pragma once\n#include <stdint.h>\n",
    "sim/engine.h": '#pragma once\n#include "sim/time.h"\n/* #include "models/core/record.h" */\n',
    "sim/engine.c": '#include "sim/engine.h"\n#include <stdio.h>\n// #include "cli/cli.h"\n',
    "models/core/record.h": '#pragma once\n#include "sim/time.h"\n',
    "models/core/metric.h": '#pragma once\n#include "record.h"\n#include "sim/engine.h"\n',
    "models/core/metric.c": '#include "models/core/metric.h"\n',
    "models/kinesis/stream.h": '#pragma once\n#include "models/core/record.h"\n',
    "models/kinesis/stream.c": ('#include "models/kinesis/stream.h"\n'
                                '/* not here:\n#include "models/lambda/function.h"\n*/\n'
                                'static const char *s = "/* not a comment";\n'
                                '#include "sim/engine.h"\n'),
    "models/lambda/function.h": '#pragma once\n#include "models/core/metric.h"\n',
    "models/lambda/function.c": '#include "models/lambda/function.h"\n#include <stdlib.h>\n',
    "models/scenario/build.h": '#pragma once\n#include "models/kinesis/stream.h"\n',
    "models/scenario/build.c": ('#include "models/scenario/build.h"\n'
                                '#include "models/lambda/function.h"\n'
                                '#include "models/core/record.h"\n#include "sim/engine.h"\n'),
    "cli/cli.h": '#pragma once\n#include "models/scenario/build.h"\n',
    "cli/main.c": ('#include "cli/cli.h"\n#include "kinesim_version.h"\n'
                   '#include "models/kinesis/stream.h"\n#include "sim/engine.h"\n'),
}


def tree(base, extra=None, drop=()):
    """The clean tree, with extra files added or replaced and the drop files left out."""
    files = {k: v for k, v in CLEAN.items() if k not in drop}
    files.update(extra or {})
    for path, text in files.items():
        full = os.path.join(base, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)


def run(root):
    """(exit code, [(path, line, rule, what)], summary line) of the checker on root."""
    r = subprocess.run([sys.executable, CHECKER, root], capture_output=True, text=True,
                       timeout=60)
    lines = r.stdout.splitlines()
    violations = []
    for line in lines[:-1]:
        m = LINE.match(line)
        assert m, "not a violation line: %r" % line
        violations.append((m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)))
    return r.returncode, violations, lines[-1] if lines else ""


class CheckIncludes(unittest.TestCase):
    def check(self, extra, expected, drop=()):
        """The tree with extra breaks exactly the expected (path, line, rule) and exits 1."""
        with tempfile.TemporaryDirectory() as root:
            tree(root, extra, drop)
            code, violations, summary = run(root)
        found = sorted((p, l, r) for p, l, r, _ in violations)
        self.assertEqual(found, sorted(expected), violations)
        self.assertEqual(code, 1)
        self.assertIn("%d violation" % len(expected), summary)
        return violations

    def test_a_clean_tree_passes(self):
        with tempfile.TemporaryDirectory() as root:
            tree(root)
            code, violations, summary = run(root)
        self.assertEqual(violations, [])
        self.assertEqual(code, 0)
        self.assertIn("no violation", summary)

    def test_rule_1_sim_includes_nothing_from_models_or_cli(self):
        self.check({"sim/engine.c": '#include "sim/engine.h"\n#include "models/core/record.h"\n',
                    "sim/units.c": '#include <math.h>\n\n\n#include "cli/cli.h"\n'},
                   [("sim/engine.c", 2, 1), ("sim/units.c", 4, 1)])

    def test_rule_2_models_include_nothing_from_cli(self):
        self.check({"models/kinesis/stream.c": '#include "cli/cli.h"\n',
                    "models/core/metric.c": ('#include "models/core/metric.h"\n'
                                             '#include "cli/cli.h"\n'),
                    "models/scenario/build.c": '#  include   <cli/cli.h>\n'},
                   [("models/kinesis/stream.c", 1, 2), ("models/core/metric.c", 2, 2),
                    ("models/scenario/build.c", 1, 2)])

    def test_rule_3_core_includes_only_core_and_sim(self):
        violations = self.check(
            {"models/core/metric.c": ('#include "models/core/metric.h"\n'
                                      '#include "tests/harness.h"\n'
                                      '/* a comment\n over lines */\n'
                                      '#include "kinesim_version.h"\n')},
            [("models/core/metric.c", 2, 3), ("models/core/metric.c", 5, 3)])
        self.assertIn("tests/harness.h", violations[0][3])

    def test_rule_3_core_includes_no_service(self):
        # core -> kinesis with kinesis -> core is also a folder cycle (rule 6): any include
        # against the flow closes one, since every folder above core includes core.
        self.check({"models/core/cost.c": '#include "models/kinesis/stream.h"\n'},
                   [("models/core/cost.c", 1, 3), ("models/core/cost.c", 1, 6)])

    def test_rule_4_a_service_includes_no_other_service(self):
        self.check({"models/lambda/function.c": ('#include "models/lambda/function.h"\n'
                                                  '#include "models/kinesis/stream.h"\n'),
                    "models/kinesis/stream.c": '#include "kinesim_version.h"\n'},
                   [("models/lambda/function.c", 2, 4), ("models/kinesis/stream.c", 1, 4)])

    def test_rule_4_holds_for_a_new_service_folder(self):
        self.check({"models/dynamodb/table.h": '#pragma once\n#include "models/core/record.h"\n',
                    "models/dynamodb/table.c": ('#include "models/dynamodb/table.h"\n'
                                                '#include "sim/engine.h"\n'
                                                '#include "models/sqs/queue.h"\n')},
                   [("models/dynamodb/table.c", 3, 4)])

    def test_rule_5_scenario_includes_only_models_and_sim(self):
        self.check({"models/scenario/build.c": ('#include "models/scenario/build.h"\n'
                                                 '#include "kinesim_version.h"\n')},
                   [("models/scenario/build.c", 2, 5)])

    def test_rule_6_a_file_cycle_is_reported_with_its_path(self):
        violations = self.check(
            {"sim/a.h": '#pragma once\n#include "sim/b.h"\n',
             "sim/b.h": '#pragma once\n#include "sim/c.h"\n',
             "sim/c.h": '#pragma once\n\n#include "sim/a.h"\n'},
            [("sim/a.h", 2, 6)])
        self.assertIn("sim/a.h -> sim/b.h -> sim/c.h -> sim/a.h", violations[0][3])

    def test_rule_6_a_file_including_itself_is_a_cycle(self):
        self.check({"models/core/loop.h": '#pragma once\n#include "loop.h"\n'},
                   [("models/core/loop.h", 2, 6)])

    def test_rule_6_a_folder_cycle_is_reported_with_its_path(self):
        violations = self.check(
            {"models/lambda/function.c": ('#include "models/lambda/function.h"\n'
                                          '#include "models/kinesis/stream.h"\n'),
             "models/kinesis/stream.c": '#include "models/lambda/function.h"\n'},
            [("models/lambda/function.c", 2, 4), ("models/kinesis/stream.c", 1, 4),
             ("models/kinesis/stream.c", 1, 6)])
        cycle = [v for v in violations if v[2] == 6][0][3]
        self.assertIn("models/kinesis -> models/lambda -> models/kinesis", cycle)

    def test_an_empty_root_is_an_error(self):
        with tempfile.TemporaryDirectory() as root:
            r = subprocess.run([sys.executable, CHECKER, root], capture_output=True, text=True,
                               timeout=60)
        self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    unittest.main()
