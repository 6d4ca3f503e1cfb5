"""Leaderboard entries: what the site and the paper tables show of one result folder, read from its files alone."""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rmeval.analysis.identity import conventions_fingerprint, data_fingerprint, data_source_label
from rmeval.analysis.length import length_report
from rmeval.analysis.refusals import refusal_report, refusal_totals
from rmeval.analysis.steps import has_step_view, step_views
from rmeval.benchmarks import BenchmarkSpec
from rmeval.data.naming import dataset_name
from rmeval.report.verify import run_differences
from rmeval.results import RESULT_FILE, RunResult, benchmark_of, read_run, recompute, tie_credit_of
from rmeval.scoring import Intervals
from rmeval.site.groups import data_description
from rmeval.types import RunSpec

__all__ = ["KINDS", "Entry", "display_name", "find_run_dirs", "is_path", "load_entry", "scorer_kind"]

log = logging.getLogger(__name__)

KINDS = ("classifier", "implicit", "implicit ref-free", "judge")
"""The kinds the leaderboard filters by; a scorer of another kind shows its own name."""


def scorer_kind(scorer: Mapping[str, Any]) -> str:
    """classifier / implicit / implicit ref-free / judge, from the run's `spec.scorer` (missing keys tolerated).

    >>> scorer_kind({"kind": "implicit", "ref_model": "m"}), scorer_kind({"kind": "implicit", "ref_free": "avg"})
    ('implicit', 'implicit ref-free')
    """
    kind = scorer.get("kind")
    if kind == "implicit":
        reference = scorer.get("ref_model") or scorer.get("reference")
        return "implicit" if reference and not scorer.get("ref_free") else "implicit ref-free"
    return str(kind) if kind else "unknown"


def display_name(spec: RunSpec) -> str:
    """The run's display name (`RunSpec.display_name`: `--name`, else the model it recorded, a path by its last part).

    >>> display_name(RunSpec("b", {}, {"model": "/tmp/x/my-rm"}, {}, {})), display_name(RunSpec("b", {}, {"model":
    ... "org/rm"}, {}, {}, name="mine"))
    ('my-rm', 'mine')
    """
    return spec.display_name


def is_path(model: str) -> bool:
    """Whether a recorded model is a local path (shown by its last part only), not a hub id such as `org/name`.

    >>> is_path("/data/rm"), is_path("./rm"), is_path("~/rm"), is_path("org/rm")
    (True, True, True, False)
    """
    return model.startswith(("/", "./", "../", "~")) or "\\" in model


def find_run_dirs(paths: Iterable[Path]) -> list[Path]:
    """Result folders: each path itself when it holds result.json, else every folder below it that does."""
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            raise FileNotFoundError(f"{path}: not a folder")
        if (path / RESULT_FILE).is_file():
            found.append(path)
            continue
        below = sorted(p.parent for p in path.rglob(RESULT_FILE))
        if not below:
            raise FileNotFoundError(f"{path}: no {RESULT_FILE} in it or below it; is it a folder of `rmeval run`?")
        found += below
    return list(dict.fromkeys(found))


@dataclass
class Entry:
    """One run as the leaderboard shows it. Fractions in [0, 1]; intervals as [lo, hi]. `model` is the display
    name, `model_id` the model the scorer recorded; `parts`, `facets`, `excluded` and `counts` are the metrics'
    (nested sections, the rule's facets, rows left out, a judge's counters)."""

    folder: Path
    slug: str
    model: str
    kind: str
    benchmark: str
    score: float
    score_ci: list[float] | None
    sections: dict[str, float]
    sections_ci: dict[str, list[float]]
    subsets: dict[str, dict[str, Any]]
    data_id: str
    conventions_id: str
    data_label: str
    verified: bool | None
    spec: dict[str, Any]
    timing: dict[str, Any]
    complete: bool
    length: dict[str, Any] = field(default_factory=dict)
    refusals: dict[str, Any] = field(default_factory=dict)
    charts: dict[str, Any] = field(default_factory=dict)
    section_order: list[str] = field(default_factory=list)
    model_id: str = ""
    description: str = ""
    dataset: str = ""
    """The dataset's name (`rmeval.data.naming`): the benchmark's, or a custom dataset's own."""
    data_description: str = ""
    """The data the run read (source and selection), for its data group's heading."""
    parts: dict[str, float] = field(default_factory=dict)
    parts_ci: dict[str, list[float]] = field(default_factory=dict)
    section_parts: dict[str, list[str]] = field(default_factory=dict)
    facets: dict[str, dict[str, Any]] = field(default_factory=dict)
    excluded: dict[str, dict[str, int]] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    """A step-level run's first objections against the labels, per subset (`rmeval.analysis.steps`)."""
    invalid_rows: int = 0
    """Rows the data left out as invalid (`--on-invalid skip`)."""
    created: str = ""

    @property
    def table(self) -> str:
        """The table the entry is ranked in: its benchmark's, or its custom dataset's own (by the dataset's name)."""
        return self.benchmark if self.benchmark != "custom" else self.dataset or "custom"

    @property
    def group_key(self) -> tuple[str, str]:
        """Entries with the same key scored the same examples under the same conventions."""
        return self.data_id, self.conventions_id


def _slug(model: str, folder: Path) -> str:
    """A file-safe, unique page name: the model's readable part plus a hash of the folder."""
    readable = "".join(c if c.isalnum() or c in "-_." else "-" for c in model.replace("/", "--"))[:60].strip("-.")
    digest = hashlib.sha256(str(folder.resolve()).encode("utf-8")).hexdigest()[:8]
    return f"{readable or 'model'}-{digest}"


def _margin_histogram(run: RunResult, bins: int = 16) -> dict[str, Any]:
    """Counts of worst-chosen-minus-best-rejected margins, per subset, on one shared range."""
    margins: dict[str, list[float]] = {}
    for s in run.samples:
        if not s.part and s.scores_chosen and s.scores_rejected:
            margins.setdefault(s.subset, []).append(min(s.scores_chosen) - max(s.scores_rejected))
    arrays = {name: np.asarray(v, dtype=np.float64) for name, v in margins.items()}
    arrays = {name: v[np.isfinite(v)] for name, v in arrays.items()}
    finite = [v for v in arrays.values() if v.size]
    if not finite:
        return {}
    # Zero is always in the range and on a bin edge: the chart shows where right turns into wrong.
    lo, hi = min(0.0, *(float(v.min()) for v in finite)), max(0.0, *(float(v.max()) for v in finite))
    if hi == lo:
        lo, hi = lo - 0.5, hi + 0.5
    step = (hi - lo) / bins
    lo = math.floor(lo / step) * step
    edges = lo + step * np.arange(math.ceil((hi - lo) / step - 1e-9) + 1)
    edges[-1] = max(float(edges[-1]), hi)  # the largest margin is counted whatever the rounding
    counts = {name: np.histogram(v, bins=edges)[0].tolist() for name, v in arrays.items()}
    return {"lo": lo, "hi": float(edges[-1]), "counts": counts}


def _checked(run: RunResult, benchmark: BenchmarkSpec | None) -> tuple[bool | None, Intervals | None]:
    """Whether the stored metrics are those of the samples (None when this rmeval does not know the benchmark), and
    the run's intervals: as stored, or computed here for a run that stored none.

    The point metrics are recomputed by the run's own metric function; intervals stored are trusted here (`rmeval
    report` recomputes them too), which keeps a site of hundreds of runs quick to build.
    """
    if benchmark is None:
        return None, run.metrics.ci
    recomputed = recompute(run, intervals=run.metrics.ci is None, benchmark=benchmark)
    diffs = run_differences(run, recomputed)
    for d in diffs:
        log.warning("%s: %s", run.spec.scorer.get("model", "?"), d)
    return not diffs, run.metrics.ci or recomputed.ci


def load_entry(folder: Path) -> Entry:
    """Read one result folder; metrics are checked against samples.jsonl when the benchmark is known here."""
    run = read_run(folder)
    try:
        benchmark: BenchmarkSpec | None = benchmark_of(run.spec)
    except ValueError as e:  # a benchmark newer than this rmeval: show what result.json stored
        log.warning("%s: %s; showing the stored metrics unchecked", folder, e)
        benchmark = None
    metrics = run.metrics
    verified, ci = _checked(run, benchmark)
    scorer = run.spec.scorer if isinstance(run.spec.scorer, dict) else {}
    data = run.spec.data if isinstance(run.spec.data, dict) else {}
    model = display_name(run.spec) if scorer.get("model") or run.spec.name else folder.name
    sub_ci = ci.subsets if ci is not None else {}
    subsets = {name: {"accuracy": m.accuracy, "n": m.n, "ties": m.ties,
                      "ci": list(sub_ci[name]) if name in sub_ci else None} for name, m in metrics.subsets.items()}
    entry = Entry(
        folder=folder, slug=_slug(model, folder), model=model, kind=scorer_kind(scorer),
        benchmark=run.spec.benchmark, score=metrics.score, score_ci=list(ci.score) if ci else None,
        sections=dict(metrics.sections), sections_ci={k: list(v) for k, v in ci.sections.items()} if ci else {},
        subsets=subsets,
        data_id=data_fingerprint(run.spec, run.samples), conventions_id=conventions_fingerprint(run.spec),
        data_label=data_source_label(run.spec), verified=verified, spec=run.result_dict()["spec"],
        timing=dict(run.timing), complete=metrics.complete,
        section_order=[s.name for s in benchmark.sections] if benchmark else list(metrics.sections),
        model_id=str(scorer.get("model") or ""), description=benchmark.description if benchmark else "",
        dataset=dataset_name(data, run.spec.benchmark), data_description=data_description(data),
        invalid_rows=len(data.get("excluded_rows") or []), created=str(run.spec.created_at or ""),
        parts=dict(metrics.parts), parts_ci={k: list(v) for k, v in ci.parts.items()} if ci else {},
        section_parts={s.name: [p.name for p in s.parts] for s in benchmark.sections if s.parts} if benchmark else {},
        facets={k: v.to_dict() for k, v in metrics.facets.items()}, excluded=dict(metrics.excluded),
        counts=dict(metrics.counts),
    )
    if benchmark is not None:
        tie_credit = tie_credit_of(run.spec)
        entry.length = length_report(run.samples, benchmark, tie_credit).to_dict()
        rows = refusal_report(run.samples, benchmark)
        entry.refusals = {"rows": rows, "totals": refusal_totals(rows, run.samples, benchmark)}
        if has_step_view(benchmark):
            entry.steps = {k: v.to_dict() for k, v in step_views(run.samples, benchmark).items()}
    entry.charts = {"margins": _margin_histogram(run)}
    return entry
