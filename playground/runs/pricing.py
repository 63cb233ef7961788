"""What a run cost, and what the router claims for its provider, beside what the app measured.

Prices come from the router's `/v1/models` facts (USD per 1M input and output tokens). Tokens are
the run's reported usage when the provider sent it; without it, the streamed token count stands
for the output and the prompt is not counted (so the cost is a floor, never a guess upwards).
"auto" has no price: the router picks the provider, and the app cannot tell which one answered.
"""

from __future__ import annotations

from collections.abc import Mapping

from playground.catalog.facts import ModelFacts, ProviderFacts
from playground.inference.events import RunStats

Claims = Mapping[tuple[str, str], ProviderFacts]  # (model, provider) -> the router's facts


def claims_from(facts: Mapping[str, ModelFacts | None]) -> dict[tuple[str, str], ProviderFacts]:
    """Every (model, provider) the router listed, from `model_facts` answers keyed by model."""
    return {(model, p.provider): p for model, found in facts.items() if found for p in found.providers}


def output_tokens(stats: RunStats) -> int:
    usage = stats.usage
    return usage.completion_tokens if usage and usage.completion_tokens is not None else stats.tokens


def run_cost(stats: RunStats | None, facts: ProviderFacts | None) -> float | None:
    """USD for the run; None when it has no stats or the router lists no output price."""
    if stats is None or facts is None or facts.price_out is None:
        return None
    prompt = stats.usage.prompt_tokens if stats.usage and stats.usage.prompt_tokens is not None else 0
    return (prompt * (facts.price_in or 0.0) + output_tokens(stats) * facts.price_out) / 1_000_000


def cost_per_thousand(cost: float | None, tokens: int | None) -> float | None:
    """USD per 1,000 output tokens of one run; None without a cost or tokens."""
    if cost is None or not tokens:
        return None
    return cost / tokens * 1000


def claimed_first_token(facts: ProviderFacts | None) -> float | None:
    """The router's first-token latency, in seconds like the measured one."""
    if facts is None or facts.first_token_latency_ms is None:
        return None
    return facts.first_token_latency_ms / 1000


def claimed_throughput(facts: ProviderFacts | None) -> float | None:
    return facts.throughput if facts else None
