"""Start-up loads only what serving the page needs: the libraries a run uses (the `openai` client,
jsonschema, llama.cpp and the built-in model's server) are imported at their first use, never by
`import app` or by building the page (issue 21: start-up within 1.1x a bare Gradio app). The page
build_app returns is queued with the configured concurrency limit (it queues before the panels, where
Gradio's rebuild of the page's config is cheap)."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
# Each is slow to import and needed only once a visitor runs something that uses it.
RUN_TIME_ONLY = (
    "openai",  # an OpenAI-compatible endpoint's runs (playground.endpoint.openai_stream)
    "jsonschema",  # a "JSON schema" response format (playground.input.response_format, playground.chat.structured)
    "llama_cpp",  # the built-in model's engine
    "playground.local.service",  # the built-in model's server, started at its first run
    "playground.local.server",
    "playground.local.protocol",
    "playground.local.tuning",
)
BUILD_THE_PAGE = """
import json, sys
import app
from playground.config import load_settings
from playground.inference.backend import Backend
from playground.local.resolve import local_model_resolver
settings = load_settings()
demo = app.build_app(settings, Backend(resolve_url=local_model_resolver()), local_default=True, local_installed=True)
loaded = sorted(name for name in {names} if name in sys.modules)
print(json.dumps({{"loaded": loaded, "limit": demo._queue.default_concurrency_limit, "configured": settings.concurrency_limit}}))
"""


@cache
def after_building_the_page() -> dict[str, Any]:
    """In a fresh interpreter that has imported app and built the page: which RUN_TIME_ONLY modules
    it holds, and the queue's concurrency limit against the configured one."""
    code = BUILD_THE_PAGE.format(names=repr(RUN_TIME_ONLY))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_starting_the_app_leaves_openai_jsonschema_and_the_local_model_unloaded() -> None:
    assert after_building_the_page()["loaded"] == []


def test_the_built_page_is_queued_with_the_configured_concurrency_limit() -> None:
    found = after_building_the_page()
    assert found["limit"] == found["configured"] > 1
