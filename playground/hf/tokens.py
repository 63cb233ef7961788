"""Which Hugging Face token a request may use, and where it may go.

A visitor's own token (typed in the session, or from "Sign in with Hugging Face") comes first. The
server's HF_TOKEN is used only when the app is not running as a Space: on a Space it belongs to the
Space's owner, and one person's token is never spent on another person's request.

A Hugging Face token goes to Hugging Face hosts only: the router and the Hub (as configured, and
their public names), `*.endpoints.huggingface.cloud` and `*.hf.space`, over HTTPS. Any other
endpoint URL is a host somebody chose, possibly the author of a share link, so it gets no token:
the server's never, and the visitor's neither. It gets the visitor's Endpoint token instead (a
vLLM or TGI server's key, typed for that purpose), which no Hugging Face host or Hub model ever gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playground.config import Settings
from playground.hf.token_format import check_endpoint_token_format, check_token_format
from playground.input.model_ref import is_endpoint_url

# Hosts (and host suffixes) run by Hugging Face, trusted with a token over HTTPS.
HF_HOSTS = frozenset({"huggingface.co", "router.huggingface.co"})
HF_HOST_SUFFIXES = (".endpoints.huggingface.cloud", ".hf.space")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def pick_token(session_token: str | None, oauth_token: str | None, settings: Settings) -> str | None:
    for candidate in (session_token, oauth_token):
        if candidate and candidate.strip():
            return candidate.strip()
    return None if settings.on_space else settings.hf_token


def token_for_model(token: str | None, model: str, settings: Settings, endpoint_token: str | None = None) -> str | None:
    """What is sent for `model`, given `token` (from pick_token) and the visitor's `endpoint_token`:
    a Hub ID goes through the router with `token`; an endpoint URL on a Hugging Face host keeps a
    visitor's `token` (never the server's); any other endpoint URL gets `endpoint_token` and nothing else."""
    if not is_endpoint_url(model):
        return token
    if is_foreign_endpoint(model, settings):
        return endpoint_token or None
    if token is None or token == settings.hf_token:
        return None
    return token


@dataclass(frozen=True)
class Tokens:
    """One visitor's two tokens: `hf` (pick_token's choice) for Hugging Face, `endpoint` (the
    Endpoint token field) for an endpoint URL on any other host. Kept out of repr: never logged."""

    hf: str | None = field(default=None, repr=False)
    endpoint: str | None = field(default=None, repr=False)

    def for_model(self, model: str, settings: Settings) -> str | None:
        """The one token `model`'s request carries (`token_for_model`), or None."""
        return token_for_model(self.hf, model, settings, self.endpoint)

    def check(self) -> Tokens:
        """Returns self. Raises InvalidTokenError (the Hugging Face token's shape) or
        InvalidParametersError (an Endpoint token that no HTTP header can carry)."""
        check_token_format(self.hf)
        check_endpoint_token_format(self.endpoint)
        return self


def is_foreign_endpoint(model: str, settings: Settings) -> bool:
    """True when `model` is an endpoint URL on a host Hugging Face does not run: a host somebody chose."""
    return is_endpoint_url(model) and not is_hugging_face_url(model, settings)


def is_hugging_face_url(url: str, settings: Settings) -> bool:
    """True when `url` is served by Hugging Face: the configured router or Hub (same scheme, host
    and port), or an HTTPS URL on one of Hugging Face's own host names. A URL with user info
    (`https://x.hf.space@evil.example/`) or a backslash is never trusted: parsers disagree on its host."""
    parts = urlsplit(url)
    if "@" in parts.netloc or "\\" in url:
        return False
    if any(_same_origin(parts, base) for base in (settings.router_url, settings.hub_endpoint)):
        return True
    host = (parts.hostname or "").lower().rstrip(".")
    return parts.scheme == "https" and (host in HF_HOSTS or host.endswith(HF_HOST_SUFFIXES))


def _same_origin(parts, base: str) -> bool:
    other = urlsplit(base)
    return (parts.scheme, (parts.hostname or "").lower(), _port(parts)) == (other.scheme, (other.hostname or "").lower(), _port(other))


def _port(parts) -> int | None:
    try:
        return parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None
