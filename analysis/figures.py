#!/usr/bin/python3
"""The standard figures 1-3 of docs/output.md for one kinesim output file.

    /usr/bin/python3 analysis/figures.py FILE.h5 [-o OUTDIR] [--format pdf,png] [--run r0000]

1. iterator age over time per function: the maximum over shards in each interval; with several
   replications, the mean across them with a min-max band;
2. ReadProvisionedThroughputExceeded per interval, time x shard, one panel per stream, one
   colour scale for all panels (one run: --run, default the first);
3. latency ECDF and, on log scales, its complementary tail, one line per function, from the
   histogram buckets merged across replications (records at their bucket's midpoint).

Files are named STEM_iterator_age.EXT, STEM_read_throttled.EXT and STEM_latency.EXT in OUTDIR
(default: FILE's folder); their paths are printed, one a line. Same input, same bytes: no dates
or software versions in the files, TrueType fonts, the Agg backend. Errors go to stderr with
exit status 2.
"""

import argparse
import os
import sys

# Before matplotlib is imported: anything that still stamps a date uses the epoch.
os.environ.setdefault("SOURCE_DATE_EPOCH", "0")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from cycler import cycler  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kinesim_h5  # noqa: E402

# Okabe & Ito's colour-blind-safe palette, yellow last (weak on white); line styles change
# with each colour round so lines stay apart in grey print too.
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
             "#F0E442"]
LINESTYLES = ["-", "--", "-.", ":"]
HEATMAP = "viridis"  # perceptually uniform, readable with every common colour deficiency
FORMATS = ("pdf", "png")
# No creation dates, producer or software strings: they would make the bytes vary.
METADATA = {
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
    "png": {"Software": None},
}


def line_style(i):
    """Function i (in name order) has the same colour and dash in every figure."""
    return {"color": OKABE_ITO[i % len(OKABE_ITO)],
            "linestyle": LINESTYLES[(i // len(OKABE_ITO)) % len(LINESTYLES)]}


def style():
    plt.rcParams.update({
        "pdf.fonttype": 42,  # TrueType, editable and searchable, not Type 3
        "ps.fonttype": 42,
        "svg.hashsalt": "kinesim",
        "font.size": 9,
        "axes.prop_cycle": cycler(color=OKABE_ITO),
        "axes.grid": True,
        "grid.alpha": 0.3,
        "savefig.dpi": 150,
    })


def time_axis(seconds):
    """Minutes for long runs, seconds for short ones: (scaled values, axis label)."""
    if len(seconds) and seconds[-1] >= 600:
        return seconds / 60.0, "simulated time (min)"
    return seconds, "simulated time (s)"


def with_start(time, values):
    """Series hold each interval's end; prepend the run's start so step plots cover it."""
    return np.concatenate([[0.0], time]), np.concatenate([values[:1], values])


def shade_warmup(ax, run, scale):
    warmup = float(run.attrs.get("warmup_s", 0) or 0)
    if warmup > 0:
        ax.axvspan(0, warmup * scale, color="0.92", lw=0, zorder=0, label="warm-up")


def no_data(ax, text):
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def iterator_age_figure(kf):
    fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
    first = kf.runs[0]
    t, xlabel = time_axis(first.time)
    scale = t[-1] / first.time[-1] if len(t) and first.time[-1] else 1.0
    shade_warmup(ax, first, scale)
    drawn = 0
    for i, name in enumerate(kf.function_names()):
        # One row per replication: the maximum over shards of each interval, in seconds.
        rows = [r.functions[name].series["iterator_age_max_ms"] for r in kf.runs
                if name in r.functions and "iterator_age_max_ms" in r.functions[name].series]
        if not rows:
            continue
        length = min(len(row) for row in rows)
        ages = np.array([(row.max(axis=1) if row.ndim == 2 else row)[:length]
                         for row in rows]) / 1000.0
        x, mean = with_start(t[:length], ages.mean(axis=0))
        ax.step(x, mean, where="pre", label=name, **line_style(i))
        if len(rows) > 1:
            _, lo = with_start(t[:length], ages.min(axis=0))
            _, hi = with_start(t[:length], ages.max(axis=0))
            ax.fill_between(x, lo, hi, step="pre", color=line_style(i)["color"], alpha=0.2,
                            lw=0)
        drawn += 1
    if not drawn:
        no_data(ax, "no function reports iterator_age_max_ms")
    else:
        ax.set_xlim(0, t[-1] if len(t) else 1)
        ax.set_ylim(bottom=0)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("iterator age, max over shards (s)")
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    n = len(kf.runs)
    band = f"; mean of {n} replications, band min-max" if n > 1 else ""
    ax.set_title(f"{kf.attrs.get('scenario_name', '')}: iterator age per interval{band}",
                 fontsize=9)
    return fig


def shard_label(shard_id):
    """shardId-000000000007 -> 7; other labels as they are."""
    prefix = "shardId-"
    if shard_id.startswith(prefix) and shard_id[len(prefix):].isdigit():
        return str(int(shard_id[len(prefix):]))
    return shard_id


def read_throttled_figure(kf, run):
    streams = [s for s in run.streams.values() if "read_throttled" in s.series]
    panels = max(len(streams), 1)
    fig, axes = plt.subplots(panels, 1, figsize=(6.4, 1.0 + 1.6 * panels), squeeze=False,
                             layout="constrained")
    if not streams:
        no_data(axes[0][0], "no stream reports read_throttled")
        return fig
    vmax = max(float(s.series["read_throttled"].max(initial=0)) for s in streams)
    t, xlabel = time_axis(run.time)
    edges_t = np.concatenate([[0.0], t])
    mesh = None
    for ax, stream in zip(axes[:, 0], streams):
        data = stream.series["read_throttled"]
        edges_s = np.arange(data.shape[1] + 1) - 0.5
        ax.grid(False)
        # One scale for every panel, so equal colours mean equal counts across streams.
        mesh = ax.pcolormesh(edges_t, edges_s, data.T, cmap=HEATMAP, vmin=0,
                             vmax=vmax if vmax > 0 else 1, shading="flat")
        step = max(1, int(np.ceil(data.shape[1] / 16)))
        ticks = list(range(0, data.shape[1], step))
        ax.set_yticks(ticks, [shard_label(stream.shards[i]) if i < len(stream.shards)
                              else str(i) for i in ticks])
        ax.set_ylabel(f"{stream.name}\nshard")
    axes[-1][0].set_xlabel(xlabel)
    fig.colorbar(mesh, ax=axes[:, 0].tolist(),
                 label="ReadProvisionedThroughputExceeded\nper interval")
    fig.suptitle(f"{kf.attrs.get('scenario_name', '')}: read throttles ({run.name})",
                 fontsize=9)
    return fig


def latency_figure(kf):
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.2, 3.2), layout="constrained")
    drawn = 0
    for i, name in enumerate(kf.function_names()):
        hists = [r.functions[name].latency for r in kf.runs
                 if name in r.functions and r.functions[name].latency is not None]
        if not hists:
            continue
        hist = hists[0]
        for h in hists[1:]:
            hist = hist.merged(h)
        x_ns, frac = hist.ecdf()
        if len(x_ns) == 0:
            continue
        drawn += 1
        x = x_ns / 1e9
        left.step(x, frac, where="post", label=f"{name} (n={hist.total()})", **line_style(i))
        tail = 1.0 - frac
        keep = tail > 0  # the last point has nothing above it and no place on a log axis
        right.step(x[keep], tail[keep], where="post", **line_style(i))
    if not drawn:
        no_data(left, "no records in any latency histogram")
        no_data(right, "")
        return fig
    left.set_xscale("log")
    left.set_ylim(0, 1.0)
    left.set_xlabel("latency (s)")
    left.set_ylabel("fraction of records ≤ latency")
    left.set_title("ECDF", fontsize=9)
    left.legend(loc="lower right", fontsize=8, frameon=False)
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("latency (s)")
    right.set_ylabel("fraction of records > latency")
    right.set_title("tail (CCDF)", fontsize=9)
    n = len(kf.runs)
    fig.suptitle(f"{kf.attrs.get('scenario_name', '')}: end-to-end latency"
                 + (f" ({n} replications merged)" if n > 1 else ""), fontsize=9)
    return fig


def save(fig, outdir, stem, what, formats):
    paths = []
    for fmt in formats:
        path = os.path.join(outdir, f"{stem}_{what}.{fmt}")
        fig.savefig(path, format=fmt, metadata=METADATA[fmt])
        paths.append(path)
    plt.close(fig)
    return paths


def parse_args(argv):
    p = argparse.ArgumentParser(prog="figures.py", description=__doc__.split("\n")[0])
    p.add_argument("file", help="a kinesim output file (.h5)")
    p.add_argument("-o", "--outdir", help="folder for the figures (default: FILE's folder)")
    p.add_argument("--format", default="pdf,png",
                   help="comma-separated list of pdf, png (default: pdf,png)")
    p.add_argument("--run", help="run for the heatmap (default: the first, r0000)")
    args = p.parse_args(argv)
    args.formats = [f.strip() for f in args.format.split(",") if f.strip()]
    bad = [f for f in args.formats if f not in FORMATS]
    if bad or not args.formats:
        p.error(f"--format: unknown format {', '.join(bad) or '(none)'}; use pdf and/or png")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        kf = kinesim_h5.load(args.file)
    except kinesim_h5.KinesimError as e:
        print(f"figures.py: error: {e}", file=sys.stderr)
        return 2
    runs = {r.name: r for r in kf.runs}
    if args.run is not None and args.run not in runs:
        print(f"figures.py: error: {args.file}: no run {args.run!r} (have "
              f"{', '.join(runs)})", file=sys.stderr)
        return 2
    outdir = args.outdir or os.path.dirname(os.path.abspath(args.file))
    try:
        os.makedirs(outdir, exist_ok=True)
    except OSError as e:
        print(f"figures.py: error: {outdir}: {e.strerror}", file=sys.stderr)
        return 2
    stem = os.path.splitext(os.path.basename(args.file))[0]
    style()
    paths = []
    paths += save(iterator_age_figure(kf), outdir, stem, "iterator_age", args.formats)
    paths += save(read_throttled_figure(kf, runs[args.run] if args.run else kf.runs[0]),
                  outdir, stem, "read_throttled", args.formats)
    paths += save(latency_figure(kf), outdir, stem, "latency", args.formats)
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
