"""The launcher that runs one untrusted program: started as a script (`python -I -S jail.py CONFIG`), stdlib only,
so that nothing of rmeval is imported into the process that execs the program.

It moves itself into new mount, network and PID namespaces (through a user namespace where it is not root), makes
every mount point read-only except the program's own folder, replaces /dev by a small one (null, zero, full,
random, urandom, tty) and /run by an empty one, forks the program as the namespace's first process (when it dies,
the kernel kills whatever it left behind) with a fresh /proc that shows only the namespace's processes, sets the
resource limits, drops every capability for good (bounding set, ambient set, secure bits, no_new_privs) and execs
the program with the environment it was given, nothing else. Exit code 97: the sandbox could not be set up (the
reason is on stderr). `--probe` tries all of it with `/bin/true`.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sys
import tempfile
from typing import Any

CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWUSER = 0x00020000, 0x40000000, 0x20000000, 0x10000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 24, 28, 38, 47
SECURE_BITS = 0b101111  # NOROOT, NO_SETUID_FIXUP and KEEP_CAPS off, each locked: exec never grants capabilities
SETUP_FAILED = 97
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
LIBC = ctypes.CDLL(None, use_errno=True)


class SetupError(Exception):
    """A namespace, mount or privilege step failed."""


def _call(name: str, result: int) -> None:
    if result != 0:
        raise SetupError(f"{name}: {os.strerror(ctypes.get_errno())}")


def _mount(target: str, flags: int, source: str | None = None, fstype: str | None = None,
           data: str | None = None) -> None:
    _call(f"mount {target}", LIBC.mount(source.encode() if source else None, target.encode(),
                                        fstype.encode() if fstype else None, ctypes.c_ulong(flags),
                                        data.encode() if data else None))


def _enter_namespaces() -> None:
    """New mount, network and PID namespaces; through a user namespace when not root."""
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID
    if os.geteuid() == 0:
        _call("unshare", LIBC.unshare(flags))
        return
    uid, gid = os.geteuid(), os.getegid()
    _call("unshare (user namespace)", LIBC.unshare(flags | CLONE_NEWUSER))
    for path, text in (("/proc/self/setgroups", "deny"), ("/proc/self/uid_map", f"{uid} {uid} 1"),
                       ("/proc/self/gid_map", f"{gid} {gid} 1")):
        with open(path, "w") as f:
            f.write(text)


def _small_dev(work: str) -> None:
    """A tmpfs /dev holding only harmless devices (bound from the real ones), and the usual links."""
    stage = tempfile.mkdtemp(prefix=".dev-", dir=work)
    _mount(stage, MS_BIND | MS_REC, source="/dev")
    _mount("/dev", MS_NOSUID | MS_NOEXEC, source="tmpfs", fstype="tmpfs", data="size=1m,mode=755")
    for name in DEVICES:
        if os.path.exists(os.path.join(stage, name)):
            open(f"/dev/{name}", "w").close()
            _mount(f"/dev/{name}", MS_BIND, source=os.path.join(stage, name))
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"/dev/{name}")
    os.mkdir("/dev/shm")
    _call(f"umount {stage}", LIBC.umount2(stage.encode(), MNT_DETACH))
    os.rmdir(stage)


def _isolate_files(work: str) -> None:
    """Every mount read-only but `work`; a small /dev; an empty /run (no sockets of the host's services)."""
    _mount("/", MS_REC | MS_PRIVATE)
    _mount(work, MS_BIND, source=work)
    _small_dev(work)
    if os.path.isdir("/run"):
        _mount("/run", MS_NOSUID | MS_NODEV | MS_NOEXEC, source="tmpfs", fstype="tmpfs", data="size=64k,mode=755")
    with open("/proc/self/mounts") as f:
        points = sorted({line.split()[1] for line in f}, key=len)
    for point in points:
        if point == work or point == "/proc" or point.startswith("/proc/"):
            continue  # /proc is replaced in the program's own PID namespace
        try:
            _mount(point, MS_REMOUNT | MS_BIND | MS_RDONLY)
        except SetupError:
            if point == "/":  # the root file system must be read-only; odd pseudo mounts may refuse
                raise


def _drop_capabilities() -> None:
    """No capability now or after exec, whatever the user id: no mounts, no raw devices, no permission override."""
    for cap in range(64):
        if LIBC.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() != 22:  # EINVAL: no such cap
            raise SetupError(f"dropping capability {cap}: {os.strerror(ctypes.get_errno())}")
    LIBC.prctl(PR_CAP_AMBIENT, 4, 0, 0, 0)  # clear the ambient set (absent on old kernels: nothing to clear)
    if os.geteuid() == 0:
        _call("secure bits", LIBC.prctl(PR_SET_SECUREBITS, SECURE_BITS, 0, 0, 0))

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    empty = (Data * 2)()
    _call("capset", LIBC.capset(ctypes.byref(Header(0x20080522, 0)), empty))
    _call("no_new_privs", LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))


def _child(config: dict[str, Any]) -> None:
    """In the new PID namespace: its own read-only /proc, the program's files and limits, no privileges; exec."""
    _mount("/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, source="proc", fstype="proc")
    os.chdir(str(config["work"]))
    with open(str(config["stdout"]), "wb") as out, open(str(config["stderr"]), "wb") as err:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    for name, value in (config.get("limits") or {}).items():
        resource.setrlimit(getattr(resource, name), (value, value))
    _drop_capabilities()
    argv = [str(a) for a in config["argv"]]
    os.execve(argv[0], argv, dict(config["env"]))


def main(argv: list[str]) -> int:
    """Run the program the JSON config describes; its exit code (128 + signal when killed by one)."""
    config: dict[str, Any]
    if argv[1:] == ["--probe"]:
        config = {"work": os.getcwd(), "argv": ["/bin/true"], "env": {}, "stdout": os.devnull, "stderr": os.devnull}
    else:
        config = json.loads(argv[1])
    work = str(config["work"])
    try:
        _enter_namespaces()
        _isolate_files(work)
    except (SetupError, OSError) as e:
        print(f"rmeval sandbox: {e}", file=sys.stderr)
        return SETUP_FAILED
    pid = os.fork()  # the first process of the new PID namespace
    if pid == 0:
        try:
            _child(config)
        except (SetupError, OSError) as e:
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
