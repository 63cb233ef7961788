"""What the chat view needs to know of a model: its context length, its price, and whether it
takes structured output.

The built-in local model's facts are known here. Hosted models' facts come from the router's model
list (`GET {HF_ROUTER_URL}/v1/models`), which another module looks up and caches; this module only
needs a function `lookup(model, provider, token) -> ModelFacts | None` and works without one (every
fact unknown: no bound, no cost, no structured output offered).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from playground.chat.usage import Price
from playground.local import LOCAL_MODEL_NAME
from playground.local.engine import CONTEXT_TOKENS


@dataclass(frozen=True)
class ModelFacts:
    """None means "not known"."""

    context_length: int | None = None
    price: Price | None = None
    supports_structured_output: bool | None = None


FactsLookup = Callable[[str, str, "str | None"], "ModelFacts | None"]
LOCAL_FACTS = ModelFacts(context_length=CONTEXT_TOKENS, price=Price(0.0, 0.0), supports_structured_output=True)
UNKNOWN = ModelFacts()


def model_facts(model: str, provider: str, token: str | None, lookup: FactsLookup | None = None) -> ModelFacts:
    """The facts for `model` on `provider`; never raises (a failed lookup knows nothing)."""
    if model == LOCAL_MODEL_NAME:
        return LOCAL_FACTS
    if lookup is None:
        return UNKNOWN
    try:
        return lookup(model, provider, token) or UNKNOWN
    except Exception:  # a lookup failure must never stop a run; the facts are only unknown
        return UNKNOWN


def structured_output_note(model: str, facts: ModelFacts) -> str | None:
    """Why "Response format" is not offered for this model, or None when it is."""
    if facts.supports_structured_output:
        return None
    if facts.supports_structured_output is False:
        return f"Response format isn't offered: the router says no provider of {model} here supports structured output."
    return f"Response format isn't offered: the router doesn't say whether {model} supports structured output."
