"""The "Model", "Served model", "Provider", "Mode" and "System prompt" controls.

For an endpoint URL, the server is asked what it speaks (`Backend.server_info`): the protocol is
shown beside "Model" ("OpenAI-compatible server, 1 model"), and an OpenAI-compatible server's
models fill "Served model", the first one picked. The built-in model's note says where it runs and
the configuration its first load chose (threads, OpenMP wait, speeds). Anything else hides both.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from components.context import RunContext, Update, endpoint_info, suggested_mode, visitor_token
from components.page import Page
from playground.endpoint.discovery import Protocol, ServerInfo
from playground.input.request import DEFAULT_PROVIDER, PROVIDER_CHOICES, Mode
from playground.local import LOCAL_MODEL_NAME
from playground.local.resolve import local_model_note

FORM_CONTROLS = ("model", "served_model", "provider", "mode", "system_prompt")


@dataclass(frozen=True)
class ModelPanel:
    model: gr.Dropdown
    served_model: gr.Dropdown
    server_note: gr.Markdown  # what the endpoint URL speaks; not part of the form
    provider: gr.Dropdown
    mode: gr.Radio
    system_prompt: gr.Textbox

    def controls(self) -> dict[str, gr.components.Component]:
        """The form's controls, keyed by FormValues field name (the attribute names match)."""
        return {name: getattr(self, name) for name in FORM_CONTROLS}


def build(choices: list[tuple[str, str]], default_model: str,
                      beside_model: gr.components.Component | None = None) -> ModelPanel:
    """`choices` are (label, value) pairs; any typed Hub ID or endpoint URL is accepted too.
    `beside_model`, an unrendered component ("Search models"), is placed right after "Model"."""
    default_mode = Mode.CHAT if default_model == LOCAL_MODEL_NAME else Mode.COMPLETION
    with gr.Row():
        model = gr.Dropdown(
            choices=choices, value=default_model, label="Model", allow_custom_value=True, scale=3, min_width=300,
            info="A suggested model, any Hub ID (org/name), or an endpoint URL (TGI, Inference Endpoint, OpenAI-compatible). "
                 "Mode follows the model's provider mapping when the Hub knows it.",
        )
        if beside_model is not None:
            beside_model.render()
        # Provider and Mode share one narrow column, so the model's name and the search hint are whole at 1280 px.
        with gr.Column(scale=1, min_width=150, elem_id="pg-provider-mode"):
            provider = gr.Dropdown(choices=list(PROVIDER_CHOICES), value=DEFAULT_PROVIDER, label="Provider")
            mode = gr.Radio(choices=[m.value for m in Mode], value=default_mode.value, label="Mode")
    with gr.Row():
        # allow_custom_value: a link or history entry may name a model the server no longer lists.
        served_model = gr.Dropdown(choices=[], value="", label="Served model", allow_custom_value=True, visible=False, scale=3,
                                   elem_id="pg-served-model",
                                   info="The model this endpoint serves, sent as the request's `model`.")
        server_note = gr.Markdown(visible=False, elem_id="pg-server-note")
    system_prompt = gr.Textbox(label="System prompt", lines=2, visible=default_mode is Mode.CHAT,
                               placeholder="You are a helpful assistant.")
    return ModelPanel(model, served_model, server_note, provider, mode, system_prompt)


def wire(ctx: RunContext, page: Page) -> None:
    """"Model" suggests its mode (the `/suggested_mode` API); Chat mode shows "System prompt"."""
    panel = page.model

    def suggested(model: str, session: str | None, current: str, oauth_token: gr.OAuthToken | None = None) -> str:
        return suggested_mode(model, visitor_token(ctx, session, oauth_token), current)

    panel.model.change(suggested, inputs=[panel.model, page.auth.session_token, panel.mode], outputs=panel.mode,
                       queue=False, api_name="suggested_mode", api_visibility="undocumented")

    def served(model: str, current: str, session: str | None, endpoint: str | None, ran: list[str] | None,
               oauth_token: gr.OAuthToken | None = None) -> Update:
        if model == LOCAL_MODEL_NAME:  # where it runs, and the configuration its calibration chose
            return {panel.served_model: gr.update(choices=[], value="", visible=False),
                    panel.server_note: gr.update(value=local_model_note(ctx.backend.resolve_url), visible=True)}
        values = {"session_token": session, "endpoint_token": endpoint}
        return served_models_update(panel, endpoint_info(ctx, model, values, ran, oauth_token), current)

    auth = page.auth
    inputs = [panel.model, panel.served_model, auth.session_token, auth.endpoint_token, auth.ran_endpoints]
    # Asked again once a run has recorded the URL: the Endpoint token may now go with the lookup.
    # And after each run (its stats line; not finished_run.change, which Gradio would deep-hash at
    # every streamed update): the built-in model's note then shows what its first load measured.
    for trigger in (panel.model.change, auth.ran_endpoints.change, page.run.stats.change):
        trigger(served, inputs=inputs, outputs=[panel.served_model, panel.server_note], show_progress="hidden",
                api_visibility="undocumented")
    panel.mode.change(system_prompt_visibility, inputs=panel.mode, outputs=panel.system_prompt, queue=False,
                      api_visibility="undocumented")


def system_prompt_visibility(mode: str) -> dict:
    return gr.update(visible=mode == Mode.CHAT.value)


def served_models_update(panel: ModelPanel, info: ServerInfo | None, current: object) -> Update:
    """"Served model" filled from an OpenAI-compatible server's list (keeping `current` when it is
    listed, else the first), or hidden; the protocol note beside "Model"."""
    note = gr.update(value=info.summary(), visible=True) if info is not None else gr.update(value="", visible=False)
    if info is None or info.protocol is not Protocol.OPENAI or not info.models:
        return {panel.served_model: gr.update(choices=[], value="", visible=False), panel.server_note: note}
    value = current if current in info.models else info.models[0]
    return {panel.served_model: gr.update(choices=list(info.models), value=value, visible=True), panel.server_note: note}
