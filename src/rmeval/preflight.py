"""Everything a run can check before a model loads: where its results go, whether the models it names exist,
whether its template parses and its device is there, and whether its length fits the model.

A mistake found here costs a second; found after the scoring, it cost the run (and, writing the result, the work).
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rmeval.analysis.steps import has_step_view
from rmeval.benchmarks import BenchmarkSpec
from rmeval.common.errors import UsageError
from rmeval.common.extras import require
from rmeval.common.options import option_specs, option_values
from rmeval.config import RunConfig, model_slug
from rmeval.data.load import LoadedData
from rmeval.data.naming import dataset_name
from rmeval.inference.step_options import StepOptions
from rmeval.models.checks import check_checkpoint
from rmeval.presets import get_preset
from rmeval.results.folder import FolderLock, check_owner, run_identity
from rmeval.scorers import scorer_entry

__all__ = ["RESULTS_ROOT", "OutputFolder", "check_device", "check_model_name", "check_models", "check_runtime",
           "default_output_dir", "planned_identity", "prepare_output_dir", "remove_empty"]

RESULTS_ROOT = Path("results")
_HUB_ID = re.compile(r"[\w.-]+(/[\w.-]+)?")
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model", "vocab.json", "vocab.txt")


def default_output_dir(config: RunConfig, loaded: LoadedData) -> Path:
    """`results/<the dataset's name>/<the run's name>` (`rmeval.data.naming`): never outside `results/`."""
    return RESULTS_ROOT / model_slug(dataset_name(loaded.source, loaded.benchmark.name)) / model_slug(
        config.display_name)


def planned_identity(config: RunConfig, loaded: LoadedData) -> dict[str, Any]:
    """The identity a run of `config` will record (see `results.folder.run_identity`)."""
    options = option_values(config.options) if config.options is not None else None
    return run_identity({"benchmark": loaded.benchmark.name, "data": loaded.source,
                         "scorer": {"scorer": config.scorer, "model": config.model, "options": options}})


@dataclass
class OutputFolder:
    """A run's result folder, prepared: the folders created for it (outermost first) and its lock, held until
    `release`."""

    path: Path
    created: list[Path]
    lock: FolderLock

    def release(self, failed: bool) -> None:
        """Let go of the folder; a run that failed removes the folders it created, when empty."""
        self.lock.release()
        if failed:
            remove_empty(self.created)


def prepare_output_dir(out_dir: Path, planned: dict[str, Any], overwrite: bool) -> OutputFolder:
    """Create the folder, lock it against other runs and prove it writable; refuse to replace the result of a
    different run without `--overwrite` (the same run, rerun, replaces its own result)."""
    created = [p for p in reversed([out_dir, *out_dir.parents]) if not p.exists()]
    probe = out_dir / ".rmeval-write-test"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        lock = FolderLock(out_dir).acquire()
    except OSError as e:
        remove_empty(created)
        raise UsageError(f"cannot write the results to {out_dir} ({e.strerror or e}); choose --output-dir") from None
    prepared = OutputFolder(out_dir, created, lock)
    try:
        check_owner(out_dir, planned, overwrite)
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as e:
        prepared.release(failed=True)
        raise UsageError(f"cannot write the results to {out_dir} ({e.strerror or e}); choose --output-dir") from None
    except BaseException:
        prepared.release(failed=True)
        raise
    return prepared


def remove_empty(folders: list[Path]) -> None:
    """Remove the folders a run created, innermost first, as long as they are empty: a failed run leaves nothing."""
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except OSError:
            return


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")


def check_model_name(name: str, what: str, kind: str = "model", revision: str | None = None) -> None:
    """A model (or tokenizer) named on the command line exists: a preset, a folder that holds one, or a hub id
    (offline: one already in the HuggingFace cache)."""
    if get_preset(name) is not None:
        return
    path = Path(name).expanduser()
    if path.exists() or name.startswith((".", "/", "~")) or (os.sep in name and not _HUB_ID.fullmatch(name)):
        if not path.is_dir():
            raise UsageError(f"{what} {name}: {'no such folder' if not path.exists() else 'not a folder'}")
        if kind == "state dict":  # a repository of weights only, over a --base-model (Starling-RM-7B-alpha)
            if not any(p.suffix in (".pt", ".pth", ".bin", ".safetensors") for p in path.iterdir()):
                raise UsageError(f"{what} {name}: holds no weights file (.pt, .bin, .safetensors) to load over "
                                 "--base-model")
            return
        needed = ("config.json",) if kind == "model" else _TOKENIZER_FILES
        if not any((path / f).is_file() for f in needed):
            raise UsageError(f"{what} {name}: not a {kind} folder (it holds none of {', '.join(needed)})")
        return
    if not _HUB_ID.fullmatch(name):
        raise UsageError(f"{what} {name!r} is neither a folder, a preset nor a hub id (org/name)")
    if _offline():
        from huggingface_hub import try_to_load_from_cache

        file = "config.json" if kind == "model" else "tokenizer_config.json"
        if not isinstance(try_to_load_from_cache(name, file, revision=revision), str):
            raise UsageError(f"{what} {name} is not a local folder, and offline (HF_HUB_OFFLINE=1) it cannot be "
                             "downloaded: download it first, or give its local folder")


def _checkpoint_folder(name: str, revision: str | None) -> Path | None:
    """The folder whose files a model named on the command line loads from: a local folder, or a hub id's snapshot
    in the HuggingFace cache (None for a preset, whose files rmeval made, or a hub id not downloaded)."""
    if get_preset(name) is not None:
        return None
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(name, "config.json", revision=revision)
    return Path(cached).parent if isinstance(cached, str) else None


def _check_files(name: str, flag: str, options: Any, revision: str | None, own_tokenizer: bool) -> None:
    """The checkpoint's files before it loads (`models.checks.check_checkpoint`)."""
    folder = _checkpoint_folder(name, revision)
    if folder is not None:
        check_checkpoint(folder, f"{flag} {name}", bool(getattr(options, "trust_remote_code", False)),
                         own_tokenizer and not getattr(options, "tokenizer", None))


def check_models(config: RunConfig) -> None:
    """Every model the run names, and every model- or tokenizer-naming option, before anything loads: each exists,
    and its files can load as asked."""
    entry = scorer_entry(config.scorer)
    if entry.models == "any":
        return
    if entry.models == "hf":
        require("torch", "transformers", extra="hf", purpose=f"--scorer {config.scorer}")
    revision = getattr(config.options, "revision", None)
    for i, model in enumerate((config.model, *config.ensemble)):
        if entry.models == "engine":
            from rmeval.engines import split_engine

            engine, model = split_engine(model)
            if engine not in ("transformers", "vllm"):
                continue
            require("torch", "transformers", extra="hf", purpose=f"a {engine} judge")
        weights_only = i == 0 and bool(getattr(config.options, "base_model", None))
        check_model_name(model, "--model", "state dict" if weights_only else "model",
                         revision=revision if i == 0 else None)
        if not weights_only:  # a state dict beside a named base model has no config of its own to check
            _check_files(model, "--model", config.options, revision if i == 0 else None, own_tokenizer=True)
    if config.options is None:
        return
    values = asdict(config.options)
    options_class: Any = type(config.options)
    for spec in option_specs(options_class):
        if spec.names and values.get(spec.name):
            check_model_name(str(values[spec.name]), spec.flag, spec.names)
            if spec.names == "model":
                _check_files(str(values[spec.name]), spec.flag, config.options, None, own_tokenizer=False)


def check_device(device: str | None) -> None:
    """`--device` names a device torch knows and this machine has (cpu, cuda, cuda:N, mps, ...)."""
    if not device or device == "auto":
        return
    require("torch", extra="hf", purpose="--device")
    import torch

    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise UsageError(f"--device {device}: not a device; use cpu, cuda or cuda:N (mps on Apple silicon)") from None
    kind = parsed.type
    if kind == "cpu":
        return
    if kind == "cuda":
        if not torch.cuda.is_available():
            raise UsageError(f"--device {device}: CUDA is not available on this machine; use --device cpu")
        count = torch.cuda.device_count()
        if parsed.index is not None and parsed.index >= count:
            raise UsageError(f"--device {device}: this machine has {count} CUDA device(s), cuda:0 to cuda:{count - 1}")
        return
    backend = torch.backends.mps if kind == "mps" else getattr(torch, kind, None)
    available = getattr(backend, "is_available", None)
    if not callable(available) or not available():
        raise UsageError(f"--device {device}: this machine (this torch build) has no {kind} device; use --device cpu")


def check_runtime(config: RunConfig, benchmark: BenchmarkSpec) -> None:
    """The scorer can score the benchmark's steps, the template parses, the device exists, the length fits the
    model (the options that have them)."""
    options = config.options
    judge = config.scorer == "judge" and getattr(options, "verdict", "generate") == "generate"
    if has_step_view(benchmark) and not judge and not isinstance(options, StepOptions):
        raise UsageError(f"{benchmark.name} scores every step of a solution: use a step-level scorer (--scorer "
                         f"prm-head, prm-tag, prm-chat or prm-value) or a judge, not --scorer {config.scorer}")
    template = getattr(options, "chat_template", None)
    if template:
        from rmeval.data.chat import check_template

        check_template(template)
    check_device(getattr(options, "device", None))
    max_length = getattr(options, "max_length", None)
    if max_length and not getattr(options, "allow_longer", False) and scorer_entry(config.scorer).models == "hf":
        limit = _model_limit(config)
        if limit is not None and max_length > limit:
            raise UsageError(f"--max-length {max_length} is above {config.model}'s own limit of {limit} tokens; "
                             "positions beyond it are untrained (pass --allow-longer to do it anyway)")


def _model_limit(config: RunConfig) -> int | None:
    """The model's own length limit from its config and tokenizer files (no weights are read)."""
    from transformers import AutoConfig, AutoTokenizer

    from rmeval.common.runtime import model_max_length
    from rmeval.presets import resolve_model_path

    options = config.options
    path = resolve_model_path(config.model)
    kwargs = {"revision": getattr(options, "revision", None),
              "trust_remote_code": getattr(options, "trust_remote_code", False)}
    tokenizer = getattr(options, "tokenizer", None)
    try:
        model_config = AutoConfig.from_pretrained(path, **kwargs)
        tok = AutoTokenizer.from_pretrained(resolve_model_path(tokenizer) if tokenizer else path, **kwargs)
    except (OSError, ValueError):
        return None  # loading will say what is wrong with the model, in its own words
    try:
        return model_max_length(model_config, tok)
    except ValueError:
        return None
