"""How the backend finds the built-in model: its name in the "Model" field becomes its server's URL."""

from __future__ import annotations

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
