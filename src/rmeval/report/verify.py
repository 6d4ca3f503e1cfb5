"""Checking a result folder: do the metrics recomputed from samples.jsonl equal those result.json stored?"""

from __future__ import annotations

import math
from typing import Any

from rmeval.results import RunResult, benchmark_of, tie_credit_of
from rmeval.scoring import Metrics, run_credits

__all__ = ["close", "differences", "run_differences"]


def close(a: Any, b: Any) -> bool:
    """Equal numbers within 1e-12 (NaN equals NaN), recursively through lists, tuples and dicts.

    >>> close({"x": [0.5, float("nan")]}, {"x": [0.5 + 1e-15, float("nan")]}), close([1.0], [1.1])
    (True, False)
    """
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=0, abs_tol=1e-12)
    return bool(a == b)


def _pct(x: float) -> str:
    return f"{100 * x:.4f} %"


def differences(recomputed: Metrics, stored: Metrics, label: str = "") -> list[str]:
    """What differs between recomputed metrics and stored ones (intervals only when both have them)."""
    out = []
    if not close(recomputed.score, stored.score):
        out.append(f"{label}score: stored {_pct(stored.score)}, recomputed {_pct(recomputed.score)}")
    for name, value in stored.sections.items():
        section = recomputed.sections.get(name)
        if section is None or not close(section, value):
            out.append(f"{label}section {name}: stored {_pct(value)}, recomputed "
                       f"{'missing' if section is None else _pct(section)}")
    for name, m in stored.subsets.items():
        r = recomputed.subsets.get(name)
        if r is None or not close(r.accuracy, m.accuracy):
            out.append(f"{label}subset {name}: stored {_pct(m.accuracy)}, recomputed "
                       f"{'missing' if r is None else _pct(r.accuracy)}")
        elif (r.n, r.ties) != (m.n, m.ties):
            out.append(f"{label}subset {name}: stored n={m.n}, ties={m.ties}; samples.jsonl has n={r.n}, "
                       f"ties={r.ties}")
    for name, value in stored.parts.items():
        if not close(recomputed.parts.get(name, math.nan), value):
            out.append(f"{label}part {name}: stored {_pct(value)}, recomputed differs")
    for name, facet in stored.facets.items():
        again = recomputed.facets.get(name)
        if again is None or not close((again.score, again.sections, again.subsets), (facet.score, facet.sections,
                                                                                     facet.subsets)):
            out.append(f"{label}facet {name}: stored score {_pct(facet.score)}, recomputed "
                       f"{'missing' if again is None else _pct(again.score)}")
    if recomputed.excluded != stored.excluded:
        out.append(f"{label}rows left out: stored {stored.excluded}, recomputed {recomputed.excluded}")
    extra = [k for k in recomputed.subsets if k not in stored.subsets]
    if extra:
        out.append(f"{label}subsets not in result.json: {', '.join(extra)}")
    if recomputed.ci is not None and stored.ci is not None and not close(recomputed.ci.to_dict(),
                                                                         stored.ci.to_dict()):
        out.append(f"{label}bootstrap intervals differ from those stored")
    for part, companion in stored.companions.items():
        mine = recomputed.companions.get(part)
        if mine is None:
            out.append(f"{label}{companion.title}: stored, but samples.jsonl holds none of its examples")
            continue
        out += differences(mine.metrics, companion.metrics, f"{companion.title}: ")
        if companion.combined and (mine.combined is None or not close(mine.combined.value, companion.combined.value)):
            out.append(f"{label}{companion.combined.name}: differs from the one stored")
    return out


def run_differences(run: RunResult, recomputed: Metrics) -> list[str]:
    """Everything a reader must know before trusting a folder: samples.jsonl edited or out of step with
    result.json, examples whose recorded credit is not what their scores earn, and metric differences."""
    out = []
    if run.samples_match is False:
        out.append("samples.jsonl is not the file result.json was computed from (edited afterwards, or written by "
                   "an interrupted run)")
    mine = [s for s in run.samples if not s.part]
    credit, _ = run_credits(benchmark_of(run.spec), [s.subset for s in mine], [s.scores_chosen for s in mine],
                            [s.scores_rejected for s in mine], tie_credit_of(run.spec), [s.facts for s in mine],
                            [s.details for s in mine])
    wrong = [(s, c) for s, c in zip(mine, credit, strict=True) if not close(s.correct, float(c))]
    if wrong:
        s, c = wrong[0]
        out.append(f"samples.jsonl: {len(wrong)} example(s) record a credit their scores do not earn (first: subset "
                   f"{s.subset!r}, id {s.id!r}: {s.correct} recorded, {float(c)} from its scores)")
    return out + differences(recomputed, run.metrics)
