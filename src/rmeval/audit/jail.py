"""The launcher that runs one untrusted program: started as a script (`python -I -S jail.py CONFIG`), stdlib only,
so that nothing of rmeval is imported into the process that execs the program.

It moves itself into new mount, network and PID namespaces (and a user namespace first where it is not root),
makes every mount point read-only except the program's own folder, forks the program as the namespace's first
process (when it dies, the kernel kills whatever it left behind), sets the resource limits and execs the program
with the environment it was given, nothing else. `--probe` says which of these steps work here, as JSON.
Exit code 97 means the sandbox itself could not be set up (the reason is on stderr).
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sys
from typing import Any

CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWUSER = 0x00020000, 0x40000000, 0x20000000, 0x10000000
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18
SETUP_FAILED = 97
LIBC = ctypes.CDLL(None, use_errno=True)


class SetupError(Exception):
    """A namespace or mount step failed."""


def _call(name: str, result: int) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise SetupError(f"{name}: {os.strerror(errno)}")


def _mount(target: str, flags: int, source: str | None = None) -> None:
    _call(f"mount {target}", LIBC.mount(source.encode() if source else None, target.encode(), None,
                                        ctypes.c_ulong(flags), None))


def _enter_namespaces() -> str:
    """New mount, network and PID namespaces; through a user namespace when not root. Returns how."""
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID
    if os.geteuid() == 0:
        _call("unshare", LIBC.unshare(flags))
        return "root"
    uid, gid = os.geteuid(), os.getegid()
    _call("unshare (user namespace)", LIBC.unshare(flags | CLONE_NEWUSER))
    for path, text in (("/proc/self/setgroups", "deny"), ("/proc/self/uid_map", f"{uid} {uid} 1"),
                       ("/proc/self/gid_map", f"{gid} {gid} 1")):
        with open(path, "w") as f:
            f.write(text)
    return "user namespace"


def _read_only_except(work: str) -> None:
    """Every mount read-only, except `work` (bound onto itself first) and /proc."""
    _mount("/", MS_REC | MS_PRIVATE)
    _mount(work, MS_BIND, source=work)
    with open("/proc/self/mounts") as f:
        points = sorted({line.split()[1] for line in f}, key=len)
    for point in points:
        if point == work or point == "/proc" or point.startswith("/proc/"):
            continue
        try:
            _mount(point, MS_REMOUNT | MS_BIND | MS_RDONLY)
        except SetupError:
            if point == "/":  # the root file system must be read-only; odd pseudo mounts may refuse
                raise


def _limits(limits: dict[str, int]) -> None:
    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), (value, value))


def _probe() -> dict[str, Any]:
    """Which isolation works here: namespaces and the read-only remount, tried in a throwaway child."""
    pid = os.fork()
    if pid == 0:
        try:
            how = _enter_namespaces()
            work = os.getcwd()
            _read_only_except(work)
            print(json.dumps({"namespaces": how, "read_only": True}), flush=True)
            os._exit(0)
        except (SetupError, OSError) as e:
            print(json.dumps({"error": str(e)}), flush=True)
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return {"ok": os.waitstatus_to_exitcode(status) == 0}


def main(argv: list[str]) -> int:
    """Run the program the JSON config describes; its exit code (128 + signal when killed by one)."""
    if argv[1:] == ["--probe"]:
        return 0 if _probe()["ok"] else 1
    config = json.loads(argv[1])
    work: str = config["work"]
    try:
        _enter_namespaces()
        _read_only_except(work)
    except (SetupError, OSError) as e:
        print(f"rmeval sandbox: {e}", file=sys.stderr)
        return SETUP_FAILED
    pid = os.fork()  # the first process of the new PID namespace
    if pid == 0:
        try:
            os.chdir(work)
            with open(config["stdout"], "wb") as out, open(config["stderr"], "wb") as err:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            _limits(config.get("limits", {}))
            os.execve(config["argv"][0], config["argv"], config["env"])
        except OSError as e:
            os.write(2, f"rmeval sandbox: cannot run {config['argv'][0]}: {e}\n".encode())
            os._exit(SETUP_FAILED)
    # Asked to stop (the time limit): kill the namespace's first process, and the kernel kills the rest with it,
    # even a process that left the program's session.
    signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGKILL))
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
