"""Shared fixtures: the local protocol server, with huggingface_hub pointed at it.

Tests never reach the real Hugging Face API: the Hub API base (`HF_ENDPOINT`) and the router base
(`HF_ROUTER_URL`, installed by `playground.hf.router`) both point at a server on 127.0.0.1.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.pop("HF_TOKEN", None)  # a developer's own token must never reach a test

import pytest  # noqa: E402
from huggingface_hub import constants as hf_constants  # noqa: E402
from huggingface_hub.inference import _common as inference_common  # noqa: E402
from huggingface_hub.inference._providers import _common as providers_common  # noqa: E402
from huggingface_hub.inference._providers import hf_inference  # noqa: E402

from playground.endpoint.discovery import forget_servers  # noqa: E402
from playground.hf.router import install_router  # noqa: E402
from playground.inference.clock import NOTHING  # noqa: E402
from tests.protocol_server import ProtocolServer  # noqa: E402

TEST_TOKEN = "hf_test_token"


class FakeClock:
    """Time that passes only when slept; records each sleep so tests can check the waits."""

    def __init__(self) -> None:
        self.time = 1000.0
        self.sleeps: list[float] = []
        self.on_sleep = lambda: None
        # Whether the model is known to be silent now (a test reads it from the protocol server):
        # only then does waiting for the stream make fake time pass, so a token that is merely late
        # on a loaded machine never becomes a timeout.
        self.silent: Callable[[], bool] = lambda: False

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float, cancel: threading.Event) -> bool:
        self.sleeps.append(seconds)
        self.time += seconds
        self.on_sleep()
        return cancel.is_set()

    def take(self, items: queue.Queue, seconds: float) -> object:
        """The stream's next item; NOTHING, with `seconds` passed, once `silent()` holds (or after
        30 s of real time, so a test whose model never goes quiet fails instead of hanging)."""
        give_up = time.monotonic() + 30
        while True:
            try:
                return items.get(timeout=0.02)
            except queue.Empty:
                if self.silent() or time.monotonic() > give_up:
                    self.time += seconds
                    return NOTHING


def forget_client_caches() -> None:
    """huggingface_hub caches provider mappings, task checks and refused parameters per process."""
    providers_common._fetch_inference_provider_mapping.cache_clear()
    hf_inference._check_supported_task.cache_clear()
    inference_common._UNSUPPORTED_TEXT_GENERATION_KWARGS.clear()


# The longest files first (measured with --durations), then the rest of each folder: .ci/run's two
# workers take files in this order, so a long file never starts last and runs alone at the end.
LONGEST_FIRST = (
    "tests/app/test_fuzz_api.py", "tests/browser/test_browser_presenter.py", "tests/browser/test_browser_stage.py",
    "tests/browser/test_browser_arena.py", "tests/browser/test_browser_chat.py", "tests/browser/", "tests/app/",
    "tests/backend/",
)  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next((index for index, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)), len(LONGEST_FIRST))

    items.sort(key=rank)  # stable: within a rank, the collection order stays


@pytest.fixture(scope="session")
def protocol_server_session() -> ProtocolServer:
    server = ProtocolServer().start()
    yield server
    server.stop()


@pytest.fixture
def server(protocol_server_session: ProtocolServer) -> ProtocolServer:
    """The protocol server, reset, with huggingface_hub's Hub and router traffic sent to it."""
    protocol_server_session.reset()
    hf_constants.ENDPOINT = protocol_server_session.url
    install_router(protocol_server_session.url)
    forget_client_caches()
    forget_servers()  # what each endpoint URL speaks: asked anew in every test
    return protocol_server_session


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    """Polls `condition` until it holds or `seconds` pass (a bound for failing, not a speed check)."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fixed_configuration_service(**kwargs: Any):
    """The built-in model's service in a fixed configuration (the CPUs this process may use, passive
    waiting): tests of what the model answers must not depend on a calibration, nor meet the engine
    busy re-measuring itself on a loaded machine. tests/backend/test_local_calibration.py tests that."""
    from playground.local.service import LocalModelService
    from playground.local.setup import thread_count
    from playground.local.tuning import Tuner

    # OpenMP reads the real environment once, when llama.cpp first loads in this process.
    policy = os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    fixed = {"LOCAL_MODEL_THREADS": str(thread_count()), "OMP_WAIT_POLICY": policy}
    return LocalModelService(tuner=Tuner(environ=fixed), **kwargs)


@contextmanager
def running_local_model() -> Iterator[Any]:
    """The built-in model's service in its fixed test configuration, started and ready; stopped after."""
    service = fixed_configuration_service()
    service.start()
    assert service.wait_until_ready(timeout=60), "the local model did not load"
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture(scope="session")
def local_service():
    """The built-in local model's server (real llama.cpp), shared by the app tests."""
    service = fixed_configuration_service()
    yield service
    service.stop()


def _launch_app(server: ProtocolServer, service, token: str | None, local_default: bool):
    """The playground in this process on 127.0.0.1, talking to the protocol server (and the local model)."""
    from gradio.blocks import Blocks, BlocksConfig

    from app import LAUNCH_OPTIONS, app_kwargs, build_app
    from playground.config import Settings
    from playground.inference.backend import Backend
    from playground.inference.retry import RetryPolicy
    from playground.local.resolve import local_model_resolver
    from playground.patches.lean_config import lean_page_config

    url = server.url
    hf_constants.ENDPOINT = url
    install_router(url)
    lean_page_config(Blocks, BlocksConfig)  # the page's config as main() serves it
    settings = Settings(
        hf_token=token, hub_endpoint=url, router_url=url, retry_deadline=30,
        suggested_models=[("test/tiny-gpt", "test/tiny-gpt"), ("test/chat-model", "test/chat-model")],
        default_model="test/tiny-gpt",
        fallback_models=("test/no-such-model", "test/tiny-gpt"),  # the first is skipped when it is the failing model
    )
    backend = Backend(policy=RetryPolicy(deadline=30, first_delay=0.2), resolve_url=local_model_resolver(service))
    demo = build_app(settings, backend, local_default=local_default)
    demo.queue(default_concurrency_limit=settings.concurrency_limit)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, app_kwargs=app_kwargs(), **LAUNCH_OPTIONS)
    return demo, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="session")
def app_url(protocol_server_session: ProtocolServer, local_service) -> str:
    """The playground with a server-side token (as when HF_TOKEN is set): a hosted model is the default."""
    demo, url = _launch_app(protocol_server_session, local_service, TEST_TOKEN, local_default=False)
    yield url
    demo.close()


@pytest.fixture(scope="session")
def tokenless_app_url(protocol_server_session: ProtocolServer, local_service) -> str:
    """The playground as a first-time user gets it: no token, so the built-in local model."""
    demo, url = _launch_app(protocol_server_session, local_service, None, local_default=True)
    yield url
    demo.close()


@pytest.fixture
def page(browser, app_url: str, server: ProtocolServer):
    """The playground (server-side token) in a fresh browser profile, form ready."""
    from tests.browser_page import open_page

    context, page = open_page(browser, app_url)
    yield page
    context.close()


@pytest.fixture
def fresh_page(browser, tokenless_app_url: str, server: ProtocolServer):
    """The playground as a first-time user gets it (no token), in a fresh browser profile."""
    from tests.browser_page import open_page

    context, page = open_page(browser, tokenless_app_url)
    yield page
    context.close()


@dataclass(frozen=True)
class AppProcess:
    """The playground running in its own process (tests.app_process): its URL, RSS and log."""

    url: str
    process: subprocess.Popen
    log: Path

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS for the app process")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="session")
def space_app_process(protocol_server_session: ProtocolServer, tmp_path_factory: pytest.TempPathFactory) -> AppProcess:
    """The playground as on a Space, in a subprocess whose stdout and stderr go to a log file."""
    import httpx

    port = free_port()
    log = tmp_path_factory.mktemp("app-process") / "app.log"
    # Gradio's local stand-in for "Sign in with Hugging Face" needs some token and asks whoami
    # (the protocol server answers); the app itself, as on a Space, never uses it for a visitor.
    env = {**os.environ, "HF_ENDPOINT": protocol_server_session.url, "PYTHONUNBUFFERED": "1", "HF_TOKEN": "hf_oauth_mock_only"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.app_process", "--port", str(port), "--upstream", protocol_server_session.url],
            cwd=Path(__file__).resolve().parent.parent, stdout=out, stderr=subprocess.STDOUT, env=env,
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the app process did not start:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    yield AppProcess(url, process, log)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


# ---- tokens and addresses (issue 7, B.4 and B.5) ---------------------------------------------

CANARY_HF_TOKEN = "hf_canaryFromHfTokenVariable"
CANARY_TOKEN_FILE = "hf_canaryFromTheHfHomeTokenFile"
CANARY_LEGACY_VARIABLE = "hf_canaryFromHuggingFaceHubToken"
CANARIES = (CANARY_HF_TOKEN, CANARY_TOKEN_FILE, CANARY_LEGACY_VARIABLE)
SPACE_ENVIRONMENT = {
    # What a Space sets, as Gradio reads it (gradio.utils.get_space, gradio.oauth).
    "SYSTEM": "spaces", "SPACE_ID": "someone/inference-playground", "SPACE_HOST": "someone-inference-playground.hf.space",
    "OAUTH_CLIENT_ID": "test-client-id", "OAUTH_CLIENT_SECRET": "test-client-secret",
    "OAUTH_SCOPES": "openid profile inference-api", "OPENID_PROVIDER_URL": "http://127.0.0.1:9",
}


@pytest.fixture
def canary_tokens(monkeypatch: pytest.MonkeyPatch, tmp_path) -> tuple[str, ...]:
    """A token wherever huggingface_hub looks for one by itself: HF_TOKEN, HUGGING_FACE_HUB_TOKEN
    and HF_HOME/token. huggingface_hub read HF_HOME at import, so its token path is patched too.
    Whatever `isolate_tokens` changes is put back after the test."""
    (tmp_path / "token").write_text(CANARY_TOKEN_FILE)
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    monkeypatch.setenv("HF_TOKEN", CANARY_HF_TOKEN)
    monkeypatch.setenv("HUGGING_FACE_HUB_TOKEN", CANARY_LEGACY_VARIABLE)
    monkeypatch.delenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", raising=False)
    for name in ("HF_OIDC_RESOURCE", "HF_OIDC_ID_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(hf_constants, "HF_TOKEN_PATH", str(tmp_path / "token"))
    monkeypatch.setattr(hf_constants, "HF_HUB_DISABLE_IMPLICIT_TOKEN", False)
    from huggingface_hub import get_token

    assert get_token() == CANARY_HF_TOKEN  # the canaries are where huggingface_hub looks
    return CANARIES


@pytest.fixture
def no_foreign_connections(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Fails any attempt to connect anywhere but loopback, before a packet leaves; returns the
    attempts (also recorded, in case a library swallows the AssertionError)."""
    import ipaddress
    import socket

    attempts: list[object] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def loopback_only(address: object) -> None:
        host = address[0] if isinstance(address, tuple) else None
        try:
            allowed = host is not None and ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            allowed = host == "localhost"
        if not allowed:
            attempts.append(address)
            raise AssertionError(f"a test tried to connect to {address!r}")

    def connect(sock: socket.socket, address: object) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            loopback_only(address)
        return real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: object) -> int:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            loopback_only(address)
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    return attempts


def launch_from_environment(environ: dict[str, str], service, local_installed: bool = True):
    """The playground started as main() starts it, from `environ` (Space variables included), on
    127.0.0.1. Gradio reads the Space variables from os.environ (and OAuth's at import), so they are
    set while the app is built and launched. Returns (demo, url, settings)."""
    import gradio.http_server
    import gradio.oauth
    from gradio.blocks import Blocks, BlocksConfig

    from app import LAUNCH_OPTIONS, build_app, start_options
    from playground.config import load_settings
    from playground.inference.backend import Backend
    from playground.inference.retry import RetryPolicy
    from playground.local.resolve import local_model_resolver
    from playground.startup import install_patches

    settings = load_settings(environ)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environ.items():
            patch.setenv(name, value)
            if name.startswith(("OAUTH_", "OPENID_")):
                patch.setattr(gradio.oauth, name, value)
        # On a Space Gradio serves through its hot-reload watcher, which needs the `spaces` package
        # (Spaces' own infrastructure, not installed here and not under test): serve without it.
        patch.setattr(gradio.http_server, "get_space", lambda: None)
        hf_constants.ENDPOINT = settings.hub_endpoint
        install_patches(settings, blocks_classes=(Blocks, BlocksConfig))  # the page's config as main() serves it
        backend = Backend(policy=RetryPolicy(deadline=30, first_delay=0.2), resolve_url=local_model_resolver(service),
                          on_space=settings.on_space, endpoint_allowlist=settings.endpoint_allowlist)
        demo = build_app(settings, backend, **start_options(settings, local_installed, offline=False))
        demo.queue(default_concurrency_limit=settings.concurrency_limit)
        port = free_port()
        demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **LAUNCH_OPTIONS)
    return demo, f"http://127.0.0.1:{port}/", settings


@pytest.fixture(scope="session")
def space_app(protocol_server_session: ProtocolServer, local_service):
    """The playground as a Space runs it: Space variables, the owner's HF_TOKEN secret set (a canary),
    requirements.txt only (no built-in model), the protocol server allow-listed. Yields (url, settings)."""
    url = protocol_server_session.url
    environ = {**SPACE_ENVIRONMENT, "HF_TOKEN": CANARY_HF_TOKEN, "HF_ENDPOINT": url, "HF_ROUTER_URL": url,
               "PLAYGROUND_MODELS": "test/tiny-gpt,test/chat-model", "PLAYGROUND_ENDPOINT_ALLOWLIST": "127.0.0.1"}
    demo, app_url, settings = launch_from_environment(environ, local_service, local_installed=False)
    yield app_url, settings
    demo.close()


@pytest.fixture(scope="session")
def server_token_app(protocol_server_session: ProtocolServer, local_service):
    """The playground run locally with the server's HF_TOKEN set (a canary). Yields (url, settings)."""
    url = protocol_server_session.url
    environ = {"HF_TOKEN": CANARY_HF_TOKEN, "HF_ENDPOINT": url, "HF_ROUTER_URL": url, "PLAYGROUND_MODELS": "test/tiny-gpt,test/chat-model"}
    demo, app_url, settings = launch_from_environment(environ, local_service)
    yield app_url, settings
    demo.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync"]
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=flags, headless=True)
        yield chromium
        chromium.close()
