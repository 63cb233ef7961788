"""Token probabilities: what a model says about each token it picked, and what it could have said.

A run with "Token probabilities" on asks for the top alternatives per token (TGI's `top_n_tokens`,
chat's `logprobs`/`top_logprobs`). Each streamed item may then carry a `TokenOdds`: the token's
text, its log-probability and its alternatives. Many providers ignore the request; a run whose
items carry none is normal, never an error.

Percentages are `exp(logprob)` as the model sent them, never renormalised: when the alternatives
shown add up to less than 100 %, the rest is "other".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from playground.input.params import TOP_ALTERNATIVES, GenerationParams

UNLIKELY = 0.10  # a token picked under this probability counts as "unlikely" in the summary
MAX_KEPT_TOKENS = 1_024  # per run, in the history: the browser's storage is small


@dataclass(frozen=True)
class Alternative:
    text: str
    logprob: float

    @property
    def probability(self) -> float:
        return math.exp(self.logprob)


@dataclass(frozen=True)
class TokenOdds:
    """One answer token: its text, its log-probability and the likeliest tokens at its place, best first."""

    text: str
    logprob: float
    alternatives: tuple[Alternative, ...] = ()

    @property
    def probability(self) -> float:
        return math.exp(self.logprob)


@dataclass(frozen=True)
class Shown:
    """One line of a token's alternatives list: its text, its percentage, and whether it was picked.
    `text` is None for the "other" line (what the alternatives shown leave of 100 %)."""

    text: str | None
    percent: float
    chosen: bool = False


@dataclass(frozen=True)
class Summary:
    """The answer in three figures: mean log-probability, perplexity, and how many tokens were picked under 10 %."""

    mean_logprob: float
    perplexity: float
    unlikely: int
    tokens: int


def _number(value: Any) -> float | None:
    """A finite log-probability, or None (a provider may send null, NaN or garbage)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) and value <= 0 else None


def asks_for_probabilities(params: GenerationParams) -> bool:
    """Whether the run's "Token probabilities" option is on (the one place outside the declaration that names it)."""
    return params.token_probabilities


def tgi_odds(item: Any) -> TokenOdds | None:
    """A TGI stream event's odds (`token.logprob`, `top_tokens`), or None when it carries none.
    TGI sends `token.logprob` whether asked or not: only `top_tokens` shows the request was honoured."""
    token = getattr(item, "token", None)
    logprob = _number(getattr(token, "logprob", None))
    top = getattr(item, "top_tokens", None) or []
    if token is None or logprob is None or not top or getattr(token, "special", False) or not token.text:
        return None
    alternatives = [Alternative(t.text, p) for t in top if (p := _number(getattr(t, "logprob", None))) is not None]
    return TokenOdds(token.text, logprob, _best_first(alternatives))


def chat_odds(logprobs: Any) -> tuple[TokenOdds, ...]:
    """A chat chunk's `choices[0].logprobs.content` as odds; empty when the chunk carries none."""
    found = []
    for entry in getattr(logprobs, "content", None) or ():
        logprob = _number(getattr(entry, "logprob", None))
        text = getattr(entry, "token", None)
        if logprob is None or not isinstance(text, str):
            continue
        top = getattr(entry, "top_logprobs", None) or []
        alternatives = [Alternative(t.token, p) for t in top if (p := _number(getattr(t, "logprob", None))) is not None]
        found.append(TokenOdds(text, logprob, _best_first(alternatives)))
    return tuple(found)


def _best_first(alternatives: list[Alternative]) -> tuple[Alternative, ...]:
    return tuple(sorted(alternatives, key=lambda alt: -alt.logprob)[:TOP_ALTERNATIVES])


def shown_alternatives(odds: TokenOdds) -> list[Shown]:
    """The alternatives as a reader sees them: best first, the chosen token marked (added if the
    provider left it out), then "other" for what they leave of 100 %."""
    lines = [Shown(alt.text, 100 * alt.probability, chosen=alt.text == odds.text) for alt in odds.alternatives]
    if not any(line.chosen for line in lines):
        lines.append(Shown(odds.text, 100 * odds.probability, chosen=True))
        lines.sort(key=lambda line: -line.percent)
    rest = 100 - sum(line.percent for line in lines)
    if rest >= 0.05:  # below what one decimal shows, it is rounding, not "other"
        lines.append(Shown(None, rest))
    return lines


def summarise(tokens: Sequence[TokenOdds]) -> Summary | None:
    """The summary figures, or None for a run without probabilities."""
    if not tokens:
        return None
    mean = sum(token.logprob for token in tokens) / len(tokens)
    unlikely = sum(1 for token in tokens if token.probability < UNLIKELY)
    return Summary(mean_logprob=mean, perplexity=math.exp(-mean), unlikely=unlikely, tokens=len(tokens))


def bounded(tokens: Iterable[TokenOdds]) -> tuple[TokenOdds, ...]:
    """At most `MAX_KEPT_TOKENS` tokens, each with at most `TOP_ALTERNATIVES` alternatives: what a history entry keeps."""
    kept = []
    for token in tokens:
        if len(kept) == MAX_KEPT_TOKENS:
            break
        kept.append(TokenOdds(token.text, token.logprob, token.alternatives[:TOP_ALTERNATIVES]))
    return tuple(kept)


def tint_band(probability: float) -> int:
    """0 (under 10 %) to 4 (90 % and over): the tint a token is shown with. Bands, not a gradient,
    so a legend can name each one and a reader can match them by eye."""
    for band, floor in enumerate((0.9, 0.6, 0.3, UNLIKELY)):
        if probability >= floor:
            return 4 - band
    return 0


BANDS = ("under 10 %", "10-30 %", "30-60 %", "60-90 %", "90 % and over")  # by tint_band, for the legend
