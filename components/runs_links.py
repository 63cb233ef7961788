"""Share links of a comparison or a sweep: opening one selects its tab and fills its panes or grid.

The playground's own fields (model, parameters, prompt) are filled by components/code_panel.py's
`wire_share_link` from the same link; this fills what only Compare and Sweep have, and their prompts.
Wired by the group history panel.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from components.compare_tab import CompareFill
from components.compare_tab import fill_outputs as compare_fill_outputs
from components.compare_tab import fill_updates as compare_fill_updates
from components.context import RunContext
from components.messages import info_html
from components.page import COMPARE_TAB, SWEEP_TAB, Page
from components.page_open import on_link
from components.share_code import LINK, first_foreign_host_note
from components.sweep_tab import SweepFill, fill_outputs, fill_updates
from playground.runs.compare import PANE_KEYS
from playground.runs.saved import COMPARE, SWEEP, SharedGroup, parse_group_query
from playground.runs.sweep import parse_models
from playground.saved.share import parse_share_query


def wire_group_links(ctx: RunContext, page: Page) -> None:
    """Opening the page with a Compare or Sweep link selects its tab and fills its panes or grid."""
    c, s = page.compare, page.sweep
    outputs = [page.tabs, c.hooks.prompt, *compare_fill_outputs(c), s.hooks.prompt, *fill_outputs(s)]

    def open_link(query: dict[str, list[str]]) -> dict:
        return open_group_link(ctx, page, parse_group_query(query), parse_share_query(query))

    on_link(page, open_link, [], outputs)


def open_group_link(ctx: RunContext, page: Page, shared: SharedGroup, playground: Any) -> dict:
    """Updates for a link to Compare or Sweep (saying so when it names another host); nothing for any other visit."""
    if shared.tab is None:
        return gr.skip()
    prompt = playground.prompt
    note = "Opened from a share link." + (" Ignored: " + "; ".join(shared.problems) if shared.problems else "")
    note += first_foreign_host_note(ctx, linked_models(shared), LINK)
    updates: dict = {}
    if prompt is not None:
        updates.update({page.compare.hooks.prompt: prompt, page.sweep.hooks.prompt: prompt})
    if shared.tab == COMPARE:
        return {**updates, **compare_fill_updates(page.compare, _compare(shared, playground, info_html(note))),
                page.tabs: gr.Tabs(selected=COMPARE_TAB)}
    if shared.tab == SWEEP:
        return {**updates, **fill_updates(page.sweep, _sweep(shared, prompt, info_html(note))), page.tabs: gr.Tabs(selected=SWEEP_TAB)}
    return updates


def linked_models(shared: SharedGroup) -> list[str]:
    """The models a Compare or Sweep link puts on the page."""
    if shared.tab == COMPARE:
        return [pane.model for pane in shared.pane_fields.values()]
    return list(parse_models(shared.grid.get("models", ""))) if shared.tab == SWEEP else []


def _compare(shared: SharedGroup, playground: Any, status: str) -> CompareFill:
    """What the Compare is drawn (or filled) with: the link's panes, prompts and `status`."""
    panes = {key: {"model": pane.model, "provider": pane.provider, "mode": pane.mode.value}
             for key, pane in shared.pane_fields.items() if key in PANE_KEYS}
    return CompareFill(prompt=playground.prompt, system_prompt=playground.system_prompt, count=shared.panes, panes=panes, status=status)


def _sweep(shared: SharedGroup, prompt: str | None, status: str) -> SweepFill:
    """What the Sweep is drawn (or filled) with: the link's grid, prompt and `status`."""
    grid = shared.grid
    models = list(parse_models(grid["models"])) if "models" in grid else None
    return SweepFill(prompt=prompt, models=models, temperatures=grid.get("temperatures"), seeds=grid.get("seeds"), status=status)

