"""Generation parameters, declared once.

Bounds, defaults and help text live here only: the UI builds its sliders from these fields and the
backend validates every request against them, so a value sent straight to Gradio's HTTP API is
checked exactly like one set with a slider.
"""

from __future__ import annotations

import random
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

SEED_MAX = 2**32 - 1
MAX_STOP_SEQUENCES = 4


def sendable_text(value: Any) -> Any:
    """A pydantic before-validator: refuses text that cannot be sent as UTF-8 (a lone surrogate such
    as "\\ud800") in words, where pydantic would say "unable to parse raw data as a unicode string"."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("holds a character that is not valid Unicode (a lone surrogate); remove it") from None
    return value


class GenerationParams(BaseModel):
    """What the user tunes. `seed=None` asks for a random seed, chosen by `with_resolved_seed`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    temperature: float = Field(
        0.7, title="Temperature", ge=0.0, le=2.0, description="Higher is more varied; 0 always picks the likeliest token."
    )
    max_new_tokens: int = Field(256, title="Max new tokens", ge=1, le=4096, description="Upper bound on the answer's length.")
    seed: int | None = Field(None, title="Seed", ge=0, le=SEED_MAX, description="Same seed and settings, same text.")
    top_p: float = Field(1.0, title="Top-p", gt=0.0, le=1.0, description="Sample only from the smallest set of tokens whose probability adds up to this; 1 turns it off.")
    top_k: int = Field(0, title="Top-k", ge=0, le=1000, description="Sample only from the k likeliest tokens; 0 turns it off.")
    repetition_penalty: float = Field(1.0, title="Repetition penalty", ge=0.5, le=2.0, description="Above 1 discourages repeating earlier text; 1 turns it off.")
    stop: tuple[str, ...] = Field((), title="Stop sequences", max_length=MAX_STOP_SEQUENCES, description="Generation ends where one of these appears.")

    @field_validator("stop", mode="before")
    @classmethod
    def _split_stop_text(cls, value: Any) -> Any:
        """Accepts the UI's text box form: one stop sequence per line, blank lines ignored."""
        if isinstance(value, str):
            return tuple(line for line in sendable_text(value).splitlines() if line.strip())
        return tuple(sendable_text(item) for item in value) if isinstance(value, (list, tuple)) else value

    @field_validator("stop")
    @classmethod
    def _stop_sequences_are_short(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(len(item) > 50 for item in value):
            raise ValueError("each stop sequence must be at most 50 characters")
        return value

    def with_resolved_seed(self, rng: random.Random | None = None) -> GenerationParams:
        """Returns a copy with a concrete seed: the one asked for, or a fresh random one."""
        if self.seed is not None:
            return self
        return self.model_copy(update={"seed": (rng or random.SystemRandom()).randint(0, SEED_MAX)})


def field_bounds(name: str) -> tuple[float | None, float | None]:
    """The (lowest, highest) value a numeric field accepts, for building its slider."""
    low = high = None
    for rule in GenerationParams.model_fields[name].metadata:
        low = getattr(rule, "ge", None) if getattr(rule, "ge", None) is not None else low
        low = getattr(rule, "gt", None) if getattr(rule, "gt", None) is not None else low
        high = getattr(rule, "le", None) if getattr(rule, "le", None) is not None else high
    return low, high


def field_default(name: str) -> Any:
    return GenerationParams.model_fields[name].default


def field_help(name: str) -> str:
    return GenerationParams.model_fields[name].description or ""


def field_label(name: str) -> str:
    """The visible label of a parameter, e.g. "Max new tokens"."""
    return GenerationParams.model_fields[name].title or name
