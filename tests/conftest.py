"""Shared fixtures: the local protocol server, with huggingface_hub pointed at it.

Tests never reach the real Hugging Face API: the Hub API base (`HF_ENDPOINT`) and the router base
(`HF_ROUTER_URL`, installed by `playground.router`) both point at a server on 127.0.0.1.
"""

from __future__ import annotations

import os
import threading

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.pop("HF_TOKEN", None)  # a developer's own token must never reach a test

import pytest  # noqa: E402
from huggingface_hub import constants as hf_constants  # noqa: E402
from huggingface_hub.inference import _common as inference_common  # noqa: E402
from huggingface_hub.inference._providers import _common as providers_common  # noqa: E402
from huggingface_hub.inference._providers import hf_inference  # noqa: E402

from playground.router import install_router  # noqa: E402
from tests.protocol_server import ProtocolServer  # noqa: E402

TEST_TOKEN = "hf_test_token"


class FakeClock:
    """Time that passes only when slept; records each sleep so tests can check the waits."""

    def __init__(self) -> None:
        self.time = 1000.0
        self.sleeps: list[float] = []
        self.on_sleep = lambda: None

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float, cancel: threading.Event) -> bool:
        self.sleeps.append(seconds)
        self.time += seconds
        self.on_sleep()
        return cancel.is_set()


def forget_client_caches() -> None:
    """huggingface_hub caches provider mappings, task checks and refused parameters per process."""
    providers_common._fetch_inference_provider_mapping.cache_clear()
    hf_inference._check_supported_task.cache_clear()
    inference_common._UNSUPPORTED_TEXT_GENERATION_KWARGS.clear()


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
    return protocol_server_session


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def local_service():
    """The built-in local model's server (real llama.cpp), shared by the app tests."""
    from playground.local.service import LocalModelService

    service = LocalModelService()
    yield service
    service.stop()


def test_facts(model: str, provider: str, token: str | None):
    """Router facts of the protocol server's chat models, as the app's lookup returns them: a
    JSON-capable model with a price, and a model with a small context."""
    from playground.chat.facts import ModelFacts
    from playground.chat.usage import Price

    facts = {
        "test/json-model": ModelFacts(context_length=4096, price=Price(1.0, 2.0), supports_structured_output=True),
        "test/chat-model": ModelFacts(context_length=4096, price=Price(0.5, 1.5), supports_structured_output=False),
        "test/short-context": ModelFacts(context_length=120, supports_structured_output=False),
    }
    return facts.get(model)


def _launch_app(server: ProtocolServer, service, token: str | None, local_default: bool):
    """The playground in this process on 127.0.0.1, talking to the protocol server (and the local model)."""
    from app import LAUNCH_OPTIONS, build_app
    from playground.backend import Backend
    from playground.config import Settings
    from playground.local.resolve import local_model_resolver
    from playground.retry import RetryPolicy

    url = server.url
    hf_constants.ENDPOINT = url
    install_router(url)
    settings = Settings(
        hf_token=token, hub_endpoint=url, router_url=url, retry_deadline=30,
        suggested_models=[("test/tiny-gpt", "test/tiny-gpt"), ("test/chat-model", "test/chat-model")],
        default_model="test/tiny-gpt",
    )
    backend = Backend(policy=RetryPolicy(deadline=30, first_delay=0.2), resolve_url=local_model_resolver(service))
    demo = build_app(settings, backend, local_default=local_default, facts=test_facts)
    demo.queue(default_concurrency_limit=settings.concurrency_limit)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **LAUNCH_OPTIONS)
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
