""""Check models": the pre-flight list, green / amber / red, updated while cold models warm up.

The check probes every suggested model, "Model" and the Compare panes' "Model" controls, with the
visitor's own tokens, as Generate sends them. An endpoint URL on another host than Hugging Face's is
left out (and listed as such) until the visitor has pressed Generate with it in this session: a link,
preset or history entry may have put it there, and nothing goes there before that. It keeps running
while any model is amber, and ends when the visitor presses it again or leaves the page (`demo.unload`).
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import gradio as gr

from components.compare_tab import pane_models
from components.context import RunContext, visitor_tokens
from components.messages import error_title_and_advice, waiting_text
from components.page import Page
from playground.config import Settings
from playground.hf.tokens import is_foreign_endpoint
from playground.input.model_ref import check_endpoint_allowed, check_model_syntax, is_endpoint_url
from playground.runs.preflight import Light, Preflight, PreflightSessions, ProbeResult, left_out_until_run, models_to_check

# The list is redrawn at least this often while models warm up. Under 0.5 s so Stop or a new press
# closes the event at once: Gradio closes a generator only between two of its items.
REFRESH_SECONDS = 0.4
LEFT_OUT = "left out until you run it once (press Generate with it)"
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
    # The Compare panes' models come through a relay, as the Compare is drawn on demand (components/compare_tab.py).
    # Gradio fills Request and OAuthToken by position, so they come before the models.
    def check_models(session: str | None, endpoint: str | None, ran: Any, request: gr.Request,
                     oauth_token: gr.OAuthToken | None, model: Any, panes: Any) -> Iterator[str]:
        extra = [model, *pane_models(panes)]
        check = new_check(ctx, session, oauth_token, extra, endpoint_token=endpoint, ran=ran)
        left_out = left_out_models(ctx.settings, extra, ran)
        yield from run_check(sessions, request.session_hash or "", check, left_out)

    def visitor_left(request: gr.Request) -> None:
        sessions.end(request.session_hash or "")

    # The list shows its own progress (amber rows); Gradio's spinner would cover it while models warm.
    # A second press while models still warm starts a fresh check, which cancels the old one.
    auth = page.auth
    panel.check.click(check_models, inputs=[auth.session_token, auth.endpoint_token, auth.ran_endpoints, page.model.model, page.compare.hooks.models], outputs=panel.results,
                      show_progress="hidden", trigger_mode="multiple", api_visibility="undocumented")
    page.demo.unload(visitor_left)


def new_check(ctx: RunContext, session_token: str | None, oauth_token: gr.OAuthToken | None, extra: list[Any],
              endpoint_token: str | None = None, ran: Any = ()) -> Preflight:
    """The check for one press: the suggested models plus `extra`, with this visitor's tokens only
    (on a Space never the owner's: `visitor_tokens`), each model checked as Generate checks it.
    An endpoint URL of `extra` on another host than Hugging Face's is left out unless it is in `ran`."""
    settings = ctx.settings
    tokens = visitor_tokens(ctx, {"session_token": session_token, "endpoint_token": endpoint_token}, oauth_token)
    suggested = [value for _, value in settings.suggested_models]
    models = models_to_check(suggested, _visitor_models(settings, extra, ran)[0])

    def token_for(model: str) -> str | None:  # the server's own token never goes to an endpoint URL
        return tokens.for_model(model, settings)

    return Preflight(ctx.backend, models, tokens.hf, validate=partial(allowed_model, settings=settings), token_for=token_for)


def left_out_models(settings: Settings, extra: list[Any], ran: Any) -> list[str]:
    """The endpoint URLs of `extra` the check leaves out (see `new_check`)."""
    return _visitor_models(settings, extra, ran)[1]


def _visitor_models(settings: Settings, extra: list[Any], ran: Any) -> tuple[list[str], list[str]]:
    """(the page's models to check, those left out until run): another host's endpoint URL waits
    for a run, unless the operator suggested it."""
    suggested = {value for _, value in settings.suggested_models}

    def held(model: str) -> bool:
        return model not in suggested and is_foreign_endpoint(model, settings)

    return left_out_until_run(extra, ran if isinstance(ran, list | tuple | set) else (), held)


def allowed_model(model: str, settings: Settings) -> str:
    """What Generate would accept: the model's syntax and, on a Space, no private endpoint URL."""
    checked = check_model_syntax(model)
    if settings.on_space and is_endpoint_url(checked):
        check_endpoint_allowed(checked, settings.endpoint_allowlist)
    return checked


def run_check(sessions: PreflightSessions, session: str, check: Preflight, left_out: Sequence[str] = ()) -> Iterator[str]:
    """The list after every change, until every probe has ended or the check is cancelled."""
    sessions.replace(session, check.start())
    try:
        while not check.finished() and not check.cancelled:
            yield preflight_html(check.results(), left_out)
            check.wait_for_change(REFRESH_SECONDS)
        if not check.cancelled:  # a newer check owns the list now
            yield preflight_html(check.results(), left_out)
    finally:  # Gradio closes the generator when the event is cancelled or the visitor disconnects
        sessions.end(session, check)


def preflight_html(results: list[ProbeResult], left_out: Sequence[str] = ()) -> str:
    """The lights, then one line per model left out until the visitor runs it."""
    rows = "".join(_row(result) for result in results)
    rows += "".join(f"<li class='pg-left-out' data-model='{html.escape(model, quote=True)}'><strong>{html.escape(model)}</strong> "
                    f"{LEFT_OUT}</li>" for model in left_out)
    if not rows:
        return "<div class='pg-preflight-empty'>No models to check.</div>"
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
