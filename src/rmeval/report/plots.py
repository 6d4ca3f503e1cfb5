"""Plots of a run, as PNG and SVG files (matplotlib, the optional `plot` extra).

Reward distributions of chosen and rejected answers per subset, margin distributions per subset, the length-bias
curve, and the sections (or subsets) as bars with their bootstrap intervals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rmeval.analysis.length import length_bins
from rmeval.common.extras import require
from rmeval.results import RunResult, benchmark_of, tie_credit_of
from rmeval.types import SampleRecord

__all__ = ["FORMATS", "margin", "plot_run"]

FORMATS = ("png", "svg")


def _pyplot() -> Any:
    require("matplotlib", extra="plot", purpose="--plots")
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window
    matplotlib.rcParams["svg.hashsalt"] = "rmeval"  # stable SVG ids, so the same run gives the same file
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text in SVG files: searchable and small
    import matplotlib.pyplot as plt

    return plt


def margin(s: SampleRecord) -> float:
    """Worst chosen score minus best rejected score: positive when every chosen answer wins."""
    return min(s.scores_chosen) - max(s.scores_rejected)


def _by_subset(samples: Sequence[SampleRecord]) -> dict[str, list[SampleRecord]]:
    out: dict[str, list[SampleRecord]] = {}
    for s in samples:
        if not s.part:
            out.setdefault(s.subset, []).append(s)
    return out


def _save(fig: Any, out_dir: Path, name: str) -> list[Path]:
    paths = []
    for fmt in FORMATS:
        path = out_dir / f"{name}.{fmt}"
        fig.savefig(path, format=fmt, dpi=110, metadata={"Date": None} if fmt == "svg" else None)
        paths.append(path)
    return paths


def _grid(plt: Any, count: int) -> tuple[Any, list[Any]]:
    cols = min(4, max(1, count))
    rows = math.ceil(count / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    flat = [ax for row in axes for ax in row]
    for ax in flat[count:]:
        ax.axis("off")
    return fig, flat


def _finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


def _rewards(plt: Any, groups: dict[str, list[SampleRecord]]) -> Any:
    fig, axes = _grid(plt, len(groups))
    for ax, (name, group) in zip(axes, groups.items(), strict=False):
        chosen = _finite([x for s in group for x in s.scores_chosen])
        rejected = _finite([x for s in group for x in s.scores_rejected])
        ax.hist([chosen, rejected], bins=20, label=["chosen", "rejected"], color=["#2a7ab0", "#d9822b"],
                histtype="stepfilled", alpha=0.6)
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    fig.suptitle("Rewards of chosen and rejected answers, per subset")
    fig.tight_layout()
    return fig


def _margins(plt: Any, groups: dict[str, list[SampleRecord]]) -> Any:
    fig, axes = _grid(plt, len(groups))
    for ax, (name, group) in zip(axes, groups.items(), strict=False):
        values = _finite([margin(s) for s in group])
        edges = _bins(values)
        ax.hist([[v for v in values if v > 0], [v for v in values if v <= 0]], bins=edges, stacked=True,
                color=["#2a7ab0", "#d9822b"], label=["chosen higher (> 0)", "rejected as high or higher (\u2264 0)"])
        ax.axvline(0.0, color="black", linewidth=1.0, label="zero margin")
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    fig.suptitle("Margins (worst chosen minus best rejected reward; > 0 is right), per subset")
    fig.tight_layout()
    return fig


def _bins(values: Sequence[float], count: int = 20) -> list[float]:
    """Shared bin edges for a margin histogram, with zero always on an edge (no bin holds both signs)."""
    lo, hi = min([*values, 0.0]), max([*values, 0.0])
    if hi == lo:
        lo, hi = lo - 0.5, hi + 0.5
    step = (hi - lo) / count
    start = math.floor(lo / step) * step
    return [start + i * step for i in range(math.ceil((hi - start) / step) + 1)]


def _length_curve(plt: Any, run: RunResult) -> Any:
    bins = length_bins(run.samples, benchmark_of(run.spec), tie_credit_of(run.spec))
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    labels = [f"[{b['lo']:.0f}, {b['hi']:.0f})" for b in bins]
    ax.plot(range(len(bins)), [100 * b["accuracy"] for b in bins], marker="o", color="#2a7ab0")
    for i, b in enumerate(bins):
        ax.annotate(f"n={b['n']}", (i, 100 * b["accuracy"]), textcoords="offset points", xytext=(0, 6),
                    ha="center", fontsize=7)
    ax.set_xticks(range(len(bins)), labels, rotation=30, ha="right", fontsize=7)
    ax.set_ylim(0, 105)
    ax.set_xlabel("chosen minus rejected length (characters)")
    ax.set_ylabel("accuracy %")
    ax.set_title("Accuracy by length difference")
    fig.tight_layout()
    return fig


def _sections(plt: Any, run: RunResult) -> Any:
    m = run.metrics
    group = "sections" if m.sections else "subsets"
    values = m.sections if m.sections else {k: v.accuracy for k, v in m.subsets.items()}
    intervals: dict[str, tuple[float, float]] = {}
    if m.ci is not None:
        intervals = m.ci.sections if m.sections else m.ci.subsets
    names = list(values)
    lows = [100 * (values[n] - intervals[n][0]) if n in intervals else 0.0 for n in names]
    highs = [100 * (intervals[n][1] - values[n]) if n in intervals else 0.0 for n in names]
    fig, ax = plt.subplots(figsize=(max(4.0, 0.9 * len(names) + 1.5), 3.6))
    ax.bar(range(len(names)), [100 * values[n] for n in names], yerr=[lows, highs], capsize=4, color="#2a7ab0")
    ax.set_xticks(range(len(names)), names, rotation=30 if len(names) > 4 else 0, ha="right" if len(names) > 4
                  else "center", fontsize=8)
    ax.set_ylim(0, 100)
    ax.set_ylabel("accuracy %")
    ax.set_title(f"{group.capitalize()} with {100 * m.ci.level:.0f} % intervals"
                 if m.ci is not None and intervals else group.capitalize())
    fig.tight_layout()
    return fig


def plot_run(run: RunResult, out_dir: Path) -> list[Path]:
    """Write every plot of a run into `out_dir` as PNG and SVG; returns the paths written."""
    groups = _by_subset(run.samples)
    if not groups:
        raise ValueError("this run has no samples to plot")
    plt = _pyplot()
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    figures = [("rewards", _rewards(plt, groups)), ("margins", _margins(plt, groups)),
               ("sections", _sections(plt, run))]
    if any("chars_chosen" in s.features for s in run.samples):
        figures.append(("length_bias", _length_curve(plt, run)))
    for name, fig in figures:
        paths += _save(fig, out_dir, name)
        plt.close(fig)
    return paths
