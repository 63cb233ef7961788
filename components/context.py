"""What every panel shares: the run context, the visitor's token, the form's checked request.

Panels import from here, never from each other, for these: that keeps the page free of import
circles. `RunContext.streams` gathers every event that streams a run; Stop, wired last, cancels them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from playground.chat.facts import FactsLookup
from playground.config import Settings
from playground.hf.token_format import check_token_format
from playground.hf.tokens import pick_token
from playground.inference.backend import Backend
from playground.input.form_values import FormValues, request_from_form
from playground.input.model_ref import check_endpoint_allowed, is_endpoint_url
from playground.input.request import GenerationRequest

Update = dict[Any, Any]  # {component: value}; components left out stay as they are


@dataclass(frozen=True)
class RunContext:
    """`facts` looks up a model's router facts (context length, price, structured output) for Chat mode."""

    backend: Backend
    settings: Settings
    streams: list[Any] = field(default_factory=list)  # every event that streams a run; Stop cancels them all
    facts: FactsLookup | None = None

    def streaming(self, event: Any) -> Any:
        """Registers an event that streams a run, so Stop cancels it; returns it for chaining."""
        self.streams.append(event)
        return event


def visitor_token(ctx: RunContext, session_token: Any, oauth_token: gr.OAuthToken | None, check: bool = False) -> str | None:
    """The token the visitor's requests use (`pick_token`'s order: typed, signed in, then the
    server's where allowed). With `check`, raises InvalidTokenError for a malformed one."""
    typed = session_token if isinstance(session_token, str) else None
    token = pick_token(typed, oauth_token.token if oauth_token else None, ctx.settings)
    if check:
        check_token_format(token)
    return token


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
