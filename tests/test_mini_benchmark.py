"""Checks for the packaged `rewardbench-mini` demonstration benchmark.

Every row is validated for shape; code rows are executed (the chosen solution must pass its tests and the
rejected one must fail them) and math rows are re-computed exactly with fractions.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

DATA_FILE = Path(__file__).parents[1] / "src/rmeval/benchmarks/data/rewardbench_mini.jsonl"

SUBSETS = (
    "chat-easy",
    "chat-hard",
    "instruction-traps",
    "should-refuse",
    "should-respond",
    "code-python",
    "math",
)
MIN_ROWS = 80
MIN_ROWS_PER_SUBSET = 10
STRING_FIELDS = ("id", "subset", "prompt", "chosen", "rejected", "reason")
ALL_FIELDS = (*STRING_FIELDS, "check")

CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
FINAL_ANSWER = re.compile(r"^Final answer: (.+)$", re.MULTILINE)


def load_rows() -> list[dict[str, Any]]:
    """Read every row of the packaged mini benchmark."""
    rows: list[dict[str, Any]] = []
    with DATA_FILE.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                assert isinstance(row, dict), f"not a JSON object: {line[:80]!r}"
                rows.append(row)
    return rows


ROWS = load_rows()


def rows_of(subset: str) -> list[Any]:
    """The rows of one subset, as pytest params named by row id."""
    return [pytest.param(row, id=str(row.get("id"))) for row in ROWS if row.get("subset") == subset]


def extract_code(text: str) -> str:
    """The single fenced python block in an answer."""
    blocks = CODE_BLOCK.findall(text)
    assert len(blocks) == 1, f"expected exactly one ```python block, found {len(blocks)}"
    return str(blocks[0])


def run_python(source: str) -> subprocess.CompletedProcess[str]:
    """Run `source` in a fresh isolated interpreter with a 10 s timeout."""
    return subprocess.run(
        [sys.executable, "-I", "-c", source],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )


def _eval_node(node: ast.AST) -> Fraction:
    if isinstance(node, ast.Expression):
        return _eval_node(node.body)
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"unsupported constant {value!r}")
        return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _eval_node(node.operand)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _eval_node(node.left), _eval_node(node.right)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            return left / right
        if isinstance(node.op, ast.Pow):
            if right.denominator != 1 or abs(right) > 64:
                raise ValueError(f"unsupported exponent {right}")
            return left ** int(right)
    raise ValueError(f"unsupported syntax: {ast.dump(node)}")


def safe_eval(expression: str) -> Fraction:
    """Evaluate an arithmetic expression exactly, allowing only numbers and + - * / ** ( )."""
    return _eval_node(ast.parse(expression, mode="eval"))


def final_answer(text: str) -> Fraction:
    """The value of the answer's closing `Final answer: X` line."""
    last_line = text.rstrip().splitlines()[-1]
    match = FINAL_ANSWER.fullmatch(last_line)
    assert match is not None, f"answer does not end with 'Final answer: ...': {last_line!r}"
    return Fraction(match.group(1).strip())


def test_row_count() -> None:
    assert len(ROWS) >= MIN_ROWS


def test_ids_unique() -> None:
    duplicates = [key for key, n in Counter(row.get("id") for row in ROWS).items() if n > 1]
    assert not duplicates


def test_subsets_known_and_large_enough() -> None:
    counts = Counter(row.get("subset") for row in ROWS)
    assert set(counts) == set(SUBSETS)
    small = {name: n for name, n in counts.items() if n < MIN_ROWS_PER_SUBSET}
    assert not small


@pytest.mark.parametrize("row", [pytest.param(row, id=str(row.get("id"))) for row in ROWS])
def test_row_fields(row: dict[str, Any]) -> None:
    assert set(row) == set(ALL_FIELDS)
    for field in STRING_FIELDS:
        assert isinstance(row[field], str), field
        assert row[field].strip(), field
    assert row["subset"] in SUBSETS
    assert row["chosen"].strip() != row["rejected"].strip()
    check = row["check"]
    if row["subset"] == "code-python":
        assert isinstance(check, dict)
        assert check.get("kind") == "python"
        assert set(check) == {"kind", "tests"}
        assert isinstance(check["tests"], str)
        assert "assert" in check["tests"]
    elif row["subset"] == "math":
        assert isinstance(check, dict)
        assert check.get("kind") == "math"
        assert set(check) == {"kind", "expression", "answer"}
        assert isinstance(check["expression"], str)
        assert isinstance(check["answer"], str)
    else:
        assert check is None


@pytest.mark.parametrize("row", rows_of("code-python"))
def test_code_chosen_passes(row: dict[str, Any]) -> None:
    result = run_python(extract_code(row["chosen"]) + "\n" + row["check"]["tests"])
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("row", rows_of("code-python"))
def test_code_rejected_fails(row: dict[str, Any]) -> None:
    result = run_python(extract_code(row["rejected"]) + "\n" + row["check"]["tests"])
    assert result.returncode != 0, "the buggy solution passed every test"
    assert "AssertionError" in result.stderr, f"expected a failed assert, got:\n{result.stderr}"


@pytest.mark.parametrize("row", rows_of("math"))
def test_math_answers(row: dict[str, Any]) -> None:
    check = row["check"]
    expected = safe_eval(check["expression"])
    assert expected == Fraction(check["answer"])
    assert final_answer(row["chosen"]) == expected
    assert final_answer(row["rejected"]) != expected


def test_safe_eval_rejects_names_and_calls() -> None:
    assert safe_eval("-(3/4 + 1/8) * 2 ** 3") == Fraction(-7)
    assert safe_eval("2.5 * 2") == Fraction(5)
    for bad in ("__import__('os')", "x + 1", "abs(-2)", "True + 1", "'a' * 3", "2 ** 1000"):
        with pytest.raises(ValueError):
            safe_eval(bad)
