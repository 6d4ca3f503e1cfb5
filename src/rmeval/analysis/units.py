"""What the bootstrap resamples: per subset, a table of units (examples, or Ties prompts) by terms.

A subset's value is the weighted sum of its terms' means over the units where each term applies (NaN elsewhere).
An ordinary subset has one term, the example's credit, so its value is its accuracy. RewardBench 2's Ties subset
has one unit per prompt (its `ref:` and `tied:` variants together) and the five terms of its composite, so
resampling prompts keeps each prompt's two variants together, as the composite needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rmeval.analysis.runs import credit_under
from rmeval.benchmarks import BenchmarkSpec
from rmeval.results import SampleRecord
from rmeval.ties import TIES_WEIGHTS, parse_ties_id, ties_score

__all__ = ["SubsetUnits", "pair_units", "run_units", "weighted_nanmeans"]

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class SubsetUnits:
    """One subset's units (rows) by terms (columns), for `runs` runs side by side (columns run-major).

    `examples` is how many examples the subset scored: its weight in a section when the spec gives none.
    """

    keys: tuple[str, ...]
    terms: Floats
    weights: tuple[float, ...]
    examples: int
    runs: int = 1

    def values(self) -> Floats:
        """The subset's value for each run on all of its units (shape (runs,))."""
        sums = np.nansum(self.terms, axis=0)[None, :]
        counts = np.sum(~np.isnan(self.terms), axis=0).astype(np.float64)[None, :]
        return np.asarray(weighted_nanmeans(sums, counts, self.weights, self.runs)[0], dtype=np.float64)


def weighted_nanmeans(sums: Floats, counts: Floats, weights: Sequence[float], runs: int) -> Floats:
    """Per row of column sums and counts (shape (r, runs * terms)): each run's weighted sum of term means.

    A term with no unit in a row is NaN, and so is the value (as `ties_score` gives NaN with no paired prompt).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    w = np.asarray(weights, dtype=np.float64)
    return np.asarray(means.reshape(means.shape[0], runs, len(w)) @ w, dtype=np.float64)


def _credit_units(samples: Sequence[SampleRecord], benchmark: BenchmarkSpec, tie_credit: float) -> SubsetUnits:
    rule = benchmark.rule_of(samples[0].subset)
    credits = np.array([credit_under(rule, s.scores_chosen, s.scores_rejected, tie_credit) for s in samples],
                       dtype=np.float64)
    return SubsetUnits(tuple(str(s.id) for s in samples), credits.reshape(len(samples), 1), (1.0,), len(samples))


def _ties_units(samples: Sequence[SampleRecord], subset: str) -> SubsetUnits:
    """One unit per prompt id; its terms are the composite's terms computed on that prompt alone."""
    by_prompt: dict[str, list[tuple[int | str, Sequence[float], Sequence[float]]]] = {}
    for s in samples:
        parsed = parse_ties_id(s.id)
        if parsed is None:
            raise ValueError(f"samples.jsonl: subset {subset!r}, id {s.id!r}: a Ties id must be ref:<pid> or "
                             "tied:<pid>")
        by_prompt.setdefault(parsed[1], []).append((s.id, s.scores_chosen, s.scores_rejected))
    names = list(TIES_WEIGHTS)
    rows = [[ties_score(rows).terms[k] for k in names] for rows in by_prompt.values()]
    terms = np.array(rows, dtype=np.float64).reshape(len(rows), len(names))
    return SubsetUnits(tuple(by_prompt), terms, tuple(TIES_WEIGHTS[k] for k in names), len(samples))


def run_units(samples: Sequence[SampleRecord], benchmark: BenchmarkSpec, tie_credit: float = 0.0,
              part: str = "") -> dict[str, SubsetUnits]:
    """Every subset's units, in the benchmark's order (sorted by name for open benchmarks)."""
    grouped: dict[str, list[SampleRecord]] = {}
    for s in samples:
        if s.part == part:
            grouped.setdefault(s.subset, []).append(s)
    order = [n for n in benchmark.subset_names() if n in grouped] if benchmark.closed else sorted(grouped)
    return {name: (_ties_units(grouped[name], name) if benchmark.rule_of(name) == "ties"
                   else _credit_units(grouped[name], benchmark, tie_credit)) for name in order}


def pair_units(a: Mapping[str, SubsetUnits], b: Mapping[str, SubsetUnits]) -> dict[str, SubsetUnits]:
    """Two runs' units on the units both have, side by side (A's columns first), subset by subset."""
    out = {}
    for name, ua in a.items():
        ub = b.get(name)
        if ub is None:
            continue
        index_b = {k: i for i, k in enumerate(ub.keys)}
        common = [(i, index_b[k]) for i, k in enumerate(ua.keys) if k in index_b]
        if not common:
            continue
        ia, ib = (np.array(x, dtype=np.int64) for x in zip(*common, strict=True))
        terms = np.concatenate([ua.terms[ia], ub.terms[ib]], axis=1)
        # A subset weighted by its rows weighs, in the comparison, the share of its examples both runs scored.
        examples = round(ua.examples * len(common) / len(ua.keys))
        out[name] = SubsetUnits(tuple(ua.keys[i] for i in ia), terms, ua.weights, examples, runs=2)
    return out
