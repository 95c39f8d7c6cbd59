#!/usr/bin/python3
"""The sensitivity of Lambda's polling propagation to each latency default.

One shard, 5 records a second for an hour, one function with batch_size 1 (each record is
invoked alone, as in the published measurement kinesim is compared with): the record's
latency (accepted by the shard -> its invocation done; the handler takes no time) at p50 and
p99, for the defaults and for each default changed alone. Prints a Markdown table
(docs/calibration.md keeps one, with what it means).

    bench/calibration.py [KINESIM]     (default build/cli/kinesim)
"""
import json
import os
import subprocess
import sys
import tempfile

SCENARIO = """kinesim: 1
name: calibration
duration: 1h
replications: 3
streams: {s: {shards: 1}}
producers: {p: {stream: s, rate: 5/s, record_size: 1KB}}
functions:
  f:
    cold_start: 0s
    duration: {per_invocation: 0s}
    triggers: [{kinesis: s, batch_size: 1}]
"""

# (what changes, --set assignments); each alone against the defaults
VARIANTS = [
    ("defaults", []),
    ("GetRecords latency median 70 -> 140 ms",
     ["platform.kinesis.getrecords_latency={dist: lognormal, median: 140ms, p99: 300ms}"]),
    ("GetRecords latency p99 300 ms -> 1 s",
     ["platform.kinesis.getrecords_latency={dist: lognormal, median: 70ms, p99: 1s}"]),
    ("invoke overhead p99 40 -> 200 ms",
     ["platform.lambda.invoke_overhead={dist: lognormal, median: 10ms, p99: 200ms}"]),
    ("poll jitter 10% -> 0", ["platform.lambda.poll_jitter=0"]),
    ("poll jitter 10% -> 50%", ["platform.lambda.poll_jitter=50%"]),
    ("poll interval 1 s -> 1.5 s", ["platform.lambda.poll_interval=1500ms"]),
    ("poll mode catch_up -> strict", ["platform.lambda.poll_mode=strict"]),
    ("put_to_readable 0 -> 200 ms", ["platform.kinesis.put_to_readable=200ms"]),
]


def run(kinesim, path, sets):
    args = [kinesim, "run", path, "--format", "json", "-o", os.devnull + ".h5"]
    with tempfile.TemporaryDirectory() as tmp:
        args[-1] = os.path.join(tmp, "out.h5")
        for s in sets:
            args += ["--set", s]
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    m = json.loads(out)["metrics"]
    return m["f.latency.p50"], m["f.latency.p99"]


def main():
    kinesim = sys.argv[1] if len(sys.argv) > 1 else "build/cli/kinesim"
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(SCENARIO)
        path = f.name
    try:
        base = None
        print("| change (alone) | p50 (s) | p99 (s) | p99 / defaults |")
        print("|---|---|---|---|")
        for name, sets in VARIANTS:
            p50, p99 = run(kinesim, path, sets)
            base = base or p99
            print("| %s | %.3f | %.3f | %.2f |" % (name, p50, p99, p99 / base))
    finally:
        os.unlink(path)


if __name__ == "__main__":
    main()
