"""Typed, versioned result files: `result.json` (spec, metrics, timing) and `samples.jsonl` (one line per example)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rmeval.metrics import Metrics

__all__ = [
    "RESULT_FILE",
    "SAMPLES_FILE",
    "SCHEMA_VERSION",
    "RunResult",
    "RunSpec",
    "SampleRecord",
    "atomic_write_text",
    "read_run",
    "write_run",
]

SCHEMA_VERSION = 1
RESULT_FILE = "result.json"
SAMPLES_FILE = "samples.jsonl"


@dataclass(frozen=True)
class RunSpec:
    """Everything needed to reproduce a run: benchmark and data, scorer settings, conventions, versions."""

    benchmark: str
    data: dict[str, Any]
    scorer: dict[str, Any]
    conventions: dict[str, Any]
    versions: dict[str, str]
    seed: int = 0
    command: list[str] | None = None
    created_at: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunSpec:
        """Read the JSON form back (unknown keys are kept out of the dataclass)."""
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class SampleRecord:
    """One line of samples.jsonl: every candidate's score and the credit the example earned.

    `part` is empty for the benchmark itself and names an extra part scored in the same run (`prior-sets`).
    `features` holds per-candidate facts the analyses need without the texts (lengths, refusal labels).
    """

    subset: str
    id: int | str
    scores_chosen: list[float]
    scores_rejected: list[float]
    correct: float
    part: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    features: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """One JSON line (empty `part`, `details` and `features` are left out)."""
        data = asdict(self)
        for key in ("part", "details", "features"):
            if not data[key]:
                del data[key]
        return json.dumps(data, ensure_ascii=False, allow_nan=True)

    @classmethod
    def from_json(cls, line: str) -> SampleRecord:
        """Parse one line."""
        return cls.from_dict(json.loads(line))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SampleRecord:
        """Build from a parsed line."""
        return cls(d["subset"], d["id"], list(d["scores_chosen"]), list(d["scores_rejected"]), float(d["correct"]),
                   d.get("part", ""), d.get("details", {}), d.get("features", {}))


@dataclass
class RunResult:
    """A whole run: what result.json and samples.jsonl hold."""

    spec: RunSpec
    metrics: Metrics
    timing: dict[str, float]
    samples: list[SampleRecord]
    schema_version: int = SCHEMA_VERSION

    def result_dict(self) -> dict[str, Any]:
        """The content of result.json."""
        return {
            "schema_version": self.schema_version,
            "spec": asdict(self.spec),
            "metrics": self.metrics.to_dict(),
            "timing": self.timing,
        }


def atomic_write_text(path: Path, text: str) -> None:
    """Write a file so that readers see the old content or the new one, never a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _samples_text(samples: Iterable[SampleRecord]) -> str:
    return "".join(s.to_json() + "\n" for s in samples)


def write_run(result: RunResult, out_dir: Path) -> tuple[Path, Path]:
    """Write samples.jsonl, then result.json (a result file always has its samples beside it)."""
    samples_path, result_path = out_dir / SAMPLES_FILE, out_dir / RESULT_FILE
    atomic_write_text(samples_path, _samples_text(result.samples))
    atomic_write_text(result_path, json.dumps(result.result_dict(), indent=2, ensure_ascii=False) + "\n")
    return result_path, samples_path


def read_run(out_dir: Path) -> RunResult:
    """Read a result folder; a clear error when a file is missing or was written by a newer schema."""
    result_path, samples_path = out_dir / RESULT_FILE, out_dir / SAMPLES_FILE
    for p in (result_path, samples_path):
        if not p.is_file():
            raise FileNotFoundError(f"{p}: missing; is {out_dir} a folder written by `rmeval run`?")
    data = json.loads(result_path.read_text(encoding="utf-8"))
    version = data.get("schema_version")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise ValueError(f"{result_path}: schema_version {version!r} is not readable by this rmeval "
                         f"(reads up to {SCHEMA_VERSION})")
    return RunResult(RunSpec.from_dict(data["spec"]), Metrics.from_dict(data["metrics"]), data.get("timing", {}),
                     _read_samples(samples_path), version)


def _read_samples(path: Path) -> list[SampleRecord]:
    """Every record of samples.jsonl; a bad line is reported by its number."""
    lines = [(n, line) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if line.strip()]
    try:  # one parse of the whole file is several times faster than a parse per line
        return [SampleRecord.from_dict(d) for d in json.loads("[" + ",".join(line for _, line in lines) + "]")]
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        pass
    samples = []
    for line_no, line in lines:
        try:
            samples.append(SampleRecord.from_json(line))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as e:
            raise ValueError(f"{path}, line {line_no}: not a sample record ({e})") from None
    return samples

