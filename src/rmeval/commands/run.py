"""`rmeval run`: evaluate one reward model on a benchmark and write its result folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rmeval.benchmarks import BENCHMARKS
from rmeval.config import RunConfig
from rmeval.data import ColumnMap
from rmeval.data.chat import BUILTIN_TEMPLATES
from rmeval.presets import DEFAULT_BENCHMARK, DEFAULT_PRESET, REF_FREE, RUN_SETTINGS, run_settings
from rmeval.scorers.judge import FAILURE_POLICIES, MODES, ORDER_POLICIES
from rmeval.scorers.runtime import DTYPES

__all__ = ["add_parser", "config_from_args", "main"]


def add_parser(sub: Any) -> None:
    """Register `run` and its options."""
    p: argparse.ArgumentParser = sub.add_parser("run", help="evaluate a reward model",
                                                description="Evaluate a reward model on a benchmark.")
    m = p.add_argument_group("model")
    m.add_argument("--model", action="append", help="local folder, hub id or preset of the reward model (default: the "
                   f"{DEFAULT_PRESET} preset on {DEFAULT_BENCHMARK}); a judge is "
                   "ENGINE/MODEL (openai/..., anthropic/..., transformers/..., vllm/...); repeat for a judge ensemble")
    m.add_argument("--scorer", help="classifier, implicit or judge (default: the preset's kind, else classifier)")
    m.add_argument("--revision", help="hub revision (branch, tag or commit) of the model")
    m.add_argument("--tokenizer", help="tokenizer folder or hub id, when it differs from the model's")
    m.add_argument("--chat-template", help=f"a built-in template ({', '.join(BUILTIN_TEMPLATES)}) or a Jinja file; "
                                           "required when the tokenizer has none")
    m.add_argument("--dtype", choices=DTYPES, help="auto (the default): bf16 on CUDA, fp32 on CPU")
    m.add_argument("--device", help="cpu, cuda, cuda:1 ... (default: cuda when present)")
    m.add_argument("--attn-implementation", help="eager, sdpa, flash_attention_2 ... (default: the model's)")
    m.add_argument("--trust-remote-code", action="store_true", help="run code shipped with the model (off by default)")
    m.add_argument("--max-length", type=int, help="tokens per text (default: the model's own limit)")
    m.add_argument("--score-index", type=int, help="which logit is the reward, for multi-logit heads")
    m.add_argument("--padding-side", default="right", choices=("right", "left"), help=argparse.SUPPRESS)
    b = p.add_argument_group("batching")
    b.add_argument("--max-tokens-per-batch", type=int, default=None,
                   help="budget of padded tokens per batch (default: 4096 on CPU, 16384 on CUDA, unless "
                   "--batch-size is given)")
    b.add_argument("--batch-size", type=int, help="at most this many texts per batch")
    d = p.add_argument_group("data")
    d.add_argument("--benchmark", choices=sorted(BENCHMARKS), help="benchmark (default: rewardbench, or detected "
                                                                   "from the subsets of a --data file)")
    d.add_argument("--data", type=Path, help="local .jsonl, .json, .parquet or .csv file instead of the hub")
    d.add_argument("--subsets", help="comma-separated subsets to score")
    d.add_argument("--limit", type=int, help="score at most N examples of each subset")
    for name in ("prompt", "chosen", "rejected", "subset", "id"):
        d.add_argument(f"--{name}-column", default=name, help=f"column holding the {name} (default: {name})")
    d.add_argument("--prior-sets", nargs="?", const="allenai/preference-test-sets", metavar="SOURCE",
                   help="also score RewardBench's Prior Sets (hub id, or a local file with a subset column)")
    _add_judge_options(p)
    _add_implicit_options(p)
    o = p.add_argument_group("output")
    o.add_argument("--output-dir", type=Path, help="default: results/<benchmark>/<model-slug>/")
    o.add_argument("--seed", type=int, default=0,
                   help="seed of the bootstrap intervals and of a judge's answer order (default 0)")
    o.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(handler=main)


def _add_judge_options(p: argparse.ArgumentParser) -> None:
    j = p.add_argument_group("judge (--scorer judge)")
    j.add_argument("--judge-mode", default="pairwise", choices=MODES,
                   help="pairwise: A/B verdict; rating: 1-10 per answer; ranking: best of N (a benchmark's own "
                        "protocol wins where it prescribes one)")
    j.add_argument("--order", default="seeded", choices=ORDER_POLICIES,
                   help="answer order: seeded swap per example (default), both orders, or fixed (chosen first)")
    j.add_argument("--on-failure", default="tie", choices=FAILURE_POLICIES,
                   help="score of an unparseable verdict or failed request (default tie: half credit)")
    j.add_argument("--judge-prompt", type=Path, action="append", default=[], metavar="FILE",
                   help="your own prompt template, one per mode (placeholders in the README)")
    j.add_argument("--base-url", help="OpenAI-compatible endpoint, e.g. http://localhost:8000/v1")
    j.add_argument("--api-key-env", metavar="NAME", help="environment variable holding the API key")
    j.add_argument("--concurrency", type=int, default=16, help="parallel requests per judge (default 16)")
    j.add_argument("--request-timeout", type=float, default=120.0, help="seconds per request (default 120)")
    j.add_argument("--max-retries", type=int, default=5, help="retries on 429, 5xx and timeouts (default 5)")
    j.add_argument("--cache-dir", type=Path, help="response cache (default $RMEVAL_CACHE/judge)")
    j.add_argument("--no-cache", action="store_true", help="neither read nor write the response cache")
    j.add_argument("--max-new-tokens", type=int, default=512, help="tokens per judge answer (default 512)")
    j.add_argument("--temperature", type=float, default=0.0, help="sampling temperature (default 0: greedy)")


def _add_implicit_options(p: argparse.ArgumentParser) -> None:
    i = p.add_argument_group("implicit reward (--scorer implicit)")
    i.add_argument("--ref-model", help="reference model (folder, hub id or preset): the reward is the answer's "
                                       "log-probability under the policy minus under this model")
    i.add_argument("--ref-revision", help="hub revision of the reference model")
    i.add_argument("--ref-free", choices=REF_FREE, help="no reference: sum of log-probabilities, avg (the default "
                                                        "without --ref-model) or norm (minus their L2 norm)")
    i.add_argument("--ref-cache", type=Path, help="reference log-probability cache (default $RMEVAL_CACHE/refcache)")
    i.add_argument("--no-ref-cache", action="store_true", help="neither read nor write the reference cache")
    i.add_argument("--no-share-prompts", action="store_true",
                   help="one row per answer instead of running a prompt once for all its answers")


def _apply_preset(args: argparse.Namespace) -> None:
    """No --model: the default preset on the demonstration benchmark. A preset fills the options not given."""
    if not args.model:
        args.model = [DEFAULT_PRESET]
        if args.benchmark is None and args.data is None:
            args.benchmark = DEFAULT_BENCHMARK
    explicit = {name: getattr(args, name) for name in RUN_SETTINGS}
    for name, value in run_settings(args.model[0], explicit).items():
        setattr(args, name, value)


def config_from_args(args: argparse.Namespace) -> RunConfig:
    """The typed run configuration of parsed options."""
    _apply_preset(args)
    if len(args.model) > 1 and args.scorer != "judge":
        raise ValueError("several --model options make a judge ensemble: only --scorer judge takes them")
    return RunConfig(
        model=args.model[0], scorer=args.scorer, revision=args.revision, tokenizer=args.tokenizer,
        chat_template=args.chat_template, dtype=args.dtype, device=args.device,
        attn_implementation=args.attn_implementation, trust_remote_code=args.trust_remote_code,
        max_length=args.max_length, score_index=args.score_index, padding_side=args.padding_side,
        max_tokens_per_batch=args.max_tokens_per_batch, batch_size=args.batch_size, benchmark=args.benchmark,
        data=args.data,
        columns=ColumnMap(args.prompt_column, args.chosen_column, args.rejected_column, args.subset_column,
                          args.id_column),
        subsets=tuple(s.strip() for s in args.subsets.split(",") if s.strip()) if args.subsets else (),
        limit=args.limit, prior_sets=args.prior_sets, output_dir=args.output_dir, seed=args.seed,
        progress=not args.no_progress,
        ref_model=args.ref_model, ref_revision=args.ref_revision, ref_free=args.ref_free, ref_cache=args.ref_cache,
        use_ref_cache=not args.no_ref_cache, share_prompts=not args.no_share_prompts,
        ensemble=tuple(args.model[1:]), judge_mode=args.judge_mode, judge_order=args.order,
        judge_on_failure=args.on_failure, judge_prompts=tuple(args.judge_prompt), base_url=args.base_url,
        api_key_env=args.api_key_env, concurrency=args.concurrency, request_timeout=args.request_timeout,
        max_retries=args.max_retries, cache_dir=args.cache_dir, use_cache=not args.no_cache,
        max_new_tokens=args.max_new_tokens, temperature=args.temperature,
    )


def main(args: argparse.Namespace) -> int:
    """Run the evaluation, write the result folder and print the report."""
    from rmeval.run import run_evaluation

    config = config_from_args(args)
    run_evaluation(config, command=["rmeval", *sys.argv[1:]])
    return 0

