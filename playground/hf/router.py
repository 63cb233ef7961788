"""huggingface_hub's HTTP client for the playground: router traffic to `HF_ROUTER_URL`, tokens guarded.

huggingface_hub 2.4 has no setting for the router base (the URL is frozen in at import), so the
supported way is its client factory: every request to the router host is rewritten to the chosen
base, whatever path the client built. Hub API traffic follows `HF_ENDPOINT`, which
huggingface_hub reads itself. The same client carries the hooks of `playground.hf.outbound` (each
request carries exactly the visitor's token or none; no redirects from endpoint URLs) beside
huggingface_hub's own (`playground.patches.http_client`), and its lookups are cached per token
(`playground.patches.hub_lookups`).
"""

from __future__ import annotations

import httpx2
from huggingface_hub import set_client_factory

from playground.config import DEFAULT_ROUTER_URL
from playground.hf.lookup_cache import TokenScopedCache
from playground.hf.outbound import guard_request, refuse_endpoint_redirect
from playground.patches.http_client import library_request_hooks
from playground.patches.hub_lookups import scope_client_lookups

ROUTER_HOST = "router.huggingface.co"


class _RouterRewrite(httpx2.BaseTransport):
    """Rewrites requests for the router host onto `base`, keeping any path prefix of `base`."""

    def __init__(self, base: str) -> None:
        self._base = httpx2.URL(base.rstrip("/"))
        self._inner = httpx2.HTTPTransport()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.host == ROUTER_HOST:
            request.url = request.url.copy_with(
                scheme=self._base.scheme,
                host=self._base.host,
                port=self._base.port,
                path=self._base.path.rstrip("/") + request.url.path,
            )
            request.headers["host"] = request.url.netloc.decode()
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def install_router(base_url: str) -> None:
    """Makes every later huggingface_hub request go through the playground's client: router
    traffic to `base_url`, the token guard, and per-token lookup caches. Call at start-up."""
    scope_client_lookups(TokenScopedCache)
    set_client_factory(lambda: _client_for(base_url))


def _client_for(base_url: str) -> httpx2.Client:
    # huggingface_hub's default factory, plus the guards; the rewriting transport for another base.
    rewrite = base_url.rstrip("/") != DEFAULT_ROUTER_URL
    return httpx2.Client(
        # guard_request first, so huggingface_hub's debug log of "authenticated" tells the truth.
        event_hooks={"request": [guard_request, *library_request_hooks()], "response": [refuse_endpoint_redirect]},
        follow_redirects=True,
        timeout=None,
        transport=_RouterRewrite(base_url) if rewrite else None,
    )
