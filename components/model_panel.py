"""The "Model", "Provider", "Mode" and "System prompt" controls."""

from __future__ import annotations

from dataclasses import dataclass, fields

import gradio as gr

from playground.catalog.policy import split_policy
from playground.config import Settings
from playground.errors import InvalidModelError
from playground.hf.hub import suggest_mode
from playground.hf.tokens import pick_token
from playground.input.model_ref import check_model_syntax
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


def build_model_panel(choices: list[tuple[str, str]], default_model: str,
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


def wire_model_panel(panel: ModelPanel, session_token: gr.Textbox, settings: Settings) -> None:
    def suggested(model: str, session: str | None, current: str, oauth_token: gr.OAuthToken | None = None) -> str:
        token = pick_token(session, oauth_token.token if oauth_token else None, settings)
        return suggested_mode(model, token, current)

    panel.model.change(suggested, inputs=[panel.model, session_token, panel.mode], outputs=panel.mode,
                       queue=False, api_name="suggested_mode", api_visibility="undocumented")
    panel.mode.change(system_prompt_visibility, inputs=panel.mode, outputs=panel.system_prompt, queue=False,
                      api_visibility="undocumented")


def suggested_mode(model: str, token: str | None, current_mode: str) -> str:
    """The mode the Hub suggests for `model`, or the current one when it can't tell. Never raises:
    an error here would turn the Mode control into an error badge while the visitor is still typing."""
    if not isinstance(model, str):
        return current_mode
    try:
        model_id = check_model_syntax(model)
    except InvalidModelError:
        return current_mode
    if model_id == LOCAL_MODEL_NAME:  # an instruct model: its completions of bare prompts are poor
        return Mode.CHAT.value
    if split_policy(model_id)[1]:  # the router's policies work on the chat route only
        return Mode.CHAT.value
    mode = suggest_mode(model_id, token)
    return mode.value if mode else current_mode


def system_prompt_visibility(mode: str) -> dict:
    return gr.update(visible=mode == Mode.CHAT.value)
