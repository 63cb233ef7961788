"""Which Hugging Face token a request may use.

A visitor's own token (typed in the session, or from "Sign in with Hugging Face") comes first. The
server's HF_TOKEN is used only when the app is not running as a Space: on a Space it belongs to the
Space's owner, and one person's token is never spent on another person's request.
"""

from __future__ import annotations

from playground.config import Settings


def pick_token(session_token: str | None, oauth_token: str | None, settings: Settings) -> str | None:
    for candidate in (session_token, oauth_token):
        if candidate and candidate.strip():
            return candidate.strip()
    return None if settings.on_space else settings.hf_token
