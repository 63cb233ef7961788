"""Fallback in one click: which model to offer when a hosted run fails in a way a retry won't fix.

    model = offered_fallback(error, request.model, settings.fallback_models, local_model_installed())
    if model: offer "Run on {model}" -> fallback_request(request, model), labelled with playground.saved.history.fallback_label

Offered for: not found, not served for this task or provider, gated, out of credits, and the retry
deadline passed. The choice is the first of `PLAYGROUND_FALLBACK_MODELS` that is not the failing
model; without that setting, the built-in local model when it is installed.
"""

from __future__ import annotations

from collections.abc import Sequence

from playground import errors as e
from playground.input.model_ref import is_endpoint_url
from playground.input.policy import split_policy
from playground.input.request import DEFAULT_PROVIDER, GenerationRequest
from playground.local import LOCAL_MODEL_NAME

FALLBACK_ERRORS: tuple[type[e.PlaygroundError], ...] = (
    e.ModelNotFoundError, e.NotServedError, e.GatedModelError, e.OutOfCreditsError, e.TimedOutError,
)


def is_hosted(model: str) -> bool:
    """A Hub model served by a provider: not an endpoint URL, not the built-in model."""
    return not is_endpoint_url(model) and model != LOCAL_MODEL_NAME


def offered_fallback(error: e.PlaygroundError, failing_model: str, configured: Sequence[str], local_installed: bool) -> str | None:
    """The model to offer after `error`, or None when no fallback applies."""
    if not isinstance(error, FALLBACK_ERRORS) or not is_hosted(failing_model):
        return None
    return choose_fallback(failing_model, configured, local_installed)


def choose_fallback(failing_model: str, configured: Sequence[str], local_installed: bool) -> str | None:
    failing = split_policy(failing_model)[0]
    for model in configured:
        if split_policy(model)[0] != failing:
            return model
    if not configured and local_installed:
        return LOCAL_MODEL_NAME
    return None


def fallback_request(request: GenerationRequest, model: str) -> GenerationRequest:
    """The same prompt and settings on `model`. The provider goes back to auto: the one picked for
    the failing model may not serve the fallback."""
    return request.model_copy(update={"model": model, "provider": DEFAULT_PROVIDER})
