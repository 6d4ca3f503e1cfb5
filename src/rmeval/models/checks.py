"""What a checkpoint folder's files say before any weight is read: a config transformers knows (or code it ships,
allowed), a tokenizer, and weight files that are whole.

transformers reports each of these in its own words, often several lines long, and some only after minutes of
loading (a truncated `model.safetensors` fails when its tensors are read). Here each is one line naming the flag,
the folder and what to do, found in milliseconds from the files alone.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

from rmeval.common.errors import UsageError

__all__ = ["check_checkpoint", "safetensors_problem"]

TOKENIZER_NAMES = ("tokenizer.json", "tokenizer.model", "vocab.json", "vocab.txt", "spiece.model", "merges.txt",
                   "sentencepiece.bpe.model", "tekken.json")
"""Files that hold a tokenizer's vocabulary (tokenizer_config.json alone does not)."""


def _config(folder: Path, where: str) -> dict[str, Any]:
    path = folder / "config.json"
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise UsageError(f"{where}: config.json is not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})") \
            from None
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"{where}: config.json cannot be read ({e})") from None
    if not isinstance(value, dict):
        raise UsageError(f"{where}: config.json holds a {type(value).__name__}, not a model configuration")
    return value


def _known(model_type: str) -> bool:
    """A model type transformers knows, or a reward class rmeval reads itself (`reward_classes`)."""
    from transformers import CONFIG_MAPPING

    from rmeval.models.reward_classes import REWARD_CLASSES

    return model_type in CONFIG_MAPPING or model_type in REWARD_CLASSES


def _has_tokenizer(folder: Path) -> bool:
    return any((folder / n).is_file() for n in TOKENIZER_NAMES) or any(folder.glob("*.tiktoken"))


def safetensors_problem(path: Path) -> str | None:
    """Why a `.safetensors` file is not whole (its header, or its size against what the header describes), or
    None when it is. Reads the header only."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(8)
            if len(head) < 8:
                return f"{size} bytes, shorter than its header"
            (length,) = struct.unpack("<Q", head)
            if 8 + length > size:
                return f"cut short: its header alone needs {8 + length} bytes, the file has {size}"
            header = json.loads(f.read(length))
    except OSError as e:
        return f"unreadable ({e.strerror or e})"
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "its header is not valid JSON"
    if not isinstance(header, dict):
        return "its header is not a table of tensors"
    ends = [t["data_offsets"][1] for k, t in header.items() if k != "__metadata__" and isinstance(t, dict)
            and isinstance(t.get("data_offsets"), list) and len(t["data_offsets"]) == 2]
    needed = 8 + length + max((int(e) for e in ends), default=0)
    if needed > size:
        return f"cut short: {size} bytes of the {needed} its header describes"
    return None


def _weights(folder: Path, where: str) -> None:
    index = folder / "model.safetensors.index.json"
    if index.is_file():
        try:
            shards = sorted(set(json.loads(index.read_text(encoding="utf-8"))["weight_map"].values()))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            raise UsageError(f"{where}: {index.name} is not a readable index of weight files") from None
        missing = [s for s in shards if not (folder / s).is_file()]
        if missing:
            raise UsageError(f"{where}: {index.name} names weight files the folder lacks ({', '.join(missing[:3])}"
                             f"{' ...' if len(missing) > 3 else ''}); download them")
    for path in sorted(folder.glob("*.safetensors")):
        problem = safetensors_problem(path)
        if problem:
            raise UsageError(f"{where}: {path.name} is damaged ({problem}); download or save it again")


def check_checkpoint(folder: Path, where: str, trust_remote_code: bool, needs_tokenizer: bool) -> None:
    """One line (a UsageError starting with `where`, the flag and the model) for a checkpoint folder that cannot
    load as asked: config.json unreadable or of a model type transformers does not know, code shipped with the
    model but `--trust-remote-code` not given, no tokenizer (when the model's own is needed), or a weight file that
    is not whole."""
    config = _config(folder, where)
    model_type, code = config.get("model_type"), config.get("auto_map")
    if code and not trust_remote_code and not (isinstance(model_type, str) and _known(model_type)):
        classes = ", ".join(sorted(code)) if isinstance(code, dict) else "auto_map"
        raise UsageError(f"{where} ships its own code (config.json's auto_map: {classes}), which runs only with "
                         "--trust-remote-code (read it first; --scorer remote-code reads a reward that code computes)")
    if not code:
        if not isinstance(model_type, str) or not model_type:
            raise UsageError(f"{where}: config.json names no model_type, so transformers cannot tell what model it is")
        if not _known(model_type):
            import transformers

            raise UsageError(f"{where}: config.json's model_type {model_type!r} is not one transformers "
                             f"{transformers.__version__} knows (a newer transformers may; a model that ships its "
                             "code names it in auto_map)")
    if needs_tokenizer and not _has_tokenizer(folder):
        raise UsageError(f"{where}: the folder holds no tokenizer (none of {', '.join(TOKENIZER_NAMES[:5])} ...); "
                         "give one with --tokenizer")
    _weights(folder, where)
