"""Chat-mode runs: Generate, Regenerate and an edited message each stream one answer into the conversation.

Each action turns the visitor's `Conversation` into the conversation to send (`ask`, `regenerate`,
`edit`); `playground.chat.turn` runs it (the fit check, offering "Drop oldest turns" rather than
cutting, the streamed answer with its reasoning split out, the finished turn) and this module only
draws its events: reasoning as a collapsed "Thinking" block, and `{component: value}` updates.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import gradio as gr

from components.chat_view import ChatPanel, conversation_view, fit_message, verdict_html, versions_update
from components.context import RunContext, check_models_allowed
from components.messages import STOPPED, error_html, info_html, silence_html, stats_text, waiting_html, worth_showing
from components.token_view import finished_summary, view_update
from playground import errors as e
from playground.chat.context import Fit
from playground.chat.conversation import Conversation
from playground.chat.facts import FactsLookup, ModelFacts, model_facts, structured_output_note
from playground.chat.turn import Answering, ChatBackend, DoesNotFit, Failed, Finished, Started, run_turn
from playground.chat.usage import tokens_text
from playground.inference.clock import Heartbeat
from playground.inference.events import Silence, Waiting
from playground.inference.probabilities import asks_for_probabilities
from playground.input.form_values import FormValues, request_from_form
from playground.input.request import GenerationRequest, parse_request
from playground.input.response_format import ResponseFormat

Update = dict[Any, Any]


@dataclass(frozen=True)
class ChatOutputs:
    """Where a chat run's updates go."""

    panel: ChatPanel
    prompt: Any
    status: Any
    stats: Any
    finished: Any
    stopped: Any  # the "Stopped." panel, hidden when a run starts
    probs_view: Any = None  # the "Token probabilities" view: the finished answer's tokens, alternatives not offered

    def all(self) -> list[Any]:
        p = self.panel
        extra = [self.probs_view] if self.probs_view is not None else []
        return [p.conversation, p.state, self.prompt, self.status, self.stats, self.finished, self.stopped, p.verdict,
                p.fit_row, p.fit_notice, p.drop_count, p.versions_row, p.edited_turn, *extra]


def turn_request(ctx: RunContext, form: FormValues, asked: Conversation) -> GenerationRequest:
    """The request for `asked`'s last, unanswered, message: the form's settings and the earlier
    turns, validated together once, with a concrete seed; on a Space, endpoint URLs must be allowed.
    Raises InvalidModelError or InvalidParametersError."""
    request = request_from_form(replace(form, prompt=asked.last_user_message), turns=asked.earlier_pairs())
    check_models_allowed(ctx, [request.model])
    return request


def conversation_request(settings: GenerationRequest, conversation: Conversation) -> GenerationRequest:
    """The request for the conversation's last, unanswered, message: `settings` (checked) with the
    earlier turns, checked against the request's own bounds (View code's; a run uses `turn_request`).
    Raises InvalidParametersError."""
    data = {**settings.model_dump(), "prompt": conversation.last_user_message, "turns": conversation.earlier_pairs()}
    return parse_request(data)


def check_format_offered(request: GenerationRequest, facts: ModelFacts) -> None:
    """Raises InvalidParametersError, saying why, when the model can't follow the response format."""
    if request.response_format is ResponseFormat.TEXT:
        return
    note = structured_output_note(request.model, facts)
    if note is not None:
        raise e.InvalidParametersError(note)


def run_conversation(backend: ChatBackend, out: ChatOutputs, request: GenerationRequest, token: str | None,
                     before: Conversation, asked: Conversation, facts: ModelFacts, typed: str | None = None,
                     update_interval: float = 0.0) -> Iterator[Update]:
    """Streams the answer to `asked` (a conversation ending with an unanswered message), drawing
    `playground.chat.turn.run_turn`'s events. `before` is what comes back if the run fails with no
    text; `typed` is the Prompt text to put back then. At most one conversation update per
    `update_interval` (see `run_turn`); the last update (Finished or Failed) carries the whole conversation."""
    notice: str | None = None  # the silence notice on screen
    answered = False  # an answer so far is on screen
    pulse = Heartbeat()
    for event in run_turn(backend, request, token, before, asked, facts, update_interval):
        if not isinstance(event, Silence):
            pulse.beat()  # every other event yields
        if isinstance(event, Waiting):
            yield {out.status: waiting_html(event)}  # shown since "Sending…"; a late update must not undo Stop
        elif isinstance(event, Silence):
            shown = silence_html(event) if worth_showing(event) else None
            if shown is not None and shown != notice:  # an unchanged notice is not sent again
                notice = shown
                yield {out.status: gr.update(value=shown, visible=True)}
            elif pulse.due():
                yield {out.stats: ""}  # unchanged while the run lasts: the heartbeat, so Stop closes it at once
        elif isinstance(event, Answering):
            hide = not answered or notice is not None  # the first answer, or one after a silence notice
            answered, notice = True, None
            yield _answering(out, event, hide)
        elif isinstance(event, Started):
            yield _started(out, event.conversation)
        elif isinstance(event, DoesNotFit):
            yield _does_not_fit(out, event.fit)
        elif isinstance(event, Finished):
            yield _finished(out, event, request)
        elif isinstance(event, Failed):
            yield _failed(out, event, typed)


def _does_not_fit(out: ChatOutputs, fit: Fit) -> Update:
    return {out.panel.fit_row: gr.update(visible=True), out.panel.fit_notice: fit_message(fit),
            out.panel.drop_count: fit.drop_turns or 0, out.status: gr.update(visible=False), out.finished: None}


def _started(out: ChatOutputs, asked: Conversation) -> Update:
    return {**_shown(out, asked), out.prompt: "", out.status: gr.update(value=info_html("Sending…"), visible=True),
            out.stats: "", out.finished: None, out.panel.verdict: verdict_html(None), out.panel.fit_row: gr.update(visible=False),
            out.panel.fit_notice: "", out.stopped: gr.update(visible=False),
            **({out.probs_view: gr.update(value="", visible=False)} if out.probs_view is not None else {})}


def _answering(out: ChatOutputs, event: Answering, hide_status: bool) -> Update:
    """Per update, only the conversation changes: the other controls change at the start and the end.
    The display-only outputs get their unchanged values: Gradio diffs a value (unchanged: nothing is
    sent) but rebuilds the component of an output left out. The Prompt is left out: the visitor
    may be typing the next message."""
    steady = {out.status: "", out.stats: "", out.panel.verdict: "", out.panel.fit_notice: "", out.stopped: STOPPED}
    if out.probs_view is not None:  # hidden and emptied when the run started; drawn once it is done
        steady[out.probs_view] = ""
    update = {out.panel.conversation: conversation_view(event.conversation, event.thinking), out.panel.state: event.conversation,
              **steady}
    return {**update, out.status: gr.update(value="", visible=False)} if hide_status else update


def _finished(out: ChatOutputs, event: Finished, request: GenerationRequest) -> Update:
    line = f"{stats_text(event.stats)} · {tokens_text(event.tokens, event.cost)}"
    probs = finished_summary(request, event.odds)
    line = f"{line} · {probs}" if probs else line
    answered = event.stats.tokens
    status = gr.update(visible=False) if answered else gr.update(value=info_html("The model answered with no text."), visible=True)
    update = {**_shown(out, event.conversation), out.status: status, out.stats: line, out.finished: event.entry,
              out.panel.verdict: verdict_html(event.verdict)}
    if out.probs_view is not None:  # a chat answer can't be continued portably: alternatives shown, not offered
        update[out.probs_view] = view_update(event.odds if asks_for_probabilities(request.params) else (), continuable=False)
    return update


def _failed(out: ChatOutputs, event: Failed, typed: str | None) -> Update:
    failed = {**failure_status(out, event.error), **_shown(out, event.conversation)}
    return {**failed, out.prompt: typed} if typed is not None and not event.kept_answer else failed


def _shown(out: ChatOutputs, chat: Conversation) -> Update:
    row, turns = versions_update(chat)
    return {out.panel.conversation: conversation_view(chat), out.panel.state: chat,
            out.panel.versions_row: row, out.panel.edited_turn: turns}


def facts_for(lookup: FactsLookup | None, settings: GenerationRequest, token: str | None) -> ModelFacts:
    return model_facts(settings.model, settings.provider, token, lookup)


def failure(out: ChatOutputs, error: e.PlaygroundError) -> Update:
    """The card is the one message: no toast repeats it."""
    return failure_status(out, error)


def failure_status(out: ChatOutputs, error: e.PlaygroundError) -> Update:
    return {out.status: gr.update(value=error_html(error), visible=True), out.finished: None, out.stopped: gr.update(visible=False)}
