"""Whether a conversation fits a model's context, and how many of its oldest turns would have to go.

A conversation is never cut silently: `check_fit` says whether it fits, and if not, how many of the
oldest turns dropping would make it fit, so the UI can offer exactly that.

Token counts before a run are estimates (the tokenizer is the server's): about four characters per
token for English text with BPE tokenizers, rounded up, plus a few tokens per message for the chat
template's markers. The estimate leans high so a conversation judged to fit does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from playground.chat.conversation import Conversation, Message

CHARS_PER_TOKEN = 3.5  # a little under the usual ~4 for English, so estimates lean high
TOKENS_PER_MESSAGE = 6  # role markers and separators of typical chat templates (ChatML: about 5)


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def estimate_messages_tokens(messages: list[Message]) -> int:
    return sum(estimate_tokens(m["content"]) + TOKENS_PER_MESSAGE for m in messages) + TOKENS_PER_MESSAGE


@dataclass(frozen=True)
class Fit:
    """`prompt_tokens` (estimated) plus `answer_room` must fit in `context_length`.

    `drop_turns` is how many oldest turns dropping makes it fit: 0 when it fits already, None when
    even the last message alone is too long."""

    prompt_tokens: int
    answer_room: int
    context_length: int
    drop_turns: int | None

    @property
    def fits(self) -> bool:
        return self.drop_turns == 0


def check_fit(conversation: Conversation, context_length: int | None, max_new_tokens: int) -> Fit | None:
    """None when the context length is unknown: then only the server can tell."""
    if context_length is None:
        return None
    room = min(max_new_tokens, context_length // 2)  # an answer must fit; a long max is not the prompt's fault
    needed = estimate_messages_tokens(conversation.to_messages())
    return Fit(needed, room, context_length, _turns_to_drop(conversation, context_length - room))


def _turns_to_drop(conversation: Conversation, budget: int) -> int | None:
    for count in range(len(conversation.turns)):
        if estimate_messages_tokens(conversation.drop_oldest(count).to_messages()) <= budget:
            return count
    return None
