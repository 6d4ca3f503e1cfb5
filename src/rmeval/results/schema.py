"""The JSON Schema of result.json (shipped beside this module) and the reader of older schema versions.

Version 1 kept intervals, counts, Ties terms, completeness and Prior Sets in loose keys of `metrics`; version 2
gives each a typed place and names companion sets by their part. `upgrade_metrics` turns a version-1 `metrics`
object into version 2's form, so one reader serves both.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["result_schema", "schema_path", "upgrade_metrics"]

SCHEMA_FILE = "result.schema.json"
V1_PRIOR_SETS = {"part": "prior-sets", "title": "Prior Sets", "combined": "old leaderboard average with Prior Sets",
                 "weights": {"Chat": 2.0, "Chat Hard": 2.0, "Safety": 2.0, "Reasoning": 2.0, "Prior Sets": 1.0}}
"""How version 1 stored RewardBench's Prior Sets (`metrics.prior_sets`, `metrics.average_with_prior_sets`)."""


def schema_path() -> Path:
    """Where the schema file is installed."""
    with resources.as_file(resources.files("rmeval.results") / SCHEMA_FILE) as path:
        return Path(path)


@cache
def result_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the current result.json."""
    schema: dict[str, Any] = json.loads((resources.files("rmeval.results") / SCHEMA_FILE).read_text("utf-8"))
    return schema


def upgrade_metrics(metrics: dict[str, Any], version: int) -> dict[str, Any]:
    """A `metrics` object of schema `version` in the current form."""
    if version >= 2:
        return metrics
    out = {k: v for k, v in metrics.items() if k not in ("prior_sets", "average_with_prior_sets")}
    prior = metrics.get("prior_sets")
    if isinstance(prior, dict):
        companion: dict[str, Any] = {"title": V1_PRIOR_SETS["title"], "complete": True, **prior}
        average = metrics.get("average_with_prior_sets")
        if average is not None:
            companion["combined"] = {"name": V1_PRIOR_SETS["combined"], "weights": V1_PRIOR_SETS["weights"],
                                     "value": average}
        out["companions"] = {V1_PRIOR_SETS["part"]: companion}
    return out
