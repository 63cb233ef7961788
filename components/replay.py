""""Replay" in the history panel: plays the picked run back at its recorded pace, sending nothing.

The status panel says "Replay of <model>, <date>" from the first piece to the end, and the stats
line shows the recorded figures as recorded ones; a replay is never added to the history.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from components.context import RunContext
from components.messages import STOPPED, info_html
from components.page import Page
from playground.inference.clock import SystemClock
from playground.runs.replay import ReplayPlan, play, replay_plan
from playground.saved.history import HistoryEntry, entry_date, find_entry, parse_history


def wire_replay(ctx: RunContext, page: Page) -> Any:
    """Replay streams into Output; Stop ends it (the event joins `ctx.streams`)."""
    history, run = page.history, page.run

    def replay(entry_id: str | None, stored: Any) -> Iterator[dict[Any, Any]]:
        yield from replay_updates(page, entry_id, stored)

    return ctx.streaming(history.replay.click(replay, inputs=[history.runs, history.stored],
                                              outputs=[run.output, run.status, run.stats, run.stopped],
                                              api_visibility="undocumented"))


def replay_updates(page: Page, entry_id: str | None, stored: Any) -> Iterator[dict[Any, Any]]:
    run = page.run
    entry = find_entry(stored, entry_id) if entry_id else next(iter(parse_history(stored)), None)
    if entry is None:
        raise gr.Error("There is no run in the history yet.")
    plan = replay_plan(entry.output, entry.stats)
    label = replay_label(entry)
    playing = info_html(f"{label} — playing back the recorded answer; no request is sent.")
    yield {run.status: gr.update(value=playing, visible=True), run.output: "", run.stats: "", run.stopped: gr.update(visible=False)}
    for text in play(plan, SystemClock()):
        # Every output valued, unchanged but the text: Gradio rebuilds an output left out, at each update.
        yield {run.output: text, run.status: playing, run.stats: "", run.stopped: STOPPED}
    yield {run.status: gr.update(value=info_html(f"{label} — a recorded answer, not a live run."), visible=True),
           run.stats: replay_stats_text(entry, plan)}


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
