"""Chat-mode runs: Generate, Regenerate and an edited message each stream one answer into the conversation.

Each action turns the visitor's `Conversation` into the conversation to send (`ask`, `regenerate`,
`edit`), checks that it fits the model's context (never cutting it: it offers "Drop oldest turns"),
and streams the answer into it. Reasoning is split from the answer by `playground.chat.reasoning`
and shown as a collapsed "Thinking" block. Handlers return `{component: value}` updates.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.chat_view import ChatPanel, conversation_view, fit_message, verdict_html, versions_update
from components.messages import STOPPED, error_html, error_text, info_html, silence_html, stats_text, waiting_html, worth_showing
from playground import errors as e
from playground.chat.context import check_fit
from playground.chat.conversation import Answer, Conversation
from playground.chat.facts import FactsLookup, ModelFacts, model_facts, structured_output_note
from playground.chat.reasoning import ReplySplitter, SplitReply
from playground.chat.structured import ResponseFormat, check_answer, parse_schema
from playground.chat.usage import run_cost, run_tokens, tokens_text
from playground.inference.events import Done, RunStats, Silence, Token, Waiting
from playground.input.request import GenerationRequest, parse_request
from playground.saved.history import new_entry

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

    def all(self) -> list[Any]:
        p = self.panel
        return [p.conversation, p.state, self.prompt, self.status, self.stats, self.finished, self.stopped, p.verdict,
                p.fit_row, p.fit_notice, p.drop_count, p.versions_row, p.edited_turn]


def conversation_request(settings: GenerationRequest, conversation: Conversation) -> GenerationRequest:
    """The request for the conversation's last, unanswered, message: `settings` (checked) with the
    earlier turns, checked against the request's own bounds. Raises InvalidParametersError."""
    data = {**settings.model_dump(), "prompt": conversation.last_user_message, "turns": conversation.earlier_pairs()}
    return parse_request(data)


def check_format_offered(request: GenerationRequest, facts: ModelFacts) -> None:
    """Raises InvalidParametersError, saying why, when the model can't follow the response format."""
    if request.response_format is ResponseFormat.TEXT:
        return
    note = structured_output_note(request.model, facts)
    if note is not None:
        raise e.InvalidParametersError(note)


def run_conversation(backend: Any, out: ChatOutputs, request: GenerationRequest, token: str | None, before: Conversation,
                     asked: Conversation, facts: ModelFacts, typed: str | None = None,
                     update_interval: float = 0.0) -> Iterator[Update]:
    """Streams the answer to `asked` (a conversation ending with an unanswered message). `before` is
    what comes back if the run fails with no text; `typed` is the Prompt text to put back then.

    Like the Completion stream (`playground.inference.coalesce`), the page gets the first token at once and
    then at most one conversation update per `update_interval`; every token still goes through the
    reasoning splitter, so its counts are per token. Held text leaves with the next heartbeat, and
    the last update (Done or an error) always carries the whole conversation."""
    fit = check_fit(asked, facts.context_length, request.params.max_new_tokens)
    if fit is not None and not fit.fits:
        yield {out.panel.fit_row: gr.update(visible=True), out.panel.fit_notice: fit_message(fit),
               out.panel.drop_count: fit.drop_turns or 0, out.status: gr.update(visible=False), out.finished: None}
        return
    yield {**_shown(out, asked), out.prompt: "", out.status: gr.update(value=info_html("Sending…"), visible=True),
           out.stats: "", out.finished: None, out.panel.verdict: verdict_html(None), out.panel.fit_row: gr.update(visible=False),
           out.panel.fit_notice: "", out.stopped: gr.update(visible=False)}
    # What updates while the answer streams, with the display-only outputs' unchanged values: Gradio
    # diffs a value (unchanged: nothing is sent) but rebuilds the component of an output left out. The
    # Prompt is left out: the visitor may be typing the next message.
    steady = {out.status: "", out.stats: "", out.panel.verdict: "", out.panel.fit_notice: "", out.stopped: STOPPED}
    splitter = ReplySplitter(started=time.monotonic())
    shown: str | None = None  # the silence notice on screen
    current = asked
    sent_at = -float("inf")  # when the conversation was last sent: the first token never waits
    held = False  # tokens fed since then
    try:
        for event in backend.run(request, token):
            if held and not isinstance(event, Token) and time.monotonic() - sent_at >= update_interval:
                held, sent_at = False, time.monotonic()
                yield {out.panel.conversation: conversation_view(current, splitter.reply.thinking), out.panel.state: current, **steady}
            if isinstance(event, Waiting):
                yield {out.status: gr.update(value=waiting_html(event), visible=True)}
            elif isinstance(event, Silence):
                notice = silence_html(event) if worth_showing(event) else None
                if notice is not None and notice != shown:  # an unchanged notice is not sent again
                    shown = notice
                    yield {out.status: gr.update(value=notice, visible=True)}
            elif isinstance(event, Token):
                hide = current is asked or shown is not None  # the first token, or one after a silence notice
                shown = None
                splitter.feed(event.text, event.reasoning, time.monotonic())
                current = asked.answer(answer_of(splitter.reply))
                if not hide and time.monotonic() - sent_at < update_interval:
                    held = True
                    continue
                held, sent_at = False, time.monotonic()
                # Per update, only the conversation changes: the other controls change at the start and the end.
                update = {out.panel.conversation: conversation_view(current, splitter.reply.thinking), out.panel.state: current, **steady}
                yield {**update, out.status: gr.update(value="", visible=False)} if hide else update
            elif isinstance(event, Done):
                reply = splitter.finish(time.monotonic())
                current = asked.answer(answer_of(reply))
                yield _finished(out, request, current, reply, event.stats, facts)
    except e.PlaygroundError as error:
        gr.Warning(error_text(error))
        splitter.finish(time.monotonic())
        kept = splitter.reply.answer or splitter.reply.reasoning
        restored = current if kept else before
        failed = {**failure_status(out, error), **_shown(out, restored)}
        yield {**failed, out.prompt: typed} if typed is not None and not kept else failed


def answer_of(reply: SplitReply) -> Answer:
    return Answer(reply.answer, reply.reasoning, reply.thinking_seconds)


def _shown(out: ChatOutputs, chat: Conversation, thinking_now: bool = False) -> Update:
    row, turns = versions_update(chat)
    return {out.panel.conversation: conversation_view(chat, thinking_now), out.panel.state: chat,
            out.panel.versions_row: row, out.panel.edited_turn: turns}


def _finished(out: ChatOutputs, request: GenerationRequest, chat: Conversation, reply: SplitReply, stats: RunStats,
              facts: ModelFacts) -> Update:
    tokens = run_tokens(stats.usage, chat.to_messages()[:-1], reply.answer, reply.reasoning, reply.thinking_tokens, reply.answer_tokens)
    line = f"{stats_text(stats)} · {tokens_text(tokens, run_cost(tokens, facts.price))}"
    verdict = check_answer(reply.answer, request.response_format, _schema(request))
    entry = new_entry(request, reply.answer, stats.record()).model_dump(mode="json")
    status = gr.update(visible=False) if stats.tokens else gr.update(value=info_html("The model answered with no text."), visible=True)
    return {**_shown(out, chat), out.status: status, out.stats: line, out.finished: entry, out.panel.verdict: verdict_html(verdict)}


def _schema(request: GenerationRequest) -> dict | None:
    return parse_schema(request.json_schema) if request.response_format is ResponseFormat.JSON_SCHEMA else None



def facts_for(lookup: FactsLookup | None, settings: GenerationRequest, token: str | None) -> ModelFacts:
    return model_facts(settings.model, settings.provider, token, lookup)


def failure(out: ChatOutputs, error: e.PlaygroundError) -> Update:
    gr.Warning(error_text(error))
    return failure_status(out, error)


def failure_status(out: ChatOutputs, error: e.PlaygroundError) -> Update:
    return {out.status: gr.update(value=error_html(error), visible=True), out.finished: None, out.stopped: gr.update(visible=False)}
