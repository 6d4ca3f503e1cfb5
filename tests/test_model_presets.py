"""The leaderboard presets: every one validates with its sources, a hub id picks its preset, `--preset` applies one
to a local copy, remote code is never turned on by a preset, and `rmeval models` lists them all."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from rmeval.cli import build_parser, main
from rmeval.commands.run import config_from_args
from rmeval.config import RunConfig
from rmeval.presets import get_preset, presets
from rmeval.scorers import scorer_entries

MODEL_KINDS = ("classifier", "value-head", "remote-code", "pair-ranker", "verdict", "implicit")


def config_of(*argv: str) -> RunConfig:
    return config_from_args(build_parser().parse_args(["run", *argv]))


def test_at_least_thirty_leaderboard_presets_cover_every_kind_with_their_sources() -> None:
    table = presets()
    on_boards = [p for p in table.values() if p.leaderboards]
    assert len(on_boards) >= 70
    kinds = Counter(p.scorer for p in on_boards)
    assert all(kinds[k] >= 2 for k in MODEL_KINDS), kinds
    assert {b for p in on_boards for b in p.leaderboards} >= {"rewardbench", "rewardbench2"}
    assert {b for p in on_boards for b in p.leaderboards} <= {"rewardbench", "rewardbench2", "processbench", "prmbench"}
    entries = scorer_entries()
    for p in table.values():
        assert p.sources and all(s.startswith("https://") for s in p.sources), p.name
        required = getattr(entries[p.scorer].options, "preset_requires", ())
        assert set(required) <= set(p.options), p.name  # dtype, length, template ... stated, even as null
        assert "trust_remote_code" not in p.options
        if p.hub_id:
            assert get_preset(p.hub_id) is p and get_preset(p.hub_id.upper()) is p
    assert all(p.remote_code for p in table.values() if p.scorer == "remote-code")


def test_a_hub_id_picks_its_preset_and_explicit_options_win() -> None:
    config = config_of("--model", "Skywork/Skywork-Reward-V2-Llama-3.1-8B", "--max-length", "4096")
    assert (config.scorer, config.preset) == ("classifier", "skywork-reward-v2-llama-3.1-8b")
    assert config.options.max_length == 4096 and "max_length" not in config.from_preset
    assert config.from_preset["dtype"] == "auto"
    config = config_of("--model", "PKU-Alignment/beaver-7b-v1.0-cost")
    assert (config.scorer, config.options.head, config.options.sign) == ("value-head", "score_head", -1)
    assert config.options.chat_template == "safe-rlhf"


def test_preset_applies_a_known_models_settings_to_a_local_copy(tmp_path: Path) -> None:
    config = config_of("--preset", "pairrm", "--model", str(tmp_path), "--source-max-tokens", "512")
    assert (config.model, config.scorer, config.preset) == (str(tmp_path), "pair-ranker", "pairrm")
    assert (config.options.pair_format, config.options.candidate_max_tokens) == ("pairrm", 412)
    assert config.options.source_max_tokens == 512 and config.display_name == "pairrm"
    assert config_of("--preset", "pairrm").model == "pairrm"  # no --model: the preset's own weights
    with pytest.raises(ValueError, match="--preset 'no-such-model' is not a known preset"):
        config_of("--preset", "no-such-model", "--model", str(tmp_path))


def test_remote_code_is_never_turned_on_by_a_preset(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="runs Python code from its repository: add --trust-remote-code"):
        config_of("--model", "RLHFlow/ArmoRM-Llama3-8B-v0.1")
    with pytest.raises(ValueError, match="add --trust-remote-code"):
        config_of("--preset", "olmo-7b-instruct", "--model", str(tmp_path))
    config = config_of("--model", "RLHFlow/ArmoRM-Llama3-8B-v0.1", "--trust-remote-code")
    assert (config.scorer, config.options.output_field, config.options.dtype) == ("remote-code", "score",
                                                                                 "bfloat16")
    assert "trust_remote_code" not in config.from_preset


def test_models_lists_every_preset_and_json_has_every_field(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in presets())
    assert "beaver-7b-v1.0-cost" in out and "score_head (cost)" in out
    assert main(["models", "--json", "--kind", "verdict"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["scorer"] for r in rows} == {"verdict"} and len(rows) == 3
    assert set(rows[0]) == {"name", "description", "scorer", "source", "remote_code", "leaderboards", "options",
                            "inputs", "sources"}
    assert main(["models", "--kind", "oracle"]) == 2
    assert "no preset of that kind" in capsys.readouterr().err
