"""The leaderboard: Bradley-Terry scores scaled like Elo, bootstrap intervals, wins, win rates.

Each vote is a game between two contenders: a win scores 1, a tie ½ each, and "both are bad" is a
tie too (neither answer was better). The Bradley-Terry model gives each contender a strength p, with
P(i beats j) = p_i / (p_i + p_j); the fit is Hunter's MM iteration (2004), and a score is
1000 + 400·log10(p / the geometric mean of all p), so 400 points are 10:1 odds, as in Elo and LMArena.

A contender that never lost (or never won) has no finite maximum-likelihood strength, so each pair
that met also plays `prior` virtual tied games (½ a game by default): a light pull towards even, which
vanishes as votes grow. The 95 % interval is the 2.5th to 97.5th percentile of the score over
bootstrap resamples of the votes, drawn from a seeded generator over the votes in a fixed order, so
the same votes always give the same table. Fewer than 5 votes marks a contender "provisional".
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BASE, SCALE = 1000.0, 400.0
PRIOR = 0.5
PROVISIONAL_BELOW = 5
BOOTSTRAP_ROUNDS = 200
BOOTSTRAP_SEED = 42
_TOLERANCE = 1e-9
_MAX_ITERATIONS = 2_000


@dataclass(frozen=True)
class Game:
    """One vote: `score_a` is 1 (A won), 0 (B won) or 0.5 (a tie, or both bad)."""

    a: str
    b: str
    score_a: float


@dataclass(frozen=True)
class Row:
    rank: int
    contender: str
    score: float
    low: float
    high: float
    votes: int
    wins: int
    ties: int

    @property
    def provisional(self) -> bool:
        return self.votes < PROVISIONAL_BELOW


def fit_scores(games: Sequence[Game], prior: float = PRIOR) -> dict[str, float]:
    """Each contender's score (Elo scale, centred on 1000). `prior` 0 gives the plain maximum-likelihood
    fit, which exists only when every contender both won and lost something (ties count half each)."""
    played, won = _tally(games, prior)
    names = sorted({name for pair in played for name in pair})
    if not names:  # no vote yet: an empty leaderboard
        return {}
    strength = {name: 1.0 for name in names}
    for _ in range(_MAX_ITERATIONS):
        updated = _mm_step(names, strength, played, won)
        change = max(abs(math.log(updated[n] / strength[n])) for n in names)
        strength = updated
        if change < _TOLERANCE:
            break
    centre = sum(math.log10(value) for value in strength.values()) / len(names)
    return {name: BASE + SCALE * (math.log10(value) - centre) for name, value in strength.items()}


def _tally(games: Iterable[Game], prior: float) -> tuple[dict[tuple[str, str], float], dict[str, float]]:
    """({(i, j) with i < j: games played, virtual ones included}, {i: points won})."""
    played: dict[tuple[str, str], float] = {}
    won: dict[str, float] = {}
    for game in games:
        pair = (min(game.a, game.b), max(game.a, game.b))
        played[pair] = played.get(pair, 0.0) + 1.0
        won[game.a] = won.get(game.a, 0.0) + game.score_a
        won[game.b] = won.get(game.b, 0.0) + 1.0 - game.score_a
    for i, j in played:
        played[(i, j)] += prior
        won[i] += prior / 2
        won[j] += prior / 2
    return played, won


def _mm_step(names: list[str], strength: dict[str, float], played: dict[tuple[str, str], float],
             won: dict[str, float]) -> dict[str, float]:
    denominator = dict.fromkeys(names, 0.0)
    for (i, j), count in played.items():
        share = count / (strength[i] + strength[j])
        denominator[i] += share
        denominator[j] += share
    updated = {name: max(won[name], 1e-12) / denominator[name] for name in names}
    scale = math.exp(sum(math.log(value) for value in updated.values()) / len(names))
    return {name: value / scale for name, value in updated.items()}  # kept at geometric mean 1


def bootstrap_intervals(games: Sequence[Game], rounds: int = BOOTSTRAP_ROUNDS, seed: int = BOOTSTRAP_SEED,
                        prior: float = PRIOR) -> dict[str, tuple[float, float]]:
    """Each contender's 95 % interval: percentiles of its score over `rounds` resamples of the games."""
    ordered = sorted(games, key=lambda game: (game.a, game.b, game.score_a))  # the same votes, the same draws
    rng = random.Random(seed)
    samples: dict[str, list[float]] = {}
    for _ in range(rounds if ordered else 0):
        resample = [ordered[rng.randrange(len(ordered))] for _ in ordered]
        for name, score in fit_scores(resample, prior).items():
            samples.setdefault(name, []).append(score)
    return {name: (_percentile(values, 0.025), _percentile(values, 0.975)) for name, values in samples.items()}


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def leaderboard(games: Sequence[Game], rounds: int = BOOTSTRAP_ROUNDS, seed: int = BOOTSTRAP_SEED) -> list[Row]:
    """Every contender that has a vote, best score first (ties broken by name)."""
    scores = fit_scores(games)
    intervals = bootstrap_intervals(games, rounds, seed)
    counts = _counts(games)
    ordered = sorted(scores, key=lambda name: (-scores[name], name))
    return [Row(rank, name, scores[name], *intervals.get(name, (scores[name], scores[name])), *counts[name])
            for rank, name in enumerate(ordered, start=1)]


def _counts(games: Iterable[Game]) -> dict[str, tuple[int, int, int]]:
    """{contender: (votes, wins, ties)}."""
    counts: dict[str, list[int]] = {}
    for game in games:
        for name, score in ((game.a, game.score_a), (game.b, 1.0 - game.score_a)):
            tally = counts.setdefault(name, [0, 0, 0])
            tally[0] += 1
            tally[1] += score == 1.0
            tally[2] += score == 0.5
    return {name: (votes, wins, ties) for name, (votes, wins, ties) in counts.items()}


def win_rates(games: Iterable[Game], names: Sequence[str]) -> list[list[float | None]]:
    """matrix[i][j]: the share of points `names[i]` won against `names[j]` (ties half); None if they never met."""
    points: dict[tuple[str, str], float] = {}
    played: dict[tuple[str, str], int] = {}
    for game in games:
        for me, other, score in ((game.a, game.b, game.score_a), (game.b, game.a, 1.0 - game.score_a)):
            points[(me, other)] = points.get((me, other), 0.0) + score
            played[(me, other)] = played.get((me, other), 0) + 1
    return [[points[(i, j)] / played[(i, j)] if (i, j) in played else None for j in names] for i in names]
