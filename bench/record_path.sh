#!/bin/sh
# The record-path benchmark (Kinesis issue): 64 shards x 500 records/s of 500 B for one
# simulated hour, 5 Lambda subscribers (bench/big-stream.yaml). The baseline of the same run is
# the same stream with its producer alone (no reader), so the ratio says what reading,
# batching and invoking add to producing.
#   bench/record_path.sh [BUILDDIR]     (default build-rel, a release build)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build-rel}
[ -d "$build" ] || meson setup "$build" --buildtype=release >/dev/null
ninja -C "$build" cli/kinesim >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
measure() { # NAME ARGS...: prints wall seconds and peak KB
	name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$tmp/$name.time" "$build/cli/kinesim" run bench/big-stream.yaml \
		-o "$tmp/$name.h5" --format json "$@" >"$tmp/$name.json" 2>/dev/null
	cat "$tmp/$name.time"
}
set -- $(measure producer --set 'functions={}')
base_s=$1 base_kb=$2
set -- $(measure full)
full_s=$1 full_kb=$2
/usr/bin/python3 - "$tmp/full.json" "$base_s" "$base_kb" "$full_s" "$full_kb" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
base_s, base_kb, full_s, full_kb = map(float, sys.argv[2:])
n = m["events.incoming_records"]
print(f"records: {n:.0f} in 1 simulated hour, 64 shards")
print(f"producer only (baseline): {base_s:.2f} s wall, {base_kb / 1024:.0f} MB peak, "
      f"{base_s / n * 1e9:.1f} ns/record")
print(f"5 subscribers:            {full_s:.2f} s wall, {full_kb / 1024:.0f} MB peak, "
      f"{full_s / n * 1e9:.1f} ns/record, {n / full_s / 1e6:.1f} M records/s")
print(f"ratio to baseline: {full_s / base_s:.2f} x wall time; "
      f"{(full_s - base_s) / n / 5 * 1e9:.1f} ns per record per subscriber")
PY
