"""Share link and "View code": the exact request, as a URL to the playground and as code
(made by components/share_code.py); and opening the page from a share link.

Neither ever holds a token: links carry settings, the conversation and the prompt only, snippets
read $HF_TOKEN ($ENDPOINT_TOKEN for another host's endpoint URL).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.chat_view import restore_outputs, restored_conversation
from components.context import RunContext, endpoint_info, page_url
from components.form import read_form
from components.messages import error_text, info_html
from components.page import Page
from components.page_open import on_link
from components.share_code import code_for_form, foreign_host_note, share_link_for_form
from playground import errors as e
from playground.input.form_values import form_values
from playground.input.request import GenerationRequest
from playground.saved.share import parse_share_query


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


def build() -> CodePanel:
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


def wire(ctx: RunContext, page: Page) -> None:
    """"View code" (and the `/view_code` API) fills the share link and the snippets from the form."""
    panel, form = page.code, page.form

    # `request` is a positional parameter: Gradio fills only those (a keyword-only one was never
    # passed, so View code failed with "missing 'request'"). The form's fields come by name.
    def view_code(request: gr.Request, oauth_token: gr.OAuthToken | None = None, **values: Any) -> dict[Any, str]:
        try:
            info = endpoint_info(ctx, values.get("model"), values, values.get("ran_endpoints"), oauth_token)
            return panel.updates(code_for_form(ctx, read_form(values), page_url(request), values.get("chat_state"), info,
                                               values.get("finished")))
        except e.PlaygroundError as error:
            gr.Warning(error_text(error))
            return gr.skip()  # the snippets on screen stay as they were

    # As for Generate (see run_panel.wire): the `/view_code` API, on a hidden trigger,
    # takes the documented form fields only; the page's button also reads the conversation.
    api = gr.Button(visible=False, elem_id="pg-view-code-api")
    api.click(view_code, inputs_kwargs=form.by_name(), outputs=panel.outputs(), api_name="view_code")
    inputs = {**form.by_name(), "chat_state": page.chat.state, **page.auth.inputs(), "ran_endpoints": page.auth.ran_endpoints,
              "finished": page.finished_run}
    panel.show.click(view_code, inputs_kwargs=inputs, outputs=panel.outputs(), api_visibility="undocumented")
    keep_share_link_current(page)


def keep_share_link_current(page: Page) -> None:
    """The share link follows the form (and the conversation) from the page's load on, so it is there
    to copy without pressing View code. Quick and quiet: no queue, no progress, the last change only."""
    form = page.form

    def share_link(request: gr.Request, **values: Any) -> str:
        return share_link_for_form(read_form(values), page_url(request), values.get("chat_state"), values.get("finished"))

    # A run's end (and a new chat) shows as a new stats line. Not the States' own .change: Gradio
    # deep-hashes a listened-to State output before and after every streamed update.
    triggers = [*(control.change for control in form.inputs()), page.run.stats.change, page.demo.load]
    inputs = {**form.by_name(), "chat_state": page.chat.state, "finished": page.finished_run}
    gr.on(triggers, share_link, inputs_kwargs=inputs, outputs=page.code.share_link, queue=False, show_progress="hidden",
          trigger_mode="always_last", api_visibility="undocumented")


def wire_share_link(ctx: RunContext, page: Page) -> None:
    """Opening the page with a share link's query fills the form (and Chat mode's conversation) from it."""
    form, status, chat = page.form, page.run.status, page.chat

    def open_link(query: dict[str, list[str]]) -> dict[Any, Any]:
        shared = parse_share_query(query)
        if shared.is_empty:  # nothing for the form (a Compare, Sweep or Arena link, a theme): nothing changes
            return gr.skip()
        base = GenerationRequest(model=ctx.settings.default_model, prompt="")
        ignored = " Ignored: " + "; ".join(shared.problems) if shared.problems else ""
        request = shared.apply_to(base)
        notice = gr.update(value=info_html("Opened from a share link." + ignored + foreign_host_note(ctx, request.model)), visible=True)
        return {**form.updates(form_values(request)), status: notice, **restored_conversation(chat, request)}

    outputs = [*form.inputs(), status, *restore_outputs(chat)]
    on_link(page, open_link, [], outputs)
