"""Benchmark prompts that overlap a training set's: a shared word n-gram (13 by default, as GPT-3's decontamination
used), an identical prompt where one is shorter than n words, or a near-duplicate by MinHash (datasketch's
MinHash and MinHashLSH over word 5-gram shingles, estimated Jaccard at least the threshold).

Fast enough for millions of rows: the benchmark's n-grams are hashed once; training prompts are read in chunks,
their words mapped to the benchmark's vocabulary (a word the benchmark never uses breaks every n-gram through it),
and every window of a chunk is hashed and looked up with numpy at once; only the rows that share a hash are
looked at again, and a match is confirmed on the words themselves. MinHash is computed only for training rows
whose distinct 5-grams are at least the threshold's share in the benchmark's (a near-duplicate's must be), and
every candidate the index returns is confirmed by its exact Jaccard.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rmeval.common.extras import require

__all__ = ["Match", "OverlapIndex", "tokens"]

_WORD = re.compile(r"\w+")
_PRIME = np.uint64(1099511628211)
UNKNOWN = np.uint64(2**63 - 1)
SHINGLE = 5
CHUNK = 20_000
Ids = NDArray[np.uint64]


def tokens(text: str) -> list[str]:
    """Lower-cased words (runs of letters, digits and underscores).

    >>> tokens("Write a Python function `f(x)`!")
    ['write', 'a', 'python', 'function', 'f', 'x']
    """
    return _WORD.findall(text.lower())


def _window_hashes(ids: Ids, starts: NDArray[np.int64], n: int) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    """The hash of every n-word window lying inside one row and holding no unknown word, with its start."""
    if len(ids) < n:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    count = len(ids) - n + 1
    h = np.zeros(count, np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            h = h * _PRIME + ids[k:k + count]
    unknown = np.concatenate([[0], np.cumsum(ids == UNKNOWN)])
    lengths = np.diff(np.append(starts, len(ids)))
    row = np.repeat(np.arange(len(starts)), lengths)
    ok = (unknown[n:n + count] - unknown[:count] == 0) & (row[:count] == row[n - 1:n - 1 + count])
    return h[ok], np.nonzero(ok)[0]


@dataclass
class Match:
    """A training row that overlaps a benchmark prompt: how, and the evidence."""

    prompt: int
    row: int
    kind: str
    evidence: str
    jaccard: float | None = None


@dataclass
class OverlapIndex:
    """The benchmark prompts' n-grams (and their MinHash index), ready to scan training prompts against."""

    prompts: Sequence[str]
    n: int = 13
    minhash_threshold: float | None = 0.8
    vocab: dict[str, int] = field(default_factory=dict)
    _words: list[list[int]] = field(default_factory=list)
    _table: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    _sorted: Ids = field(default_factory=lambda: np.empty(0, np.uint64))
    _short: dict[tuple[int, ...], list[int]] = field(default_factory=dict)
    _shingles: Ids = field(default_factory=lambda: np.empty(0, np.uint64))
    _lsh: Any = None
    _sets: list[set[int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"--ngram must be at least 1, got {self.n}")
        for text in self.prompts:
            self._words.append([self.vocab.setdefault(t, len(self.vocab)) for t in tokens(text)])
        ids, starts = self._pack(self._words)
        hashes, at = _window_hashes(ids, starts, self.n)
        rows = np.searchsorted(starts, at, side="right") - 1
        for h, i, s in zip(hashes.tolist(), rows.tolist(), (at - starts[rows]).tolist(), strict=True):
            self._table.setdefault(h, []).append((i, s))
        self._sorted = np.unique(hashes)
        for i, words in enumerate(self._words):
            if 0 < len(words) < self.n:
                self._short.setdefault(tuple(words), []).append(i)
        if self.minhash_threshold is not None:
            self._build_minhash(ids, starts)

    @staticmethod
    def _pack(rows: Sequence[Sequence[int]]) -> tuple[Ids, NDArray[np.int64]]:
        lengths = np.fromiter((len(r) for r in rows), np.int64, len(rows))
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64) if len(rows) else lengths
        flat = np.fromiter((w for r in rows for w in r), np.uint64, int(lengths.sum()))
        return flat, starts

    def _build_minhash(self, ids: Ids, starts: NDArray[np.int64]) -> None:
        require("datasketch", extra="audit", purpose="MinHash near-duplicates (--minhash-threshold)")
        from datasketch import MinHashLSH

        hashes, at = _window_hashes(ids, starts, SHINGLE)
        rows = np.searchsorted(starts, at, side="right") - 1
        self._sets = [set() for _ in self._words]
        for h, i in zip(hashes.tolist(), rows.tolist(), strict=True):
            self._sets[i].add(h)
        self._shingles = np.unique(hashes)
        self._lsh = MinHashLSH(threshold=self.minhash_threshold, num_perm=128)
        for i, shingles in enumerate(self._sets):
            if shingles:
                self._lsh.insert(i, _minhash(shingles))

    def scan(self, rows: Iterable[tuple[int, str]]) -> Iterator[Match]:
        """Every overlap of the training prompts `(row number, text)` with the benchmark's, chunk by chunk."""
        it = iter(rows)
        while chunk := list(islice(it, CHUNK)):
            yield from self._scan_chunk(chunk)

    def _scan_chunk(self, chunk: Sequence[tuple[int, str]]) -> Iterator[Match]:
        get = self.vocab.get
        unknown = int(UNKNOWN)
        words = [[get(t, unknown) for t in tokens(text)] for _, text in chunk]
        ids, starts = self._pack(words)
        hashes, at = _window_hashes(ids, starts, self.n)
        hit = np.isin(hashes, self._sorted)
        seen: set[tuple[int, int]] = set()
        for h, pos in zip(hashes[hit].tolist(), at[hit].tolist(), strict=True):
            r = int(np.searchsorted(starts, pos, side="right") - 1)
            window = ids[pos:pos + self.n].tolist()
            for prompt, start in self._table.get(h, []):
                if (prompt, r) in seen or self._words[prompt][start:start + self.n] != window:
                    continue  # one match per pair; a hash collision is no match
                seen.add((prompt, r))
                yield Match(prompt, chunk[r][0], f"{self.n}-gram", " ".join(tokens(self.prompts[prompt])
                                                                             [start:start + self.n]))
        for r, w in enumerate(words):
            for prompt in self._short.get(tuple(w), []):
                if (prompt, r) not in seen:
                    seen.add((prompt, r))
                    yield Match(prompt, chunk[r][0], "identical", self.prompts[prompt][:200])
        if self._lsh is not None:
            yield from self._near_duplicates(chunk, ids, starts, seen)

    def _near_duplicates(self, chunk: Sequence[tuple[int, str]], ids: Ids, starts: NDArray[np.int64],
                         seen: set[tuple[int, int]]) -> Iterator[Match]:
        threshold = self.minhash_threshold or 1.0
        hashes, at = _window_hashes(ids, starts, SHINGLE)
        rows = np.searchsorted(starts, at, side="right") - 1
        some = np.isin(rows, np.unique(rows[np.isin(hashes, self._shingles)]))  # rows sharing any shingle
        hashes, rows = hashes[some], rows[some]
        order = np.lexsort((hashes, rows))  # each row's distinct shingles
        hashes, rows = hashes[order], rows[order]
        first = np.ones(len(hashes), bool)
        first[1:] = (hashes[1:] != hashes[:-1]) | (rows[1:] != rows[:-1])
        hashes, rows = hashes[first], rows[first]
        known = np.isin(hashes, self._shingles)
        # Jaccard >= t with any benchmark prompt needs at least t of the row's shingles in the benchmark's
        distinct = np.bincount(rows, minlength=len(chunk))
        shared = np.bincount(rows[known], minlength=len(chunk))
        candidates = np.nonzero((shared > 0) & (shared >= threshold * distinct))[0]
        if not len(candidates):
            return
        keep = np.isin(rows, candidates)
        by_row: dict[int, set[int]] = {int(r): set() for r in candidates}
        for h, r in zip(hashes[keep].tolist(), rows[keep].tolist(), strict=True):
            by_row[r].add(h)
        for r, shingles in by_row.items():
            for prompt in self._lsh.query(_minhash(shingles)):
                mine = self._sets[prompt]
                jaccard = len(mine & shingles) / len(mine | shingles)
                if (prompt, r) not in seen and jaccard >= threshold:
                    yield Match(prompt, chunk[r][0], "near-duplicate", f"Jaccard {jaccard:.2f} on word "
                                f"{SHINGLE}-grams", round(jaccard, 4))


@functools.lru_cache(maxsize=1)
def _permutations() -> Any:
    """datasketch draws a MinHash's permutations in its constructor: drawn once, shared by every MinHash."""
    from datasketch import MinHash

    template = MinHash(num_perm=128, hashfunc=int)
    return template.permutations, template.scheme


def _minhash(shingles: set[int]) -> Any:
    from datasketch import MinHash

    permutations, scheme = _permutations()
    m = MinHash(num_perm=128, hashfunc=int, permutations=permutations, scheme=scheme)
    m.update_batch([h & 0xFFFFFFFF for h in shingles])
    return m
