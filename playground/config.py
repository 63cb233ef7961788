"""Settings read from the environment (and a `.env` file), once, at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from dotenv import load_dotenv

from playground.router import DEFAULT_ROUTER_URL

DEFAULT_RETRY_DEADLINE = 300.0
# Measured with benchmarks/bench_app_overhead.py (see the README's Benchmarks section).
DEFAULT_UI_UPDATE_MS = 40.0
SUGGESTED_MODELS = (
    "meta-llama/Llama-3.1-8B-Instruct",
    "Qwen/Qwen2.5-7B-Instruct",
    "HuggingFaceTB/SmolLM3-3B",
    "mistralai/Mistral-7B-Instruct-v0.3",
    "openai/gpt-oss-20b",
)


@dataclass(frozen=True)
class Settings:
    """`hf_token` is the server's own token: used only when the app is not a public Space (see tokens)."""

    hf_token: str | None = field(default=None, repr=False)
    hub_endpoint: str = "https://huggingface.co"
    router_url: str = DEFAULT_ROUTER_URL
    on_space: bool = False
    endpoint_allowlist: frozenset[str] = frozenset()
    retry_deadline: float = DEFAULT_RETRY_DEADLINE
    concurrency_limit: int = 32
    ui_update_interval: float = DEFAULT_UI_UPDATE_MS / 1000  # seconds between a stream's page updates
    suggested_models: list[tuple[str, str]] = field(default_factory=lambda: [(m, m) for m in SUGGESTED_MODELS])
    default_model: str = SUGGESTED_MODELS[0]


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Reads HF_TOKEN, HF_ENDPOINT, HF_ROUTER_URL, SPACE_ID, PLAYGROUND_ENDPOINT_ALLOWLIST,
    PLAYGROUND_RETRY_DEADLINE and PLAYGROUND_UI_UPDATE_MS. A `.env` file fills in what the
    environment lacks."""
    if environ is None:
        load_dotenv()
        environ = dict(os.environ)
        if environ.get("SPACE_ID"):
            # On a Space HF_TOKEN is the owner's: huggingface_hub would otherwise attach it to any
            # request made without a token, i.e. to visitors' requests.
            os.environ.pop("HF_TOKEN", None)
    models = _split_list(environ.get("PLAYGROUND_MODELS", "")) or list(SUGGESTED_MODELS)
    return Settings(
        hf_token=environ.get("HF_TOKEN") or None,
        hub_endpoint=(environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/"),
        router_url=(environ.get("HF_ROUTER_URL") or DEFAULT_ROUTER_URL).rstrip("/"),
        on_space=bool(environ.get("SPACE_ID")),
        endpoint_allowlist=_split_hosts(environ.get("PLAYGROUND_ENDPOINT_ALLOWLIST", "")),
        retry_deadline=_positive_float(environ.get("PLAYGROUND_RETRY_DEADLINE"), DEFAULT_RETRY_DEADLINE),
        concurrency_limit=int(_positive_float(environ.get("PLAYGROUND_CONCURRENCY"), 32)),
        ui_update_interval=_non_negative_float(environ.get("PLAYGROUND_UI_UPDATE_MS"), DEFAULT_UI_UPDATE_MS) / 1000,
        suggested_models=[(m, m) for m in models],
        default_model=environ.get("PLAYGROUND_DEFAULT_MODEL") or models[0],
    )


def _split_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _split_hosts(text: str) -> frozenset[str]:
    return frozenset(host.strip().lower() for host in text.split(",") if host.strip())


def _positive_float(text: str | None, default: float) -> float:
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if value > 0 else default


def _non_negative_float(text: str | None, default: float) -> float:
    """0 is a valid choice here (PLAYGROUND_UI_UPDATE_MS=0: one update per token)."""
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if 0 <= value < float("inf") else default
