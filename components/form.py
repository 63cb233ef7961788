"""The form: every control that makes up a request, keyed by its `FormValues` field name.

`playground.input.form_values.FormValues` declares the fields and their order once. Everything here is
derived from it: the inputs of every event that reads the form (`by_name()`, passed as Gradio's
`inputs_kwargs`, so each handler receives the values by field name and the `/generate` API's
parameters carry those names), and the outputs of every handler that fills the form (`updates()`
turns a `{field name: value}` mapping into Gradio's `{component: value}` return).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.format_panel import FormatPanel
from components.model_panel import ModelPanel
from components.parameters_panel import ParametersPanel
from playground.input.form_values import FORM_FIELDS, PARAMETER_FIELDS, FormValues

Component = gr.components.Component


@dataclass(frozen=True)
class Form:
    controls: dict[str, Component]  # in FORM_FIELDS order

    @classmethod
    def build(cls, model: ModelPanel, params: ParametersPanel, prompt: gr.Textbox, response_format: FormatPanel) -> Form:
        """Raises ValueError when a FormValues field has no control (or a control no field)."""
        controls = {**model.controls(), **response_format.controls(), "prompt": prompt, **params.controls()}
        if set(controls) != set(FORM_FIELDS):
            raise ValueError(f"form controls {sorted(controls)} do not match FormValues {sorted(FORM_FIELDS)}")
        return cls({name: controls[name] for name in FORM_FIELDS})


    def __getitem__(self, name: str) -> Component:
        return self.controls[name]

    def inputs(self) -> list[Component]:
        """Every control, in FormValues order: an event's `outputs` when it may fill the whole form."""
        return list(self.controls.values())

    def by_name(self, names: tuple[str, ...] = FORM_FIELDS) -> dict[str, Component]:
        """`inputs_kwargs` for a handler that reads these fields as keyword arguments."""
        return {name: self.controls[name] for name in names}

    def parameter_inputs(self) -> list[Component]:
        return [self.controls[name] for name in PARAMETER_FIELDS]

    def updates(self, values: Mapping[str, Any]) -> dict[Component, Any]:
        """`{field name: value}` as a handler's `{component: value}` result; fields left out stay as they are."""
        return {self.controls[name]: value for name, value in values.items()}


def read_form(values: Mapping[str, Any]) -> FormValues:
    """A handler's keyword arguments (some or all form fields) as FormValues; other keys are ignored."""
    return FormValues(**{name: values[name] for name in FORM_FIELDS if name in values})
