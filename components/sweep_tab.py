"""The Sweep tab before a visitor opens it: what the page holds of it from the start.

The panel is drawn the first time it is opened (components/on_demand.py, components/sweep_panel.py),
so its components and events stay out of the page's first config. The page reaches it through the
hooks here, built outside the tabs: whether it is drawn, and relays for the Prompt typed elsewhere,
Big text, the page's Stop, the Playground's model (Providers offers its providers) and a grid to
fill (a Sweep share link or a sweep restored from history). Other panels fill the Sweep with
`fill_updates`, which draws it seeded with the grid, or fills it through the relay once drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.on_demand import OnDemand, fill_fields, fill_text, opened_flag, relay


@dataclass(frozen=True)
class SweepFill:
    """What the drawn panel starts with, or is filled with: None leaves a field as it is (as drawn: empty)."""

    prompt: str | None = None
    models: list[str] | None = None
    temperatures: str | None = None
    seeds: str | None = None
    table: list[list[Any]] | None = None
    status: str | None = None

    def to_text(self) -> str:
        return fill_text(self)

    @classmethod
    def from_text(cls, text: Any) -> SweepFill | None:
        found = fill_fields(text, cls)
        return None if found is None else cls(**found)


@dataclass(frozen=True)
class SweepHooks:
    """Built outside the tabs, on the page from the start (see the module's docstring)."""

    opened: gr.Checkbox
    prompt: gr.Textbox
    big: gr.Checkbox  # Big text: read when drawn, and followed
    stops: gr.Number  # a count of the page's Stop clicks
    model: gr.Textbox  # the Playground's model as the tab was last opened: read when drawn, and followed
    fill: gr.Textbox  # a SweepFill, as text


@dataclass(frozen=True)
class SweepTab:
    """The Sweep until a visitor opens it: the tab, the place its panel is drawn in, the model
    choices it offers, its hooks, and `api`, the panel's hidden twin behind the public /sweep
    endpoint (never drawn: an API caller has no page)."""

    tab: gr.Tab
    place: OnDemand
    choices: tuple[tuple[str, str], ...]
    hooks: SweepHooks
    api: Any  # components.sweep_view.SweepPanel


def hooks() -> SweepHooks:
    """Built outside the tabs (see SweepHooks)."""
    return SweepHooks(opened_flag(), relay(gr.Textbox, ""), relay(gr.Checkbox, False), relay(gr.Number, 0), relay(gr.Textbox, ""),
                      relay(gr.Textbox, ""))


def fill_updates(sweep: SweepTab, fill: SweepFill) -> dict:
    """Updates that fill the Sweep with `fill`: drawn now with it as its seed, or through the relay if drawn already."""
    return {sweep.place.seed: fill, sweep.hooks.opened: True, sweep.hooks.fill: fill.to_text()}


def fill_outputs(sweep: SweepTab) -> list[Any]:
    """The components `fill_updates` sets."""
    return [sweep.place.seed, sweep.hooks.opened, sweep.hooks.fill]
