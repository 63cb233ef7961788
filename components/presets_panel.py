"""Presets: the shipped ones from presets/, and the visitor's own, saved in their browser.

A preset sets the parameters it names (and, if it says so, the model, mode and system prompt; a
model that is another host's endpoint URL gets a note, as from a share link); "Reset" goes back to
the defaults. The visitor's presets export and import as YAML.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
from pydantic import ValidationError

from components.chat_view import conversation_shown
from components.chat_view import restore_outputs as chat_restore_outputs
from components.context import RunContext
from components.form import read_form
from components.messages import info_html
from components.page import Page
from components.page_open import ON_OPEN
from components.share_code import PRESET, foreign_host_note
from playground import errors as e
from playground.chat.conversation import Conversation, from_pairs
from playground.input.form_values import PARAMETER_FIELDS, FormValues, parameter_form_values, params_from_form, settings_from_form
from playground.input.params import GenerationParams
from playground.input.request import Mode
from playground.saved.presets import (
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
    shipped: list[Preset]  # the presets shipped in presets/, listed first


def build(shipped: PresetLoad) -> PresetsPanel:
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
    return PresetsPanel(stored, preset, examples, reset, name, save, yaml_text, export, import_, shipped.presets)


def wire(ctx: RunContext, page: Page) -> None:
    """A pick applies its preset; Reset, Save, Export and Import (the visitor's own, as YAML)."""
    panel, form, chat, shipped = page.presets, page.form, page.chat, page.presets.shipped
    apply_outputs = [*form.parameter_inputs(), form["model"], form["served_model"], form["mode"], form["system_prompt"], panel.examples,
                     form["response_format"], form["json_schema"], *chat_restore_outputs(chat), page.run.status]
    hidden = {"api_visibility": "undocumented"}

    def apply(choice: str | None, stored: Any, **params: Any) -> dict[Any, Any]:
        return applied_preset(ctx, page, choice, stored, params)

    def fill_prompt(example: str | None) -> dict[Any, Any]:
        return {form["prompt"]: example} if example else gr.skip()

    def reset() -> dict[Any, Any]:
        return {**form.updates(parameter_form_values(GenerationParams(), random_seed=True)), panel.preset: None}

    def save(label: str, stored: Any, **values: Any) -> dict[Any, Any]:
        mine = save_preset(label, stored, read_form(values), values.get("chat_state"))
        return {panel.stored: [preset_to_dict(p) for p in mine],
                panel.preset: gr.update(choices=choices(shipped, mine), value=MINE + mine[-1].name)}

    def import_yaml(text: Any, stored: Any) -> dict[Any, Any]:
        mine = import_presets(text, stored)
        return {panel.stored: [preset_to_dict(p) for p in mine], panel.preset: gr.update(choices=choices(shipped, mine))}

    panel.preset.input(apply, inputs=[panel.preset, panel.stored], inputs_kwargs=form.by_name(PARAMETER_FIELDS),
                       outputs=apply_outputs, queue=False, **hidden)
    panel.examples.input(fill_prompt, inputs=panel.examples, outputs=form["prompt"], queue=False, **hidden)
    panel.reset.click(reset, inputs=None, outputs=[*form.parameter_inputs(), panel.preset], queue=False,
                      api_name="reset_parameters", **hidden)
    # Queued (unlike the instant updates above): toasts (gr.Info/gr.Warning) reach the page only through the queue.
    panel.save.click(save, inputs=[panel.name, panel.stored], inputs_kwargs={**form.by_name(), "chat_state": chat.state},
                     outputs=[panel.stored, panel.preset], **hidden)
    panel.export.click(export_presets, inputs=panel.stored, outputs=panel.yaml_text, queue=False, **hidden)
    panel.import_.click(import_yaml, inputs=[panel.yaml_text, panel.stored], outputs=[panel.stored, panel.preset], **hidden)


def applied_preset(ctx: RunContext, page: Page, choice: str | None, stored: Any, params: dict[str, Any]) -> dict[Any, Any]:
    """The page's updates for picking `choice`: its settings, its example prompts, its conversation,
    and a note in the status panel when its model is another host's endpoint URL."""
    updates = apply_choice(choice, page.presets.shipped, stored, read_form(params))
    if not updates:
        return gr.skip()
    examples = updates.pop("examples", None)
    turns = updates.pop("turns", None)
    conversation = conversation_shown(page.chat, from_pairs("", turns)) if turns is not None else {}
    note = foreign_host_note(ctx, updates.get("model"), PRESET)
    status = {page.run.status: gr.update(value=info_html("Preset applied." + note), visible=True)} if note else {}
    return {**page.form.updates(updates), page.presets.examples: examples, **conversation, **status}


def choices(shipped: list[Preset], mine: list[Preset]) -> list[tuple[str, str]]:
    return [(p.label, p.name) for p in shipped] + [(f"My: {p.label}", MINE + p.name) for p in mine]


def wire_loading(ctx: RunContext, page: Page) -> None:
    """The visitor's own presets join the list when the page loads."""
    panel = page.presets

    def show(stored: Any) -> dict:
        return show_presets(stored, panel.shipped)

    page.demo.load(show, inputs=panel.stored, outputs=panel.preset, **ON_OPEN)


def show_presets(stored: Any, shipped: list[Preset]) -> dict:
    """The Preset list with the visitor's own; run when the page loads."""
    return gr.update(choices=choices(shipped, presets_from_data(stored).presets))


def find_preset(choice: str | None, shipped: list[Preset], stored: Any) -> Preset | None:
    if choice and choice.startswith(MINE):
        return next((p for p in presets_from_data(stored).presets if MINE + p.name == choice), None)
    return next((p for p in shipped if p.name == choice), None)


def apply_choice(choice: str | None, shipped: list[Preset], stored: Any, current: FormValues) -> dict[str, Any]:
    """`{form field or "examples": value}` for what the chosen preset sets; empty when there is no such preset."""
    preset = find_preset(choice, shipped, stored)
    if preset is None:
        return {}
    params = apply_preset(preset, _current_params(current))
    updates: dict[str, Any] = parameter_form_values(params, random_seed="seed" not in preset.params)
    if preset.model:
        updates["model"] = preset.model
        updates["served_model"] = preset.served_model or ""
    if preset.mode:
        updates["mode"] = preset.mode.value
    if preset.system_prompt is not None:
        updates["system_prompt"] = preset.system_prompt
    if preset.response_format is not None:
        updates["response_format"] = preset.response_format.value
    if preset.json_schema is not None:
        updates["json_schema"] = preset.json_schema
    if preset.conversation:  # a preset with a conversation starts from it
        updates["turns"] = tuple(tuple(turn) for turn in preset.conversation)
    updates["examples"] = gr.update(choices=preset.examples, value=None, visible=bool(preset.examples))
    return updates


def _current_params(current: FormValues) -> GenerationParams:
    """The parameters on screen, or the defaults where a control holds something invalid."""
    try:
        return params_from_form(current)
    except e.PlaygroundError:
        return GenerationParams()


def save_preset(label: Any, stored: Any, form: FormValues, conversation: Any = None) -> list[Preset]:
    """The visitor's presets with the current settings saved under `label`, last. Raises gr.Error
    (naming the control) when the name or a setting can't be saved; nothing is stored then."""
    label = label.strip() if isinstance(label, str) else ""
    if not label:
        raise gr.Error("Preset name: type a name for the preset first.", print_exception=False)
    try:
        settings = settings_from_form(form)
        if settings.mode is Mode.CHAT and isinstance(conversation, Conversation):
            settings = settings.model_copy(update={"turns": conversation.answered_pairs()})
        preset = preset_from_request(slugify(label), label[:80], settings)
    except e.PlaygroundError as error:
        raise gr.Error(f"Can't save these settings: {error.detail}", print_exception=False) from None
    except ValidationError as error:
        raise gr.Error(f"Preset name: {error.errors(include_url=False)[0]['msg']}", print_exception=False) from None
    gr.Info(f"Saved preset “{label}” in this browser.")
    return [p for p in presets_from_data(stored).presets if p.name != preset.name] + [preset]


def export_presets(stored: Any) -> str:
    return presets_to_yaml(presets_from_data(stored).presets)


def import_presets(text: Any, stored: Any) -> list[Preset]:
    """The visitor's presets with the imported ones laid over them; each refused one is a toast."""
    loaded = presets_from_yaml(text if isinstance(text, str) else "")
    for problem in loaded.problems:
        gr.Warning(f"Not imported: {problem}")
    names = {p.name for p in loaded.presets}
    if loaded.presets:
        gr.Info(f"Imported {len(loaded.presets)} preset(s).")
    return [p for p in presets_from_data(stored).presets if p.name not in names] + loaded.presets
