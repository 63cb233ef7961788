"""The Generate handlers: form values in, streamed output, status panel and stats out.

The handler only renders what the backend reports, as `{component: value}` updates that touch
only what changes. Failures are shown in the status panel (and as a toast); the prompt, the
settings and the previous output are left exactly as they were. Chat-mode messages go to
components/chat_events.py; the buttons are wired by components/run_panel.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.chat_events import ChatWiring, chat_wiring
from components.context import RunContext, Update, checked_request, session_of, visitor_tokens
from components.form import read_form
from components.messages import (
    FALLBACK_IDLE,
    STOPPED,
    error_html,
    info_html,
    silence_html,
    silence_text,
    stats_text,
    waiting_html,
    worth_showing,
)
from components.page import Page
from components.token_view import finished_summary, streaming_html, view_update
from playground import errors as e
from playground.hf.tokens import Tokens
from playground.inference.clock import Heartbeat
from playground.inference.coalesce import coalesce
from playground.inference.events import Done, Event, Silence, Token, Waiting
from playground.inference.probabilities import TokenOdds, asks_for_probabilities, bounded
from playground.input.form_values import FormValues
from playground.input.request import GenerationRequest, Mode
from playground.local.setup import local_model_installed
from playground.runs.fallback import choose_fallback, fallback_request, offered_fallback
from playground.runs.slots import ended_with_session
from playground.saved.history import fallback_label, new_entry

# Gradio's preprocess (per input) and postprocess (per output) each hop to a worker thread, and
# for these controls only copy the value: the form is checked by GenerationRequest, and the
# Completion outputs take plain strings. A streamed update would pay the hops every time.
RAW_VALUES = {"preprocess": False, "postprocess": False}
NO_TEXT = "The model answered with no text: an empty answer, or an answer that is not a token stream. Earlier output is kept."


@dataclass(frozen=True)
class GenerateEvent:
    """The Generate handler with its inputs and outputs, so other panels (Re-run) can chain it."""

    handler: Callable[..., Iterator[Update]]  # routes by mode
    inputs: dict[str, Any]  # inputs_kwargs: the form's fields, both token fields and the conversation, by name
    outputs: list[Any]  # both modes' outputs

    def chain(self, ctx: RunContext, after: Any) -> Any:
        """Runs Generate when `after` succeeds (e.g. Re-run's restore), as one more stream Stop ends."""
        return ctx.streaming(after.success(self.handler, inputs_kwargs=self.inputs, outputs=self.outputs,
                                           api_visibility="undocumented"))


@dataclass(frozen=True)
class RunOutputs:
    """Where a run's updates go: one pane's output, status panel, stats line, and the finished
    run's history entry (None when the run failed or was stopped); `fallback`, when given, is the
    "Run on <model>" button offered under a failure a retry won't fix."""

    output: Any
    status: Any
    stats: Any
    finished: Any
    fallback: Any = None
    stopped: Any = None  # the page's "Stopped." panel, which a run hides when it starts (not in the API's outputs)
    # The "Token probabilities" view and the answer it shows (what a continuation starts from); not in the API's outputs.
    probs_view: Any = None
    probs_shown: Any = None

    def all(self) -> list[Any]:
        extra = (self.fallback, self.probs_view, self.probs_shown, self.stopped)
        return [self.output, self.status, self.stats, self.finished, *(c for c in extra if c is not None)]

    def optional(self, fallback: Any, stopped: Any) -> dict[Any, Any]:
        """Updates for the "Run on" button and the "Stopped." panel, where this place has them."""
        pairs = ((self.fallback, fallback), (self.stopped, stopped))
        return {component: update for component, update in pairs if component is not None}


def run_outputs(page: Page, api: bool = False) -> RunOutputs:
    """The run panel's outputs; the `/generate` API's (`api`) leave out the page's "Stopped." panel."""
    run = page.run
    if api:
        return RunOutputs(run.output, run.status, run.stats, page.finished_run, run.fallback)
    return RunOutputs(run.output, run.status, run.stats, page.finished_run, run.fallback, run.stopped, page.probs.view, page.probs.shown)


def generate_inputs(page: Page) -> dict[str, Any]:
    """`inputs_kwargs` of Generate: the form's fields, then `session_token` and `endpoint_token` (the
    token fields), by name: the `/generate` API's inputs."""
    return {**page.form.by_name(), **page.auth.inputs()}


def generate_event(ctx: RunContext, page: Page) -> GenerateEvent:
    """The handler that routes by mode, with both modes' outputs and the conversation as an input
    (what Re-run chains: it restores a run of either mode and then runs it)."""
    chat = chat_wiring(ctx, page)
    outputs = run_outputs(page)
    every_output = list(dict.fromkeys([*outputs.all(), *chat.outputs.all()]))
    inputs = {**generate_inputs(page), "chat_state": chat.state}
    return GenerateEvent(make_generate_handler(ctx, outputs, chat), inputs, every_output)


def make_generate_handler(ctx: RunContext, outputs: RunOutputs, chat: ChatWiring | None = None,
                          fallback: bool = False) -> Callable[..., Iterator[Update]]:
    """The Generate handler (with `fallback`, the "Run on <model>" one). It takes the form's fields
    (FormValues), `session_token` and `endpoint_token` by name: those are the names, and the order,
    of the `/generate` API's inputs. With `chat`, a Chat-mode message goes to the visitor's conversation
    (`chat_state`); without, it is sent on its own."""

    def generate(oauth_token: gr.OAuthToken | None = None, request: gr.Request = None, **values: Any) -> Iterator[Update]:
        tokens = visitor_tokens(ctx, values, oauth_token)
        if chat is not None and values.get("mode") == Mode.CHAT.value:
            yield from chat.run(read_form(values), tokens, values.get("chat_state"), session_of(request))
            return
        yield from _generate(ctx, outputs, read_form(values), tokens, fallback, session_of(request))

    return generate


def make_chat_handler(ctx: RunContext, chat: ChatWiring) -> Callable[..., Iterator[Update]]:
    """The Chat-mode Generate: the message goes to the visitor's conversation (`chat_state`)."""

    def generate_chat(oauth_token: gr.OAuthToken | None = None, request: gr.Request = None, **values: Any) -> Iterator[Update]:
        tokens = visitor_tokens(ctx, values, oauth_token)
        yield from chat.run(read_form({**values, "mode": Mode.CHAT.value}), tokens, values.get("chat_state"), session_of(request))

    return generate_chat


def _generate(ctx: RunContext, out: RunOutputs, form: FormValues, tokens: Tokens, fallback: bool = False,
              session: str | None = None) -> Iterator[Update]:
    """Checks the form, then streams the answer; leaving the page (`session`'s unload) ends it."""
    try:
        request = checked_request(ctx, form)
        tokens.check()
        failed_model, request = _fallback_of(ctx, request) if fallback else (None, request)
    except e.PlaygroundError as error:
        yield run_failure(out, error)
        return
    sending = f"Sending to {request.model} instead of {failed_model} (fallback)…" if failed_model else "Sending…"
    # The request leaves before "Sending…" is shown: Gradio's work on that update overlaps the wait.
    with ended_with_session(session) as left:
        events = ctx.backend.run(request, tokens.for_model(request.model, ctx.settings), left)
        with closing(events):  # also when the page goes away (or Stop) before the first event
            yield {out.status: gr.update(value=info_html(sending), visible=True), out.stats: "", out.finished: None,
                   **out.optional(gr.update(value=FALLBACK_IDLE, visible=False), gr.update(visible=False))}
            yield from render_run(events, out, request, fallback_for=failed_model,
                                  fallback_models=ctx.settings.fallback_models, update_interval=ctx.settings.ui_update_interval)


def _fallback_of(ctx: RunContext, request: GenerationRequest) -> tuple[str, GenerationRequest]:
    """(the failing model, the same request on its fallback). Raises NotServedError without one."""
    model = choose_fallback(request.model, ctx.settings.fallback_models, local_model_installed())
    if model is None:
        raise e.NotServedError("no fallback model is configured (PLAYGROUND_FALLBACK_MODELS)")
    return request.model, fallback_request(request, model)


def render_run(events: Iterator[Event], out: RunOutputs, request: GenerationRequest, fallback_for: str | None = None,
               fallback_models: Sequence[str] = (), update_interval: float = 0.0, label: str | None = None) -> Iterator[Update]:
    """`events`: the backend's run of `request`.
    `fallback_for`: the failed model this run stands in for; status, stats and history say so.
    `fallback_models`: what a failure may offer to "Run on" (a fallback run itself offers none).
    `update_interval`: at most one page update per this many seconds while tokens stream (0: one per token).
    `label`: what status, stats and history call the run (a continuation's "Continued from token N …")."""
    text = ""
    odds: list[TokenOdds] = []  # with "Token probabilities" on: each token's, as the model sent them
    continued_from = label
    label = fallback_label(fallback_for, request.model) if fallback_for else label
    silence_shown: str | None = None  # the silence notice on screen, so an unchanged one is not re-sent
    answering = info_html(label) if label else ""  # the status panel's value while text streams
    try:
        # One page update per `update_interval` at most: a fast provider's tokens arrive merged.
        pulse = Heartbeat()
        for event in coalesce(events, update_interval):
            if not isinstance(event, Silence):
                pulse.beat()  # every other event yields
            if isinstance(event, Waiting):
                silence_shown = None
                # A plain value: "Sending…" already showed the panel, and an update still in flight
                # when Stop hides it must not show it again.
                yield {out.status: waiting_html(event)}
            elif isinstance(event, Silence):
                if worth_showing(event) and silence_text(event) != silence_shown:
                    silence_shown = silence_text(event)
                    yield {out.status: gr.update(value=silence_html(event), visible=True)}
                elif pulse.due():
                    yield {out.stats: ""}  # unchanged while the run lasts: the heartbeat, so Stop closes it at once
            elif isinstance(event, Token):
                reshow = not text or silence_shown is not None  # the first token, or one after a notice
                silence_shown = None
                text += event.text
                odds += event.odds
                # Every output but the State gets a plain value: Gradio diffs a value (an unchanged one
                # sends nothing) but rebuilds the component of an output left out, on its event loop.
                # Only the first token, or one after a notice, changes the status panel.
                status = _answering_status(label) if reshow else answering
                update = {out.output: text, out.status: status, out.stats: "", **out.optional(FALLBACK_IDLE, STOPPED)}
                yield {**update, **_odds_view(out, request, odds, first=reshow)}
            elif isinstance(event, Done):
                # Unchanged since the first token (no notice came up): a plain value, nothing to rebuild.
                status = answering if text and silence_shown is None else _finished_status(event, label)
                done = {out.status: status, **_finished(out, request, event, text, odds, label, fallback_for, continued_from)}
                yield {out.output: text, **done} if text else done
    except e.PlaygroundError as error:
        offer = offered_fallback(error, request.model, fallback_models, local_model_installed()) if fallback_for is None else None
        yield run_failure(out, error, partial_output=text, offer=offer)


def _finished(out: RunOutputs, request: GenerationRequest, done: Done, text: str, odds: list[TokenOdds], label: str | None,
              fallback_for: str | None, continued_from: str | None) -> Update:
    """A finished run's stats line (with its label and probability figures), history entry and view."""
    kept = bounded(odds)
    entry = new_entry(request, text, done.stats.record(), ignored_params=done.stats.ignored_params,
                      fallback_for=fallback_for, token_odds=kept, continued_from=continued_from).model_dump(mode="json")
    stats = f"{label} · {stats_text(done.stats)}" if label else stats_text(done.stats)
    probs = finished_summary(request, odds)
    stats = f"{stats} · {probs}" if probs else stats
    # With the option off, the first token already hid the view: after text, a plain value rebuilds nothing.
    view = _odds_view(out, request, odds, first=not text, kept=kept)
    return {out.stats: stats, out.finished: entry, **out.optional(FALLBACK_IDLE, STOPPED), **view}


def _odds_view(out: RunOutputs, request: GenerationRequest, odds: list[TokenOdds], first: bool,
               kept: tuple[TokenOdds, ...] | None = None) -> Update:
    """The "Token probabilities" view's update, and once the run is done (`kept`) the answer a
    continuation starts from. With the option off, the view is hidden at the first token and then
    gets a plain unchanged value (left out, Gradio would rebuild it each update)."""
    if out.probs_view is None:
        return {}
    if not asks_for_probabilities(request.params):
        return {out.probs_view: gr.update(value="", visible=False) if first else ""}
    if kept is None and not first:  # streaming: a plain value that only grows (sent as an append)
        return {out.probs_view: streaming_html(odds) if odds else ""}
    if kept is None:
        return {out.probs_view: gr.update(value=streaming_html(odds) if odds else "", visible=bool(odds))}
    update = {out.probs_view: view_update(odds, continuable=request.mode is Mode.COMPLETION)}
    if out.probs_shown is not None:
        update[out.probs_shown] = (request, kept) if kept else None
    return update


def _answering_status(label: str | None) -> dict:
    """Hidden (and emptied) once text arrives; a fallback's label stays in view for the whole answer."""
    return gr.update(value=info_html(label), visible=True) if label else gr.update(value="", visible=False)


def _finished_status(done: Done, label: str | None = None) -> dict:
    if not done.stats.tokens:
        return gr.update(value=info_html(NO_TEXT), visible=True)
    return _answering_status(label)


def run_failure(out: RunOutputs, error: e.PlaygroundError, partial_output: str = "", offer: str | None = None) -> Update:
    """`offer`: the model "Run on" proposes, if any. The card is the one message: no toast repeats it."""
    button = gr.update(value=f"Run on {offer}", visible=True) if offer else gr.update(visible=False)
    update = {out.status: gr.update(value=error_html(error), visible=True), out.finished: None,
              **out.optional(button, gr.update(visible=False))}
    # Text already streamed is kept; with none, the previous answer stays on screen.
    return {out.output: partial_output, **update} if partial_output else update
