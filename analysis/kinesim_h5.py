"""Reads a kinesim output file (docs/output.md, format_version 1) into plain numpy arrays.

Only what the figures need is read: root attributes, each run's attributes, `time`, the
per-stream and per-function series and latency histograms, and the summary table. Trace tables
are left on disk. Every problem that means "this is not a finished kinesim file" raises
KinesimError with a message meant for the user; callers turn it into exit status 2.

The reader assumes no more about latency buckets than that their lower bounds increase: a
bucket ends where the next one starts, and the last bucket is as wide as the one before it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import h5py
import numpy as np

FORMAT = "kinesim"
SUPPORTED_VERSIONS = (1,)


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

    def merged(self, other: Histogram) -> Histogram:
        """Sum of two histograms with the same buckets (replications of one scenario)."""
        if not np.array_equal(self.lower_ns, other.lower_ns):
            raise KinesimError("latency histograms with different buckets cannot be merged")
        return Histogram(self.counts + other.counts, self.lower_ns)


@dataclass
class Stream:
    name: str
    shards: list[str]
    series: dict[str, np.ndarray] = field(default_factory=dict)  # [T x shards]


@dataclass
class Function:
    name: str
    series: dict[str, np.ndarray] = field(default_factory=dict)  # [T] or [T x shards]
    latency: Histogram | None = None


@dataclass
class Run:
    name: str
    attrs: dict
    time: np.ndarray  # [T] end of each interval, seconds
    streams: dict[str, Stream] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    summary: dict[str, tuple[float, str]] = field(default_factory=dict)


@dataclass
class KinesimFile:
    path: str
    attrs: dict
    runs: list[Run]

    def function_names(self) -> list[str]:
        """Every function of any run, in name order."""
        return sorted({f for r in self.runs for f in r.functions})

    def stream_names(self) -> list[str]:
        return sorted({s for r in self.runs for s in r.streams})


def _text(value) -> str:
    """Attribute strings come back as str from kinesim, but other writers may store bytes."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _text(value[()])
    return str(value)


def _attrs(obj) -> dict:
    out = {}
    for key, value in obj.attrs.items():
        if isinstance(value, (bytes, str)):
            value = _text(value)
        elif isinstance(value, np.generic):
            value = value.item()
        out[key] = value
    return out


def _shard_labels(group: h5py.Group, width: int) -> list[str]:
    """Shard ids from the dimension scale on dimension 1 of a series, else a `shards`
    dataset, else the shard numbers."""
    for item in group.values():
        if isinstance(item, h5py.Dataset) and item.ndim == 2 and len(item.dims[1]) > 0:
            return [_text(s) for s in item.dims[1][0][()]]
    if isinstance(group.get("shards"), h5py.Dataset):
        return [_text(s) for s in group["shards"][()]]
    return [str(i) for i in range(width)]


def _series(group: h5py.Group, rows: int, where: str) -> dict[str, np.ndarray]:
    out = {}
    for name, item in group.items():
        if not isinstance(item, h5py.Dataset) or item.ndim not in (1, 2):
            continue
        if item.dtype.kind not in "iuf" or name in ("counts", "lower_ns"):
            continue
        # Event tables (on_failure, alarm_events, ...) carry a `columns` attribute and are
        # not series; a series is attached to the `time` dimension scale.
        if "columns" in item.attrs:
            continue
        if item.shape[0] != rows:
            raise KinesimError(
                f"{where}/{name} has {item.shape[0]} rows but time has {rows}")
        out[name] = np.asarray(item[()], dtype=np.float64)
    return out


def _histogram(group: h5py.Group, where: str) -> Histogram | None:
    if "counts" not in group or "lower_ns" not in group:
        return None
    counts = np.asarray(group["counts"][()], dtype=np.uint64)
    lower = np.asarray(group["lower_ns"][()], dtype=np.int64)
    if counts.shape != lower.shape or counts.ndim != 1:
        raise KinesimError(f"{where}: counts and lower_ns differ in shape")
    if len(lower) > 1 and not np.all(np.diff(lower) > 0):
        raise KinesimError(f"{where}/lower_ns is not increasing")
    return Histogram(counts, lower)


def _summary(run: h5py.Group) -> dict[str, tuple[float, str]]:
    table = run.get("summary")
    if not isinstance(table, h5py.Dataset) or table.dtype.names is None:
        return {}
    return {_text(row["name"]): (float(row["value"]), _text(row["unit"])) for row in table[()]}


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
    for sname, sgroup in sorted(group.get("streams", {}).items()):
        series = _series(sgroup, len(time), f"{where}/streams/{sname}")
        width = next((s.shape[1] for s in series.values() if s.ndim == 2), 0)
        run.streams[sname] = Stream(sname, _shard_labels(sgroup, width), series)
    for fname, fgroup in sorted(group.get("functions", {}).items()):
        fwhere = f"{where}/functions/{fname}"
        latency = fgroup.get("latency")
        run.functions[fname] = Function(
            fname, _series(fgroup, len(time), fwhere),
            _histogram(latency, fwhere + "/latency") if isinstance(latency, h5py.Group)
            else None)
    run.summary = _summary(group)
    return run


def load(path: str, require_complete: bool = True) -> KinesimFile:
    """Reads FILE; raises KinesimError (with a message for the user) on any problem."""
    if not os.path.exists(path):
        raise KinesimError(f"{path}: no such file")
    try:
        h5 = h5py.File(path, "r")
    except OSError as e:
        raise KinesimError(f"{path}: not an HDF5 file ({e})") from None
    with h5:
        attrs = _attrs(h5)
        fmt = attrs.get("format")
        if fmt != FORMAT:
            raise KinesimError(
                f"{path}: not a kinesim file (format attribute is {fmt!r}, expected {FORMAT!r})")
        version = attrs.get("format_version")
        if version not in SUPPORTED_VERSIONS:
            raise KinesimError(
                f"{path}: format_version {version!r} is not supported (this reader knows "
                f"{', '.join(map(str, SUPPORTED_VERSIONS))})")
        runs_group = h5.get("runs")
        if not isinstance(runs_group, h5py.Group) or len(runs_group) == 0:
            raise KinesimError(f"{path}: no runs in the file")
        try:
            runs = [_read_run(name, runs_group[name], require_complete)
                    for name in sorted(runs_group)]
        except KinesimError as e:
            raise KinesimError(f"{path}: {e}") from None
    return KinesimFile(path, attrs, runs)
