"""The Generate and Stop events: form values in, streamed output, status panel and stats out.

The handler only renders what the backend reports. Failures are shown in the status panel (and
as a toast); the prompt, the settings and the previous output are left exactly as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
from playground.chat.facts import FactsLookup
from playground.config import Settings
from playground.events import Done, RunStats, Token, Waiting
from playground.form import FormValues, request_from_form
from playground.history import new_entry
from playground.model_ref import check_endpoint_allowed, is_endpoint_url
from playground.request import GenerationRequest, Mode
from playground.tokens import pick_token

Update = tuple[Any, Any, Any, Any]  # (output, status, stats, finished run for the history)
if TYPE_CHECKING:  # chat_events builds on this module
    from components.chat_events import ChatWiring

NO_TEXT = "The model answered with no text: an empty answer, or an answer that is not a token stream. Earlier output is kept."


@dataclass(frozen=True)
class RunContext:
    """`facts` looks up a model's router facts (context length, price, structured output) for Chat mode."""

    backend: Backend
    settings: Settings
    facts: FactsLookup | None = None


@dataclass(frozen=True)
class GenerateEvent:
    """The Generate handler with its inputs and outputs, so other panels (Re-run) can chain it."""

    handler: Callable[..., Iterator[Update]]
    inputs: list[Any]
    outputs: list[Any]
    event: Any = None  # the Generate button's event, for chaining `.then(...)`


def wire_generation(ctx: RunContext, form: Form, run: RunPanel, session_token: gr.Textbox, finished_run: gr.State,
                    chat: ChatWiring) -> GenerateEvent:
    """Generate streams into Output (Completion) or the conversation (Chat); Stop cancels it at once.
    `finished_run` receives the history entry of a run that completed (None otherwise)."""
    base = [run.output, run.status, run.stats, finished_run]
    handler = make_generate_handler(ctx, base, chat)
    inputs = [*form.inputs(), session_token, *chat.inputs]
    outputs = list(dict.fromkeys([*base, *chat.outputs.all()]))
    event = run.generate.click(handler, inputs=inputs, outputs=outputs, api_name="generate")
    run.stop.click(stop_run, inputs=None, outputs=run.status, cancels=[event], queue=False)
    return GenerateEvent(handler, inputs, outputs, event)


def make_generate_handler(ctx: RunContext, base: list[Any], chat: ChatWiring) -> Callable[..., Iterator[dict]]:
    """The Generate handler; its parameter names are the names of the `/generate` API's inputs.
    In Chat mode the conversation (`chat_state`) and the response format go with the message."""

    def generate(
        model: str, provider: str, mode: str, system_prompt: str, prompt: str,
        temperature: float, max_new_tokens: int, seed: int | None, random_seed: bool,
        top_p: float, top_k: int, repetition_penalty: float, stop: str,
        session_token: str | None, chat_state: Any = None, response_format: str = "Text", json_schema: str = "",
        oauth_token: gr.OAuthToken | None = None,
    ) -> Iterator[dict]:
        form = FormValues(model, provider, mode, system_prompt, prompt, temperature, max_new_tokens, seed,
                          random_seed, top_p, top_k, repetition_penalty, stop)
        token = pick_token(session_token, oauth_token.token if oauth_token else None, ctx.settings)
        if mode == Mode.CHAT.value:
            yield from chat.run(form, token, chat_state, response_format, json_schema)
            return
        for update in _generate(ctx, form, token):
            yield dict(zip(base, update, strict=True))

    return generate


def _generate(ctx: RunContext, form: FormValues, token: str | None) -> Iterator[Update]:
    try:
        request = checked_request(ctx, form)
    except e.PlaygroundError as error:
        yield _failure(error)
        return
    yield gr.skip(), gr.update(value=info_html("Sending…"), visible=True), "", None
    yield from _render_run(ctx.backend, request, token)


def checked_request(ctx: RunContext, form: FormValues) -> GenerationRequest:
    """The form's request, validated, with a concrete seed; on a Space, endpoint URLs must be allowed."""
    request = request_from_form(form)
    if ctx.settings.on_space and is_endpoint_url(request.model):
        check_endpoint_allowed(request.model, ctx.settings.endpoint_allowlist)
    return request


def _render_run(backend: Backend, request: GenerationRequest, token: str | None) -> Iterator[Update]:
    text = ""
    try:
        for event in backend.run(request, token):
            if isinstance(event, Waiting):
                yield gr.skip(), gr.update(value=waiting_html(event), visible=True), gr.skip(), gr.skip()
            elif isinstance(event, Token):
                first = not text
                text += event.text
                yield text, (gr.update(visible=False) if first else gr.skip()), gr.skip(), gr.skip()
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
