"""Generation-parameter controls, built from the one declaration in `playground.input.params`."""

from __future__ import annotations

from dataclasses import dataclass, fields

import gradio as gr

from playground.input.params import field_bounds, field_default, field_help, field_label
from playground.input.request import Mode

# The chat API has no field for these (see playground.input.request.chat_parameters): in Chat mode they
# are not sent, so their sliders are disabled and say why, instead of being silently ignored.
CHAT_UNSENT = ("top_k", "repetition_penalty")
CHAT_UNSENT_INFO = "Not sent in Chat mode: the chat API has no such parameter. Switch to Completion to use it."


@dataclass(frozen=True)
class ParametersPanel:
    temperature: gr.Slider
    max_new_tokens: gr.Slider
    seed: gr.Number
    random_seed: gr.Checkbox
    top_p: gr.Slider
    top_k: gr.Slider
    repetition_penalty: gr.Slider
    stop: gr.Textbox

    def controls(self) -> dict[str, gr.components.Component]:
        """Keyed by FormValues field name (the attribute names match)."""
        return {item.name: getattr(self, item.name) for item in fields(self)}


def _slider(name: str, step: float) -> gr.Slider:
    low, high = field_bounds(name)
    # Top-p's lower bound is exclusive: the slider starts one step above it.
    low = step if name == "top_p" else low
    return gr.Slider(minimum=low, maximum=high, value=field_default(name), step=step, label=field_label(name), info=field_help(name))


def build_parameters_panel() -> ParametersPanel:
    temperature = _slider("temperature", 0.05)
    max_new_tokens = _slider("max_new_tokens", 1)
    with gr.Row():
        seed = gr.Number(value=0, precision=0, minimum=0, maximum=field_bounds("seed")[1], label=field_label("seed"),
                         info=field_help("seed"), interactive=True, scale=2)
        random_seed = gr.Checkbox(value=True, label="Random seed", info="The seed used is shown after the run.", scale=1)
    with gr.Accordion("Advanced", open=False):
        top_p = _slider("top_p", 0.01)
        top_k = _slider("top_k", 1)
        repetition_penalty = _slider("repetition_penalty", 0.01)
        stop = gr.Textbox(label=field_label("stop"), info=field_help("stop") + " One per line.", lines=2)
    return ParametersPanel(temperature, max_new_tokens, seed, random_seed, top_p, top_k, repetition_penalty, stop)


def wire_parameters_panel(panel: ParametersPanel, mode: gr.Radio) -> None:
    # Typing a seed means "use this seed": otherwise a presenter who sets one would silently get a random one.
    panel.seed.input(fixed_seed, inputs=None, outputs=panel.random_seed, queue=False, api_visibility="undocumented")
    mode.change(chat_unsent_controls, inputs=mode, outputs=[panel.top_k, panel.repetition_penalty], queue=False,
                api_visibility="undocumented")


def chat_unsent_controls(mode: str) -> list[dict]:
    """Top-k and Repetition penalty: disabled, with the reason, in Chat mode; as declared otherwise."""
    chat = mode == Mode.CHAT.value
    return [gr.update(interactive=not chat, info=CHAT_UNSENT_INFO if chat else field_help(name)) for name in CHAT_UNSENT]


def fixed_seed() -> bool:
    return False
