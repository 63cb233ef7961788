"""The Compare tab's panel as drawn: its components (see components/compare_panel.py for its events).

Built twice per page: drawn in the tab the first time a visitor opens it, and once hidden, never
drawn, as the inputs and outputs of the public /compare endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.compare_panes import PaneView, build_pane
from components.compare_tab import CompareFill
from components.context import STOP_IDLE
from components.form import Form
from playground import errors as e
from playground.input.form_values import PARAMETER_FIELDS
from playground.input.request import Mode
from playground.runs.compare import DEFAULT_PANES, PANE_COUNTS, PANE_KEYS, pane_count


@dataclass(frozen=True)
class ComparePanel:
    count: gr.Radio
    panes: list[PaneView]
    prompt: gr.Textbox
    system_prompt: gr.Textbox
    generate: gr.Button
    stop: gr.Button
    status: gr.HTML
    share_link: gr.Textbox
    code: gr.Code
    show_code: gr.Button
    finished: gr.State  # the history entry of the last finished run
    live: gr.State  # the cancel flag of the run in progress: this tab's Stop sets it
    every_provider: gr.Button  # fills the panes with Model A on each live provider

    def inputs(self, form: Form, tokens: dict[str, gr.Textbox]) -> dict[str, Any]:
        """`inputs_kwargs` of "Generate all": the names of the `/compare` API's inputs (`tokens`: the token fields)."""
        panes = {f"{name}_{p.key.lower()}": control for p in self.panes
                 for name, control in (("model", p.model), ("provider", p.provider), ("mode", p.mode))}
        return {"panes": self.count, **panes, "system_prompt": self.system_prompt, "prompt": self.prompt,
                **form.by_name(PARAMETER_FIELDS), **tokens}

    def run_outputs(self) -> list[Any]:
        return [self.status, self.share_link, self.code, self.finished, self.live,
                *[c for p in self.panes for c in (p.status, p.output, p.tint, p.stats)]]


def build(choices: list[tuple[str, str]], default_models: list[str], start: CompareFill | None = None, big: bool = False) -> ComparePanel:
    """`start`: what the panel starts with (as drawn from a link or history); `big`: Big text is on."""
    start = start or CompareFill()
    count_value = shown_panes(start.count)
    with gr.Row(equal_height=True):
        # interactive=True: Gradio infers it from the events a control feeds, but not for one drawn by gr.render.
        count = gr.Radio(choices=list(PANE_COUNTS), value=count_value, label="Panes", elem_id="pg-compare-panes", scale=3, interactive=True)
        every_provider = gr.Button("Every provider", size="sm", scale=1, elem_id="pg-compare-every-provider")
    panes_modes = [start.pane(key).get("mode", Mode.COMPLETION.value) for key in PANE_KEYS]
    system_prompt = gr.Textbox(start.system_prompt or "", label="System prompt", lines=2, interactive=True, elem_id="pg-compare-system",
                               visible=Mode.CHAT.value in panes_modes[:count_value], placeholder="You are a helpful assistant.")
    prompt = gr.Textbox(start.prompt or "", label="Prompt", lines=3, interactive=True, elem_id="pg-compare-prompt",
                        placeholder="The same prompt goes to every pane.")
    with gr.Row():
        generate = gr.Button("Generate all", variant="primary")
        stop = gr.Button("Stop", elem_id="pg-compare-stop", **STOP_IDLE)
    status = gr.HTML(start.status or "", padding=False, elem_id="pg-compare-status")
    with gr.Row(equal_height=False):
        panes = [build_pane(key, index, choices, default_models, start.pane(key), index < count_value, big)
                 for index, key in enumerate(PANE_KEYS)]
    with gr.Accordion("Share this comparison and View code", open=False, elem_id="pg-compare-code-box"):
        share_link = gr.Textbox(label="Share link", interactive=False, buttons=["copy"], elem_id="pg-compare-share-link",
                                info="Opens the Compare tab with these panes, settings and prompt. Holds no token.")
        show_code = gr.Button("View code", size="sm")
        code = gr.Code(language="python", label="Python (huggingface_hub)", elem_id="pg-compare-code")
    return ComparePanel(count, panes, prompt, system_prompt, generate, stop, status, share_link, code, show_code,
                        gr.State(None), gr.State(None), every_provider)


def shown_panes(count: Any) -> int:
    """The "Panes" choice, or the default for anything else (these steps are reachable through the API)."""
    try:
        return pane_count(count)
    except e.InvalidParametersError:
        return DEFAULT_PANES


def pane_visibility(count: Any) -> list[dict]:
    return [gr.update(visible=index < shown_panes(count)) for index in range(len(PANE_KEYS))]


def system_prompt_visibility(count: Any, *modes: Any) -> dict:
    return gr.update(visible=Mode.CHAT.value in modes[: shown_panes(count)])
