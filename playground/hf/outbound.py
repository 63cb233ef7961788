"""What may leave this process with a request huggingface_hub sends: exactly the visitor's token, or none.

huggingface_hub 2.4 looks for a token of its own whenever it is given none: `InferenceClient` calls
`get_token()` (HF_TOKEN, HUGGING_FACE_HUB_TOKEN, the HF_HOME token file), and the Hub lookups inside
it (`model_info` for the provider mapping and the task check) send that implicit token even when the
visitor typed their own. On a Space those tokens are the owner's; locally the server's token must
not reach an endpoint URL a visitor typed. Three layers keep tokens with their owner:

    isolate_tokens()   at start-up: no implicit token anywhere in the process (env, token file, flag);
                       a patch of huggingface_hub's constants, in `playground.patches.implicit_tokens`
    run_scope(token)   around each model call: the one token this call may use (a ContextVar)
    guard_request      a request hook on huggingface_hub's client (see `playground.hf.router`): inside a
                       run scope, every request carries exactly the scope's token or none, and the
                       Hub API lookups get the scope's token, so gated models resolve for their owner

The scope is set and reset within one synchronous client call, so it holds in whatever thread the
call runs: huggingface_hub makes its lookups and opens the stream before the call returns.

Endpoint URLs are the visitor's choice of host: `refuse_endpoint_redirect` stops a redirect there
(an allow-listed host answering 302 to a private address would otherwise be followed), and on a
Space the scope carries an `AddressGuard`: the client (`playground.hf.router`) then connects to that
host only at a global address, checked at connect (`playground.hf.address_guard`).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx2
from huggingface_hub import constants

from playground import errors as e
from playground.hf.address_guard import AddressGuard

_MAX_LOCATION = 120


@dataclass(frozen=True)
class RunScope:
    """`token` is the only token requests in this scope may carry; `endpoint` marks a visitor-chosen
    host; `guard`, when set, holds that host to global addresses where the connection is made."""

    token: str | None = field(default=None, repr=False)
    endpoint: bool = False
    guard: AddressGuard | None = None


_SCOPE: contextvars.ContextVar[RunScope | None] = contextvars.ContextVar("playground_run_scope", default=None)


@contextmanager
def run_scope(token: str | None, endpoint: bool = False, guard: AddressGuard | None = None) -> Iterator[RunScope]:
    """Inside, huggingface_hub's requests carry `token` or nothing (see `guard_request`), and with a
    `guard`, connect only where it allows."""
    scope = RunScope(token=token or None, endpoint=endpoint or guard is not None, guard=guard)
    reset = _SCOPE.set(scope)
    try:
        yield scope
    finally:
        _SCOPE.reset(reset)


def current_token() -> str | None:
    """The token of the run scope this code runs in; None outside any scope."""
    scope = _SCOPE.get()
    return scope.token if scope else None


def current_guard() -> AddressGuard | None:
    """The address guard of the run scope this code runs in; None outside any scope or unguarded."""
    scope = _SCOPE.get()
    return scope.guard if scope else None


def guard_request(request: httpx2.Request) -> None:
    """Request hook: inside a run scope, Authorization is exactly the scope's token, or absent.

    A header that is there (huggingface_hub added one) is replaced; the Hub API lookups, sent with no
    token, get the scope's token. Outside a run scope only explicit tokens exist (isolate_tokens).
    """
    scope = _SCOPE.get()
    if scope is None:
        return
    if "authorization" not in request.headers and not (scope.token and _is_hub_api(request.url)):
        return
    if scope.token:
        request.headers["authorization"] = f"Bearer {scope.token}"
    else:
        del request.headers["authorization"]


# Headers the `openai` package fills in from the server's environment (OPENAI_ORG_ID,
# OPENAI_PROJECT_ID): the operator's, never sent to a host a visitor chose.
_ENVIRONMENT_HEADERS = ("openai-organization", "openai-project")


def drop_environment_headers(request: httpx2.Request) -> None:
    """Request hook: removes the headers a client library took from this process's environment."""
    for name in _ENVIRONMENT_HEADERS:
        if name in request.headers:
            del request.headers[name]


def refuse_endpoint_redirect(response: httpx2.Response) -> None:
    """Response hook: a redirect from a visitor-chosen endpoint is an error, never followed.

    Raises EndpointRedirectError (httpx closes the response).
    """
    scope = _SCOPE.get()
    if scope is None or not scope.endpoint or not response.has_redirect_location:
        return
    location = response.headers.get("location", "")
    excerpt = location if len(location) <= _MAX_LOCATION else location[: _MAX_LOCATION - 1] + "…"
    raise e.EndpointRedirectError(f"HTTP {response.status_code} to {excerpt}", status=response.status_code)


def _is_hub_api(url: httpx2.URL) -> bool:
    return str(url).startswith(constants.ENDPOINT.rstrip("/") + "/api/")
