"""On a Space, a visitor's endpoint host is reached only at a global address, checked where the connection is made.

The "Model" field's check (`playground.input.model_ref.check_endpoint_allowed`) resolves the name
once, when the request is validated; httpx would resolve it again at connect, and on every retry.
A name answering a public address first and 127.0.0.1 next (DNS rebinding) passed the check and
reached this machine. So a guarded request (an endpoint URL a visitor chose, on a Space, its host
not allow-listed: `guard_for`) goes through a connection pool of its own, whose network backend
resolves the host once, refuses if nothing resolves or any answer is not global, and connects to
the very address it checked. TLS still names the host (httpcore passes the origin's name to
`start_tls`) and the request keeps its Host header, so certificates and virtual hosts work as before.

The pool is separate from the one serving the operator's hosts (router, Hub), so a guarded request
never reuses a connection that was opened unchecked. httpx2 2.16.2's `HTTPTransport` takes no
network backend: `GuardedTransport` replaces the pool it builds (`_pool`), and refuses to start if
that attribute is gone, rather than run unguarded.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import httpcore2
import httpx2

from playground.input.model_ref import Resolver, endpoint_host, global_addresses, is_endpoint_url

# httpx2's own defaults for a transport (`httpx2._config.DEFAULT_LIMITS`, `HTTPTransport()`).
_LIMITS = httpx2.Limits(max_connections=100, max_keepalive_connections=20)


@dataclass(frozen=True)
class AddressGuard:
    """How a guarded run's host is checked: `model` (the endpoint URL) words a refusal, `resolver`
    answers the name (socket.getaddrinfo's shape; tests answer for it)."""

    model: str
    resolver: Resolver = socket.getaddrinfo


def guard_for(model: str, on_space: bool, allowlist: frozenset[str], resolver: Resolver = socket.getaddrinfo) -> AddressGuard | None:
    """The guard for a run of `model`: on a Space, for an endpoint URL whose host (by name) is not
    allow-listed; None otherwise (a Hub ID goes to the operator's router)."""
    if not on_space or not is_endpoint_url(model) or endpoint_host(model) in allowlist:
        return None
    return AddressGuard(model, resolver)


class CheckedBackend(httpcore2.NetworkBackend):
    """Resolves a host once through the current guard, refuses a non-global answer (InvalidModelError,
    which httpx passes through untouched), and connects to an address it checked, in the resolver's order."""

    def __init__(self, current: Callable[[], AddressGuard | None], connect: httpcore2.NetworkBackend | None = None) -> None:
        self._current = current
        self._connect = connect or httpcore2.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None) -> httpcore2.NetworkStream:
        # No guard in this thread would be a wiring mistake: check with the system's resolver, never skip.
        guard = self._current() or AddressGuard(host)
        failure: httpcore2.ConnectError | None = None
        for address in global_addresses(host, guard.resolver, model=guard.model):
            try:
                return self._connect.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except httpcore2.ConnectError as error:  # this address is down: try the next one checked
                failure = error
        assert failure is not None  # global_addresses returned at least one address
        raise failure

    def sleep(self, seconds: float) -> None:
        self._connect.sleep(seconds)


class GuardedTransport(httpx2.HTTPTransport):
    """httpx2's transport with httpx2's defaults, connecting through `CheckedBackend`."""

    def __init__(self, current: Callable[[], AddressGuard | None], connect: httpcore2.NetworkBackend | None = None) -> None:
        ssl_context = httpx2.create_ssl_context()
        super().__init__(verify=ssl_context, limits=_LIMITS)
        if not isinstance(getattr(self, "_pool", None), httpcore2.ConnectionPool):
            raise RuntimeError("httpx2.HTTPTransport keeps no `_pool` any more: the endpoint address guard can't be installed")
        self._pool = httpcore2.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=_LIMITS.max_connections,
            max_keepalive_connections=_LIMITS.max_keepalive_connections,
            keepalive_expiry=_LIMITS.keepalive_expiry,
            network_backend=CheckedBackend(current, connect),
        )
