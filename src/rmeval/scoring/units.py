"""What a subset's value is made of: a table of units (examples, or Ties prompts) by terms.

A subset's value is the weighted sum of its terms' means over the units where each term applies (NaN elsewhere).
An ordinary subset has one term, the example's credit, so its value is its accuracy; its facets (RM-Bench's Easy /
Normal / Hard, PPE's Best-of-K) are further columns, averaged the same way and resampled with the same units, that
the value does not include. RewardBench 2's Ties subset
has one unit per prompt (its `ref:` and `tied:` variants together) and the five terms of its composite, so
resampling prompts keeps each prompt's two variants together, as the composite needs. A run's point metrics are
these tables' values; the bootstrap resamples the same tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rmeval.benchmarks import BenchmarkSpec
from rmeval.scoring.credit import run_scoring
from rmeval.scoring.steps import STEP_RULES, VALUES, subset_values
from rmeval.scoring.ties import TIES_WEIGHTS, TiesResult, ties_table
from rmeval.types import SampleRecord

__all__ = ["SubsetUnits", "pair_units", "pooled_values", "run_units", "weighted_nanmeans"]

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class SubsetUnits:
    """One subset's units (rows) by terms (columns), for `runs` runs side by side (columns run-major).

    `examples` is how many examples the subset scored (its weight in a section when the spec gives none) and
    `ties` how many of them were ties; `ties_detail` is the Ties composite with its terms, for a Ties subset.
    `facets` holds one column per name of `facet_names` and run (run-major, like `terms`).
    """

    keys: tuple[str, ...]
    terms: Floats
    weights: tuple[float, ...]
    examples: int
    ties: int = 0
    runs: int = 1
    ties_detail: TiesResult | None = None
    facets: Floats | None = None
    facet_names: tuple[str, ...] = ()
    value: str = "weighted"
    """How the terms make the subset's value (`rmeval.scoring.steps.subset_values`): the weighted sum of their
    means, or a step rule's function of them (ProcessBench's F1, PRMBench's PRMScore)."""

    def facet_values(self) -> dict[str, float]:
        """Each facet's mean over the units, for the first run (NaN when no unit has it)."""
        if self.facets is None:
            return {}
        out = {}
        for j, name in enumerate(self.facet_names):
            column = self.facets[:, j]
            present = column[~np.isnan(column)]
            out[name] = float(np.mean(present)) if present.size else float("nan")
        return out

    def sums(self) -> tuple[Floats, Floats]:
        """Each term's sum and count over the units it applies to (shape (1, runs * terms))."""
        present = ~np.isnan(self.terms)
        return (np.where(present, self.terms, 0.0).sum(axis=0, keepdims=True),
                present.sum(axis=0, keepdims=True).astype(np.float64))

    def values(self) -> Floats:
        """The subset's value for each run on all of its units (shape (runs,)): each term's mean over the units it
        applies to, weighted (or the step rule's function of the terms)."""
        if self.value == "weighted":  # term by term, exactly as it was always computed
            width = len(self.weights)
            out = np.empty(self.runs, dtype=np.float64)
            for run in range(self.runs):
                total = 0.0
                for j, w in enumerate(self.weights):
                    column = self.terms[:, run * width + j]
                    present = column[~np.isnan(column)]
                    total += w * (float(np.mean(present)) if present.size else float("nan"))
                out[run] = total
            return out
        sums, counts = self.sums()
        return np.asarray(subset_values(self.value, sums, counts, self.weights, self.runs)[0], dtype=np.float64)


def weighted_nanmeans(sums: Floats, counts: Floats, weights: Sequence[float], runs: int,
                      value: str = "weighted") -> Floats:
    """Per row of column sums and counts (shape (r, runs * terms)): each run's weighted sum of term means (or the
    subset's `value` function of them).

    A term with no unit in a row is NaN, and so is the value (as the Ties composite is NaN with no paired prompt).
    """
    return subset_values(value, sums, counts, weights, runs)


def pooled_values(units: Mapping[str, SubsetUnits], value: str) -> Floats:
    """A score pooled over every subset's units (PRMBench's overall PRMScore: its counts summed over the
    categories), one per run."""
    first = next(iter(units.values()))
    sums = sum((u.sums()[0] for u in units.values()), np.zeros((1, first.terms.shape[1])))
    counts = sum((u.sums()[1] for u in units.values()), np.zeros((1, first.terms.shape[1])))
    return np.asarray(subset_values(value, sums, counts, first.weights, first.runs)[0], dtype=np.float64)


def _ties_units(samples: Sequence[SampleRecord], ties: int) -> SubsetUnits:
    """One unit per prompt id; its terms are the composite's terms computed on that prompt alone."""
    try:
        table = ties_table((s.id, s.scores_chosen, s.scores_rejected) for s in samples)
    except ValueError as e:
        raise ValueError(f"samples.jsonl: subset {samples[0].subset!r}: {e}") from None
    return SubsetUnits(table.prompt_ids, table.terms, tuple(TIES_WEIGHTS.values()), len(samples), ties,
                       ties_detail=table.result())


def run_units(samples: Sequence[SampleRecord], benchmark: BenchmarkSpec, tie_credit: float = 0.0,
              part: str = "") -> dict[str, SubsetUnits]:
    """Every subset's units, in the benchmark's order (sorted by name for open benchmarks)."""
    mine = [s for s in samples if s.part == part]
    scored = run_scoring(benchmark, [s.subset for s in mine], [s.scores_chosen for s in mine],
                         [s.scores_rejected for s in mine], tie_credit, [s.facts for s in mine],
                         [s.details for s in mine])
    credit, tie = scored.credit, scored.tie
    grouped: dict[str, list[int]] = {}
    for i, s in enumerate(mine):
        grouped.setdefault(s.subset, []).append(i)
    order = [n for n in benchmark.subset_names() if n in grouped] if benchmark.closed else sorted(grouped)
    out = {}
    for name in order:
        rows = grouped[name]
        ties = int(tie[rows].sum())
        rule = benchmark.rule_of(name)
        if rule == "ties":
            out[name] = _ties_units([mine[i] for i in rows], ties)
        elif rule in STEP_RULES:
            names = tuple(k for k, v in scored.facets.items() if not np.isnan(v[rows]).all())
            facets = np.stack([scored.facets[k][rows] for k in names], axis=1) if names else None
            terms = scored.terms[rule][rows]
            out[name] = SubsetUnits(tuple(str(mine[i].id) for i in rows), terms, (1.0,) * terms.shape[1],
                                    len(rows), ties, facets=facets, facet_names=names, value=VALUES[rule])
        else:
            names = tuple(k for k, v in scored.facets.items() if not np.isnan(v[rows]).all())
            facets = np.stack([scored.facets[k][rows] for k in names], axis=1) if names else None
            out[name] = SubsetUnits(tuple(str(mine[i].id) for i in rows), credit[rows].reshape(len(rows), 1), (1.0,),
                                    len(rows), ties, facets=facets, facet_names=names)
    return out


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
        both = ua.facets is not None and ub.facets is not None and ua.facet_names == ub.facet_names
        facets = np.concatenate([ua.facets[ia], ub.facets[ib]], axis=1) if both else None  # type: ignore[index]
        out[name] = SubsetUnits(tuple(ua.keys[i] for i in ia), terms, ua.weights, examples, runs=2, facets=facets,
                                facet_names=ua.facet_names if both else (), value=ua.value)
    return out
