"""`pip install rmeval` without extras: reports, comparisons and the leaderboard work with numpy alone, in a fresh
virtual environment that has no torch, transformers or datasets; a run says which extra it needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
V1 = ROOT / "tests" / "data" / "schema_v1"


@pytest.fixture(scope="module")
def lean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `rmeval` command of a fresh venv where rmeval was installed from this checkout, without extras."""
    venv = tmp_path_factory.mktemp("lean") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    done = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(ROOT)], capture_output=True, text=True,
                          timeout=900, check=False)
    if done.returncode != 0:  # the index is unreachable: nothing here says anything about rmeval
        pytest.skip(f"pip could not install rmeval into a fresh venv: {done.stderr.strip()[-300:]}")
    return venv / "bin" / "rmeval"


def run(command: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(command), *args], capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.slow
def test_results_work_without_torch(lean: Path, tmp_path: Path) -> None:
    python = lean.parent / "python"
    listed = subprocess.run([str(python), "-m", "pip", "list"], capture_output=True, text=True, check=True).stdout
    assert "numpy" in listed and not {"torch", "transformers", "datasets"} & {line.split()[0] for line in
                                                                            listed.splitlines()[2:]}
    report = run(lean, "report", str(V1 / "v1-judge-prior-sets"), "--analysis")
    assert report.returncode == 0, report.stderr
    assert report.stdout == (V1 / "expected" / "v1-judge-prior-sets.analysis.txt").read_text(encoding="utf-8")
    compare = run(lean, "compare", str(V1 / "mini-classifier"), str(V1 / "mini-classifier-b"))
    assert compare.returncode == 0 and compare.stdout == (V1 / "expected" / "compare.txt").read_text(encoding="utf-8")
    site = run(lean, "leaderboard", str(V1), "--out", str(tmp_path / "site"))
    assert site.returncode == 0, site.stderr
    assert (tmp_path / "site" / "index.html").is_file()


@pytest.mark.slow
def test_a_run_without_the_hf_extra_says_what_to_install(lean: Path) -> None:
    done = run(lean, "run", "--model", "org/rm", "--benchmark", "rewardbench-mini")
    assert done.returncode == 2
    assert done.stderr.strip() == ("rmeval: error: --scorer classifier needs torch, transformers, which are not "
                                   "installed: pip install 'rmeval[hf]'")
