"""A sweep's run: every cell of the grid, concurrently, into the results table, the bake-off's
summary and charts, the downloads, the share link and View code (components/sweep_panel.py wires it).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import closing
from functools import partial
from typing import Any

import gradio as gr

from components import bakeoff_view as bake
from components.context import RunContext, check_models_allowed, page_url, session_of, visitor_tokens
from components.messages import error_html, info_html
from components.run_words import status_text
from components.runs_form import called_request, form_request, token_for
from components.share_code import token_variable
from components.sweep_results import export_files, progress_line
from components.sweep_view import SweepPanel
from playground import errors as e
from playground.hf.tokens import Tokens
from playground.inference.clock import Heartbeat
from playground.input.request import GenerationRequest
from playground.runs.code import sweep_snippet
from playground.runs.pricing import Claims, claims_from
from playground.runs.results import ResultSet, RunState, export_records, table_rows
from playground.runs.saved import SWEEP, new_group_entry, sweep_share_query
from playground.runs.scheduler import Job, run_job_batches
from playground.runs.slots import Limits, Visitor, visitor_for
from playground.runs.sweep import Cell, Grid, parse_grid, sweep_cells


def offered_providers(ctx: RunContext, models: Any, model: Any, session_token: Any, oauth_token: gr.OAuthToken | None) -> list[str]:
    """Providers' choices: every live provider of the picked `models`, or of the Playground's `model` when none is picked."""
    listed = models if isinstance(models, list | tuple) and models else [model]  # an API caller may send anything
    picked = [m for m in listed if isinstance(m, str) and m]
    tokens = Tokens(bake.visitor_token_or_none(ctx, session_token, oauth_token))
    return bake.provider_choices(bake.live_providers(bake.router_facts(picked, tokens, ctx)))


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
