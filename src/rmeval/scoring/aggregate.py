"""From subset values to section scores and the headline score, as a benchmark defines them (SCORING.md).

The same function serves a run's point metrics (arrays of one value per run) and every bootstrap resample (arrays
of one value per resample), so the two can never disagree on a weight.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from rmeval.benchmarks import BenchmarkSpec

__all__ = ["combine"]

Floats = NDArray[np.float64]


def combine(subsets: Mapping[str, Floats], examples: Mapping[str, int], benchmark: BenchmarkSpec
            ) -> tuple[dict[str, Floats], Floats]:
    """Section values and the score from subset values (arrays of one shape).

    A section is the weighted mean of its scored subsets: a subset weighs its spec weight, or the examples it
    scored (`examples`) when the spec gives none; a section with no scored subset is left out. The score is the mean
    of the sections, or of the subsets on an open benchmark (custom data has no sections).
    """
    sections: dict[str, Floats] = {}
    for section in benchmark.sections:
        parts = [(subsets[s.name], float(s.weight) if s.weight is not None else float(examples[s.name]))
                 for s in section.subsets if s.name in subsets]
        total = sum(w for _, w in parts)
        if total > 0:
            sections[section.name] = np.asarray(sum(v * w for v, w in parts)) / total
    values = list(sections.values()) if benchmark.closed else list(subsets.values())
    if not values:
        shape = next(iter(subsets.values())).shape if subsets else ()
        return sections, np.full(shape, np.nan)
    return sections, np.asarray(np.mean(np.stack(values), axis=0), dtype=np.float64)
