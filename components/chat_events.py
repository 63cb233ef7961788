"""What Chat mode's buttons run: Generate's chat runner, Regenerate, an edited message (each streams
one answer into the conversation), and New chat, the version switch and "Drop oldest turns"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.chat_run import ChatOutputs, check_format_offered, facts_for, failure, run_conversation, turn_request
from components.chat_view import conversation_view, message_at, verdict_html, versions_update
from components.context import RunContext, Update, session_of, visitor_tokens
from components.form import read_form
from components.messages import info_html
from components.page import Page
from playground import errors as e
from playground.chat.conversation import Conversation
from playground.chat.turn import EndedBy
from playground.hf.tokens import Tokens
from playground.input.form_values import FormValues
from playground.runs.slots import ended_with_session
from playground.saved.history import new_entry

NOTHING_TO_REGENERATE = "Nothing to regenerate yet: send a message first."


@dataclass(frozen=True)
class ChatWiring:
    """What the Generate event needs for Chat mode: the conversation's state (an extra input),
    the outputs, and the runner it hands Chat-mode requests to."""

    state: gr.State
    outputs: ChatOutputs
    run: Callable[..., Iterator[Update]]


def chat_outputs(page: Page) -> ChatOutputs:
    """Where a chat run's updates go: the conversation, the Prompt, the run panel's status and stats."""
    run = page.run
    return ChatOutputs(page.chat, run.prompt, run.status, run.stats, page.finished_run, run.stopped, page.probs.view)


def chat_wiring(ctx: RunContext, page: Page) -> ChatWiring:
    """The runner Generate hands a Chat-mode message to: it asks the typed Prompt."""
    out = chat_outputs(page)

    def run(form: FormValues, tokens: Tokens, state: Conversation | None, session: str | None = None) -> Iterator[Update]:
        prompt = form.prompt if isinstance(form.prompt, str) else ""
        if not prompt.strip():
            yield failure(out, e.InvalidParametersError("Prompt: type the next message to send"))
            return
        yield from _start(ctx, out, form, tokens, state, lambda chat: chat.ask(prompt), typed=prompt, session=session)

    return ChatWiring(page.chat.state, out, run)


def _start(ctx: RunContext, out: ChatOutputs, form: FormValues, tokens: Tokens, state: Conversation | None,
           change: Callable[[Conversation], Conversation], typed: str | None = None, session: str | None = None) -> Iterator[Update]:
    """Checks everything, then streams the answer to `change(conversation)`; leaving the page
    (`session`'s unload) ends it."""
    before = (state if isinstance(state, Conversation) else Conversation()).with_system_prompt(form.system_prompt or "")
    try:
        asked = change(before)
        request = turn_request(ctx, form, asked)
        tokens.check()
        facts = facts_for(ctx.facts, request, tokens.hf)  # router facts: a Hugging Face lookup
        check_format_offered(request, facts)
    except e.PlaygroundError as error:
        yield failure(out, error)
        return
    sent_token = tokens.for_model(request.model, ctx.settings)
    with ended_with_session(session) as left:
        yield from run_conversation(EndedBy(ctx.backend, left), out, request, sent_token, before, asked, facts, typed,
                                    update_interval=ctx.settings.ui_update_interval)


# Gradio fills in the special arguments (the edit, the sign-in token) only as leading positional ones.
def make_regenerate(ctx: RunContext, out: ChatOutputs) -> Callable[..., Iterator[Update]]:
    """Regenerate: the last answer again, as a new version of it."""

    def regenerate(oauth_token: gr.OAuthToken | None = None, request: gr.Request = None, **values: Any) -> Iterator[Update]:
        tokens = visitor_tokens(ctx, values, oauth_token)
        state = values.get("chat_state")
        if not isinstance(state, Conversation) or not state.turns:
            yield failure(out, e.InvalidParametersError(NOTHING_TO_REGENERATE))
            return
        yield from _start(ctx, out, read_form(values), tokens, state, Conversation.regenerate, session=session_of(request))

    return regenerate


def make_edit(ctx: RunContext, out: ChatOutputs) -> Callable[..., Iterator[Update]]:
    """An edited user message: a new version of its turn, answered again. An edited answer: a new
    version of its turn with the corrected answer, sent as such by the next turn; nothing runs."""

    def edit(edit_data: gr.EditData, oauth_token: gr.OAuthToken | None = None, request: gr.Request = None,
             **values: Any) -> Iterator[Update]:
        tokens = visitor_tokens(ctx, values, oauth_token)
        state = values.get("chat_state")
        chat = state if isinstance(state, Conversation) else Conversation()
        found = message_at(chat, edit_data.index if isinstance(edit_data.index, int) else -1)
        text = _edited_text(edit_data.value)
        if found is None or found[1] == "thinking" or not text.strip():  # reasoning is not sent, and nothing is no message
            yield {out.panel.conversation: conversation_view(chat), out.finished: None}  # nothing for History either
            return
        turn, kind = found
        form = read_form(values)
        if kind == "answer":
            yield corrected_answer(ctx, out, form, chat.edit_answer(turn, text), turn)
            return
        yield from _start(ctx, out, form, tokens, chat, lambda c: c.edit(turn, text), session=session_of(request))

    return edit


def corrected_answer(ctx: RunContext, out: ChatOutputs, form: FormValues, chat: Conversation, turn: int) -> Update:
    """The conversation with answer `turn` corrected by hand, its versions, and a History entry of
    that turn with the corrected answer (none when the form can't make its request)."""
    row, turns = versions_update(chat)
    try:
        request = turn_request(ctx, form, chat.with_system_prompt(form.system_prompt or "").asked_at(turn))
        entry = new_entry(request, chat.turns[turn].answer.content, {}).model_dump(mode="json")
    except e.PlaygroundError:
        entry = None
    return {out.panel.conversation: conversation_view(chat), out.panel.state: chat, out.panel.versions_row: row,
            out.panel.edited_turn: turns, out.panel.verdict: verdict_html(None), out.finished: entry}


def _edited_text(value: Any) -> str:
    """The Chatbot sends an edited message as text, or as a list of content parts."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in value)
    return ""


def _shown(chat: Conversation) -> list[Any]:
    row, turns = versions_update(chat)
    return [conversation_view(chat), chat, row, turns, verdict_html(None), gr.update(visible=False)]


def new_chat(state: Any, system_prompt: str | None) -> list[Any]:
    """Starts over; the system prompt stays."""
    return _shown(Conversation(system_prompt=system_prompt or ""))


def previous_version(state: Any, turn: Any) -> list[Any]:
    return _switch(state, turn, -1)


def next_version(state: Any, turn: Any) -> list[Any]:
    return _switch(state, turn, 1)


def _switch(state: Any, turn: Any, step: int) -> list[Any]:
    chat = state if isinstance(state, Conversation) else Conversation()
    if not isinstance(turn, int) or not 0 <= turn < len(chat.turns):
        return _shown(chat)
    return _shown(chat.switch_version(turn, step))


def drop_oldest(state: Any, count: Any) -> list[Any]:
    chat = state if isinstance(state, Conversation) else Conversation()
    count = count if isinstance(count, int) and count > 0 else 0
    dropped = chat.drop_oldest(count)
    note = info_html(f"Dropped the {count} oldest turn{'s' if count != 1 else ''}. Send your message again.")
    return [*_shown(dropped), gr.update(value=note, visible=True)]
