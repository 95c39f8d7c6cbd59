"""The benchmark suite: one table of what kinesim costs, optionally side by side with another
kinesim binary run in the same invocation (so a change is measured as a ratio on one machine,
at one moment).

    /usr/bin/python3 bench/suite.py [--build DIR] [--baseline KINESIM] [--only NAME]...
                                    [--repeat N [--best]] [--json FILE]

`scripts/dev bench [ARGS]` builds the release build and runs this with ARGS.

Benchmarks (docs/performance.md says why each one):
  hold-1e3, hold-1e5, hold-1e6  the engine's hold model (bench/bench_queue.c) at N pending
  fixed-cost                    bench-c for one simulated second: what any run costs (start,
                                building, writing the file); each run the mean of 10 in a row
  hot-stream                    scenarios/hot-stream.yaml: a small scenario, mostly fixed cost
  bench-c                       16 shards x 500 records/s, 6 Lambda subscribers, 5 minutes
  large                         64 shards, 115 M records, 5 polling + 1 EFO Lambda + 1 KCL
  shards-16, shards-1024        the same 30.7 M records on 16 and on 1,024 shards
  poison-backlog                one shard blocked for 23 h: ~83 M records held in its log
  large-helper                  large with KINESIM_THREADS=2: its producers on a second thread

For each scenario: wall and CPU seconds (user + system, of the child), records accepted by the
streams and record deliveries (records processed by every reader) per wall-second, engine
events per wall-second, ns of CPU per record, and peak RSS. With --repeat N each figure is the
median of N runs; with --best as well, the figures of the fastest run (for the hold model, the
highest rate): a busy neighbour on a shared machine only ever adds time, so the fastest of
alternated runs is the steadier comparison. With --baseline, each benchmark runs on the
baseline binary right after the current one and the ratio baseline/current of wall time (above
1: the current one is faster) and of peak memory is printed. The hold model runs the
`bench_queue` of the build, and of the baseline when one sits at ../bench/bench_queue from the
baseline binary (a build folder's layout).
"""

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SCENARIOS = [
    ("fixed-cost", "bench/bench-c.yaml"),
    ("hot-stream", "scenarios/hot-stream.yaml"),
    ("bench-c", "bench/bench-c.yaml"),
    ("large", "bench/large.yaml"),
    ("shards-16", "bench/shards-16.yaml"),
    ("shards-1024", "bench/shards-1024.yaml"),
    ("poison-backlog", "bench/poison-backlog.yaml"),
    ("large-helper", "bench/large.yaml"),
]
# Benchmarks run with more in their environment: large with its producers on a helper thread
# (opt-in; docs/performance.md, "Using both cores"). A baseline without the helper runs it on
# one thread, so the ratio is the helper's gain over the baseline.
ENV = {"large-helper": {"KINESIM_THREADS": "2"}}
# Benchmarks run with more on their command line, and those so short (some 20 ms) that one
# measured run is the mean of several in a row.
ARGS = {"fixed-cost": ["--set", "duration=1s"]}
IN_A_ROW = {"fixed-cost": 10}
HOLD = ["hold-1e3", "hold-1e5", "hold-1e6"]
HOLD_N = {"hold-1e3": 1000, "hold-1e5": 100000, "hold-1e6": 1000000}

EVENTS = re.compile(r"\(([0-9.]+) M events")


def run_child(argv, cwd, env=None):
    """Runs argv (with env added to the environment); returns (wall s, cpu s, peak RSS
    bytes, stdout, stderr, returncode)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        p = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err,
                             env=dict(os.environ, **(env or {})))
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.monotonic() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024,
                out.read().decode(), err.read().decode(), p.returncode)


def run_scenario(kinesim, path, tmp, env=None, args=(), in_a_row=1):
    """Runs the scenario in_a_row times; its figures, wall and CPU time the mean of a run."""
    out = os.path.join(tmp, "bench.h5")
    wall = cpu = rss = 0
    for _ in range(in_a_row):
        w, c, r, stdout, stderr, rc = run_child(
            [kinesim, "run", os.path.join(ROOT, path), "-o", out, "--format", "json", *args],
            tmp, env)
        if rc not in (0, 1):  # 1: an expectation failed, the run itself is fine
            sys.exit("bench: %s %s failed (exit %d):\n%s" % (kinesim, path, rc, stderr))
        os.unlink(out)
        wall, cpu, rss = wall + w / in_a_row, cpu + c / in_a_row, max(rss, r)
    metrics = json.loads(stdout)["metrics"]
    records = sum(v for k, v in metrics.items() if k.endswith(".incoming_records"))
    deliveries = sum(v for k, v in metrics.items() if k.endswith(".records_processed"))
    m = EVENTS.search(stderr)
    events = float(m.group(1)) * 1e6 if m else float("nan")
    return {"wall_s": wall, "cpu_s": cpu, "rss_bytes": rss, "records": records,
            "deliveries": deliveries, "events": events}


def run_hold(bench_queue, tmp):
    """All three sizes in one run of bench_queue; returns {name: Mevents/s of the engine}."""
    _, _, _, stdout, stderr, rc = run_child([bench_queue], tmp)
    if rc != 0:
        sys.exit("bench: %s failed (exit %d):\n%s" % (bench_queue, rc, stderr))
    rates = {}
    for line in stdout.splitlines():
        m = re.match(r"hold N=(\d+) engine: ([0-9.]+) Mevents/s", line)
        if m:
            for name, n in HOLD_N.items():
                if n == int(m.group(1)):
                    rates[name] = float(m.group(2))
    return rates


def median_of(runs):
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def summarize(runs, best):
    """One row of figures for the runs of a scenario: each the median of its runs, or with
    best all those of the fastest run (its figures belong together); the runs' wall times kept
    besides."""
    row = dict(min(runs, key=lambda r: r["wall_s"])) if best else median_of(runs)
    row["runs_wall_s"] = [r["wall_s"] for r in runs]
    return row


def hold_rate(rates, best):
    return max(rates) if best else statistics.median(rates)


def fmt(v, digits=2):
    if v != v:  # nan
        return "-"
    return "%.*f" % (digits, v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"),
                    help="the build folder to measure (default build/, a release build)")
    ap.add_argument("--baseline", metavar="KINESIM",
                    help="another kinesim binary, run right after each benchmark")
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="run only this benchmark (repeatable)")
    ap.add_argument("--repeat", type=int, default=1, help="median of N runs (default 1)")
    ap.add_argument("--best", action="store_true",
                    help="with --repeat, the fastest run's figures instead of the medians")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args()

    kinesim = os.path.join(os.path.abspath(args.build), "cli", "kinesim")
    bench_queue = os.path.join(os.path.abspath(args.build), "bench", "bench_queue")
    base = os.path.abspath(args.baseline) if args.baseline else None
    base_queue = None
    if base:
        candidate = os.path.join(os.path.dirname(os.path.dirname(base)), "bench", "bench_queue")
        base_queue = candidate if os.access(candidate, os.X_OK) else None
    names = [n for n, _ in SCENARIOS] + HOLD
    for n in args.only or []:
        if n not in names:
            sys.exit("bench: no benchmark '%s'; there are: %s" % (n, ", ".join(names)))
    wanted = set(args.only or names)

    results = {}
    with tempfile.TemporaryDirectory(prefix="kinesim-bench-") as tmp:
        if wanted & set(HOLD):
            cur = [run_hold(bench_queue, tmp) for _ in range(args.repeat)]
            bas = [run_hold(base_queue, tmp) for _ in range(args.repeat)] if base_queue else None
            for name in HOLD:
                if name in wanted:
                    results[name] = {
                        "mevents_s": hold_rate([r[name] for r in cur], args.best),
                        "base_mevents_s": (hold_rate([r[name] for r in bas], args.best)
                                           if bas else None)}
        for name, path in SCENARIOS:
            if name not in wanted:
                continue
            cur, bas = [], []
            how = (ENV.get(name), ARGS.get(name, ()), IN_A_ROW.get(name, 1))
            for _ in range(args.repeat):  # interleaved: both see the same machine load
                cur.append(run_scenario(kinesim, path, tmp, *how))
                if base:
                    bas.append(run_scenario(base, path, tmp, *how))
            results[name] = summarize(cur, args.best)
            if base:
                results[name]["base"] = summarize(bas, args.best)
            print_row(name, results[name], base, header=not any(
                n for n in results if n not in HOLD and n != name))
    print_hold(results)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, sort_keys=True)


def print_row(name, r, base, header):
    if header:
        cols = "%-15s %8s %8s %9s %9s %9s %8s %8s" % (
            "benchmark", "wall s", "cpu s", "Mrec/s", "Mdeliv/s", "Mev/s", "ns/rec", "peak MB")
        if base:
            cols += " %9s %8s %8s" % ("base wall", "speedup", "mem x")
        print(cols)
    wall = r["wall_s"]
    line = "%-15s %8s %8s %9s %9s %9s %8s %8s" % (
        name, fmt(wall, 3), fmt(r["cpu_s"], 3), fmt(r["records"] / wall / 1e6),
        fmt(r["deliveries"] / wall / 1e6), fmt(r["events"] / wall / 1e6),
        fmt(r["cpu_s"] / r["records"] * 1e9 if r["records"] else float("nan"), 0),
        fmt(r["rss_bytes"] / 2**20, 0))
    if base:
        b = r["base"]
        line += " %9s %7sx %7sx" % (fmt(b["wall_s"], 3), fmt(b["wall_s"] / wall),
                                   fmt(b["rss_bytes"] / r["rss_bytes"]))
    print(line, flush=True)


def print_hold(results):
    hold = [n for n in HOLD if n in results]
    if not hold:
        return
    print("%-15s %12s %14s %8s" % ("hold model", "Mevents/s", "base Mev/s", "speedup"))
    for n in hold:
        r = results[n]
        b = r["base_mevents_s"]
        print("%-15s %12s %14s %8s" % (n, fmt(r["mevents_s"], 1), fmt(b, 1) if b else "-",
                                       (fmt(r["mevents_s"] / b) + "x") if b else "-"))


if __name__ == "__main__":
    main()
