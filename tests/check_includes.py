"""The project's dependency rules, checked on the #include lines of sim/, models/ and cli/.

Dependencies flow one way, from the command line down to the engine:

    cli -> models/scenario -> models/<service> -> models/core -> sim

sim/ is the discrete-event engine and knows nothing of AWS; models/core/ is what every component
shares (records, metrics, costs, the context); each service folder (models/kinesis/, lambda/,
kcl/, sqs/, sns/, firehose/, s3/, any future one) models one AWS service on top of core/ and
sim/; models/scenario/ joins the services to the scenario file (loader, registry, build); cli/
is the command line on top of all of it. Keeping the flow one way keeps every layer buildable
and testable without the ones above it, and keeps the services independent of one another:
they meet through core/, so a service can be added, changed or removed without touching another.

The rules (a file is a .c or .h under sim/, models/ or cli/; an include is a quoted
#include "path", written from the project root, or an angle #include <path> naming sim/, models/
or cli/; other angle includes are system headers and are not checked):

  1. sim/ includes nothing from models/ or cli/.
  2. models/ includes nothing from cli/.
  3. A file in models/core/ includes only models/core/ and sim/ headers (core is below every
     service).
  4. A file in a service folder (any models/ folder other than core/ and scenario/) includes only
     its own folder, models/core/ and sim/: no include from one service folder into another.
  5. models/scenario/ includes only models/scenario/, models/core/, any service folder and sim/
     (it sits above the services).
  6. No include cycle between files (the graph of includes between existing files), and no
     cycle between models/ folders (an edge A -> B when a file in A includes a file in B).

Rules 1 to 5 are the table RULES below, over the layers a path belongs to (LAYER_OF_FOLDER: any
models/ folder not named there is a service), so a new service folder needs no change here. An
include breaks at most one of them: the first row of the table that applies and is broken.

Usage: /usr/bin/python3 tests/check_includes.py [ROOT]   (ROOT: the repository root, by default
the one holding this script). Prints `path:line: rule N: what` per violation and a summary line;
exits 1 on any violation, 0 on none, 2 when ROOT holds no file to check.
"""

import os
import re
import sys

# Folders checked, from the project root.
TOP_FOLDERS = ("sim", "models", "cli")
EXTENSIONS = (".c", ".h")

# The layer of a models/ folder; any folder not named here is a service.
LAYER_OF_FOLDER = {"core": "core", "scenario": "scenario"}

# Layers: sim, cli, core, scenario, service (one per models/ service folder), models (a file
# directly in models/, in no folder) and other (anything else: kinesim_version.h, generated in
# the build directory; tests/...). "own" in a target list stands for the includer's own folder.
#
# (rule, files of these layers, "deny" these targets | "only" these targets, what the rule says)
RULES = (
    (1, ("sim",), "deny", ("core", "scenario", "service", "models", "cli"),
     "sim/ includes nothing from models/ or cli/"),
    (2, ("core", "scenario", "service", "models"), "deny", ("cli",),
     "models/ includes nothing from cli/"),
    (3, ("core",), "only", ("core", "sim"),
     "models/core/ includes only models/core/ and sim/"),
    (4, ("service",), "only", ("own", "core", "sim"),
     "a service folder includes only its own folder, models/core/ and sim/"),
    (5, ("scenario",), "only", ("scenario", "service", "core", "sim"),
     "models/scenario/ includes only models/scenario/, models/core/, service folders and sim/"),
)
CYCLE_RULE = 6

INCLUDE_RE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*(?:"([^"\n]+)"|<([^>\n]+)>)')


def layer_of(path):
    """(layer, unit) of a root-relative path; the unit is the folder the rules call own."""
    parts = path.split("/")
    if len(parts) >= 2 and parts[0] in ("sim", "cli"):
        return parts[0], parts[0]
    if parts[0] == "models":
        if len(parts) >= 3:
            return LAYER_OF_FOLDER.get(parts[1], "service"), "models/" + parts[1]
        return "models", "models"
    return "other", None


def strip_comments(text):
    """The text with every comment blanked out, newlines kept (so line numbers stay)."""
    out = []
    i, n = 0, len(text)
    state = None  # None, '"', "'", "//", "/*"
    while i < n:
        c = text[i]
        if state is None:
            if c == "/" and text.startswith("//", i):
                state = "//"
                out.append("  ")
                i += 2
                continue
            if c == "/" and text.startswith("/*", i):
                state = "/*"
                out.append("  ")
                i += 2
                continue
            if c in "\"'":
                state = c
            out.append(c)
        elif state in "\"'":
            if c == "\\" and i + 1 < n:
                out.append(text[i:i + 2])
                i += 2
                continue
            if c == state or c == "\n":
                state = None
            out.append(c)
        elif state == "//":
            if c == "\n":
                state = None
                out.append(c)
            elif c == "\\" and text.startswith("\\\n", i):
                out.append(" \n")
                i += 2
                continue
            else:
                out.append(" ")
        else:  # block comment
            if text.startswith("*/", i):
                state = None
                out.append("  ")
                i += 2
                continue
            out.append("\n" if c == "\n" else " ")
        i += 1
    return "".join(out)


def includes_of(text):
    """[(line, quoted, name)] of the #include lines outside comments."""
    found = []
    for number, line in enumerate(strip_comments(text).split("\n"), 1):
        m = INCLUDE_RE.match(line)
        if m:
            quoted = m.group(1) is not None
            found.append((number, quoted, (m.group(1) if quoted else m.group(2)).strip()))
    return found


def inside(path):
    """The normalised root-relative path, or None when it leaves the root."""
    p = os.path.normpath(path).replace(os.sep, "/")
    if p == ".." or p.startswith("../") or os.path.isabs(p):
        return None
    return p


def resolve(root, includer, quoted, name):
    """(root-relative path, exists) of an include, searched the way the compiler does: a quoted
    name first beside the includer, then from the project root (the include directory)."""
    candidates = []
    if quoted:
        candidates.append(inside(os.path.join(os.path.dirname(includer), name)))
    candidates.append(inside(name))
    for c in candidates:
        if c is not None and os.path.isfile(os.path.join(root, c)):
            return c, True
    return (candidates[-1] if candidates[-1] is not None else name), False


def source_files(root):
    """Root-relative paths of the .c and .h files under the checked folders, sorted."""
    files = []
    for top in TOP_FOLDERS:
        base = os.path.join(root, top)
        for folder, dirs, names in os.walk(base):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in names:
                if name.endswith(EXTENSIONS):
                    rel = os.path.relpath(os.path.join(folder, name), root)
                    files.append(rel.replace(os.sep, "/"))
    return sorted(files)


def broken_rule(src, dst):
    """(rule, text) of the first row of RULES the include src -> dst breaks, or None."""
    src_layer, src_unit = layer_of(src)
    dst_layer, dst_unit = layer_of(dst)
    for rule, layers, kind, targets, text in RULES:
        if src_layer not in layers:
            continue
        hit = dst_layer in targets or ("own" in targets and dst_unit == src_unit)
        if (kind == "deny" and hit) or (kind == "only" and not hit):
            return rule, text
    return None


def strongly_connected(graph):
    """The strongly connected sets of a {node: {node: witness}} graph (Tarjan), each sorted."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph) + 1000))
    index, low, stack, on_stack, sets = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            members = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                members.append(w)
                if w == v:
                    break
            sets.append(sorted(members))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sets


def cycles(graph):
    """One cycle [a, b, ..., a] per strongly connected set that has one (the shortest through
    the set's first node), with the set's size."""
    found = []
    for members in strongly_connected(graph):
        start = members[0]
        if len(members) == 1 and start not in graph.get(start, {}):
            continue
        allowed = set(members)
        previous, frontier, end = {start: None}, [start], None
        while frontier and end is None:
            following = []
            for v in frontier:
                for w in sorted(graph.get(v, ())):
                    if w == start:
                        end = v
                        break
                    if w in allowed and w not in previous:
                        previous[w] = v
                        following.append(w)
                if end is not None:
                    break
            frontier = following
        path = [start]
        v = end
        while v is not None and v != start:
            path.append(v)
            v = previous[v]
        path = [start] + path[1:][::-1] + [start]
        found.append((path, len(members)))
    return found


def check(root):
    """(violations [(path, line, rule, what)], files, includes) of the tree at root."""
    files = source_files(root)
    known = set(files)
    violations = []
    file_graph = {f: {} for f in files}   # file -> {included file: line}
    folder_graph = {}                     # models folder -> {models folder: (file, line, dst)}
    count = 0
    for src in files:
        with open(os.path.join(root, src), encoding="utf-8", errors="replace") as f:
            text = f.read()
        src_unit = layer_of(src)[1]
        for line, quoted, name in includes_of(text):
            if not quoted and name.split("/")[0] not in TOP_FOLDERS:
                continue  # a system header
            count += 1
            dst, exists = resolve(root, src, quoted, name)
            broken = broken_rule(src, dst)
            if broken:
                rule, text_ = broken
                shown = '"%s"' % name if quoted else "<%s>" % name
                if dst != name:
                    shown += " (%s)" % dst
                violations.append((src, line, rule, "#include %s: %s" % (shown, text_)))
            if exists and dst in known:
                file_graph[src].setdefault(dst, line)
            dst_unit = layer_of(dst)[1]
            if (src_unit and dst_unit and src_unit != dst_unit and src_unit.startswith("models/")
                    and dst_unit.startswith("models/")):
                folder_graph.setdefault(src_unit, {}).setdefault(dst_unit, (src, line, dst))
    for path, size in cycles(file_graph):
        more = "" if size == len(path) - 1 else " (%d files in the cycle set)" % size
        violations.append((path[0], file_graph[path[0]][path[1]], CYCLE_RULE,
                           "include cycle: %s%s" % (" -> ".join(path), more)))
    for path, size in cycles(folder_graph):
        edges = [folder_graph[a][b] for a, b in zip(path, path[1:])]
        more = "" if size == len(path) - 1 else " (%d folders in the cycle set)" % size
        why = "; ".join("%s:%d includes %s" % e for e in edges)
        violations.append((edges[0][0], edges[0][1], CYCLE_RULE, "folder cycle: %s%s [%s]" % (
            " -> ".join(path), more, why)))
    return violations, files, count


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(__doc__)
        return 0 if len(argv) == 2 else 2
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(argv[1] if len(argv) == 2 else os.path.dirname(here))
    violations, files, count = check(root)
    if not files:
        print("check_includes: no .c or .h file under %s in %s" % (", ".join(TOP_FOLDERS), root),
              file=sys.stderr)
        return 2
    for path, line, rule, what in violations:
        print("%s:%d: rule %d: %s" % (path, line, rule, what))
    by_rule = {}
    for v in violations:
        by_rule[v[2]] = by_rule.get(v[2], 0) + 1
    detail = ", ".join("rule %d: %d" % (r, by_rule[r]) for r in sorted(by_rule))
    print("check_includes: %d files, %d project includes: %s" % (
        len(files), count,
        "%d violation%s (%s)" % (len(violations), "" if len(violations) == 1 else "s", detail)
        if violations else "no violation"))
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
