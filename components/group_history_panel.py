"""History of Compare runs and sweeps, kept in the visitor's browser beside the single-run history.

One click on an entry opens its tab and restores it: the panes (models, providers, modes, answers,
stats) or the grid (Models, Temperatures, Seeds, the results table), the prompt and the parameters;
the tab's status says so when a model is an endpoint URL on another host than Hugging Face's.
Share links of a comparison or a sweep are opened by components/runs_links.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.compare_tab import CompareFill
from components.compare_tab import fill_outputs as compare_fill_outputs
from components.compare_tab import fill_updates as compare_fill_updates
from components.context import RunContext
from components.group_record import show_groups
from components.messages import info_html, stats_text
from components.page import COMPARE_TAB, SWEEP_TAB, Page
from components.page_open import ON_OPEN
from components.runs_links import wire_group_links
from components.share_code import HISTORY_ENTRY, first_foreign_host_note
from components.sweep_tab import SweepFill, fill_outputs, fill_updates
from playground.input.form_values import parameter_form_values
from playground.runs.compare import PANE_KEYS
from playground.runs.results import ResultSet, table_rows
from playground.runs.saved import (
    COMPARE,
    GROUP_CAP,
    GroupEntry,
    base_request,
    entry_results,
    find_group,
)
from playground.runs.sweep import parse_models


@dataclass(frozen=True)
class GroupHistoryPanel:
    stored: gr.BrowserState
    runs: gr.Radio


def build() -> GroupHistoryPanel:
    stored = gr.BrowserState([], storage_key="inference-playground-compare-sweep")
    with gr.Accordion("Compare and sweep history", open=True):
        runs = gr.Radio(label="Compare runs and sweeps (newest first)", choices=[], elem_id="pg-group-history",
                        info=f"Kept in this browser only, the last {GROUP_CAP}. Click one to open it again.")
    return GroupHistoryPanel(stored, runs)


def wire(ctx: RunContext, page: Page) -> None:
    """A click restores an entry (Compare and the Sweep, drawn on demand, record their own runs:
    components/group_record.py); the list shows when the page loads, and a Compare or Sweep link opens."""
    panel = page.group_history

    def restore(entry_id: str | None, stored: Any) -> dict:
        return restore_group(ctx, page, find_group(stored, entry_id) if entry_id else None)

    panel.runs.input(restore, inputs=[panel.runs, panel.stored], outputs=restore_outputs(page), queue=False,
                     api_visibility="undocumented")
    page.demo.load(show_groups, inputs=panel.stored, outputs=panel.runs, **ON_OPEN)
    wire_group_links(ctx, page)


def restore_outputs(page: Page) -> list[Any]:
    c, s, f = page.compare, page.sweep, page.form
    return [page.tabs, c.hooks.prompt, c.hooks.system_prompt, *compare_fill_outputs(c), s.hooks.prompt, *fill_outputs(s), *f.inputs()]


def restore_group(ctx: RunContext, page: Page, entry: GroupEntry | None) -> dict:
    base = base_request(entry) if entry else None
    if entry is None or base is None:
        raise gr.Error("That entry is no longer in this browser's history, or can't be read.", print_exception=False)
    results = entry_results(entry, base)
    form, hooks = page.form, page.compare.hooks
    shared = {hooks.prompt: base.prompt, page.sweep.hooks.prompt: base.prompt, hooks.system_prompt: base.system_prompt,
              **form.updates({"prompt": base.prompt, "system_prompt": base.system_prompt,
                              **parameter_form_values(base.params, random_seed=False)})}
    note = first_foreign_host_note(ctx, [result.request.model for result in results], HISTORY_ENTRY)
    status = info_html("Restored from history." + note) if note else ""
    if entry.kind == COMPARE:
        fill = _restored_compare(base, results, status or None)
        return {**shared, **compare_fill_updates(page.compare, fill), page.tabs: gr.Tabs(selected=COMPARE_TAB)}
    return {**shared, **_restore_sweep(page, entry, base, results, status), page.tabs: gr.Tabs(selected=SWEEP_TAB)}


def _restored_compare(base: Any, results: ResultSet, status: str | None) -> CompareFill:
    """What the Compare is drawn (or filled) with: the panes' fields, answers and stats, the prompts and `status`."""
    panes = {key: {"model": result.request.model, "provider": result.request.provider, "mode": result.request.mode.value,
                   "output": result.output, "stats": stats_text(result.stats) if result.stats else ""}
             for key, result in results.results.items() if key in PANE_KEYS}
    return CompareFill(prompt=base.prompt, system_prompt=base.system_prompt, count=len(results.results), panes=panes, status=status)


def _restore_sweep(page: Page, entry: GroupEntry, base: Any, results: ResultSet, status: str) -> dict:
    """The Sweep drawn (or filled) with the entry's grid and table; the Playground's model, provider and mode."""
    statuses = {run.key: run.status for run in entry.runs}
    fill = SweepFill(prompt=base.prompt, models=list(parse_models(entry.grid.get("models", ""))), temperatures=entry.grid.get("temperatures", ""),
                     seeds=entry.grid.get("seeds", ""), table=table_rows(results, lambda r: statuses.get(r.key, r.state.value)), status=status)
    return {**fill_updates(page.sweep, fill), **page.form.updates({"model": base.model, "provider": base.provider, "mode": base.mode.value})}
