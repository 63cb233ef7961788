"""huggingface_hub's process-wide Hub lookup caches, swapped for token-scoped ones.

Checked against huggingface_hub 2.4.0: inside InferenceClient the provider mapping
(`inference._providers._common._fetch_inference_provider_mapping`) and the task check
(`inference._providers.hf_inference._check_supported_task`) are `lru_cache(maxsize=None)` functions,
one answer per model for the whole process. In a shared app a mapping fetched with visitor A's
token (a gated or private model A may see) would then serve visitor B, whose token the Hub never
checks, and any visitor could grow the caches without bound. Each is replaced by a cache made
by the caller (`playground.hf.lookup_cache.TokenScopedCache`) around the function the lru_cache wrapped.
`get_provider_helper` (in `inference._providers`) imported the mapping function by name, so that
module's copy is replaced too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from huggingface_hub.inference import _providers as providers
from huggingface_hub.inference._providers import _common as providers_common
from huggingface_hub.inference._providers import hf_inference


def scope_client_lookups(cache_type: Callable[[Callable[..., Any]], Any]) -> None:
    """Replaces huggingface_hub's process-wide lookup caches with `cache_type(function)` (idempotent)."""
    mapping = providers_common._fetch_inference_provider_mapping
    if not isinstance(mapping, cache_type):  # type: ignore[arg-type]
        mapping = cache_type(mapping.__wrapped__)
        # get_provider_helper imported the function by name, so both modules need the new one.
        providers_common._fetch_inference_provider_mapping = mapping
        providers._fetch_inference_provider_mapping = mapping
    task_check = hf_inference._check_supported_task
    if not isinstance(task_check, cache_type):  # type: ignore[arg-type]
        hf_inference._check_supported_task = cache_type(task_check.__wrapped__)
