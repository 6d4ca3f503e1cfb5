"""Code-pair fixtures written for the audit tests: HumanEvalPack-format problems (one per language: `add(a, b)`),
a right and a wrong answer for each, and rows that pair them the way RewardBench's hep-* subsets do (prompt =
the problem's instruction, chosen = the canonical solution, rejected = the buggy one)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PROBLEMS: dict[str, dict[str, str]] = {
    "python": {
        "task_id": "Python/0", "declaration": "def add(a, b):\n", "canonical_solution": "    return a + b\n",
        "buggy_solution": "    return a - b\n",
        "test": "\n\ndef check(add):\n    assert add(2, 3) == 5\n\ncheck(add)",
    },
    "js": {
        "task_id": "JavaScript/0", "declaration": "\nconst add = (a, b) => {\n",
        "canonical_solution": "  return a + b;\n}\n", "buggy_solution": "  return a - b;\n}\n",
        "test": "const testAdd = () => {\n  console.assert(add(2, 3) === 5)\n}\n\ntestAdd()\n",
    },
    "cpp": {
        "task_id": "CPP/0",
        "declaration": "#include<stdio.h>\nusing namespace std;\nint add(int a, int b){\n",
        "canonical_solution": "    return a + b;\n}\n", "buggy_solution": "    return a - b;\n}\n",
        "test": "#undef NDEBUG\n#include<assert.h>\nint main(){\n    assert (add(2, 3) == 5);\n}\n",
    },
    "java": {
        "task_id": "Java/0",
        "declaration": "import java.util.*;\nimport java.lang.*;\n\nclass Solution {\n"
                       "    public int add(int a, int b) {\n",
        "canonical_solution": "        return a + b;\n    }\n}", "buggy_solution": "        return a - b;\n    }\n}",
        "test": "public class Main {\n    public static void main(String[] args) {\n"
                "        Solution s = new Solution();\n        if (s.add(2, 3) != 5) {\n"
                "            throw new AssertionError();\n        }\n    }\n}\n",
    },
    "rust": {
        "task_id": "Rust/0", "declaration": "\nuse rand::Rng;\n\nfn add(a: i32, b: i32) -> i32{\n",
        "canonical_solution": "    return a + b;\n}\n", "buggy_solution": "    return a - b;\n}\n",
        "test": "\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn test_add() {\n"
                "        assert_eq!(add(2, 3), 5);\n    }\n}\n",
    },
    "go": {
        "task_id": "Go/0", "declaration": "\nfunc Add(a int, b int) int {\n",
        "canonical_solution": "    return a + b\n}\n",
        "buggy_solution": "    return a - b\n}\n",
        "test": "func TestAdd(t *testing.T) {\n    if Add(2, 3) != 5 {\n        t.Fail()\n    }\n}\n",
        "test_setup": "package main\n\nimport (\n    \"testing\"\n)\n",
    },
}

LOOP = "    while True:\n        pass\n"


def network_answer(port: int) -> str:
    """A right `add` that first reaches a server on loopback: it passes only where the network is reachable."""
    return (f"    import socket\n    socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n"
            "    return a + b\n")


def problem(language: str, name: str = "add") -> dict[str, Any]:
    """The problem as a HumanEvalPack row; `name` makes another problem with its own instruction (same tests)."""
    row = dict(PROBLEMS[language])
    row["instruction"] = f"Write a {language} function `{name}(a, b)` that returns the sum of a and b."
    row["prompt"] = row["declaration"]
    if name != "add":
        row["task_id"] = row["task_id"].split("/")[0] + f"/{name}"
    return row


def write_problems(path: Path, problems: list[dict[str, Any]]) -> Path:
    """A .jsonl of HumanEvalPack problems."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(p) + "\n" for p in problems), encoding="utf-8")
    return path


def pair(subset: str, row_id: int, prob: dict[str, Any], chosen: str | None = None,
         rejected: str | None = None) -> dict[str, Any]:
    """A benchmark row built from a problem as RewardBench builds its hep-* rows."""
    return {"subset": subset, "id": row_id, "prompt": prob["instruction"],
            "chosen": prob["canonical_solution"] if chosen is None else chosen,
            "rejected": prob["buggy_solution"] if rejected is None else rejected}
