"""Presets: the shipped ones from presets/, and the visitor's own, saved in their browser.

A preset sets the parameters it names (and, if it says so, the model, mode and system prompt);
"Reset" goes back to the defaults. The visitor's presets export and import as YAML.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.form import Form, parameter_values
from playground import errors as e
from playground.form import FormValues, params_from_form, settings_from_form
from playground.params import GenerationParams
from playground.presets import (
    Preset,
    PresetLoad,
    apply_preset,
    preset_from_request,
    preset_to_dict,
    presets_from_data,
    presets_from_yaml,
    presets_to_yaml,
    slugify,
)

MINE = "mine:"  # choice values of the visitor's own presets, so they never collide with shipped names


@dataclass(frozen=True)
class PresetsPanel:
    stored: gr.BrowserState
    preset: gr.Dropdown
    examples: gr.Dropdown
    reset: gr.Button
    name: gr.Textbox
    save: gr.Button
    yaml_text: gr.Code
    export: gr.Button
    import_: gr.Button


def build_presets_panel(shipped: PresetLoad) -> PresetsPanel:
    stored = gr.BrowserState([], storage_key="inference-playground-presets")
    if shipped.problems:
        gr.Markdown("**Some preset files could not be loaded:**\n" + "\n".join(f"- `{p}`" for p in shipped.problems), elem_id="pg-preset-problems")
    with gr.Row():
        preset = gr.Dropdown(label="Preset", choices=choices(shipped.presets, []), value=None, scale=3)
        reset = gr.Button("Reset", size="sm", scale=1)
    examples = gr.Dropdown(label="Example prompts", choices=[], value=None, visible=False)
    with gr.Accordion("My presets", open=False):
        with gr.Row():
            name = gr.Textbox(label="Preset name", placeholder="My demo settings", scale=3)
            save = gr.Button("Save preset", size="sm", scale=1)
        yaml_text = gr.Code(label="My presets as YAML", language="yaml", interactive=True)
        with gr.Row():
            export = gr.Button("Export presets", size="sm")
            import_ = gr.Button("Import presets", size="sm")
    return PresetsPanel(stored, preset, examples, reset, name, save, yaml_text, export, import_)


def wire_presets_panel(panel: PresetsPanel, form: Form, shipped: list[Preset]) -> None:
    m = form.model
    apply_outputs = [*form.parameter_outputs(), m.model, m.mode, m.system_prompt, panel.examples]

    def apply(choice: str | None, stored: Any, *params: Any) -> list[Any]:
        return apply_choice(choice, shipped, stored, params)

    def save(label: str, stored: Any, *values: Any) -> list[Any]:
        return save_preset(label, stored, FormValues(*values), shipped)

    def import_yaml(text: str, stored: Any) -> list[Any]:
        return import_presets(text, stored, shipped)

    panel.preset.input(apply, inputs=[panel.preset, panel.stored, *form.parameter_outputs()], outputs=apply_outputs, queue=False)
    panel.examples.input(fill_prompt, inputs=panel.examples, outputs=form.prompt, queue=False)
    panel.reset.click(reset_parameters, inputs=None, outputs=[*form.parameter_outputs(), panel.preset], queue=False)
    # Queued (unlike the instant updates above): toasts (gr.Info/gr.Warning) reach the page only through the queue.
    panel.save.click(save, inputs=[panel.name, panel.stored, *form.inputs()], outputs=[panel.stored, panel.preset])
    panel.export.click(export_presets, inputs=panel.stored, outputs=panel.yaml_text, queue=False)
    panel.import_.click(import_yaml, inputs=[panel.yaml_text, panel.stored], outputs=[panel.stored, panel.preset])


def choices(shipped: list[Preset], mine: list[Preset]) -> list[tuple[str, str]]:
    return [(p.label, p.name) for p in shipped] + [(f"My: {p.label}", MINE + p.name) for p in mine]


def wire_presets_loading(demo: gr.Blocks, panel: PresetsPanel, shipped: list[Preset]) -> None:
    """The visitor's own presets join the list when the page loads."""

    def show(stored: Any) -> dict:
        return show_presets(stored, shipped)

    demo.load(show, inputs=panel.stored, outputs=panel.preset, queue=False)


def show_presets(stored: Any, shipped: list[Preset]) -> dict:
    """The Preset list with the visitor's own; run when the page loads."""
    return gr.update(choices=choices(shipped, presets_from_data(stored).presets))


def find_preset(choice: str | None, shipped: list[Preset], stored: Any) -> Preset | None:
    if choice and choice.startswith(MINE):
        return next((p for p in presets_from_data(stored).presets if MINE + p.name == choice), None)
    return next((p for p in shipped if p.name == choice), None)


def apply_choice(choice: str | None, shipped: list[Preset], stored: Any, current: tuple[Any, ...]) -> list[Any]:
    preset = find_preset(choice, shipped, stored)
    if preset is None:
        return [gr.skip()] * (len(current) + 4)
    params = apply_preset(preset, _current_params(current))
    examples = gr.update(choices=preset.examples, value=None, visible=bool(preset.examples))
    return [*parameter_values(params, random_seed="seed" not in preset.params),
            preset.model or gr.skip(), preset.mode.value if preset.mode else gr.skip(),
            gr.update(value=preset.system_prompt) if preset.system_prompt is not None else gr.skip(), examples]


def _current_params(current: tuple[Any, ...]) -> GenerationParams:
    """The parameters on screen, or the defaults where a control holds something invalid."""
    try:
        return params_from_form(FormValues(None, None, None, None, None, *current))
    except e.PlaygroundError:
        return GenerationParams()


def fill_prompt(example: str | None) -> Any:
    return example if example else gr.skip()


def reset_parameters() -> list[Any]:
    return [*parameter_values(GenerationParams(), random_seed=True), None]


def save_preset(label: str, stored: Any, form: FormValues, shipped: list[Preset]) -> list[Any]:
    label = (label or "").strip()
    if not slugify(label):
        raise gr.Error("Give the preset a name first.")
    try:
        preset = preset_from_request(slugify(label), label[:80], settings_from_form(form))
    except e.PlaygroundError as error:
        raise gr.Error(f"Can't save these settings: {error.detail}") from None
    mine = [p for p in presets_from_data(stored).presets if p.name != preset.name] + [preset]
    gr.Info(f"Saved preset “{label}” in this browser.")
    return [[preset_to_dict(p) for p in mine], gr.update(choices=choices(shipped, mine), value=MINE + preset.name)]


def export_presets(stored: Any) -> str:
    return presets_to_yaml(presets_from_data(stored).presets)


def import_presets(text: str, stored: Any, shipped: list[Preset]) -> list[Any]:
    loaded = presets_from_yaml(text or "")
    for problem in loaded.problems:
        gr.Warning(f"Not imported: {problem}")
    names = {p.name for p in loaded.presets}
    mine = [p for p in presets_from_data(stored).presets if p.name not in names] + loaded.presets
    if loaded.presets:
        gr.Info(f"Imported {len(loaded.presets)} preset(s).")
    return [[preset_to_dict(p) for p in mine], gr.update(choices=choices(shipped, mine))]
