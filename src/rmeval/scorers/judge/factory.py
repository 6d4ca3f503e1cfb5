"""`--scorer judge`: its options, and the judges a run names, each behind the reliable wrapper, sharing one cache."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from rmeval.common.options import at_least, either_store, option
from rmeval.common.paths import cache_root
from rmeval.common.store import StoreUnusable
from rmeval.models.options import LocalModelOptions
from rmeval.scorers.judge.cost import parse_price
from rmeval.scorers.registry import register_scorer

if TYPE_CHECKING:
    from rmeval.protocol import Scorer
    from rmeval.scorers.judge.formats import JudgeFormat
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
    order: Literal["seeded", "both", "fixed", "single"] = option(
        "seeded", "answer order: seeded swap per example, both orders, fixed (chosen first), or single (JudgeBench's "
                  "one game: each pair once, in its file's order)")
    on_failure: Literal["tie", "wrong"] = option(
        "tie", "score of an unparseable verdict or failed request (tie: half credit)")
    judge_formats: tuple[str, ...] = option((), "a published judge's prompt and verdict format (rmeval models "
                                                "--formats lists them) or a format FILE; one per mode, repeat for "
                                                "several", flag="--judge-format", metavar="NAME|FILE")
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
    max_new_tokens: int = option(512, "tokens of a judge's answer (after its thinking part, if any)")
    thinking_budget: int | None = option(None, "tokens a reasoning judge may think before its answer (a thinking "
                                               "part past it loses its verdict, counted apart)")
    temperature: float = option(0.0, "sampling temperature (0: greedy)")
    top_p: float = option(1.0, "nucleus sampling: the top share of probability sampled from")
    samples: int = option(1, "judgments per prompt, sample i seeded seed+i; a judge votes over them (majority; "
                             "ratings and scores: mean)")
    price: str | None = option(None, "price per million prompt and completion tokens, for the run's cost",
                               metavar="IN,OUT")
    tensor_parallel_size: int = option(1, "GPUs a vllm/ judge is split over")
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
        at_least("thinking_budget", self.thinking_budget, 1)
        at_least("temperature", self.temperature, 0)
        at_least("samples", self.samples, 1)
        at_least("tensor_parallel_size", self.tensor_parallel_size, 1)
        at_least("batch_size", self.batch_size, 1)
        either_store("--cache-dir", self.cache_dir, "--no-cache", self.use_cache)
        if not 0 < self.top_p <= 1:
            raise ValueError(f"--top-p must be in (0, 1], got {self.top_p}")
        if self.samples > 1 and self.temperature == 0:
            raise ValueError(f"--samples {self.samples} votes over sampled judgments: give --temperature above 0 "
                             "(at 0 every sample is the same greedy answer)")
        parse_price(self.price)

    def check_preset(self, where: str) -> None:
        """A judge preset names shipped formats (a FILE is the user's to give)."""
        from rmeval.scorers.judge.formats import format_names

        unknown = [f for f in self.judge_formats if f not in format_names()]
        if unknown:
            raise ValueError(f"{where}: judge_formats names no shipped format: {', '.join(unknown)}")


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
    from rmeval.scorers.judge.formats import resolve_formats
    from rmeval.scorers.judge.scorer import JudgeScorer

    if len(set(models)) != len(models):
        raise ValueError(f"judges must be given once each, got {list(models)}")
    formats = resolve_formats(options.judge_formats, options.judge_prompts)
    if options.verdict == "logprob":
        if options.judge_formats or options.samples > 1:
            raise ValueError("--verdict logprob reads rmeval's [[A]] / [[B]] verdict from one forward pass: drop "
                             "--judge-format and --samples")
        return _verdict_judge(models, options, formats["pairwise"].templates["pairwise"], seed)
    params = GenerationParams(options.max_new_tokens, options.temperature, options.top_p, seed,
                              options.thinking_budget)
    settings = EngineSettings(base_urls=options.base_urls, api_key_env=options.api_key_env,
                              request_timeout=options.request_timeout, batch_size=options.batch_size or 8,
                              device=options.device, dtype=options.dtype, chat_template=options.chat_template,
                              trust_remote_code=options.trust_remote_code,
                              tensor_parallel_size=options.tensor_parallel_size)
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
            _check_raw(name, judges[-1][1].engine, formats.values())
    except BaseException:
        for _, engine in judges:  # nothing half-built stays open
            engine.close()
        if cache is not None:
            cache.close()
        raise
    return JudgeScorer(judges, formats, params, options.judge_mode, options.order, options.on_failure, seed,
                       cache=cache, samples=options.samples, price=parse_price(options.price))


def _check_raw(name: str, engine: object, formats: Iterable[JudgeFormat]) -> None:
    """A raw-prompt format needs an engine that takes plain text (not a chat-only API)."""
    raw = sorted({f.name for f in formats if f.raw})
    if raw and not getattr(engine, "raw_prompts", False):
        raise ValueError(f"judge format {', '.join(raw)} sends its prompt as plain text, its authors' own wrapper "
                         f"included; {name} takes chat messages only: use an OpenAI-compatible server, "
                         "transformers/ or vllm/")


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
