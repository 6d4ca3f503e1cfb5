"""Which examples of two runs are the same example: paired by what they hold (the digest of their prompt and
answers, `Example.digest`), never by a row number or an id, so the same pairs in another order pair up and two
different files do not.

Runs written before digests were recorded pair by (subset, id) only when they read the very same data (the same
data fingerprint); otherwise there is nothing safe to pair them by.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rmeval.types import SampleRecord

__all__ = ["Alignment", "align_runs"]


@dataclass(frozen=True)
class Alignment:
    """The two runs' examples both hold, side by side (B's renamed to A's subset and id), and what only one holds.
    `by` is how they were paired: `content` or, for older runs of the same data, `key`."""

    a: list[SampleRecord]
    b: list[SampleRecord]
    only_a: int
    only_b: int
    by: str

    @property
    def same_data(self) -> bool:
        """Whether the two runs hold exactly the same examples."""
        return not self.only_a and not self.only_b


def _keys(samples: Sequence[SampleRecord], by: str) -> list[tuple[str, ...]]:
    """Each sample's pairing key; a digest seen k times is k keys (the same pair twice in a file pairs twice)."""
    seen: Counter[str] = Counter()
    out: list[tuple[str, ...]] = []
    for s in samples:
        if by == "key":
            out.append(s.key)
            continue
        seen[s.digest] += 1
        out.append((s.digest, str(seen[s.digest])))
    return out


def align_runs(a: Sequence[SampleRecord], b: Sequence[SampleRecord], same_fingerprint: bool) -> Alignment | None:
    """The examples (of the benchmark itself, not its companion sets) both runs hold; None when they cannot be
    paired safely (a run without digests, on other data)."""
    main_a, main_b = [s for s in a if not s.part], [s for s in b if not s.part]
    by = "content" if all(s.digest for s in (*main_a, *main_b)) else "key"
    if by == "key" and not same_fingerprint:
        return None
    index_b = dict(zip(_keys(main_b, by), main_b, strict=True))
    paired_a, paired_b = [], []
    for key, sa in zip(_keys(main_a, by), main_a, strict=True):
        sb = index_b.get(key)
        if sb is not None:
            paired_a.append(sa)
            paired_b.append(replace(sb, subset=sa.subset, id=sa.id))
    return Alignment(paired_a, paired_b, len(main_a) - len(paired_a), len(main_b) - len(paired_b), by)
