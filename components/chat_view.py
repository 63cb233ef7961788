"""Chat mode as the page shows it: the conversation (`conversation_view`), its versions, the
context-fit notice and the structured-output verdict; and restoring a request's conversation.

The conversation is a `playground.chat.conversation.Conversation` value kept per visitor in a
`gr.State`; the Chatbot only shows it. Every action builds a new value and the run streams into it,
so a failed run puts back the conversation as it was and the prompt that was typed: nothing is lost.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import gradio as gr

from playground.chat.context import Fit
from playground.chat.conversation import Conversation, answered, from_pairs
from playground.chat.structured import Verdict
from playground.input.request import GenerationRequest

THINKING_TITLE = "Thinking"


@dataclass(frozen=True)
class ChatPanel:
    conversation: gr.Chatbot
    state: gr.State
    regenerate: gr.Button
    new_chat: gr.Button
    controls: gr.Row
    versions_row: gr.Row
    edited_turn: gr.Dropdown
    previous_version: gr.Button
    next_version: gr.Button
    fit_row: gr.Row
    fit_notice: gr.Markdown
    drop_oldest: gr.Button
    drop_count: gr.State
    verdict: gr.HTML


def restore_outputs(panel: ChatPanel) -> list[Any]:
    """What restoring a request's conversation (history, share link) updates."""
    return [panel.conversation, panel.state, panel.versions_row, panel.edited_turn, panel.verdict, panel.fit_row]


def restored_conversation(panel: ChatPanel, request: GenerationRequest) -> dict[Any, Any]:
    """A request's earlier turns as the visitor's conversation; its prompt goes back in Prompt, so
    Generate (or Re-run) sends the very same request again."""
    return conversation_shown(panel, from_pairs(request.system_prompt, request.turns))


def finished_conversation(panel: ChatPanel, request: GenerationRequest, answer: str) -> dict[Any, Any]:
    """A chat run as it ended, its message and `answer` included, as the visitor's conversation."""
    return conversation_shown(panel, answered(request.system_prompt, request.turns, request.prompt, answer))


def conversation_shown(panel: ChatPanel, chat: Conversation) -> dict[Any, Any]:
    """`chat` as the visitor's conversation, starting without versions, verdict or fit notice."""
    return {panel.conversation: conversation_view(chat), panel.state: chat, panel.versions_row: gr.update(visible=False),
            panel.edited_turn: gr.update(choices=[], value=None), panel.verdict: verdict_html(None),
            panel.fit_row: gr.update(visible=False)}


def conversation_view(chat: Conversation, thinking_now: bool = False) -> list[dict[str, Any]]:
    """The Chatbot's messages: each answer's reasoning as a collapsed "Thinking" block (with its
    duration) above the answer, never as raw text. The newest block stays open while it streams."""
    return [message for _, _, message in _view_entries(chat, thinking_now)]


def _view_entries(chat: Conversation, thinking_now: bool = False) -> list[tuple[int, str, dict[str, Any]]]:
    """(turn index, "user", "thinking" or "answer", message) for each message the Chatbot shows."""
    entries: list[tuple[int, str, dict[str, Any]]] = []
    for index, turn in enumerate(chat.turns):
        entries.append((index, "user", {"role": "user", "content": turn.user}))
        answer = turn.answer
        if answer is None:
            continue
        if answer.reasoning:
            live = thinking_now and index == len(chat.turns) - 1
            metadata: dict[str, Any] = {"title": THINKING_TITLE, "status": "pending" if live else "done"}
            if answer.thinking_seconds is not None:
                metadata["duration"] = round(answer.thinking_seconds, 1)
            entries.append((index, "thinking", {"role": "assistant", "content": answer.reasoning, "metadata": metadata}))
        if answer.content or not answer.reasoning:
            entries.append((index, "answer", {"role": "assistant", "content": answer.content}))
    return entries


def message_at(chat: Conversation, index: int) -> tuple[int, str] | None:
    """(turn index, "user", "thinking" or "answer") of message `index` of `conversation_view(chat)`."""
    entries = _view_entries(chat)
    if not 0 <= index < len(entries):
        return None
    turn, kind, _ = entries[index]
    return turn, kind


def versions_update(chat: Conversation) -> tuple[dict, dict]:
    """(the versions row, the "Edited turn" dropdown): one entry per turn with more than one version."""
    choices = [(f"Turn {index + 1}: version {turn.version[0]} of {turn.version[1]}", index)
               for index, turn in enumerate(chat.turns) if turn.version[1] > 1]
    if not choices:
        return gr.update(visible=False), gr.update(choices=[], value=None)
    return gr.update(visible=True), gr.update(choices=choices, value=choices[-1][1])


def fit_message(fit: Fit) -> str:
    """What the playground says when a conversation no longer fits; never cuts it silently."""
    size = f"This conversation is about {fit.prompt_tokens} tokens; with room for a {fit.answer_room}-token answer it doesn't fit this model's context of {fit.context_length} tokens."
    if fit.drop_turns is None:
        return f"**{size}** The last message alone is too long: shorten it, or lower Max new tokens."
    turns = "turn" if fit.drop_turns == 1 else f"{fit.drop_turns} turns"
    return f"**{size}** Drop the oldest {turns} to continue? Nothing is dropped unless you press the button."


def verdict_html(verdict: Verdict | None) -> dict:
    if verdict is None:
        return gr.update(value="", visible=False)
    if verdict.valid:
        return gr.update(value="<div class='pg-status pg-valid' role='status'><strong>Valid</strong>: the answer matches the response format.</div>", visible=True)
    why = html.escape(verdict.error)
    if verdict.cut_off_at is not None:
        why = (f"the answer was cut off at Max new tokens ({verdict.cut_off_at}) before its JSON ended. "
               "Raise Max new tokens and send again.")
    return gr.update(value=f"<div class='pg-status pg-invalid' role='status'><strong>Invalid</strong>: {why}</div>", visible=True)
