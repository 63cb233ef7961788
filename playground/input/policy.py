"""The router's provider policies: `org/name:fastest` and `org/name:cheapest`.

The router reads a policy from the model ID's suffix. huggingface_hub 2.4 passes such an ID through
untouched only on one path: `chat_completion` with provider "auto", which goes to the router's
`/v1/chat/completions` without asking the Hub for a provider mapping, and puts the model ID,
suffix included, in the request body (`AutoRouterConversationalTask`). Every other path looks the
ID up on the Hub first (`_fetch_inference_provider_mapping`, or the hf-inference task check),
where `org/name:fastest` is not a repository. So a policy is offered, and accepted, only in Chat
mode with provider auto, and the auto router itself requires an `hf_` token.
"""

from __future__ import annotations

from playground.errors import InvalidModelError

POLICIES = ("fastest", "cheapest")
AUTO = "auto"


def split_policy(model: str) -> tuple[str, str | None]:
    """("org/name", "fastest") for "org/name:fastest"; (model, None) without a known policy suffix."""
    base, sep, suffix = model.rpartition(":")
    if sep and suffix in POLICIES and "/" in base and "://" not in model:
        return base, suffix
    return model, None


def with_policy(model: str, policy: str) -> str:
    return f"{split_policy(model)[0]}:{policy}"


def check_policy_use(model: str, chat: bool, provider: str) -> None:
    """Raises InvalidModelError when `model` carries a policy on a path that cannot pass it on."""
    base, policy = split_policy(model)
    if policy is None:
        return
    if not chat or provider != AUTO:
        raise InvalidModelError(model, reason=f"uses the router's '{policy}' policy, which works only in Chat mode with provider auto")
