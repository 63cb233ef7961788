"""The provider bake-off through gradio_client: /sweep over three providers with repeats."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from gradio_client import Client

from tests.api_forms import SWEEP
from tests.gradio_updates import last_values
from tests.protocol_server import BAKEOFF_MODEL, BAKEOFF_PROVIDERS, ProtocolServer

BAKEOFF = {**SWEEP, "models": [BAKEOFF_MODEL], "model": BAKEOFF_MODEL, "mode": "Chat", "max_new_tokens": 12,
           "providers": list(BAKEOFF_PROVIDERS), "repeats": 2, "prompt": "Which provider is fastest?"}


@pytest.fixture
def app(app_url: str, server: ProtocolServer) -> Client:
    server.add_bakeoff_model()
    return Client(app_url, verbose=False)


def exported_csv(updates: list) -> list[dict[str, str]]:
    """The "Download CSV" file the sweep's last update offers (sent as an update with a value)."""
    values = [v.get("value") if isinstance(v, dict) else v for v in updates[-1]]
    (path,) = [v for v in values if isinstance(v, str) and v.endswith(".csv")]
    return list(csv.DictReader(Path(path).open(encoding="utf-8")))


def test_three_providers_and_two_repeats_send_six_runs_each_to_its_provider(app: Client, server: ProtocolServer) -> None:
    app.submit(**BAKEOFF, api_name="/sweep").result(timeout=120)
    posts = server.posts(BAKEOFF_MODEL)
    assert len(posts) == 6
    assert sorted(post.path.split("/")[1] for post in posts) == sorted(list(BAKEOFF_PROVIDERS) * 2)


def test_the_exports_timings_rank_the_providers_as_their_speeds_do(app: Client, server: ProtocolServer) -> None:
    job = app.submit(**BAKEOFF, api_name="/sweep")
    job.result(timeout=120)
    rows = exported_csv(job.outputs())
    assert len(rows) == 6 and {row["status"] for row in rows} == {"done"}
    assert {row["repeat"] for row in rows} == {"1", "2"}
    fastest_first = sorted(BAKEOFF_PROVIDERS, key=lambda p: BAKEOFF_PROVIDERS[p][0])
    by_speed = sorted(rows, key=lambda row: -float(row["tokens_per_second"]))
    assert [row["provider"] for row in by_speed] == [p for p in fastest_first for _ in (1, 2)]
    for row in rows:  # cost from the usage and the router's price; the router's claims beside
        assert float(row["cost"]) > 0 and row["claimed_tokens_per_second"] and row["claimed_time_to_first_token"]
    cheapest = min(rows, key=lambda row: float(row["cost"]))
    assert cheapest["provider"] == min(BAKEOFF_PROVIDERS, key=lambda p: BAKEOFF_PROVIDERS[p][1])


def test_more_than_24_runs_counting_providers_and_repeats_are_refused(app: Client, server: ProtocolServer) -> None:
    job = app.submit(**{**BAKEOFF, "repeats": 5, "seeds": "1, 2"}, api_name="/sweep")
    job.result(timeout=120)
    assert "makes 30 runs; at most 24" in " ".join(str(v) for v in last_values(job.outputs()))
    assert server.posts() == []


def test_the_providers_list_takes_any_models_value_an_odd_caller_sends() -> None:
    """Providers' choices come from the picked models, or the Playground's model when the value is no list
    (once a TypeError for a direct call sending a number); the built-in model asks the router nothing."""
    from components.context import RunContext
    from components.sweep_run import offered_providers
    from playground.config import Settings
    from playground.inference.backend import Backend
    from playground.local import LOCAL_MODEL_NAME
    from playground.runs.sweep import ALL_LIVE

    ctx = RunContext(Backend(), Settings(hf_token=None))
    assert offered_providers(ctx, 3, LOCAL_MODEL_NAME, "", None) == [ALL_LIVE]
    assert offered_providers(ctx, [LOCAL_MODEL_NAME, None], "test/tiny-gpt", 7, None) == [ALL_LIVE]
