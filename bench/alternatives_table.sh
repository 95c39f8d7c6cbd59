#!/bin/sh
# The hot-stream alternatives side by side (tip 3): six jobs on one stream of 2 shards at
# 100 records/s, five ways. Prints throttles, the latency of one job, and the cost.
#   bench/alternatives_table.sh [BUILDDIR]     (default build/)
set -eu
cd "$(dirname "$0")/.."
kinesim=${1:-build}/cli/kinesim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in scenarios/hot-stream-alternatives-*.yaml; do
	"$kinesim" run "$f" -o "$tmp/x.h5" --format json 2>/dev/null >"$tmp/$(basename "$f" .yaml).json" ||
		true
done
/usr/bin/python3 - "$tmp" <<'PY'
import glob, json, os, sys
rows = []
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    d = json.load(open(path))
    m = d["metrics"]
    name = d["scenario"].replace("hot-stream-alternatives-", "")
    thr = sum(v for k, v in m.items() if k.endswith(".read_throttled.per_shard_per_minute")
              and k.count(".") == 2)
    lat = {k: v for k, v in m.items() if k.endswith(".latency.p99") and not k.startswith("archive")}
    p99 = max(lat.values()) if lat else float("nan")
    worst = max(lat, key=lat.get).split(".")[0] if lat else "-"
    ok = all(e["ok"] for e in d["expect"])
    rows.append((name, thr, p99, worst, m["cost.total"], ok))
print(f"{'alternative':<24}{'throttles/shard/min':>20}{'worst p99 (s)':>15}  {'of':<12}"
      f"{'cost (USD, 28 min)':>20}  expect")
for name, thr, p99, worst, cost, ok in rows:
    print(f"{name:<24}{thr:>20.1f}{p99:>15.2f}  {worst:<12}{cost:>20.4f}  {'ok' if ok else 'FAILED'}")
PY
