"""A comparison's run: every pane at once through the scheduler, each succeeding or failing on its
own, updates batched (one per ~40 ms) with only the panes that changed; then the share link, View
code and the history entry (components/compare_panel.py wires it).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import closing
from functools import partial
from typing import Any

import gradio as gr

from components import compare_panes
from components.compare_view import ComparePanel
from components.context import RunContext, check_models_allowed, page_url, session_of, visitor_tokens
from components.messages import error_html
from components.run_words import status_text
from components.runs_form import called_request, form_request, token_for
from components.share_code import token_variable
from playground import errors as e
from playground.chat.conversation import Conversation
from playground.inference.clock import Heartbeat
from playground.input.request import GenerationRequest, parse_request
from playground.runs.code import compare_snippet
from playground.runs.compare import PANE_KEYS, Pane, compare_jobs, pane_count, parse_pane
from playground.runs.results import ResultSet, RunState
from playground.runs.saved import COMPARE, compare_share_query, new_group_entry
from playground.runs.scheduler import run_job_batches
from playground.runs.slots import Limits, Visitor, visitor_for


def make_compare_handler(ctx: RunContext, panel: ComparePanel):
    """The "Generate all" handler: the form's parameters, the shared prompt and system prompt, and
    `panes`, `model_a`, `provider_a`, `mode_a`, ... `mode_d`, by name."""

    def generate_all(oauth_token: gr.OAuthToken | None = None, request: gr.Request = None, **values: Any) -> Iterator[dict]:
        runner = visitor_for(session_of(request), Limits.from_settings(ctx.settings))
        yield from run_compare(ctx, panel, values, oauth_token, page_url(request), runner)

    return generate_all


def checked_panes(ctx: RunContext, values: Mapping[str, Any]) -> tuple[GenerationRequest, list[Pane]]:
    """(the shared request, the panes in use). Raises PlaygroundError naming the control at fault."""
    shown = pane_count(values.get("panes"))
    panes = [parse_pane(key, *(values.get(f"{name}_{key.lower()}") for name in ("model", "provider", "mode")))
             for key in PANE_KEYS[:shown]]
    first = panes[0]
    base = form_request(ctx, values, model=first.model, provider=first.provider, mode=first.mode.value)
    check_models_allowed(ctx, [pane.model for pane in panes])
    return base, panes


def continuing(base: GenerationRequest, conversation: Any) -> GenerationRequest:
    """`base` after the Playground conversation's answered turns, so every Chat-mode pane continues
    the same conversation (Completion panes send the prompt alone). Raises InvalidParametersError
    when the conversation is too long to send."""
    if not isinstance(conversation, Conversation) or not conversation.answered_pairs():
        return base
    return parse_request({**base.model_dump(), "turns": conversation.answered_pairs()})


def run_compare(ctx: RunContext, panel: ComparePanel, values: Mapping[str, Any], oauth_token: gr.OAuthToken | None,
                page: str, runner: Visitor) -> Iterator[dict]:
    """Streams every pane at once; each update holds only what changed, and one comes at least
    every 0.5 s (see `Heartbeat`), so Stop closes the event at once."""
    try:
        base, panes = checked_panes(ctx, values)
        base = continuing(base, values.get("conversation"))
        tokens = visitor_tokens(ctx, values, oauth_token, check=True)
    except e.PlaygroundError as error:
        yield {panel.status: error_html(error)}  # the card is the one message: no toast repeats it
        return
    jobs = compare_jobs(base, panes)
    results, shown, cancel = ResultSet.for_jobs(jobs), {}, threading.Event()
    yield {panel.status: "", panel.live: cancel, panel.finished: None, **pane_updates(panel, results, list(results.results), shown)}
    pulse = Heartbeat()
    with closing(run_job_batches(ctx.backend, jobs, token_for(ctx, tokens), cancel, visitor=runner)) as batches:
        for batch in batches:
            if updates := pane_updates(panel, results, results.apply(batch), shown):
                pulse.beat()
                yield updates  # (an empty dict would read as one value, not as "nothing changed")
            elif pulse.due():
                yield {panel.status: ""}  # unchanged (an empty diff): the heartbeat
    stopped = [result.key for result in results if not result.state.finished]
    results.stop_unfinished()
    link, code = share_and_code(ctx, base, panes, page)
    # A stopped comparison is not kept, as a stopped run is not (RunState.STOPPED also comes from the workers).
    entry = None if any(result.state is RunState.STOPPED for result in results) else history_entry(base, results)
    yield {panel.share_link: link, panel.code: code, panel.finished: entry, panel.live: None, **pane_updates(panel, results, stopped, shown)}


def pane_updates(panel: ComparePanel, results: ResultSet, changed: list[str], shown: dict[Any, Any]) -> dict:
    """What changed in the panes (see `components.compare_panes.pane_updates`)."""
    return compare_panes.pane_updates(panel.panes, PANE_KEYS, results, changed, shown)


def history_entry(base: GenerationRequest, results: ResultSet) -> dict:
    statuses = {result.key: status_text(result) for result in results}
    return new_group_entry(COMPARE, base, results, statuses).model_dump(mode="json")


def share_and_code(ctx: RunContext, base: GenerationRequest, panes: list[Pane], page: str) -> list[str]:
    called = [called_request(ctx, job.request) for job in compare_jobs(base, panes)]
    return [f"{page}?{compare_share_query(base, panes)}", compare_snippet(called, ctx.settings.router_url, partial(token_variable, ctx))]


def compare_code(ctx: RunContext, panel: ComparePanel, values: Mapping[str, Any], page: str) -> dict:
    try:
        base, panes = checked_panes(ctx, values)
    except e.PlaygroundError as error:
        return {panel.status: error_html(error)}  # the card is the one message: no toast repeats it
    link, code = share_and_code(ctx, base, panes, page)
    return {panel.share_link: link, panel.code: code, panel.status: ""}
