"""Tokens and cost of one chat run: reported by the stream's `usage` when the route gives it,
otherwise estimated (and marked so: the UI writes "≈").

Thinking tokens are counted apart from answer tokens: from the usage's
`completion_tokens_details.reasoning_tokens` when a provider reports it, else from the number of
streamed pieces that were reasoning (one piece is one token on the routes the playground uses).
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.chat.context import estimate_messages_tokens, estimate_tokens
from playground.chat.conversation import Message
from playground.inference.events import Usage


@dataclass(frozen=True)
class Price:
    """USD per million tokens, as the router lists a provider's `pricing`."""

    input: float
    output: float


@dataclass(frozen=True)
class RunTokens:
    prompt: int
    completion: int
    thinking: int
    estimated: bool

    @property
    def answer(self) -> int:
        return max(0, self.completion - self.thinking)


def run_tokens(usage: Usage | None, messages: list[Message], answer: str, reasoning: str, thinking_pieces: int, answer_pieces: int) -> RunTokens:
    """The run's counts: the server's when it reported usage, else estimates from the text."""
    if usage is not None and usage.prompt_tokens is not None and usage.completion_tokens is not None:
        thinking = usage.reasoning_tokens if usage.reasoning_tokens is not None else thinking_pieces
        return RunTokens(usage.prompt_tokens, usage.completion_tokens, min(thinking, usage.completion_tokens), estimated=False)
    streamed = thinking_pieces + answer_pieces
    completion = streamed or estimate_tokens(answer) + estimate_tokens(reasoning)
    return RunTokens(estimate_messages_tokens(messages), completion, thinking_pieces, estimated=True)


def run_cost(tokens: RunTokens, price: Price | None) -> float | None:
    """USD for the run, or None when the price is unknown."""
    if price is None:
        return None
    return (tokens.prompt * price.input + tokens.completion * price.output) / 1_000_000


def tokens_text(tokens: RunTokens, cost: float | None) -> str:
    """E.g. "prompt 31 · thinking 12 · answer 40 tokens · $0.000021", with "≈" before estimates."""
    mark = "≈" if tokens.estimated else ""
    parts = [f"prompt {mark}{tokens.prompt}"]
    if tokens.thinking:
        parts.append(f"thinking {mark}{tokens.thinking}")
    parts.append(f"answer {mark}{tokens.answer} tokens")
    if cost is not None:
        parts.append(f"{mark}${cost:.6f}" if cost < 0.01 else f"{mark}${cost:.4f}")
    return " · ".join(parts)
