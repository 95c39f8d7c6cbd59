#!/bin/sh
# Regenerates the README's figures (docs/figures/*.png) from the scenario library:
#   1. read throttles and p99 latency against the number of Lambda subscribers of one stream,
#      for 1 and 8 shards (a sweep of scenarios/hot-stream.yaml);
#   2. the five hot-stream alternatives' latency distributions, overlaid;
#   3. the same alternatives' p99 latency and cost side by side.
# Usage: analysis/readme_figures.sh [KINESIM]   (default build/cli/kinesim; from the source
# root). Same kinesim, same figures: the runs and the figures are byte-reproducible.
set -eu

kinesim=${1:-build/cli/kinesim}
out=docs/figures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

[ -x "$kinesim" ] || { echo "readme_figures.sh: no kinesim at '$kinesim' (build first)" >&2; exit 2; }
mkdir -p "$out"
# kinesim's descriptions and progress go to a log, shown when a run fails.
run() { "$kinesim" "$@" --format csv >/dev/null 2>>"$work/kinesim.log" || { cat "$work/kinesim.log" >&2; exit 1; }; }

run sweep scenarios/hot-stream.yaml --vary functions.feed.count=1..10 \
	--vary streams.events.shards=1,8 --set replications=5 -o "$work/hot-stream-sweep.h5"
for a in direct efo fanout firehose stream-per-subscriber; do
	run run "scenarios/hot-stream-alternatives-$a.yaml" --set replications=3 -o "$work/$a.h5"
done

/usr/bin/python3 analysis/figures.py "$work/hot-stream-sweep.h5" -o "$out" --format png \
	--only sweep_throttles --stem hot-stream
/usr/bin/python3 analysis/figures.py "$work/direct.h5" "$work/efo.h5" "$work/fanout.h5" \
	"$work/firehose.h5" "$work/stream-per-subscriber.h5" -o "$out" --format png \
	--only latency_cdf,topology --stem hot-stream-alternatives
