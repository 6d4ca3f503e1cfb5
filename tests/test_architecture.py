"""The shape of the code base, checked: every module imports only from its own floor or below, no module is longer
than 300 lines, and the result-reading floors import no heavy library at module level."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
FLOORS: dict[int, tuple[str, ...]] = {
    1: ("rmeval", "rmeval.types", "rmeval.common"),
    2: ("rmeval.benchmarks", "rmeval.data"),
    3: ("rmeval.scoring",),
    4: ("rmeval.protocol", "rmeval.scorers.registry", "rmeval.presets", "rmeval.models"),
    5: ("rmeval.inference", "rmeval.engines"),
    6: ("rmeval.scorers",),
    7: ("rmeval.evaluate", "rmeval.results", "rmeval.config"),
    8: ("rmeval.analysis", "rmeval.report", "rmeval.site", "rmeval.audit"),
    9: ("rmeval.run", "rmeval.preflight", "rmeval.commands", "rmeval.cli", "rmeval.__main__"),
}
"""Ground floor first (ARCHITECTURE.md): types and helpers, specs and data, scoring; the scorer protocol, the
registry of kinds, the presets and model loading (a checkpoint read as its authors wrote it); the inference core
every local model shares and the judges' engines; the model kinds; the orchestration and result files; what reads
result folders; and the command line on top."""
HEAVY = ("torch", "transformers", "datasets", "accelerate", "httpx", "vllm", "matplotlib", "pyarrow")


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted((SRC / "rmeval").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append((".".join(parts), path))
    return out


def floor_of(module: str) -> int:
    best, floor = -1, 0
    for level, prefixes in FLOORS.items():
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, floor = len(prefix), level
    assert best >= 0, f"{module} belongs to no floor: add it to FLOORS"
    return floor


def imports(path: Path) -> list[tuple[str, int, bool]]:
    """(module, line, at module level) of every rmeval or third-party import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, node.lineno, id(node) in top))
    return out


@pytest.mark.parametrize(("module", "path"), modules(), ids=[m for m, _ in modules()])
def test_no_module_imports_from_a_floor_above_its_own(module: str, path: Path) -> None:
    mine = floor_of(module)
    upward = [f"line {line}: {name} (floor {floor_of(name)})" for name, line, _ in imports(path)
              if name.split(".")[0] == "rmeval" and floor_of(name) > mine]
    assert not upward, f"{module} is on floor {mine} but imports upward: {upward}"


@pytest.mark.parametrize(("module", "path"), modules(), ids=[m for m, _ in modules()])
def test_modules_are_small_enough_to_read_in_one_sitting(module: str, path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 300


def test_heavy_libraries_are_imported_only_where_they_are_used() -> None:
    """At module level nothing imports torch and friends: reading results must not need them."""
    offenders = [f"{module}:{line} {name}" for module, path in modules() for name, line, top in imports(path)
                 if top and name.split(".")[0] in HEAVY]
    assert offenders == []


def test_evaluate_does_not_depend_on_the_analyses() -> None:
    path = dict(modules())["rmeval.evaluate"]
    assert not [n for n, _, _ in imports(path) if n.startswith(("rmeval.analysis", "rmeval.report", "rmeval.site"))]
