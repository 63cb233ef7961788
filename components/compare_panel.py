"""The "Compare" tab: two to four panes side by side, one shared prompt, "Generate all" and "Stop".

Each pane has its own "Model A"…"Model D" with its own provider and mode (the mode follows the
model, as in the playground), its own retry card, "Output A"…"Output D" and stats line. All panes
stream at once through the scheduler (playground.runs); each succeeds or fails on its own. Updates
are batched (one per ~40 ms) and only the panes that changed are sent.

The tab is drawn the first time a visitor opens it (components/on_demand.py), so its components
and events stay out of the page's first config: `build` declares the place, and a hidden twin of
the panel, never drawn, behind the public /compare endpoint; `wire` opens it from the tab (a link
or a restored comparison opens it through `components.compare_tab.fill_updates`); `draw` builds the
panel (components/compare_view.py) and wires its events there. Its runs are components/compare_run.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gradio as gr

from components import compare_view
from components.bakeoff_view import every_provider, visitor_token_or_none
from components.compare_panes import PaneView
from components.compare_run import compare_code, make_compare_handler
from components.compare_tab import PANE_FIELDS, CompareFill, CompareHooks, CompareTab
from components.compare_view import ComparePanel, pane_visibility, system_prompt_visibility
from components.context import QUIET, RunContext, suggested_mode, visitor_token
from components.messages import info_html
from components.on_demand import OnDemand, never_drawn, opening
from components.page import Page
from components.page_open import ON_OPEN
from components.runs_form import drawn_tab_run, idle_stop, recorded, wire_stop_and_code
from components.style import big_text_update
from components.text_sync import join_mirror
from playground import errors as e


def build(tab: gr.Tab, choices: list[tuple[str, str]], default_models: list[str], outside: CompareHooks) -> CompareTab:
    """Inside `tab`; `outside`: `compare_tab.hooks()`, built outside the tabs; `default_models`: the
    panes' first models. Declares where the panel will be drawn, and builds its hidden twin for the API."""
    place = OnDemand(outside.opened, outside.big)
    with never_drawn() as needed:
        api = compare_view.build(choices, default_models)
        needed += [api.count, *[c for p in api.panes for c in (p.model, p.provider, p.mode)], api.system_prompt, api.prompt,
                   *api.run_outputs()]
    return CompareTab(tab, place, tuple(choices), tuple(default_models), outside, api)


def wire(ctx: RunContext, page: Page) -> None:
    """The public /compare endpoint; opening the tab draws the panel (see `draw`), seeded with the
    Playground's Prompt and System prompt."""
    compare = page.compare
    _wire_api(ctx, page)
    compare.place.set_drawing(lambda seed, big: draw(ctx, page, seed, big is True))

    def open_tab(opened: Any, prompt: Any, system_prompt: Any) -> list[Any]:
        return opening(opened, CompareFill(prompt=str(prompt or ""), system_prompt=str(system_prompt or "")))

    compare.tab.select(open_tab, inputs=[compare.hooks.opened, page.run.prompt, page.model.system_prompt],
                       outputs=[compare.place.seed, compare.hooks.opened], **ON_OPEN)


def _wire_api(ctx: RunContext, page: Page) -> None:
    """/compare for API callers, on the hidden twin: the same handler as "Generate all", with the
    documented inputs only (the page's button also reads the Playground's conversation)."""
    api = page.compare.api
    trigger = gr.Button(visible=False, elem_id="pg-compare-api")
    inputs = api.inputs(page.form, page.auth.inputs())
    ctx.streaming(trigger.click(make_compare_handler(ctx, api), inputs_kwargs=inputs, outputs=api.run_outputs(), api_name="compare"))


def draw(ctx: RunContext, page: Page, seed: Any, big: bool) -> None:
    """Builds the panel where the tab's place is, with Big text as it is now, and wires its events:
    the run (counted by the page's Stop, recorded in the history; Chat-mode panes continue the
    Playground's conversation), the tab's Stop and View code, the panes' controls, and the ties to
    the rest of the page."""
    compare = page.compare
    panel = compare_view.build(list(compare.choices), list(compare.default_models), seed if isinstance(seed, CompareFill) else None, big)
    _wire_controls(ctx, page, panel)
    inputs = panel.inputs(page.form, page.auth.inputs())
    event = drawn_tab_run(page, panel.generate.click, make_compare_handler(ctx, panel), {**inputs, "conversation": page.chat.state}, panel)
    recorded(page, event, panel)

    def code_for(values: Mapping[str, Any], url: str) -> dict:
        return compare_code(ctx, panel, values, url)

    wire_stop_and_code(panel, inputs, code_for, event)
    _join_page(page, panel, event)


def _wire_controls(ctx: RunContext, page: Page, panel: ComparePanel) -> None:
    """"Panes" shows that many; a pane's mode follows its model; System prompt shows with a Chat-mode
    pane; "Check models" hears of the panes' models; "Every provider" fills the panes."""
    session_token = page.auth.session_token
    panel.count.change(pane_visibility, inputs=panel.count, outputs=[p.column for p in panel.panes], **QUIET)
    modes = [panel.count, *[p.mode for p in panel.panes]]
    for pane in panel.panes:
        _wire_pane_mode(ctx, pane, session_token)
    gr.on([control.change for control in modes], system_prompt_visibility, inputs=modes, outputs=panel.system_prompt, **QUIET)
    models = [p.model for p in panel.panes]
    # In the browser, with no request: a "Check models" pressed right after a model is picked reads it already.
    gr.on([model.change for model in models], None, inputs=models, outputs=page.compare.hooks.models, js="(...chosen) => JSON.stringify(chosen)",
          queue=False, show_progress="hidden", api_visibility="private")
    _wire_every_provider(ctx, panel, session_token)


def _wire_every_provider(ctx: RunContext, panel: ComparePanel, session_token: gr.Textbox) -> None:
    """"Every provider": Model A on each provider the router lists as live for it, up to 4 panes."""
    first = panel.panes[0]
    outputs = [panel.count, panel.status, *[c for p in panel.panes for c in (p.model, p.provider, p.mode)]]

    def fill(model: str, mode: str, session: str | None, oauth_token: gr.OAuthToken | None = None) -> list:
        providers = every_provider(ctx, model, visitor_token_or_none(ctx, session, oauth_token))
        if len(providers) < 2:
            note = f"The router lists {len(providers) or 'no'} live provider{'' if len(providers) == 1 else 's'} for {model}."
            return [gr.skip(), info_html(note), *[gr.skip()] * (3 * len(panel.panes))]
        shown = providers[: len(panel.panes)]
        panes = [u for p in shown for u in (model, p, mode)] + [gr.skip()] * (3 * (len(panel.panes) - len(shown)))
        return [len(shown), "", *panes]

    first_inputs = [first.model, first.mode, session_token]
    panel.every_provider.click(fill, inputs=first_inputs, outputs=outputs, api_visibility="undocumented")


def _wire_pane_mode(ctx: RunContext, pane: PaneView, session_token: gr.Textbox) -> None:
    def suggested(model: str, session: str | None, current: str, oauth_token: gr.OAuthToken | None = None) -> str:
        try:
            token = visitor_token(ctx, session, oauth_token, check=True)
        except e.PlaygroundError:
            token = None
        return suggested_mode(model, token, current)

    pane.model.change(suggested, inputs=[pane.model, session_token, pane.mode], outputs=pane.mode, **QUIET)


def _join_page(page: Page, panel: ComparePanel, event: Any) -> None:
    """Through the hooks' relays: the page's Stop ends the comparison and quiets this tab's Stop; the
    prompts stay one with the other tabs'; Big text reaches the outputs; a link or history entry fills the panes."""
    hooks = page.compare.hooks
    hooks.stops.change(idle_stop, inputs=None, outputs=panel.stop, cancels=[event], **QUIET)
    join_mirror(page.prompt_boxes(), panel.prompt, hooks.prompt)
    join_mirror(page.system_prompt_boxes(), panel.system_prompt, hooks.system_prompt)
    outputs = [p.output for p in panel.panes]
    hooks.big.change(lambda big: [big_text_update(output, big) for output in outputs], inputs=hooks.big, outputs=outputs, **QUIET)
    filled = fill_targets(panel)
    hooks.fill.change(lambda text: fill_values(panel, CompareFill.from_text(text)), inputs=hooks.fill, outputs=filled, **QUIET)


def fill_targets(panel: ComparePanel) -> list[Any]:
    """What a fill sets: Panes, the prompts, the status, then each pane's column, fields, card and tint."""
    per_pane = [c for p in panel.panes for c in (p.column, p.model, p.provider, p.mode, p.output, p.stats, p.status, p.tint)]
    return [panel.count, panel.prompt, panel.system_prompt, panel.status, *per_pane]


def fill_values(panel: ComparePanel, fill: CompareFill | None) -> list[Any]:
    """`fill_targets`' values for `fill` (None: nothing changes); a pane filled with an output loses its card and tint."""
    if fill is None:
        return [gr.skip()] * len(fill_targets(panel))
    count = compare_view.shown_panes(fill.count) if fill.count is not None else None
    values: list[Any] = [count, fill.prompt, None if fill.system_prompt is None else gr.update(value=fill.system_prompt), fill.status]
    for index, view in enumerate(panel.panes):
        pane = fill.pane(view.key)
        column = None if count is None else gr.update(visible=index < count)
        cleared = "" if "output" in pane else None
        values += [column, *(pane.get(name) for name in PANE_FIELDS), cleared, cleared]
    return [gr.skip() if value is None else value for value in values]
