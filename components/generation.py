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
from playground.config import Settings
from playground.events import Done, RunStats, Token, Waiting
from playground.form import FormValues, request_from_form
from playground.history import new_entry
from playground.model_ref import check_endpoint_allowed, is_endpoint_url
from playground.request import GenerationRequest
from playground.runs.fallback import choose_fallback, fallback_for, fallback_label, fallback_request, local_model_installed
from playground.tokens import pick_token

Update = tuple[Any, Any, Any, Any, Any]  # (output, status, stats, finished run for the history, "Run on" button)
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
    inputs, outputs = [*form.inputs(), session_token], [run.output, run.status, run.stats, finished_run, run.fallback]
    event = run.generate.click(handler, inputs=inputs, outputs=outputs, api_name="generate")
    run.stop.click(stop_run, inputs=None, outputs=run.status, cancels=[event], queue=False)
    return GenerateEvent(handler, inputs, outputs, event)


def wire_fallback(ctx: RunContext, form: Form, run: RunPanel, session_token: gr.Textbox, finished_run: gr.State) -> Any:
    """"Run on <model>" runs the form's request on the fallback model, labelled as such; Stop ends
    it, and editing "Model" withdraws the offer. Returns the event, for the history to record it."""
    inputs, outputs = [*form.inputs(), session_token], [run.output, run.status, run.stats, finished_run, run.fallback]
    event = run.fallback.click(make_generate_handler(ctx, fallback=True), inputs=inputs, outputs=outputs,
                               api_visibility="undocumented")
    run.stop.click(None, cancels=[event], queue=False, api_visibility="undocumented")
    form.model.model.input(withdraw_fallback, inputs=None, outputs=run.fallback, queue=False, api_visibility="undocumented")
    return event


def withdraw_fallback() -> dict:
    return gr.update(visible=False)


def make_generate_handler(ctx: RunContext, fallback: bool = False) -> Callable[..., Iterator[Update]]:
    """The Generate handler (or, with `fallback`, the "Run on <model>" one); its parameter names
    are the names of the `/generate` API's inputs."""

    def generate(
        model: str, provider: str, mode: str, system_prompt: str, prompt: str,
        temperature: float, max_new_tokens: int, seed: int | None, random_seed: bool,
        top_p: float, top_k: int, repetition_penalty: float, stop: str,
        session_token: str | None, oauth_token: gr.OAuthToken | None = None,
    ) -> Iterator[Update]:
        form = FormValues(model, provider, mode, system_prompt, prompt, temperature, max_new_tokens, seed,
                          random_seed, top_p, top_k, repetition_penalty, stop)
        token = pick_token(session_token, oauth_token.token if oauth_token else None, ctx.settings)
        yield from _generate(ctx, form, token, fallback)

    return generate


def _generate(ctx: RunContext, form: FormValues, token: str | None, fallback: bool = False) -> Iterator[Update]:
    try:
        request = _checked_request(ctx, form)
        failed_model, request = _fallback_of(ctx, request) if fallback else (None, request)
    except e.PlaygroundError as error:
        yield _failure(error)
        return
    sending = f"Sending to {request.model} instead of {failed_model} (fallback)…" if failed_model else "Sending…"
    yield gr.skip(), gr.update(value=info_html(sending), visible=True), "", None, gr.update(visible=False)
    yield from _render_run(ctx, request, token, fallback_for=failed_model)


def _fallback_of(ctx: RunContext, request: GenerationRequest) -> tuple[str, GenerationRequest]:
    """(the failing model, the same request on its fallback). Raises NotServedError without one."""
    model = choose_fallback(request.model, ctx.settings.fallback_models, local_model_installed())
    if model is None:
        raise e.NotServedError("no fallback model is configured (PLAYGROUND_FALLBACK_MODELS)")
    return request.model, fallback_request(request, model)


def _checked_request(ctx: RunContext, form: FormValues) -> GenerationRequest:
    request = request_from_form(form)
    if ctx.settings.on_space and is_endpoint_url(request.model):
        check_endpoint_allowed(request.model, ctx.settings.endpoint_allowlist)
    return request


def _render_run(ctx: RunContext, request: GenerationRequest, token: str | None, fallback_for: str | None = None) -> Iterator[Update]:
    """`fallback_for`: the failed model this run stands in for; status, stats and history say so."""
    text, skip = "", gr.skip()
    label = fallback_label(fallback_for, request.model) if fallback_for else None
    try:
        for event in ctx.backend.run(request, token):
            if isinstance(event, Waiting):
                yield skip, gr.update(value=waiting_html(event), visible=True), skip, skip, skip
            elif isinstance(event, Token):
                first = not text
                text += event.text
                yield text, (_answering_status(label) if first else skip), skip, skip, skip
            elif isinstance(event, Done):
                entry = new_entry(request, text, stats_record(event.stats), fallback_for=fallback_for).model_dump(mode="json")
                stats = f"{label} · {stats_text(event.stats)}" if label else stats_text(event.stats)
                yield (text or skip), _finished_status(event, label), stats, entry, skip
    except e.PlaygroundError as error:
        yield _failure(error, partial_output=text, offer=None if fallback_for else _fallback_offer(ctx, error, request))


def _answering_status(label: str | None) -> dict:
    return gr.update(value=info_html(label), visible=True) if label else gr.update(visible=False)


def _finished_status(done: Done, label: str | None = None) -> dict:
    if not done.stats.tokens:
        return gr.update(value=info_html(NO_TEXT), visible=True)
    return _answering_status(label)


def _fallback_offer(ctx: RunContext, error: e.PlaygroundError, request: GenerationRequest) -> dict:
    model = fallback_for(error, request.model, ctx.settings.fallback_models, local_model_installed())
    return gr.update(value=f"Run on {model}", visible=True) if model else gr.update(visible=False)


def _failure(error: e.PlaygroundError, partial_output: str = "", offer: dict | None = None) -> Update:
    gr.Warning(error_text(error))
    # Text already streamed is kept; with none, the previous answer stays on screen.
    return (partial_output or gr.skip()), gr.update(value=error_html(error), visible=True), gr.skip(), None, offer or gr.update(visible=False)


def stats_record(stats: RunStats) -> dict[str, float | int | None]:
    """The stats as plain numbers, as the history keeps them."""
    return {"time_to_first_token": stats.time_to_first_token, "total_time": stats.total_time, "tokens": stats.tokens,
            "tokens_per_second": stats.tokens_per_second, "attempts": stats.attempts}


def stop_run() -> dict:
    return gr.update(value=info_html("Stopped."), visible=True)
