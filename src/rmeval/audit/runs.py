"""What many reward models disagree with: the pairs that at least a given share of several runs get wrong (earn no
credit under the benchmark's rule), most-missed first, with the answers' length difference beside them (a pair
most models miss whose chosen answer is much shorter may be a length-biased label, or a hard pair).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rmeval.audit.findings import Flag
from rmeval.results import read_run
from rmeval.types import Example

__all__ = ["disagreements"]


def _length_difference(features: Mapping[str, Any]) -> int | None:
    """Characters of the chosen answer minus the longest rejected one (best-of-N: the first chosen)."""
    chosen, rejected = features.get("chars_chosen"), features.get("chars_rejected")
    if not chosen or not rejected:
        return None
    return int(chosen[0]) - max(int(r) for r in rejected)


def disagreements(folders: Sequence[Path], share: float, examples: Sequence[Example] = ()
                  ) -> tuple[dict[str, Any], list[Flag]]:
    """Pairs that at least `share` of the runs in `folders` get wrong: the summary for audit.json and the flags.

    Pairs are matched by (subset, id) across runs; a pair scored by fewer runs counts over those that scored it.
    With `examples`, lengths come from the texts; otherwise from the runs' recorded features.
    """
    if not 0 < share <= 1:
        raise ValueError(f"--wrong-share must be in (0, 1], got {share}")
    if len(folders) < 2:
        raise ValueError("--runs needs at least two result folders")
    runs = [read_run(f) for f in folders]
    benchmarks = sorted({r.spec.benchmark for r in runs})
    if len(benchmarks) > 1:
        raise ValueError(f"--runs: the runs are on different benchmarks ({', '.join(benchmarks)}); give runs of one")
    wrong: dict[tuple[str, str], int] = {}
    scored: dict[tuple[str, str], int] = {}
    lengths: dict[tuple[str, str], int | None] = {}
    for run in runs:
        for s in run.samples:
            if s.part:
                continue
            key = (s.subset, str(s.id))
            scored[key] = scored.get(key, 0) + 1
            wrong[key] = wrong.get(key, 0) + (1 if s.correct <= 0 else 0)
            if key not in lengths:
                lengths[key] = _length_difference(s.features)
    for ex in examples:
        if ex.key in lengths:
            lengths[ex.key] = len(ex.chosen[0]) - max(len(r) for r in ex.rejected)
    keys = sorted((k for k in scored if wrong[k] / scored[k] >= share),
                  key=lambda k: (-wrong[k] / scored[k], -wrong[k], k))
    rows: list[dict[str, Any]] = [{"subset": k[0], "id": k[1], "wrong": wrong[k], "runs": scored[k],
                                   "share": wrong[k] / scored[k], "length_difference": lengths.get(k)} for k in keys]
    summary = {"folders": [str(f) for f in folders], "models": [r.spec.display_name for r in runs],
               "benchmark": benchmarks[0], "share": share, "pairs": len(scored), "flagged": rows}
    flags = [Flag(r["subset"], r["id"], "runs", f"{r['wrong']} of {r['runs']} runs get it wrong"
                  + (f" (chosen minus rejected: {r['length_difference']:+d} characters)"
                     if r["length_difference"] is not None else "")) for r in rows]
    return summary, flags
