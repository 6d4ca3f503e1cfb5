"""The scorer lifecycle: `prepare` sees the benchmark before scoring, `close` runs once on every path (a scorer that
fails mid-run included), options are checked against the kind's dataclass, and a kind is added in one place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest

from rmeval.benchmarks import BenchmarkSpec
from rmeval.cli import main
from rmeval.common.options import option
from rmeval.protocol import Progress
from rmeval.scorers import BaseScorer, build_scorer, register_scorer, scorer_entry
from rmeval.types import Example, Scored

EVENTS: list[str] = []


@dataclass(frozen=True)
class ProbeOptions:
    """Options of the probe scorer."""

    cli_group: ClassVar[str] = "probe (--scorer probe)"
    fail_after: int | None = option(None, "fail after scoring this many examples")


class ProbeScorer(BaseScorer):
    """Records its lifecycle; rewards the chosen answers, or fails part-way."""

    tie_credit = 0.25

    def __init__(self, options: ProbeOptions) -> None:
        self.options = options

    def prepare(self, benchmark: BenchmarkSpec) -> None:
        EVENTS.append(f"prepare {benchmark.name}")

    def score(self, examples: Sequence[Example], progress: Progress | None = None) -> list[Scored]:
        EVENTS.append("score")
        if self.options.fail_after is not None:
            raise ValueError(f"the probe failed after {self.options.fail_after} examples")
        return [Scored(e, (1.0,) * len(e.chosen), (0.0,) * len(e.rejected)) for e in examples]

    def total_work(self, examples: Sequence[Example]) -> int:
        return len(examples)

    def describe(self) -> dict[str, Any]:
        return {"kind": "probe", "model": "probe"}

    def conventions(self) -> dict[str, Any]:
        return {"probe": "always right"}

    def close(self) -> None:
        EVENTS.append("close")


@register_scorer("probe", ProbeOptions, "a scorer that records its lifecycle (tests)", models="any")
def load_probe(models: Sequence[str], options: ProbeOptions, seed: int) -> ProbeScorer:
    EVENTS.append(f"load {','.join(models)}")
    return ProbeScorer(options)


def test_a_run_prepares_scores_and_closes_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    EVENTS.clear()
    assert main(["run", "--scorer", "probe", "--model", "m", "--benchmark", "rewardbench-mini", "--no-progress",
                 "--output-dir", str(tmp_path / "out")]) == 0
    assert EVENTS == ["load m", "prepare rewardbench-mini", "score", "close"]
    result = (tmp_path / "out" / "result.json").read_text()
    assert '"tie_credit": 0.25' in result and '"probe": "always right"' in result  # the protocol, not getattr


def test_a_scorer_that_fails_is_closed_and_nothing_is_written(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    EVENTS.clear()
    assert main(["run", "--scorer", "probe", "--model", "m", "--fail-after", "3", "--benchmark", "rewardbench-mini",
                 "--no-progress", "--output-dir", str(tmp_path / "out")]) == 2
    assert EVENTS == ["load m", "prepare rewardbench-mini", "score", "close"]
    assert "the probe failed after 3 examples" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_options_are_checked_against_the_kinds_dataclass() -> None:
    with pytest.raises(ValueError, match="unknown option colour; allowed: fail_after"):
        build_scorer("probe", "m", colour="blue")
    with pytest.raises(ValueError, match="fail_after must be int, got str"):
        build_scorer("probe", "m", fail_after="3")
    with pytest.raises(ValueError, match="several models make an ensemble"):
        build_scorer("probe", ["a", "b"])
    assert scorer_entry("probe").summary.startswith("a scorer that records")
    with build_scorer("probe", "m", ProbeOptions(fail_after=None)) as scorer:
        assert scorer.tie_credit == 0.25
    assert EVENTS[-1] == "close"


def test_a_judge_closes_its_engines_and_its_cache(tmp_path: Path) -> None:
    from loopback_openai import LoopbackJudge  # a real HTTP server on loopback

    with LoopbackJudge() as server:
        scorer = build_scorer("judge", "openai/first-judge", base_urls=(server.url,), cache_dir=tmp_path / "cache")
        with scorer:
            assert scorer.cache is not None
            cache = scorer.cache
        assert scorer.cache is None and scorer.judges == []
        with pytest.raises(Exception, match="closed"):
            len(cache)
