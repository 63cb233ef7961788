"""One arena round: the pair drawn, the request both got, how each run ended, and whether it was voted.

The round lives on the server for the visitor's session (never in the page), so nothing the browser
receives says who is "A" before the vote. The votes a round allows follow from how its runs ended:
none until both have finished, never a second one, and a failed answer can't win — not even half a
tie; a stopped run never counts as finished.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from playground.arena.pairs import Contender
from playground.arena.votes import WINNERS
from playground.inference.events import RunStats
from playground.input.request import GenerationRequest
from playground.runs.compare import Pane
from playground.runs.results import ResultSet, RunState

SIDES = ("A", "B")


class Ballot:
    """One vote per round, even when two vote clicks are handled at the same time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._taken = False

    @property
    def taken(self) -> bool:
        return self._taken

    def take(self) -> bool:
        with self._lock:
            taken, self._taken = self._taken, True
            return not taken


@dataclass(frozen=True)
class Round:
    a: Contender  # mode resolved: the one its request was sent in
    b: Contender
    request: GenerationRequest  # what both got: prompt, system prompt, parameters (concrete seed)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    states: tuple[RunState, RunState] = (RunState.PENDING, RunState.PENDING)
    answers: tuple[str, str] = ("", "")
    stats: tuple[RunStats | None, RunStats | None] = (None, None)
    voted: str | None = None  # the button pressed, once voted
    ballot: Ballot = field(default_factory=lambda: Ballot(), compare=False)  # shared by this round's copies

    def take_ballot(self) -> bool:
        """True once per round, for the vote that counts; False for any other, even at the same instant."""
        return self.ballot.take()

    def panes(self) -> list[Pane]:
        return [Pane(key, c.model, c.provider, c.mode or self.request.mode) for key, c in zip(SIDES, (self.a, self.b), strict=True)]

    def ended(self, results: ResultSet) -> Round:
        """This round once its runs ended as `results` say."""
        pick = [results[key] for key in SIDES]
        return replace(self, states=(pick[0].state, pick[1].state), answers=(pick[0].output, pick[1].output),
                       stats=(pick[0].stats, pick[1].stats))

    @property
    def finished(self) -> bool:
        return all(state in (RunState.DONE, RunState.FAILED) for state in self.states)


def allowed_votes(game: Round | None) -> tuple[str, ...]:
    """The vote buttons ("A is better", ...) this round takes now: none before both runs finished,
    after a vote, or after Stop; with one failed answer, only the other can win."""
    if game is None or game.voted or not game.finished:
        return ()
    done = [state is RunState.DONE for state in game.states]
    if all(done):
        return tuple(WINNERS)
    return ("A is better",) if done[0] else ("B is better",) if done[1] else ()


def vote_fields(game: Round) -> dict[str, Any]:
    """What a vote records about the round (all but the winner, id and timestamp)."""
    request = game.request
    return {
        "model_a": game.a.model, "model_b": game.b.model, "provider_a": game.a.provider, "provider_b": game.b.provider,
        "mode_a": game.a.mode, "mode_b": game.b.mode, "prompt": request.prompt, "system_prompt": request.system_prompt,
        "parameters": request.params.model_dump(mode="json"), "answer_a": game.answers[0], "answer_b": game.answers[1],
        "timing_a": _timing(game.stats[0]), "timing_b": _timing(game.stats[1]),
    }


def _timing(stats: RunStats | None) -> dict[str, float | int | None]:
    if stats is None:
        return {}
    return {"time_to_first_token": _rounded(stats.time_to_first_token), "total_time": _rounded(stats.total_time),
            "tokens": stats.tokens, "tokens_per_second": _rounded(stats.tokens_per_second)}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
