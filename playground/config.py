"""Settings read from the environment (and a `.env` file), once, at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from dotenv import load_dotenv

from playground.errors import InvalidModelError
from playground.input.model_ref import check_model_syntax

DEFAULT_ROUTER_URL = "https://router.huggingface.co"
DEFAULT_RETRY_DEADLINE = 300.0
# Seconds a model may stay silent before the run fails: before its first token, or between two.
DEFAULT_FIRST_TOKEN_TIMEOUT = 120.0
# One page update per this many ms at most while streaming (PLAYGROUND_UI_UPDATE_MS); chosen by
# measuring with benchmarks/bench_app_overhead.py, see the README's Benchmarks section.
DEFAULT_UI_UPDATE_MS = 40.0
# Compare panes and Sweep cells in flight at once per visitor session (PLAYGROUND_RUNS_PER_VISITOR),
# and outbound model streams of Compare and Sweep in the whole process (PLAYGROUND_MAX_STREAMS).
DEFAULT_RUNS_PER_VISITOR = 8
DEFAULT_MAX_STREAMS = 64
# Visitor sessions Gradio keeps in memory (PLAYGROUND_MAX_SESSIONS). Gradio drops a session only when
# this cap is passed (the least recently used goes; a closed page's session stays until then), so the
# cap is what bounds their memory. A fresh session costs 0.3 MB (measured for an API call) to 1.3 MB
# (measured for a page; Gradio copies every component's config into it). Sized from the larger: 2,000
# sessions are about 2.6 GB, a sixth of a free Space's 16 GB, leaving the rest to the process (a few
# hundred MB), its runs and downloads. Gradio's own default, 10,000, allows about 13 GB.
DEFAULT_MAX_SESSIONS = 2000
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
    first_token_timeout: float = DEFAULT_FIRST_TOKEN_TIMEOUT
    concurrency_limit: int = 32
    runs_per_visitor: int = DEFAULT_RUNS_PER_VISITOR
    max_streams: int = DEFAULT_MAX_STREAMS
    max_sessions: int = DEFAULT_MAX_SESSIONS
    ui_update_interval: float = DEFAULT_UI_UPDATE_MS / 1000  # seconds between a stream's page updates
    suggested_models: list[tuple[str, str]] = field(default_factory=lambda: [(m, m) for m in SUGGESTED_MODELS])
    default_model: str = SUGGESTED_MODELS[0]
    fallback_models: tuple[str, ...] = ()


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Reads HF_TOKEN, HF_ENDPOINT, HF_ROUTER_URL, SYSTEM and SPACE_ID, PLAYGROUND_MODELS,
    PLAYGROUND_DEFAULT_MODEL, PLAYGROUND_ENDPOINT_ALLOWLIST, PLAYGROUND_RETRY_DEADLINE,
    PLAYGROUND_FIRST_TOKEN_TIMEOUT, PLAYGROUND_CONCURRENCY, PLAYGROUND_RUNS_PER_VISITOR, PLAYGROUND_MAX_STREAMS,
    PLAYGROUND_MAX_SESSIONS, PLAYGROUND_FALLBACK_MODELS and PLAYGROUND_UI_UPDATE_MS. A `.env`
    file fills in what the environment lacks. Changes nothing: `playground.patches.implicit_tokens.isolate_tokens`
    removes the implicit tokens afterwards."""
    if environ is None:
        load_dotenv()
        environ = dict(os.environ)
    models = _split_list(environ.get("PLAYGROUND_MODELS", "")) or list(SUGGESTED_MODELS)
    return Settings(
        hf_token=environ.get("HF_TOKEN") or None,
        hub_endpoint=(environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/"),
        router_url=(environ.get("HF_ROUTER_URL") or DEFAULT_ROUTER_URL).rstrip("/"),
        on_space=is_space(environ),
        endpoint_allowlist=_split_hosts(environ.get("PLAYGROUND_ENDPOINT_ALLOWLIST", "")),
        retry_deadline=_positive_float(environ.get("PLAYGROUND_RETRY_DEADLINE"), DEFAULT_RETRY_DEADLINE),
        first_token_timeout=_positive_float(environ.get("PLAYGROUND_FIRST_TOKEN_TIMEOUT"), DEFAULT_FIRST_TOKEN_TIMEOUT),
        concurrency_limit=int(_positive_float(environ.get("PLAYGROUND_CONCURRENCY"), 32)),
        runs_per_visitor=_positive_int(environ.get("PLAYGROUND_RUNS_PER_VISITOR"), DEFAULT_RUNS_PER_VISITOR),
        max_streams=_positive_int(environ.get("PLAYGROUND_MAX_STREAMS"), DEFAULT_MAX_STREAMS),
        max_sessions=_positive_int(environ.get("PLAYGROUND_MAX_SESSIONS"), DEFAULT_MAX_SESSIONS),
        ui_update_interval=_non_negative_float(environ.get("PLAYGROUND_UI_UPDATE_MS"), DEFAULT_UI_UPDATE_MS) / 1000,
        suggested_models=[(m, m) for m in models],
        default_model=environ.get("PLAYGROUND_DEFAULT_MODEL") or models[0],
        fallback_models=_valid_models(_split_list(environ.get("PLAYGROUND_FALLBACK_MODELS", ""))),
    )


def is_space(environ: dict[str, str]) -> bool:
    """Gradio's rule (gradio.utils.get_space): SYSTEM=spaces and a SPACE_ID. Gradio decides with it
    whether "Sign in with Hugging Face" is real or mocked, so the playground must agree with it."""
    return environ.get("SYSTEM") == "spaces" and bool(environ.get("SPACE_ID"))


def _split_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _valid_models(models: list[str]) -> tuple[str, ...]:
    """Model IDs the "Model" field would accept; a typo in the setting must not become a button that can only fail."""
    valid = []
    for model in models:
        try:
            valid.append(check_model_syntax(model))
        except InvalidModelError:
            continue
    return tuple(valid)


def _split_hosts(text: str) -> frozenset[str]:
    return frozenset(host.strip().lower() for host in text.split(",") if host.strip())


def _positive_float(text: str | None, default: float) -> float:
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if value > 0 else default


def _positive_int(text: str | None, default: int) -> int:
    """A whole number of at least 1, else `default` (a typo must not turn a limit off)."""
    try:
        value = int(text) if text else default
    except ValueError:
        return default
    return value if value >= 1 else default


def _non_negative_float(text: str | None, default: float) -> float:
    """0 is a valid choice here (PLAYGROUND_UI_UPDATE_MS=0: one update per token)."""
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if 0 <= value < float("inf") else default
