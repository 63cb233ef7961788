"""One result per pane or cell, filled in from its events; the sweep table; CSV and JSON export.

Each exported row holds what the app measured (time to first token, tokens per second, total
time, tokens), the cost from those tokens and the router's price, and the router's claims for
that provider beside them (`claims`, handed in: see `pricing`). With "Token probabilities" on, a
result keeps each token's odds (`odds`, for Compare's tinted panes), and an exported row (CSV,
JSON) adds the answer's summary figures (mean log-probability, perplexity, tokens picked under
10 %): a table cell can't hold the tint, so the figures stand for it.

A result knows its state, text, stats and typed error; turning a state or an error into words is
the UI's job (`describe` below is handed in), so export and screen say the same thing. Exports hold
the request settings and the answers, never a token: nothing here ever sees one.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from playground.errors import PlaygroundError
from playground.inference.events import Done, RunStats, Silence, Token, Waiting
from playground.inference.probabilities import Summary, TokenOdds, asks_for_probabilities, summarise
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest
from playground.runs.pricing import Claims, claimed_first_token, claimed_throughput, run_cost
from playground.runs.scheduler import Failed, Job, JobEvent, Queued, Started, Stopped, Tagged


class RunState(str, Enum):
    PENDING = "pending"
    QUEUED = "waiting its turn"
    SENDING = "sending"
    RETRYING = "retrying"
    STREAMING = "streaming"
    DONE = "done"
    FAILED = "failed"
    STOPPED = "stopped"

    @property
    def finished(self) -> bool:
        return self in (RunState.DONE, RunState.FAILED, RunState.STOPPED)


@dataclass
class RunResult:
    key: str
    request: GenerationRequest
    state: RunState = RunState.PENDING
    output: str = ""
    waiting: Waiting | None = None
    silence: Silence | None = None  # the model is silent (before the first token, or between two)
    queued: Queued | None = None  # while it waits its turn: for what
    stats: RunStats | None = None
    error: PlaygroundError | None = None
    repeat: int = 1  # which run of the same sweep cell this is (Repeats)
    odds: list[TokenOdds] = field(default_factory=list)  # each token's, when the run asked and the model sent them

    def apply(self, event: JobEvent) -> None:
        self.silence = event if isinstance(event, Silence) else None
        self.queued = event if isinstance(event, Queued) else None
        if isinstance(event, Token):
            self.output += event.text
            self.odds.extend(event.odds)
            self.state, self.waiting = RunState.STREAMING, None
        elif isinstance(event, Waiting):
            self.state, self.waiting = RunState.RETRYING, event
        elif isinstance(event, Done):
            self.state, self.stats, self.waiting = RunState.DONE, event.stats, None
        elif isinstance(event, Failed):
            self.state, self.error, self.waiting = RunState.FAILED, event.error, None
        elif isinstance(event, Stopped):
            self.state, self.waiting = RunState.STOPPED, None
        elif isinstance(event, Started):
            self.state = RunState.SENDING
        elif isinstance(event, Queued):
            self.state = RunState.QUEUED


@dataclass
class ResultSet:
    """The results of one compare run or sweep, in pane or cell order."""

    results: dict[str, RunResult] = field(default_factory=dict)

    @classmethod
    def for_jobs(cls, jobs: Iterable[Job], repeats: dict[str, int] | None = None) -> ResultSet:
        """`repeats`: the repeat number of each key that has one (a sweep's cells)."""
        repeats = repeats or {}
        return cls({job.key: RunResult(job.key, job.request, repeat=repeats.get(job.key, 1)) for job in jobs})

    def apply(self, batch: Iterable[Tagged]) -> list[str]:
        """Applies events; returns the keys whose result changed, in order of first change."""
        changed: dict[str, None] = {}
        for tagged in batch:
            self.results[tagged.key].apply(tagged.event)
            changed[tagged.key] = None
        return list(changed)

    def __iter__(self):
        return iter(self.results.values())

    def __getitem__(self, key: str) -> RunResult:
        return self.results[key]

    @property
    def finished(self) -> bool:
        return all(result.state.finished for result in self)

    def stop_unfinished(self) -> None:
        for result in self:
            if not result.state.finished:
                result.apply(Stopped())


Describe = Callable[[RunResult], str]
# "same output" sits before "output", whose long text would push it out of sight.
# Short, so the table fits the tab at 1280 px with the output column wrapping in sight ("1st token" and
# "total": seconds; "rep": the repeat); the exports and the summary table spell them out.
COLUMNS = ("model", "provider", "rep", "temp", "seed", "status", "1st token", "tokens", "tok/s", "total", "cost $",
           "same", "output")


def identical_groups(results: Iterable[RunResult]) -> dict[str, int]:
    """Finished answers with the very same text, numbered 1, 2, ... in table order; an answer
    that no other answer matches gets no number."""
    by_text: dict[str, list[str]] = {}
    for result in results:
        if result.state is RunState.DONE and result.output:
            by_text.setdefault(result.output, []).append(result.key)
    groups = [keys for keys in by_text.values() if len(keys) > 1]
    return {key: number for number, keys in enumerate(groups, start=1) for key in keys}


def same_output_label(group: int | None) -> str:
    return f"≡{group}" if group else ""


def table_rows(results: ResultSet, describe: Describe, claims: Claims | None = None) -> list[list[Any]]:
    """The sweep table as shown: one row per cell, columns as `COLUMNS`."""
    groups = identical_groups(results)
    rows = []
    for result in results:
        record = _record(result, describe, groups, claims or {})
        rows.append([record["model"], record["provider"], record["repeat"], record["temperature"], record["seed"],
                     record["status"], _number(record["time_to_first_token"], 2), _blank(record["tokens"]),
                     _number(record["tokens_per_second"]), _number(record["total_time"], 2), _number(record["cost"], 6),
                     same_output_label(groups.get(result.key)), record["output"]])
    return rows


def export_records(results: ResultSet, describe: Describe, claims: Claims | None = None) -> list[dict[str, Any]]:
    """One plain dict per cell: what the CSV and JSON exports hold."""
    groups = identical_groups(results)
    return [_record(result, describe, groups, claims or {}) for result in results]


def to_csv(results: ResultSet, describe: Describe, claims: Claims | None = None) -> str:
    records = export_records(results, describe, claims)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(_record_fields()), lineterminator="\n")
    writer.writeheader()
    writer.writerows({name: _csv_value(value) for name, value in record.items()} for record in records)
    return out.getvalue()


def to_json(results: ResultSet, describe: Describe, claims: Claims | None = None) -> str:
    """The rows, plus what all cells share (prompt, system prompt, mode, the other parameters)."""
    first = next(iter(results), None)
    shared: dict[str, Any] = {}
    if first is not None:
        request = first.request
        params = request.params.model_dump(mode="json", exclude={"temperature", "seed"})
        shared = {"prompt": request.prompt, "system_prompt": request.system_prompt, "mode": request.mode.value,
                  "response_format": request.response_format.value, "json_schema": request.json_schema, "parameters": params}
    return json.dumps({**shared, "rows": export_records(results, describe, claims)}, indent=2, ensure_ascii=False) + "\n"


def _record_fields() -> Sequence[str]:
    return ("model", "provider", "mode", "temperature", "seed", "repeat", "status", "time_to_first_token", "total_time",
            "tokens", "tokens_per_second", "cost", "claimed_time_to_first_token", "claimed_tokens_per_second", "attempts",
            "mean_logprob", "perplexity", "tokens_under_10_percent", "output", "same_output", "prompt", "system_prompt",
            "served_model", "response_format", "json_schema", *_OTHER_PARAMETERS)


def row_request(record: dict[str, Any]) -> dict[str, Any]:
    """What an exported row says its run sent: the whole request, without what came back."""
    return {name: record.get(name) for name in _REQUEST_FIELDS}


# Every parameter besides the temperature and seed a sweep varies: each row carries its whole request.
_OTHER_PARAMETERS = tuple(name for name in GenerationParams.model_fields if name not in ("temperature", "seed"))
_REQUEST_FIELDS = ("model", "served_model", "provider", "mode", "prompt", "system_prompt", "response_format", "json_schema",
                   "temperature", "seed", *_OTHER_PARAMETERS)


def _csv_value(value: Any) -> Any:
    """A list (stop sequences) as JSON, so the cell reads back unambiguously."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | tuple) else value


def _record(result: RunResult, describe: Describe, groups: dict[str, int], claims: Claims) -> dict[str, Any]:
    request, stats = result.request, result.stats
    facts = claims.get((request.model, request.provider))
    return {
        "model": request.model,
        "provider": request.provider,
        "mode": request.mode.value,
        "temperature": request.params.temperature,
        "seed": request.params.seed,
        "repeat": result.repeat,
        "status": describe(result),
        "time_to_first_token": _rounded(stats.time_to_first_token if stats else None),
        "total_time": _rounded(stats.total_time if stats else None),
        "tokens": stats.tokens if stats else None,
        "tokens_per_second": _rounded(stats.tokens_per_second if stats else None, 1),
        "cost": _rounded(run_cost(stats, facts), 8),
        "claimed_time_to_first_token": claimed_first_token(facts),
        "claimed_tokens_per_second": claimed_throughput(facts),
        "attempts": stats.attempts if stats else None,
        **_odds_figures(result),
        "output": result.output,
        "same_output": groups.get(result.key),
        "prompt": request.prompt,
        "system_prompt": request.system_prompt,
        "served_model": request.served_model,
        "response_format": request.response_format.value,
        "json_schema": request.json_schema,
        **request.params.model_dump(mode="json", include=set(_OTHER_PARAMETERS)),
    }


def _odds_figures(result: RunResult) -> dict[str, Any]:
    """With "Token probabilities" on, the cell's summary figures (as the stats line gives them);
    None when the option was off or the model sent none."""
    found: Summary | None = summarise(result.odds) if asks_for_probabilities(result.request.params) else None
    return {"mean_logprob": _rounded(found.mean_logprob if found else None),
            "perplexity": _rounded(found.perplexity if found else None),
            "tokens_under_10_percent": found.unlikely if found else None}


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _number(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _blank(value: Any) -> Any:
    return "" if value is None else value
