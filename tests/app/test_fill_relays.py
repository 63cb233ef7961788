"""What a link or a history entry fills a drawn tab with crosses the page as text on a relay
(components/on_demand.py): it arrives whole, and anything else on the relay changes nothing."""

from __future__ import annotations

import pytest

from components.compare_tab import CompareFill, pane_models
from components.sweep_tab import SweepFill

JUNK = ["", "{", "[]", "5", 5, None, '"text"']


def test_a_comparison_s_panes_arrive_as_they_were_sent_without_unknown_panes_or_fields() -> None:
    sent = CompareFill(prompt="Hi", system_prompt="Be brief", count=3, status="Opened",
                       panes={"A": {"model": "org/a", "output": "An answer", "stray": "x"}, "Q": {"model": "org/q"}})
    arrived = CompareFill.from_text(sent.to_text())
    assert arrived == CompareFill(prompt="Hi", system_prompt="Be brief", count=3, status="Opened",
                                  panes={"A": {"model": "org/a", "output": "An answer"}})
    assert sent.to_text() != sent.to_text()  # stamped: the same panes filled twice still reach the page


def test_a_sweep_s_grid_arrives_as_it_was_sent() -> None:
    sent = SweepFill(prompt="Sweep", models=["org/a", "org/b"], temperatures="0.2, 0.7", seeds="1", table=[["org/a", 1]])
    assert SweepFill.from_text(sent.to_text()) == sent


@pytest.mark.parametrize("text", JUNK)
def test_anything_else_on_a_relay_fills_nothing(text) -> None:
    assert CompareFill.from_text(text) is None and SweepFill.from_text(text) is None


def test_odd_field_values_on_the_compare_relay_are_left_as_they_are() -> None:
    found = CompareFill.from_text('{"count": "three", "panes": [1, 2], "prompt": "kept"}')
    assert found == CompareFill(prompt="kept", count=None, panes={})


@pytest.mark.parametrize(("text", "models"), [('["org/a", "org/b", 3]', ["org/a", "org/b"]), ("{", []), ('{"a": 1}', []), (None, [])])
def test_check_models_reads_the_compare_panes_models_from_their_relay_and_nothing_else(text, models) -> None:
    assert pane_models(text) == models
