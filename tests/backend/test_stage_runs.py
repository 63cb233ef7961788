"""Pre-flight probes, fallback choice and replay pacing: the core behind "Check models", "Run on" and "Replay"."""

from __future__ import annotations

import threading

import pytest

from playground import errors as e
from playground.inference.backend import Backend
from playground.inference.clock import SystemClock
from playground.inference.retry import RetryPolicy
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode
from playground.local import LOCAL_MODEL_NAME
from playground.runs.fallback import choose_fallback, fallback_request, offered_fallback
from playground.runs.preflight import Light, Preflight, PreflightSessions, models_to_check
from playground.runs.replay import MAX_REPLAY_SECONDS, play, replay_plan, split_pieces
from playground.saved.history import fallback_label
from tests.conftest import TEST_TOKEN, FakeClock
from tests.protocol_server import ProtocolServer, Reply


def loading(model: str, seconds: float = 20.0) -> Reply:
    return Reply(status=503, body={"error": f"Model {model} is currently loading", "estimated_time": seconds})


def chat_mode(model: str, token: str | None) -> Mode:
    return Mode.CHAT


def checked(backend: Backend, models: list[str], token: str | None = TEST_TOKEN) -> list:
    check = Preflight(backend, models, token, mode_for=chat_mode).start()
    while not check.finished():
        check.wait_for_change(5.0)
    return check.results()


# ---- pre-flight ------------------------------------------------------------------------------


def test_check_models_shows_green_with_first_token_time_and_red_for_an_unknown_model(server: ProtocolServer) -> None:
    backend = Backend(policy=RetryPolicy(deadline=30))
    green, red = checked(backend, ["test/chat-model", "test/no-such-model"])
    assert green.light is Light.GREEN and green.time_to_first_token is not None and green.warmed_for is None
    assert red.light is Light.RED and isinstance(red.error, e.ModelNotFoundError)


def test_a_probe_asks_for_one_token_with_the_visitors_token(server: ProtocolServer) -> None:
    checked(Backend(), ["test/chat-model"], token="hf_visitor")
    (post,) = server.posts("test/chat-model")
    assert post.body["max_tokens"] == 1 and post.headers["authorization"] == "Bearer hf_visitor"


def test_a_cold_model_shows_amber_then_warms_to_green(server: ProtocolServer, clock: FakeClock) -> None:
    server.script("test/chat-model", loading("test/chat-model"), loading("test/chat-model"))
    backend = Backend(policy=RetryPolicy(deadline=300), clock=clock)
    check = Preflight(backend, ["test/chat-model"], TEST_TOKEN, mode_for=chat_mode)
    seen: list[Light] = []
    clock.on_sleep = lambda: seen.append(check.results()[0].light)
    check.start()
    while not check.finished():
        check.wait_for_change(5.0)
    (result,) = check.results()
    assert Light.AMBER in seen and result.light is Light.GREEN
    assert result.warmed_for == pytest.approx(40.0, abs=0.5)  # two waits of the server's 20 s estimate
    assert len(server.posts("test/chat-model")) == 3


def test_warming_stops_at_the_retry_deadline_and_says_so_in_red(server: ProtocolServer, clock: FakeClock) -> None:
    server.script("test/chat-model", *[loading("test/chat-model", 30)] * 10)
    (result,) = checked(Backend(policy=RetryPolicy(deadline=60), clock=clock), ["test/chat-model"])
    assert result.light is Light.RED and isinstance(result.error, e.TimedOutError)


def test_leaving_the_page_cancels_warming_at_once(server: ProtocolServer) -> None:
    server.script("test/chat-model", loading("test/chat-model", 60))
    sessions = PreflightSessions()
    check = Preflight(Backend(policy=RetryPolicy(deadline=300), clock=SystemClock()), ["test/chat-model"], TEST_TOKEN,
                      mode_for=chat_mode)
    sessions.replace("session-1", check.start())
    while check.results()[0].light is not Light.AMBER:
        check.wait_for_change(5.0)
    sessions.end("session-1")
    check.wait_for_change(5.0)
    assert check.finished() and check.cancelled and sessions.running() == 0
    assert len(server.posts("test/chat-model")) == 1


def test_a_new_check_in_the_same_session_cancels_the_old_one() -> None:
    sessions = PreflightSessions()
    first, second = Preflight(Backend(), [], None), Preflight(Backend(), [], None)
    sessions.replace("s", first)
    sessions.replace("s", second)
    sessions.end("s", first)  # an old check ending late does not end the new one
    assert first.cancelled and not second.cancelled and sessions.running() == 1


def test_the_models_to_check_are_the_suggestions_then_compare_panes_each_once() -> None:
    assert models_to_check(["a/b", "c/d"], ["c/d", None, " ", "e/f"]) == ["a/b", "c/d", "e/f"]


# ---- fallback --------------------------------------------------------------------------------


@pytest.mark.parametrize("error", [e.ModelNotFoundError(), e.NotServedError(), e.GatedModelError(),
                                   e.OutOfCreditsError(), e.TimedOutError()])
def test_failures_a_retry_wont_fix_offer_the_first_other_fallback(error: e.PlaygroundError) -> None:
    assert offered_fallback(error, "bars/missing", ["bars/missing", "bars/warm"], local_installed=True) == "bars/warm"


@pytest.mark.parametrize("error", [e.RateLimitedError(), e.InvalidTokenError(), e.RequestRejectedError(), e.MissingTokenError()])
def test_other_failures_offer_no_fallback(error: e.PlaygroundError) -> None:
    assert offered_fallback(error, "bars/missing", ["bars/warm"], local_installed=True) is None


def test_endpoint_urls_and_the_local_model_get_no_fallback() -> None:
    assert offered_fallback(e.ModelNotFoundError(), "http://127.0.0.1:8080", ["bars/warm"], True) is None
    assert offered_fallback(e.NotServedError(), LOCAL_MODEL_NAME, ["bars/warm"], True) is None


def test_without_the_setting_the_local_model_is_offered_only_when_installed() -> None:
    assert choose_fallback("bars/missing", [], local_installed=True) == LOCAL_MODEL_NAME
    assert choose_fallback("bars/missing", [], local_installed=False) is None
    assert choose_fallback("bars/missing:fastest", ["bars/missing"], local_installed=True) is None


def test_the_fallback_keeps_prompt_and_settings_and_says_what_answered() -> None:
    request = GenerationRequest(model="bars/missing", prompt="Hi", mode=Mode.CHAT, provider="together",
                                system_prompt="Be brief", params=GenerationParams(temperature=0.3, seed=5))
    moved = fallback_request(request, "bars/warm")
    assert (moved.model, moved.provider) == ("bars/warm", "auto")
    assert (moved.prompt, moved.mode, moved.system_prompt, moved.params) == (request.prompt, request.mode, request.system_prompt, request.params)
    assert fallback_label("bars/missing", "bars/warm") == "Answered by bars/warm instead of bars/missing (fallback)"


# ---- replay ----------------------------------------------------------------------------------


def test_a_short_run_replays_at_its_recorded_pace(clock: FakeClock) -> None:
    plan = replay_plan("one two three four five ", {"time_to_first_token": 0.5, "total_time": 2.5, "tokens": 5})
    assert plan.speedup == 1.0 and plan.first_delay == 0.5 and plan.step_delay == pytest.approx(0.5)
    texts = list(play(plan, clock))
    assert texts[-1] == "one two three four five " and len(texts) == 5
    assert clock.sleeps == [0.5, *[pytest.approx(0.5)] * 4]


def test_a_sixty_second_run_replays_in_at_most_fifteen_seconds(clock: FakeClock) -> None:
    output = "word " * 600
    plan = replay_plan(output, {"time_to_first_token": 2.0, "total_time": 60.0, "tokens": 600})
    assert plan.duration <= MAX_REPLAY_SECONDS + 1e-6 and plan.speedup == pytest.approx(4.0)
    assert list(play(plan, clock))[-1] == output
    assert sum(clock.sleeps) == pytest.approx(plan.duration)


def test_stop_ends_a_replay_at_once(clock: FakeClock) -> None:
    cancel = threading.Event()
    clock.on_sleep = cancel.set
    assert list(play(replay_plan("a b c", {"time_to_first_token": 1, "total_time": 3, "tokens": 3}), clock, cancel)) == []


def test_stats_tampered_with_in_the_browser_still_replay_the_text(clock: FakeClock) -> None:
    plan = replay_plan("hello there", {"time_to_first_token": "soon", "total_time": float("inf"), "tokens": -3})
    assert list(play(plan, clock))[-1] == "hello there" and plan.duration <= MAX_REPLAY_SECONDS


def test_pieces_join_back_to_the_recorded_text() -> None:
    assert "".join(split_pieces("abcdefghij", 3)) == "abcdefghij" and len(split_pieces("abcdefghij", 3)) == 3
    assert split_pieces("", 4) == ("",)


# ---- the pre-flight as the page starts it ------------------------------------------------------


def test_on_a_space_probes_never_use_the_owners_token(server: ProtocolServer) -> None:
    from components.context import RunContext
    from components.preflight_panel import new_check
    from playground.config import Settings

    settings = Settings(hf_token="hf_owner_secret", on_space=True, suggested_models=[("test/chat-model", "test/chat-model")])
    check = new_check(RunContext(Backend(), settings), session_token=None, oauth_token=None, extra=[])
    results = checked_until_done(check)
    assert isinstance(results[0].error, e.MissingTokenError)
    assert all("hf_owner_secret" not in str(r.headers) for r in server.requests)
    visitor = new_check(RunContext(Backend(), settings), session_token="hf_visitor", oauth_token=None, extra=[])
    assert checked_until_done(visitor)[0].light is Light.GREEN
    assert server.posts("test/chat-model")[-1].headers["authorization"] == "Bearer hf_visitor"


def test_on_a_space_a_private_endpoint_url_is_refused_without_a_request(server: ProtocolServer) -> None:
    from components.context import RunContext
    from components.preflight_panel import new_check
    from playground.config import Settings

    settings = Settings(on_space=True, suggested_models=[])
    check = new_check(RunContext(Backend(), settings), session_token="hf_visitor", oauth_token=None, extra=[f"{server.url}/tgi/x", "not a model"],
                      ran=[f"{server.url}/tgi/x"])  # run once already: another host's URL is checked only then
    private, malformed = checked_until_done(check)
    assert isinstance(private.error, e.InvalidModelError) and isinstance(malformed.error, e.InvalidModelError)
    assert server.posts() == []


def checked_until_done(check: Preflight) -> list:
    check.start()
    while not check.finished():
        check.wait_for_change(5.0)
    return check.results()


def test_the_mode_each_model_is_probed_in_is_asked_of_the_hub_once_for_everyone(server: ProtocolServer, monkeypatch) -> None:
    from playground.catalog.cache import TtlCache
    from playground.runs import preflight

    monkeypatch.setattr(preflight, "_modes", TtlCache(ttl=300.0))
    assert preflight.default_mode_for("test/tiny-gpt", "hf_one") is Mode.COMPLETION
    assert preflight.default_mode_for("test/tiny-gpt", "hf_two") is Mode.COMPLETION
    assert preflight.default_mode_for("test/no-such-model", "hf_one") is Mode.CHAT  # the Hub can't tell: Chat, not cached
    assert preflight.default_mode_for("test/no-such-model", "hf_two") is Mode.CHAT
    asked = [r.path for r in server.requests if r.path.startswith("/api/models/")]
    assert asked == ["/api/models/test/tiny-gpt", "/api/models/test/no-such-model", "/api/models/test/no-such-model"]


def test_locally_the_servers_own_token_never_goes_to_an_endpoint_url_being_checked(server: ProtocolServer) -> None:
    from components.context import RunContext
    from components.preflight_panel import new_check
    from playground.config import Settings

    settings = Settings(hf_token="hf_server_own", suggested_models=[("test/chat-model", "test/chat-model")])
    results = checked_until_done(new_check(RunContext(Backend(), settings), session_token=None, oauth_token=None, extra=[f"{server.url}/tgi/probe"],
                                           ran=[f"{server.url}/tgi/probe"]))
    assert [r.light for r in results] == [Light.GREEN, Light.GREEN]
    assert server.posts("test/chat-model")[-1].headers["authorization"] == "Bearer hf_server_own"
    assert "authorization" not in server.posts("tgi/probe")[-1].headers
