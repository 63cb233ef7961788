"""History: every finished run, kept in the visitor's browser (localStorage), newest first.

One click on a run restores its settings, prompt and output (with a note when its model is an
endpoint URL on another host than Hugging Face's, as a share link has; with its tinted tokens when
it was kept with its token probabilities); "Re-run" sends the same request
again; "Replay" plays it back (components/replay.py). Nothing is stored on the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.chat_view import finished_conversation, restored_conversation
from components.chat_view import restore_outputs as chat_restore_outputs
from components.context import RunContext, page_url
from components.generation import generate_event
from components.messages import info_html
from components.page import Page
from components.page_open import ON_OPEN
from components.replay import wire_replay
from components.share_code import HISTORY_ENTRY, code_for_request, foreign_host_note
from components.token_view import view_update
from playground.inference.probabilities import asks_for_probabilities
from playground.input.form_values import form_values
from playground.input.request import Mode
from playground.saved.history import DEFAULT_CAP, HistoryEntry, add_run, entry_label, entry_odds, entry_request, find_entry, parse_history


@dataclass(frozen=True)
class HistoryPanel:
    stored: gr.BrowserState
    runs: gr.Radio
    rerun: gr.Button
    replay: gr.Button
    clear: gr.Button  # asks first: it shows `confirm_row`, whose "Yes, clear history" clears
    confirm_row: gr.Row
    confirm_clear: gr.Button
    keep: gr.Button


def build() -> HistoryPanel:
    stored = gr.BrowserState([], storage_key="inference-playground-history")
    with gr.Accordion("History", open=True):
        runs = gr.Radio(label="Runs (newest first)", choices=[], elem_id="pg-history",
                        info=f"Kept in this browser only, the last {DEFAULT_CAP}. Click a run to restore it.")
        with gr.Row():
            rerun = gr.Button("Re-run", size="sm")
            replay = gr.Button("Replay", size="sm")
            clear = gr.Button("Clear history", size="sm", variant="secondary")
        # The history is the presenter's safety net: one click never clears it.
        with gr.Row(visible=False, elem_id="pg-clear-confirm") as confirm_row:
            gr.Markdown("Clear every run kept in this browser? This can't be undone.")
            confirm_clear = gr.Button("Yes, clear history", size="sm", variant="stop", scale=0, min_width=160)
            keep = gr.Button("Keep history", size="sm", scale=0, min_width=120)
    return HistoryPanel(stored, runs, rerun, replay, clear, confirm_row, confirm_clear, keep)


def wire(ctx: RunContext, page: Page) -> None:
    """Records every run registered in `ctx.history_runs` (so: wire this after them), and Re-run's;
    wires restoring, Re-run, Clear and Replay, and lists the history when the page loads."""
    panel, code = page.history, page.code
    restore_outputs = [*page.form.inputs(), page.run.output, page.run.stats, page.run.status, *chat_restore_outputs(page.chat),
                       page.probs.view, page.probs.shown]
    record_outputs = [panel.stored, panel.runs, *code.outputs()]
    hidden = {"api_visibility": "undocumented"}

    def record(entry: dict | None, stored: Any, request: gr.Request) -> dict[Any, Any]:
        return record_run(ctx, page, entry, stored, page_url(request))

    def restore(entry_id: str | None, stored: Any) -> dict[Any, Any]:
        return restore_run(ctx, page, entry_id, stored, as_shown=True)

    def restore_to_send(entry_id: str | None, stored: Any) -> dict[Any, Any]:
        return restore_run(ctx, page, entry_id, stored)

    def clear() -> dict[Any, Any]:
        return {panel.stored: [], panel.runs: gr.update(choices=[], value=None), panel.confirm_row: gr.update(visible=False)}

    for event in ctx.history_runs:
        event.then(record, inputs=[page.finished_run, panel.stored], outputs=record_outputs, queue=False, **hidden)
    panel.runs.input(restore, inputs=[panel.runs, panel.stored], outputs=restore_outputs, queue=False,
                     api_name="restore_run", **hidden)
    rerun = panel.rerun.click(restore_to_send, inputs=[panel.runs, panel.stored], outputs=restore_outputs, api_name="restore_run_1", **hidden)
    generate_event(ctx, page).chain(ctx, rerun).then(record, inputs=[page.finished_run, panel.stored], outputs=record_outputs,
                                                     queue=False, **hidden)
    panel.clear.click(ask_to_clear, inputs=None, outputs=panel.confirm_row, queue=False, **hidden)
    panel.keep.click(keep_history, inputs=None, outputs=panel.confirm_row, queue=False, **hidden)
    panel.confirm_clear.click(clear, inputs=None, outputs=[panel.stored, panel.runs, panel.confirm_row], queue=False,
                              api_name="clear_history", **hidden)
    wire_replay(ctx, page)
    page.demo.load(show_history, inputs=panel.stored, outputs=panel.runs, **ON_OPEN)


def ask_to_clear() -> dict:
    return gr.update(visible=True)


def keep_history() -> dict:
    return gr.update(visible=False)


def history_choices(stored: Any) -> list[tuple[str, str]]:
    return [(entry_label(entry), entry.id) for entry in parse_history(stored)]


def show_history(stored: Any) -> dict:
    """The list as the page shows it; run when the page loads."""
    return gr.update(choices=history_choices(stored), value=None)


def record_run(ctx: RunContext, page: Page, entry: dict | None, stored: Any, url: str) -> dict[Any, Any]:
    """Adds a finished run (None: the run failed or was stopped, nothing to add); the share link and
    the snippets show that run. `url`: the page's own address."""
    if not entry:
        return gr.skip()
    panel, run = page.history, HistoryEntry.model_validate(entry)
    updated = add_run(stored, run)
    # Nothing stays selected, so a click on any run (the newest too) restores it.
    return {panel.stored: updated, panel.runs: gr.update(choices=history_choices(updated), value=None),
            **page.code.updates(code_for_request(ctx, entry_request(run), url))}


def restore_run(ctx: RunContext, page: Page, entry_id: str | None, stored: Any, as_shown: bool = False) -> dict[Any, Any]:
    """The picked run (the newest when none is picked) back into the form, with its output; the
    status panel says so when its model is another host's endpoint URL. A chat run comes back
    `as_shown` (a click in History: the whole conversation, its answer included, and an empty
    Prompt), or ready to send again (Re-run: the conversation before its prompt, the prompt in
    Prompt). Raises gr.Error when there is none."""
    entry = find_entry(stored, entry_id) if entry_id else next(iter(parse_history(stored)), None)
    if entry is None:
        raise gr.Error("There is no run in the history yet.", print_exception=False)
    request, run = entry_request(entry), page.run
    note = foreign_host_note(ctx, request.model, HISTORY_ENTRY)
    status = {run.status: gr.update(value=info_html("Restored from history." + note), visible=True)} if note else {}
    odds = entry_odds(entry) if asks_for_probabilities(request.params) else ()
    tint = {page.probs.view: view_update(odds, continuable=request.mode is Mode.COMPLETION), page.probs.shown: (request, odds) if odds else None}
    values, conversation = form_values(request), restored_conversation(page.chat, request)
    if as_shown and request.mode is Mode.CHAT:
        values, conversation = {**values, "prompt": ""}, finished_conversation(page.chat, request, entry.output)
    return {**page.form.updates(values), run.output: entry.output, run.stats: "", **status, **conversation, **tint}
