"""Datasets that say what they are: a side-car file beside the data naming its sections, subset weights, and what
its safety subsets expect, so custom data gets section scores and the refusal analysis.

`prefs.jsonl` is described by `prefs.rmeval.yaml` (or `.yml`, `.json`, or `prefs.jsonl.rmeval.yaml`), or by the
file `--subset-meta` names:

    name: our-preferences-2024      # the dataset's readable name (a side-car may hold only this)
    sections:                       # section -> its subsets (every subset of the data in exactly one; data
                                    # without a subset column is the one subset `default`)
      Helpfulness: [chat, code]
      Safety: [harmful, borderline]
    weights: {code: 2}              # optional: a subset's weight in its section (default: its rows)
    expects: {harmful: refuse, borderline: comply}   # optional: refuse, comply, or chosen (per example)
    checks: {code: {kind: code, language: python}}   # optional: what `rmeval audit` checks (rmeval.audit.targets)

The score is the mean of the sections, each the weighted mean of its subsets, as RewardBench defines its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rmeval.benchmarks import BenchmarkSpec, Rule, Section, SubsetSpec, custom_benchmark
from rmeval.common.extras import require
from rmeval.data.errors import DataError
from rmeval.data.files import data_suffix, sha256_of

__all__ = ["META_SUFFIXES", "find_meta", "meta_benchmark", "read_meta"]

META_SUFFIXES = (".rmeval.yaml", ".rmeval.yml", ".rmeval.json")
KEYS = ("name", "description", "sections", "weights", "expects", "checks")
EXPECTS = ("refuse", "comply", "chosen")


def find_meta(data: Path) -> Path | None:
    """The side-car file beside `data`, if there is one."""
    stem = data.name[: len(data.name) - len(data_suffix(data))] if data_suffix(data) else data.stem
    for base in (data.name, stem):
        for suffix in META_SUFFIXES:
            candidate = data.with_name(base + suffix)
            if candidate.is_file():
                return candidate
    return None


def _load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise DataError(str(path), f"not valid JSON ({e.msg} at line {e.lineno})") from None
    require("yaml", extra="hf", purpose="a YAML side-car file")
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise DataError(str(path), f"not valid YAML ({e})") from None


def read_meta(path: Path) -> dict[str, Any]:
    """The side-car's content, checked: sections of subsets, weights and expectations of known subsets."""
    if not path.is_file():
        raise DataError(str(path), "no such side-car file")
    raw = _load(path)
    where = str(path)
    if not isinstance(raw, dict):
        raise DataError(where, f"expected a mapping of {', '.join(KEYS)}, got {type(raw).__name__}")
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise DataError(where, f"unknown key(s) {', '.join(map(str, unknown))}; known: {', '.join(KEYS)}")
    sections = raw.get("sections", {})
    if not isinstance(sections, dict) or ("sections" in raw and not sections):
        raise DataError(where, "`sections` must map each section's name to its list of subsets", field="sections")
    if not sections and not raw.get("name") and not raw.get("description"):
        raise DataError(where, "needs `sections` (a mapping of section name to its list of subsets), or at least a "
                               "`name`", field="sections")
    owner: dict[str, str] = {}
    for name, subsets in sections.items():
        if not isinstance(subsets, list) or not subsets or not all(isinstance(s, str) and s for s in subsets):
            raise DataError(where, f"section {name!r}: expected a non-empty list of subset names", field="sections")
        for s in subsets:
            if s in owner:
                raise DataError(where, f"subset {s!r} is in two sections ({owner[s]!r} and {name!r})",
                                field="sections")
            owner[s] = str(name)
    for key, check in (("weights", _weight), ("expects", _expects), ("checks", _checks)):
        values = raw.get(key, {})
        if not isinstance(values, dict):
            raise DataError(where, f"expected a mapping of subset to value, got {type(values).__name__}", field=key)
        if values and not owner:
            raise DataError(where, f"`{key}` needs `sections` naming the subsets", field=key)
        for subset, value in values.items():
            if subset not in owner:
                raise DataError(where, f"subset {subset!r} is in no section", field=key)
            check(where, key, subset, value)
    for key in ("name", "description"):
        if key in raw and not isinstance(raw[key], str):
            raise DataError(where, f"expected text, got {type(raw[key]).__name__}", field=key)
    return {**raw, "sections": {str(k): list(v) for k, v in sections.items()}, "path": str(path),
            "sha256": sha256_of(path)}


def _weight(where: str, key: str, subset: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise DataError(where, f"subset {subset!r}: a weight must be a positive number, got {value!r}", field=key)


def _expects(where: str, key: str, subset: str, value: Any) -> None:
    if value not in EXPECTS:
        raise DataError(where, f"subset {subset!r}: expected one of {', '.join(EXPECTS)}, got {value!r}", field=key)


def _checks(where: str, key: str, subset: str, value: Any) -> None:
    if not isinstance(value, dict) or value.get("kind") not in ("code", "math"):
        raise DataError(where, f"subset {subset!r}: expected a mapping with kind: code or math, got {value!r}",
                        field=key)


def meta_benchmark(meta: Mapping[str, Any], rule: Rule) -> BenchmarkSpec:
    """The custom benchmark a side-car describes (rebuilt from `spec.data.meta` when a result is read back); one
    that only names the data is the open custom benchmark."""
    if not meta.get("sections"):
        return custom_benchmark(rule)
    weights, expects = meta.get("weights", {}), meta.get("expects", {})
    sections = tuple(Section(name, tuple(SubsetSpec(s, weight=weights.get(s), expects=expects.get(s))
                                         for s in subsets)) for name, subsets in meta["sections"].items())
    return BenchmarkSpec(name="custom", description=str(meta.get("description") or f"custom data ({meta['path']})"),
                         rule=rule, sections=sections, score_definition="mean of the section scores")
