"""Which API an endpoint URL speaks, and the models it serves: asked once per URL and token, then cached.

Two GETs decide it: `<base>/info` answering TGI's JSON means TGI (its own routes are used, as
before); otherwise `<base>/v1/models` listing models means an OpenAI-compatible server (vLLM,
Ollama, llama.cpp, LM Studio), served through `/v1/completions` and `/v1/chat/completions`. Two
404s mean neither; the run then tries TGI's route as before and words a 404 with what was tried.
`<base>` is the URL without a trailing `/v1`, so both forms a server's docs give work.

The lookups run inside the caller's run scope (`playground.hf.outbound.run_scope`): they carry
exactly the visitor's token for that URL, or none, follow no redirect, and on a Space connect
only to checked global addresses, like a run. A result is kept `TTL_SECONDS` per URL and token;
an inconclusive one (no answer, 401, 500) raises and is not kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import httpx2

from playground import errors as e
from playground.hf.lookup_cache import TokenScopedCache
from playground.hf.outbound import current_token
from playground.hf.router import endpoint_client

LOOKUP_TIMEOUT = 3.0  # seconds: the lookup runs while the visitor waits for the dropdown
TTL_SECONDS = 60.0
MAX_URLS = 64
MAX_MODELS = 100  # a server listing more is shown its first hundred
MAX_NAME_CHARS = 256


class Protocol(str, Enum):
    TGI = "TGI"
    OPENAI = "OpenAI-compatible"
    NEITHER = "neither"


@dataclass(frozen=True)
class ServerInfo:
    """What an endpoint speaks; `models` are the names `/v1/models` lists (for TGI and neither: none),
    `tried` the lookups made, as "GET /v1/models", for an error that says what was tried."""

    protocol: Protocol
    models: tuple[str, ...] = ()
    tried: tuple[str, ...] = ()

    def summary(self) -> str:
        """E.g. "OpenAI-compatible server, 1 model", shown beside the model field."""
        if self.protocol is Protocol.NEITHER:
            return "No TGI or OpenAI route found (" + ", ".join(self.tried) + ")"
        if self.protocol is Protocol.TGI:
            return "TGI server"
        count = len(self.models)
        return f"OpenAI-compatible server, {count} model{'' if count == 1 else 's'}"


def api_base(url: str) -> str:
    """The server's base URL: `url` without a trailing slash or `/v1`."""
    base = url.rstrip("/")
    return base.removesuffix("/v1")


def server_info(url: str) -> ServerInfo:
    """The protocol `url` speaks, cached per URL and run-scope token. Raises a PlaygroundError when
    the server gives no clear answer (unreachable, refused, a redirect, a server error)."""
    return _cached_lookup(api_base(url))


def _lookup(base: str) -> ServerInfo:
    with endpoint_client(httpx2.Timeout(LOOKUP_TIMEOUT)) as client:
        info = _get_json(client, base + "/info")
        if isinstance(info, dict) and ("model_id" in info or "max_total_tokens" in info):
            return ServerInfo(Protocol.TGI, tried=("GET /info",))
        listing = _get_json(client, base + "/v1/models")
    tried = ("GET /info", "GET /v1/models")
    if not isinstance(listing, dict) or not isinstance(listing.get("data"), list):
        return ServerInfo(Protocol.NEITHER, tried=tried)
    return ServerInfo(Protocol.OPENAI, models=model_names(listing), tried=tried)


_cached_lookup = TokenScopedCache(_lookup, maxsize=MAX_URLS, ttl=TTL_SECONDS)


def _get_json(client: httpx2.Client, url: str) -> Any:
    """The JSON a GET answers, or None for a 404 or 405 (no such route). Raises PlaygroundError otherwise."""
    token = current_token()
    headers = {"authorization": f"Bearer {token}"} if token else {}
    try:
        response = client.get(url, headers=headers)
    except httpx2.TransportError as error:
        raise e.ConnectionFailedError(f"no answer from {url[:120]} ({type(error).__name__})") from None
    if response.status_code in (404, 405):
        return None
    if response.status_code != 200:
        raise e.LookupFailedError(f"HTTP {response.status_code} from {url[:120]}", status=response.status_code)
    try:
        return response.json()
    except ValueError:
        return None  # a page that is not an API (an HTML 200) speaks neither protocol here


def model_names(listing: Any) -> tuple[str, ...]:
    """The model names an OpenAI `/v1/models` answer lists (`data[*].id`), each once, in order."""
    data = listing.get("data") if isinstance(listing, dict) else None
    if not isinstance(data, list):
        return ()
    names = [item.get("id") for item in data if isinstance(item, dict)]
    kept = [name for name in names if isinstance(name, str) and 0 < len(name) <= MAX_NAME_CHARS and name.isprintable()]
    return tuple(dict.fromkeys(kept))[:MAX_MODELS]


def forget_servers() -> None:
    """Empties the cache (tests; a server restarted with other models)."""
    _cached_lookup.cache_clear()
