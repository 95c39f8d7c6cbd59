#!/bin/sh
# The hot-stream table: ReadProvisionedThroughputExceeded per shard per minute for 1..8
# subscribers on 1 and 4 shards (50 records/s per shard), from scenarios/hot-stream.yaml.
#   bench/hot_stream_table.sh [BUILDDIR]     (default build/)
set -eu
cd "$(dirname "$0")/.."
kinesim=${1:-build}/cli/kinesim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-12s %14s %14s %16s\n' subscribers "1 shard" "4 shards" "4 shards/1 shard"
for n in 1 2 3 4 5 6 7 8; do
	for s in 1 4; do
		"$kinesim" run scenarios/hot-stream.yaml -o "$tmp/x.h5" --format json \
			--set duration=60m --set "functions.feed.count=$n" \
			--set "streams.events.shards=$s" --set "producers.app.rate=$((50 * s))/s" \
			2>/dev/null >"$tmp/$s.json" || true
	done
	/usr/bin/python3 - "$n" "$tmp/1.json" "$tmp/4.json" <<'PY'
import json, sys
n, a, b = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
k = "events.read_throttled.per_shard_per_minute"
x, y = a["metrics"][k], b["metrics"][k]
print(f"{n:<12} {x:14.2f} {y:14.2f} {(y / x if x else float('nan')):16.2f}")
PY
done
