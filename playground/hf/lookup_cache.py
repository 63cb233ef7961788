"""huggingface_hub's own Hub lookups inside InferenceClient, cached per token, bounded and with an age.

In huggingface_hub 2.4 the provider mapping and the task check are cached per model for the whole
process, whoever asked: a mapping fetched with visitor A's token (a gated or private model A may
see) would serve visitor B, and the caches grow without bound. `playground.patches.hub_lookups`
swaps both for a `TokenScopedCache`, keyed by (arguments, token fingerprint): an entry serves only
requests made with the same token (anonymous requests share the public answers), at most
`MAX_ENTRIES` entries are kept, and each lives `TTL_SECONDS`, so mappings that change on the Hub are
picked up. The token comes from `playground.hf.outbound`'s run scope, the same one that signs the
lookup itself. Only a SHA-256 fingerprint of the token is kept as the key.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from playground.hf.outbound import current_token

MAX_ENTRIES = 512
TTL_SECONDS = 600.0


class TokenScopedCache:
    """Calls `fn` once per (arguments, token) within `ttl`; keeps the `maxsize` most recent results.

    Exceptions are not cached (as with lru_cache): an unknown model is asked again next time.
    """

    def __init__(self, fn: Callable[..., Any], maxsize: int = MAX_ENTRIES, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.__wrapped__ = fn
        self._maxsize = maxsize
        self._ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[tuple, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, *args: Any) -> Any:
        key = (args, token_fingerprint(current_token()))
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and self._clock() - hit[0] < self._ttl:
                self._entries.move_to_end(key)
                return hit[1]
        value = self.__wrapped__(*args)
        with self._lock:
            self._entries[key] = (self._clock(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._maxsize:
                self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def cache_clear(self) -> None:
        with self._lock:
            self._entries.clear()


def token_fingerprint(token: str | None) -> str:
    """A cache key standing for `token` (SHA-256; "" for none): the token itself is never kept."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest() if token else ""
