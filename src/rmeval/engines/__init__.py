"""Text-generation engines for judges, addressed as `ENGINE/MODEL` (`openai/gpt-4o`, `transformers/PATH`).

Engines are registered by name with a factory; HTTP providers are data (protocol, default endpoint, the environment
variable holding the key). Heavy imports (httpx, torch, vllm) happen only when an engine is built. Third-party
packages add engines through the `rmeval.engines` entry point group (a module that registers on import).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from rmeval.common.plugins import load_plugins
from rmeval.engines.base import (
    Chat,
    Engine,
    EngineError,
    FatalError,
    Generation,
    GenerationParams,
    RetryableError,
    raw_prompt,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "PROVIDERS",
    "Chat",
    "Engine",
    "EngineError",
    "EngineSettings",
    "FatalError",
    "Generation",
    "GenerationParams",
    "RetryableError",
    "build_engine",
    "engine_names",
    "raw_prompt",
    "register_engine",
    "split_engine",
]

ENTRY_POINT_GROUP = "rmeval.engines"


@dataclass(frozen=True)
class EngineSettings:
    """Options shared by every engine of a run (`--base-url`, `--api-key-env`, ...)."""

    base_urls: tuple[str, ...] = ()
    api_key_env: str | None = None
    request_timeout: float = 60.0
    batch_size: int = 8
    device: str | None = None
    dtype: str = "auto"
    chat_template: str | None = None
    trust_remote_code: bool = False
    tensor_parallel_size: int = 1


EngineFactory = Callable[[str, EngineSettings], Engine]
"""Builds an engine for a model name with the run's settings."""
_FACTORIES: dict[str, EngineFactory] = {}
_plugins_loaded = False
F = TypeVar("F", bound=EngineFactory)


def register_engine(name: str) -> Callable[[F], F]:
    """Register an engine factory under `name`, the ENGINE of `ENGINE/MODEL`."""

    def wrap(factory: F) -> F:
        _FACTORIES[name] = factory
        return factory

    return wrap


@dataclass(frozen=True)
class Provider:
    """An HTTP API: which protocol it speaks, where, and which environment variable holds its key."""

    protocol: str
    base_url: str
    key_env: str


PROVIDERS = {
    "openai": Provider("openai", "https://api.openai.com/v1", "OPENAI_API_KEY"),
    "together": Provider("openai", "https://api.together.xyz/v1", "TOGETHER_API_KEY"),
    "anthropic": Provider("anthropic", "https://api.anthropic.com", "ANTHROPIC_API_KEY"),
}


def _http_factory(name: str, provider: Provider) -> EngineFactory:
    def build(model: str, settings: EngineSettings) -> Engine:
        from rmeval.engines.http import api_key_from_env

        # A custom --base-url is usually a local server that needs no key; the provider's own endpoint does.
        key = api_key_from_env(settings.api_key_env or provider.key_env, required=not settings.base_urls)
        urls = settings.base_urls or (provider.base_url,)
        if provider.protocol == "anthropic":
            from rmeval.engines.anthropic import AnthropicEngine

            return AnthropicEngine(model, urls, key, settings.request_timeout)
        from rmeval.engines.openai_compat import OpenAIChatEngine

        return OpenAIChatEngine(model, urls, key, settings.request_timeout, name=name)

    return build


for _name, _provider in PROVIDERS.items():
    register_engine(_name)(_http_factory(_name, _provider))


@register_engine("transformers")
def _transformers(model: str, settings: EngineSettings) -> Engine:
    from rmeval.engines.local_transformers import TransformersEngine

    return TransformersEngine(model, settings.batch_size, settings.device, settings.dtype, settings.chat_template,
                              settings.trust_remote_code)


@register_engine("vllm")
def _vllm(model: str, settings: EngineSettings) -> Engine:
    from rmeval.engines.vllm_engine import VLLMEngine

    return VLLMEngine(model, settings.dtype, settings.trust_remote_code, settings.chat_template,
                      settings.tensor_parallel_size)


def engine_names() -> list[str]:
    """Every registered engine, built-in and installed."""
    global _plugins_loaded
    if not _plugins_loaded:
        _plugins_loaded = True
        load_plugins(ENTRY_POINT_GROUP)
    return sorted(_FACTORIES)


def split_engine(spec: str) -> tuple[str, str]:
    """`ENGINE/MODEL` -> (engine, model); a bare name or a local path means a local transformers model.

    >>> split_engine("openai/gpt-4o"), split_engine("vllm/meta-llama/Llama-3.1-8B")
    (('openai', 'gpt-4o'), ('vllm', 'meta-llama/Llama-3.1-8B'))
    >>> split_engine("smollm2-135m-instruct"), split_engine("./my-judge")
    (('transformers', 'smollm2-135m-instruct'), ('transformers', './my-judge'))
    """
    if "/" not in spec or spec.startswith((".", "/", "~")):
        return "transformers", spec
    engine, model = spec.split("/", 1)
    known = engine_names()
    if engine not in known or not model:
        raise ValueError(f"judge model {spec!r} must be ENGINE/MODEL with ENGINE one of {', '.join(known)}")
    return engine, model


def build_engine(spec: str, settings: EngineSettings) -> Engine:
    """The engine `spec` names, configured; API keys are read from the environment there, kept nowhere else."""
    engine, model = split_engine(spec)
    return _FACTORIES[engine](model, settings)
