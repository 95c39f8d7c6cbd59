"""Large generated seeds and the dictionary for fuzzing the scenario loader (docs/fuzzing.md).

The library's scenarios are small (1-3 kB); a fuzzer that starts from them rarely grows an input
to where a quadratic loop shows. These seeds start there: hundreds of streams, producers and
functions, long flow maps and sequences, deep nesting, thousands of anchors and aliases, long
scalars, hundreds of errors at once, long --set paths. Each is written at fuzz time rather than
kept in the repository, deterministic (no randomness), and below 64 KiB so that it fits
`-max_len=65536` whole.

The dictionary lists the scenario format's keys and enumerated values, read from the sources
(`.key = "..."` and `{"value", N}` rows under models/ and sim/), so it follows the format without
being kept by hand, plus YAML's punctuation and the units.

Usage: /usr/bin/python3 tests/fuzz/make_seeds.py OUTDIR [--dict FILE] [--stamp FILE]
"""

import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAX_LEN = 65536

HEAD = "kinesim: 1\nname: {name}\nduration: 10m\n"


def big_pipeline():
    """Every kind of component, many times over, valid: the model is built from it."""
    n = 120
    out = [HEAD.format(name="big-pipeline"), "streams:\n"]
    for i in range(n):
        out.append(f"  s{i}:\n    shards: {1 + i % 4}\n")
    out.append("producers:\n")
    for i in range(n):
        out.append(f"  p{i}:\n    stream: s{i}\n    rate: {10 + i}/s\n    record_size: 1KB\n")
    out.append("queues:\n")
    for i in range(n // 4):
        out.append(f"  q{i}:\n    max_receive_count: 3\n    redrive_to: dlq{i}\n  dlq{i}: {{}}\n")
    out.append("topics:\n")
    for i in range(n // 4):
        out.append(f"  t{i}: {{}}\n")
    out.append("buckets:\n")
    for i in range(n // 8):
        out.append(f"  b{i}: {{}}\n")
    out.append("functions:\n")
    for i in range(n):
        dest = (f"q{i % (n // 4)}", f"t{i % (n // 4)}", f"b{i % (n // 8)}")[i % 3]
        out.append(f"  f{i}:\n    duration: {{per_invocation: {5 + i % 20}ms}}\n"
                   f"    triggers:\n      - kinesis: s{i}\n        batch_size: {1 + i % 500}\n"
                   f"        on_failure: {dest}\n")
    for i in range(n // 4):
        out.append(f"  qf{i}:\n    triggers:\n      - sqs: q{i}\n      - sns: t{i}\n")
    out.append("consumers:\n")
    for i in range(n // 4):
        out.append(f"  c{i}:\n    stream: s{i}\n")
    out.append("expect:\n")
    for i in range(n):
        out.append(f"  - f{i}.records_processed >= 0\n")
    return "".join(out)


def flow_pipeline():
    """The same kind of scenario on a few very long flow-style lines."""
    n = 250
    streams = ", ".join(f"s{i}: {{shards: 1}}" for i in range(n))
    producers = ", ".join(f"p{i}: {{stream: s{i}, rate: 5/s, record_size: 100B}}"
                          for i in range(n))
    functions = ", ".join(f"f{i}: {{triggers: [{{kinesis: s{i}, batch_size: 10}}]}}"
                          for i in range(n))
    return (HEAD.format(name="flow-pipeline") + f"streams: {{{streams}}}\n"
            f"producers: {{{producers}}}\nfunctions: {{{functions}}}\n")


def long_sequences():
    """A profile of thousands of steps, hundreds of outages and expect lines."""
    steps = ", ".join(f"{{at: {i}s, rate: {1 + i % 97}/s}}" for i in range(1400))
    outages = ", ".join(f"{{start: {2 * i}s, end: {2 * i + 1}s}}" for i in range(250))
    expects = "".join(f"  - f.latency.p{50 + i % 49} < {i + 1}s\n" for i in range(200))
    return (HEAD.format(name="long-sequences") + "streams:\n  s:\n    shards: 1\n"
            f"producers:\n  p:\n    stream: s\n    profile: [{steps}]\n    record_size: 1KB\n"
            f"functions:\n  f:\n    errors: {{outages: [{outages}]}}\n"
            "    triggers:\n      - kinesis: s\n"
            f"expect:\n{expects}")


def many_keys():
    """Thousands of keys in one map, some repeated: the duplicate-key and unique-name checks."""
    out = [HEAD.format(name="many-keys"), "streams:\n"]
    for i in range(2000):
        out.append(f"  s{i % 1900}: {{shards: 1}}\n")
    out.append("functions:\n  f:\n    triggers:\n      - kinesis: s0\n")
    return "".join(out)


def many_anchors():
    """A thousand anchors, each aliased: anchor lookups, and clones of every alias."""
    out = [HEAD.format(name="many-anchors"), "streams:\n"]
    for i in range(700):
        out.append(f"  a{i}: &st{i} {{shards: 1, retention: 24h}}\n")
    for i in range(700):
        out.append(f"  b{i}: *st{699 - i}\n")
    out.append("functions:\n  f:\n    triggers:\n      - kinesis: a0\n")
    return "".join(out)


def alias_fanout():
    """Nested aliases (a small "billion laughs"): 8^4 nodes from a few hundred bytes. The
    fuzzer only has to add a level or widen one to reach the node cap."""
    out = [HEAD.format(name="alias-fanout"), "x-laughs:\n"]
    out.append("  a: &a [" + ", ".join(["lol"] * 8) + "]\n")
    prev = "a"
    for name in "bcd":
        out.append(f"  {name}: &{name} [" + ", ".join([f"*{prev}"] * 8) + "]\n")
        prev = name
    out.append("  e: [*d, *d]\n")
    # Filler so the input is past 8 kB like the others: anchored streams used once each.
    out.append("streams:\n")
    for i in range(400):
        out.append(f"  s{i}: &s{i} {{shards: 1}}\n")
    return "".join(out)


def deep_nesting():
    """Flow and block nesting just below the parser's depth limit (sim/yaml.c MAX_DEPTH)."""
    depth = 480
    flow = "[" * depth + "1" + "]" * depth
    block = "".join("  " * i + f"k{i}:\n" for i in range(1, 200)) + "  " * 200 + "leaf: 1\n"
    return (HEAD.format(name="deep-nesting") + f"x-flow: {flow}\n"
            f"x-flowmap: {'{a: ' * depth}1{'}' * depth}\nx-block:\n{block}"
            "streams:\n  s:\n    shards: 1\n")


def deep_set():
    """--set paths that go deep and far: nesting made by the assignment, not by the parser."""
    path = ".".join(f"k{i}" for i in range(450))
    value = "[" * 60 + "1" + "]" * 60
    return (f"--set platform.{path}={value}\n"
            f"--set functions.f.triggers[0].batch_size=10\n"
            f"--set functions.f.errors.outages[0]={{start: 1m, end: 2m}}\n"
            f"--set streams.s.reshard[0]={{at: 1m, shards: 2}}\n" +
            HEAD.format(name="deep-set") + "streams:\n  s:\n    shards: 1\n"
            "functions:\n  f:\n    triggers:\n      - kinesis: s\n" +
            "".join(f"# filler line {i} to pass 8 kB\n" for i in range(300)))


def long_scalars():
    """Long strings, numbers and units where short ones are expected."""
    desc = " ".join(f"word{i}" for i in range(4000))
    return (HEAD.format(name="long-scalars") + f"description: >\n  {desc}\n"
            "streams:\n  s:\n    shards: " + "0" * 3000 + "1\n"
            "    retention: " + "1" * 400 + "h\n"
            "producers:\n  p:\n    stream: s\n    rate: 1" + "0" * 300 + "/s\n"
            "    record_size: 1." + "5" * 2000 + "KB\n"
            "functions:\n  " + "f" * 1000 + ":\n    triggers:\n      - kinesis: s\n"
            "    memory: 128" + "M" * 500 + "\n")


def many_errors():
    """Hundreds of errors in one file: collecting, sorting and printing diagnostics with their
    source lines and carets."""
    out = [HEAD.format(name="many-errors"), "streams:\n"]
    for i in range(300):
        out.append(f"  s{i}:\n    shards: x{i}\n    shrads: 1\n")
    out.append("functions:\n")
    for i in range(150):
        out.append(f"  f{i}:\n    triggers:\n      - kinesis: nosuch{i}\n        batch_sise: 1\n")
    return "".join(out)


SEEDS = {
    "gen-big-pipeline.yaml": big_pipeline,
    "gen-flow-pipeline.yaml": flow_pipeline,
    "gen-long-sequences.yaml": long_sequences,
    "gen-many-keys.yaml": many_keys,
    "gen-many-anchors.yaml": many_anchors,
    "gen-alias-fanout.yaml": alias_fanout,
    "gen-deep-nesting.yaml": deep_nesting,
    "gen-deep-set.input": deep_set,
    "gen-long-scalars.yaml": long_scalars,
    "gen-many-errors.yaml": many_errors,
}

YAML_TOKENS = [
    "---", "...", ": ", "- ", "? ", "[", "]", "{", "}", ", ", "&a ", "*a", "<<: ", "!!str ",
    "!!int ", "!!map ", "!!seq ", "! ", "|", ">", "|-", ">+", "#", "'", "\"", "\\n", "\\x00",
    "~", "null", "true", "false", ".inf", "-.inf", ".nan", "0x", "0o", "1e308", "-1",
    "9223372036854775807", "18446744073709551616", "%YAML 1.1", "%TAG ! tag:x,2000:",
    "--set ", "=", "[0]", "[1]", "\t", "\r\n", "\xef\xbb\xbf",
]
UNITS = ["ns", "us", "ms", "s", "m", "h", "d", "B", "KB", "MB", "GB", "KiB", "MiB", "/s", "/m",
         "/h", "%", "1m30s"]


def dictionary():
    words = set()
    for top in ("models", "sim"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for f in files:
                if not f.endswith(".c"):
                    continue
                with open(os.path.join(dirpath, f), encoding="utf-8") as src:
                    text = src.read()
                words.update(re.findall(r'\.key = "([A-Za-z0-9_]+)"', text))
                words.update(re.findall(r'\{"([A-Za-z0-9_]+)", -?[0-9]+\}', text))
    words.update(["streams", "producers", "functions", "consumers", "queues", "topics",
                  "firehoses", "buckets", "triggers", "kinesis", "sqs", "sns", "s3", "dist",
                  "lognormal", "exponential", "uniform", "constant", "median", "p99", "mean",
                  "LATEST", "TRIM_HORIZON", "AT_TIMESTAMP"])

    def quote(s):
        return '"' + "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else f"\\x{ord(c):02x}"
                             for c in s) + '"'

    lines = [f"kw{i}={quote(w)}" for i, w in enumerate(sorted(words))]
    lines += [f"yaml{i}={quote(t)}" for i, t in enumerate(YAML_TOKENS)]
    lines += [f"unit{i}={quote(u)}" for i, u in enumerate(UNITS)]
    return "# Generated by tests/fuzz/make_seeds.py: the scenario format's words.\n" + \
        "\n".join(lines) + "\n"


def main(argv):
    ap = argparse.ArgumentParser(description="Writes the generated seeds into OUTDIR.")
    ap.add_argument("outdir")
    ap.add_argument("--dict", help="also write the libFuzzer dictionary to this file")
    ap.add_argument("--stamp", help="touch this file when done (for meson)")
    args = ap.parse_args(argv[1:])
    os.makedirs(args.outdir, exist_ok=True)
    for name, make in SEEDS.items():
        data = make().encode("utf-8")
        if len(data) > MAX_LEN:
            print(f"make_seeds: {name} is {len(data)} bytes, more than {MAX_LEN}",
                  file=sys.stderr)
            return 1
        with open(os.path.join(args.outdir, name), "wb") as f:
            f.write(data)
    if args.dict:
        with open(args.dict, "w", encoding="utf-8") as f:
            f.write(dictionary())
    if args.stamp:
        with open(args.stamp, "w", encoding="utf-8") as f:
            f.write("")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
