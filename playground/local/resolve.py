"""How the backend finds the built-in model: its name in the "Model" field becomes its server's URL;
and the note beside "Model" that says where it runs and in which configuration."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING

from playground.errors import LocalModelMissingError
from playground.local import LOCAL_MODEL_NAME
from playground.local.setup import LocalModelUnavailable

if TYPE_CHECKING:
    from playground.local.service import LocalModelService


def local_model_resolver(service: LocalModelService | None = None) -> Callable[[str], str | None]:
    """For `Backend.resolve_url`: starts the local server on first use (no second command).
    Without `service`, the process's shared one (`playground.local.service.shared_service`)."""

    def resolve(model: str) -> str | None:
        if model != LOCAL_MODEL_NAME:
            return None
        try:
            return (service if service is not None else _shared()).start()
        except LocalModelUnavailable as error:
            raise LocalModelMissingError(str(error)) from error

    return resolve


def _shared() -> LocalModelService:
    # Imported at the built-in model's first run: the server (uvicorn, starlette, its pydantic
    # request models, the tuner) is not needed to serve the page, and most starts never use it.
    from playground.local.service import shared_service

    return shared_service()


RUNS_HERE = "Runs on this machine (llama.cpp)"


def local_model_note(resolve: Callable[[str], str | None], timeout_s: float = 2.0) -> str:
    """The built-in model's note: the configuration its calibration chose (threads and OpenMP wait,
    with the speeds measured), as its own server's /info reports it. Starts the model if need be."""
    try:
        url = resolve(LOCAL_MODEL_NAME)
        # Our own server on loopback (the URL comes from the service, never from a visitor).
        with urllib.request.urlopen(f"{url}/info", timeout=timeout_s) as answer:  # noqa: S310
            info = json.load(answer)
    except (LocalModelMissingError, OSError, ValueError):
        return RUNS_HERE
    if info.get("status") == "failed":
        return f"{RUNS_HERE} · could not load"
    configuration = info.get("configuration")
    return f"{RUNS_HERE} · {configuration}" if configuration else f"{RUNS_HERE} · loading, and measuring its fastest configuration"
