"""What Compare and Sweep read from the page: the form's validated request and the visitor's tokens.

The one place that turns the shared form (prompt, system prompt, the parameters column) into the
`GenerationRequest` every pane and cell is derived from, with the same checks as Generate, and
that gives each run the token its model may receive (as Generate does).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import gradio as gr

from components.context import QUIET, STOP_ARMED, STOP_IDLE, RunContext, checked_request, page_url, run_ended, run_started
from components.form import read_form
from components.group_record import record_finished
from components.page import Page
from playground.errors import PlaygroundError
from playground.hf.tokens import Tokens
from playground.input.request import GenerationRequest

TOKEN_FIELDS = ("session_token", "endpoint_token")  # the token fields' input names, kept out of View code


def form_request(ctx: RunContext, values: Mapping[str, Any], **pane: Any) -> GenerationRequest:
    """The validated request (concrete seed) from form fields by name, exactly as Generate builds
    it, for `pane`'s model, provider and mode when given. "Served model" was picked for the
    Playground's endpoint URL: it goes only with that model. Raises InvalidModelError or
    InvalidParametersError."""
    served = values.get("served_model") if pane.get("model", values.get("model")) == values.get("model") else ""
    return checked_request(ctx, read_form({**values, **pane, "served_model": served}))


def token_for(ctx: RunContext, tokens: Tokens) -> Callable[[str], str | None]:
    """For the scheduler: the token each model may receive (`Tokens.for_model`: never the server's own
    to an endpoint URL, the Endpoint token only to another host's)."""
    return lambda model: tokens.for_model(model, ctx.settings)


def called_request(ctx: RunContext, request: GenerationRequest) -> GenerationRequest:
    """The request as the backend calls it: the built-in model at its local URL, so "View code"
    makes the backend's exact call. If the built-in model can't start, its name is kept."""
    try:
        local_url = ctx.backend.resolve_url(request.model)
    except PlaygroundError:
        return request
    return request.model_copy(update={"model": local_url}) if local_url else request


def drawn_tab_run(page: Page, start: Any, handler: Callable[..., Any], inputs: Mapping[str, Any], panel: Any) -> Any:
    """The run of a tab drawn on demand (Compare, the Sweep, the Arena), on `start` (its button's `.click`):
    counted by the page's Stop, which is prominent while it goes on (as `run_panel.wire_running` counts
    the page's own runs), with the tab's own Stop armed. Returns the run's event."""
    counted = [page.run.stop, page.run.running]
    start(run_started, inputs=page.run.running, outputs=counted, **QUIET)  # before the run: a click's events run in wiring order
    arm_stop(start, panel.stop)
    event = start(handler, inputs_kwargs=dict(inputs), outputs=panel.run_outputs(), api_visibility="undocumented")
    event.then(run_ended, inputs=page.run.running, outputs=counted, **QUIET)
    return event


def recorded(page: Page, event: Any, panel: Any) -> None:
    """When Compare's or the Sweep's run `event` ends, its finished entry (`panel.finished`) joins the Compare and sweep history."""
    record_finished(event, panel.finished, page.group_history.stored, page.group_history.runs)


def arm_stop(start: Any, stop: gr.Button) -> None:
    """The tab's Stop turns prominent as its run starts. Wire this before the run: a click's events
    run in the order they were wired."""
    start(armed_stop, inputs=None, outputs=stop, queue=False, show_progress="hidden", api_visibility="undocumented")


def wire_stop_and_code(panel: Any, inputs: Mapping[str, Any], code_for: Callable[[Mapping[str, Any], str], dict],
                       *runs: Any) -> None:
    """A Compare or Sweep tab's own Stop and View code. Stop asks the run to stop (through
    `panel.live`), so the run marks its unfinished panes or rows "Stopped." itself: a cancel from
    outside would leave them as they were; the page's Stop cancels it like any stream. Stop is
    prominent while one of the tab's `runs` goes on (see `arm_stop`), small and neutral otherwise. View code
    reads the tab's inputs without the token fields: a snippet never holds a token."""
    panel.stop.click(request_stop, inputs=panel.live, outputs=[panel.live, panel.stop], **QUIET)
    for run in runs:
        run.then(idle_stop, inputs=None, outputs=panel.stop, **QUIET)

    def view_code(request: gr.Request, **values: Any) -> dict:
        return code_for(values, page_url(request))

    panel.show_code.click(view_code, inputs_kwargs={k: v for k, v in inputs.items() if k not in TOKEN_FIELDS},
                          outputs=[panel.share_link, panel.code, panel.status], api_visibility="undocumented")


def armed_stop() -> dict:
    return gr.update(**STOP_ARMED)


def idle_stop() -> dict:
    return gr.update(**STOP_IDLE)


def request_stop(live: Any) -> list[Any]:
    """[the run's cancel flag, Stop]: asks the tab's run to stop; with nothing running, nothing happens."""
    if not isinstance(live, threading.Event):
        return [gr.skip(), gr.skip()]
    live.set()
    return [gr.skip(), idle_stop()]
