"""Which check applies to which subset, and with what: the benchmarks' own facts, or a side-car's `checks`.

- Code: every subset named `hep-<lang>` (RewardBench v1's hep-cpp, hep-go, hep-java, hep-js, hep-python, hep-rust:
  HumanEvalPack's canonical solution chosen, its human-written buggy solution rejected; see `humanevalpack`), and
  any subset a side-car marks `{kind: code, language: LANG}` (optionally `tests: SOURCE`, HumanEvalPack-format
  problems matched by prompt; default `--tests`).
- Math: RewardBench v1's math-prm, whose chosen answer is the reference: all 447 rows of the filtered split have
  chosen_model `human` (MATH's reference solution, ending in `\\boxed{}`) and rejected_model `GPT-4` (a PRM800K
  solution, ending in `# Answer`), checked on the data in ../shared; the dataset card (hub allenai/reward-bench,
  README) describes math-prm as human references against model errors (not reachable from here: unverified).
  RewardBench 2's Math (best-of-N; no reference column in the rows as read): answers compared with each other.
  A side-car's `{kind: math, reference: COLUMN}` names a column holding the reference answer.
- Safety: every subset whose spec (or side-car `expects`) says refuse or comply (`chosen`, a behaviour that
  differs per example, cannot be checked: its pairs are reported as such).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from rmeval.audit.humanevalpack import LANGUAGES
from rmeval.benchmarks import BenchmarkSpec

__all__ = ["Target", "targets_for"]


@dataclass(frozen=True)
class Target:
    """One check of one subset. `reference`: `chosen` (the chosen answer is the reference solution), a column of
    the rows holding the reference answer, or None (chosen and rejected compared with each other)."""

    subset: str
    check: str
    language: str | None = None
    tests: str | None = None
    reference: str | None = None
    expects: str | None = None


_MATH: dict[tuple[str, str], str | None] = {("rewardbench", "math-prm"): "chosen", ("rewardbench2", "Math"): None}


def _side_car(subset: str, spec: Mapping[str, Any]) -> Target:
    kind = spec.get("kind")
    if kind == "code":
        language = spec.get("language")
        if language not in LANGUAGES:
            raise ValueError(f"side-car checks: subset {subset!r}: language must be one of {', '.join(LANGUAGES)}, "
                             f"got {language!r}")
        tests = spec.get("tests")
        if tests is not None and not isinstance(tests, str):
            raise ValueError(f"side-car checks: subset {subset!r}: tests must be a path or hub id, got {tests!r}")
        return Target(subset, "code", language=str(language), tests=tests)
    reference = spec.get("reference")
    if reference is not None and not isinstance(reference, str):
        raise ValueError(f"side-car checks: subset {subset!r}: reference must name a column, got {reference!r}")
    return Target(subset, "math", reference=reference)


def targets_for(benchmark: BenchmarkSpec, subsets: Collection[str],
                side_car: Mapping[str, Any] | None = None) -> dict[str, list[Target]]:
    """The checks of each present subset (subsets no check covers are absent)."""
    declared = dict((side_car or {}).get("checks") or {})
    expects = {s.name: s.expects for s in benchmark.subsets}
    expects.update((side_car or {}).get("expects") or {})
    out: dict[str, list[Target]] = {}
    for subset in subsets:
        found: list[Target] = []
        if subset in declared:
            found.append(_side_car(subset, declared[subset]))
        elif subset.startswith("hep-") and subset[4:] in LANGUAGES:
            found.append(Target(subset, "code", language=subset[4:]))
        elif (benchmark.name, subset) in _MATH:
            found.append(Target(subset, "math", reference=_MATH[(benchmark.name, subset)]))
        if expects.get(subset) in ("refuse", "comply", "chosen"):
            found.append(Target(subset, "safety", expects=expects[subset]))
        if found:
            out[subset] = found
    return out
