"""Pure tests of the provider bake-off: the Providers and Repeats axes, cost, the summary, the card."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from playground import errors as e
from playground.catalog.facts import ModelFacts, ProviderFacts
from playground.inference.events import Done, RunStats, Token, Usage
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode
from playground.runs.dataset_card import RUNS_FILE, dataset_card, runs_jsonl
from playground.runs.hub_push import PushError, check_dataset_name, push_sweep
from playground.runs.pricing import claims_from, cost_per_thousand, run_cost
from playground.runs.results import ResultSet, export_records, to_csv, to_json
from playground.runs.scheduler import Job, Tagged
from playground.runs.summary import Spread, ranked_by_speed, spread, summarise, summary_rows
from playground.runs.sweep import ALL_LIVE, MAX_CELLS, parse_grid, parse_providers, parse_repeats, sweep_cells

BASE = GenerationRequest(model="org/base", prompt="Which provider?", mode=Mode.CHAT,
                         params=GenerationParams(temperature=0.7, max_new_tokens=30, seed=5))
FACTS = ModelFacts("org/base", (
    ProviderFacts("together", "live", price_in=1.0, price_out=2.0, throughput=90.0, first_token_latency_ms=300),
    ProviderFacts("cerebras", "live", price_in=0.5, price_out=1.0, throughput=900.0, first_token_latency_ms=100),
    ProviderFacts("novita", "error", price_in=0.1, price_out=0.1),
))
LIVE = {"org/base": ("together", "cerebras")}


def describe(result) -> str:
    return result.state.value


# ---- the Providers and Repeats axes ------------------------------------------------------------


def test_three_providers_and_two_repeats_make_six_runs_each_named() -> None:
    cells = sweep_cells(BASE, parse_grid("", "", "", ["together", "cerebras", "featherless-ai"], 2))
    assert len(cells) == 6
    assert [(c.request.provider, c.repeat) for c in cells] == [
        ("together", 1), ("together", 2), ("cerebras", 1), ("cerebras", 2), ("featherless-ai", 1), ("featherless-ai", 2)]
    assert {c.request.params.seed for c in cells} == {5}  # the same seed everywhere: answers can be compared


def test_all_live_providers_is_each_models_live_providers_from_the_router() -> None:
    cells = sweep_cells(BASE, parse_grid("", "", "", [ALL_LIVE], 1), LIVE)
    assert [c.request.provider for c in cells] == ["together", "cerebras"]


def test_all_live_providers_with_none_listed_says_so() -> None:
    with pytest.raises(e.InvalidParametersError, match="Providers: the router lists no live provider for org/base"):
        sweep_cells(BASE, parse_grid("", "", "", [ALL_LIVE], 1), {})


def test_the_24_run_cap_counts_providers_and_repeats() -> None:
    sweep_cells(BASE, parse_grid("", "", "1, 2, 3, 4", ["together", "cerebras", "novita"], 2))  # 24: accepted
    with pytest.raises(e.InvalidParametersError) as raised:
        sweep_cells(BASE, parse_grid("", "", "1, 2, 3, 4, 5", ["together", "cerebras", "novita"], 2))
    assert "3 model × provider pairs × 1 temperature × 5 seeds × 2 repeats makes 30 runs; at most 24" in raised.value.detail
    assert MAX_CELLS == 24


@pytest.mark.parametrize(("value", "words"), [(0, "Repeats: '0'"), (6, "Repeats: '6'"), ("two", "Repeats: 'two'"), (1.5, "Repeats: '1.5'")])
def test_repeats_outside_one_to_five_are_refused(value, words: str) -> None:
    with pytest.raises(e.InvalidParametersError, match=words):
        parse_repeats(value)


def test_repeats_are_read_and_an_unknown_provider_is_named() -> None:
    assert parse_repeats(3) == 3 and parse_repeats("5") == 5 and parse_repeats(None) == 1
    with pytest.raises(e.InvalidParametersError, match="Providers: 'no-such-cloud' is not a provider"):
        parse_providers(["together", "no-such-cloud"])


# ---- cost, claims, exports, summary ------------------------------------------------------------


def finished(cells, speeds: dict[str, float]) -> ResultSet:
    """Every cell done: the first token after 0.1 s, then 11 tokens at the provider's speed."""
    results = ResultSet.for_jobs([Job(c.key, c.request) for c in cells], {c.key: c.repeat for c in cells})
    for cell in cells:
        speed = speeds[cell.request.provider] + cell.repeat  # repeats differ a little
        stats = RunStats(0.1, 0.1 + 10 / speed, 11, 5, 1, usage=Usage(prompt_tokens=1000, completion_tokens=11))
        results.apply([Tagged(cell.key, Token("same answer")), Tagged(cell.key, Done(stats))])
    return results


def test_cost_is_usage_times_the_routers_price() -> None:
    stats = RunStats(0.1, 1.0, 11, 5, 1, usage=Usage(prompt_tokens=1000, completion_tokens=500))
    assert run_cost(stats, FACTS.for_provider("together")) == pytest.approx((1000 * 1.0 + 500 * 2.0) / 1e6)
    assert run_cost(stats, None) is None  # "auto", or a provider the router doesn't list: no price, no guess
    assert cost_per_thousand(0.002, 500) == pytest.approx(0.004)


def test_exports_carry_every_field_per_run_with_claims_beside_measurements() -> None:
    cells = sweep_cells(BASE, parse_grid("", "", "", ["together", "cerebras"], 2))
    results = finished(cells, {"together": 20.0, "cerebras": 200.0})
    claims = claims_from({"org/base": FACTS})
    rows = list(csv.DictReader(io.StringIO(to_csv(results, describe, claims))))
    assert len(rows) == 4
    for field in ("model", "provider", "temperature", "seed", "repeat", "status", "time_to_first_token", "tokens_per_second",
                  "total_time", "tokens", "cost", "output", "claimed_tokens_per_second", "claimed_time_to_first_token"):
        assert rows[0][field] != "", field
    assert [row["repeat"] for row in rows] == ["1", "2", "1", "2"]
    assert rows[2]["claimed_tokens_per_second"] == "900.0" and rows[2]["claimed_time_to_first_token"] == "0.1"
    data = json.loads(to_json(results, describe, claims))
    assert data["rows"][0]["cost"] == pytest.approx((1000 * 1.0 + 11 * 2.0) / 1e6)


def test_the_summary_ranks_providers_as_their_speeds_and_gives_median_and_range() -> None:
    cells = sweep_cells(BASE, parse_grid("", "", "", ["together", "cerebras", "featherless-ai"], 3))
    results = finished(cells, {"together": 20.0, "cerebras": 200.0, "featherless-ai": 60.0})
    summaries = summarise(export_records(results, describe, claims_from({"org/base": FACTS})))
    assert ranked_by_speed(summaries) == ["cerebras", "featherless-ai", "together"]
    together = summaries[0]
    assert (together.runs, together.finished) == (3, 3)
    assert together.tokens_per_second == Spread(22.0, 21.0, 23.0)
    assert together.claimed_tokens_per_second == 90.0 and summaries[2].claimed_tokens_per_second is None
    row = summary_rows(summaries)[0]
    assert row[:3] == ["org/base", "together", "3 of 3"] and row[5] == "22.0 (21.0–23.0)" and row[6] == "90.0"


def test_a_spread_of_nothing_is_none_and_of_one_value_is_that_value() -> None:
    assert spread([None, None]) is None
    assert spread([0.5]).text(" s") == "0.50 s"


# ---- the dataset card and the push's checks ----------------------------------------------------


def test_the_card_has_yaml_metadata_the_grid_the_prompt_the_summary_and_the_method() -> None:
    cells = sweep_cells(BASE, parse_grid("", "", "", ["together", "cerebras"], 1))
    records = export_records(finished(cells, {"together": 20.0, "cerebras": 200.0}), describe)
    prompt = "Has ``` backticks | and a pipe"
    card = dataset_card("Provider bake-off: org/base", {"Models": "org/base", "Providers": "together, cerebras"}, prompt,
                        summarise(records), len(records))
    front, body = card.split("---\n")[1], card.split("---\n", 2)[2]
    assert 'pretty_name: "Provider bake-off: org/base"' in front and f"path: {RUNS_FILE}" in front
    assert "- **Providers**: together, cerebras" in body
    assert "````text\n" + prompt + "\n````" in body  # a longer fence than the prompt's own backticks
    assert "| org/base | cerebras | 1 of 1 |" in body and "## How it was measured" in body
    assert len(runs_jsonl(records).splitlines()) == 2


@pytest.mark.parametrize("name", ["", "has space", "../up", "x" * 97, "trailing-"])
def test_a_bad_dataset_name_is_refused_in_words(name: str) -> None:
    with pytest.raises(PushError, match="Dataset name:"):
        check_dataset_name(name)


def test_no_token_pushes_nothing_and_says_to_sign_in() -> None:
    with pytest.raises(PushError, match="needs your own token"):
        push_sweep(None, "bakeoff", True, "card", "{}\n", "http://127.0.0.1:9")


def test_sign_in_asks_for_the_least_scope_that_can_create_the_dataset() -> None:
    """Guards issue 19: Push to Hub with a sign-in token needs `contribute-repos`; nothing wider is asked."""
    import yaml

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    scopes = yaml.safe_load(readme.split("---")[1])["hf_oauth_scopes"]
    assert "contribute-repos" in scopes and not {"write-repos", "manage-repos"} & set(scopes)
