"""What the chat view needs to know of a model: its context length, its price, and whether it
takes structured output.

The built-in local model's facts are known here. Hosted models' facts come from the router's model
list (`GET {HF_ROUTER_URL}/v1/models`), looked up and cached by `playground.catalog.facts`;
`router_lookup` reads them for one model and provider. Without a lookup every fact is unknown: no
bound, no cost, no structured output offered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from playground.chat.usage import Price
from playground.input.model_ref import is_endpoint_url
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


def router_lookup(model: str, provider: str, token: str | None) -> ModelFacts | None:
    """The router's facts for `model` on `provider`. For "auto", where the router may pick any live
    provider: the smallest context, a price only when they all charge the same, and structured
    output only when they all support it. Raises LookupFailedError when the router can't be asked."""
    from playground.catalog.facts import model_facts as catalog_facts  # the catalog's shared cache

    facts = None if is_endpoint_url(model) else catalog_facts(model, token)
    if facts is None:
        return None
    chosen = facts.live() if provider == "auto" else tuple(p for p in facts.providers if p.provider == provider)
    if not chosen:
        return None
    prices = {(p.price_in, p.price_out) for p in chosen}
    price_in, price_out = next(iter(prices))
    structured = {p.supports_structured_output for p in chosen}
    return ModelFacts(
        context_length=facts.context_length(provider),
        price=Price(price_in, price_out) if len(prices) == 1 and price_in is not None and price_out is not None else None,
        supports_structured_output=False if False in structured else (True if structured == {True} else None),
    )
