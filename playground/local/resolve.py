"""How the backend finds the built-in model: its name in the "Model" field becomes its server's URL."""

from __future__ import annotations

from collections.abc import Callable

from playground.errors import LocalModelMissingError
from playground.local import LOCAL_MODEL_NAME
from playground.local.service import LocalModelService
from playground.local.setup import LocalModelUnavailable


def local_model_resolver(service: LocalModelService) -> Callable[[str], str | None]:
    """For `Backend.resolve_url`: starts the local server on first use (no second command)."""

    def resolve(model: str) -> str | None:
        if model != LOCAL_MODEL_NAME:
            return None
        try:
            return service.start()
        except LocalModelUnavailable as error:
            raise LocalModelMissingError(str(error)) from error

    return resolve
