"""Runs the local model's server inside the app's process: no second command to start.

`start()` binds a free loopback port, serves it from a uvicorn daemon thread and loads the weights
in another thread, then returns the URL at once. Requests that arrive before the weights are in get
503 "currently loading" with `estimated_time`, the same answer a cold hosted model gives, so the app
shows the same retry panel for both.

    service = shared_service()
    url = service.start()            # "http://127.0.0.1:<port>"; idempotent, thread-safe
    InferenceClient(model=url).text_generation("Once upon a time", max_new_tokens=20, stream=True)

Raises LocalModelUnavailable from `start()` when llama-cpp-python or the weights are not installed.
"""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
from pathlib import Path

import uvicorn

from playground.local.engine import LocalEngine
from playground.local.server import ModelState, create_app
from playground.local.setup import find_model_path, require_llama_cpp
from playground.local.tuning import Tuner

_STARTUP_TIMEOUT_S = 10.0
# Loading is mostly reading the file: a generous guess of the disk's speed, plus a fixed cost.
_LOAD_BYTES_PER_S = 200e6
_LOAD_FIXED_S = 0.5
_CALIBRATION_S = 1.0  # the first load's calibration: a few tokens per thread count, in this process
_log = logging.getLogger(__name__)


class LocalModelService:
    """The server for one model file. `load_gate`, when given, holds the loading state open until
    set: tests use it to see the 503 deterministically."""

    def __init__(self, model_path: Path | None = None, load_gate: threading.Event | None = None, rng: random.Random | None = None,
                 tuner: Tuner | None = None) -> None:
        self._model_path = model_path
        self._tuner = tuner or Tuner()
        self._load_gate = load_gate
        self._rng = rng
        self._lock = threading.Lock()
        self._url: str | None = None
        self._state: ModelState | None = None
        self._server: uvicorn.Server | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    @property
    def url(self) -> str | None:
        """The base URL once started, else None."""
        return self._url

    def start(self) -> str:
        """Starts serving (once) and returns the base URL. Raises LocalModelUnavailable."""
        with self._lock:
            if self._url is None:
                self._url = self._start()
            return self._url

    def wait_until_ready(self, timeout: float) -> bool:
        """True once the weights are loaded; False if loading failed or is still going after `timeout`."""
        deadline = time.monotonic() + timeout
        while self._state is not None and self._state.failure is None and time.monotonic() < deadline:
            if self._state.engine is not None:
                return True
            time.sleep(0.02)
        return self._state is not None and self._state.engine is not None

    def stop(self) -> None:
        """Stops the server and frees the model; `start()` may be called again afterwards."""
        with self._lock:
            self._stopping.set()
            if self._server is not None:
                self._server.should_exit = True
            if self._load_gate is not None:
                self._load_gate.set()  # the loader sees _stopping and returns without loading
            for thread in self._threads:
                thread.join(timeout=5)
            if self._state is not None and self._state.engine is not None:
                _close_when_idle(self._state.engine)
            self._url, self._state, self._server, self._threads = None, None, None, []
            self._stopping = threading.Event()

    def _start(self) -> str:
        require_llama_cpp()
        path = self._model_path or find_model_path()
        calibration_s = _CALIBRATION_S if self._tuner.choice is None else 0.0
        self._state = ModelState(expected_load_s=_LOAD_FIXED_S + calibration_s + path.stat().st_size / _LOAD_BYTES_PER_S)
        sock = _loopback_socket()
        config = uvicorn.Config(
            create_app(self._state, self._rng), log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._threads = [
            threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True, name="local-model-server"),
            threading.Thread(target=self._load, args=(path, self._state), daemon=True, name="local-model-loader"),
        ]
        for thread in self._threads:
            thread.start()
        self._wait_for_server()
        host, port = sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def _wait_for_server(self) -> None:
        deadline = time.monotonic() + _STARTUP_TIMEOUT_S
        while self._server is not None and not self._server.started:
            if time.monotonic() > deadline or not self._threads[0].is_alive():
                raise RuntimeError("the local model's server did not start")
            time.sleep(0.01)

    def _load(self, path: Path, state: ModelState) -> None:
        stopping = self._stopping  # stop() replaces it once it has waited for this thread
        if self._load_gate is not None:
            self._load_gate.wait()
        if stopping.is_set():
            return
        try:
            engine = LocalEngine(path, threads=self._tuner.prepare())
            if stopping.is_set():  # stopped while loading: keep nothing nobody will close
                engine.close()
                return
            self._tuner.calibrate(engine)
            state.engine = engine
        except Exception as error:  # any load failure must reach the user as an answer, not a dead thread
            _log.exception("loading the local model failed")
            state.failure = f"{type(error).__name__}: {error}"


def _close_when_idle(engine: LocalEngine) -> None:
    """Frees the weights once no request is inside llama.cpp (closing under one would crash)."""
    turn = engine.try_turn(wait_s=_STARTUP_TIMEOUT_S)
    engine.close()
    if turn is not None:
        turn.release()


def _loopback_socket() -> socket.socket:
    """Bound and listening here, so the port is known and taken before the server thread runs."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # proto set: asyncio then turns on TCP_NODELAY for accepted connections
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


_shared: LocalModelService | None = None
_shared_lock = threading.Lock()


def shared_service() -> LocalModelService:
    """The process's one service for the built-in model (not started until `start()`).

    One per process on purpose: a second copy would load the weights twice and break the
    one-request-at-a-time rule that keeps llama.cpp safe.
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = LocalModelService()
        return _shared
