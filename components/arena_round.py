"""An arena round on the page: draw a pair, stream "Answer A" and "Answer B", keep both blind.

The pair lives in a server-side `gr.State` (playground.arena.rounds.Round), never in the page.
Everything a pane shows before the vote passes through `redact` (a server's error text may name its
model), and a queued run says only "Waiting its turn." (the usual note names the built-in model).
The runs are Compare's: `compare_jobs` through the scheduler, each side with its own retries,
errors and Stop.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import closing
from dataclasses import replace
from functools import partial
from typing import Any

import gradio as gr

from components.context import RunContext, check_models_allowed, session_of, suggested_mode, visitor_tokens
from components.messages import error_html, info_html, stats_text
from components.run_words import status_card
from components.runs_form import form_request, token_for
from components.share_code import token_variable
from playground import errors as e
from playground.arena.code import arena_share_query, arena_snippet
from playground.arena.pairs import Contender, draw_pair, names_of, parse_contenders, redact
from playground.arena.rounds import Round, allowed_votes
from playground.hf.tokens import Tokens
from playground.inference.clock import Heartbeat
from playground.input.request import GenerationRequest, Mode
from playground.runs.compare import compare_jobs
from playground.runs.results import ResultSet, RunResult, RunState
from playground.runs.scheduler import run_job_batches
from playground.runs.slots import Limits, Visitor, visitor_for

ASK = "Both answers are in. Which is better? The names show once you vote."


def make_round_handler(ctx: RunContext, panel: Any):
    """The "Generate" and "New pair" handler: `contenders`, the prompts and the parameter fields, by name."""

    def play_round(oauth_token: gr.OAuthToken | None = None, request: gr.Request = None, **values: Any) -> Iterator[dict]:
        runner = visitor_for(session_of(request), Limits.from_settings(ctx.settings))
        yield from run_round(ctx, panel, values, oauth_token, runner)

    return play_round


def checked_arena(ctx: RunContext, values: Mapping[str, Any]) -> tuple[GenerationRequest, tuple[Contender, ...]]:
    """(the request both contenders get, every contender). Raises PlaygroundError naming the field at fault."""
    contenders = parse_contenders(values.get("contenders"))
    first = contenders[0]
    mode = (first.mode or _form_mode(values)).value
    base = form_request(ctx, values, model=first.model, provider=first.provider, mode=mode)
    check_models_allowed(ctx, [contender.model for contender in contenders])
    return base, contenders


def _form_mode(values: Mapping[str, Any]) -> Mode:
    return Mode.CHAT if values.get("mode") == Mode.CHAT.value else Mode.COMPLETION


def run_round(ctx: RunContext, panel: Any, values: Mapping[str, Any], oauth_token: gr.OAuthToken | None,
              runner: Visitor) -> Iterator[dict]:
    """Streams both answers; one update at least every 0.5 s (see `Heartbeat`), so Stop closes it at once.
    The runs take `runner`'s slots, and leaving the page ends them, as Compare's do."""
    try:
        tokens = visitor_tokens(ctx, values, oauth_token, check=True)
        base, contenders = checked_arena(ctx, values)
    except e.PlaygroundError as error:  # about what the visitor typed: it names no drawn contender
        yield {panel.status: error_html(error)}  # the card is the one message: no toast repeats it
        return
    a, b = (_with_mode(ctx, c, tokens, _form_mode(values)) for c in draw_pair(contenders))
    game, names, cancel = Round(a, b, base), names_of(contenders), threading.Event()
    jobs = compare_jobs(base, game.panes())
    results, shown = ResultSet.for_jobs(jobs), {}
    # No share link or code here: they list every contender, and a round's stream names none ("View code" makes them).
    drawn = info_html("Two contenders drawn. Their names stay hidden until you vote.")
    yield {panel.status: drawn, panel.live: cancel,
           panel.round: game, **vote_buttons(panel, ()),
           **{p.reveal: "" for p in panel.panes}, **pane_updates(panel, results, names, shown, force=True)}
    pulse = Heartbeat()
    with closing(run_job_batches(ctx.backend, jobs, token_for(ctx, tokens), cancel, visitor=runner)) as batches:
        for batch in batches:
            results.apply(batch)
            if updates := pane_updates(panel, results, names, shown):
                pulse.beat()
                yield updates
            elif pulse.due():
                yield {panel.status: drawn}  # unchanged: the heartbeat
    results.stop_unfinished()
    game = game.ended(results)
    yield {panel.round: game, panel.live: None, panel.status: info_html(round_words(game)),
           **vote_buttons(panel, allowed_votes(game)), **pane_updates(panel, results, names, shown)}


def _with_mode(ctx: RunContext, contender: Contender, tokens: Tokens, form_mode: Mode) -> Contender:
    """`contender` with its mode settled: its own, else the Hub's suggestion, else the form's Mode."""
    if contender.mode is not None:
        return contender
    mode = suggested_mode(contender.model, tokens.for_model(contender.model, ctx.settings), form_mode.value)
    return replace(contender, mode=Mode(mode))


def pane_updates(panel: Any, results: ResultSet, names: list[str], shown: dict[Any, Any], force: bool = False) -> dict:
    """Each side's card, answer and stats, blind, sent only when they differ from what the page shows."""
    updates: dict = {}
    for view in panel.panes:
        result = results[view.key]
        wanted = {view.status: blind_card(result, names), view.output: result.output,
                  view.stats: stats_text(result.stats) if result.stats else ""}
        for component, value in wanted.items():
            if force or shown.get(component) != value:
                shown[component] = updates[component] = value
    return updates


def blind_card(result: RunResult, names: list[str]) -> str:
    if result.state is RunState.QUEUED:
        return info_html("Waiting its turn.")
    return redact(status_card(result), names)


def round_words(game: Round) -> str:
    """The round's status once its runs ended."""
    allowed = allowed_votes(game)
    if len(allowed) > 1:
        return ASK
    if allowed:
        failed = "B" if allowed == ("A is better",) else "A"
        return f"Answer {failed} failed, so it can't win. Vote {allowed[0]}, or press New pair."
    if RunState.STOPPED in game.states:
        return "Stopped. Press Generate or New pair for another round."
    return "Both answers failed: there is nothing to vote on. Press New pair."


def vote_buttons(panel: Any, allowed: tuple[str, ...]) -> dict:
    return {button: gr.update(interactive=label in allowed) for label, button in panel.votes.items()}


def share_and_code(ctx: RunContext, base: GenerationRequest, contenders: tuple[Contender, ...], page: str) -> tuple[str, str]:
    """The share link (contenders, prompt, parameters) and the View code script; neither names the pair drawn."""
    called = [replace(c, model=_called_model(ctx, c.model)) for c in contenders]
    return f"{page}?{arena_share_query(base, contenders)}", arena_snippet(base, called, ctx.settings.router_url, partial(token_variable, ctx))


def _called_model(ctx: RunContext, model: str) -> str:
    """The built-in model at its local URL, as the backend calls it (its name if it can't start)."""
    try:
        return ctx.backend.resolve_url(model) or model
    except e.PlaygroundError:
        return model


def round_code(ctx: RunContext, panel: Any, values: Mapping[str, Any], page: str) -> dict:
    """"View code" before any round: the share link and the script for the contenders as typed."""
    try:
        base, contenders = checked_arena(ctx, values)
    except e.PlaygroundError as error:
        return {panel.status: error_html(error)}  # the card is the one message: no toast repeats it
    link, code = share_and_code(ctx, base, contenders, page)
    return {panel.share_link: link, panel.code: code, panel.status: ""}


def system_prompt_visibility(rows: Any) -> dict:
    """"System prompt" shows unless every contender is set to Completion mode."""
    try:
        contenders = parse_contenders(rows)
    except e.PlaygroundError:
        return gr.update(visible=True)
    return gr.update(visible=any(c.mode is not Mode.COMPLETION for c in contenders))
