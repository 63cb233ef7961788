"""The Compare tab before a visitor opens it: what the page holds of it from the start.

The panel is drawn the first time it is opened (components/on_demand.py, components/compare_panel.py),
so its components and events stay out of the page's first config. The page reaches it through the
hooks here, built outside the tabs: whether it is drawn, and relays for the Prompt and System prompt
typed elsewhere, Big text, the page's Stop and panes to fill (a Compare share link or a comparison
restored from history). The panes' models go the other way, to "Check models", through `models`.
Other panels fill the Compare with `fill_updates`, which draws it seeded with the panes, or fills it
through the relay once drawn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.on_demand import OnDemand, fill_fields, fill_text, opened_flag, relay
from playground.runs.compare import PANE_KEYS

PANE_FIELDS = ("model", "provider", "mode", "output", "stats")  # what a pane can be filled with


@dataclass(frozen=True)
class CompareFill:
    """What the drawn panel starts with, or is filled with: None leaves a field as it is (as drawn: the
    defaults). `panes`: by pane key ("A"…"D"), a dict of PANE_FIELDS; an `output` clears the pane's card."""

    prompt: str | None = None
    system_prompt: str | None = None
    count: int | None = None
    panes: dict[str, dict[str, str]] | None = None
    status: str | None = None

    def pane(self, key: str) -> dict[str, str]:
        return (self.panes or {}).get(key, {})

    def to_text(self) -> str:
        return fill_text(self)

    @classmethod
    def from_text(cls, text: Any) -> CompareFill | None:
        values = fill_fields(text, cls)
        if values is None:
            return None
        found = cls(**values)
        panes = found.panes if isinstance(found.panes, dict) else {}
        kept = {key: {k: str(v) for k, v in pane.items() if k in PANE_FIELDS} for key, pane in panes.items()
                if key in PANE_KEYS and isinstance(pane, dict)}
        return cls(found.prompt, found.system_prompt, found.count if isinstance(found.count, int) else None, kept, found.status)


@dataclass(frozen=True)
class CompareHooks:
    """Built outside the tabs, on the page from the start (see the module's docstring)."""

    opened: gr.Checkbox
    prompt: gr.Textbox
    system_prompt: gr.Textbox
    big: gr.Checkbox  # Big text: read when drawn, and followed
    stops: gr.Number  # a count of the page's Stop clicks
    fill: gr.Textbox  # a CompareFill, as text
    models: gr.Textbox  # the panes' models, as a JSON list: "Check models" checks them


@dataclass(frozen=True)
class CompareTab:
    """The Compare until a visitor opens it: the tab, the place its panel is drawn in, the model
    choices and the panes' first models, its hooks, and `api`, the panel's hidden twin behind the
    public /compare endpoint (never drawn: an API caller has no page)."""

    tab: gr.Tab
    place: OnDemand
    choices: tuple[tuple[str, str], ...]
    default_models: tuple[str, ...]
    hooks: CompareHooks
    api: Any  # components.compare_view.ComparePanel


def hooks(default_models: list[str]) -> CompareHooks:
    """Built outside the tabs (see CompareHooks); `default_models`: the panes' first models."""
    first = [default_models[index % len(default_models)] for index in range(len(PANE_KEYS))]
    return CompareHooks(opened_flag(), relay(gr.Textbox, ""), relay(gr.Textbox, ""), relay(gr.Checkbox, False), relay(gr.Number, 0),
                        relay(gr.Textbox, ""), relay(gr.Textbox, json.dumps(first)))


def pane_models(text: Any) -> list[str]:
    """The panes' models from the `models` relay (nothing for anything else: the step is reachable through the API)."""
    try:
        models = json.loads(text) if isinstance(text, str) else []
    except ValueError:
        return []
    return [model for model in models if isinstance(model, str)] if isinstance(models, list) else []


def fill_updates(compare: CompareTab, fill: CompareFill) -> dict:
    """Updates that fill the Compare with `fill`: drawn now with it as its seed, or through the relay if drawn already."""
    return {compare.place.seed: fill, compare.hooks.opened: True, compare.hooks.fill: fill.to_text()}


def fill_outputs(compare: CompareTab) -> list[Any]:
    """The components `fill_updates` sets."""
    return [compare.place.seed, compare.hooks.opened, compare.hooks.fill]
