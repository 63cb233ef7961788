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
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import gradio as gr

from components import bakeoff_view as bake
from components.context import STOP_IDLE, RunContext, check_models_allowed, page_url, session_of, visitor_tokens
from components.messages import error_html, info_html
from components.page import Page
from components.page_open import ON_OPEN
from components.run_words import status_text
from components.runs_form import arm_stop, called_request, form_request, token_for, wire_stop_and_code
from components.share_code import token_variable
from components.sweep_results import build_row_boxes, export_files, progress_line, show_row
from playground import errors as e
from playground.hf.tokens import Tokens
from playground.inference.clock import Heartbeat
from playground.input.request import GenerationRequest
from playground.runs.code import sweep_snippet
from playground.runs.hub_push import default_dataset_name
from playground.runs.pricing import Claims, claims_from
from playground.runs.results import COLUMNS, ResultSet, RunState, export_records, table_rows
from playground.runs.saved import SWEEP, new_group_entry, sweep_share_query
from playground.runs.scheduler import Job, run_job_batches
from playground.runs.slots import Limits, Visitor, visitor_for
from playground.runs.summary import SUMMARY_COLUMNS
from playground.runs.sweep import ALL_LIVE, MAX_CELLS, MAX_REPEATS, Cell, Grid, parse_grid, sweep_cells


@dataclass(frozen=True)
class SweepPanel:
    models: gr.Dropdown
    providers: gr.Dropdown
    repeats: gr.Slider
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
    summary: gr.Dataframe
    speed_plot: gr.ScatterPlot
    cost_plot: gr.ScatterPlot
    dataset_name: gr.Textbox
    public: gr.Checkbox
    push: gr.Button
    push_status: gr.HTML
    bakeoff: gr.State  # the last finished sweep, as Push to Hub saves it (records, grid, prompt; no token)
    records: gr.State  # the table's rows in full, as exported: a selected row shows its answer and request
    row_output: gr.Textbox
    row_request: gr.Code

    def run_outputs(self) -> list[Any]:
        return [self.status, self.table, self.csv, self.json, self.share_link, self.code, self.finished, self.live,
                self.summary, self.speed_plot, self.cost_plot, self.push, self.push_status, self.bakeoff, self.records,
                self.row_output, self.row_request]


def build(choices: list[tuple[str, str]]) -> SweepPanel:
    models = gr.Dropdown(choices=choices, value=[], multiselect=True, allow_custom_value=True, label="Models",
                         elem_id="pg-sweep-models", info="One or more; type any Hub ID or endpoint URL and press Enter. Empty: the playground's model.")
    with gr.Row():
        providers = gr.Dropdown(choices=[ALL_LIVE], value=[], multiselect=True, allow_custom_value=True, label="Providers",
                                elem_id="pg-sweep-providers", scale=3,
                                info="The providers serving the picked models, from the router. Empty: the playground's Provider.")
        repeats = gr.Slider(1, MAX_REPEATS, value=1, step=1, label="Repeats", elem_id="pg-sweep-repeats", scale=1,
                            info="Runs of each cell, to see the spread.")
    with gr.Row():
        temperatures = gr.Textbox(label="Temperatures", placeholder="0.2, 0.7, 1.2", elem_id="pg-sweep-temperatures",
                                  info="Empty: the current Temperature.")
        seeds = gr.Textbox(label="Seeds", placeholder="1, 2, 3", elem_id="pg-sweep-seeds", info="Empty: the current Seed.")
    prompt = gr.Textbox(label="Prompt", lines=3, elem_id="pg-sweep-prompt", placeholder="Every cell sends this prompt.")
    with gr.Row():
        run = gr.Button("Run sweep", variant="primary")
        stop = gr.Button("Stop", elem_id="pg-sweep-stop", **STOP_IDLE)
    status = gr.HTML("", padding=False, elem_id="pg-sweep-status")  # always shown, empty when idle (see compare_panel)
    # Narrow columns (700 px in all), so the table fits the tab at 1280 px and the output wraps in sight;
    # headers wrap rather than being cut (style.py).
    table = gr.Dataframe(headers=list(COLUMNS), value=[], interactive=False, wrap=True, elem_id="pg-sweep-table", max_height=640,
                         column_widths=[f"{width}px" for width in (85, 58, 32, 38, 38, 58, 48, 42, 42, 42, 50, 38, 129)],
                         label=f"Results (at most {MAX_CELLS} runs; ≡n marks identical outputs; select a row to read it in full)")
    row_output, row_request = build_row_boxes()
    summary = gr.Dataframe(headers=list(SUMMARY_COLUMNS), value=[], interactive=False, wrap=False, elem_id="pg-sweep-summary",
                           column_widths=_widths(SUMMARY_COLUMNS, {"model": 190, "provider": 120, "first token, s": 160,
                                                                   "tokens/s": 160, "total time, s": 160, "cost, $": 210}),
                           label="Summary per provider: median (lowest–highest) over the runs, the router's claims beside")
    # One chart a row, so the legend has room for each provider and its claim.
    speed_plot = gr.ScatterPlot(bake.speed_frame([]), x=bake.SPEED_X, y=bake.SPEED_Y, color="provider", elem_id="pg-sweep-speed-chart",
                                label="Speed: first token against tokens/s, one point per run, the router's claims beside", tooltip="all")
    cost_plot = gr.ScatterPlot(bake.cost_frame([], {}), x="provider", y=bake.COST_Y, color="provider", elem_id="pg-sweep-cost-chart",
                               label="Cost per 1,000 output tokens, one point per run, the listed price beside", tooltip="all")
    with gr.Row():
        csv = gr.DownloadButton("Download CSV", interactive=False, size="sm", elem_id="pg-sweep-csv")
        json = gr.DownloadButton("Download JSON", interactive=False, size="sm", elem_id="pg-sweep-json")
    with gr.Row(equal_height=True):
        dataset_name = gr.Textbox(label="Dataset name", value="provider-bakeoff", elem_id="pg-sweep-dataset-name", scale=3,
                                  info="Saved in your own account, with your token (sign in, or a token with write access).")
        public = gr.Checkbox(label="Public", value=False, elem_id="pg-sweep-public", scale=1, info="Private unless ticked.")
        push = gr.Button("Push to Hub", interactive=False, elem_id="pg-sweep-push", scale=1)
    push_status = gr.HTML("", padding=False, elem_id="pg-sweep-push-status")
    with gr.Accordion("Share this sweep and View code", open=False, elem_id="pg-sweep-code-box"):
        share_link = gr.Textbox(label="Share link", interactive=False, buttons=["copy"], elem_id="pg-sweep-share-link",
                                info="Opens the Sweep tab with this grid, settings and prompt. Holds no token.")
        show_code = gr.Button("View code", size="sm")
        code = gr.Code(language="python", label="Python (huggingface_hub)", elem_id="pg-sweep-code")
    return SweepPanel(models, providers, repeats, temperatures, seeds, prompt, run, stop, status, table, csv, json, share_link,
                      code, show_code, gr.State(None), gr.State(None), summary, speed_plot, cost_plot, dataset_name, public,
                      push, push_status, gr.State(None), gr.State([]), row_output, row_request)


def _widths(columns: tuple[str, ...], fixed: Mapping[str, int]) -> list[str]:
    return [f"{fixed.get(name, 8 * len(name) + 28)}px" for name in columns]


def _default_name() -> str:
    """Set at each page load (dated, so a second bake-off doesn't overwrite the first)."""
    return default_dataset_name(datetime.now(UTC))


def wire(ctx: RunContext, page: Page) -> None:
    """Cells take the playground's model, provider, mode and system prompt and the parameters
    column from the form, and this tab's prompt. "Run sweep" joins `ctx.streams` (the page's Stop)
    and `ctx.group_runs` (the Compare and sweep history)."""
    panel = page.sweep
    inputs = {"models": panel.models, "providers": panel.providers, "repeats": panel.repeats, "temperatures": panel.temperatures,
              "seeds": panel.seeds, **page.form.by_name(), "prompt": panel.prompt, **page.auth.inputs()}
    arm_stop(panel.run.click, panel.stop)
    event = ctx.streaming(panel.run.click(make_sweep_handler(ctx, panel), inputs_kwargs=inputs, outputs=panel.run_outputs(),
                                          api_name="sweep"))
    ctx.for_group_history(event, panel.finished)
    panel.table.select(show_row, inputs=panel.records, outputs=[panel.row_output, panel.row_request], queue=False,
                       api_visibility="undocumented")

    def code_for(values: Mapping[str, Any], url: str) -> dict:
        return sweep_code(ctx, panel, values, url)

    wire_stop_and_code(panel, inputs, code_for, event)
    wire_bakeoff(ctx, page)


def wire_bakeoff(ctx: RunContext, page: Page) -> None:
    """The Providers choices follow the picked models; Push to Hub saves the last finished sweep."""
    panel = page.sweep

    def offer_providers(models: Any, model: Any, session_token: Any, oauth_token: gr.OAuthToken | None = None) -> dict:
        listed = models if isinstance(models, list | tuple) and models else [model]  # an API caller may send anything
        picked = [m for m in listed if isinstance(m, str) and m]
        tokens = Tokens(bake.visitor_token_or_none(ctx, session_token, oauth_token))
        live = bake.live_providers(bake.router_facts(picked, tokens, ctx))
        return gr.update(choices=bake.provider_choices(live))

    page.demo.load(_default_name, outputs=panel.dataset_name, **ON_OPEN)
    triggers = [panel.models.change, page.form["model"].change]
    gr.on(triggers, offer_providers, inputs=[panel.models, page.form["model"], page.auth.session_token], outputs=panel.providers,
          queue=False, api_visibility="undocumented", show_progress="hidden")

    def push_to_hub(bakeoff: Any, name: str, public: bool, session_token: Any, oauth_token: gr.OAuthToken | None = None) -> str:
        return bake.push(ctx, bakeoff, name, bool(public), bake.own_token(session_token, oauth_token))

    panel.push.click(push_to_hub, inputs=[panel.bakeoff, panel.dataset_name, panel.public, page.auth.session_token],
                     outputs=panel.push_status, api_visibility="undocumented", concurrency_limit=4)


def make_sweep_handler(ctx: RunContext, panel: SweepPanel):
    """The "Run sweep" handler: `models`, `temperatures`, `seeds` and the form's fields, by name."""

    def run_sweep(oauth_token: gr.OAuthToken | None = None, request: gr.Request = None, **values: Any) -> Iterator[dict]:
        runner = visitor_for(session_of(request), Limits.from_settings(ctx.settings))
        yield from run_grid(ctx, panel, values, oauth_token, page_url(request), runner)

    return run_sweep


def checked_cells(ctx: RunContext, values: Mapping[str, Any], tokens: Tokens | None = None) -> tuple[GenerationRequest, Grid, list[Cell], Claims]:
    """(the form's request, the grid, its cells, the router's claims for its models). Raises
    PlaygroundError naming the field at fault."""
    grid = parse_grid(values.get("models"), values.get("temperatures"), values.get("seeds"), values.get("providers"),
                      values.get("repeats"))
    base = form_request(ctx, values)
    facts = bake.router_facts(grid.models or (base.model,), tokens, ctx)
    cells = sweep_cells(base, grid, bake.live_providers(facts))
    check_models_allowed(ctx, grid.models)
    return base, grid, cells, claims_from(facts)


def run_grid(ctx: RunContext, panel: SweepPanel, values: Mapping[str, Any], oauth_token: gr.OAuthToken | None,
             page: str, runner: Visitor) -> Iterator[dict]:
    """Yields at least every 0.5 s (see `Heartbeat`), so Stop closes it at once."""
    try:
        tokens = visitor_tokens(ctx, values, oauth_token, check=True)
        base, grid, cells, claims = checked_cells(ctx, values, tokens)
    except e.PlaygroundError as error:
        yield {panel.status: error_html(error)}  # the card is the one message: no toast repeats it
        return
    jobs = [Job(cell.key, cell.request) for cell in cells]
    results, cancel = ResultSet.for_jobs(jobs, {cell.key: cell.repeat for cell in cells}), threading.Event()
    link, code = share_and_code(ctx, base, grid, cells, page)
    yield {**_table(panel, results, claims), **_charts(panel, results, claims), panel.share_link: link, panel.code: code,
           panel.live: cancel, panel.finished: None, panel.bakeoff: None, panel.push: gr.update(interactive=False),
           panel.push_status: "", panel.row_output: "", panel.row_request: "", panel.csv: gr.update(value=None, interactive=False), panel.json: gr.update(value=None, interactive=False)}
    shown, pulse, done = _table(panel, results, claims), Heartbeat(), 0
    with closing(run_job_batches(ctx.backend, jobs, token_for(ctx, tokens), cancel, visitor=runner)) as batches:
        for batch in batches:
            results.apply(batch)
            if (table := _table(panel, results, claims)) != shown:
                shown = table
                pulse.beat()
                finished_now = sum(result.state.finished for result in results)
                charts = _charts(panel, results, claims) if finished_now != done else {}  # as runs finish
                done = finished_now
                yield {**table, **charts}
            elif pulse.due():  # nothing new on screen: the status line again (an empty diff)
                yield {panel.status: shown[panel.status]}
    results.stop_unfinished()
    stopped = any(result.state is RunState.STOPPED for result in results)
    bakeoff = None if stopped else bake.bakeoff_state(base, grid, export_records(results, status_text, claims))
    yield {**_table(panel, results, claims), **_charts(panel, results, claims), **_downloads(panel, results, claims),
           panel.live: None, panel.finished: None if stopped else history_entry(base, grid, results),
           panel.bakeoff: bakeoff, panel.push: gr.update(interactive=bakeoff is not None)}


def _table(panel: SweepPanel, results: ResultSet, claims: Claims) -> dict:
    """The table, its rows in full (for a selected row) and the progress line."""
    return {panel.table: table_rows(results, status_text, claims), panel.records: export_records(results, status_text, claims),
            panel.status: info_html(progress_line(results))}


def _charts(panel: SweepPanel, results: ResultSet, claims: Claims) -> dict:
    summary, speed, cost = bake.charts(export_records(results, status_text, claims), claims)
    return {panel.summary: summary, panel.speed_plot: speed, panel.cost_plot: cost}


def _downloads(panel: SweepPanel, results: ResultSet, claims: Claims) -> dict:
    csv_path, json_path = export_files(results, claims)
    return {panel.csv: gr.update(value=csv_path, interactive=True), panel.json: gr.update(value=json_path, interactive=True)}


def history_entry(base: GenerationRequest, grid: Grid, results: ResultSet) -> dict:
    statuses = {result.key: status_text(result) for result in results}
    return new_group_entry(SWEEP, base, results, statuses, grid).model_dump(mode="json")


def share_and_code(ctx: RunContext, base: GenerationRequest, grid: Grid, cells: list[Cell], page: str) -> list[str]:
    called = [called_request(ctx, cell.request) for cell in cells]
    return [f"{page}?{sweep_share_query(base, grid)}", sweep_snippet(called, ctx.settings.router_url, partial(token_variable, ctx))]


def sweep_code(ctx: RunContext, panel: SweepPanel, values: Mapping[str, Any], page: str) -> dict:
    try:
        base, grid, cells, _ = checked_cells(ctx, values)
    except e.PlaygroundError as error:
        return {panel.status: error_html(error)}  # the card is the one message: no toast repeats it
    link, code = share_and_code(ctx, base, grid, cells, page)
    return {panel.share_link: link, panel.code: code}
