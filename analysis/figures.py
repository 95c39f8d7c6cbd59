#!/usr/bin/python3
"""Figures from kinesim output files: one file, several (overlaid or compared), or a sweep.

    /usr/bin/python3 analysis/figures.py FILE.h5 [FILE.h5 ...] [-o OUTDIR] [--only NAME[,NAME]]
                                         [--format pdf,png] [--run r0000] [--stem STEM]
    /usr/bin/python3 analysis/figures.py --list

Every figure of the registry (--list prints it) that the files have data for is drawn; --only
keeps the named ones (an error when one has nothing to draw). With several files, the lines of
each are overlaid, labelled by scenario, and the bar figures put the files side by side (the
topology comparison). A sweep file (`kinesim sweep`) gives the sweep figures instead.

Files are named STEM_NAME.EXT in OUTDIR (default: the first file's folder; STEM: the first
file's name without .h5, or "comparison" with several); their paths are printed, one a line.
Same input, same bytes: no dates or software versions in the files, fixed TrueType fonts, the
Agg backend, a fixed SVG hash salt. Errors go to stderr with exit status 2.
"""

import argparse
import math
import os
import sys
from dataclasses import dataclass
from typing import Callable

# Before matplotlib is imported: anything that still stamps a date uses the epoch.
os.environ.setdefault("SOURCE_DATE_EPOCH", "0")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from cycler import cycler  # noqa: E402
from matplotlib import colors as mcolors  # noqa: E402
from matplotlib import ticker  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kinesim_h5  # noqa: E402

# Okabe & Ito's colour-blind-safe palette, yellow last (weak on white); line styles change
# with each colour round so lines stay apart in grey print too.
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
             "#F0E442"]
LINESTYLES = ["-", "--", "-.", ":"]
HEATMAP = "viridis"  # perceptually uniform, readable with every common colour deficiency
CLOSED = "0.85"  # a shard that is not open: light grey, hatched
FORMATS = ("pdf", "png")
# No creation dates, producer or software strings: they would make the bytes vary.
METADATA = {
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
    "png": {"Software": None},
}
# The cost lines of the summary, in the order of the stacked bars.
COST_LINES = ("kinesis", "lambda", "sqs", "sns", "eventbridge", "firehose", "s3")


class NothingToDraw(Exception):
    """The files hold nothing this figure shows (no queue, no consumer...)."""


def line_style(i):
    """Line i has the same colour and dash in every figure."""
    return {"color": OKABE_ITO[i % len(OKABE_ITO)],
            "linestyle": LINESTYLES[(i // len(OKABE_ITO)) % len(LINESTYLES)]}


def style():
    plt.rcParams.update({
        "pdf.fonttype": 42,  # TrueType, editable and searchable, not Type 3
        "ps.fonttype": 42,
        "svg.hashsalt": "kinesim",
        "font.family": "DejaVu Sans",  # shipped with matplotlib: the same glyphs everywhere
        "font.size": 9,
        "axes.prop_cycle": cycler(color=OKABE_ITO),
        "axes.grid": True,
        "grid.alpha": 0.3,
        "savefig.dpi": 150,
    })


# ---------------------------------------------------------------------------------------------
# Axes


def time_axis(seconds):
    """(factor, label): minutes for long runs, hours for very long ones, else seconds."""
    end = float(seconds[-1]) if len(seconds) else 0.0
    if end >= 6 * 3600:
        return 1 / 3600.0, "simulated time (h)"
    if end >= 600:
        return 1 / 60.0, "simulated time (min)"
    return 1.0, "simulated time (s)"


def duration_label(seconds, _pos=None):
    """1e-3 -> '1 ms': short labels for a log axis of seconds."""
    if seconds <= 0:
        return "0"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if seconds >= scale * 0.999:
            v = seconds / scale
            return f"{v:.3g} {unit}"
    return f"{seconds:.1g} s"


def log_axis(ax, which, seconds=False):
    """A log axis whose labels never collide: major ticks at 1, 10, 100 (1, 2, 5 when the data
    span under two decades), no minor labels, durations as '10 ms' on a time axis."""
    axis = ax.xaxis if which == "x" else ax.yaxis
    lo, hi = (ax.get_xlim() if which == "x" else ax.get_ylim())
    span = math.log10(hi / lo) if lo > 0 and hi > lo else 3
    subs = (1.0, 2.0, 5.0) if span < 2 else (1.0,)
    axis.set_major_locator(ticker.LogLocator(base=10, subs=subs, numticks=8))
    axis.set_minor_locator(ticker.LogLocator(base=10, subs=np.arange(2, 10) * 1.0,
                                             numticks=12))
    axis.set_minor_formatter(ticker.NullFormatter())
    if seconds:
        axis.set_major_formatter(ticker.FuncFormatter(duration_label))
    elif span >= 2:
        axis.set_major_formatter(ticker.LogFormatterSciNotation())


def legend_outside(ax, handles=None, labels=None, title=None):
    """The legend right of the axes, never over the data."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                  borderaxespad=0.0, fontsize=8, frameon=False, title=title,
                  title_fontsize=8)


def with_start(time, values):
    """Series hold each interval's end; prepend the run's start so step plots cover it."""
    return np.concatenate([[0.0], time]), np.concatenate([values[:1], values])


def shade_warmup(ax, run, factor):
    warmup = float(run.attrs.get("warmup_s", 0) or 0)
    if warmup > 0:
        ax.axvspan(0, warmup * factor, color="0.92", lw=0, zorder=0)


def interval_text(run):
    """'60 s': the metrics interval, for axis and colour-bar labels."""
    return f"{run.interval_s():g} s"


def scenario_title(files, what):
    """'hot-stream: WHAT'; with several files, their scenarios' common prefix and their
    number."""
    if len(files) == 1:
        return f"{files[0].label}: {what}"
    names = [str(kf.attrs.get("scenario_name", "")) for kf in files]
    prefix = os.path.commonprefix(names).rstrip("-_ ")
    return f"{prefix + ' ' if prefix else ''}({len(files)} files): {what}"


def entity_label(files, kf, name, kind=None):
    """'feed-1' with one file, 'hot-stream: feed-1' with several; ' (EFO)' after a reader
    that uses enhanced fan-out (its `efo` attribute)."""
    efo = kind is not None and any(
        r.kind(kind).get(name) is not None and r.kind(kind)[name].attrs.get("efo") == 1
        for r in kf.runs[:1])
    label = f"{name} (EFO)" if efo else name
    return label if len(files) == 1 else f"{kf.label}: {label}"


def file_labels(files):
    """Scenario names without their common prefix (hot-stream-alternatives-efo -> efo), made
    unique with the file names when two files share one."""
    labels = [kf.label for kf in files]
    if len(files) > 1:
        prefix = os.path.commonprefix(labels)
        prefix = prefix[:prefix.rfind("-") + 1] if "-" in prefix else ""
        if prefix and all(len(label) > len(prefix) for label in labels):
            labels = [label[len(prefix):] for label in labels]
    if len(set(labels)) < len(labels):
        labels = [f"{label} ({os.path.basename(kf.path)})" for label, kf in zip(labels, files)]
    for label, kf in zip(labels, files):
        kf.label = label


# ---------------------------------------------------------------------------------------------
# Time-series figures


def replicated(kf, kind, name, metric, reduce_columns):
    """[replications x T] of one entity's series (columns reduced: max or sum), cut to the
    shortest run; None when no run has it."""
    rows = []
    for r in kf.runs:
        e = r.kind(kind).get(name)
        if e is None or metric not in e.series:
            continue
        v = np.asarray(e.series[metric], dtype=np.float64)
        if v.ndim == 2:
            v = reduce_columns(v, axis=1) if v.shape[1] else np.zeros(len(v))
        rows.append(v)
    if not rows:
        return None
    n = min(len(v) for v in rows)
    return np.array([v[:n] for v in rows])


def draw_series(ax, files, kind, metric, scale=1.0, reduce_columns=np.max, start=0,
                names=None):
    """One step line per (file, entity) of `kind` with `metric`: the mean across replications,
    a min-max band with several. Returns the next style index."""
    i = start
    for kf in files:
        t = kf.runs[0].time
        factor, _ = time_axis(t)
        for name in (names or kf.names(kind)):
            values = replicated(kf, kind, name, metric, reduce_columns)
            if values is None:
                continue
            values = values * scale
            n = values.shape[1]
            x, mean = with_start(t[:n] * factor, values.mean(axis=0))
            ax.step(x, mean, where="pre", label=entity_label(files, kf, name, kind),
                    **line_style(i))
            if len(values) > 1:
                _, lo = with_start(t[:n], values.min(axis=0))
                _, hi = with_start(t[:n], values.max(axis=0))
                ax.fill_between(x, lo, hi, step="pre", color=line_style(i)["color"],
                                alpha=0.2, lw=0)
            i += 1
    return i


def time_figure(files, panels, title, height=2.2):
    """Panels over time: [(kind(s), metric, ylabel, scale, reduce)], one axes each, sharing the
    time axis; raises NothingToDraw when no panel has a line."""
    fig, axes = plt.subplots(len(panels), 1, figsize=(7.2, 0.9 + height * len(panels)),
                             sharex=True, squeeze=False, layout="constrained")
    first = files[0].runs[0]
    factor, xlabel = time_axis(first.time)
    drawn = 0
    for ax, (kinds, metric, ylabel, scale, reduce) in zip(axes[:, 0], panels):
        shade_warmup(ax, first, factor)
        i = 0
        for kind in (kinds if isinstance(kinds, tuple) else (kinds,)):
            i = draw_series(ax, files, kind, metric, scale, reduce, start=i)
        drawn += i
        ax.set_ylabel(ylabel)
        top = max((np.nanmax(line.get_ydata(), initial=0) for line in ax.get_lines()),
                  default=0)
        if i and top == 0:  # lines on the axis would vanish: lift them, and say so
            ax.set_ylim(-0.05, 1)
            ax.text(0.5, 0.5, "0 in every interval", ha="center", va="center",
                    transform=ax.transAxes, color="0.3")
        else:  # a little room below 0: a line of zeros stays visible above the axis
            ax.set_ylim(-0.02 * top, top * 1.05)
        legend_outside(ax)
    if not drawn:
        plt.close(fig)
        raise NothingToDraw
    ends = [kf.runs[0].time[-1] * factor for kf in files if len(kf.runs[0].time)]
    axes[-1][0].set_xlim(0, max(ends) if ends else 1)
    axes[-1][0].set_xlabel(xlabel + "; grey: warm-up")
    n = len(files[0].runs)
    band = f"; mean of {n} replications, band min-max" if n > 1 and len(files) == 1 else ""
    fig.suptitle(scenario_title(files, title + band), fontsize=9)
    return fig


# ---------------------------------------------------------------------------------------------
# The registry


@dataclass
class Figure:
    name: str
    description: str
    draw: Callable  # (files or sweep, args) -> matplotlib Figure; raises NothingToDraw
    sweep: bool = False  # drawn from a sweep file


REGISTRY: dict[str, Figure] = {}


def figure(name, description, sweep=False):
    def register(fn):
        REGISTRY[name] = Figure(name, description, fn, sweep)
        return fn
    return register


def oldest_reader(kf, kinds, metric):
    """[replications x T]: the largest value of `metric` over every entity of `kinds` (and
    their columns) in each interval; None when none has it."""
    per_entity = [replicated(kf, kind, name, metric, np.max)
                  for kind in kinds for name in kf.names(kind)]
    per_entity = [v for v in per_entity if v is not None]
    if not per_entity:
        return None
    reps = min(len(v) for v in per_entity)
    n = min(v.shape[1] for v in per_entity)
    return np.max([v[:reps, :n] for v in per_entity], axis=0)


@figure("iterator_age", "iterator age over time per function and KCL consumer (max over shards)")
def iterator_age_figure(files, args=None):
    interval = interval_text(files[0].runs[0])
    if len(files) == 1:
        return time_figure(files, [(("functions", "consumers"), "iterator_age_max_ms",
                                    "iterator age,\nmax over shards (s)", 1e-3, np.max)],
                           f"iterator age per {interval} interval", height=2.8)
    # Several files: one line each, its oldest reader in each interval.
    fig, ax = plt.subplots(figsize=(7.2, 3.7), layout="constrained")
    factor, xlabel = time_axis(files[0].runs[0].time)
    shade_warmup(ax, files[0].runs[0], factor)
    drawn = 0
    for i, kf in enumerate(files):
        values = oldest_reader(kf, ("functions", "consumers"), "iterator_age_max_ms")
        if values is None:
            continue
        values = values / 1e3
        t = kf.runs[0].time[:values.shape[1]] * factor
        x, mean = with_start(t, values.mean(axis=0))
        ax.step(x, mean, where="pre", label=kf.label, **line_style(i))
        if len(values) > 1:
            _, lo = with_start(t, values.min(axis=0))
            _, hi = with_start(t, values.max(axis=0))
            ax.fill_between(x, lo, hi, step="pre", color=line_style(i)["color"], alpha=0.2,
                            lw=0)
        drawn += 1
    if not drawn:
        plt.close(fig)
        raise NothingToDraw
    ax.set_xlim(0, max(kf.runs[0].time[-1] for kf in files) * factor)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(xlabel + "; grey: warm-up")
    ax.set_ylabel("iterator age of the oldest\nreader, max over shards (s)")
    legend_outside(ax)
    fig.suptitle(scenario_title(files, f"iterator age per {interval} interval (mean of "
                                "replications, band min-max)"), fontsize=9)
    return fig


def shard_open(stream, time):
    """[T x shards] bool: the shard took writes during (part of) the interval. From the
    stream's shard_lifetimes (format 2); without it every shard counts as open."""
    width = len(stream.columns)
    opened = np.ones((len(time), width), dtype=bool)
    table = stream.events.get("shard_lifetimes")
    if table is None or width == 0:
        return opened
    start = np.concatenate([[0.0], time[:-1]])
    for row in table:
        k = int(row["shard"])
        if 0 <= k < width:
            opened[:, k] = (start < float(row["close_s"])) & (time > float(row["open_s"]))
    return opened


def heatmap_figure(files, run_of, metric, what):
    """Time x shard heatmaps of a per-shard stream series, one panel per (file, stream), one
    colour scale; shards that are not open are hatched grey, not drawn as zeros."""
    panels = [(kf, run_of(kf), s) for kf in files for s in run_of(kf).streams.values()
              if metric in s.series and s.series[metric].ndim == 2 and s.columns]
    if not panels:
        raise NothingToDraw
    vmax = max(float(np.max(s.series[metric], initial=0)) for _, _, s in panels)
    # One time axis when every run has the same length: labelled once, at the bottom.
    same = len({float(r.time[-1]) for _, r, _ in panels if len(r.time)}) <= 1
    height = 1.7 if len(panels) <= 3 else 1.05
    fig, axes = plt.subplots(len(panels), 1, figsize=(7.2, 1.2 + height * len(panels)),
                             squeeze=False, sharex=same, layout="constrained")
    cmap = plt.get_cmap(HEATMAP).copy()
    norm = mcolors.Normalize(vmin=0, vmax=vmax if vmax > 0 else 1)
    mesh = None
    any_closed = False
    for ax, (kf, run, stream) in zip(axes[:, 0], panels):
        data = np.asarray(stream.series[metric], dtype=np.float64)
        factor, xlabel = time_axis(run.time)
        edges_t = np.concatenate([[0.0], run.time]) * factor
        edges_s = np.arange(data.shape[1] + 1) - 0.5
        opened = shard_open(stream, run.time)
        ax.grid(False)
        ax.set_facecolor(CLOSED)
        if not opened.all():
            any_closed = True
            closed = np.ma.masked_where(opened, np.ones_like(data))
            ax.pcolor(edges_t, edges_s, closed.T, hatch="///", cmap=mcolors.ListedColormap(
                [CLOSED]), edgecolor="0.55", lw=0, shading="flat")
        # One scale for every panel, so equal colours mean equal counts across streams.
        mesh = ax.pcolormesh(edges_t, edges_s, np.ma.masked_where(~opened, data).T,
                             cmap=cmap, norm=norm, shading="flat")
        step = max(1, int(np.ceil(data.shape[1] / 12)))
        ticks = list(range(0, data.shape[1], step))
        ax.set_yticks(ticks, [shard_label(stream.columns[k]) for k in ticks])
        name = stream.name if len(files) == 1 else f"{kf.label}\n{stream.name}"
        ax.set_ylabel(f"{name}\nshard")
        if not same or ax is axes[-1][0]:
            ax.set_xlabel(xlabel)
    first = panels[0][1]
    fig.colorbar(mesh, ax=axes[:, 0].tolist(), label=f"{what}\nper {interval_text(first)} "
                 "interval")
    if any_closed:
        axes[0][0].legend(handles=[Patch(facecolor=CLOSED, edgecolor="0.55", hatch="///",
                                         label="shard not open")],
                          loc="lower left", bbox_to_anchor=(0.0, 1.02), fontsize=8,
                          frameon=False, borderaxespad=0.0)
    runs = {r.name for _, r, _ in panels}
    fig.suptitle(scenario_title(files, f"{what} ({', '.join(sorted(runs))})"), fontsize=9)
    return fig


def shard_label(shard_id):
    """shardId-000000000007 -> 7; other labels as they are."""
    prefix = "shardId-"
    if shard_id.startswith(prefix) and shard_id[len(prefix):].isdigit():
        return str(int(shard_id[len(prefix):]))
    return shard_id


def chosen_run(args):
    def run_of(kf):
        if args is not None and getattr(args, "run", None):
            for r in kf.runs:
                if r.name == args.run:
                    return r
        return kf.runs[0]
    return run_of


@figure("read_throttled", "ReadProvisionedThroughputExceeded heatmap, time x shard")
def read_throttled_figure(files, args=None):
    return heatmap_figure(files, chosen_run(args), "read_throttled", "read throttles")


@figure("write_throttled", "write throttles (WriteProvisionedThroughputExceeded) heatmap")
def write_throttled_figure(files, args=None):
    return heatmap_figure(files, chosen_run(args), "write_throttled", "write throttles")


def merged_histogram(kf, kind, name, which="latency"):
    hists = [r.kind(kind)[name].histograms[which] for r in kf.runs
             if name in r.kind(kind) and which in r.kind(kind)[name].histograms]
    if not hists:
        return None
    hist = hists[0]
    for h in hists[1:]:
        hist = hist.merged(h)
    return hist


@figure("latency_cdf", "end-to-end latency ECDF and tail, per function, consumer and firehose")
def latency_figure(files, args=None):
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.4), layout="constrained")
    # One line per reader with one file; with several, one per file: its readers' records
    # together (the histograms have the same buckets and add up).
    lines = []
    for kf in files:
        hists = [(entity_label(files, kf, name, kind), merged_histogram(kf, kind, name))
                 for kind in ("functions", "consumers", "firehoses") for name in kf.names(kind)]
        hists = [(n, h) for n, h in hists if h is not None and h.total() > 0]
        if len(files) == 1:
            lines += hists
        elif hists:
            total = hists[0][1]
            for _, h in hists[1:]:
                total = total.merged(h)
            lines.append((kf.label + (" (all readers)" if len(hists) > 1 else ""), total))
    i = 0
    lo, hi = math.inf, 0.0
    for label, hist in lines:
        x_ns, frac = hist.ecdf()
        x = x_ns / 1e9
        lo, hi = min(lo, x[0]), max(hi, x[-1])
        left.step(x, frac, where="post", label=f"{label} (n={hist.total()})", **line_style(i))
        tail = 1.0 - frac
        keep = tail > 0  # the last point has nothing above it: no place on a log axis
        right.step(x[keep], tail[keep], where="post", **line_style(i))
        i += 1
    if not i:
        plt.close(fig)
        raise NothingToDraw
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xlim(lo / 1.5, hi * 1.5)
        log_axis(ax, "x", seconds=True)
        ax.set_xlabel("latency")
    left.set_ylim(0, 1.0)
    left.set_ylabel("fraction of records ≤ latency")
    left.set_title("ECDF", fontsize=9)
    right.set_yscale("log")
    log_axis(right, "y")
    right.set_ylabel("fraction of records > latency")
    right.set_title("tail (1 − ECDF)", fontsize=9)
    legend_outside(right, *left.get_legend_handles_labels())
    n = len(files[0].runs)
    fig.suptitle(scenario_title(files, "end-to-end latency"
                                + (f" ({n} replications merged)" if n > 1 else "")),
                 fontsize=9)
    return fig


@figure("concurrency", "Lambda concurrency and throttles over time, per function")
def concurrency_figure(files, args=None):
    return time_figure(files, [
        ("functions", "concurrent_max", "concurrent executions\n(max per interval)", 1.0,
         np.max),
        ("functions", "throttles", "throttled invocations\nper interval", 1.0, np.sum),
    ], "Lambda concurrency and throttles")


@figure("queues", "queue depth (DLQs too), age of the oldest message and alarms over time")
def queues_figure(files, args=None):
    fig = time_figure(files, [
        ("queues", "visible_max", "visible messages\n(max per interval)", 1.0, np.max),
        ("queues", "oldest_age_max_s", "oldest message\nage (s)", 1.0, np.max),
        ("queues", "alarm_state", "alarm state\n(mean of replications)", 1.0, np.max),
    ], "queue depth and alarms")
    # The alarm panel: OK / ALARM, each transition to ALARM (alarm_events) marked.
    ax = fig.axes[2]
    ax.set_ylim(-0.15, 1.3)
    ax.set_yticks([0, 1], ["OK", "ALARM"])
    i = 0
    for kf in files:
        run = kf.runs[0]
        factor, _ = time_axis(run.time)
        for name in kf.names("queues"):
            q = run.queues.get(name)
            events = q.events.get("alarm_events") if q is not None else None
            if events is not None and len(events):
                fired = events[events["state"] == 1]["time_s"] * factor
                ax.plot(fired, np.full(len(fired), 1.15), "v", ms=5, ls="none",
                        color=line_style(i)["color"],
                        label=f"{entity_label(files, kf, name)} went to ALARM ({kf.runs[0].name})")
            i += 1
    legend_outside(ax)
    return fig


@figure("messages", "messages per interval: topics and buses published/delivered, queues sent")
def messages_figure(files, args=None):
    panels = [
        (("topics", "buses"), "published", "published\nper interval", 1.0, np.sum),
        (("topics", "buses"), "delivered", "delivered\nper interval", 1.0, np.sum),
        ("queues", "sent", "sent to queue\nper interval", 1.0, np.sum),
        ("buckets", "records", "records put to S3\nper interval", 1.0, np.sum),
    ]
    have = [p for p in panels if any(
        any(p[1] in e.series for k in (p[0] if isinstance(p[0], tuple) else (p[0],))
            for e in kf.runs[0].kind(k).values()) for kf in files)]
    if not have:
        raise NothingToDraw
    return time_figure(files, have, "messages")


def cost_of(kf, line):
    m = kf.metric(f"cost.{line}")
    return (m[0], m[1]) if m else (0.0, math.nan)


@figure("cost_breakdown", "cost over the measured period by service, one bar per file")
def cost_figure(files, args=None):
    lines = [c for c in COST_LINES if any(cost_of(kf, c)[0] > 0 for kf in files)]
    if not lines:
        raise NothingToDraw
    fig, ax = plt.subplots(figsize=(7.2, 1.2 + 0.45 * len(files)), layout="constrained")
    y = np.arange(len(files))
    left = np.zeros(len(files))
    for i, line in enumerate(lines):
        v = np.array([cost_of(kf, line)[0] for kf in files])
        ax.barh(y, v, left=left, color=OKABE_ITO[i % len(OKABE_ITO)], label=line,
                hatch=["", "//", "..", "xx"][(i // len(OKABE_ITO)) % 4], edgecolor="white",
                lw=0.5)
        left += v
    ax.set_yticks(y, [kf.label for kf in files])
    ax.invert_yaxis()
    ax.set_xlabel("USD over the measured period (mean across replications)")
    ax.grid(axis="y", visible=False)
    legend_outside(ax, title="service")
    fig.suptitle(scenario_title(files, "cost by service"), fontsize=9)
    return fig


def worst_p99(kf):
    """(p99 s, ci95 s, entity) of the slowest reader (function, consumer, firehose): the
    topology's latency; None without latency metrics."""
    names = {m for m in kf.summary} | {m for r in kf.runs for m in r.summary}
    best = None
    for name in sorted(n for n in names if n.endswith(".latency.p99")):
        m = kf.metric(name)
        if m and (best is None or m[0] > best[0]):
            best = (m[0], m[1], name[:-len(".latency.p99")])
    return best


@figure("topology", "topology comparison: p99 latency and cost per file, with 95% CIs")
def topology_figure(files, args=None):
    p99 = [worst_p99(kf) for kf in files]
    if all(p is None for p in p99):
        raise NothingToDraw
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 1.4 + 0.45 * len(files)),
                                      sharey=True, layout="constrained")
    y = np.arange(len(files))
    for ax, values, xlabel, fmt in (
            (left, [(p[0], p[1]) if p else (0.0, math.nan) for p in p99],
             "p99 latency of the slowest reader (s)", duration_label),
            (right, [cost_of(kf, "total") for kf in files], "cost (USD, measured period)",
             lambda usd: f"${usd:.3g}")):
        v = np.array([a for a, _ in values])
        err = np.array([0.0 if math.isnan(b) else b for _, b in values])
        ax.barh(y, v, xerr=err if err.any() else None, color=[
            OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(files))], capsize=3)
        # Each value written past its bar and interval: short bars stay readable.
        for k in range(len(files)):
            ax.annotate(fmt(v[k]), (v[k] + err[k], y[k]), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=7)
        ax.set_xlim(0, max(v + err) * 1.25 if max(v + err) > 0 else 1)
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
    left.set_yticks(y, [kf.label for kf in files])
    left.invert_yaxis()
    ci = any(not math.isnan(p[1]) for p in p99 if p)
    fig.suptitle(scenario_title(files, "latency and cost" + (" (bars: 95% CI)" if ci else "")),
                 fontsize=9)
    return fig


# ---------------------------------------------------------------------------------------------
# Sweep figures


def sweep_lines(sweep, x, metric_of):
    """{label of the other varied values: [(x, mean, ci95)]} of metric_of(point file)."""
    k = sweep.paths.index(x)
    lines = {}
    for p in sweep.points:
        m = metric_of(p.file)
        if m is None:
            continue
        key = ", ".join(f"{sweep.paths[i]}={p.values[i]}" for i in range(len(sweep.paths))
                        if i != k)
        lines.setdefault(key, []).append((float(p.values[k]), m[0], m[1]))
    return lines


def draw_sweep(ax, lines, ylabel):
    for i, (key, pts) in enumerate(sorted(lines.items())):
        pts.sort()
        xs, ys, cis = (np.array(c) for c in zip(*pts))
        ax.plot(xs, ys, marker="o", ms=3.5, label=key or None, **line_style(i))
        if not np.all(np.isnan(cis)):
            c = np.where(np.isnan(cis), 0.0, cis)
            ax.fill_between(xs, ys - c, ys + c, color=line_style(i)["color"], alpha=0.2, lw=0)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)


def sweep_x(sweep, args):
    x = getattr(args, "x", None) or sweep.paths[0]
    if x not in sweep.paths:
        raise kinesim_h5.KinesimError(f"--x {x} is not a varied path ({', '.join(sweep.paths)})")
    for p in sweep.points:
        try:
            float(p.values[sweep.paths.index(x)])
        except ValueError:
            raise kinesim_h5.KinesimError(f"the values of {x} are not numbers") from None
    return x


def total_read_throttles(kf):
    """Read throttles per shard and minute, summed over the streams; the CI of a single
    stream's."""
    names = sorted(m for m in kf.summary if m.endswith(".read_throttled.per_shard_per_minute"))
    if not names:
        return None
    values = [kf.metric(n) for n in names]
    return sum(v[0] for v in values), values[0][1] if len(values) == 1 else math.nan


@figure("sweep_throttles", "sweep: read throttles and p99 latency against the varied parameter",
        sweep=True)
def sweep_throttles_figure(sweep, args=None):
    x = sweep_x(sweep, args)
    throttles = sweep_lines(sweep, x, total_read_throttles)
    latency = sweep_lines(sweep, x, lambda kf: (lambda p: (p[0], p[1]) if p else None)(
        worst_p99(kf)))
    if not throttles and not latency:
        raise NothingToDraw
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.2, 5.0), sharex=True,
                                      layout="constrained")
    draw_sweep(top, throttles, "read throttles\nper shard and minute")
    draw_sweep(bottom, latency, "p99 latency of the\nslowest reader (s)")
    legend_outside(top)
    bottom.set_xlabel(x)
    fig.suptitle(f"{sweep.attrs.get('scenario_name', '')}: throttles and latency against {x}"
                 " (band: 95% CI)", fontsize=9)
    return fig


@figure("cost_latency", "sweep: cost against p99 latency, one point per configuration, and "
        "the frontier", sweep=True)
def cost_latency_figure(sweep, args=None):
    x = sweep_x(sweep, args)
    k = sweep.paths.index(x)
    pts = []  # (p99 s, cost USD, label of the point, group of the other varied values)
    for p in sweep.points:
        worst = worst_p99(p.file)
        if worst is None or worst[0] <= 0:
            continue
        group = ", ".join(f"{sweep.paths[i]}={p.values[i]}" for i in range(len(sweep.paths))
                          if i != k)
        pts.append((worst[0], cost_of(p.file, "total")[0], " ".join(p.values), group))
    if not pts:
        raise NothingToDraw
    fig, ax = plt.subplots(figsize=(7.2, 4.0), layout="constrained")
    for i, group in enumerate(sorted({g for *_, g in pts})):
        mine = [(a, c) for a, c, _, g in pts if g == group]
        ax.plot([a for a, _ in mine], [c for _, c in mine], "o", ms=4, ls="none",
                color=line_style(i)["color"], label=group or "configurations")
    # The frontier: configurations no other beats on both latency and cost.
    frontier, best = [], math.inf
    for a, c, label, _ in sorted(pts):
        if c < best:
            frontier.append((a, c, label))
            best = c
    ax.step([a for a, _, _ in frontier], [c for _, c, _ in frontier], where="post",
            color="0.3", lw=1, label="frontier")
    for a, c, label in frontier:
        ax.annotate(label, (a, c), xytext=(4, 4), textcoords="offset points", fontsize=7)
    ax.set_xscale("log")
    lo, hi = min(a for a, *_ in pts), max(a for a, *_ in pts)
    ax.set_xlim(lo / 1.5, hi * 1.5)
    log_axis(ax, "x", seconds=True)
    ax.set_xlabel("p99 latency of the slowest reader (mean of replications)")
    ax.set_ylabel("cost (USD, measured period)")
    legend_outside(ax, title="; ".join(p for p in sweep.paths if p != x) or None)
    fig.suptitle(f"{sweep.attrs.get('scenario_name', '')}: cost against p99 latency (points "
                 f"labelled with {' '.join(sweep.paths)})", fontsize=9)
    return fig


# ---------------------------------------------------------------------------------------------
# Command line


def save(fig, outdir, stem, what, formats):
    """Writes the figure in each format; returns the paths. Each file is written under a
    temporary name beside it and renamed when complete, so a full disk or an interrupted run
    never leaves a truncated figure under the figure's name (nor the temporary file)."""
    paths = []
    try:
        for fmt in formats:
            path = os.path.join(outdir, f"{stem}_{what}.{fmt}")
            partial = path + ".partial"
            try:
                fig.savefig(partial, format=fmt, metadata=METADATA[fmt])
                os.replace(partial, path)
            except BaseException:
                if os.path.exists(partial):
                    os.remove(partial)
                raise
            paths.append(path)
    finally:
        plt.close(fig)
    return paths


def parse_args(argv):
    p = argparse.ArgumentParser(prog="figures.py", description=__doc__.split("\n")[0])
    p.add_argument("files", nargs="*", metavar="FILE", help="kinesim output files (.h5)")
    p.add_argument("-o", "--outdir", help="folder for the figures (default: the first file's)")
    p.add_argument("--only", help="comma-separated figure names (see --list)")
    p.add_argument("--list", action="store_true", help="list the figures and exit")
    p.add_argument("--format", default="pdf,png",
                   help="comma-separated list of pdf, png (default: pdf,png)")
    p.add_argument("--run", help="run for the heatmaps (default: the first, r0000)")
    p.add_argument("--x", help="sweep figures: the varied path on the x axis (default: the "
                   "first)")
    p.add_argument("--stem", help="file name prefix (default: the first file's name)")
    args = p.parse_args(argv)
    if args.list:
        return args
    if not args.files:
        p.error("give one or more kinesim files (or --list)")
    args.formats = [f.strip() for f in args.format.split(",") if f.strip()]
    bad = [f for f in args.formats if f not in FORMATS]
    if bad or not args.formats:
        p.error(f"--format: unknown format {', '.join(bad) or '(none)'}; use pdf and/or png")
    args.names = None
    if args.only:
        args.names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in args.names if n not in REGISTRY]
        if unknown or not args.names:
            p.error(f"--only: unknown figure {', '.join(unknown) or '(none)'}; the figures "
                    f"are {', '.join(REGISTRY)}")
    return args


def load_all(args):
    """(run files, sweeps)."""
    files, sweeps = [], []
    for path in args.files:
        if kinesim_h5.is_sweep(path):
            sweeps.append(kinesim_h5.load_sweep(path))
        else:
            files.append(kinesim_h5.load(path))
    file_labels(files)
    if args.run is not None:
        for kf in files:
            if args.run not in {r.name for r in kf.runs}:
                raise kinesim_h5.KinesimError(
                    f"{kf.path}: no run {args.run!r} (have {', '.join(r.name for r in kf.runs)})")
    return files, sweeps


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.list:
        for f in REGISTRY.values():
            print(f"{f.name:16} {'(sweep) ' if f.sweep else ''}{f.description}")
        return 0
    try:
        files, sweeps = load_all(args)
    except kinesim_h5.KinesimError as e:
        print(f"figures.py: error: {e}", file=sys.stderr)
        return 2
    outdir = args.outdir or os.path.dirname(os.path.abspath(args.files[0]))
    try:
        os.makedirs(outdir, exist_ok=True)
    except OSError as e:
        print(f"figures.py: error: {outdir}: {e.strerror}", file=sys.stderr)
        return 2
    stem = args.stem or (os.path.splitext(os.path.basename(args.files[0]))[0]
                         if len(args.files) == 1 else "comparison")
    style()
    jobs = []  # (figure, input, stem)
    for f in REGISTRY.values():
        if args.names is not None and f.name not in args.names:
            continue
        if f.sweep:
            for s in sweeps:
                name = stem if len(sweeps) == 1 else os.path.splitext(
                    os.path.basename(s.path))[0]
                jobs.append((f, s, name))
        elif files:
            jobs.append((f, files, stem))
    paths, missing = [], []
    for f, data, name in jobs:
        try:
            paths += save(f.draw(data, args), outdir, name, f.name, args.formats)
        except NothingToDraw:
            missing.append(f.name)
        except kinesim_h5.KinesimError as e:
            print(f"figures.py: error: {f.name}: {e}", file=sys.stderr)
            return 2
    for path in paths:
        print(path)
    asked = set(args.names or [])
    drawn = {f.name for f, _, _ in jobs} - set(missing)
    if asked - drawn:
        print(f"figures.py: error: nothing to draw for {', '.join(sorted(asked - drawn))} in "
              f"{', '.join(args.files)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
