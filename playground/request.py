"""One generation request, and the exact InferenceClient call it becomes.

`client_call` is the single translation from what the user set to what goes on the wire: the
backend makes this call, and the "View code" snippets print it, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from playground.params import GenerationParams


class Mode(str, Enum):
    COMPLETION = "Completion"
    CHAT = "Chat"


DEFAULT_PROVIDER = "auto"
# One bound for prompts and system prompts everywhere (form, share links, history), so a run that
# was accepted can always be kept and restored.
MAX_PROMPT_CHARS = 32_000


@dataclass(frozen=True)
class GenerationRequest:
    """A validated request. `model` is a Hub ID (`org/name`) or an endpoint URL."""

    model: str
    prompt: str
    mode: Mode = Mode.COMPLETION
    provider: str = DEFAULT_PROVIDER
    system_prompt: str = ""
    params: GenerationParams = field(default_factory=GenerationParams)


@dataclass(frozen=True)
class ClientCall:
    """`InferenceClient(model=..., provider=...).<method>(**kwargs)`; `stream=True` is always added."""

    method: str
    kwargs: dict[str, Any]


def client_call(request: GenerationRequest) -> ClientCall:
    if request.mode is Mode.CHAT:
        return ClientCall("chat_completion", {"messages": chat_messages(request), **chat_parameters(request.params)})
    return ClientCall("text_generation", {"prompt": request.prompt, **completion_parameters(request.params)})


def chat_messages(request: GenerationRequest) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": request.system_prompt}] if request.system_prompt.strip() else []
    return [*messages, {"role": "user", "content": request.prompt}]


def completion_parameters(params: GenerationParams) -> dict[str, Any]:
    """TGI parameters. Options left at their "off" value are not sent, so servers that lack them still answer."""
    sent: dict[str, Any] = {"max_new_tokens": params.max_new_tokens, "seed": params.seed}
    sent.update(_sampling(params))
    if params.top_k > 0:
        sent["top_k"] = params.top_k
    if params.repetition_penalty != 1.0:
        sent["repetition_penalty"] = params.repetition_penalty
    if params.stop:
        sent["stop"] = list(params.stop)
    return sent


def chat_parameters(params: GenerationParams) -> dict[str, Any]:
    """OpenAI-style chat parameters. Top-k and repetition penalty have no chat field and are not sent."""
    sent: dict[str, Any] = {"max_tokens": params.max_new_tokens, "seed": params.seed}
    sent["temperature"] = params.temperature
    if params.top_p < 1.0:
        sent["top_p"] = params.top_p
    if params.stop:
        sent["stop"] = list(params.stop)
    return sent


def _sampling(params: GenerationParams) -> dict[str, Any]:
    # TGI refuses temperature 0 ("must be strictly positive"): greedy decoding is asked for by
    # turning sampling off instead.
    if params.temperature == 0:
        return {"do_sample": False}
    sent: dict[str, Any] = {"temperature": params.temperature}
    if params.top_p < 1.0:
        sent["top_p"] = params.top_p
    return sent
