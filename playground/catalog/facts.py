"""Router facts: what the inference router says about each model and provider.

From `GET {router}/v1/models` (and `/v1/models/{id}` for a model the list lacks), through
huggingface_hub's shared HTTP session, so `HF_ROUTER_URL` (installed as its client factory) and the
test server apply. Any field may be missing; missing is None, never a guess.

    facts = model_facts("meta-llama/Llama-3.1-8B-Instruct", token)   # ModelFacts | None
    facts.for_provider("together")        # ProviderFacts | None
    facts.context_length("auto")          # the smallest context any live provider offers
    provider_facts(model_id, "together", token)   # ProviderFacts | None, never raises

Cached for FACTS_TTL seconds, per token: the router's answer depends on who asks (a private or
gated model is listed only for a token that may see it), so one visitor's facts never serve
another; anonymous visitors share theirs. Only a SHA-256 fingerprint of the token is kept as the
key. Raises `LookupFailedError` when the router cannot be asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from huggingface_hub import get_session
from huggingface_hub.utils import hf_raise_for_status

from playground.catalog.cache import TtlCache
from playground.catalog.search import LOOKUP_TIMEOUT, within
from playground.config import DEFAULT_ROUTER_URL
from playground.errors import LookupFailedError
from playground.hf.lookup_cache import token_fingerprint

FACTS_TTL = 300.0
AUTO = "auto"


@dataclass(frozen=True)
class ProviderFacts:
    """One provider of one model. Prices are USD per 1M tokens; throughput is tokens/s."""

    provider: str
    status: str | None = None
    context_length: int | None = None
    price_in: float | None = None
    price_out: float | None = None
    throughput: float | None = None
    first_token_latency_ms: float | None = None
    supports_tools: bool | None = None
    supports_structured_output: bool | None = None


@dataclass(frozen=True)
class ModelFacts:
    id: str
    providers: tuple[ProviderFacts, ...] = ()

    def for_provider(self, provider: str) -> ProviderFacts | None:
        """The named provider's facts; None for "auto" (the router picks) or a provider not listed."""
        return next((p for p in self.providers if p.provider == provider), None)

    def live(self) -> tuple[ProviderFacts, ...]:
        return tuple(p for p in self.providers if p.status in (None, "live"))

    def context_length(self, provider: str = AUTO) -> int | None:
        """The provider's context length; for "auto" the smallest a live provider offers, since any may answer."""
        if provider != AUTO:
            found = self.for_provider(provider)
            return found.context_length if found else None
        lengths = [p.context_length for p in self.live() if p.context_length]
        return min(lengths) if lengths else None


_facts_cache: TtlCache[Any] = TtlCache(ttl=FACTS_TTL)


def router_models(token: str | None, cache: TtlCache[Any] | None = None) -> dict[str, ModelFacts]:
    """Every model the router lists for `token`, by ID. One router call per token per FACTS_TTL."""
    key = ("router-models", token_fingerprint(token))
    return (cache or _facts_cache).get(key, lambda: within(LOOKUP_TIMEOUT, lambda: _fetch_list(token)))


def model_facts(model_id: str, token: str | None, cache: TtlCache[Any] | None = None) -> ModelFacts | None:
    """The router's facts for one model (a `:policy` suffix is ignored); None when the router doesn't list it."""
    base = model_id.split(":", 1)[0]
    listed = router_models(token, cache).get(base)
    if listed is not None:
        return listed
    key = ("router-model", base, token_fingerprint(token))
    return (cache or _facts_cache).get(key, lambda: within(LOOKUP_TIMEOUT, lambda: _fetch_one(base, token)))


def provider_facts(model_id: str, provider: str, token: str | None) -> ProviderFacts | None:
    """`model_facts(...).for_provider(provider)`, for callers that only want to show what is known:
    None when the router doesn't list it, or can't be asked right now. Never raises."""
    try:
        facts = model_facts(model_id, token)
    except LookupFailedError:
        return None
    return facts.for_provider(provider) if facts else None


def _get(path: str, token: str | None) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = get_session().get(f"{DEFAULT_ROUTER_URL}{path}", headers=headers, timeout=LOOKUP_TIMEOUT)
    if response.status_code == 404:
        return None
    hf_raise_for_status(response)
    return response.json()


def _fetch_list(token: str | None) -> dict[str, ModelFacts]:
    body = _get("/v1/models", token)
    items = body.get("data") if isinstance(body, dict) else None
    parsed = (parse_model(item) for item in items if isinstance(item, dict)) if isinstance(items, list) else ()
    return {facts.id: facts for facts in parsed if facts is not None}


def _fetch_one(model_id: str, token: str | None) -> ModelFacts | None:
    body = _get(f"/v1/models/{quote(model_id, safe='/')}", token)
    return parse_model(body) if isinstance(body, dict) else None


def parse_model(item: dict[str, Any]) -> ModelFacts | None:
    """One entry of the router's list; None without an ID. Fields of the wrong type count as missing."""
    model_id = item.get("id")
    if not isinstance(model_id, str) or not model_id:
        return None
    providers = item.get("providers")
    parsed = [_provider(p) for p in providers if isinstance(p, dict)] if isinstance(providers, list) else []
    return ModelFacts(model_id, tuple(p for p in parsed if p is not None))


def _provider(item: dict[str, Any]) -> ProviderFacts | None:
    name = item.get("provider")
    if not isinstance(name, str) or not name:
        return None
    pricing = item.get("pricing") if isinstance(item.get("pricing"), dict) else {}
    context = _number(item.get("context_length"))
    return ProviderFacts(
        provider=name,
        status=item.get("status") if isinstance(item.get("status"), str) else None,
        context_length=int(context) if context else None,
        price_in=_number(pricing.get("input")),
        price_out=_number(pricing.get("output")),
        throughput=_number(item.get("throughput")),
        first_token_latency_ms=_number(item.get("first_token_latency_ms")),
        supports_tools=_flag(item.get("supports_tools")),
        supports_structured_output=_flag(item.get("supports_structured_output")),
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return float(value)


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None
