"""One generation request, and the exact InferenceClient call it becomes.

`client_call` is the single translation from what the user set to what goes on the wire: the
backend makes this call, and the "View code" snippets print it, so the two cannot drift apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from playground.chat.structured import ResponseFormat, response_format_body
from playground.params import GenerationParams


class Mode(str, Enum):
    COMPLETION = "Completion"
    CHAT = "Chat"


DEFAULT_PROVIDER = "auto"
# One bound for prompts and system prompts everywhere (form, share links, history), so a run that
# was accepted can always be kept and restored.
MAX_PROMPT_CHARS = 32_000
# Chat routes report the run's token counts in a last chunk when asked; OpenAI-compatible servers
# (the router, TGI, vLLM, llama.cpp) take this field.
STREAM_OPTIONS = {"include_usage": True}
ChatTurn = tuple[str, str]  # (user message, assistant answer without its reasoning)


@dataclass(frozen=True)
class GenerationRequest:
    """A validated request. `model` is a Hub ID (`org/name`) or an endpoint URL.

    In Chat mode `prompt` is the newest user message and `turns` the conversation before it;
    `response_format` and `json_schema` (the schema editor's text, already checked) shape the answer."""

    model: str
    prompt: str
    mode: Mode = Mode.COMPLETION
    provider: str = DEFAULT_PROVIDER
    system_prompt: str = ""
    params: GenerationParams = field(default_factory=GenerationParams)
    turns: tuple[ChatTurn, ...] = ()
    response_format: ResponseFormat = ResponseFormat.TEXT
    json_schema: str = ""


@dataclass(frozen=True)
class ClientCall:
    """`InferenceClient(model=..., provider=...).<method>(**kwargs)`; `stream=True` is always added."""

    method: str
    kwargs: dict[str, Any]


def client_call(request: GenerationRequest) -> ClientCall:
    if request.mode is Mode.CHAT:
        kwargs = {"messages": chat_messages(request), **chat_parameters(request.params)}
        response_format = chat_response_format(request)
        if response_format is not None:
            kwargs["response_format"] = response_format
        return ClientCall("chat_completion", {**kwargs, "stream_options": dict(STREAM_OPTIONS)})
    return ClientCall("text_generation", {"prompt": request.prompt, **completion_parameters(request.params)})


def chat_messages(request: GenerationRequest) -> list[dict[str, str]]:
    """System prompt, the conversation so far, then the new user message."""
    messages = [{"role": "system", "content": request.system_prompt}] if request.system_prompt.strip() else []
    for user, assistant in request.turns:
        messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return [*messages, {"role": "user", "content": request.prompt}]


def chat_response_format(request: GenerationRequest) -> dict[str, Any] | None:
    schema = json.loads(request.json_schema) if request.response_format is ResponseFormat.JSON_SCHEMA else None
    return response_format_body(request.response_format, schema)


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
