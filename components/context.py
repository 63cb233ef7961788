"""What every panel shares: the run context, the visitor's tokens, the form's checked request,
the page's own address and the mode the Hub suggests for a model.

Panels import from here, never from each other, for these: that keeps the page free of import
circles. `RunContext` also gathers the events later panels build on, as each panel is wired:
`streams` (every event that streams a run; Stop, wired last, cancels them all) and `history_runs`
(History records their finished runs). Compare and the Sweep, drawn on demand, record their own
(components/group_record.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from playground.chat.facts import FactsLookup
from playground.config import Settings
from playground.endpoint.discovery import ServerInfo
from playground.errors import InvalidModelError, PlaygroundError
from playground.hf.hub import suggest_mode
from playground.hf.token_format import check_token_format
from playground.hf.tokens import Tokens, is_foreign_endpoint, pick_token
from playground.inference.backend import Backend
from playground.input.form_values import FormValues, request_from_form
from playground.input.model_ref import check_endpoint_allowed, check_model_syntax, is_endpoint_url
from playground.input.policy import split_policy
from playground.input.request import GenerationRequest, Mode
from playground.local import LOCAL_MODEL_NAME
from playground.runs.slots import SLOTS

Update = dict[Any, Any]  # {component: value}; components left out stay as they are


@dataclass(frozen=True)
class RunContext:
    """`facts` looks up a model's router facts (context length, price, structured output) for Chat mode."""

    backend: Backend
    settings: Settings
    streams: list[Any] = field(default_factory=list)  # every event that streams a run; Stop cancels them all
    facts: FactsLookup | None = None
    history_runs: list[Any] = field(default_factory=list)  # events that leave a finished run in the page's `finished_run`

    def streaming(self, event: Any) -> Any:
        """Registers an event that streams a run, so Stop cancels it; returns it for chaining."""
        self.streams.append(event)
        return event

    def for_history(self, event: Any) -> Any:
        """Registers an event whose finished run History records (History is wired after it); returns it."""
        self.history_runs.append(event)
        return event


def visitor_token(ctx: RunContext, session_token: Any, oauth_token: gr.OAuthToken | None, check: bool = False) -> str | None:
    """The token the visitor's requests use (`pick_token`'s order: typed, signed in, then the
    server's where allowed). With `check`, raises InvalidTokenError for a malformed one."""
    typed = session_token if isinstance(session_token, str) else None
    token = pick_token(typed, oauth_token.token if oauth_token else None, ctx.settings)
    if check:
        check_token_format(token)
    return token


def visitor_tokens(ctx: RunContext, values: Mapping[str, Any], oauth_token: gr.OAuthToken | None, check: bool = False) -> Tokens:
    """Both tokens a run may carry, from a handler's `values` (by name: `session_token`, the Hugging
    Face token field, and `endpoint_token`, the Endpoint token field): `Tokens.for_model` picks the
    one each model gets. With `check`, raises InvalidTokenError or InvalidParametersError (`Tokens.check`)."""
    values = values if isinstance(values, Mapping) else {}
    endpoint = values.get("endpoint_token")
    endpoint = (endpoint.strip() or None) if isinstance(endpoint, str) else None
    tokens = Tokens(visitor_token(ctx, values.get("session_token"), oauth_token), endpoint)
    return tokens.check() if check else tokens


def checked_request(ctx: RunContext, form: FormValues) -> GenerationRequest:
    """The form's request, validated, with a concrete seed; on a Space, endpoint URLs must be allowed.
    Raises InvalidModelError or InvalidParametersError."""
    request = request_from_form(form)
    check_models_allowed(ctx, [request.model])
    return request


def check_models_allowed(ctx: RunContext, models: Any) -> None:
    """On a Space, endpoint URLs must pass the allow-list, as for Generate. Raises InvalidModelError."""
    if ctx.settings.on_space:
        for model in models:
            if is_endpoint_url(model):
                check_endpoint_allowed(model, ctx.settings.endpoint_allowlist)


def page_url(request: gr.Request | None) -> str:
    """The page's own address (without query), as the browser sees it."""
    if request is None:
        return ""
    referer = request.headers.get("referer", "")
    return referer.split("?", 1)[0] if referer else ""


def session_of(request: gr.Request | None) -> str | None:
    """The visitor's Gradio session (its hash): leaving the page ends that session's runs."""
    return getattr(request, "session_hash", None) or None


def visitor_left(request: gr.Request) -> None:
    """The page's unload: leaving the page ends every run of the session (Generate, a chat answer,
    Compare, Sweep, an Arena round), wherever it is."""
    SLOTS.end_session(request.session_hash or "")


def suggested_mode(model: str, token: str | None, current_mode: str) -> str:
    """The mode the Hub suggests for `model` ("Model" and each Compare pane), or the current one when
    it can't tell. Never raises: an error here would turn the Mode control into an error badge while
    the visitor is still typing."""
    if not isinstance(model, str):
        return current_mode
    try:
        model_id = check_model_syntax(model)
    except InvalidModelError:
        return current_mode
    if model_id == LOCAL_MODEL_NAME:  # an instruct model: its completions of bare prompts are poor
        return Mode.CHAT.value
    if split_policy(model_id)[1]:  # the router's policies work on the chat route only
        return Mode.CHAT.value
    mode = suggest_mode(model_id, token)
    return mode.value if mode else current_mode


def endpoint_info(ctx: RunContext, model: object, values: dict, ran: list[str] | None,
                  oauth_token: gr.OAuthToken | None) -> ServerInfo | None:
    """What the endpoint URL in "Model" speaks, or None (not an endpoint URL, not allowed here, no
    clear answer). Another host's URL gets the Endpoint token only once the visitor has run it
    (`ran_endpoints`): a link, preset or history entry alone never sends it there."""
    if not isinstance(model, str) or not is_endpoint_url(model.strip()):
        return None
    try:
        url = check_model_syntax(model)
        check_models_allowed(ctx, [url])
    except InvalidModelError:
        return None
    try:
        token = visitor_tokens(ctx, values, oauth_token, check=True).for_model(url, ctx.settings)
    except PlaygroundError:  # a malformed token: ask without one; Generate words the problem
        token = None
    if is_foreign_endpoint(url, ctx.settings) and url not in (ran or []):
        token = None
    return ctx.backend.server_info(url, token)


# Every tab's Stop: small and neutral while nothing runs, prominent while something does.
STOP_IDLE = {"variant": "secondary", "size": "sm", "scale": 0, "min_width": 90}
STOP_ARMED = {"variant": "stop", "size": "lg", "scale": 1}
# A step the visitor needn't see: no queue, no progress, not in the API page.
QUIET = {"queue": False, "show_progress": "hidden", "api_visibility": "undocumented"}


def run_started(running: int) -> list[Any]:
    """[the page's Stop, its count of runs going on]: one more (components/run_panel.py)."""
    return [gr.update(**STOP_ARMED), running + 1]


def run_ended(running: int) -> list[Any]:
    """[the page's Stop, its count of runs going on]: one less."""
    left = max(0, running - 1)
    return [gr.update(**(STOP_ARMED if left else STOP_IDLE)), left]
