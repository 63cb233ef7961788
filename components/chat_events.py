"""Chat mode's events: Generate (through the Generate handler), Regenerate, editing a message,
New chat, the version switch, "Drop oldest turns", and what Mode and Response format show."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.chat_panel import (
    ChatPanel,
    FormatPanel,
    conversation_view,
    mode_visibility,
    schema_visibility,
    turn_of_message,
    verdict_html,
    versions_update,
)
from components.chat_run import ChatOutputs, Update, check_format_offered, facts_for, failure, run_conversation, turn_request
from components.context import RunContext
from components.form import Form, read_form
from components.messages import info_html
from playground import errors as e
from playground.chat.conversation import Conversation
from playground.chat.facts import FactsLookup, structured_output_note
from playground.chat.structured import ResponseFormat
from playground.hf.token_format import check_token_format
from playground.hf.tokens import pick_token, token_for_model
from playground.input.form_values import FormValues
from playground.input.request import Mode

NOTHING_TO_REGENERATE = "Nothing to regenerate yet: send a message first."


@dataclass(frozen=True)
class ChatWiring:
    """What the Generate event needs for Chat mode: the conversation's state (an extra input),
    the outputs, and the runner it hands Chat-mode requests to."""

    state: gr.State
    outputs: ChatOutputs
    run: Callable[..., Iterator[Update]]


def make_chat_wiring(ctx: RunContext, panel: ChatPanel, run_panel: Any, finished_run: gr.State) -> ChatWiring:
    out = ChatOutputs(panel, run_panel.prompt, run_panel.status, run_panel.stats, finished_run, run_panel.stopped)

    def run(form: FormValues, token: str | None, state: Conversation | None) -> Iterator[Update]:
        prompt = form.prompt if isinstance(form.prompt, str) else ""
        if not prompt.strip():
            yield failure(out, e.InvalidParametersError("Prompt: type the next message to send"))
            return
        yield from _start(ctx, out, form, token, state, lambda chat: chat.ask(prompt), typed=prompt)

    return ChatWiring(panel.state, out, run)


def _start(ctx: RunContext, out: ChatOutputs, form: FormValues, token: str | None, state: Conversation | None,
           change: Callable[[Conversation], Conversation], typed: str | None = None) -> Iterator[Update]:
    """Checks everything, then streams the answer to `change(conversation)`."""
    before = (state if isinstance(state, Conversation) else Conversation()).with_system_prompt(form.system_prompt or "")
    try:
        asked = change(before)
        request = turn_request(ctx, form, asked)
        check_token_format(token)
        facts = facts_for(ctx.facts, request, token)
        check_format_offered(request, facts)
    except e.PlaygroundError as error:
        yield failure(out, error)
        return
    sent_token = token_for_model(token, request.model, ctx.settings)
    yield from run_conversation(ctx.backend, out, request, sent_token, before, asked, facts, typed,
                                update_interval=ctx.settings.ui_update_interval)


def wire_chat(ctx: RunContext, wiring: ChatWiring, form: Form, session_token: gr.Textbox, model_panel: Any,
              output: gr.Textbox, fmt: FormatPanel) -> None:
    """Wires the chat panel's own events; the streaming ones join `ctx.streams`, for Stop."""
    out, panel = wiring.outputs, wiring.outputs.panel
    inputs = {**form.by_name(), "session_token": session_token, "chat_state": panel.state}

    # Gradio fills in the special arguments (the edit, the sign-in token) only as leading positional ones.
    def regenerate(oauth_token: gr.OAuthToken | None = None, **values: Any) -> Iterator[Update]:
        token = _token(ctx, values, oauth_token)
        state = values.get("chat_state")
        if not isinstance(state, Conversation) or not state.turns:
            yield failure(out, e.InvalidParametersError(NOTHING_TO_REGENERATE))
            return
        yield from _start(ctx, out, read_form(values), token, state, Conversation.regenerate)

    def edit(edit_data: gr.EditData, oauth_token: gr.OAuthToken | None = None, **values: Any) -> Iterator[Update]:
        token = _token(ctx, values, oauth_token)
        state = values.get("chat_state")
        chat = state if isinstance(state, Conversation) else Conversation()
        turn = turn_of_message(chat, edit_data.index if isinstance(edit_data.index, int) else -1)
        text = _edited_text(edit_data.value)
        if turn is None or not text.strip():  # only a user message can be edited, and not to nothing
            yield {panel.conversation: conversation_view(chat)}
            return
        yield from _start(ctx, out, read_form(values), token, chat, lambda c: c.edit(turn, text))

    hidden = {"api_visibility": "undocumented"}
    ctx.streaming(panel.regenerate.click(regenerate, inputs_kwargs=inputs, outputs=out.all(), **hidden))
    ctx.streaming(panel.conversation.edit(edit, inputs_kwargs=inputs, outputs=out.all(), **hidden))
    shown = [panel.conversation, panel.state, panel.versions_row, panel.edited_turn, panel.verdict, panel.fit_row]
    quick = {"queue": False, **hidden}
    panel.new_chat.click(new_chat, inputs=[panel.state, model_panel.system_prompt], outputs=shown, **quick)
    # The Chatbot's own trash button: the same as New chat, so what is shown and what is sent agree.
    panel.conversation.clear(new_chat, inputs=[panel.state, model_panel.system_prompt], outputs=shown, **quick)
    panel.previous_version.click(previous_version, inputs=[panel.state, panel.edited_turn], outputs=shown, **quick)
    panel.next_version.click(next_version, inputs=[panel.state, panel.edited_turn], outputs=shown, **quick)
    panel.drop_oldest.click(drop_oldest, inputs=[panel.state, panel.drop_count], outputs=[*shown, out.status], **quick)
    model_panel.mode.change(mode_visibility, inputs=model_panel.mode, outputs=[output, panel.conversation, panel.controls, fmt.group], **quick)
    fmt.response_format.change(schema_visibility, inputs=fmt.response_format, outputs=fmt.json_schema, **quick)

    def availability(model_name: str, provider: str, session: str | None, oauth_token: gr.OAuthToken | None = None) -> list[Any]:
        token = pick_token(session, oauth_token.token if oauth_token else None, ctx.settings)
        return format_availability(ctx.facts, model_name, provider, token)

    availability_inputs = [model_panel.model, model_panel.provider, session_token]
    for control in (model_panel.model, model_panel.provider):
        control.change(availability, inputs=availability_inputs, outputs=[fmt.response_format, fmt.note], **quick)


def _token(ctx: RunContext, values: dict[str, Any], oauth_token: gr.OAuthToken | None) -> str | None:
    session = values.get("session_token")
    return pick_token(session if isinstance(session, str) else None, oauth_token.token if oauth_token else None, ctx.settings)


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


def format_availability(lookup: FactsLookup | None, model: str, provider: str, token: str | None) -> list[Any]:
    """[Response format, note]: offered where the model can follow it, otherwise the reason why not."""
    from playground.chat.facts import model_facts

    note = structured_output_note(model or "", model_facts(model or "", provider or "auto", token, lookup))
    if note is None:
        return [gr.update(interactive=True), gr.update(value="", visible=False)]
    return [gr.update(value=ResponseFormat.TEXT.value, interactive=False), gr.update(value=note, visible=True)]


def is_chat(mode: Any) -> bool:
    return mode == Mode.CHAT.value
