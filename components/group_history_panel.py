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

from components.context import RunContext
from components.group_record import record_finished, show_groups
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
    """Records every run registered in `ctx.group_runs` (so: wire this after Compare; the Sweep, drawn
    on demand, records its own, components/group_record.py);
    a click restores one; the list shows when the page loads, and a Compare or Sweep link opens."""
    panel = page.group_history
    for event, finished in ctx.group_runs:
        record_finished(event, finished, panel.stored, panel.runs)

    def restore(entry_id: str | None, stored: Any) -> dict:
        return restore_group(ctx, page, find_group(stored, entry_id) if entry_id else None)

    panel.runs.input(restore, inputs=[panel.runs, panel.stored], outputs=restore_outputs(page), queue=False,
                     api_visibility="undocumented")
    page.demo.load(show_groups, inputs=panel.stored, outputs=panel.runs, **ON_OPEN)
    wire_group_links(ctx, page)


def restore_outputs(page: Page) -> list[Any]:
    c, s, f = page.compare, page.sweep, page.form
    panes = [x for p in c.panes for x in (p.column, p.model, p.provider, p.mode, p.status, p.output, p.tint, p.stats)]
    return [page.tabs, c.count, c.prompt, c.system_prompt, *panes, s.hooks.prompt, *fill_outputs(s), *f.inputs(), c.status]


def restore_group(ctx: RunContext, page: Page, entry: GroupEntry | None) -> dict:
    base = base_request(entry) if entry else None
    if entry is None or base is None:
        raise gr.Error("That entry is no longer in this browser's history, or can't be read.", print_exception=False)
    results = entry_results(entry, base)
    form = page.form
    shared = {page.compare.prompt: base.prompt, page.sweep.hooks.prompt: base.prompt, page.compare.system_prompt: gr.update(value=base.system_prompt),
              **form.updates({"prompt": base.prompt, "system_prompt": base.system_prompt,
                              **parameter_form_values(base.params, random_seed=False)})}
    note = first_foreign_host_note(ctx, [result.request.model for result in results], HISTORY_ENTRY)
    if entry.kind == COMPARE:
        status = {page.compare.status: info_html("Restored from history." + note)} if note else {}
        return {**shared, **_restore_compare(page, results), **status, page.tabs: gr.Tabs(selected=COMPARE_TAB)}
    status = info_html("Restored from history." + note) if note else ""
    return {**shared, **_restore_sweep(page, entry, base, results, status), page.tabs: gr.Tabs(selected=SWEEP_TAB)}


def _restore_compare(page: Page, results: ResultSet) -> dict:
    panel = page.compare
    updates: dict = {panel.count: len(results.results)}
    for index, key in enumerate(PANE_KEYS):
        view = panel.panes[index]
        updates[view.column] = gr.update(visible=key in results.results)
        if key not in results.results:
            continue
        result = results[key]
        updates.update({view.model: result.request.model, view.provider: result.request.provider,
                        view.mode: result.request.mode.value, view.status: "", view.output: result.output, view.tint: "",
                        view.stats: stats_text(result.stats) if result.stats else ""})
    return updates


def _restore_sweep(page: Page, entry: GroupEntry, base: Any, results: ResultSet, status: str) -> dict:
    """The Sweep drawn (or filled) with the entry's grid and table; the Playground's model, provider and mode."""
    statuses = {run.key: run.status for run in entry.runs}
    fill = SweepFill(prompt=base.prompt, models=list(parse_models(entry.grid.get("models", ""))), temperatures=entry.grid.get("temperatures", ""),
                     seeds=entry.grid.get("seeds", ""), table=table_rows(results, lambda r: statuses.get(r.key, r.state.value)), status=status)
    return {**fill_updates(page.sweep, fill), **page.form.updates({"model": base.model, "provider": base.provider, "mode": base.mode.value})}
