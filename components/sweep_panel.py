"""The "Sweep" tab: every combination of "Models" × "Providers" × "Temperatures" × "Seeds" ×
"Repeats", run concurrently
(politely: at most 4 runs per model, the built-in model one at a time; at most
PLAYGROUND_RUNS_PER_VISITOR of a visitor's runs at once), into a results table that fills in as
cells finish, with "Download CSV" and "Download JSON". A silent cell counts its seconds.

A cell is the form's request (model, provider, mode and system prompt of the playground, the
parameters column) with the sweep's model, temperature and seed. Identical answers are marked in
the "same output" column, so "same seed, same text" is visible at a glance.

The provider bake-off: each run is timed and priced (the router's price), a summary per model ×
provider and two charts fill in as runs finish, and "Push to Hub" saves the finished sweep as a
dataset in the visitor's account (`components/bakeoff_view.py`).

The tab is drawn the first time a visitor opens it (components/on_demand.py), so its components
and events stay out of the page's first config: `build` declares the place, and a hidden twin of
the panel, never drawn, behind the public /sweep endpoint; `wire` opens it from the tab (a link
or a restored sweep opens it through `components.sweep_tab.fill_updates`); `draw` builds the
panel (components/sweep_view.py) and wires its events there. Its runs are components/sweep_run.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import gradio as gr

from components import bakeoff_view as bake
from components import sweep_view
from components.context import QUIET, RunContext
from components.on_demand import OnDemand, never_drawn, opening
from components.page import Page
from components.page_open import ON_OPEN
from components.runs_form import drawn_tab_run, idle_stop, recorded, wire_stop_and_code
from components.style import big_text_update
from components.sweep_results import show_row
from components.sweep_run import make_sweep_handler, offered_providers, sweep_code
from components.sweep_tab import SweepFill, SweepHooks, SweepTab
from components.sweep_view import SweepPanel
from components.text_sync import join_mirror
from playground.runs.hub_push import default_dataset_name


def build(tab: gr.Tab, choices: list[tuple[str, str]], outside: SweepHooks, session_token: gr.Textbox) -> SweepTab:
    """Inside `tab`; `outside`: `sweep_tab.hooks()`, built outside the tabs; `session_token`: the
    token field (Providers asks the router with it when drawn). Declares where the panel will be
    drawn, and builds its hidden twin for the API."""
    place = OnDemand(outside.opened, outside.big, outside.model, session_token)
    with never_drawn() as needed:
        api = sweep_view.build(choices)
        needed += [api.run, api.models, api.providers, api.repeats, api.temperatures, api.seeds, api.prompt, *api.run_outputs()]
    return SweepTab(tab, place, tuple(choices), outside, api)


def wire(ctx: RunContext, page: Page) -> None:
    """The public /sweep endpoint; opening the tab draws the panel (see `draw`), seeded with the
    Playground's Prompt. Each time the tab is opened, the Playground's model reaches Providers
    through a relay (a listener of the page's own on the model's change made a Generate right
    after a Stop go unanswered, one run in two; the tab's select is when Providers comes in sight)."""
    sweep = page.sweep
    _wire_api(ctx, page)
    sweep.place.set_drawing(lambda seed, big, model, token: draw(ctx, page, seed, big is True, model, token))

    def open_tab(opened: Any, prompt: Any, model: Any) -> list[Any]:
        return [*opening(opened, SweepFill(prompt=str(prompt or ""))), model if isinstance(model, str) else ""]

    sweep.tab.select(open_tab, inputs=[sweep.hooks.opened, page.run.prompt, page.form["model"]],
                     outputs=[sweep.place.seed, sweep.hooks.opened, sweep.hooks.model], **ON_OPEN)


def run_inputs(page: Page, panel: SweepPanel) -> dict[str, Any]:
    """The run's inputs by name: the grid, the form's fields, this tab's prompt and the token fields."""
    return {"models": panel.models, "providers": panel.providers, "repeats": panel.repeats, "temperatures": panel.temperatures,
            "seeds": panel.seeds, **page.form.by_name(), "prompt": panel.prompt, **page.auth.inputs()}


def _wire_api(ctx: RunContext, page: Page) -> None:
    """/sweep for API callers, on the hidden twin: the same handler as "Run sweep"."""
    api = page.sweep.api
    api.run.click(make_sweep_handler(ctx, api), inputs_kwargs=run_inputs(page, api), outputs=api.run_outputs(), api_name="sweep")


def _default_name() -> str:
    """Set as the panel is drawn (dated, so a second bake-off doesn't overwrite the first)."""
    return default_dataset_name(datetime.now(UTC))


def draw(ctx: RunContext, page: Page, seed: Any, big: bool, model: Any, session_token: Any) -> None:
    """Builds the panel where the tab's place is, with Big text and the Playground's model's providers
    as they are now, and wires its events: the run (counted by the page's Stop, recorded in the
    history), the tab's Stop and View code, the bake-off, and the ties to the rest of the page."""
    providers = offered_providers(ctx, [], model, session_token, None) if isinstance(model, str) and model else None
    panel = sweep_view.build(list(page.sweep.choices), seed if isinstance(seed, SweepFill) else None, big, providers, _default_name())
    inputs = run_inputs(page, panel)
    event = drawn_tab_run(page, panel.run.click, make_sweep_handler(ctx, panel), inputs, panel)
    recorded(page, event, panel)
    panel.table.select(show_row, inputs=panel.records, outputs=[panel.row_output, panel.row_request], queue=False,
                       api_visibility="undocumented")

    def code_for(values: Mapping[str, Any], url: str) -> dict:
        return sweep_code(ctx, panel, values, url)

    wire_stop_and_code(panel, inputs, code_for, event)
    _wire_bakeoff(ctx, page, panel)
    _join_page(page, panel, event)


def _wire_bakeoff(ctx: RunContext, page: Page, panel: SweepPanel) -> None:
    """The Providers choices follow the picked models (or the Playground's); Push to Hub saves the last finished sweep."""
    model = page.sweep.hooks.model

    def offer_providers(models: Any, model: Any, session_token: Any, oauth_token: gr.OAuthToken | None = None) -> dict:
        return gr.update(choices=offered_providers(ctx, models, model, session_token, oauth_token))

    gr.on([panel.models.change, model.change], offer_providers, inputs=[panel.models, model, page.auth.session_token],
          outputs=panel.providers, **QUIET)

    def push_to_hub(bakeoff: Any, name: str, public: bool, session_token: Any, oauth_token: gr.OAuthToken | None = None) -> str:
        return bake.push(ctx, bakeoff, name, bool(public), bake.own_token(session_token, oauth_token))

    panel.push.click(push_to_hub, inputs=[panel.bakeoff, panel.dataset_name, panel.public, page.auth.session_token],
                     outputs=panel.push_status, api_visibility="undocumented", concurrency_limit=4)


def _join_page(page: Page, panel: SweepPanel, event: Any) -> None:
    """Through the hooks' relays: the page's Stop ends the sweep and quiets this tab's Stop; the prompt
    stays one with the other tabs'; Big text reaches the table; a link or history entry fills the grid."""
    hooks = page.sweep.hooks
    hooks.stops.change(idle_stop, inputs=None, outputs=panel.stop, cancels=[event], **QUIET)
    join_mirror(page.prompt_boxes(), panel.prompt, hooks.prompt)
    hooks.big.change(lambda big: big_text_update(panel.table, big), inputs=hooks.big, outputs=panel.table, **QUIET)
    filled = [panel.prompt, panel.models, panel.temperatures, panel.seeds, panel.table, panel.status]

    def fill(text: Any) -> list[Any]:
        found = SweepFill.from_text(text)
        values = [found.prompt, found.models, found.temperatures, found.seeds, found.table, found.status] if found else []
        return [gr.skip() if value is None else value for value in values] or [gr.skip()] * len(filled)

    hooks.fill.change(fill, inputs=hooks.fill, outputs=filled, **QUIET)
