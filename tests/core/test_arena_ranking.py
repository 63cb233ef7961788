"""The arena's leaderboard, without Gradio: Bradley-Terry on the Elo scale, ties, intervals, win rates."""

from __future__ import annotations

import math
import random

import pytest

from playground.arena.ranking import BASE, SCALE, Game, bootstrap_intervals, fit_scores, leaderboard, win_rates


def games(a: str, b: str, wins_a: int, wins_b: int, ties: int = 0) -> list[Game]:
    return [Game(a, b, 1.0)] * wins_a + [Game(a, b, 0.0)] * wins_b + [Game(a, b, 0.5)] * ties


def test_a_worked_example_gives_its_known_scores() -> None:
    """A beats B 2–1, B beats C 2–1, A beats C 4–1: strengths 4, 2 and 1 fit these counts exactly
    (each one's expected wins equal its wins), so the scores are 1000 + 400·log10(p / 2)."""
    example = games("A", "B", 2, 1) + games("B", "C", 2, 1) + games("A", "C", 4, 1)
    scores = fit_scores(example, prior=0)
    assert scores["A"] == pytest.approx(BASE + SCALE * math.log10(2), abs=1e-6)
    assert scores["B"] == pytest.approx(BASE, abs=1e-6)
    assert scores["C"] == pytest.approx(BASE - SCALE * math.log10(2), abs=1e-6)


def test_three_to_one_is_about_191_points() -> None:
    scores = fit_scores(games("A", "B", 3, 1), prior=0)
    assert scores["A"] - scores["B"] == pytest.approx(SCALE * math.log10(3), abs=1e-6)


def test_ties_count_half_so_even_records_score_even() -> None:
    scores = fit_scores(games("A", "B", 1, 1, ties=4), prior=0)
    assert scores["A"] == pytest.approx(scores["B"], abs=1e-6)


def test_a_tie_is_half_a_win_for_each() -> None:
    """Three wins and two ties against one loss is 4 points to 2: the same as 4 wins to 2."""
    with_ties = fit_scores(games("A", "B", 3, 1, ties=2), prior=0)
    plain = fit_scores(games("A", "B", 4, 2), prior=0)
    assert with_ties["A"] - with_ties["B"] == pytest.approx(plain["A"] - plain["B"], abs=1e-6)


def test_both_bad_counts_as_a_tie() -> None:
    from playground.arena.votes import SCORE_A

    assert SCORE_A["tie (bothbad)"] == SCORE_A["tie"] == 0.5


def test_a_contender_that_always_wins_tops_with_a_finite_score() -> None:
    board = leaderboard(games("strong", "weak", 6, 0) + games("strong", "mid", 6, 0) + games("mid", "weak", 3, 3))
    assert [row.contender for row in board][0] == "strong"
    assert all(math.isfinite(row.score) and row.low <= row.score <= row.high for row in board)


def test_no_votes_make_an_empty_leaderboard() -> None:
    assert leaderboard([]) == [] and win_rates([], []) == []


def test_votes_and_wins_are_counted_and_fewer_than_five_votes_is_provisional() -> None:
    board = {row.contender: row for row in leaderboard(games("A", "B", 4, 1, ties=1) + games("A", "C", 1, 0))}
    assert (board["A"].votes, board["A"].wins, board["A"].ties) == (7, 5, 1)
    assert (board["B"].votes, board["B"].wins, board["B"].provisional) == (6, 1, False)
    assert (board["C"].votes, board["C"].provisional) == (1, True)


def test_the_win_rate_matrix_counts_ties_half_and_leaves_unmet_pairs_empty() -> None:
    matrix = win_rates(games("A", "B", 2, 1, ties=1) + games("B", "C", 1, 0), ["A", "B", "C"])
    assert matrix[0][1] == pytest.approx(2.5 / 4)
    assert matrix[1][0] == pytest.approx(1.5 / 4)
    assert matrix[0][2] is None and matrix[0][0] is None
    assert matrix[2][1] == 0.0


TRUE_SCORES = {"w": 1300.0, "x": 1100.0, "y": 1000.0, "z": 850.0}


def simulated(count: int, seed: int) -> list[Game]:
    """Votes drawn from known strengths: A beats B with the Elo probability of their true scores."""
    rng = random.Random(seed)
    names = list(TRUE_SCORES)
    votes = []
    for _ in range(count):
        a, b = rng.sample(names, 2)
        p_a = 1 / (1 + 10 ** ((TRUE_SCORES[b] - TRUE_SCORES[a]) / SCALE))
        votes.append(Game(a, b, 1.0 if rng.random() < p_a else 0.0))
    return votes


def centred(scores: dict[str, float]) -> dict[str, float]:
    mean = sum(scores.values()) / len(scores)
    return {name: BASE + value - mean for name, value in scores.items()}


def test_votes_from_known_strengths_recover_their_order() -> None:
    assert [row.contender for row in leaderboard(simulated(400, seed=1), rounds=20)] == ["w", "x", "y", "z"]


def test_intervals_cover_the_true_scores_on_simulated_votes() -> None:
    truth = centred(TRUE_SCORES)
    covered = total = 0
    for seed in range(8):
        intervals = bootstrap_intervals(simulated(300, seed=100 + seed), rounds=100, seed=seed)
        for name, (low, high) in intervals.items():
            covered += low <= truth[name] <= high
            total += 1
    assert covered / total >= 0.8  # 95 % intervals: most of the 32 must hold the truth


def test_intervals_shrink_as_votes_grow() -> None:
    def mean_width(count: int) -> float:
        intervals = bootstrap_intervals(simulated(count, seed=7), rounds=60)
        return sum(high - low for low, high in intervals.values()) / len(intervals)

    assert mean_width(480) < mean_width(60) / 2


def test_the_seed_makes_the_intervals_stable_whatever_the_order_of_the_votes() -> None:
    votes = simulated(120, seed=3)
    first = bootstrap_intervals(votes, rounds=50, seed=11)
    assert bootstrap_intervals(list(reversed(votes)), rounds=50, seed=11) == first
    assert bootstrap_intervals(votes, rounds=50, seed=12) != first
