"""The documentation stands alone and stays current:

- nothing in the repository points outside it (the project's design notes are not shipped:
  what users need of them is in docs/);
- every relative link of README.md, docs/*.md and scenarios/README.md reaches a file, and an
  anchor a heading of it;
- every library scenario is indexed in scenarios/README.md;
- every key of docs/scenario-keys.md (generated from the loader) appears in an example of
  docs/scenario.md, and the platform example there holds the defaults the table lists.

Run with Debian's interpreter (standard library only):
    /usr/bin/python3 tests/docs/test_docs.py
"""

import glob
import os
import re
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCS = [os.path.join(ROOT, "README.md"), os.path.join(ROOT, "scenarios", "README.md")] + \
    sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))

# Names of the design notes the project was built to, which users do not have.
OUTSIDE = re.compile(r"shared/design|\.\./shared|\b(SCENARIO|MODEL|OUTPUT|VALIDATION|"
                     r"ARCHITECTURE|STYLE)\.md\b|\[MODEL [0-9]")
SOURCES = ("*.c", "*.h", "*.py", "*.sh", "*.md", "*.yaml", "meson.build", ".clang-format")
# Files whose comments still cite the design notes, left to the branches that own them
# (cli/: the summary and report work; sim/h5.*: the HDF5 layout). Empty this list once they
# cite docs/ instead.
NOT_YET = ()


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def tracked_files():
    """Source and documentation files of the repository (not the build folders)."""
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if not d.startswith((".", "build", "out"))]
        for name in files:
            if any(glob.fnmatch.fnmatch(name, p) for p in SOURCES):
                yield os.path.relpath(os.path.join(folder, name), ROOT)


def slug(heading):
    """The anchor a heading gets on the usual Markdown renderers: lower case, punctuation
    dropped, spaces to dashes."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    return {slug(m.group(1)) for m in re.finditer(r"^#+ (.*)$", read(path), re.M)}


def yaml_blocks(text):
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def key_table():
    """(section, path, default) of every row of docs/scenario-keys.md."""
    rows, section = [], ""
    for line in read(os.path.join(ROOT, "docs", "scenario-keys.md")).splitlines():
        if line.startswith("## "):
            section = line[3:]
        m = re.match(r"^\| `([^`]+)` \| [^|]* \| ([^|]*) \|", line)
        if m:
            rows.append((section, m.group(1), m.group(2).strip()))
    return rows


class Docs(unittest.TestCase):
    maxDiff = None

    def test_nothing_points_outside_the_repository(self):
        found = []
        for rel in tracked_files():
            if rel.startswith(NOT_YET) or rel == os.path.join("tests", "docs", "test_docs.py"):
                continue
            for n, line in enumerate(read(os.path.join(ROOT, rel)).splitlines(), 1):
                if OUTSIDE.search(line):
                    found.append("%s:%d: %s" % (rel, n, line.strip()))
        self.assertEqual(found, [])

    def test_every_relative_link_reaches_a_file_and_its_heading(self):
        broken = []
        for doc in DOCS:
            text = re.sub(r"```.*?```", "", read(doc), flags=re.S)
            for target in re.findall(r"\]\(([^)\s]+)\)", text):
                if re.match(r"[a-z]+:", target):
                    continue
                path, _, anchor = target.partition("#")
                full = os.path.normpath(os.path.join(os.path.dirname(doc), path)) if path else doc
                if not os.path.exists(full):
                    broken.append("%s: %s (no such file)" % (os.path.relpath(doc, ROOT), target))
                elif anchor and full.endswith(".md") and anchor not in anchors(full):
                    broken.append("%s: %s (no such heading)" % (os.path.relpath(doc, ROOT),
                                                                 target))
        self.assertEqual(broken, [])

    def test_every_library_scenario_is_indexed(self):
        index = read(os.path.join(ROOT, "scenarios", "README.md"))
        missing = [os.path.basename(p) for p in sorted(glob.glob(os.path.join(ROOT, "scenarios",
                                                                               "*.yaml")))
                   if "(%s)" % os.path.basename(p) not in index]
        self.assertEqual(missing, [])

    def test_every_key_has_an_example_in_scenario_md(self):
        blocks = "\n".join(yaml_blocks(read(os.path.join(ROOT, "docs", "scenario.md"))))
        rows = key_table()
        self.assertGreater(len(rows), 150)
        missing = sorted({path for _, path, _ in rows
                          if not re.search(r"(^|[\s{,\[-])%s:" % re.escape(
                              re.split(r"[.]", path.replace("[]", ""))[-1]), blocks, re.M)})
        self.assertEqual(missing, [])

    def test_the_platform_example_holds_the_defaults(self):
        # The platform block of scenario.md says "the values below are the defaults": each
        # scalar it sets must be the default of that key in the generated table.
        doc = read(os.path.join(ROOT, "docs", "scenario.md"))
        block = next(b for b in yaml_blocks(doc) if b.startswith("platform:"))
        defaults = {}
        for section, path, default in key_table():
            if section.startswith("platform."):
                defaults[section + "." + path] = default.strip("`")
            elif path.startswith("platform."):
                defaults[path] = default.strip("`")
        checked, stack = 0, []
        for line in block.splitlines()[1:]:
            m = re.match(r"^( *)([a-z_0-9]+): ([^#\s][^#]*?)\s*(#.*)?$", line)
            if not m:
                m = re.match(r"^( *)([a-z_0-9]+):\s*(#.*)?$", line)
                depth = len(m.group(1)) // 2
                stack[depth - 1:] = [m.group(2)]
                continue
            depth = len(m.group(1)) // 2
            stack[depth - 1:] = [m.group(2)]
            path = "platform." + ".".join(stack)
            value = m.group(3)
            if value.startswith("{") and "dist" not in value:
                continue  # a flow map of several keys (read_backoff): its keys are rows too
            self.assertIn(path, defaults)
            self.assertEqual(value, defaults[path], path)
            checked += 1
        self.assertGreater(checked, 50)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1] + sys.argv[1:])
