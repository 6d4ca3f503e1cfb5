"""Typed, versioned result files: `result.json` (spec, metrics, timing) and `samples.jsonl` (one line per example).

result.json is strict JSON (NaN is written as null), so browsers, jq and JSON Schema validators read it; its schema
ships as `result.schema.json`. Older schema versions are read through `schema.upgrade_metrics`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rmeval.common.jsonio import atomic_write_text, to_json
from rmeval.results.schema import upgrade_metrics
from rmeval.scoring.metrics import Metrics
from rmeval.types import RunSpec, SampleRecord

__all__ = ["RESULT_FILE", "SAMPLES_FILE", "SCHEMA_VERSION", "RunResult", "read_run", "write_run"]

SCHEMA_VERSION = 2
RESULT_FILE = "result.json"
SAMPLES_FILE = "samples.jsonl"


@dataclass
class RunResult:
    """A whole run: what result.json and samples.jsonl hold."""

    spec: RunSpec
    metrics: Metrics
    timing: dict[str, float]
    samples: list[SampleRecord]
    schema_version: int = SCHEMA_VERSION

    def result_dict(self) -> dict[str, Any]:
        """The content of result.json (always written at the current schema version)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "spec": asdict(self.spec),
            "metrics": self.metrics.to_dict(),
            "timing": self.timing,
        }


def _samples_text(samples: Iterable[SampleRecord]) -> str:
    return "".join(s.to_json() + "\n" for s in samples)


def write_run(result: RunResult, out_dir: Path) -> tuple[Path, Path]:
    """Write samples.jsonl, then result.json (a result file always has its samples beside it)."""
    samples_path, result_path = out_dir / SAMPLES_FILE, out_dir / RESULT_FILE
    atomic_write_text(samples_path, _samples_text(result.samples))
    atomic_write_text(result_path, to_json(result.result_dict()) + "\n")
    return result_path, samples_path


def read_run(out_dir: Path) -> RunResult:
    """Read a result folder; a clear error when a file is missing or was written by a newer schema."""
    result_path, samples_path = out_dir / RESULT_FILE, out_dir / SAMPLES_FILE
    for p in (result_path, samples_path):
        if not p.is_file():
            raise FileNotFoundError(f"{p}: missing; is {out_dir} a folder written by `rmeval run`?")
    try:
        data = json.loads(result_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"{result_path}: not a result file ({e})") from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    if not isinstance(version, int) or not 1 <= version <= SCHEMA_VERSION:
        raise ValueError(f"{result_path}: schema_version {version!r} is not readable by this rmeval "
                         f"(reads 1 to {SCHEMA_VERSION})")
    try:
        spec = RunSpec.from_dict(data["spec"])
        metrics = Metrics.from_dict(upgrade_metrics(data["metrics"], version))
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise ValueError(f"{result_path}: malformed result file ({type(e).__name__}: {e})") from None
    return RunResult(spec, metrics, data.get("timing", {}), _read_samples(samples_path), version)


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
