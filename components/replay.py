""""Replay" in the history panel: plays the picked run back at its recorded pace, sending nothing.

The status panel says "Replay of <model>, <date>" from the first piece to the end, and the stats
line shows the recorded figures as recorded ones; a replay is never added to the history. A run
kept with its token probabilities replays token by token into the tinted view (as it streamed), and
ends with its alternatives on click, as the live run did.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from components.context import RunContext
from components.messages import STOPPED, info_html
from components.page import Page
from components.token_view import finished_summary, streaming_html, view_update
from playground.inference.clock import SystemClock
from playground.inference.probabilities import asks_for_probabilities
from playground.input.request import Mode
from playground.runs.replay import ReplayPlan, play, replay_plan, tokens_shown
from playground.saved.history import HistoryEntry, entry_date, entry_odds, entry_request, find_entry, parse_history


def wire_replay(ctx: RunContext, page: Page) -> Any:
    """Replay streams into Output; Stop ends it (the event joins `ctx.streams`)."""
    history, run = page.history, page.run

    def replay(entry_id: str | None, stored: Any) -> Iterator[dict[Any, Any]]:
        yield from replay_updates(page, entry_id, stored)

    return ctx.streaming(history.replay.click(replay, inputs=[history.runs, history.stored],
                                              outputs=[run.output, run.status, run.stats, run.stopped, page.probs.view,
                                                       page.probs.shown],
                                              api_visibility="undocumented"))


def replay_updates(page: Page, entry_id: str | None, stored: Any) -> Iterator[dict[Any, Any]]:
    run = page.run
    entry = find_entry(stored, entry_id) if entry_id else next(iter(parse_history(stored)), None)
    if entry is None:
        raise gr.Error("There is no run in the history yet.")
    request, view = entry_request(entry), page.probs.view
    odds = entry_odds(entry) if asks_for_probabilities(request.params) else ()
    texts = [token.text for token in odds]
    plan = replay_plan(entry.output, entry.stats, tokens=texts)
    label = replay_label(entry)
    playing = info_html(f"{label} — playing back the recorded answer; no request is sent.")
    yield {run.status: gr.update(value=playing, visible=True), run.output: "", run.stats: "", run.stopped: gr.update(visible=False),
           view: gr.update(value="", visible=bool(odds)), page.probs.shown: None}
    for text in play(plan, SystemClock()):
        # Every output valued, unchanged but the text: Gradio rebuilds an output left out, at each
        # update. The tint only grows (sent as an append), as while the run streamed.
        tint = streaming_html(odds[: tokens_shown(texts, len(text))]) if odds else ""
        yield {run.output: text, run.status: playing, run.stats: "", run.stopped: STOPPED, view: tint}
    probs = finished_summary(request, odds)
    stats = replay_stats_text(entry, plan)
    yield {run.status: gr.update(value=info_html(f"{label} — a recorded answer, not a live run."), visible=True),
           run.stats: f"{stats} · {probs}" if probs else stats, view: view_update(odds, continuable=request.mode is Mode.COMPLETION),
           page.probs.shown: (request, odds) if odds else None}


def replay_label(entry: HistoryEntry) -> str:
    """E.g. "Replay of bars/warm, 2026-11-28 20:15"."""
    return f"Replay of {entry.model}, {entry_date(entry)}"


def replay_stats_text(entry: HistoryEntry, plan: ReplayPlan) -> str:
    """The recorded figures, marked as such, and how much faster the replay ran."""
    stats = entry.stats
    parts = [f"Replay of a recorded run: first token {_seconds(stats.get('time_to_first_token'))}",
             f"total {_seconds(stats.get('total_time'))}", f"{_number(stats.get('tokens'))} tokens"]
    if plan.speedup > 1:
        parts.append(f"played {plan.speedup:.1f}× faster")
    return " · ".join(parts)


def _seconds(value: object) -> str:
    return f"{value:.2f} s" if isinstance(value, int | float) and not isinstance(value, bool) else "—"


def _number(value: object) -> str:
    return f"{value:.0f}" if isinstance(value, int | float) and not isinstance(value, bool) else "—"
