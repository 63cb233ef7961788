"""Chat mode's panel: the "Conversation", "Regenerate", "New chat", editing and versions, "Drop oldest turns".

What it shows is drawn by components/chat_view.py; what its buttons run is in components/chat_events.py.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from components.chat_events import chat_outputs, drop_oldest, make_edit, make_regenerate, new_chat, next_version, previous_version
from components.chat_view import ChatPanel
from components.context import RunContext
from components.page import Page
from playground.chat.conversation import Conversation
from playground.input.request import Mode


def build(mode: gr.Radio) -> ChatPanel:
    """The conversation area, shown in Chat mode in place of the Output (the page may open in
    either). Built above the Prompt: as in every chat, the input sits under the conversation."""
    chat = mode.value == Mode.CHAT.value
    # Its height follows the window, so the Prompt and Generate under it stay on the first screen.
    conversation = gr.Chatbot(label="Conversation", visible=chat, editable="all", elem_id="pg-conversation",
                              height=CONVERSATION_HEIGHT, buttons=["copy"], autoscroll=True,
                              placeholder="Type a message in Prompt and press Enter.")
    with gr.Row(visible=chat, elem_id="pg-chat-controls") as controls:
        regenerate = gr.Button("Regenerate", size="sm")
        new_chat = gr.Button("New chat", size="sm")
    with gr.Row(visible=False, elem_id="pg-versions") as versions_row:
        edited_turn = gr.Dropdown(label="Edited turn", choices=[], scale=3, elem_id="pg-edited-turn")
        previous_version = gr.Button("Previous version", size="sm", scale=1)
        next_version = gr.Button("Next version", size="sm", scale=1)
    with gr.Row(visible=False, elem_id="pg-fit") as fit_row:
        fit_notice = gr.Markdown(elem_id="pg-fit-notice")
        drop_oldest = gr.Button("Drop oldest turns", size="sm", variant="primary", scale=0)
    verdict = gr.HTML(visible=False, elem_id="pg-verdict")
    return ChatPanel(conversation, gr.State(Conversation()), regenerate, new_chat, controls, versions_row, edited_turn,
                     previous_version, next_version, fit_row, fit_notice, drop_oldest, gr.State(0), verdict)


def wire(ctx: RunContext, page: Page) -> None:
    """Wires the chat panel's own events; the streaming ones join `ctx.streams`, for Stop."""
    out, panel, model = chat_outputs(page), page.chat, page.model
    inputs = {**page.form.by_name(), **page.auth.inputs(), "chat_state": panel.state}
    hidden = {"api_visibility": "undocumented"}
    # Regenerated and edited turns are runs like any other: History records them too.
    ctx.for_history(ctx.streaming(panel.regenerate.click(make_regenerate(ctx, out), inputs_kwargs=inputs, outputs=out.all(), **hidden)))
    ctx.for_history(ctx.streaming(panel.conversation.edit(make_edit(ctx, out), inputs_kwargs=inputs, outputs=out.all(), **hidden)))
    shown = [panel.conversation, panel.state, panel.versions_row, panel.edited_turn, panel.verdict, panel.fit_row]
    quick = {"queue": False, **hidden}
    panel.new_chat.click(start_over, inputs=[panel.state, model.system_prompt], outputs=[*shown, page.run.stats], **quick)
    # The Chatbot's own trash button: the same as New chat, so what is shown and what is sent agree.
    panel.conversation.clear(start_over, inputs=[panel.state, model.system_prompt], outputs=[*shown, page.run.stats], **quick)
    panel.previous_version.click(previous_version, inputs=[panel.state, panel.edited_turn], outputs=shown, **quick)
    panel.next_version.click(next_version, inputs=[panel.state, panel.edited_turn], outputs=shown, **quick)
    panel.drop_oldest.click(drop_oldest, inputs=[panel.state, panel.drop_count], outputs=[*shown, out.status], **quick)
    mode_outputs = [page.run.output, panel.conversation, panel.controls, page.response_format.fold]
    model.mode.change(mode_visibility, inputs=model.mode, outputs=mode_outputs, **quick)


def start_over(state: Any, system_prompt: str | None) -> list[Any]:
    """New chat, and the last run's stats line goes with the conversation it described."""
    return [*new_chat(state, system_prompt), ""]


CONVERSATION_HEIGHT = "max(140px, calc(100vh - 660px))"


def mode_visibility(mode: str) -> list[dict]:
    """[Output, Conversation, chat controls, the folded system prompt and format]: Chat shows the
    conversation, Completion the Output."""
    chat = mode == Mode.CHAT.value
    return [gr.update(visible=not chat), gr.update(visible=chat), gr.update(visible=chat), gr.update(visible=chat)]
