"""How each language's test program is assembled from a HumanEvalPack problem and an answer, built, run and judged,
as HumanEvalPack's authors do it.

Assembly follows bigcode-project/bigcode-evaluation-harness, bigcode_eval/tasks/humanevalpack.py (commit 8fc5bae6):
the answer follows the problem's `prompt`, as the authors' own reference program is the prompt and the canonical
solution (`get_reference(get_solution=True)`, lines 265-267; the published `declaration` of CPP/38 holds part of
the body, so declaration + solution does not compile there; where a row has no prompt, its declaration); then the
language fixes of lines 392-463 (Python's and C++'s import helpers of lines 71-125, C++ cut at `int main`, Java's
empty `Main` class dropped, Go's `test_setup` and used packages, Rust's `fn main(){}`), a newline and the problem's
`test` (`get_reference`, line 269). The harness runs programs through the hub metric `Muennighoff/code_eval_octopack`
(not on GitHub; not read here); its pass rules are taken from the execution code it derives from,
THUDM/CodeGeeX codegeex/benchmark/execution.py (commit 0abbe136): Python passes when nothing raises, JavaScript
when `node` writes nothing to stdout or stderr (`console.assert` only prints), C++ (`g++ -std=c++11`, `-lcrypto`
for the md5 problem), Java (`javac`, `java Main`), Go (`go test`) and Rust (`cargo test` with the crates rand,
regex and md5: codegeex/benchmark/rust/Cargo.toml) when the build and the run exit 0.

Differences, stated: Rust is built with `rustc --test` (no cargo, no crates: a program that uses rand, regex or md5
is not checkable here, and the prompt's `use` lines of those crates are dropped elsewhere); a missing header,
module or package makes an answer not checkable instead of failing it.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rmeval.audit.humanevalpack import Problem
from rmeval.audit.sandbox import Outcome

__all__ = ["LANGUAGE_NAMES", "Build", "Step", "Toolchain", "missing_dependency", "node_path", "toolchain"]

LANGUAGE_NAMES = {"python": "Python", "js": "JavaScript", "cpp": "C++", "go": "Go", "java": "Java", "rust": "Rust"}

_PY_IMPORTS = ("import math", "import re", "import sys", "import copy", "import datetime", "import itertools",
               "import collections", "import heapq", "import statistics", "import functools", "import hashlib",
               "import numpy", "import numpy as np", "import string", "from typing import *",
               "from collections import *")
_CPP_IMPORTS = ("using namespace std;", "#include<stdlib.h>", "#include<algorithm>", "#include<cmath>",
                "#include<math.h>", "#include<numeric>", "#include<stdio.h>", "#include<vector>", "#include<set>",
                "#include<map>", "#include<queue>", "#include<stack>", "#include<list>", "#include<deque>",
                "#include<boost/any.hpp>", "#include<string>", "#include<climits>", "#include<cstring>",
                "#include<iostream>", "#include<sstream>", "#include<fstream>")
_GO_PACKAGES = ("math", "strings", "fmt", "strconv", "time", "bytes", "regexp", "sort", "math/rand", "crypto/md5")
_RUST_CRATES = {"rand": r"\brand::|\.gen_range\b|\bthread_rng\b", "regex": r"\bRegex\b", "md5": r"\bmd5::"}
_RUST_CRATE_USE = re.compile(r"^\s*use (?:rand::Rng|regex::Regex|md5);\s*$", re.MULTILINE)

_MISSING = (
    re.compile(r"fatal error: ([\w./+-]+): No such file or directory"),  # C++ header
    re.compile(r"Cannot find module '([^']+)'"),  # Node package
    re.compile(r"ModuleNotFoundError: No module named '([^']+)'"),  # Python module
    re.compile(r"no required module provides package ([\w./-]+)"),  # Go module
    re.compile(r"cannot find package \"?([\w./-]+)"),
)


@dataclass(frozen=True)
class Step:
    """One command of a build-and-run: `compile` steps run under the compile time limit."""

    argv: tuple[str, ...]
    compile: bool = False


@dataclass(frozen=True)
class Build:
    """A program ready to run: its files and its steps, or why it cannot be checked here."""

    files: dict[str, str]
    steps: tuple[Step, ...]
    unavailable: str | None = None


@dataclass(frozen=True)
class Toolchain:
    """A language's tools, found on this machine (or why not), and its program rules."""

    language: str
    binaries: dict[str, str]
    missing: str | None
    assemble: Callable[[Toolchain, Problem, str], Build]
    quiet_passes: bool = False
    """JavaScript: a run passes only when it printed nothing (CodeGeeX's rule: `console.assert` only prints)."""

    @property
    def folders(self) -> list[str]:
        """Folders of the tools, for the program's PATH."""
        return list(dict.fromkeys(str(Path(b).parent) for b in self.binaries.values()))

    def tool(self, name: str) -> str:
        """The path of one of the toolchain's programs (its bare name where it is not installed)."""
        return self.binaries.get(name, name)

    def build(self, problem: Problem, answer: str) -> Build:
        """The program of `answer` to `problem`."""
        return self.assemble(self, problem, answer)

    def passed(self, outcome: Outcome) -> bool:
        """Whether a run's outcome is a pass under the authors' rule."""
        return outcome.ok and not (self.quiet_passes and (outcome.stdout.strip() or outcome.stderr.strip()))


def missing_dependency(outcome: Outcome) -> str | None:
    """The header, module or package a failed build or run could not find (an environment failure)."""
    for pattern in _MISSING:
        found = pattern.search(outcome.stderr) or pattern.search(outcome.stdout)
        if found:
            return found.group(1)
    return None


def _base(p: Problem) -> str:
    """The text the answer follows: the problem's prompt (the authors' reference program starts with it)."""
    return p.prompt or p.declaration


def _python(tc: Toolchain, p: Problem, answer: str) -> Build:
    code = ("\n".join(_PY_IMPORTS) + "\n" + _base(p) + answer).strip()
    return Build({"program.py": code + "\n\n" + p.test + "\n"}, (Step((tc.tool("python"), "program.py")),))


def _js(tc: Toolchain, p: Problem, answer: str) -> Build:
    return Build({"program.js": _base(p) + answer + "\n\n" + p.test + "\n"},
                 (Step((tc.tool("node"), "program.js")),))


def _cpp(tc: Toolchain, p: Problem, answer: str) -> Build:
    code = ("\n".join(_CPP_IMPORTS) + "\n" + (_base(p) + answer).split("int main")[0]).strip()
    program = code + "\n\n" + p.test + "\n"
    libs = ("-lcrypto",) if "openssl/" in program else ()
    return Build({"program.cpp": program},
                 (Step((tc.tool("g++"), "-std=c++11", "program.cpp", "-o", "program", *libs), compile=True),
                  Step(("./program",))))


def _java(tc: Toolchain, p: Problem, answer: str) -> Build:
    code = (_base(p) + answer).replace("public class Main {\n    }", "").strip()
    return Build({"Main.java": code + "\n\n" + p.test + "\n"},
                 (Step((tc.tool("javac"), "Main.java"), compile=True),
                  Step((tc.tool("java"), "-XX:-UsePerfData", "-cp", ".", "Main"))))


def _go(tc: Toolchain, p: Problem, answer: str) -> Build:
    code = _base(p) + answer
    setup = p.test_setup + "\n"
    for line in setup.split("\n"):  # packages the answer imports itself are not imported twice
        line = line.replace("import", "").replace("(", "").replace(")", "").strip()
        if line.startswith('"') and line in code:
            setup = setup.replace(line, "")
    whole = setup + code + "\n" + p.test
    used = sorted({f'"{pkg}"' for pkg in _GO_PACKAGES if f'"{pkg}"' not in whole
                   and any(f"{pkg.split('/')[-1]}." in line and not line.strip().startswith("//")
                           for line in whole.split("\n"))})
    imports = "import (\n" + "\n".join(f"    {pkg}" for pkg in used) + "\n)\n" if used else ""
    if "package main" in code and "package main" in setup:
        code = code.replace("package main", "")
    program = setup + imports + code + "\n\n" + p.test + "\n"
    return Build({"main_test.go": program, "go.mod": "module humanEval\n\ngo 1.18\n"},
                 (Step((tc.tool("go"), "test", "main_test.go"), compile=True),))


def _rust(tc: Toolchain, p: Problem, answer: str) -> Build:
    body = answer + "\n" + p.test
    needs = [crate for crate, pattern in _RUST_CRATES.items() if re.search(pattern, body)]
    base = _RUST_CRATE_USE.sub("", _base(p))
    program = ("" if "fn main()" in base else "fn main(){}\n") + base + answer + "\n\n" + p.test + "\n"
    unavailable = f"needs the crate {', '.join(needs)} (no crates are built here)" if needs else None
    return Build({"program.rs": program},
                 (Step((tc.tool("rustc"), "--edition", "2021", "--test", "-A", "warnings", "program.rs",
                        "-o", "program"), compile=True),
                  Step(("./program", "--test-threads", "1"))), unavailable)


def _which(name: str) -> str | None:
    return shutil.which(name)


def _rustc() -> str | None:
    """The toolchain's own rustc (rustup's proxy needs a HOME the sandbox does not give it)."""
    proxy = _which("rustc")
    if proxy is None:
        return None
    try:
        sysroot = subprocess.run([proxy, "--print", "sysroot"], capture_output=True, text=True, timeout=60,
                                 check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    real = Path(sysroot) / "bin" / "rustc"
    return str(real) if real.is_file() else proxy


_RULES: dict[str, tuple[Callable[[Toolchain, Problem, str], Build], tuple[str, ...], bool]] = {
    "python": (_python, ("python",), False), "js": (_js, ("node",), True), "cpp": (_cpp, ("g++",), False),
    "java": (_java, ("javac", "java"), False), "go": (_go, ("go",), False), "rust": (_rust, ("rustc",), False),
}


@functools.cache
def toolchain(language: str) -> Toolchain:
    """The language's tools on this machine; `missing` names what is not installed."""
    assemble, names, quiet = _RULES[language]
    found: dict[str, str] = {}
    for name in names:
        path = sys.executable if name == "python" else _rustc() if name == "rustc" else _which(name)
        if path:
            found[name] = path
    absent = [n for n in names if n not in found]
    missing = f"no {LANGUAGE_NAMES[language]} toolchain here ({', '.join(absent)} not found)" if absent else None
    return Toolchain(language, found, missing, assemble, quiet)


def node_path() -> Sequence[str]:
    """npm's global module folder, where packages the tests require (js-md5) are installed."""
    npm = _which("npm")
    if npm is None:
        return ()
    try:
        root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ()
    return (root,) if root and Path(root).is_dir() else ()
