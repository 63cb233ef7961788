"""Replay of a run kept with its token probabilities: token by token, the tint growing with the text."""

from __future__ import annotations

from playground.runs.replay import replay_plan, split_pieces, tokens_shown

STATS = {"time_to_first_token": 0.0, "total_time": 1.0, "tokens": 3}


def test_a_run_kept_with_its_tokens_replays_them_one_by_one() -> None:
    plan = replay_plan("Echo maybe yes", STATS, tokens=["Echo ", "maybe ", "yes"])
    assert plan.pieces == ("Echo ", "maybe ", "yes")


def test_tokens_that_do_not_make_up_the_answer_fall_back_to_even_pieces() -> None:
    plan = replay_plan("Echo maybe yes", STATS, tokens=["Ec"])  # the history kept a cut first token only
    assert plan.pieces == split_pieces("Echo maybe yes", 3)


def test_the_tint_holds_only_the_tokens_the_text_so_far_holds() -> None:
    tokens = ["Echo ", "maybe ", "yes"]
    assert [tokens_shown(tokens, length) for length in (0, 4, 5, 10, 11, 14, 99)] == [0, 0, 1, 1, 2, 3, 3]
