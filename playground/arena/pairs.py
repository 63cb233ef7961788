"""The contenders of an arena, the pair drawn for a round, and keeping their names off the page.

A contender is a model (anything "Model" accepts: a Hub ID, an endpoint URL, the built-in model)
with its provider and mode. The mode may be left open, so it follows the model as in Compare (the
Hub's suggestion, else the form's Mode). Two contenders may share a model on different providers:
the leaderboard tells them apart by `label`.

Blindness: until the vote, everything a pane shows goes through `redact`, which replaces every
contender's name (model ID, its short name, an endpoint's host, a named provider) with neutral words,
so a server's error text ("Model org/x does not exist") can't give a contender away.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from playground.errors import InvalidModelError, InvalidParametersError
from playground.input.model_ref import check_model_syntax, is_endpoint_url
from playground.input.request import DEFAULT_PROVIDER, PROVIDER_CHOICES, Mode
from playground.local import LOCAL_MODEL_NAME

MAX_CONTENDERS = 12
NEUTRAL = "the model"
_MIN_SHORT_NAME = 3  # shorter parts of a name ("gpt") are still redacted; shorter than this would hit ordinary words


@dataclass(frozen=True)
class Contender:
    model: str
    provider: str = DEFAULT_PROVIDER
    mode: Mode | None = None  # None: follows the model

    @property
    def label(self) -> str:
        """How the leaderboard and the reveal name it: the model, with its provider unless auto."""
        return contender_label(self.model, self.provider)


def contender_label(model: str, provider: str) -> str:
    return model if provider == DEFAULT_PROVIDER else f"{model} ({provider})"


def parse_contenders(rows: Any) -> tuple[Contender, ...]:
    """The "Contenders" table (rows of Model, Provider, Mode; blank rows skipped). Raises
    InvalidParametersError naming the row at fault, or when fewer than two different contenders remain."""
    contenders: list[Contender] = []
    for number, row in enumerate(_rows(rows), start=1):
        cells = [_cell(value) for value in (list(row) + ["", "", ""])[:3]]
        if not any(cells):
            continue
        contender = parse_contender(number, *cells)
        if contender.label not in {c.label for c in contenders}:
            contenders.append(contender)
    if len(contenders) < 2:
        raise InvalidParametersError("Contenders: enter at least two different models, one per row")
    if len(contenders) > MAX_CONTENDERS:
        raise InvalidParametersError(f"Contenders: at most {MAX_CONTENDERS} rows")
    return tuple(contenders)


def parse_contender(number: int, model: str, provider: str, mode: str) -> Contender:
    """One row, checked like "Model", "Provider" and "Mode". Raises InvalidParametersError."""
    if not model:
        raise InvalidParametersError(f"Contenders, row {number}: Model is empty")
    try:
        model_id = check_model_syntax(model)
    except InvalidModelError as error:
        raise InvalidParametersError(f"Contenders, row {number}: {error.detail}") from None
    provider = provider or DEFAULT_PROVIDER
    if provider not in PROVIDER_CHOICES:
        raise InvalidParametersError(f"Contenders, row {number}: {provider[:40]!r} is not a provider huggingface_hub knows")
    return Contender(model_id, provider, _mode(number, mode))


def _mode(number: int, text: str) -> Mode | None:
    if not text:
        return None
    for mode in Mode:
        if text.lower() == mode.value.lower():
            return mode
    raise InvalidParametersError(f"Contenders, row {number}: Mode must be {Mode.CHAT.value}, {Mode.COMPLETION.value} or empty")


def _rows(rows: Any) -> list[Sequence[Any]]:
    if isinstance(rows, dict):  # Gradio's Dataframe payload, when it arrives unprocessed
        rows = rows.get("data", [])
    if not isinstance(rows, list | tuple):
        raise InvalidParametersError("Contenders: must be a table of Model, Provider, Mode")
    return [row if isinstance(row, list | tuple) else [row] for row in rows[: MAX_CONTENDERS * 4]]


def _cell(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def contender_rows(contenders: Iterable[Contender]) -> list[list[str]]:
    """The table's value for these contenders (a share link opening them)."""
    return [[c.model, c.provider, c.mode.value if c.mode else ""] for c in contenders]


def draw_pair(contenders: Sequence[Contender], rng: random.Random | None = None) -> tuple[Contender, Contender]:
    """Two different contenders, uniformly over pairs, each side equally likely to be "A"."""
    if len(contenders) < 2:
        raise InvalidParametersError("Contenders: enter at least two different models, one per row")
    first, second = (rng or random.SystemRandom()).sample(range(len(contenders)), 2)
    return contenders[first], contenders[second]


def names_of(contenders: Iterable[Contender]) -> list[str]:
    """Every string that would name one of `contenders` in a message: longest first."""
    names: set[str] = set()
    for contender in contenders:
        names.add(contender.model)
        if is_endpoint_url(contender.model):
            parts = urlsplit(contender.model)
            names |= {parts.netloc, parts.hostname or ""}
        else:
            names |= set(contender.model.split("/", 1)[-1:])
        if contender.provider != DEFAULT_PROVIDER:
            names.add(contender.provider)
        if contender.model == LOCAL_MODEL_NAME:  # its own error ("The built-in model isn't installed here") names it
            names.add("built-in model")
    return sorted((name for name in names if len(name) >= _MIN_SHORT_NAME), key=len, reverse=True)


def redact(text: str, names: Sequence[str]) -> str:
    """`text` with every name in `names` replaced by neutral words (case-insensitive)."""
    if not text or not names:
        return text
    variants = sorted({*names, *(html.escape(name) for name in names)}, key=len, reverse=True)  # pane cards are HTML
    pattern = re.compile("|".join(re.escape(name) for name in variants), re.IGNORECASE)
    return pattern.sub(NEUTRAL, text)
