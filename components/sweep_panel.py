"""The "Sweep" tab: every combination of "Models" × "Temperatures" × "Seeds", run concurrently
(politely: at most 4 runs per model, the built-in model one at a time), into a results table that
fills in as cells finish, with "Download CSV" and "Download JSON".

A cell is the form's request (model, provider, mode and system prompt of the playground, the
parameters column) with the sweep's model, temperature and seed. Identical answers are marked in
the "same output" column, so "same seed, same text" is visible at a glance.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gradio as gr

from components.context import RunContext, check_models_allowed, page_url, visitor_tokens
from components.messages import error_html, error_text, info_html
from components.page import Page
from components.run_words import status_text
from components.runs_form import called_request, form_request, token_for, wire_stop_and_code
from playground import errors as e
from playground.input.request import GenerationRequest
from playground.runs.code import sweep_snippet
from playground.runs.results import COLUMNS, ResultSet, RunState, table_rows, to_csv, to_json
from playground.runs.saved import SWEEP, new_group_entry, sweep_share_query
from playground.runs.scheduler import Job, run_job_batches
from playground.runs.sweep import MAX_CELLS, Cell, Grid, parse_grid, sweep_cells


@dataclass(frozen=True)
class SweepPanel:
    models: gr.Dropdown
    temperatures: gr.Textbox
    seeds: gr.Textbox
    prompt: gr.Textbox
    run: gr.Button
    stop: gr.Button
    status: gr.HTML
    table: gr.Dataframe
    csv: gr.DownloadButton
    json: gr.DownloadButton
    share_link: gr.Textbox
    code: gr.Code
    show_code: gr.Button
    finished: gr.State  # the history entry of the last finished sweep
    live: gr.State  # the cancel flag of the sweep in progress: this tab's Stop sets it

    def run_outputs(self) -> list[Any]:
        return [self.status, self.table, self.csv, self.json, self.share_link, self.code, self.finished, self.live]


def build(choices: list[tuple[str, str]]) -> SweepPanel:
    models = gr.Dropdown(choices=choices, value=[], multiselect=True, allow_custom_value=True, label="Models",
                         elem_id="pg-sweep-models", info="One or more; type any Hub ID or endpoint URL and press Enter. Empty: the playground's model.")
    with gr.Row():
        temperatures = gr.Textbox(label="Temperatures", placeholder="0.2, 0.7, 1.2", elem_id="pg-sweep-temperatures",
                                  info="Empty: the current Temperature.")
        seeds = gr.Textbox(label="Seeds", placeholder="1, 2, 3", elem_id="pg-sweep-seeds", info="Empty: the current Seed.")
    prompt = gr.Textbox(label="Prompt", lines=3, elem_id="pg-sweep-prompt", placeholder="Every cell sends this prompt.")
    with gr.Row():
        run = gr.Button("Run sweep", variant="primary")
        stop = gr.Button("Stop", variant="stop", elem_id="pg-sweep-stop")
    status = gr.HTML("", padding=False, elem_id="pg-sweep-status")  # always shown, empty when idle (see compare_panel)
    # Short headers and narrow columns, so the table fits the tab and the output column wraps in sight.
    table = gr.Dataframe(headers=list(COLUMNS), value=[], interactive=False, wrap=True, elem_id="pg-sweep-table", max_height=640,
                         column_widths=["110px", "60px", "45px", "45px", "70px", "60px", "55px", "45px", "45px", "170px"],
                         label=f"Results (at most {MAX_CELLS} runs; ≡n marks identical outputs)")
    with gr.Row():
        csv = gr.DownloadButton("Download CSV", interactive=False, size="sm", elem_id="pg-sweep-csv")
        json = gr.DownloadButton("Download JSON", interactive=False, size="sm", elem_id="pg-sweep-json")
    with gr.Accordion("Share this sweep and View code", open=False, elem_id="pg-sweep-code-box"):
        share_link = gr.Textbox(label="Share link", interactive=False, buttons=["copy"], elem_id="pg-sweep-share-link",
                                info="Opens the Sweep tab with this grid, settings and prompt. Holds no token.")
        show_code = gr.Button("View code", size="sm")
        code = gr.Code(language="python", label="Python (huggingface_hub)", elem_id="pg-sweep-code")
    return SweepPanel(models, temperatures, seeds, prompt, run, stop, status, table, csv, json, share_link, code,
                      show_code, gr.State(None), gr.State(None))


def wire(ctx: RunContext, page: Page) -> None:
    """Cells take the playground's model, provider, mode and system prompt and the parameters
    column from the form, and this tab's prompt. "Run sweep" joins `ctx.streams` (the page's Stop)
    and `ctx.group_runs` (the Compare and sweep history)."""
    panel = page.sweep
    inputs = {"models": panel.models, "temperatures": panel.temperatures, "seeds": panel.seeds, **page.form.by_name(),
              "prompt": panel.prompt, **page.auth.inputs()}
    event = ctx.streaming(panel.run.click(make_sweep_handler(ctx, panel), inputs_kwargs=inputs, outputs=panel.run_outputs(),
                                          api_name="sweep"))
    ctx.for_group_history(event, panel.finished)

    def code_for(values: Mapping[str, Any], url: str) -> dict:
        return sweep_code(ctx, panel, values, url)

    wire_stop_and_code(panel, inputs, code_for)


def make_sweep_handler(ctx: RunContext, panel: SweepPanel):
    """The "Run sweep" handler: `models`, `temperatures`, `seeds` and the form's fields, by name."""

    def run_sweep(oauth_token: gr.OAuthToken | None = None, request: gr.Request = None, **values: Any) -> Iterator[dict]:
        yield from run_grid(ctx, panel, values, oauth_token, page_url(request))

    return run_sweep


def checked_cells(ctx: RunContext, values: Mapping[str, Any]) -> tuple[GenerationRequest, Grid, list[Cell]]:
    """(the form's request, the grid, its cells). Raises PlaygroundError naming the field at fault."""
    grid = parse_grid(values.get("models"), values.get("temperatures"), values.get("seeds"))
    base = form_request(ctx, values)
    cells = sweep_cells(base, grid)
    check_models_allowed(ctx, grid.models)
    return base, grid, cells


def run_grid(ctx: RunContext, panel: SweepPanel, values: Mapping[str, Any], oauth_token: gr.OAuthToken | None,
             page: str) -> Iterator[dict]:
    try:
        base, grid, cells = checked_cells(ctx, values)
        tokens = visitor_tokens(ctx, values, oauth_token, check=True)
    except e.PlaygroundError as error:
        gr.Warning(error_text(error))
        yield {panel.status: error_html(error)}
        return
    jobs = [Job(cell.key, cell.request) for cell in cells]
    results, cancel = ResultSet.for_jobs(jobs), threading.Event()
    link, code = share_and_code(ctx, base, grid, cells, page)
    yield {**_table(panel, results), panel.share_link: link, panel.code: code, panel.live: cancel, panel.finished: None,
           panel.csv: gr.update(value=None, interactive=False), panel.json: gr.update(value=None, interactive=False)}
    shown = _table(panel, results)
    for batch in run_job_batches(ctx.backend, jobs, token_for(ctx, tokens), cancel):
        results.apply(batch)
        if (table := _table(panel, results)) != shown:  # silence ticks change nothing on screen: send nothing
            shown = table
            yield table
    results.stop_unfinished()
    stopped = any(result.state is RunState.STOPPED for result in results)
    yield {**_table(panel, results), **_downloads(panel, results), panel.live: None,
           panel.finished: None if stopped else history_entry(base, grid, results)}


def _table(panel: SweepPanel, results: ResultSet) -> dict:
    return {panel.table: table_rows(results, status_text), panel.status: info_html(progress_line(results))}


def progress_line(results: ResultSet) -> str:
    """E.g. "4 of 6 runs finished · 1 failed · 2 waiting their turn"."""
    runs = list(results)
    counts = {state: sum(r.state is state for r in runs) for state in RunState}
    finished = sum(counts[s] for s in RunState if s.finished)
    parts = [f"{finished} of {len(runs)} runs finished"]
    parts += [f"{counts[RunState.FAILED]} failed"] if counts[RunState.FAILED] else []
    parts += [f"{counts[RunState.STOPPED]} stopped"] if counts[RunState.STOPPED] else []
    parts += [f"{counts[RunState.QUEUED]} waiting their turn"] if counts[RunState.QUEUED] else []
    return " · ".join(parts)


def _downloads(panel: SweepPanel, results: ResultSet) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="sweep-"))
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    csv_path, json_path = folder / f"sweep-{stamp}.csv", folder / f"sweep-{stamp}.json"
    csv_path.write_text(to_csv(results, status_text), encoding="utf-8")
    json_path.write_text(to_json(results, status_text), encoding="utf-8")
    return {panel.csv: gr.update(value=str(csv_path), interactive=True), panel.json: gr.update(value=str(json_path), interactive=True)}


def history_entry(base: GenerationRequest, grid: Grid, results: ResultSet) -> dict:
    statuses = {result.key: status_text(result) for result in results}
    return new_group_entry(SWEEP, base, results, statuses, grid).model_dump(mode="json")


def share_and_code(ctx: RunContext, base: GenerationRequest, grid: Grid, cells: list[Cell], page: str) -> list[str]:
    called = [called_request(ctx, cell.request) for cell in cells]
    return [f"{page}?{sweep_share_query(base, grid)}", sweep_snippet(called, ctx.settings.router_url)]


def sweep_code(ctx: RunContext, panel: SweepPanel, values: Mapping[str, Any], page: str) -> dict:
    try:
        base, grid, cells = checked_cells(ctx, values)
    except e.PlaygroundError as error:
        gr.Warning(error_text(error))
        return {panel.status: error_html(error)}
    link, code = share_and_code(ctx, base, grid, cells, page)
    return {panel.share_link: link, panel.code: code}
