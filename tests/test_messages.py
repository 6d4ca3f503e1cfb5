"""One line, exit code 2 and the option (or file, row and field) named, for every mistake of the issue's battery:
models that cannot load as asked, bad devices, bad numbers, bad data, options that contradict each other; each
caught before any model loads where it can be."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import preference_rows, write_jsonl
from model_shapes import build_remote_code_model
from rmeval.cli import main


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory, llama_classifier: Path) -> dict[str, Path]:
    """Broken copies of the tiny classifier, one per way a checkpoint folder can be wrong."""
    root = tmp_path_factory.mktemp("broken")
    out = {}
    for name in ("unknown-type", "no-tokenizer", "truncated", "cut-header", "no-type"):
        out[name] = Path(shutil.copytree(llama_classifier, root / name))
    config = json.loads((llama_classifier / "config.json").read_text())
    (out["unknown-type"] / "config.json").write_text(json.dumps({**config, "model_type": "nonexistent"}))
    (out["no-type"] / "config.json").write_text(json.dumps({k: v for k, v in config.items() if k != "model_type"}))
    for f in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        (out["no-tokenizer"] / f).unlink(missing_ok=True)
    weights = out["truncated"] / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    (out["cut-header"] / "model.safetensors").write_bytes(weights.read_bytes()[:100])
    out["good"] = llama_classifier
    out["remote"] = root / "remote"
    build_remote_code_model(out["remote"])
    return out


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "d.jsonl", preference_rows(2))


@pytest.fixture
def no_model_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading a model is an error here: each mistake must be found before."""
    import rmeval.run

    def loaded(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a model was loaded")

    monkeypatch.setattr(rmeval.run, "build_scorer", loaded)


def one_line(capsys: pytest.CaptureFixture[str], *expected: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for text in expected:
        assert text in err, err
    return err


Case = Callable[[Path, Path, dict[str, Path]], list[str]]


def run(*flags: str) -> Case:
    return lambda tmp, data, folders: ["run", "--no-progress", "--data", str(data), *flags]


def model(name: str, *flags: str) -> Case:
    return lambda tmp, data, folders: ["run", "--no-progress", "--data", str(data), "--model", str(folders[name]),
                                       *flags]


def with_file(name: str, content: bytes, *flags: str) -> Case:
    def case(tmp: Path, data: Path, folders: dict[str, Path]) -> list[str]:
        path = tmp / name
        path.write_bytes(content)
        return ["run", "--no-progress", "--model", "org/model", "--data", str(path), *flags]
    return case


def side_car(text: str) -> Case:
    def case(tmp: Path, data: Path, folders: dict[str, Path]) -> list[str]:
        (tmp / "d.rmeval.yaml").write_text(text, encoding="utf-8")
        return ["run", "--no-progress", "--model", "org/model", "--data", str(data)]
    return case


JUDGE = ("--scorer", "judge", "--model", "openai/x", "--base-url", "http://127.0.0.1:9/v1")
NESTED = b'{"prompt": "p", "chosen": "a", "rejected": "b", "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}\n"
CASES: dict[str, tuple[Case, tuple[str, ...]]] = {
    "unknown model_type": (model("unknown-type"), ("config.json's model_type 'nonexistent' is not one transformers",)),
    "no model_type": (model("no-type"), ("config.json names no model_type",)),
    "folder without a tokenizer": (model("no-tokenizer"), ("the folder holds no tokenizer", "--tokenizer")),
    "remote code as a plain classifier": (model("remote"), ("ships its own code", "--trust-remote-code")),
    "truncated model.safetensors": (model("truncated"), ("model.safetensors is damaged (cut short:",)),
    "model.safetensors cut inside its header": (model("cut-header"), ("model.safetensors is damaged",)),
    "--device nonsense": (model("good", "--device", "nonsense"), ("--device nonsense: not a device",)),
    "--device toaster": (model("good", "--device", "toaster"), ("--device toaster: not a device",)),
    "--device mps": (model("good", "--device", "mps"), ("--device mps: ", "no mps device")),
    "--seed -1": (run("--model", "org/m", "--seed", "-1"), ("--seed must be at least 0, got -1",)),
    "--request-timeout nan": (run(*JUDGE, "--request-timeout", "nan"), ("--request-timeout must be a finite",)),
    "--request-deadline nan": (run(*JUDGE, "--request-deadline", "nan"), ("--request-deadline must be a finite",)),
    "--temperature nan": (run(*JUDGE, "--temperature", "nan"), ("--temperature must be a finite number, got nan",)),
    "--temperature -1": (run(*JUDGE, "--temperature", "-1"), ("--temperature must be at least 0",)),
    "--score-cache with --no-score-cache": (run("--model", "org/m", "--score-cache", "s", "--no-score-cache"),
                                            ("--score-cache s and --no-score-cache exclude each other",)),
    "--ref-cache with --no-ref-cache": (run("--scorer", "implicit", "--model", "org/m", "--ref-cache", "r",
                                            "--no-ref-cache"), ("--ref-cache r and --no-ref-cache exclude",)),
    "--cache-dir with --no-cache": (run(*JUDGE, "--cache-dir", "c", "--no-cache"),
                                    ("--cache-dir c and --no-cache exclude each other",)),
    "--shard ''": (run("--model", "org/m", "--shard", ""), ("--shard takes I/N", "got ''")),
    "an integer option given 1e9": (run("--model", "org/m", "--max-length", "1e9"),
                                    ("argument --max-length: invalid int value: '1e9'",)),
    "deeply nested JSON": (with_file("deep.jsonl", NESTED), ("deep.jsonl, row 1: JSON nested deeper",)),
    "NUL bytes in a CSV": (with_file("nul.csv", b"prompt,chosen,rejected\np\x00q,a,b\n"),
                           ("nul.csv, row 2, field 'prompt': holds a NUL byte",)),
    "a lone surrogate in an id": (with_file("s.jsonl", b'{"prompt": "p", "chosen": "a", "rejected": "b", '
                                                       b'"id": "x\\ud800"}\n'),
                                  ("s.jsonl, row 1, field 'id': not valid Unicode: a lone surrogate",)),
    "--subset-column naming no column": (run("--model", "org/m", "--subset-column", "nosuch"),
                                         ("--subset-column nosuch: no row has a column 'nosuch'",)),
    "--id-column naming no column": (run("--model", "org/m", "--id-column", "nosuch"),
                                     ("--id-column nosuch: no row has a column 'nosuch'",)),
    "malformed side-car YAML": (side_car("sections:\n  A: [alpha, beta\n"),
                                ("d.rmeval.yaml: not valid YAML (expected ',' or ']'", "at line 3, column 1)")),
    "a side-car subset the data lacks": (side_car("sections:\n  A: [alpha, beta, gamma]\n"),
                                         ("field 'sections': names subset(s) 'gamma' that the data does not have",)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_mistake_is_one_line_exit_2_before_any_model_loads(
        name: str, tmp_path: Path, data: Path, folders: dict[str, Path], no_model_loads: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    case, expected = CASES[name]
    assert exit_code(case(tmp_path, data, folders)) == 2
    one_line(capsys, *expected)


def exit_code(argv: list[str]) -> Any:
    """`main`'s exit code; argparse's own errors exit through SystemExit."""
    try:
        return main(argv)
    except SystemExit as e:
        return e.code


@pytest.mark.parametrize(("flags", "expected"), [
    (["--level", "1.5"], "--level must be between 0 and 1"),
    (["--level", "nan"], "--level must be between 0 and 1"),
    (["--resamples", str(10**12)], "--resamples must be between 1 and 100,000, got 1000000000000"),
    (["--resamples", "0"], "--resamples must be between 1 and 100,000"),
    (["--alpha", "nan"], "--alpha must be between 0 and 1"),
    (["--seed", "-1"], "--seed must be at least 0, got -1"),
])
def test_compare_options_name_themselves(tmp_path: Path, flags: list[str], expected: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b"), *flags]) == 2
    one_line(capsys, expected)


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_leaderboard_port_out_of_range(tmp_path: Path, port: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leaderboard", str(tmp_path), "--serve", "--port", port]) == 2
    one_line(capsys, f"--port must be between 0 and 65535 (0 picks a free one), got {port}")


def test_a_zero_byte_score_store_gets_the_damaged_store_warning(tmp_path: Path, data: Path, llama_classifier: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    store = tmp_path / "store"
    store.mkdir()
    (store / "scores.sqlite").write_bytes(b"")
    with caplog.at_level(logging.WARNING):
        assert main(["run", "--no-progress", "--model", str(llama_classifier), "--data", str(data), "--score-cache",
                     str(store), "--precision", "fp32", "--output-dir", str(tmp_path / "out")]) == 0
    assert [r.getMessage() for r in caplog.records if "scores.sqlite" in r.getMessage()] == [
        f"{store / 'scores.sqlite'}: not a usable rmeval store (an empty file: a write cut short, or a full disk?); "
        "delete it, or `rmeval cache clear`; scoring without the score store"]
    assert (store / "scores.sqlite").stat().st_size == 0  # left as it was, for the user to look at


def test_a_new_store_is_never_seen_half_made(tmp_path: Path) -> None:
    from rmeval.inference.scorestore import ScoreStore

    first = ScoreStore(tmp_path / "scores.sqlite", {"m": 1})
    second = ScoreStore(tmp_path / "scores.sqlite", {"m": 1})  # opens the file the first made, as another process
    first.put_many([("k", 1.0)])
    assert second.get_many(["k"]) == {"k": 1.0}
    first.close()
    second.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.sqlite"]


def test_too_little_max_memory_says_the_model_does_not_fit(tmp_path: Path, data: Path, llama_classifier: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["run", "--no-progress", "--model", str(llama_classifier), "--data", str(data), "--device-map",
                 "auto", "--max-memory", "cpu=1KiB", "--output-dir", str(out)]) == 2
    one_line(capsys, "--device-map auto --max-memory cpu=1KiB: the model does not fit in the memory given",
             "give more --max-memory")
    assert not out.exists()
