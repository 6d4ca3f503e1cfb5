"""Typed, versioned result files: `result.json` (spec, metrics, timing) and `samples.jsonl` (one line per example).

result.json is strict JSON (NaN is written as null), so browsers, jq and JSON Schema validators read it; its schema
ships as `result.schema.json`. Older schema versions are read through `schema.upgrade_metrics`.

The two files are one unit: samples.jsonl is written first, then result.json, which carries the sha256 of the
samples it was computed from. A folder interrupted between the two, or a samples file edited afterwards, no longer
matches, and every reader can tell (`RunResult.samples_match`).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rmeval.common.jsonio import to_json, written_beside
from rmeval.results.schema import upgrade_metrics
from rmeval.scoring.metrics import Metrics
from rmeval.types import RunSpec, SampleRecord

__all__ = ["RESULT_FILE", "SAMPLES_FILE", "SCHEMA_VERSION", "RunResult", "read_run", "run_texts", "write_run"]

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
    samples_match: bool | None = None
    """Read back: whether samples.jsonl is the file result.json was computed from (None: not recorded)."""

    def samples_text(self) -> str:
        """samples.jsonl's content."""
        return "".join(s.to_json() + "\n" for s in self.samples)

    def result_dict(self, samples_sha256: str | None = None) -> dict[str, Any]:
        """The content of result.json (always written at the current schema version)."""
        digest = samples_sha256 or hashlib.sha256(self.samples_text().encode("utf-8")).hexdigest()
        return {
            "schema_version": SCHEMA_VERSION,
            "spec": asdict(self.spec),
            "metrics": self.metrics.to_dict(),
            "timing": self.timing,
            "samples_sha256": digest,
        }


def run_texts(result: RunResult) -> tuple[str, str]:
    """(samples.jsonl, result.json) of a run, the second carrying the first's sha256."""
    text = result.samples_text()
    return text, to_json(result.result_dict(hashlib.sha256(text.encode("utf-8")).hexdigest())) + "\n"


def write_run(result: RunResult, out_dir: Path) -> tuple[Path, Path]:
    """Write samples.jsonl and result.json (with the samples' hash): both are written whole to temporary files
    first and only then moved into place, so a write that fails (a full disk) leaves the previous result as it was,
    or nothing; leftovers of a write that was killed go."""
    samples_path, result_path = out_dir / SAMPLES_FILE, out_dir / RESULT_FILE
    for leftover in (*out_dir.glob(f".{SAMPLES_FILE}.*"), *out_dir.glob(f".{RESULT_FILE}.*")):
        leftover.unlink(missing_ok=True)  # temporary files of a write that was killed
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in zip((samples_path, result_path), run_texts(result), strict=True):
            staged.append((written_beside(path, text), path))
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
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
    raw = samples_path.read_bytes()
    recorded = data.get("samples_sha256")
    match = hashlib.sha256(raw).hexdigest() == recorded if isinstance(recorded, str) else None
    return RunResult(spec, metrics, data.get("timing", {}), _read_samples(samples_path, raw), version, match)


def _read_samples(path: Path, raw: bytes) -> list[SampleRecord]:
    """Every record of samples.jsonl; a bad line is reported by its number."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not a UTF-8 text file ({e.reason})") from None
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
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
