""""Check models": the pre-flight list, green / amber / red, updated while cold models warm up.

The check probes every suggested model, "Model" and the Compare panes' "Model" controls, with the
visitor's own token. It keeps running while any model is amber, and ends when the visitor presses
it again or leaves the page (`demo.unload`).
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import gradio as gr

from components.context import RunContext, visitor_token
from components.messages import error_title_and_advice, waiting_text
from components.page import Page
from playground.config import Settings
from playground.hf.tokens import token_for_model
from playground.input.model_ref import check_endpoint_allowed, check_model_syntax, is_endpoint_url
from playground.runs.preflight import Light, Preflight, PreflightSessions, ProbeResult, models_to_check

# The list is redrawn at least this often while models warm up. Under 0.5 s so Stop or a new press
# closes the event at once: Gradio closes a generator only between two of its items.
REFRESH_SECONDS = 0.4
_LIGHT_WORDS = {Light.PENDING: "checking", Light.GREEN: "ready", Light.AMBER: "warming up", Light.RED: "not working"}


@dataclass(frozen=True)
class PreflightPanel:
    check: gr.Button
    results: gr.HTML


def build() -> PreflightPanel:
    check = gr.Button("Check models", size="sm")
    results = gr.HTML(elem_id="pg-preflight")
    return PreflightPanel(check, results)


def wire(ctx: RunContext, page: Page) -> None:
    """"Check models" checks the suggested models, "Model" and the Compare panes' models."""
    panel, sessions = page.preflight, PreflightSessions()
    extra_models = [page.model.model, *[pane.model for pane in page.compare.panes]]

    # Gradio fills Request and OAuthToken by position, so they come before the Compare panes' values.
    def check_models(session: str | None, request: gr.Request, oauth_token: gr.OAuthToken | None,
                     *extra: Any) -> Iterator[str]:
        check = new_check(ctx, session, oauth_token, list(extra))
        yield from run_check(sessions, request.session_hash or "", check)

    def visitor_left(request: gr.Request) -> None:
        sessions.end(request.session_hash or "")

    # The list shows its own progress (amber rows); Gradio's spinner would cover it while models warm.
    # A second press while models still warm starts a fresh check, which cancels the old one.
    panel.check.click(check_models, inputs=[page.auth.session_token, *extra_models], outputs=panel.results,
                      show_progress="hidden", trigger_mode="multiple", api_visibility="undocumented")
    page.demo.unload(visitor_left)


def new_check(ctx: RunContext, session_token: str | None, oauth_token: gr.OAuthToken | None, extra: list[Any]) -> Preflight:
    """The check for one press: the suggested models plus `extra`, with this visitor's token only
    (on a Space never the owner's: `visitor_token`), each model checked as Generate checks it."""
    settings = ctx.settings
    token = visitor_token(ctx, session_token, oauth_token)
    suggested = [value for _, value in settings.suggested_models]
    models = models_to_check(suggested, [value for value in extra if isinstance(value, str)])

    def token_for(model: str) -> str | None:  # the server's own token never goes to an endpoint URL
        return token_for_model(token, model, settings)

    return Preflight(ctx.backend, models, token, validate=partial(allowed_model, settings=settings), token_for=token_for)


def allowed_model(model: str, settings: Settings) -> str:
    """What Generate would accept: the model's syntax and, on a Space, no private endpoint URL."""
    checked = check_model_syntax(model)
    if settings.on_space and is_endpoint_url(checked):
        check_endpoint_allowed(checked, settings.endpoint_allowlist)
    return checked


def run_check(sessions: PreflightSessions, session: str, check: Preflight) -> Iterator[str]:
    """The list after every change, until every probe has ended or the check is cancelled."""
    sessions.replace(session, check.start())
    try:
        while not check.finished() and not check.cancelled:
            yield preflight_html(check.results())
            check.wait_for_change(REFRESH_SECONDS)
        if not check.cancelled:  # a newer check owns the list now
            yield preflight_html(check.results())
    finally:  # Gradio closes the generator when the event is cancelled or the visitor disconnects
        sessions.end(session, check)


def preflight_html(results: list[ProbeResult]) -> str:
    if not results:
        return "<div class='pg-preflight-empty'>No models to check.</div>"
    rows = "".join(_row(result) for result in results)
    return f"<ul class='pg-preflight' role='status'>{rows}</ul>"


def _row(result: ProbeResult) -> str:
    light = result.light.value
    return (f"<li class='pg-light pg-light-{light}' data-model='{html.escape(result.model, quote=True)}' data-light='{light}'>"
            f"<span class='pg-dot' aria-hidden='true'></span><strong>{html.escape(result.model)}</strong> "
            f"<span class='pg-light-word'>{_LIGHT_WORDS[result.light]}</span> — {html.escape(probe_text(result))}</li>")


def probe_text(result: ProbeResult) -> str:
    """The same words as the status panel and the error cards."""
    if result.light is Light.GREEN:
        ttft = "—" if result.time_to_first_token is None else _duration(result.time_to_first_token)
        warmed = f" (warmed up for {result.warmed_for:.0f} s)" if result.warmed_for else ""
        return f"first token {ttft}{warmed}"
    if result.light is Light.AMBER and result.waiting is not None:
        return f"{waiting_text(result.waiting)}; retrying by itself"
    if result.light is Light.RED and result.error is not None:
        title, advice = error_title_and_advice(result.error)
        return f"{title}. {advice}"
    return "sending a one-token request…"


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"
