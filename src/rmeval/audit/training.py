"""Training prompts for the overlap check: read from a local file or a hub dataset, one text per row.

A row's prompt is the column `--train-prompt-column` names, else `prompt`, else the user turns of `chosen` (a
message list, or Anthropic HH-RLHF text); a message list counts its user turns.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from rmeval.data.files import read_file_rows, read_hub_rows, sha256_of
from rmeval.data.load import is_hub_id
from rmeval.data.transcripts import parse_hh

__all__ = ["prompt_text", "read_training_prompts"]


def _user_turns(messages: list[Any]) -> str | None:
    turns = [m.get("content") for m in messages if isinstance(m, Mapping) and m.get("role") in ("user", "human")]
    texts = [t for t in turns if isinstance(t, str)]
    return "\n".join(texts) if texts else None


def prompt_text(row: Mapping[str, Any], column: str | None) -> str | None:
    """The prompt of one training row (None when the row has none that can be read).

    >>> prompt_text({"prompt": "Hi"}, None), prompt_text({"chosen": "\\n\\nHuman: Hi\\n\\nAssistant: Hello"}, None)
    ('Hi', 'Hi')
    """
    for name in ([column] if column else ["prompt", "chosen"]):
        value = row.get(name)
        if isinstance(value, str):
            if name == "chosen" or (column is None and "\n\nHuman:" in value):
                turns = parse_hh(value)
                if turns is not None:
                    return _user_turns(turns)
            return value
        if isinstance(value, list):
            return _user_turns(value)
    return None


def read_training_prompts(source: str, column: str | None = None, split: str | None = None
                          ) -> tuple[Iterator[tuple[int, str]], dict[str, Any]]:
    """(row number, prompt) of every row with a readable prompt, and a record of the source."""
    path = Path(source)
    rows: Iterator[tuple[int, Mapping[str, Any]]]
    if is_hub_id(path):
        hub_rows, info = read_hub_rows(source, split or "train")
        rows = iter(enumerate(hub_rows, start=1))
    elif path.is_file():
        rows = read_file_rows(path)
        info = {"kind": "file", "path": str(path), "sha256": sha256_of(path)}
    else:
        raise FileNotFoundError(f"--train {source}: no such file (or a hub id: org/name)")
    where = f"column {column!r}" if column else "a prompt or chosen column"

    def prompts() -> Iterator[tuple[int, str]]:
        for n, row in rows:
            text = prompt_text(row, column)
            if text is None:
                columns = ", ".join(sorted(map(str, row)))
                raise ValueError(f"--train {source}, row {n}: no prompt in {where} (its columns: {columns}); name "
                                 "the prompt's column with --train-prompt-column")
            yield n, text

    return prompts(), info
