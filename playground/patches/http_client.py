"""huggingface_hub's own request hook, kept in the playground's client, and hooks added to its shared client.

Checked against huggingface_hub 2.4.0: `set_client_factory` (public) replaces the factory of the
one `httpx2.Client` huggingface_hub shares between all its calls (`get_session`). Its default factory
installs `utils._http.hf_request_event_hook` (offline mode, request IDs, the download flag, the
debug log), which is not exported; the playground's factory (`playground.hf.router`) keeps it, so
replacing the factory changes nothing huggingface_hub does itself. The shared client's
`event_hooks` are read afresh on every request, so a hook appended to them (the stream reader's, in
`playground.inference.stream_reader`) holds for every later request; a new factory makes a new
client, which needs it again.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx2
from huggingface_hub.utils import get_session
from huggingface_hub.utils._http import hf_request_event_hook

RequestHook = Callable[[httpx2.Request], object]
ResponseHook = Callable[[httpx2.Response], object]


def library_request_hooks() -> list[RequestHook]:
    """The request hooks huggingface_hub's default client has, for a client made in its place."""
    return [hf_request_event_hook]


def add_response_hook(hook: ResponseHook) -> None:
    """Appends `hook` to the response hooks of huggingface_hub's shared client, unless it is there."""
    hooks = get_session().event_hooks["response"]
    if hook not in hooks:
        hooks.append(hook)
