"""The inference providers huggingface_hub knows, for the form's provider choices.

Checked against huggingface_hub 2.4.0: it exports no list of providers; the registry of provider
helpers, `huggingface_hub.inference._providers.PROVIDERS` (a dict keyed by provider name), is the
one place that knows them, so it is read (never changed) here.
"""

from __future__ import annotations

from huggingface_hub.inference._providers import PROVIDERS


def provider_names() -> tuple[str, ...]:
    """Every provider name huggingface_hub has a helper for, in its own order."""
    return tuple(PROVIDERS)
