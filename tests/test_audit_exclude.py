"""`rmeval report DIR --exclude audit.json`: every metric recomputed without the flagged pairs by the benchmark's own
formula (RewardBench's weighted Reasoning here), the pairs left out counted per subset and reason, and the result
written as a folder of its own that `report` verifies and the leaderboard shows as its own entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from analysis_runs import TextRuleScorer
from conftest import write_jsonl
from rmeval.cli import main
from rmeval.data import load_examples
from rmeval.evaluate import evaluate
from rmeval.results import read_run, write_run
from rmeval.site.build import build_site, load_entries
from rmeval.site.groups import groups_of

pytest.importorskip("math_verify")


def rows() -> list[dict[str, Any]]:
    out = []
    for i in range(8):  # math-prm: the chosen is the reference; rows 0 and 1's rejected reach its result
        reached = i < 2
        answer = 2 * i if reached else 2 * i + 1
        out.append({"subset": "math-prm", "id": 100 + i, "prompt": f"What is {i} + {i}?",
                    "chosen": f"Add them: $\\boxed{{{2 * i}}}$", "rejected": f"Hmm.\n# Answer\n\n{answer}"})
    for sub in ("hep-python", "hep-js"):
        out += [{"subset": sub, "id": f"{sub}-{i}", "prompt": f"task {i}", "chosen": "ok" * (i + 1), "rejected": "no"}
                for i in range(5)]
    return out


@pytest.fixture
def audited(tmp_path: Path) -> tuple[Path, Path, Path]:
    data = write_jsonl(tmp_path / "rb.jsonl", rows())
    loaded = load_examples(None, data)
    result = evaluate(TextRuleScorer("org/some-rm", 0.3, seed=1), loaded.examples, loaded.benchmark,
                      data_source=loaded.source, versions={"rmeval": "test"}, progress=False, seed=0, bootstrap=50)
    run = tmp_path / "results" / "some-rm"
    write_run(result, run)
    audit = tmp_path / "audit.json"
    assert main(["audit", "--data", str(data), "--checks", "math", "--out", str(audit)]) == 0
    return data, run, audit


def test_metrics_are_recomputed_without_the_flagged_pairs(audited: tuple[Path, Path, Path], tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    _, run, audit = audited
    capsys.readouterr()
    assert main(["report", str(run), "--exclude", str(audit), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    samples = [s for s in read_run(run).samples if (s.subset, str(s.id)) not in {("math-prm", "100"),
                                                                                ("math-prm", "101")}]
    acc = {sub: [s.correct for s in samples if s.subset == sub] for sub in ("math-prm", "hep-python", "hep-js")}
    mean = {k: sum(v) / len(v) for k, v in acc.items()}
    assert out["metrics"]["subsets"]["math-prm"]["n"] == 6
    assert out["metrics"]["subsets"]["math-prm"]["accuracy"] == pytest.approx(mean["math-prm"])
    # RewardBench's Reasoning: math-prm weighs 984, each hep subset 164, whatever the rows left
    reasoning = (984 * mean["math-prm"] + 164 * mean["hep-python"] + 164 * mean["hep-js"]) / (984 + 2 * 164)
    assert out["metrics"]["sections"]["Reasoning"] == pytest.approx(reasoning)
    assert out["metrics"]["excluded"] == {"math-prm": {"audit: math": 2}}
    assert out["exclude"]["pairs_excluded"] == 2 and out["exclude"]["warnings"] == []
    assert main(["report", str(run), "--exclude", str(audit)]) == 0
    table = capsys.readouterr().out
    assert "2 left out by" in table and "audit: math: 2" in table


def test_the_recomputed_run_is_a_result_folder_and_its_own_leaderboard_entry(audited: tuple[Path, Path, Path],
                                                                             tmp_path: Path,
                                                                             capsys: pytest.CaptureFixture[str]
                                                                             ) -> None:
    _, run, audit = audited
    out = tmp_path / "results" / "some-rm-audited"
    assert main(["report", str(run), "--exclude", str(audit), "--output-dir", str(out)]) == 0
    capsys.readouterr()
    assert main(["report", str(out)]) == 0  # its stored metrics are what its samples give
    assert "recomputed metrics match result.json" in capsys.readouterr().out
    spec = read_run(out).spec
    assert spec.name == "org/some-rm (without audit-flagged pairs)"
    assert spec.data["audit"]["pairs_excluded"] == 2 and spec.data["audit"]["file"] == str(audit)
    entries = load_entries([tmp_path / "results"])
    names = sorted(e.model for e in entries)
    assert names == ["org/some-rm", "org/some-rm (without audit-flagged pairs)"]
    groups = groups_of(entries)
    assert len(groups) == 2  # other examples: another group, named by what was left out
    assert any("without 2 pairs flagged by audit" in g[2][0].dataset for g in groups)
    site = build_site(entries, tmp_path / "site")
    assert "without audit-flagged pairs" in site.index.read_text(encoding="utf-8")
    page = next(e for e in entries if e.model.endswith("pairs)"))
    html = (site.out_dir / "models" / f"{page.slug}.html").read_text(encoding="utf-8")
    assert "Recomputed without 2 pairs flagged by the audit" in html and "audit: math: 2" in html


def test_a_bad_audit_file_is_one_line_and_exit_code_2(audited: tuple[Path, Path, Path], tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    _, run, _ = audited
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}')
    assert main(["report", str(run), "--exclude", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert "not an audit file" in err and len(err.splitlines()) == 1
    assert main(["report", str(run), "--output-dir", str(tmp_path / "x")]) == 2
    assert "--output-dir goes with --exclude" in capsys.readouterr().err
