"""The bake-off's summary: per model × provider, the median and spread of each measurement over
its runs, beside the router's claims.

It reads export records (`results.export_records`: plain dicts), so what the page shows, the
dataset card and the exports agree. Spread is the range, lowest to highest: with 1-5 repeats a
standard deviation would claim more than the runs can say.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Record = Mapping[str, Any]


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float

    def text(self, unit: str = "", digits: int = 2) -> str:
        """E.g. "0.25 s (0.20–0.31)"; one run shows only its value."""
        value = f"{self.median:.{digits}f}{unit}"
        return value if self.low == self.high else f"{value} ({self.low:.{digits}f}–{self.high:.{digits}f})"


@dataclass(frozen=True)
class ProviderSummary:
    model: str
    provider: str
    runs: int
    finished: int  # runs that measured anything (done)
    first_token: Spread | None
    tokens_per_second: Spread | None
    total_time: Spread | None
    cost: Spread | None
    claimed_first_token: float | None
    claimed_tokens_per_second: float | None


SUMMARY_COLUMNS = ("model", "provider", "runs", "first token, s", "claimed first token, s", "tokens/s",
                   "claimed tokens/s", "total time, s", "cost, $")


def spread(values: Iterable[float | None]) -> Spread | None:
    """Median and range of the values that are there; None when none is."""
    present = [v for v in values if v is not None]
    return Spread(statistics.median(present), min(present), max(present)) if present else None


def summarise(records: Iterable[Record]) -> list[ProviderSummary]:
    """One summary per (model, provider), in the order they first appear."""
    groups: dict[tuple[str, str], list[Record]] = {}
    for record in records:
        groups.setdefault((record["model"], record["provider"]), []).append(record)
    return [_summary(model, provider, rows) for (model, provider), rows in groups.items()]


def _summary(model: str, provider: str, rows: list[Record]) -> ProviderSummary:
    def column(name: str) -> list[Any]:
        return [row.get(name) for row in rows]

    return ProviderSummary(
        model, provider, len(rows), sum(row.get("total_time") is not None for row in rows),
        spread(column("time_to_first_token")), spread(column("tokens_per_second")), spread(column("total_time")),
        spread(column("cost")), rows[0].get("claimed_time_to_first_token"), rows[0].get("claimed_tokens_per_second"),
    )


def ranked_by_speed(summaries: Iterable[ProviderSummary]) -> list[str]:
    """Providers, fastest median tokens/s first; those that measured nothing last."""
    ordered = sorted(summaries, key=lambda s: -(s.tokens_per_second.median if s.tokens_per_second else -1.0))
    return [s.provider for s in ordered]


def summary_rows(summaries: Iterable[ProviderSummary]) -> list[list[Any]]:
    """The summary table as shown, columns as `SUMMARY_COLUMNS`: median (lowest–highest)."""
    return [[s.model, s.provider, f"{s.finished} of {s.runs}", _text(s.first_token), _claim(s.claimed_first_token, 2),
             _text(s.tokens_per_second, digits=1), _claim(s.claimed_tokens_per_second, 1), _text(s.total_time),
             _text(s.cost, digits=6)] for s in summaries]


def _text(value: Spread | None, digits: int = 2) -> str:
    return value.text(digits=digits) if value else ""


def _claim(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"
