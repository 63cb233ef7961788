"""A Chat-mode stream reaches the page like a Completion one: the first token at once, then at most
one conversation update per interval, and the last update holds the whole answer (issue 8)."""

from __future__ import annotations

from tests.chat_updates import PIECES, chat_outputs, run_conversation_updates


def conversation_updates(interval: float) -> list[list[dict]]:
    out = chat_outputs()
    updates = run_conversation_updates(out, interval)
    return [update[out.panel.conversation] for update in updates if out.panel.conversation in update]


def test_a_fast_chat_stream_sends_few_updates_and_ends_with_the_whole_answer() -> None:
    views = conversation_updates(interval=10.0)
    answers = [view[-1]["content"] for view in views if view and view[-1]["role"] == "assistant"]
    assert answers[0] == PIECES[0]  # the first token is shown without waiting for a batch
    assert answers[-1] == "".join(PIECES)  # the last update carries every token
    assert len(answers) <= 3  # first token, final state: not one update per token


def test_with_interval_zero_every_token_is_its_own_update() -> None:
    views = conversation_updates(interval=0.0)
    answers = [view[-1]["content"] for view in views if view and view[-1]["role"] == "assistant"]
    assert len(answers) >= len(PIECES)
    assert answers[-1] == "".join(PIECES)
