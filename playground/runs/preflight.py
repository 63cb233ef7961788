"""The pre-flight: probe every model of a demo at once, before going on stage.

Each model gets a one-token request through `Backend.run` with the visitor's token, in its own
thread. Its light:

    pending  not answered yet
    green    answered; `time_to_first_token` is that of the answering attempt
    amber    loading or rate-limited: the backend keeps retrying under its normal retry policy
             (capped by the policy's deadline), so pressing "Check models" warms a cold model
    red      an error a retry will not fix, or the retry deadline passed; `error` says which

    check = Preflight(backend, ["org/a", "org/b"], token).start()
    while not check.finished():
        show(check.results()); check.wait_for_change(1.0)
    check.cancel()     # the visitor left: every wait ends at once

`PreflightSessions` keeps one check per visitor session, so a new press or leaving the page
cancels the old one. `left_out_until_run` keeps a host the visitor has not run yet out of the check:
a share link, a preset or a history entry may have put it on the page, and nothing goes there before
the visitor presses Generate with it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from enum import Enum

from playground import errors as e
from playground.catalog.cache import TtlCache
from playground.hf.hub import suggest_mode
from playground.inference.backend import Backend
from playground.inference.events import Done, Event, Token, Waiting
from playground.input.model_ref import check_model_syntax
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode
from playground.local import LOCAL_MODEL_NAME

PROBE_PROMPT = "Hello"
MAX_PROBES = 16  # suggestions plus Compare panes; more would look like a flood to a provider


class Light(str, Enum):
    PENDING = "pending"
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True)
class ProbeResult:
    model: str
    light: Light = Light.PENDING
    time_to_first_token: float | None = None
    warmed_for: float | None = None  # seconds of waiting before a cold model answered
    waiting: Waiting | None = None  # amber: the latest wait (reason, attempt, seconds left)
    error: e.PlaygroundError | None = None  # red


ModeFor = Callable[[str, str | None], Mode]
Validate = Callable[[str], str]  # the model as it will be sent; raises InvalidModelError
TokenFor = Callable[[str], str | None]


class _ModeUnknown(Exception):
    """The Hub could not tell: not cached, so the next check asks again."""


# Which mode a model is served in is public and changes rarely: one Hub lookup per model for
# everyone pressing "Check models" within a few minutes.
_modes: TtlCache[Mode] = TtlCache(ttl=300.0)


def default_mode_for(model: str, token: str | None) -> Mode:
    """The mode the model is served in; Chat when the Hub can't tell (most providers serve chat)."""
    if model == LOCAL_MODEL_NAME:
        return Mode.CHAT  # an instruct model

    def lookup() -> Mode:
        mode = suggest_mode(model, token)
        if mode is None:
            raise _ModeUnknown(model)
        return mode

    try:
        return _modes.get(model, lookup)
    except _ModeUnknown:
        return Mode.CHAT


def models_to_check(suggested: Iterable[str], extra: Iterable[str | None] = ()) -> list[str]:
    """Suggested models then Compare panes' models, each once, blanks dropped, at most MAX_PROBES."""
    seen: dict[str, None] = {}
    for model in [*suggested, *extra]:
        if model and model.strip():
            seen.setdefault(model.strip(), None)
    return list(seen)[:MAX_PROBES]


def left_out_until_run(models: Iterable[str | None], ran: Iterable[object],
                       held: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    """(models to probe, models left out), blanks dropped: a model `held(model)` is true for is left
    out unless it is in `ran` (the endpoint URLs the visitor ran in this session). Each listed once."""
    ran_already = {url.strip() for url in ran if isinstance(url, str)}
    kept: dict[str, None] = {}
    left_out: dict[str, None] = {}
    for model in models:
        if isinstance(model, str) and model.strip():
            name = model.strip()
            (left_out if held(name) and name not in ran_already else kept).setdefault(name, None)
    return list(kept), list(left_out)


def probe_request(model: str, mode: Mode) -> GenerationRequest:
    return GenerationRequest(model=model, prompt=PROBE_PROMPT, mode=mode, params=GenerationParams(max_new_tokens=1, seed=0))


class Preflight:
    def __init__(self, backend: Backend, models: list[str], token: str | None, mode_for: ModeFor = default_mode_for,
                 validate: Validate = check_model_syntax, token_for: TokenFor | None = None) -> None:
        """`validate` is the same check Generate makes (on a Space: no private endpoint URLs);
        `token_for(model)` the token sent for one model, as Generate sends it (default: `token`)."""
        self._backend = backend
        self._validate = validate
        self._token = token
        self._token_for = token_for or (lambda model: token)
        self._mode_for = mode_for
        self._cancel = threading.Event()
        self._changed = threading.Condition()
        self._results = {model: ProbeResult(model) for model in models}
        self._running = len(models)

    def start(self) -> Preflight:
        for model in self._results:
            threading.Thread(target=self._probe, args=(model,), daemon=True, name=f"preflight-{model}").start()
        return self

    def results(self) -> list[ProbeResult]:
        with self._changed:
            return list(self._results.values())

    def finished(self) -> bool:
        with self._changed:
            return self._running == 0

    def wait_for_change(self, timeout: float) -> None:
        with self._changed:
            if self._running:
                self._changed.wait(timeout)

    def cancel(self) -> None:
        self._cancel.set()
        with self._changed:
            self._changed.notify_all()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _probe(self, model: str) -> None:
        try:
            self._run_probe(model)
        except e.PlaygroundError as error:
            self._update(model, light=Light.RED, error=error, waiting=None)
        except Exception as error:  # a probe must always end with a light, never a silent thread death
            self._update(model, light=Light.RED, error=e.ServerError(type(error).__name__), waiting=None)
        finally:
            with self._changed:
                self._running -= 1
                self._changed.notify_all()

    def _run_probe(self, model: str) -> None:
        checked = self._validate(model)
        token = self._token_for(checked)
        request = probe_request(checked, self._mode_for(checked, token))
        started = self._backend.clock.now()
        with closing(self._backend.run(request, token, self._cancel)) as events:  # closes the stream after the first token
            self._follow(model, events, started)

    def _follow(self, model: str, events: Iterator[Event], started: float) -> None:
        clock = self._backend.clock
        attempt_started = started
        for event in events:
            if isinstance(event, Waiting):
                # The next attempt starts when this wait ends; the answering attempt's TTFT is measured from there.
                attempt_started = clock.now() + event.seconds_left
                self._update(model, light=Light.AMBER, waiting=event)
            elif isinstance(event, Token | Done):
                self._answered(model, clock.now() - attempt_started, attempt_started - started)
                return

    def _answered(self, model: str, first_token: float, waited: float) -> None:
        self._update(model, light=Light.GREEN, time_to_first_token=max(0.0, first_token),
                     warmed_for=waited if waited > 0 else None, waiting=None)

    def _update(self, model: str, **changes: object) -> None:
        with self._changed:
            self._results[model] = replace(self._results[model], **changes)  # type: ignore[arg-type]
            self._changed.notify_all()


class PreflightSessions:
    """One running check per visitor session; a new check or the visitor leaving cancels the old one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checks: dict[str, Preflight] = {}

    def replace(self, session: str, check: Preflight) -> None:
        with self._lock:
            old, self._checks[session] = self._checks.get(session), check
        if old is not None:
            old.cancel()

    def end(self, session: str, check: Preflight | None = None) -> None:
        """Cancels the session's check (only `check`, when given: a newer one stays)."""
        with self._lock:
            current = self._checks.get(session)
            if current is None or (check is not None and current is not check):
                return
            del self._checks[session]
        current.cancel()

    def running(self) -> int:
        with self._lock:
            return len(self._checks)
