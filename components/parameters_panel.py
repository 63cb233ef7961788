"""Generation-parameter controls, one per `GenerationParams` field, built from its declaration in
`playground.input.params`: its kind of control, bounds, default, label, help text and place (the
main column or "Advanced"), in declaration order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.context import RunContext
from playground.input.form_values import PARAMETER_FIELDS
from playground.input.params import PARAMS, Control, Param, field_bounds, field_default, field_help, field_label, lowest_is_excluded
from playground.input.request import Mode

Component = gr.components.Component

# Parameters the chat API has no field for (no `chat` name) are not sent in Chat mode, so their
# controls are disabled and say why, instead of being silently ignored.
CHAT_UNSENT: tuple[str, ...] = tuple(name for name, param in PARAMS.items() if not param.in_chat)
CHAT_UNSENT_INFO = "Not sent in Chat mode: the chat API has no such parameter. Switch to Completion to use it."


@dataclass(frozen=True)
class ParametersPanel:
    by_field: dict[str, Component]  # keyed by FormValues field name, in PARAMETER_FIELDS order

    def controls(self) -> dict[str, Component]:
        """Keyed by FormValues field name."""
        return dict(self.by_field)

    def __getitem__(self, name: str) -> Component:
        return self.by_field[name]


def build() -> ParametersPanel:
    """The main controls, then the "Advanced" accordion, each in declaration order."""
    controls: dict[str, Component] = {}
    for name, param in PARAMS.items():
        if not param.advanced:
            controls.update(_control(name, param))
    with gr.Accordion("Advanced", open=False):
        for name, param in PARAMS.items():
            if param.advanced:
                controls.update(_control(name, param))
    return ParametersPanel({name: controls[name] for name in PARAMETER_FIELDS})


def wire(ctx: RunContext, page: Any) -> None:
    """Reads `page.params` (this panel) and `page.model.mode`."""
    wire_controls(page.params, page.model.mode)


def wire_controls(panel: ParametersPanel, mode: gr.Radio) -> None:
    for name, param in PARAMS.items():
        if param.random_box:
            # Typing a value means "use this value": otherwise a presenter who sets a seed would silently get a random one.
            panel[name].input(fixed_seed, inputs=None, outputs=panel[param.random_box.field], queue=False, api_visibility="undocumented")
    mode.change(chat_unsent_controls, inputs=mode, outputs=[panel[name] for name in CHAT_UNSENT], queue=False,
                api_visibility="undocumented")


def chat_unsent_controls(mode: str) -> list[dict]:
    """The controls in `CHAT_UNSENT`: disabled, with the reason, in Chat mode; as declared otherwise."""
    chat = mode == Mode.CHAT.value
    return [gr.update(interactive=not chat, info=CHAT_UNSENT_INFO if chat else field_help(name)) for name in CHAT_UNSENT]


def fixed_seed() -> bool:
    return False


def _control(name: str, param: Param) -> dict[str, Component]:
    """The control of one parameter (and its random box), keyed by form field."""
    if param.control is Control.SLIDER:
        return {name: _slider(name, param.step)}
    if param.control is Control.TEXTBOX:
        return {name: gr.Textbox(label=field_label(name), info=field_help(name) + " One per line.", lines=2)}
    if param.control is Control.CHECKBOX:
        return {name: gr.Checkbox(value=field_default(name), label=field_label(name), info=field_help(name))}
    if param.random_box is None:
        return {name: _number(name)}
    with gr.Row():
        number = _number(name, scale=2)
        box = gr.Checkbox(value=field_default(name) is None, label=param.random_box.label, info=param.random_box.info, scale=1)
    return {name: number, param.random_box.field: box}


def _slider(name: str, step: float) -> gr.Slider:
    low, high = field_bounds(name)
    # A lowest bound that is itself refused (Top-p's 0): the slider starts one step above it.
    low = low + step if lowest_is_excluded(name) and low is not None else low
    return gr.Slider(minimum=low, maximum=high, value=field_default(name), step=step, label=field_label(name), info=field_help(name))


def _number(name: str, scale: int | None = None) -> gr.Number:
    """A whole number; one whose default is None (random) shows its lowest value."""
    low, high = field_bounds(name)
    value = field_default(name) if field_default(name) is not None else low
    return gr.Number(value=value, precision=0, minimum=low, maximum=high, label=field_label(name), info=field_help(name),
                     interactive=True, scale=scale)
