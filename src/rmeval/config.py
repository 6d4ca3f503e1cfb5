"""The run configuration: every option of `rmeval run`, in one typed place."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rmeval.data.schema import ColumnMap

__all__ = ["RunConfig", "model_slug"]


@dataclass(frozen=True)
class RunConfig:
    """Options of one evaluation run (the CLI parses into this; library users build it directly)."""

    model: str
    scorer: str = "classifier"
    revision: str | None = None
    tokenizer: str | None = None
    chat_template: str | None = None
    dtype: str = "auto"
    device: str | None = None
    attn_implementation: str | None = None
    trust_remote_code: bool = False
    max_length: int | None = None
    score_index: int | None = None
    padding_side: str = "right"
    max_tokens_per_batch: int | None = None  # with batch_size None too: the device's default budget
    batch_size: int | None = None
    benchmark: str | None = None
    data: Path | None = None
    columns: ColumnMap = field(default_factory=ColumnMap)
    subsets: tuple[str, ...] = ()
    limit: int | None = None
    prior_sets: str | None = None
    output_dir: Path | None = None
    seed: int = 0
    progress: bool = True
    # Implicit (DPO) rewards (`--scorer implicit`): a reference model, or a reference-free mode (sum, avg, norm).
    ref_model: str | None = None
    ref_revision: str | None = None
    ref_free: str | None = None
    ref_cache: Path | None = None
    use_ref_cache: bool = True
    share_prompts: bool = True
    # Generative judges (`--scorer judge`): `model` is the first judge, `ensemble` the others voting with it.
    ensemble: tuple[str, ...] = ()
    judge_mode: str = "pairwise"
    judge_order: str = "seeded"
    judge_on_failure: str = "tie"
    judge_prompts: tuple[Path, ...] = ()
    base_url: str | None = None
    api_key_env: str | None = None
    concurrency: int = 16
    request_timeout: float = 120.0
    max_retries: int = 5
    cache_dir: Path | None = None
    use_cache: bool = True
    max_new_tokens: int = 512
    temperature: float = 0.0


def model_slug(model: str) -> str:
    """A folder-safe name for a model id or path: `org/name` -> `org__name`."""
    path = Path(model)
    text = path.name if path.is_absolute() or model.startswith((".", "~")) else model
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text.replace("/", "__")) or "model"
