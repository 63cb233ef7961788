"""huggingface_hub's HTTP client for the playground: router traffic to `HF_ROUTER_URL`, tokens guarded.

huggingface_hub 2.4 has no setting for the router base (the URL is frozen in at import), so the
supported way is its client factory: every request to the router host is rewritten to the chosen
base, whatever path the client built. Hub API traffic follows `HF_ENDPOINT`, which
huggingface_hub reads itself. The same client carries the hooks of `playground.hf.outbound` (each
request carries exactly the visitor's token or none; no redirects from endpoint URLs) beside
huggingface_hub's own (`playground.patches.http_client`), and its lookups are cached per token
(`playground.patches.hub_lookups`). A request in a guarded run scope (a visitor's endpoint URL, on a
Space) goes through a pool of its own that connects only to checked global addresses
(`playground.hf.address_guard`), unless it is for the router or the Hub the operator configured.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import httpx2
from huggingface_hub import constants, set_client_factory

from playground.config import DEFAULT_ROUTER_URL
from playground.hf.address_guard import GuardedTransport
from playground.hf.lookup_cache import TokenScopedCache
from playground.hf.outbound import current_guard, drop_environment_headers, guard_request, refuse_endpoint_redirect
from playground.patches.http_client import library_request_hooks
from playground.patches.hub_lookups import scope_client_lookups

ROUTER_HOST = "router.huggingface.co"


class _PlaygroundTransport(httpx2.BaseTransport):
    """Rewrites requests for the router host onto `base` (keeping any path prefix of `base`) unless it
    is the default router, and sends a guarded run's requests for any other host through the guarded pool."""

    def __init__(self, base: str) -> None:
        self._base = httpx2.URL(base.rstrip("/"))
        self._rewrite = base.rstrip("/") != DEFAULT_ROUTER_URL
        self._pools: dict[bool, httpx2.BaseTransport] = {}  # by "guarded", made at first use (see _pool)
        self._making = threading.Lock()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if self._rewrite and request.url.host == ROUTER_HOST:
            request.url = request.url.copy_with(
                scheme=self._base.scheme,
                host=self._base.host,
                port=self._base.port,
                path=self._base.path.rstrip("/") + request.url.path,
            )
            request.headers["host"] = request.url.netloc.decode()
        guarded = current_guard() is not None and not self._is_operator_host(request.url)
        return self._pool(guarded).handle_request(request)

    def _pool(self, guarded: bool) -> httpx2.BaseTransport:
        # Made at its first request, not with the client: each pool loads the system's CA
        # certificates (~35 ms of CPU), which start-up need not wait for, and a run outside a
        # guarded scope never needs the guarded pool.
        with self._making:
            if guarded not in self._pools:
                self._pools[guarded] = GuardedTransport(current_guard) if guarded else httpx2.HTTPTransport()
            return self._pools[guarded]

    def _is_operator_host(self, url: httpx2.URL) -> bool:
        # The router and the Hub are the operator's choice, not a visitor's (loopback in tests).
        # HF_ENDPOINT is read per request: tests point it elsewhere after the client is built.
        return any(_origin(url) == _origin(httpx2.URL(base)) for base in (self._base, constants.ENDPOINT))

    def close(self) -> None:
        with self._making:
            pools = list(self._pools.values())
        for pool in pools:
            pool.close()


def _origin(url: httpx2.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port  # httpx2 leaves a scheme's default port out (None)


def install_router(base_url: str) -> None:
    """Makes every later huggingface_hub request go through the playground's client: router
    traffic to `base_url`, the token guard, and per-token lookup caches. Call at start-up."""
    scope_client_lookups(TokenScopedCache)
    set_client_factory(lambda: _client_for(base_url))


def _client_for(base_url: str) -> httpx2.Client:
    # huggingface_hub's default factory, plus the guards, and the transport that rewrites and guards.
    return httpx2.Client(
        # guard_request first, so huggingface_hub's debug log of "authenticated" tells the truth.
        event_hooks={"request": [guard_request, *library_request_hooks()], "response": [refuse_endpoint_redirect]},
        follow_redirects=True,
        timeout=None,
        transport=_PlaygroundTransport(base_url),
    )


def endpoint_client(timeout: httpx2.Timeout, response_hooks: Sequence[Callable[[httpx2.Response], None]] = ()) -> httpx2.Client:
    """A client for a visitor's endpoint URL outside huggingface_hub (the server lookup, the `openai`
    package): the same token guard, redirect refusal and, in a guarded run scope, the same address
    guard as huggingface_hub's own requests. Nothing is rewritten: it never talks to the router."""
    return httpx2.Client(
        event_hooks={"request": [guard_request, drop_environment_headers],
                     "response": [refuse_endpoint_redirect, *response_hooks]},
        follow_redirects=False,
        timeout=timeout,
        transport=_PlaygroundTransport(DEFAULT_ROUTER_URL),
    )
