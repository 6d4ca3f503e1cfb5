"""Code pairs run against their own tests: a passing and a failing program in every language whose toolchain this
machine has (Python and JavaScript in CI at least), a program that loops forever, one that needs the network, a
label the tests contradict, a prompt no problem has, a missing toolchain; through `rmeval audit` itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from audit_fixtures import LOOP, network_answer, pair, problem, write_problems
from conftest import write_jsonl
from rmeval.audit import code as code_check
from rmeval.audit.sandbox import probe
from rmeval.audit.toolchains import toolchain
from rmeval.cli import main

isolated = pytest.mark.skipif(not probe()[0], reason=f"no sandbox here: {probe()[1]}")


def audit(tmp_path: Path, rows: list[dict[str, Any]], tests: Path, *extra: str) -> dict[str, Any]:
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    out = tmp_path / "audit.json"
    assert main(["audit", "--data", str(data), "--tests", str(tests), "--out", str(out), "--timeout", "3",
                 "--jobs", "2", *extra]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def verdicts(report: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {v["id"]: (v["verdict"], v["found"]) for v in report["verdicts"] if v["check"] == "code"}



@isolated
def test_python_pairs_run_against_their_tests(tmp_path: Path, listener: int,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    add, loop, net, both = (problem("python", n) for n in ("add", "add_loop", "add_net", "add_twice"))
    tests = write_problems(tmp_path / "hep" / "python.jsonl", [add, loop, net, both])
    rows = [pair("hep-python", 1, add), pair("hep-python", 2, loop, rejected=LOOP),
            pair("hep-python", 3, net, rejected=network_answer(listener)),
            pair("hep-python", 4, both, rejected="    return b + a\n"),
            pair("hep-python", 5, add, chosen="    return a * b\n"),
            {"subset": "hep-python", "id": 6, "prompt": "A prompt no problem has", "chosen": "x", "rejected": "y"}]
    report = audit(tmp_path, rows, tests.parent)
    found = verdicts(report)
    assert found["1"] == ("consistent", "the chosen passes, the rejected fails")
    assert found["2"][0] == "consistent"  # the rejected loops forever: stopped, and failed
    assert found["3"][0] == "consistent"  # the rejected needs the network, which the sandbox does not have
    assert found["4"] == ("contradicting", "the rejected passes its tests")
    assert found["5"][0] == "contradicting" and found["5"][1].startswith("the chosen fails its tests")
    assert found["6"][0] == "not_checkable" and "has this prompt" in found["6"][1]
    details = {v["id"]: v["details"] for v in report["verdicts"]}
    assert details["2"]["rejected"] == ["the program ran past its time limit"]
    assert "Network is unreachable" in details["3"]["rejected"][0]
    row = report["subsets"]["hep-python"]["code"]
    assert (row["pairs"], row["checked"], row["consistent"], row["contradicting"]) == (6, 5, 3, 2)
    assert {(f["id"], f["reason"]) for f in report["flagged"]} == {("4", "code"), ("5", "code")}
    printed = capsys.readouterr().out
    assert "hep-python 4 [code] the rejected passes its tests" in printed


@isolated
@pytest.mark.parametrize("language", ["js", "cpp", "java", "rust"])
def test_every_language_with_a_toolchain_runs_its_pairs(tmp_path: Path, language: str) -> None:
    tc = toolchain(language)
    if tc.missing:
        pytest.skip(tc.missing)
    prob = problem(language)
    tests = write_problems(tmp_path / "hep" / f"{language}.jsonl", [prob])
    rows = [pair(f"hep-{language}", 1, prob), pair(f"hep-{language}", 2, prob, rejected=prob["canonical_solution"])]
    found = verdicts(audit(tmp_path, rows, tests, "--compile-timeout", "120"))
    if found["1"][0] == "not_checkable":  # a header or package the authors' programs include is not installed
        assert found["1"][1].startswith("needs ") and found["2"] == found["1"]
        return
    assert found["1"] == ("consistent", "the chosen passes, the rejected fails")
    assert found["2"] == ("contradicting", "the rejected passes its tests")


def test_a_language_without_its_toolchain_is_not_checkable_and_named(tmp_path: Path) -> None:
    tc = toolchain("go")
    if not tc.missing:
        pytest.skip("Go is installed here")
    prob = problem("go")
    tests = write_problems(tmp_path / "hep" / "go.jsonl", [prob])
    report = audit(tmp_path, [pair("hep-go", 1, prob)], tests)
    assert verdicts(report)["1"] == ("not_checkable", "no Go toolchain here (go not found)")
    assert report["subsets"]["hep-go"]["code"]["not_checkable"] == {"no Go toolchain here (go not found)": 1}


def test_without_a_sandbox_nothing_runs_and_the_reason_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    monkeypatch.setattr(code_check, "probe", lambda: (False, "namespaces are not available here (test)"))
    prob = problem("python")
    tests = write_problems(tmp_path / "python.jsonl", [prob])
    found = verdicts(audit(tmp_path, [pair("hep-python", 1, prob)], tests))
    assert found["1"] == ("not_checkable", "no sandbox here: namespaces are not available here (test)")


@isolated
def test_a_side_car_marks_a_code_subset_with_its_tests(tmp_path: Path) -> None:
    prob = problem("python")
    tests = write_problems(tmp_path / "problems" / "mine.jsonl", [prob])
    (tmp_path / "pairs.rmeval.yaml").write_text(
        f"sections:\n  Code: [snippets]\nchecks:\n  snippets: {{kind: code, language: python, tests: {tests}}}\n",
        encoding="utf-8")
    rows = [pair("snippets", 1, prob), pair("snippets", 2, prob, rejected=prob["canonical_solution"])]
    report = audit(tmp_path, rows, tmp_path / "nowhere")  # the side-car's tests win over --tests
    assert verdicts(report) == {"1": ("consistent", "the chosen passes, the rejected fails"),
                                "2": ("contradicting", "the rejected passes its tests")}


def test_an_unreadable_tests_source_makes_the_pairs_not_checkable(tmp_path: Path) -> None:
    prob = problem("python")
    found = verdicts(audit(tmp_path, [pair("hep-python", 1, prob)], tmp_path / "missing-folder"))
    assert found["1"][0] == "not_checkable" and "cannot be read" in found["1"][1]


def test_programs_are_assembled_as_the_authors_assemble_them() -> None:
    """Go (not installed here, so checked on its text): the test setup, an import block for the packages the code
    uses, the prompt, the answer, the tests; Rust: `fn main(){}`, the crates' `use` lines dropped unless used."""
    from rmeval.audit.humanevalpack import Problem

    dist = "\nfunc Dist(a float64) float64 {\n"
    go = Problem.from_row({**problem("go"), "declaration": dist, "prompt": dist}, "test")
    build = toolchain("go").assemble(toolchain("go"), go, "    return math.Abs(a)\n}\n")
    program = build.files["main_test.go"]
    assert program.startswith("package main\n\nimport (\n    \"testing\"\n)\n\nimport (\n    \"math\"\n)\n\nfunc Dist(")
    assert program.rstrip().endswith("t.Fail()\n    }\n}") and build.files["go.mod"].startswith("module humanEval")
    rust = Problem.from_row(problem("rust"), "test")
    plain = toolchain("rust").assemble(toolchain("rust"), rust, "    return a + b;\n}\n")
    assert plain.unavailable is None and "use rand::Rng;" not in plain.files["program.rs"]
    assert plain.files["program.rs"].startswith("fn main(){}\n")
    needs = toolchain("rust").assemble(toolchain("rust"), rust, "    rand::thread_rng();\n    a + b\n}\n")
    assert needs.unavailable == "needs the crate rand (no crates are built here)"
