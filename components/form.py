"""The form: every control that makes up a request, in one order, and how to fill it from a request.

Presets, history, share links and "View code" all read or write the controls through this one
place, in the order of `playground.form.FormValues`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.model_panel import ModelPanel
from components.parameters_panel import ParametersPanel
from playground.params import GenerationParams
from playground.request import GenerationRequest


@dataclass(frozen=True)
class Form:
    model: ModelPanel
    params: ParametersPanel
    prompt: gr.Textbox

    def inputs(self) -> list[gr.components.Component]:
        m = self.model
        return [m.model, m.provider, m.mode, m.system_prompt, self.prompt, *self.params.inputs()]

    def parameter_outputs(self) -> list[gr.components.Component]:
        return self.params.inputs()


def request_values(request: GenerationRequest) -> list[Any]:
    """Values for `Form.inputs()` that reproduce `request` exactly (its seed included)."""
    return [request.model, request.provider, request.mode.value, gr.update(value=request.system_prompt),
            request.prompt, *parameter_values(request.params, random_seed=False)]


def parameter_values(params: GenerationParams, random_seed: bool) -> list[Any]:
    """Values for `Form.parameter_outputs()`."""
    seed = params.seed if params.seed is not None else 0
    return [params.temperature, params.max_new_tokens, seed, random_seed or params.seed is None,
            params.top_p, params.top_k, params.repetition_penalty, "\n".join(params.stop)]
