"""The Generate and Stop events: form values in, streamed output, status panel and stats out.

The handler only renders what the backend reports, as `{component: value}` updates that touch
only what changes. Failures are shown in the status panel (and as a toast); the prompt, the
settings and the previous output are left exactly as they were.

Every event that streams a run joins `RunContext.streams` (`ctx.streaming(event)`); `wire_stop`,
called once every panel is wired, builds Stop's `cancels` from that list, so Stop ends every
stream the page started.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from components.form import Form, read_form
from components.messages import (
    error_html,
    error_text,
    info_html,
    silence_html,
    silence_text,
    stats_text,
    waiting_html,
)
from components.run_panel import RunPanel
from playground import errors as e
from playground.backend import Backend
from playground.coalesce import coalesce
from playground.config import Settings
from playground.events import Done, RunStats, Silence, Token, Waiting
from playground.form_values import FormValues, request_from_form
from playground.history import new_entry
from playground.model_ref import check_endpoint_allowed, is_endpoint_url
from playground.request import GenerationRequest
from playground.token_format import check_token_format
from playground.tokens import pick_token, token_for_model

Update = dict[Any, Any]  # {component: value}; components left out stay as they are
GAP_SHOWN_AFTER = 3.0  # seconds: a pause between tokens shorter than this is not worth a notice
NO_TEXT = "The model answered with no text: an empty answer, or an answer that is not a token stream. Earlier output is kept."


@dataclass(frozen=True)
class RunContext:
    backend: Backend
    settings: Settings
    streams: list[Any] = field(default_factory=list)  # every event that streams a run; Stop cancels them all

    def streaming(self, event: Any) -> Any:
        """Registers an event that streams a run, so Stop cancels it; returns it for chaining."""
        self.streams.append(event)
        return event


@dataclass(frozen=True)
class GenerateEvent:
    """The Generate handler with its inputs and outputs, so other panels (Re-run) can chain it."""

    handler: Callable[..., Iterator[Update]]
    inputs: dict[str, Any]  # inputs_kwargs: the form's fields and the session token, by name
    outputs: list[Any]
    event: Any = None  # the Generate button's event, for chaining `.then(...)`

    def chain(self, ctx: RunContext, after: Any) -> Any:
        """Runs Generate when `after` succeeds (e.g. Re-run's restore), as one more stream Stop ends."""
        return ctx.streaming(after.success(self.handler, inputs_kwargs=self.inputs, outputs=self.outputs,
                                           api_visibility="undocumented"))


@dataclass(frozen=True)
class RunOutputs:
    """Where a run's updates go: one pane's output, status panel, stats line, and the finished
    run's history entry (None when the run failed or was stopped)."""

    output: Any
    status: Any
    stats: Any
    finished: Any

    def all(self) -> list[Any]:
        return [self.output, self.status, self.stats, self.finished]


def wire_generation(ctx: RunContext, form: Form, run: RunPanel, session_token: gr.Textbox, finished_run: gr.State) -> GenerateEvent:
    """Generate streams into Output. `finished_run` receives the history entry of a run that
    completed (None otherwise)."""
    outputs = RunOutputs(run.output, run.status, run.stats, finished_run)
    handler = make_generate_handler(ctx, outputs)
    inputs = {**form.by_name(), "session_token": session_token}
    event = run.generate.click(handler, inputs_kwargs=inputs, outputs=outputs.all(), api_name="generate")
    ctx.streaming(event)
    return GenerateEvent(handler, inputs, outputs.all(), event)


def wire_stop(ctx: RunContext, run: RunPanel) -> None:
    """Stop cancels every stream registered so far: call it after every panel is wired."""
    run.stop.click(stop_run, inputs=None, outputs=run.status, cancels=list(ctx.streams), queue=False,
                   api_visibility="undocumented")


def make_generate_handler(ctx: RunContext, outputs: RunOutputs) -> Callable[..., Iterator[Update]]:
    """The Generate handler. It takes the form's fields (FormValues) and `session_token` by name:
    those are the names, and the order, of the `/generate` API's inputs."""

    def generate(oauth_token: gr.OAuthToken | None = None, **values: Any) -> Iterator[Update]:
        session_token = values.get("session_token")
        token = pick_token(session_token if isinstance(session_token, str) else None,
                           oauth_token.token if oauth_token else None, ctx.settings)
        yield from _generate(ctx, outputs, read_form(values), token)

    return generate


def _generate(ctx: RunContext, out: RunOutputs, form: FormValues, token: str | None) -> Iterator[Update]:
    try:
        request = _checked_request(ctx, form)
        check_token_format(token)
    except e.PlaygroundError as error:
        yield _failure(out, error)
        return
    yield {out.status: gr.update(value=info_html("Sending…"), visible=True), out.stats: "", out.finished: None}
    yield from _render_run(ctx.backend, out, request, token_for_model(token, request.model, ctx.settings), ctx.settings.ui_update_interval)


def _checked_request(ctx: RunContext, form: FormValues) -> GenerationRequest:
    request = request_from_form(form)
    if ctx.settings.on_space and is_endpoint_url(request.model):
        check_endpoint_allowed(request.model, ctx.settings.endpoint_allowlist)
    return request


def _render_run(
    backend: Backend, out: RunOutputs, request: GenerationRequest, token: str | None, update_interval: float
) -> Iterator[Update]:
    text = ""
    silence_shown: str | None = None  # the silence notice on screen, so an unchanged one is not re-sent
    try:
        # One page update per `update_interval` at most: a fast provider's tokens arrive merged.
        for event in coalesce(backend.run(request, token), update_interval):
            if isinstance(event, Waiting):
                silence_shown = None
                yield {out.status: gr.update(value=waiting_html(event), visible=True)}
            elif isinstance(event, Silence):
                if _worth_showing(event) and silence_text(event) != silence_shown:
                    silence_shown = silence_text(event)
                    yield {out.status: gr.update(value=silence_html(event), visible=True)}
            elif isinstance(event, Token):
                hide = not text or silence_shown is not None
                silence_shown = None
                text += event.text
                # Re-send the status ("" once hidden) and stats ("" since "Sending…") unchanged rather than leave
                # them out: Gradio rebuilds a component for each output left out (gr.skip(), about 1 ms each on
                # its event loop), while an unchanged value costs a diff that comes out empty.
                status = gr.update(value="", visible=False) if hide else ""
                yield {out.output: text, out.status: status, out.stats: ""}
            elif isinstance(event, Done):
                entry = new_entry(request, text, stats_record(event.stats), ignored_params=event.stats.ignored_params).model_dump(mode="json")
                done = {out.status: _finished_status(event), out.stats: stats_text(event.stats), out.finished: entry}
                yield {out.output: text, **done} if text else done
    except e.PlaygroundError as error:
        yield _failure(out, error, partial_output=text)


def _worth_showing(silence: Silence) -> bool:
    return silence.seconds >= (1.0 if silence.first_token else GAP_SHOWN_AFTER)


def _finished_status(done: Done) -> dict:
    if done.stats.tokens:
        return gr.update(visible=False)
    return gr.update(value=info_html(NO_TEXT), visible=True)


def _failure(out: RunOutputs, error: e.PlaygroundError, partial_output: str = "") -> Update:
    gr.Warning(error_text(error))
    update = {out.status: gr.update(value=error_html(error), visible=True), out.finished: None}
    # Text already streamed is kept; with none, the previous answer stays on screen.
    return {out.output: partial_output, **update} if partial_output else update


def stats_record(stats: RunStats) -> dict[str, float | int | None]:
    """The stats as plain numbers, as the history keeps them."""
    return {"time_to_first_token": stats.time_to_first_token, "total_time": stats.total_time, "tokens": stats.tokens,
            "tokens_per_second": stats.tokens_per_second, "attempts": stats.attempts}


def stop_run() -> dict:
    return gr.update(value=info_html("Stopped."), visible=True)
