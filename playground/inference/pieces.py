"""A model's streamed items as pieces: the text (and a chat delta's separate reasoning), whether it
is the model's final event, the token counts when the item carries them, and the token
probabilities when the request asked for them (TGI's `top_tokens`, a chat choice's `logprobs`).

One function per wire shape: TGI's stream (huggingface_hub's `text_generation`), a chat chunk
(huggingface_hub's or the `openai` package's: the same field names) and an OpenAI completions chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from playground.inference.events import Usage
from playground.inference.probabilities import TokenOdds, chat_odds, tgi_odds


@dataclass(frozen=True)
class Piece:
    """One streamed item: its text (and a chat delta's separate reasoning field), whether it is
    the model's final event, and the run's token counts if the item carries them."""

    text: str
    final: bool = False
    reasoning: str = ""
    usage: Usage | None = None
    odds: tuple[TokenOdds, ...] = ()  # the token probabilities, when the request asked for them


def pieces(closer: Any, stream: Iterator, piece: Callable[[Any], Piece]) -> Iterator[Piece]:
    """Each streamed item as a piece; closes the HTTP stream when the caller stops early (Stop).

    Holds `closer` (the client) until the end: once it is garbage-collected its stream is closed.
    """
    try:
        for item in stream:
            yield piece(item)
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
        closer.close()  # the client keeps streamed responses open until closed


def tgi_piece(item: Any) -> Piece:
    if isinstance(item, str):  # `details` was refused: plain text, and no final event to see
        return Piece(item, final=True)
    odds = tgi_odds(item)
    return Piece(item.token.text, final=item.generated_text is not None, odds=(odds,) if odds else ())


def completion_piece(item: Any) -> Piece:
    """An OpenAI completions chunk: `choices[0].text`; the last one (with `include_usage`) has no choices."""
    usage = _usage(item.usage) if getattr(item, "usage", None) else None
    if not item.choices:
        return Piece("", usage=usage)
    choice = item.choices[0]
    return Piece(choice.text or "", final=choice.finish_reason is not None, usage=usage)


def chat_piece(item: Any) -> Piece:
    usage = _usage(item.usage) if getattr(item, "usage", None) else None
    if not item.choices:  # e.g. the last chunk that `stream_options={"include_usage": true}` asks for
        return Piece("", usage=usage)
    choice = item.choices[0]
    delta = choice.delta
    # `reasoning_content` (DeepSeek, vLLM, llama.cpp) is not a declared field: huggingface_hub keeps
    # unknown fields as attributes. `reasoning` is declared (OpenRouter-style providers).
    reasoning = getattr(delta, "reasoning_content", None) or getattr(delta, "reasoning", None)
    return Piece(delta.content or "", final=choice.finish_reason is not None,
                 reasoning=reasoning if isinstance(reasoning, str) else "", usage=usage, odds=chat_odds(choice.logprobs))


def _usage(usage: Any) -> Usage:
    details = getattr(usage, "completion_tokens_details", None)
    reasoning = details.get("reasoning_tokens") if isinstance(details, dict) else getattr(details, "reasoning_tokens", None)
    return Usage(
        prompt_tokens=_count(getattr(usage, "prompt_tokens", None)),
        completion_tokens=_count(getattr(usage, "completion_tokens", None)),
        reasoning_tokens=_count(reasoning),
    )


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
