"""The arena without Gradio: contenders, the pair drawn, blind words, which votes a round takes,
vote records and their JSONL, the share link and View code."""

from __future__ import annotations

import json
import random
from collections import Counter
from urllib.parse import parse_qs

import pytest

from playground.arena.code import arena_share_query, arena_snippet, parse_arena_query
from playground.arena.pairs import Contender, draw_pair, names_of, parse_contenders, redact
from playground.arena.rounds import Round, allowed_votes, vote_fields
from playground.arena.votes import (
    MAX_STORED_ANSWER,
    VOTE_CAP,
    add_vote,
    merge_votes,
    new_vote,
    parse_votes,
    read_jsonl,
    vote_games,
    votes_jsonl,
)
from playground.errors import InvalidParametersError
from playground.inference.events import RunStats
from playground.input.request import Mode, parse_request
from playground.runs.results import RunState

TOKEN = "hf_" + "s3cr3t" * 6
BASE = parse_request({"model": "org/a", "prompt": "Which is better?", "params": {"seed": 7}})
A, B, C = Contender("org/a"), Contender("org/b", "together", Mode.CHAT), Contender("http://127.0.0.1:9/v1")


def finished_round(states=(RunState.DONE, RunState.DONE), a: Contender = A, b: Contender = B) -> Round:
    stats = RunStats(time_to_first_token=0.1, total_time=0.5, tokens=5, seed=7, attempts=1)
    return Round(a, b, BASE, states=states, answers=("answer a", "answer b"), stats=(stats, stats))


def test_contenders_are_rows_of_model_provider_and_mode() -> None:
    rows = [["org/a", "", ""], ["", "", ""], ["org/b", "together", "chat"], ["org/a", "auto", ""]]
    assert parse_contenders(rows) == (A, B)  # blank rows skipped, a repeated contender kept once


@pytest.mark.parametrize(("rows", "words"), [
    ([["org/a", "", ""]], "at least two"),
    ([["org/a", "", ""], ["not a model!", "", ""]], "row 2"),
    ([["org/a", "", ""], ["org/b", "nowhere", ""]], "row 2: 'nowhere' is not a provider"),
    ([["org/a", "", ""], ["org/b", "", "poetry"]], "row 2: Mode must be"),
    ("org/a, org/b", "must be a table"),
])
def test_bad_contenders_are_refused_naming_the_row(rows, words) -> None:
    with pytest.raises(InvalidParametersError, match=words):
        parse_contenders(rows)


def test_pairs_are_drawn_uniformly_and_either_side_may_be_a() -> None:
    rng = random.Random(5)
    draws = Counter(draw_pair((A, B, C), rng) for _ in range(3000))
    assert len(draws) == 6  # every ordered pair of two different contenders
    assert all(400 < count < 600 for count in draws.values())


def test_redact_keeps_every_contender_name_out_of_a_message() -> None:
    text = "Model org/b does not exist on Together; B is busy; 127.0.0.1:9 refused; a-model &amp; org/a"
    cleaned = redact(text, names_of((A, B, C)))
    for name in ("org/a", "org/b", "together", "127.0.0.1:9"):
        assert name.lower() not in cleaned.lower()
    assert "does not exist" in cleaned


def test_the_built_in_model_is_not_named_by_its_own_error() -> None:
    from playground.local import LOCAL_MODEL_NAME

    cleaned = redact("The built-in model isn't installed here", names_of((A, Contender(LOCAL_MODEL_NAME))))
    assert "built-in" not in cleaned


def test_no_vote_before_both_answers_finish_and_never_twice() -> None:
    assert allowed_votes(None) == ()
    assert allowed_votes(finished_round((RunState.DONE, RunState.STREAMING))) == ()
    assert allowed_votes(finished_round((RunState.DONE, RunState.STOPPED))) == ()
    game = finished_round()
    assert allowed_votes(game) == ("A is better", "B is better", "Tie", "Both are bad")
    assert game.take_ballot() and not game.take_ballot()  # a second click at the same instant counts for nothing


def test_a_failed_answer_cannot_win_even_half() -> None:
    assert allowed_votes(finished_round((RunState.FAILED, RunState.DONE))) == ("B is better",)
    assert allowed_votes(finished_round((RunState.DONE, RunState.FAILED))) == ("A is better",)
    assert allowed_votes(finished_round((RunState.FAILED, RunState.FAILED))) == ()


def test_a_vote_records_both_contenders_the_request_answers_and_timings_and_no_token() -> None:
    vote = new_vote(vote_fields(finished_round()), "model_b")
    record = vote.model_dump(mode="json")
    assert (record["model_a"], record["model_b"], record["provider_b"], record["winner"]) == ("org/a", "org/b", "together", "model_b")
    assert record["prompt"] == "Which is better?" and record["parameters"]["seed"] == 7
    assert record["answer_a"] == "answer a" and record["timing_b"]["tokens"] == 5 and record["timestamp"]
    assert TOKEN not in json.dumps(record)


def test_the_stored_votes_are_bounded_and_a_broken_one_is_dropped() -> None:
    vote = new_vote({**vote_fields(finished_round()), "answer_a": "x" * (MAX_STORED_ANSWER * 3)}, "tie")
    assert len(vote.answer_a) == MAX_STORED_ANSWER
    stored = add_vote([{"model_a": "broken"}, "junk"], vote)
    assert [v.id for v in parse_votes(stored)] == [vote.id]
    many = merge_votes([], [new_vote(vote_fields(finished_round()), "tie") for _ in range(VOTE_CAP + 5)])
    assert len(many) == VOTE_CAP


def test_jsonl_round_trip_holds_every_vote_and_reproduces_the_games() -> None:
    votes = [new_vote(vote_fields(finished_round()), winner) for winner in ("model_a", "model_b", "tie", "tie (bothbad)")]
    text = votes_jsonl(votes)
    assert len(text.splitlines()) == 4
    read, problems = read_jsonl(text)
    assert problems == [] and sorted(vote_games(read), key=repr) == sorted(vote_games(votes), key=repr)
    assert len(merge_votes(merge_votes([], read), read)) == 4  # importing twice adds nothing


def test_malformed_lines_are_refused_with_their_line_numbers_and_the_rest_imported() -> None:
    good = json.dumps({"model_a": "org/a", "model_b": "org/b", "winner": "model_a", "timestamp": "2026-12-01T10:00:00+00:00"})
    text = "\n".join([good, "{not json", json.dumps({**json.loads(good), "winner": "A"}), "", json.dumps([1]),
                      json.dumps({**json.loads(good), "model_b": "org/a"})])
    votes, problems = read_jsonl(text)
    assert len(votes) == 1
    assert [p.split(":")[0] for p in problems] == ["line 2", "line 3", "line 5", "line 6"]
    assert "winner" in problems[1] and "same contender" in problems[3]


def test_a_share_link_carries_the_contenders_and_prompt_never_a_vote_or_token() -> None:
    query = arena_share_query(BASE, (A, B, C))
    shared = parse_arena_query(parse_qs(query))
    assert shared.opens and shared.contenders == [A, B, C] and shared.problems == []
    assert "Which%20is%20better" in query and "winner" not in query and TOKEN not in query
    assert not parse_arena_query(parse_qs("tab=compare")).opens
    assert parse_arena_query(parse_qs("tab=arena&contender=bad!|auto|")).problems


def test_view_code_is_a_script_that_plays_one_blind_round() -> None:
    code = arena_snippet(BASE, (A, B, C))
    compile(code, "arena.py", "exec")
    assert "random.sample(contenders, 2)" in code and 'os.environ["HF_TOKEN"]' in code
    assert "text_generation(" in code and "chat_completion(" in code  # one contender in each mode
    assert code.index("input(") < code.index("A was")  # the names come after the vote


def test_view_code_gives_another_hosts_endpoint_the_endpoint_key_not_hf_token() -> None:
    from playground.saved.snippets import ENDPOINT_TOKEN_VARIABLE, HF_TOKEN_VARIABLE

    endpoint = Contender("http://vllm.example:8000/v1", "auto", None)
    code = arena_snippet(BASE, (A, endpoint), token_variable_for=lambda m: ENDPOINT_TOKEN_VARIABLE if m == endpoint.model else HF_TOKEN_VARIABLE)
    compile(code, "arena.py", "exec")
    rows = {line.split(",")[0].strip(" ('"): line for line in code.splitlines() if line.startswith("    ('")}
    assert 'os.environ.get("ENDPOINT_TOKEN", "EMPTY")' in rows[endpoint.model] and "HF_TOKEN" not in rows[endpoint.model]
    assert 'os.environ["HF_TOKEN"]' in rows[A.model]
