"""`rmeval report DIR | head` ends without an error line: a reader that stops early is no error of the run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from analysis_runs import write_run_folder

CLOSED_READER = """import os, sys
read, write = os.pipe()
os.close(read)                      # the reader is gone before anything is written, as `head` is once it has its lines
os.dup2(write, sys.stdout.fileno())
from rmeval.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-c", CLOSED_READER, *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def test_report_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    write_run_folder(tmp_path / "run", "org/rm", bootstrap=20)
    for args in (["report", str(tmp_path / "run"), "--analysis"], ["leaderboard", str(tmp_path / "run"), "--format",
                                                                    "md"]):
        done = _run(args)
        assert (done.returncode, done.stderr) == (0, ""), args
    shell = subprocess.run(f"{sys.executable} -m rmeval report {tmp_path / 'run'} | head -n 1", shell=True,
                           capture_output=True, text=True, timeout=120, check=False)
    assert shell.stdout.startswith("rewardbench-mini: org/rm") and shell.stderr == ""
