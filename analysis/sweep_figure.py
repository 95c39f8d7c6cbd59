#!/usr/bin/python3
"""Any summary metric against a varied parameter, from a `kinesim sweep` file.

    /usr/bin/python3 analysis/sweep_figure.py SWEEP.h5 --metric METRIC [--x PATH]
                                              [-o OUTDIR] [--format pdf,png]

The x axis is one varied path (--x; default the first the sweep varied, its values read as
numbers); each combination of the other varied paths is one line; each point is the metric's
mean across replications with its 95% confidence interval as an error bar (none with one
replication). The figure is written as STEM_sweep_METRIC.EXT in OUTDIR (default: the file's
folder) and its path printed. Same input, same bytes (no dates, TrueType fonts, Agg). Errors
go to stderr with exit status 2. The standard sweep figures (throttles and p99 latency against
the varied parameter, cost against latency) are in figures.py.

The hot-stream lecture in one figure:

    build/cli/kinesim sweep scenarios/hot-stream.yaml --vary functions.feed.count=1..10 \\
        --vary streams.events.shards=1,8 --set replications=5 -o out/subscribers.h5
    /usr/bin/python3 analysis/sweep_figure.py out/subscribers.h5 \\
        --metric events.read_throttled.per_shard_per_minute --x functions.feed.count
"""

import argparse
import math
import os
import sys

os.environ.setdefault("SOURCE_DATE_EPOCH", "0")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figures  # noqa: E402  (the house style and saving)
import kinesim_h5  # noqa: E402


def figure(sweep, metric, x):
    if not any(metric in p.file.summary for p in sweep.points):
        raise ValueError("no metric '%s' in the sweep" % metric)
    lines = figures.sweep_lines(sweep, x, lambda kf: kf.metric(metric))
    unit = next(p.file.summary[metric][3] for p in sweep.points if metric in p.file.summary)
    figures.style()
    fig, ax = plt.subplots(figsize=(7.2, 4.0), layout="constrained")
    for i, (key, pts) in enumerate(sorted(lines.items())):
        pts.sort()
        xs, ys, cis = (np.array(c) for c in zip(*pts))
        err = np.where(np.isnan(cis), 0.0, cis)
        ax.errorbar(xs, ys, yerr=err if err.any() else None, label=key or None, capsize=3,
                    marker="o", ms=3.5, **figures.line_style(i))
    ax.set_xlabel(x)
    ax.set_ylabel("%s (%s)" % (metric, unit) if unit else metric)
    figures.legend_outside(ax)
    return fig


def main(argv=None):
    p = argparse.ArgumentParser(prog="sweep_figure.py", description=__doc__.split("\n")[0])
    p.add_argument("file")
    p.add_argument("--metric", required=True)
    p.add_argument("--x")
    p.add_argument("-o", "--outdir")
    p.add_argument("--format", default=",".join(figures.FORMATS))
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        sweep = kinesim_h5.load_sweep(args.file)
        x = figures.sweep_x(sweep, args)
        fig = figure(sweep, args.metric, x)
        formats = [f for f in args.format.split(",") if f]
        outdir = args.outdir or os.path.dirname(os.path.abspath(args.file))
        stem = os.path.splitext(os.path.basename(args.file))[0]
        safe = args.metric.replace("/", "_")
        for out in figures.save(fig, outdir, stem, "sweep_" + safe, formats):
            print(out)
    except (OSError, ValueError, KeyError, kinesim_h5.KinesimError) as e:
        print("sweep_figure.py: %s" % e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
