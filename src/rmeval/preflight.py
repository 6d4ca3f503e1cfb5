"""Everything a run can check before a model loads: where its results go, whether the models it names exist,
whether its template parses and its device is there, and whether its length fits the model.

A mistake found here costs a second; found after the scoring, it cost the run (and, writing the result, the work).
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict
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
from rmeval.presets import get_preset
from rmeval.results import RESULT_FILE
from rmeval.scorers import scorer_entry

__all__ = ["RESULTS_ROOT", "check_model_name", "check_models", "check_runtime", "default_output_dir",
           "planned_identity", "prepare_output_dir", "remove_empty"]

RESULTS_ROOT = Path("results")
_HUB_ID = re.compile(r"[\w.-]+(/[\w.-]+)?")
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model", "vocab.json", "vocab.txt")


def default_output_dir(config: RunConfig, loaded: LoadedData) -> Path:
    """`results/<the dataset's name>/<the run's name>` (`rmeval.data.naming`): never outside `results/`."""
    return RESULTS_ROOT / model_slug(dataset_name(loaded.source, loaded.benchmark.name)) / model_slug(
        config.display_name)


def _identity(spec: dict[str, Any]) -> dict[str, Any]:
    """What makes two runs the same run: benchmark, data, scorer kind, model and options."""
    data, scorer = spec.get("data", {}), spec.get("scorer", {})
    where = {k: data.get(k) for k in ("sha256", "id", "split", "config", "subsets_selected", "limit_per_subset")}
    return {"benchmark": spec.get("benchmark"), "data": where, "scorer": scorer.get("scorer", scorer.get("kind")),
            "model": scorer.get("model"), "options": scorer.get("options")}


def planned_identity(config: RunConfig, loaded: LoadedData) -> dict[str, Any]:
    """The identity a run of `config` will record (see `_identity`)."""
    options = option_values(config.options) if config.options is not None else None
    return _identity({"benchmark": loaded.benchmark.name, "data": loaded.source,
                      "scorer": {"scorer": config.scorer, "model": config.model, "options": options}})


def prepare_output_dir(out_dir: Path, planned: dict[str, Any], overwrite: bool) -> list[Path]:
    """Create the folder and prove it writable; refuse to replace the result of a different run without
    `--overwrite` (the same run, rerun, replaces its own result). Returns the folders it created, outermost first,
    for a run that fails to remove again (`remove_empty`)."""
    import json

    existing = out_dir / RESULT_FILE
    if existing.is_file() and not overwrite:
        try:
            stored = _identity(json.loads(existing.read_text(encoding="utf-8")).get("spec", {}))
        except (OSError, ValueError, AttributeError):
            stored = None
        mine = {**planned, "options": planned["options"] if stored and stored["options"] is not None else None}
        if stored != mine:
            raise UsageError(f"{out_dir} holds the result of another run ({_difference(stored, mine)}); pass "
                             "--overwrite to replace it, or --output-dir for a new folder")
    probe = out_dir / ".rmeval-write-test"
    created = [p for p in reversed([out_dir, *out_dir.parents]) if not p.exists()]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as e:
        remove_empty(created)
        raise UsageError(f"cannot write the results to {out_dir} ({e.strerror or e}); choose --output-dir") from None
    return created


def _difference(stored: dict[str, Any] | None, mine: dict[str, Any]) -> str:
    """What differs between the folder's run and this one: data, model or options (the first few of each)."""
    if stored is None:
        return "its result.json cannot be read"
    parts = []
    if stored["benchmark"] != mine["benchmark"]:
        parts.append(f"benchmark {stored['benchmark']} there, {mine['benchmark']} here")
    if stored["data"] != mine["data"]:
        keys = [k for k in mine["data"] if stored["data"].get(k) != mine["data"].get(k)]
        parts.append("its data differs: " + ", ".join(f"{k} {_short(stored['data'].get(k))} there, "
                                                       f"{_short(mine['data'].get(k))} here" for k in keys))
    for key in ("scorer", "model"):
        if stored[key] != mine[key]:
            parts.append(f"{key} {stored[key]} there, {mine[key]} here")
    if stored["options"] != mine["options"] and isinstance(stored["options"], dict) and isinstance(mine["options"],
                                                                                                    dict):
        keys = sorted(k for k in {*stored["options"], *mine["options"]}
                      if stored["options"].get(k) != mine["options"].get(k))
        shown = ", ".join(f"{k} {stored['options'].get(k)!r} there, {mine['options'].get(k)!r} here" for k in keys[:3])
        parts.append(f"its options differ: {shown}" + (f" and {len(keys) - 3} more" if len(keys) > 3 else ""))
    return "; ".join(parts) or "another run"


def _short(value: Any) -> str:
    """A recorded value for a message: hashes cut to 12 digits."""
    text = str(value)
    return text[:12] if isinstance(value, str) and len(text) == 64 else text


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


def check_models(config: RunConfig) -> None:
    """Every model the run names, and every model- or tokenizer-naming option, before anything loads."""
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
        check_model_name(model, "--model", revision=revision if i == 0 else None)
    if config.options is None:
        return
    values = asdict(config.options)
    options_class: Any = type(config.options)
    for spec in option_specs(options_class):
        if spec.names and values.get(spec.name):
            check_model_name(str(values[spec.name]), spec.flag, spec.names)


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
    device = getattr(options, "device", None)
    if device and str(device).startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise UsageError(f"--device {device}: CUDA is not available on this machine; use --device cpu")
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
