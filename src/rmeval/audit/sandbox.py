"""Running an untrusted program: its own temporary folder, no network, a read-only file system outside that folder
(with a small /dev, an empty /run and a /proc of its own), its own PID namespace, no capabilities, a scrubbed
environment with a temporary HOME, and time, memory, CPU and file-size limits.

The namespaces, mounts and privileges are set up by `jail.py`, a stdlib-only script started for every program (so
no `preexec_fn` runs in this multi-threaded process). `probe()` tries them once; where they are not available (no
root and no user namespaces), nothing is run and the caller reports why.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rmeval.common.jsonio import to_json

__all__ = ["JAIL", "Limits", "Outcome", "Sandbox", "probe"]

JAIL = Path(__file__).with_name("jail.py")
SETUP_FAILED = 97
TAIL = 2000
"""Characters of a program's stdout and stderr kept for the report."""


@dataclass(frozen=True)
class Limits:
    """Per program: wall-clock seconds, data memory (heap and private writable mappings) in MiB, file size MiB."""

    seconds: float = 10.0
    memory_mb: int = 2048
    file_mb: int = 16

    def rlimits(self) -> dict[str, int]:
        """The resource limits set before the program starts (CPU time: the wall-clock limit, rounded up, + 1)."""
        return {"RLIMIT_CPU": int(self.seconds) + 2, "RLIMIT_DATA": self.memory_mb << 20,
                "RLIMIT_FSIZE": self.file_mb << 20, "RLIMIT_CORE": 0}


@dataclass(frozen=True)
class Outcome:
    """What one program did."""

    exit_code: int
    timed_out: bool
    stdout: str
    stderr: str
    seconds: float

    @property
    def ok(self) -> bool:
        """Exited 0 in time."""
        return self.exit_code == 0 and not self.timed_out


@functools.lru_cache(maxsize=1)
def probe() -> tuple[bool, str]:
    """Whether programs can be isolated here, and how (or why not): tried once per process."""
    with tempfile.TemporaryDirectory(prefix="rmeval-probe-") as work:
        try:
            done = subprocess.run([sys.executable, "-I", "-S", str(JAIL), "--probe"], cwd=work, capture_output=True,
                                  text=True, timeout=30, env={})
        except (OSError, subprocess.TimeoutExpired) as e:
            return False, f"the sandbox launcher did not run ({e})"
    if done.returncode != 0:
        return False, f"namespaces are not available here ({(done.stderr or done.stdout).strip() or 'no reason'})"
    how = "as root" if os.geteuid() == 0 else "through a user namespace"
    return True, (f"mount, network and PID namespaces {how}; read-only file system outside the program's folder; "
                  "no capabilities")


@dataclass
class Sandbox:
    """Runs programs in fresh temporary folders under `root` (the system's temporary folder by default)."""

    limits: Limits = field(default_factory=Limits)
    path: Sequence[str] = ()
    extra_env: Mapping[str, str] = field(default_factory=dict)
    root: Path | None = None

    def describe(self) -> dict[str, Any]:
        """What the sandbox does, for audit.json."""
        isolated, how = probe()
        return {"isolated": isolated, "how": how, "seconds": self.limits.seconds, "memory_mb": self.limits.memory_mb,
                "file_mb": self.limits.file_mb, "environment": sorted(self.environment("<folder>"))}

    def environment(self, work: str) -> dict[str, str]:
        """The whole environment a program sees: nothing of the caller's but the toolchains' folders."""
        folders = list(dict.fromkeys([*self.path, "/usr/local/bin", "/usr/bin", "/bin"]))
        return {"PATH": os.pathsep.join(folders), "HOME": work, "TMPDIR": work, "LANG": "C.UTF-8",
                "LC_ALL": "C.UTF-8", **self.extra_env}

    def folder(self) -> Path:
        """A new, empty folder for one program's files."""
        return Path(tempfile.mkdtemp(prefix="rmeval-audit-", dir=self.root))

    def run(self, argv: Sequence[str], work: Path, seconds: float | None = None) -> Outcome:
        """Run `argv` in `work` under the limits (`seconds` replaces the time limit, for compilers)."""
        limit = self.limits if seconds is None else Limits(seconds, self.limits.memory_mb, self.limits.file_mb)
        out, err = work / ".stdout", work / ".stderr"
        config = {"work": str(work), "argv": list(argv), "env": self.environment(str(work)),
                  "limits": limit.rlimits(), "stdout": str(out), "stderr": str(err)}
        started = time.monotonic()
        process = subprocess.Popen([sys.executable, "-I", "-S", str(JAIL), to_json(config, indent=None)],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   start_new_session=True, env={})
        timed_out = False
        try:
            _, setup_err = process.communicate(timeout=limit.seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill(process)
            _, setup_err = process.communicate()
        seconds_taken = time.monotonic() - started
        code = process.returncode
        stderr = _tail(err)
        if code == SETUP_FAILED and not stderr:
            stderr = setup_err.decode("utf-8", "replace")[-TAIL:]
        return Outcome(code, timed_out, _tail(out), stderr, seconds_taken)

    @staticmethod
    def remove(work: Path) -> None:
        """Delete a program's folder (its files are the program's; whatever it made there goes too)."""
        shutil.rmtree(work, ignore_errors=True)


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Stop a program past its time: the launcher kills the first process of the program's PID namespace (the
    kernel then kills everything it started), then the launcher's process group is killed."""
    for sig, wait in ((signal.SIGTERM, 2.0), (signal.SIGKILL, None)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        if wait is not None:
            try:
                process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


def _tail(path: Path) -> str:
    try:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - TAIL * 4))
            return f.read().decode("utf-8", "replace")[-TAIL:]
    except OSError:
        return ""
