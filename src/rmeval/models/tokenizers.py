"""Tokenizers as their models' authors loaded them.

The DeBERTa-v2/v3 encoders (PairRM, Better-PairRM, OpenAssistant's DeBERTa reward model) were trained with the
tokenizer transformers 4.x built from `spm.model`: its normalizer applies the SentencePiece model's own character
map (`nmt_nfkc`: NFKC and whitespace rules; transformers 4.57.6 convert_slow_tokenizer.py, DebertaV2Converter.
normalizer). transformers 5 builds DeBERTa-v2 tokenizers with a fixed NFC normalizer instead, so text such as
ligatures and full-width characters tokenizes differently. Here the normalizer the authors had is put back: the one
of the folder's `tokenizer.json` where there is one, else the one transformers 4 derived from `spm.model`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["authors_normalizer", "restore_authors_normalizer"]


def authors_normalizer(folder: Path, lowercase: bool = False) -> Any | None:
    """The normalizer of the tokenizer the authors loaded from `folder`, or None when the folder has neither file."""
    from tokenizers import Regex, Tokenizer, normalizers

    saved = folder / "tokenizer.json"
    if saved.is_file() and json.loads(saved.read_text(encoding="utf-8")).get("normalizer"):
        return Tokenizer.from_file(str(saved)).normalizer
    model = folder / "spm.model"
    if not model.is_file():
        return None
    try:
        from sentencepiece import sentencepiece_model_pb2 as generated  # protobuf code without stubs
    except ImportError as e:  # protobuf is part of the hf extra
        raise ValueError(f"{model}: reading a SentencePiece model needs protobuf ({e}); "
                         "pip install 'rmeval[hf]'") from None
    module: Any = generated
    proto = module.ModelProto()
    proto.ParseFromString(model.read_bytes())
    steps: list[Any] = [normalizers.Lowercase()] if lowercase else []
    steps.append(normalizers.Strip())
    if proto.normalizer_spec.precompiled_charsmap:
        steps.append(normalizers.Precompiled(proto.normalizer_spec.precompiled_charsmap))
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def restore_authors_normalizer(tokenizer: Any, folder: Path) -> bool:
    """Give a DeBERTa-v2 tokenizer loaded by transformers 5 the normalizer its authors had; True when it changed."""
    backend = getattr(tokenizer, "_tokenizer", None)
    if not type(tokenizer).__name__.startswith("DebertaV2Tokenizer") or backend is None:
        return False
    import transformers

    if int(transformers.__version__.split(".")[0]) < 5:  # transformers 4 loads it as the authors did
        return False
    normalizer = authors_normalizer(folder, bool(getattr(tokenizer, "do_lower_case", False)))
    if normalizer is None:
        return False
    backend.normalizer = normalizer
    return True
