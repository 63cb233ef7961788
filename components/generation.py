"""The Generate and Stop events: form values in, streamed output, status panel and stats out.

The handler only renders what the backend reports. Failures are shown in the status panel (and
as a toast); the prompt, the settings and the previous output are left exactly as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.form import Form
from components.messages import (
    error_html,
    error_text,
    info_html,
    stats_text,
    waiting_html,
)
from components.run_panel import RunPanel
from playground import errors as e
from playground.backend import Backend
from playground.coalesce import coalesce
from playground.config import Settings
from playground.events import Done, RunStats, Token, Waiting
from playground.form import FormValues, request_from_form
from playground.history import new_entry
from playground.model_ref import check_endpoint_allowed, is_endpoint_url
from playground.request import GenerationRequest
from playground.tokens import pick_token

Update = tuple[Any, Any, Any, Any]  # (output, status, stats, finished run for the history)
# A token update re-sends the status ("" once hidden) and stats ("" since "Sending…") as they are
# instead of gr.skip(): Gradio rebuilds a component for each skipped output (about 1 ms each, on
# its event loop), while an unchanged value costs a diff that comes out empty. State skips are free.
NO_TEXT = "The model answered with no text: an empty answer, or an answer that is not a token stream. Earlier output is kept."


@dataclass(frozen=True)
class RunContext:
    backend: Backend
    settings: Settings


@dataclass(frozen=True)
class GenerateEvent:
    """The Generate handler with its inputs and outputs, so other panels (Re-run) can chain it."""

    handler: Callable[..., Iterator[Update]]
    inputs: list[Any]
    outputs: list[Any]
    event: Any = None  # the Generate button's event, for chaining `.then(...)`


def wire_generation(ctx: RunContext, form: Form, run: RunPanel, session_token: gr.Textbox, finished_run: gr.State) -> GenerateEvent:
    """Generate streams into Output; Stop cancels it at once. `finished_run` receives the history
    entry of a run that completed (None otherwise)."""
    handler = make_generate_handler(ctx)
    inputs, outputs = [*form.inputs(), session_token], [run.output, run.status, run.stats, finished_run]
    event = run.generate.click(handler, inputs=inputs, outputs=outputs, api_name="generate")
    run.stop.click(stop_run, inputs=None, outputs=run.status, cancels=[event], queue=False)
    return GenerateEvent(handler, inputs, outputs, event)


def make_generate_handler(ctx: RunContext) -> Callable[..., Iterator[Update]]:
    """The Generate handler; its parameter names are the names of the `/generate` API's inputs."""

    def generate(
        model: str, provider: str, mode: str, system_prompt: str, prompt: str,
        temperature: float, max_new_tokens: int, seed: int | None, random_seed: bool,
        top_p: float, top_k: int, repetition_penalty: float, stop: str,
        session_token: str | None, oauth_token: gr.OAuthToken | None = None,
    ) -> Iterator[Update]:
        form = FormValues(model, provider, mode, system_prompt, prompt, temperature, max_new_tokens, seed,
                          random_seed, top_p, top_k, repetition_penalty, stop)
        token = pick_token(session_token, oauth_token.token if oauth_token else None, ctx.settings)
        yield from _generate(ctx, form, token)

    return generate


def _generate(ctx: RunContext, form: FormValues, token: str | None) -> Iterator[Update]:
    try:
        request = _checked_request(ctx, form)
    except e.PlaygroundError as error:
        yield _failure(error)
        return
    yield gr.skip(), gr.update(value=info_html("Sending…"), visible=True), "", None
    yield from _render_run(ctx.backend, request, token, ctx.settings.ui_update_interval)


def _checked_request(ctx: RunContext, form: FormValues) -> GenerationRequest:
    request = request_from_form(form)
    if ctx.settings.on_space and is_endpoint_url(request.model):
        check_endpoint_allowed(request.model, ctx.settings.endpoint_allowlist)
    return request


def _render_run(backend: Backend, request: GenerationRequest, token: str | None, update_interval: float) -> Iterator[Update]:
    text = ""
    try:
        # One page update per `update_interval` at most: a fast provider's tokens arrive merged.
        for event in coalesce(backend.run(request, token), update_interval):
            if isinstance(event, Waiting):
                yield gr.skip(), gr.update(value=waiting_html(event), visible=True), gr.skip(), gr.skip()
            elif isinstance(event, Token):
                first = not text
                text += event.text
                yield text, (gr.update(value="", visible=False) if first else ""), "", gr.skip()
            elif isinstance(event, Done):
                entry = new_entry(request, text, stats_record(event.stats)).model_dump(mode="json")
                yield (text or gr.skip()), _finished_status(event), stats_text(event.stats), entry
    except e.PlaygroundError as error:
        yield _failure(error, partial_output=text)


def _finished_status(done: Done) -> dict:
    if done.stats.tokens:
        return gr.update(visible=False)
    return gr.update(value=info_html(NO_TEXT), visible=True)


def _failure(error: e.PlaygroundError, partial_output: str = "") -> Update:
    gr.Warning(error_text(error))
    # Text already streamed is kept; with none, the previous answer stays on screen.
    return (partial_output or gr.skip()), gr.update(value=error_html(error), visible=True), gr.skip(), None


def stats_record(stats: RunStats) -> dict[str, float | int | None]:
    """The stats as plain numbers, as the history keeps them."""
    return {"time_to_first_token": stats.time_to_first_token, "total_time": stats.total_time, "tokens": stats.tokens,
            "tokens_per_second": stats.tokens_per_second, "attempts": stats.attempts}


def stop_run() -> dict:
    return gr.update(value=info_html("Stopped."), visible=True)
