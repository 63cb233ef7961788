"""Arena votes: one record per vote, kept in the visitor's browser, exported and imported as JSONL.

A vote records both contenders (model and provider), the winner in FastChat's words ("model_a",
"model_b", "tie", "tie (bothbad)"), the prompt, the parameters, both answers, their timings and a
timestamp. It never holds a token: nothing a vote is built from carries one.

Like the run history (playground.saved.history), the list lives in `gr.BrowserState`: what comes
back from the browser is checked entry by entry and a broken one is dropped, and the list is
bounded (count and bytes, oldest dropped first), because the browser sends it with each vote.
Per visitor, in the browser, rather than on the server: a presenter's votes are theirs, survive a
reload, and "Download votes" keeps any number of them.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from playground.arena.pairs import contender_label
from playground.arena.ranking import Game
from playground.input.model_ref import ModelId
from playground.input.params import GenerationParams
from playground.input.request import DEFAULT_PROVIDER, MAX_PROMPT_CHARS, PROVIDER_CHOICES, Mode, describe
from playground.saved.stored_list import add_stored, json_bytes, parse_stored

VOTE_CAP = 500
MAX_VOTES_BYTES = 768 * 1024  # the browser sends the list with each vote; requests over 1 MB are refused
MAX_STORED_ANSWER = 2_000  # per answer: enough to judge again, small enough for hundreds of votes
MAX_IMPORT_LINES = VOTE_CAP * 4
Winner = Literal["model_a", "model_b", "tie", "tie (bothbad)"]
WINNERS: dict[str, Winner] = {"A is better": "model_a", "B is better": "model_b", "Tie": "tie", "Both are bad": "tie (bothbad)"}
Timing = dict[str, float | int | None]


class Vote(BaseModel):
    """One vote. Unknown keys are ignored, so files written by other versions still import."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1, max_length=64)
    timestamp: str
    model_a: ModelId
    model_b: ModelId
    provider_a: str = DEFAULT_PROVIDER
    provider_b: str = DEFAULT_PROVIDER
    mode_a: Mode | None = None
    mode_b: Mode | None = None
    winner: Winner
    prompt: str = Field("", max_length=MAX_PROMPT_CHARS)
    system_prompt: str = Field("", max_length=MAX_PROMPT_CHARS)
    parameters: GenerationParams = Field(default_factory=GenerationParams)
    answer_a: str = ""
    answer_b: str = ""
    timing_a: Timing = Field(default_factory=dict, max_length=8)
    timing_b: Timing = Field(default_factory=dict, max_length=8)

    @field_validator("timestamp")
    @classmethod
    def _timestamp_is_iso(cls, value: str) -> str:
        datetime.fromisoformat(value)  # raises ValueError, which pydantic reports
        return value

    @field_validator("provider_a", "provider_b")
    @classmethod
    def _known_provider(cls, value: str) -> str:
        if value not in PROVIDER_CHOICES:
            raise ValueError("not a provider huggingface_hub knows")
        return value

    @field_validator("answer_a", "answer_b", mode="before")
    @classmethod
    def _bounded_answer(cls, value: Any) -> Any:
        return value[:MAX_STORED_ANSWER] if isinstance(value, str) else value

    @field_validator("parameters", mode="before")
    @classmethod
    def _drop_unknown_params(cls, value: Any) -> Any:
        # A parameter removed in a later version must not make the whole vote unreadable.
        return {k: v for k, v in value.items() if k in GenerationParams.model_fields} if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _two_contenders(self) -> Vote:
        if (self.model_a, self.provider_a) == (self.model_b, self.provider_b):
            raise ValueError("model_a and model_b are the same contender")
        return self


def new_vote(fields: dict[str, Any], winner: Winner, now: datetime | None = None) -> Vote:
    """A vote for a finished round; `fields` holds the round's contenders, request and answers."""
    when = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    return Vote.model_validate({**fields, "id": uuid.uuid4().hex, "timestamp": when, "winner": winner})


def parse_votes(stored: object) -> list[Vote]:
    """The valid votes the browser holds, newest first. Never raises."""
    return parse_stored(stored, Vote, VOTE_CAP)


def add_vote(stored: object, vote: Vote) -> list[dict[str, Any]]:
    """The new browser value: `vote` first, then the older valid votes, bounded."""
    return add_stored(stored, vote, VOTE_CAP, MAX_VOTES_BYTES)


def merge_votes(stored: object, imported: Iterable[Vote]) -> list[dict[str, Any]]:
    """The stored votes and `imported` together (a vote already there, by id, is kept once), newest
    first, bounded like `add_vote`."""
    by_id = {vote.id: vote for vote in [*imported, *parse_votes(stored)]}
    ordered = sorted(by_id.values(), key=lambda vote: (vote.timestamp, vote.id), reverse=True)[:VOTE_CAP]
    kept = [vote.model_dump(mode="json") for vote in ordered]
    while len(kept) > 1 and json_bytes(kept) > MAX_VOTES_BYTES:
        kept.pop()
    return kept


def votes_jsonl(votes: Iterable[Vote]) -> str:
    """One vote per line, oldest first: what "Download votes" gives."""
    ordered = sorted(votes, key=lambda vote: (vote.timestamp, vote.id))
    return "".join(json.dumps(vote.model_dump(mode="json"), ensure_ascii=False) + "\n" for vote in ordered)


def read_jsonl(text: str) -> tuple[list[Vote], list[str]]:
    """(the valid votes of a JSONL file, one problem per refused line, naming its number). Blank lines
    are skipped. A line without an `id` gets one from its content, so importing it twice adds it once."""
    votes: list[Vote] = []
    problems: list[str] = []
    lines = text.splitlines()
    if len(lines) > MAX_IMPORT_LINES:
        problems.append(f"lines after {MAX_IMPORT_LINES}: not read (at most {MAX_IMPORT_LINES} lines)")
    for number, line in enumerate(lines[:MAX_IMPORT_LINES], start=1):
        if line.strip():
            try:
                votes.append(_vote_from_line(line))
            except ValueError as error:
                problems.append(f"line {number}: {error}")
    return votes, problems


def _vote_from_line(line: str) -> Vote:
    """Raises ValueError saying what is wrong with the line."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        raise ValueError("not JSON") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    data.setdefault("id", hashlib.sha256(line.strip().encode("utf-8", "surrogatepass")).hexdigest()[:32])
    try:
        return Vote.model_validate(data)
    except ValidationError as error:
        raise ValueError(describe(error)) from None


SCORE_A: dict[str, float] = {"model_a": 1.0, "model_b": 0.0, "tie": 0.5, "tie (bothbad)": 0.5}  # both bad: a tie


def vote_games(votes: Iterable[Vote]) -> list[Game]:
    """The votes as games for the leaderboard, contenders named by their labels."""
    return [Game(contender_label(v.model_a, v.provider_a), contender_label(v.model_b, v.provider_b), SCORE_A[v.winner])
            for v in votes]
