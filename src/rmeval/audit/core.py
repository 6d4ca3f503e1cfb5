"""One audit: the checks that apply to the data's subsets, the disagreement of several runs, the overlap with a
training set; everything into one `AuditReport`."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rmeval.audit.code import check_code
from rmeval.audit.findings import CHECKS, AuditReport, Flag, Verdict
from rmeval.audit.humanevalpack import HUB_ID, ProblemIndex, load_problems
from rmeval.audit.maths import check_math
from rmeval.audit.overlap import OverlapIndex
from rmeval.audit.runs import disagreements
from rmeval.audit.safety import check_safety
from rmeval.audit.sandbox import Limits, Sandbox
from rmeval.audit.targets import Target, targets_for
from rmeval.audit.training import read_training_prompts
from rmeval.data import LoadedData
from rmeval.types import Example

__all__ = ["AuditOptions", "run_audit"]

MATCHES_PER_PROMPT = 10
"""Training rows listed per overlapping benchmark prompt (all are counted)."""


@dataclass(frozen=True)
class AuditOptions:
    """What to check and how (the command's options)."""

    checks: tuple[str, ...] = CHECKS
    tests: str = HUB_ID
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    limits: Limits = field(default_factory=Limits)
    compile_seconds: float = 60.0
    runs: tuple[Path, ...] = ()
    wrong_share: float = 0.75
    train: str | None = None
    train_split: str | None = None
    train_prompt_column: str | None = None
    ngram: int = 13
    minhash_threshold: float | None = 0.8

    def describe(self) -> dict[str, Any]:
        """The settings, for audit.json."""
        return {"checks": list(self.checks), "tests": self.tests, "jobs": self.jobs,
                "compile_seconds": self.compile_seconds, "sandbox": Sandbox(self.limits).describe(),
                "wrong_share": self.wrong_share if self.runs else None,
                "ngram": self.ngram if self.train else None,
                "minhash_threshold": self.minhash_threshold if self.train else None}


def _problems(default: str) -> Any:
    @functools.cache
    def load(source: str | None) -> ProblemIndex | str:
        try:
            return load_problems(source or default)
        except (OSError, ValueError) as e:  # unreadable or offline: the code pairs are not checkable, said why
            return f"the tests source {source or default} cannot be read ({e})"
    return load


def _checked(examples: Sequence[Example], targets: dict[str, list[Target]], options: AuditOptions) -> list[Verdict]:
    verdicts: list[Verdict] = []
    for check in options.checks:
        mine = {s: t for s, ts in targets.items() for t in ts if t.check == check}
        subset_examples = [ex for ex in examples if ex.subset in mine]
        if not subset_examples:
            continue
        if check == "code":
            verdicts += check_code(subset_examples, mine, _problems(options.tests), options.limits, options.jobs,
                                   options.compile_seconds)
        elif check == "math":
            verdicts += check_math(subset_examples, mine)
        else:
            verdicts += check_safety(subset_examples, mine)
    return verdicts


def _prompt_text(ex: Example) -> str:
    return "\n".join(m.content for m in ex.prompt if m.role == "user")


def _overlap(examples: Sequence[Example], options: AuditOptions) -> tuple[dict[str, Any], list[Flag]]:
    assert options.train is not None
    texts = sorted({_prompt_text(ex) for ex in examples})
    owners: dict[int, list[Example]] = {}
    position = {t: i for i, t in enumerate(texts)}
    for ex in examples:
        owners.setdefault(position[_prompt_text(ex)], []).append(ex)
    started = time.perf_counter()
    index = OverlapIndex(texts, options.ngram, options.minhash_threshold)
    indexed = time.perf_counter() - started
    rows, source = read_training_prompts(options.train, options.train_prompt_column, options.train_split)
    counted = [0]

    def count(it: Any) -> Any:
        for item in it:
            counted[0] += 1
            yield item

    by_prompt: dict[int, list[Any]] = {}
    scan_started = time.perf_counter()
    for m in index.scan(count(rows)):
        by_prompt.setdefault(m.prompt, []).append(m)
    seconds = time.perf_counter() - scan_started
    subsets: dict[str, dict[str, Any]] = {}
    for ex in examples:
        subsets.setdefault(ex.subset, {"prompts": 0, "overlapping": 0, "by_kind": {}})["prompts"] += 1
    matches, flags = [], []
    for prompt, found in sorted(by_prompt.items()):
        for ex in owners[prompt]:
            row = subsets[ex.subset]
            row["overlapping"] += 1
            for kind in sorted({m.kind for m in found}):
                row["by_kind"][kind] = row["by_kind"].get(kind, 0) + 1
            first = found[0]
            flags.append(Flag(ex.subset, str(ex.id), "overlap", f"{len(found)} training row(s); row {first.row}: "
                              f"{first.kind} {first.evidence!r}"))
            matches += [{"subset": ex.subset, "id": str(ex.id), "training_row": m.row, "kind": m.kind,
                         "evidence": m.evidence, "jaccard": m.jaccard} for m in found[:MATCHES_PER_PROMPT]]
    summary = {"source": source, "ngram": options.ngram, "minhash_threshold": options.minhash_threshold,
               "benchmark_prompts": len(texts), "training_rows": counted[0], "index_seconds": round(indexed, 3),
               "scan_seconds": round(seconds, 3),
               "rows_per_second": round(counted[0] / seconds) if seconds > 0 else None,
               "subsets": subsets, "matches": matches}
    return summary, flags


def run_audit(loaded: LoadedData | None, options: AuditOptions) -> AuditReport:
    """Audit the data (and/or the runs): every applicable check, then `--runs` and `--train`."""
    examples = [ex for ex in loaded.examples if not ex.meta.get("part")] if loaded is not None else []
    benchmark = loaded.benchmark.name if loaded is not None else ""
    report = AuditReport(data=dict(loaded.source) if loaded is not None else {}, benchmark=benchmark,
                         settings=options.describe())
    for ex in examples:
        report.pairs[ex.subset] = report.pairs.get(ex.subset, 0) + 1
    if loaded is not None:
        side_car = loaded.source.get("meta") if isinstance(loaded.source.get("meta"), dict) else None
        targets = targets_for(loaded.benchmark, list(report.pairs), side_car)
        report.verdicts = _checked(examples, targets, options)
    if options.runs:
        report.runs, flags = disagreements(options.runs, options.wrong_share, examples)
        if not benchmark:
            report.benchmark = report.runs["benchmark"]
        report.extra_flags += flags
    if options.train:
        if not examples:
            raise ValueError("--train compares the benchmark's prompts with the training set's: give --benchmark "
                             "or --data too")
        report.overlap, flags = _overlap(examples, options)
        report.extra_flags += flags
    return report
