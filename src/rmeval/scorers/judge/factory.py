"""`--scorer judge`: its options, and the judges a run names, each behind the reliable wrapper, sharing one cache."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from rmeval.common.options import at_least, option
from rmeval.common.paths import cache_root
from rmeval.common.store import StoreUnusable
from rmeval.models.options import LocalModelOptions
from rmeval.scorers.registry import register_scorer

if TYPE_CHECKING:
    from rmeval.protocol import Scorer
    from rmeval.scorers.judge.templates import JudgeTemplate

__all__ = ["JudgeOptions", "build_judge", "default_cache_dir"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JudgeOptions(LocalModelOptions):
    """Options of `--scorer judge` (the local-model options apply to transformers and vLLM judges)."""

    cli_group: ClassVar[str] = "judge (--scorer judge)"

    judge_mode: Literal["pairwise", "rating", "ranking"] = option(
        "pairwise", "pairwise: A/B verdict; rating: 1-10 per answer; ranking: best of N (a benchmark's own protocol "
                    "wins where it prescribes one)")
    order: Literal["seeded", "both", "fixed"] = option(
        "seeded", "answer order: seeded swap per example, both orders, or fixed (chosen first)")
    on_failure: Literal["tie", "wrong"] = option(
        "tie", "score of an unparseable verdict or failed request (tie: half credit)")
    judge_prompts: tuple[Path, ...] = option((), "your own prompt template, one per mode (placeholders in the "
                                                 "README); repeat for several modes", flag="--judge-prompt",
                                             metavar="FILE")
    base_urls: tuple[str, ...] = option((), "OpenAI-compatible endpoint, e.g. http://localhost:8000/v1; repeat it for "
                                            "several servers of one model (requests go round them)",
                                        flag="--base-url", metavar="URL")
    api_key_env: str | None = option(None, "environment variable holding the API key", metavar="NAME")
    concurrency: int = option(16, "parallel requests per judge")
    request_timeout: float = option(120.0, "seconds per attempt of a request")
    request_deadline: float = option(300.0, "seconds a request may take in all, its retries and waits included")
    max_retries: int = option(5, "retries on 429, 5xx and timeouts")
    cache_dir: Path | None = option(None, "response cache (default $RMEVAL_CACHE/judge)")
    use_cache: bool = option(True, "neither read nor write the response cache", flag="--no-cache")
    max_new_tokens: int = option(512, "tokens per judge answer")
    temperature: float = option(0.0, "sampling temperature (0: greedy)")
    batch_size: int | None = option(None, "prompts per batch of a local judge (default 8)")
    verdict: Literal["generate", "logprob"] = option(
        "generate", "generate: the judge writes its verdict; logprob: a local judge's verdict is read from the "
                    "probability of A against B right after the pairwise prompt (and [[), both orders, no generation")

    def check(self) -> None:
        """Numbers that make sense, before any judge is built."""
        at_least("concurrency", self.concurrency, 1)
        at_least("request_timeout", self.request_timeout, 0, strict=True)
        at_least("request_deadline", self.request_deadline, 0, strict=True)
        if self.request_deadline < self.request_timeout:
            raise ValueError(f"--request-deadline ({self.request_deadline:g} s) is shorter than one attempt's "
                             f"--request-timeout ({self.request_timeout:g} s)")
        at_least("max_retries", self.max_retries, 0)
        at_least("max_new_tokens", self.max_new_tokens, 1)
        at_least("temperature", self.temperature, 0)
        at_least("batch_size", self.batch_size, 1)


def default_cache_dir() -> Path:
    """`$RMEVAL_CACHE/judge`, or `~/.cache/rmeval/judge`."""
    return cache_root() / "judge"


@register_scorer("judge", JudgeOptions, "a generative judge (local, or an HTTP API); several models vote",
                 ensemble=True, models="engine")
def build_judge(models: Sequence[str], options: JudgeOptions, seed: int) -> Scorer:
    """Templates first (a bad prompt file fails before any model loads), then one engine per judge."""
    from rmeval.engines import EngineSettings, build_engine
    from rmeval.engines.base import GenerationParams
    from rmeval.engines.cache import ResponseCache
    from rmeval.engines.wrapper import ReliableEngine, RetryPolicy
    from rmeval.scorers.judge.scorer import JudgeScorer
    from rmeval.scorers.judge.templates import resolve_templates

    if len(set(models)) != len(models):
        raise ValueError(f"judges must be given once each, got {list(models)}")
    templates = resolve_templates(options.judge_prompts)
    if options.verdict == "logprob":
        return _verdict_judge(models, options, templates["pairwise"], seed)
    params = GenerationParams(options.max_new_tokens, options.temperature, seed=seed)
    settings = EngineSettings(base_urls=options.base_urls, api_key_env=options.api_key_env,
                              request_timeout=options.request_timeout, batch_size=options.batch_size or 8,
                              device=options.device, dtype=options.dtype, chat_template=options.chat_template,
                              trust_remote_code=options.trust_remote_code)
    cache = None
    if options.use_cache:
        try:
            cache = ResponseCache(options.cache_dir or default_cache_dir())
        except StoreUnusable as e:
            log.warning("%s; judging without the answer store", e)
    retry = RetryPolicy(max_retries=options.max_retries, deadline=options.request_deadline,
                        attempt_timeout=options.request_timeout)
    judges = []
    try:
        for name in models:
            judges.append((name, ReliableEngine(build_engine(name, settings), cache, options.concurrency, retry,
                                                seed)))
    except BaseException:
        for _, engine in judges:  # nothing half-built stays open
            engine.close()
        if cache is not None:
            cache.close()
        raise
    return JudgeScorer(judges, templates, params, options.judge_mode, options.order, options.on_failure, seed,
                       cache=cache)


def _verdict_judge(models: Sequence[str], options: JudgeOptions, template: JudgeTemplate, seed: int) -> Scorer:
    """`--verdict logprob`: one local judge read at its verdict token after the pairwise prompt and `[[`."""
    from rmeval.engines import split_engine
    from rmeval.scorers.verdict import VerdictOptions, build_verdict_scorer

    if len(models) != 1 or options.judge_mode != "pairwise":
        raise ValueError("--verdict logprob reads one local judge's pairwise verdict: give one --model and "
                         "--judge-mode pairwise")
    if options.order == "fixed":
        raise ValueError("--verdict logprob reads both orders of every pair (one forward pass each): drop --order "
                         "fixed")
    engine, name = split_engine(models[0])
    if engine != "transformers":
        raise ValueError(f"--verdict logprob reads a local model's next-token probabilities; {models[0]} runs on "
                         f"{engine}: use transformers/MODEL or a local folder")
    verdict = VerdictOptions(device=options.device, dtype=options.dtype, chat_template=options.chat_template,
                             trust_remote_code=options.trust_remote_code, batch_size=options.batch_size,
                             use_score_cache=options.use_cache,  # --no-cache: no verdicts kept either
                             verdict_prompt="judge", verdict_prefix="[[")
    return build_verdict_scorer(name, verdict, template, seed)
