"""The tensors of a checkpoint, read by name: a reward head stored beside its backbone (`v_head.weight`,
`regression_head.weight`, `head_layer.1.weight` ...), read without running any of the model's own code.

A checkpoint is a folder of safetensors files (with or without an index) or of PyTorch `.bin` files; a hub id is
first resolved to its local snapshot (downloaded once, as transformers itself would).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Checkpoint", "LinearStack", "local_folder"]

_INDEXES = ("model.safetensors.index.json", "pytorch_model.bin.index.json")
_SINGLE = ("model.safetensors", "pytorch_model.bin")


def local_folder(name: str, revision: str | None = None) -> Path:
    """The folder holding `name`'s files: the folder itself, or the hub snapshot of a model id."""
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(name, revision=revision,
                                      allow_patterns=["*.json", "*.safetensors", "*.bin", "*.model", "*.txt"]))
    except Exception as e:  # offline, unknown id, gated repo: one line saying which
        raise ValueError(f"{name}: neither a local folder nor a model the hub returned ({type(e).__name__}: "
                         f"{str(e).splitlines()[0] if str(e) else 'no detail'})") from None


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint folder: which file holds each tensor."""

    folder: Path
    files: dict[str, Path]

    @classmethod
    def open(cls, folder: Path) -> Checkpoint:
        """Index the folder's weight files (an index file, or the single weights file)."""
        for name in _INDEXES:
            index = folder / name
            if index.is_file():
                weight_map = json.loads(index.read_text(encoding="utf-8"))["weight_map"]
                return cls(folder, {k: folder / v for k, v in weight_map.items()})
        for name in _SINGLE:
            path = folder / name
            if path.is_file():
                return cls(folder, dict.fromkeys(_keys_of(path), path))
        raise ValueError(f"{folder}: no weights (model.safetensors, pytorch_model.bin or an index of them)")

    @property
    def keys(self) -> list[str]:
        """Every tensor name, sorted."""
        return sorted(self.files)

    def read(self, keys: Sequence[str]) -> dict[str, Any]:
        """The named tensors (as stored: their own dtype, on the CPU)."""
        out: dict[str, Any] = {}
        by_file: dict[Path, list[str]] = {}
        for key in keys:
            by_file.setdefault(self.files[key], []).append(key)
        for path, names in by_file.items():
            if path.suffix == ".safetensors":
                from safetensors import safe_open

                with safe_open(str(path), framework="pt") as f:
                    out.update({k: f.get_tensor(k) for k in names})
            else:
                state = _load_bin(path)
                out.update({k: state[k] for k in names})
        return out


def _load_bin(path: Path) -> dict[str, Any]:
    import torch

    state: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    return state


def _keys_of(path: Path) -> list[str]:
    if path.suffix == ".safetensors":
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as f:
            return list(f.keys())
    return list(_load_bin(path))


ACTIVATIONS = ("relu", "tanh", "gelu", "none")


@dataclass
class LinearStack:
    """A head read from checkpoint tensors: `out = W_k act(... act(W_1 x + b_1) ...) + b_k`, computed in float32.

    Its layers are `PREFIX.weight` (one layer) or `PREFIX.N.weight` in increasing N (an `nn.Sequential`: the
    numbers of dropout and activation modules between them hold no weights); biases are used where stored.
    """

    prefix: str
    layers: list[tuple[Any, Any]]
    activation: str
    keys: tuple[str, ...]

    @classmethod
    def from_checkpoint(cls, checkpoint: Checkpoint, prefix: str, activation: str, where: str) -> LinearStack:
        """The stack under `prefix`; a clear error when the checkpoint has no such head."""
        if activation not in ACTIVATIONS:
            raise ValueError(f"head activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
        if f"{prefix}.weight" in checkpoint.files:
            weights = [f"{prefix}.weight"]
        else:
            pattern = re.compile(rf"^{re.escape(prefix)}\.(\d+)\.weight$")
            numbered = sorted((int(m.group(1)), k) for k in checkpoint.files if (m := pattern.match(k)))
            weights = [k for _, k in numbered]
        if not weights:
            roots = sorted({k.split(".")[0] for k in checkpoint.files})
            raise ValueError(f"{where}: the checkpoint holds no head {prefix!r} (no {prefix}.weight or "
                             f"{prefix}.N.weight); its weights start with {', '.join(roots[:8])}: this is not a "
                             "value-head reward model, or its head has another name (--head)")
        if len(weights) > 1 and activation == "none":
            raise ValueError(f"{where}: the head {prefix!r} has {len(weights)} layers: name the activation between "
                             f"them (--head-activation {'|'.join(ACTIVATIONS[:-1])})")
        biases = [w.removesuffix(".weight") + ".bias" for w in weights]
        keys = tuple(weights + [b for b in biases if b in checkpoint.files])
        tensors = checkpoint.read(keys)
        layers = [(tensors[w].float(), tensors[b].float() if b in tensors else None)
                  for w, b in zip(weights, biases, strict=True)]
        for (w1, _), (w2, _) in itertools.pairwise(layers):
            if w1.shape[0] != w2.shape[1]:
                raise ValueError(f"{where}: head {prefix!r} layers do not chain ({tuple(w1.shape)} then "
                                 f"{tuple(w2.shape)})")
        return cls(prefix, layers, activation, keys)

    @property
    def in_features(self) -> int:
        """Width of the input the head expects."""
        return int(self.layers[0][0].shape[1])

    @property
    def out_features(self) -> int:
        """Number of outputs."""
        return int(self.layers[-1][0].shape[0])

    def to(self, device: Any) -> LinearStack:
        """The same head with its tensors on `device`."""
        moved = [(w.to(device), None if b is None else b.to(device)) for w, b in self.layers]
        return LinearStack(self.prefix, moved, self.activation, self.keys)

    def __call__(self, x: Any) -> Any:
        """Apply the head to `x` (..., in_features), in float32."""
        import torch

        act = {"relu": torch.relu, "tanh": torch.tanh, "gelu": torch.nn.functional.gelu}.get(self.activation)
        out = x.float()
        for n, (w, b) in enumerate(self.layers):
            out = torch.nn.functional.linear(out, w, b)
            if act is not None and n < len(self.layers) - 1:
                out = act(out)
        return out

    def describe(self) -> dict[str, Any]:
        """The head as result.json records it."""
        return {"prefix": self.prefix, "layers": [list(w.shape) for w, _ in self.layers],
                "bias": [b is not None for _, b in self.layers], "activation": self.activation,
                "computed_in": "float32"}
