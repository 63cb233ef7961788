"""Which Hugging Face token a request may use.

A visitor's own token (typed in the session, or from "Sign in with Hugging Face") comes first. The
server's HF_TOKEN is used only when the app is not running as a Space: on a Space it belongs to the
Space's owner, and one person's token is never spent on another person's request. Even locally the
server's token goes to Hugging Face only: an endpoint URL is a host the visitor chose.
"""

from __future__ import annotations

from playground.config import Settings
from playground.model_ref import is_endpoint_url


def pick_token(session_token: str | None, oauth_token: str | None, settings: Settings) -> str | None:
    for candidate in (session_token, oauth_token):
        if candidate and candidate.strip():
            return candidate.strip()
    return None if settings.on_space else settings.hf_token


def token_for_model(token: str | None, model: str, settings: Settings) -> str | None:
    """`token` (from pick_token) as sent for `model`: the server's own token never goes to an
    endpoint URL. A visitor who typed that same token knows it, so theirs is kept."""
    if is_endpoint_url(model) and token is not None and token == settings.hf_token:
        return None
    return token
