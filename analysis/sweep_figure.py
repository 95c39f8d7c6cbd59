#!/usr/bin/python3
"""A metric against a varied parameter, from a `kinesim sweep` file.

    /usr/bin/python3 analysis/sweep_figure.py SWEEP.h5 --metric METRIC [--x PATH]
                                              [-o OUTDIR] [--format pdf,png]

The x axis is one varied path (--x; default the first the sweep varied, its values read as
numbers); each combination of the other varied paths is one line; each point is the metric's
mean across replications with its 95% confidence interval as an error bar (none with one
replication). The figure is written as STEM_sweep_METRIC.EXT in OUTDIR (default: the file's
folder) and its path printed. Same input, same bytes (no dates, TrueType fonts, Agg). Errors
go to stderr with exit status 2.

The hot-stream lecture in one figure:

    build/cli/kinesim sweep scenarios/hot-stream.yaml --vary functions.feed.count=1..10 \\
        --vary streams.events.shards=1,8 --replications 5 -o out/subscribers.h5
    /usr/bin/python3 analysis/sweep_figure.py out/subscribers.h5 \\
        --metric events.read_throttled.per_shard_per_minute --x functions.feed.count
"""

import argparse
import os
import sys

os.environ.setdefault("SOURCE_DATE_EPOCH", "0")

import h5py  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figures  # noqa: E402  (the house style and saving)


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def load(path):
    """(vary paths, [(values, {metric: (mean, ci95, unit)})]) of a sweep file."""
    with h5py.File(path, "r") as f:
        if text(f.attrs.get("kind", "")) != "sweep":
            raise ValueError("%s is not a kinesim sweep file (no kind = sweep)" % path)
        paths = text(f.attrs["vary_paths"]).split("\n")
        points = []
        for name in sorted(f["points"]):
            g = f["points"][name]
            values = text(g.attrs["values"]).split("\n")
            if "summary" not in g:
                raise ValueError("%s: point %s has no summary (an interrupted sweep?)"
                                 % (path, name))
            rows = {text(r["name"]): (float(r["mean"]), float(r["ci95"]), text(r["unit"]))
                    for r in g["summary"][()]}
            points.append((values, rows))
    return paths, points


def number(s):
    try:
        return float(s)
    except ValueError:
        raise ValueError("--x values must be numbers (got '%s')" % s)


def figure(paths, points, metric, x):
    k = paths.index(x)
    others = [i for i in range(len(paths)) if i != k]
    lines = {}
    unit = ""
    for values, rows in points:
        if metric not in rows:
            raise ValueError("no metric '%s' in the sweep" % metric)
        mean, ci, unit = rows[metric]
        key = " ".join("%s=%s" % (paths[i], values[i]) for i in others)
        lines.setdefault(key, []).append((number(values[k]), mean, ci))
    figures.style()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for i, (key, pts) in enumerate(sorted(lines.items())):
        pts.sort()
        xs, ys, cis = (np.array(c) for c in zip(*pts))
        err = np.where(np.isnan(cis), 0.0, cis)
        ax.errorbar(xs, ys, yerr=err if err.any() else None, label=key or None, capsize=3,
                    marker="o", **figures.line_style(i))
    ax.set_xlabel(x)
    ax.set_ylabel("%s (%s)" % (metric, unit) if unit else metric)
    if any(lines):
        ax.legend(frameon=False)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
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
        paths, points = load(args.file)
        x = args.x or paths[0]
        if x not in paths:
            raise ValueError("--x %s is not a varied path (%s)" % (x, ", ".join(paths)))
        fig = figure(paths, points, args.metric, x)
        formats = [f for f in args.format.split(",") if f]
        outdir = args.outdir or os.path.dirname(os.path.abspath(args.file))
        stem = os.path.splitext(os.path.basename(args.file))[0]
        safe = args.metric.replace("/", "_")
        for out in figures.save(fig, outdir, stem, "sweep_" + safe, formats):
            print(out)
    except (OSError, ValueError, KeyError) as e:
        print("sweep_figure.py: %s" % e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
