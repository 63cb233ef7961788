"""A pane's or a sweep cell's state in words: the status card of a pane, the status of a table row.

Built on components/messages.py, which turns errors and waits into words for the whole page, so a
pane, a table row and an export all say what the single-run status panel would say.
"""

from __future__ import annotations

from components.messages import error_html, error_text, info_html, silence_html, silence_text, waiting_html, waiting_text, worth_showing
from playground.runs.results import RunResult, RunState
from playground.runs.scheduler import Queued
from playground.runs.slots import Turn

NO_TEXT = "The model answered with no text."
_TURN_WORDS = {
    Turn.LOCAL: "Waiting its turn: the built-in model answers one request at a time.",
    Turn.MODEL: "Waiting its turn: at most {limit} runs of one model at once.",
    Turn.VISITOR: "Waiting its turn: at most {limit} of your runs at once.",
    Turn.SERVER: "Waiting its turn: the server runs at most {limit} streams at once.",
}


def turn_note(queued: Queued | None) -> str:
    """E.g. "Waiting its turn: at most 8 of your runs at once."."""
    queued = queued or Queued()
    return _TURN_WORDS[queued.turn].format(limit=queued.limit)


def status_text(result: RunResult) -> str:
    """One line for a table row or an export, e.g. "done", "failed: Model not found (...)",
    "Waiting for the first token — 12 s"."""
    if result.state is RunState.FAILED and result.error is not None:
        return f"failed: {error_text(result.error)}"
    if result.state is RunState.RETRYING and result.waiting is not None:
        return waiting_text(result.waiting)
    if result.state is RunState.DONE and not result.output:
        return f"done: {NO_TEXT}"
    if _silent(result):
        return silence_text(result.silence)  # type: ignore[arg-type]  # _silent checked it
    return result.state.value


def status_card(result: RunResult) -> str:
    """The pane's status card (HTML): while waiting, sending, failed or stopped; empty while text streams."""
    state = result.state
    if state is RunState.RETRYING and result.waiting is not None:
        return waiting_html(result.waiting)
    if state is RunState.FAILED and result.error is not None:
        return error_html(result.error)
    if state is RunState.QUEUED:
        return info_html(turn_note(result.queued))
    if state is RunState.STOPPED:
        return info_html("Stopped.")
    if state is RunState.DONE and not result.output:
        return info_html(NO_TEXT)
    if _silent(result):
        return silence_html(result.silence)  # type: ignore[arg-type]
    if state is RunState.SENDING:
        return info_html("Sending…")
    return ""


def _silent(result: RunResult) -> bool:
    """Sending or streaming, and the model has been silent long enough to say so (with a countdown)."""
    silence = result.silence
    return result.state in (RunState.SENDING, RunState.STREAMING) and silence is not None and worth_showing(silence)
