"""Questions asked of the Hub API about a model, for choosing sensible defaults in the UI."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from huggingface_hub import HfApi

from playground.input.model_ref import is_endpoint_url
from playground.input.request import Mode

LOOKUP_TIMEOUT = 5.0


def suggest_mode(model: str, token: str | None) -> Mode | None:
    """Chat if the model's first provider serves it as "conversational", Completion if as
    "text-generation"; None when the Hub cannot tell (unknown model, no mapping, no network).

    Failures are not errors here: the mode stays the user's choice and Generate reports problems.
    """
    if is_endpoint_url(model):
        return None
    try:
        info = HfApi().model_info(model, expand=["inferenceProviderMapping"], token=token or False, timeout=LOOKUP_TIMEOUT)
    except Exception:  # a lookup for defaults must never break the page
        return None
    tasks = [mapping.task for mapping in info.inference_provider_mapping or []]
    if not tasks:
        return None
    return Mode.CHAT if tasks[0] == "conversational" else Mode.COMPLETION if tasks[0] == "text-generation" else None


def hub_reachable(endpoint: str, timeout: float = 2.0) -> bool:
    """Whether a TCP connection to the Hub API's host opens: enough to tell "offline" at start-up."""
    parts = urlsplit(endpoint)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False
