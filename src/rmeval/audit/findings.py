"""What an audit found, pair by pair, and audit.json: the file `rmeval audit` writes and `report --exclude` reads.

Each check (code, math, safety) gives every pair of the subsets it covers one verdict: `consistent` with its label,
`contradicting` it (flagged), or `not_checkable` with the reason. The disagreement of many reward models (`runs`)
and training-data overlap (`overlap`) flag pairs without judging their label.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from rmeval.common.jsonio import atomic_write_text, to_json

__all__ = ["CHECKS", "FORMAT", "AuditReport", "Flag", "Verdict", "read_audit", "write_audit"]

FORMAT = "rmeval-audit/1"
CHECKS = ("code", "math", "safety")
"""Checks that judge a pair's label; `runs` and `overlap` flag pairs without judging it."""
Kind = Literal["consistent", "contradicting", "not_checkable"]


@dataclass(frozen=True)
class Verdict:
    """One pair's verdict under one check: `found` says what was seen (why it contradicts, or is not checkable)."""

    subset: str
    id: str
    check: str
    verdict: Kind
    found: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Flag:
    """A pair `report --exclude` leaves out: by which check (`reason`) and what was found."""

    subset: str
    id: str
    reason: str
    found: str


@dataclass
class AuditReport:
    """Everything one audit found, and how it was made."""

    data: dict[str, Any]
    benchmark: str
    verdicts: list[Verdict] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    pairs: dict[str, int] = field(default_factory=dict)
    """Pairs per subset in the audited data."""
    runs: dict[str, Any] = field(default_factory=dict)
    overlap: dict[str, Any] = field(default_factory=dict)
    extra_flags: list[Flag] = field(default_factory=list)
    """Pairs flagged by `runs` and `overlap`."""

    def subsets(self) -> dict[str, dict[str, Any]]:
        """Per subset and check: pairs, checked, consistent, contradicting, and not checkable by reason."""
        out: dict[str, dict[str, Any]] = {}
        for v in self.verdicts:
            row = out.setdefault(v.subset, {}).setdefault(v.check, {
                "pairs": self.pairs.get(v.subset, 0), "checked": 0, "consistent": 0, "contradicting": 0,
                "not_checkable": Counter()})
            if v.verdict == "not_checkable":
                row["not_checkable"][v.found] += 1
            else:
                row["checked"] += 1
                row[v.verdict] += 1
        for checks in out.values():
            for row in checks.values():
                row["not_checkable"] = dict(row["not_checkable"].most_common())
        return out

    def flags(self) -> list[Flag]:
        """Every flagged pair: contradicting verdicts first (in data order), then runs and overlap."""
        found = [Flag(v.subset, v.id, v.check, v.found) for v in self.verdicts if v.verdict == "contradicting"]
        return found + self.extra_flags

    def to_dict(self) -> dict[str, Any]:
        """audit.json's content."""
        return {"format": FORMAT, "benchmark": self.benchmark, "data": self.data, "settings": self.settings,
                "pairs": self.pairs, "subsets": self.subsets(), "flagged": [asdict(f) for f in self.flags()],
                "verdicts": [asdict(v) for v in self.verdicts], "runs": self.runs, "overlap": self.overlap}


def write_audit(report: AuditReport, path: Path) -> None:
    """Write audit.json (strict JSON, atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, to_json(report.to_dict()) + "\n")


def _flags(rows: Iterable[Any], where: str) -> list[Flag]:
    out = []
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping) or not all(isinstance(row.get(k), str) for k in ("subset", "id", "reason")):
            raise ValueError(f"{where}: flagged[{n - 1}]: expected subset, id and reason as text")
        out.append(Flag(row["subset"], row["id"], row["reason"], str(row.get("found", ""))))
    return out


def read_audit(path: Path) -> tuple[dict[str, Any], list[Flag]]:
    """audit.json's content and its flagged pairs; a file that is not one is named."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such audit file (write one with `rmeval audit`)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"{path}: not an audit file ({e})") from None
    found = data.get("format") if isinstance(data, dict) else None
    if not isinstance(data, dict) or found != FORMAT:
        raise ValueError(f"{path}: not an audit file (its format is {found!r}, expected {FORMAT!r})")
    flagged = data.get("flagged")
    if not isinstance(flagged, Sequence):
        raise ValueError(f"{path}: `flagged` is not a list")
    return data, _flags(flagged, str(path))
