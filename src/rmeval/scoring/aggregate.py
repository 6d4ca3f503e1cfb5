"""From subset values to section scores and the headline score, as a benchmark defines them (SCORING.md).

The same function serves a run's point metrics (arrays of one value per run) and every bootstrap resample (arrays
of one value per resample), so the two can never disagree on a weight.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rmeval.benchmarks import BenchmarkSpec, Section

__all__ = ["Combined", "combine", "combine_all"]

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Combined:
    """Section values (the benchmark's top-level sections), the values of sections nested in them (`parts`,
    M-RewardBench's four sections of each language) and the score, arrays of one shape."""

    sections: dict[str, Floats]
    parts: dict[str, Floats]
    score: Floats


def _weighted(values: list[tuple[Floats, float]]) -> Floats | None:
    total = sum(w for _, w in values)
    return np.asarray(sum(v * w for v, w in values)) / total if total > 0 else None


def _section(section: Section, subsets: Mapping[str, Floats], examples: Mapping[str, int],
             parts: dict[str, Floats]) -> tuple[Floats | None, int]:
    """A section's value (None when none of its subsets was scored) and the examples it scored."""
    if section.parts:
        values, scored = [], 0
        for part in section.parts:
            value, n = _section(part, subsets, examples, parts)
            if value is not None:
                parts[part.name] = value
                values.append((value, float(part.weight) if part.weight is not None else float(n)))
                scored += n
        return _weighted(values), scored
    members = [(subsets[s.name], float(s.weight) if s.weight is not None else float(examples[s.name]))
               for s in section.subsets if s.name in subsets]
    return _weighted(members), sum(examples[s.name] for s in section.subsets if s.name in subsets)


def combine(subsets: Mapping[str, Floats], examples: Mapping[str, int], benchmark: BenchmarkSpec
            ) -> tuple[dict[str, Floats], Floats]:
    """(section values, score) of `combine_all`."""
    c = combine_all(subsets, examples, benchmark)
    return c.sections, c.score


def combine_all(subsets: Mapping[str, Floats], examples: Mapping[str, int], benchmark: BenchmarkSpec,
                pooled: Floats | None = None) -> Combined:
    """Section values, nested parts and the score from subset values (arrays of one shape).

    A section is the weighted mean of its scored subsets (or of its parts): a subset weighs its spec weight, or the
    examples it scored (`examples`) when the spec gives none; a section with no scored subset is left out. The
    score is the mean of the sections weighted by their weights (by the examples they scored where a weight is
    None), or the mean of the subsets on an open benchmark (custom data has no sections); a benchmark whose score
    pools every subset's units (`BenchmarkSpec.pooled_score`) gives it as `pooled`.
    """
    sections: dict[str, Floats] = {}
    parts: dict[str, Floats] = {}
    weights: list[float] = []
    for section in benchmark.sections:
        value, n = _section(section, subsets, examples, parts)
        if value is not None:
            sections[section.name] = value
            weights.append(float(section.weight) if section.weight is not None else float(n))
    if pooled is not None:
        return Combined(sections, parts, np.asarray(pooled, dtype=np.float64))
    values = list(sections.values()) if benchmark.closed else list(subsets.values())
    if not values:
        shape = next(iter(subsets.values())).shape if subsets else ()
        return Combined(sections, parts, np.full(shape, np.nan))
    if not benchmark.closed or all(w == 1.0 for w in weights):  # the plain mean, computed as it always was
        return Combined(sections, parts, np.asarray(np.mean(np.stack(values), axis=0), dtype=np.float64))
    score = _weighted(list(zip(values, weights, strict=True)))
    return Combined(sections, parts, np.asarray(score, dtype=np.float64))
