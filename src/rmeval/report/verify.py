"""Checking a result folder: do the metrics recomputed from samples.jsonl equal those result.json stored?

`run_differences` is what `report` prints. `verify_folders` and `refuse_unverified` are the gate every other reader
(`compare`, `leaderboard`, `merge`) passes folders through first: a folder whose samples were edited, whose
recorded credits or numbers are not what its scores give, or whose schema-2 result.json lost its `samples_sha256`,
is refused with one line (`--trust` shows it anyway, marked, where the command has it).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rmeval.common.errors import UsageError
from rmeval.results import RunResult, benchmark_of, read_run, recompute, tie_credit_of
from rmeval.scoring import Metrics, run_credits

__all__ = ["Verdict", "close", "differences", "hash_differences", "refuse_unverified", "run_differences",
           "verify_folders", "verify_run"]


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


def hash_differences(run: RunResult) -> list[str]:
    """Whether samples.jsonl is the file result.json recorded the sha256 of (the one check that needs no
    benchmark): edited, out of step, or its hash removed from a schema-2 result.json."""
    if run.samples_match is False:
        return ["samples.jsonl is not the file result.json was computed from (edited afterwards, or written by an "
                "interrupted run)"]
    if run.samples_match is None and run.schema_version >= 2:
        return ["result.json records no samples_sha256 (every schema-2 result.json does: it was removed), so "
                "samples.jsonl cannot be checked"]
    return []


def run_differences(run: RunResult, recomputed: Metrics) -> list[str]:
    """Everything a reader must know before trusting a folder: samples.jsonl edited or out of step with
    result.json, examples whose recorded credit is not what their scores earn, and metric differences."""
    out = hash_differences(run)
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


@dataclass(frozen=True)
class Verdict:
    """What the gate found in one folder: `problems` (empty when it verifies); `recomputed` is False when this
    rmeval does not know its benchmark, so only its samples' hash and credits could be checked."""

    folder: Path
    problems: tuple[str, ...]
    recomputed: bool = True


def verify_run(folder: Path, run: RunResult) -> Verdict:
    """`report`'s checks of a folder already read: hash, credits, every metric and interval recomputed."""
    try:
        benchmark_of(run.spec)
    except ValueError:  # a benchmark newer than this rmeval: its numbers cannot be recomputed here
        return Verdict(folder, tuple(hash_differences(run)), recomputed=False)
    return Verdict(folder, tuple(run_differences(run, recompute(run))))


def _verify(folder: Path) -> Verdict:
    return verify_run(folder, read_run(folder))


PARALLEL_FROM = 8
"""Folders from which the gate spreads over the CPU cores."""


def verify_folders(folders: Iterable[Path], workers: int | None = None) -> list[Verdict]:
    """The verdict on every folder (a folder that cannot be read at all stops the command with its own line)."""
    todo = list(folders)
    workers = workers or min(os.cpu_count() or 1, 8)
    if workers < 2 or len(todo) < PARALLEL_FROM:
        return [_verify(f) for f in todo]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_verify, todo, chunksize=max(1, len(todo) // (4 * workers))))


def refuse_unverified(verdicts: Sequence[Verdict], trust: bool | None) -> list[Verdict]:
    """The verdicts with problems; unless `trust`, a UsageError naming the first such folder and its first problem
    (`trust=None`: the command has no --trust)."""
    bad = [v for v in verdicts if v.problems]
    if bad and not trust:
        first = bad[0]
        more = f"; {len(bad) - 1} more folder(s) fail too" if len(bad) > 1 else ""
        also = f"{len(first.problems) - 1} more finding(s): " if len(first.problems) > 1 else ""
        shown = ", or --trust to show it anyway, marked" if trust is not None else ""
        raise UsageError(f"{first.folder} does not verify: {first.problems[0]}{more} ({also}`rmeval report "
                         f"{first.folder}` lists what differs{shown})")
    return bad
