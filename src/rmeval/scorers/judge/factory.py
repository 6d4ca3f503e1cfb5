"""`--scorer judge`: the judges a run configuration names, each behind the reliable wrapper, sharing one cache."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rmeval.scorers.registry import register_scorer

if TYPE_CHECKING:
    from rmeval.config import RunConfig
    from rmeval.scorers.judge.scorer import JudgeScorer

__all__ = ["build_judge", "default_cache_dir"]


def default_cache_dir() -> Path:
    """`$RMEVAL_CACHE/judge`, or `~/.cache/rmeval/judge`."""
    return Path(os.environ.get("RMEVAL_CACHE", Path.home() / ".cache" / "rmeval")) / "judge"


@register_scorer("judge")
def build_judge(config: RunConfig) -> tuple[JudgeScorer, float]:
    """Templates first (a bad prompt file fails before any model loads), then one engine per judge."""
    from rmeval.engines import EngineSettings, build_engine
    from rmeval.engines.base import GenerationParams
    from rmeval.engines.cache import ResponseCache
    from rmeval.engines.wrapper import ReliableEngine, RetryPolicy
    from rmeval.scorers.judge.scorer import JudgeScorer, check_policies
    from rmeval.scorers.judge.templates import resolve_templates

    start = time.perf_counter()
    check_policies(config.judge_mode, config.judge_order, config.judge_on_failure)
    templates = resolve_templates(config.judge_prompts)
    params = GenerationParams(config.max_new_tokens, config.temperature, seed=config.seed)
    names = [config.model, *config.ensemble]
    settings = EngineSettings(base_url=config.base_url, api_key_env=config.api_key_env,
                              request_timeout=config.request_timeout, batch_size=config.batch_size or 8,
                              device=config.device, dtype=config.dtype, chat_template=config.chat_template,
                              trust_remote_code=config.trust_remote_code)
    cache = ResponseCache(config.cache_dir or default_cache_dir()) if config.use_cache else None
    retry = RetryPolicy(max_retries=config.max_retries)
    judges = [(name, ReliableEngine(build_engine(name, settings), cache, config.concurrency, retry, config.seed))
              for name in names]
    scorer = JudgeScorer(judges, templates, params, config.judge_mode, config.judge_order, config.judge_on_failure,
                         config.seed)
    return scorer, time.perf_counter() - start
