"""A pane's or a sweep cell's state in words: the status card of a pane, the status of a table row.

Built on components/messages.py, which turns errors and waits into words for the whole page, so a
pane, a table row and an export all say what the single-run status panel would say.
"""

from __future__ import annotations

from components.messages import error_html, error_text, info_html, silence_html, waiting_html, waiting_text, worth_showing
from playground.local import LOCAL_MODEL_NAME
from playground.runs.results import RunResult, RunState

NO_TEXT = "The model answered with no text."
TURN_NOTE = {True: "Waiting its turn: the built-in model answers one request at a time.",
             False: "Waiting its turn: at most 4 runs of one model at once."}


def status_text(result: RunResult) -> str:
    """One line for a table row or an export, e.g. "done", "failed: Model not found (...)"."""
    if result.state is RunState.FAILED and result.error is not None:
        return f"failed: {error_text(result.error)}"
    if result.state is RunState.RETRYING and result.waiting is not None:
        return waiting_text(result.waiting)
    if result.state is RunState.DONE and not result.output:
        return f"done: {NO_TEXT}"
    return result.state.value


def status_card(result: RunResult) -> str:
    """The pane's status card (HTML): while waiting, sending, failed or stopped; empty while text streams."""
    state = result.state
    if state is RunState.RETRYING and result.waiting is not None:
        return waiting_html(result.waiting)
    if state is RunState.FAILED and result.error is not None:
        return error_html(result.error)
    if state is RunState.QUEUED:
        return info_html(TURN_NOTE[result.request.model == LOCAL_MODEL_NAME])
    if state is RunState.STOPPED:
        return info_html("Stopped.")
    if state is RunState.DONE and not result.output:
        return info_html(NO_TEXT)
    if state in (RunState.SENDING, RunState.STREAMING) and result.silence is not None and worth_showing(result.silence):
        return silence_html(result.silence)
    if state is RunState.SENDING:
        return info_html("Sending…")
    return ""
