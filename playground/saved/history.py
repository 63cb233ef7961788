"""Run history: every run, kept in the visitor's browser, newest first.

The list lives in `gr.BrowserState` (localStorage), so it is plain JSON data that comes back from
the browser on each event, and anything could have been written there. `parse_history` therefore
checks each entry like any other input (an entry *is* a `GenerationRequest`, so by the same rules
as Generate) and drops the ones that fail, without raising: a corrupt entry must not lock a visitor
out of the page. An entry stores the seed actually used, so
restoring it and pressing "Re-run" sends the very same request.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field, field_validator

from playground.inference.probabilities import MAX_KEPT_TOKENS, Alternative, TokenOdds
from playground.input.model_ref import ModelId
from playground.input.params import TOP_ALTERNATIVES, GenerationParams
from playground.input.request import GenerationRequest
from playground.saved.stored_list import add_stored, parse_stored

DEFAULT_CAP = 50
# The browser sends the whole history back with some events; requests over 1 MB are refused
# (playground.web.body_limit), so the stored list stays under this many bytes of JSON, oldest runs
# dropped first. The newest run is always kept: alone it is at most ~660 kB.
MAX_HISTORY_BYTES = 768 * 1024
MAX_OUTPUT_CHARS = 100_000
MAX_STATS = 20
ParamName = Annotated[str, Field(pattern=r"^[a-z_]{1,40}$")]
# Token probabilities kept per run: [text, logprob, [[alternative, logprob], ...]], at most 5
# alternatives x 1,024 tokens, and at most this many bytes of JSON, so the newest run alone
# (~660 kB of prompt and output at worst) still fits under MAX_HISTORY_BYTES.
MAX_ODDS_BYTES = 96 * 1024
OddsText = Annotated[str, Field(max_length=64)]
StoredAlternative = tuple[OddsText, float]
StoredOdds = tuple[OddsText, float, Annotated[tuple[StoredAlternative, ...], Field(max_length=TOP_ALTERNATIVES)]]


class HistoryEntry(GenerationRequest):
    """One run: its request, plus when it ran and what came back. Unknown keys are ignored, so
    entries written by an older or newer app still load."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1, max_length=64)
    time: str = Field(description="When the run started, ISO 8601.")
    output: str = Field("", max_length=MAX_OUTPUT_CHARS)
    stats: dict[str, float | int | None] = Field(default_factory=dict, max_length=MAX_STATS)
    fallback_for: ModelId | None = Field(None, description="The model that failed, when this run was its fallback.")
    # Parameters the model refused, so the run was sent without them: a replay is not exact there.
    ignored_params: tuple[ParamName, ...] = Field((), max_length=MAX_STATS)
    token_odds: tuple[StoredOdds, ...] = Field((), max_length=MAX_KEPT_TOKENS, description="Token probabilities, when the run had them.")
    continued_from: str | None = Field(None, max_length=200, description="\"Continued from token N with ' alt'\", for a continuation.")

    @field_validator("time")
    @classmethod
    def _time_is_iso(cls, value: str) -> str:
        datetime.fromisoformat(value)  # raises ValueError, which pydantic reports
        return value

    @field_validator("params", mode="before")
    @classmethod
    def _drop_unknown_params(cls, value: Any) -> Any:
        # A parameter removed in a later version must not make the whole run unrecoverable.
        if isinstance(value, dict):
            return {key: item for key, item in value.items() if key in GenerationParams.model_fields}
        return value


def new_entry(request: GenerationRequest, output: str, stats: dict[str, float | int | None], now: datetime | None = None,
              ignored_params: tuple[str, ...] = (), fallback_for: str | None = None, token_odds: Sequence[TokenOdds] = (),
              continued_from: str | None = None) -> HistoryEntry:
    """An entry for a finished run. `request.params` must carry the seed actually used
    (`with_resolved_seed`), or the run cannot be repeated. `fallback_for` names the failed model
    a fallback run answered for, so the history labels it."""
    started = now or datetime.now(UTC)
    return HistoryEntry(
        **dict(request),
        id=uuid.uuid4().hex,
        time=started.isoformat(timespec="seconds"),
        output=output[:MAX_OUTPUT_CHARS],
        stats=stats,
        ignored_params=ignored_params,
        fallback_for=fallback_for,
        token_odds=stored_odds(token_odds),
        continued_from=continued_from,
    )


def stored_odds(tokens: Sequence[TokenOdds]) -> tuple[StoredOdds, ...]:
    """The run's token probabilities as the history keeps them: the first tokens that fit in
    MAX_ODDS_BYTES, texts cut to 64 characters, log-probabilities to 4 decimals."""
    kept: list[StoredOdds] = []
    size = 0
    for token in tokens[:MAX_KEPT_TOKENS]:
        alternatives = tuple((alt.text[:64], round(alt.logprob, 4)) for alt in token.alternatives[:TOP_ALTERNATIVES])
        item = (token.text[:64], round(token.logprob, 4), alternatives)
        size += len(json.dumps(item)) + 1
        if size > MAX_ODDS_BYTES:
            break
        kept.append(item)
    return tuple(kept)


def entry_odds(entry: HistoryEntry) -> tuple[TokenOdds, ...]:
    """A history entry's token probabilities, back as odds (for Replay and a restored run's view)."""
    return tuple(TokenOdds(text, logprob, tuple(Alternative(t, p) for t, p in alts)) for text, logprob, alts in entry.token_odds)


def add_run(history: object, entry: HistoryEntry, cap: int = DEFAULT_CAP) -> list[dict[str, Any]]:
    """The new browser value: `entry` first, then the older valid entries, at most `cap` in all.
    `history` is whatever the browser held (None on a first visit); broken entries are dropped."""
    return add_stored(history, entry, cap, MAX_HISTORY_BYTES)



def parse_history(raw: object) -> list[HistoryEntry]:
    """The valid entries of a stored history, in stored order (newest first). Never raises."""
    return parse_stored(raw, HistoryEntry, DEFAULT_CAP)


def find_entry(raw: object, entry_id: str) -> HistoryEntry | None:
    """The entry a click in the history list points at, if it is still there."""
    return next((entry for entry in parse_history(raw) if entry.id == entry_id), None)


def entry_request(entry: HistoryEntry) -> GenerationRequest:
    """The run's request, ready to restore into the UI or send again."""
    return GenerationRequest(**{name: getattr(entry, name) for name in GenerationRequest.model_fields})


def entry_label(entry: HistoryEntry, width: int = 60) -> str:
    """One line for the history list: time, model (or what a fallback answered for), the start of
    the prompt, and any parameter the model ignored."""
    when = entry_date(entry)
    prompt = " ".join(entry.prompt.split())
    prompt = prompt if len(prompt) <= width else prompt[: width - 1] + "…"
    model = fallback_label(entry.fallback_for, entry.model) if entry.fallback_for else entry.model
    ignored = f" · {', '.join(entry.ignored_params)} ignored by this model" if entry.ignored_params else ""
    continued = f" · {entry.continued_from}" if entry.continued_from else ""
    return f"{when} · {model}{continued} · {prompt}{ignored}"


def entry_date(entry: HistoryEntry) -> str:
    """When the run happened, as the history list shows it: "2026-11-28 20:15"."""
    return entry.time.replace("T", " ")[:16]


def fallback_label(original: str, fallback: str) -> str:
    """E.g. "Answered by bars/warm instead of bars/missing (fallback)"."""
    return f"Answered by {fallback} instead of {original} (fallback)"


def same_run(request: GenerationRequest, finished: object) -> GenerationRequest | None:
    """The request of the finished run `finished` (an entry as stored) when it sent `request` but
    for its random seed: so a snippet of the run just made shows the seed it used. Else None."""
    try:
        ran = entry_request(HistoryEntry.model_validate(finished))
    except ValueError:  # no run (None), or not an entry
        return None
    return ran if _unseeded(ran) == _unseeded(request) else None


def _unseeded(request: GenerationRequest) -> GenerationRequest:
    return request.model_copy(update={"params": request.params.unseeded()})
