"""Compare: two to four panes, "A" to "D", each its own model, provider and mode, all sharing the
form's prompt, system prompt and parameters (the same seed too, so differences come from models).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from playground.errors import InvalidModelError, InvalidParametersError
from playground.input.model_ref import check_model_syntax
from playground.input.request import PROVIDER_CHOICES, GenerationRequest, Mode
from playground.runs.scheduler import Job

PANE_KEYS = ("A", "B", "C", "D")
PANE_COUNTS = (2, 3, 4)
DEFAULT_PANES = 2


@dataclass(frozen=True)
class Pane:
    key: str
    model: str
    provider: str
    mode: Mode


def pane_count(value: Any) -> int:
    """The "Panes" choice as a number. Raises InvalidParametersError for anything but 2, 3 or 4."""
    try:
        count = int(value)
    except (TypeError, ValueError, OverflowError):
        count = 0
    if count not in PANE_COUNTS or isinstance(value, bool):
        raise InvalidParametersError(f"Panes: must be {', '.join(map(str, PANE_COUNTS[:-1]))} or {PANE_COUNTS[-1]}")
    return count


def parse_pane(key: str, model: Any, provider: Any, mode: Any) -> Pane:
    """One pane's controls, checked like the playground's; messages name "Model A", "Provider A"..."""
    if not isinstance(model, str):
        raise InvalidParametersError(f"Model {key}: must be text")
    try:
        model_id = check_model_syntax(model)
    except InvalidModelError as error:
        raise InvalidParametersError(f"Model {key}: {error.detail}") from None
    if provider not in PROVIDER_CHOICES:
        raise InvalidParametersError(f"Provider {key}: not a provider huggingface_hub knows")
    try:
        pane_mode = Mode(mode)
    except ValueError:
        raise InvalidParametersError(f"Mode {key}: must be {Mode.COMPLETION.value} or {Mode.CHAT.value}") from None
    return Pane(key, model_id, str(provider), pane_mode)


def compare_jobs(base: GenerationRequest, panes: Sequence[Pane]) -> list[Job]:
    """One job per pane: `base` (prompt, system prompt, parameters with a concrete seed) with the
    pane's model, provider and mode."""
    params = base.params.with_resolved_seed()
    return [Job(p.key, base.for_model(p.model, provider=p.provider, mode=p.mode, params=params)) for p in panes]
