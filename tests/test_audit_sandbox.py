"""Each claim the README makes about the audit's sandbox, checked on a real program: its own folder (removed
afterwards), no network (a real server on loopback is unreachable from inside), a read-only file system outside its
folder, a scrubbed environment with a temporary HOME, the time limit (a program that loops forever, and one that
leaves a detached process behind), the memory limit, and an output flood bounded by the file-size limit."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import pytest

from rmeval.audit.sandbox import Limits, Outcome, Sandbox, probe

pytestmark = pytest.mark.skipif(not probe()[0], reason=f"no sandbox here: {probe()[1]}")


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(Limits(seconds=3, memory_mb=256, file_mb=1))


def run(sandbox: Sandbox, source: str) -> tuple[Outcome, Path]:
    work = sandbox.folder()
    (work / "p.py").write_text(source, encoding="utf-8")
    return sandbox.run([sys.executable, "p.py"], work), work



def test_a_program_runs_in_its_own_folder_which_is_removed_afterwards(sandbox: Sandbox) -> None:
    outcome, work = run(sandbox, "import os\nopen('made.txt', 'w').write('x')\nprint(os.getcwd())")
    assert outcome.ok and outcome.stdout.strip() == str(work) and (work / "made.txt").is_file()
    sandbox.remove(work)
    assert not work.exists()


def test_the_network_is_unreachable_even_on_loopback(sandbox: Sandbox, listener: int) -> None:
    with socket.create_connection(("127.0.0.1", listener), timeout=5):  # reachable from here
        pass
    outcome, _ = run(sandbox, f"import socket\nsocket.create_connection(('127.0.0.1', {listener}), timeout=2)")
    assert not outcome.ok and "Network is unreachable" in outcome.stderr


def test_files_outside_the_folder_cannot_be_written(sandbox: Sandbox, tmp_path: Path) -> None:
    target = tmp_path / "outside.txt"
    outcome, _ = run(sandbox, f"open({str(target)!r}, 'w').write('x')")
    assert not outcome.ok and "Read-only file system" in outcome.stderr
    assert not target.exists()


def test_the_environment_is_scrubbed_and_home_is_the_folder(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.setenv("RMEVAL_TEST_SECRET", "do-not-leak")
    outcome, work = run(sandbox, "import os, json\nprint(json.dumps(dict(os.environ)))")
    assert outcome.ok and "do-not-leak" not in outcome.stdout
    env = json.loads(outcome.stdout)
    assert env["HOME"] == str(work) and env["TMPDIR"] == str(work) and "RMEVAL_TEST_SECRET" not in env


def test_a_program_that_loops_forever_is_stopped_at_the_time_limit(sandbox: Sandbox) -> None:
    outcome, _ = run(sandbox, "while True:\n    pass\n")
    assert outcome.timed_out and not outcome.ok


def test_a_process_left_behind_in_its_own_session_is_killed_with_the_program(sandbox: Sandbox, tmp_path: Path
                                                                             ) -> None:
    source = ("import subprocess, sys, time\n"
              "child = subprocess.Popen([sys.executable, '-c', 'import time, os; print(os.getpid(), flush=True); "
              "time.sleep(300)'], start_new_session=True, stdout=open('child.txt', 'w'))\n"
              "time.sleep(0.5)\nprint(open('child.txt').read().strip(), flush=True)\nwhile True: pass\n")
    outcome, work = run(sandbox, source)
    assert outcome.timed_out
    survivors = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _cmdline(p).endswith("time.sleep(300)")]
    assert survivors == []
    sandbox.remove(work)


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return ""


def test_memory_beyond_the_limit_cannot_be_had(sandbox: Sandbox) -> None:
    outcome, _ = run(sandbox, "x = bytearray(512 * 1024 * 1024)")
    assert not outcome.ok and "MemoryError" in outcome.stderr


def test_an_output_flood_is_cut_at_the_file_size_limit(sandbox: Sandbox) -> None:
    outcome, work = run(sandbox, "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n")
    assert not outcome.ok and not outcome.timed_out  # stopped by SIGXFSZ, not by the clock
    assert (work / ".stdout").stat().st_size <= 1 << 20


def test_the_program_has_no_capability_and_cannot_undo_the_read_only_mounts(sandbox: Sandbox) -> None:
    source = ("import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
              "print([line for line in open('/proc/self/status') if line.startswith('CapEff')][0].split()[1])\n"
              "print(libc.mount(None, b'/', None, ctypes.c_ulong(32 | 4096), None), os.strerror(ctypes.get_errno()))")
    outcome, _ = run(sandbox, source)
    caps, remount = outcome.stdout.splitlines()
    assert outcome.ok and int(caps, 16) == 0 and remount.startswith("-1 ")
    status, _ = run(sandbox, "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('NoNewPrivs')]"
                             "[0])")
    assert status.stdout.strip() == "1"  # a set-uid program grants nothing


def test_only_harmless_devices_its_own_processes_and_no_service_sockets_are_visible(sandbox: Sandbox) -> None:
    source = ("import json, os\nprint(json.dumps([sorted(os.listdir('/dev')), "
              "sorted(p for p in os.listdir('/proc') if p.isdigit()), os.listdir('/run')]))")
    outcome, _ = run(sandbox, source)
    devices, processes, run_dir = json.loads(outcome.stdout)
    assert outcome.ok and set(devices) <= {"null", "zero", "full", "random", "urandom", "tty", "fd", "stdin",
                                           "stdout", "stderr", "shm"}
    assert str(os.getpid()) not in processes and len(processes) <= 2  # the program, and at most a helper
    assert run_dir == []


def test_the_limits_are_set_and_reading_is_not_prevented(sandbox: Sandbox, tmp_path: Path) -> None:
    """What the README says is limited, and what it says is not protected: a file outside the folder is readable."""
    secret = tmp_path / "readable.txt"
    secret.write_text("visible", encoding="utf-8")
    source = ("import resource\n"
              "print([resource.getrlimit(getattr(resource, n))[0] for n in "
              "('RLIMIT_CPU', 'RLIMIT_DATA', 'RLIMIT_FSIZE', 'RLIMIT_CORE')])\n"
              f"print(open({str(secret)!r}).read())")
    outcome, _ = run(sandbox, source)
    limits, text = outcome.stdout.splitlines()
    assert json.loads(limits) == [5, 256 << 20, 1 << 20, 0] and text == "visible"
