"""Hub search: text-generation models that inference providers serve, with each provider's status.

    hits = search_models("llama", token)     # cached for SEARCH_TTL seconds, shared by all visitors
    hits[0].id, [(p.provider, p.status) for p in hits[0].providers]

Raises `LookupFailedError` when the Hub cannot be asked (network, refused token, timeout).
Only public models are kept: the cache is shared, and one visitor's private model must never
appear in another visitor's results.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import TypeVar

from huggingface_hub import HfApi
from huggingface_hub import constants as hf_constants

from playground.catalog.cache import TtlCache
from playground.errors import LookupFailedError

SEARCH_TTL = 300.0  # seconds; model lists change slowly, demos happen in bursts
SEARCH_LIMIT = 20
LOOKUP_TIMEOUT = 8.0  # huggingface_hub's list call has no timeout of its own and retries 5xx
MAX_QUERY_CHARS = 100
T = TypeVar("T")

# A few threads run lookups so a slow Hub answer cannot hold a visitor's event past LOOKUP_TIMEOUT.
_lookups = ThreadPoolExecutor(max_workers=4, thread_name_prefix="catalog-lookup")


@dataclass(frozen=True)
class ProviderStatus:
    """A provider serving a model: `status` is the Hub's word, "live", "staging" or "error"."""

    provider: str
    status: str
    task: str | None = None


@dataclass(frozen=True)
class ModelHit:
    id: str
    providers: tuple[ProviderStatus, ...]


_search_cache: TtlCache[tuple[ModelHit, ...]] = TtlCache(ttl=SEARCH_TTL)


def search_models(text: str, token: str | None, limit: int = SEARCH_LIMIT,
                  cache: TtlCache[tuple[ModelHit, ...]] | None = None) -> tuple[ModelHit, ...]:
    """Trending served text-generation models matching `text` (all of them when empty), best first.

    `token` is the visitor's (None: anonymous); the implicit machine token is never used. `cache`
    defaults to the one shared by all visitors."""
    query = normalized_query(text)
    return (cache or _search_cache).get(("search", query, limit), lambda: within(LOOKUP_TIMEOUT, lambda: _list_models(query, token, limit)))


def normalized_query(text: str) -> str:
    """Hub search ignores case and extra spaces, so the cache does too."""
    return " ".join((text or "").split())[:MAX_QUERY_CHARS].lower()


def within(seconds: float, call: Callable[[], T]) -> T:
    """`call()`'s result, or LookupFailedError if it raises or takes longer than `seconds`."""
    future = _lookups.submit(call)
    try:
        return future.result(timeout=seconds)
    except FutureTimeout:
        raise LookupFailedError(f"no answer within {seconds:.0f} s") from None
    except LookupFailedError:
        raise
    except Exception as error:  # any failure of a lookup means the same thing: type an ID instead
        raise LookupFailedError(type(error).__name__) from error


def _list_models(query: str, token: str | None, limit: int) -> tuple[ModelHit, ...]:
    api = HfApi(endpoint=hf_constants.ENDPOINT)  # read now: tests and HF_ENDPOINT may point elsewhere
    models = api.list_models(
        search=query or None, inference_provider="all", pipeline_tag="text-generation", sort="trending_score",
        # "private" too: the results are shared by every visitor, so a model only this token can see is dropped.
        expand=["inferenceProviderMapping", "private"], limit=limit, token=token or False,
    )
    return tuple(_hit(model.id, model.inference_provider_mapping or []) for model in models if model.private is not True)


def _hit(model_id: str, mapping: list) -> ModelHit:
    providers = tuple(ProviderStatus(m.provider, str(m.status or "unknown"), m.task) for m in mapping if m.provider)
    return ModelHit(model_id, providers)
