"""The "Model", "Provider", "Mode" and "System prompt" controls."""

from __future__ import annotations

from dataclasses import dataclass, fields

import gradio as gr

from components.context import RunContext, suggested_mode, visitor_token
from components.page import Page
from playground.input.request import DEFAULT_PROVIDER, PROVIDER_CHOICES, Mode
from playground.local import LOCAL_MODEL_NAME


@dataclass(frozen=True)
class ModelPanel:
    model: gr.Dropdown
    provider: gr.Dropdown
    mode: gr.Radio
    system_prompt: gr.Textbox

    def controls(self) -> dict[str, gr.components.Component]:
        """Keyed by FormValues field name (the attribute names match)."""
        return {name: getattr(self, name) for name in (item.name for item in fields(self))}


def build(choices: list[tuple[str, str]], default_model: str,
                      beside_model: gr.components.Component | None = None) -> ModelPanel:
    """`choices` are (label, value) pairs; any typed Hub ID or endpoint URL is accepted too.
    `beside_model`, an unrendered component ("Search models"), is placed right after "Model"."""
    default_mode = Mode.CHAT if default_model == LOCAL_MODEL_NAME else Mode.COMPLETION
    with gr.Row():
        model = gr.Dropdown(
            choices=choices, value=default_model, label="Model", allow_custom_value=True, scale=3,
            info="A suggested model, any Hub ID (org/name), or an endpoint URL (TGI, Inference Endpoint, OpenAI-compatible).",
        )
        if beside_model is not None:
            beside_model.render()
        provider = gr.Dropdown(choices=list(PROVIDER_CHOICES), value=DEFAULT_PROVIDER, label="Provider", scale=1)
        mode = gr.Radio(choices=[m.value for m in Mode], value=default_mode.value, label="Mode", scale=1,
                        info="Picked from the model's provider mapping when the Hub knows it.")
    system_prompt = gr.Textbox(label="System prompt", lines=2, visible=default_mode is Mode.CHAT,
                               placeholder="You are a helpful assistant.")
    return ModelPanel(model, provider, mode, system_prompt)


def wire(ctx: RunContext, page: Page) -> None:
    """"Model" suggests its mode (the `/suggested_mode` API); Chat mode shows "System prompt"."""
    panel = page.model

    def suggested(model: str, session: str | None, current: str, oauth_token: gr.OAuthToken | None = None) -> str:
        return suggested_mode(model, visitor_token(ctx, session, oauth_token), current)

    panel.model.change(suggested, inputs=[panel.model, page.auth.session_token, panel.mode], outputs=panel.mode,
                       queue=False, api_name="suggested_mode", api_visibility="undocumented")
    panel.mode.change(system_prompt_visibility, inputs=panel.mode, outputs=panel.system_prompt, queue=False,
                      api_visibility="undocumented")


def system_prompt_visibility(mode: str) -> dict:
    return gr.update(visible=mode == Mode.CHAT.value)
