"""Whether two runs are comparable: short fingerprints of the benchmark data they read and the conventions they used."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from rmeval.types import RunSpec, SampleRecord

__all__ = ["conventions_fingerprint", "data_fingerprint", "data_source_label"]


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _source(data: Mapping[str, Any]) -> Any:
    """What identifies the data's content: a file's sha256, or the hub dataset with its revision and fingerprint."""
    if data.get("sha256"):
        return {"sha256": data["sha256"]}
    if data.get("kind") == "hub":
        config = {"config": data["config"]} if data.get("config") else {}  # absent before configs were recorded
        return {"hub": data.get("id"), **config, "split": data.get("split"), "revision": data.get("revision"),
                "fingerprint": data.get("fingerprint")}
    return None


def data_fingerprint(spec: RunSpec, samples: Sequence[SampleRecord] = ()) -> str:
    """12 hex digits naming the examples a run scored: the data's hash, the benchmark and the selection
    (`--subsets`, `--limit`, the audit whose flagged pairs were left out). A run that recorded no hash is named by
    the keys of the examples it scored."""
    data = spec.data if isinstance(spec.data, Mapping) else {}
    source = _source(data)
    if source is None:
        source = {"examples": sorted(f"{s.subset}\x1f{s.id}" for s in samples if not s.part)}
    selection = {"benchmark": spec.benchmark, "source": source, "subsets": data.get("subsets_selected"),
                 "limit": data.get("limit_per_subset")}
    audit = data.get("audit")
    if isinstance(audit, Mapping):  # a run recomputed without an audit's flagged pairs scored fewer examples
        selection["audit"] = audit.get("sha256")
    return _digest(selection)


def conventions_fingerprint(spec: RunSpec) -> str:
    """12 hex digits naming the scoring conventions a run recorded (rule, weights, tie credit, judge policies)."""
    return _digest(spec.conventions if isinstance(spec.conventions, Mapping) else {})


def data_source_label(spec: RunSpec) -> str:
    """A short human description of where the data came from."""
    data = spec.data if isinstance(spec.data, Mapping) else {}
    if data.get("kind") == "hub":
        return f"hub {data.get('id')} ({data.get('split')})"
    if data.get("sha256"):
        return f"{data.get('kind', 'file')} {data.get('path', '')} sha256 {str(data['sha256'])[:12]}".strip()
    return "unrecorded source"
