"""Reads kinesim output files (docs/output.md, format_version 1 and 2) into numpy arrays.

    import kinesim_h5
    kf = kinesim_h5.load("out.h5")                    # a run's file
    run = kf.runs[0]
    run.entity("streams", "orders").series["read_throttled"]      # [T x shards] array
    run.functions["feed-1"].latency.ecdf()                        # any kind, same reader
    kinesim_h5.frame("out.h5", "summary")             # a compound table as a pandas DataFrame
    sweep = kinesim_h5.load_sweep("sweep.h5")          # a sweep: one KinesimFile per point

Every entity kind is read the same way (streams, functions, consumers, topics, buses, queues,
buckets, firehoses, producers, and any kind a later version adds): its group's attributes,
its series (the datasets on the run's time dimension), its column labels (`shard`), its
histograms (subgroups with counts and lower_ns) and its event tables (compound datasets; in
format_version 1, float arrays with a `columns` attribute, converted to the same records).
Trace tables are left on disk. Every problem that means "this is not a finished kinesim file"
raises KinesimError with a message meant for the user; callers turn it into exit status 2.

The reader assumes no more about latency buckets than that their lower bounds increase: a
bucket ends where the next one starts, and the last bucket is as wide as the one before it.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import h5py
import numpy as np

FORMAT = "kinesim"
SUPPORTED_VERSIONS = (1, 2)
# The kinds of entity groups, in the order figures list them.
KINDS = ("streams", "producers", "functions", "consumers", "topics", "buses", "queues",
         "buckets", "firehoses")


class KinesimError(Exception):
    """The file is missing, unreadable, not a kinesim file, or holds an unfinished run."""


@dataclass
class Histogram:
    counts: np.ndarray  # uint64 [B]
    lower_ns: np.ndarray  # int64 [B], strictly increasing

    def upper_ns(self) -> np.ndarray:
        """Each bucket's exclusive upper bound (float, so int64 extremes do not overflow)."""
        lower = self.lower_ns.astype(np.float64)
        if len(lower) == 0:
            return lower
        last_width = lower[-1] - lower[-2] if len(lower) > 1 else 1.0
        return np.append(lower[1:], lower[-1] + last_width)

    def midpoints_ns(self) -> np.ndarray:
        return (self.lower_ns.astype(np.float64) + self.upper_ns()) / 2.0

    def total(self) -> int:
        return int(self.counts.sum(dtype=np.uint64))

    def ecdf(self) -> tuple[np.ndarray, np.ndarray]:
        """(midpoints in ns of the non-empty buckets, fraction of records <= that bucket).

        Records are placed at their bucket's midpoint, as the summary's quantiles are."""
        nonzero = self.counts > 0
        counts = self.counts[nonzero].astype(np.float64)
        if counts.size == 0:
            return np.empty(0), np.empty(0)
        return self.midpoints_ns()[nonzero], np.cumsum(counts) / counts.sum()

    def quantile_ns(self, q: float) -> float:
        """The q-quantile by nearest rank at its bucket's midpoint (as the summary); NaN when
        empty."""
        x, frac = self.ecdf()
        if len(x) == 0:
            return math.nan
        return float(x[min(np.searchsorted(frac, q - 1e-12), len(x) - 1)])

    def merged(self, other: Histogram) -> Histogram:
        """Sum of two histograms with the same buckets (replications of one scenario)."""
        if not np.array_equal(self.lower_ns, other.lower_ns):
            raise KinesimError("latency histograms with different buckets cannot be merged")
        return Histogram(self.counts + other.counts, self.lower_ns)


@dataclass
class Entity:
    """One entity's group: a stream, a function, a queue..."""
    kind: str  # the group's folder: "streams", "functions", ...
    name: str
    attrs: dict = field(default_factory=dict)
    series: dict[str, np.ndarray] = field(default_factory=dict)  # [T] or [T x columns]
    columns: list[str] = field(default_factory=list)  # labels of dimension 1 (shard ids)
    histograms: dict[str, Histogram] = field(default_factory=dict)  # "latency", ...
    events: dict[str, np.ndarray] = field(default_factory=dict)  # structured arrays

    @property
    def shards(self) -> list[str]:
        return self.columns

    @property
    def latency(self) -> Histogram | None:
        return self.histograms.get("latency")


@dataclass
class Run:
    name: str
    attrs: dict
    time: np.ndarray  # [T] end of each interval, seconds
    entities: dict[str, dict[str, Entity]] = field(default_factory=dict)  # kind -> name -> ..
    summary: dict[str, tuple[float, str]] = field(default_factory=dict)

    def kind(self, kind: str) -> dict[str, Entity]:
        return self.entities.get(kind, {})

    def entity(self, kind: str, name: str) -> Entity:
        return self.entities[kind][name]

    @property
    def streams(self) -> dict[str, Entity]:
        return self.kind("streams")

    @property
    def functions(self) -> dict[str, Entity]:
        return self.kind("functions")

    @property
    def consumers(self) -> dict[str, Entity]:
        return self.kind("consumers")

    @property
    def queues(self) -> dict[str, Entity]:
        return self.kind("queues")

    def interval_s(self) -> float:
        """The metrics interval: the attribute (format 2), else the first interval's end."""
        if "interval_s" in self.attrs:
            return float(self.attrs["interval_s"])
        return float(self.time[0]) if len(self.time) else 0.0


@dataclass
class KinesimFile:
    path: str
    attrs: dict
    runs: list[Run]
    summary: dict[str, tuple[float, float, float, str]] = field(default_factory=dict)
    label: str = ""  # how figures name this file (its scenario, or the point of a sweep)

    def names(self, kind: str) -> list[str]:
        """Every entity of a kind in any run, in name order."""
        return sorted({n for r in self.runs for n in r.kind(kind)})

    def function_names(self) -> list[str]:
        return self.names("functions")

    def metric(self, name: str) -> tuple[float, float] | None:
        """(mean, ci95) of a summary metric across replications; None when absent."""
        if name in self.summary:
            mean, _, ci95, _ = self.summary[name]
            return mean, ci95
        values = [r.summary[name][0] for r in self.runs if name in r.summary]
        if not values:
            return None
        return float(np.mean(values)), math.nan


@dataclass
class Point:
    assignments: str  # "PATH=VALUE ..."
    values: list[str]  # in the order of Sweep.paths
    file: KinesimFile


@dataclass
class Sweep:
    path: str
    attrs: dict
    paths: list[str]  # the varied paths
    points: list[Point]


def text(value) -> str:
    """Strings as str whatever the writer stored (h5py gives bytes for string datasets and
    compound members)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.shape == ():
        return text(value[()])
    return str(value)


def records(table: np.ndarray) -> np.ndarray:
    """A compound array with its string members as str (objects) instead of bytes."""
    if table.dtype.names is None:
        return table
    out_dtype = [(n, object if table.dtype[n].kind in "OS" else table.dtype[n])
                 for n in table.dtype.names]
    out = np.empty(table.shape, dtype=out_dtype)
    for n in table.dtype.names:
        if table.dtype[n].kind in "OS":
            out[n] = [text(v) for v in table[n]]
        else:
            out[n] = table[n]
    return out


def frame(source, path: str = "summary"):
    """A compound table (`summary`, `runs/r0000/summary`, an event table...) as a pandas
    DataFrame with str columns. source: a file name or an open h5py File or Group."""
    import pandas as pd  # only this helper needs pandas

    if isinstance(source, (str, os.PathLike)):
        with h5py.File(source, "r") as f:
            return pd.DataFrame(records(f[path][()]))
    return pd.DataFrame(records(source[path][()]))


def _attrs(obj) -> dict:
    out = {}
    for key, value in obj.attrs.items():
        if key in ("DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME"):
            continue
        if isinstance(value, (bytes, str)):
            value = text(value)
        elif isinstance(value, np.generic):
            value = value.item()
        out[key] = value
    return out


def _is_time_series(item: h5py.Dataset, rows: int) -> bool:
    if item.ndim not in (1, 2) or item.dtype.kind not in "iuf":
        return False
    dims = item.dims[0]
    if len(dims) > 0:
        return text(dims[0].attrs.get("NAME", b"")) == "time" or dims[0].name.endswith("/time")
    return item.shape[0] == rows  # a writer without dimension scales


def _labels(group: h5py.Group, width: int) -> list[str]:
    """Labels of dimension 1: its dimension scale, else a `shard`/`shards` dataset, else
    numbers."""
    for item in group.values():
        if isinstance(item, h5py.Dataset) and item.ndim == 2 and len(item.dims[1]) > 0:
            return [text(s) for s in item.dims[1][0][()]]
    for name in ("shard", "shards"):
        if isinstance(group.get(name), h5py.Dataset) and group[name].dtype.kind in "OS":
            return [text(s) for s in group[name][()]]
    return [str(i) for i in range(width)]


def _event_table(item: h5py.Dataset) -> np.ndarray:
    """An event table as a structured array: compound as it is (format 2); a float array with a
    `columns` attribute (format 1) converted to float64 members of those names."""
    data = item[()]
    if item.dtype.names is not None:
        return records(data)
    columns = text(item.attrs["columns"]).split(",")
    data = np.asarray(data, dtype=np.float64).reshape(-1, len(columns))
    out = np.empty(len(data), dtype=[(c, np.float64) for c in columns])
    for i, c in enumerate(columns):
        out[c] = data[:, i]
    return out


def _histogram(group: h5py.Group, where: str) -> Histogram:
    counts = np.asarray(group["counts"][()], dtype=np.uint64)
    lower = np.asarray(group["lower_ns"][()], dtype=np.int64)
    if counts.shape != lower.shape or counts.ndim != 1:
        raise KinesimError(f"{where}: counts and lower_ns differ in shape")
    if len(lower) > 1 and not np.all(np.diff(lower) > 0):
        raise KinesimError(f"{where}/lower_ns is not increasing")
    return Histogram(counts, lower)


def _entity(kind: str, name: str, group: h5py.Group, rows: int, where: str) -> Entity:
    e = Entity(kind, name, _attrs(group))
    for key in group:
        link = group.get(key, getlink=True)
        if isinstance(link, h5py.SoftLink):  # the `time` link to the run's scale
            continue
        item = group[key]
        if isinstance(item, h5py.Group):
            if "counts" in item and "lower_ns" in item:
                e.histograms[key] = _histogram(item, f"{where}/{key}")
        elif item.dtype.names is not None or "columns" in item.attrs:
            e.events[key] = _event_table(item)
        elif _is_time_series(item, rows):
            if item.shape[0] != rows:
                raise KinesimError(f"{where}/{key} has {item.shape[0]} rows but time has {rows}")
            e.series[key] = item[()]
    width = next((s.shape[1] for s in e.series.values() if s.ndim == 2), 0)
    e.columns = _labels(group, width) if width else []
    return e


def _summary(group: h5py.Group) -> dict[str, tuple[float, str]]:
    table = group.get("summary")
    if not isinstance(table, h5py.Dataset) or table.dtype.names is None:
        return {}
    return {text(row["name"]): (float(row["value"]), text(row["unit"])) for row in table[()]}


def _stats(group: h5py.Group) -> dict[str, tuple[float, float, float, str]]:
    table = group.get("summary")
    if not isinstance(table, h5py.Dataset) or table.dtype.names is None \
            or "mean" not in table.dtype.names:
        return {}
    return {text(r["name"]): (float(r["mean"]), float(r["stddev"]), float(r["ci95"]),
                              text(r["unit"])) for r in table[()]}


def _read_run(name: str, group: h5py.Group, require_complete: bool) -> Run:
    attrs = _attrs(group)
    where = f"/runs/{name}"
    if require_complete and int(attrs.get("complete", 0)) != 1:
        raise KinesimError(
            f"run {name} is incomplete (complete = {attrs.get('complete', 'missing')}): "
            "the simulation was interrupted or failed")
    if "time" not in group:
        raise KinesimError(f"{where} has no time dataset")
    time = np.asarray(group["time"][()], dtype=np.float64)
    run = Run(name, attrs, time)
    for kind in sorted(group):
        sub = group[kind]
        if not isinstance(sub, h5py.Group) or kind == "traces":
            continue
        run.entities[kind] = {
            ename: _entity(kind, ename, egroup, len(time), f"{where}/{kind}/{ename}")
            for ename, egroup in sorted(sub.items()) if isinstance(egroup, h5py.Group)}
    run.summary = _summary(group)
    return run


def _check_header(path: str, attrs: dict):
    fmt = attrs.get("format")
    if fmt != FORMAT:
        raise KinesimError(
            f"{path}: not a kinesim file (format attribute is {fmt!r}, expected {FORMAT!r})")
    version = attrs.get("format_version")
    if version not in SUPPORTED_VERSIONS:
        raise KinesimError(
            f"{path}: format_version {version!r} is not supported (this reader knows "
            f"{', '.join(map(str, SUPPORTED_VERSIONS))})")


def _read_layout(path: str, group: h5py.Group, attrs: dict, require_complete: bool,
                 label: str, need_runs: bool = True) -> KinesimFile:
    runs_group = group.get("runs")
    if not isinstance(runs_group, h5py.Group) or len(runs_group) == 0:
        if not need_runs:  # a sweep point's summary is enough for the sweep figures
            return KinesimFile(path, attrs, [], _stats(group), label)
        raise KinesimError(f"{path}: no runs in the file")
    try:
        runs = [_read_run(name, runs_group[name], require_complete)
                for name in sorted(runs_group)]
    except KinesimError as e:
        raise KinesimError(f"{path}: {e}") from None
    return KinesimFile(path, attrs, runs, _stats(group), label)


def _open(path: str) -> h5py.File:
    if not os.path.exists(path):
        raise KinesimError(f"{path}: no such file")
    try:
        return h5py.File(path, "r")
    except OSError as e:
        raise KinesimError(f"{path}: not an HDF5 file ({e})") from None


def is_sweep(path: str) -> bool:
    with _open(path) as h5:
        return text(h5.attrs.get("kind", "")) == "sweep"


def load(path: str, require_complete: bool = True) -> KinesimFile:
    """Reads a run's FILE; raises KinesimError (with a message for the user) on any problem."""
    with _open(path) as h5:
        attrs = _attrs(h5)
        _check_header(path, attrs)
        if attrs.get("kind") == "sweep":
            raise KinesimError(f"{path}: a sweep file (read it with load_sweep)")
        return _read_layout(path, h5, attrs, require_complete,
                            str(attrs.get("scenario_name", "")) or os.path.basename(path))


def load_sweep(path: str, require_complete: bool = True) -> Sweep:
    """Reads a `kinesim sweep` file: each point's group is the layout of a run's file."""
    with _open(path) as h5:
        attrs = _attrs(h5)
        if attrs.get("kind") != "sweep":
            raise KinesimError(f"{path}: not a kinesim sweep file (no kind = sweep)")
        _check_header(path, attrs)
        paths = [p for p in str(attrs.get("vary_paths", "")).split("\n") if p]
        points_group = h5.get("points")
        if not isinstance(points_group, h5py.Group) or len(points_group) == 0:
            raise KinesimError(f"{path}: no points in the sweep")
        points = []
        for name in sorted(points_group):
            g = points_group[name]
            pattrs = _attrs(g)
            if "summary" not in g:
                raise KinesimError(f"{path}: point {name} has no summary (an interrupted "
                                   "sweep?)")
            assignments = str(pattrs.get("assignments", name))
            values = str(pattrs.get("values", "")).split("\n")
            kf = _read_layout(f"{path}:{name}", g, {**attrs, **pattrs}, require_complete,
                              assignments, need_runs=False)
            points.append(Point(assignments, values, kf))
    return Sweep(path, attrs, paths, points)
