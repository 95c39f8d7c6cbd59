#!/bin/sh
# Runs the benchmarks from a release build (the numbers of a debug build mean little).
# Usage: bench/bench.sh [BUILD_DIR] [SCALE]   (SCALE multiplies the event counts, e.g. 0.1)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build-rel}
[ -d "$build" ] || meson setup "$build" --buildtype=release
ninja -C "$build" bench/bench_queue
"$build/bench/bench_queue" "${2:-1}"
