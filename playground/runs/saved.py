"""Compare runs and sweeps kept in the browser history, and put in share links.

History: a `GroupEntry` per finished compare run or sweep, in its own browser list (the single-run
history is untouched), checked on the way back like any input: a broken entry is dropped, never
raised. Outputs are cut to `MAX_OUTPUT_CHARS` each so a 24-cell sweep stays small in localStorage.

Share links: the playground's own query (`share_query`: model, provider, mode, parameters, system
prompt, prompt) plus `tab=compare` with `panes` and `model_a`/`provider_a`/`mode_a`..., or
`tab=sweep` with `models`, `temperatures` and `seeds` as typed. Never a token.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import quote, urlencode

from pydantic import BaseModel, ConfigDict, Field, field_validator

from playground.errors import InvalidParametersError
from playground.inference.events import RunStats
from playground.input.model_ref import ModelId
from playground.input.request import MAX_PROMPT_CHARS, GenerationRequest, Mode, Provider
from playground.runs.compare import PANE_COUNTS, PANE_KEYS, Pane, parse_pane
from playground.runs.results import ResultSet, RunResult, RunState
from playground.runs.sweep import Grid, describe_values, parse_models, parse_seeds, parse_temperatures
from playground.saved.share import share_query
from playground.saved.stored_list import add_stored, parse_stored

GROUP_CAP = 20
MAX_OUTPUT_CHARS = 4_000
MAX_GROUP_BYTES = 512 * 1024
COMPARE, SWEEP = "compare", "sweep"
Kind = Literal["compare", "sweep"]


class RunRecord(BaseModel):
    """One pane or cell as it finished."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    key: str = Field(min_length=1, max_length=4)
    model: ModelId
    provider: Provider
    mode: Mode
    temperature: float = Field(ge=0.0, le=2.0)
    seed: int | None = Field(None, ge=0)
    state: RunState
    status: str = Field("", max_length=500)
    output: str = Field("", max_length=MAX_OUTPUT_CHARS)
    stats: dict[str, float | int | None] = Field(default_factory=dict, max_length=20)


class GroupEntry(BaseModel):
    """A compare run (`runs` are its panes) or a sweep (`runs` are its cells, `grid` its fields)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1, max_length=64)
    time: str
    kind: Kind
    base: GenerationRequest = Field(description="The form's request the runs were derived from.")
    grid: dict[str, str] = Field(default_factory=dict, max_length=3)
    runs: list[RunRecord] = Field(max_length=24)

    @field_validator("time")
    @classmethod
    def _time_is_iso(cls, value: str) -> str:
        datetime.fromisoformat(value)
        return value


def base_request(entry: GroupEntry) -> GenerationRequest:
    return entry.base


def new_group_entry(kind: Kind, base: GenerationRequest, results: ResultSet, status: dict[str, str],
                    grid: Grid | None = None, now: datetime | None = None) -> GroupEntry:
    """`status` holds each run's status in words, as the screen showed it."""
    runs = [RunRecord(key=r.key, model=r.request.model, provider=r.request.provider, mode=r.request.mode,
                      temperature=r.request.params.temperature, seed=r.request.params.seed, state=r.state,
                      status=status.get(r.key, "")[:500], output=r.output[:MAX_OUTPUT_CHARS], stats=_stats(r))
            for r in results]
    return GroupEntry(id=uuid.uuid4().hex, time=(now or datetime.now(UTC)).isoformat(timespec="seconds"), kind=kind,
                      base=base, grid=grid_texts(grid) if grid else {}, runs=runs)


def grid_texts(grid: Grid) -> dict[str, str]:
    """The sweep's fields as the user would type them."""
    return {"models": ", ".join(grid.models), "temperatures": describe_values(grid.temperatures),
            "seeds": describe_values(grid.seeds)}


def _stats(result: Any) -> dict[str, float | int | None]:
    stats = result.stats
    if stats is None:
        return {}
    return stats.record()


def add_group(stored: object, entry: GroupEntry, cap: int = GROUP_CAP) -> list[dict[str, Any]]:
    """The new browser value: `entry` first, then the older valid entries, at most `cap` and at
    most `MAX_GROUP_BYTES` of JSON (the browser sends the list back with some events, and the app
    refuses requests over 1 MB), oldest dropped first."""
    return add_stored(stored, entry, cap, MAX_GROUP_BYTES)


def parse_groups(raw: object) -> list[GroupEntry]:
    """The valid entries of the stored list, newest first. Never raises."""
    return parse_stored(raw, GroupEntry, GROUP_CAP)


def find_group(raw: object, entry_id: str) -> GroupEntry | None:
    return next((entry for entry in parse_groups(raw) if entry.id == entry_id), None)


def group_label(entry: GroupEntry, width: int = 50) -> str:
    """E.g. "2026-11-28 20:31 · Compare · org/a vs org/b · Write a haiku…"."""
    when = entry.time.replace("T", " ")[:16]
    if entry.kind == COMPARE:
        what = "Compare · " + " vs ".join(run.model for run in entry.runs)
    else:
        what = f"Sweep · {len(entry.runs)} runs"
    prompt = " ".join(entry.base.prompt.split())
    prompt = prompt if len(prompt) <= width else prompt[: width - 1] + "…"
    return f"{when} · {what} · {prompt}"


# ---- share links ---------------------------------------------------------------------------


def compare_share_query(base: GenerationRequest, panes: Sequence[Pane]) -> str:
    pairs: list[tuple[str, str]] = [("tab", COMPARE), ("panes", str(len(panes)))]
    for pane in panes:
        suffix = pane.key.lower()
        pairs += [(f"model_{suffix}", pane.model), (f"provider_{suffix}", pane.provider), (f"mode_{suffix}", pane.mode.value)]
    return share_query(base) + "&" + urlencode(pairs, quote_via=quote, safe="/")


def sweep_share_query(base: GenerationRequest, grid: Grid) -> str:
    pairs = [("tab", SWEEP), *grid_texts(grid).items()]
    return share_query(base) + "&" + urlencode(pairs, quote_via=quote, safe="/,")


@dataclass(frozen=True)
class SharedGroup:
    """What a link asks of the Compare or Sweep tab; `tab` None means a plain playground link."""

    tab: Kind | None = None
    panes: int | None = None
    pane_fields: dict[str, Pane] = field(default_factory=dict)
    grid: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def parse_group_query(query: Mapping[str, Any]) -> SharedGroup:
    """Reads the tab-specific part of a link (parse_qs's shape or Starlette's QueryParams). A bad
    value is reported and left out; the rest still applies. Never raises."""
    tab = _last(query, "tab")
    if tab == COMPARE:
        return _shared_compare(query)
    if tab == SWEEP:
        return _shared_sweep(query)
    problems = [f"tab: {tab[:20]!r} is not Compare or Sweep"] if tab else []
    return SharedGroup(problems=problems)


def _shared_compare(query: Mapping[str, Any]) -> SharedGroup:
    problems: list[str] = []
    count = _last(query, "panes")
    panes = int(count) if count in [str(n) for n in PANE_COUNTS] else None
    if count and panes is None:
        problems.append(f"panes: {count[:10]!r} is not 2, 3 or 4")
    fields: dict[str, Pane] = {}
    for key in PANE_KEYS:
        suffix = key.lower()
        model = _last(query, f"model_{suffix}")
        if model is None:
            continue
        try:
            provider = _last(query, f"provider_{suffix}") or "auto"
            fields[key] = parse_pane(key, model, provider, _last(query, f"mode_{suffix}") or Mode.COMPLETION.value)
        except InvalidParametersError as error:
            problems.append(error.detail)
    return SharedGroup(COMPARE, panes, fields, problems=problems)


def _shared_sweep(query: Mapping[str, Any]) -> SharedGroup:
    problems: list[str] = []
    grid: dict[str, str] = {}
    for name, parse in (("models", parse_models), ("temperatures", parse_temperatures), ("seeds", parse_seeds)):
        text = _last(query, name)
        if text is None:
            continue
        try:
            values = parse(text)
        except InvalidParametersError as error:
            problems.append(error.detail)
            continue
        grid[name] = ", ".join(values) if name == "models" else describe_values(values)
    return SharedGroup(SWEEP, grid=grid, problems=problems)


def _last(query: Mapping[str, Any], key: str) -> str | None:
    getlist = getattr(query, "getlist", None)
    values = getlist(key) if callable(getlist) else query.get(key)
    values = values if isinstance(values, (list, tuple)) else [values]
    strings = [value for value in values if isinstance(value, str)]
    return strings[-1][:MAX_PROMPT_CHARS] if strings else None


def entry_results(entry: GroupEntry, base: GenerationRequest) -> ResultSet:
    """The entry's runs as results again (requests rebuilt from `base` and each run's own fields),
    to show them in panes or the table."""
    results = ResultSet()
    for run in entry.runs:
        params = base.params.model_copy(update={"temperature": run.temperature, "seed": run.seed})
        request = base.model_copy(update={"model": run.model, "provider": run.provider, "mode": run.mode, "params": params})
        results.results[run.key] = RunResult(run.key, request, state=run.state, output=run.output, stats=_run_stats(run))
    return results


def _run_stats(run: RunRecord) -> RunStats | None:
    stats = run.stats
    if not stats or not isinstance(stats.get("total_time"), (int, float)) or not isinstance(stats.get("tokens"), int):
        return None
    first = stats.get("time_to_first_token")
    return RunStats(time_to_first_token=first if isinstance(first, (int, float)) else None, total_time=float(stats["total_time"]),
                    tokens=int(stats["tokens"]), seed=run.seed, attempts=int(stats.get("attempts") or 1))
