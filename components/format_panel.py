""""Response format" (Chat mode only) and its schema editor: offered where the model can follow
it (the router's facts), otherwise disabled with the reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.context import RunContext, visitor_token
from components.page import Page
from playground.chat.facts import FactsLookup, model_facts, structured_output_note
from playground.input.request import Mode
from playground.input.response_format import EXAMPLE_SCHEMA_TEXT, ResponseFormat


@dataclass(frozen=True)
class FormatPanel:
    fold: gr.Accordion  # Chat mode only: the system prompt and the response format, collapsed, its label a summary
    group: gr.Group
    response_format: gr.Radio
    json_schema: gr.Code
    note: gr.Markdown

    def controls(self) -> dict[str, gr.components.Component]:
        """Keyed by FormValues field name."""
        return {"response_format": self.response_format, "json_schema": self.json_schema}


def build(mode: gr.Radio, system_prompt: gr.Textbox | None = None) -> FormatPanel:
    """ "Response format" (Chat mode only) and its schema editor, seeded with an example, folded
    away with `system_prompt` (moved here from where it was built) so the chat's first screen
    keeps the conversation and the Prompt."""
    chat = mode.value == Mode.CHAT.value
    with gr.Accordion(fold_label("", ResponseFormat.TEXT.value), open=False, visible=chat, elem_id="pg-chat-setup") as fold:
        if system_prompt is not None:
            system_prompt.unrender()
            system_prompt.render()
        with gr.Group() as group:
            response_format = gr.Radio(choices=[f.value for f in ResponseFormat], value=ResponseFormat.TEXT.value,
                                       label="Response format", elem_id="pg-response-format",
                                       info="JSON or a JSON schema the answer must follow; the answer is checked against it.")
            json_schema = gr.Code(value=EXAMPLE_SCHEMA_TEXT, language="json", label="Schema", visible=False, interactive=True,
                                  elem_id="pg-schema")
            note = gr.Markdown(visible=False, elem_id="pg-format-note")
    return FormatPanel(fold, group, response_format, json_schema, note)


SUMMARY_CHARS = 40


def fold_label(system_prompt: str, response_format: str) -> str:
    """The fold's one-line summary, e.g. 'System prompt: "You are terse." · Response format: Text'."""
    text = " ".join((system_prompt or "").split())
    shown = f'"{text[:SUMMARY_CHARS]}…"' if len(text) > SUMMARY_CHARS else f'"{text}"' if text else "none"
    return f"System prompt: {shown} · Response format: {response_format}"


def wire(ctx: RunContext, page: Page) -> None:
    """The schema editor shows for "JSON schema"; "Model" and "Provider" decide whether a format is offered."""
    panel, model = page.response_format, page.model
    quick = {"queue": False, "api_visibility": "undocumented"}
    panel.response_format.change(schema_visibility, inputs=panel.response_format, outputs=panel.json_schema, **quick)
    for control in (model.system_prompt, panel.response_format):
        control.change(fold_update, inputs=[model.system_prompt, panel.response_format], outputs=panel.fold, **quick)

    def availability(model_name: str, provider: str, session: str | None, oauth_token: gr.OAuthToken | None = None) -> list[Any]:
        return format_availability(ctx.facts, model_name, provider, visitor_token(ctx, session, oauth_token))

    availability_inputs = [model.model, model.provider, page.auth.session_token]
    for control in (model.model, model.provider):
        control.change(availability, inputs=availability_inputs, outputs=[panel.response_format, panel.note], **quick)


def fold_update(system_prompt: str, response_format: str) -> dict:
    return gr.update(label=fold_label(system_prompt, response_format))


def format_availability(lookup: FactsLookup | None, model: str, provider: str, token: str | None) -> list[Any]:
    """[Response format, note]: offered where the model can follow it, otherwise the reason why not."""
    note = structured_output_note(model or "", model_facts(model or "", provider or "auto", token, lookup))
    if note is None:
        return [gr.update(interactive=True), gr.update(value="", visible=False)]
    return [gr.update(value=ResponseFormat.TEXT.value, interactive=False), gr.update(value=note, visible=True)]


def schema_visibility(response_format: str) -> dict:
    return gr.update(visible=response_format == ResponseFormat.JSON_SCHEMA.value)
