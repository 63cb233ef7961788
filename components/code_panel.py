"""Share link and "View code": the exact request, as a URL to the playground and as code.

Neither ever holds a token: links carry settings, the conversation and the prompt only, snippets
read $HF_TOKEN.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import gradio as gr

from components.chat_panel import ChatPanel, restore_outputs, restored_conversation
from components.chat_run import conversation_request
from components.context import RunContext
from components.form import Form, read_form
from components.messages import error_text, info_html
from playground import errors as e
from playground.chat.conversation import Conversation
from playground.hf.tokens import is_hugging_face_url
from playground.input.form_values import FormValues, form_values, request_from_form
from playground.input.model_ref import is_endpoint_url
from playground.input.request import GenerationRequest, Mode
from playground.saved.share import SharedState, parse_share_query, parse_share_url, share_query
from playground.saved.snippets import curl_snippet, javascript_snippet, python_snippet


@dataclass(frozen=True)
class CodePanel:
    share_link: gr.Textbox
    python: gr.Code
    curl: gr.Code
    javascript: gr.Code
    show: gr.Button

    def outputs(self) -> list[gr.components.Component]:
        return [self.share_link, self.python, self.curl, self.javascript]

    def updates(self, code: list[str]) -> dict[gr.components.Component, str]:
        """`code_for_request`'s [link, Python, cURL, JavaScript] as a handler's result."""
        return dict(zip(self.outputs(), code, strict=True))


def build_code_panel() -> CodePanel:
    with gr.Accordion("Share and View code", open=False):
        share_link = gr.Textbox(label="Share link", interactive=False, buttons=["copy"], elem_id="pg-share-link",
                                info="Opens the playground with these settings and prompt. Holds no token.")
        show = gr.Button("View code", size="sm")
        with gr.Tab("Python"):
            python = gr.Code(language="python", label="Python (huggingface_hub)", elem_id="pg-code-python")
        with gr.Tab("cURL"):
            curl = gr.Code(language="shell", label="cURL", elem_id="pg-code-curl")
        with gr.Tab("JavaScript"):
            javascript = gr.Code(language="javascript", label="JavaScript (@huggingface/inference)", elem_id="pg-code-js")
    return CodePanel(share_link, python, curl, javascript, show)


def wire_code_panel(ctx: RunContext, panel: CodePanel, form: Form, chat_state: gr.State) -> None:
    # `request` is a positional parameter: Gradio fills only those (a keyword-only one was never
    # passed, so View code failed with "missing 'request'"). The form's fields come by name.
    def view_code(request: gr.Request, **values: Any) -> dict[Any, str]:
        try:
            return panel.updates(code_for_form(ctx, read_form(values), page_url(request), values.get("chat_state")))
        except e.PlaygroundError as error:
            gr.Warning(error_text(error))
            return gr.skip()  # the snippets on screen stay as they were

    # As for Generate (see generation.wire_generation): the `/view_code` API, on a hidden trigger,
    # takes the documented form fields only; the page's button also reads the conversation.
    api = gr.Button(visible=False, elem_id="pg-view-code-api")
    api.click(view_code, inputs_kwargs=form.by_name(), outputs=panel.outputs(), api_name="view_code")
    inputs = {**form.by_name(), "chat_state": chat_state}
    panel.show.click(view_code, inputs_kwargs=inputs, outputs=panel.outputs(), api_visibility="undocumented")


def code_for_form(ctx: RunContext, form: FormValues, page_url: str, conversation: Any = None) -> list[str]:
    """In Chat mode the request carries the conversation: with the typed message, the one Generate
    would send; with none typed, the last one sent. Raises InvalidModelError or InvalidParametersError."""
    request = chat_code_request(form, conversation) if form.mode == Mode.CHAT.value else request_from_form(form)
    if form.random_seed is True:  # no seed is sent, rather than one the next run will not use
        request = request.model_copy(update={"params": request.params.model_copy(update={"seed": None})})
    return code_for_request(ctx, request, page_url)


def chat_code_request(form: FormValues, conversation: Any) -> GenerationRequest:
    chat = conversation if isinstance(conversation, Conversation) else Conversation()
    chat = chat.with_system_prompt(form.system_prompt or "")
    typed = form.prompt if isinstance(form.prompt, str) else ""
    asked = chat.ask(typed) if typed.strip() or not chat.turns else chat.regenerate()
    settings = request_from_form(replace(form, prompt=asked.last_user_message))
    return conversation_request(settings, asked)


def code_for_request(ctx: RunContext, request: GenerationRequest, page_url: str) -> list[str]:
    """[share link, Python, cURL, JavaScript] for exactly this request."""
    local_url = ctx.backend.resolve_url(request.model)
    # model_copy, not a validated copy: the local model's loopback URL is what the snippet must call.
    called = request.model_copy(update={"model": local_url}) if local_url else request
    router = ctx.settings.router_url
    link = f"{page_url}?{share_query(request)}"
    return [link, python_snippet(called, router), curl_snippet(called, router), javascript_snippet(called)]


def page_url(request: gr.Request | None) -> str:
    """The page's own address (without query), as the browser sees it."""
    if request is None:
        return ""
    referer = request.headers.get("referer", "")
    return referer.split("?", 1)[0] if referer else ""


def wire_share_link(demo: gr.Blocks, ctx: RunContext, form: Form, status: gr.HTML, chat: ChatPanel) -> None:
    """Opening the page with a share link's query fills the form (and Chat mode's conversation) from it."""

    def open_link(request: gr.Request) -> dict[Any, Any]:
        shared = shared_state(request)
        if shared.is_empty:  # a plain visit: nothing changes
            return gr.skip()
        base = GenerationRequest(model=ctx.settings.default_model, prompt="")
        ignored = " Ignored: " + "; ".join(shared.problems) if shared.problems else ""
        request = shared.apply_to(base)
        notice = gr.update(value=info_html("Opened from a share link." + ignored + foreign_host_note(ctx, request.model)), visible=True)
        return {**form.updates(form_values(request)), status: notice, **restored_conversation(chat, request)}

    outputs = [*form.inputs(), status, *restore_outputs(chat)]
    demo.load(open_link, inputs=None, outputs=outputs, queue=False, api_visibility="undocumented")


def foreign_host_note(ctx: RunContext, model: str) -> str:
    """A link may name any host: say which one, and that no Hugging Face token goes there."""
    if not is_endpoint_url(model) or is_hugging_face_url(model, ctx.settings):
        return ""
    host = urlsplit(model).hostname or model
    return (f" This link points at {host}. Nothing is sent until you press Generate, "
            "and your Hugging Face token is never sent there.")


def shared_state(request: gr.Request) -> SharedState:
    """What the page's share-link query asks for."""
    shared = parse_share_query(request.query_params)
    if shared.is_empty:
        # The load event's own URL may not carry the page's query; the page's address is its referer.
        shared = parse_share_url(request.headers.get("referer", ""))
    return shared
