"""HumanEvalPack's problems (bigcode/humanevalpack), read from its published files or the hub, and matched to
benchmark rows by their prompt.

Facts from the authors' files:
- Each problem has `task_id` (`Python/0`, `JavaScript/0`, `CPP/0`, `Go/0`, `Java/0`, `Rust/0`), `instruction`,
  `prompt`, `declaration`, `canonical_solution`, `buggy_solution`, `test` (and, for Go, `import` and `test_setup`):
  bigcode-project/octopack, evaluation/create/humaneval-x/data/<lang>/data/humanevalpack.jsonl (commit e17a8f64).
- RewardBench's hep-<lang> rows are HumanEvalPack's problems with prompt = `instruction`, chosen =
  `canonical_solution`, rejected = `buggy_solution`: checked here on all 984 rows of RewardBench v1's filtered
  split against the published files (every row matches exactly). The dataset-building notebook that made them
  (build_datasets.ipynb in the hub dataset allenai/reward-bench) is not in allenai/reward-bench on GitHub and was
  not read: unverified beyond that equality.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rmeval.data.files import read_file_rows, read_hub_rows
from rmeval.data.load import is_hub_id

__all__ = ["HUB_ID", "LANGUAGES", "Problem", "ProblemIndex", "load_problems"]

HUB_ID = "bigcode/humanevalpack"
LANGUAGES = ("python", "js", "cpp", "go", "java", "rust")
"""HumanEvalPack's language names (its hub configurations and folders), as RewardBench's `hep-<lang>` uses them."""
_TASK_PREFIX = {"Python": "python", "JavaScript": "js", "CPP": "cpp", "Go": "go", "Java": "java", "Rust": "rust"}


@dataclass(frozen=True)
class Problem:
    """One HumanEvalPack problem: what a program is assembled from."""

    task_id: str
    language: str
    instruction: str
    prompt: str
    declaration: str
    canonical_solution: str
    buggy_solution: str
    test: str
    imports: str = ""
    test_setup: str = ""

    @classmethod
    def from_row(cls, row: Mapping[str, Any], where: str) -> Problem:
        """A problem from a row of the published layout; a missing field is named."""
        missing = [k for k in ("task_id", "declaration", "test") if not isinstance(row.get(k), str)]
        if missing:
            raise ValueError(f"{where}: not a HumanEvalPack problem (no {', '.join(missing)})")
        task_id = str(row["task_id"])
        language = _TASK_PREFIX.get(task_id.split("/")[0])
        if language is None:
            raise ValueError(f"{where}: task_id {task_id!r} names no HumanEvalPack language "
                             f"({', '.join(_TASK_PREFIX)})")

        def text(key: str) -> str:
            value = row.get(key)
            return value if isinstance(value, str) else ""

        return cls(task_id, language, text("instruction"), text("prompt"), text("declaration"),
                   text("canonical_solution"), text("buggy_solution"), text("test"), text("import"),
                   text("test_setup"))


def _key(text: str) -> str:
    return " ".join(text.split())


@dataclass
class ProblemIndex:
    """Problems by language, found by a row's prompt (HumanEvalPack's `instruction`, or its `prompt`)."""

    by_language: dict[str, dict[str, Problem]]
    source: str

    def find(self, language: str, prompt: str) -> Problem | None:
        """The problem whose instruction or prompt is `prompt` (whitespace runs compared as one space)."""
        return self.by_language.get(language, {}).get(_key(prompt))

    def languages(self) -> list[str]:
        """Languages with at least one problem."""
        return sorted(lang for lang, problems in self.by_language.items() if problems)


def _index(problems: Iterable[Problem], source: str) -> ProblemIndex:
    by: dict[str, dict[str, Problem]] = {}
    for p in problems:
        table = by.setdefault(p.language, {})
        for text in (p.prompt, p.instruction):  # the instruction wins where both are the same text
            if text.strip():
                table[_key(text)] = p
    return ProblemIndex(by, source)


def _file_problems(path: Path) -> list[Problem]:
    return [Problem.from_row(row, f"{path}, row {n}") for n, row in read_file_rows(path)]


def _folder_files(folder: Path, languages: Iterable[str]) -> list[Path]:
    """`<lang>/humanevalpack.jsonl` (as stored under shared/), `<lang>/data/humanevalpack.jsonl` (octopack's
    repository layout) or `<lang>.jsonl`, for each language present."""
    found = []
    for lang in languages:
        for candidate in (folder / lang / "humanevalpack.jsonl", folder / lang / "data" / "humanevalpack.jsonl",
                          folder / f"{lang}.jsonl"):
            if candidate.is_file():
                found.append(candidate)
                break
    return found


def load_problems(source: str, languages: Iterable[str] = LANGUAGES) -> ProblemIndex:
    """HumanEvalPack's problems for `languages` from a folder, one .jsonl file, or the hub dataset `source`."""
    wanted = list(languages)
    path = Path(source)
    if path.is_dir():
        files = _folder_files(path, wanted)
        if not files:
            raise FileNotFoundError(f"{path}: no HumanEvalPack file in it (expected <lang>/humanevalpack.jsonl for "
                                    f"one of {', '.join(wanted)})")
        return _index([p for f in files for p in _file_problems(f)], str(path))
    if path.is_file():
        return _index(_file_problems(path), str(path))
    if not is_hub_id(path):
        raise FileNotFoundError(f"{path}: no such file or folder (nor a hub id, org/name)")
    problems: list[Problem] = []
    for lang in wanted:
        rows, _ = read_hub_rows(source, "test", None, lang)
        problems += [Problem.from_row(row, f"hub:{source}:{lang}, row {n}") for n, row in enumerate(rows, start=1)]
    return _index(problems, f"hub:{source}")
