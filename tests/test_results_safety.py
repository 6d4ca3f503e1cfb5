"""Nothing lost, nothing mixed: a result folder is locked while a run or a merge writes it, a write that fails leaves
the previous result (or nothing) and says what to free, the score store keeps what was computed, `merge` never
writes over another run's result or one of its own parts, and Ctrl-C says truly what the stores hold."""

from __future__ import annotations

import errno
import json
import os
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import build_llama_classifier, preference_rows, write_jsonl
from rmeval.cli import main
from rmeval.results.folder import FolderLock, write_failure


def run_cli(*args: str) -> int:
    return main(["run", "--no-progress", *args])


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "d.jsonl", preference_rows(3))


@pytest.fixture(scope="module")
def other_classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_llama_classifier(tmp_path_factory.mktemp("other-rm"), seed=1)


def test_a_run_into_a_folder_another_process_writes_stops_with_one_line(
        tmp_path: Path, data: Path, llama_classifier: Path, other_classifier: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--output-dir", str(out)) == 0
    before = (out / "result.json").read_bytes(), (out / "samples.jsonl").read_bytes()
    capsys.readouterr()
    holder = subprocess.Popen(  # another process holds the folder, as a run that is still scoring does
        [sys.executable, "-c", "import sys; from pathlib import Path; from rmeval.results.folder import FolderLock; "
         f"FolderLock(Path({str(out)!r})).acquire(); print('held', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        for model, extra in ((llama_classifier, []), (other_classifier, ["--overwrite"])):
            assert run_cli("--model", str(model), "--data", str(data), "--output-dir", str(out), *extra) == 2
            err = capsys.readouterr().err
            assert err == (f"rmeval: error: {out} is being written by another rmeval run (process {holder.pid}); wait "
                           "for it to finish, or choose another --output-dir\n")
        assert ((out / "result.json").read_bytes(), (out / "samples.jsonl").read_bytes()) == before
    finally:
        holder.communicate("")
    assert run_cli("--model", str(other_classifier), "--data", str(data), "--output-dir", str(out),
                   "--overwrite") == 0  # the holder is gone, and so is its lock
    assert sorted(p.name for p in out.iterdir()) == ["result.json", "samples.jsonl"]


def test_the_lock_is_released_on_failure_and_a_locked_folder_refuses_a_second_holder(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    with FolderLock(folder), pytest.raises(ValueError, match="is being written by another rmeval run"):
        FolderLock(folder).acquire()
    assert list(folder.iterdir()) == []  # no lock file is left behind
    FolderLock(folder).acquire().release()


LIMIT = 96 * 1024
"""RLIMIT_FSIZE of the failing runs: above what the score store's files reach on these runs, below samples.jsonl."""


def long_id_rows() -> list[dict[str, Any]]:
    """Rows with long ids: their samples.jsonl (about 180 kB) is far above LIMIT, their texts few."""
    return [{**row, "id": f"{row['id']}-" + "x" * 4000} for row in preference_rows(20, ("alpha", "beta"))][:44]


def limited_run(*args: str) -> subprocess.CompletedProcess[str]:
    """`rmeval run` in a process whose files cannot grow past LIMIT (as on a nearly full disk)."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))  # Python ignores SIGXFSZ: writes fail with EFBIG

    return subprocess.run([sys.executable, "-m", "rmeval", "run", "--no-progress", "--precision", "fp32", *args],
                          capture_output=True, text=True, preexec_fn=limit, timeout=300,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def test_a_write_that_fails_leaves_nothing_says_what_to_free_and_the_store_keeps_the_scores(
        tmp_path: Path, llama_classifier: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "long.jsonl", long_id_rows())
    out, store = tmp_path / "results" / "new", tmp_path / "store"
    failed = limited_run("--model", str(llama_classifier), "--data", str(data), "--output-dir", str(out),
                         "--score-cache", str(store))
    assert failed.returncode == 1, failed.stderr
    [line] = failed.stderr.strip().splitlines()
    assert line.startswith(f"rmeval: error: could not write the results to {out} (File too large): a file size "
                           "limit (ulimit -f) is below the 0.2 MiB to write: raise it")
    assert f"{out} holds its previous result, or nothing" in line and "new scores are kept in the score store" in line
    assert not out.exists() and not out.parent.exists()  # the folders the run made are gone again
    with sqlite3.connect(store / "scores.sqlite") as db:
        kept = db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
    assert kept > 0 and f"{kept} new scores are kept" in line
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--output-dir", str(out), "--score-cache",
                   str(store), "--precision", "fp32") == 0
    scorer = json.loads((out / "result.json").read_text())["spec"]["scorer"]
    assert scorer["batching"]["forward_batches"] == 0  # the rerun computed nothing: every score was kept
    assert scorer["score_store"]["from_store"] == kept


def test_a_write_that_fails_leaves_the_previous_result_as_it_was(
        tmp_path: Path, llama_classifier: Path, other_classifier: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "long.jsonl", long_id_rows())
    out = tmp_path / "out"
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--output-dir", str(out)) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    failed = limited_run("--model", str(other_classifier), "--data", str(data), "--output-dir", str(out),
                         "--overwrite", "--no-score-cache")
    assert failed.returncode == 1 and "could not write the results to" in failed.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temporary file, no half of a new result
    capsys.readouterr()
    assert main(["report", str(out)]) == 0


@pytest.mark.parametrize(("code", "hint"), [
    (errno.ENOSPC, "free 2.0 MiB or more on the disk that holds it"),
    (errno.EDQUOT, "free 2.0 MiB or more of your disk quota"),
    (errno.EACCES, "make it writable"),
    (errno.EROFS, "it is on a read-only file system"),
])
def test_what_a_failed_write_says_for_each_cause(tmp_path: Path, code: int, hint: str) -> None:
    error = write_failure(tmp_path, OSError(code, os.strerror(code)), 2 * 2**20, "Kept: all.")
    assert str(error) == (f"could not write the results to {tmp_path} ({os.strerror(code)}): {hint}, or choose "
                          "another --output-dir, then rerun. Kept: all.")


def shard_parts(tmp_path: Path, data: Path, model: Path) -> Path:
    parts = tmp_path / "parts"
    for i in range(2):
        assert run_cli("--model", str(model), "--data", str(data), "--output-dir", str(parts), "--shard",
                       f"{i}/2", "--precision", "fp32") == 0
    return parts


def test_merge_never_replaces_another_runs_result_nor_one_of_its_parts(
        tmp_path: Path, llama_classifier: Path, other_classifier: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", preference_rows(520))  # two blocks of work, so two shards
    parts = shard_parts(tmp_path, data, llama_classifier)
    other = tmp_path / "other"
    assert run_cli("--model", str(other_classifier), "--data", str(data), "--output-dir", str(other)) == 0
    before = (other / "result.json").read_bytes()
    capsys.readouterr()
    assert main(["merge", str(parts), "--output-dir", str(other)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rmeval: error: {other} holds the result of another run (model ") and str(
        other_classifier) in err and err.endswith("pass --overwrite to replace it, or --output-dir for a new folder\n")
    assert (other / "result.json").read_bytes() == before
    part = parts / "shard-1-of-2"
    shard = (part / "result.json").read_bytes()
    assert main(["merge", str(parts), "--output-dir", str(part), "--overwrite"]) == 2
    assert "is one of the parts being merged" in capsys.readouterr().err
    assert (part / "result.json").read_bytes() == shard
    assert main(["merge", str(parts), "--output-dir", str(other), "--overwrite"]) == 0
    assert main(["merge", str(parts), "--output-dir", str(other)]) == 0  # the same merge again replaces its own
    capsys.readouterr()
    assert main(["report", str(other)]) == 0


def interrupt_after(monkeypatch: pytest.MonkeyPatch, calls: int) -> None:
    """The classifier's forward pass raises KeyboardInterrupt (what Ctrl-C does in Python) at its `calls`-th call."""
    import rmeval.scorers.classifier as classifier

    real = classifier.ClassifierModel.rewards
    seen = [0]

    def rewards(self: Any, batch: Any) -> Any:
        seen[0] += 1
        if seen[0] == calls:
            raise KeyboardInterrupt
        return real(self, batch)

    monkeypatch.setattr(classifier.ClassifierModel, "rewards", rewards)


@pytest.mark.parametrize("precision", ["fp32", "fast-exact"])
def test_ctrl_c_says_how_many_scores_the_store_keeps(tmp_path: Path, llama_classifier: Path, precision: str,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", preference_rows(12))
    out, store = tmp_path / "out", tmp_path / "store"
    interrupt_after(monkeypatch, 4)
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--output-dir", str(out), "--score-cache",
                   str(store), "--precision", precision, "--batch-size", "4") == 130
    [line] = capsys.readouterr().err.splitlines()
    with sqlite3.connect(store / "scores.sqlite") as db:
        kept = db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
    assert kept > 0
    assert line == (f"rmeval: interrupted: nothing was written to {out}. {kept} new scores are kept in the score store "
                    f"({store / 'scores.sqlite'}): rerun the same command to resume")
    assert not out.exists()


def test_ctrl_c_while_loading_or_reading_says_so_in_a_line(tmp_path: Path, data: Path, llama_classifier: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    import rmeval.run

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    out = tmp_path / "out"
    monkeypatch.setattr(rmeval.run, "build_scorer", interrupted)
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--output-dir", str(out)) == 130
    assert capsys.readouterr().err == ("rmeval: interrupted while loading the model: nothing was computed or written; "
                                       "rerun the same command to start again\n")
    assert not out.exists()
    monkeypatch.setattr(rmeval.run, "load_examples", interrupted)
    assert run_cli("--model", str(llama_classifier), "--data", str(data), "--output-dir", str(out)) == 130
    assert capsys.readouterr().err == "rmeval: interrupted: nothing was written\n"
